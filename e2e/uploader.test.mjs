// The upload-time checks against `wrangler dev`: a header that breaks the pipeline's
// limits (pixels, HEIC) is refused at once with the reason and stores nothing; a photo
// whose EXIF is damaged still becomes ready; a file the person already has answers with
// that photo instead of a second copy (JSON for the JS uploader, the upload page for the
// plain form), per person, with the SHA-256 taken by the runtime as the file streams.
// Run: ./e2e/run.sh e2e/uploader.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { ROOT, startLumen, waitFor } from "./harness.mjs";
import { CHROMIUM_OPTIONS, getPhoto, gpsJpeg, makeRgbaPng, noiseJpeg, signUp, upload, waitProcessed } from "./helpers.mjs";

const SHOTS = join(ROOT, "target", "shots-upload");
const T = 30_000;
const HEIC_REASON =
  "this is a HEIC photo, which Lumen cannot read yet. On an iPhone, set Camera → Formats → Most Compatible, or share the photo as JPEG.";
const heicBytes = () =>
  Buffer.concat([Buffer.from("\0\0\0\x18ftypheic\0\0\0\0mif1heic", "latin1"), Buffer.alloc(20_000, 7)]);

let srv;
let me;
let other;
let browser;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ ...CHROMIUM_OPTIONS, timeout: T });
  srv = await startLumen("uploader");
  me = await signUp(srv.base, { username: "uploader" });
  other = await signUp(srv.base, { username: "twin" });
});
after(async () => {
  await browser?.close().catch(() => {});
  await srv?.stop();
});

/** Rows and originals stored, and multipart uploads left open. */
async function stored() {
  const [{ n }] = await srv.d1("SELECT count(*) AS n FROM photos");
  return { rows: n, originals: srv.r2Count("orig/"), open: srv.r2OpenUploads() };
}

const sha256 = (b) => createHash("sha256").update(b).digest("hex");

/** A real PNG whose IHDR is rewritten to declare `w` × `h`. */
function pngDeclaring(w, h) {
  const b = Buffer.from(makeRgbaPng(8, 8));
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
}

describe("the header is checked before anything is stored", () => {
  const heic = heicBytes();
  const gif = Buffer.from("GIF89a\xff\xff\xff\xff\x00\x00\x00,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;", "latin1");
  for (const [name, bytes, type, reason] of [
    ["huge.png", pngDeclaring(50_000, 50_000), "image/png", "“huge.png” — this image is too large to process (50000 × 50000 pixels)."],
    ["flood.gif", gif, "image/gif", "“flood.gif” — this image is too large to process (65535 × 65535 pixels)."],
    [
      "IMG_0001.HEIC",
      heic,
      "image/heic",
      "“IMG_0001.HEIC” — this is a HEIC photo, which Lumen cannot read yet. On an iPhone, set Camera → Formats → Most Compatible, or share the photo as JPEG.",
    ],
  ]) {
    test(`${name}: 422 with the reason, nothing stored (also after a good file)`, async () => {
      const before = await stored();
      const good = { name: "good.jpg", bytes: noiseJpeg(64, 48), type: "image/jpeg" };
      const res = await upload(srv.base, [good, { name, bytes, type }], { cookie: me.cookie });
      assert.equal(res.status, 422);
      assert.deepEqual(await res.json(), { error: "invalid", field: "photos", reason });
      assert.deepEqual(await stored(), before, "no row, no original, no open multipart upload");
      // The plain form: the upload page again, with the reason and the same status.
      const page = await upload(srv.base, [{ name, bytes, type }], { cookie: me.cookie, json: false });
      assert.equal(page.status, 422);
      const html = await page.text();
      assert.ok(html.includes(reason), "the page shows the reason");
      assert.deepEqual(await stored(), before);
    });
  }

  test("the file input names only the formats Lumen reads", async () => {
    const html = await (await fetch(`${srv.base}/upload`, { headers: { cookie: me.cookie } })).text();
    assert.match(html, /accept="image\/jpeg,image\/png,image\/webp,image\/gif"/);
  });
});

test("a photo whose EXIF is damaged becomes ready, without its metadata", async () => {
  const bytes = gpsJpeg(400, 300);
  // The TIFF block starts after SOI, the APP1 header and "Exif\0\0": point IFD0 far away.
  bytes.writeUInt32LE(0xffffff00, 2 + 4 + 6 + 4);
  const res = await upload(srv.base, [{ name: "broken-exif.jpg", bytes, type: "image/jpeg" }], { cookie: me.cookie });
  assert.equal(res.status, 201, await res.clone().text());
  const [{ id }] = (await res.json()).photos;
  await waitProcessed(srv.base, id, 60_000, { cookie: me.cookie });
  const photo = await getPhoto(srv.base, id, { cookie: me.cookie });
  assert.equal(photo.status, "ready");
  assert.deepEqual([photo.width, photo.height], [400, 300]);
  const [{ gps_json }] = await srv.d1(`SELECT gps_json FROM photos WHERE id = '${id}'`);
  assert.equal(gps_json, null, "no location from a damaged block");
});

