// Text with labelled spans: render highlighted (overlaps allowed), turn a mouse selection into
// offsets. Offsets count Unicode code points, like the server (Python str indices).

import { h } from "./dom.js";

const PALETTE = ["#ffe08a", "#b5e3ff", "#c9f2c2", "#ffc9de", "#e2d4ff", "#ffd5b0", "#c8f0ee", "#f0e6a8"];

/** How a span compares with other annotators' (review, span_agree.js): its text marker and words. */
export const AGREE = {
  all: { mark: "=", words: "all annotators marked it" },
  some: { mark: "≈", words: "some annotators marked it" },
  label: { mark: "≠", words: "another annotator gave the same text another label" },
  only: { mark: "+", words: "only this annotator marked it" },
};

export function optionColor(option, index) {
  return option?.color || PALETTE[index % PALETTE.length];
}

/**
 * The text of one data field as a selectable block.
 * spans: [{start, end, option, labelName, index, color}] (index: position in its label's list).
 */
export function renderSpanText(text, spans, { onDelete } = {}) {
  const chars = Array.from(text ?? "");
  const cuts = new Set([0, chars.length]);
  for (const s of spans) {
    cuts.add(Math.max(0, Math.min(s.start, chars.length)));
    cuts.add(Math.max(0, Math.min(s.end, chars.length)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const box = h("div", { class: "span-text", "data-length": chars.length });
  for (let i = 0; i < points.length - 1; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const piece = chars.slice(a, b).join("");
    const covering = spans.filter((s) => s.start <= a && s.end >= b);
    if (!covering.length) {
      box.append(document.createTextNode(piece));
      continue;
    }
    const inner = covering.reduce((x, y) => (y.end - y.start < x.end - x.start ? y : x));
    // review: a span's agreement with other annotators (span_agree.js) adds a marker to its label
    const ending = covering.filter((s) => s.end === b).map((s) => (s.agree ? `${s.option} ${AGREE[s.agree]?.mark ?? ""}` : s.option));
    const mark = h("mark", {
      class: `span${covering.length > 1 ? " nested" : ""}${inner.agree ? ` agree-${inner.agree}` : ""}`,
      title: covering.map((s) => `${s.option} (${s.labelName})${s.agree ? `: ${AGREE[s.agree]?.words ?? ""}` : ""}`).join(", ")
        + (onDelete ? " — click to remove" : ""),
      dataset: { ...(ending.length ? { label: ending.join(" ") } : {}), ...(inner.agree ? { agree: inner.agree } : {}) },
    }, piece);
    mark.style.backgroundColor = inner.color;
    if (onDelete) {
      mark.addEventListener("click", (event) => {
        if (!window.getSelection()?.isCollapsed) return; // finishing a selection, not a click
        event.preventDefault();
        onDelete(inner);
      });
    }
    box.append(mark);
  }
  return box;
}

function offsetIn(box, node, offset) {
  const range = document.createRange();
  range.setStart(box, 0);
  range.setEnd(node, offset);
  return Array.from(range.toString()).length;
}

/** The selection inside ``box`` as {start, end} code-point offsets, trimmed of white space; or null. */
export function selectionIn(box) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return null;
  let start = offsetIn(box, range.startContainer, range.startOffset);
  let end = offsetIn(box, range.endContainer, range.endOffset);
  const chars = Array.from(box.textContent);
  while (start < end && /\s/u.test(chars[start])) start++;
  while (end > start && /\s/u.test(chars[end - 1])) end--;
  if (end <= start) return null;
  return { start, end, text: chars.slice(start, end).join("") };
}

export function spanList(spans, { onDelete } = {}) {
  if (!spans.length) return h("p", { class: "muted small", text: "No spans yet: select text, then press a label's key." });
  return h("ul", { class: "span-list" }, spans.map((s) => {
    const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.backgroundColor = s.color;
    return h("li", {}, swatch,
      h("span", { class: "span-quote", text: `“${s.text}”` }), " ",
      h("strong", { text: s.option }),
      onDelete ? h("button", {
        type: "button", class: "link-button small", "aria-label": `Remove ${s.option} “${s.text}”`,
        onclick: () => onDelete(s),
      }, "remove") : null);
  }));
}
