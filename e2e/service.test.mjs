// The `service` processing backend end to end: the native media service on a free port and a
// `wrangler dev` whose queue consumer hands it every job (LUMEN_PROCESSING=service). Uploads
// of each format end ready with the very bytes `worker` mode stores; the service killed
// mid-job costs a retry, not the photo; a wrong secret fails the photo with a clear reason.
// Run: ./e2e/run.sh e2e/service.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, startLumen, waitFor } from "./harness.mjs";
import { demoPhoto, distinct, expectedVariants, signUp, upload } from "./helpers.mjs";
import { buildMediaService, startMediaService, testSecret } from "./media-service.mjs";

const SECRET = testSecret("service");
let bin;
let svc;
let lumen; // service mode
let plain; // worker mode, for comparison
let me;
let ada;

/**
 * A GIF of `w` × `h` (a 256-colour gradient), LZW without compression: a clear code before
 * every 250 pixels keeps every code 9 bits wide.
 */
function gif(w, h) {
  const out = [...Buffer.from("GIF89a"), w & 255, w >> 8, h & 255, h >> 8, 0xf7, 0, 0];
  for (let i = 0; i < 256; i++) out.push(i, (i * 3) & 255, 255 - i);
  out.push(0x2c, 0, 0, 0, 0, w & 255, w >> 8, h & 255, h >> 8, 0, 8);
  const codes = [];
  for (let i = 0; i < w * h; i++) {
    if (i % 250 === 0) codes.push(256);
    const x = i % w;
    const y = Math.floor(i / w);
    codes.push(Math.floor(((x + y) * 255) / (w + h)));
  }
  codes.push(257);
  const data = [];
  let acc = 0;
  let bits = 0;
  for (const c of codes) {
    acc |= c << bits;
    bits += 9;
    while (bits >= 8) {
      data.push(acc & 255);
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) data.push(acc & 255);
  for (let i = 0; i < data.length; i += 255) {
    const block = data.slice(i, i + 255);
    out.push(block.length, ...block);
  }
  out.push(0, 0x3b);
  return Buffer.from(out);
}

/** A 6000 × 4000 (24 MP) 4:2:0 JPEG, as cameras make, upscaled from a demo photo by libvips. */
function jpeg24mp() {
  const dir = join(ROOT, "target", "e2e-inputs");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "rocket-24MP.jpg");
  execFileSync("vips", ["resize", demoPhoto("rocket.jpg"), `${file}[Q=85,strip]`, "9.375"]);
  return readFileSync(file);
}

let inputs;

before(async () => {
  bin = buildMediaService();
  svc = await startMediaService({ secret: SECRET, bin });
  lumen = await startLumen("service", {
    vars: { LUMEN_PROCESSING: "service", LUMEN_SERVICE_URL: svc.url, LUMEN_SERVICE_SECRET: SECRET },
  });
  plain = await startLumen("service-worker-mode");
  me = await signUp(lumen.base, { username: "viaservice" });
  ada = await signUp(plain.base, { username: "inworker" });
  inputs = [
    { name: "retina.jpg", type: "image/jpeg", bytes: readFileSync(demoPhoto("retina.jpg")), size: [1411, 1411] },
    { name: "coffee.png", type: "image/png", bytes: readFileSync(demoPhoto("coffee.png")), size: [600, 400] },
    {
      name: "lossy.webp",
      type: "image/webp",
      bytes: readFileSync(join(ROOT, "media", "tests", "fixtures", "lossy.webp")),
    },
    { name: "gradient.gif", type: "image/gif", bytes: gif(700, 500), size: [700, 500] },
    { name: "rocket-24MP.jpg", type: "image/jpeg", bytes: jpeg24mp(), size: [6000, 4003] },
  ];
});
after(async () => {
  await lumen?.stop();
  await plain?.stop();
  await svc?.kill();
});

async function uploadOne(srv, cookie, file) {
  const res = await upload(srv.base, [file], { cookie });
  assert.equal(res.status, 201, await res.clone().text());
  const [{ id }] = (await res.json()).photos;
  return id;
}

/** Waits until the photo leaves `pending`; returns its row. */
function settled(srv, id, timeout = 120_000) {
  return waitFor(
    async () => {
      const [row] = await srv.d1(`SELECT status, failure, width, height, sha256 FROM photos WHERE id = '${id}'`);
      return row && row.status !== "pending" ? row : null;
    },
    { timeout, interval: 500, what: `photo ${id} to leave pending` },
  );
}

