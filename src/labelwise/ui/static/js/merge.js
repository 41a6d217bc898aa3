// Review of several annotators' results for one item: which spans agree (votes per span), and a
// merged result the reviewer edits (span checkboxes; other labels by majority) and accepts.

import { formatValue, h } from "./dom.js";

const spanKey = (s) => `${s.start}:${s.end}:${s.label}`;

/** {spans: {label: [{span, voters}]}, values: {label: [{value, voters}]}} over annotations. */
export function tally(schema, annotations) {
  const spans = {};
  const values = {};
  for (const label of schema.labels ?? []) {
    if (label.kind === "relations") continue;
    const seen = new Map();
    for (const ann of annotations) {
      const v = ann.result?.[label.name];
      if (v === undefined) continue;
      if (label.kind === "spans") {
        for (const s of v ?? []) {
          const k = spanKey(s);
          if (!seen.has(k)) seen.set(k, { span: { start: s.start, end: s.end, label: s.label, ...(s.text ? { text: s.text } : {}) }, voters: [] });
          if (!seen.get(k).voters.includes(ann.annotator)) seen.get(k).voters.push(ann.annotator);
        }
      } else {
        const k = JSON.stringify(v);
        if (!seen.has(k)) seen.set(k, { value: v, voters: [] });
        seen.get(k).voters.push(ann.annotator);
      }
    }
    const list = [...seen.values()];
    if (label.kind === "spans") spans[label.name] = list.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
    else if (list.length) values[label.name] = list.sort((a, b) => b.voters.length - a.voters.length);
  }
  return { spans, values };
}

/** The merge panel: returns {el, result()}; ``onAccept`` is called by its button. */
export function mergePanel(schema, item, annotations, { onAccept }) {
  const t = tally(schema, annotations);
  const n = annotations.length;
  const chars = (field) => Array.from(item.data?.[field] ?? "");
  const boxes = [];
  const el = h("section", { class: "merge-box", "aria-labelledby": `merge-${item.id}` },
    h("h3", { id: `merge-${item.id}`, text: "Merge" }),
    h("p", { class: "small muted agree-legend",
      text: `Spans all ${n} annotators agree on are bold and checked; the others are listed with who marked them. Tick what the merged result keeps, then Accept merge (M).` }));
  for (const label of schema.labels ?? []) {
    if (label.kind === "spans" && t.spans[label.name]?.length) {
      const text = chars(label.field);
      el.append(h("h4", { text: label.name }), h("ul", { class: "merge-list" }, t.spans[label.name].map(({ span, voters }, i) => {
        const id = `m${item.id}-${label.name}-${i}`;
        const all = voters.length === n;
        const box = h("input", { type: "checkbox", id });
        box.checked = voters.length * 2 > n;
        boxes.push({ box, label: label.name, span });
        return h("li", { class: all ? "agree-all" : "agree-some", "data-agree": all ? "all" : "some" },
          box, " ", h("label", { for: id },
            h("span", { class: "span-vote", text: `${voters.length}/${n}` }),
            `“${text.slice(span.start, span.end).join("")}” `, h("strong", { text: span.label }),
            all ? null : h("span", { class: "muted small", text: ` — ${voters.join(", ")}` })));
      })));
    } else if (t.values[label.name]) {
      const top = t.values[label.name];
      el.append(h("p", { class: "small" }, h("strong", { text: `${label.name}: ` }),
        top.map((v) => `${formatValue(v.value)} (${v.voters.length}/${n})`).join(" · ")));
    }
  }
  el.append(h("div", { class: "row-end" }, h("button", { type: "button", class: "primary", id: `accept-merge-${item.id}`,
    onclick: () => onAccept(result()) }, "Accept merge ", h("kbd", { text: "M" }))));

  function result() {
    const out = {};
    for (const [name, list] of Object.entries(t.values)) out[name] = list[0].value; // the majority (first on ties)
    for (const { box, label, span } of boxes) {
      if (!box.checked) continue;
      (out[label] ??= []).push(span);
    }
    return out;
  }
  return { el, result };
}
