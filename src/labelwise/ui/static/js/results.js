// A result, read-only: one row per label; spans highlighted on their text.
import { renderChat } from "./chat.js";
import { renderTurnLabels } from "./chat_review.js";
import { formatValue, h } from "./dom.js";
import { optionColor, renderSpanText } from "./spans.js";

export function renderResult(schema, result, data) {
  const labels = schema?.labels ?? [];
  const known = new Set(labels.map((l) => l.name));
  const list = h("dl", { class: "result" });
  if (!result || !Object.keys(result).length) {
    list.append(h("div", {}, h("dt", { text: "result" }), h("dd", { class: "muted", text: "empty" })));
    return list;
  }
  for (const label of labels) {
    if (!(label.name in result)) continue;
    const value = result[label.name];
    let shown;
    if (label.kind === "spans" && Array.isArray(value) && typeof data?.[label.field] === "string") {
      const spans = value.map((s) => {
        const i = (label.options ?? []).findIndex((o) => o.value === s.label);
        return { ...s, option: s.label, labelName: label.name, color: optionColor(label.options?.[i], Math.max(i, 0)) };
      });
      shown = value.length ? renderSpanText(data[label.field], spans) : h("span", { class: "muted", text: "none" });
    } else if (label.kind === "chat_turns" && Array.isArray(value)) {
      shown = renderTurnLabels(label, value, data);
    } else {
      shown = Array.isArray(value) && value.every((v) => typeof v !== "object") ? value.join(", ") : formatValue(value);
    }
    list.append(h("div", { "data-label": label.name }, h("dt", { text: label.name }), h("dd", {}, shown)));
  }
  for (const [name, value] of Object.entries(result)) {
    if (!known.has(name)) list.append(h("div", {}, h("dt", { text: name }), h("dd", { text: formatValue(value) })));
  }
  return list;
}

export function renderData(schema, data) {
  const fields = Object.keys(schema?.fields ?? {}).length ? Object.keys(schema.fields) : Object.keys(data ?? {});
  return h("div", { class: "data-view" }, fields.map((field) => {
    const value = data?.[field];
    return h("section", { class: "field" },
      fields.length > 1 ? h("h3", { class: "field-name", text: field }) : null,
      (schema?.fields?.[field] === "chat" && renderChat(value)) || h("div", { class: "data-text", text: typeof value === "string" ? value : JSON.stringify(value, null, 2) }));
  }));
}
