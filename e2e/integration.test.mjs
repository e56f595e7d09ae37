// Integration tests: Lumen on `wrangler dev` (workerd, local D1/R2/Queues), driven over HTTP.
// Run: node --test --test-concurrency=1 e2e/integration.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startLumen } from "./harness.mjs";
import {
  closeDecoder,
  decodeImage,
  decodeWithBrowser,
  demoPhoto,
  expectedVariants,
  fileOf,
  getPhoto,
  gridDistance,
  imageStats,
  makeRgbaPng,
  signUp,
  textOfClass,
  truncatedJpeg,
  upload as uploadAs,
  waitProcessed,
  markup,
} from "./helpers.mjs";

let srv;
/** The one account these tests upload as (uploads need a session; accounts.test.mjs tests that). */
let me;
before(async () => {
  srv = await startLumen("integration");
  me = await signUp(srv.base, { username: "uploader" });
  [{ id: me.id }] = await srv.d1("SELECT id FROM users WHERE username = 'uploader'");
});
after(async () => {
  await closeDecoder();
  await srv?.stop();
});

/** Uploads as `me`; the photos default to public, so the reads below need no cookie. */
const upload = (base, files, opts = {}) => uploadAs(base, files, { cookie: me.cookie, ...opts });

const get = (path, init = {}) =>
  fetch(`${srv.base}${path}`, { redirect: "manual", signal: AbortSignal.timeout(15_000), ...init });

/** Photos and variant rows in D1, objects and blob files in R2: one wrangler call. */
async function counts() {
  const [row] = await srv.d1(
    "SELECT (SELECT count(*) FROM photos) AS photos, (SELECT count(*) FROM photo_variants) AS variants",
  );
  return { photos: row.photos, variants: row.variants, r2: srv.r2Count(), blobs: srv.r2BlobCount() };
}

const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** Everything the tests learn about one uploaded photo. */
const uploaded = {};

