// Mouse and keyboard in the image editor: draw, select, move, resize, paint, pan and zoom, insert a
// vertex on an edge (click) and delete one (Alt+click, or Delete on the selected vertex); the editor's
// keys (Enter, Escape, Delete, F, R, E, [ ]). `v` is the editor's state (see image.js).

import { clamp, copy, round2 } from "./common.js";
import { local } from "./image_geom.js";
import { encode } from "./rle.js";

export function attachInput(v, edit, renderer) {
  const { canvas, byName, bar, readOnly, set } = v;
  const { cx, cy } = edit;

  function startDraft(name) { v.draft = { labelName: name, list: copy(v.listOf(name)) }; }
  function endDraft() { // a click that changed nothing is no change (and no undo step)
    if (!v.draft) return;
    const d = v.draft;
    v.draft = null;
    if (JSON.stringify(d.list) !== JSON.stringify(v.listOf(d.labelName))) set(d.labelName, d.list);
  }
  function point(e) {
    const rect = canvas.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  }

  function onDown(e) {
    canvas.focus();
    const [sx, sy] = point(e);
    const [x, y] = v.toImage(sx, sy);
    const { view } = v;
    if (e.button === 1 || e.button === 2 || v.panKey) { v.drag = { type: "pan", sx, sy, ox: view.ox, oy: view.oy }; return; }
    if (readOnly || e.button !== 0) return;
    const active = bar.active();
    const kind = active?.label.kind;
    if (kind === "mask") {
      let list = copy(v.listOf(active.label.name));
      let obj = list.find((o) => o.label === active.value);
      if (!obj) { obj = { label: active.value, rle: encode(new Uint8Array(v.W * v.H), v.H, v.W) }; list = [...list, obj]; }
      v.draft = { labelName: active.label.name, list };
      v.drag = { type: "paint", list, obj, m: renderer.maskLayer(obj) };
      edit.paint(x, y);
      return;
    }
    if (v.poly) { v.poly.points.push([cx(x), cy(y)]); v.redraw(); return; }
    if (v.kp) {
      const { kp } = v;
      const names = byName.get(kp.labelName).keypoints ?? [];
      kp.points[names[kp.next]] = [cx(x), cy(y)];
      kp.next++;
      if (kp.next >= names.length) edit.finishKeypoints();
      v.redraw();
      v.hint();
      return;
    }
    const handle = edit.handleAt(sx, sy);
    if (handle?.vertex !== undefined && e.altKey) { edit.removeVertex(handle.vertex); return; }
    if (handle?.vertex !== undefined) { v.vertex = handle.vertex; v.redraw(); }
    const edge = handle ? null : edit.edgeAt(x, y);
    if (edge) { // a new vertex on the edge, dragged until the mouse is released; one undo step
      startDraft(v.selected.labelName);
      const obj = v.draft.list[v.selected.index];
      obj.points.splice(edge.index, 0, [cx(edge.point[0]), cy(edge.point[1])]);
      v.vertex = edge.index;
      v.drag = { type: "handle", handle: { vertex: edge.index }, start: [x, y], orig: copy(obj) };
      v.redraw();
      return;
    }
    if (handle) { startDraft(v.selected.labelName); v.drag = { type: "handle", handle, start: [x, y], orig: copy(v.draft.list[v.selected.index]) }; return; }
    const hit = edit.objectAt(x, y);
    if (hit && !(e.shiftKey && kind === "bbox")) {
      edit.select(hit);
      if (!v.locked.has(v.keyOf(hit))) { startDraft(hit.labelName); v.drag = { type: "move", start: [x, y], orig: copy(v.draft.list[hit.index]) }; }
      return;
    }
    edit.select(null);
    if (kind === "bbox") v.drag = { type: "new-box", start: [cx(x), cy(y)], box: { x: cx(x), y: cy(y), width: 0, height: 0 } };
    else if (kind === "polygon") { v.poly = { labelName: active.label.name, option: active.value, points: [[cx(x), cy(y)]], open: e.altKey }; v.redraw(); }
    else if (kind === "keypoints") {
      v.kp = { labelName: active.label.name, option: active.value, points: {}, next: 0 };
      onDown(e);
    }
  }
  function onMove(e) {
    const { drag, view, W, H } = v;
    if (!drag) return;
    const [sx, sy] = point(e);
    const [x, y] = v.toImage(sx, sy);
    if (drag.type === "pan") { view.ox = drag.ox + sx - drag.sx; view.oy = drag.oy + sy - drag.sy; v.redraw(); return; }
    if (drag.type === "paint") { edit.paint(x, y); return; }
    if (drag.type === "new-box") {
      const [x0, y0] = drag.start;
      drag.box = { x: Math.min(x0, cx(x)), y: Math.min(y0, cy(y)), width: round2(Math.abs(cx(x) - x0)), height: round2(Math.abs(cy(y) - y0)) };
      v.redraw();
      return;
    }
    const obj = v.draft.list[v.selected.index];
    const [dx, dy] = [x - drag.start[0], y - drag.start[1]];
    const o = drag.orig;
    if (drag.type === "move") {
      if (o.points && Array.isArray(o.points)) obj.points = o.points.map(([px, py]) => [cx(px + dx), cy(py + dy)]);
      else if (o.points) obj.points = Object.fromEntries(Object.entries(o.points).map(([n, p]) => [n, p && [cx(p[0] + dx), cy(p[1] + dy)]]));
      else { obj.x = round2(clamp(o.x + dx, 0, W - o.width)); obj.y = round2(clamp(o.y + dy, 0, H - o.height)); }
    } else if (drag.handle.vertex !== undefined) obj.points[drag.handle.vertex] = [cx(x), cy(y)];
    else if (drag.handle.point !== undefined) obj.points[drag.handle.point] = [cx(x), cy(y)];
    else if (drag.handle.corner !== undefined) {
      if (o.rotation) { const [u, w] = local(o, x, y); obj.width = round2(Math.max(1, u)); obj.height = round2(Math.max(1, w)); }
      else {
        const corners = [[o.x, o.y], [o.x + o.width, o.y], [o.x + o.width, o.y + o.height], [o.x, o.y + o.height]];
        const [fx, fy] = corners[(drag.handle.corner + 2) % 4];
        const [nx, ny] = [cx(x), cy(y)];
        Object.assign(obj, { x: Math.min(fx, nx), y: Math.min(fy, ny), width: round2(Math.max(1, Math.abs(nx - fx))), height: round2(Math.max(1, Math.abs(ny - fy))) });
      }
    }
    v.redraw();
  }
  function onUp() {
    if (!v.drag) return;
    const d = v.drag;
    v.drag = null;
    if (d.type === "new-box") {
      const active = bar.active();
      if (d.box.width >= 2 / v.view.s && d.box.height >= 2 / v.view.s) {
        const list = [...v.listOf(active.label.name), { ...d.box, label: active.value }];
        set(active.label.name, list);
        edit.select({ labelName: active.label.name, index: list.length - 1 });
      }
      v.redraw();
    } else if (d.type === "paint") {
      d.obj.rle = encode(d.m.bits, v.H, v.W);
      renderer.cache.set(d.obj, d.m);
      endDraft();
    } else if (d.type !== "pan") endDraft();
  }

  canvas.addEventListener("mousedown", onDown);
  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);
  canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  canvas.addEventListener("dblclick", () => { edit.finishPolygon(); });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const { view } = v;
    const [sx, sy] = point(e);
    const [x, y] = v.toImage(sx, sy);
    view.s = clamp(view.s * Math.exp(-e.deltaY * 0.0015), 0.01, 64);
    view.ox = sx - x * view.s;
    view.oy = sy - y * view.s;
    v.redraw();
  }, { passive: false });
  canvas.addEventListener("keydown", (e) => {
    if (e.key === " ") { v.panKey = true; e.preventDefault(); }
    // Enter ends a polygon or keypoints here, before the page takes it as "submit"
    if (e.key === "Enter" && (v.poly || v.kp)) { e.preventDefault(); if (v.poly) edit.finishPolygon(); else edit.finishKeypoints(); }
  });
  canvas.addEventListener("keyup", (e) => { if (e.key === " ") v.panKey = false; });

  /** The editor's keys, called by the page; true when the key was used. */
  function handleKey(e) {
    if (readOnly) return false;
    const k = e.key;
    if (k === "Enter" && (v.poly || v.kp)) return v.poly ? edit.finishPolygon() : edit.finishKeypoints();
    if (k === "Escape" && (v.poly || v.kp || v.selected)) { v.poly = v.kp = null; edit.select(null); return true; }
    if ((k === "Delete" || k === "Backspace") && v.selected && v.vertex != null && edit.removeVertex(v.vertex)) return true;
    if ((k === "Delete" || k === "Backspace") && v.selected) return edit.removeSelected();
    if (k === "f" || k === "F") { v.fit(); return true; }
    if (k === "r" || k === "R") return edit.rotateSelected(e.shiftKey ? -5 : 5);
    if (k === "e" || k === "E") { v.erasing = !v.erasing; v.hint(); return true; }
    if (k === "[" || k === "]") { v.brush = clamp(v.brush + (k === "]" ? 2 : -2), 1, 200); v.hint(); return true; }
    if (bar.key(k)) return true;
    return false;
  }
  return { handleKey };
}
