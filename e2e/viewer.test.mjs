// The photo viewer against Lumen on `wrangler dev`: previous / next within the listing a
// photo was opened from (?in=, ?album=), blurred placeholders and image hints on cards,
// the EXIF panel, and in Debian's chromium the keyboard, the lightbox and the shortcut list
// (JS on) and the plain links (JS off). Screenshots: target/shots-view/.
// Run: e2e/run.sh e2e/viewer.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startLumen, waitFor } from "./harness.mjs";
import { CHROMIUM_OPTIONS, api as call, demoPhoto, fileOf, gpsJpeg, imagesSettled, signUp, upload, waitProcessed } from "./helpers.mjs";

const SHOTS = join(ROOT, "target", "shots-view");
const T = 30_000;
const HOSTILE = [
  "<script>alert(1)</script>",
  "tag:<img src=x onerror=alert(1)>",
  "u:ada' OR '1'='1",
  "search:\" OR 1=1 --",
  "\u202efeed",
  "feed\u0000",
  "x".repeat(5000),
];

let srv;
let browser;
let A; // ada: owns everything
let B; // bob: a stranger
const P = {}; // name → photo id
let album;
const api = (name, params, opts) => call(srv.base, name, params, opts);
const html = async (path, cookie) => {
  const res = await fetch(`${srv.base}${path}`, { headers: cookie ? { cookie } : {} });
  return { status: res.status, text: await res.text() };
};

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  srv = await startLumen("viewer");
  browser = await chromium.launch({ ...CHROMIUM_OPTIONS, timeout: T });
  A = await signUp(srv.base, { username: "ada", ip: "10.31.0.1" });
  B = await signUp(srv.base, { username: "bob", ip: "10.31.0.2" });
  // Oldest first: real pixels, so each has variants, a ThumbHash and EXIF.
  const files = [
    ["hubble", fileOf(demoPhoto("hubble_deep_field.jpg"), "image/jpeg")],
    ["chelsea", fileOf(demoPhoto("chelsea.png"), "image/png")],
    ["gps", { name: "gps.jpg", type: "image/jpeg", bytes: gpsJpeg() }],
    ["coffee", fileOf(demoPhoto("coffee.png"), "image/png")],
  ];
  for (const [name, f] of files) {
    const res = await upload(srv.base, [f], { cookie: A.cookie });
    assert.equal(res.status, 201, await res.clone().text());
    P[name] = (await res.json()).photos[0].id;
    assert.equal((await waitProcessed(srv.base, P[name], 60_000, { cookie: A.cookie })).status, "ready");
  }
  // Uploads start as the owner's default; make the set public but the GPS one private.
  for (const [name, vis] of [["hubble", "public"], ["chelsea", "public"], ["coffee", "public"], ["gps", "private"]]) {
    const r = await api("update_photo", { id: P[name], title: name, caption: "", alt: "", visibility: vis }, { cookie: A.cookie });
    assert.ok([200, 302, 303].includes(r.status), `${name}: ${r.status} ${r.text}`);
  }
  await api("add_tags", { photo_id: P.hubble, tags: "sea" }, { cookie: A.cookie });
  await api("add_tags", { photo_id: P.coffee, tags: "sea" }, { cookie: A.cookie });
  // An album of 27 rows so its grid scrolls within one page (a grid that has appended later
  // pages moves its address along, and back returns to that page): the three public photos,
  // then 24 rows straight into D1 (a listing needs rows, not pixels).
  const made = await api("create_album", { title: "Long album", visibility: "public" }, { cookie: A.cookie });
  assert.equal(made.status, 200, made.text);
  album = made.json;
  const [{ id: owner }] = await srv.d1("SELECT id FROM users WHERE username = 'ada'");
  const t0 = Date.now() - 30 * 24 * 3600 * 1000;
  const rows = Array.from({ length: 24 }, (_, i) => `('fill${String(i).padStart(2, "0")}', '${owner}', 'filler ${i}', 'ready', 'image/png', 1, ${t0 + i}, ${t0 + i}, 'public')`);
  await srv.d1(`INSERT INTO photos (id, owner_id, title, status, content_type, bytes, created_at, updated_at, visibility) VALUES ${rows.join(", ")}`);
  const ids = [P.coffee, P.chelsea, P.hubble, ...Array.from({ length: 24 }, (_, i) => `fill${String(i).padStart(2, "0")}`)];
  await srv.d1(`INSERT INTO album_photos (album_id, photo_id, position, added_at) VALUES ${ids.map((id, i) => `('${album}', '${id}', 'p${String(i).padStart(3, "0")}', ${t0 + i})`).join(", ")}`);
});

after(async () => {
  await browser?.close().catch(() => {});
  await srv?.stop();
});

