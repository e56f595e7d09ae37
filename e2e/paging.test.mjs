// Paging against `wrangler dev` (issue 12): 150 photos on the feed, a profile, an album and
// an album's share link, walked through the "Older photos" links (as with JS off) while new
// photos are uploaded in between: every photo exactly once, in order, no gaps; strangers
// page past private and unfinished photos; broken cursors are a clear 400.
// Run: ./e2e/run.sh e2e/paging.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startLumen } from "./harness.mjs";
import { api as apiAt, ipSource, makeRgbaPng, signUp as signUpAt, upload as uploadAt } from "./helpers.mjs";

let srv;
const freshIp = ipSource("10.3");
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const get = async (path, cookie) => {
  const res = await fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: cookie ? { cookie } : {},
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
};
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;
const decode = (s) => s.replaceAll("&amp;", "&");
const N = 150;
const A = {};
/** The seeded photos, newest first: { id, vis, status }. */
let seeded = [];
let album;
let linkPath;

/** Cards' photo ids and the "Older photos" link of one page. */
function parse(html, base = "/p/") {
  const ids = [...html.matchAll(/<a href="([^"]+)" class="thumb"/g)]
    .map((m) => decode(m[1]))
    .map((href) => href.slice(href.indexOf(base) + base.length).split("?")[0]);
  const tag = html.match(/<a [^>]*class="button older"[^>]*>/)?.[0];
  const older = tag?.match(/href="([^"]+)"/)?.[1];
  return { ids, older: older && decode(older) };
}

/** Follows the Older links from `path`, uploading a photo after each page. */
async function walk(path, { cookie, base, upload = true } = {}) {
  const seen = [];
  let pages = 0;
  for (let next = path; next; pages++) {
    const page = await get(next, cookie);
    assert.equal(page.status, 200, `${next}: ${page.text.slice(0, 200)}`);
    const { ids, older } = parse(page.text, base);
    assert.ok(ids.length <= 30, `${next}: a page holds at most 30`);
    seen.push(...ids);
    if (upload) {
      const res = await uploadAt(srv.base, [{ name: `new-${pages}.png`, bytes: makeRgbaPng(8, 8), type: "image/png" }], {
        cookie: A.cookie,
      });
      assert.equal(res.status, 201);
    }
    next = older;
  }
  return { seen, pages };
}

before(async () => {
  // Photos are seeded straight into D1, behind the Worker (no purge): the cache stays off.
  srv = await startLumen("paging", { vars: { LUMEN_EDGE_CACHE: "off" } });
  Object.assign(A, await signUpAt(srv.base, { username: "pager", ip: freshIp() }));
  const [{ id: owner }] = await srv.d1(`SELECT id FROM users WHERE username = 'pager'`);
  // 150 rows straight into D1 (the listings need rows, not pixels): three to a millisecond,
  // every 7th private, every 11th still processing, every 13th failed (pg148 among them).
  const t0 = Date.now() - 10 * 24 * 3600 * 1000;
  const rows = [];
  for (let i = 0; i < N; i++) {
    const id = `pg${String(i).padStart(3, "0")}`;
    const vis = i % 7 === 6 ? "private" : "public";
    const status = i % 11 === 10 ? "pending" : i % 13 === 5 ? "failed" : "ready";
    const at = t0 + Math.floor(i / 3);
    rows.push({ id, vis, status, at });
  }
  await srv.d1(
    `INSERT INTO photos (id, owner_id, title, status, failure, content_type, bytes, created_at, updated_at, visibility, exif_json)
     VALUES ${rows
       .map((r) => `(${sq(r.id)}, ${sq(owner)}, ${sq(`${r.id} paging`)}, ${sq(r.status)}, ${r.status === "failed" ? "'Not an image.'" : "NULL"}, 'image/png', 1, ${r.at}, ${r.at}, ${sq(r.vis)}, '{"make":"Pager","model":"Cam 1"}')`)
       .join(", ")}`,
  );
  // The same 150 on a tag page, a camera page, a search and the owner's Liked page.
  await srv.d1(`INSERT INTO photo_tags (photo_id, tag) VALUES ${rows.map((r) => `(${sq(r.id)}, 'everything')`).join(", ")}`);
  await srv.d1(`INSERT INTO likes (photo_id, user_id, created_at) VALUES ${rows.map((r) => `(${sq(r.id)}, ${sq(owner)}, ${r.at})`).join(", ")}`);
  seeded = rows.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  const made = await api("create_album", { title: "Everything", visibility: "public" }, { cookie: A.cookie });
  assert.equal(made.status, 200, made.text);
  album = made.json;
  // Positions in upload order: base-62-ish keys that sort as the ids do.
  await srv.d1(
    `INSERT INTO album_photos (album_id, photo_id, position, added_at) VALUES ${rows
      .map((r) => `(${sq(album)}, ${sq(r.id)}, ${sq(`V${r.id}`)}, ${r.at})`)
      .join(", ")}`,
  );
  const link = await api("create_link", { album_id: album, label: "all", expires: "never" }, { cookie: A.cookie });
  assert.equal(link.status, 200, link.text);
  const [listed] = (await api("list_links", { album_id: album }, { cookie: A.cookie })).json;
  linkPath = new URL(listed.url).pathname;
});
after(async () => {
  await srv?.stop();
});

