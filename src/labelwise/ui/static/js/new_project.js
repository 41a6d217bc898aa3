// Create a project: name, schema (YAML or JSON), guidelines, overlap, ordering.
import { ApiError, post } from "./api.js";
import { enableSubmit, say } from "./dom.js";
import { clearSchemaErrors, showSchemaErrors } from "./schema_errors.js";

const EXAMPLE = `fields:
  text: text
labels:
  - name: sentiment
    kind: choice
    required: true
    options: [positive, negative, neutral]
  - name: entities
    kind: spans
    field: text
    options:
      - {value: PER, shortcut: p}
      - {value: ORG, shortcut: o}
      - {value: LOC, shortcut: l}
`;

const form = document.getElementById("project-form");
const schema = document.getElementById("schema");
const schemaErrors = document.getElementById("schema-errors");
const nameError = document.getElementById("name-error");
const formError = document.getElementById("form-error");
if (!schema.value) schema.value = EXAMPLE;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearSchemaErrors(schemaErrors);
  say(nameError, "");
  say(formError, "");
  const data = new FormData(form);
  const body = {
    name: String(data.get("name")).trim(),
    schema: String(data.get("schema")),
    guidelines: String(data.get("guidelines")),
    overlap: Number(data.get("overlap") || 1),
    ordering: String(data.get("ordering")),
  };
  if (!body.name) {
    say(nameError, "Give the project a name.");
    document.getElementById("name").focus();
    return;
  }
  try {
    const project = await post("/projects", body);
    location.assign(`/projects/${project.id}`);
  } catch (err) {
    if (!(err instanceof ApiError)) return say(formError, "Could not reach the server.");
    const loc = err.errors[0]?.loc ?? [];
    if (/schema/i.test(err.message) || loc[0] === "labels" || loc[0] === "fields") {
      showSchemaErrors(schemaErrors, err);
      schema.focus();
    } else if (/name/i.test(err.message)) {
      say(nameError, err.message);
      document.getElementById("name").focus();
    } else {
      say(formError, err.message);
    }
  }
});
enableSubmit(form);
