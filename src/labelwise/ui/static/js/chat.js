// A chat transcript (a data field of kind chat): turns [{role, content}] shown as a conversation.
// Per-turn labels (kind chat_turns is not in the schema yet) use the turn index shown here.

import { h } from "./dom.js";

function turnsOf(value) {
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object" && Array.isArray(value.messages)) return value.messages;
  return null;
}

export function renderChat(value) {
  const turns = turnsOf(value);
  if (!turns) return null;
  return h("ol", { class: "chat", "aria-label": `Conversation of ${turns.length} turns` }, turns.map((turn, i) => {
    const role = typeof turn === "object" && turn ? String(turn.role ?? turn.speaker ?? "") : "";
    const content = typeof turn === "object" && turn ? turn.content ?? turn.text ?? "" : turn;
    return h("li", { class: `turn role-${/^[a-z]+$/.test(role) ? role : "other"}`, "data-turn": i },
      h("span", { class: "turn-role", text: role || `turn ${i + 1}` }),
      h("div", { class: "turn-content", text: typeof content === "string" ? content : JSON.stringify(content) }));
  }));
}
