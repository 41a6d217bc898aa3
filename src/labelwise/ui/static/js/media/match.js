// Matching several annotators' work on one media field, for every pair of annotators: objects with the
// same label and option are paired greedily by decreasing score when the score is at least the threshold
// (0.5 by default), each object at most once within a pair of annotators.
// - boxes and polygons on an image: IoU of their extents (rotated boxes and polygons by bounding box);
// - ranges on audio or a time series: temporal IoU of [start, end];
// - video tracks: mean per-frame IoU over the frames either track spans (a frame only one has counts 0).

import { expand } from "./tracks.js";

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

/** Temporal IoU of two ranges {start, end}. */
export function rangeIou(a, b) {
  if (![a?.start, a?.end, b?.start, b?.end].every(Number.isFinite)) return 0;
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  if (inter <= 0) return 0;
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return union > 0 ? inter / union : 0;
}

/** frame -> [x0, y0, x1, y1] of a track over the frames from its first keyframe to its last. */
export function trackBoxes(track) {
  const out = new Map();
  if (!Array.isArray(track?.frames)) return out;
  for (const b of expand(track).frames) if (!b.outside) out.set(b.frame, [b.x, b.y, b.x + b.width, b.y + b.height]);
  return out;
}

/** Mean per-frame IoU of two tracks' boxes (from trackBoxes) over the frames either has a box on. */
export function trackIou(a, b) {
  let sum = 0;
  let n = 0;
  for (const [f, box] of a) { sum += iou(box, b.get(f)); n++; }
  for (const f of b.keys()) if (!a.has(f)) n++;
  return n ? sum / n : 0;
}

/**
 * groups: [{objects: [{labelName, label, ...}]}] (one per annotator); score(groupIndex, i, groupIndex2, j).
 * Returns {pairs: [{a, i, b, j, iou}], matched: Set("<group>:<index>")}.
 */
export function pairUp(groups, threshold, score) {
  const pairs = [];
  const matched = new Set();
  for (let a = 0; a < groups.length; a++) {
    for (let b = a + 1; b < groups.length; b++) {
      const candidates = [];
      groups[a].objects.forEach((oa, i) => groups[b].objects.forEach((ob, j) => {
        if (oa.labelName !== ob.labelName || oa.label !== ob.label) return;
        const v = score(a, i, b, j);
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

/** Image objects ({obj} a box or polygon) by the IoU of their extents. */
export function matchObjects(groups, threshold = 0.5) {
  const extents = groups.map((g) => g.objects.map((o) => extent(o.obj)));
  return pairUp(groups, threshold, (a, i, b, j) => iou(extents[a][i], extents[b][j]));
}

/** Ranges ({obj: {start, end}}) by temporal IoU. */
export function matchRanges(groups, threshold = 0.5) {
  return pairUp(groups, threshold, (a, i, b, j) => rangeIou(groups[a].objects[i].obj, groups[b].objects[j].obj));
}

/** Video tracks ({obj: track}) by mean per-frame IoU. */
export function matchTracks(groups, threshold = 0.5) {
  const boxes = groups.map((g) => g.objects.map((o) => trackBoxes(o.obj)));
  return pairUp(groups, threshold, (a, i, b, j) => trackIou(boxes[a][i], boxes[b][j]));
}
