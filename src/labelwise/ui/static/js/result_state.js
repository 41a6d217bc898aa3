// The result being edited, with undo and redo: every change is a new object (the old one goes on
// the undo stack), and onChange hears every change, undo and redo included.

export function copy(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** The first prediction's result (highest score first), or null. */
export function bestPrediction(predictions) {
  const list = (predictions ?? []).filter((p) => p && p.result && typeof p.result === "object");
  if (!list.length) return null;
  list.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  return list[0];
}

/** onCommit(next) runs after every change (to redraw); onChange(next) after it (the caller's hook). */
export function createResultState(initial, { onCommit = () => {}, onChange = () => {} } = {}) {
  let current = copy(initial) ?? {};
  const past = [];
  const future = [];

  function commit(next) {
    past.push(current);
    future.length = 0;
    current = next;
    onCommit(current);
    onChange(current);
  }

  /** Set one label's value; an empty one (null, undefined, []) removes the label. */
  function set(name, value) {
    const next = { ...current };
    if (value === null || value === undefined || (Array.isArray(value) && !value.length)) delete next[name];
    else next[name] = value;
    commit(next);
  }

  function step(from, to, before) {
    if (!from.length) return false;
    before();
    to.push(current);
    current = from.pop();
    onCommit(current);
    onChange(current);
    return true;
  }

  return {
    get current() { return current; },
    commit, set,
    /** ``before`` runs only when there is a step to take, before the redraw. */
    undo: (before = () => {}) => step(past, future, before),
    redo: (before = () => {}) => step(future, past, before),
  };
}
