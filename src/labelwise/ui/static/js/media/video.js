// Video: frame-accurate stepping (frame = round(t * fps); requestVideoFrameCallback while playing),
// boxes per frame in tracks (video_boxes), keyframes with linear interpolation between them, tracks
// on a timeline, split (at the current frame) and merge (M: the selected track takes the previous one's).

import { h } from "../dom.js";
import { clamp, colorOf, copy, factsOf, fitVideoStage, mediaSource, optionBar, round2, sizeCanvas, timed } from "./common.js";
import { boxAt, expand } from "./tracks.js";

const HANDLE = 6;

export function createVideoView({ field, value, meta, labels, get, set, readOnly = false, predicted = () => false }) {
  labels = labels.filter((l) => l.kind === "video_boxes");
  const byName = new Map(labels.map((l) => [l.name, l]));
  const source = mediaSource(value);
  const video = h("video", { preload: "auto", muted: true, playsinline: true, class: "media-player", src: source.src() });
  const canvas = h("canvas", { class: "media-canvas video-overlay", tabindex: "0", "aria-label": `Video ${field}: draw boxes on the current frame` });
  const stage = h("div", { class: "video-stage" }, video, canvas);
  const frameLabel = h("span", { class: "media-clock" });
  const slider = h("input", { type: "range", min: 0, max: 0, value: 0, "aria-label": "Frame" });
  const timeline = h("div", { class: "timeline", role: "list", "aria-label": "Tracks" });
  const bar = optionBar(labels);
  const btn = (text, fn) => h("button", { type: "button", class: "small", onclick: fn }, text);
  const el = h("div", { class: "media-view video-view", "data-field": field },
    h("div", { class: "media-controls" }, btn("◀ frame", () => step(-1)), btn("Play", () => togglePlay()), btn("frame ▶", () => step(1)),
      slider, frameLabel, readOnly ? null : btn("Split track", () => split()), readOnly ? null : btn("Merge (M)", () => merge())),
    readOnly ? null : bar.el, stage, timeline);
  let cw = 860;
  let ch = 484;
  let ctx = sizeCanvas(canvas, cw, ch);
  let fps = 30;
  let frames = 1;
  let W = 0;
  let H = 0;
  let s = 1;
  let frame = 0;
  let selected = null; // {labelName, index}
  let previous = null;
  let drag = null;
  let draftTrack = null;

  stage.style.position = "relative";
  stage.style.width = `${cw}px`;
  canvas.style.position = "absolute";
  canvas.style.left = "0";
  canvas.style.top = "0";

  function tracks() {
    const out = [];
    for (const label of labels) (Array.isArray(get(label.name)) ? get(label.name) : []).forEach((t, index) => out.push({ labelName: label.name, index, t }));
    return out;
  }
  const trackOf = (sel) => (draftTrack && sel && draftTrack.labelName === sel.labelName && draftTrack.index === sel.index ? draftTrack.t : get(sel.labelName)?.[sel.index]);

  function seek(f) {
    frame = clamp(Math.round(f), 0, frames - 1);
    video.currentTime = (frame + 0.1) / fps;
    show();
  }
  const step = (n) => { video.pause(); seek(frame + n); };
  function togglePlay() {
    if (video.paused) {
      video.play().catch(() => {});
      const onFrame = (_now, m) => { frame = Math.round(m.mediaTime * fps); show(); if (!video.paused) video.requestVideoFrameCallback(onFrame); };
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame);
    } else video.pause();
  }
  video.addEventListener("timeupdate", () => { if (!video.paused && !video.requestVideoFrameCallback) { frame = Math.round(video.currentTime * fps); show(); } });

  function show() {
    slider.value = String(frame);
    frameLabel.textContent = `frame ${frame} / ${frames - 1}`;
    el.dataset.frame = String(frame);
    requestAnimationFrame(() => timed("video", render));
  }
  function render() {
    ctx.clearRect(0, 0, cw, ch);
    for (const { labelName, index, t } of tracks()) {
      const track = selected && selected.labelName === labelName && selected.index === index ? trackOf(selected) : t;
      const b = boxAt(track, frame);
      if (!b) continue;
      const isSel = selected && selected.labelName === labelName && selected.index === index;
      ctx.strokeStyle = colorOf(byName.get(labelName), track.label);
      ctx.lineWidth = isSel ? 3 : 1.5;
      ctx.setLineDash(predicted(labelName) ? [2, 4] : b.keyframe ? [] : [5, 3]); // pre-labels: dotted
      ctx.strokeRect(b.x * s, b.y * s, b.width * s, b.height * s);
      ctx.setLineDash([]);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(`#${track.track_id} ${track.label}`, b.x * s + 2, b.y * s - 3);
      if (isSel) for (const [x, y] of corners(b)) ctx.fillRect(x * s - HANDLE / 2, y * s - HANDLE / 2, HANDLE, HANDLE);
    }
    if (drag?.type === "new") { ctx.strokeStyle = "#fff"; const b = drag.box; ctx.strokeRect(b.x * s, b.y * s, b.width * s, b.height * s); }
  }
  const corners = (b) => [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]];

  function renderTimeline() {
    timeline.replaceChildren(...tracks().map(({ labelName, index, t }) => {
      const keys = t.frames.filter((k) => k.keyframe !== false).map((k) => k.frame);
      const first = Math.min(...t.frames.map((k) => k.frame));
      const last = Math.max(...t.frames.map((k) => k.frame));
      const lane = h("div", { class: "timeline-lane" });
      lane.style.position = "relative";
      lane.style.height = "10px";
      lane.style.background = "#eee";
      const span = h("span", { class: "timeline-bar" });
      Object.assign(span.style, { position: "absolute", left: `${(first / frames) * 100}%`, width: `${(Math.max(1, last - first + 1) / frames) * 100}%`,
        top: "0", bottom: "0", background: colorOf(byName.get(labelName), t.label) });
      lane.append(span, ...keys.map((k) => { const m = h("span", { class: "timeline-key" }); Object.assign(m.style, { position: "absolute", left: `${(k / frames) * 100}%`, width: "2px", top: "0", bottom: "0", background: "#000" }); return m; }));
      const isSel = selected && selected.labelName === labelName && selected.index === index;
      const row = h("div", { class: `timeline-row${isSel ? " selected" : ""}`, role: "listitem", "data-track": String(t.track_id) },
        h("button", { type: "button", class: "small", onclick: () => { choose({ labelName, index }); seek(first); } }, `#${t.track_id} ${t.label}`),
        h("span", { class: "muted small", text: ` frames ${first}–${last}, ${keys.length} keyframes` }), lane);
      return row;
    }));
  }
  function choose(sel) {
    if (selected && !(sel && sel.labelName === selected.labelName && sel.index === selected.index)) previous = selected;
    selected = sel;
    renderTimeline();
    show();
  }
  function save(labelName, index, track) {
    const list = copy(get(labelName) ?? []);
    if (index >= list.length) list.push(expand(track)); else list[index] = expand(track);
    set(labelName, list);
  }
  function setKey(track, f, box) {
    const frames2 = track.frames.filter((k) => k.keyframe !== false && k.frame !== f);
    frames2.push({ frame: f, x: round2(box.x), y: round2(box.y), width: round2(box.width), height: round2(box.height), keyframe: true });
    return { ...track, frames: frames2 };
  }
  function nextId() { return 1 + Math.max(0, ...tracks().map(({ t }) => (typeof t.track_id === "number" ? t.track_id : 0))); }
  function split() {
    if (!selected) return false;
    const t = trackOf(selected);
    const b = boxAt(t, frame);
    const keys = t.frames.filter((k) => k.keyframe !== false);
    if (!b || frame <= keys[0].frame) return false;
    const before = setKey({ ...t, frames: keys.filter((k) => k.frame < frame) }, frame - 1, boxAt(t, frame - 1));
    const after = setKey({ track_id: nextId(), label: t.label, frames: keys.filter((k) => k.frame > frame) }, frame, b);
    const list = copy(get(selected.labelName));
    list[selected.index] = expand(before);
    list.push(expand(after));
    set(selected.labelName, list);
    return true;
  }
  function merge() {
    if (!selected || !previous || previous.labelName !== selected.labelName) return false;
    const list = copy(get(selected.labelName));
    const a = list[selected.index];
    const b = list[previous.index];
    if (!a || !b) return false;
    const have = new Set(a.frames.filter((k) => k.keyframe !== false).map((k) => k.frame));
    const merged = { ...a, frames: [...a.frames.filter((k) => k.keyframe !== false), ...b.frames.filter((k) => k.keyframe !== false && !have.has(k.frame))] };
    list[selected.index] = expand(merged);
    list.splice(previous.index, 1);
    selected = { labelName: selected.labelName, index: previous.index < selected.index ? selected.index - 1 : selected.index };
    previous = null;
    set(selected.labelName, list);
    return true;
  }

  const pos = (e) => { const r = canvas.getBoundingClientRect(); return [clamp((e.clientX - r.left) / s, 0, W), clamp((e.clientY - r.top) / s, 0, H)]; };
  canvas.addEventListener("mousedown", (e) => {
    if (readOnly || e.button !== 0) return;
    canvas.focus();
    video.pause();
    const [x, y] = pos(e);
    if (selected) {
      const b = boxAt(trackOf(selected), frame);
      const corner = b ? corners(b).findIndex(([cx, cy]) => Math.abs(cx - x) * s <= HANDLE && Math.abs(cy - y) * s <= HANDLE) : -1;
      if (corner >= 0) { drag = { type: "corner", corner, b }; draftTrack = { ...selected, t: trackOf(selected) }; return; }
    }
    for (const { labelName, index, t } of tracks().reverse()) {
      const b = boxAt(t, frame);
      if (b && x >= b.x && y >= b.y && x <= b.x + b.width && y <= b.y + b.height) {
        choose({ labelName, index });
        drag = { type: "move", start: [x, y], b };
        draftTrack = { labelName, index, t };
        return;
      }
    }
    drag = { type: "new", start: [x, y], box: { x, y, width: 0, height: 0 } };
  });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const [x, y] = pos(e);
    if (drag.type === "new") {
      const [x0, y0] = drag.start;
      drag.box = { x: Math.min(x0, x), y: Math.min(y0, y), width: Math.abs(x - x0), height: Math.abs(y - y0) };
    } else if (drag.type === "move") {
      const b = drag.b;
      const nb = { ...b, x: clamp(b.x + x - drag.start[0], 0, W - b.width), y: clamp(b.y + y - drag.start[1], 0, H - b.height) };
      draftTrack.t = setKey(trackOf(selected), frame, nb);
    } else {
      const b = drag.b;
      const [fx, fy] = corners(b)[(drag.corner + 2) % 4];
      const nb = { x: Math.min(fx, x), y: Math.min(fy, y), width: Math.max(1, Math.abs(x - fx)), height: Math.max(1, Math.abs(y - fy)) };
      draftTrack.t = setKey(trackOf(selected), frame, nb);
    }
    requestAnimationFrame(() => timed("video", render));
  });
  window.addEventListener("mouseup", () => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (d.type === "new") {
      if (d.box.width * s < 3 || d.box.height * s < 3) { show(); return; }
      const active = bar.active();
      const list = Array.isArray(get(active.label.name)) ? get(active.label.name) : [];
      const track = setKey({ track_id: nextId(), label: active.value, frames: [] }, frame, d.box);
      save(active.label.name, list.length, track);
      choose({ labelName: active.label.name, index: list.length });
    } else if (draftTrack) {
      const { labelName, index, t } = draftTrack;
      draftTrack = null;
      save(labelName, index, t);
    }
  });
  slider.addEventListener("input", () => { video.pause(); seek(Number(slider.value)); });

  function handleKey(e) {
    if (e.key === "ArrowRight" || e.key === ".") { step(e.shiftKey ? 10 : 1); return true; }
    if (e.key === "ArrowLeft" || e.key === ",") { step(e.shiftKey ? -10 : -1); return true; }
    if (e.key === "k" || e.key === "K") { togglePlay(); return true; }
    if (readOnly) return false;
    if (e.key === "m" || e.key === "M") return merge();
    if ((e.key === "Delete" || e.key === "Backspace") && selected) {
      const name = selected.labelName;
      const list = copy(get(name));
      list.splice(selected.index, 1);
      selected = null;
      set(name, list);
      return true;
    }
    return bar.key(e.key);
  }

  (async () => {
    const t0 = performance.now();
    const facts = await factsOf(source, meta, field);
    await new Promise((ok) => { if (video.readyState >= 1) ok(); else { video.addEventListener("loadedmetadata", ok, { once: true }); video.addEventListener("error", ok, { once: true }); } });
    fps = facts.fps || 30;
    frames = facts.frames || Math.max(1, Math.round((video.duration || 0) * fps));
    W = facts.width || video.videoWidth;
    H = facts.height || video.videoHeight;
    ({ s, cw, ch, ctx } = fitVideoStage({ video, canvas, stage }, W, H));
    slider.max = String(frames - 1);
    seek(0);
    renderTimeline();
    await new Promise((ok) => (video.readyState >= 2 ? ok() : video.addEventListener("loadeddata", ok, { once: true })));
    el.dataset.ready = "true";
    el.dataset.readyAt = String(Math.round(performance.now())); // ms since the page started loading
    el.dataset.loadMs = String(Math.round(performance.now() - t0));
    canvas.dataset.scale = String(s);
  })();

  return { el, handleKey, refresh() { renderTimeline(); show(); }, seek };
}