describe("upload → queue → variants", () => {
  test("a fresh state shows the empty feed", async () => {
    const res = await get("/");
    assert.equal(res.status, 200);
    assert.match(await res.text(), /No photos yet\./);
  });

  test("a JPEG and a PNG in one upload become ready with real, right-sized variants", async () => {
    const sources = [
      { file: fileOf(demoPhoto("retina.jpg"), "image/jpeg"), width: 1411, height: 1411 },
      { file: fileOf(demoPhoto("coffee.png"), "image/png"), width: 600, height: 400 },
    ];
    const res = await upload(srv.base, sources.map((s) => s.file));
    assert.equal(res.status, 201, await res.clone().text());
    const { photos } = await res.json();
    assert.equal(photos.length, 2);
    for (const p of photos) {
      assert.match(p.id, /^[a-z0-9]{8,}$/);
      assert.equal(p.url, `/p/${p.id}`);
    }

    const views = [];
    for (const p of photos) views.push(await waitProcessed(srv.base, p.id));
    const ids = photos.map((p) => sq(p.id)).join(",");
    const rows = await srv.d1(`SELECT id, status, failure, width, height, rev, owner_id FROM photos WHERE id IN (${ids})`);
    const vrows = await srv.d1(
      `SELECT photo_id, width, height, mime, r2_key, bytes FROM photo_variants WHERE photo_id IN (${ids}) ORDER BY photo_id, width`,
    );

    for (const [i, p] of photos.entries()) {
      const src = sources[i];
      const view = views[i];
      const title = src.file.name.replace(/\.[^.]+$/, "");
      assert.equal(view.status, "ready", `${title}: ${view.failure}`);
      assert.equal(view.title, title);
      const row = rows.find((r) => r.id === p.id);
      assert.ok(row, `D1 row for ${p.id}`);
      assert.equal(row.status, "ready");
      assert.equal(row.failure, null);
      assert.deepEqual([row.width, row.height], [src.width, src.height]);
      assert.match(row.rev, /^v1-[0-9a-f]{12}$/);
      assert.equal(row.owner_id, me.id, "owned by the uploader");

      const mine = vrows.filter((v) => v.photo_id === p.id);
      assert.deepEqual(
        mine.map((v) => ({ width: v.width, height: v.height })),
        expectedVariants(src.width, src.height),
        `${title}: variant ladder`,
      );
      // What the page advertises is what D1 holds.
      assert.deepEqual(
        view.images.map((im) => [im.url, im.width, im.height]),
        mine.map((v) => [`/media/${p.id}/${row.rev}/${v.r2_key.split("/").at(-1)}`, v.width, v.height]),
      );

      // R2: the original plus exactly one object per variant row.
      assert.deepEqual(srv.r2Keys(`orig/${row.owner_id}/${p.id}`), [`orig/${row.owner_id}/${p.id}`]);
      assert.deepEqual(srv.r2Keys(`var/${p.id}/`), mine.map((v) => v.r2_key).sort());

      const original = imageStats(decodeImage(src.file.bytes, src.file.type));
      for (const v of mine) {
        assert.match(v.r2_key, new RegExp(`^var/${p.id}/${row.rev}/${v.width}\\.(jpg|png)$`));
        const res = await get(`/media/${p.id}/${row.rev}/${v.r2_key.split("/").at(-1)}`);
        assert.equal(res.status, 200, v.r2_key);
        assert.equal(res.headers.get("content-type"), v.mime);
        assert.equal(v.mime, "image/jpeg", "opaque images become JPEG variants");
        const cc = res.headers.get("cache-control") ?? "";
        assert.match(cc, /\bpublic\b/);
        assert.match(cc, /\bmax-age=31536000\b/);
        assert.match(cc, /\bimmutable\b/);
        const bytes = new Uint8Array(await res.arrayBuffer());
        assert.equal(bytes.length, v.bytes, `${v.r2_key}: size in D1`);
        const img = decodeImage(bytes, v.mime);
        assert.deepEqual([img.width, img.height], [v.width, v.height], `${v.r2_key}: decoded size`);
        const stats = imageStats(img);
        assert.ok(stats.stddev > 8, `${v.r2_key}: not blank (luminance stddev ${stats.stddev.toFixed(1)})`);
        const d = gridDistance(stats, original);
        assert.ok(d < 24, `${v.r2_key}: looks like the original (4×4 mean colours differ by ${d.toFixed(1)})`);
      }

      // The photo page shows the largest variant up to 1280 and the whole srcset.
      const page = await get(p.url);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<article[^>]*data-status="ready"/);
      assert.match(html, new RegExp(`<h1><bdi>${title}</bdi></h1>`));
      const best = mine.filter((v) => v.width <= 1280).at(-1);
      assert.match(html, new RegExp(`<img src="/media/${p.id}/${row.rev}/${best.width}\\.jpg"`));
      for (const v of mine) assert.ok(html.includes(`/media/${p.id}/${row.rev}/${v.width}.jpg ${v.width}w`));
      uploaded[title] = { ...p, rev: row.rev, variants: mine };
    }

    const feed = await (await get("/")).text();
    for (const p of photos) assert.ok(feed.includes(`href="/p/${p.id}`), "feed links each photo");
    assert.doesNotMatch(feed, /No photos yet/);
  });

  test("a PNG with transparency keeps its alpha in lossless WebP variants", async () => {
    const bytes = makeRgbaPng(800, 500);
    const res = await upload(srv.base, [{ name: "glass.png", bytes, type: "image/png" }]);
    assert.equal(res.status, 201);
    const [{ id }] = (await res.json()).photos;
    const view = await waitProcessed(srv.base, id);
    assert.equal(view.status, "ready", view.failure);
    assert.deepEqual(
      view.images.map((im) => [im.width, im.height]),
      expectedVariants(800, 500).map((v) => [v.width, v.height]),
    );
    for (const im of view.images) {
      assert.match(im.url, /\.webp$/);
      const r = await get(im.url);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-type"), "image/webp");
      const bytes = new Uint8Array(await r.arrayBuffer());
      // RIFF....WEBPVP8L: the lossless flavour.
      assert.equal(Buffer.from(bytes.subarray(8, 16)).toString("latin1"), "WEBPVP8L");
      const img = await decodeWithBrowser(bytes, "image/webp");
      assert.deepEqual([img.width, img.height], [im.width, im.height]);
      const s = imageStats(img);
      assert.ok(s.minAlpha < 128, `${im.url}: transparent pixels kept (min alpha ${s.minAlpha})`);
      assert.ok(s.cells[0][3] > 250, `${im.url}: opaque pixels kept`);
      assert.ok(s.stddev > 8, `${im.url}: not blank`);
    }
  });

  test("a plain form post redirects to the photo page (one file) or the feed (several)", async () => {
    const one = await upload(srv.base, [fileOf(demoPhoto("rocket.jpg"), "image/jpeg")], { json: false });
    assert.equal(one.status, 303);
    const loc = one.headers.get("location");
    assert.match(loc, /^\/p\/[a-z0-9]+$/);
    const page = await get(loc);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<h1><bdi>rocket<\/bdi><\/h1>/);
    assert.match(html, /data-status="(pending|ready)"/);
    const id = loc.split("/").at(-1);
    uploaded.rocketForm = { id };

    const several = await upload(
      srv.base,
      [fileOf(demoPhoto("coins.png"), "image/png"), fileOf(demoPhoto("chelsea.png"), "image/png")],
      { json: false },
    );
    assert.equal(several.status, 303);
    assert.equal(several.headers.get("location"), "/");
    await waitProcessed(srv.base, id);
    // The feed lists finished photos only: wait for every job.
    for (const { id: pending } of await srv.d1("SELECT id FROM photos WHERE status = 'pending'")) {
      await waitProcessed(srv.base, pending);
    }

    // Newest first: the last upload's photos lead the feed.
    const list = (await (await get("/api/list_photos", { method: "POST" })).json()).photos;
    assert.deepEqual(
      list.slice(0, 3).map((p) => p.title).sort(),
      ["chelsea", "coins", "rocket"],
      JSON.stringify(list.map((p) => p.title)),
    );
  });
});

