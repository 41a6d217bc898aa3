// Export links follow the filter form.
import { apiUrl, pageProject } from "./api.js";

const project = pageProject();
const form = document.getElementById("export-filters");
const links = [...document.querySelectorAll(".export-links a[data-format]")];

function update() {
  const filters = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));
  for (const link of links) {
    const url = apiUrl(`/projects/${project.id}/export`, { format: link.dataset.format, ...filters });
    link.href = url.pathname + url.search;
  }
}

form.addEventListener("input", update);
form.addEventListener("submit", (event) => event.preventDefault());
update();
