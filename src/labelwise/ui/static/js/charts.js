// Small SVG charts drawn by hand: horizontal bars (counts by state, per annotator) and a line
// (work per day). Every chart has a title and a text table equivalent for screen readers.

import { h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = String(text);
  return el;
}

function frame(title, width, height) {
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": title });
  root.append(svg("title", {}, title));
  return root;
}

function table(title, rows) {
  return h("table", { class: "visually-hidden sr-only" }, h("caption", { text: title }),
    h("tbody", {}, rows.map(([k, v]) => h("tr", {}, h("th", { text: k }), h("td", { text: v })))));
}

/** rows: [[name, value]]; one bar each, the value written at its end. */
export function barChart(title, rows, { width = 420 } = {}) {
  const bar = 18;
  const gap = 6;
  const left = 130;
  const height = Math.max(1, rows.length) * (bar + gap) + 10;
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const root = frame(title, width, height);
  rows.forEach(([name, value], i) => {
    const y = 5 + i * (bar + gap);
    const w = ((width - left - 50) * value) / max;
    root.append(svg("text", { x: left - 6, y: y + bar * 0.72, "text-anchor": "end" }, String(name).slice(0, 22)),
      svg("rect", { class: "bar", x: left, y, width: Math.max(w, value ? 2 : 0), height: bar, rx: 2 }),
      svg("text", { x: left + w + 5, y: y + bar * 0.72 }, value));
  });
  return h("figure", { class: "chart-box" }, h("figcaption", { text: title }), root, table(title, rows));
}

/** points: [[label, value]] in order; a line with dots and the first/last labels on the axis. */
export function lineChart(title, points, { width = 420, height = 160 } = {}) {
  const pad = { l: 36, r: 12, t: 10, b: 26 };
  const root = frame(title, width, height);
  const max = Math.max(1, ...points.map(([, v]) => v));
  const x = (i) => pad.l + (points.length < 2 ? (width - pad.l - pad.r) / 2 : (i * (width - pad.l - pad.r)) / (points.length - 1));
  const y = (v) => height - pad.b - (v * (height - pad.t - pad.b)) / max;
  root.append(svg("line", { class: "axis", x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b }),
    svg("line", { class: "axis", x1: pad.l, y1: pad.t, x2: pad.l, y2: height - pad.b }),
    svg("text", { x: pad.l - 4, y: pad.t + 8, "text-anchor": "end" }, max),
    svg("text", { x: pad.l - 4, y: height - pad.b, "text-anchor": "end" }, 0));
  if (points.length) {
    root.append(svg("polyline", { class: "line", points: points.map(([, v], i) => `${x(i)},${y(v)}`).join(" ") }));
    points.forEach(([label, v], i) => root.append(svg("circle", { cx: x(i), cy: y(v), r: 3, class: "bar" }, undefined),
      svg("title", {}, `${label}: ${v}`)));
    root.append(svg("text", { x: x(0), y: height - 8, "text-anchor": "start" }, points[0][0]));
    if (points.length > 1) root.append(svg("text", { x: x(points.length - 1), y: height - 8, "text-anchor": "end" }, points[points.length - 1][0]));
  }
  return h("figure", { class: "chart-box" }, h("figcaption", { text: title }), root, table(title, points));
}
