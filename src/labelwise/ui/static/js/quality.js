// Quality dashboard: agreement per label and over time, annotators, confusion against consensus,
// label distribution per annotator (bias) and over time (drift).
import { get, pageProject, post } from "./api.js";
import { fill, h } from "./dom.js";
import { barChart, lineChart, table } from "./quality_charts.js";

const project = pageProject();
const root = document.getElementById("quality");

const flag = (a) => [a.paused ? "paused" : a.flagged ? "flagged" : "",
  a.gold_resumed_at ? `resumed ${a.gold_resumed_at.slice(0, 16).replace("T", " ")} UTC` : ""].filter(Boolean).join(", ");

/** Managers get a Resume button next to each annotator paused by gold (only later gold answers count). */
function resumeButton(a) {
  const status = h("span", { class: "muted", role: "status" });
  const button = h("button", { type: "button", class: "resume", text: "Resume", "aria-label": `Resume ${a.annotator}`,
    onclick: () => {
      button.disabled = true;
      post(`/projects/${project.id}/quality/gold/annotators/${a.user_id}/resume`)
        .then(load)
        .then(() => root.querySelector("h2")?.focus())
        .catch((err) => { button.disabled = false; status.textContent = err.message; });
    } });
  return [" ", button, " ", status];
}

function annotatorTable(rows) {
  const t = table("Annotators", ["annotator", "volume", "median seconds", "agreement with consensus", "gold answers",
    "gold accuracy", "review acceptance", "score", "flag"],
  rows.map((a) => [a.annotator, a.volume, a.median_lead_time, a.agreement_with_consensus, a.gold_answers,
    a.gold_accuracy, a.review_acceptance, a.score, flag(a)]));
  if (project.canManage) {
    t.querySelectorAll("tbody tr").forEach((tr, i) => {
      if (rows[i].paused) tr.lastElementChild.append(...resumeButton(rows[i]));
    });
  }
  return t;
}

function labelSection(name, d) {
  const options = d.options;
  const periods = d.over_time.map((p) => p.period);
  const confusion = Object.entries(d.confusion).map(([who, m]) => table(`${name}: ${who} (rows: consensus, columns: given)`,
    ["consensus", ...options], options.filter((t) => m[t]).map((t) => [t, ...options.map((g) => m[t][g] ?? 0)])));
  const dist = Object.entries(d.distribution).map(([who, counts]) => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return [who, ...options.map((o) => (counts[o] ?? 0) / total)];
  });
  const driftSeries = Object.fromEntries(options.map((o) => [o, d.drift.map((p) => {
    const total = options.reduce((a, k) => a + (p[k] ?? 0), 0);
    return total ? (p[o] ?? 0) / total : null;
  })]));
  return h("section", { class: "quality-label" },
    h("h2", { text: `Label “${name}”` }),
    h("p", { text: `Krippendorff's alpha: ${d.alpha === null ? "not defined yet" : d.alpha.toFixed(3)}` }),
    barChart(`${name}: agreement per option (specific agreement)`, d.per_option.map((o) => [o.option, o.specific_agreement])),
    lineChart(`${name}: Krippendorff's alpha over time`, periods, { alpha: d.over_time.map((p) => p.alpha) }, { min: -1, max: 1 }),
    h("h3", { text: "Label distribution per annotator (bias)" }),
    table(`${name}: share of each option per annotator`, ["annotator", ...options], dist),
    lineChart(`${name}: share of each option over time (drift)`, d.drift.map((p) => p.period), driftSeries, { min: 0, max: 1 }),
    h("h3", { text: "Confusion against consensus" }), ...confusion);
}

const load = () => get(`/projects/${project.id}/quality/dashboard`).then((d) => {
  const labels = Object.entries(d.labels);
  fill(root,
    h("section", {}, h("h2", { text: "Annotators", tabindex: "-1" }),
      barChart("Score per annotator (mean of agreement, gold accuracy, review acceptance)",
        d.annotators.map((a) => [a.annotator, a.score])),
      annotatorTable(d.annotators)),
    labels.length ? labels.map(([name, v]) => labelSection(name, v)) : h("p", { class: "empty", text: "No choice labels annotated yet." }));
});
load().catch((err) => fill(root, h("p", { class: "notice error", text: err.message })));
