// Issue 14: resumable uploads (R2 multipart, parts kept in D1) against `wrangler dev` in
// `service` mode with the native media service started here. A 120 MB JPEG goes up in 8 MiB
// parts with the connection cut twice mid-part; the uploader asks which parts arrived and
// sends only the rest; the stored original is byte-identical (SHA-256, read back through the
// owner's original URL and from R2) and the photo ends ready, rendered by the service. Also:
// the header probe on part 1 (422, upload aborted), parts out of range (400), an abandoned
// upload aborted by the cron's sweep (its clock moved by /_dev/sweep-uploads), IDOR and
// cross-site rows for every new route, hostile file names.
// Run: ./e2e/run.sh e2e/multipart.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { ROOT, startLumen, waitFor } from "./harness.mjs";
import { answerOf, api, CHROMIUM_OPTIONS, getPhoto, jpegMarkers, noiseJpeg, signUp, waitProcessed } from "./helpers.mjs";
import { buildMediaService, startMediaService, testSecret } from "./media-service.mjs";

const SECRET = testSecret("multipart");
const PART = 8 * 1024 * 1024;
const DAY = 24 * 3600 * 1000;
let srv;
let svc;
let ada;
let bob;
let adaId;
let browser;
const SHOTS = join(ROOT, "target", "shots-multipart");

const sha = (b) => createHash("sha256").update(b).digest("hex");

/** A valid JPEG of `size` bytes: a small picture whose frame header is followed by COM
 * segments of padding (decoders skip them), so the header probe still finds it at once. */
function bigJpeg(size) {
  const base = noiseJpeg(1600, 1200, { amp: 64 });
  const markers = jpegMarkers(base);
  let at = 2;
  for (const m of markers) {
    const len = base.readUInt16BE(at + 2);
    at += 2 + len;
    if (m === 0xffc0 || m === 0xffc2) break;
  }
  const need = size - base.length;
  const segs = [];
  let left = need;
  let n = 0;
  while (left > 0) {
    // A segment is 4 bytes of marker and length plus its payload (at most 65 533 bytes).
    let payload = Math.min(65533, left - 4);
    if (left - (payload + 4) > 0 && left - (payload + 4) < 5) payload -= 5;
    const seg = Buffer.alloc(payload + 4, 0x20 + (n++ % 90));
    seg.writeUInt16BE(0xfffe, 0);
    seg.writeUInt16BE(payload + 2, 2);
    segs.push(seg);
    left -= seg.length;
  }
  const out = Buffer.concat([base.subarray(0, at), ...segs, base.subarray(at)]);
  assert.equal(out.length, size);
  return out;
}

