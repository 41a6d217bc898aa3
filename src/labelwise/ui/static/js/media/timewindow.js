// The visible window of a timeline (the waveform): zoom in and out around a point, pan, fit, with a
// zoom control (−, +, Fit and a scroll bar). Times are seconds; x is CSS pixels across `width`.

import { h } from "../dom.js";
import { clamp } from "./common.js";

const STEP = 2; // zoom factor of a button press or a key

/** onChange() runs after every change of the window (the caller redraws and fetches detail). */
export function createTimeWindow({ width, minSpan = 0.05, onChange = () => {} }) {
  let duration = 0;
  let start = 0;
  let span = 0;
  const zoomOut = h("button", { type: "button", class: "small", title: "Zoom out (-)", "aria-label": "Zoom out" }, "−");
  const zoomIn = h("button", { type: "button", class: "small", title: "Zoom in (+)", "aria-label": "Zoom in" }, "+");
  const fitBtn = h("button", { type: "button", class: "small", title: "Show the whole timeline (0)" }, "Fit");
  const scroll = h("input", { type: "range", class: "time-scroll", min: "0", max: "1000", value: "0", "aria-label": "Scroll the waveform" });
  const level = h("span", { class: "muted small time-zoom", "aria-live": "polite", text: "1×" });
  const el = h("span", { class: "time-window", role: "group", "aria-label": "Waveform zoom" }, zoomOut, zoomIn, fitBtn, level, scroll);
  zoomOut.addEventListener("click", () => zoomAt(1 / STEP, width / 2));
  zoomIn.addEventListener("click", () => zoomAt(STEP, width / 2));
  fitBtn.addEventListener("click", () => fit());
  scroll.addEventListener("input", () => apply((Number(scroll.value) / 1000) * (duration - span), span));

  function apply(s, sp) {
    span = clamp(sp, Math.min(minSpan, duration), duration);
    start = clamp(s, 0, Math.max(0, duration - span));
    const zoom = span ? duration / span : 1;
    level.textContent = `${zoom < 10 ? zoom.toFixed(1) : Math.round(zoom)}×`;
    scroll.disabled = span >= duration;
    scroll.value = String(duration > span ? Math.round((start / (duration - span)) * 1000) : 0);
    onChange();
  }
  const x2t = (x) => clamp(start + (x / width) * span, 0, duration);
  const t2x = (t) => (span ? ((t - start) / span) * width : 0);
  /** Zoom by `factor` (> 1 zooms in) keeping the time under x in place. */
  function zoomAt(factor, x) {
    const t = x2t(x);
    const next = clamp(span / factor, Math.min(minSpan, duration), duration);
    apply(t - (x / width) * next, next);
  }
  function fit() { apply(0, duration); }

  return {
    el, x2t, t2x, zoomAt, fit,
    get start() { return start; },
    get end() { return start + span; },
    get span() { return span; },
    get zoom() { return span ? duration / span : 1; },
    /** A new duration shows all of it. */
    setDuration(d) { duration = Math.max(0, d); apply(0, duration); },
    panBy(px) { apply(start + (px / width) * span, span); },
    /** Keep time t in view (while playing): page forward or back when it leaves. */
    follow(t) { if (t < start || t > start + span) apply(t, span); },
    /** +, - and 0 zoom in, out and fit around `x`; true when the key was used. */
    key(k, x = width / 2) {
      if (k === "+" || k === "=") { zoomAt(STEP, x); return true; }
      if (k === "-" || k === "_") { zoomAt(1 / STEP, x); return true; }
      if (k === "0") { fit(); return true; }
      return false;
    },
    /** Ctrl/Alt/Meta + wheel zooms at the mouse; Shift + wheel or a sideways wheel pans. */
    wheel(e, x) {
      if (e.ctrlKey || e.altKey || e.metaKey) { zoomAt(Math.exp(-e.deltaY * 0.002), x); return true; }
      const dx = e.shiftKey ? e.deltaY || e.deltaX : e.deltaX;
      if (dx && span < duration) { this.panBy(dx); return true; }
      return false;
    },
  };
}
