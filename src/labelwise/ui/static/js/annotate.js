// Annotate: take tasks one after another, keyboard first. The task after the one on screen is
// prefetched (and shown the moment the submit is stored), every change is kept as a draft in
// localStorage and on the server, time spent is shown and sent as lead_time, and one's own history
// can be walked back and forth.

import { ApiError, get, post, put, pageProject } from "./api.js";
import { createComments } from "./comments.js";
import { debounce, fill, h, isTyping, say } from "./dom.js";
import { createDraftStore } from "./drafts.js";
import { createEditor } from "./editor.js";

const project = pageProject();
const taskBox = document.getElementById("task");
const saveState = document.getElementById("save-state");
const skipDialog = document.getElementById("skip-dialog");
const skipForm = document.getElementById("skip-form");
const skipReason = document.getElementById("skip-reason");
const comments = createComments(document.getElementById("comments"), project.id);
const warningsBox = document.getElementById("check-warnings");
let submitError = null; // next to the submit button: a refused submission's message

let schema = null;
let task = null; // the task on screen
let queueTask = null; // the queue's task while a history item is on screen
let editor = null;
let prefetched = null; // Promise of the next task (or null when there is none)
let busy = false;
let clock = { since: performance.now(), spent: 0, total: 0 };
let history = null; // {rows, at}: own submitted/skipped annotations, newest first; at = index on screen
const perf = (window.__lwPerf = window.__lwPerf ?? { submitToNext: [], open: [] });

const path = (suffix) => `/projects/${project.id}/tasks${suffix}`;

const drafts = createDraftStore(project.id, {
  onState: (state) => {
    if (!task) return;
    say(saveState, { saved: "Draft saved.", queued: "Draft saved.", offline: "Offline: the draft is kept in this browser and will be sent when the server answers." }[state]);
    saveState.dataset.state = state;
  },
});

function tick() {
  const t = performance.now();
  if (!document.hidden) {
    clock.spent += (t - clock.since) / 1000;
    clock.total += (t - clock.since) / 1000;
  }
  clock.since = t;
}
document.addEventListener("visibilitychange", tick);

function takeLeadTime() {
  tick();
  const spent = Math.round(clock.spent * 1000) / 1000;
  clock.spent = 0;
  return spent;
}