describe("refusals store nothing", () => {
  let baseline;
  test("(counting what is stored)", async () => {
    // Let every queued job finish first, so counts are stable.
    for (const { id } of await srv.d1("SELECT id FROM photos WHERE status = 'pending'")) {
      await waitProcessed(srv.base, id);
    }
    baseline = await counts();
    assert.ok(baseline.photos > 0 && baseline.r2 > baseline.photos);
  });

  test("a non-image gets 422 with a clear message (JSON and plain form)", async () => {
    const txt = { name: "notes.txt", bytes: Buffer.from("hello, not a photo\n"), type: "text/plain" };
    const res = await upload(srv.base, [txt]);
    assert.equal(res.status, 422);
    assert.deepEqual(await res.json(), {
      error: "invalid",
      field: "photos",
      reason: "“notes.txt” is not a supported image (JPEG, PNG, WebP or GIF).",
    });

    // A file named .jpg is judged by its bytes, not its name.
    const fake = await upload(srv.base, [{ name: "fake.jpg", bytes: Buffer.from("GIF? no"), type: "image/jpeg" }]);
    assert.equal(fake.status, 422);
    assert.match((await fake.json()).reason, /“fake\.jpg” is not a supported image/);

    // One bad file refuses the whole batch.
    const mixed = await upload(srv.base, [fileOf(demoPhoto("rocket.jpg"), "image/jpeg"), txt]);
    assert.equal(mixed.status, 422);

    const form = await upload(srv.base, [txt], { json: false });
    assert.equal(form.status, 422);
    assert.match(form.headers.get("content-type") ?? "", /text\/html/);
    const html = await form.text();
    assert.equal(
      textOfClass(html, "p", "form-error"),
      "“notes.txt” is not a supported image (JPEG, PNG, WebP or GIF).",
    );
    assert.match(html, /<p[^>]*role="alert"[^>]*class="form-error"|<p[^>]*class="form-error"[^>]*role="alert"/);
    assert.match(html, /<form id="upload-form" method="post" action="\/upload" enctype="multipart\/form-data">/);
  });

  test("a cross-site post is refused with 403", async () => {
    const rocket = fileOf(demoPhoto("rocket.jpg"), "image/jpeg");
    const a = await upload(srv.base, [rocket], { headers: { "sec-fetch-site": "cross-site" } });
    assert.equal(a.status, 403);
    const b = await upload(srv.base, [rocket], { headers: { origin: "https://evil.example" } });
    assert.equal(b.status, 403);
    assert.deepEqual(await b.json(), { error: "forbidden" });
    const c = await upload(srv.base, [rocket], { json: false, headers: { "sec-fetch-site": "cross-site" } });
    assert.equal(c.status, 403);
  });

  test("nothing was stored by the refused uploads", async () => {
    // A job, if one had been queued, would have had time to run.
    assert.deepEqual(await counts(), baseline);
  });
});

