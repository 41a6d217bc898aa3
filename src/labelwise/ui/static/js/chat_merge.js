// Review merge of one chat_turns label, turn by turn: for each turn any annotator labelled, every
// annotator's labels / rating / note, then a checkbox per option, per rating and per note given there.
// The majority is ticked first as the final labels are computed (domain turn_final): an option when more
// than half of the annotators who gave the label chose it, the lower median of the ratings; a note only
// when more than half wrote the same one. A rating, a note and (without ``multiple``) an option are one of
// a kind per turn: ticking one unticks the others. ↑/↓ and Space are merge.js's. User text is text only.

import { h } from "./dom.js";
import { contentOf, roleOf, turnsOf } from "./chat.js";
import { describeEntry } from "./chat_review.js";

const clip = (text, n = 120) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** The lower median of numbers (as Python's statistics.median_low). */
export function medianLow(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
}

/**
 * Per turn any annotator labelled: {turn, entries: [{annotator, entry}], options: [{value, votes, pick}],
 * ratings: [{value, votes, pick}], notes: [{value, votes, pick}]}; ``pick`` is the majority choice.
 */
export function turnVotes(label, annotations) {
  const givers = annotations.filter((a) => Array.isArray(a.result?.[label.name]));
  const n = givers.length;
  const byTurn = new Map();
  for (const ann of givers) {
    for (const entry of ann.result[label.name]) {
      if (!Number.isInteger(entry?.turn)) continue;
      if (!byTurn.has(entry.turn)) byTurn.set(entry.turn, []);
      byTurn.get(entry.turn).push({ annotator: ann.annotator, entry });
    }
  }
  const count = (list) => {
    const m = new Map();
    for (const v of list) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
  };
  return [...byTurn.keys()].sort((a, b) => a - b).map((turn) => {
    const entries = byTurn.get(turn);
    const optionVotes = count(entries.flatMap(({ entry }) => entry.labels ?? []));
    const options = (label.options ?? []).map((o) => o.value ?? o).filter((v) => optionVotes.has(v))
      .map((value) => ({ value, votes: optionVotes.get(value), pick: optionVotes.get(value) * 2 > n }));
    const given = entries.map(({ entry }) => entry.rating).filter((r) => Number.isInteger(r));
    const median = medianLow(given);
    const ratings = [...count(given)].sort((a, b) => a[0] - b[0])
      .map(([value, votes]) => ({ value, votes, pick: value === median }));
    const notes = [...count(entries.map(({ entry }) => entry.note).filter((t) => typeof t === "string" && t))]
      .map(([value, votes]) => ({ value, votes, pick: votes * 2 > n }));
    return { turn, entries, options, ratings, notes };
  });
}

/**
 * The merge section of one chat_turns label: {el, boxes, value()}; value() is the list of merged entries
 * (sorted by turn, only turns with something ticked), or undefined when nothing is ticked.
 */
export function chatMergeSection(label, item, annotations) {
  const votes = turnVotes(label, annotations);
  if (!votes.length) return null;
  const n = annotations.filter((a) => Array.isArray(a.result?.[label.name])).length;
  const turns = turnsOf(item.data?.[label.field]) ?? [];
  const picks = []; // {turn, kind, value, box}
  const group = (turn, kind) => picks.filter((p) => p.turn === turn && p.kind === kind);
  const exclusive = (kind) => kind !== "options" || !label.multiple;

  function pickBox(turn, kind, choice, text) {
    const id = `m${item.id}-${label.name}-t${turn}-${kind}-${picks.length}`;
    const box = h("input", { type: "checkbox", id, "data-kind": kind });
    box.checked = choice.pick;
    const pick = { turn, kind, value: choice.value, box };
    picks.push(pick);
    box.addEventListener("change", () => {
      if (box.checked && exclusive(kind)) for (const p of group(turn, kind)) if (p !== pick) p.box.checked = false;
    });
    return h("li", { "data-kind": kind }, box, " ", h("label", { for: id },
      h("span", { class: "span-vote", text: `${choice.votes}/${n}` }), text));
  }

  const list = h("ul", { class: "merge-chat", "data-label": label.name }, votes.map((v) => {
    const role = roleOf(turns[v.turn]);
    const voters = new Map(v.entries.map(({ annotator, entry }) => [annotator, entry]));
    return h("li", { class: "merge-turn", "data-turn": v.turn },
      h("p", { class: "merge-turn-head" }, h("strong", { text: `Turn ${v.turn + 1}${role ? ` (${role})` : ""}: ` }),
        h("span", { class: "turn-text muted", text: clip(turns[v.turn] === undefined ? "" : contentOf(turns[v.turn])) })),
      h("ul", { class: "merge-turn-votes small" }, annotations.filter((a) => Array.isArray(a.result?.[label.name]))
        .map((a) => h("li", { "data-annotator": a.annotator },
          h("span", { class: "muted", text: `${a.annotator}: ` }), describeEntry(label, voters.get(a.annotator)) || "—"))),
      h("ul", { class: "merge-turn-picks" },
        v.options.map((o) => pickBox(v.turn, "options", o, o.value)),
        v.ratings.map((r) => pickBox(v.turn, "rating", r, `rating ${r.value}/${label.rating ?? "?"}`)),
        v.notes.map((t) => pickBox(v.turn, "note", t, `note “${t.value}”`))));
  }));

  const el = h("div", { class: "merge-chat-box" }, h("h4", { text: label.name }),
    h("p", { class: "small muted", text: `Per turn: what each annotator gave, then what the merged result keeps; ` +
      "the majority is ticked (an option more than half chose, the lower median rating). ↑/↓ move, Space ticks." }),
    list);

  function value() {
    const out = [];
    for (const v of votes) {
      const ticked = (kind) => group(v.turn, kind).filter((p) => p.box.checked).map((p) => p.value);
      const entry = { turn: v.turn };
      const labels = ticked("options");
      if (labels.length) entry.labels = labels;
      const [rating] = ticked("rating");
      if (rating !== undefined) entry.rating = rating;
      const [note] = ticked("note");
      if (note !== undefined) entry.note = note;
      if (Object.keys(entry).length > 1) out.push(entry);
    }
    return out.length ? out : undefined;
  }
  return { el, name: label.name, value };
}
