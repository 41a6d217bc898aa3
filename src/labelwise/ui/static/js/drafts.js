// Drafts that survive a closed tab, a lost network and a server restart: every change is written
// to localStorage at once, then sent to the server (PUT .../draft); what the server has not
// confirmed stays queued and is retried (every few seconds, when the network comes back, on the
// next page load).

import { put } from "./api.js";

const PREFIX = "labelwise.draft.";
const RETRY_MS = 3000;

export function createDraftStore(projectId, { onState = () => {} } = {}) {
  const keyOf = (itemId) => `${PREFIX}${projectId}.${itemId}`;
  let timer = null;
  let flushing = null;
  let again = false; // flush() was called while a send was in flight: go round once more

  function read(itemId) {
    try {
      return JSON.parse(localStorage.getItem(keyOf(itemId)) ?? "null");
    } catch {
      return null;
    }
  }

  function write(itemId, draft, leadTime = 0) {
    const old = read(itemId);
    const entry = { draft, lead_time: (old?.lead_time ?? 0) + leadTime, at: Date.now(), sent: false };
    try {
      localStorage.setItem(keyOf(itemId), JSON.stringify(entry));
    } catch {
      /* storage full or disabled: the server copy is all we have */
    }
    return entry;
  }

  function forget(itemId) {
    localStorage.removeItem(keyOf(itemId));
  }

  function queued() {
    const out = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (!key?.startsWith(`${PREFIX}${projectId}.`)) continue;
      const entry = read(key.slice(`${PREFIX}${projectId}.`.length));
      if (entry && !entry.sent) out.push([key.slice(`${PREFIX}${projectId}.`.length), entry]);
    }
    return out;
  }

  /** Send one item's queued draft; true when the server has it (or refused it for good). */
  async function send(itemId) {
    const entry = read(itemId);
    if (!entry || entry.sent) return true;
    try {
      await put(`/projects/${projectId}/tasks/${itemId}/draft`, { draft: entry.draft, lead_time: entry.lead_time || null });
    } catch (err) {
      if (err?.status && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
        forget(itemId); // the task is gone, submitted or no longer ours: nothing to retry
        return true;
      }
      schedule();
      return false;
    }
    const now = read(itemId);
    if (now && now.at === entry.at) forget(itemId); // unchanged since: the server copy is current
    return true;
  }

  /**
   * Send everything queued; resolves when done (failures stay queued). Called while a send is in
   * flight, it sends again once that one is answered: a change made meanwhile is newer than what is
   * in flight, and would otherwise wait for the next change (shown as queued until then).
   */
  function flush() {
    if (flushing) {
      again = true;
      return flushing;
    }
    flushing = (async () => {
      let ok;
      do {
        again = false;
        ok = true;
        for (const [itemId] of queued()) ok = (await send(itemId)) && ok;
      } while (again && ok);
      onState(ok ? (queued().length ? "queued" : "saved") : "offline");
      return ok;
    })().finally(() => { flushing = null; });
    return flushing;
  }

  function schedule() {
    if (timer) return;
    timer = setTimeout(() => { timer = null; flush(); }, RETRY_MS);
  }

  window.addEventListener("online", () => flush());
  /** Wait for a send in progress (a late draft must not land on a submitted annotation). */
  const settled = () => (flushing ?? Promise.resolve()).catch(() => {});
  return { read, write, forget, flush, settled, queued, pending: () => queued().length };
}
