// The manager's view of progress on the overview page: items by state, work per annotator and per
// day (from the audit log's submits and skips), drawn as SVG charts.

import { get } from "./api.js";
import { fill, h } from "./dom.js";
import { barChart, lineChart } from "./charts.js";

async function workEvents(projectId) {
  const out = [];
  let after = 0;
  for (let page = 0; page < 20; page++) { // at most 20,000 events: enough for a picture
    const rows = await get(`/projects/${projectId}/audit`, { after, limit: 1000 });
    out.push(...rows.filter((r) => r.action === "annotation.submit" || r.action === "annotation.skip"));
    if (rows.length < 1000) break;
    after = rows[rows.length - 1].id;
  }
  return out;
}

export async function drawProgress(box, project, counts) {
  const charts = [barChart("Items by state", Object.entries(counts.by_state ?? {}))];
  if (project.canManage) {
    try {
      const events = await workEvents(project.id);
      const per = new Map();
      const days = new Map();
      for (const e of events) {
        per.set(e.user ?? "(deleted)", (per.get(e.user ?? "(deleted)") ?? 0) + 1);
        const day = String(e.at).slice(0, 10);
        days.set(day, (days.get(day) ?? 0) + 1);
      }
      charts.push(barChart("Submitted or skipped, per annotator", [...per].sort((a, b) => b[1] - a[1]).slice(0, 20)));
      charts.push(lineChart("Submitted or skipped, per day", [...days].sort()));
    } catch {
      /* the audit log needs the manage right; the state chart alone is still useful */
    }
  }
  fill(box, h("div", { class: "charts" }, charts));
}
