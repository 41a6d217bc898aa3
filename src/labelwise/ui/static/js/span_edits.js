// Span and relation edits as pure functions: each takes a result and returns the next one.
// ``spans`` is the label's current list (the pre-labels when the label has none of its own yet).
// Relations refer to spans by id (given on first link) or, in older results, by index.

import { copy } from "./result_state.js";

/** The spans of ``labelName`` to edit: the result's, else (first edit) the pre-labels'. */
export function spansToEdit(result, prediction, labelName) {
  if (result[labelName] === undefined && Array.isArray(prediction?.result?.[labelName])) return copy(prediction.result[labelName]);
  return result[labelName] ?? [];
}

/** Without span ``index`` of ``labelName``, and without the relations that used it (indices shift down). */
export function withoutSpan(result, labels, labelName, spans, index) {
  const next = { ...result };
  const gone = spans[index];
  const rest = spans.filter((_, i) => i !== index);
  if (rest.length) next[labelName] = rest; else delete next[labelName];
  for (const rel of labels.filter((l) => l.kind === "relations" && l.spans_label === labelName)) {
    const kept = (result[rel.name] ?? [])
      .filter((r) => ![r.from, r.to].some((ref) => ref === index || (gone?.id && ref === gone.id)))
      .map((r) => ({ ...r, from: typeof r.from === "number" && r.from > index ? r.from - 1 : r.from,
        to: typeof r.to === "number" && r.to > index ? r.to - 1 : r.to }));
    if (kept.length) next[rel.name] = kept; else delete next[rel.name];
  }
  return next;
}

/** With a relation ``from`` -> ``to`` (span indices) labelled ``label``; both spans get an id. */
export function withRelation(result, rel, spans, from, to, label) {
  const next = { ...result };
  const list = [...spans];
  const idOf = (i) => {
    if (!list[i].id) {
      const taken = new Set(list.map((s) => s.id));
      let n = i + 1;
      while (taken.has(`s${n}`)) n++;
      list[i] = { ...list[i], id: `s${n}` };
    }
    return list[i].id;
  };
  const r = { from: idOf(from), to: idOf(to), ...(label ? { label } : {}) };
  next[rel.spans_label] = list;
  const rels = result[rel.name] ?? [];
  if (!rels.some((x) => x.from === r.from && x.to === r.to && x.label === r.label)) next[rel.name] = [...rels, r];
  return next;
}
