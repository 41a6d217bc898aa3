// One input per label kind that has no region: choice, multi_choice, rating, number, text, and
// (from their own modules) taxonomy, pairwise, ranking.
// build(label, {uid, keys, set}) -> {el, sync(value)}; ``set(value)`` reports a change.

import { h } from "./dom.js";
import { pairwiseWidget, rankingWidget } from "./llm.js";
import { taxonomyWidget } from "./taxonomy.js";

function keyHint(key) {
  return key ? h("kbd", { class: "key", "aria-hidden": "true" }, key) : null;
}

function optionsOf(label) {
  if (label.kind === "rating") {
    return Array.from({ length: label.max ?? 5 }, (_, i) => ({ value: String(i + 1) }));
  }
  return label.options ?? [];
}

function choiceGroup(label, { uid, keys, set }, multiple) {
  const name = `${uid}-${label.name}`;
  const inputs = [];
  const fieldset = h("fieldset", { class: `widget widget-${label.kind}`, "data-label": label.name },
    h("legend", {}, label.name, label.required ? h("span", { class: "required", title: "required" }, " *") : null),
    label.description ? h("p", { class: "muted small", text: label.description }) : null);
  const row = h("div", { class: "options" });
  optionsOf(label).forEach((opt, i) => {
    const id = `${name}-${i}`;
    const input = h("input", { type: multiple ? "checkbox" : "radio", id, name, value: opt.value });
    input.addEventListener("change", () => {
      if (multiple) set(inputs.filter((x) => x.checked).map((x) => x.value));
      else set(label.kind === "rating" ? Number(input.value) : input.value);
    });
    // a second click on the chosen radio clears it (radios cannot be unchecked otherwise)
    input.addEventListener("click", (event) => {
      if (!multiple && input.dataset.was === "1") { input.checked = false; set(null); event.stopPropagation(); }
    });
    inputs.push(input);
    const key = keys.get(opt.value);
    const optLabel = h("label", { for: id, class: "option", title: opt.description ?? null },
      input, h("span", { text: opt.value }), keyHint(key));
    if (opt.color) optLabel.style.borderLeftColor = opt.color;
    if (opt.description) input.setAttribute("aria-description", opt.description);
    row.append(optLabel);
  });
  fieldset.append(row);
  const sync = (value) => {
    const chosen = new Set(Array.isArray(value) ? value.map(String) : value == null ? [] : [String(value)]);
    for (const input of inputs) {
      input.checked = chosen.has(input.value);
      input.dataset.was = input.checked ? "1" : "";
    }
  };
  return { el: fieldset, sync };
}

function numberInput(label, { uid, set }) {
  const id = `${uid}-${label.name}`;
  const input = h("input", {
    id, type: "number", step: label.integer ? "1" : "any", min: label.min ?? null, max: label.max ?? null,
  });
  input.addEventListener("input", () => {
    set(input.value === "" || Number.isNaN(input.valueAsNumber) ? null : input.valueAsNumber);
  });
  const el = h("div", { class: "widget widget-number", "data-label": label.name },
    h("label", { for: id }, label.name, label.required ? " *" : ""), input);
  return { el, sync: (v) => { if (document.activeElement !== input) input.value = v ?? ""; } };
}

function textInput(label, { uid, set }) {
  const id = `${uid}-${label.name}`;
  const input = h("textarea", { id, rows: 2, maxlength: label.max_length ?? null });
  input.addEventListener("input", () => set(input.value === "" ? null : input.value));
  const el = h("div", { class: "widget widget-text", "data-label": label.name },
    h("label", { for: id }, label.name, label.required ? " *" : "",
      h("span", { class: "muted small", text: " (Ctrl+Enter submits)" })), input);
  return { el, sync: (v) => { if (document.activeElement !== input) input.value = v ?? ""; } };
}

const BUILDERS = {
  choice: (label, ctx) => choiceGroup(label, ctx, false),
  multi_choice: (label, ctx) => choiceGroup(label, ctx, true),
  rating: (label, ctx) => choiceGroup(label, ctx, false),
  number: numberInput,
  text: textInput,
  taxonomy: taxonomyWidget,
  pairwise: pairwiseWidget,
  ranking: rankingWidget,
};

export function buildWidget(label, ctx) {
  const builder = BUILDERS[label.kind];
  if (builder) return builder(label, ctx);
  const el = h("div", { class: "widget", "data-label": label.name },
    h("p", { class: "muted", text: `${label.name}: the ${label.kind} kind cannot be edited in this page yet.` }));
  return { el, sync: () => {} };
}

export { optionsOf };