describe("previous / next within a listing (get_context)", () => {
  test("the feed, a profile, a tag and a search each step by their own rules", async () => {
    // Feed, newest first: coffee, chelsea, hubble (gps is private).
    const feed = (await api("get_context", { photo_id: P.chelsea, within: "feed" })).json;
    assert.equal(feed.prev, `/p/${P.coffee}?in=feed`);
    assert.equal(feed.next, `/p/${P.hubble}?in=feed`);
    assert.equal(feed.back, "/");
    assert.equal(feed.preload.length, 2, "both neighbours' images are fetched ahead");
    // Ada's own profile holds the private one; Bob's view of it does not.
    const mine = (await api("get_context", { photo_id: P.coffee, within: "u:ada" }, { cookie: A.cookie })).json;
    assert.equal(mine.next, `/p/${P.gps}?in=u%3Aada`);
    const theirs = (await api("get_context", { photo_id: P.coffee, within: "u:ada" }, { cookie: B.cookie })).json;
    assert.equal(theirs.next, `/p/${P.chelsea}?in=u%3Aada`);
    const tag = (await api("get_context", { photo_id: P.coffee, within: "tag:sea" })).json;
    assert.deepEqual([tag.prev, tag.next, tag.label], [null, `/p/${P.hubble}?in=tag%3Asea`, "#sea"]);
    const search = (await api("get_context", { photo_id: P.hubble, within: "search:tag:sea" })).json;
    assert.equal(search.prev, `/p/${P.coffee}?in=search%3Atag%3Asea`);
  });

  test("IDOR sweep: a photo the caller may not see answers like a made-up id", async () => {
    for (const [who, cookie] of [["anonymous", undefined], ["bob", B.cookie]]) {
      for (const id of [P.gps, "no-such-photo"]) {
        const r = await api("get_context", { photo_id: id, within: "u:ada" }, { cookie });
        assert.equal(r.status, 404, `${who} ${id}: ${r.text}`);
      }
    }
    assert.equal((await api("get_context", { photo_id: P.gps, within: "u:ada" }, { cookie: A.cookie })).status, 200);
  });

  test("hostile ?in= values name no listing and are never echoed as markup", async () => {
    for (const within of HOSTILE) {
      const r = await api("get_context", { photo_id: P.hubble, within });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json, null, within.slice(0, 40));
      const page = await html(`/p/${P.hubble}?in=${encodeURIComponent(within)}`);
      assert.equal(page.status, 200);
      assert.ok(!page.text.includes("<script>alert(1)"), "no injected markup");
      assert.ok(!page.text.includes('rel="next"'), "no links for a listing that does not exist");
    }
  });
});

describe("server-rendered HTML", () => {
  test("cards: blurred preview inline, srcset and sizes, the first row eager, the first image first", async () => {
    const { text } = await html("/");
    const imgs = [...text.matchAll(/<li class="card">[\s\S]*?<\/li>/g)].map((m) => m[0]);
    assert.ok(imgs.length >= 3);
    assert.match(imgs[0], /background-image:url\(data:image\/png;base64,/);
    assert.match(imgs[0], /srcset="[^"]+ 320w, [^"]+ \d+w/);
    assert.match(imgs[0], /sizes="/);
    assert.match(imgs[0], /fetchpriority="high"/);
    assert.doesNotMatch(imgs[0], /loading="lazy"/);
    assert.doesNotMatch(imgs[1], /fetchpriority/);
    // Every image carries its size (rows without pixels show a status, not an image).
    for (const card of imgs.filter((c) => c.includes("<img"))) {
      assert.match(card, /<img[^>]* width="\d+"[^>]* height="\d+"/);
    }
    assert.match(imgs[0], new RegExp(`href="/p/${P.coffee}\\?in=feed"`));
  });

  test("the EXIF panel: dimensions and file size for all, the map link for the owner only", async () => {
    const owner = (await html(`/p/${P.gps}`, A.cookie)).text;
    assert.match(owner, /<dt>Dimensions<\/dt><dd>900 × 600 px<\/dd>/);
    assert.match(owner, /<dt>File size<\/dt>/);
    assert.match(owner, /href="https:\/\/www\.openstreetmap\.org\/\?mlat=48\.85822&amp;mlon=2\.29450/);
    assert.doesNotMatch(owner, /<iframe|tile\.openstreetmap/, "nothing external loads until clicked");
    // Public photo, stranger: no location at all.
    const r = await api("update_photo", { id: P.gps, title: "gps", caption: "", alt: "", visibility: "public" }, { cookie: A.cookie });
    assert.ok([200, 302, 303].includes(r.status));
    const stranger = (await html(`/p/${P.gps}`, B.cookie)).text;
    assert.doesNotMatch(stranger, /openstreetmap|Location/);
    await api("update_photo", { id: P.gps, title: "gps", caption: "", alt: "", visibility: "private" }, { cookie: A.cookie });
  });
});

async function shoot(page, name) {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: false });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe("browser, JS off", () => {
  test("previous / next are plain links that keep the listing", async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/`);
    await page.locator(`a[href="/p/${P.coffee}?in=feed"]`).click();
    await page.getByRole("link", { name: "Next →" }).click();
    assert.equal(new URL(page.url()).pathname, `/p/${P.chelsea}`);
    await page.getByRole("link", { name: "Next →" }).click();
    assert.equal(new URL(page.url()).pathname, `/p/${P.hubble}`);
    await page.getByRole("link", { name: "← Previous" }).click();
    assert.equal(new URL(page.url()).pathname, `/p/${P.chelsea}`);
    assert.equal(await page.locator(".viewer-bar").isVisible(), false, "no buttons that need JS");
    await shoot(page, "photo-js-off");
    await page.goto(`${srv.base}/_design`);
    await page.locator("#light-viewer").scrollIntoViewIfNeeded();
    await shoot(page, "design-viewer");
    await ctx.close();
  });
});

/** Waits until the page's islands have hydrated (← / → work then). */
const viewerLive = (page) => page.locator("html[data-hydrated=true]").waitFor({ state: "attached", timeout: T });

describe("browser, JS on", () => {
  test("← and → walk an album from a photo page", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/a/${album}`);
    const card = page.locator(`a[href="/p/fill10?album=${album}"]`);
    await card.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, 37));
    const y = await page.evaluate(() => window.scrollY);
    assert.ok(y > 300, `the grid scrolled (${y})`);
    await card.click();
    await page.waitForURL(/\/p\/fill10/);
    await viewerLive(page);
    for (const [key, id] of [["ArrowRight", "fill11"], ["ArrowRight", "fill12"], ["ArrowLeft", "fill11"]]) {
      await page.keyboard.press(key);
      await page.waitForURL(new RegExp(`/p/${id}\\?`));
      await viewerLive(page);
    }
    await ctx.close();
  });
});
