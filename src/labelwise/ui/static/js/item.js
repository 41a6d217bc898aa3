// One item in full: data, predictions, every annotation with its reviews.
import { get, pageProject } from "./api.js";
import { fill, h } from "./dom.js";
import { renderData, renderResult } from "./results.js";

const project = pageProject();
const box = document.getElementById("item-detail");

function review(r) {
  return h("li", {}, h("strong", { text: r.action }), ` by ${r.reviewer ?? "?"}`,
    r.comment ? [": ", h("q", { class: "comment", text: r.comment })] : null);
}

async function start() {
  try {
    const [info, item] = await Promise.all([
      get(`/projects/${project.id}`), get(`/projects/${project.id}/items/${box.dataset.item}`)]);
    const schema = info.schema;
    fill(box,
      h("div", { class: "task-head" }, h("h2", {}, "Item ", h("span", { class: "mono", text: item.key ?? item.id })),
        h("span", { class: `state state-${item.state}`, text: item.state.replace("_", " ") })),
      renderData(schema, item.data),
      item.meta && Object.keys(item.meta).length
        ? h("details", {}, h("summary", { text: "Metadata" }), h("pre", { text: JSON.stringify(item.meta, null, 2) })) : null,
      h("h3", { text: `Annotations (${item.annotations.length})` }),
      item.annotations.length ? h("div", { class: "review-grid" }, item.annotations.map((a) =>
        h("article", { class: "card", "data-annotation": a.id },
          h("h4", { class: "annotator", text: a.annotator }),
          h("p", { class: "muted small", text: [a.status, a.review_status ? `review: ${a.review_status}` : "not reviewed",
            a.lead_time ? `${Math.round(a.lead_time)} s` : ""].filter(Boolean).join(" · ") }),
          a.skip_reason ? h("p", { class: "muted", text: `skipped: ${a.skip_reason}` }) : null,
          a.status === "submitted" ? renderResult(schema, a.result, item.data) : null,
          a.reviews?.length ? h("ul", { class: "reviews" }, a.reviews.map(review)) : null)))
        : h("p", { class: "empty", text: "No annotations yet." }),
      item.predictions?.length ? [h("h3", { text: "Predictions" }), item.predictions.map((p) =>
        h("article", { class: "card" }, h("h4", { text: `${p.model ?? "model"} (score ${p.score ?? "?"})` }),
          renderResult(schema, p.result, item.data)))] : null);
  } catch (err) {
    fill(box, h("p", { class: "notice error", role: "alert", text: err.message }));
  }
}

start();
