// Accounts against `wrangler dev` (issue 5): two users and who may see or change what, cross-site
// refusals, sessions, rate limits, quotas, and user text rendered inert.
// Run: node e2e/runner.mjs e2e/accounts.test.mjs (after ./scripts/build.sh)
//
// One instance serves everything but the quotas, which get a small instance of their own. Every
// caller sends its own fake CF-Connecting-IP, so no test's attempts count against another's limits.

import assert from "node:assert/strict";
import { createHash, pbkdf2Sync } from "node:crypto";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { sleep, startLumen } from "./harness.mjs";
import {
  CHROMIUM_OPTIONS,
  GPS_SHOWN,
  api as apiAt,
  demoPhoto,
  fileOf,
  gpsJpeg,
  ipSource,
  jpegMarkers,
  makeRgbaPng,
  sessionCookie,
  signIn as signInAt,
  signUp as signUpAt,
  textOfClass,
  upload as uploadAt,
  waitProcessed,
  markup,
} from "./helpers.mjs";

let srv;
/** A client address nobody else uses (10.0.x.y). */
const freshIp = ipSource("10.0");

const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const signUp = (username, opts = {}) => signUpAt(srv.base, { username, ip: freshIp(), ...opts });
const signIn = (login, password) => signInAt(srv.base, login, password, { ip: freshIp() });
const upload = (files, cookie, opts = {}) => uploadAt(srv.base, files, { cookie, ...opts });
/** A GET as the holder of `cookie` (anonymous without). */
const get = (path, { cookie, headers = {} } = {}) =>
  fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: { ...(cookie ? { cookie } : {}), ...headers },
    signal: AbortSignal.timeout(15_000),
  });
const html = async (path, opts) => {
  const res = await get(path, opts);
  return { status: res.status, text: await res.text() };
};
/** User text in titles and meta tags is isolated: first-strong isolate … pop isolate. */
const FSI = "\u2068";
const PDI = "\u2069";
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;
const sha256 = (s) => createHash("sha256").update(s).digest("hex");
const tokenOf = (cookie) => cookie.split("=")[1];

/**
 * Everything a refused request could have changed, in one wrangler call: photos (with their
 * text, visibility and timestamps), variants, users (with password hashes and settings),
 * sessions, and the R2 keys and blob files.
 */
async function state() {
  const [row] = await srv.d1(`SELECT
    (SELECT json_group_array(json_array(id, owner_id, title, caption, alt, visibility, allow_original,
        status, rev, bytes, updated_at)) FROM (SELECT * FROM photos ORDER BY id)) AS photos,
    (SELECT json_group_array(json_array(photo_id, width, r2_key, bytes))
        FROM (SELECT * FROM photo_variants ORDER BY photo_id, width)) AS variants,
    (SELECT json_group_array(json_array(id, username, email, display_name, password_hash,
        default_visibility, watermark, updated_at)) FROM (SELECT * FROM users ORDER BY id)) AS users,
    (SELECT json_group_array(json_array(token_hash, user_id, expires_at))
        FROM (SELECT * FROM sessions ORDER BY token_hash)) AS sessions`);
  return {
    photos: JSON.parse(row.photos),
    variants: JSON.parse(row.variants),
    users: JSON.parse(row.users),
    sessions: JSON.parse(row.sessions),
    r2: srv.r2Keys(),
    blobs: srv.r2BlobCount(),
  };
}

/**
 * Rate limits count in fixed windows aligned to the epoch; a test that needs `need` seconds
 * inside one window waits for the next when this one is about to end.
 */
async function awayFromWindowEdge(windowSecs, need = 20) {
  const left = windowSecs - ((Date.now() / 1000) % windowSecs);
  if (left < need) await sleep((left + 1) * 1000);
}

const A = {};
const B = {};
/** A's photos by role: public, unlisted, private, gps. Each { id, title, caption, images }. */
const P = {};

