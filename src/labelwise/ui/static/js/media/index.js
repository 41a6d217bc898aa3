// Media fields in the annotation editor: which kinds are drawn on media, and the view for a field.

import { createAttributePanel, withAttributeDefaults } from "./attributes.js";
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
  let view = null;
  const toView = () => view?.el.querySelector("canvas, [tabindex]")?.focus(); // Escape in the panel
  const attrs = mine.some((l) => l.attributes?.length) ? createAttributePanel({ labels: mine, get, set, readOnly, onEscape: toView, chooser: kind !== "image" }) : null;
  const args = { field, value, meta, labels: mine, get, set: attrs ? withAttributeDefaults(mine, get, set) : set, readOnly, predicted,
    onSelect: attrs ? attrs.show : () => {} };
  view = createView(kind, args);
  return attrs && view ? withAttributes(view, attrs) : view;
}

/** The attribute panel after the view's object list; A focuses it, Escape there returns to the view. */
function withAttributes(view, attrs) {
  view.el.append(attrs.el);
  const { refresh, handleKey } = view;
  return Object.assign(view, {
    refresh() { refresh(); attrs.refresh(); },
    handleKey(e) { return ((e.key === "a" || e.key === "A") && !e.shiftKey && attrs.focus()) || handleKey(e); },
  });
}

function createView(kind, args) {
  const mine = args.labels;
  if (kind === "image") return createImageView(args);
  if (kind === "audio") return createAudioView(args);
  if (kind === "video") {
    const boxes = mine.some((l) => l.kind === "video_boxes");
    return boxes || !mine.length ? createVideoView(args) : createAudioView({ ...args, tag: "video" });
  }
  if (kind === "timeseries") return createSeriesView(args);
  return null;
}
