// The controls of one chat_turns label on one turn: option chips, a 1..N rating, a note.
// The label's value is a list of entries {turn, labels?, rating?, note?} (docs/schema.md); an entry
// left with nothing is dropped, so clearing a turn removes it from the result.

import { h } from "./dom.js";

/** The chat_turns labels that may label a turn by ``role``. */
export function labelsOfTurn(labels, role) {
  return labels.filter((l) => !Array.isArray(l.roles) || l.roles.includes(role));
}

function entriesOf(value) {
  return Array.isArray(value) ? value : [];
}

/** The label's value with the entry of ``turn`` changed by ``change`` (null when nothing is left). */
export function withTurn(value, turn, change) {
  const list = entriesOf(value);
  const next = change({ ...(list.find((e) => e.turn === turn) ?? { turn }) });
  if (!next.labels?.length) delete next.labels;
  if (next.rating === null || next.rating === undefined) delete next.rating;
  if (!next.note) delete next.note;
  const rest = list.filter((e) => e.turn !== turn);
  if (next.labels || next.rating !== undefined || next.note) rest.push(next);
  rest.sort((a, b) => a.turn - b.turn);
  return rest.length ? rest : null;
}

/**
 * ctx: {uid, get, set, say, focusTurn, predicted}: get()/set(v) read and write this label's value,
 * say(msg) announces a change, predicted() tells whether the value shown is still the pre-label. Returns {el, sync(active), given(), handleKey(event, key), announce()}.
 */
export function createTurnControls(label, turn, { uid, get, set, say, focusTurn, predicted }) {
  const options = label.options ?? [];
  const what = `${label.name}, turn ${turn + 1}`;
  const entry = () => entriesOf(get()).find((e) => e.turn === turn);
  const change = (fn, message) => { set(withTurn(get(), turn, fn)); say(`${what}: ${message}`); };
  const keyOf = (opt, i) => opt.shortcut ?? label.shortcuts?.[opt.value] ?? (i < 9 ? String(i + 1) : null);

  function toggle(value) {
    const chosen = new Set(entry()?.labels ?? []);
    const on = !chosen.has(value);
    if (!on) chosen.delete(value);
    else if (label.multiple) chosen.add(value);
    else { chosen.clear(); chosen.add(value); }
    change((e) => ({ ...e, labels: options.map((o) => o.value).filter((v) => chosen.has(v)) }), `${value} ${on ? "on" : "off"}`);
  }

  function rate(n) {
    if (!label.rating || n < 1 || n > label.rating) return false;
    const same = entry()?.rating === n;
    change((e) => ({ ...e, rating: same ? null : n }), same ? "rating cleared" : `rated ${n} of ${label.rating}`);
    return true;
  }

  const group = h("div", { class: "turn-label", "data-label": label.name, role: "group", "aria-label": what },
    h("span", { class: "turn-label-name small", text: label.name }));
  const chips = options.map((opt, i) => {
    const key = keyOf(opt, i);
    return h("button", { type: "button", class: "chip", tabindex: -1, "data-option": opt.value, "aria-pressed": "false",
      "aria-label": `${opt.value}${key ? ` (key ${key})` : ""}`, title: opt.description ?? null, onclick: () => toggle(opt.value) },
    opt.value, key ? h("kbd", { class: "key", "aria-hidden": "true", text: key }) : null);
  });
  if (chips.length) group.append(h("span", { class: "chips" }, chips));
  const stars = Array.from({ length: label.rating ?? 0 }, (_, i) => h("button", {
    type: "button", class: "rate", tabindex: -1, "data-rating": i + 1, "aria-pressed": "false",
    "aria-label": `Rate ${i + 1} of ${label.rating} (Shift+${(i + 1) % 10})`, onclick: () => rate(i + 1) }, String(i + 1)));
  if (stars.length) {
    group.append(h("span", { class: "turn-rating", role: "group", "aria-label": `${what}: rating 1 to ${label.rating}` },
      h("span", { class: "muted small", "aria-hidden": "true", text: "rating" }), stars));
  }
  let noteOpen = false;
  let note = null; // the note box, made when first needed (a long chat has hundreds of turns)
  if (label.note) {
    group.append(h("button", { type: "button", class: "small link-button", tabindex: -1, onclick: () => openNote() },
      "note ", h("kbd", { class: "key", "aria-hidden": "true", text: "N" })));
  }

  function noteBox() {
    if (note) return note;
    note = h("textarea", { id: `${uid}-${label.name}-note-${turn}`, class: "turn-note", rows: 1, hidden: true,
      "aria-label": `${what}: note`, placeholder: "Note (Esc returns to the turn)" });
    note.addEventListener("input", () => change((e) => ({ ...e, note: note.value }), "note changed"));
    note.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); noteOpen = false; focusTurn(); sync(shown.active, true); }
    });
    group.append(note);
    return note;
  }

  function openNote() {
    noteOpen = true;
    noteBox().hidden = false;
    note.focus();
  }

  // what the controls show now: sync skips a turn whose entry (kept by identity across edits) is unchanged
  const shown = { entry: null, active: false, predicted: false, drawn: false };

  function sync(active = false, force = false) {
    const e = entry();
    const pred = predicted();
    if (!force && shown.drawn && e === shown.entry && active === shown.active && pred === shown.predicted) return;
    Object.assign(shown, { entry: e, active, predicted: pred, drawn: true });
    const chosen = new Set(e?.labels ?? []);
    for (const chip of chips) {
      const on = chosen.has(chip.dataset.option);
      chip.setAttribute("aria-pressed", String(on));
      chip.classList.toggle("on", on);
    }
    for (const star of stars) {
      const n = Number(star.dataset.rating);
      star.setAttribute("aria-pressed", String(e?.rating === n));
      star.classList.toggle("lit", e?.rating !== undefined && n <= e.rating);
    }
    if (e?.note) noteBox();
    if (note) {
      if (document.activeElement !== note) note.value = e?.note ?? "";
      note.hidden = !(noteOpen || e?.note || document.activeElement === note);
    }
    group.classList.toggle("active", active);
    group.classList.toggle("predicted", pred);
  }

  function handleKey(event, key) {
    if (event.shiftKey && /^Digit[0-9]$/.test(event.code ?? "")) return rate(Number(event.code.slice(5)) || 10);
    if (event.shiftKey) return false;
    const i = options.findIndex((o, k) => keyOf(o, k) !== null && keyOf(o, k).toLowerCase() === key);
    if (i >= 0) { toggle(options[i].value); return true; }
    if (/^[1-9]$/.test(key) && !options.length) return rate(Number(key));
    if (key === "n" && label.note) { openNote(); return true; }
    if (key === "x" || key === "Delete" || key === "Backspace") {
      if (!entry()) return true;
      noteOpen = false;
      change(() => ({ turn }), "cleared");
      sync(shown.active, true);
      return true;
    }
    return false;
  }

  return { el: group, sync, handleKey, given: () => entry() !== undefined, announce: () => say(`Keys now set ${label.name}`) };
}