describe("queue redelivery", () => {
  test("a duplicate message is skipped and duplicates nothing", async () => {
    const photo = uploaded.retina;
    assert.ok(photo, "needs the uploads above");
    const keysBefore = srv.r2Keys();
    const blobsBefore = srv.r2BlobCount();
    const sql = `SELECT (SELECT count(*) FROM photos) AS photos, (SELECT count(*) FROM photo_variants) AS variants,
      (SELECT count(*) FROM photo_variants WHERE photo_id = ${sq(photo.id)}) AS mine,
      (SELECT rev || ':' || status FROM photos WHERE id = ${sq(photo.id)}) AS state`;
    const [dbBefore] = await srv.d1(sql);

    for (let round = 0; round < 2; round++) {
      const since = srv.logs().length;
      const res = await get(`/_dev/requeue/${photo.id}`, { method: "POST" });
      assert.equal(res.status, 202);
      await srv.waitForLog(new RegExp(`QUEUE \\S+ photo=${photo.id} skipped \\d+ms`), { since, timeout: 30_000 });
    }

    const [dbAfter] = await srv.d1(sql);
    assert.deepEqual(dbAfter, dbBefore);
    assert.equal(dbAfter.mine, photo.variants.length);
    assert.deepEqual(srv.r2Keys(), keysBefore);
    assert.equal(srv.r2BlobCount(), blobsBefore);
    assert.equal((await getPhoto(srv.base, photo.id)).status, "ready");
  });
});

describe("not found", () => {
  test("media URLs that do not name a stored variant are 404", async () => {
    const p = uploaded.retina;
    for (const path of [
      "/media/nosuchphoto00000000/v1-000000000000/320.jpg",
      `/media/${p.id}/v1-000000000000/320.jpg`,
      `/media/${p.id}/${p.rev}/321.jpg`,
      `/media/${p.id}/${p.rev}/320.png`,
      `/media/${p.id}/${p.rev}`,
      `/media/${p.id}/${p.rev}/../../orig/${me.id}/${p.id}`,
      `/media/orig/${me.id}/${p.id}`,
    ]) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.headers.get("cache-control") ?? "", /immutable/, path);
      await res.arrayBuffer();
    }
  });

  test("an unknown page and an unknown photo render the not-found page with 404", async () => {
    for (const path of ["/no/such/page", "/p/nosuchphoto"]) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      const html = await res.text();
      assert.match(html, /<h1>Not found<\/h1>/, path);
      assert.match(html, /<a href="\/">Back to the feed<\/a>/, path);
    }
  });

  test("both not-found pages have the title “Not found · Lumen”", async () => {
    for (const path of ["/no/such/page", "/p/nosuchphoto"]) {
      assert.match(await (await get(path)).text(), /<title>Not found · Lumen<\/title>/, path);
    }
  });
});