describe("duplicates", () => {
  const file = { name: "twice.jpg", bytes: noiseJpeg(320, 240), type: "image/jpeg" };
  let first;

  test("the SHA-256 is stored with the row at upload time", async () => {
    const res = await upload(srv.base, [file], { cookie: me.cookie });
    assert.equal(res.status, 201);
    const [p] = (await res.json()).photos;
    assert.equal(p.duplicate, false);
    first = p.id;
    const [{ sha256: sha, status }] = await srv.d1(`SELECT sha256, status FROM photos WHERE id = '${first}'`);
    assert.equal(sha, sha256(file.bytes), "the runtime's digest, before the job ran");
    assert.ok(["pending", "ready"].includes(status));
  });

  test("the JS uploader's request answers 'already uploaded' with the existing photo and stores nothing", async () => {
    const before = await stored();
    const fresh = { name: "fresh.jpg", bytes: noiseJpeg(200, 100), type: "image/jpeg" };
    const res = await upload(srv.base, [file, fresh, { ...file, name: "copy.jpg" }], { cookie: me.cookie });
    assert.equal(res.status, 201);
    const photos = (await res.json()).photos;
    assert.deepEqual(photos[0], { id: first, url: `/p/${first}`, duplicate: true });
    assert.equal(photos[1].duplicate, false);
    assert.deepEqual(photos[2], { id: first, url: `/p/${first}`, duplicate: true });
    const after = await stored();
    assert.deepEqual(after, { ...before, rows: before.rows + 1, originals: before.originals + 1 }, "only the new file");
  });

  test("the plain form lands on the upload page, linking the photo already there", async () => {
    const before = await stored();
    const res = await upload(srv.base, [file], { cookie: me.cookie, json: false });
    assert.equal(res.status, 303);
    const to = res.headers.get("location");
    assert.equal(to, `/upload?uploaded=0&already=${first}`);
    const html = await (await fetch(`${srv.base}${to}`, { headers: { cookie: me.cookie } })).text();
    assert.match(html, /0 uploaded, 1 already uploaded \(not stored again\)/);
    assert.ok(html.includes(`href="/p/${first}`));
    assert.deepEqual(await stored(), before);
  });

  test("per person: someone else may upload the same file", async () => {
    const res = await upload(srv.base, [file], { cookie: other.cookie });
    assert.equal(res.status, 201);
    const [p] = (await res.json()).photos;
    assert.equal(p.duplicate, false);
    assert.notEqual(p.id, first);
  });

  test("hostile strings in the summary's query are dropped, never echoed", async () => {
    const evil = encodeURIComponent(`<script>alert(1)</script>,"><img src=x onerror=alert(1)>,${first}`);
    const html = await (
      await fetch(`${srv.base}/upload?uploaded=%3Cb%3E&already=${evil}`, { headers: { cookie: me.cookie } })
    ).text();
    assert.ok(!html.includes("<script>alert"), "no script");
    assert.ok(!html.includes("onerror=alert"), "no attribute injection");
    assert.match(html, /0 uploaded, 1 already uploaded/);
  });

  test("a cross-site upload of a duplicate is refused (403) and changes nothing", async () => {
    const before = await stored();
    for (const headers of [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }]) {
      const res = await upload(srv.base, [file], { cookie: me.cookie, json: false, headers });
      assert.equal(res.status, 403);
    }
    assert.deepEqual(await stored(), before);
  });
});

/** A signed-in browser context (js on or off) for `who`. */
async function signedIn(who, js) {
  const ctx = await browser.newContext({ javaScriptEnabled: js, viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(T);
  const [name, value] = who.cookie.split(/=(.*)/s);
  await ctx.addCookies([{ name, value, url: srv.base }]);
  return ctx;
}

async function shots(page, label) {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(SHOTS, `${label}-${width}.png`), fullPage: true });
  }
}

