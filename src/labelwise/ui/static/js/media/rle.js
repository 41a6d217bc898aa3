// COCO run-length encoding of masks, as the schema stores them: column-major runs, background first.
// decode accepts run lists and the compressed COCO string (as pycocotools writes it).

export function encode(bits, height, width) {
  const counts = [];
  let run = 0;
  let value = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = bits[y * width + x] ? 1 : 0;
      if (v !== value) { counts.push(run); run = 0; value = v; }
      run++;
    }
  }
  counts.push(run);
  return { counts, size: [height, width] };
}

function cocoCounts(text) {
  const counts = [];
  let p = 0;
  while (p < text.length) {
    let x = 0;
    let k = 0;
    let more = 1;
    while (more) {
      const c = text.charCodeAt(p++) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = c & 0x20;
      k++;
      if (!more && (c & 0x10)) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

/** Row-major Uint8Array of 0/1 for {counts, size: [h, w]}. */
export function decode(rle) {
  const [height, width] = rle.size;
  const counts = typeof rle.counts === "string" ? cocoCounts(rle.counts) : rle.counts;
  const bits = new Uint8Array(height * width);
  let i = 0;
  let value = 0;
  for (const n of counts) {
    if (value) {
      for (let j = i; j < i + n; j++) bits[(j % height) * width + Math.floor(j / height)] = 1;
    }
    i += n;
    value ^= 1;
  }
  return bits;
}
