// Issue 15's remaining care gaps against `wrangler dev`: a suspended person's content answers
// 404 at every direct address (photo page, variant, original, profile, albums, album, share
// links, Atom feed) to nobody signed in and to another member, and comes back on unsuspend
// (the edge cache purged both times); two identical uploads by one person at the same time
// store one photo, one answer says "already uploaded", and no object is left behind.
// Run: ./e2e/run.sh e2e/care.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startLumen } from "./harness.mjs";
import { api as apiAt, ipSource, makeRgbaPng, signUp as signUpAt, upload as uploadAt, waitProcessed } from "./helpers.mjs";

let srv;
const freshIp = ipSource("10.16");
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const get = (path, { cookie } = {}) =>
  fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: cookie ? { cookie } : {},
    signal: AbortSignal.timeout(15_000),
  });
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;

const root = {}; // the first account: admin
const mel = {}; // the person suspended
const bo = {}; // another member
let width = 0;

/** Uploads one small PNG (distinct pixels each time) as `who`; ready, public, original allowed. */
async function photo(who, title) {
  width += 1;
  const bytes = makeRgbaPng(40 + width, 30);
  const res = await uploadAt(srv.base, [{ name: `${title}.png`, bytes, type: "image/png" }], { cookie: who.cookie });
  assert.equal(res.status, 201, await res.clone().text());
  const [{ id }] = (await res.json()).photos;
  const view = await waitProcessed(srv.base, id, 90_000, { cookie: who.cookie });
  assert.equal(view.status, "ready", view.failure);
  const r = await api(
    "update_photo",
    { id, title, caption: "", alt: "", visibility: "public", allow_original: "true" },
    { cookie: who.cookie },
  );
  assert.equal(r.status, 200, r.text);
  return { id, bytes, images: view.images.map((i) => i.url) };
}

before(async () => {
  srv = await startLumen("care");
  Object.assign(root, await signUpAt(srv.base, { username: "root", ip: freshIp() }));
  Object.assign(mel, await signUpAt(srv.base, { username: "mel", ip: freshIp() }));
  Object.assign(bo, await signUpAt(srv.base, { username: "bo", ip: freshIp() }));
});
after(async () => {
  await srv?.stop();
});

describe("suspension hides a person's content everywhere", () => {
  test("every direct address 404s to nobody and to another member while suspended; unsuspend brings it back", async () => {
    const p = await photo(mel, "harbour at dawn");
    const a = await api("create_album", { title: "Harbour", description: "", visibility: "public" }, { cookie: mel.cookie });
    assert.equal(a.status, 200, a.text);
    assert.equal((await api("add_to_album", { album_id: a.json, photo_id: p.id }, { cookie: mel.cookie })).status, 200);
    for (const target of [{ photo_id: p.id }, { album_id: a.json }]) {
      const l = await api("create_link", { ...target, label: "for mum", expires: "never" }, { cookie: mel.cookie });
      assert.equal(l.status, 200, l.text);
    }
    const tokens = (await srv.d1(`SELECT token FROM share_links WHERE owner_id = (SELECT id FROM users WHERE username = 'mel') ORDER BY target`)).map(
      (r) => r.token,
    );
    assert.equal(tokens.length, 2);
    const addresses = [
      `/p/${p.id}`,
      ...p.images,
      `/original/${p.id}`,
      "/u/mel",
      "/u/mel/feed.atom",
      `/a/${a.json}`,
      `/a/${a.json}/feed.atom`,
      ...tokens.map((t) => `/s/${t}`),
      `/s/${tokens[0]}/p/${p.id}`,
    ];
    const statuses = async (cookie) => {
      const out = {};
      for (const path of addresses) out[path] = (await get(path, { cookie })).status;
      return out;
    };
    const all = (status) => Object.fromEntries(addresses.map((path) => [path, status]));
    // Read twice each, so the edge cache holds what it may before the suspension.
    for (const cookie of [undefined, bo.cookie]) {
      await statuses(cookie);
      assert.deepEqual(await statuses(cookie), all(200), "open before");
    }
    const server = await api("get_photo", { id: p.id }, { cookie: bo.cookie });
    assert.equal(server.status, 200);

    const melId = (await srv.d1("SELECT id FROM users WHERE username = 'mel'"))[0].id;
    assert.equal((await api("admin_suspend", { id: melId }, { cookie: root.cookie })).status, 200);
    for (const cookie of [undefined, bo.cookie]) {
      assert.deepEqual(await statuses(cookie), all(404), cookie ? "to another member" : "to nobody");
    }
    // The server functions answer as for a made-up id too.
    for (const [name, params] of [
      ["get_photo", { id: p.id }],
      ["get_profile", { username: "mel" }],
      ["get_album", { id: a.json }],
      ["get_share", { token: tokens[1] }],
    ]) {
      assert.equal((await api(name, params, { cookie: bo.cookie })).status, 404, name);
    }
    // Nothing was lost: the rows and objects are all still there.
    assert.equal((await srv.d1(`SELECT count(*) AS n FROM photos WHERE id = ${sq(p.id)}`))[0].n, 1);
    assert.ok(srv.r2Keys().some((k) => k.endsWith(`/${p.id}`)), "the original is kept");

    assert.equal((await api("admin_unsuspend", { id: melId }, { cookie: root.cookie })).status, 200);
    for (const cookie of [undefined, bo.cookie]) {
      assert.deepEqual(await statuses(cookie), all(200), "back after unsuspend");
    }
    const original = await get(`/original/${p.id}`);
    assert.deepEqual(Buffer.from(await original.arrayBuffer()), Buffer.from(p.bytes), "the same bytes");
  });
});

