// Time series: one plot per channel from the server's downsampled points (MinMaxLTTB), zoom with the
// wheel (the server is asked again for the new window), pan with Shift + wheel or the buttons, and
// range labels (time_ranges) by dragging across the plots.

import { h } from "../dom.js";
import { clamp, colorOf, factsOf, getJSON, mediaSource, optionBar, round2, sizeCanvas, timed, trackDrag } from "./common.js";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];

export function createSeriesView({ field, value, meta, labels, get, set, readOnly = false, predicted = () => false }) {
  labels = labels.filter((l) => l.kind === "time_ranges");
  const byName = new Map(labels.map((l) => [l.name, l]));
  const source = mediaSource(value);
  const canvas = h("canvas", { class: "media-canvas series-canvas", tabindex: "0", "aria-label": `Time series ${field}: drag to label a range, wheel to zoom` });
  const bar = optionBar(labels);
  const info = h("span", { class: "muted small media-clock" });
  const btn = (text, fn) => h("button", { type: "button", class: "small", onclick: fn }, text);
  const list = h("div", { class: "regions" });
  const el = h("div", { class: "media-view series-view", "data-field": field },
    h("div", { class: "media-controls" }, btn("◀", () => pan(-0.25)), btn("▶", () => pan(0.25)), btn("Zoom out", () => zoom(2, 0.5)), btn("Whole series", () => load(0, total)), info),
    readOnly ? null : bar.el, canvas, list);
  const cw = 860;
  let dragging = null;  // the range being dragged, for redraw()
  let ch = 300;
  let ctx = sizeCanvas(canvas, cw, ch);
  let total = 0;
  let start = 0;
  let end = 0;
  let data = null;
  let seconds = 1; // seconds per sample (unit: seconds)
  let pending = 0;

  const x2i = (x) => start + (x / cw) * (end - start);
  const i2x = (i) => ((i - start) / Math.max(1, end - start)) * cw;
  const unitOf = (label) => label.unit ?? "seconds";
  const toIndex = (label, v) => (unitOf(label) === "samples" ? v : v / seconds);

  function ranges() {
    const out = [];
    for (const label of labels) (Array.isArray(get(label.name)) ? get(label.name) : []).forEach((r, index) => out.push({ labelName: label.name, index, r }));
    return out;
  }
  function render() {
    ctx.clearRect(0, 0, cw, ch);
    const channels = data?.channels ?? [];
    const rowH = ch / Math.max(1, channels.length);
    for (const { labelName, r } of ranges()) {
      const label = byName.get(labelName);
      const pre = predicted(labelName); // pre-labels: lighter, with a dashed outline
      ctx.fillStyle = `${colorOf(label, r.label)}${pre ? "40" : "88"}`;
      const x0 = i2x(toIndex(label, r.start));
      ctx.fillRect(x0, 0, Math.max(1, i2x(toIndex(label, r.end)) - x0), ch);
      if (pre) {
        ctx.strokeStyle = colorOf(label, r.label);
        ctx.setLineDash([6, 4]);
        ctx.strokeRect(x0, 1, Math.max(1, i2x(toIndex(label, r.end)) - x0), ch - 2);
        ctx.setLineDash([]);
      }
    }
    el.dataset.prelabels = labels.filter((l) => predicted(l.name)).map((l) => l.name).join(",");
    const drag = dragging?.current();
    if (drag?.moved) { ctx.fillStyle = "#4a90e255"; ctx.fillRect(Math.min(drag.x0, drag.x1), 0, Math.abs(drag.x1 - drag.x0), ch); }
    channels.forEach((c, k) => {
      const ys = c.y.filter((v) => v !== null);
      let lo = Math.min(...ys);
      let hi = Math.max(...ys);
      if (hi === lo) { hi += 1; lo -= 1; }
      const top = k * rowH + 4;
      const hgt = rowH - 8;
      ctx.strokeStyle = COLORS[k % COLORS.length];
      ctx.lineWidth = 1;
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < c.x.length; i++) {
        if (c.y[i] === null) { pen = false; continue; }
        const x = i2x(c.x[i]);
        const y = top + hgt - ((c.y[i] - lo) / (hi - lo)) * hgt;
        if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        pen = true;
      }
      ctx.stroke();
      ctx.fillStyle = "#333";
      ctx.fillText(c.name, 4, top + 10);
    });
    info.textContent = `samples ${Math.round(start)}–${Math.round(end)} of ${total}`;
  }
  const redraw = () => requestAnimationFrame(() => timed("series", render));

  async function load(a, b) {
    start = clamp(Math.floor(a), 0, Math.max(0, total - 2));
    end = clamp(Math.ceil(b), start + 2, total);
    const ticket = ++pending;
    redraw();
    const got = await getJSON(`${source.src("series")}?start=${start}&end=${end}&points=${cw * 2}`);
    if (ticket !== pending) return;
    data = got;
    if (ch !== Math.max(160, 120 * got.channels.length)) { ch = Math.max(160, 120 * got.channels.length); ctx = sizeCanvas(canvas, cw, ch); }
    timed("series", render);
    el.dataset.window = `${start}-${end}`;
  }
  function zoom(factor, at) {
    const mid = start + (end - start) * at;
    load(mid - (mid - start) * factor, mid + (end - mid) * factor);
  }
  function pan(fraction) { const d = (end - start) * fraction; load(start + d, end + d); }

  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    if (e.shiftKey) pan(e.deltaY > 0 ? 0.1 : -0.1);
    else zoom(e.deltaY > 0 ? 1.5 : 1 / 1.5, (e.clientX - canvas.getBoundingClientRect().left) / cw);
  }, { passive: false });
  dragging = trackDrag(canvas, cw, {
    canStart: (e) => !readOnly && e.button === 0,
    redraw: () => redraw(),
    onDrop: (d) => {
    if (!d.moved) return;
    const active = bar.active();
    const label = active.label;
    const [i0, i1] = [x2i(Math.min(d.x0, d.x1)), x2i(Math.max(d.x0, d.x1))];
    const range = unitOf(label) === "samples" ? { start: Math.round(i0), end: Math.round(i1) } : { start: round2(i0 * seconds), end: round2(i1 * seconds) };
    if (range.end <= range.start) return;
    set(label.name, [...(Array.isArray(get(label.name)) ? get(label.name) : []), { ...range, label: active.value }]);
    },
  });

  function renderList() {
    list.replaceChildren(...ranges().slice(0, 500).map(({ labelName, index, r }) => h("div", { class: "region-row", "data-key": `${labelName}#${index}` },
      h("button", { type: "button", class: "small", onclick: () => { const l = byName.get(labelName); const a = toIndex(l, r.start); const b = toIndex(l, r.end); const pad = (b - a) * 0.5; load(a - pad, b + pad); } }, `${r.start}–${r.end}`),
      h("span", { text: ` ${r.label} ` }),
      readOnly ? null : h("button", { type: "button", class: "small", onclick: () => { const l = [...get(labelName)]; l.splice(index, 1); set(labelName, l); } }, "Delete"))));
  }

  function handleKey(e) {
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") { pan(e.key === "ArrowLeft" ? -0.25 : 0.25); return true; }
    return !readOnly && bar.key(e.key);
  }

  (async () => {
    const t0 = performance.now();
    const facts = await factsOf(source, meta, field);
    total = facts.samples ?? 0;
    if (facts.duration && total > 1) seconds = facts.duration / (total - 1);
    if (!total) { const probe = await getJSON(`${source.src("series")}?points=10`); total = probe.samples; }
    await load(0, total);
    renderList();
    el.dataset.ready = "true";
    el.dataset.readyAt = String(Math.round(performance.now())); // ms since the page started loading
    el.dataset.loadMs = String(Math.round(performance.now() - t0));
  })();

  return { el, handleKey, refresh() { renderList(); redraw(); } };
}
