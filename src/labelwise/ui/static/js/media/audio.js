// Audio: the waveform from the server's peaks, play / pause / seek / speed, and regions drawn by
// dragging on the waveform, each with a label and a transcription (audio_ranges and time_ranges).
// Zoom (Ctrl + wheel, + / - / 0, the zoom control) and pan (Shift + wheel, the scroll bar): the server
// sends the peaks of the visible window at the new resolution (timewindow.js).

import { h } from "../dom.js";
import { clamp, colorOf, copy, factsOf, getJSON, mediaSource, optionBar, round2, sizeCanvas, timed, trackDrag } from "./common.js";
import { createTimeWindow } from "./timewindow.js";

const KINDS = new Set(["audio_ranges", "time_ranges"]);

export function createAudioView({ field, value, meta, labels, get, set, readOnly = false, tag = "audio", predicted = () => false }) {
  labels = labels.filter((l) => KINDS.has(l.kind));
  const byName = new Map(labels.map((l) => [l.name, l]));
  const source = mediaSource(value);
  const player = h(tag, { preload: "metadata", class: "media-player", src: source.src() });
  const canvas = h("canvas", { class: "media-canvas waveform", tabindex: "0", "aria-label": `Waveform of ${field}: drag to mark a region, click to seek` });
  const clock = h("span", { class: "media-clock", text: "0:00.00" });
  const play = h("button", { type: "button", class: "small", onclick: () => toggle() }, "Play");
  const speed = h("select", { "aria-label": "Speed" }, [0.5, 0.75, 1, 1.25, 1.5, 2].map((v) => h("option", { value: v, selected: v === 1, text: `${v}×` })));
  speed.addEventListener("change", () => { player.playbackRate = Number(speed.value); });
  const bar = optionBar(labels);
  const regionsBox = h("div", { class: "regions" });
  const cw = 860;
  const win = createTimeWindow({ width: cw, onChange: () => { redraw(); loadPeaks(); } });
  const el = h("div", { class: "media-view audio-view", "data-field": field },
    h("div", { class: "media-controls" }, play, speed, clock, win.el), readOnly ? null : bar.el, canvas, regionsBox, player);
  player.hidden = true;
  let dragging = null;  // the range being dragged, for redraw()
  const ch = 140;
  const ctx = sizeCanvas(canvas, cw, ch);
  let duration = 0;
  let overview = null; // peaks of the whole file
  let peaks = null; // peaks of the visible window ({start, end} in seconds)
  let asked = 0; // the latest peaks request: older answers are dropped
  let timer = 0;
  let selected = null;

  const x2t = (x) => win.x2t(x);
  const t2x = (t) => win.t2x(t);
  const fmt = (t) => `${Math.floor(t / 60)}:${(t % 60).toFixed(2).padStart(5, "0")}`;

  function regions() {
    const out = [];
    for (const label of labels) (Array.isArray(get(label.name)) ? get(label.name) : []).forEach((r, index) => out.push({ labelName: label.name, index, r }));
    return out;
  }

  function render() {
    ctx.clearRect(0, 0, cw, ch);
    ctx.fillStyle = "#f6f7f9";
    ctx.fillRect(0, 0, cw, ch);
    for (const { labelName, r } of regions()) {
      const pre = predicted(labelName); // pre-labels: lighter, with a dashed outline
      const color = colorOf(byName.get(labelName), r.label);
      ctx.fillStyle = `${color}${pre ? "44" : "99"}`;
      ctx.fillRect(t2x(r.start), 0, Math.max(1, t2x(r.end) - t2x(r.start)), ch);
      if (pre) {
        ctx.strokeStyle = color;
        ctx.setLineDash([6, 4]);
        ctx.strokeRect(t2x(r.start), 1, Math.max(1, t2x(r.end) - t2x(r.start)), ch - 2);
        ctx.setLineDash([]);
      }
    }
    el.dataset.prelabels = labels.filter((l) => predicted(l.name)).map((l) => l.name).join(",");
    const drag = dragging?.current();
    if (drag?.moved) {
      ctx.fillStyle = "#4a90e255";
      ctx.fillRect(Math.min(drag.x0, drag.x1), 0, Math.abs(drag.x1 - drag.x0), ch);
    }
    // the window's peaks once they came; the whole file's (coarser) where they do not reach
    if (overview && (!peaks || peaks.start > win.start || peaks.end < win.end)) drawPeaks(overview);
    if (peaks) drawPeaks(peaks);
    ctx.fillStyle = "#d00";
    ctx.fillRect(t2x(player.currentTime || 0), 0, 2, ch);
    clock.textContent = `${fmt(player.currentTime || 0)} / ${fmt(duration)}`;
  }
  function drawPeaks(p) {
    const n = p.min.length;
    const step = (p.end - p.start) / n;
    const w = Math.max(1, t2x(p.start + step) - t2x(p.start));
    const first = Math.max(0, Math.floor((win.start - p.start) / step) - 1);
    const last = Math.min(n, Math.ceil((win.end - p.start) / step) + 1);
    ctx.fillStyle = "#345";
    for (let i = first; i < last; i++) {
      const y0 = ch / 2 - p.max[i] * (ch / 2);
      const y1 = ch / 2 - p.min[i] * (ch / 2);
      ctx.fillRect(t2x(p.start + i * step), y0, w, Math.max(1, y1 - y0));
    }
  }
  const redraw = () => requestAnimationFrame(() => timed(tag, render));
  function expose() {
    el.dataset.viewStart = String(round2(win.start));
    el.dataset.viewEnd = String(round2(win.end));
    el.dataset.zoom = String(round2(win.zoom));
  }
  /** Peaks of the visible window at the canvas' resolution, asked once the zooming or panning pauses. */
  function loadPeaks() {
    expose();
    if (!source.key || !duration) return;
    clearTimeout(timer);
    const id = ++asked; // an answer still on its way is for an older window: it is dropped
    if (win.zoom <= 1.001) { peaks = overview; el.dataset.peaks = el.dataset.peaksOverview ?? ""; return; }
    timer = setTimeout(async () => {
      const [start, end] = [win.start, win.end];
      const t0 = performance.now();
      try {
        const got = await getJSON(`${source.src("peaks")}?buckets=${cw * 2}&start=${start}&end=${end}`);
        if (id !== asked) return;
        peaks = got;
        requestAnimationFrame(() => {
          if (id !== asked) return;
          timed(tag, render);
          el.dataset.peaks = `${round2(got.start)}-${round2(got.end)}:${got.min.length}`;
          el.dataset.peaksMs = String(Math.round(performance.now() - t0)); // asked until drawn
        });
      } catch { /* the overview stays */ }
    }, 120);
  }
  function renderRegions() {
    const all = regions().sort((a, b) => a.r.start - b.r.start);
    regionsBox.replaceChildren(...all.slice(0, 500).map(({ labelName, index, r }) => {
      const label = byName.get(labelName);
      const pick = h("select", { "aria-label": "Region label", disabled: readOnly }, (label.options ?? []).map((o) => h("option", { value: o.value, selected: o.value === r.label, text: o.value })));
      pick.addEventListener("change", () => update(labelName, index, { label: pick.value }));
      const text = h("input", { type: "text", class: "transcript", placeholder: "Transcription", value: r.text ?? "", "aria-label": "Transcription", readonly: readOnly });
      text.addEventListener("change", () => update(labelName, index, { text: text.value || undefined }));
      const row = h("div", { class: `region-row${selected === `${labelName}#${index}` ? " selected" : ""}`, "data-key": `${labelName}#${index}` },
        h("button", { type: "button", class: "small", onclick: () => { player.currentTime = r.start; redraw(); } }, `${fmt(r.start)}–${fmt(r.end)}`),
        pick, text, readOnly ? null : h("button", { type: "button", class: "small", onclick: () => remove(labelName, index) }, "Delete"));
      return row;
    }));
  }
  function update(labelName, index, patch) {
    const list = copy(get(labelName));
    Object.assign(list[index], patch);
    if (list[index].text === undefined) delete list[index].text;
    set(labelName, list);
  }
  function remove(labelName, index) {
    const list = copy(get(labelName));
    list.splice(index, 1);
    set(labelName, list);
  }
  function toggle() { if (player.paused) player.play().catch(() => {}); else player.pause(); }
  function tick() { win.follow(player.currentTime || 0); redraw(); if (!player.paused) requestAnimationFrame(tick); }
  player.addEventListener("play", () => { play.textContent = "Pause"; tick(); });
  player.addEventListener("pause", () => { play.textContent = "Play"; redraw(); });
  player.addEventListener("seeked", redraw);

  dragging = trackDrag(canvas, cw, { redraw: () => redraw(), onDrop: (d) => {
    if (!d.moved || readOnly) { player.currentTime = x2t(d.x0); redraw(); return; }
    const active = bar.active();
    const label = active.label;
    const samples = label.unit === "samples";
    const rate = duration ? (meta?.media?.[field]?.samples ?? 0) / duration : 0;
    let start = x2t(Math.min(d.x0, d.x1));
    let end = x2t(Math.max(d.x0, d.x1));
    if (samples) { start = Math.round(start * rate); end = Math.round(end * rate); } else { start = round2(start); end = round2(end); }
    if (end <= start) { redraw(); return; }
    const list = [...(Array.isArray(get(label.name)) ? get(label.name) : []), { start, end, label: active.value }];
    set(label.name, list);
    selected = `${label.name}#${list.length - 1}`;
  } });

  canvas.addEventListener("wheel", (e) => {
    if (win.wheel(e, e.clientX - canvas.getBoundingClientRect().left)) e.preventDefault();
  }, { passive: false });

  function handleKey(e) {
    if (e.key === "k" || e.key === "K") { toggle(); return true; }
    const head = t2x(player.currentTime || 0);
    if (win.key(e.key, head >= 0 && head <= cw ? head : cw / 2)) return true;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") { player.currentTime = clamp((player.currentTime || 0) + (e.key === "ArrowLeft" ? -5 : 5), 0, duration); return true; }
    return !readOnly && bar.key(e.key);
  }

  (async () => {
    const t0 = performance.now();
    const facts = await factsOf(source, meta, field);
    duration = facts.duration ?? 0;
    if (source.key) {
      try { peaks = overview = await getJSON(`${source.src("peaks")}?buckets=${cw * 2}`); duration = peaks.duration; } catch { peaks = null; }
      el.dataset.peaks = el.dataset.peaksOverview = peaks ? `${round2(peaks.start)}-${round2(peaks.end)}:${peaks.min.length}` : "";
    }
    if (!duration) {
      await new Promise((ok) => { if (player.readyState >= 1) ok(); else player.addEventListener("loadedmetadata", ok, { once: true }); });
      duration = player.duration || 0;
    }
    win.setDuration(duration);
    timed(tag, render);
    renderRegions();
    el.dataset.ready = "true";
    el.dataset.readyAt = String(Math.round(performance.now())); // ms since the page started loading
    el.dataset.loadMs = String(Math.round(performance.now() - t0));
  })();

  return { el, handleKey, refresh() { renderRegions(); redraw(); }, player };
}
