// The upload-time checks against `wrangler dev`: a header that breaks the pipeline's
// limits (pixels, HEIC) is refused at once with the reason and stores nothing; a photo
// whose EXIF is damaged still becomes ready; a file the person already has answers with
// that photo instead of a second copy (JSON for the JS uploader, the upload page for the
// plain form), per person, with the SHA-256 taken by the runtime as the file streams.
// Run: ./e2e/run.sh e2e/uploader.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startLumen } from "./harness.mjs";
import { getPhoto, gpsJpeg, makeRgbaPng, noiseJpeg, signUp, upload, waitProcessed } from "./helpers.mjs";

let srv;
let me;
let other;
before(async () => {
  srv = await startLumen("uploader");
  me = await signUp(srv.base, { username: "uploader" });
  other = await signUp(srv.base, { username: "twin" });
});
after(async () => {
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
  const heic = Buffer.concat([Buffer.from("\0\0\0\x18ftypheic\0\0\0\0mif1heic", "latin1"), Buffer.alloc(20_000, 7)]);
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
    assert.ok(html.includes(`href="/p/${first}"`));
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