describe("broken files", () => {
  test("a truncated JPEG ends failed, with the reason on its page", async () => {
    const bytes = truncatedJpeg();
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], "starts like a JPEG");
    const res = await upload(srv.base, [{ name: "cut-short.jpg", bytes, type: "image/jpeg" }]);
    assert.equal(res.status, 201, "it sniffs as a JPEG, so the upload is accepted");
    const [{ id, url }] = (await res.json()).photos;
    const view = await waitProcessed(srv.base, id);
    assert.equal(view.status, "failed");
    assert.ok(view.failure && view.failure.length > 10, `a reason: ${view.failure}`);
    assert.deepEqual(view.images, []);

    const html = await (await get(url)).text();
    assert.match(html, /<article[^>]*data-status="failed"/);
    assert.equal(textOfClass(html, "p", "failure"), view.failure);
    assert.match(srv.logs(), new RegExp(`QUEUE \\S+ photo=${id} failed reason=`));

    const [row] = await srv.d1(
      `SELECT status, failure, (SELECT count(*) FROM photo_variants WHERE photo_id = ${sq(id)}) AS variants FROM photos WHERE id = ${sq(id)}`,
    );
    assert.deepEqual(row, { status: "failed", failure: view.failure, variants: 0 });
    assert.deepEqual(srv.r2Keys(`var/${id}/`), []);
    assert.equal(srv.r2Count(`orig/${me.id}/${id}`), 1, "the original is kept");
  });
});

describe("logs", () => {
  test("one line per request and per queue message", () => {
    const logs = srv.logs();
    assert.match(logs, /^GET \/ 200 \d+ms$/m);
    assert.match(logs, /^POST \/upload 201 \d+ms$/m);
    assert.match(logs, /^QUEUE \S+ photo=\S+ ready variants=\d+ \d+ms wasm_mem=\d+MiB$/m);
  });
});

describe("dev tools follow LUMEN_STAGE", () => {
  test("local: /_design renders the catalogue and its gate answers", async () => {
    const res = await get("/_design");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<title>Design catalogue · Lumen<\/title>/);
    assert.match(html, /<section[^>]* id="dark-cards"/);
    const gate = await get("/api/check_dev_tools", { method: "POST" });
    assert.equal(gate.status, 200);
    assert.equal(await gate.text(), "null");
  });

  test("production: /_design, its gate and /_dev/* are plain 404s", async () => {
    const prod = await startLumen("integration-production", { stage: "production" });
    try {
      const page = await fetch(`${prod.base}/_design`, { signal: AbortSignal.timeout(15_000) });
      assert.equal(page.status, 404);
      const html = await page.text();
      assert.match(html, /<h1>Not found<\/h1>/);
      assert.doesNotMatch(markup(html), /design-section|Design catalogue/);
      const gate = await fetch(`${prod.base}/api/check_dev_tools`, { method: "POST", signal: AbortSignal.timeout(15_000) });
      assert.deepEqual(await gate.json(), { error: "not_found" });
      const requeue = await fetch(`${prod.base}/_dev/requeue/x`, { method: "POST", signal: AbortSignal.timeout(15_000) });
      assert.equal(requeue.status, 404);
      await requeue.arrayBuffer();
      // The bench's render and floor loops would let anyone spend the Worker's CPU.
      for (const path of ["/_dev/render?n=200", "/_dev/floor?n=200"]) {
        const r = await fetch(`${prod.base}${path}`, { signal: AbortSignal.timeout(15_000) });
        assert.equal(r.status, 404, path);
        await r.arrayBuffer();
      }
      // The one-click sign-in for previews would hand anyone any account: never in production.
      await prod.d1(
        "INSERT INTO users (id, username, email, display_name, password_hash, created_at, updated_at) VALUES ('u1', 'ada', 'ada@example.test', 'Ada', 'x', 0, 0)",
      );
      const signIn = await fetch(`${prod.base}/_dev/sign-in/ada`, { redirect: "manual", signal: AbortSignal.timeout(15_000) });
      assert.equal(signIn.status, 404);
      assert.equal(signIn.headers.getSetCookie().length, 0);
      await signIn.arrayBuffer();
    } finally {
      await prod.stop();
    }
  });
});
