// The item's data in the editor, one section per field: media fields (static/js/media/), text
// fields with spans (a span field made by makeSpanField), chats, and the rest as text or JSON.
// Fields a label shows itself (compared responses, a ranking's list) are left out.

import { h } from "./dom.js";
import { createChatView, turnsOf } from "./chat.js";
import { fieldsShownBy } from "./llm.js";
import { createMediaView, MEDIA_FIELD_KINDS } from "./media/index.js";

const TEXT_KINDS = new Set(["text", "markdown", "html", "url", "number", "list", "json", "table"]);

/**
 * Append the sections to ``dataView``. media: {get, set, predicted} for the media views;
 * makeSpanField(field, value, spanLabels) -> element. Returns {mediaViews, mediaFields}.
 */
export function renderDataFields(dataView, { fields, data, meta, labels, media, makeSpanField }) {
  const shownElsewhere = new Set(labels.flatMap(fieldsShownBy));
  const many = Object.keys(fields).length > 1;
  const mediaViews = [];
  const mediaFields = new Set();
  for (const [field, kind] of Object.entries(fields)) {
    if (shownElsewhere.has(field)) continue;
    const value = data?.[field];
    const view = MEDIA_FIELD_KINDS.has(kind) ? createMediaView({ field, kind, value, meta, labels, ...media }) : null;
    if (view) {
      mediaViews.push(view);
      mediaFields.add(field);
      dataView.append(h("section", { class: "field media-field", "data-field": field },
        many ? h("h3", { class: "field-name", text: field }) : null, view.el));
      continue;
    }
    const spanLabels = labels.filter((l) => l.kind === "spans" && l.field === field);
    const section = h("section", { class: "field", "data-field": field },
      many || spanLabels.length ? h("h3", { class: "field-name", text: field }) : null);
    if (spanLabels.length && typeof value === "string") {
      section.append(makeSpanField(field, value, spanLabels));
    } else if (kind === "chat" && turnsOf(value)) {
      const chat = createChatView({ field, value, labels, ...media }); // with its chat_turns labels
      if (chat.labels.length) { mediaViews.push(chat); mediaFields.add(field); }
      section.append(chat.el);
    } else if (TEXT_KINDS.has(kind) || value === undefined || typeof value !== "object") {
      section.append(h("div", { class: "data-text", text: value === undefined ? "(missing)"
        : typeof value === "string" ? value : JSON.stringify(value, null, 2) }));
    } else {
      section.append(h("pre", { class: "data-text", text: JSON.stringify(value, null, 2) }));
    }
    dataView.append(section);
  }
  return { mediaViews, mediaFields };
}
