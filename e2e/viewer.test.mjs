// The photo viewer against Lumen on `wrangler dev`: previous / next within the listing a
// photo was opened from (?in=, ?album=), blurred placeholders and image hints on cards,
// the EXIF panel, and in Debian's chromium the keyboard, the lightbox and the shortcut list
// (JS on) and the plain links (JS off). Screenshots: target/shots-view/ (the lightbox and
// the shortcut list also under target/shots-lightbox/).
// Run: e2e/run.sh e2e/viewer.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startLumen, waitFor } from "./harness.mjs";
import { CHROMIUM_OPTIONS, api as call, demoPhoto, fileOf, gpsJpeg, imagesSettled, signUp, upload, waitProcessed } from "./helpers.mjs";

const SHOTS = join(ROOT, "target", "shots-view");
const LIGHTBOX_SHOTS = join(ROOT, "target", "shots-lightbox");
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
  mkdirSync(LIGHTBOX_SHOTS, { recursive: true });
  srv = await startLumen("viewer");
  browser = await chromium.launch({ ...CHROMIUM_OPTIONS, timeout: T });
  A = await signUp(srv.base, { username: "ada", ip: "10.31.0.1" });
  B = await signUp(srv.base, { username: "bob", ip: "10.31.0.2" });
  // Oldest first: real pixels, so each has variants, a ThumbHash and EXIF.
  const files = [
    // 1411 px square: sizes 320, 640, 1280 and 1411, so zooming has a larger one to load.
    ["retina", fileOf(demoPhoto("retina.jpg"), "image/jpeg")],
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
  for (const [name, vis] of [["retina", "public"], ["hubble", "public"], ["chelsea", "public"], ["coffee", "public"], ["gps", "private"]]) {
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
    // The rest of the first row comes after the first image (low), eager all the same.
    assert.match(imgs[1], /fetchpriority="low"/);
    assert.doesNotMatch(imgs[1], /loading="lazy"/);
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

async function shoot(page, name, dir = SHOTS) {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    await page.waitForTimeout(100); // layout after a resize
    await page.screenshot({ path: join(dir, `${name}-${width}.png`), fullPage: false });
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
    assert.equal(await page.locator("#lightbox").isVisible(), false);
    assert.equal(await page.locator("#lightbox img").getAttribute("src"), null, "the lightbox costs no download");
    await page.keyboard.press("f");
    await page.keyboard.press("?");
    assert.equal(await page.locator("#lightbox, #shortcuts").filter({ visible: true }).count(), 0);
    await shoot(page, "photo-js-off");
    await page.goto(`${srv.base}/_design`);
    await page.locator("#light-viewer").scrollIntoViewIfNeeded();
    await shoot(page, "design-viewer");
    await ctx.close();
  });
});

/** Waits until the page's islands have hydrated and the viewer's buttons show. */
const viewerLive = async (page) => {
  await page.locator("html[data-hydrated=true]").waitFor({ state: "attached", timeout: T });
  await page.locator(".viewer-bar").waitFor({ state: "visible", timeout: T });
};

/** A page that records page errors, console errors (a hydration panic lands there) and failed assets. */
async function watched(ctx) {
  const page = await ctx.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && !/status of (400|404)/.test(m.text()) && problems.push(`console: ${m.text()}`));
  page.on("response", (r) => /\/pkg\//.test(r.url()) && r.status() >= 400 && problems.push(`asset ${r.status()}: ${r.url()}`));
  return { page, problems };
}

const signedIn = async (who) => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addCookies([{ name: "lumen_session", value: who.cookie.split("=")[1], url: srv.base }]);
  return ctx;
};

