// Shared by the media views: URLs of a project's media, the option bar, colours, canvas sizing,
// and a virtual list (only the visible rows exist, so 2,000 objects cost what 20 do).

import { h } from "../dom.js";
import { optionColor } from "../spans.js";

export const PREFIX = "media:";

/** The project in the page's path (/projects/{ref}/...). */
export function projectRef() {
  return document.getElementById("main")?.dataset.project ?? decodeURIComponent(location.pathname.split("/")[2] ?? "");
}

/** {key, src(suffix)} for a data value: "media:<key>" is served by the app; anything else is a URL. */
export function mediaSource(value) {
  if (typeof value === "string" && value.startsWith(PREFIX)) {
    const key = value.slice(PREFIX.length);
    const base = `/api/v1/projects/${encodeURIComponent(projectRef())}/media/${key}`;
    return { key, src: (suffix = "") => (suffix ? `${base}/${suffix}` : base) };
  }
  return { key: null, src: () => String(value ?? "") };
}

export async function getJSON(url) {
  const r = await fetch(url, { credentials: "same-origin" });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

/** Facts for a field: the item's meta.media, else the server's info for a media key. */
export async function factsOf(source, meta, field) {
  const known = meta?.media?.[field];
  if (known && Object.keys(known).length) return known;
  if (!source.key) return {};
  try { return (await getJSON(source.src("info"))).facts ?? {}; } catch { return {}; }
}

export function colorOf(label, value) {
  const opts = label?.options ?? [];
  const i = opts.findIndex((o) => o.value === value);
  return optionColor(opts[i], Math.max(i, 0));
}

/** A row of option buttons for the labels drawn in a view; keys 1..9 pick. Returns {el, active()}. */
export function optionBar(labels, onPick = () => {}) {
  const entries = labels.flatMap((label) => (label.options ?? []).map((o) => ({ label, value: o.value })));
  let chosen = entries[0] ?? null;
  const buttons = entries.map((e, i) => {
    const b = h("button", { type: "button", class: "span-option media-option", "data-label": e.label.name,
      "data-option": e.value, title: e.label.name },
    h("span", { class: "swatch", "aria-hidden": "true" }), e.value, i < 9 ? h("kbd", { text: String(i + 1) }) : null);
    b.querySelector(".swatch").style.backgroundColor = colorOf(e.label, e.value);
    b.addEventListener("click", () => pick(e));
    return b;
  });
  function pick(e) {
    chosen = e;
    buttons.forEach((b, i) => b.setAttribute("aria-pressed", String(entries[i] === e)));
    onPick(e);
  }
  if (chosen) pick(chosen);
  return {
    el: h("div", { class: "span-legend media-options", role: "group", "aria-label": "Label to draw" }, buttons),
    active: () => chosen,
    choose: (labelName, value) => { const e = entries.find((x) => x.label.name === labelName && (value === undefined || x.value === value)); if (e) pick(e); return e; },
    key(key) { const e = /^[1-9]$/.test(key) ? entries[Number(key) - 1] : null; if (e) pick(e); return Boolean(e); },
  };
}

/**
 * Fit a video of ``width`` x ``height`` pixels into the 860 x 484 stage: sizes the canvas drawn over it,
 * the video element and the stage; returns {s (display pixels per video pixel), cw, ch, ctx}.
 */
export function fitVideoStage({ video, canvas, stage }, width, height) {
  const s = Math.min(860 / width, 484 / height);
  const cw = Math.round(width * s);
  const ch = Math.round(height * s);
  const ctx = sizeCanvas(canvas, cw, ch);
  video.style.width = `${cw}px`;
  video.style.height = `${ch}px`;
  stage.style.width = `${cw}px`;
  return { s, cw, ch, ctx };
}

/** Size a canvas for the device pixel ratio; returns its 2D context scaled to CSS pixels. */
export function sizeCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/** A scrolling list that builds only the rows in view. renderRow(i) -> Element. */
export function virtualList({ rowHeight = 28, height = 240, label = "Objects" } = {}) {
  const inner = h("div", { class: "vlist-inner" });
  const el = h("div", { class: "vlist", role: "list", "aria-label": label }, inner);
  el.style.height = `${height}px`;
  let count = 0;
  let renderRow = () => h("div");
  function draw() {
    inner.style.height = `${count * rowHeight}px`;
    const first = Math.max(0, Math.floor(el.scrollTop / rowHeight) - 5);
    const last = Math.min(count, first + Math.ceil(height / rowHeight) + 10);
    const rows = [];
    for (let i = first; i < last; i++) {
      const row = renderRow(i);
      row.classList.add("vlist-row");
      row.setAttribute("role", "listitem");
      row.style.top = `${i * rowHeight}px`;
      row.style.height = `${rowHeight}px`;
      rows.push(row);
    }
    inner.replaceChildren(...rows);
  }
  el.addEventListener("scroll", () => requestAnimationFrame(draw));
  return { el, set(n, fn) { count = n; renderRow = fn; draw(); }, scrollTo(i) { el.scrollTop = Math.max(0, i * rowHeight - height / 2); draw(); } };
}

export const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
export const round2 = (v) => Math.round(v * 100) / 100;
export const copy = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** Timing of renders, for the browser tests' measurements (window.lwMediaStats). */
export function timed(name, fn) {
  const t0 = performance.now();
  fn();
  const stats = (window.lwMediaStats ??= {});
  (stats[name] ??= []).push(performance.now() - t0);
  if (stats[name].length > 2000) stats[name].shift();
}

/**
 * A horizontal drag across a canvas of `width` CSS pixels (marking a range on a waveform or a plot).
 * `current()` is the drag in progress ({x0, x1, moved}) for drawing; `onDrop(drag)` gets it when the
 * mouse is released (`moved` is false for a click). `canStart(event)` may refuse a drag.
 */
export function trackDrag(canvas, width, { canStart = () => true, redraw, onDrop }) {
  let drag = null;
  canvas.addEventListener("mousedown", (e) => {
    if (!canStart(e)) return;
    const x = e.clientX - canvas.getBoundingClientRect().left;
    drag = { x0: x, x1: x, moved: false };
  });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    drag.x1 = clamp(e.clientX - canvas.getBoundingClientRect().left, 0, width);
    drag.moved ||= Math.abs(drag.x1 - drag.x0) > 3;
    redraw();
  });
  window.addEventListener("mouseup", () => {
    if (!drag) return;
    const done = drag;
    drag = null;
    onDrop(done);
  });
  return { current: () => drag };
}
