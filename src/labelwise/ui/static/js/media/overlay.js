// Review: several annotators' work over one media field, a toggle per annotator, and what matches
// another annotator's marked (match.js) — solid with a tick when matched, dashed otherwise — with a
// legend and the list of matches. Images here (boxes, polygons, keypoints: IoU >= 0.5, same label);
// audio and time-series ranges in overlay_ranges.js; video tracks in overlay_video.js.

import { h } from "../dom.js";
import { factsOf, mediaSource, sizeCanvas } from "./common.js";
import { matchObjects } from "./match.js";
import { groupsOf, overlayChrome, strokeFor } from "./overlay_parts.js";
import { createRangesOverlay } from "./overlay_ranges.js";
import { createVideoOverlay } from "./overlay_video.js";

const KINDS = new Set(["bbox", "polygon", "keypoints"]);
const CW = 860;
const CH = 520;
const round = (v) => Math.round(v);

/** The overlay for a field of any media kind, or null when nothing of the schema is drawn on it. */
export function createMediaOverlay({ kind, ...args }) {
  if (kind === "image") return createOverlayView(args);
  if (kind === "audio" || kind === "timeseries") return createRangesOverlay({ ...args, kind });
  if (kind === "video") {
    const tracks = args.labels.some((l) => l.kind === "video_boxes" && l.field === args.field);
    return tracks ? createVideoOverlay(args) : createRangesOverlay({ ...args, kind });
  }
  return null;
}

/** Where an image object is, as text for the match list. */
function describe(o) {
  const b = o.obj;
  if (o.kind === "bbox") return `box at ${round(b.x)},${round(b.y)} ${round(b.width)}×${round(b.height)}`;
  if (o.kind === "polygon" && Array.isArray(b.points) && b.points.length) return `${b.closed === false ? "polyline" : "polygon"} from ${b.points[0].map(round).join(",")}`;
  return o.kind;
}

/** The overlay of ``annotations`` ([{annotator, result}]) on the image field, or null if none draws there. */
export function createOverlayView({ field, value, meta, labels, annotations, threshold = 0.5 }) {
  labels = labels.filter((l) => KINDS.has(l.kind) && l.field === field);
  if (!labels.length || typeof value !== "string" || !value) return null;
  const groups = groupsOf(labels, annotations);
  const { pairs, matched } = matchObjects(groups, threshold);
  const canvas = h("canvas", { class: "media-canvas overlay-canvas", role: "img",
    "aria-label": `Image ${field} with every annotator's objects` });
  const ctx = sizeCanvas(canvas, CW, CH);
  const chrome = overlayChrome({ field, title: "Objects", groups, pairs, matched, threshold, measure: "IoU", describe, onToggle: () => draw() });
  const el = chrome.mount(canvas);
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
    strokeFor(ctx, color, isMatched);
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
      ctx.fillText(`${isMatched ? "✓" : "✗"} ${o.label ?? ""}`, anchor[0] + 2, anchor[1] - 4);
    }
  }

  function draw() {
    ctx.clearRect(0, 0, CW, CH);
    ctx.fillStyle = "#222";
    ctx.fillRect(0, 0, CW, CH);
    if (img) ctx.drawImage(img, ox, oy, W * s, H * s);
    groups.forEach((g, i) => {
      if (!chrome.shown[i]) return;
      g.objects.forEach((o, k) => drawObject(o, g.color, matched.has(`${i}:${k}`)));
    });
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
    el.dataset.readyAt = String(Math.round(performance.now())); // ms since the page started loading
  })();

  return { el, pairs, groups, redraw: draw };
}
