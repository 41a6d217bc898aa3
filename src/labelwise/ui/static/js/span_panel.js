// The span panel under a text field: the chosen span's quote, relabel (1..9), delete (Del), link
// to another span (L, then click or Space on the target, then 1..9 for the relation label), its
// relations with a remove button. Holds which span is chosen; one panel is open at a time.
//
// ops: {result(), spansOf(labelName), relabel(entry, option), remove(entry),
//       addRelation(rel, from, to, label), removeRelation(rel, index), refresh()}

import { h } from "./dom.js";
import { spanKey } from "./spanfield.js";

export function createSpanPanel(fields, ops) {
  let active = null; // {labelName, index, field}: the span whose panel is open
  let linking = null; // {labelName, index, field, rel}: choosing the target span of a relation
  let relChoice = null; // {rel, from, to, field}: choosing a relation label

  const focusPanel = (sf) => sf.panel.querySelector("button")?.focus({ preventScroll: true });

  /** A span was clicked (or chosen by Space): the link target while linking, else open its panel. */
  function pick(sf, entry) {
    if (linking && relChoice === null && entry.labelName === linking.labelName && entry.index !== linking.index) {
      return startRelation(sf, linking.rel, linking.index, entry.index);
    }
    active = { labelName: entry.labelName, index: entry.index, field: sf.field };
    linking = null;
    relChoice = null;
    ops.refresh();
    focusPanel(sf);
  }

  function startRelation(sf, rel, from, to) {
    linking = null;
    if ((rel.options ?? []).length > 1) {
      relChoice = { rel, from, to, field: sf.field };
      ops.refresh();
      focusPanel(sf);
      return;
    }
    addRelation(rel, from, to, rel.options?.[0]?.value);
  }

  function addRelation(rel, from, to, label) {
    relChoice = null;
    active = null;
    ops.addRelation(rel, from, to, label);
  }

  function remove(entry) {
    active = null;
    ops.remove(entry);
  }

  function startLinking(a, rel) {
    linking = { ...a, rel };
    active = null;
    ops.refresh();
  }

  function close() {
    reset();
    ops.refresh();
  }

  function reset() {
    active = linking = relChoice = null;
  }

  function render(sf) {
    const panel = sf.panel;
    if (relChoice && relChoice.field === sf.field) {
      const choice = relChoice;
      panel.hidden = false;
      panel.replaceChildren(h("span", { class: "small", text: "Relation label: " }),
        choice.rel.options.slice(0, 9).map((o, i) => h("button", { type: "button", class: "small",
          onclick: () => addRelation(choice.rel, choice.from, choice.to, o.value) }, o.value, h("kbd", { text: String(i + 1) }))),
        h("button", { type: "button", class: "small link-button", onclick: close }, "cancel ", h("kbd", { text: "Esc" })));
      return;
    }
    const a = (linking ?? active);
    if (!a || a.field !== sf.field) { panel.hidden = true; panel.replaceChildren(); return; }
    const label = sf.labels.find((l) => l.name === a.labelName);
    const span = ops.spansOf(a.labelName)[a.index];
    if (!label || !span) { panel.hidden = true; return; }
    panel.hidden = false;
    if (linking) {
      panel.replaceChildren(h("span", { class: "small", text: `Linking from “${sf.spanText(span)}”: click the target span, or Esc.` }));
      return;
    }
    const result = ops.result();
    const entry = { labelName: a.labelName, index: a.index };
    const rels = sf.relLabels.filter((r) => r.spans_label === a.labelName);
    const mine = rels.flatMap((rel) => (result[rel.name] ?? []).map((r, i) => ({ rel, r, i })))
      .filter(({ r }) => [r.from, r.to].some((ref) => ref === a.index || (span.id && ref === span.id)));
    panel.replaceChildren(
      h("strong", { class: "span-quote", text: `“${sf.spanText(span)}”` }), " ",
      h("span", { class: "small muted", text: "relabel:" }),
      (label.options ?? []).slice(0, 9).map((o, i) => h("button", { type: "button", class: `small${o.value === span.label ? " on" : ""}`,
        "aria-pressed": String(o.value === span.label), onclick: () => ops.relabel(entry, o.value) }, o.value, h("kbd", { text: String(i + 1) }))),
      h("button", { type: "button", class: "small danger", onclick: () => remove(entry) }, "Delete ", h("kbd", { text: "Del" })),
      rels.length ? h("button", { type: "button", class: "small", onclick: () => startLinking(a, rels[0]) },
        "Link to… ", h("kbd", { text: "L" })) : null,
      h("button", { type: "button", class: "small link-button", onclick: close }, "close ", h("kbd", { text: "Esc" })),
      mine.length ? h("ul", { class: "relation-list small" }, mine.map(({ rel, r, i }) => h("li", {},
        `${r.label ?? rel.name}: ${r.from} → ${r.to} `,
        h("button", { type: "button", class: "link-button small", onclick: () => ops.removeRelation(rel, i), "aria-label": `Remove relation ${r.label ?? ""}` }, "remove")))) : null);
  }

  /** A key while a panel is open: true if the panel used it. */
  function key(k) {
    if (relChoice) {
      const opt = relChoice.rel.options[Number(k) - 1];
      if (opt) { addRelation(relChoice.rel, relChoice.from, relChoice.to, opt.value); return true; }
      if (k === "Escape") { close(); return true; }
      return false;
    }
    if (linking) {
      if (k === "Escape") { close(); return true; }
      return false;
    }
    if (!active) return false;
    const sf = fields.find((f) => f.field === active.field);
    const label = sf?.labels.find((l) => l.name === active.labelName);
    const entry = { labelName: active.labelName, index: active.index };
    if (k === "Escape") { close(); sf?.view.el.focus(); return true; }
    if (k === "Delete" || k === "Backspace") { remove(entry); sf?.view.el.focus(); return true; }
    const rel = sf?.relLabels.find((r) => r.spans_label === active.labelName);
    if (k === "l" && rel) { startLinking(active, rel); return true; }
    const opt = label?.options?.[Number(k) - 1];
    if (/^[1-9]$/.test(k) && opt) { ops.relabel(entry, opt.value); return true; }
    return false;
  }

  return {
    pick, render, key, reset, remove,
    /** Keys of the spans drawn as chosen (the open one, or the link source). */
    marks: () => new Set([active, linking].filter(Boolean).map((a) => spanKey(a.labelName, a.index))),
    /** A span's panel or a relation label choice is open (the arrow keys then belong to it, not the text). */
    busy: () => Boolean(active || relChoice),
  };
}
