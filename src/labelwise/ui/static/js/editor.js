// The annotation editor: an item's data (text fields with spans and relations, chats, compared
// responses) and one input per label. Holds the result being edited; keyboard shortcuts, undo/redo,
// pre-labels, and errors from the API per label.

import { h, say } from "./dom.js";
import { renderChat } from "./chat.js";
import { fieldsShownBy, pairwiseChoices } from "./llm.js";
import { createRelationLayer } from "./relations.js";
import { optionColor, spanList } from "./spans.js";
import { createSpanText } from "./spantext.js";
import { tokenize } from "./tokens.js";
import { buildWidget, optionsOf } from "./widgets.js";
import { createMediaView, MEDIA_FIELD_KINDS, MEDIA_LABEL_KINDS } from "./media/index.js";

const TEXT_KINDS = new Set(["text", "markdown", "html", "url", "number", "list", "json", "table"]);
const LIST_LIMIT = 200; // span list entries shown (long documents hold thousands)
const norm = (key) => (key.length === 1 ? key.toLowerCase() : key);

function copy(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** Which key does what: explicit shortcuts from the schema, then defaults (1..9, a/b/t). */
function keyPlan(labels) {
  const plain = new Map(); // key -> {label, option}
  const spans = new Map(); // field -> Map(key -> {label, option})
  const hints = new Map(); // label name -> Map(option -> key)
  const hint = (label, option, key) => {
    if (!hints.has(label.name)) hints.set(label.name, new Map());
    if (!hints.get(label.name).has(option)) hints.get(label.name).set(option, key);
  };
  const claim = (label, option, key) => {
    if (plain.has(norm(key))) return;
    plain.set(norm(key), { label, option });
    hint(label, option, key);
  };
  for (const label of labels) {
    if (label.kind === "spans") {
      if (!spans.has(label.field)) spans.set(label.field, new Map());
      const keys = spans.get(label.field);
      for (const opt of label.options ?? []) {
        const key = opt.shortcut ?? label.shortcuts?.[opt.value];
        if (key && !keys.has(norm(key))) keys.set(norm(key), { label, option: opt.value });
      }
      continue;
    }
    if (label.kind === "pairwise") {
      for (const [option, key] of Object.entries(label.shortcuts ?? {})) claim(label, option, key);
      continue;
    }
    if (!["choice", "multi_choice", "rating"].includes(label.kind)) continue;
    const explicit = label.kind === "rating" ? Object.entries(label.shortcuts ?? {})
      : optionsOf(label).map((o) => [o.value, o.shortcut ?? label.shortcuts?.[o.value]]).filter(([, k]) => k);
    for (const [option, key] of explicit) claim(label, option, key);
  }
  const first = labels.find((l) => l.kind === "choice") ?? labels.find((l) => l.kind === "rating");
  if (first) optionsOf(first).slice(0, 9).forEach((opt, i) => claim(first, opt.value, String(i + 1)));
  const pair = labels.find((l) => l.kind === "pairwise" && !Object.keys(l.shortcuts ?? {}).length);
  if (pair) for (const choice of pairwiseChoices(pair)) claim(pair, choice, choice[0]);
  for (const [field, keys] of spans) {
    const firstSpans = labels.find((l) => l.kind === "spans" && l.field === field);
    (firstSpans.options ?? []).slice(0, 9).forEach((opt, i) => {
      if (![...keys.values()].some((a) => a.label === firstSpans && a.option === opt.value) && !keys.has(String(i + 1))) {
        keys.set(String(i + 1), { label: firstSpans, option: opt.value });
      }
    });
  }
  return { plain, spans, hints };
}

/** The first prediction's result (highest score first), or null. */
function bestPrediction(predictions) {
  const list = (predictions ?? []).filter((p) => p && p.result && typeof p.result === "object");
  if (!list.length) return null;
  list.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  return list[0];
}

export function createEditor({ schema, data, meta = null, result, predictions = [], uid = "ed", onChange = () => {} }) {
  const labels = schema.labels ?? [];
  const fields = Object.keys(schema.fields ?? {}).length ? schema.fields
    : Object.fromEntries(Object.keys(data ?? {}).map((k) => [k, "text"]));
  const plan = keyPlan(labels);
  const prediction = bestPrediction(predictions);
  let current = copy(result) ?? {};
  const past = [];
  const future = [];
  let pending = null; // {field, start, end, text}
  let active = null; // {labelName, index}: the span whose panel is open
  let linking = null; // {labelName, index, rel}: choosing the target span of a relation
  let relChoice = null; // {rel, from, to}: choosing a relation label

  const root = h("div", { class: "editor" });
  const dataView = h("div", { class: "data-view" });
  const form = h("div", { class: "labels" });
  const general = h("p", { class: "field-error", role: "alert", hidden: true });
  root.append(dataView, form, general);
  if (prediction) {
    root.prepend(h("div", { class: "notice prelabel-note", role: "note" },
      h("span", { text: `Pre-labels from ${prediction.model ?? "a model"} are shown dashed. ` }),
      h("button", { type: "button", class: "small", onclick: () => acceptPrediction() }, "Accept them ", h("kbd", { text: "P" }))));
  }

  // ---- data fields, with spans ---------------------------------------------------------------
  const shownElsewhere = new Set(labels.flatMap(fieldsShownBy));
  const spanFields = [];
  const mediaViews = []; // image, audio, video and time-series fields (static/js/media/)
  const mediaFields = new Set();
  for (const [field, kind] of Object.entries(fields)) {
    if (shownElsewhere.has(field)) continue;
    const value = data?.[field];
    const media = MEDIA_FIELD_KINDS.has(kind) ? createMediaView({ field, kind, value, meta, labels,
      get: (name) => current[name] ?? (Array.isArray(prediction?.result?.[name]) ? prediction.result[name] : undefined),
      set: (name, v) => set(name, v),
      predicted: (name) => current[name] === undefined && Array.isArray(prediction?.result?.[name]) }) : null;
    if (media) {
      mediaViews.push(media);
      mediaFields.add(field);
      dataView.append(h("section", { class: "field media-field", "data-field": field },
        Object.keys(fields).length > 1 ? h("h3", { class: "field-name", text: field }) : null, media.el));
      continue;
    }
    const spanLabels = labels.filter((l) => l.kind === "spans" && l.field === field);
    const section = h("section", { class: "field", "data-field": field },
      Object.keys(fields).length > 1 || spanLabels.length ? h("h3", { class: "field-name", text: field }) : null);
    if (spanLabels.length && typeof value === "string") {
      section.append(spanField(field, value, spanLabels));
    } else if (kind === "chat" && renderChat(value)) {
      section.append(renderChat(value));
    } else if (TEXT_KINDS.has(kind) || value === undefined || typeof value !== "object") {
      section.append(h("div", { class: "data-text", text: value === undefined ? "(missing)"
        : typeof value === "string" ? value : JSON.stringify(value, null, 2) }));
    } else {
      section.append(h("pre", { class: "data-text", text: JSON.stringify(value, null, 2) }));
    }
    dataView.append(section);
  }

  function spanField(field, text, spanLabels) {
    const relLabels = labels.filter((l) => l.kind === "relations" && spanLabels.some((s) => s.name === l.spans_label));
    const snap = spanLabels[0].snap ?? "token";
    const sf = { field, text, labels: spanLabels, relLabels, listed: "" };
    sf.view = createSpanText(text, { tokens: tokenize(text), snap, onPick: (entry) => pickSpan(sf, entry) });
    sf.holder = h("div", { class: "span-holder" }, sf.view.el);
    sf.relations = relLabels.length ? createRelationLayer(sf.holder, sf.view) : null;
    if (relLabels.length) sf.view.el.classList.add("with-relations");
    sf.status = h("p", { class: "selection-status muted small", "aria-live": "polite" });
    sf.panel = h("div", { class: "span-panel", hidden: true, role: "group", "aria-label": "The chosen span" });
    const legend = h("div", { class: "span-legend" }, spanLabels.map((label) =>
      (label.options ?? []).map((opt, i) => {
        const key = [...plan.spans.get(field)].find(([, a]) => a.label === label && a.option === opt.value)?.[0];
        const button = h("button", { type: "button", class: "span-option", "data-option": opt.value,
          title: opt.description ?? null, "aria-description": opt.description ?? null },
        h("span", { class: "swatch", "aria-hidden": "true" }), opt.value, key ? h("kbd", { text: key }) : null);
        button.querySelector(".swatch").style.backgroundColor = optionColor(opt, i);
        button.addEventListener("mousedown", (e) => e.preventDefault()); // keep the text selection
        button.addEventListener("click", () => addSpan(field, label, opt.value));
        return button;
      })));
    sf.list = h("div", { class: "span-list-holder", "data-errors-for": spanLabels.map((l) => l.name).join(" ") });
    sf.view.el.addEventListener("mouseup", () => setTimeout(() => capture(sf), 0));
    sf.view.el.addEventListener("keyup", (e) => { if (e.shiftKey || e.key.startsWith("Arrow")) capture(sf); });
    spanFields.push(sf);
    return h("div", {}, sf.holder, sf.status, sf.panel, legend, sf.list);
  }

  // ---- label inputs ----------------------------------------------------------------------------
  const widgets = new Map();
  for (const label of labels) {
    if (label.kind === "spans" || label.kind === "relations") continue;
    if (MEDIA_LABEL_KINDS.has(label.kind) && mediaFields.has(label.field)) continue; // drawn on the media
    const widget = buildWidget(label, { uid, data, keys: plan.hints.get(label.name) ?? new Map(),
      set: (value) => set(label.name, value), get: () => current[label.name] });
    widgets.set(label.name, widget);
    form.append(widget.el);
    const guess = prediction?.result?.[label.name];
    if (guess !== undefined && guess !== null) {
      widget.el.append(h("p", { class: "prelabel small", text: `Pre-label: ${typeof guess === "string" ? guess : JSON.stringify(guess)}` }));
    }
  }

  // ---- spans -----------------------------------------------------------------------------------
  const keyOf = (labelName, index) => `${labelName}#${index}`;

  function spanEntries(sf) {
    const out = [];
    for (const label of sf.labels) {
      const given = current[label.name];
      const predicted = given === undefined ? prediction?.result?.[label.name] : undefined;
      const list = Array.isArray(given) ? given : Array.isArray(predicted) ? predicted : [];
      list.forEach((s, index) => {
        const optIndex = (label.options ?? []).findIndex((o) => o.value === s.label);
        out.push({ ...s, key: keyOf(label.name, index), option: s.label, labelName: label.name, index,
          pred: given === undefined, color: optionColor(label.options?.[optIndex], Math.max(optIndex, 0)) });
      });
    }
    return out;
  }

  function spanText(sf, s) {
    sf.chars ??= Array.from(sf.text);
    return s.text ?? sf.chars.slice(s.start, s.end).join("");
  }

  function relationsOf(sf) {
    const out = [];
    for (const rel of sf.relLabels) {
      const spans = current[rel.spans_label] ?? [];
      const find = (ref) => (typeof ref === "number" ? ref : spans.findIndex((s) => s.id === ref));
      for (const r of current[rel.name] ?? []) {
        const a = find(r.from);
        const b = find(r.to);
        if (a >= 0 && b >= 0) out.push({ from: keyOf(rel.spans_label, a), to: keyOf(rel.spans_label, b), label: r.label ?? "" });
      }
    }
    return out;
  }

  function refresh() {
    for (const [name, widget] of widgets) widget.sync(current[name]);
    for (const view of mediaViews) view.refresh();
    for (const sf of spanFields) {
      const entries = spanEntries(sf);
      const marked = new Set([active, linking].filter(Boolean).map((a) => keyOf(a.labelName, a.index)));
      sf.view.update(entries, marked);
      const real = entries.filter((e) => !e.pred);
      const shown = real.length > LIST_LIMIT ? real.slice(-LIST_LIMIT) : real;
      const sig = shown.map((e) => `${e.key}:${e.start}:${e.end}:${e.option}`).join("|");
      if (sig !== sf.listed) {
        sf.listed = sig;
        sf.list.replaceChildren(spanList(shown.map((e) => ({ ...e, text: spanText(sf, e) })), { onDelete: removeSpan }));
        if (real.length > LIST_LIMIT) sf.list.append(h("p", { class: "muted small", text: `The last ${LIST_LIMIT} of ${real.length} spans are listed; click a span in the text (or move onto it with the arrow keys and press Space) to edit any of them.` }));
      }
      sf.relations?.draw(relationsOf(sf));
      renderPanel(sf);
    }
  }

  function capture(sf) {
    const sel = sf.view.selection();
    pending = sel ? { ...sel, field: sf.field } : null;
    for (const other of spanFields) {
      say(other.status, other === sf && pending
        ? `Selected “${pending.text.length > 60 ? `${pending.text.slice(0, 60)}…` : pending.text}”: press a label's key or click a label.` : "");
    }
  }

  function clearPending() {
    pending = null;
    window.getSelection()?.removeAllRanges();
    for (const sf of spanFields) say(sf.status, ""); // the keyboard cursor stays where it was
  }

  function commit(next) {
    past.push(current);
    future.length = 0;
    current = next;
    refresh();
    onChange(current);
  }

  function set(name, value) {
    const next = { ...current };
    if (value === null || value === undefined || (Array.isArray(value) && !value.length)) delete next[name];
    else next[name] = value;
    commit(next);
  }

  function materialise(labelName) {
    // the first edit of a label that shows pre-labels starts from them
    if (current[labelName] === undefined && Array.isArray(prediction?.result?.[labelName])) return copy(prediction.result[labelName]);
    return current[labelName] ?? [];
  }

  function addSpan(field, label, option) {
    if (!pending || pending.field !== field) return false;
    const spans = materialise(label.name);
    const { start, end, text } = pending;
    clearPending();
    if (spans.some((s) => s.start === start && s.end === end && s.label === option)) return true;
    set(label.name, [...spans, { start, end, label: option, text }]);
    return true;
  }

  function removeSpan(entry) {
    const next = { ...current };
    const spans = materialise(entry.labelName);
    const gone = spans[entry.index];
    const rest = spans.filter((_, i) => i !== entry.index);
    if (rest.length) next[entry.labelName] = rest; else delete next[entry.labelName];
    for (const rel of labels.filter((l) => l.kind === "relations" && l.spans_label === entry.labelName)) {
      const kept = (current[rel.name] ?? [])
        .filter((r) => ![r.from, r.to].some((ref) => ref === entry.index || (gone?.id && ref === gone.id)))
        .map((r) => ({ ...r, from: typeof r.from === "number" && r.from > entry.index ? r.from - 1 : r.from,
          to: typeof r.to === "number" && r.to > entry.index ? r.to - 1 : r.to }));
      if (kept.length) next[rel.name] = kept; else delete next[rel.name];
    }
    active = null;
    commit(next);
  }

  function relabel(entry, option) {
    const spans = materialise(entry.labelName);
    set(entry.labelName, spans.map((s, i) => (i === entry.index ? { ...s, label: option } : s)));
  }

  // ---- the span panel: relabel, delete, link -----------------------------------------------------
  function pickSpan(sf, entry) {
    if (linking && relChoice === null) {
      if (entry.labelName === linking.labelName && entry.index !== linking.index) {
        return startRelation(sf, linking.rel, linking.index, entry.index);
      }
    }
    active = { labelName: entry.labelName, index: entry.index, field: sf.field };
    linking = null;
    relChoice = null;
    refresh();
    sf.panel.querySelector("button")?.focus({ preventScroll: true });
  }

  function startRelation(sf, rel, from, to) {
    linking = null;
    if ((rel.options ?? []).length > 1) {
      relChoice = { rel, from, to, field: sf.field };
      refresh();
      sf.panel.querySelector("button")?.focus({ preventScroll: true });
      return;
    }
    addRelation(rel, from, to, rel.options?.[0]?.value);
  }

  function addRelation(rel, from, to, label) {
    const next = { ...current };
    const spans = [...materialise(rel.spans_label)];
    const idOf = (i) => {
      if (!spans[i].id) {
        const taken = new Set(spans.map((s) => s.id));
        let n = i + 1;
        while (taken.has(`s${n}`)) n++;
        spans[i] = { ...spans[i], id: `s${n}` };
      }
      return spans[i].id;
    };
    const r = { from: idOf(from), to: idOf(to), ...(label ? { label } : {}) };
    next[rel.spans_label] = spans;
    const list = current[rel.name] ?? [];
    if (!list.some((x) => x.from === r.from && x.to === r.to && x.label === r.label)) next[rel.name] = [...list, r];
    relChoice = null;
    active = null;
    commit(next);
  }

  function removeRelation(rel, index) {
    set(rel.name, (current[rel.name] ?? []).filter((_, i) => i !== index));
  }

  function closePanel() {
    active = linking = relChoice = null;
    refresh();
  }

  function renderPanel(sf) {
    const panel = sf.panel;
    if (relChoice && relChoice.field === sf.field) {
      panel.hidden = false;
      panel.replaceChildren(h("span", { class: "small", text: "Relation label: " }),
        relChoice.rel.options.slice(0, 9).map((o, i) => h("button", { type: "button", class: "small",
          onclick: () => addRelation(relChoice.rel, relChoice.from, relChoice.to, o.value) }, o.value, h("kbd", { text: String(i + 1) }))),
        h("button", { type: "button", class: "small link-button", onclick: closePanel }, "cancel ", h("kbd", { text: "Esc" })));
      return;
    }
    const a = (linking ?? active);
    if (!a || a.field !== sf.field) { panel.hidden = true; panel.replaceChildren(); return; }
    const label = sf.labels.find((l) => l.name === a.labelName);
    const span = materialise(a.labelName)[a.index];
    if (!label || !span) { panel.hidden = true; return; }
    panel.hidden = false;
    if (linking) {
      panel.replaceChildren(h("span", { class: "small", text: `Linking from “${spanText(sf, span)}”: click the target span, or Esc.` }));
      return;
    }
    const entry = { labelName: a.labelName, index: a.index };
    const rels = sf.relLabels.filter((r) => r.spans_label === a.labelName);
    const mine = rels.flatMap((rel) => (current[rel.name] ?? []).map((r, i) => ({ rel, r, i })))
      .filter(({ r }) => [r.from, r.to].some((ref) => ref === a.index || (span.id && ref === span.id)));
    panel.replaceChildren(
      h("strong", { class: "span-quote", text: `“${spanText(sf, span)}”` }), " ",
      h("span", { class: "small muted", text: "relabel:" }),
      (label.options ?? []).slice(0, 9).map((o, i) => h("button", { type: "button", class: `small${o.value === span.label ? " on" : ""}`,
        "aria-pressed": String(o.value === span.label), onclick: () => relabel(entry, o.value) }, o.value, h("kbd", { text: String(i + 1) }))),
      h("button", { type: "button", class: "small danger", onclick: () => removeSpan(entry) }, "Delete ", h("kbd", { text: "Del" })),
      rels.length ? h("button", { type: "button", class: "small", onclick: () => { linking = { ...a, rel: rels[0] }; active = null; refresh(); } },
        "Link to… ", h("kbd", { text: "L" })) : null,
      h("button", { type: "button", class: "small link-button", onclick: closePanel }, "close ", h("kbd", { text: "Esc" })),
      mine.length ? h("ul", { class: "relation-list small" }, mine.map(({ rel, r, i }) => h("li", {},
        `${r.label ?? rel.name}: ${r.from} → ${r.to} `,
        h("button", { type: "button", class: "link-button small", onclick: () => removeRelation(rel, i), "aria-label": `Remove relation ${r.label ?? ""}` }, "remove")))) : null);
  }

  // ---- keys ------------------------------------------------------------------------------------
  function pick(label, option) {
    if (label.kind === "multi_choice") {
      const chosen = new Set(current[label.name] ?? []);
      if (chosen.has(option)) chosen.delete(option); else chosen.add(option);
      set(label.name, optionsOf(label).map((o) => o.value).filter((v) => chosen.has(v)));
    } else if (label.kind === "pairwise") {
      widgets.get(label.name)?.pick?.(option);
    } else {
      set(label.name, label.kind === "rating" ? Number(option) : option);
    }
  }

  function panelKey(key) {
    if (relChoice) {
      const opt = relChoice.rel.options[Number(key) - 1];
      if (opt) { addRelation(relChoice.rel, relChoice.from, relChoice.to, opt.value); return true; }
      if (key === "Escape") { closePanel(); return true; }
      return false;
    }
    if (linking) {
      if (key === "Escape") { closePanel(); return true; }
      return false;
    }
    if (!active) return false;
    const sf = spanFields.find((f) => f.field === active.field);
    const label = sf?.labels.find((l) => l.name === active.labelName);
    const entry = { labelName: active.labelName, index: active.index };
    if (key === "Escape") { closePanel(); sf?.view.el.focus(); return true; }
    if (key === "Delete" || key === "Backspace") { removeSpan(entry); sf?.view.el.focus(); return true; }
    if (key === "l" && sf?.relLabels.some((r) => r.spans_label === active.labelName)) {
      linking = { ...active, rel: sf.relLabels.find((r) => r.spans_label === active.labelName) };
      active = null;
      refresh();
      return true;
    }
    const opt = label?.options?.[Number(key) - 1];
    if (/^[1-9]$/.test(key) && opt) { relabel(entry, opt.value); return true; }
    return false;
  }

  /** A shortcut key: true if the editor used it. Call only when the user is not typing. */
  function handleKey(event) {
    if (event.altKey || event.metaKey) return false;
    if (event.ctrlKey) {
      const k = norm(event.key);
      if ((k === "z" && event.shiftKey) || k === "y") { redo(); return true; }
      if (k === "z") { undo(); return true; }
      return false;
    }
    const key = norm(event.key);
    const inMedia = mediaViews.find((v) => v.el.contains(event.target))
      ?? (mediaViews.length === 1 && !plan.plain.has(key) && !spanFields.length ? mediaViews[0] : null);
    if (inMedia && !(key === "p" && prediction) && inMedia.handleKey(event)) return true;
    const inText = spanFields.find((sf) => sf.view.el.contains(event.target));
    if (inText && !active && !relChoice && inText.view.keyboardKey(event)) {
      if (event.key.startsWith("Arrow")) capture(inText);
      return true;
    }
    if (panelKey(key)) return true;
    if (key === "Escape" && pending) { clearPending(); for (const sf of spanFields) sf.view.clear(); return true; }
    if (pending) {
      const action = plan.spans.get(pending.field)?.get(key);
      if (action) return addSpan(pending.field, action.label, action.option);
    }
    if (key === "p" && prediction) { acceptPrediction(); return true; }
    const action = plan.plain.get(key);
    if (action) { pick(action.label, action.option); return true; }
    return false;
  }

  function acceptPrediction() {
    if (!prediction) return false;
    const next = { ...current };
    for (const [name, value] of Object.entries(prediction.result)) {
      if (next[name] === undefined && labels.some((l) => l.name === name)) next[name] = copy(value);
    }
    commit(next);
    return true;
  }

  function undo() {
    if (!past.length) return false;
    future.push(current);
    current = past.pop();
    active = linking = relChoice = null;
    refresh();
    onChange(current);
    return true;
  }

  function redo() {
    if (!future.length) return false;
    past.push(current);
    current = future.pop();
    refresh();
    onChange(current);
    return true;
  }

  function showErrors(errors, message) {
    for (const old of root.querySelectorAll(".label-error")) old.remove();
    say(general, "");
    let placed = false;
    for (const err of errors ?? []) {
      const name = err.loc?.[0] === "result" ? err.loc?.[1] : err.loc?.[0]; // checks name ["result", label]
      const target = widgets.get(name)?.el
        ?? root.querySelector(`[data-errors-for~="${CSS.escape(String(name))}"]`);
      if (!target) continue;
      target.append(h("p", { class: "field-error label-error", role: "alert", text: err.msg }));
      placed = true;
    }
    if (!placed && message) say(general, message);
  }

  refresh();
  return {
    root, handleKey, undo, redo, showErrors, acceptPrediction,
    result: () => copy(current),
    hasSelection: () => pending !== null,
    /** For measurements: select [start, end) of the first span field and label it with its first option. */
    spanFieldCount: () => spanFields.length,
  };
}
