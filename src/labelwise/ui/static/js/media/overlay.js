// Review: several annotators' objects (boxes, polygons, keypoints) over one image, one colour per
// annotator, a toggle per annotator, and the objects that match another annotator's (IoU >= 0.5,
// same label; match.js) drawn solid with a tick, the others dashed.

import { h } from "../dom.js";
import { factsOf, mediaSource, sizeCanvas } from "./common.js";
import { matchObjects } from "./match.js";

const KINDS = new Set(["bbox", "polygon", "keypoints"]);
const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324"];
const CW = 860;
const CH = 520;

export const annotatorColor = (i) => PALETTE[i % PALETTE.length];

/** Objects of one result drawn on ``field``: [{labelName, kind, label, obj}]. */
export function objectsOf(labels, result) {
  const out = [];
  for (const label of labels) {
    const list = result?.[label.name];
    if (Array.isArray(list)) for (const obj of list) if (obj && typeof obj === "object") out.push({ labelName: label.name, kind: label.kind, label: obj.label, obj });
  }
  return out;
}

/** The overlay of ``annotations`` ([{annotator, result}]) on the image field, or null if none draws there. */
export function createOverlayView({ field, value, meta, labels, annotations, threshold = 0.5 }) {
  labels = labels.filter((l) => KINDS.has(l.kind) && l.field === field);
  if (!labels.length || typeof value !== "string" || !value) return null;
  const groups = annotations.map((a, i) => ({ annotator: a.annotator, color: annotatorColor(i), objects: objectsOf(labels, a.result) }));
  const { pairs, matched } = matchObjects(groups, threshold);
  const shown = groups.map(() => true);
  const canvas = h("canvas", { class: "media-canvas overlay-canvas", role: "img",
    "aria-label": `Image ${field} with every annotator's objects` });
  const ctx = sizeCanvas(canvas, CW, CH);
  const summary = h("p", { class: "overlay-summary", "data-matches": pairs.length, role: "status" },
    `${pairs.length} ${pairs.length === 1 ? "match" : "matches"} (same label, IoU ≥ ${threshold})`,
    groups.length > 1 ? ` · ${groups.map((g, i) => `${g.annotator}: ${g.objects.filter((_, k) => matched.has(`${i}:${k}`)).length}/${g.objects.length} matched`).join(" · ")}` : "");
  const toggles = h("div", { class: "overlay-toggles", role: "group", "aria-label": "Annotators shown" },
    groups.map((g, i) => {
      const box = h("input", { type: "checkbox", checked: true, "data-annotator": g.annotator });
      box.addEventListener("change", () => { shown[i] = box.checked; draw(); });
      const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
      swatch.style.backgroundColor = g.color;
      return h("label", { class: "check overlay-toggle" }, box, swatch, `${g.annotator} (${g.objects.length})`);
    }));
  const el = h("section", { class: "media-view overlay-view", "data-field": field, "aria-label": `Objects on ${field}` },
    h("h3", { class: "field-name", text: `${field}: all annotators` }), toggles, canvas, summary);
  let img = null;
  let W = 0;
  let H = 0;
  let s = 1;
  let ox = 0;
  let oy = 0;
  const P = ([x, y]) => [ox + x * s, oy + y * s];

  function path(pts, close) {
    ctx.beginPath();
    pts.map(P).forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    if (close) ctx.closePath();
    ctx.stroke();
  }

  function drawObject(o, color, isMatched) {
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = isMatched ? 2.5 : 1.5;
    ctx.setLineDash(isMatched ? [] : [6, 4]);
    let anchor = null;
    if (o.kind === "bbox") {
      const b = o.obj;
      const r = ((b.rotation ?? 0) * Math.PI) / 180;
      const pts = [[0, 0], [b.width, 0], [b.width, b.height], [0, b.height]]
        .map(([u, v]) => [b.x + u * Math.cos(r) - v * Math.sin(r), b.y + u * Math.sin(r) + v * Math.cos(r)]);
      path(pts, true);
      anchor = P(pts[0]);
    } else if (o.kind === "polygon" && Array.isArray(o.obj.points) && o.obj.points.length) {
      path(o.obj.points, o.obj.closed !== false);
      anchor = P(o.obj.points[0]);
    } else if (o.kind === "keypoints") {
      for (const p of Object.values(o.obj.points ?? {})) {
        if (!p) continue;
        const [x, y] = P(p);
        ctx.beginPath(); ctx.arc(x, y, 3.5, 0, 2 * Math.PI); ctx.fill();
      }
    }
    ctx.setLineDash([]);
    if (anchor) {
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillText(`${isMatched ? "✓ " : ""}${o.label ?? ""}`, anchor[0] + 2, anchor[1] - 4);
    }
  }

  function draw() {
    ctx.clearRect(0, 0, CW, CH);
    ctx.fillStyle = "#222";
    ctx.fillRect(0, 0, CW, CH);
    if (img) ctx.drawImage(img, ox, oy, W * s, H * s);
    groups.forEach((g, i) => {
      if (!shown[i]) return;
      g.objects.forEach((o, k) => drawObject(o, g.color, matched.has(`${i}:${k}`)));
    });
    el.dataset.shown = groups.filter((_, i) => shown[i]).map((g) => g.annotator).join(",");
  }

  (async () => {
    const source = mediaSource(value);
    const facts = await factsOf(source, meta, field);
    const image = new Image();
    image.src = source.key ? source.src("display") : source.src();
    await image.decode().catch(() => null);
    img = image.naturalWidth ? image : null;
    W = facts.width ?? image.naturalWidth ?? 0;
    H = facts.height ?? image.naturalHeight ?? 0;
    if (W && H) {
      s = Math.min(CW / W, CH / H);
      ox = (CW - W * s) / 2;
      oy = (CH - H * s) / 2;
    }
    draw();
    el.dataset.ready = "true";
  })();

  return { el, pairs, groups, redraw: draw };
}
