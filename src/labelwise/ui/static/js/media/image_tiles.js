// Tiles for images larger than the display copy: when the view magnifies the display copy, the
// server's 512-pixel tiles (`/tile?level=&col=&row=`, level z at scale 1 / 2**z) of the visible part are
// fetched at the coarsest level that is still as sharp as the screen and drawn over the display copy.
// Coordinates stay full-resolution pixels; tiles only change what is drawn. `v` is the editor's state.

const TILE = 512;
const KEEP = 256; // tiles kept decoded

export function createTiles(v, source) {
  const cache = new Map(); // "z/c/r" -> {img, ready}
  let levels = 0;
  let display = 1; // display pixels per full-resolution pixel
  let asked = 0; // when the current set of tiles was first asked for (performance.now())

  /** Call once the display image is known: tiles are used only when it is smaller than the image. */
  function setup(img) {
    const { W, H } = v;
    if (!source.key || !img || !W || !H || img.naturalWidth >= W) return;
    display = img.naturalWidth / W;
    levels = 1 + Math.max(0, Math.ceil(Math.log2(Math.max(W, H) / TILE)));
  }

  function load(key, url) {
    const entry = { img: new Image(), ready: false };
    cache.set(key, entry);
    entry.img.decoding = "async";
    entry.img.src = url;
    entry.img.decode().then(() => { entry.ready = true; v.redraw(); }).catch(() => cache.delete(key));
    if (cache.size > KEEP) cache.delete(cache.keys().next().value);
    return entry;
  }

  /** Draw the visible tiles (those that came); fetch the missing ones. */
  function draw(ctx) {
    const { view, W, H, cw, ch, canvas } = v;
    const z = Math.min(levels - 1, Math.max(0, Math.floor(Math.log2(1 / view.s))));
    if (!levels || view.s <= display || 1 / 2 ** z <= display) {
      canvas.dataset.tileLevel = "";
      canvas.dataset.tiles = "0";
      return;
    }
    const size = TILE * 2 ** z; // full-resolution pixels per tile
    const x0 = Math.max(0, -view.ox / view.s);
    const y0 = Math.max(0, -view.oy / view.s);
    const x1 = Math.min(W, (cw - view.ox) / view.s);
    const y1 = Math.min(H, (ch - view.oy) / view.s);
    let shown = 0;
    let wanted = 0;
    for (let r = Math.floor(y0 / size); r * size < y1; r++) {
      for (let c = Math.floor(x0 / size); c * size < x1; c++) {
        wanted++;
        const key = `${z}/${c}/${r}`;
        let entry = cache.get(key);
        if (!entry) {
          if (!asked) asked = performance.now();
          entry = load(key, `${source.src("tile")}?level=${z}&col=${c}&row=${r}`);
        }
        if (!entry.ready) continue;
        cache.delete(key); // most recently used last
        cache.set(key, entry);
        const w = Math.min(entry.img.naturalWidth * 2 ** z, W - c * size);
        const h = Math.min(entry.img.naturalHeight * 2 ** z, H - r * size);
        ctx.drawImage(entry.img, view.ox + c * size * view.s, view.oy + r * size * view.s, w * view.s, h * view.s);
        shown++;
      }
    }
    canvas.dataset.tileLevel = String(z);
    canvas.dataset.tiles = String(shown);
    if (shown === wanted && asked) { // every visible tile is drawn: how long that took since asked
      canvas.dataset.tilesMs = String(Math.round(performance.now() - asked));
      asked = 0;
    }
  }

  return { setup, draw };
}