/** A request to the resumable routes as `cookie`, same-site unless `headers` say otherwise. */
async function call(method, path, { cookie, body, headers = {} } = {}) {
  const res = await fetch(`${srv.base}${path}`, {
    method,
    headers: {
      "sec-fetch-site": "same-origin",
      ...(cookie ? { cookie } : {}),
      ...(body && !(body instanceof Uint8Array) ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  return answerOf(res);
}

const create = (cookie, file, headers) => call("POST", "/upload/resumable", { cookie, body: file, headers });
const status = (cookie, id, headers) => call("GET", `/upload/resumable/${id}`, { cookie, headers });
const part = (cookie, id, n, bytes, headers) =>
  call("PUT", `/upload/resumable/${id}/${n}`, { cookie, body: new Uint8Array(bytes), headers });
const complete = (cookie, id, headers) => call("POST", `/upload/resumable/${id}/complete`, { cookie, headers });
const abort = (cookie, id, headers) => call("DELETE", `/upload/resumable/${id}`, { cookie, headers });

const slice = (file, n) => file.subarray((n - 1) * PART, Math.min(n * PART, file.length));

/** Sends part `n` but drops the connection after half of it, as a phone losing signal does. */
function cutPart(cookie, id, n, bytes) {
  return new Promise((resolve) => {
    const u = new URL(`${srv.base}/upload/resumable/${id}/${n}`);
    const req = request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method: "PUT",
      headers: { cookie, "sec-fetch-site": "same-origin", "content-length": bytes.length },
    });
    req.on("error", () => resolve("cut"));
    req.on("response", (res) => {
      res.resume();
      resolve(`answered ${res.statusCode}`);
    });
    req.write(bytes.subarray(0, bytes.length >> 1), () => {
      setTimeout(() => {
        req.destroy();
        resolve("cut");
      }, 200);
    });
  });
}

before(async () => {
  const bin = buildMediaService();
  svc = await startMediaService({ secret: SECRET, bin });
  srv = await startLumen("multipart", {
    vars: {
      LUMEN_PROCESSING: "service",
      LUMEN_SERVICE_URL: svc.url,
      LUMEN_SERVICE_SECRET: SECRET,
    },
    scheduled: true,
  });
  ada = await signUp(srv.base, { username: "ada" });
  bob = await signUp(srv.base, { username: "bob" });
  [{ id: adaId }] = await srv.d1("SELECT id FROM users WHERE username = 'ada'");
});

after(async () => {
  await browser?.close().catch(() => {});
  await srv?.stop();
  await svc?.kill();
});

describe("resumable uploads", () => {
  test("120 MB in parts, cut twice and resumed: byte-identical and processed by the media service", async () => {
    const file = bigJpeg(120 * 1000 * 1000);
    const digest = sha(file);
    const made = await create(ada.cookie, { name: "big night.jpg", size: file.length, type: "image/jpeg", sha256: digest });
    assert.equal(made.status, 201, made.text);
    const { id, part_bytes: pb, parts: none } = made.json;
    assert.equal(pb, PART);
    assert.deepEqual(none, []);
    const count = Math.ceil(file.length / PART);
    assert.equal(count, 15);
    // First pass: every part, but 4 and 11 lose their connection half-way.
    const cuts = [];
    for (let n = 1; n <= count; n++) {
      if (n === 4 || n === 11) {
        cuts.push(await cutPart(ada.cookie, id, n, slice(file, n)));
        continue;
      }
      const r = await part(ada.cookie, id, n, slice(file, n));
      assert.equal(r.status, 200, `part ${n}: ${r.text}`);
      assert.deepEqual(r.json, { number: n, size: slice(file, n).length });
    }
    assert.deepEqual(cuts, ["cut", "cut"]);
    // Completing now is refused: two parts are missing.
    const early = await complete(ada.cookie, id);
    assert.equal(early.status, 400, early.text);
    assert.match(early.json.reason, /Parts not received yet: 4, 11\./);
    // Resume: ask which parts arrived, send only the rest.
    const st = await status(ada.cookie, id);
    assert.equal(st.status, 200, st.text);
    assert.equal(st.headers.get("cache-control"), "private, no-store");
    const have = new Set(st.json.parts.map((p) => p.number));
    const missing = [...Array(count).keys()].map((i) => i + 1).filter((n) => !have.has(n));
    assert.deepEqual(missing, [4, 11]);
    for (const n of missing) {
      const r = await part(ada.cookie, id, n, slice(file, n));
      assert.equal(r.status, 200, r.text);
    }
    // Part 7 again (a retry whose answer was lost): replaces, does not add.
    assert.equal((await part(ada.cookie, id, 7, slice(file, 7))).status, 200);
    const done = await complete(ada.cookie, id);
    assert.equal(done.status, 201, done.text);
    assert.equal(done.json.photo.id, id);
    assert.equal(done.json.photo.url, `/p/${id}`);
    // The upload is gone; its rows too; no R2 upload left open.
    assert.equal((await status(ada.cookie, id)).status, 404);
    assert.deepEqual(await srv.d1("SELECT COUNT(*) AS n FROM upload_parts"), [{ n: 0 }]);
    assert.equal(srv.r2OpenUploads(), 0);
    const key = `orig/${adaId}/${id}`;
    const parts = srv.r2Parts(key);
    assert.equal(parts.length, count);
    assert.ok(parts.slice(0, -1).every((s) => s === PART), `equal parts: ${parts}`);
    assert.equal(sha(srv.r2Get(key)), digest, "R2 holds the exact bytes");
    const photo = await waitProcessed(srv.base, id, 180_000, { cookie: ada.cookie });
    assert.equal(photo.status, "ready", JSON.stringify(photo));
    assert.equal(photo.width, 1600);
    assert.ok(svc.logs().includes(`job started (${file.length} bytes)`), "rendered by the media service");
    const [row] = await srv.d1(`SELECT sha256, bytes FROM photos WHERE id = '${id}'`);
    assert.deepEqual(row, { sha256: digest, bytes: file.length }, "the job records the real digest");
    const orig = await fetch(`${srv.base}/original/${id}`, { headers: { cookie: ada.cookie } });
    assert.equal(orig.status, 200);
    assert.equal(sha(Buffer.from(await orig.arrayBuffer())), digest, "the owner downloads the exact bytes");
    // Through a share link that allows downloads the same original streams, byte for byte,
    // with the link route's headers; a link without downloads answers what a made-up one does.
    const viaLink = async (allow) => {
      const label = `big ${allow}`;
      const made = await api(srv.base, "create_link", { photo_id: id, label, ...(allow ? { allow_downloads: "on" } : {}) }, { cookie: ada.cookie });
      assert.equal(made.status, 200, made.text);
      const links = await api(srv.base, "list_links", { photo_id: id }, { cookie: ada.cookie });
      return new URL(links.json.find((l) => l.label === label).url).pathname;
    };
    const shared = await fetch(`${srv.base}${await viaLink(true)}/original/${id}`);
    assert.equal(shared.status, 200);
    assert.equal(shared.headers.get("content-disposition"), 'attachment; filename="big-night.jpg"');
    assert.equal(shared.headers.get("content-length"), String(file.length));
    assert.match(shared.headers.get("cache-control"), /^private/);
    assert.equal(sha(Buffer.from(await shared.arrayBuffer())), digest, "the link holder downloads the exact bytes");
    const closed = await fetch(`${srv.base}${await viaLink(false)}/original/${id}`);
    assert.equal(closed.status, 404);
    await closed.arrayBuffer();
    // The same file again: the browser's digest is a hint that finds it, nothing is stored.
    const again = await create(ada.cookie, { name: "again.jpg", size: file.length, type: "image/jpeg", sha256: digest });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json, { duplicate: { id, url: `/p/${id}`, duplicate: true } });
    // Bob's hint with the same digest finds nothing of his.
    const bobs = await create(bob.cookie, { name: "b.jpg", size: 10 * PART, type: "image/jpeg", sha256: digest });
    assert.equal(bobs.status, 201, bobs.text);
    assert.equal((await abort(bob.cookie, bobs.json.id)).status, 204);
  });

  test("the upload page says what this deployment takes: 16 MB plain, 256 MB with JS", async () => {
    const r = await fetch(`${srv.base}/upload`, { headers: { cookie: ada.cookie } });
    const html = await r.text();
    assert.ok(
      html.includes('<label for="photos">Photos (JPEG, PNG, WebP or GIF, up to 16 MB each, 256 MB with JavaScript on)</label>'),
      html.match(/<label for="photos">[^<]*/)?.[0],
    );
    // The server function answers on the Worker too (registered, not only rendered in-process).
    const fn = await api(srv.base, "upload_label", {}, { cookie: ada.cookie });
    assert.equal(fn.status, 200, fn.text);
    assert.equal(fn.json, "Photos (JPEG, PNG, WebP or GIF, up to 16 MB each, 256 MB with JavaScript on)");
  });

  test("part 1's header is checked before it is stored: 422 with the reason, the upload aborted", async () => {
    const png = Buffer.alloc(PART + 100, 1);
    Buffer.from("89504e470d0a1a0a0000000d49484452", "hex").copy(png, 0);
    png.writeUInt32BE(50_000, 16);
    png.writeUInt32BE(50_000, 20);
    png.writeUInt32BE(0x08020000, 24);
    const made = await create(ada.cookie, { name: "huge.png", size: png.length, type: "image/png" });
    assert.equal(made.status, 201, made.text);
    const r = await part(ada.cookie, made.json.id, 1, png.subarray(0, PART));
    assert.equal(r.status, 422, r.text);
    assert.match(r.json.reason, /huge\.png/);
    assert.equal((await status(ada.cookie, made.json.id)).status, 404, "aborted");
    assert.equal(srv.r2OpenUploads(), 0);
    // Declared HEIC, or something that is no image: refused at create, nothing begun.
    for (const type of ["image/heic", "text/html", ""]) {
      const h = await create(ada.cookie, { name: "x.heic", size: 100, type });
      assert.equal(h.status, 422, `${type}: ${h.text}`);
    }
    assert.equal(srv.r2OpenUploads(), 0);
  });

  test("part numbers and sizes out of range: 400, nothing recorded", async () => {
    const made = await create(ada.cookie, { name: "r.jpg", size: PART + 10, type: "image/jpeg" });
    const id = made.json.id;
    for (const [n, len] of [[0, 10], [3, 10], ["x", 10], [2, 11], [2, 9], [1, 10]]) {
      const r = await part(ada.cookie, id, n, Buffer.alloc(len));
      assert.equal(r.status, 400, `part ${n} of ${len}: ${r.text}`);
    }
    const tooBig = await part(ada.cookie, id, 1, Buffer.alloc(PART + 1));
    assert.equal(tooBig.status, 400, tooBig.text);
    assert.deepEqual((await status(ada.cookie, id)).json.parts, []);
    for (const body of ["not json", JSON.stringify({ name: "a" }), "x".repeat(5000)]) {
      const r = await fetch(`${srv.base}/upload/resumable`, {
        method: "POST",
        headers: { cookie: ada.cookie, "sec-fetch-site": "same-origin", "content-type": "application/json" },
        body,
      });
      assert.equal(r.status, 400, await r.text());
    }
    assert.equal((await create(ada.cookie, { name: "x.jpg", size: 300 * 1024 * 1024, type: "image/jpeg" })).status, 413);
    assert.equal((await abort(ada.cookie, id)).status, 204);
  });

  test("hostile file names are stored as text and shown escaped", async () => {
    const small = noiseJpeg(64, 48);
    const names = [
      "<script>alert(1)</script>.jpg",
      "\u202egnp.jpg",
      "\"'><img src=x onerror=alert(1)>.jpg",
      "../../etc/passwd.jpg",
      "a".repeat(1000) + ".jpg",
    ];
    for (const name of names) {
      const made = await create(ada.cookie, { name, size: small.length, type: "image/jpeg" });
      assert.equal(made.status, 201, made.text);
      assert.equal((await part(ada.cookie, made.json.id, 1, small)).status, 200);
      const done = await complete(ada.cookie, made.json.id);
      assert.equal(done.status, 201, done.text);
      const page = await fetch(`${srv.base}/p/${made.json.id}`, { headers: { cookie: ada.cookie } });
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.ok(!html.includes("<script>alert(1)"), name);
      assert.ok(!html.includes("<img src=x onerror"), name);
      assert.ok(!html.includes("\u202e"), "bidi override removed");
      const p = await getPhoto(srv.base, made.json.id, { cookie: ada.cookie });
      assert.ok(p.title.length <= 100, `title kept short: ${p.title.length}`);
    }
  });

  test("an abandoned upload is aborted by the cron's sweep after a day", async () => {
    const made = await create(ada.cookie, { name: "left.jpg", size: PART + 10, type: "image/jpeg" });
    const id = made.json.id;
    assert.equal((await part(ada.cookie, id, 2, Buffer.alloc(10))).status, 200);
    const open = srv.r2OpenUploads();
    assert.ok(open >= 1);
    const now = Date.now();
    const early = await call("POST", `/_dev/sweep-uploads?at=${now + DAY - 60_000}`);
    assert.deepEqual(early.json, { aborted: 0 }, "not yet a day");
    assert.equal((await status(ada.cookie, id)).status, 200);
    const late = await call("POST", `/_dev/sweep-uploads?at=${now + DAY + 60_000}`);
    assert.deepEqual(late.json, { aborted: 1 });
    assert.equal((await status(ada.cookie, id)).status, 404);
    assert.equal(srv.r2OpenUploads(), open - 1, "aborted in R2 too");
    assert.deepEqual(await srv.d1(`SELECT COUNT(*) AS n FROM uploads WHERE id = '${id}'`), [{ n: 0 }]);
  });
});

describe("the upload page's album", () => {
  test("a resumable upload goes into one's own album; someone else's is 404 with nothing stored", async () => {
    const newAlbum = async (cookie, title) => {
      const r = await api(srv.base, "create_album", { title, description: "", visibility: "private" }, { cookie });
      assert.equal(r.status, 200, r.text);
      return r.json;
    };
    const mine = await newAlbum(ada.cookie, "Night <b>shots</b>");
    const bobs = await newAlbum(bob.cookie, "Bob's");
    const file = bigJpeg(PART + 5000);
    const rows = async () => (await srv.d1("SELECT COUNT(*) AS n FROM uploads"))[0].n;
    const before = [await rows(), srv.r2OpenUploads()];
    // Someone else's album, or a made-up one, at create: 404, no upload row, no R2 upload.
    const hostile = ["made-up-album", "' OR 1=1 --", "<script>alert(1)</script>", "../../x", "é".repeat(300)];
    for (const album of [bobs, ...hostile]) {
      const r = await create(ada.cookie, { name: "x.jpg", size: file.length, type: "image/jpeg", album });
      assert.equal(r.status, 404, r.text);
    }
    assert.deepEqual([await rows(), srv.r2OpenUploads()], before, "nothing stored");
    const made = await create(ada.cookie, { name: "into album.jpg", size: file.length, type: "image/jpeg", album: mine });
    assert.equal(made.status, 201, made.text);
    const id = made.json.id;
    for (const n of [1, 2]) assert.equal((await part(ada.cookie, id, n, slice(file, n))).status, 200);
    // At complete too: bob's album answers 404, no photo, the upload stays to be finished.
    for (const album of [bobs, ...hostile]) {
      const sneaky = await call("POST", `/upload/resumable/${id}/complete?album=${encodeURIComponent(album)}`, { cookie: ada.cookie });
      assert.equal(sneaky.status, 404, sneaky.text);
    }
    assert.deepEqual(await srv.d1(`SELECT COUNT(*) AS n FROM photos WHERE id = '${id}'`), [{ n: 0 }]);
    assert.equal((await status(ada.cookie, id)).status, 200);
    const done = await call("POST", `/upload/resumable/${id}/complete?album=${mine}`, { cookie: ada.cookie });
    assert.equal(done.status, 201, done.text);
    const album = await api(srv.base, "get_album", { id: mine }, { cookie: ada.cookie });
    assert.deepEqual(album.json.photos.map((c) => c.id), [id], "the photo is in the album");
    assert.deepEqual(await srv.d1(`SELECT COUNT(*) AS n FROM album_photos WHERE album_id = '${bobs}'`), [{ n: 0 }]);
  });
});

describe("the cron", () => {
  test("the real scheduled handler (wrangler's /__scheduled) aborts an upload over a day old, in R2 and D1", async () => {
    const made = await create(ada.cookie, { name: "forgotten.jpg", size: PART + 10, type: "image/jpeg" });
    assert.equal(made.status, 201, made.text);
    const id = made.json.id;
    assert.equal((await part(ada.cookie, id, 2, Buffer.alloc(10))).status, 200);
    const fresh = await create(ada.cookie, { name: "today.jpg", size: PART + 10, type: "image/jpeg" });
    const open = srv.r2OpenUploads();
    // Two days old, written behind the Worker as the clock cannot be moved for the cron.
    await srv.d1(`UPDATE uploads SET created_at = ${Date.now() - 2 * DAY} WHERE id = '${id}'`);
    const r = await fetch(`${srv.base}/__scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);
    assert.equal(r.status, 200, await r.text());
    await waitFor(async () => (await status(ada.cookie, id)).status === 404, { timeout: 30_000 });
    assert.deepEqual(await srv.d1(`SELECT COUNT(*) AS n FROM uploads WHERE id = '${id}'`), [{ n: 0 }]);
    assert.deepEqual(await srv.d1(`SELECT COUNT(*) AS n FROM upload_parts WHERE upload_id = '${id}'`), [{ n: 0 }]);
    assert.equal(srv.r2OpenUploads(), open - 1, "aborted in R2 too");
    assert.match(srv.logs(), /CRON aborted 1 abandoned resumable uploads/);
    assert.equal((await status(ada.cookie, fresh.json.id)).status, 200, "a fresh upload stays");
    assert.equal((await abort(ada.cookie, fresh.json.id)).status, 204);
  });
});

describe("sweeps", () => {
  let id;
  before(async () => {
    const made = await create(ada.cookie, { name: "mine.jpg", size: PART + 10, type: "image/jpeg" });
    id = made.json.id;
  });

  test("IDOR: another person, or nobody, gets what a made-up id gets", async () => {
    const rows = [
      ["status", (c, i) => status(c, i)],
      ["part", (c, i) => part(c, i, 2, Buffer.alloc(10))],
      ["complete", (c, i) => complete(c, i)],
      ["complete into an album", (c, i) => call("POST", `/upload/resumable/${i}/complete?album=some-album`, { cookie: c })],
      ["abort", (c, i) => abort(c, i)],
    ];
    for (const [what, go] of rows) {
      const theirs = await go(bob.cookie, id);
      const madeUp = await go(bob.cookie, "no-such-upload");
      assert.equal(theirs.status, 404, `${what}: ${theirs.text}`);
      assert.equal(theirs.text, madeUp.text, `${what}: same answer as a made-up id`);
      assert.equal((await go(undefined, id)).status, 401, `${what} signed out`);
    }
    assert.equal((await create(undefined, { name: "a.jpg", size: 10, type: "image/jpeg" })).status, 401);
    const st = await status(ada.cookie, id);
    assert.equal(st.status, 200, "still Ada's, untouched");
    assert.deepEqual(st.json.parts, []);
  });

  test("cross-site: every mutation is refused and changes nothing", async () => {
    const evil = { "sec-fetch-site": "cross-site", origin: "https://evil.test" };
    const rows = [
      ["create", () => create(ada.cookie, { name: "x.jpg", size: 10, type: "image/jpeg" }, evil)],
      ["part", () => part(ada.cookie, id, 2, Buffer.alloc(10), evil)],
      ["complete", () => complete(ada.cookie, id, evil)],
      ["create into an album", () => create(ada.cookie, { name: "x.jpg", size: 10, type: "image/jpeg", album: "a" }, evil)],
      ["complete into an album", () => call("POST", `/upload/resumable/${id}/complete?album=a`, { cookie: ada.cookie, headers: evil })],
      ["abort", () => abort(ada.cookie, id, evil)],
    ];
    const open = await srv.d1("SELECT COUNT(*) AS n FROM uploads");
    for (const [what, go] of rows) {
      const r = await go();
      assert.equal(r.status, 403, `${what}: ${r.text}`);
    }
    assert.deepEqual(await srv.d1("SELECT COUNT(*) AS n FROM uploads"), open);
    assert.deepEqual((await status(ada.cookie, id)).json.parts, []);
  });
});

describe("in the browser (JS on)", () => {
  test("a large dropped file goes up in parts; after a reload and a dropped part it resumes and ends uploaded", async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ ...CHROMIUM_OPTIONS, timeout: 30_000 });
    const cleo = await signUp(srv.base, { username: "cleo" });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(60_000);
    const [name, value] = cleo.cookie.split(/=(.*)/s);
    await ctx.addCookies([{ name, value, url: srv.base }]);
    const file = bigJpeg(2 * PART + 1_234_567);
    const b64 = file.toString("base64");
    const problems = [];
    const states = new Set();
    const open = async () => {
      const page = await ctx.newPage();
      page.on("pageerror", (e) => problems.push(e.message));
      await page.exposeFunction("noteState", (s) => states.add(s));
      await page.goto(`${srv.base}/upload`, { waitUntil: "load" });
      await page.locator("html[data-hydrated=true]").waitFor({ state: "attached" });
      // Every state a row passes through, as the person would have seen it.
      await page.evaluate(() => {
        new MutationObserver(() => {
          for (const li of document.querySelectorAll(".progress-item")) window.noteState(li.className + " | " + li.innerText);
        }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      return page;
    };
    const drop = (page) =>
      page.evaluate(
        async ({ b64 }) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          // The same name, size and time as before: the same file picked again.
          dt.items.add(new File([bytes], "big-drop.jpg", { type: "image/jpeg", lastModified: 1_700_000_000_000 }));
          for (const type of ["dragover", "drop"]) {
            document.querySelector("h1").dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
          }
        },
        { b64 },
      );
    // First page: part 2 never gets through (the phone went into a tunnel), then a reload.
    let page = await open();
    let part2 = 0;
    await page.route("**/upload/resumable/*/2", (route) => {
      part2++;
      return route.abort("connectionreset");
    });
    await drop(page);
    await page.waitForFunction(() => document.querySelector(".progress-item")?.innerText.includes("part 2 of 3"));
    await shots(page, "sending");
    await page.waitForFunction(() => document.querySelector(".progress-item.resumed"));
    assert.ok(part2 >= 1);
    const [{ id }] = await srv.d1("SELECT u.id FROM uploads u JOIN users p ON p.id = u.owner_id WHERE p.username = 'cleo'");
    assert.deepEqual((await status(cleo.cookie, id)).json.parts.map((x) => x.number), [1]);
    await page.close();
    // Second page: the file picked again resumes the same upload; part 3's first try drops.
    page = await open();
    let part3 = 0;
    await page.route("**/upload/resumable/*/3", (route) => (part3++ === 0 ? route.abort("connectionreset") : route.continue()));
    let creates = 0;
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/upload/resumable")) creates++;
    });
    await drop(page);
    await page
      .waitForFunction(() => document.querySelector(".progress-item.done .state")?.innerText === "Uploaded", null, {
        timeout: 120_000,
      })
      .catch((e) => {
        throw new Error(`${e.message}\nstates seen:\n${[...states].join("\n")}\nproblems: ${problems}`);
      });
    assert.equal(creates, 0, "resumed, not started again");
    assert.equal(part3, 2, "part 3 dropped once, then sent");
    assert.ok([...states].some((s) => s.includes("resumed") && s.includes("Resumed: part")), [...states].join("\n"));
    assert.ok([...states].some((s) => /Uploading part 1 of 3/.test(s)), "sending shows part progress");
    // One photo uploaded: the uploader opens its page.
    await page.waitForURL(`${srv.base}/p/${id}`);
    const [{ id: photo }] = await srv.d1("SELECT ph.id FROM photos ph JOIN users p ON p.id = ph.owner_id WHERE p.username = 'cleo'");
    assert.equal(photo, id);
    const [{ id: cleoId }] = await srv.d1("SELECT id FROM users WHERE username = 'cleo'");
    assert.equal(sha(srv.r2Get(`orig/${cleoId}/${photo}`)), sha(file), "byte-identical");
    // The catalogue's upload list, every state (queued, sending in parts, resumed, done, …).
    await page.goto(`${srv.base}/_design#light-progress`, { waitUntil: "load" });
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("lumen-upload:")));
    assert.deepEqual(kept, [], "forgotten once done");
    const list = page.locator("#light-progress .progress-item");
    assert.ok((await list.count()) >= 8);
    assert.match(await page.locator("#light-progress .progress-item.resumed").innerText(), /Resumed: part 11 of 15… 71%/);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.locator("#light-progress").screenshot({ path: join(SHOTS, `upload-catalogue-${width}.png`) });
    }
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});

async function shots(page, label) {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(SHOTS, `upload-${label}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
