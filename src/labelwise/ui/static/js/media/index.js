// Media fields in the annotation editor: which kinds are drawn on media, and the view for a field.

import { createAudioView } from "./audio.js";
import { createImageView } from "./image.js";
import { createSeriesView } from "./timeseries.js";
import { createVideoView } from "./video.js";

export const MEDIA_FIELD_KINDS = new Set(["image", "audio", "video", "timeseries"]);
export const MEDIA_LABEL_KINDS = new Set(["bbox", "polygon", "keypoints", "mask", "audio_ranges", "time_ranges", "video_boxes"]);

/** The view of one media field and its labels, or null when the value is not something we can show. */
export function createMediaView({ field, kind, value, meta, labels, get, set, readOnly = false, predicted = () => false }) {
  if (typeof value !== "string" || !value) return null;
  const mine = labels.filter((l) => MEDIA_LABEL_KINDS.has(l.kind) && l.field === field);
  // predicted(name): the label still shows the item's pre-labels (drawn dashed until edited or accepted with P)
  const args = { field, value, meta, labels: mine, get, set, readOnly, predicted };
  if (kind === "image") return createImageView(args);
  if (kind === "audio") return createAudioView(args);
  if (kind === "video") {
    const boxes = mine.some((l) => l.kind === "video_boxes");
    return boxes || !mine.length ? createVideoView(args) : createAudioView({ ...args, tag: "video" });
  }
  if (kind === "timeseries") return createSeriesView(args);
  return null;
}