describe("browser, JS on", () => {
  test("the viewer hydrates without an error and the likes and comments island after it still works", async () => {
    const ctx = await signedIn(B);
    const { page, problems } = await watched(ctx);
    await page.goto(`${srv.base}/p/${P.chelsea}?in=feed`);
    await viewerLive(page);
    const count = page.locator("#likes .like-count");
    const likes = async () => ((await count.count()) ? count.innerText() : "");
    const before = await likes();
    await page.locator(".like-form button[type=submit]").click();
    await page.locator('.like-form button[aria-pressed="true"]').waitFor({ timeout: T });
    assert.notEqual(await likes(), before, "the count moved");
    // Unlike again: the other tests count from zero.
    await page.locator(".like-form button[type=submit]").click();
    await page.locator('.like-form button[aria-pressed="false"]').waitFor({ timeout: T });
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test("→ → ← walk an album and Esc returns to the grid where it was scrolled", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, problems } = await watched(ctx);
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
    await page.keyboard.press("Escape");
    await page.waitForURL(new RegExp(`/a/${album}(\\?|$)`));
    await waitFor(async () => Math.abs((await page.evaluate(() => window.scrollY)) - y) <= 2, {
      timeout: 10_000,
      what: `scroll back at ${y}`,
    });
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test("the lightbox fits the screen, wheel zoom loads the largest size, ? lists the shortcuts, i hides the details", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, problems } = await watched(ctx);
    const asked = [];
    page.on("request", (r) => asked.push(new URL(r.url()).pathname));
    await page.goto(`${srv.base}/p/${P.retina}?in=feed`);
    await imagesSettled(page);
    await viewerLive(page);
    await shoot(page, "photo", LIGHTBOX_SHOTS);
    // Hidden, the dialog is out of the accessibility tree: found by id until it opens.
    const box = page.locator("#lightbox");
    const img = box.locator("img");
    const full = await img.getAttribute("data-full");
    assert.ok(!asked.includes(full), "the largest size waits for a zoom");
    await page.keyboard.press("f");
    await page.getByRole("dialog", { name: "Photo, full screen" }).waitFor({ state: "visible", timeout: T });
    await waitFor(() => img.evaluate((i) => i.complete && i.naturalWidth > 0), { what: "lightbox image" });
    const fitted = await img.evaluate((i) => i.currentSrc);
    assert.notEqual(new URL(fitted).pathname, full, "a size that fits the screen first");
    const fit = await img.boundingBox();
    assert.ok(fit.width <= 1280 && fit.height <= 800, `fits the viewport: ${fit.width}×${fit.height}`);
    assert.ok(fit.height >= 799, `and fills it (${fit.height})`);
    await shoot(page, "lightbox", LIGHTBOX_SHOTS);
    await img.hover();
    for (let i = 0; i < 10; i++) await page.mouse.wheel(0, -200);
    await waitFor(async () => Number(await img.getAttribute("data-scale")) > 1, { what: "zoomed in" });
    await waitFor(() => img.evaluate((i, full) => new URL(i.currentSrc).pathname === full && i.complete, full), { what: "the largest size" });
    assert.ok(asked.includes(full), "the largest size was fetched");
    const scale = Number(await img.getAttribute("data-scale"));
    const max = await img.evaluate((i) => Number(i.dataset.fullWidth) / i.clientWidth);
    assert.ok(scale <= max + 0.01, `no further than the largest size's pixels (${scale} ≤ ${max})`);
    // Pan while zoomed: the picture follows the mouse.
    const before = await img.getAttribute("style");
    await page.mouse.move(640, 400);
    await page.mouse.down();
    await page.mouse.move(600, 380, { steps: 4 });
    await page.mouse.up();
    assert.notEqual(await img.getAttribute("style"), before, "panned");
    assert.match(page.url(), new RegExp(P.retina), "a pan while zoomed is no swipe");
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 400);
    await waitFor(async () => (await img.getAttribute("data-scale")) === "1.00", { what: "back to fit" });
    await page.keyboard.press("Escape");
    await box.waitFor({ state: "hidden", timeout: T });
    assert.match(page.url(), new RegExp(P.retina), "Esc closes the lightbox first");
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor({ state: "visible", timeout: T });
    assert.match(await help.innerText(), /Full screen/);
    await shoot(page, "shortcuts", LIGHTBOX_SHOTS);
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden", timeout: T });
    await page.getByRole("button", { name: "Shortcuts" }).click();
    await help.waitFor({ state: "visible", timeout: T });
    await help.getByRole("button", { name: "Close" }).click();
    await help.waitFor({ state: "hidden", timeout: T });
    await page.keyboard.press("i");
    assert.equal(await page.locator("#info").isVisible(), false, "i hides the details");
    await page.keyboard.press("i");
    assert.equal(await page.locator("#info").isVisible(), true);
    // A click on the photo opens the lightbox too; its × closes it.
    await page.locator("figure.photo img").click();
    await box.waitFor({ state: "visible", timeout: T });
    await box.getByRole("button", { name: "Close full screen" }).click();
    await box.waitFor({ state: "hidden", timeout: T });
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test("a swipe in the lightbox moves to the neighbour, which opens in the lightbox", async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const { page, problems } = await watched(ctx);
    await page.goto(`${srv.base}/p/${P.retina}?in=feed`);
    await viewerLive(page);
    await page.locator("figure.photo img").click();
    const box = page.locator("#lightbox");
    await box.waitFor({ state: "visible", timeout: T });
    // One finger from left to right: the previous photo (retina is the feed's oldest).
    await box.dispatchEvent("pointerdown", { pointerId: 7, clientX: 60, clientY: 400, pointerType: "touch", isPrimary: true });
    await box.dispatchEvent("pointermove", { pointerId: 7, clientX: 200, clientY: 405, pointerType: "touch", isPrimary: true });
    await box.dispatchEvent("pointerup", { pointerId: 7, clientX: 300, clientY: 405, pointerType: "touch", isPrimary: true });
    await page.waitForURL(new RegExp(`/p/${P.hubble}\\?in=feed`));
    await viewerLive(page);
    await page.locator("#lightbox").waitFor({ state: "visible", timeout: T });
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test("l likes (and the like stays after a reload); keys typed in the comment box stay there", async () => {
    const ctx = await signedIn(B);
    const { page, problems } = await watched(ctx);
    await page.goto(`${srv.base}/p/${P.coffee}?in=feed`);
    await viewerLive(page);
    const url = page.url();
    const box = page.locator("#comment-body");
    await box.click();
    await page.keyboard.type("l?f→");
    await page.keyboard.press("ArrowRight");
    assert.equal(await box.inputValue(), "l?f→");
    assert.equal(page.url(), url, "no step while typing");
    assert.equal(await page.locator(".like-form button[aria-pressed=true]").count(), 0, "no like while typing");
    assert.equal(await page.locator("#lightbox, #shortcuts").filter({ visible: true }).count(), 0);
    await box.fill("");
    await page.locator("h1").click();
    await page.keyboard.press("l");
    await page.locator(".like-form button[aria-pressed=true]").waitFor({ timeout: T });
    await page.locator("#likes .like-count", { hasText: /^1 like$/ }).waitFor({ timeout: T });
    await page.reload();
    await viewerLive(page);
    assert.equal(await page.locator(".like-form button[aria-pressed=true]").count(), 1, "still liked after a reload");
    const [{ n }] = await srv.d1(`SELECT COUNT(*) AS n FROM likes WHERE photo_id = '${P.coffee}'`);
    assert.equal(n, 1);
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test("deep links open the lightbox (#lightbox) and the shortcut list (#shortcuts)", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, problems } = await watched(ctx);
    await page.goto(`${srv.base}/p/${P.hubble}?in=feed#lightbox`);
    await viewerLive(page);
    await page.locator("#lightbox").waitFor({ state: "visible", timeout: T });
    await page.goto(`${srv.base}/p/${P.hubble}?in=feed#shortcuts`);
    await page.locator("#shortcuts").waitFor({ state: "visible", timeout: T });
    assert.equal(await page.locator("#lightbox").isVisible(), false);
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});
