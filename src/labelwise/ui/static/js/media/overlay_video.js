// Review: several annotators' video tracks (video_boxes) over one video. Their boxes on the current
// frame over the video, and their tracks on one timeline, one lane per annotator. Tracks are matched
// across annotators by mean per-frame IoU >= 0.5 with the same label (match.js): a matched track is
// drawn solid with a ✓ (and tick marks at its ends on the timeline), an unmatched one dashed with a ✗.

import { h } from "../dom.js";
import { clamp, factsOf, fitVideoStage, mediaSource, sizeCanvas } from "./common.js";
import { matchTracks, trackBoxes } from "./match.js";
import { groupsOf, overlayChrome, strokeFor } from "./overlay_parts.js";

const TW = 860; // timeline width
const GUTTER = 140;
const ROW = 14;

export function createVideoOverlay({ field, value, meta, labels, annotations, threshold = 0.5 }) {
  labels = labels.filter((l) => l.kind === "video_boxes" && l.field === field);
  if (!labels.length || typeof value !== "string" || !value) return null;
  const groups = groupsOf(labels, annotations);
  const { pairs, matched } = matchTracks(groups, threshold);
  const boxes = groups.map((g) => g.objects.map((o) => trackBoxes(o.obj)));
  const spanOf = (m) => (m.size ? [Math.min(...m.keys()), Math.max(...m.keys())] : [0, 0]);
  const spans = boxes.map((list) => list.map(spanOf));
  const describe = (o) => {
    const m = trackBoxes(o.obj);
    const [a, b] = spanOf(m);
    return `track #${o.obj.track_id ?? "?"} frames ${a}–${b}`;
  };
  const source = mediaSource(value);
  const video = h("video", { preload: "auto", muted: true, playsinline: true, class: "media-player", src: source.src() });
  const canvas = h("canvas", { class: "media-canvas overlay-canvas video-overlay-boxes", role: "img",
    "aria-label": `Video ${field}: every annotator's boxes on the current frame` });
  const stage = h("div", { class: "video-stage" }, video, canvas);
  const slider = h("input", { type: "range", min: 0, max: 0, value: 0, "aria-label": "Frame" });
  const frameLabel = h("span", { class: "media-clock" });
  const btn = (text, fn) => h("button", { type: "button", class: "small", onclick: fn }, text);
  const lanes = groups.map((g) => Math.max(1, g.objects.length) * ROW + 8);
  const TH = lanes.reduce((a, b) => a + b, 0) + 4;
  const timeline = h("canvas", { class: "media-canvas overlay-timeline", role: "img",
    "aria-label": `Tracks of ${field}, one lane per annotator; click to go to a frame` });
  const tctx = sizeCanvas(timeline, TW, TH);
  const chrome = overlayChrome({ field, title: "Tracks", groups, pairs, matched, threshold, measure: "mean per-frame IoU", describe, onToggle: () => show() });
  const el = chrome.mount(h("div", { class: "media-controls" }, btn("◀ frame", () => seek(frame - 1)), slider, btn("frame ▶", () => seek(frame + 1)), frameLabel),
    stage, timeline);
  el.classList.add("video-overlay-view");
  let ctx = sizeCanvas(canvas, 860, 484);
  let fps = 30;
  let frames = 1;
  let s = 1;
  let frame = 0;
  stage.style.position = "relative";
  canvas.style.position = "absolute";
  canvas.style.left = "0";
  canvas.style.top = "0";

  function seek(f) {
    frame = clamp(Math.round(f), 0, frames - 1);
    video.currentTime = (frame + 0.1) / fps;
    show();
  }
  function show() {
    slider.value = String(frame);
    frameLabel.textContent = `frame ${frame} / ${frames - 1}`;
    el.dataset.frame = String(frame);
    let onFrame = 0;
    groups.forEach((g, i) => { if (chrome.shown[i]) g.objects.forEach((_, k) => { if (boxes[i][k].has(frame)) onFrame++; }); });
    el.dataset.boxesOnFrame = String(onFrame);
    requestAnimationFrame(() => { drawBoxes(); drawTimeline(); });
  }
  function drawBoxes() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    groups.forEach((g, i) => {
      if (!chrome.shown[i]) return;
      g.objects.forEach((o, k) => {
        const b = boxes[i][k].get(frame);
        if (!b) return;
        const isMatched = matched.has(`${i}:${k}`);
        strokeFor(ctx, g.color, isMatched);
        ctx.strokeRect(b[0] * s, b[1] * s, (b[2] - b[0]) * s, (b[3] - b[1]) * s);
        ctx.setLineDash([]);
        ctx.font = "12px system-ui, sans-serif";
        ctx.fillText(`${isMatched ? "✓" : "✗"} #${o.obj.track_id ?? "?"} ${o.label ?? ""}`, b[0] * s + 2, b[1] * s - 4);
      });
    });
  }
  const fx = (f) => GUTTER + (f / Math.max(1, frames)) * (TW - GUTTER);
  function drawTimeline() {
    tctx.clearRect(0, 0, TW, TH);
    let top = 2;
    groups.forEach((g, i) => {
      tctx.fillStyle = i % 2 ? "#fafafa" : "#f0f0f0";
      tctx.fillRect(GUTTER, top, TW - GUTTER, lanes[i]);
      tctx.fillStyle = g.color;
      tctx.fillRect(0, top + 4, 8, lanes[i] - 8);
      tctx.fillStyle = chrome.shown[i] ? "#111" : "#999";
      tctx.font = "12px system-ui, sans-serif";
      tctx.fillText(g.annotator, 12, top + 14, GUTTER - 16);
      if (chrome.shown[i]) {
        g.objects.forEach((o, k) => {
          const [a, b] = spans[i][k];
          const y = top + 4 + k * ROW;
          const x0 = fx(a);
          const x1 = Math.max(x0 + 2, fx(b + 1));
          const isMatched = matched.has(`${i}:${k}`);
          if (isMatched) { tctx.fillStyle = `${g.color}66`; tctx.fillRect(x0, y, x1 - x0, ROW - 3); }
          strokeFor(tctx, g.color, isMatched);
          tctx.strokeRect(x0, y, x1 - x0, ROW - 3);
          tctx.setLineDash([]);
          if (isMatched) for (const x of [x0, x1]) { tctx.lineWidth = 1; tctx.beginPath(); tctx.moveTo(x, y - 2); tctx.lineTo(x, y + ROW - 1); tctx.stroke(); }
          tctx.fillStyle = "#111";
          tctx.font = "10px system-ui, sans-serif";
          tctx.fillText(`${isMatched ? "✓" : "✗"} #${o.obj.track_id ?? "?"} ${o.label ?? ""}`, x0 + 3, y + ROW - 5, Math.max(20, x1 - x0 - 4));
        });
      }
      top += lanes[i];
    });
    tctx.fillStyle = "#d00";
    tctx.fillRect(fx(frame), 0, 2, TH);
  }
  slider.addEventListener("input", () => { video.pause(); seek(Number(slider.value)); });
  timeline.addEventListener("click", (e) => {
    const x = e.clientX - timeline.getBoundingClientRect().left;
    if (x >= GUTTER) seek(((x - GUTTER) / (TW - GUTTER)) * frames);
  });

  (async () => {
    const facts = await factsOf(source, meta, field);
    await new Promise((ok) => { if (video.readyState >= 1) ok(); else { video.addEventListener("loadedmetadata", ok, { once: true }); video.addEventListener("error", ok, { once: true }); } });
    fps = facts.fps || 30;
    frames = facts.frames || Math.max(1, Math.round((video.duration || 0) * fps));
    const W = facts.width || video.videoWidth || 860;
    const H = facts.height || video.videoHeight || 484;
    ({ s, ctx } = fitVideoStage({ video, canvas, stage }, W, H));
    slider.max = String(frames - 1);
    seek(0);
    el.dataset.ready = "true";
    el.dataset.readyAt = String(Math.round(performance.now())); // ms since the page started loading
  })();

  return { el, pairs, groups, redraw: show, seek };
}
