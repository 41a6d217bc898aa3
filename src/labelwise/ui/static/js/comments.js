// Comments on the item on screen: the thread (authors and text, shown as text) and a box to add one.

import { get, post } from "./api.js";
import { h, say } from "./dom.js";

export function createComments(box, projectId) {
  if (!box) return { show: () => {} };
  const list = h("ol", { class: "comment-list", "aria-live": "polite" });
  const input = h("textarea", { id: "comment-body", rows: 2, maxlength: 5000, placeholder: "Ask or note something about this item" });
  const status = h("p", { class: "small muted", hidden: true });
  const send = h("button", { type: "button", class: "small", onclick: () => add() }, "Comment");
  box.replaceChildren(h("h2", { text: "Comments" }), list,
    h("label", { for: "comment-body", class: "small", text: "New comment (Ctrl+Enter in the box sends it)" }), input, send, status);
  let itemId = null;

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.stopPropagation();
      add();
    }
  });

  function render(rows) {
    list.replaceChildren(...(rows.length ? rows.map((c) => h("li", {},
      h("span", { class: "comment-author small", text: c.author ?? "(deleted user)" }), " ",
      h("time", { class: "muted small", datetime: c.created_at, text: new Date(c.created_at).toLocaleString() }),
      h("p", { class: "comment-body", text: c.body }))) : [h("li", { class: "muted small", text: "No comments." })]));
  }

  async function show(id) {
    itemId = id;
    box.hidden = id === null;
    if (id === null) return;
    list.replaceChildren();
    try {
      const rows = await get(`/projects/${projectId}/items/${id}/comments`);
      if (itemId === id) render(rows);
    } catch (err) {
      say(status, err.message);
    }
  }

  async function add() {
    const body = input.value.trim();
    if (!body || itemId === null) return;
    try {
      await post(`/projects/${projectId}/items/${itemId}/comments`, { body });
      input.value = "";
      say(status, "");
      await show(itemId);
    } catch (err) {
      say(status, err.message);
    }
  }
  return { show };
}
