// The project list: fill in item counts and progress per project.
import { get } from "./api.js";
import { $$, fill, h } from "./dom.js";

const DONE = ["annotated", "in_review", "accepted"];

for (const row of $$("#project-list tr[data-project]")) {
  get(`/projects/${row.dataset.project}/items/count`).then((counts) => {
    const by = counts.by_state ?? {};
    const done = DONE.reduce((n, s) => n + (by[s] ?? 0), 0);
    row.querySelector(".count-total").textContent = String(counts.total);
    const label = `${done} of ${counts.total} annotated · ${by.accepted ?? 0} accepted`;
    fill(row.querySelector(".count-progress"),
      h("progress", { max: Math.max(counts.total, 1), value: done, "aria-label": label }),
      h("span", { class: "muted small", text: ` ${label}` }));
  }).catch(() => {
    row.querySelector(".count-total").textContent = "?";
    row.querySelector(".count-progress").textContent = "";
  });
}
