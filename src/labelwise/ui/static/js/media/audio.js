// Audio: the waveform from the server's peaks, play / pause / seek / speed, and regions drawn by
// dragging on the waveform, each with a label and a transcription (audio_ranges and time_ranges).

import { h } from "../dom.js";
import { clamp, colorOf, copy, factsOf, getJSON, mediaSource, optionBar, round2, sizeCanvas, timed, trackDrag } from "./common.js";

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
  const el = h("div", { class: "media-view audio-view", "data-field": field },
    h("div", { class: "media-controls" }, play, speed, clock), readOnly ? null : bar.el, canvas, regionsBox, player);
  player.hidden = true;
  const cw = 860;
  let dragging = null;  // the range being dragged, for redraw()
  const ch = 140;
  const ctx = sizeCanvas(canvas, cw, ch);
  let duration = 0;
  let peaks = null;
  let selected = null;

  const x2t = (x) => clamp((x / cw) * duration, 0, duration);
  const t2x = (t) => (duration ? (t / duration) * cw : 0);
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
    if (peaks) {
      const n = peaks.min.length;
      ctx.fillStyle = "#345";
      for (let i = 0; i < n; i++) {
        const x = (i / n) * cw;
        const y0 = ch / 2 - peaks.max[i] * (ch / 2);
        const y1 = ch / 2 - peaks.min[i] * (ch / 2);
        ctx.fillRect(x, y0, Math.max(1, cw / n), Math.max(1, y1 - y0));
      }
    }
    ctx.fillStyle = "#d00";
    ctx.fillRect(t2x(player.currentTime || 0), 0, 2, ch);
    clock.textContent = `${fmt(player.currentTime || 0)} / ${fmt(duration)}`;
  }
  const redraw = () => requestAnimationFrame(() => timed(tag, render));

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
  function tick() { redraw(); if (!player.paused) requestAnimationFrame(tick); }
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

  function handleKey(e) {
    if (e.key === "k" || e.key === "K") { toggle(); return true; }
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") { player.currentTime = clamp((player.currentTime || 0) + (e.key === "ArrowLeft" ? -5 : 5), 0, duration); return true; }
    return !readOnly && bar.key(e.key);
  }

  (async () => {
    const t0 = performance.now();
    const facts = await factsOf(source, meta, field);
    duration = facts.duration ?? 0;
    if (source.key) {
      try { peaks = await getJSON(`${source.src("peaks")}?buckets=${cw * 2}`); duration = peaks.duration; } catch { peaks = null; }
    }
    if (!duration) {
      await new Promise((ok) => { if (player.readyState >= 1) ok(); else player.addEventListener("loadedmetadata", ok, { once: true }); });
      duration = player.duration || 0;
    }
    timed(tag, render);
    renderRegions();
    el.dataset.ready = "true";
    el.dataset.readyAt = String(Math.round(performance.now())); // ms since the page started loading
    el.dataset.loadMs = String(Math.round(performance.now() - t0));
  })();

  return { el, handleKey, refresh() { renderRegions(); redraw(); }, player };
}
