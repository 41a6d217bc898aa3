// Review: several annotators' ranges (audio_ranges, time_ranges) over one audio file, video soundtrack
// or time series: the waveform or the first channel on top, then one lane per annotator. A range another
// annotator matched (same label, temporal IoU >= 0.5; match.js) is filled, outlined solid, with tick marks
// at its ends and a ✓; an unmatched one is outlined dashed with a ✗.

import { h } from "../dom.js";
import { factsOf, getJSON, mediaSource, sizeCanvas } from "./common.js";
import { matchRanges } from "./match.js";
import { groupsOf, overlayChrome, strokeFor } from "./overlay_parts.js";

const KINDS = new Set(["audio_ranges", "time_ranges"]);
const CW = 860;
const GUTTER = 140; // annotator names
const TOP = 80; // waveform or plot
const LANE = 30;

export function createRangesOverlay({ field, kind, value, meta, labels, annotations, threshold = 0.5 }) {
  labels = labels.filter((l) => KINDS.has(l.kind) && l.field === field);
  if (!labels.length || typeof value !== "string" || !value) return null;
  const byName = new Map(labels.map((l) => [l.name, l]));
  const groups = groupsOf(labels, annotations);
  const { pairs, matched } = matchRanges(groups, threshold);
  const unitOf = (o) => byName.get(o.labelName)?.unit ?? "seconds";
  const num = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  const describe = (o) => (unitOf(o) === "samples" ? `samples ${o.obj.start}–${o.obj.end}` : `${num(o.obj.start)}–${num(o.obj.end)} s`);
  const CH = TOP + LANE * Math.max(1, groups.length) + 16;
  const canvas = h("canvas", { class: "media-canvas overlay-canvas ranges-overlay", role: "img",
    "aria-label": `${kind === "timeseries" ? "Time series" : "Waveform"} of ${field} with every annotator's ranges, one lane each` });
  const ctx = sizeCanvas(canvas, CW, CH);
  const chrome = overlayChrome({ field, title: "Ranges", groups, pairs, matched, threshold, measure: "temporal IoU", describe, onToggle: () => draw() });
  const el = chrome.mount(canvas);
  el.classList.add("ranges-overlay-view");
  // the axis: seconds for audio and video, sample indices for a series
  let axisEnd = 0;
  let rate = 0; // samples per second (audio "samples" ranges, series "seconds" ranges)
  let background = null; // {min, max} peaks or {y} one channel
  const toAxis = (o, v) => {
    const samples = unitOf(o) === "samples";
    if (kind === "timeseries") return samples || !rate ? v : v * rate;
    return samples && rate ? v / rate : v;
  };
  const X = (v) => GUTTER + (axisEnd ? (v / axisEnd) * (CW - GUTTER) : 0);

  function drawBackground() {
    ctx.fillStyle = "#f6f7f9";
    ctx.fillRect(GUTTER, 0, CW - GUTTER, TOP);
    if (!background) return;
    const width = CW - GUTTER;
    ctx.fillStyle = "#345";
    ctx.strokeStyle = "#345";
    if (background.min) {
      const n = background.min.length;
      for (let i = 0; i < n; i++) {
        const y0 = TOP / 2 - background.max[i] * (TOP / 2);
        const y1 = TOP / 2 - background.min[i] * (TOP / 2);
        ctx.fillRect(GUTTER + (i / n) * width, y0, Math.max(1, width / n), Math.max(1, y1 - y0));
      }
    } else {
      const ys = background.y.filter((v) => v !== null);
      let lo = Math.min(...ys);
      let hi = Math.max(...ys);
      if (hi === lo) { hi += 1; lo -= 1; }
      ctx.lineWidth = 1;
      ctx.beginPath();
      background.x.forEach((x, i) => {
        if (background.y[i] === null) return;
        const px = X(x);
        const py = TOP - 4 - ((background.y[i] - lo) / (hi - lo)) * (TOP - 8);
        if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      });
      ctx.stroke();
    }
  }

  function drawRange(o, color, isMatched, top) {
    const x0 = X(toAxis(o, o.obj.start));
    const x1 = Math.max(x0 + 2, X(toAxis(o, o.obj.end)));
    if (isMatched) {
      ctx.fillStyle = `${color}66`;
      ctx.fillRect(x0, top + 3, x1 - x0, LANE - 6);
    }
    strokeFor(ctx, color, isMatched);
    ctx.strokeRect(x0, top + 3, x1 - x0, LANE - 6);
    ctx.setLineDash([]);
    if (isMatched) { // tick marks at both ends, reaching into the waveform
      ctx.lineWidth = 1;
      for (const x of [x0, x1]) { ctx.beginPath(); ctx.moveTo(x, TOP - 12); ctx.lineTo(x, top + LANE - 3); ctx.stroke(); }
    }
    ctx.fillStyle = "#111";
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText(`${isMatched ? "✓" : "✗"} ${o.label ?? ""}`, x0 + 3, top + LANE / 2 + 4, Math.max(20, x1 - x0 - 4));
  }

  function draw() {
    ctx.clearRect(0, 0, CW, CH);
    drawBackground();
    groups.forEach((g, i) => {
      const top = TOP + 4 + i * LANE;
      ctx.fillStyle = i % 2 ? "#fafafa" : "#f0f0f0";
      ctx.fillRect(GUTTER, top, CW - GUTTER, LANE);
      ctx.fillStyle = g.color;
      ctx.fillRect(0, top + 6, 8, LANE - 12);
      ctx.fillStyle = chrome.shown[i] ? "#111" : "#999";
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillText(g.annotator, 12, top + LANE / 2 + 4, GUTTER - 16);
      if (!chrome.shown[i]) return;
      g.objects.forEach((o, k) => drawRange(o, g.color, matched.has(`${i}:${k}`), top));
    });
  }

  (async () => {
    const source = mediaSource(value);
    const facts = await factsOf(source, meta, field);
    const duration = facts.duration ?? 0;
    if (kind === "timeseries") {
      axisEnd = facts.samples ?? 0;
      if (duration && axisEnd > 1) rate = (axisEnd - 1) / duration;
      if (source.key) {
        try {
          const got = await getJSON(`${source.src("series")}?points=${(CW - GUTTER) * 2}`);
          axisEnd = got.samples;
          if (got.channels[0]) background = got.channels[0];
        } catch { /* lanes only */ }
      }
    } else {
      axisEnd = duration;
      if (duration && facts.samples) rate = facts.samples / duration;
      if (source.key && kind === "audio") {
        try { background = await getJSON(`${source.src("peaks")}?buckets=${(CW - GUTTER) * 2}`); axisEnd = background.duration; } catch { /* lanes only */ }
      }
    }
    // ranges past what the facts say (or no facts): the axis reaches the last end
    for (const g of groups) for (const o of g.objects) axisEnd = Math.max(axisEnd, toAxis(o, o.obj.end) || 0);
    draw();
    el.dataset.ready = "true";
    el.dataset.readyAt = String(Math.round(performance.now())); // ms since the page started loading
  })();

  return { el, pairs, groups, redraw: draw };
}
