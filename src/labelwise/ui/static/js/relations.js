// Relations between spans drawn as SVG arrows over the text: an arc from the source span to the
// target, its label at the top. Redrawn after each change and when the layout changes size.

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * holder: the positioned element around the text; view: the span text (segmentsOf(key)).
 * draw(list) with list = [{from, to, label}] (span keys) draws them all.
 */
export function createRelationLayer(holder, view) {
  const layer = svg("svg", { class: "relation-layer", "aria-hidden": "true" });
  const defs = svg("defs");
  const marker = svg("marker", { id: `arrow-${Math.random().toString(36).slice(2, 8)}`, viewBox: "0 0 10 10",
    refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "relation-head" }));
  defs.append(marker);
  layer.append(defs);
  holder.append(layer);
  let current = [];

  function anchor(key, base) {
    const segs = view.segmentsOf(key);
    if (!segs.length) return null;
    const r = segs[0].getBoundingClientRect();
    return { x: r.left - base.left + r.width / 2, y: r.top - base.top };
  }

  function draw(list = current) {
    current = list;
    for (const old of [...layer.children]) if (old !== defs) old.remove();
    if (!list.length) { layer.setAttribute("hidden", ""); return; }
    layer.removeAttribute("hidden");
    const base = holder.getBoundingClientRect();
    layer.setAttribute("width", String(holder.scrollWidth));
    layer.setAttribute("height", String(holder.scrollHeight));
    for (const rel of list) {
      const a = anchor(rel.from, base);
      const b = anchor(rel.to, base);
      if (!a || !b) continue;
      const lift = 14 + Math.min(40, Math.abs(b.x - a.x) / 6);
      const top = Math.min(a.y, b.y) - lift;
      const path = svg("path", { class: "relation", d: `M${a.x},${a.y} C${a.x},${top} ${b.x},${top} ${b.x},${b.y}`,
        "marker-end": `url(#${marker.id})` });
      const g = svg("g", { class: "relation-group" });
      g.append(path);
      if (rel.label) {
        const mx = (a.x + b.x) / 2;
        const my = top + lift / 4;
        const text = svg("text", { x: mx, y: my, class: "relation-label", "text-anchor": "middle" });
        text.textContent = rel.label;
        const w = rel.label.length * 6.5 + 8;
        g.append(svg("rect", { x: mx - w / 2, y: my - 10, width: w, height: 13, rx: 3, class: "relation-bg" }), text);
      }
      layer.append(g);
    }
  }

  new ResizeObserver(() => draw()).observe(holder);
  return { draw };
}
