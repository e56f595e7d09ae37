// @jsxRuntime automatic
// @jsxImportSource hono/jsx
// Lumen's anonymous feed page (`/`) in hono/jsx, for `make bench`: issue 13's goal is that
// Lumen's render costs no more than this page's does, measured in the same run. Same D1
// queries as `server/src/d1/photos.rs` (FEED, VARIANTS), the same card data as
// `app/src/ssr/service/photos.rs` (`cards_at`, placeholders remembered per isolate), and the
// same markup as the Rust page (app/src/routes.rs shell, components/nav.rs, photo_card.rs).
// `/_dev/floor` and `/_dev/render` answer like the Rust Worker's (server/src/routes/dev.rs).
import { Hono } from "hono";
import { thumbHashToRGBA } from "thumbhash";
import STYLE from "../../style/main.css";

const PAGE_SIZE = 30;
const THUMB_WIDTH = 640;
const FIRST_ROW = 5;
const SIZES =
  "(max-width: 496px) calc(50vw - 1.625rem), (max-width: 732px) 50vw, (max-width: 968px) 33vw, 300px";
const FEED =
  "SELECT photos.id AS id, photos.owner_id AS owner_id, photos.title AS title, " +
  "photos.alt AS alt, photos.status AS status, photos.failure AS failure, " +
  "photos.visibility AS visibility, photos.placeholder AS placeholder, " +
  "photos.thumbhash AS thumbhash, photos.created_at AS created_at, " +
  "photos.trashed_at AS trashed_at, u.suspended_at AS owner_suspended_at " +
  "FROM photos LEFT JOIN users u ON u.id = photos.owner_id " +
  "WHERE photos.visibility = 'public' AND photos.status = 'ready' AND u.suspended_at IS NULL AND photos.trashed_at IS NULL " +
  "AND (photos.created_at, photos.id) < (?1, ?2) " +
  "ORDER BY photos.created_at DESC, photos.id DESC LIMIT ?3";
const VARIANTS =
  "SELECT photo_id, width, height, mime, r2_key, bytes FROM photo_variants " +
  "WHERE photo_id IN (SELECT value FROM json_each(?1)) ORDER BY photo_id, width";

// The blurred preview as media/src/placeholder.rs makes it: the ThumbHash decoded, averaged
// down to 16 px on its long side, an RGB PNG, deflated. Remembered per isolate, as in Rust.
const MAX_SIDE = 16;
const made = new Map();
async function dataUrl(hex) {
  if (!hex) return null;
  if (made.has(hex)) return made.get(hex);
  let url = null;
  try {
    const hash = Uint8Array.from(hex.match(/../g), (b) => parseInt(b, 16));
    const { w, h, rgba } = thumbHashToRGBA(hash);
    const long = Math.max(w, h, 1);
    const fit = (v) => (long <= MAX_SIDE ? Math.max(v, 1) : Math.min(Math.max(Math.floor((v * MAX_SIDE + Math.floor(long / 2)) / long), 1), MAX_SIDE));
    const [tw, th] = [fit(w), fit(h)];
    const raw = new Uint8Array(th * (1 + tw * 3));
    let o = 0;
    for (let ty = 0; ty < th; ty++) {
      raw[o++] = 0;
      const y0 = Math.floor((ty * h) / th), y1 = Math.max(Math.floor(((ty + 1) * h) / th), y0 + 1);
      for (let tx = 0; tx < tw; tx++) {
        const x0 = Math.floor((tx * w) / tw), x1 = Math.max(Math.floor(((tx + 1) * w) / tw), x0 + 1);
        const sum = [0, 0, 0];
        let n = 0;
        for (let y = y0; y < Math.min(y1, h); y++)
          for (let x = x0; x < Math.min(x1, w); x++, n++)
            for (let c = 0; c < 3; c++) sum[c] += rgba[(y * w + x) * 4 + c];
        for (let c = 0; c < 3; c++) raw[o++] = Math.floor(sum[c] / Math.max(n, 1));
      }
    }
    const idat = new Uint8Array(await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"))).arrayBuffer());
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, tw);
    new DataView(ihdr.buffer).setUint32(4, th);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const png = [Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array())];
    url = "data:image/png;base64," + btoa(String.fromCharCode(...new Uint8Array(await new Blob(png).arrayBuffer())));
  } catch {
    url = null;
  }
  if (made.size >= 4096) made.clear();
  made.set(hex, url);
  return url;
}
const CRC = Array.from({ length: 256 }, (_, n) => {
  for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
  return n >>> 0;
});
function chunk(type, data) {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  let c = 0xffffffff;
  for (const b of out.subarray(4, 8 + data.length)) c = CRC[(c ^ b) & 255] ^ (c >>> 8);
  dv.setUint32(8 + data.length, (c ^ 0xffffffff) >>> 0);
  return out;
}

