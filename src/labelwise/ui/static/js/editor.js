// The annotation editor: an item's data (text fields with their spans) and one input per label.
// Holds the result being edited; keyboard shortcuts, undo, and errors from the API per label.

import { h, say } from "./dom.js";
import { optionColor, renderSpanText, selectionIn, spanList } from "./spans.js";
import { buildWidget, optionsOf } from "./widgets.js";

const TEXT_KINDS = new Set(["text", "markdown", "html", "url", "number", "chat", "list", "json", "table"]);
const norm = (key) => (key.length === 1 ? key.toLowerCase() : key);

function copy(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** Which key does what: explicit shortcuts from the schema, then 1..9 for the first choice label. */
function keyPlan(labels) {
  const plain = new Map(); // key -> {label, option}
  const spans = new Map(); // field -> Map(key -> {label, option})
  const hints = new Map(); // label name -> Map(option -> key)
  const hint = (label, option, key) => {
    if (!hints.has(label.name)) hints.set(label.name, new Map());
    if (!hints.get(label.name).has(option)) hints.get(label.name).set(option, key);
  };
  for (const label of labels) {
    if (label.kind === "spans") {
      if (!spans.has(label.field)) spans.set(label.field, new Map());
      const keys = spans.get(label.field);
      for (const opt of label.options ?? []) {
        if (opt.shortcut && !keys.has(norm(opt.shortcut))) keys.set(norm(opt.shortcut), { label, option: opt.value });
      }
      continue;
    }
    const explicit = label.kind === "rating" ? Object.entries(label.shortcuts ?? {})
      : optionsOf(label).filter((o) => o.shortcut).map((o) => [o.value, o.shortcut]);
    for (const [option, key] of explicit) {
      if (!plain.has(norm(key))) plain.set(norm(key), { label, option });
      hint(label, option, key);
    }
  }
  const first = labels.find((l) => l.kind === "choice");
  if (first) {
    optionsOf(first).slice(0, 9).forEach((opt, i) => {
      const key = String(i + 1);
      if (!plain.has(key)) { plain.set(key, { label: first, option: opt.value }); hint(first, opt.value, key); }
    });
  }
  for (const [field, keys] of spans) {
    const firstSpans = labels.find((l) => l.kind === "spans" && l.field === field);
    (firstSpans.options ?? []).slice(0, 9).forEach((opt, i) => {
      if (!keys.has(String(i + 1))) keys.set(String(i + 1), { label: firstSpans, option: opt.value });
    });
  }
  return { plain, spans, hints };
}

export function createEditor({ schema, data, result, uid = "ed", onChange = () => {} }) {
  const labels = schema.labels ?? [];
  const fields = Object.keys(schema.fields ?? {}).length ? schema.fields
    : Object.fromEntries(Object.keys(data ?? {}).map((k) => [k, "text"]));
  const plan = keyPlan(labels);
  let current = copy(result) ?? {};
  const history = [];
  let pending = null; // {field, start, end, text}

  const root = h("div", { class: "editor" });
  const dataView = h("div", { class: "data-view" });
  const form = h("div", { class: "labels" });
  const general = h("p", { class: "field-error", role: "alert", hidden: true });
  root.append(dataView, form, general);

  // ---- data fields, with spans ---------------------------------------------------------------
  const spanFields = [];
  for (const [field, kind] of Object.entries(fields)) {
    const value = data?.[field];
    const spanLabels = labels.filter((l) => l.kind === "spans" && l.field === field);
    const section = h("section", { class: "field", "data-field": field },
      Object.keys(fields).length > 1 || spanLabels.length ? h("h3", { class: "field-name", text: field }) : null);
    if (spanLabels.length && typeof value === "string") {
      const holder = h("div", { class: "span-holder" });
      const status = h("p", { class: "selection-status muted small", "aria-live": "polite" });
      const legend = h("div", { class: "span-legend" }, spanLabels.map((label) =>
        (label.options ?? []).map((opt, i) => {
          const key = [...plan.spans.get(field)].find(([, a]) => a.label === label && a.option === opt.value)?.[0];
          const button = h("button", { type: "button", class: "span-option", "data-option": opt.value },
            h("span", { class: "swatch", "aria-hidden": "true" }), opt.value, key ? h("kbd", { text: key }) : null);
          button.querySelector(".swatch").style.backgroundColor = optionColor(opt, i);
          button.addEventListener("mousedown", (e) => e.preventDefault()); // keep the text selection
          button.addEventListener("click", () => addSpan(field, label, opt.value));
          return button;
        })));
      const list = h("div", { class: "span-list-holder", "data-errors-for": spanLabels.map((l) => l.name).join(" ") });
      section.append(holder, status, legend, list);
      spanFields.push({ field, text: value, labels: spanLabels, holder, status, list });
    } else if (TEXT_KINDS.has(kind) || value === undefined || typeof value !== "object") {
      section.append(h("div", { class: "data-text", text: value === undefined ? "(missing)"
        : typeof value === "string" ? value : JSON.stringify(value, null, 2) }));
    } else {
      section.append(h("pre", { class: "data-text", text: JSON.stringify(value, null, 2) }));
    }
    dataView.append(section);
  }

  // ---- label inputs ----------------------------------------------------------------------------
  const widgets = new Map();
  for (const label of labels) {
    if (label.kind === "spans") continue;
    const widget = buildWidget(label, { uid, keys: plan.hints.get(label.name) ?? new Map(),
      set: (value) => set(label.name, value) });
    widgets.set(label.name, widget);
    form.append(widget.el);
  }

  function spanEntries(sf) {
    const chars = Array.from(sf.text);
    return sf.labels.flatMap((label) => (current[label.name] ?? []).map((s, index) => {
      const optIndex = (label.options ?? []).findIndex((o) => o.value === s.label);
      return { ...s, option: s.label, labelName: label.name, index,
        color: optionColor(label.options?.[optIndex], Math.max(optIndex, 0)),
        text: s.text ?? chars.slice(s.start, s.end).join("") };
    }));
  }

  function refresh() {
    for (const [name, widget] of widgets) widget.sync(current[name]);
    for (const sf of spanFields) {
      const entries = spanEntries(sf);
      const box = renderSpanText(sf.text, entries, { onDelete: removeSpan });
      box.addEventListener("mouseup", () => capture(sf, box));
      box.addEventListener("keyup", () => capture(sf, box));
      sf.holder.replaceChildren(box);
      sf.box = box;
      sf.list.replaceChildren(spanList(entries, { onDelete: removeSpan }));
    }
  }

  function capture(sf, box) {
    pending = selectionIn(box);
    if (pending) pending.field = sf.field;
    for (const other of spanFields) {
      say(other.status, other === sf && pending
        ? `Selected “${pending.text}”: press a label's key or click a label.` : "");
    }
  }

  function clearPending() {
    pending = null;
    window.getSelection()?.removeAllRanges();
    for (const sf of spanFields) say(sf.status, "");
  }

  function set(name, value) {
    history.push(copy(current));
    if (value === null || value === undefined || (Array.isArray(value) && !value.length)) delete current[name];
    else current[name] = value;
    refresh();
    onChange(copy(current));
  }

  function addSpan(field, label, option) {
    if (!pending || pending.field !== field) return false;
    const spans = current[label.name] ?? [];
    const { start, end, text } = pending;
    clearPending();
    if (spans.some((s) => s.start === start && s.end === end && s.label === option)) return true;
    set(label.name, [...spans, { start, end, label: option, text }]);
    return true;
  }

  function removeSpan(entry) {
    set(entry.labelName, (current[entry.labelName] ?? []).filter((_, i) => i !== entry.index));
  }

  function pick(label, option) {
    if (label.kind === "multi_choice") {
      const chosen = new Set(current[label.name] ?? []);
      if (chosen.has(option)) chosen.delete(option); else chosen.add(option);
      set(label.name, optionsOf(label).map((o) => o.value).filter((v) => chosen.has(v)));
    } else {
      set(label.name, label.kind === "rating" ? Number(option) : option);
    }
  }

  /** A shortcut key: true if the editor used it. Call only when the user is not typing. */
  function handleKey(event) {
    if (event.altKey || event.metaKey) return false;
    if (event.ctrlKey) {
      if (norm(event.key) === "z" && !event.shiftKey) { undo(); return true; }
      return false;
    }
    const key = norm(event.key);
    if (key === "Escape" && pending) { clearPending(); return true; }
    if (pending) {
      const action = plan.spans.get(pending.field)?.get(key);
      if (action) return addSpan(pending.field, action.label, action.option);
    }
    const action = plan.plain.get(key);
    if (action) { pick(action.label, action.option); return true; }
    return false;
  }

  function undo() {
    if (!history.length) return false;
    current = history.pop();
    refresh();
    onChange(copy(current));
    return true;
  }

  function showErrors(errors, message) {
    for (const old of root.querySelectorAll(".label-error")) old.remove();
    say(general, "");
    let placed = false;
    for (const err of errors ?? []) {
      const name = err.loc?.[0];
      const target = widgets.get(name)?.el
        ?? root.querySelector(`[data-errors-for~="${CSS.escape(String(name))}"]`);
      if (!target) continue;
      target.append(h("p", { class: "field-error label-error", role: "alert", text: err.msg }));
      placed = true;
    }
    if (!placed && message) say(general, message);
  }

  refresh();
  return {
    root, handleKey, undo, showErrors,
    result: () => copy(current),
    hasSelection: () => pending !== null,
  };
}
