// Project settings and the label schema (a new version on save).
import { ApiError, get, pageProject, patch, put } from "./api.js";
import { enableSubmit, say } from "./dom.js";
import { clearSchemaErrors, showSchemaErrors } from "./schema_errors.js";

const project = pageProject();
const settingsForm = document.getElementById("settings-form");
const schemaForm = document.getElementById("schema-form");
const schemaBox = document.getElementById("s-schema");
const schemaErrors = document.getElementById("schema-errors");

get(`/projects/${project.id}`).then((info) => {
  schemaBox.value = JSON.stringify(info.schema, null, 2);
});

settingsForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = settingsForm.elements;
  try {
    await patch(`/projects/${project.id}`, {
      description: f.description.value, guidelines: f.guidelines.value, overlap: Number(f.overlap.value),
      ordering: f.ordering.value, show_others: f.show_others.checked,
    });
    say(document.getElementById("settings-status"), "Saved.", "ok");
  } catch (err) {
    say(document.getElementById("settings-status"), err.message, "error");
  }
});
enableSubmit(settingsForm);

schemaForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearSchemaErrors(schemaErrors);
  const status = document.getElementById("schema-status");
  try {
    const saved = await put(`/projects/${project.id}/schema`, {
      schema: schemaBox.value, allow_breaking: document.getElementById("s-breaking").checked });
    say(status, `Saved: schema version ${saved.schema_version}.`, "ok");
  } catch (err) {
    say(status, "");
    if (err instanceof ApiError) showSchemaErrors(schemaErrors, err);
  }
});
enableSubmit(schemaForm);