before(async () => {
  srv = await startLumen("accounts");
  Object.assign(A, await signUp("alice", { display_name: "Alice A." }));
  Object.assign(B, await signUp("bob"));
  for (const u of [A, B]) [{ id: u.id }] = await srv.d1(`SELECT id FROM users WHERE username = ${sq(u.username)}`);

  const res = await upload(
    [
      fileOf(demoPhoto("rocket.jpg"), "image/jpeg"),
      fileOf(demoPhoto("coins.png"), "image/png"),
      fileOf(demoPhoto("chelsea.png"), "image/png"),
      { name: "eiffel.jpg", bytes: gpsJpeg(), type: "image/jpeg" },
    ],
    A.cookie,
  );
  assert.equal(res.status, 201, await res.clone().text());
  const ids = (await res.json()).photos.map((p) => p.id);
  const edits = {
    public: { title: "Public rocket", caption: "for everyone", visibility: "public", allow_original: "on" },
    unlisted: { title: "Unlisted coins", caption: "only by link", visibility: "unlisted" },
    // Allowing the original must not make a private photo reachable.
    private: { title: "Private chelsea", caption: "secret caption zq7", visibility: "private", allow_original: "on" },
    gps: { title: "Eiffel", caption: "", visibility: "public" },
  };
  for (const [i, role] of ["public", "unlisted", "private", "gps"].entries()) {
    const id = ids[i];
    const view = await waitProcessed(srv.base, id, 90_000, { cookie: A.cookie });
    assert.equal(view.status, "ready", `${role}: ${view.failure}`);
    const e = { id, alt: "", ...edits[role] };
    const r = await api("update_photo", e, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    P[role] = { id, title: e.title, caption: e.caption, images: view.images.map((im) => im.url) };
    assert.ok(P[role].images.length > 0);
  }
});
after(async () => {
  await srv?.stop();
});

describe("A's private and unlisted photos, swept as B and as anonymous", () => {
  const viewers = () => [
    ["B", B.cookie],
    ["anonymous", undefined],
  ];

  test("A sees and downloads all of them; private media is not shared-cacheable", async () => {
    for (const role of ["public", "unlisted", "private"]) {
      const { id, title, images } = P[role];
      const view = (await api("get_photo", { id }, { cookie: A.cookie })).json;
      assert.equal(view.visibility, role);
      assert.equal(view.is_owner, true);
      const page = await html(`/p/${id}`, { cookie: A.cookie });
      assert.equal(page.status, 200, role);
      assert.ok(page.text.includes(`<h1><bdi>${title}</bdi></h1>`), role);
      for (const url of images) {
        const r = await get(url, { cookie: A.cookie });
        assert.equal(r.status, 200, url);
        await r.arrayBuffer();
        if (role !== "public") {
          assert.match(r.headers.get("cache-control"), /^private,/, url);
          assert.equal(r.headers.get("vary"), "Cookie", url);
        }
      }
      const orig = await get(`/original/${id}`, { cookie: A.cookie });
      assert.equal(orig.status, 200, `original of ${role}`);
      assert.match(orig.headers.get("content-disposition"), /^attachment; filename="/);
      await orig.arrayBuffer();
    }
  });

  test("reading: private is 404 everywhere; unlisted opens by link but not its original", async () => {
    for (const [who, cookie] of viewers()) {
      const priv = P.private;
      const page = await html(`/p/${priv.id}`, { cookie });
      assert.equal(page.status, 404, `${who}: page`);
      assert.match(page.text, /<h1>Not found<\/h1>/);
      assert.ok(!page.text.includes(priv.title) && !page.text.includes(priv.caption), `${who}: nothing of it leaks`);
      for (const url of priv.images) {
        const r = await get(url, { cookie });
        assert.equal(r.status, 404, `${who}: ${url}`);
        assert.deepEqual(await r.json(), { error: "not_found" });
      }
      const orig = await get(`/original/${priv.id}`, { cookie });
      assert.equal(orig.status, 404, `${who}: private original, even with allow_original`);
      await orig.arrayBuffer();
      const view = await api("get_photo", { id: priv.id }, { cookie });
      assert.deepEqual([view.status, view.json], [404, { error: "not_found" }], `${who}: get_photo`);

      const unl = P.unlisted;
      const upage = await html(`/p/${unl.id}`, { cookie });
      assert.equal(upage.status, 200, `${who}: unlisted page by link`);
      assert.ok(upage.text.includes(`<h1><bdi>${unl.title}</bdi></h1>`));
      assert.doesNotMatch(markup(upage.text), /owner-tools/, `${who}: no owner tools`);
      for (const url of unl.images) {
        const r = await get(url, { cookie });
        assert.equal(r.status, 200, `${who}: ${url}`);
        await r.arrayBuffer();
      }
      const uorig = await get(`/original/${unl.id}`, { cookie });
      assert.equal(uorig.status, 404, `${who}: unlisted original not allowed`);
      await uorig.arrayBuffer();
      const uview = await api("get_photo", { id: unl.id }, { cookie });
      assert.equal(uview.status, 200);
      assert.equal(uview.json.is_owner, false);
      assert.equal(uview.json.original_url, null);

      // The control: the public photo whose owner allows it does hand out its original.
      const porig = await get(`/original/${P.public.id}`, { cookie });
      assert.equal(porig.status, 200, `${who}: allowed original`);
      await porig.arrayBuffer();
    }
  });

  test("listings: feed and profile show others only the public photos; A's profile shows A all", async () => {
    const publicIds = [P.gps.id, P.public.id].sort();
    for (const [who, cookie] of [...viewers(), ["A", A.cookie]]) {
      const feed = await api("list_photos", {}, { cookie });
      assert.equal(feed.status, 200);
      assert.deepEqual(feed.json.photos.map((c) => c.id).sort(), publicIds, `${who}: feed is public only`);
      const feedHtml = (await html("/", { cookie })).text;
      for (const role of ["unlisted", "private"]) {
        assert.ok(!feedHtml.includes(P[role].id) && !feedHtml.includes(P[role].title), `${who}: feed page hides ${role}`);
      }
    }
    for (const [who, cookie] of viewers()) {
      const prof = await api("get_profile", { username: "alice" }, { cookie });
      assert.equal(prof.status, 200);
      assert.equal(prof.json.is_me, false);
      assert.deepEqual(prof.json.photos.map((c) => c.id).sort(), publicIds, `${who}: profile`);
      const page = (await html("/u/alice", { cookie })).text;
      for (const role of ["unlisted", "private"]) {
        assert.ok(!page.includes(P[role].id) && !page.includes(P[role].title), `${who}: profile page hides ${role}`);
      }
    }
    const mine = await api("get_profile", { username: "alice" }, { cookie: A.cookie });
    assert.equal(mine.json.is_me, true);
    assert.deepEqual(
      mine.json.photos.map((c) => c.id).sort(),
      Object.values(P).map((p) => p.id).sort(),
    );
    const page = (await html("/u/alice", { cookie: A.cookie })).text;
    for (const p of Object.values(P)) assert.ok(page.includes(`href="/p/${p.id}`), p.title);
    // Profiles are found by username only, never by email.
    assert.equal((await api("get_profile", { username: "alice@example.test" })).status, 404);
  });

  test("changing: refused with 404, 401 or 403, and nothing changed", async () => {
    const before = await state();
    // 403 only where B may see the photo anyway; a private one does not exist for B.
    const expected = { B: { public: 403, unlisted: 403, private: 404 }, anonymous: { public: 401, unlisted: 401, private: 401 } };
    const body = { 401: "unauthenticated", 403: "forbidden", 404: "not_found" };
    for (const [who, cookie] of viewers()) {
      for (const role of ["public", "unlisted", "private"]) {
        const { id } = P[role];
        const want = expected[who][role];
        const edit = { id, title: "pwned", caption: "pwned", alt: "pwned", visibility: "public", allow_original: "on" };
        const u = await api("update_photo", edit, { cookie });
        assert.deepEqual([u.status, u.json], [want, { error: body[want] }], `${who} update_photo ${role}`);
        const d = await api("delete_photo", { id }, { cookie });
        assert.deepEqual([d.status, d.json], [want, { error: body[want] }], `${who} delete_photo ${role}`);
        // The same as a plain form from the photo's page: the refusal, and no trace of a private photo.
        const form = await api("update_photo", edit, {
          cookie,
          headers: { accept: "text/html", referer: `${srv.base}/p/${id}` },
        });
        assert.equal(form.status, want, `${who} update_photo ${role} (form)`);
        if (role === "private") assert.ok(!form.text.includes(P.private.title) && !form.text.includes(P.private.caption));
      }
    }
    // And an upload without a session.
    const anon = await upload([fileOf(demoPhoto("rocket.jpg"), "image/jpeg")], undefined);
    assert.deepEqual([anon.status, await anon.json()], [401, { error: "unauthenticated" }]);
    assert.deepEqual(await state(), before);
  });

  test("a private photo answers exactly like one that does not exist", async () => {
    const ghost = "zzzzzzzzzzzzzzzzzzzz";
    const priv = P.private.id;
    const rev = P.private.images[0].split("/")[3];
    // Per-response nonces aside.
    const swap = (s) => s.replaceAll(priv, ghost).replace(/(nonce|crossorigin)="[^"]*"/g, '$1=""');
    for (const [who, cookie] of viewers()) {
      for (const name of ["get_photo", "update_photo", "delete_photo"]) {
        const params = (id) => ({ id, title: "t", caption: "", alt: "", visibility: "public" });
        const a = await api(name, params(priv), { cookie });
        const b = await api(name, params(ghost), { cookie });
        assert.deepEqual([a.status, a.text], [b.status, b.text], `${who} ${name}`);
      }
      for (const path of [`/p/${priv}`, `/original/${priv}`, `/media/${priv}/${rev}/320.jpg`]) {
        const a = await html(path, { cookie });
        const b = await html(swap(path), { cookie });
        assert.deepEqual([a.status, swap(a.text)], [b.status, swap(b.text)], `${who} ${path}`);
      }
    }
  });
});

describe("cross-site requests carrying A's valid session", () => {
  const CROSS = [
    ["Origin: https://evil.example", { origin: "https://evil.example" }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
    ["Origin: null", { origin: "null" }],
  ];
  const mutations = () => [
    ["sign_up", { username: "mallory", email: "mallory@example.test", password: "correct horse battery" }],
    ["sign_in", { login: "alice", password: A.password, next: "/" }],
    ["sign_out", {}],
    ["sign_out_others", {}],
    ["update_settings", { display_name: "pwned", default_visibility: "private", watermark: "on" }],
    ["change_password", { current_password: A.password, new_password: "pwned pwned pwned" }],
    [
      "update_photo",
      { id: P.public.id, title: "pwned", caption: "pwned", alt: "pwned", visibility: "private", allow_original: "on" },
    ],
    ["delete_photo", { id: P.public.id }],
  ];

  test("every mutation, and /upload, is refused with 403 and changes nothing", async () => {
    const before = await state();
    for (const [label, headers] of CROSS) {
      for (const [name, params] of mutations()) {
        const r = await api(name, params, { cookie: A.cookie, headers });
        assert.deepEqual([r.status, r.json], [403, { error: "forbidden" }], `${name} with ${label}`);
        assert.equal(sessionCookie(r.headers), null, `${name} with ${label}: no cookie set`);
      }
      // A plain cross-site form post gets no page of ours either.
      const form = await api("update_settings", mutations()[4][1], {
        cookie: A.cookie,
        headers: { ...headers, accept: "text/html", referer: "https://evil.example/x" },
      });
      assert.deepEqual([form.status, form.json], [403, { error: "forbidden" }], `form with ${label}`);
      for (const json of [true, false]) {
        const up = await upload([fileOf(demoPhoto("rocket.jpg"), "image/jpeg")], A.cookie, { json, headers });
        assert.equal(up.status, 403, `/upload with ${label}`);
        await up.arrayBuffer();
      }
    }
    assert.deepEqual(await state(), before);
    // The session was not signed out by any of them.
    assert.equal((await api("current_user", {}, { cookie: A.cookie })).json.username, "alice");
  });

  test("the same requests from this site are let through (the control)", async () => {
    const same = { origin: srv.base, "sec-fetch-site": "same-origin" };
    const edit = { id: P.public.id, title: P.public.title, caption: P.public.caption, alt: "", visibility: "public", allow_original: "on" };
    const r = await api("update_photo", edit, { cookie: A.cookie, headers: same });
    assert.equal(r.status, 200, r.text);
    const s = await api("update_settings", { display_name: "Alice A.", default_visibility: "public" }, { cookie: A.cookie, headers: same });
    assert.equal(s.status, 200, s.text);
    // Reading cross-site (a link from elsewhere) is fine.
    const read = await api("get_photo", { id: P.private.id }, { cookie: A.cookie, headers: { "sec-fetch-site": "cross-site" } });
    assert.equal(read.status, 200);
  });
});

describe("sessions", () => {
  let carol;
  const whoIs = async (cookie) => (await api("current_user", {}, { cookie })).json?.username ?? null;
  const sessionsOf = async (username) =>
    (await srv.d1(`SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ${sq(username)} ORDER BY 1`)).map(
      (r) => r.token_hash,
    );

  before(async () => {
    carol = await signUp("carol");
  });

  test("the session cookie is HttpOnly, SameSite=Lax, 30 days, and D1 keeps only its hash", async () => {
    const res = await api("sign_in", { login: " CAROL ", password: carol.password, next: "/settings" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("location"), "/settings");
    assert.notEqual(res.headers.get("serverfnredirect"), null, "the JS client follows it");
    const [set] = res.headers.getSetCookie();
    assert.match(set, /^lumen_session=[0-9a-f]{64}; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/);
    const token = tokenOf(set.split(";")[0]);
    const [row] = await srv.d1(`SELECT token_hash, created_at, expires_at FROM sessions WHERE token_hash = ${sq(sha256(token))}`);
    assert.ok(row, "stored by its SHA-256");
    assert.equal(row.expires_at - row.created_at, 2592000 * 1000);
    assert.equal((await srv.d1(`SELECT count(*) AS n FROM sessions WHERE token_hash = ${sq(token)}`))[0].n, 0);
  });

  test("signing out ends that session only, and clears the cookie", async () => {
    const other = await signIn("carol", carol.password);
    const res = await api("sign_out", {}, { cookie: other });
    assert.equal(res.status, 200);
    assert.match(res.headers.getSetCookie().join("\n"), /^lumen_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/m);
    assert.equal(await whoIs(other), null);
    assert.equal(await whoIs(carol.cookie), "carol");
    assert.ok(!(await sessionsOf("carol")).includes(sha256(tokenOf(other))), "the row is gone");
    const up = await upload([fileOf(demoPhoto("rocket.jpg"), "image/jpeg")], other);
    assert.equal(up.status, 401);
    await up.arrayBuffer();
  });

  test("“sign out everywhere else” keeps this session and ends the others", async () => {
    const s1 = await signIn("carol", carol.password);
    const s2 = await signIn("carol", carol.password);
    const ended = await api("sign_out_others", {}, { cookie: s1 });
    assert.equal(ended.status, 200);
    assert.equal(ended.json, 3, "sign-up's, the first test's and s2");
    assert.equal(await whoIs(s1), "carol");
    assert.equal(await whoIs(s2), null);
    assert.equal(await whoIs(carol.cookie), null);
    assert.deepEqual(await sessionsOf("carol"), [sha256(tokenOf(s1))]);
    carol.cookie = s1;
  });

  test("the reviewers' one-click sign-in works only for the seeded demo accounts", async () => {
    const someone = await signUp("notademo");
    const res = await get(`/_dev/sign-in/${someone.username}`);
    assert.equal(res.status, 404);
    assert.equal(sessionCookie(res.headers), null);
  });

  test("an expired session is no session", async () => {
    const s = await signIn("carol", carol.password);
    assert.equal(await whoIs(s), "carol");
    await srv.d1(`UPDATE sessions SET expires_at = ${Date.now() - 1000} WHERE token_hash = ${sq(sha256(tokenOf(s)))}`);
    assert.equal(await whoIs(s), null);
    const up = await upload([fileOf(demoPhoto("rocket.jpg"), "image/jpeg")], s);
    assert.deepEqual([up.status, await up.json()], [401, { error: "unauthenticated" }]);
    const settings = await api("update_settings", { display_name: "x", default_visibility: "public" }, { cookie: s });
    assert.equal(settings.status, 401);
    assert.equal((await get("/settings", { cookie: s })).status, 401);
    assert.equal(await whoIs(carol.cookie), "carol", "other sessions unaffected");
  });

  test("a session used after an hour slides its expiry and resends the cookie", async () => {
    const s = await signIn("carol", carol.password);
    const hash = sha256(tokenOf(s));
    const now = Date.now();
    await srv.d1(`UPDATE sessions SET last_seen_at = ${now - 2 * 3600_000}, expires_at = ${now + 3600_000} WHERE token_hash = ${sq(hash)}`);
    const res = await api("current_user", {}, { cookie: s });
    assert.equal(res.json.username, "carol");
    assert.equal(sessionCookie(res.headers), s, "the same token, sent again");
    const [row] = await srv.d1(`SELECT expires_at FROM sessions WHERE token_hash = ${sq(hash)}`);
    assert.ok(Math.abs(row.expires_at - (now + 2592000 * 1000)) < 60_000, `expires_at moved: ${row.expires_at - now}`);
    // Fresh use does not write again.
    assert.equal(sessionCookie((await api("current_user", {}, { cookie: s })).headers), null);
  });
});

describe("passwords", () => {
  // Its own account: every sign-in attempt, good or bad, counts against the account's limit.
  let cora;
  const whoIs = async (cookie) => (await api("current_user", {}, { cookie })).json?.username ?? null;
  before(async () => {
    cora = await signUp("cora");
  });

  test("the stored password hash is PBKDF2-SHA256 that node's pbkdf2Sync verifies", async () => {
    const [{ password_hash: stored }] = await srv.d1("SELECT password_hash FROM users WHERE username = 'cora'");
    const m = stored.match(/^pbkdf2-sha256\$100000\$([0-9a-f]{32})\$([0-9a-f]{64})$/);
    assert.ok(m, stored);
    const hash = (pw) => pbkdf2Sync(pw, Buffer.from(m[1], "hex"), 100_000, 32, "sha256").toString("hex");
    assert.equal(hash(cora.password), m[2]);
    assert.notEqual(hash(`${cora.password}!`), m[2]);
    const [{ password_hash: bobs }] = await srv.d1("SELECT password_hash FROM users WHERE username = 'bob'");
    assert.notEqual(bobs.split("$")[2], m[1], "a salt per user, even for the same password");
  });

  test("changing the password needs the current one and ends the other sessions", async () => {
    const other = await signIn("cora", cora.password);
    const [{ password_hash: before }] = await srv.d1("SELECT password_hash FROM users WHERE username = 'cora'");
    const wrong = await api("change_password", { current_password: "not it at all", new_password: "a brand new password" }, { cookie: cora.cookie });
    assert.deepEqual([wrong.status, wrong.json?.reason], [422, "Your current password is not right."]);
    const short = await api("change_password", { current_password: cora.password, new_password: "short" }, { cookie: cora.cookie });
    assert.equal(short.status, 422);
    assert.equal((await srv.d1("SELECT password_hash FROM users WHERE username = 'cora'"))[0].password_hash, before);

    const ok = await api("change_password", { current_password: cora.password, new_password: "a brand new password" }, { cookie: cora.cookie });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(await whoIs(cora.cookie), "cora");
    assert.equal(await whoIs(other), null);
    const old = await api("sign_in", { login: "cora", password: cora.password });
    assert.equal(old.status, 422);
    cora.password = "a brand new password";
    await signIn("cora", cora.password);
    const [{ password_hash: after }] = await srv.d1("SELECT password_hash FROM users WHERE username = 'cora'");
    const [, , salt, hash] = after.split("$");
    assert.notEqual(salt, before.split("$")[2], "a new salt");
    assert.equal(pbkdf2Sync(cora.password, Buffer.from(salt, "hex"), 100_000, 32, "sha256").toString("hex"), hash);
  });
});

describe("GPS", () => {
  test("the owner's page shows the location; nobody else's view does", async () => {
    const { id } = P.gps;
    const [row] = await srv.d1(`SELECT gps_json FROM photos WHERE id = ${sq(id)}`);
    assert.ok(row.gps_json?.includes("48.85"), `the upload's GPS was read: ${row.gps_json}`);
    const mine = await api("get_photo", { id }, { cookie: A.cookie });
    assert.equal(mine.json.location, GPS_SHOWN);
    const page = (await html(`/p/${id}`, { cookie: A.cookie })).text;
    assert.ok(page.includes(`<dt>Location</dt><dd>${GPS_SHOWN}`), "owner's page");
    for (const [who, cookie] of [["B", B.cookie], ["anonymous", undefined]]) {
      const view = await api("get_photo", { id }, { cookie });
      assert.equal(view.status, 200);
      assert.equal(view.json.location, null, who);
      assert.ok(!view.text.includes("48.85") && !view.text.includes("2.294"), `${who}: no coordinates in the JSON`);
      const p = await html(`/p/${id}`, { cookie });
      assert.equal(p.status, 200);
      assert.ok(!p.text.includes("Location") && !p.text.includes("48.85") && !p.text.includes("2.294"), `${who}: page`);
      for (const path of ["/", "/u/alice"]) assert.ok(!(await html(path, { cookie })).text.includes("48.85"), `${who} ${path}`);
      const orig = await get(`/original/${id}`, { cookie });
      assert.equal(orig.status, 404, `${who}: the original (which keeps its EXIF) is the owner's`);
      await orig.arrayBuffer();
    }
  });

  test("no variant carries EXIF, GPS or the camera's serial", async () => {
    for (const url of P.gps.images) {
      const bytes = Buffer.from(await (await get(url)).arrayBuffer());
      assert.deepEqual(bytes.subarray(0, 2), Buffer.of(0xff, 0xd8), url);
      assert.ok(!jpegMarkers(bytes).includes(0xffe1), `${url}: no APP1 segment`);
      for (const needle of ["Exif", "Lumix", "DC-G9", "SERIAL-0123456789"]) {
        assert.equal(bytes.indexOf(needle, 0, "latin1"), -1, `${url}: ${needle}`);
      }
    }
    // The control: the owner's original still has all of it.
    const orig = Buffer.from(await (await get(`/original/${P.gps.id}`, { cookie: A.cookie })).arrayBuffer());
    assert.ok(orig.indexOf("SERIAL-0123456789", 0, "latin1") > 0);
  });
});

describe("sign-in and sign-up rate limits (issue 10: no lockout, no email oracle)", () => {
  const wrong = { error: "invalid", field: "login", reason: "That username or password is not right." };
  /** `lumen_device=<token>` from a response, or null. */
  const deviceCookie = (headers) => {
    const c = headers.getSetCookie().find((v) => v.startsWith("lumen_device="));
    return c ? c.split(";")[0] : null;
  };

  test("an unknown user and a wrong password get the same answer; emails do not sign in", async () => {
    await signUp("erin");
    const ip = freshIp();
    const a = await api("sign_in", { login: "erin", password: "wrong password!" }, { ip });
    const b = await api("sign_in", { login: "nobody-here", password: "wrong password!" }, { ip });
    for (const r of [a, b]) {
      assert.equal(r.status, 422);
      assert.deepEqual(r.json, wrong);
      assert.equal(r.headers.get("content-type"), a.headers.get("content-type"));
      assert.equal(sessionCookie(r.headers), null);
    }
    assert.equal(a.text, b.text);
    // An email, taken or not, gets the same hint and no attempt.
    const byEmail = await api("sign_in", { login: "erin@example.test", password: "correct horse battery" }, { ip });
    const unknown = await api("sign_in", { login: "nobody@example.test", password: "correct horse battery" }, { ip });
    assert.equal(byEmail.status, 422);
    assert.equal(byEmail.text, unknown.text);
    assert.match(byEmail.json.reason, /Sign in with your username/);
  });

  test("one stranger's guesses limit that stranger, never the owner", async () => {
    await awayFromWindowEdge(15 * 60);
    const dave = await signUp("dave");
    const attacker = freshIp();
    for (let i = 0; i < 10; i++) {
      const r = await api("sign_in", { login: "dave", password: `wrong ${i}` }, { ip: attacker });
      assert.deepEqual([r.status, r.json], [422, wrong], `attempt ${i + 1}`);
    }
    // The attacker's network is limited for this login, even with the right password...
    const r = await api("sign_in", { login: "dave", password: dave.password }, { ip: attacker });
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json.error, "rate_limited");
    assert.ok(r.json.retry_after_secs > 0 && r.json.retry_after_secs <= 900, `retry in ${r.json.retry_after_secs}`);
    assert.equal(r.headers.get("retry-after"), String(r.json.retry_after_secs), "Retry-After header");
    assert.equal(sessionCookie(r.headers), null);
    // ...and the no-JS form says when to try again.
    const form = await api(
      "sign_in",
      { login: "dave", password: dave.password, next: "/" },
      { ip: attacker, headers: { accept: "text/html", referer: `${srv.base}/signin` } },
    );
    assert.equal(form.status, 429);
    assert.match(textOfClass(form.text, "p", "form-error") ?? "", /^Too many requests; try again in \d+ s\.$/);
    assert.ok(Number(form.headers.get("retry-after")) > 0, "Retry-After on the re-rendered page");
    // Dave, anywhere else, signs in; other logins from the attacker's network still answer.
    assert.equal((await api("sign_in", { login: "dave", password: dave.password })).status, 200);
    assert.equal((await api("sign_in", { login: "erin", password: "wrong" }, { ip: attacker })).status, 422);
    assert.equal((await api("current_user", {}, { cookie: dave.cookie })).json.username, "dave");
  });

  test("many strangers together: browsers that signed in before still get in; password changes still work", async () => {
    await awayFromWindowEdge(3600);
    const fay = await signUp("fay");
    // Fay's laptop signed in before: it holds a device cookie the account knows.
    const first = await api("sign_in", { login: "fay", password: fay.password });
    const laptop = deviceCookie(first.headers);
    assert.match(laptop ?? "", /^lumen_device=[0-9a-f]{64}$/);
    const [stored] = await srv.d1(
      `SELECT count(*) AS n FROM known_devices WHERE token_hash = ${sq(sha256(tokenOf(laptop)))}`,
    );
    assert.equal(stored.n, 1, "D1 keeps only the device token's hash");
    // A hundred failures from ten networks fill the login's bucket for unknown browsers.
    for (let net = 0; net < 10; net++) {
      const ip = freshIp();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => api("sign_in", { login: "fay", password: `guess ${net}-${i}` }, { ip })),
      );
    }
    const newBrowser = await api("sign_in", { login: "fay", password: fay.password });
    assert.equal(newBrowser.status, 429, "an unknown browser waits");
    const known = await api("sign_in", { login: "fay", password: fay.password }, { cookie: laptop });
    assert.equal(known.status, 200, `the laptop signs in: ${known.text}`);
    assert.ok(sessionCookie(known.headers));
    assert.equal(deviceCookie(known.headers), null, "its device token is kept, not replaced");
    // A made-up device token is just another unknown browser.
    const forged = await api("sign_in", { login: "fay", password: fay.password }, { cookie: `lumen_device=${"f".repeat(64)}` });
    assert.equal(forged.status, 429);
    // The signed-in owner's password change is not blocked by strangers' failures.
    const changed = await api(
      "change_password",
      { current_password: fay.password, new_password: "a brand new password" },
      { cookie: fay.cookie },
    );
    assert.equal(changed.status, 200, changed.text);
  });

  test("per network: only failures count, and an IPv6 /64 is one network", async () => {
    await awayFromWindowEdge(15 * 60);
    // A household behind one address signs in all day.
    const home = freshIp();
    for (let i = 0; i < 35; i++) {
      assert.equal((await api("sign_in", { login: "bob", password: B.password }, { ip: home })).status, 200, `sign-in ${i + 1}`);
    }
    // Thirty failures from addresses of one /64 (each a different address, as a walker would)...
    const [, , x, y] = freshIp().split(".");
    const prefix = `2001:db8:${x}:${y}`;
    for (let i = 0; i < 30; i++) {
      const r = await api("sign_in", { login: `stranger-${i}`, password: "whatever it is" }, { ip: `${prefix}::${(i + 1).toString(16)}` });
      assert.equal(r.status, 422, `attempt ${i + 1}: ${r.text}`);
    }
    // ...limit the whole /64, and nobody else.
    const limited = await api("sign_in", { login: "bob", password: B.password }, { ip: `${prefix}:aaaa:bbbb:cccc:dddd` });
    assert.equal(limited.status, 429);
    assert.ok(limited.json.retry_after_secs > 0 && limited.json.retry_after_secs <= 900);
    const elsewhere = await api("sign_in", { login: "bob", password: B.password }, { ip: `2001:db8:ffff:1::1` });
    assert.equal(elsewhere.status, 200);
  });

  test("sign-up: the 11th in an hour from one network is 429; a taken email is never revealed", async () => {
    await awayFromWindowEdge(3600);
    const ip = freshIp();
    for (let i = 0; i < 10; i++) {
      const r = await api("sign_up", { username: `spam${i}`, email: `spam${i}@example.test`, password: "short" }, { ip });
      assert.equal(r.status, 422, `attempt ${i + 1}`);
    }
    const r = await api("sign_up", { username: "spam10", email: "spam10@example.test", password: "correct horse battery" }, { ip });
    assert.equal(r.status, 429);
    assert.equal(r.json.error, "rate_limited");
    assert.equal((await srv.d1("SELECT count(*) AS n FROM users WHERE username LIKE 'spam%'"))[0].n, 0);
    // Alice's email signs up like any other address: nothing tells that it has an account.
    const taken = await api("sign_up", { username: "not-alice", email: "ALICE@example.test", password: "correct horse battery" });
    const fresh = await api("sign_up", { username: "not-alice-2", email: "fresh@example.test", password: "correct horse battery" });
    assert.deepEqual([taken.status, fresh.status], [200, 200], taken.text);
    assert.equal(taken.headers.get("location"), "/u/not-alice");
    // A taken username may be said.
    const dup = await api("sign_up", { username: "alice", email: "x@example.test", password: "correct horse battery" });
    assert.deepEqual(dup.json, { error: "invalid", field: "username", reason: "That username is taken." });
  });
});

describe("forms without JavaScript", () => {
  const plain = (path) => ({ accept: "text/html,application/xhtml+xml", referer: `${srv.base}${path}` });

  test("a failed sign-in re-renders the sign-in page with 422, the message and the login kept", async () => {
    const secret = "wrong-password-4711";
    const r = await api("sign_in", { login: "alice", password: secret, next: "/settings" }, { headers: plain("/signin?next=/settings") });
    assert.equal(r.status, 422);
    assert.match(r.headers.get("content-type"), /text\/html/);
    assert.match(r.text, /<h1>Sign in<\/h1>/);
    assert.equal(textOfClass(r.text, "p", "form-error"), "That username or password is not right.");
    assert.match(r.text, /<p[^>]*role="alert"/);
    assert.match(r.text, /<input id="login" name="login"[^>]* value="alice"/);
    assert.ok(!r.text.includes(secret), "the password is never echoed");
    assert.equal(sessionCookie(r.headers), null);
  });

  test("a successful sign-in answers 302 to a local `next` with the session cookie", async () => {
    const r = await api("sign_in", { login: "alice", password: A.password, next: "/settings" }, { headers: plain("/signin") });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), "/settings");
    const cookie = sessionCookie(r.headers);
    assert.match(cookie ?? "", /^lumen_session=[0-9a-f]{64}$/);
    const settings = await html("/settings", { cookie });
    assert.equal(settings.status, 200);
    assert.match(settings.text.replaceAll("<!>", ""), /Signed in as @alice/);
    // Off-site, and paths that are no valid Location header (which once would have
    // panicked the Worker): all go home.
    for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/a\r\nSet-Cookie: x=1", "/café"]) {
      const away = await api("sign_in", { login: "alice", password: A.password, next }, { headers: plain("/signin") });
      assert.deepEqual([away.status, away.headers.get("location")], [302, "/"], next);
    }
  });

  test("a refused sign-up keeps what was typed (but not the password) and sets no cookie", async () => {
    const r = await api(
      "sign_up",
      { username: "alice", email: "other@example.test", display_name: "Another", password: "correct horse battery" },
      { headers: plain("/signup") },
    );
    assert.equal(r.status, 422);
    assert.equal(textOfClass(r.text, "p", "form-error"), "That username is taken.");
    assert.match(r.text, /name="email"[^>]* value="other@example.test"/);
    assert.ok(!r.text.includes("correct horse battery"));
    assert.equal(sessionCookie(r.headers), null);
  });

  test("a refused photo edit re-renders the photo page for its owner", async () => {
    const edit = { id: P.public.id, title: "", caption: "kept caption", alt: "", visibility: "public" };
    const r = await api("update_photo", edit, { cookie: A.cookie, headers: plain(`/p/${P.public.id}`) });
    assert.equal(r.status, 422);
    assert.equal(textOfClass(r.text, "p", "form-error"), "A photo needs a title.");
    assert.match(r.text, /kept caption<\/textarea>/);
    assert.equal((await api("get_photo", { id: P.public.id })).json.title, P.public.title);
  });
});

