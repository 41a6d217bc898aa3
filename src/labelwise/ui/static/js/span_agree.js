// Review: how each annotator's spans (and relations) compare with the others'. Every span is one of:
// shared by all annotators, shared by some, on the same text as another annotator's span with another
// label, or this annotator's only. Shown on each card by a mark style (not colour alone: underline, wavy
// underline, dashed outline) and a text marker, with a legend and a list in words.

import { h } from "./dom.js";
import { spanAt, spanKey } from "./merge.js";
import { AGREE } from "./spans.js";

/** Per annotation, the agreement of each of its items: same key by all / some / one; same place, other label. */
function classify(annotations, itemsOf, keyOf, placeOf) {
  const n = annotations.length;
  const exact = new Map(); // key -> annotators
  const place = new Map(); // place -> keys
  for (const ann of annotations) {
    for (const x of itemsOf(ann)) {
      if (!exact.has(keyOf(x))) exact.set(keyOf(x), new Set());
      exact.get(keyOf(x)).add(ann.annotator);
      if (!place.has(placeOf(x))) place.set(placeOf(x), new Set());
      place.get(placeOf(x)).add(keyOf(x));
    }
  }
  return (ann) => itemsOf(ann).map((x) => {
    const voters = exact.get(keyOf(x)).size;
    if (voters === n) return "all";
    if (place.get(placeOf(x)).size > 1) return "label";
    return voters > 1 ? "some" : "only";
  });
}

/** A relation's two spans (from, to), or null when one is missing. */
function ends(result, rel, r) {
  const spans = result?.[rel.spans_label] ?? [];
  const [a, b] = [spanAt(spans, r.from), spanAt(spans, r.to)];
  return a && b ? [a, b] : null;
}

/**
 * Map(annotation id -> {labelName: [agreement per item, in the result's order]}) for spans labels
 * and relations labels (a relation is the same when its two spans and its label are).
 */
export function agreement(schema, annotations) {
  const out = new Map(annotations.map((a) => [a.id, {}]));
  for (const label of schema.labels ?? []) {
    let of = null;
    if (label.kind === "spans") {
      of = classify(annotations, (ann) => ann.result?.[label.name] ?? [], spanKey, (s) => `${s.start}:${s.end}`);
    } else if (label.kind === "relations") {
      const place = (r) => `${spanKey(r.ends[0])}>${spanKey(r.ends[1])}`;
      of = classify(annotations, (ann) => (ann.result?.[label.name] ?? []).map((r) => ({ ...r, ends: ends(ann.result, label, r) }))
        .filter((r) => r.ends), (r) => `${place(r)}>${r.label ?? ""}`, place);
    }
    if (of) for (const ann of annotations) out.get(ann.id)[label.name] = of(ann);
  }
  return out;
}

/** ``result`` with every span carrying its ``agree`` (for renderResult / renderSpanText). */
export function withAgreement(schema, result, agrees) {
  const out = { ...result };
  for (const label of (schema.labels ?? []).filter((l) => l.kind === "spans")) {
    const list = agrees?.[label.name];
    if (list && Array.isArray(out[label.name])) out[label.name] = out[label.name].map((s, i) => ({ ...s, agree: list[i] }));
  }
  return out;
}

function row(kind, ...content) {
  return h("li", { class: `agree-${kind}`, "data-agree": kind },
    h("span", { class: "agree-mark", "aria-hidden": "true", text: AGREE[kind].mark }), " ", ...content,
    h("span", { class: "muted small", text: ` — ${AGREE[kind].words}` }));
}

/** One card's spans and relations in words: marker, quote, label, agreement; and counts per kind. */
export function agreementList(schema, result, data, agrees) {
  const rows = [];
  const counts = {};
  const byName = new Map((schema.labels ?? []).map((l) => [l.name, l]));
  const quote = (label, s) => `“${Array.from(data?.[label?.field] ?? "").slice(s.start, s.end).join("")}”`;
  for (const label of schema.labels ?? []) {
    if (label.kind === "spans") {
      (result?.[label.name] ?? []).forEach((s, i) => {
        const kind = agrees?.[label.name]?.[i] ?? "only";
        counts[kind] = (counts[kind] ?? 0) + 1;
        rows.push(row(kind, h("span", { class: "span-quote", text: quote(label, s) }), " ", h("strong", { text: s.label })));
      });
    } else if (label.kind === "relations") {
      const spansLabel = byName.get(label.spans_label);
      (result?.[label.name] ?? []).map((r) => ({ r, e: ends(result, label, r) })).filter(({ e }) => e).forEach(({ r, e }, i) => {
        const kind = agrees?.[label.name]?.[i] ?? "only";
        rows.push(row(kind, h("span", { class: "relation-quote", text: `${quote(spansLabel, e[0])} → ${quote(spansLabel, e[1])}` }),
          r.label ? h("strong", { text: ` ${r.label}` }) : null));
      });
    }
  }
  if (!rows.length) return null;
  const summary = Object.keys(AGREE).filter((k) => counts[k]).map((k) => `${counts[k]} ${AGREE[k].mark}`).join(", ");
  return h("details", { class: "agree-details", open: true },
    h("summary", { class: "small", text: `Spans and relations compared with the others (spans: ${summary})` }),
    h("ul", { class: "agree-list small" }, rows));
}

/** The legend: a sample of every mark style with its marker and words. */
export function agreementLegend() {
  return h("p", { class: "agree-key small", "aria-label": "How spans compare between annotators" },
    h("strong", { text: "Spans: " }),
    Object.entries(AGREE).map(([kind, { mark, words }]) => h("span", { class: "agree-key-item" },
      h("mark", { class: `span agree-${kind}`, "data-agree": kind, "data-label": mark, text: "text" }), ` ${words} `)));
}
