// Matching several annotators' objects on one image: boxes (rotated ones by their bounding box) and
// polygons (by their bounding box) with the same label and option are paired when their IoU is at
// least the threshold, greedily by decreasing IoU, for every pair of annotators.

/** [x0, y0, x1, y1] of an object (bbox or polygon), or null. */
export function extent(obj) {
  if (!obj || typeof obj !== "object") return null;
  if (Array.isArray(obj.points) && obj.points.length) {
    const xs = obj.points.map((p) => p[0]);
    const ys = obj.points.map((p) => p[1]);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }
  if (![obj.x, obj.y, obj.width, obj.height].every(Number.isFinite)) return null;
  if (!obj.rotation) return [obj.x, obj.y, obj.x + obj.width, obj.y + obj.height];
  const r = (obj.rotation * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  const pts = [[0, 0], [obj.width, 0], [obj.width, obj.height], [0, obj.height]]
    .map(([u, v]) => [obj.x + u * c - v * s, obj.y + u * s + v * c]);
  return extent({ points: pts });
}

/** Intersection over union of two extents. */
export function iou(a, b) {
  if (!a || !b) return 0;
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const hgt = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || hgt <= 0) return 0;
  const inter = w * hgt;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * groups: [{objects: [{labelName, label, obj}]}] (one per annotator).
 * Returns {pairs: [{a, i, b, j, iou}], matched: Set("<group>:<index>")}; within a pair of groups an
 * object is matched at most once.
 */
export function matchObjects(groups, threshold = 0.5) {
  const pairs = [];
  const matched = new Set();
  const extents = groups.map((g) => g.objects.map((o) => extent(o.obj)));
  for (let a = 0; a < groups.length; a++) {
    for (let b = a + 1; b < groups.length; b++) {
      const candidates = [];
      groups[a].objects.forEach((oa, i) => groups[b].objects.forEach((ob, j) => {
        if (oa.labelName !== ob.labelName || oa.label !== ob.label) return;
        const v = iou(extents[a][i], extents[b][j]);
        if (v >= threshold) candidates.push({ a, i, b, j, iou: v });
      }));
      candidates.sort((x, y) => y.iou - x.iou);
      const usedA = new Set();
      const usedB = new Set();
      for (const c of candidates) {
        if (usedA.has(c.i) || usedB.has(c.j)) continue;
        usedA.add(c.i);
        usedB.add(c.j);
        pairs.push(c);
        matched.add(`${a}:${c.i}`);
        matched.add(`${b}:${c.j}`);
      }
    }
  }
  return { pairs, matched };
}
