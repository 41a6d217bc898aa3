// Import a file (multipart upload) and show the report, with the row errors.
import { ApiError, api, pageProject } from "./api.js";
import { fill, h, say } from "./dom.js";

const project = pageProject();
const form = document.getElementById("import-form");
const report = document.getElementById("import-report");
const counts = document.getElementById("import-counts");
const message = document.getElementById("import-message");
const errorsTable = document.getElementById("import-errors");
const button = form.querySelector("button[type=submit]");
button.disabled = false; // disabled in the page until this script handles the submit

function show(data, note, kind) {
  report.hidden = false;
  document.getElementById("import-source").textContent = data.source ? `File: ${data.source}` : "";
  fill(counts, ["rows", "created", "skipped", "invalid"].filter((k) => data[k] !== undefined).map((k) =>
    h("div", { class: `count count-${k}` }, h("dt", { text: k }), h("dd", { text: data[k] }))));
  say(message, note, kind);
  const errors = data.errors ?? [];
  errorsTable.hidden = !errors.length;
  fill(errorsTable.tBodies[0], errors.map((e) => h("tr", {},
    h("td", { text: e.row ?? "" }), h("td", { class: "mono", text: (e.loc ?? []).join(".") }), h("td", { text: e.msg }))));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = form.elements.file.files[0];
  if (!file) return;
  const body = new FormData();
  body.append("file", file, file.name);
  button.disabled = true;
  say(message, "Importing…");
  report.hidden = false;
  try {
    const data = await api("POST", `/projects/${project.id}/import`, {
      body, query: { skip_invalid: form.elements.skip_invalid.checked ? "true" : "" } });
    show({ ...data, source: file.name }, `Imported ${data.created} item(s).`, "ok");
  } catch (err) {
    const rows = err instanceof ApiError ? err.errors : [];
    show({ source: file.name, errors: rows }, err.message + (rows.length ? " Nothing was imported; fix the rows or tick “Skip invalid rows”." : ""), "error");
  } finally {
    button.disabled = false;
  }
});
