// Which key does what in the editor: explicit shortcuts from the schema first, then defaults
// (1..9 for the first choice or rating label, a/b/t for a pairwise label, 1..9 per span field).

import { pairwiseChoices } from "./llm.js";
import { optionsOf } from "./widgets.js";

/** Letters compare lower-case; named keys (Escape, ArrowLeft, ...) as they are. */
export const norm = (key) => (key.length === 1 ? key.toLowerCase() : key);

/** {plain: key -> {label, option}, spans: field -> Map(key -> {label, option}), hints: label -> Map(option -> key)} */
export function keyPlan(labels) {
  const plain = new Map();
  const spans = new Map();
  const hints = new Map();
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
