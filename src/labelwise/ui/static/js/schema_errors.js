// API errors about a label schema, listed next to the schema field: which label, what is wrong.
import { fill, h } from "./dom.js";

export function showSchemaErrors(box, err) {
  const problems = err.errors?.length ? err.errors.map((e) => e.msg) : [err.message];
  fill(box, h("p", { text: "The schema has problems:" }),
    h("ul", {}, problems.map((msg) => h("li", { text: msg }))));
  box.hidden = false;
}

export function clearSchemaErrors(box) {
  fill(box);
  box.hidden = true;
}