const publicReady = () => seeded.filter((r) => r.vis === "public" && r.status === "ready").map((r) => r.id);

describe("every photo once, in order, while new ones arrive", () => {
  test("the feed: only finished public photos, through the Older photos links", async () => {
    const { seen, pages } = await walk("/");
    const mine = seen.filter((id) => id.startsWith("pg"));
    assert.deepEqual(mine, publicReady());
    assert.equal(new Set(seen).size, seen.length, "no photo twice");
    assert.ok(pages >= 4, `${pages} pages`);
  });

  test("a profile: strangers see finished public ones; the owner every one, failures with their reason", async () => {
    const theirs = await walk("/u/pager", { upload: false });
    assert.deepEqual(theirs.seen.filter((id) => id.startsWith("pg")), publicReady());
    const mine = await walk("/u/pager", { cookie: A.cookie });
    const all = seeded.map((r) => r.id);
    assert.deepEqual(mine.seen.filter((id) => id.startsWith("pg")), all);
    assert.equal(new Set(mine.seen).size, mine.seen.length);
    const first = await get("/u/pager", A.cookie);
    assert.match(first.text, /class="failure">Not an image\.</, "the owner sees why");
    assert.doesNotMatch((await get("/u/pager")).text, /Not an image\./);
  });

  test("an album and its share link, in the album's order", async () => {
    const inOrder = [...seeded].sort((a, b) => (a.id < b.id ? -1 : 1));
    const shown = inOrder.filter((r) => r.vis === "public" && r.status === "ready").map((r) => r.id);
    const theirs = await walk(`/a/${album}`);
    assert.deepEqual(theirs.seen, shown);
    const page = await get(`/a/${album}`);
    assert.match(page.text, new RegExp(`· ${shown.length} photos`), "the count covers every page");
    const mine = await walk(`/a/${album}`, { cookie: A.cookie, upload: false });
    assert.deepEqual(mine.seen, inOrder.map((r) => r.id));
    // Through the link: every finished photo, private ones too.
    const linked = await walk(linkPath, { base: `${linkPath}/p/` });
    assert.deepEqual(linked.seen, inOrder.filter((r) => r.status === "ready").map((r) => r.id));
  });
});

describe("tag, camera, search and Liked pages page the same way", () => {
  test("every listing: each photo once, in order, strangers only finished public ones", async () => {
    for (const path of ["/t/everything", "/camera/pager%20cam%201", "/search?q=paging"]) {
      const { seen } = await walk(path);
      assert.deepEqual(seen.filter((id) => id.startsWith("pg")), publicReady(), path);
      assert.equal(new Set(seen).size, seen.length, `${path}: none twice`);
    }
    // The owner finds all of theirs by search, and their Liked page lists every like.
    const mine = await walk("/search?q=paging", { cookie: A.cookie, upload: false });
    assert.deepEqual(mine.seen, seeded.map((r) => r.id));
    const liked = await walk("/liked", { cookie: A.cookie, upload: false });
    assert.deepEqual(liked.seen, seeded.map((r) => r.id));
  });
});

describe("broken cursors", () => {
  test("a clear 400 page, never a 500, on every listing", async () => {
    for (const path of ["/", "/u/pager", `/a/${album}`, linkPath, "/t/everything", "/camera/pager%20cam%201"]) {
      for (const bad of ["x", "1.a.b.c.d", "1.a'--", "%00", "9".repeat(300)]) {
        const r = await get(`${path}?before=${encodeURIComponent(bad)}`);
        assert.equal(r.status, 400, `${path} ${bad}`);
        assert.match(r.text, /That page link is broken\. Go back to the first page\./);
      }
    }
    const r = await api("list_photos", { before: "nonsense" });
    assert.deepEqual([r.status, r.json], [400, { error: "bad_request", reason: "That page link is broken. Go back to the first page." }]);
  });
});
