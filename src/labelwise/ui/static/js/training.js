// Training: an annotator's wrong gold answers, with the expected answer, next to the guidelines.
import { get, pageProject } from "./api.js";
import { fill, formatValue, h } from "./dom.js";

const project = pageProject();
const root = document.getElementById("mistakes");
const pct = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`);

get(`/projects/${project.id}/quality/gold/mistakes`).then((m) => {
  const status = m.paused ? "You are paused until a manager lets you continue." : m.flagged ? "Your accuracy is under the project's minimum." : "";
  fill(root,
    h("p", { class: status ? "notice warning" : "muted",
      text: `Gold answers: ${m.answers} · accuracy ${pct(m.accuracy)}${m.min_accuracy !== null ? ` (minimum ${pct(m.min_accuracy)})` : ""}. ${status}` }),
    m.mistakes.length ? h("ol", { class: "mistakes" }, m.mistakes.map((x) => h("li", {},
      h("blockquote", { text: typeof x.data?.text === "string" ? x.data.text : JSON.stringify(x.data) }),
      h("dl", {},
        h("dt", { text: "label" }), h("dd", { text: x.label }),
        h("dt", { text: "your answer" }), h("dd", { class: "given", text: formatValue(x.given) }),
        h("dt", { text: "expected" }), h("dd", { class: "expected", text: formatValue(x.expected) }),
        x.f1 !== null ? [h("dt", { text: "F1" }), h("dd", { text: x.f1.toFixed(2) })] : null))))
      : h("p", { class: "empty", text: "No mistakes on gold items." }));
}).catch((err) => fill(root, h("p", { class: "notice error", text: err.message })));
