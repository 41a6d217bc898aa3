// Per-object attributes (docs/schema.md, "Object attributes"): a panel that edits the selected object's
// attributes, and a wrapper of the view's `set` that fills in defaults on objects as they are created and
// drops attributes that stop applying when an object is relabelled (`only_for`). Every edit goes through
// `set`, so it is part of the editor's result: undo, redo and drafts include it.
//
// A (in the view) focuses the first control. Keys typed in the panel stay in the panel (Tab moves between
// its controls, Space toggles a checkbox, arrows or type-ahead change a select, Escape goes back to the
// view, where Ctrl+Z undoes an attribute edit like any other); Ctrl+Enter still submits.

import { h } from "../dom.js";
import { copy } from "./common.js";

const applies = (attr, option) => !attr.only_for || attr.only_for.includes(option);

/** The attributes a new object with `option` starts with: the schema's defaults that apply to it. */
export function defaultsFor(label, option) {
  const out = {};
  for (const a of label.attributes ?? []) {
    if (a.default !== undefined && a.default !== null && applies(a, option)) out[a.name] = copy(a.default);
  }
  return out;
}

/** `set(name, list)` that gives appended objects their defaults and prunes attributes that do not apply. */
export function withAttributeDefaults(labels, get, set) {
  const byName = new Map(labels.filter((l) => (l.attributes ?? []).length).map((l) => [l.name, l]));
  return (name, list) => {
    const label = byName.get(name);
    if (!label || !Array.isArray(list)) { set(name, list); return; }
    const before = get(name);
    const known = Array.isArray(before) ? before.length : 0;
    const next = list.map((obj, i) => {
      if (!obj || typeof obj !== "object") return obj;
      let attrs = obj.attributes;
      if (i >= known && attrs === undefined) attrs = defaultsFor(label, obj.label);
      if (attrs && typeof attrs === "object") {
        const kept = Object.fromEntries(Object.entries(attrs).filter(([k]) => {
          const a = label.attributes.find((x) => x.name === k);
          return !a || applies(a, obj.label);
        }));
        const out = { ...obj };
        if (Object.keys(kept).length) out.attributes = kept; else delete out.attributes;
        return out;
      }
      return obj;
    });
    set(name, next);
  };
}

/**
 * The panel: `show(selection)` with {labelName, index} (or null) after every selection change or
 * refresh. Controls are rebuilt only when the selected object or its option changes, so the focused
 * control keeps focus while its value is saved.
 */
