// Geometry of image objects in full-resolution pixels: box corners (rotated), a point in a box's own
// frame, and point-in-polygon.

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

