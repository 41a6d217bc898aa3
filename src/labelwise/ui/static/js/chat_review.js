// Per-turn labels read-only: one line per labelled turn (a result), and in Review a table per
// chat_turns label with a row per labelled turn and a column per annotator, rows where everyone
// gave the same answer marked. Content is text only.

import { h } from "./dom.js";
import { contentOf, roleOf, turnsOf } from "./chat.js";

/** "helpful, off_topic · 4/5 · “note”" for one entry. */
export function describeEntry(label, entry) {
  const parts = [];
  if (entry?.labels?.length) parts.push(entry.labels.join(", "));
  if (entry?.rating !== undefined && entry?.rating !== null) parts.push(`${entry.rating}/${label.rating ?? "?"}`);
  if (entry?.note) parts.push(`“${entry.note}”`);
  return parts.join(" · ");
}

/** A chat_turns value as a list: "turn 2 (assistant): helpful · 4/5". */
export function renderTurnLabels(label, value, data) {
  const turns = turnsOf(data?.[label.field]) ?? [];
  if (!Array.isArray(value) || !value.length) return h("span", { class: "muted", text: "none" });
  return h("ul", { class: "turn-summary" }, value.map((e) => {
    const role = roleOf(turns[e.turn]);
    return h("li", { "data-turn": e.turn }, h("strong", { text: `turn ${e.turn + 1}${role ? ` (${role})` : ""}: ` }),
      describeEntry(label, e));
  }));
}

const clip = (text, n = 160) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** Review: every annotator's per-turn labels side by side, one table per chat_turns label. */
export function chatReviewTables(schema, item, annotations) {
  const labels = (schema?.labels ?? []).filter((l) => l.kind === "chat_turns");
  return labels.map((label) => {
    const turns = turnsOf(item.data?.[label.field]) ?? [];
    const byAnn = annotations.map((a) => new Map((Array.isArray(a.result?.[label.name]) ? a.result[label.name] : [])
      .map((e) => [e.turn, e])));
    const labelled = [...new Set(byAnn.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
    const table = h("table", { class: "chat-review", "data-label": label.name },
      h("caption", { text: `${label.name}: per-turn labels of ${annotations.length} annotator${annotations.length === 1 ? "" : "s"}` }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Turn" }), h("th", { scope: "col", text: "Text" }),
        annotations.map((a) => h("th", { scope: "col", text: a.annotator })), h("th", { scope: "col", text: "Same" }))));
    const body = h("tbody");
    if (!labelled.length) {
      body.append(h("tr", {}, h("td", { colspan: annotations.length + 3, class: "muted", text: "No turn labelled." })));
    }
    for (const t of labelled) {
      const cells = byAnn.map((m) => describeEntry(label, m.get(t)));
      const same = cells.every((c) => c === cells[0]);
      const role = roleOf(turns[t]);
      body.append(h("tr", { class: same ? "agree" : null, "data-turn": t },
        h("th", { scope: "row", text: `${t + 1}${role ? ` ${role}` : ""}` }),
        h("td", { class: "turn-text", text: clip(turns[t] === undefined ? "" : contentOf(turns[t])) }),
        cells.map((c) => h("td", { text: c || "—" })),
        h("td", { text: same ? "✓ yes" : "no" })));
    }
    table.append(body);
    return table;
  });
}
