// Small accessible charts as inline SVG, built with DOM APIs only: every chart has a <title> and a
// description, and a data table next to it (inside <details>) for screen readers and exact numbers.
import { h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";
let serial = 0;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const fmt = (v) => (v === null || v === undefined ? "–" : typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v));

/** A data table: ``columns`` names, ``rows`` arrays of cells. */
export function table(caption, columns, rows) {
  return h("table", { class: "data" }, h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((cell, i) => (i === 0 ? h("th", { scope: "row", text: fmt(cell) }) : h("td", { text: fmt(cell) })))))));
}

function frame(title, description, width, height) {
  const id = `chart-${++serial}`;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, class: "chart" },
    s("title", { id: `${id}-t` }, title), s("desc", { id: `${id}-d` }, description));
  return svg;
}

/** Horizontal bars: ``data`` is [[label, value]], values in [min, max]. */
export function barChart(title, data, { min = 0, max = 1, unit = "" } = {}) {
  const rowH = 22, left = 150, width = 520, height = data.length * rowH + 24;
  const svg = frame(title, `${data.length} bars; the table below lists the values.`, width, height);
  const x = (v) => left + ((Math.max(min, Math.min(max, v)) - min) / (max - min || 1)) * (width - left - 60);
  data.forEach(([label, value], i) => {
    const y = 8 + i * rowH;
    svg.append(s("text", { x: left - 6, y: y + 14, "text-anchor": "end", class: "axis" }, String(label).slice(0, 24)));
    if (value !== null && value !== undefined) {
      svg.append(s("rect", { x: Math.min(x(0), x(value)), y, width: Math.abs(x(value) - x(Math.max(min, 0))) || 1, height: rowH - 6, class: "bar" },
        s("title", {}, `${label}: ${fmt(value)}${unit}`)));
    }
    svg.append(s("text", { x: x(value ?? min) + 4, y: y + 14, class: "value" }, fmt(value) + unit));
  });
  return h("figure", {}, svg, h("details", {}, h("summary", { text: "Table" }), table(title, ["", "value"], data)));
}

/** Lines over periods: ``periods`` labels, ``series`` {name: [values|null]}. */
export function lineChart(title, periods, series, { min = null, max = null } = {}) {
  const width = 560, height = 220, left = 44, bottom = 30, top = 10, right = 110;
  const all = Object.values(series).flat().filter((v) => v !== null && v !== undefined);
  const lo = min ?? Math.min(0, ...all), hi = max ?? Math.max(1, ...all);
  const svg = frame(title, `${Object.keys(series).length} series over ${periods.length} periods; the table below lists the values.`, width, height);
  const x = (i) => left + (periods.length < 2 ? 0 : (i / (periods.length - 1)) * (width - left - right));
  const y = (v) => top + (1 - (v - lo) / (hi - lo || 1)) * (height - top - bottom);
  svg.append(s("line", { x1: left, x2: width - right, y1: y(lo), y2: y(lo), class: "axis-line" }));
  svg.append(s("text", { x: left - 4, y: y(hi) + 4, "text-anchor": "end", class: "axis" }, fmt(hi)));
  svg.append(s("text", { x: left - 4, y: y(lo), "text-anchor": "end", class: "axis" }, fmt(lo)));
  periods.forEach((p, i) => { if (i === 0 || i === periods.length - 1) svg.append(s("text", { x: x(i), y: height - 8, "text-anchor": "middle", class: "axis" }, String(p).slice(0, 10))); });
  Object.entries(series).forEach(([name, values], k) => {
    const pts = values.map((v, i) => (v === null || v === undefined ? null : [x(i), y(v)])).filter(Boolean);
    const cls = `series series-${k % 6}`;
    if (pts.length > 1) svg.append(s("polyline", { points: pts.map((p) => p.join(",")).join(" "), class: cls, fill: "none" }));
    pts.forEach(([px, py]) => svg.append(s("circle", { cx: px, cy: py, r: 3, class: cls }, s("title", {}, name))));
    svg.append(s("text", { x: width - right + 6, y: top + 12 + k * 14, class: `legend ${cls}` }, String(name).slice(0, 16)));
  });
  const rows = periods.map((p, i) => [p, ...Object.values(series).map((v) => v[i])]);
  return h("figure", {}, svg, h("details", {}, h("summary", { text: "Table" }), table(title, ["period", ...Object.keys(series)], rows)));
}
