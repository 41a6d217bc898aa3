// A chat transcript (a data field of kind chat): turns [{role, content}] shown as a conversation.
// With chat_turns labels on the field, createChatView puts each label's controls under the turns
// it may label (chat_turns.js) and takes the keys: the editor treats it like a media view
// ({el, refresh, handleKey}). Turn content is only ever text.

import { h } from "./dom.js";
import { createTurnControls, labelsOfTurn } from "./chat_turns.js";

export function turnsOf(value) {
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object" && Array.isArray(value.messages)) return value.messages;
  return null;
}

export function roleOf(turn) {
  const role = typeof turn === "object" && turn ? turn.role ?? turn.speaker ?? "" : "";
  return typeof role === "string" ? role : "";
}

export function contentOf(turn) {
  const content = typeof turn === "object" && turn ? turn.content ?? turn.text ?? "" : turn;
  return typeof content === "string" ? content : JSON.stringify(content);
}

function turnItem(turn, i, n) {
  const role = roleOf(turn);
  return h("li", { class: `turn role-${/^[a-z]+$/.test(role) ? role : "other"}`, "data-turn": i,
    "aria-label": `Turn ${i + 1} of ${n}${role ? `, ${role}` : ""}` },
  h("span", { class: "turn-role", text: role || `turn ${i + 1}` }),
  h("div", { class: "turn-content", text: contentOf(turn) }));
}

export function renderChat(value) {
  const turns = turnsOf(value);
  if (!turns) return null;
  return h("ol", { class: "chat", "aria-label": `Conversation of ${turns.length} turns` },
    turns.map((turn, i) => turnItem(turn, i, turns.length)));
}

let views = 0; // ids stay unique with several editors on a page (Review)

const HELP = "j/k or ↓/↑: next/previous turn · 1–9: option · Shift+1–9 (Shift+0: 10): rating · "
  + "N: note (Esc leaves it) · X: clear the turn · L: next label of the turn";

/**
 * The transcript of one chat field with its chat_turns labels' controls, or null when the value is not
 * a transcript. get(name) / set(name, value) read and write the editor's result; predicted(name): the
 * label still shows the item's pre-labels.
 */
export function createChatView({ field, value, labels, get, set, predicted = () => false }) {
  const turns = turnsOf(value);
  if (!turns) return null;
  const uid = `chat${++views}`;
  const mine = labels.filter((l) => l.kind === "chat_turns" && l.field === field);
  const helpId = `${uid}-${field}-chat-help`;
  const list = h("ol", { class: "chat chat-labelled", "aria-label": `Conversation of ${turns.length} turns` });
  const status = h("p", { class: "muted small chat-status", role: "status", "aria-live": "polite" });
  const say = (message) => { status.textContent = message; };
  const el = h("div", { class: "chat-view", "data-errors-for": mine.map((l) => l.name).join(" ") },
    mine.length ? h("p", { class: "muted small chat-help", id: helpId, text: HELP }) : null, list, mine.length ? status : null);
  let cursor = null; // the turn the keys act on
  const rows = turns.map((turn, i) => {
    const li = turnItem(turn, i, turns.length);
    const eligible = labelsOfTurn(mine, roleOf(turn));
    const row = { li, turn: i, controls: [], active: 0 };
    if (eligible.length) {
      li.tabIndex = 0;
      li.classList.add("labelable");
      li.setAttribute("aria-describedby", helpId);
      li.addEventListener("focus", () => { cursor = row; });
      const box = h("div", { class: "turn-labels" });
      row.controls = eligible.map((label) => createTurnControls(label, i, {
        uid, say, get: () => get(label.name), set: (v) => set(label.name, v), focusTurn: () => li.focus(),
        predicted: () => predicted(label.name),
      }));
      box.append(...row.controls.map((c) => c.el));
      li.append(box);
    }
    list.append(li);
    return row;
  });
  const labelled = rows.filter((r) => r.controls.length);

  function refresh() {
    for (const row of labelled) {
      row.controls.forEach((c, k) => c.sync(k === row.active && row.controls.length > 1));
      row.li.classList.toggle("has-labels", row.controls.some((c) => c.given()));
    }
  }

  function move(delta) {
    if (!labelled.length) return;
    const at = cursor ? labelled.indexOf(cursor) : -1;
    const next = at < 0 ? (delta > 0 ? 0 : labelled.length - 1) : Math.max(0, Math.min(labelled.length - 1, at + delta));
    cursor = labelled[next];
    cursor.li.focus({ preventScroll: true });
    cursor.li.scrollIntoView({ block: "nearest" });
  }

  function handleKey(event) {
    if (!mine.length || event.ctrlKey || event.altKey || event.metaKey) return false;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const inTurn = event.target instanceof Element ? event.target.closest(".turn.labelable") : null;
    if (inTurn) cursor = labelled.find((r) => r.li === inTurn) ?? cursor;
    const inside = el.contains(event.target);
    if (key === "j" || (inside && key === "ArrowDown")) { move(1); return true; }
    if (key === "k" || (inside && key === "ArrowUp")) { move(-1); return true; }
    if (!inTurn || !cursor) return false;
    if (key === "l" && cursor.controls.length > 1) {
      cursor.active = (cursor.active + 1) % cursor.controls.length;
      refresh();
      cursor.controls[cursor.active].announce();
      return true;
    }
    return cursor.controls[cursor.active].handleKey(event, key);
  }

  refresh();
  return { el, refresh, handleKey, labels: mine };
}
