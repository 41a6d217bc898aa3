// Video tracks: the box of a track at a frame (keyframes, linear interpolation between them) and a
// track expanded to every frame it spans. Pure functions, shared by the editor and the review overlay.

import { round2 } from "./common.js";

/** The box of a track at frame f: a keyframe, an interpolation between two, or the last one held. */
export function boxAt(track, f) {
  const keys = track.frames.filter((k) => k.keyframe !== false).sort((a, b) => a.frame - b.frame);
  if (!keys.length || f < keys[0].frame) return null;
  let i = 0;
  while (i + 1 < keys.length && keys[i + 1].frame <= f) i++;
  const a = keys[i];
  if (a.frame === f || i + 1 >= keys.length) return a.outside ? null : { x: a.x, y: a.y, width: a.width, height: a.height, keyframe: a.frame === f };
  if (a.outside) return null;
  const b = keys[i + 1];
  const t = (f - a.frame) / (b.frame - a.frame);
  const mix = (p, q) => round2(p + (q - p) * t);
  return { x: mix(a.x, b.x), y: mix(a.y, b.y), width: mix(a.width, b.width), height: mix(a.height, b.height), keyframe: false };
}

/** Every frame from the first keyframe to the last: keyframes as set, the rest interpolated. */
export function expand(track) {
  const keys = track.frames.filter((k) => k.keyframe !== false).sort((a, b) => a.frame - b.frame);
  if (!keys.length) return { ...track, frames: [] };
  const frames = [];
  for (let f = keys[0].frame; f <= keys[keys.length - 1].frame; f++) {
    const key = keys.find((k) => k.frame === f);
    if (key) frames.push({ ...key, keyframe: true });
    else { const b = boxAt({ frames: keys }, f); if (b) frames.push({ frame: f, x: b.x, y: b.y, width: b.width, height: b.height, keyframe: false }); }
  }
  return { ...track, frames };
}
