// Inputs for comparing model outputs: pairwise preference (A / B / tie and a reason, the two
// responses side by side with their word differences highlighted) and ranking (drag, or keys).

import { h } from "./dom.js";
import { diffViews } from "./wdiff.js";

const asText = (v) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v, null, 2));

function head(label) {
  return h("legend", {}, label.name, label.required ? h("span", { class: "required", title: "required" }, " *") : null,
    label.description ? h("span", { class: "label-help", title: label.description, tabindex: 0,
      "aria-label": `About ${label.name}: ${label.description}` }, "?") : null);
}

/** The fields a pairwise or ranking label shows itself (the data view leaves them out). */
export function fieldsShownBy(label) {
  if (label.kind === "pairwise" && label.fields?.length) return label.fields;
  if (label.kind === "ranking") return label.fields?.length ? label.fields : label.field ? [label.field] : [];
  return [];
}

export function pairwiseChoices(label) {
  return label.allow_tie === false ? ["a", "b"] : ["a", "b", "tie"];
}

export function pairwiseWidget(label, { uid, keys, set, data, get }) {
  const [fa, fb] = label.fields?.length ? label.fields : [null, null];
  const names = label.fields?.length ? label.fields : (label.options ?? []).map((o) => o.value);
  const fieldset = h("fieldset", { class: "widget widget-pairwise", "data-label": label.name }, head(label));
  if (fa && fb) {
    const [left, right] = diffViews(asText(data?.[fa]), asText(data?.[fb]));
    fieldset.append(h("div", { class: "compare" },
      h("section", { class: "compare-side", "aria-label": `Response A (${fa})` }, h("h4", { text: `A · ${fa}` }), left),
      h("section", { class: "compare-side", "aria-label": `Response B (${fb})` }, h("h4", { text: `B · ${fb}` }), right)));
  }
  const titles = { a: `A is better${names[0] ? ` (${names[0]})` : ""}`, b: `B is better${names[1] ? ` (${names[1]})` : ""}`, tie: "Tie" };
  const buttons = pairwiseChoices(label).map((choice) => h("button", {
    type: "button", class: "choice-button", "data-choice": choice, "aria-pressed": "false",
    onclick: () => choose(choice),
  }, titles[choice], keys.get(choice) ? h("kbd", { class: "key", "aria-hidden": "true", text: keys.get(choice) }) : null));
  const reasonId = `${uid}-${label.name}-reason`;
  const reason = h("textarea", { id: reasonId, rows: 2, placeholder: "Why? (optional)" });
  fieldset.append(h("div", { class: "options pairwise-buttons", role: "group", "aria-label": `${label.name}: which is better` }, buttons),
    h("label", { for: reasonId, class: "small", text: "Reason" }), reason);
  function choose(choice) {
    const now = get() ?? {};
    set(now.choice === choice && !reason.value ? null : { ...now, choice, ...(reason.value ? { reason: reason.value } : {}) });
  }
  reason.addEventListener("input", () => {
    const now = get() ?? {};
    if (!now.choice) return; // a reason alone is not an answer; it is kept with the choice
    const next = { choice: now.choice };
    if (reason.value) next.reason = reason.value;
    set(next);
  });
  const sync = (value) => {
    const choice = value?.choice === names[0] ? "a" : value?.choice === names[1] ? "b" : value?.choice;
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.choice === choice));
    if (document.activeElement !== reason) reason.value = value?.reason ?? "";
  };
  return { el: fieldset, sync, pick: choose };
}

function rankItems(label, data) {
  if (label.options?.length) return label.options.map((o) => ({ id: o.value, text: o.value }));
  if (label.fields?.length) return label.fields.map((f) => ({ id: f, text: asText(data?.[f]), name: f }));
  const list = Array.isArray(data?.[label.field]) ? data[label.field] : [];
  return list.map((item, i) => {
    const id = item && typeof item === "object" && "id" in item ? item.id : i;
    const text = item && typeof item === "object" ? item.text ?? item.content ?? JSON.stringify(item) : item;
    return { id, text: asText(text), name: String(id) };
  });
}

export function rankingWidget(label, { set, data }) {
  const items = rankItems(label, data);
  let order = items.map((it) => it.id);
  let given = false;
  const list = h("ol", { class: "ranking", "aria-label": `${label.name}: best first. Shift+Arrow moves the focused response` });
  const status = h("p", { class: "muted small", "aria-live": "polite" });
  const fieldset = h("fieldset", { class: "widget widget-ranking", "data-label": label.name }, head(label),
    h("p", { class: "muted small", text: "Best first. Drag, or focus one and press Shift+↑/↓ (or the buttons)." }),
    list, status,
    h("button", { type: "button", class: "small", onclick: () => commit(), text: "Keep this order" }));
  let dragged = null;

  function move(id, delta, focus = true) {
    const i = order.indexOf(id);
    const j = Math.max(0, Math.min(order.length - 1, i + delta));
    if (i === j && given) return;
    order.splice(i, 1);
    order.splice(j, 0, id);
    commit();
    status.textContent = `${itemOf(id).name ?? itemOf(id).text} is now #${j + 1}`;
    if (focus) list.querySelector(`[data-pos="${j}"]`)?.focus();
  }
  const itemOf = (id) => items.find((it) => it.id === id);
  function commit() { given = true; set([...order]); }

  function render() {
    list.replaceChildren(...order.map((id, pos) => {
      const it = itemOf(id);
      const li = h("li", { class: "rank-item", tabindex: 0, draggable: "true", "data-pos": pos,
        "aria-label": `#${pos + 1}: ${it.name ? `${it.name}: ` : ""}${it.text.slice(0, 80)}` },
      h("span", { class: "rank-pos", "aria-hidden": "true", text: `${pos + 1}` }),
      h("div", { class: "rank-text" }, it.name && it.name !== it.text ? h("strong", { text: `${it.name} ` }) : null, it.text),
      h("span", { class: "rank-moves" },
        h("button", { type: "button", class: "small", "aria-label": "Move up", tabindex: -1, onclick: () => move(id, -1) }, "↑"),
        h("button", { type: "button", class: "small", "aria-label": "Move down", tabindex: -1, onclick: () => move(id, 1) }, "↓")));
      li.addEventListener("keydown", (event) => {
        if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
        event.preventDefault();
        const delta = event.key === "ArrowUp" ? -1 : 1;
        if (event.shiftKey || event.altKey) move(id, delta);
        else list.querySelector(`[data-pos="${Math.max(0, Math.min(order.length - 1, pos + delta))}"]`)?.focus();
      });
      li.addEventListener("dragstart", (event) => { dragged = id; event.dataTransfer.effectAllowed = "move"; li.classList.add("dragging"); });
      li.addEventListener("dragend", () => li.classList.remove("dragging"));
      li.addEventListener("dragover", (event) => { event.preventDefault(); });
      li.addEventListener("drop", (event) => {
        event.preventDefault();
        if (dragged === null || dragged === id) return;
        move(dragged, order.indexOf(id) - order.indexOf(dragged), false);
        dragged = null;
      });
      return li;
    }));
  }

  const sync = (value) => {
    const ids = new Set(items.map((it) => it.id));
    if (Array.isArray(value) && value.length === items.length && value.every((v) => ids.has(v))) {
      order = [...value];
      given = true;
    } else if (value == null) {
      given = false;
    }
    const focusedPos = list.contains(document.activeElement) ? document.activeElement.dataset?.pos : null;
    render();
    fieldset.classList.toggle("unset", !given);
    if (focusedPos != null) list.querySelector(`[data-pos="${focusedPos}"]`)?.focus();
  };
  return { el: fieldset, sync };
}
