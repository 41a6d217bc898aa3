// Members: list; managers add by email with a role and remove.
import { del, get, pageProject, post } from "./api.js";
import { enableSubmit, fill, h, say } from "./dom.js";

const project = pageProject();
const tbody = document.querySelector("#members-table tbody");
const form = document.getElementById("member-form");
const error = document.getElementById("members-error");

async function load() {
  try {
    const members = await get(`/projects/${project.id}/members`);
    fill(tbody, members.map((m) => h("tr", { "data-email": m.email },
      h("td", { text: m.email }), h("td", { text: m.name ?? "" }), h("td", { text: m.role }),
      project.canManage ? h("td", {}, h("button", { type: "button", class: "link-button",
        "aria-label": `Remove ${m.email}`, onclick: () => remove(m.email) }, "Remove")) : null)));
  } catch (err) {
    say(error, err.message);
  }
}

async function remove(email) {
  say(error, "");
  if (!window.confirm(`Remove ${email} from this project?`)) return;
  try {
    await del(`/projects/${project.id}/members/${encodeURIComponent(email)}`);
    await load();
  } catch (err) {
    say(error, err.message);
  }
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  say(error, "");
  try {
    await post(`/projects/${project.id}/members`, { email: form.elements.email.value.trim(), role: form.elements.role.value });
    form.reset();
    await load();
  } catch (err) {
    say(error, err.message);
  }
});
enableSubmit(form);

load();
