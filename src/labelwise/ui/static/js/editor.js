// The annotation editor: an item's data (datafields.js; text fields with spans in spanfield.js
// and span_panel.js) and one input per label (widgets.js). Holds the result being edited
// (result_state.js: undo/redo), routes the keys (keyplan.js), shows pre-labels and the API's
// errors per label.

import { h, say } from "./dom.js";
import { renderDataFields } from "./datafields.js";
import { keyPlan, norm } from "./keyplan.js";
import { MEDIA_LABEL_KINDS } from "./media/index.js";
import { bestPrediction, copy, createResultState } from "./result_state.js";
import { spansToEdit, withoutSpan, withRelation } from "./span_edits.js";
import { createSpanField } from "./spanfield.js";
import { createSpanPanel } from "./span_panel.js";
import { buildWidget, optionsOf } from "./widgets.js";

export function createEditor({ schema, data, meta = null, result, predictions = [], uid = "ed", onChange = () => {} }) {
  const labels = schema.labels ?? [];
  const fields = Object.keys(schema.fields ?? {}).length ? schema.fields
    : Object.fromEntries(Object.keys(data ?? {}).map((k) => [k, "text"]));
  const plan = keyPlan(labels);
  const prediction = bestPrediction(predictions);
  const state = createResultState(result, { onCommit: () => refresh(), onChange: (next) => onChange(next) });
  const set = (name, value) => state.set(name, value);
  const spansOf = (labelName) => spansToEdit(state.current, prediction, labelName);
  let pending = null; // {field, start, end, text}: the text selected for a new span

  const root = h("div", { class: "editor" });
  const dataView = h("div", { class: "data-view" });
  const form = h("div", { class: "labels" });
  const general = h("p", { class: "field-error", role: "alert", hidden: true });
  root.append(dataView, form, general);
  if (prediction) {
    root.prepend(h("div", { class: "notice prelabel-note", role: "note" },
      h("span", { text: `Pre-labels from ${prediction.model ?? "a model"} are shown dashed. ` }),
      h("button", { type: "button", class: "small", onclick: () => acceptPrediction() }, "Accept them ", h("kbd", { text: "P" }))));
  }

  // ---- data fields, with spans ---------------------------------------------------------------
  const spanFields = [];
  const panel = createSpanPanel(spanFields, {
    result: () => state.current,
    spansOf,
    relabel: (entry, option) => set(entry.labelName, spansOf(entry.labelName).map((s, i) => (i === entry.index ? { ...s, label: option } : s))),
    remove: (entry) => state.commit(withoutSpan(state.current, labels, entry.labelName, spansOf(entry.labelName), entry.index)),
    addRelation: (rel, from, to, label) => state.commit(withRelation(state.current, rel, spansOf(rel.spans_label), from, to, label)),
    removeRelation: (rel, index) => set(rel.name, (state.current[rel.name] ?? []).filter((_, i) => i !== index)),
    refresh: () => refresh(),
  });
  const predictedList = (name) => (Array.isArray(prediction?.result?.[name]) ? prediction.result[name] : undefined);
  const { mediaViews, mediaFields } = renderDataFields(dataView, {
    fields, data, meta, labels,
    media: {
      get: (name) => state.current[name] ?? predictedList(name),
      set: (name, v) => set(name, v),
      predicted: (name) => state.current[name] === undefined && predictedList(name) !== undefined,
    },
    makeSpanField: (field, text, spanLabels) => {
      const sf = createSpanField({ field, text, labels: spanLabels, allLabels: labels, keys: plan.spans.get(field),
        onPick: panel.pick, onSelect: capture, onAdd: (label, option) => { syncSelection(); addSpan(field, label, option); }, onDelete: panel.remove });
      spanFields.push(sf);
      return sf.el;
    },
  });

  // ---- label inputs ----------------------------------------------------------------------------
  const widgets = new Map();
  for (const label of labels) {
    if (label.kind === "spans" || label.kind === "relations") continue;
    if ((MEDIA_LABEL_KINDS.has(label.kind) || label.kind === "chat_turns") && mediaFields.has(label.field)) continue; // drawn on the media or the chat
    const widget = buildWidget(label, { uid, data, keys: plan.hints.get(label.name) ?? new Map(),
      set: (value) => set(label.name, value), get: () => state.current[label.name] });
    widgets.set(label.name, widget);
    form.append(widget.el);
    const guess = prediction?.result?.[label.name];
    if (guess !== undefined && guess !== null) {
      widget.el.append(h("p", { class: "prelabel small", text: `Pre-label: ${typeof guess === "string" ? guess : JSON.stringify(guess)}` }));
    }
  }

  function refresh() {
    const current = state.current;
    for (const [name, widget] of widgets) widget.sync(current[name]);
    for (const view of mediaViews) view.refresh();
    const marked = panel.marks();
    for (const sf of spanFields) {
      sf.draw(current, prediction, marked);
      panel.render(sf);
    }
  }

  // ---- a new span: the selection, then a label's key or button ---------------------------------
  function capture(sf) {
    const sel = sf.view.selection();
    pending = sel ? { ...sel, field: sf.field } : null;
    for (const other of spanFields) {
      say(other.status, other === sf && pending
        ? `Selected “${pending.text.length > 60 ? `${pending.text.slice(0, 60)}…` : pending.text}”: press a label's key or click a label.` : "");
    }
  }

  /**
   * Take the selection as it is now. A mouse selection is read after the mouseup (a timer: a click
   * inside a selection collapses it only then), and a key pressed right after the mouseup can be
   * handled before that timer runs (input goes first on a busy page): so a key reads it itself.
   */
  function syncSelection() {
    const sf = spanFields.find((f) => f.view.selection());
    if (sf) capture(sf);
  }

  function clearPending() {
    pending = null;
    window.getSelection()?.removeAllRanges();
    for (const sf of spanFields) say(sf.status, ""); // the keyboard cursor stays where it was
  }

  function addSpan(field, label, option) {
    if (!pending || pending.field !== field) return false;
    const spans = spansOf(label.name);
    const { start, end, text } = pending;
    clearPending();
    if (spans.some((s) => s.start === start && s.end === end && s.label === option)) return true;
    set(label.name, [...spans, { start, end, label: option, text }]);
    return true;
  }

  // ---- keys ------------------------------------------------------------------------------------
  function pick(label, option) {
    if (label.kind === "multi_choice") {
      const chosen = new Set(state.current[label.name] ?? []);
      if (chosen.has(option)) chosen.delete(option); else chosen.add(option);
      set(label.name, optionsOf(label).map((o) => o.value).filter((v) => chosen.has(v)));
    } else if (label.kind === "pairwise") {
      widgets.get(label.name)?.pick?.(option);
    } else {
      set(label.name, label.kind === "rating" ? Number(option) : option);
    }
  }

  /** A shortcut key: true if the editor used it. Call only when the user is not typing. */
  function handleKey(event) {
    if (event.altKey || event.metaKey) return false;
    if (event.ctrlKey) {
      const k = norm(event.key);
      if ((k === "z" && event.shiftKey) || k === "y") { redo(); return true; }
      if (k === "z") { undo(); return true; }
      return false;
    }
    const key = norm(event.key);
    if (spanFields.length) syncSelection();
    const inMedia = mediaViews.find((v) => v.el.contains(event.target))
      ?? (mediaViews.length === 1 && !plan.plain.has(key) && !spanFields.length ? mediaViews[0] : null);
    if (inMedia && !(key === "p" && prediction) && inMedia.handleKey(event)) return true;
    const inText = spanFields.find((sf) => sf.view.el.contains(event.target));
    if (inText && !panel.busy() && inText.view.keyboardKey(event)) {
      if (event.key.startsWith("Arrow")) capture(inText);
      return true;
    }
    if (panel.key(key)) return true;
    if (key === "Escape" && pending) { clearPending(); for (const sf of spanFields) sf.view.clear(); return true; }
    if (pending) {
      const action = plan.spans.get(pending.field)?.get(key);
      if (action) return addSpan(pending.field, action.label, action.option);
    }
    if (key === "p" && prediction) { acceptPrediction(); return true; }
    const action = plan.plain.get(key);
    if (action) { pick(action.label, action.option); return true; }
    return false;
  }

  function acceptPrediction() {
    if (!prediction) return false;
    const next = { ...state.current };
    for (const [name, value] of Object.entries(prediction.result)) {
      if (next[name] === undefined && labels.some((l) => l.name === name)) next[name] = copy(value);
    }
    state.commit(next);
    return true;
  }

  const undo = () => state.undo(panel.reset);
  const redo = () => state.redo();

  function showErrors(errors, message) {
    for (const old of root.querySelectorAll(".label-error")) old.remove();
    say(general, "");
    let placed = false;
    for (const err of errors ?? []) {
      const name = err.loc?.[0] === "result" ? err.loc?.[1] : err.loc?.[0]; // checks name ["result", label]
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
    root, handleKey, undo, redo, showErrors, acceptPrediction,
    result: () => copy(state.current),
    hasSelection: () => pending !== null,
    /** For measurements: select [start, end) of the first span field and label it with its first option. */
    spanFieldCount: () => spanFields.length,
  };
}