describe("racing duplicates", () => {
  test("two identical uploads at once store one photo; one answer says already uploaded; no orphan object", async () => {
    const who = await signUpAt(srv.base, { username: "racer", ip: freshIp() });
    const racerId = (await srv.d1("SELECT id FROM users WHERE username = 'racer'"))[0].id;
    const bytes = makeRgbaPng(77, 33);
    const send = () => uploadAt(srv.base, [{ name: "twice.png", bytes, type: "image/png" }], { cookie: who.cookie });
    // Several rounds, each a fresh file: the race is between the lookup and the insert.
    for (let round = 0; round < 3; round += 1) {
      const file = makeRgbaPng(60 + round, 20 + round);
      const fire = () => uploadAt(srv.base, [{ name: `race${round}.png`, bytes: file, type: "image/png" }], { cookie: who.cookie });
      const answers = await Promise.all([fire(), fire()]);
      const bodies = [];
      for (const r of answers) {
        assert.equal(r.status, 201, await r.clone().text());
        bodies.push((await r.json()).photos[0]);
      }
      assert.equal(bodies[0].id, bodies[1].id, "both answers name the one photo");
      assert.deepEqual(bodies.map((b) => b.duplicate).sort(), [false, true], "one says already uploaded");
    }
    const first = await send();
    assert.equal(first.status, 201);
    const rows = await srv.d1(`SELECT id, sha256 FROM photos WHERE owner_id = ${sq(racerId)}`);
    assert.equal(rows.length, 4, "one photo per distinct file");
    assert.equal(new Set(rows.map((r) => r.sha256)).size, 4);
    const originals = srv.r2Keys(`orig/${racerId}/`);
    assert.deepEqual(originals.sort(), rows.map((r) => `orig/${racerId}/${r.id}`).sort(), "no orphan original");

    // A copy in the trash is one they have: "already uploaded", pointing at it.
    const [{ id }] = (await first.json()).photos;
    assert.equal((await api("delete_photo", { id }, { cookie: who.cookie })).status, 200);
    const again = await send();
    assert.equal(again.status, 201);
    assert.deepEqual((await again.json()).photos.map((p) => [p.id, p.duplicate]), [[id, true]]);
    assert.equal(srv.r2Keys(`orig/${racerId}/`).length, 4);
  });
});
