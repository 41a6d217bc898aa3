// Review of several annotators' results for one item: which spans and relations agree (votes per
// span and per relation), and a merged result the reviewer edits (checkboxes; other labels by
// majority) and accepts. A relation is kept only with both of its spans; ↑/↓ move between boxes.
// chat_turns labels merge turn by turn (chat_merge.js).

import { chatMergeSection } from "./chat_merge.js";
import { formatValue, h } from "./dom.js";

export const spanKey = (s) => `${s.start}:${s.end}:${s.label}`;

/** The span a relation end points at (an id, or an index into the list), or undefined. */
export function spanAt(spans, ref) {
  return typeof ref === "number" ? spans[ref] : spans.find((s) => s?.id === ref);
}

/**
 * {spans: {label: [{span, voters}]}, relations: {label: [{from, to, label, voters}]} (from/to: spans),
 *  values: {label: [{value, voters}]}} over annotations.
 */
export function tally(schema, annotations) {
  const spans = {};
  const relations = {};
  const values = {};
  for (const label of schema.labels ?? []) {
    const seen = new Map();
    const vote = (k, make, who) => {
      if (!seen.has(k)) seen.set(k, { ...make(), voters: [] });
      if (!seen.get(k).voters.includes(who)) seen.get(k).voters.push(who);
    };
    for (const ann of annotations) {
      const v = ann.result?.[label.name];
      if (v === undefined) continue;
      if (label.kind === "spans") {
        for (const s of v ?? []) {
          vote(spanKey(s), () => ({ span: { start: s.start, end: s.end, label: s.label, ...(s.text ? { text: s.text } : {}) } }), ann.annotator);
        }
      } else if (label.kind === "relations") {
        const list = ann.result?.[label.spans_label] ?? [];
        for (const r of v ?? []) {
          const [a, b] = [spanAt(list, r.from), spanAt(list, r.to)];
          if (!a || !b) continue;
          vote(`${spanKey(a)}>${spanKey(b)}>${r.label ?? ""}`, () => ({ from: a, to: b, label: r.label }), ann.annotator);
        }
      } else {
        vote(JSON.stringify(v), () => ({ value: v }), Symbol("vote")); // every annotation counts
      }
    }
    const list = [...seen.values()];
    if (label.kind === "spans") spans[label.name] = list.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
    else if (label.kind === "relations") relations[label.name] = list;
    else if (list.length) values[label.name] = list.sort((a, b) => b.voters.length - a.voters.length);
  }
  return { spans, relations, values };
}