/** The feed's first page as cards: what `/_dev/floor` stops at. */
async function feed(db) {
  const { results: rows } = await db.prepare(FEED).bind(9007199254740991, "", PAGE_SIZE + 1).all();
  const page = rows.slice(0, PAGE_SIZE);
  const next = rows.length > PAGE_SIZE ? page.at(-1) : null;
  const ready = page.filter((r) => r.status === "ready").map((r) => r.id);
  const { results: variants } = await db.prepare(VARIANTS).bind(JSON.stringify(ready)).all();
  const byPhoto = new Map();
  for (const v of variants) (byPhoto.get(v.photo_id) ?? byPhoto.set(v.photo_id, []).get(v.photo_id)).push(v);
  const cards = [];
  for (const r of page) {
    const images = (byPhoto.get(r.id) ?? [])
      .sort((a, b) => a.width - b.width)
      .map((v) => ({ url: `/media/${v.r2_key.replace(/^var\//, "")}`, width: v.width, height: v.height }));
    cards.push({
      id: r.id,
      title: r.title,
      alt: r.alt,
      visibility: r.visibility,
      status: r.status,
      thumb: images.find((i) => i.width >= THUMB_WIDTH) ?? images.at(-1) ?? null,
      srcset: images.map((i) => `${i.url} ${i.width}w`).join(", "),
      placeholder: r.placeholder,
      blur: await dataUrl(r.thumbhash),
      failure: r.status === "failed" ? r.failure : null,
    });
  }
  return { cards, next: next && `${next.created_at}.${next.id}` };
}

const placeholderStyle = (colour, blur) =>
  [colour && `background-color:${colour}`, blur && `background-image:url(${blur});background-size:cover`].filter(Boolean).join(";") || undefined;

const Card = ({ card, index }) => (
  <li class="card">
    <a href={`/p/${card.id}?in=feed`} class="thumb" style={placeholderStyle(card.placeholder, card.blur)}>
      {card.status === "ready" && card.thumb ? (
        <img
          src={card.thumb.url}
          srcset={card.srcset || undefined}
          sizes={SIZES}
          width={card.thumb.width}
          height={card.thumb.height}
          alt={card.alt || card.title}
          loading={index >= FIRST_ROW ? "lazy" : undefined}
          fetchpriority={index < FIRST_ROW ? (index === 0 ? "high" : "low") : undefined}
          decoding="async"
        />
      ) : (
        <div class="thumb-empty">
          <span class={`badge ${card.status}`} role="status">{card.status === "failed" ? "Failed" : "Processing…"}</span>
          {card.failure && <small class="failure">{card.failure}</small>}
        </div>
      )}
    </a>
    <span class="card-title">
      <bdi>{card.title}</bdi>
      {card.visibility !== "public" && <> <span class={`badge ${card.visibility}`}>{card.visibility}</span></>}
    </span>
  </li>
);

const Page = ({ cards, next }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      <meta name="description" content="The latest public photos shared on Lumen." />
      <title>Lumen</title>
    </head>
    <body>
      <header class="nav">
        <a class="brand" href="/">Lumen</a>
        <nav aria-label="Main">
          <a href="/">Feed</a>
          <a href="/signin">Sign in</a>
          <a href="/signup" class="button primary">Sign up</a>
        </nav>
      </header>
      <main class="page">
        <h1 class="visually-hidden">Latest photos</h1>
        {cards.length ? (
          <ul aria-label="Photos" class="grid">
            {cards.map((card, index) => <Card card={card} index={index} />)}
          </ul>
        ) : (
          <div class="empty"><p>No photos yet.</p><a class="button primary" href="/upload">Upload the first one</a></div>
        )}
        {next && (
          <nav class="paging" aria-label="More photos">
            <a class="button older" rel="next" href={`/?before=${encodeURIComponent(next)}`}>Older photos</a>
          </nav>
        )}
      </main>
    </body>
  </html>
);

// One log line a request, as Lumen's Worker writes for every request (server/src/lib.rs):
// under `wrangler dev` a console line costs the runtime about 4 ms of CPU (it goes out
// through the inspector), so a Worker that did not log would not be doing the same work.
const app = new Hono();
app.use("*", async (c, next) => {
  const started = Date.now();
  await next();
  console.log(`${c.req.method} ${c.req.path} ${c.res.status} ${Date.now() - started}ms`);
});

// The page's router, as Lumen's `router::serve`, which `/_dev/render` calls as Lumen's does.
const pages = new Hono();
pages.get("/", async (c) => c.html("<!DOCTYPE html>" + (await (<Page {...await feed(c.env.DB)} />).toString())));
app.get("/", (c) => pages.fetch(c.req.raw, c.env, c.executionCtx));

const times = (c) => Math.min(Math.max(Number(c.req.query("n")) || 1, 1), 200);
app.get("/_dev/floor", async (c) => {
  const n = times(c);
  const started = Date.now();
  let cards = 0;
  for (let i = 0; i < n; i++) cards += (await feed(c.env.DB)).cards.length;
  return c.json({ n, ms: Date.now() - started, size: cards });
});
// The whole way a page goes, as the Rust loop does: router, queries, render, response body.
app.get("/_dev/render", async (c) => {
  const n = times(c);
  const started = Date.now();
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const res = await pages.fetch(new Request(new URL("/", c.req.url)), c.env, c.executionCtx);
    bytes += (await res.arrayBuffer()).byteLength;
  }
  return c.json({ n, ms: Date.now() - started, size: bytes });
});

export default app;