const timerEl = h("span", { class: "timer mono small", "aria-label": "Time on this task" });
setInterval(() => {
  if (!task) return;
  tick();
  const s = Math.floor(clock.total);
  // No emoji: a machine without an emoji font draws an empty box.
  timerEl.textContent = `Time ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}, 1000);

const flushSoon = debounce(() => drafts.flush(), 800);

function changed(result) {
  if (!task) return;
  drafts.write(task.id, result, takeLeadTime());
  say(saveState, "Saving draft…");
  flushSoon();
}

function fetchNext(exclude) {
  return post(path("/next"), undefined, { exclude }).catch((err) => ({ error: err }));
}

function prefetch() {
  const current = task;
  prefetched = fetchNext(current ? [current.id] : []).then((next) =>
    next && !next.error && current && next.id === current.id ? null : next);
}

function showDone() {
  task = null;
  editor = null;
  fill(taskBox,
    h("div", { class: "done", role: "status" },
      h("h2", { text: "No more tasks" }),
      h("p", { text: "Every item that needs you is done. Thank you!" }),
      h("p", {}, h("a", { href: `/projects/${project.id}`, text: "Back to the project" }))),
    historyNav());
  comments.show(null);
  say(saveState, "");
}

function historyNav() {
  const back = h("button", { type: "button", id: "history-prev", onclick: () => walk(1),
    title: "Your previous item (Alt+←)" }, "← Previous");
  const fwd = h("button", { type: "button", id: "history-next", onclick: () => walk(-1),
    title: "Next item in your history (Alt+→)", disabled: !history || history.at < 0 }, "Next →");
  return h("nav", { class: "history-nav", "aria-label": "Your history" }, back, fwd,
    history && history.at >= 0 ? h("span", { class: "muted small", text: `history ${history.at + 1} of ${history.rows.length}` }) : null);
}

function showTask(next, { fromHistory = false } = {}) {
  const t0 = performance.now();
  if (!next) return showDone();
  if (next.error) {
    fill(taskBox, h("p", { class: "notice error", role: "alert", text: next.error.message }));
    return;
  }
  task = next;
  if (!fromHistory) history = null;
  clock = { since: performance.now(), spent: 0, total: next.lead_time ?? 0 };
  flushSoon.cancel();
  const rejected = task.review?.status === "rejected";
  const local = drafts.read(task.id);
  const start = local && !local.sent ? local.draft : task.draft ?? task.result ?? {};
  const restored = local ? "draft restored (from this browser)" : task.draft ? "draft restored" : "";
  if (local) drafts.flush();
  editor = createEditor({ schema, data: task.data, meta: task.meta, result: start, predictions: task.result || task.draft ? [] : task.predictions,
    uid: `t${task.id}`, onChange: changed });
  const resubmit = task.status === "submitted";
  const submitLabel = rejected || resubmit ? "Resubmit" : "Submit";
  fill(taskBox,
    h("div", { class: "task-head" },
      h("h2", { class: "task-title" }, "Item ", h("span", { class: "mono", text: task.key ?? task.id })),
      h("span", { class: "muted small draft-note", text: restored }),
      fromHistory ? h("span", { class: "badge", text: task.status === "skipped" ? "skipped earlier" : "submitted earlier" }) : null,
      timerEl),
    rejected ? h("div", { class: "notice warn review-comment", role: "note" },
      h("strong", { text: "Sent back by a reviewer: " }), h("span", { class: "comment", text: task.review.comment })) : null,
    editor.root,
    h("div", { class: "task-actions" },
      h("button", { type: "button", class: "primary", id: "submit-task", onclick: submit, "aria-describedby": "submit-error" },
        submitLabel, " ", h("kbd", { text: "Enter" })),
      submitError = h("span", { id: "submit-error", class: "field-error submit-error", role: "alert", hidden: true }),
      rejected || resubmit ? null : h("button", { type: "button", id: "skip-task", onclick: openSkip }, "Skip ", h("kbd", { text: "S" })),
      historyNav()));
  say(saveState, "");
  taskBox.dataset.item = String(task.id);
  taskBox.focus({ preventScroll: true });
  comments.show(task.id);
  perf.open.push(performance.now() - t0);
}

async function renewOrReplace(next) {
  try {
    await post(path(`/${next.id}/lease`));
  } catch (err) {
    if (err instanceof ApiError && (err.status === 409 || err.status === 404) && task === next) {
      showTask(await fetchNext([]));
      if (task) prefetch();
    }
  }
}

async function advance(started) {
  if (queueTask) { // back from the history: the queue's task was waiting
    const back = queueTask;
    queueTask = null;
    showTask(back);
    return;
  }
  let next = prefetched ? await prefetched : null;
  prefetched = null;
  if (!next || next.error) next = await fetchNext([]);
  showTask(next);
  if (started !== undefined) requestAnimationFrame(() => perf.submitToNext.push(performance.now() - started));
  if (task && next === task) {
    renewOrReplace(next); // the prefetched lease may have run out while the last task was on screen
    prefetch();
  }
}

async function submit() {
  if (busy || !task || !editor) return;
  const started = performance.now();
  busy = true;
  flushSoon.cancel();
  await drafts.settled();
  const body = { result: editor.result(), lead_time: takeLeadTime() };
  const local = drafts.read(task.id);
  if (local?.lead_time) body.lead_time += local.lead_time;
  const resubmit = task.status === "submitted";
  const done = task;
  try {
    say(saveState, "Submitting…");
    say(submitError, "");
    const stored = resubmit ? await put(path(`/${done.id}/annotation`), body) : await post(path(`/${done.id}/submit`), body);
    drafts.forget(done.id);
    showWarnings(done, stored?.warnings);
    say(saveState, "");
    if (history && history.at >= 0) {
      history.rows[history.at] = { ...history.rows[history.at], result: body.result };
      await walk(-1);
    } else {
      await advance(started);
    }
  } catch (err) {
    clock.spent += body.lead_time;
    say(saveState, "");
    if (err instanceof ApiError) {
      editor.showErrors(err.errors, err.message);
      say(submitError, err.message); // a blocking check (422) names its rule here
    } else {
      editor.showErrors([], "Could not reach the server; your work is kept here. Try again.");
      say(submitError, "Not sent: the server did not answer. Your work is kept here.");
    }
  } finally {
    busy = false;
  }
}

// ---- warnings of the automatic checks: shown after the submit, never in the way -----------------------
function showWarnings(item, warnings) {
  if (!warnings?.length) { warningsBox.replaceChildren(); return; }
  fill(warningsBox,
    h("p", { class: "check-warnings-title" },
      h("strong", { text: `Item ${item.key ?? item.id} was saved with ${warnings.length === 1 ? "a warning" : `${warnings.length} warnings`}` }),
      " from the project's automatic checks (a reviewer may look at it):"),
    h("ul", {}, warnings.map((w) => h("li", { class: "check-warning", "data-rule": w.rule },
      h("span", { class: "mono", text: w.rule }), ": ", h("span", { text: w.message })))),
    h("button", { type: "button", class: "small link-button", onclick: () => warningsBox.replaceChildren() }, "Dismiss"));
}

// ---- history: own earlier items -------------------------------------------------------------------
async function walk(step) {
  if (busy) return;
  if (!history) {
    if (step < 0) return;
    const rows = await get(`/projects/${project.id}/history`, { limit: 200 }).catch(() => []);
    history = { rows: rows.filter((r) => !task || r.item_id !== task.id), at: -1 };
    if (task && task.status !== "submitted" && task.status !== "skipped") queueTask = task;
  }
  const at = history.at + step;
  if (at < 0) { // past the newest: back to the queue
    history = null;
    const back = queueTask;
    queueTask = null;
    if (back) showTask(back); else showTask(await fetchNext([]));
    return;
  }
  if (at >= history.rows.length) { say(saveState, "That is the oldest item you worked on."); return; }
  history.at = at;
  try {
    const item = await get(path(`/${history.rows[at].item_id}`));
    showTask(item, { fromHistory: true });
  } catch (err) {
    say(saveState, `Cannot open that item: ${err.message}`);
  }
}

// ---- skipping ---------------------------------------------------------------------------------------
function openSkip() {
  if (!task || task.status === "submitted" || task.status === "skipped") return;
  skipReason.value = "";
  skipDialog.showModal();
  skipReason.focus();
}

skipForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  skipDialog.close();
  if (busy || !task) return;
  busy = true;
  flushSoon.cancel();
  try {
    await post(path(`/${task.id}/skip`), { reason: skipReason.value });
    drafts.forget(task.id);
    await advance();
  } catch (err) {
    say(saveState, `Could not skip: ${err.message}`);
  } finally {
    busy = false;
  }
});
document.getElementById("skip-cancel").addEventListener("click", () => skipDialog.close());

document.addEventListener("keydown", (event) => {
  if (skipDialog.open || event.defaultPrevented) return;
  if (event.altKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
    event.preventDefault();
    walk(event.key === "ArrowLeft" ? 1 : -1);
    return;
  }
  if (!editor) return;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submit();
    return;
  }
  if (isTyping(event.target)) return;
  if (event.key === "Enter") {
    if (event.target instanceof Element && event.target.closest("button, a, summary, [role=option]")) return;
    event.preventDefault();
    submit();
    return;
  }
  if (editor.handleKey(event)) {
    event.preventDefault();
    return;
  }
  if (!event.ctrlKey && !event.altKey && !event.metaKey && event.key.toLowerCase() === "s") {
    event.preventDefault();
    openSkip();
  }
});

window.addEventListener("pagehide", () => {
  if (flushSoon.pending()) {
    flushSoon.cancel();
    drafts.flush(); // best effort; the queued copy in localStorage is sent on the next visit anyway
  }
});

async function start() {
  try {
    const info = await get(`/projects/${project.id}`);
    schema = info.schema;
  } catch (err) {
    fill(taskBox, h("p", { class: "notice error", role: "alert", text: err.message }));
    return;
  }
  drafts.flush(); // drafts a closed tab or a lost network left behind
  showTask(await fetchNext([]));
  if (task) prefetch();
}

taskBox.tabIndex = -1;
start();