/** The merge panel: returns {el, result()}; ``onAccept`` is called by its button. */
export function mergePanel(schema, item, annotations, { onAccept }) {
  const t = tally(schema, annotations);
  const n = annotations.length;
  const chars = (field) => Array.from(item.data?.[field] ?? "");
  const spanBoxes = []; // {box, label, span}
  const relBoxes = []; // {box, rel, label, from, to, wanted, note}
  const chatParts = []; // {el, name, value()}
  const hasSpans = (schema.labels ?? []).some((l) => l.kind === "spans" || l.kind === "relations");
  const legend = hasSpans
    ? `Spans all ${n} annotators agree on are bold and checked; the others are listed with who marked them. Tick what the merged result keeps (↑/↓ move, Space ticks); a relation needs both of its spans. Then Accept merge (M).`
    : "Tick what the merged result keeps (↑/↓ move, Space ticks), then Accept merge (M).";
  const el = h("section", { class: "merge-box", "aria-labelledby": `merge-${item.id}` },
    h("h3", { id: `merge-${item.id}`, text: "Merge" }),
    h("p", { class: "small muted agree-legend", text: legend }));
  const byName = new Map((schema.labels ?? []).map((l) => [l.name, l]));
  const quote = (label, s) => `“${chars(label.field).slice(s.start, s.end).join("")}”`;
  for (const label of schema.labels ?? []) {
    if (label.kind === "chat_turns") {
      const part = chatMergeSection(label, item, annotations);
      if (part) { chatParts.push(part); el.append(part.el); }
    } else if (label.kind === "spans" && t.spans[label.name]?.length) {
      el.append(h("h4", { text: label.name }), h("ul", { class: "merge-list" }, t.spans[label.name].map(({ span, voters }, i) => {
        const id = `m${item.id}-${label.name}-${i}`;
        const all = voters.length === n;
        const box = h("input", { type: "checkbox", id });
        box.checked = voters.length * 2 > n;
        box.addEventListener("change", syncRelations);
        spanBoxes.push({ box, label: label.name, span });
        return h("li", { class: all ? "agree-all" : "agree-some", "data-agree": all ? "all" : "some" },
          box, " ", h("label", { for: id },
            h("span", { class: "span-vote", text: `${voters.length}/${n}` }),
            `${quote(label, span)} `, h("strong", { text: span.label }),
            all ? null : h("span", { class: "muted small", text: ` — ${voters.join(", ")}` })));
      })));
    } else if (label.kind === "relations" && t.relations[label.name]?.length) {
      const spansLabel = byName.get(label.spans_label);
      el.append(h("h4", { text: label.name }), h("ul", { class: "merge-relations" }, t.relations[label.name].map((r, i) => {
        const id = `m${item.id}-${label.name}-${i}`;
        const all = r.voters.length === n;
        const box = h("input", { type: "checkbox", id });
        const note = h("span", { class: "small muted rel-blocked", text: " (needs both spans)", hidden: true });
        const entry = { box, rel: label, label: r.label, from: r.from, to: r.to, wanted: r.voters.length * 2 > n, note };
        box.addEventListener("change", () => { entry.wanted = box.checked; });
        relBoxes.push(entry);
        return h("li", { class: all ? "agree-all" : "agree-some", "data-agree": all ? "all" : "some" },
          box, " ", h("label", { for: id },
            h("span", { class: "span-vote", text: `${r.voters.length}/${n}` }),
            `${quote(spansLabel, r.from)} ${r.from.label} → ${quote(spansLabel, r.to)} ${r.to.label}`,
            r.label ? h("strong", { text: ` ${r.label}` }) : null,
            all ? null : h("span", { class: "muted small", text: ` — ${r.voters.join(", ")}` })), note);
      })));
    } else if (t.values[label.name]) {
      const top = t.values[label.name];
      el.append(h("p", { class: "small" }, h("strong", { text: `${label.name}: ` }),
        top.map((v) => `${formatValue(v.value)} (${v.voters.length}/${n})`).join(" · ")));
    }
  }
  el.append(h("div", { class: "row-end" }, h("button", { type: "button", class: "primary", id: `accept-merge-${item.id}`,
    onclick: () => onAccept(result()) }, "Accept merge ", h("kbd", { text: "M" }))));
  el.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const boxes = [...el.querySelectorAll("input[type=checkbox]:not(:disabled)")];
    const at = boxes.indexOf(event.target);
    if (at < 0) return;
    event.preventDefault();
    boxes[Math.max(0, Math.min(boxes.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))].focus();
  });

  const kept = (labelName, span) => spanBoxes.some((b) => b.box.checked && b.label === labelName && spanKey(b.span) === spanKey(span));

  /** A relation whose spans are not both kept cannot be ticked; ticked again once they are, if it was wanted. */
  function syncRelations() {
    for (const r of relBoxes) {
      const ok = kept(r.rel.spans_label, r.from) && kept(r.rel.spans_label, r.to);
      r.box.disabled = !ok;
      r.box.checked = ok && r.wanted;
      r.note.hidden = ok;
    }
  }
  syncRelations();

  function result() {
    const out = {};
    for (const [name, list] of Object.entries(t.values)) out[name] = list[0].value; // the majority (first on ties)
    for (const part of chatParts) {
      const value = part.value();
      if (value) out[part.name] = value; else delete out[part.name];
    }
    for (const { box, label, span } of spanBoxes) {
      if (!box.checked) continue;
      (out[label] ??= []).push({ ...span });
    }
    for (const r of relBoxes) {
      if (!r.box.checked) continue;
      const spans = out[r.rel.spans_label];
      const idOf = (s) => {
        const i = spans.findIndex((x) => spanKey(x) === spanKey(s));
        spans[i].id ??= `s${i + 1}`;
        return spans[i].id;
      };
      (out[r.rel.name] ??= []).push({ from: idOf(r.from), to: idOf(r.to), ...(r.label !== undefined ? { label: r.label } : {}) });
    }
    return out;
  }
  return { el, result };
}
