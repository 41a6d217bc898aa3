// A taxonomy label: the tree as an indented list, filtered by a search box. ArrowDown from the box
// goes to the matches, Enter or Space picks one. Result: a path (list), or a list of paths.

import { h } from "./dom.js";

function paths(nodes, prefix = []) {
  return (nodes ?? []).flatMap((n) => {
    const path = [...prefix, n.value];
    return [{ path, leaf: !n.children?.length, description: n.description }, ...paths(n.children, path)];
  });
}

export function taxonomyWidget(label, { uid, set }) {
  const all = paths(label.options);
  const sep = label.separator ?? "/";
  const key = (p) => p.join(sep);
  let chosen = [];
  const searchId = `${uid}-${label.name}-search`;
  const search = h("input", { id: searchId, type: "search", placeholder: "Search…", autocomplete: "off",
    "aria-controls": `${searchId}-tree` });
  const tree = h("ul", { class: "taxonomy", id: `${searchId}-tree`, role: "listbox", "aria-label": label.name,
    "aria-multiselectable": String(Boolean(label.multiple)) });
  const picked = h("p", { class: "small taxonomy-picked", "aria-live": "polite" });
  const el = h("fieldset", { class: "widget widget-taxonomy", "data-label": label.name },
    h("legend", {}, label.name, label.required ? h("span", { class: "required" }, " *") : null),
    label.description ? h("p", { class: "muted small", text: label.description }) : null,
    h("label", { for: searchId, class: "small", text: "Find" }), search, tree, picked);

  function toggle(path) {
    const k = key(path);
    if (label.multiple) {
      const keys = new Set(chosen.map(key));
      if (keys.has(k)) keys.delete(k); else keys.add(k);
      const next = all.filter((n) => keys.has(key(n.path))).map((n) => n.path);
      set(next.length ? next : null);
    } else {
      set(chosen.length && key(chosen[0]) === k ? null : path);
    }
  }

  function render() {
    const q = search.value.trim().toLowerCase();
    const keys = new Set(chosen.map(key));
    const shown = all.filter((n) => !q || key(n.path).toLowerCase().includes(q));
    tree.replaceChildren(...shown.map((n) => {
      const disabled = label.leaf_only && !n.leaf;
      const on = keys.has(key(n.path));
      const li = h("li", { role: "option", tabindex: disabled ? null : -1, "aria-selected": String(on),
        "aria-disabled": disabled ? "true" : null, class: `depth-${Math.min(n.path.length - 1, 5)}${on ? " on" : ""}`,
        title: n.description ?? null, "data-path": key(n.path) },
      q ? key(n.path) : n.path[n.path.length - 1]);
      if (!disabled) {
        li.addEventListener("click", () => toggle(n.path));
        li.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(n.path); }
          else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            const items = [...tree.querySelectorAll("li[tabindex]")];
            const i = items.indexOf(li) + (event.key === "ArrowDown" ? 1 : -1);
            if (i < 0) search.focus(); else items[Math.min(i, items.length - 1)]?.focus();
          }
        });
      }
      return li;
    }));
    picked.textContent = chosen.length ? `Chosen: ${chosen.map((p) => p.join(" › ")).join("; ")}` : "";
  }
  search.addEventListener("input", render);
  search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { event.preventDefault(); tree.querySelector("li[tabindex]")?.focus(); }
    if (event.key === "Enter") {
      event.preventDefault();
      const first = tree.querySelector("li[tabindex]");
      if (first) toggle(first.dataset.path.split(sep));
    }
  });
  const sync = (value) => {
    const asPath = (v) => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? v.split(sep) : []);
    if (value == null) chosen = [];
    else if (label.multiple) chosen = (Array.isArray(value) ? value : []).map(asPath);
    else chosen = [asPath(value)];
    const focused = tree.contains(document.activeElement) ? document.activeElement.dataset.path : null;
    render();
    if (focused) tree.querySelector(`[data-path="${CSS.escape(focused)}"]`)?.focus();
  };
  return { el, sync };
}
