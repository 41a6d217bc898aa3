// Editing in the image editor: hit testing (the handle or object under the mouse), selection,
// relabel / delete / rotate, vertex insert and delete on polygons and polylines, finishing a polygon
// or keypoints, and painting a mask.
// `v` is the editor's state (see image.js).

import { clamp, copy, round2 } from "./common.js";
import { HANDLE, boxCorners, insidePoly, local, nearestEdge } from "./image_geom.js";

export function createEditing(v, renderer) {
  const { byName, set } = v;
  const cx = (x) => round2(clamp(x, 0, v.W));
  const cy = (y) => round2(clamp(y, 0, v.H));

  function handleAt(sx, sy) {
    const { selected } = v;
    if (!selected) return null;
    const obj = v.listOf(selected.labelName)[selected.index];
    const kind = byName.get(selected.labelName)?.kind;
    if (!obj || v.locked.has(v.keyOf(selected))) return null;
    const near = ([x, y]) => { const [px, py] = v.toScreen(x, y); return Math.abs(px - sx) <= HANDLE && Math.abs(py - sy) <= HANDLE; };
    if (kind === "bbox") { const i = boxCorners(obj).findIndex(near); return i >= 0 ? { corner: i } : null; }
    if (kind === "polygon") { const i = obj.points.findIndex(near); return i >= 0 ? { vertex: i } : null; }
    if (kind === "keypoints") { const name = Object.keys(obj.points).find((n) => obj.points[n] && near(obj.points[n])); return name ? { point: name } : null; }
    return null;
  }
  function objectAt(x, y) {
    const all = v.objects();
    const tol = 6 / v.view.s;
    for (let i = all.length - 1; i >= 0; i--) {
      const o = all[i];
      if (v.hidden.has(v.keyOf(o)) || o.kind === "mask") continue;
      if (o.kind === "bbox") { const [u, w] = local(o.obj, x, y); if (u >= 0 && w >= 0 && u <= o.obj.width && w <= o.obj.height) return o; }
      if (o.kind === "polygon" && (insidePoly(o.obj.points, x, y) || o.obj.points.some(([px, py]) => Math.hypot(px - x, py - y) < tol))) return o;
      if (o.kind === "keypoints" && Object.values(o.obj.points).some((p) => p && Math.hypot(p[0] - x, p[1] - y) < tol)) return o;
    }
    return null;
  }

  function select(o) { v.selected = o ? { labelName: o.labelName, index: o.index } : null; v.vertex = null; v.renderList(); v.redraw(); v.hint(); }

  /** The selected polygon or polyline when it may be edited, else null. */
  function editablePoly() {
    const { selected } = v;
    if (!selected || byName.get(selected.labelName)?.kind !== "polygon" || v.locked.has(v.keyOf(selected))) return null;
    const obj = v.listOf(selected.labelName)[selected.index];
    return obj && Array.isArray(obj.points) ? obj : null;
  }
  /** The edge of the selected polygon or polyline under image point (x, y): {index, point} or null. */
  function edgeAt(x, y) {
    const obj = editablePoly();
    return obj ? nearestEdge(obj.points, obj.closed !== false, x, y, HANDLE / v.view.s) : null;
  }
  /** Delete vertex i of the selected polygon (it keeps >= 3 vertices) or polyline (>= 2). */
  function removeVertex(i) {
    const obj = editablePoly();
    if (!obj || !obj.points[i]) return false;
    const least = obj.closed === false ? 2 : 3;
    if (obj.points.length <= least) {
      v.say(`A ${obj.closed === false ? "polyline" : "polygon"} keeps at least ${least} vertices.`);
      return true;
    }
    const list = copy(v.listOf(v.selected.labelName));
    list[v.selected.index].points.splice(i, 1);
    v.vertex = null;
    set(v.selected.labelName, list);
    v.redraw();
    return true;
  }
  function relabel(option) {
    const list = copy(v.listOf(v.selected.labelName));
    list[v.selected.index].label = option;
    set(v.selected.labelName, list);
  }
  function removeSelected() {
    const { selected } = v;
    if (!selected || v.locked.has(v.keyOf(selected))) return false;
    const list = copy(v.listOf(selected.labelName));
    list.splice(selected.index, 1);
    set(selected.labelName, list);
    v.selected = null;
    return true;
  }
  function rotateSelected(deg) {
    const { selected } = v;
    if (!selected || byName.get(selected.labelName).kind !== "bbox" || v.locked.has(v.keyOf(selected))) return false;
    const list = copy(v.listOf(selected.labelName));
    const b = list[selected.index];
    b.rotation = round2(((b.rotation ?? 0) + deg + 360) % 360);
    if (!b.rotation) delete b.rotation;
    set(selected.labelName, list);
    return true;
  }
  function finishPolygon() {
    const { poly } = v;
    if (!poly) return false;
    const label = byName.get(poly.labelName);
    const closed = label.closed !== false && !poly.open;
    if (poly.points.length >= (closed ? 3 : 2)) {
      const obj = { points: poly.points, label: poly.option };
      if (!closed) obj.closed = false;
      set(poly.labelName, [...v.listOf(poly.labelName), obj]);
    }
    v.poly = null;
    v.redraw();
    return true;
  }
  function finishKeypoints() {
    const { kp } = v;
    if (!kp) return false;
    if (Object.values(kp.points).some(Boolean)) {
      const names = byName.get(kp.labelName).keypoints ?? [];
      const points = Object.fromEntries(names.map((n) => [n, kp.points[n] ?? null]));
      set(kp.labelName, [...v.listOf(kp.labelName), { label: kp.option, points }]);
    }
    v.kp = null;
    v.redraw();
    return true;
  }
  function paint(x, y) {
    const { obj, m } = v.drag;
    const { W, H } = v;
    const r = v.brush / 2;
    const x0 = Math.max(0, Math.floor(x - r));
    const x1 = Math.min(W, Math.ceil(x + r));
    const y0 = Math.max(0, Math.floor(y - r));
    const y1 = Math.min(H, Math.ceil(y + r));
    for (let py = y0; py < y1; py++) {
      for (let px = x0; px < x1; px++) {
        if ((px + 0.5 - x) ** 2 + (py + 0.5 - y) ** 2 <= r * r) m.bits[py * W + px] = v.erasing ? 0 : 1;
      }
    }
    m.canvas.getContext("2d").clearRect(x0, y0, x1 - x0, y1 - y0);
    renderer.paintLayer(m, obj, x0, y0, x1, y1);
    v.drag.touched = true;
    v.redraw();
  }

  return { cx, cy, handleAt, objectAt, edgeAt, removeVertex, select, relabel, removeSelected, rotateSelected, finishPolygon, finishKeypoints, paint };
}
