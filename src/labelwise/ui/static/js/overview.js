// Project overview: items by state.
import { get, pageProject } from "./api.js";
import { fill, h } from "./dom.js";
import { drawProgress } from "./progress.js";

const project = pageProject();
const list = document.getElementById("counts");

get(`/projects/${project.id}/items/count`).then((counts) => {
  const entries = [["total", counts.total], ...Object.entries(counts.by_state ?? {})];
  fill(list, entries.map(([state, n]) =>
    h("div", { class: `count state-${state}` }, h("dt", { text: state.replace("_", " ") }), h("dd", { text: n }))));
  const charts = document.getElementById("progress-charts");
  if (charts) drawProgress(charts, project, counts);
}).catch((err) => fill(list, h("p", { class: "notice error", text: err.message })));
