// Export: every format the project can be written in (from export/formats), grouped, each link
// following the filter form and its format's options (opt.<name>, offered as the API describes them);
// below, the project's snapshots (snapshots.js).
import { apiUrl, get, pageProject } from "./api.js";
import { fill, h } from "./dom.js";
import { createSnapshots } from "./snapshots.js";

const project = pageProject();
const form = document.getElementById("export-filters");
const box = document.getElementById("export-formats");
const note = document.getElementById("export-filter-note");

/** Groups shown on the page, in order; a format not named here goes to "Other". */
export const GROUPS = [
  ["Tables", ["jsonl", "csv", "parquet", "hf-parquet"]],
  ["Named entities (NER)", ["conll", "ner-jsonl", "spacy"]],
  ["Vision", ["coco", "yolo", "yolo-seg", "yolo-pose", "voc"]],
  ["Audio and time ranges", ["ranges-jsonl", "ranges-csv", "webvtt", "srt"]],
  ["Label Studio", ["labelstudio"]],
];
const TITLES = { jsonl: "JSONL", csv: "CSV", parquet: "Parquet" };
export const titleOf = (name) => TITLES[name] ?? name;

/** [[group title, [format, ...]], ...] with the empty groups left out. */
export function grouped(formats) {
  const known = new Set(GROUPS.flatMap(([, names]) => names));
  const out = GROUPS.map(([title, names]) => [title, names.map((n) => formats.find((f) => f.name === n)).filter(Boolean)]);
  out.push(["Other", formats.filter((f) => !known.has(f.name))]);
  return out.filter(([, list]) => list.length);
}

let links = [...box.querySelectorAll("a[data-format]")];

function filters() {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]).filter(([, v]) => v));
}

/** {"opt.<name>": value} of the options set for a format (unset ones are left to the server's default). */
export function formatOptions(name) {
  const out = {};
  for (const el of box.querySelectorAll(`[data-option][data-for="${CSS.escape(name)}"]`)) {
    let value;
    if (el.type === "checkbox") value = el.checked ? "true" : "";
    else if (el.multiple) value = [...el.selectedOptions].map((o) => o.value).join(",");
    else value = el.value.trim();
    if (value) out[`opt.${el.dataset.option}`] = value;
  }
  return out;
}

/** The controls of one option: a select of its choices, a checkbox or a text box. */
function optionControl(format, option) {
  const id = `opt-${format}-${option.name}`;
  const common = { id, "data-option": option.name, "data-for": format, title: option.help };
  let control;
  if (option.kind === "bool") {
    control = h("input", { ...common, type: "checkbox", checked: option.default === true });
  } else if (option.choices.length) {
    const multiple = option.kind === "labels";
    control = h("select", { ...common, multiple, size: multiple ? Math.min(4, option.choices.length) : undefined },
      multiple ? [] : h("option", { value: "", text: option.default ? `${option.default} (default)` : "default" }),
      option.choices.filter((c) => c !== option.default).map((c) => h("option", { value: c, text: c })));
  } else {
    control = h("input", { ...common, type: option.kind === "int" ? "number" : "text",
      placeholder: option.default === null ? "" : String(option.default) });
  }
  return h("div", { class: "format-option" }, h("label", { for: id, text: option.name }), control,
    h("span", { class: "muted small", text: ` ${option.help}` }));
}

function optionsOf(f) {
  if (!f.options?.length) return null;
  return h("details", { class: "format-options" }, h("summary", { text: `Options of ${titleOf(f.name)}` }),
    f.options.map((o) => optionControl(f.name, o)));
}

function update() {
  const f = filters();
  for (const link of links) {
    const url = apiUrl(`/projects/${project.id}/export`, { format: link.dataset.format, ...f,
      ...formatOptions(link.dataset.format) });
    link.href = url.pathname + url.search;
  }
  const named = Object.entries(f).map(([k, v]) => `${k} = ${v}`);
  note.textContent = named.length ? `Only the items matching: ${named.join(", ")}.`
    : "Every item, with its annotations, reviews and predictions.";
}

async function loadFormats() {
  let formats;
  try {
    formats = await get(`/projects/${project.id}/export/formats`);
  } catch (err) {
    box.append(h("p", { class: "notice error", role: "alert", text: `Formats not loaded: ${err.message}` }));
    return [];
  }
  fill(box, grouped(formats).map(([title, list]) => h("section", { class: "format-group", "aria-label": title },
    h("h3", { text: title }),
    h("ul", { class: "format-list" }, list.map((f) => h("li", { "data-format": f.name },
      h("a", { class: "button", "data-format": f.name, href: "#", download: "" }, titleOf(f.name)),
      h("span", { class: "muted small format-desc", text: ` ${f.description}${f.layout === "folder" ? " (zip)" : ""}` }),
      optionsOf(f)))))));
  links = [...box.querySelectorAll("a[data-format]")];
  update();
  return formats;
}

form.addEventListener("input", update);
box.addEventListener("input", update);
box.addEventListener("change", update);
form.addEventListener("submit", (event) => event.preventDefault());
update();
const formatsLoaded = loadFormats();
createSnapshots(project, formatsLoaded);
