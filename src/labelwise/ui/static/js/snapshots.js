// Snapshots on the Export page: create one (with a note), list them (when, who, counts, hash, QA),
// download one in any format, open its dataset card, compare two (added / removed / relabelled).
import { apiUrl, get, post } from "./api.js";
import { enableSubmit, fill, h, say } from "./dom.js";

const DIFF_SHOWN = 100; // entries listed per kind (the counts are complete)

/** A short QA summary of a snapshot's stored summary: reviewed share and agreement per label. */
export function qaSummary(summary) {
  const s = summary ?? {};
  const parts = [];
  if (s.share_reviewed !== null && s.share_reviewed !== undefined) parts.push(`${Math.round(s.share_reviewed * 100)}% reviewed`);
  for (const [name, qa] of Object.entries(s.agreement ?? {})) {
    if (qa && qa.krippendorff_alpha !== undefined && qa.krippendorff_alpha !== null) parts.push(`${name} α ${Number(qa.krippendorff_alpha).toFixed(2)}`);
  }
  if (s.items_with_overlap) parts.push(`${s.items_with_overlap} overlapping`);
  return parts.join(" · ") || "—";
}

const when = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso ?? "") : d.toLocaleString();
};

export function createSnapshots(project, formatsLoaded) {
  const form = document.getElementById("snapshot-form");
  const noteInput = document.getElementById("snapshot-note");
  const status = document.getElementById("snapshot-status");
  const table = document.getElementById("snapshot-table");
  const body = table.querySelector("tbody");
  const empty = document.getElementById("snapshot-empty");
  const diffForm = document.getElementById("diff-form");
  const fromSel = document.getElementById("diff-from");
  const toSel = document.getElementById("diff-to");
  const diffBox = document.getElementById("diff-result");
  let formats = [{ name: "jsonl" }, { name: "csv" }, { name: "parquet" }];
  let rows = [];
  let pair = null; // [from id, to id] to compare; the newest two by default

  const exportUrl = (id, format) => {
    const url = apiUrl(`/projects/${project.id}/snapshots/${id}/export`, { format });
    return url.pathname + url.search;
  };

  function downloadCell(s) {
    const select = h("select", { "aria-label": `Format for snapshot ${s.id}`, class: "snapshot-format" },
      formats.map((f) => h("option", { value: f.name, text: f.name })));
    const link = h("a", { class: "button small snapshot-download", href: exportUrl(s.id, "jsonl"), download: "" }, "Download");
    select.addEventListener("change", () => { link.href = exportUrl(s.id, select.value); });
    return h("td", {}, select, " ", link);
  }

  function render() {
    table.hidden = !rows.length;
    empty.hidden = rows.length > 0;
    body.replaceChildren(...rows.slice().reverse().map((s) => h("tr", { "data-snapshot": s.id },
      h("td", { class: "mono", text: s.id }),
      h("td", { text: s.name || "—" }),
      h("td", {}, h("time", { datetime: s.created_at, text: when(s.created_at) })),
      h("td", { text: s.created_by ?? "—" }),
      h("td", { class: "num", text: s.items }),
      h("td", { class: "num", text: s.annotations }),
      h("td", { class: "mono small", title: s.content_sha256, text: String(s.content_sha256 ?? "").slice(0, 12) }),
      h("td", { class: "small", text: qaSummary(s.summary) }),
      downloadCell(s),
      h("td", {}, h("a", { href: `/projects/${project.id}/snapshots/${s.id}/card`, "aria-label": `Dataset card of snapshot ${s.id}` }, "Card")))));
    diffForm.hidden = rows.length < 2;
    const ids = new Set(rows.map((r) => String(r.id)));
    if (!pair || !ids.has(pair[0]) || !ids.has(pair[1])) {
      pair = rows.length >= 2 ? [String(rows[rows.length - 2].id), String(rows[rows.length - 1].id)] : null;
    }
    const options = () => rows.map((s) => h("option", { value: s.id, text: `#${s.id}${s.name ? ` ${s.name}` : ""}` }));
    fromSel.replaceChildren(...options());
    toSel.replaceChildren(...options());
    if (pair) [fromSel.value, toSel.value] = pair;
  }

  async function load() {
    try {
      rows = await get(`/projects/${project.id}/snapshots`);
    } catch (err) {
      say(status, `Snapshots not loaded: ${err.message}`);
      return;
    }
    render();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    say(status, "Creating the snapshot…");
    try {
      const s = await post(`/projects/${project.id}/snapshots`, { name: noteInput.value.trim() });
      noteInput.value = "";
      rows = rows.filter((r) => r.id !== s.id).concat([s]);
      pair = null; // compare the newest two again
      render();
      say(status, `Snapshot #${s.id} created: ${s.items} items, ${s.annotations} annotations.`);
    } catch (err) {
      say(status, `Not created: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
  enableSubmit(form);

  function diffList(kind, entries, total) {
    if (!entries.length) return null;
    const shown = entries.slice(0, DIFF_SHOWN);
    return h("details", { class: "diff-list", "data-kind": kind, open: true },
      h("summary", { text: `${kind} (${total})` }),
      h("ul", {}, shown.map((e) => h("li", {}, h("a", { href: `/projects/${project.id}/items/${e.id}`, class: "mono",
        text: e.key ?? `item ${e.id}` })))),
      total > shown.length ? h("p", { class: "muted small", text: `${total - shown.length} more not listed.` }) : null);
  }

  for (const sel of [fromSel, toSel]) sel.addEventListener("change", () => { pair = [fromSel.value, toSel.value]; });

  diffForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [a, b] = [fromSel.value, toSel.value];
    if (a === b) { fill(diffBox, h("p", { class: "muted", text: "Pick two different snapshots." })); return; }
    fill(diffBox, h("p", { class: "muted", text: "Comparing…" }));
    let d;
    try {
      d = await get(`/projects/${project.id}/snapshots/${a}/diff/${b}`, { limit: DIFF_SHOWN });
    } catch (err) {
      fill(diffBox, h("p", { class: "notice error", role: "alert", text: err.message }));
      return;
    }
    const c = d.counts;
    fill(diffBox,
      h("p", { class: "diff-counts", "data-added": c.added, "data-removed": c.removed, "data-relabelled": c.relabelled },
        `From #${d.from} to #${d.to}: `,
        h("strong", { text: `${c.added} added` }), ", ", h("strong", { text: `${c.removed} removed` }), ", ",
        h("strong", { text: `${c.relabelled} relabelled` }), `, ${c.unchanged} unchanged.`),
      diffList("added", d.added, c.added), diffList("removed", d.removed, c.removed),
      diffList("relabelled", d.relabelled, c.relabelled));
  });
  enableSubmit(diffForm);

  formatsLoaded.then((list) => {
    if (list?.length) formats = list;
    render();
  });
  load();
}
