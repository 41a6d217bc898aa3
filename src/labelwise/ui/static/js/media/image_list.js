// The image editor's object list (hide / lock / select per object, virtualised) and the status line.
// `v` is the editor's state (see image.js).

import { h } from "../dom.js";

export function createObjectList(v, list, count, status) {
  const { byName, bar, predicted } = v;

  function renderList() {
    const all = v.objects();
    const { hidden, locked } = v;
    count.textContent = `(${all.length})`;
    list.set(all.length, (i) => {
      const o = all[i];
      const k = v.keyOf(o);
      const isSel = v.selected && v.keyOf(v.selected) === k;
      const row = h("div", { class: `object-row${isSel ? " selected" : ""}`, "data-key": k },
        h("button", { type: "button", class: "small", "aria-pressed": String(hidden.has(k)), title: "hide",
          onclick: () => { hidden.has(k) ? hidden.delete(k) : hidden.add(k); renderList(); v.redraw(); } }, hidden.has(k) ? "show" : "hide"),
        h("button", { type: "button", class: "small", "aria-pressed": String(locked.has(k)), title: "lock",
          onclick: () => { locked.has(k) ? locked.delete(k) : locked.add(k); renderList(); } }, locked.has(k) ? "unlock" : "lock"),
        h("span", { class: "object-name", text: ` ${o.obj.label ?? ""} · ${o.kind} ${o.index + 1}${predicted(o.labelName) ? " (pre-label)" : ""}` }));
      row.addEventListener("click", (ev) => { if (ev.target.tagName !== "BUTTON") v.select(o); });
      return row;
    });
  }
  function hint() {
    const a = bar.active();
    const { kp, brush, erasing } = v;
    const tips = { bbox: "drag to draw a box; drag a box to move it, its corners to resize; R / Shift+R rotate",
      polygon: "click to add points, double-click or Enter to finish (Alt+click starts a polyline); drag a vertex to move it, click an edge to add one, Alt+click or Del deletes one",
      keypoints: `click to place ${(a?.label.keypoints ?? []).join(", ")}; Enter ends early`,
      mask: `paint with the mouse (brush ${brush}px, [ and ]); E toggles the eraser${erasing ? " (erasing)" : ""}` };
    status.textContent = `${kp ? `Next point: ${(byName.get(kp.labelName).keypoints ?? [])[kp.next]}. ` : ""}${tips[a?.label.kind] ?? ""}. Wheel zooms, right-drag pans, F fits; Del deletes.`;
  }
  function say(text) { status.textContent = text; }
  return { renderList, hint, say };
}