describe("text people type is rendered inert", () => {
  const X = {
    script: "<script>alert(1)</script>",
    attr: `"><img src=x onerror=alert(2)>`,
    single: `'><svg onload=alert(3)>`,
    title: "</title><script>alert(4)</script>",
    textarea: "</textarea><script>alert(5)</script>",
    entity: "&lt;b&gt;bold?&lt;/b&gt;",
  };
  const title = X.title + X.attr;
  const caption = Object.values(X).join("\n");
  const alt = `${X.attr} ${X.single}`;
  const displayName = X.title + X.script; // 58 of the 60 characters allowed
  let xav;
  let id;

  before(async () => {
    xav = await signUp("xavier", { display_name: displayName });
    const res = await upload([fileOf(demoPhoto("rocket.jpg"), "image/jpeg")], xav.cookie);
    [{ id }] = (await res.json()).photos;
    await waitProcessed(srv.base, id, 60_000, { cookie: xav.cookie });
    const r = await api("update_photo", { id, title, caption, alt, visibility: "public" }, { cookie: xav.cookie });
    assert.equal(r.status, 200, r.text);
  });

  /** Decodes the entities an HTML escaper writes. */
  const decode = (s) =>
    s.replace(/&(lt|gt|quot|#x27|#39|amp);/g, (_, e) => ({ lt: "<", gt: ">", quot: '"', "#x27": "'", "#39": "'", amp: "&" })[e]);
  /** The document from `<body` on (where <title> is not). */
  const bodyOf = (text) => text.slice(text.indexOf("<body"));

  function assertInert(label, text) {
    for (const [k, v] of Object.entries(X)) assert.ok(!text.includes(v), `${label}: raw ${k} payload`);
    for (const bad of [/<script>alert/i, /<img src=x/i, /<svg onload/i, /<\/textarea><script/i]) {
      assert.doesNotMatch(text, bad, label);
    }
    assert.ok(text.includes("&lt;script&gt;alert("), `${label}: the escaped form is shown`);
  }

  test("feed and settings carry no payload unescaped", async () => {
    for (const [label, path, cookie] of [
      ["feed", "/", undefined],
      ["settings", "/settings", xav.cookie],
    ]) {
      const { status, text } = await html(path, { cookie });
      assert.equal(status, 200, label);
      assertInert(label, text);
    }
  });

  test("photo and profile pages: no payload unescaped in the body; meta tags escaped", async () => {
    for (const [label, path, cookie] of [
      ["photo page (anonymous)", `/p/${id}`, undefined],
      ["photo page (B)", `/p/${id}`, B.cookie],
      ["profile (anonymous)", "/u/xavier", undefined],
      ["profile (owner)", "/u/xavier", xav.cookie],
    ]) {
      const { status, text } = await html(path, { cookie });
      assert.equal(status, 200, label);
      assertInert(label, bodyOf(text));
    }
    // Meta tags hold the text escaped: cut at the first `"`, they decode to exactly what
    // was typed (an unescaped quote would cut them short).
    const page = (await html(`/p/${id}`)).text;
    const meta = (text, attr) => decode(text.match(new RegExp(`<meta ${attr} content="([^"]*)"`))?.[1] ?? "");
    assert.equal(meta(page, 'property="og:title"'), `${FSI}${title}${PDI}`);
    assert.equal(meta(page, 'property="og:description"'), caption);
    assert.equal(meta(page, 'name="description"'), caption);
    assert.ok(page.includes("&amp;lt;b&amp;gt;bold?&amp;lt;/b&amp;gt;"), "entities are shown as typed, not decoded");
    const profile = (await html("/u/xavier")).text;
    assert.equal(meta(profile, 'property="og:title"'), `${FSI}${displayName}${PDI} (@xavier)`);
  });

  test("<title> holds the photo title and display name escaped", async () => {
    for (const [path, want] of [
      [`/p/${id}`, `${FSI}${title}${PDI} · Lumen`],
      ["/u/xavier", `${FSI}${displayName}${PDI} (@xavier) · Lumen`],
    ]) {
      const text = (await html(path)).text;
      const head = text.slice(0, text.indexOf("<body"));
      assertInert(`${path} <head>`, head);
      // Cut at the first `<`, it decodes to exactly what was typed.
      assert.equal(decode(head.match(/<title>([^<]*)<\/title>/)?.[1] ?? ""), want, path);
    }
  });

  test("the owner's photo page, edit form included, carries no payload unescaped", async () => {
    const { status, text } = await html(`/p/${id}`, { cookie: xav.cookie });
    assert.equal(status, 200);
    assertInert("photo page (owner)", bodyOf(text));
    // A refused edit echoes what was typed back into the form.
    const edit = await api(
      "update_photo",
      { id, title, caption, alt, visibility: "nope" },
      { cookie: xav.cookie, headers: { accept: "text/html", referer: `${srv.base}/p/${id}` } },
    );
    assert.equal(edit.status, 422);
    assertInert("refused edit", bodyOf(edit.text));
  });

  test("refused forms echo what was typed escaped", async () => {
    const form = (path) => ({ accept: "text/html", referer: `${srv.base}${path}` });
    const signin = await api("sign_in", { login: X.attr + X.script, password: "x" }, { headers: form("/signin") });
    assert.equal(signin.status, 422);
    assertInert("refused sign-in", signin.text);
    const signup = await api(
      "sign_up",
      { username: X.script, email: X.attr, display_name: X.single + X.title, password: "correct horse battery" },
      { headers: form("/signup") },
    );
    assert.equal(signup.status, 422);
    assertInert("refused sign-up", signup.text);
    const settings = await api(
      "update_settings",
      { display_name: X.script + X.attr, default_visibility: "nope" },
      { cookie: xav.cookie, headers: form("/settings") },
    );
    assert.equal(settings.status, 422);
    assertInert("refused settings", settings.text);
    // A refused plain upload comes back as the upload page naming the file: inert.
    const refused = new FormData();
    refused.append("photos", new Blob(["not an image"], { type: "text/plain" }), `${X.script}${X.attr}.txt`);
    const res = await fetch(`${srv.base}/upload`, {
      method: "POST",
      body: refused,
      redirect: "manual",
      headers: { cookie: xav.cookie, accept: "text/html" },
      signal: AbortSignal.timeout(15_000),
    });
    assert.equal(res.status, 422);
    const page = await res.text();
    assert.match(page, /is not a supported image/);
    assertInert("refused upload", page);
    // And the page does not reflect a query string (no crafted-link messages).
    const crafted = await html(`/upload?error=${encodeURIComponent("Your account is locked, call us")}`, { cookie: xav.cookie });
    assert.doesNotMatch(crafted.text, /account is locked/);
  });

  /**
   * Runs `check(run)` with a Chromium (JS on) whose `run(label, path, cookie)` opens a page and
   * returns what its DOM says; fails on any dialog, any request an injected <img src=x> would
   * make, any inline handler attribute, or any script mentioning alert(.
   */
  async function inBrowser(check) {
    const browser = await chromium.launch(CHROMIUM_OPTIONS);
    try {
      const ctx = await browser.newContext();
      const fired = [];
      const run = async (label, path, cookie) => {
        await ctx.clearCookies();
        if (cookie) await ctx.addCookies([{ name: "lumen_session", value: tokenOf(cookie), url: srv.base }]);
        const page = await ctx.newPage();
        page.on("dialog", async (d) => {
          fired.push(`${label}: dialog ${d.message()}`);
          await d.dismiss();
        });
        page.on("request", (r) => {
          if (new URL(r.url()).pathname.endsWith("/x")) fired.push(`${label}: fetched ${r.url()}`);
        });
        await page.goto(`${srv.base}${path}`, { waitUntil: "load" });
        await sleep(300);
        const dom = await page.evaluate(() => ({
          title: document.title,
          h1: document.querySelector("h1")?.textContent,
          ogTitle: document.querySelector('meta[property="og:title"]')?.content,
          description: document.querySelector('meta[name="description"]')?.content,
          caption: [...document.querySelectorAll(".caption p")].map((p) => p.textContent).join("\n"),
          textarea: document.querySelector("textarea#caption")?.value,
          titleInput: document.querySelector("input#title")?.value,
          altInput: document.querySelector("input#alt")?.value,
          imgAlt: document.querySelector("figure.photo img")?.alt,
          cardTitle: document.querySelector(".card-title")?.textContent,
          cardAlt: document.querySelector(".card img")?.alt,
          nameInput: document.querySelector("input#display_name")?.value,
          handlers: [...document.querySelectorAll("*")].flatMap((el) =>
            [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => `${el.tagName} ${a.name}`),
          ),
          scripts: [...document.scripts].filter((s) => /alert\(/.test(s.textContent)).length,
          injected: document.querySelectorAll("svg[onload], img[src='x']").length,
        }));
        await page.close();
        assert.deepEqual(dom.handlers, [], `${label}: inline handlers`);
        assert.equal(dom.scripts, 0, `${label}: scripts`);
        assert.equal(dom.injected, 0, `${label}: injected elements`);
        return dom;
      };
      await check(run);
      assert.deepEqual(fired, []);
    } finally {
      await browser.close();
    }
  }

  test("in a real browser, feed and settings run nothing and read exactly as typed", async () => {
    await inBrowser(async (run) => {
      const feed = await run("feed", "/");
      assert.equal(feed.cardTitle, title);
      assert.equal(feed.cardAlt, alt);
      const settings = await run("settings", "/settings", xav.cookie);
      assert.equal(settings.nameInput, displayName);
    });
  });

  test("in a real browser, photo and profile pages run nothing and read exactly as typed", async () => {
    await inBrowser(async (run) => {
      const anon = await run("photo (anonymous)", `/p/${id}`);
      assert.equal(anon.title, `${FSI}${title}${PDI} · Lumen`);
      assert.equal(anon.h1, title);
      assert.equal(anon.ogTitle, `${FSI}${title}${PDI}`);
      assert.equal(anon.description, caption);
      assert.equal(anon.caption, caption);
      assert.equal(anon.imgAlt, alt);
      const profile = await run("profile", "/u/xavier");
      assert.equal(profile.title, `${FSI}${displayName}${PDI} (@xavier) · Lumen`);
      assert.equal(profile.cardTitle, title);
    });
  });

  // The owner's page has the <title> too: this one needs both fixes.
  test("in a real browser, the owner's edit form runs nothing and holds the text as typed", async () => {
    await inBrowser(async (run) => {
      const owner = await run("photo (owner)", `/p/${id}`, xav.cookie);
      assert.equal(owner.textarea, caption);
      assert.equal(owner.titleInput, title);
      assert.equal(owner.altInput, alt);
    });
  });
});

describe("quotas (on an instance with 3 uploads an hour and 400 kB of storage)", () => {
  let small;
  before(async () => {
    small = await startLumen("accounts-quota", { vars: { LUMEN_UPLOADS_PER_HOUR: 3, LUMEN_QUOTA_BYTES: 400_000 } });
  });
  after(async () => {
    await small?.stop();
  });
  const stored = async (username) => {
    const [r] = await small.d1(
      `SELECT count(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM photos WHERE owner_id = (SELECT id FROM users WHERE username = ${sq(username)})`,
    );
    return { ...r, originals: small.r2Count("orig/") };
  };
  const png = (n) => ({ name: `tiny${n}.png`, bytes: makeRgbaPng(48, 32), type: "image/png" });

  test("uploads per hour: beyond the limit is 429 with a clear message, and stores nothing", async () => {
    // The quota counts per clock hour (a fixed window, like the rate limits).
    await awayFromWindowEdge(3600, 60);
    const q = await signUpAt(small.base, { username: "quinn", ip: freshIp() });
    assert.equal((await uploadAt(small.base, [png(1), png(2)], { cookie: q.cookie })).status, 201);
    const before = await stored("quinn");
    const over = await uploadAt(small.base, [png(3), png(4)], { cookie: q.cookie });
    assert.equal(over.status, 429);
    const body = await over.json();
    const MESSAGE = /^You can upload 3 photos an hour and have uploaded 2 this hour; try again in \d+ min\.$/;
    assert.equal(body.error, "quota");
    assert.match(body.reason, MESSAGE);
    assert.ok(body.retry_after_secs > 0 && body.retry_after_secs <= 3600, `retry in ${body.retry_after_secs}`);
    assert.equal(over.headers.get("retry-after"), String(body.retry_after_secs));
    const form = await uploadAt(small.base, [png(3), png(4)], { cookie: q.cookie, json: false });
    assert.equal(form.status, 429);
    assert.match(textOfClass(await form.text(), "p", "form-error") ?? "", MESSAGE);
    assert.deepEqual(await stored("quinn"), before);
    // Refusals do not count: what is left of the hour can still be used, and then no more.
    const last = await uploadAt(small.base, [png(5)], { cookie: q.cookie });
    assert.equal(last.status, 201);
    assert.equal((await uploadAt(small.base, [png(6)], { cookie: q.cookie })).status, 429);
    assert.equal((await stored("quinn")).n, 3);
    // Deleting a photo does not give the hour's allowance back.
    const [{ id }] = (await last.json()).photos;
    assert.equal((await apiAt(small.base, "delete_photo", { id }, { cookie: q.cookie })).status, 200);
    assert.equal((await uploadAt(small.base, [png(7)], { cookie: q.cookie })).status, 429);
  });

  test("storage: an upload that does not fit is 413, stores nothing, and fits after a delete", async () => {
    const r = await signUpAt(small.base, { username: "rosa", ip: freshIp() });
    const coins = fileOf(demoPhoto("coins.png"), "image/png"); // 75 825 bytes
    const retina = fileOf(demoPhoto("retina.jpg"), "image/jpeg"); // 269 564 bytes
    const rocket = fileOf(demoPhoto("rocket.jpg"), "image/jpeg"); // 112 525 bytes
    assert.equal((await uploadAt(small.base, [coins], { cookie: r.cookie })).status, 201);
    const big = await uploadAt(small.base, [retina], { cookie: r.cookie });
    assert.equal(big.status, 201);
    const [{ id: retinaId }] = (await big.json()).photos;
    const before = await stored("rosa");
    assert.equal(before.bytes, coins.bytes.length + retina.bytes.length);

    const over = await uploadAt(small.base, [rocket], { cookie: r.cookie });
    assert.equal(over.status, 413);
    const body = await over.json();
    assert.equal(body.error, "quota");
    assert.equal(body.reason, "Your storage is full: 0.3 MB of 0.4 MB used. Delete some photos to upload more.");
    const form = await uploadAt(small.base, [rocket], { cookie: r.cookie, json: false });
    assert.equal(form.status, 413);
    assert.match(textOfClass(await form.text(), "p", "form-error") ?? "", /^Your storage is full/);
    assert.deepEqual(await stored("rosa"), before);

    // Another account has its own quota.
    const other = await signUpAt(small.base, { username: "sam", ip: freshIp() });
    assert.equal((await uploadAt(small.base, [rocket], { cookie: other.cookie })).status, 201);

    await waitProcessed(small.base, retinaId, 60_000, { cookie: r.cookie });
    const del = await apiAt(small.base, "delete_photo", { id: retinaId }, { cookie: r.cookie });
    assert.equal(del.status, 200, del.text);
    assert.equal((await uploadAt(small.base, [rocket], { cookie: r.cookie })).status, 201);
  });
});

describe("headers on every response, and caching by who may see it (issue 10)", () => {
  const hdr = (r, name) => r.headers.get(name);
  /** A raw request with a Host header of our choosing (fetch does not let us set Host). */
  const raw = (method, path, headers, body) =>
    new Promise((resolve, reject) => {
      const u = new URL(srv.base);
      const req = httpRequest({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
        res.resume();
        res.on("end", () => resolve(res));
      });
      req.on("error", reject);
      req.setTimeout(15_000, () => req.destroy(new Error("timeout")));
      req.end(body);
    });

  test("pages: a CSP naming the hash of each inline script (no nonce), nosniff, same-origin referrers, no framing", async () => {
    const { createHash } = await import("node:crypto");
    for (const [path, cookie] of [
      ["/", undefined],
      [`/p/${P.public.id}`, undefined],
      ["/u/alice", undefined],
      ["/signin", undefined],
      ["/does-not-exist", undefined],
      ["/settings", A.cookie],
      ["/upload", A.cookie],
      [`/p/${P.private.id}`, A.cookie],
    ]) {
      const r = await get(path, { cookie });
      const text = await r.text();
      const csp = hdr(r, "content-security-policy") ?? "";
      assert.ok(!csp.includes("'nonce-") && !text.includes("nonce="), `${path}: no nonce`);
      for (const part of ["object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'"]) {
        assert.ok(csp.includes(part), `${path}: ${part}`);
      }
      assert.ok(!/script-src[^;]*'unsafe-inline'/.test(csp), `${path}: no inline scripts allowed`);
      const inline = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !m[1].includes("src="));
      const islands = text.includes("<leptos-island");
      if (!islands) assert.equal(inline.length, 0, `${path}: a page without islands has no script`);
      for (const [, , body] of inline) {
        const hash = createHash("sha256").update(body).digest("base64");
        assert.ok(csp.includes(`'sha256-${hash}'`), `${path}: the CSP names each inline script`);
      }
      assert.equal(hdr(r, "x-content-type-options"), "nosniff", path);
      assert.equal(hdr(r, "referrer-policy"), "same-origin", path);
      assert.equal(hdr(r, "x-frame-options"), "DENY", path);
      assert.equal(hdr(r, "strict-transport-security"), null, `${path}: no HSTS on localhost`);
    }
  });

  test("off localhost: HSTS, and session and device cookies carry __Host- and Secure", async () => {
    const res = await raw("GET", "/", { host: "lumen.example" });
    assert.equal(res.headers["strict-transport-security"], "max-age=63072000");
    const body = new URLSearchParams({ login: "bob", password: B.password }).toString();
    const signedIn = await raw(
      "POST",
      "/api/sign_in",
      { host: "lumen.example", "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": freshIp() },
      body,
    );
    assert.equal(signedIn.statusCode, 200);
    const cookies = signedIn.headers["set-cookie"] ?? [];
    assert.ok(
      cookies.some((c) => /^__Host-lumen_session=[0-9a-f]{64}; Path=\/; .*HttpOnly; SameSite=Lax; Secure$/.test(c)),
      cookies.join("\n"),
    );
    assert.ok(cookies.some((c) => c.startsWith("__Host-lumen_device=") && c.endsWith("; Secure")), cookies.join("\n"));
    assert.ok(!cookies.some((c) => /Domain=/i.test(c)));
    // There, a plain `lumen_session` (what a sibling subdomain could plant) is no session.
    const token = cookies[0].split(";")[0].split("=")[1];
    const planted = await raw("POST", "/api/current_user", { host: "lumen.example", cookie: `lumen_session=${token}` }, "");
    const real = await raw("POST", "/api/current_user", { host: "lumen.example", cookie: `__Host-lumen_session=${token}` }, "");
    assert.deepEqual([planted.statusCode, real.statusCode], [200, 200]);
    assert.equal(planted.headers["cache-control"], "no-cache", "answered as to nobody");
    assert.equal(real.headers["cache-control"], "private, no-store", "answered as to bob");
  });

  test("whatever answers a signed-in person is never stored; anonymous pages are revalidated", async () => {
    for (const path of ["/settings", "/upload", `/p/${P.public.id}`, `/p/${P.private.id}`, "/u/alice", "/"]) {
      const r = await get(path, { cookie: A.cookie });
      await r.arrayBuffer();
      assert.equal(hdr(r, "cache-control"), "private, no-store", path);
      assert.match(hdr(r, "vary") ?? "", /Cookie/, path);
    }
    // Public pages are kept at the edge (issue 13), purged when they change; browsers ask again.
    for (const [path, policy] of [
      ["/", "public, max-age=0, s-maxage=3600"],
      [`/p/${P.public.id}`, "public, max-age=0, s-maxage=3600"],
      ["/u/alice", "public, max-age=0, s-maxage=3600"],
      ["/signin", "no-cache"],
    ]) {
      const r = await get(path);
      await r.arrayBuffer();
      assert.equal(hdr(r, "cache-control"), policy, path);
      assert.match(hdr(r, "vary") ?? "", /Cookie/, path);
    }
    const me = await api("current_user", {}, { cookie: A.cookie });
    assert.equal(hdr(me, "cache-control"), "private, no-store");
    const signedIn = await api("sign_in", { login: "bob", password: B.password });
    assert.equal(hdr(signedIn, "cache-control"), "private, no-store", "an answer that sets a cookie");
  });

  test("media: shared caches only get what anyone may see; the owner's own original is private", async () => {
    const up = await upload([{ name: "own.png", bytes: makeRgbaPng(64, 48), type: "image/png" }], A.cookie);
    const [{ id }] = (await up.json()).photos;
    await waitProcessed(srv.base, id, 60_000, { cookie: A.cookie });
    const set = (allow) =>
      api(
        "update_photo",
        { id, title: "own", caption: "", alt: "", visibility: "public", ...(allow ? { allow_original: "on" } : {}) },
        { cookie: A.cookie },
      );
    assert.equal((await set(false)).status, 200);
    // The finding: the owner's download of a public photo whose downloads are off.
    const mine = await get(`/original/${id}`, { cookie: A.cookie });
    await mine.arrayBuffer();
    assert.equal(mine.status, 200);
    assert.match(hdr(mine, "cache-control"), /^private,/);
    assert.equal(hdr(mine, "vary"), "Cookie");
    assert.equal((await get(`/original/${id}`)).status, 404, "everyone else gets nothing");
    // Allowed for everyone: the same bytes for anyone, so shareable.
    assert.equal((await set(true)).status, 200);
    const open = await get(`/original/${id}`);
    await open.arrayBuffer();
    assert.equal(hdr(open, "cache-control"), "public, max-age=3600, s-maxage=600");
    // Variants: public ones for a year in browsers, ten minutes in shared caches.
    const [variant] = (await api("get_photo", { id })).json.images;
    for (const cookie of [undefined, A.cookie]) {
      const r = await get(variant.url, { cookie });
      await r.arrayBuffer();
      assert.equal(hdr(r, "cache-control"), "public, max-age=31536000, s-maxage=600, immutable");
      assert.equal(hdr(r, "x-content-type-options"), "nosniff");
    }
    for (const url of P.unlisted.images) {
      const r = await get(url);
      await r.arrayBuffer();
      assert.match(hdr(r, "cache-control"), /^private,/, url);
      assert.equal(hdr(r, "vary"), "Cookie");
    }
  });

  test("a server-function body over 64 KB gets its 413, not a reset connection", async () => {
    const r = await api("sign_in", { login: "bob", password: "x".repeat(200_000) });
    assert.equal(r.status, 413);
    assert.deepEqual(r.json, { error: "too_large" });
  });

  test("names: bidi controls are dropped, invisible-only text is blank", async () => {
    const up = await upload([{ name: "photo\u202Egnp.exe.png", bytes: makeRgbaPng(8, 8), type: "image/png" }], A.cookie);
    const [{ id }] = (await up.json()).photos;
    assert.equal((await api("get_photo", { id }, { cookie: A.cookie })).json.title, "photognp.exe");
    const slash = await upload([{ name: "2024/06 trip.png", bytes: makeRgbaPng(8, 8), type: "image/png" }], A.cookie);
    const [{ id: slashId }] = (await slash.json()).photos;
    assert.equal((await api("get_photo", { id: slashId }, { cookie: A.cookie })).json.title, "2024/06 trip");
    const blank = await api(
      "update_photo",
      { id, title: " \t\n\u00a0\u200b", caption: "", alt: "", visibility: "private" },
      { cookie: A.cookie },
    );
    assert.equal(blank.status, 422);
    assert.equal(blank.json.reason, "A photo needs a title.");
    const nameless = await api(
      "sign_up",
      { username: "nameless", email: "n@example.test", password: "correct horse battery", display_name: "\u200b\u2060\u3164" },
    );
    assert.equal(nameless.status, 200, "a blank display name falls back to the username");
    const who = await api("current_user", {}, { cookie: sessionCookie(nameless.headers) });
    assert.equal(who.json.display_name, "nameless");
    const settings = await api(
      "update_settings",
      { display_name: " \u200b\ufeff ", default_visibility: "public" },
      { cookie: A.cookie },
    );
    assert.equal(settings.status, 422);
  });
});
