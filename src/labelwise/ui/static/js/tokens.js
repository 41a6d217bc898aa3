// Tokens of a text in code-point offsets (words, numbers, single punctuation marks), and snapping
// a selection to them. Built once per text; lookups are binary searches.

const TOKEN = /[\p{L}\p{N}\p{M}_]+|[^\s\p{L}\p{N}\p{M}_]/gu;

export function tokenize(text) {
  const starts = [];
  const ends = [];
  let cp = 0; // code points before lastIndex
  let last = 0; // UTF-16 index matching ``cp``
  for (const m of text.matchAll(TOKEN)) {
    cp += countPoints(text, last, m.index);
    const len = countPoints(text, m.index, m.index + m[0].length);
    starts.push(cp);
    ends.push(cp + len);
    cp += len;
    last = m.index + m[0].length;
  }
  return { starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}

function countPoints(s, from, to) {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // a low surrogate does not start a code point
  }
  return n;
}

/** Index of the last token starting at or before ``offset`` (-1 when none). */
function tokenAt(tokens, offset) {
  let lo = 0;
  let hi = tokens.starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens.starts[mid] <= offset) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

/** Widen [start, end) to whole tokens; null when it holds no token. */
export function snapToTokens(tokens, start, end) {
  if (!tokens.starts.length || end <= start) return null;
  let i = tokenAt(tokens, start);
  if (i < 0 || tokens.ends[i] <= start) i += 1; // start in white space: the next token
  let j = tokenAt(tokens, end - 1);
  if (i >= tokens.starts.length || j < i) return null;
  return { start: tokens.starts[i], end: tokens.ends[j] };
}

/** The index of the token holding ``offset``, or of the first token after it (for keyboard selection). */
export function tokenIndexAt(tokens, offset) {
  const i = tokenAt(tokens, offset);
  if (i >= 0 && tokens.ends[i] > offset) return i;
  return Math.min(i + 1, tokens.starts.length - 1);
}
