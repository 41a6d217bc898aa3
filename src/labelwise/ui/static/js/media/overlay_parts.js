// The parts every review overlay shares: one colour per annotator, a toggle per annotator, the match
// summary, a legend (matched: solid with a tick; unmatched: dashed) and the list of matches and
// unmatched objects (the overlay's state in the DOM, for screen readers and tests).

import { h } from "../dom.js";

const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324"];

export const annotatorColor = (i) => PALETTE[i % PALETTE.length];

/** The items of one result drawn on a field: [{labelName, kind, label, obj}] for labels of `labels`. */
export function objectsOf(labels, result) {
  const out = [];
  for (const label of labels) {
    const list = result?.[label.name];
    if (Array.isArray(list)) for (const obj of list) if (obj && typeof obj === "object") out.push({ labelName: label.name, kind: label.kind, label: obj.label, obj });
  }
  return out;
}

/** One group per annotation ([{annotator, result}]): {annotator, color, objects}. */
export function groupsOf(labels, annotations) {
  return annotations.map((a, i) => ({ annotator: a.annotator, color: annotatorColor(i), objects: objectsOf(labels, a.result) }));
}

/**
 * Toggles, summary, legend and match list around an overlay's drawing.
 * measure: how the score is named ("IoU", "temporal IoU", ...); describe(o): where an object is, as text.
 * onToggle() runs when an annotator is shown or hidden; shown[i] says whether group i is.
 */
export function overlayChrome({ field, title, groups, pairs, matched, threshold, measure, describe, onToggle }) {
  const shown = groups.map(() => true);
  const toggles = h("div", { class: "overlay-toggles", role: "group", "aria-label": "Annotators shown" },
    groups.map((g, i) => {
      const box = h("input", { type: "checkbox", checked: true, "data-annotator": g.annotator });
      box.addEventListener("change", () => { shown[i] = box.checked; update(); onToggle(); });
      const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
      swatch.style.backgroundColor = g.color;
      return h("label", { class: "check overlay-toggle" }, box, swatch, `${g.annotator} (${g.objects.length})`);
    }));
  const summary = h("p", { class: "overlay-summary", "data-matches": pairs.length, role: "status" },
    `${pairs.length} ${pairs.length === 1 ? "match" : "matches"} (same label, ${measure} ≥ ${threshold})`,
    groups.length > 1 ? ` · ${groups.map((g, i) => `${g.annotator}: ${g.objects.filter((_, k) => matched.has(`${i}:${k}`)).length}/${g.objects.length} matched`).join(" · ")}` : "");
  const legend = h("p", { class: "muted small overlay-legend", text: "Solid with ✓: matched by another annotator · dashed with ✗: no match" });
  const rows = [];
  for (const p of pairs) {
    const [A, B] = [groups[p.a], groups[p.b]];
    const [oa, ob] = [A.objects[p.i], B.objects[p.j]];
    rows.push({ groups: [p.a, p.b], el: h("li", { class: "overlay-match", "data-status": "matched", "data-label": oa.label ?? "",
      "data-annotators": `${A.annotator},${B.annotator}`, "data-iou": p.iou.toFixed(2) },
    `✓ ${oa.label ?? ""}: ${A.annotator} ${describe(oa)} ↔ ${B.annotator} ${describe(ob)} (${measure} ${p.iou.toFixed(2)})`) });
  }
  groups.forEach((g, i) => g.objects.forEach((o, k) => {
    if (matched.has(`${i}:${k}`)) return;
    rows.push({ groups: [i], el: h("li", { class: "overlay-match", "data-status": "unmatched", "data-label": o.label ?? "",
      "data-annotators": g.annotator }, `✗ ${o.label ?? ""}: ${g.annotator} ${describe(o)}, no match`) });
  }));
  const list = h("ul", { class: "overlay-matches", "aria-label": `Matches on ${field}` }, rows.map((r) => r.el));
  const el = h("section", { class: "media-view overlay-view", "data-field": field, "aria-label": `${title} on ${field}` },
    h("h3", { class: "field-name", text: `${field}: all annotators` }), toggles);
  function update() {
    for (const r of rows) r.el.hidden = !r.groups.every((i) => shown[i]);
    el.dataset.shown = groups.filter((_, i) => shown[i]).map((g) => g.annotator).join(",");
  }
  update();
  /** Put the drawing (and anything else) between the toggles and the summary. */
  function mount(...middle) { el.append(...middle, summary, legend, list); return el; }
  return { el, shown, mount };
}

/** A line dashed or solid, for matched / unmatched. */
export function strokeFor(ctx, color, isMatched) {
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = isMatched ? 2.5 : 1.5;
  ctx.setLineDash(isMatched ? [] : [6, 4]);
}
