// Pages rendered data first (issue 13: tag, camera, lens, search, profile, photo) against `wrangler
// dev`: they are answered at the paths the router answered, with one trailing slash too, and
// read their address as it did: a segment that is not UTF-8 is a page (not axum's 400), and
// an address is decoded once (the router decoded `%2541` twice, to `A`). Byte-for-byte
// equality with the router's pages was checked once by capture (see the commit); this keeps
// the routing honest.
// Run: ./e2e/run.sh e2e/datafirst.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { jobHelpers } from "./admin-helpers.mjs";
import { startLumen } from "./harness.mjs";
import { api as apiAt, gpsJpeg, ipSource, signUp as signUpAt, upload, waitProcessed } from "./helpers.mjs";

let srv;
const freshIp = ipSource("10.13");
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const { page: get } = jobHelpers(() => srv);
const A = {};
const P = {};

before(async () => {
  srv = await startLumen("datafirst");
  Object.assign(A, await signUpAt(srv.base, { username: "nadia", ip: freshIp() }));
  // Two files in one upload (a different width each: one person's identical files are one).
  const files = [130, 131].map((w) => ({ name: "camera.jpg", bytes: gpsJpeg(w, 80), type: "image/jpeg" }));
  const res = await upload(srv.base, files, { cookie: A.cookie });
  assert.equal(res.status, 201);
  const ids = (await res.json()).photos.map((p) => p.id);
  for (const [id, visibility] of [[ids[0], "public"], [ids[1], "private"]]) {
    await waitProcessed(srv.base, id, 60_000, { cookie: A.cookie });
    const calls = [
      ["update_photo", { id, title: `Pier ${visibility}`, caption: "", alt: "", visibility }],
      ["add_tags", { photo_id: id, tags: "pier" }],
    ];
    for (const [name, params] of calls) {
      const r = await api(name, params, { cookie: A.cookie });
      assert.equal(r.status, 200, r.text);
    }
    P[visibility] = id;
  }
});

after(async () => {
  await srv?.stop();
});

describe("pages rendered data first", () => {
  test("each answers with one trailing slash as without, for anyone", async () => {
    const pages = ["/t/pier", "/camera/Lumix%20DC-G9", "/u/nadia", "/search?q=pier"];
    for (const cookie of [undefined, A.cookie]) {
      for (const path of pages) {
        const plain = await get(path, cookie);
        const [p, q] = path.split("?");
        const slashed = await get(`${p}/${q ? `?${q}` : ""}`, cookie);
        assert.equal(plain.status, 200, path);
        assert.equal(slashed.status, 200, `${path} with a slash`);
        assert.equal(slashed.body, plain.body, `${path} with a slash is the same page`);
        assert.ok(plain.body.includes(`href="/p/${P.public}`), `${path} lists the public photo`);
        // One's own private photos are on one's profile and in one's searches, nowhere else.
        const own = cookie && (path.startsWith("/u/") || path.startsWith("/search"));
        assert.equal(plain.body.includes(P.private), !!own, `${path}: the private photo`);
      }
    }
    assert.equal((await get("/t/pier//")).status, 404, "two slashes are another path");
    // The photo page too (also rendered data first); its private photo only for its owner.
    for (const [id, anon] of [[P.public, 200], [P.private, 404]]) {
      for (const cookie of [undefined, A.cookie]) {
        const plain = await get(`/p/${id}`, cookie);
        const slashed = await get(`/p/${id}/`, cookie);
        assert.equal(plain.status, cookie ? 200 : anon, `/p/${id}`);
        assert.equal(slashed.status, plain.status, `/p/${id}/`);
        assert.equal(slashed.body, plain.body, `/p/${id}/ is the same page`);
      }
    }
    assert.equal((await get("/p/%FF")).status, 404, "an id that is not UTF-8 is nobody's photo");
  });

  test("addresses are read as the router read them, decoded once", async () => {
    const odd = await get("/t/%FF");
    assert.equal(odd.status, 200, "a segment that is not UTF-8 is a tag nobody used");
    assert.match(odd.body, /No public photos have this tag yet/);
    const tag = await get("/t/%2541");
    assert.ok(tag.body.includes("<h1>#<bdi>%41</bdi>"), "the tag %41, not A");
    const search = await get("/search?q=%2541");
    assert.ok(search.body.includes('type="search" maxlength="1000" value="%41"'), "the search %41, not A");
    const hostile = await get("/t/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert.equal(hostile.status, 200);
    assert.ok(!hostile.body.includes("<script>alert(1)"), "the tag is escaped");
    assert.equal((await get("/u/nobody")).status, 404);
    assert.equal((await get("/u/nobody/")).status, 404);
    assert.equal((await get("/camera/nope?before=zzz")).status, 400);
  });
});