export function createAttributePanel({ labels, get, set, readOnly = false, onEscape = () => {}, chooser = false }) {
  const byName = new Map(labels.filter((l) => (l.attributes ?? []).length).map((l) => [l.name, l]));
  const title = h("p", { class: "muted small attr-title", "aria-live": "polite" });
  const body = h("div", { class: "attr-fields" });
  // views without a selection hook (audio, video, time series): the panel lists the objects itself
  const picker = chooser ? h("select", { class: "attr-object", "aria-label": "Object to edit" }) : null;
  const el = h("section", { class: "attr-panel", "aria-label": "Object attributes" },
    h("h4", {}, "Attributes"), picker, title, body);
  let shown = null; // {labelName, index, option}
  let controls = new Map(); // attribute name -> {update(value)}
  el.hidden = !byName.size;
  el.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    e.stopPropagation();
    if (e.key === "Escape") { e.preventDefault(); e.target.dispatchEvent(new Event("change")); onEscape(); }
  });

  const objectAt = (sel) => {
    const list = sel ? get(sel.labelName) : null;
    return Array.isArray(list) ? list[sel.index] : undefined;
  };

  function save(name, value) {
    if (!shown) return;
    const list = copy(get(shown.labelName));
    const obj = list?.[shown.index];
    if (!obj) return;
    const attrs = { ...(obj.attributes ?? {}) };
    const empty = value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length);
    if (JSON.stringify(empty ? undefined : value) === JSON.stringify(attrs[name])) return; // no undo step for no change
    if (empty) delete attrs[name]; else attrs[name] = value;
    if (Object.keys(attrs).length) obj.attributes = attrs; else delete obj.attributes;
    set(shown.labelName, list);
  }

  function control(attr, id) {
    const name = attr.name;
    const text = `${name}${attr.required ? " (required)" : ""}`;
    const hint = attr.description ? h("span", { class: "muted small", text: ` ${attr.description}` }) : null;
    const common = { id, "data-attribute": name, disabled: readOnly, "aria-required": attr.required ? "true" : null };
    if (attr.type === "boolean") {
      const input = h("input", { ...common, type: "checkbox" });
      input.addEventListener("change", () => save(name, input.checked));
      return { el: h("div", { class: "attr-field" }, input, " ", h("label", { for: id, text }), hint),
        update: (v) => { input.checked = v === true; } };
    }
    if (attr.type === "multi_choice") {
      const boxes = attr.options.map((o, i) => h("input", { type: "checkbox", id: `${id}-${i}`, value: o,
        "data-attribute": name, disabled: readOnly }));
      const read = () => boxes.filter((b) => b.checked).map((b) => b.value);
      boxes.forEach((b) => b.addEventListener("change", () => save(name, read())));
      return { el: h("fieldset", { class: "attr-field" }, h("legend", { text }),
        boxes.map((b, i) => h("span", { class: "attr-option" }, b, " ", h("label", { for: b.id, text: attr.options[i] }), " ")), hint),
      update: (v) => { boxes.forEach((b) => { b.checked = Array.isArray(v) && v.includes(b.value); }); } };
    }
    let input;
    if (attr.type === "choice") {
      input = h("select", common, h("option", { value: "", text: "(none)" }), attr.options.map((o) => h("option", { value: o, text: o })));
      input.addEventListener("change", () => save(name, input.value || null));
    } else if (attr.type === "number") {
      input = h("input", { ...common, type: "number", min: attr.min ?? null, max: attr.max ?? null, step: attr.integer ? "1" : "any" });
      input.addEventListener("change", () => save(name, input.value === "" ? null : Number(input.value)));
    } else {
      input = h("input", { ...common, type: "text", maxlength: attr.max_length ?? null });
      input.addEventListener("change", () => save(name, input.value));
    }
    return { el: h("div", { class: "attr-field" }, h("label", { for: id, text }), " ", input, hint),
      // a focused text or number box keeps what is being typed; a select always shows the stored value
      update: (v) => { if (attr.type === "choice" || document.activeElement !== input) input.value = v ?? ""; } };
  }

  function show(sel) {
    const label = sel ? byName.get(sel.labelName) : null;
    const obj = label ? objectAt(sel) : undefined;
    if (!label || !obj) {
      if (shown || !title.textContent) {
        shown = null;
        controls = new Map();
        body.replaceChildren();
        title.textContent = byName.size ? "Select an object to edit its attributes." : "";
      }
      return;
    }
    const same = shown && shown.labelName === sel.labelName && shown.index === sel.index && shown.option === obj.label;
    if (!same) {
      shown = { labelName: sel.labelName, index: sel.index, option: obj.label };
      title.textContent = `${obj.label ?? ""} · ${label.kind} ${sel.index + 1}`;
      controls = new Map();
      const rows = [];
      label.attributes.forEach((attr, i) => {
        if (!applies(attr, obj.label)) return;
        const c = control(attr, `attr-${label.name}-${i}`.replace(/[^\w-]/g, "_"));
        controls.set(attr.name, c);
        rows.push(c.el);
      });
      if (!rows.length) rows.push(h("p", { class: "muted small", text: "No attributes for this option." }));
      body.replaceChildren(...rows);
    }
    for (const [name, c] of controls) c.update(obj.attributes?.[name]);
  }

  /** Focus the first control (the view's A key); false when no object with attributes is selected. */
  function focus() {
    const first = el.querySelector("input, select");
    if (!first || readOnly) return false;
    first.focus();
    return true;
  }

  let total = -1;
  function syncPicker() {
    const entries = [];
    for (const label of byName.values()) {
      const list = get(label.name);
      (Array.isArray(list) ? list : []).forEach((o, index) => entries.push({ labelName: label.name, index, text: `${o?.label ?? ""} · ${label.name} ${index + 1}` }));
    }
    let sel = shown;
    if (total >= 0 && entries.length > total) sel = entries[entries.length - 1]; // a new object: edit it
    total = entries.length;
    picker.replaceChildren(h("option", { value: "", text: entries.length ? "(choose an object)" : "(no objects yet)" }),
      ...entries.map((x) => h("option", { value: `${x.labelName}#${x.index}`, text: x.text })));
    const key = sel ? `${sel.labelName}#${sel.index}` : "";
    picker.value = entries.some((x) => `${x.labelName}#${x.index}` === key) ? key : "";
    show(picker.value ? sel : null);
  }
  picker?.addEventListener("change", () => {
    const i = picker.value.lastIndexOf("#");
    show(i < 0 ? null : { labelName: picker.value.slice(0, i), index: Number(picker.value.slice(i + 1)) });
  });

  if (picker) syncPicker(); else show(null);
  return { el, show, focus, refresh: () => (picker ? syncPicker() : show(shown)) };
}
