// Geometry of image objects in full-resolution pixels: box corners (rotated), a point in a box's own
// frame, point-in-polygon, and the nearest edge of a polygon or polyline (for vertex insertion).

export const HANDLE = 6; // screen pixels

/** The four corners of a (possibly rotated) box, clockwise from its origin. */
export function boxCorners(b) {
  const r = ((b.rotation ?? 0) * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  return [[0, 0], [b.width, 0], [b.width, b.height], [0, b.height]].map(([u, v]) => [b.x + u * c - v * s, b.y + u * s + v * c]);
}

/** (x, y) in the frame of box b (origin at b.x, b.y; axes along its rotation). */
export function local(b, x, y) {
  const r = (-(b.rotation ?? 0) * Math.PI) / 180;
  const dx = x - b.x;
  const dy = y - b.y;
  return [dx * Math.cos(r) - dy * Math.sin(r), dx * Math.sin(r) + dy * Math.cos(r)];
}

export function insidePoly(pts, x, y) {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i];
    const [xj, yj] = pts[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}


/**
 * The edge of `pts` nearest to (x, y) within `tol`: {index, point} where index is the position a new
 * vertex takes (after vertex index - 1) and point the nearest point on that edge; null when none is near.
 * A closed polygon also has the edge from the last vertex back to the first.
 */
export function nearestEdge(pts, closed, x, y, tol) {
  let best = null;
  const n = pts.length;
  const edges = closed ? n : n - 1;
  for (let i = 0; i < edges; i++) {
    const [ax, ay] = pts[i];
    const [bx, by] = pts[(i + 1) % n];
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const t = len2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2)) : 0;
    const px = ax + t * dx;
    const py = ay + t * dy;
    const d = Math.hypot(px - x, py - y);
    if (d <= tol && (!best || d < best.d)) best = { index: i + 1, point: [px, py], d };
  }
  return best && { index: best.index, point: best.point };
}
