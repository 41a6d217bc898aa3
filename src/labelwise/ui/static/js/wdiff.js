// Word-level diff of two texts (longest common subsequence over words and white space), for
// side-by-side comparisons. Long inputs fall back to a common prefix/suffix so the page stays fast.

import { h } from "./dom.js";

const WORDS = /\s+|[\p{L}\p{N}\p{M}_'’-]+|[^\s\p{L}\p{N}\p{M}_]/gu;
const MAX_CELLS = 4_000_000;

export function words(text) {
  return String(text ?? "").match(WORDS) ?? [];
}

/** [{op: "same" | "del" | "add", text}] turning ``a`` into ``b``. */
export function diffWords(a, b) {
  const x = words(a);
  const y = words(b);
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (suf < x.length - pre && suf < y.length - pre && x[x.length - 1 - suf] === y[y.length - 1 - suf]) suf++;
  const xs = x.slice(pre, x.length - suf);
  const ys = y.slice(pre, y.length - suf);
  const out = [];
  const push = (op, text) => {
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += text; else if (text) out.push({ op, text });
  };
  push("same", x.slice(0, pre).join(""));
  if (xs.length * ys.length > MAX_CELLS) {
    push("del", xs.join(""));
    push("add", ys.join(""));
  } else {
    const n = xs.length;
    const m = ys.length;
    const L = new Uint32Array((n + 1) * (m + 1)); // L[i][j]: LCS of xs[i:], ys[j:]
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        L[i * (m + 1) + j] = xs[i] === ys[j] ? L[(i + 1) * (m + 1) + j + 1] + 1
          : Math.max(L[(i + 1) * (m + 1) + j], L[i * (m + 1) + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (xs[i] === ys[j]) { push("same", xs[i]); i++; j++; }
      else if (L[(i + 1) * (m + 1) + j] >= L[i * (m + 1) + j + 1]) push("del", xs[i++]);
      else push("add", ys[j++]);
    }
    while (i < n) push("del", xs[i++]);
    while (j < m) push("add", ys[j++]);
  }
  push("same", x.slice(x.length - suf).join(""));
  return out;
}

/** Two elements showing ``a`` and ``b`` with the words only one of them has highlighted. */
export function diffViews(a, b) {
  const parts = diffWords(a, b);
  const left = h("div", { class: "diff-text" });
  const right = h("div", { class: "diff-text" });
  for (const p of parts) {
    if (p.op === "same") { left.append(p.text); right.append(p.text); }
    else if (p.op === "del") left.append(h("del", { class: "diff-del", text: p.text }));
    else right.append(h("ins", { class: "diff-add", text: p.text }));
  }
  return [left, right];
}
