// Annotate: take tasks one after another, keyboard first. The task after the one on screen is
// prefetched, drafts are saved while working, time spent is sent as lead_time.

import { ApiError, get, post, put, pageProject } from "./api.js";
import { debounce, fill, h, isTyping, say } from "./dom.js";
import { createEditor } from "./editor.js";

const project = pageProject();
const taskBox = document.getElementById("task");
const saveState = document.getElementById("save-state");
const skipDialog = document.getElementById("skip-dialog");
const skipForm = document.getElementById("skip-form");
const skipReason = document.getElementById("skip-reason");

let schema = null;
let task = null; // the task on screen
let editor = null;
let prefetched = null; // Promise of the next task (or null when there is none)
let busy = false;
let clock = { since: performance.now(), spent: 0 }; // seconds not yet reported

const path = (suffix) => `/projects/${project.id}/tasks${suffix}`;

function tick() {
  const t = performance.now();
  if (!document.hidden) clock.spent += (t - clock.since) / 1000;
  clock.since = t;
}
document.addEventListener("visibilitychange", tick);

function takeLeadTime() {
  tick();
  const spent = Math.round(clock.spent * 1000) / 1000;
  clock.spent = 0;
  return spent;
}

let draftInFlight = Promise.resolve();

const saveDraft = debounce(async () => {
  if (!task || !editor) return;
  const current = task;
  try {
    say(saveState, "Saving draft…");
    draftInFlight = put(path(`/${current.id}/draft`), { draft: editor.result(), lead_time: takeLeadTime() });
    await draftInFlight;
    if (current === task) say(saveState, "Draft saved.");
  } catch (err) {
    if (current === task) say(saveState, `Draft not saved: ${err.message}`);
  }
}, 800);

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
      h("p", {}, h("a", { href: `/projects/${project.id}`, text: "Back to the project" }))));
  say(saveState, "");
}

function showTask(next) {
  if (!next) return showDone();
  if (next.error) {
    fill(taskBox, h("p", { class: "notice error", role: "alert", text: next.error.message }));
    return;
  }
  task = next;
  clock = { since: performance.now(), spent: 0 };
  saveDraft.cancel();
  const rejected = task.review?.status === "rejected";
  const start = task.draft ?? task.result ?? {};
  editor = createEditor({ schema, data: task.data, result: start, uid: `t${task.id}`, onChange: () => saveDraft() });
  const submitLabel = rejected ? "Resubmit" : "Submit";
  fill(taskBox,
    h("div", { class: "task-head" },
      h("h2", { class: "task-title" }, "Item ", h("span", { class: "mono", text: task.key ?? task.id })),
      h("span", { class: "muted small", text: task.draft ? "draft restored" : "" })),
    rejected ? h("div", { class: "notice warn review-comment", role: "note" },
      h("strong", { text: "Sent back by a reviewer: " }), h("span", { class: "comment", text: task.review.comment })) : null,
    editor.root,
    h("div", { class: "task-actions" },
      h("button", { type: "button", class: "primary", id: "submit-task", onclick: submit }, submitLabel, " ",
        h("kbd", { text: "Enter" })),
      rejected ? null : h("button", { type: "button", id: "skip-task", onclick: openSkip }, "Skip ", h("kbd", { text: "S" }))));
  say(saveState, "");
  taskBox.dataset.item = String(task.id);
  taskBox.focus({ preventScroll: true });
}

async function advance() {
  let next = prefetched ? await prefetched : null;
  prefetched = null;
  if (!next || next.error) next = await fetchNext([]);
  if (next && !next.error) {
    // the prefetched lease may have run out while the last task was on screen: renew it
    try {
      await post(path(`/${next.id}/lease`));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 409 || err.status === 404)) {
        showTask(await fetchNext([]));
        prefetch();
        return;
      }
    }
  }
  showTask(next);
  if (task) prefetch();
}

async function submit() {
  if (busy || !task || !editor) return;
  busy = true;
  saveDraft.cancel();
  await draftInFlight.catch(() => {}); // a late draft must not land on the submitted annotation
  const body = { result: editor.result(), lead_time: takeLeadTime() };
  const resubmit = task.status === "submitted";
  try {
    say(saveState, "Submitting…");
    if (resubmit) await put(path(`/${task.id}/annotation`), body);
    else await post(path(`/${task.id}/submit`), body);
    say(saveState, "");
    await advance();
  } catch (err) {
    clock.spent += body.lead_time;
    say(saveState, "");
    if (err instanceof ApiError) editor.showErrors(err.errors, err.message);
    else editor.showErrors([], "Could not reach the server; try again.");
  } finally {
    busy = false;
  }
}

function openSkip() {
  if (!task || task.status === "submitted") return;
  skipReason.value = "";
  skipDialog.showModal();
  skipReason.focus();
}

skipForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  skipDialog.close();
  if (busy || !task) return;
  busy = true;
  saveDraft.cancel();
  try {
    await post(path(`/${task.id}/skip`), { reason: skipReason.value });
    await advance();
  } catch (err) {
    say(saveState, `Could not skip: ${err.message}`);
  } finally {
    busy = false;
  }
});
document.getElementById("skip-cancel").addEventListener("click", () => skipDialog.close());

document.addEventListener("keydown", (event) => {
  if (!editor || skipDialog.open || event.defaultPrevented) return;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submit();
    return;
  }
  if (isTyping(event.target)) return;
  if (event.key === "Enter") {
    if (event.target instanceof Element && event.target.closest("button, a, summary")) return;
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
  if (saveDraft.pending()) {
    saveDraft.cancel();
    saveDraft(); // best effort; the next visit restores the last saved draft anyway
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
  showTask(await fetchNext([]));
  if (task) prefetch();
}

taskBox.tabIndex = -1;
start();
