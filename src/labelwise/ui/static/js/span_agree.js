// Review: how each annotator's spans compare with the others'. Every span is one of: shared by all
// annotators, shared by some, on the same text as another annotator's span with another label, or
// this annotator's only. Shown on each card by a mark style (not colour alone: underline, wavy
// underline, dashed outline) and a text marker, with a legend and a list in words.

import { h } from "./dom.js";
import { spanKey } from "./merge.js";
import { AGREE } from "./spans.js";

/** Map(annotation id -> {labelName: [agreement per span, in the result's order]}). */
export function agreement(schema, annotations) {
  const n = annotations.length;
  const out = new Map(annotations.map((a) => [a.id, {}]));
  for (const label of (schema.labels ?? []).filter((l) => l.kind === "spans")) {
    const exact = new Map(); // start:end:label -> annotators
    const place = new Map(); // start:end -> Set(labels)
    for (const ann of annotations) {
      for (const s of ann.result?.[label.name] ?? []) {
        if (!exact.has(spanKey(s))) exact.set(spanKey(s), new Set());
        exact.get(spanKey(s)).add(ann.annotator);
        const at = `${s.start}:${s.end}`;
        if (!place.has(at)) place.set(at, new Set());
        place.get(at).add(s.label);
      }
    }
    for (const ann of annotations) {
      out.get(ann.id)[label.name] = (ann.result?.[label.name] ?? []).map((s) => {
        const voters = exact.get(spanKey(s)).size;
        if (voters === n) return "all";
        if (place.get(`${s.start}:${s.end}`).size > 1) return "label";
        return voters > 1 ? "some" : "only";
      });
    }
  }
  return out;
}

/** ``result`` with every span carrying its ``agree`` (for renderResult / renderSpanText). */
export function withAgreement(result, agrees) {
  const out = { ...result };
  for (const [name, list] of Object.entries(agrees ?? {})) {
    if (Array.isArray(out[name])) out[name] = out[name].map((s, i) => ({ ...s, agree: list[i] }));
  }
  return out;
}

/** One card's spans in words: marker, quote, label, agreement; and counts per kind. */
export function agreementList(schema, result, data, agrees) {
  const rows = [];
  const counts = {};
  for (const label of (schema.labels ?? []).filter((l) => l.kind === "spans")) {
    const chars = Array.from(data?.[label.field] ?? "");
    (result?.[label.name] ?? []).forEach((s, i) => {
      const kind = agrees?.[label.name]?.[i] ?? "only";
      counts[kind] = (counts[kind] ?? 0) + 1;
      rows.push(h("li", { class: `agree-${kind}`, "data-agree": kind },
        h("span", { class: "agree-mark", "aria-hidden": "true", text: AGREE[kind].mark }), " ",
        h("span", { class: "span-quote", text: `“${chars.slice(s.start, s.end).join("")}”` }), " ",
        h("strong", { text: s.label }), h("span", { class: "muted small", text: ` — ${AGREE[kind].words}` })));
    });
  }
  if (!rows.length) return null;
  const summary = Object.keys(AGREE).filter((k) => counts[k]).map((k) => `${counts[k]} ${AGREE[k].mark}`).join(", ");
  return h("details", { class: "agree-details", open: true },
    h("summary", { class: "small", text: `Spans compared with the others (${summary})` }),
    h("ul", { class: "agree-list small" }, rows));
}

/** The legend: a sample of every mark style with its marker and words. */
export function agreementLegend() {
  return h("p", { class: "agree-key small", "aria-label": "How spans compare between annotators" },
    h("strong", { text: "Spans: " }),
    Object.entries(AGREE).map(([kind, { mark, words }]) => h("span", { class: "agree-key-item" },
      h("mark", { class: `span agree-${kind}`, "data-agree": kind, "data-label": mark, text: "text" }), ` ${words} `)));
}
