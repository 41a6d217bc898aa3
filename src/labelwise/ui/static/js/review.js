// Review: the queue of annotated items; each item's annotations side by side with
// Accept / Reject (comment required) / Correct. Keys: A accept, R reject, N next item.

import { ApiError, get, post, pageProject } from "./api.js";
import { chatReviewTables } from "./chat_review.js";
import { fill, h, isTyping, say } from "./dom.js";
import { createEditor } from "./editor.js";
import { mergePanel } from "./merge.js";
import { createMediaOverlay } from "./media/overlay.js";
import { renderData, renderResult } from "./results.js";
import { agreement, agreementLegend, agreementList, withAgreement } from "./span_agree.js";

const project = pageProject();
const box = document.getElementById("review");
let schema = null;
let queue = [];
let position = 0;
let lastId = 0;
let cards = [];
let merge = null;

async function loadMore() {
  const page = await get(`/projects/${project.id}/review/queue`, { after: lastId, limit: 20 });
  if (page.length) lastId = page[page.length - 1].id;
  queue.push(...page);
  return page.length;
}

async function showNext() {
  position += 1;
  if (position >= queue.length) {
    queue = [];
    position = 0;
    if (!(await loadMore())) {
      lastId = 0; // items sent back and revised meanwhile come first again
      await loadMore();
    }
  }
  render();
}

function pendingAnnotations(item) {
  return item.annotations.filter((a) => a.status === "submitted");
}

function render() {
  const item = queue[position];
  cards = [];
  if (!item) {
    fill(box, h("div", { class: "done", role: "status" }, h("h2", { text: "Nothing to review" }),
      h("p", { text: "Every annotated item has been reviewed." })));
    return;
  }
  const anns = pendingAnnotations(item);
  const grid = h("div", { class: "review-grid" });
  const compare = anns.length > 1 && (schema.labels ?? []).some((l) => l.kind === "spans");
  const agrees = compare ? agreement(schema, anns) : new Map();
  anns.forEach((ann, i) => {
    const card = reviewCard(item, ann, i, agrees.get(ann.id));
    cards.push(card);
    grid.append(card.el);
  });
  merge = anns.length > 1 ? mergePanel(schema, item, anns, { onAccept: (result) => acceptMerge(item, anns, result) }) : null;
  fill(box,
    h("div", { class: "task-head" },
      h("h2", {}, "Item ", h("a", { href: `/projects/${project.id}/items/${item.id}`, class: "mono", text: item.key ?? item.id })),
      h("span", { class: "muted small", text: `state: ${item.state}` }),
      h("button", { type: "button", id: "review-next", onclick: showNext }, "Next item ", h("kbd", { text: "N" }))),
    renderData(schema, item.data), overlays(item, anns), chatReviewTables(schema, item, anns), merge?.el ?? null,
    compare ? agreementLegend() : null, grid);
  cards.find((c) => !c.done)?.focus();
}

/** Every annotator's objects, ranges or tracks over each media field, matches marked (media/overlay.js). */
function overlays(item, anns) {
  return Object.entries(schema?.fields ?? {}).map(([field, kind]) => createMediaOverlay({ field, kind,
    value: item.data?.[field], meta: item.meta, labels: schema.labels ?? [], annotations: anns })?.el ?? null);
}

/** An annotation's result; with ``agrees``, its spans marked by how they compare with the others'. */
function shownResult(item, ann, agrees) {
  if (!agrees) return renderResult(schema, ann.result, item.data);
  return h("div", {}, renderResult(schema, withAgreement(schema, ann.result, agrees), item.data),
    agreementList(schema, ann.result, item.data, agrees));
}

