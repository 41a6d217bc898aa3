// A text field with labelled spans, fast on long documents: the text is cut into chunks of about
// 2,000 code points once; a chunk is split into segments at span edges and only the chunks a change
// touches are rebuilt. Every segment is one element holding one text node, tagged with its start
// offset, so a DOM selection maps to code-point offsets in O(1) and back.
//
// createSpanText(text, {tokens, snap, onPick}) -> {el, update(entries, marks), selection(),
//   select(start, end), keyboardKey(event), segmentsOf(key), clear()}
// entries: [{key, start, end, option, labelName, color, pred}] (key: unique per span).

import { h } from "./dom.js";
import { snapToTokens, tokenIndexAt } from "./tokens.js";

const CHUNK = 2000;

function points(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/**
 * Chunk boundaries (code points): after a line break near every CHUNK code points when there is one
 * (that chunk is a block: the browser lays it out alone, and skips it while off screen), else after
 * a white-space character (an inline chunk).
 */
function chunkBounds(chars) {
  const bounds = [0];
  const blocks = [];
  let at = 0;
  while (chars.length - at > CHUNK * 1.5) {
    let cut = -1;
    for (let i = at + CHUNK / 2; i < at + CHUNK * 1.5; i++) {
      if (chars[i - 1] === "\n" && (cut < 0 || Math.abs(i - at - CHUNK) < Math.abs(cut - at - CHUNK))) cut = i;
    }
    let block = cut > 0;
    if (!block) {
      cut = at + CHUNK;
      const limit = Math.min(chars.length, cut + 200);
      while (cut < limit && !/\s/u.test(chars[cut - 1])) cut++;
    }
    blocks.push(block);
    bounds.push(cut);
    at = cut;
  }
  blocks.push(blocks.length > 0 && blocks[blocks.length - 1]);
  bounds.push(chars.length);
  return { bounds, blocks };
}

export function createSpanText(text, { tokens, snap = "token", onPick = () => {} } = {}) {
  const chars = Array.from(text ?? "");
  const { bounds, blocks } = chunkBounds(chars);
  const el = h("div", { class: "span-text", tabindex: 0, role: "region", "data-length": chars.length,
    "aria-label": "Text: select with the mouse, or Shift+Arrow keys word by word; then press a label's key" });
  const chunks = [];
  for (let c = 0; c < bounds.length - 1; c++) {
    const chunk = h("span", { class: blocks[c] ? "chunk block" : "chunk" });
    chunk.dataset.c = String(c);
    chunks.push({ el: chunk, start: bounds[c], end: bounds[c + 1], sig: null });
    el.append(chunk);
  }
  let entries = [];
  let marked = new Set(); // keys drawn as selected / link source
  const kb = { anchor: -1, focus: -1 }; // keyboard selection in token indices

  function renderChunk(ch, spans) {
    const cuts = new Set([ch.start, ch.end]);
    for (const s of spans) {
      if (s.start > ch.start) cuts.add(s.start);
      if (s.end < ch.end) cuts.add(s.end);
    }
    const pts = [...cuts].sort((a, b) => a - b);
    const frag = document.createDocumentFragment();
    for (let i = 0; i < pts.length - 1; i++) {
      const [a, b] = [pts[i], pts[i + 1]];
      const piece = chars.slice(a, b).join("");
      const covering = spans.filter((s) => s.start <= a && s.end >= b);
      if (!covering.length) {
        const seg = h("span", { class: "seg" }, piece);
        seg.dataset.s = String(a);
        frag.append(seg);
        continue;
      }
      covering.sort((x, y) => (y.end - y.start) - (x.end - x.start)); // outermost first
      const inner = covering[covering.length - 1];
      const ending = covering.filter((s) => s.end === b && !s.pred).map((s) => s.option);
      const mark = h("mark", {
        class: `seg span${covering.length > 1 ? " nested" : ""}${covering.every((s) => s.pred) ? " pred" : ""}`
          + `${covering.some((s) => marked.has(s.key)) ? " marked" : ""}`,
        title: covering.map((s) => `${s.option}${s.pred ? " (pre-label)" : ""}`).join(" ⊃ ") + " — click to edit",
      }, piece);
      mark.dataset.s = String(a);
      mark.dataset.keys = covering.map((s) => s.key).join(" ");
      if (ending.length) mark.dataset.label = ending.join(" · ");
      if (inner.pred) mark.style.borderColor = inner.color;
      else mark.style.backgroundColor = inner.color;
      // every enclosing span adds an underline of its colour, outermost lowest: nesting stays visible
      const rings = covering.slice(0, -1).map((s, k) => `inset 0 -${3 * (covering.length - 1 - k)}px 0 0 ${s.color}`);
      if (rings.length) mark.style.boxShadow = rings.reverse().join(", ");
      mark.style.paddingBottom = `${3 * (covering.length - 1)}px`;
      frag.append(mark);
    }
    ch.el.replaceChildren(frag);
  }

  /** Draw ``next`` entries, rebuilding only the chunks whose spans changed. */
  function update(next, nextMarked = new Set()) {
    entries = next;
    marked = nextMarked;
    const per = chunks.map(() => []);
    for (const s of entries) {
      // chunks are sorted: find the first whose end is past the span's start
      let lo = 0;
      let hi = chunks.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (chunks[mid].end <= s.start) lo = mid + 1; else hi = mid;
      }
      for (let c = lo; c < chunks.length && chunks[c].start < s.end; c++) per[c].push(s);
    }
    const stale = [];
    per.forEach((spans, c) => {
      const sig = spans.map((s) => `${s.key}:${s.start}:${s.end}:${s.option}:${s.color}:${s.pred ? 1 : 0}:${marked.has(s.key) ? 1 : 0}`).join("|");
      if (sig === chunks[c].sig) return;
      chunks[c].sig = sig;
      stale.push(c);
    });
    if (!stale.length) return;
    const kept = rawSelection(); // rebuilt segments drop the browser's selection: put it back
    for (const c of stale) renderChunk(chunks[c], per[c]);
    if (kept) select(kept.start, kept.end);
  }

  // ---- DOM positions <-> offsets -------------------------------------------------------------
  function offsetOf(node, offset) {
    const seg = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest?.(".seg");
    if (!seg || !el.contains(seg)) {
      if (node === el || node.classList?.contains("chunk")) {
        const child = node.childNodes[offset] ?? null;
        if (child?.dataset?.s) return Number(child.dataset.s);
        const ch = node === el ? chunks[offset] : chunks[Number(node.dataset.c)];
        if (ch) return node === el ? ch.start : ch.end;
        return chars.length;
      }
      return null;
    }
    const start = Number(seg.dataset.s);
    if (node.nodeType !== Node.TEXT_NODE) return offset === 0 ? start : start + points(seg.textContent);
    return start + points(node.data.slice(0, offset));
  }

  function segmentAt(offset) {
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (chunks[mid].start <= offset) lo = mid; else hi = mid - 1;
    }
    let found = null;
    for (const seg of chunks[lo].el.children) {
      if (Number(seg.dataset.s) <= offset) found = seg; else break;
    }
    return found;
  }

  function domPoint(offset) {
    const seg = segmentAt(Math.min(offset, chars.length));
    const node = seg.firstChild;
    const skip = offset - Number(seg.dataset.s);
    let i = 0;
    for (let n = 0; n < skip && i < node.data.length; n++) {
      const c = node.data.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    return [node, i];
  }

  /** Select [start, end) in the page (shown as the browser's selection). */
  function select(start, end) {
    const sel = window.getSelection();
    const range = document.createRange();
    range.setStart(...domPoint(start));
    range.setEnd(...domPoint(end));
    sel.removeAllRanges();
    sel.addRange(range);
  }

  /** The browser's selection inside the text as {start, end} code points, as it is (not snapped); or null. */
  function rawSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    if (!el.contains(range.startContainer) || !el.contains(range.endContainer)) return null;
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    return start === null || end === null ? null : { start, end };
  }

  /** The current selection inside the text as {start, end, text}, snapped as the label asks; or null. */
  function selection() {
    const raw = rawSelection();
    if (!raw) return null;
    let { start, end } = raw;
    if (snap === "token" && tokens) {
      const snapped = snapToTokens(tokens, start, end);
      if (!snapped) return null;
      ({ start, end } = snapped);
    } else {
      while (start < end && /\s/u.test(chars[start])) start++;
      while (end > start && /\s/u.test(chars[end - 1])) end--;
    }
    if (end <= start) return null;
    return { start, end, text: chars.slice(start, end).join("") };
  }

  function clear() {
    kb.anchor = kb.focus = -1;
  }

  /** Arrow keys move a token cursor, Shift+Arrow extends it; Space opens the span under it. */
  function keyboardKey(event) {
    if (!tokens || !tokens.starts.length) return false;
    const n = tokens.starts.length;
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      const step = event.key === "ArrowRight" ? 1 : -1;
      if (kb.focus < 0) {
        const sel = selection();
        kb.anchor = kb.focus = sel ? tokenIndexAt(tokens, sel.start) : 0;
        if (sel && event.shiftKey) kb.focus = tokenIndexAt(tokens, sel.end - 1);
      } else {
        kb.focus = Math.max(0, Math.min(n - 1, kb.focus + step));
        if (!event.shiftKey) kb.anchor = kb.focus;
      }
      const [a, b] = [Math.min(kb.anchor, kb.focus), Math.max(kb.anchor, kb.focus)];
      select(tokens.starts[a], tokens.ends[b]);
      segmentAt(tokens.starts[kb.focus])?.scrollIntoView?.({ block: "nearest" });
      return true;
    }
    if (event.key === " " && kb.focus >= 0) {
      const at = tokens.starts[kb.focus];
      const here = entries.filter((s) => s.start <= at && s.end > at);
      if (!here.length) return false;
      here.sort((x, y) => (x.end - x.start) - (y.end - y.start));
      onPick(here[0], here);
      return true;
    }
    return false;
  }

  el.addEventListener("click", (event) => {
    const mark = event.target.closest?.("mark.seg");
    if (!mark || !window.getSelection()?.isCollapsed) return; // finishing a selection, not a click
    const keys = mark.dataset.keys.split(" ");
    const here = keys.map((k) => entries.find((s) => s.key === k)).filter(Boolean);
    if (!here.length) return;
    here.sort((x, y) => (x.end - x.start) - (y.end - y.start));
    event.preventDefault();
    onPick(here[0], here);
  });
  el.addEventListener("mousedown", clear);

  /** The elements drawing one span (for the relation arrows). */
  function segmentsOf(key) {
    const s = entries.find((e) => e.key === key);
    if (!s) return [];
    const out = [];
    let seg = segmentAt(s.start);
    while (seg && Number(seg.dataset.s) < s.end) {
      out.push(seg);
      seg = seg.nextElementSibling ?? seg.parentElement.nextElementSibling?.firstElementChild ?? null;
    }
    return out;
  }

  return { el, update, selection, select, keyboardKey, segmentsOf, clear, length: chars.length };
}