async function variants(srv, id) {
  const rows = await srv.d1(
    `SELECT width, height, mime, r2_key, bytes FROM photo_variants WHERE photo_id = '${id}' ORDER BY width`,
  );
  return rows.map((r) => ({ ...r, body: srv.r2Get(r.r2_key) }));
}

describe("processing on the media service", () => {
  test("JPEG, PNG, WebP, GIF and a 24 MP JPEG end ready with the bytes worker mode stores", async () => {
    for (const file of inputs) {
      const since = svc.logs().length;
      const [viaService, inWorker] = await Promise.all([
        uploadOne(lumen, me.cookie, file),
        uploadOne(plain, ada.cookie, file),
      ]);
      const [a, b] = await Promise.all([settled(lumen, viaService), settled(plain, inWorker)]);
      assert.equal(a.status, "ready", `${file.name}: ${a.failure}`);
      assert.equal(b.status, "ready", `${file.name} in worker mode: ${b.failure}`);
      assert.match(svc.logs().slice(since), /200 \d+ bytes/, `${file.name} went through the service`);
      if (file.size) assert.deepEqual([a.width, a.height], file.size, file.name);
      assert.deepEqual([a.width, a.height, a.sha256], [b.width, b.height, b.sha256], file.name);
      const [va, vb] = [await variants(lumen, viaService), await variants(plain, inWorker)];
      assert.deepEqual(
        va.map(({ width, height }) => ({ width, height })),
        expectedVariants(a.width, a.height),
        file.name,
      );
      assert.equal(va.length, vb.length, file.name);
      for (const [x, y] of va.map((v, i) => [v, vb[i]])) {
        assert.deepEqual(
          [x.width, x.height, x.mime, x.bytes, x.r2_key.replace(viaService, "ID")],
          [y.width, y.height, y.mime, y.bytes, y.r2_key.replace(inWorker, "ID")],
          `${file.name} ${x.width}`,
        );
        assert.ok(x.body && x.body.length === x.bytes, `${file.name} ${x.width} stored in R2`);
        assert.ok(x.body.equals(y.body), `${file.name} ${x.width}: byte-identical to worker mode`);
      }
    }
  });

  test("the service stopped mid-job: the photo retries and ends ready once it is back", async () => {
    const file = inputs.at(-1); // the 24 MP JPEG: the longest job
    const since = svc.logs().length;
    const logSince = lumen.logs().length;
    // Another file with the same picture (the first upload of it is a duplicate otherwise).
    const id = await uploadOne(lumen, me.cookie, { ...file, bytes: distinct(file.bytes), name: "again-24MP.jpg" });
    await svc.waitForLog(/job started/, { since });
    const port = svc.port;
    await svc.kill();
    await lumen.waitForLog(new RegExp(`QUEUE \\S+ photo=${id} retry`), { since: logSince, timeout: 60_000 });
    const [row] = await lumen.d1(`SELECT status, failure FROM photos WHERE id = '${id}'`);
    assert.equal(row.status, "pending", "a transient failure leaves the photo pending");
    assert.equal(row.failure, "Waiting for the media service (unreachable); it will be tried again.");
    svc = await startMediaService({ secret: SECRET, bin, port });
    const done = await settled(lumen, id);
    assert.equal(done.status, "ready", done.failure);
    assert.equal(done.failure, null, "ready clears the note");
    assert.equal((await variants(lumen, id)).length, expectedVariants(done.width, done.height).length);
  });

  test("a service with another secret: the photo fails with a reason naming the secret", async () => {
    const port = svc.port;
    await svc.kill();
    svc = await startMediaService({ secret: testSecret("wrong"), bin, port });
    const id = await uploadOne(lumen, me.cookie, { ...inputs[1], bytes: distinct(inputs[1].bytes) });
    const row = await settled(lumen, id, 60_000);
    assert.equal(row.status, "failed");
    assert.match(row.failure, /401/);
    assert.match(row.failure, /LUMEN_SERVICE_SECRET/);
    assert.match(svc.logs(), /401 its signature does not match/);
    assert.ok(!svc.logs().includes(SECRET), "the service never logs a secret");
    assert.deepEqual(await variants(lumen, id), []);
  });
});
