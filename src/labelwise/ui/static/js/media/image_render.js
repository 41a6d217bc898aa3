// Drawing of the image editor's canvas: the image, every visible object (boxes, polygons and
// polylines, keypoint skeletons, masks), the shape being drawn, and handles on the selected object.
// `v` is the editor's state (see image.js).

import { colorOf } from "./common.js";
import { HANDLE, boxCorners } from "./image_geom.js";
import { decode } from "./rle.js";

export function createRenderer(v) {
  const { ctx, cw, ch, canvas, el, labels, byName, predicted } = v;
  const maskCache = new WeakMap(); // mask object -> {bits, canvas}

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
    for (const label of labels) if (v.listOf(label.name).includes(obj)) return label.name;
    return labels.find((l) => l.kind === "mask")?.name;
  }

  function render() {
    const { view, W, H, toScreen } = v;
    v.dirty = false;
    ctx.save();
    ctx.clearRect(0, 0, cw, ch);
    ctx.fillStyle = "#222";
    ctx.fillRect(0, 0, cw, ch);
    if (v.img) ctx.drawImage(v.img, view.ox, view.oy, W * view.s, H * view.s);
    v.tiles?.draw(ctx); // sharper tiles over the display copy when zoomed in on a large image
    ctx.lineWidth = 1.5;
    for (const o of v.objects()) {
      if (v.hidden.has(v.keyOf(o))) continue;
      const label = byName.get(o.labelName);
      const color = colorOf(label, o.obj.label);
      const isSel = v.selected && v.selected.labelName === o.labelName && v.selected.index === o.index;
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
        if (isSel && pts[v.vertex]) { // the selected vertex: a ring around its handle
          ctx.strokeStyle = "#fff";
          ctx.lineWidth = 2;
          ctx.beginPath(); ctx.arc(pts[v.vertex][0], pts[v.vertex][1], HANDLE + 2, 0, 2 * Math.PI); ctx.stroke();
        }
      } else if (o.kind === "keypoints") {
        drawSkeleton(label, o.obj.points, color, isSel);
      } else if (o.kind === "mask" && o.obj.rle) {
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(maskLayer(o.obj).canvas, view.ox, view.oy, W * view.s, H * view.s);
      }
    }
    ctx.setLineDash([]);
    el.dataset.prelabels = labels.filter((l) => predicted(l.name)).map((l) => l.name).join(",");
    if (v.poly) {
      ctx.strokeStyle = "#fff";
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      v.poly.points.map(([x, y]) => toScreen(x, y)).forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.stroke();
      ctx.setLineDash([]);
      handles(v.poly.points.map(([x, y]) => toScreen(x, y)));
    }
    if (v.kp) drawSkeleton(byName.get(v.kp.labelName), v.kp.points, "#fff", true);
    if (v.drag?.type === "new-box") {
      const [x0, y0] = toScreen(v.drag.box.x, v.drag.box.y);
      ctx.strokeStyle = "#fff";
      ctx.strokeRect(x0, y0, v.drag.box.width * view.s, v.drag.box.height * view.s);
    }
    ctx.restore();
    canvas.dataset.scale = String(view.s);
    canvas.dataset.ox = String(view.ox);
    canvas.dataset.oy = String(view.oy);
    canvas.dataset.vertex = v.vertex == null ? "" : String(v.vertex);
  }
  function handles(pts) {
    ctx.fillStyle = "#fff";
    for (const [x, y] of pts) ctx.fillRect(x - HANDLE / 2, y - HANDLE / 2, HANDLE, HANDLE);
  }
  function drawSkeleton(label, points, color, withHandles) {
    const { toScreen } = v;
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

  return { render, maskLayer, paintLayer, cache: maskCache };
}
