// Image annotation on one canvas: boxes (draw, move, resize, rotate), polygons and polylines (vertex
// editing), keypoints with the schema's skeleton, brush/eraser masks stored as RLE. Zoom (wheel), pan
// (right or middle drag, or Space + drag), fit (F). Objects can be hidden and locked from the list.
// Coordinates are full-resolution image pixels (media facts), whatever size the display image has.

import { h } from "../dom.js";
import { clamp, colorOf, copy, factsOf, mediaSource, optionBar, round2, sizeCanvas, timed, virtualList } from "./common.js";
import { decode, encode } from "./rle.js";

const HANDLE = 6; // screen pixels
const KINDS = new Set(["bbox", "polygon", "keypoints", "mask"]);

export function createImageView({ field, value, meta, labels, get, set, readOnly = false, predicted = () => false }) {
  labels = labels.filter((l) => KINDS.has(l.kind));
  const byName = new Map(labels.map((l) => [l.name, l]));
  const source = mediaSource(value);
  const canvas = h("canvas", { class: "media-canvas image-canvas", tabindex: "0", "aria-label": `Image ${field}: draw with the mouse` });
  const status = h("p", { class: "muted small media-status", "aria-live": "polite" });
  const list = virtualList({ label: "Objects", height: 220 });
  const count = h("span", { class: "muted small" });
  let selected = null; // {labelName, index}
  let started = false;
  const bar = optionBar(labels, (e) => {
    if (!started) return;
    if (selected && selected.labelName === e.label.name && !readOnly) relabel(e.value);
    hint();
  });
  started = true;
  const el = h("div", { class: "media-view image-view", "data-field": field },
    readOnly ? null : bar.el, canvas, status,
    h("div", { class: "object-list" }, h("h4", {}, "Objects ", count), list.el));
  const ctx = sizeCanvas(canvas, 860, 560);
  const cw = 860;
  const ch = 560;
  let W = 0;
  let H = 0;
  let img = null;
  const view = { s: 1, ox: 0, oy: 0 };
  const hidden = new Set();
  const locked = new Set();
  let drag = null;
  let poly = null; // {labelName, option, points}
  let kp = null; // {labelName, option, points: {}, next}
  let brush = 12;
  let erasing = false;
  let panKey = false;
  let dirty = true;
  let draft = null; // {labelName, list}: the list being edited during a drag
  const maskCache = new WeakMap(); // mask object -> {bits, canvas}

  // ---- data ------------------------------------------------------------------------------
  const keyOf = (o) => `${o.labelName}#${o.index}`;
  function listOf(name) {
    if (draft && draft.labelName === name) return draft.list;
    const given = get(name);
    return Array.isArray(given) ? given : [];
  }
  function objects() {
    const out = [];
    for (const label of labels) listOf(label.name).forEach((obj, index) => out.push({ labelName: label.name, kind: label.kind, index, obj }));
    return out;
  }
  function startDraft(name) { draft = { labelName: name, list: copy(listOf(name)) }; }
  function endDraft() { if (!draft) return; const d = draft; draft = null; set(d.labelName, d.list); }

  // ---- view --------------------------------------------------------------------------------
  const toScreen = (x, y) => [x * view.s + view.ox, y * view.s + view.oy];
  const toImage = (sx, sy) => [(sx - view.ox) / view.s, (sy - view.oy) / view.s];
  function fit() {
    if (!W || !H) return;
    view.s = Math.min(cw / W, ch / H);
    view.ox = (cw - W * view.s) / 2;
    view.oy = (ch - H * view.s) / 2;
    redraw();
  }
  function redraw() {
    if (dirty) return;
    dirty = true;
    requestAnimationFrame(() => timed("image", render));
  }

  // ---- drawing -------------------------------------------------------------------------------
  function boxCorners(b) {
    const r = ((b.rotation ?? 0) * Math.PI) / 180;
    const c = Math.cos(r);
    const s = Math.sin(r);
    return [[0, 0], [b.width, 0], [b.width, b.height], [0, b.height]].map(([u, v]) => [b.x + u * c - v * s, b.y + u * s + v * c]);
  }
  function maskLayer(obj) {
    let m = maskCache.get(obj);
    if (!m) {
      const [mh, mw] = obj.rle.size;
      const bits = decode(obj.rle);
      const layer = document.createElement("canvas");
      layer.width = mw;
      layer.height = mh;
      m = { bits, canvas: layer, color: null };
      maskCache.set(obj, m);
      paintLayer(m, obj, 0, 0, mw, mh);
    }
    return m;
  }
  function paintLayer(m, obj, x0, y0, x1, y1) {
    const label = byName.get(selectedLabelOf(obj));
    const hex = colorOf(label, obj.label);
    const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) || 0);
    const w = Math.max(1, x1 - x0);
    const hgt = Math.max(1, y1 - y0);
    const g = m.canvas.getContext("2d");
    const data = g.createImageData(w, hgt);
    const mw = m.canvas.width;
    for (let y = 0; y < hgt; y++) {
      for (let x = 0; x < w; x++) {
        if (m.bits[(y + y0) * mw + x + x0]) {
          const p = (y * w + x) * 4;
          data.data[p] = rgb[0]; data.data[p + 1] = rgb[1]; data.data[p + 2] = rgb[2]; data.data[p + 3] = 140;
        }
      }
    }
    g.putImageData(data, x0, y0);
  }
  function selectedLabelOf(obj) {
    for (const label of labels) if (listOf(label.name).includes(obj)) return label.name;
    return labels.find((l) => l.kind === "mask")?.name;
  }

  function render() {
    dirty = false;
    ctx.save();
    ctx.clearRect(0, 0, cw, ch);
    ctx.fillStyle = "#222";
    ctx.fillRect(0, 0, cw, ch);
    if (img) ctx.drawImage(img, view.ox, view.oy, W * view.s, H * view.s);
    ctx.lineWidth = 1.5;
    for (const o of objects()) {
      if (hidden.has(keyOf(o))) continue;
      const label = byName.get(o.labelName);
      const color = colorOf(label, o.obj.label);
      const isSel = selected && selected.labelName === o.labelName && selected.index === o.index;
      ctx.strokeStyle = color;
      ctx.lineWidth = isSel ? 3 : 1.5;
      ctx.setLineDash(predicted(o.labelName) ? [6, 4] : []); // pre-labels: dashed
      if (o.kind === "bbox") {
        const pts = boxCorners(o.obj).map(([x, y]) => toScreen(x, y));
        ctx.beginPath();
        pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
        ctx.closePath();
        ctx.stroke();
        if (isSel) handles(pts);
      } else if (o.kind === "polygon") {
        const pts = o.obj.points.map(([x, y]) => toScreen(x, y));
        ctx.beginPath();
        pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
        if (o.obj.closed !== false) ctx.closePath();
        ctx.stroke();
        if (isSel) handles(pts);
      } else if (o.kind === "keypoints") {
        drawSkeleton(label, o.obj.points, color, isSel);
      } else if (o.kind === "mask" && o.obj.rle) {
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(maskLayer(o.obj).canvas, view.ox, view.oy, W * view.s, H * view.s);
      }
    }
    ctx.setLineDash([]);
    el.dataset.prelabels = labels.filter((l) => predicted(l.name)).map((l) => l.name).join(",");
    if (poly) {
      ctx.strokeStyle = "#fff";
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      poly.points.map(([x, y]) => toScreen(x, y)).forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.stroke();
      ctx.setLineDash([]);
      handles(poly.points.map(([x, y]) => toScreen(x, y)));
    }
    if (kp) drawSkeleton(byName.get(kp.labelName), kp.points, "#fff", true);
    if (drag?.type === "new-box") {
      const [x0, y0] = toScreen(drag.box.x, drag.box.y);
      ctx.strokeStyle = "#fff";
      ctx.strokeRect(x0, y0, drag.box.width * view.s, drag.box.height * view.s);
    }
    ctx.restore();
    canvas.dataset.scale = String(view.s);
    canvas.dataset.ox = String(view.ox);
    canvas.dataset.oy = String(view.oy);
  }
  function handles(pts) {
    ctx.fillStyle = "#fff";
    for (const [x, y] of pts) ctx.fillRect(x - HANDLE / 2, y - HANDLE / 2, HANDLE, HANDLE);
  }
  function drawSkeleton(label, points, color, withHandles) {
    ctx.strokeStyle = color;
    for (const [a, b] of label.skeleton ?? []) {
      if (!points[a] || !points[b]) continue;
      const [x0, y0] = toScreen(...points[a]);
      const [x1, y1] = toScreen(...points[b]);
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    }
    ctx.fillStyle = color;
    for (const p of Object.values(points)) {
      if (!p) continue;
      const [x, y] = toScreen(...p);
      ctx.beginPath(); ctx.arc(x, y, withHandles ? 5 : 3.5, 0, 2 * Math.PI); ctx.fill();
    }
  }

  // ---- hit testing -------------------------------------------------------------------------
  function local(b, x, y) {
    const r = (-(b.rotation ?? 0) * Math.PI) / 180;
    const dx = x - b.x;
    const dy = y - b.y;
    return [dx * Math.cos(r) - dy * Math.sin(r), dx * Math.sin(r) + dy * Math.cos(r)];
  }
  function insidePoly(pts, x, y) {
    let inside = false;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i];
      const [xj, yj] = pts[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function handleAt(sx, sy) {
    if (!selected) return null;
    const obj = listOf(selected.labelName)[selected.index];
    const kind = byName.get(selected.labelName)?.kind;
    if (!obj || locked.has(keyOf(selected))) return null;
    const near = ([x, y]) => { const [px, py] = toScreen(x, y); return Math.abs(px - sx) <= HANDLE && Math.abs(py - sy) <= HANDLE; };
    if (kind === "bbox") { const i = boxCorners(obj).findIndex(near); return i >= 0 ? { corner: i } : null; }
    if (kind === "polygon") { const i = obj.points.findIndex(near); return i >= 0 ? { vertex: i } : null; }
    if (kind === "keypoints") { const name = Object.keys(obj.points).find((n) => obj.points[n] && near(obj.points[n])); return name ? { point: name } : null; }
    return null;
  }
  function objectAt(x, y) {
    const all = objects();
    const tol = 6 / view.s;
    for (let i = all.length - 1; i >= 0; i--) {
      const o = all[i];
      if (hidden.has(keyOf(o)) || o.kind === "mask") continue;
      if (o.kind === "bbox") { const [u, v] = local(o.obj, x, y); if (u >= 0 && v >= 0 && u <= o.obj.width && v <= o.obj.height) return o; }
      if (o.kind === "polygon" && (insidePoly(o.obj.points, x, y) || o.obj.points.some(([px, py]) => Math.hypot(px - x, py - y) < tol))) return o;
      if (o.kind === "keypoints" && Object.values(o.obj.points).some((p) => p && Math.hypot(p[0] - x, p[1] - y) < tol)) return o;
    }
    return null;
  }

  // ---- editing -------------------------------------------------------------------------------
  const cx = (x) => round2(clamp(x, 0, W));
  const cy = (y) => round2(clamp(y, 0, H));
  function select(o) { selected = o ? { labelName: o.labelName, index: o.index } : null; renderList(); redraw(); hint(); }
  function relabel(option) {
    const list = copy(listOf(selected.labelName));
    list[selected.index].label = option;
    set(selected.labelName, list);
  }
  function removeSelected() {
    if (!selected || locked.has(keyOf(selected))) return false;
    const list = copy(listOf(selected.labelName));
    list.splice(selected.index, 1);
    set(selected.labelName, list);
    selected = null;
    return true;
  }
  function rotateSelected(deg) {
    if (!selected || byName.get(selected.labelName).kind !== "bbox" || locked.has(keyOf(selected))) return false;
    const list = copy(listOf(selected.labelName));
    const b = list[selected.index];
    b.rotation = round2(((b.rotation ?? 0) + deg + 360) % 360);
    if (!b.rotation) delete b.rotation;
    set(selected.labelName, list);
    return true;
  }
  function finishPolygon() {
    if (!poly) return false;
    const label = byName.get(poly.labelName);
    const closed = label.closed !== false && !poly.open;
    if (poly.points.length >= (closed ? 3 : 2)) {
      const obj = { points: poly.points, label: poly.option };
      if (!closed) obj.closed = false;
      set(poly.labelName, [...listOf(poly.labelName), obj]);
    }
    poly = null;
    redraw();
    return true;
  }
  function finishKeypoints() {
    if (!kp) return false;
    if (Object.values(kp.points).some(Boolean)) {
      const names = byName.get(kp.labelName).keypoints ?? [];
      const points = Object.fromEntries(names.map((n) => [n, kp.points[n] ?? null]));
      set(kp.labelName, [...listOf(kp.labelName), { label: kp.option, points }]);
    }
    kp = null;
    redraw();
    return true;
  }
  function paint(x, y) {
    const { list, obj, m } = drag;
    const r = brush / 2;
    const x0 = Math.max(0, Math.floor(x - r));
    const x1 = Math.min(W, Math.ceil(x + r));
    const y0 = Math.max(0, Math.floor(y - r));
    const y1 = Math.min(H, Math.ceil(y + r));
    for (let py = y0; py < y1; py++) {
      for (let px = x0; px < x1; px++) {
        if ((px + 0.5 - x) ** 2 + (py + 0.5 - y) ** 2 <= r * r) m.bits[py * W + px] = erasing ? 0 : 1;
      }
    }
    m.canvas.getContext("2d").clearRect(x0, y0, x1 - x0, y1 - y0);
    paintLayer(m, obj, x0, y0, x1, y1);
    drag.touched = true;
    void list;
    redraw();
  }

  function onDown(e) {
    canvas.focus();
    const rect = canvas.getBoundingClientRect();
    const sx = e.clientX - rect.left;
    const sy = e.clientY - rect.top;
    const [x, y] = toImage(sx, sy);
    if (e.button === 1 || e.button === 2 || panKey) { drag = { type: "pan", sx, sy, ox: view.ox, oy: view.oy }; return; }
    if (readOnly || e.button !== 0) return;
    const active = bar.active();
    const kind = active?.label.kind;
    if (kind === "mask") {
      let list = copy(listOf(active.label.name));
      let obj = list.find((o) => o.label === active.value);
      if (!obj) { obj = { label: active.value, rle: encode(new Uint8Array(W * H), H, W) }; list = [...list, obj]; }
      draft = { labelName: active.label.name, list };
      drag = { type: "paint", list, obj, m: maskLayer(obj) };
      paint(x, y);
      return;
    }
    if (poly) { poly.points.push([cx(x), cy(y)]); redraw(); return; }
    if (kp) {
      const names = byName.get(kp.labelName).keypoints ?? [];
      kp.points[names[kp.next]] = [cx(x), cy(y)];
      kp.next++;
      if (kp.next >= names.length) finishKeypoints();
      redraw();
      hint();
      return;
    }
    const handle = handleAt(sx, sy);
    if (handle) { startDraft(selected.labelName); drag = { type: "handle", handle, start: [x, y], orig: copy(draft.list[selected.index]) }; return; }
    const hit = objectAt(x, y);
    if (hit && !(e.shiftKey && kind === "bbox")) {
      select(hit);
      if (!locked.has(keyOf(hit))) { startDraft(hit.labelName); drag = { type: "move", start: [x, y], orig: copy(draft.list[hit.index]) }; }
      return;
    }
    select(null);
    if (kind === "bbox") drag = { type: "new-box", start: [cx(x), cy(y)], box: { x: cx(x), y: cy(y), width: 0, height: 0 } };
    else if (kind === "polygon") { poly = { labelName: active.label.name, option: active.value, points: [[cx(x), cy(y)]], open: e.altKey }; redraw(); }
    else if (kind === "keypoints") {
      kp = { labelName: active.label.name, option: active.value, points: {}, next: 0 };
      onDown(e);
    }
  }
  function onMove(e) {
    if (!drag) return;
    const rect = canvas.getBoundingClientRect();
    const sx = e.clientX - rect.left;
    const sy = e.clientY - rect.top;
    const [x, y] = toImage(sx, sy);
    if (drag.type === "pan") { view.ox = drag.ox + sx - drag.sx; view.oy = drag.oy + sy - drag.sy; redraw(); return; }
    if (drag.type === "paint") { paint(x, y); return; }
    if (drag.type === "new-box") {
      const [x0, y0] = drag.start;
      drag.box = { x: Math.min(x0, cx(x)), y: Math.min(y0, cy(y)), width: round2(Math.abs(cx(x) - x0)), height: round2(Math.abs(cy(y) - y0)) };
      redraw();
      return;
    }
    const obj = draft.list[selected.index];
    const [dx, dy] = [x - drag.start[0], y - drag.start[1]];
    const o = drag.orig;
    if (drag.type === "move") {
      if (o.points && Array.isArray(o.points)) obj.points = o.points.map(([px, py]) => [cx(px + dx), cy(py + dy)]);
      else if (o.points) obj.points = Object.fromEntries(Object.entries(o.points).map(([n, p]) => [n, p && [cx(p[0] + dx), cy(p[1] + dy)]]));
      else { obj.x = round2(clamp(o.x + dx, 0, W - o.width)); obj.y = round2(clamp(o.y + dy, 0, H - o.height)); }
    } else if (drag.handle.vertex !== undefined) obj.points[drag.handle.vertex] = [cx(x), cy(y)];
    else if (drag.handle.point !== undefined) obj.points[drag.handle.point] = [cx(x), cy(y)];
    else if (drag.handle.corner !== undefined) {
      if (o.rotation) { const [u, v] = local(o, x, y); obj.width = round2(Math.max(1, u)); obj.height = round2(Math.max(1, v)); }
      else {
        const corners = [[o.x, o.y], [o.x + o.width, o.y], [o.x + o.width, o.y + o.height], [o.x, o.y + o.height]];
        const [fx, fy] = corners[(drag.handle.corner + 2) % 4];
        const [nx, ny] = [cx(x), cy(y)];
        Object.assign(obj, { x: Math.min(fx, nx), y: Math.min(fy, ny), width: round2(Math.max(1, Math.abs(nx - fx))), height: round2(Math.max(1, Math.abs(ny - fy))) });
      }
    }
    redraw();
  }
  function onUp() {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (d.type === "new-box") {
      const active = bar.active();
      if (d.box.width >= 2 / view.s && d.box.height >= 2 / view.s) {
        const list = [...listOf(active.label.name), { ...d.box, label: active.value }];
        set(active.label.name, list);
        select({ labelName: active.label.name, index: list.length - 1 });
      }
      redraw();
    } else if (d.type === "paint") {
      d.obj.rle = encode(d.m.bits, H, W);
      maskCache.set(d.obj, d.m);
      endDraft();
    } else if (d.type !== "pan") endDraft();
  }

  canvas.addEventListener("mousedown", onDown);
  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);
  canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  canvas.addEventListener("dblclick", () => { finishPolygon(); });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    const sx = e.clientX - rect.left;
    const sy = e.clientY - rect.top;
    const [x, y] = toImage(sx, sy);
    view.s = clamp(view.s * Math.exp(-e.deltaY * 0.0015), 0.01, 64);
    view.ox = sx - x * view.s;
    view.oy = sy - y * view.s;
    redraw();
  }, { passive: false });
  canvas.addEventListener("keydown", (e) => {
    if (e.key === " ") { panKey = true; e.preventDefault(); }
    // Enter ends a polygon or keypoints here, before the page takes it as "submit"
    if (e.key === "Enter" && (poly || kp)) { e.preventDefault(); if (poly) finishPolygon(); else finishKeypoints(); }
  });
  canvas.addEventListener("keyup", (e) => { if (e.key === " ") panKey = false; });

  // ---- object list ---------------------------------------------------------------------------
  function renderList() {
    const all = objects();
    count.textContent = `(${all.length})`;
    list.set(all.length, (i) => {
      const o = all[i];
      const k = keyOf(o);
      const isSel = selected && keyOf(selected) === k;
      const row = h("div", { class: `object-row${isSel ? " selected" : ""}`, "data-key": k },
        h("button", { type: "button", class: "small", "aria-pressed": String(hidden.has(k)), title: "hide",
          onclick: () => { hidden.has(k) ? hidden.delete(k) : hidden.add(k); renderList(); redraw(); } }, hidden.has(k) ? "show" : "hide"),
        h("button", { type: "button", class: "small", "aria-pressed": String(locked.has(k)), title: "lock",
          onclick: () => { locked.has(k) ? locked.delete(k) : locked.add(k); renderList(); } }, locked.has(k) ? "unlock" : "lock"),
        h("span", { class: "object-name", text: ` ${o.obj.label ?? ""} · ${o.kind} ${o.index + 1}${predicted(o.labelName) ? " (pre-label)" : ""}` }));
      row.addEventListener("click", (ev) => { if (ev.target.tagName !== "BUTTON") select(o); });
      return row;
    });
  }
  function hint() {
    const a = bar.active();
    const tips = { bbox: "drag to draw a box; drag a box to move it, its corners to resize; R / Shift+R rotate",
      polygon: "click to add points, double-click or Enter to finish (Alt+click starts a polyline); drag a vertex to move it",
      keypoints: `click to place ${(a?.label.keypoints ?? []).join(", ")}; Enter ends early`,
      mask: `paint with the mouse (brush ${brush}px, [ and ]); E toggles the eraser${erasing ? " (erasing)" : ""}` };
    status.textContent = `${kp ? `Next point: ${(byName.get(kp.labelName).keypoints ?? [])[kp.next]}. ` : ""}${tips[a?.label.kind] ?? ""}. Wheel zooms, right-drag pans, F fits; Del deletes.`;
  }

  function handleKey(e) {
    if (readOnly) return false;
    const k = e.key;
    if (k === "Enter" && (poly || kp)) return poly ? finishPolygon() : finishKeypoints();
    if (k === "Escape" && (poly || kp || selected)) { poly = kp = null; select(null); return true; }
    if ((k === "Delete" || k === "Backspace") && selected) return removeSelected();
    if (k === "f" || k === "F") { fit(); return true; }
    if (k === "r" || k === "R") return rotateSelected(e.shiftKey ? -5 : 5);
    if (k === "e" || k === "E") { erasing = !erasing; hint(); return true; }
    if (k === "[" || k === "]") { brush = clamp(brush + (k === "]" ? 2 : -2), 1, 200); hint(); return true; }
    if (bar.key(k)) return true;
    return false;
  }

  (async () => {
    const facts = await factsOf(source, meta, field);
    const image = new Image();
    image.decoding = "async";
    image.src = source.key ? source.src("display") : source.src();
    await image.decode().catch(() => null);
    img = image.naturalWidth ? image : null;
    W = facts.width ?? image.naturalWidth ?? 0;
    H = facts.height ?? image.naturalHeight ?? 0;
    fit();
    dirty = false;
    timed("image", render);
    renderList();
    hint();
    canvas.dataset.ready = "true";
    el.dataset.ready = "true";
    el.dataset.readyAt = String(Math.round(performance.now())); // ms since the page started loading
  })();

  return {
    el, handleKey,
    refresh() { if (!drag) draft = null; renderList(); redraw(); },
    view: () => ({ ...view, width: W, height: H }),
  };
}
