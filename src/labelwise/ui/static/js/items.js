// Items browser: filters and keyset pages ("next" cursor).
import { get, pageProject } from "./api.js";
import { enableSubmit, fill, h, say } from "./dom.js";

const project = pageProject();
const form = document.getElementById("item-filters");
const tbody = document.querySelector("#items-table tbody");
const summary = document.getElementById("items-summary");
const error = document.getElementById("items-error");
const nextButton = document.getElementById("items-next");
const firstButton = document.getElementById("items-first");
let cursor = null;

function preview(data) {
  const text = Object.values(data ?? {}).find((v) => typeof v === "string") ?? JSON.stringify(data);
  return text.length > 160 ? text.slice(0, 160) + "…" : text;
}

function filters() {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]).filter(([, v]) => v));
}

async function load(after) {
  say(error, "");
  try {
    const page = await get(`/projects/${project.id}/items`, { ...filters(), after, limit: 50, total: after ? "" : "true" });
    fill(tbody, page.items.map((item) => h("tr", { "data-item": item.id },
      h("td", {}, h("a", { href: `/projects/${project.id}/items/${item.id}`, text: `#${item.id}` })),
      h("td", { class: "mono", text: item.key ?? "" }),
      h("td", { class: "preview", text: preview(item.data) }),
      h("td", {}, h("span", { class: `state state-${item.state}`, text: item.state.replace("_", " ") })))));
    if (!page.items.length) fill(tbody, h("tr", {}, h("td", { colspan: 4, class: "empty", text: "No items match." })));
    if (page.total !== null && page.total !== undefined) say(summary, `${page.total} matching item(s)`);
    cursor = page.next;
    nextButton.hidden = cursor === null;
    firstButton.hidden = !after;
  } catch (err) {
    say(error, err.message);
  }
}

form.addEventListener("submit", (event) => { event.preventDefault(); load(0); });
enableSubmit(form);
nextButton.addEventListener("click", () => load(cursor));
firstButton.addEventListener("click", () => load(0));
load(0);
