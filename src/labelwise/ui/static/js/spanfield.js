// One text field with spans in the editor: the span text (spantext.js), relation arrows, the
// selection status line, the span panel's place, the option legend (click or key) and the list of
// spans. draw(result, prediction, marked) redraws it from a result.

import { h } from "./dom.js";
import { createRelationLayer } from "./relations.js";
import { optionColor, spanList } from "./spans.js";
import { createSpanText } from "./spantext.js";
import { tokenize } from "./tokens.js";

const LIST_LIMIT = 200; // span list entries shown (long documents hold thousands)

export const spanKey = (labelName, index) => `${labelName}#${index}`;

/**
 * field, text; labels: the spans labels of this field; allLabels: the schema's labels;
 * keys: Map(key -> {label, option}) for this field; onPick(sf, entry): a span was clicked or
 * chosen by Space; onSelect(sf): the text selection may have changed; onAdd(label, option): a
 * legend button; onDelete(entry): a list entry's remove button.
 */
export function createSpanField({ field, text, labels, allLabels, keys, onPick, onSelect, onAdd, onDelete }) {
  const relLabels = allLabels.filter((l) => l.kind === "relations" && labels.some((s) => s.name === l.spans_label));
  const snap = labels[0].snap ?? "token";
  const sf = { field, text, labels, relLabels, listed: "" };
  sf.view = createSpanText(text, { tokens: tokenize(text), snap, onPick: (entry) => onPick(sf, entry) });
  sf.holder = h("div", { class: "span-holder" }, sf.view.el);
  sf.relations = relLabels.length ? createRelationLayer(sf.holder, sf.view) : null;
  if (relLabels.length) sf.view.el.classList.add("with-relations");
  sf.status = h("p", { class: "selection-status muted small", "aria-live": "polite" });
  sf.panel = h("div", { class: "span-panel", hidden: true, role: "group", "aria-label": "The chosen span" });
  const legend = h("div", { class: "span-legend" }, labels.map((label) =>
    (label.options ?? []).map((opt, i) => {
      const key = [...keys].find(([, a]) => a.label === label && a.option === opt.value)?.[0];
      const button = h("button", { type: "button", class: "span-option", "data-option": opt.value,
        title: opt.description ?? null, "aria-description": opt.description ?? null },
      h("span", { class: "swatch", "aria-hidden": "true" }), opt.value, key ? h("kbd", { text: key }) : null);
      button.querySelector(".swatch").style.backgroundColor = optionColor(opt, i);
      button.addEventListener("mousedown", (e) => e.preventDefault()); // keep the text selection
      button.addEventListener("click", () => onAdd(label, opt.value));
      return button;
    })));
  sf.list = h("div", { class: "span-list-holder", "data-errors-for": labels.map((l) => l.name).join(" ") });
  sf.view.el.addEventListener("mouseup", () => setTimeout(() => onSelect(sf), 0));
  sf.view.el.addEventListener("keyup", (e) => { if (e.shiftKey || e.key.startsWith("Arrow")) onSelect(sf); });
  sf.el = h("div", {}, sf.holder, sf.status, sf.panel, legend, sf.list);

  /** The spans to draw: the result's, or a label's pre-labels while it has none (pred: true). */
  function entries(result, prediction) {
    const out = [];
    for (const label of labels) {
      const given = result[label.name];
      const predicted = given === undefined ? prediction?.result?.[label.name] : undefined;
      const list = Array.isArray(given) ? given : Array.isArray(predicted) ? predicted : [];
      list.forEach((s, index) => {
        const optIndex = (label.options ?? []).findIndex((o) => o.value === s.label);
        out.push({ ...s, key: spanKey(label.name, index), option: s.label, labelName: label.name, index,
          pred: given === undefined, color: optionColor(label.options?.[optIndex], Math.max(optIndex, 0)) });
      });
    }
    return out;
  }

  sf.spanText = (s) => {
    sf.chars ??= Array.from(text);
    return s.text ?? sf.chars.slice(s.start, s.end).join("");
  };

  function relationsOf(result) {
    const out = [];
    for (const rel of relLabels) {
      const spans = result[rel.spans_label] ?? [];
      const find = (ref) => (typeof ref === "number" ? ref : spans.findIndex((s) => s.id === ref));
      for (const r of result[rel.name] ?? []) {
        const a = find(r.from);
        const b = find(r.to);
        if (a >= 0 && b >= 0) out.push({ from: spanKey(rel.spans_label, a), to: spanKey(rel.spans_label, b), label: r.label ?? "" });
      }
    }
    return out;
  }

  /** Redraw from ``result``; ``marked``: keys of the spans drawn as chosen. */
  sf.draw = (result, prediction, marked) => {
    const all = entries(result, prediction);
    sf.view.update(all, marked);
    const real = all.filter((e) => !e.pred);
    const shown = real.length > LIST_LIMIT ? real.slice(-LIST_LIMIT) : real;
    const sig = shown.map((e) => `${e.key}:${e.start}:${e.end}:${e.option}`).join("|");
    if (sig !== sf.listed) {
      sf.listed = sig;
      sf.list.replaceChildren(spanList(shown.map((e) => ({ ...e, text: sf.spanText(e) })), { onDelete }));
      if (real.length > LIST_LIMIT) sf.list.append(h("p", { class: "muted small", text: `The last ${LIST_LIMIT} of ${real.length} spans are listed; click a span in the text (or move onto it with the arrow keys and press Space) to edit any of them.` }));
    }
    sf.relations?.draw(relationsOf(result));
  };
  return sf;
}
