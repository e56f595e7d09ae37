// Pages rendered data first (issue 13: tag, camera, lens, search, profile) against `wrangler
// dev`: they are answered at the paths the router answered, with one trailing slash too, and
// read their address as it did: a segment that is not UTF-8 is a page (not axum's 400), and
// an address is decoded once (the router decoded `%2541` twice, to `A`). Byte-for-byte
// equality with the router's pages was checked once by capture (see the commit); this keeps
// the routing honest.
// Run: ./e2e/run.sh e2e/datafirst.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startLumen } from "./harness.mjs";
import { api as apiAt, gpsJpeg, ipSource, signUp as signUpAt, upload, waitProcessed } from "./helpers.mjs";

let srv;
const freshIp = ipSource("10.13");
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const get = async (path, cookie) => {
  const res = await fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: cookie ? { cookie } : {},
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, text: await res.text() };
};
const A = {};
const P = {};

before(async () => {
  srv = await startLumen("datafirst");
  Object.assign(A, await signUpAt(srv.base, { username: "nadia", ip: freshIp() }));
  for (const [i, vis] of ["public", "private"].entries()) {
    const res = await upload(srv.base, [{ name: "camera.jpg", bytes: gpsJpeg(130 + i, 80), type: "image/jpeg" }], { cookie: A.cookie });
    assert.equal(res.status, 201);
    const [{ id }] = (await res.json()).photos;
    await waitProcessed(srv.base, id, 60_000, { cookie: A.cookie });
    const edit = await api("update_photo", { id, title: `Pier ${vis}`, caption: "", alt: "", visibility: vis }, { cookie: A.cookie });
    assert.equal(edit.status, 200, edit.text);
    const t = await api("add_tags", { photo_id: id, tags: "pier" }, { cookie: A.cookie });
    assert.equal(t.status, 200, t.text);
    P[vis] = id;
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
        assert.equal(slashed.text, plain.text, `${path} with a slash is the same page`);
        assert.ok(plain.text.includes(`href="/p/${P.public}`), `${path} lists the public photo`);
        // One's own private photos are on one's profile and in one's searches, nowhere else.
        const own = cookie && (path.startsWith("/u/") || path.startsWith("/search"));
        assert.equal(plain.text.includes(P.private), !!own, `${path}: the private photo`);
      }
    }
    assert.equal((await get("/t/pier//")).status, 404, "two slashes are another path");
  });

  test("addresses are read as the router read them, decoded once", async () => {
    const odd = await get("/t/%FF");
    assert.equal(odd.status, 200, "a segment that is not UTF-8 is a tag nobody used");
    assert.match(odd.text, /No public photos have this tag yet/);
    const tag = await get("/t/%2541");
    assert.ok(tag.text.includes("<h1>#<bdi>%41</bdi>"), "the tag %41, not A");
    const search = await get("/search?q=%2541");
    assert.ok(search.text.includes('type="search" maxlength="1000" value="%41"'), "the search %41, not A");
    const hostile = await get("/t/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert.equal(hostile.status, 200);
    assert.ok(!hostile.text.includes("<script>alert(1)"), "the tag is escaped");
    assert.equal((await get("/u/nobody")).status, 404);
    assert.equal((await get("/u/nobody/")).status, 404);
    assert.equal((await get("/camera/nope?before=zzz")).status, 400);
  });
});