describe("in the browser", () => {
  let dropper;
  before(async () => {
    dropper = await signUp(srv.base, { username: "dropper" });
  });

  test("JS on: three files dropped on the page, one cancelled, a refused one retried, a duplicate named", async () => {
    const ctx = await signedIn(dropper, true);
    const page = await ctx.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    // Hold the first request carrying c.jpg until the test has cancelled it, so cancel has
    // something in flight; count the requests for b.heic to see the retry go out.
    let release;
    const held = new Promise((r) => (release = r));
    let heicPosts = 0;
    let cPosts = 0;
    await page.route("**/upload", async (route) => {
      const body = route.request().postDataBuffer()?.toString("latin1") ?? "";
      if (body.includes('filename="b.heic"')) heicPosts++;
      if (body.includes('filename="c.jpg"') && cPosts++ === 0) {
        await held;
        return route.abort().catch(() => {});
      }
      return route.continue();
    });
    await page.goto(`${srv.base}/upload`, { waitUntil: "load" });
    await page.locator("html[data-hydrated=true]").waitFor({ state: "attached" });
    assert.match(await page.locator(".drop-hint").innerText(), /drop photos anywhere/);

    const files = [
      { name: "a.jpg", type: "image/jpeg", b64: noiseJpeg(120, 80).toString("base64") },
      { name: "b.heic", type: "image/heic", b64: heicBytes().toString("base64") },
      { name: "c.jpg", type: "image/jpeg", b64: noiseJpeg(90, 60).toString("base64") },
    ];
    const drop = async (list) => {
      const dt = await page.evaluateHandle((list) => {
        const dt = new DataTransfer();
        for (const f of list) {
          const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
          dt.items.add(new File([bytes], f.name, { type: f.type }));
        }
        return dt;
      }, list);
      // Anywhere on the page: the heading, not the form.
      await page.dispatchEvent("h1", "dragover", { dataTransfer: dt });
      await page.dispatchEvent("h1", "drop", { dataTransfer: dt });
    };
    await drop(files);
    const row = (name) => page.locator(".progress-item", { has: page.locator(".name", { hasText: name }) });
    assert.equal(await page.locator(".progress-item").count(), 3);
    // Thumbnails made in the browser: object URLs, no request.
    assert.match(await row("a.jpg").locator(".thumb img").getAttribute("src"), /^blob:/);
    await page.waitForFunction(() => document.querySelector(".progress-item .thumb img")?.naturalWidth > 0);
    await row("c.jpg").getByRole("button", { name: "Cancel c.jpg" }).click();
    await row("c.jpg").locator(".state", { hasText: "Cancelled" }).waitFor();
    release();
    await row("a.jpg").locator(".state", { hasText: "Uploaded" }).waitFor();
    await row("b.heic").locator(".state", { hasText: "Most Compatible" }).waitFor();
    await shots(page, "upload-list-js");
    const summary = page.locator("p.upload-summary");
    await summary.filter({ hasText: "1 uploaded" }).waitFor();
    assert.equal(
      await summary.innerText(),
      `1 uploaded, 1 cancelled, 1 refused: “b.heic” — ${HEIC_REASON}`,
    );
    // Retry the refused one: a new request goes out and is refused again, with its reason.
    assert.equal(heicPosts, 1);
    await row("b.heic").getByRole("button", { name: "Retry b.heic" }).click();
    await waitFor(() => heicPosts === 2, { what: "the retry's request" });
    await summary.filter({ hasText: "1 refused" }).waitFor();
    // Cancelled files can be retried too; c.jpg now goes through.
    await row("c.jpg").getByRole("button", { name: "Retry c.jpg" }).click();
    await row("c.jpg").locator(".state", { hasText: "Uploaded" }).waitFor();
    // The same file again: "already uploaded", linking the photo the person has.
    await drop([files[0]]);
    const again = page.locator(".progress-item.already");
    await again.waitFor();
    const href = await again.getByRole("link", { name: "see the photo" }).getAttribute("href");
    const [{ id }] = await srv.d1("SELECT p.id FROM photos p JOIN users u ON u.id = p.owner_id WHERE u.username = 'dropper' AND p.title = 'a'");
    assert.equal(href, `/p/${id}`);
    const [{ n }] = await srv.d1("SELECT count(*) AS n FROM photos p JOIN users u ON u.id = p.owner_id WHERE u.username = 'dropper'");
    assert.equal(n, 2, "a.jpg and c.jpg, once each");
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test("JS off: the plain form uploads, refuses HEIC with the reason and names a duplicate", async () => {
    const ctx = await signedIn(dropper, false);
    const page = await ctx.newPage();
    const bytes = noiseJpeg(150, 100);
    const choose = (name, b, mimeType) => page.setInputFiles("#photos", { name, mimeType, buffer: b });
    await page.goto(`${srv.base}/upload`);
    await choose("plain.jpg", bytes, "image/jpeg");
    await Promise.all([page.waitForURL(/\/p\//), page.getByRole("button", { name: "Upload" }).click()]);
    const first = new URL(page.url()).pathname;
    await page.goto(`${srv.base}/upload`);
    await choose("b.heic", heicBytes(), "image/heic");
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Upload" }).click()]);
    assert.match(await page.locator(".form-error").innerText(), /Most Compatible/);
    await shots(page, "upload-refused-nojs");
    await page.goto(`${srv.base}/upload`);
    await choose("plain-again.jpg", bytes, "image/jpeg");
    await Promise.all([page.waitForURL(/already=/), page.getByRole("button", { name: "Upload" }).click()]);
    assert.match(await page.locator("p.upload-result").innerText(), /0 uploaded, 1 already uploaded/);
    assert.equal(await page.locator("p.upload-result a").getAttribute("href"), first);
    await shots(page, "upload-already-nojs");
    await ctx.close();
  });
});
