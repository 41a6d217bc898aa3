// Image annotation on one canvas: boxes (draw, move, resize, rotate), polygons and polylines (drag a
// vertex, click an edge to insert one, Alt+click or Delete to remove one), keypoints with the schema's
// skeleton, brush/eraser masks stored as RLE. Zoom (wheel), pan (right or middle drag, or Space + drag),
// fit (F). Objects can be hidden and locked from the list.
// Coordinates are full-resolution image pixels (media facts), whatever size the display image has.
//
// This module holds the editor's state `v` and wires the parts: image_render.js (drawing),
// image_edit.js (hit testing and edits), image_input.js (mouse and keys), image_list.js (object list),
// image_tiles.js (the server's tiles when zoomed in beyond the display copy of a large image).

import { h } from "../dom.js";
import { factsOf, mediaSource, optionBar, sizeCanvas, timed, virtualList } from "./common.js";
import { createEditing } from "./image_edit.js";
import { attachInput } from "./image_input.js";
import { createObjectList } from "./image_list.js";
import { createRenderer } from "./image_render.js";
import { createTiles } from "./image_tiles.js";

const KINDS = new Set(["bbox", "polygon", "keypoints", "mask"]);

export function createImageView({ field, value, meta, labels, get, set, readOnly = false, predicted = () => false, onSelect = () => {} }) {
  labels = labels.filter((l) => KINDS.has(l.kind));
  const byName = new Map(labels.map((l) => [l.name, l]));
  const source = mediaSource(value);
  const canvas = h("canvas", { class: "media-canvas image-canvas", tabindex: "0", "aria-label": `Image ${field}: draw with the mouse` });
  const status = h("p", { class: "muted small media-status", "aria-live": "polite" });
  const list = virtualList({ label: "Objects", height: 220 });
  const count = h("span", { class: "muted small" });
  let started = false;
  const bar = optionBar(labels, (e) => {
    if (!started) return;
    if (v.selected && v.selected.labelName === e.label.name && !readOnly) edit.relabel(e.value);
    v.hint();
  });
  started = true;
  const el = h("div", { class: "media-view image-view", "data-field": field },
    readOnly ? null : bar.el, canvas, status,
    h("div", { class: "object-list" }, h("h4", {}, "Objects ", count), list.el));
  const cw = 860;
  const ch = 560;

  // The editor's state, shared by its parts.
  const v = {
    field, labels, byName, get, set, readOnly, predicted, bar, el, canvas, cw, ch,
    ctx: sizeCanvas(canvas, cw, ch),
    W: 0, H: 0, img: null,
    view: { s: 1, ox: 0, oy: 0 },
    hidden: new Set(), locked: new Set(),
    selected: null, // {labelName, index}
    vertex: null, // index of the selected vertex of the selected polygon or polyline
    drag: null,
    poly: null, // {labelName, option, points}
    kp: null, // {labelName, option, points: {}, next}
    brush: 12, erasing: false, panKey: false, dirty: true,
    draft: null, // {labelName, list}: the list being edited during a drag
    keyOf: (o) => `${o.labelName}#${o.index}`,
    listOf(name) {
      if (v.draft && v.draft.labelName === name) return v.draft.list;
      const given = get(name);
      return Array.isArray(given) ? given : [];
    },
    objects() {
      const out = [];
      for (const label of labels) v.listOf(label.name).forEach((obj, index) => out.push({ labelName: label.name, kind: label.kind, index, obj }));
      return out;
    },
    toScreen: (x, y) => [x * v.view.s + v.view.ox, y * v.view.s + v.view.oy],
    toImage: (sx, sy) => [(sx - v.view.ox) / v.view.s, (sy - v.view.oy) / v.view.s],
    fit() {
      const { W, H, view } = v;
      if (!W || !H) return;
      view.s = Math.min(cw / W, ch / H);
      view.ox = (cw - W * view.s) / 2;
      view.oy = (ch - H * view.s) / 2;
      v.redraw();
    },
    redraw() {
      if (v.dirty) return;
      v.dirty = true;
      requestAnimationFrame(() => timed("image", renderer.render));
    },
  };
  v.tiles = createTiles(v, source);
  const renderer = createRenderer(v);
  const edit = createEditing(v, renderer);
  const objectList = createObjectList(v, list, count, status);
  v.select = edit.select;
  v.renderList = () => { objectList.renderList(); onSelect(v.selected); }; // onSelect: the attribute panel
  v.hint = objectList.hint;
  v.say = objectList.say;
  const { handleKey } = attachInput(v, edit, renderer);

  (async () => {
    const facts = await factsOf(source, meta, field);
    const image = new Image();
    image.decoding = "async";
    image.src = source.key ? source.src("display") : source.src();
    await image.decode().catch(() => null);
    v.img = image.naturalWidth ? image : null;
    v.W = facts.width ?? image.naturalWidth ?? 0;
    v.H = facts.height ?? image.naturalHeight ?? 0;
    v.tiles.setup(v.img);
    v.fit();
    v.dirty = false;
    timed("image", renderer.render);
    v.renderList();
    v.hint();
    canvas.dataset.ready = "true";
    el.dataset.ready = "true";
    el.dataset.readyAt = String(Math.round(performance.now())); // ms since the page started loading
  })();

  return {
    el, handleKey,
    refresh() { if (!v.drag) v.draft = null; v.renderList(); v.redraw(); },
    view: () => ({ ...v.view, width: v.W, height: v.H }),
  };
}