function reviewCard(item, ann, index, agrees) {
  const status = h("p", { class: "review-status", role: "status" });
  const body = h("div", { class: "review-body" }, shownResult(item, ann, agrees));
  const comment = h("textarea", { id: `comment-${ann.id}`, rows: 2, placeholder: "Why? The annotator sees this." });
  const rejectBox = h("div", { class: "reject-box", hidden: true },
    h("label", { for: `comment-${ann.id}`, text: "Comment (required)" }), comment,
    h("div", { class: "row-end" }, h("button", { type: "button", class: "danger", onclick: () => act("reject") }, "Send back")));
  let editor = null;
  const buttons = h("div", { class: "review-actions" },
    h("button", { type: "button", class: "primary", onclick: () => act("accept") }, "Accept ", h("kbd", { text: "A" })),
    h("button", { type: "button", onclick: () => openReject() }, "Reject ", h("kbd", { text: "R" })),
    h("button", { type: "button", onclick: () => openCorrect() }, "Correct"));
  const el = h("article", { class: "card review-card", tabindex: 0, "data-annotation": ann.id,
    "aria-label": `Annotation ${index + 1} by ${ann.annotator}` },
  h("h3", { class: "annotator", text: ann.annotator }),
  h("p", { class: "muted small", text: ann.review_status ? `review: ${ann.review_status}` : "not reviewed yet" }),
  body, rejectBox, buttons, status);
  const card = { el, done: false, focus: () => el.focus(), accept: () => act("accept"), reject: openReject };

  comment.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); act("reject"); }
    if (event.key === "Escape") { rejectBox.hidden = true; el.focus(); }
  });

  function openReject() {
    if (card.done) return;
    rejectBox.hidden = false;
    comment.focus();
  }

  function openCorrect() {
    if (card.done) return;
    editor = createEditor({ schema, data: item.data, result: ann.result, uid: `c${ann.id}` });
    fill(body, editor.root, h("div", { class: "row-end" },
      h("button", { type: "button", onclick: () => fill(body, shownResult(item, ann, agrees)) }, "Cancel"),
      h("button", { type: "button", class: "primary", onclick: () => act("correct") }, "Save correction")));
    el.addEventListener("keydown", (event) => {
      if (editor && !isTyping(event.target) && editor.handleKey(event)) { event.preventDefault(); event.stopPropagation(); }
    });
  }

  async function act(action) {
    if (card.done) return;
    const payload = { action };
    if (action === "reject") {
      payload.comment = comment.value.trim();
      if (!payload.comment) { say(status, "Write a comment: it tells the annotator what to fix."); comment.focus(); return; }
    }
    if (action === "correct") payload.result = editor.result();
    try {
      await post(`/projects/${project.id}/annotations/${ann.id}/review`, payload);
    } catch (err) {
      if (editor && err instanceof ApiError) editor.showErrors(err.errors, err.message);
      say(status, err.message);
      return;
    }
    card.done = true;
    const outcome = { accept: "Accepted", reject: "Rejected: sent back to the annotator", correct: "Corrected" }[action];
    say(status, outcome);
    el.dataset.outcome = action;
    rejectBox.hidden = true;
    buttons.hidden = true;
    if (action === "correct") fill(body, renderResult(schema, payload.result, item.data));
    const open = cards.find((c) => !c.done);
    if (open) open.focus(); else setTimeout(showNext, 400);
  }
  return card;
}

async function acceptMerge(item, anns, result) {
  const status = h("p", { class: "review-status", role: "status" });
  merge.el.append(status);
  try {
    for (const ann of anns) {
      await post(`/projects/${project.id}/annotations/${ann.id}/review`, { action: "correct", result, comment: "merged" });
    }
  } catch (err) {
    say(status, `Merge not saved: ${err.message}`);
    return;
  }
  say(status, "Merged: every annotation corrected to the merged result.");
  for (const card of cards) card.done = true;
  setTimeout(showNext, 400);
}

function currentCard() {
  return cards.find((c) => c.el.contains(document.activeElement) && !c.done) ?? cards.find((c) => !c.done);
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented || isTyping(event.target)) return;
  const key = event.key.toLowerCase();
  if (key === "m" && merge) { event.preventDefault(); merge.el.querySelector("button.primary")?.click(); } else if (key === "n") { event.preventDefault(); showNext(); } else if (key === "a") {
    event.preventDefault();
    currentCard()?.accept();
  } else if (key === "r") {
    event.preventDefault();
    currentCard()?.reject();
  }
});

async function start() {
  try {
    schema = (await get(`/projects/${project.id}`)).schema;
    await loadMore();
  } catch (err) {
    fill(box, h("p", { class: "notice error", role: "alert", text: err.message }));
    return;
  }
  position = 0;
  render();
}

start();
