// Streamed uploads and the hourly quota under concurrency, against `wrangler dev`: a file
// larger than one R2 part is stored byte for byte and processed; what cannot be accepted is
// refused with a clear message and stores nothing (no object, no row, no open multipart upload).
// Run: ./e2e/run.sh e2e/uploads.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { sleep, startLumen } from "./harness.mjs";
import { getPhoto, makeRgbaPng, noiseJpeg, signUp, upload, waitProcessed } from "./helpers.mjs";

const MiB = 1 << 20;
/** R2's part size, which the Worker writes in (app::ssr::service::upload::PART_BYTES). */
const PART = 5 * MiB;
const MAX_FILE_MB = 16;

let srv;
let me;
before(async () => {
  srv = await startLumen("uploads");
  me = await signUp(srv.base, { username: "streamer" });
});
after(async () => {
  await srv?.stop();
});

/** Rows and originals stored, and multipart uploads left open. */
async function stored() {
  const [{ n }] = await srv.d1("SELECT count(*) AS n FROM photos");
  return { rows: n, originals: srv.r2Count("orig/"), open: srv.r2OpenUploads() };
}

describe("streamed uploads", () => {
  test("a file larger than one R2 part is stored byte for byte and becomes ready", async () => {
    const bytes = noiseJpeg(3000, 2000, { amp: 80 });
    assert.ok(bytes.length > 2 * PART && bytes.length < MAX_FILE_MB * MiB, `${bytes.length} bytes`);
    const res = await upload(srv.base, [{ name: "big.jpg", bytes, type: "image/jpeg" }], { cookie: me.cookie });
    assert.equal(res.status, 201, await res.clone().text());
    const [{ id }] = (await res.json()).photos;
    const [{ owner_id, bytes: size }] = await srv.d1(`SELECT owner_id, bytes FROM photos WHERE id = '${id}'`);
    assert.equal(size, bytes.length);
    const original = srv.r2Get(`orig/${owner_id}/${id}`);
    assert.ok(original, "the original is in R2");
    assert.equal(original.length, bytes.length);
    assert.ok(original.equals(bytes), "byte-identical");
    const rest = bytes.length % PART;
    assert.deepEqual(srv.r2Parts(`orig/${owner_id}/${id}`), [PART, PART, rest], "streamed in R2-sized parts");
    assert.equal(srv.r2OpenUploads(), 0);
    await waitProcessed(srv.base, id, 120_000);
    const photo = await getPhoto(srv.base, id);
    assert.equal(photo.status, "ready");
    assert.deepEqual([photo.width, photo.height], [3000, 2000]);
  });

  test("a file over the limit is refused mid-stream, naming it, and stores nothing", async () => {
    const before = await stored();
    const huge = Buffer.alloc(MAX_FILE_MB * MiB + 1, 7);
    huge.set([0xff, 0xd8, 0xff, 0xe0]);
    const small = { name: "small.png", bytes: makeRgbaPng(32, 32), type: "image/png" };
    const res = await upload(srv.base, [small, { name: "huge.jpg", bytes: huge, type: "image/jpeg" }], {
      cookie: me.cookie,
    });
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), {
      error: "invalid",
      field: "photos",
      reason: `“huge.jpg” is larger than ${MAX_FILE_MB} MB.`,
    });
    assert.deepEqual(await stored(), before, "no row, no original, no open multipart upload");
  });

  test("a body declared larger than a Worker accepts gets 413 at once and stores nothing", async () => {
    const before = await stored();
    // Declares 150 MB but sends only the start: the answer must not wait for the rest.
    const { status, body } = await new Promise((resolve, reject) => {
      const url = new URL(`${srv.base}/upload`);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            accept: "application/json",
            cookie: me.cookie,
            "content-type": "multipart/form-data; boundary=x",
            "content-length": String(150_000_000),
          },
          timeout: 20_000,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => (text += d));
          res.on("end", () => {
            resolve({ status: res.statusCode, body: text });
            req.destroy();
          });
        },
      );
      req.on("timeout", () => reject(new Error("no answer before the body was sent")));
      req.on("error", reject);
      req.write(`--x\r\ncontent-disposition: form-data; name="photos"; filename="a.jpg"\r\n\r\n`);
      req.write(Buffer.alloc(64 * 1024, 1));
    });
    assert.equal(status, 413);
    const json = JSON.parse(body);
    assert.equal(json.error, "quota");
    assert.equal(
      json.reason,
      `This upload is 150 MB; one upload may be at most 100 MB, with photos of up to ${MAX_FILE_MB} MB each. Send fewer photos at a time.`,
    );
    assert.deepEqual(await stored(), before);
  });
});

describe("hourly quota under concurrency (an instance with 15 uploads an hour)", () => {
  let small;
  before(async () => {
    small = await startLumen("uploads-quota", { vars: { LUMEN_UPLOADS_PER_HOUR: 15 } });
  });
  after(async () => {
    await small?.stop();
  });

  test("ten concurrent 2-file uploads accept at most 15 files, and refusals store nothing", async () => {
    // The quota counts per clock hour: keep the burst inside one.
    const left = 3600 - ((Date.now() / 1000) % 3600);
    if (left < 60) await sleep((left + 1) * 1000);
    const q = await signUp(small.base, { username: "burst" });
    const png = (n) => ({ name: `p${n}.png`, bytes: makeRgbaPng(40 + n, 30), type: "image/png" });
    const results = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const res = await upload(small.base, [png(2 * i), png(2 * i + 1)], { cookie: q.cookie });
        return { status: res.status, body: await res.json() };
      }),
    );
    const accepted = results.filter((r) => r.status === 201).flatMap((r) => r.body.photos);
    for (const r of results.filter((r) => r.status !== 201)) {
      assert.equal(r.status, 429, JSON.stringify(r.body));
      assert.match(r.body.reason, /^You can upload 15 photos an hour/);
    }
    assert.ok(accepted.length > 0 && accepted.length <= 15, `${accepted.length} files accepted`);
    const [{ n }] = await small.d1("SELECT count(*) AS n FROM photos");
    assert.equal(n, accepted.length);
    assert.equal(small.r2Count("orig/"), accepted.length, "refused requests left no original");
    // Refusals gave their reservations back: exactly what is left can still be used.
    const [{ hits }] = await small.d1("SELECT hits FROM rate_limits WHERE bucket LIKE 'uploads:%'");
    assert.equal(hits, accepted.length);
  });
});
