// The trash, the purge and account deletion against `wrangler dev` (issue 15): a deleted photo
// leaves every listing, album, link and search at once and its media answer 404 to everyone but
// its owner; restoring puts back every row as it was; the purge (its clock moved by the dev
// route /_dev/purge, never waited for) leaves no row and no object, also when cut off half-way
// and run again; "delete now" takes the same path; deleting an account leaves nothing of the
// person in any table or in R2. Other people and other sites change nothing. In the browser:
// trash and restore with JavaScript on and off.
// Run: ./e2e/run.sh e2e/trash.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { ROOT, startLumen } from "./harness.mjs";
import {
  CHROMIUM_OPTIONS,
  api as apiAt,
  ipSource,
  makeRgbaPng,
  signUp as signUpAt,
  unzip,
  upload as uploadAt,
  waitProcessed,
} from "./helpers.mjs";

let srv;
const freshIp = ipSource("10.15");
const DAY = 24 * 3600 * 1000;
const HOSTILE = `<script>alert(1)</script>"'&<b>x</b>\u202Egnp.exe`;
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const get = (path, { cookie, headers = {} } = {}) =>
  fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: { ...(cookie ? { cookie } : {}), ...headers },
    signal: AbortSignal.timeout(15_000),
  });
/** A plain form post (repeated fields allowed): `fields` is a list of [name, value]. */
const post = (path, fields, { cookie, headers = {} } = {}) =>
  fetch(`${srv.base}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "cf-connecting-ip": freshIp(),
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body: new URLSearchParams(fields),
    signal: AbortSignal.timeout(30_000),
  });
const bulk = (fields, cookie, headers) => post("/trash/bulk", fields, { cookie, headers });
const purge = async (query) => {
  const r = await post(`/_dev/purge?${new URLSearchParams(query)}`, []);
  assert.equal(r.status, 200, await r.clone().text());
  return r.json();
};
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;

const A = {};
const B = {};
/** A's photos by role. */
const P = {};
let album;
let link;

/** Uploads one small PNG (distinct pixels each time) as `cookie`; waits until it is ready. */
let sizes = 0;
async function photo(cookie, title, visibility = "public") {
  sizes += 1;
  const bytes = makeRgbaPng(40 + sizes, 30);
  const res = await uploadAt(srv.base, [{ name: `${title}.png`, bytes, type: "image/png" }], { cookie });
  assert.equal(res.status, 201, await res.clone().text());
  const [{ id }] = (await res.json()).photos;
  const view = await waitProcessed(srv.base, id, 90_000, { cookie });
  assert.equal(view.status, "ready", view.failure);
  const r = await api("update_photo", { id, title, caption: `caption of ${title}`, alt: "", visibility }, { cookie });
  assert.equal(r.status, 200, r.text);
  return { id, bytes };
}

/** Every row that names `id`, table by table: what restoring must give back unchanged. */
async function rowsOf(id) {
  const [row] = await srv.d1(`SELECT
      (SELECT json_group_array(json_array(id, owner_id, title, caption, alt, visibility, status, allow_original, trashed_at)) FROM photos WHERE id = ${sq(id)}) AS photo,
      (SELECT json_group_array(json_array(r2_key, width)) FROM (SELECT * FROM photo_variants WHERE photo_id = ${sq(id)} ORDER BY width)) AS variants,
      (SELECT json_group_array(json_array(album_id, position, added_at)) FROM album_photos WHERE photo_id = ${sq(id)}) AS albums,
      (SELECT json_group_array(tag) FROM (SELECT tag FROM photo_tags WHERE photo_id = ${sq(id)} ORDER BY tag)) AS tags,
      (SELECT json_group_array(json_array(user_id, created_at)) FROM likes WHERE photo_id = ${sq(id)}) AS likes,
      (SELECT json_group_array(json_array(id, body)) FROM comments WHERE photo_id = ${sq(id)}) AS comments,
      (SELECT json_group_array(json_array(id, token, revoked_at)) FROM share_links WHERE target_id = ${sq(id)}) AS links,
      (SELECT count(*) FROM photo_search WHERE photo_id = ${sq(id)}) AS search_docs`);
  return row;
}

/** Every user table of the database with its columns (read once: the schema does not change). */
let schema;
async function tables() {
  schema ??= await srv.d1(
    // D1's own `_cf_` tables (made once the Worker opens a D1 session) refuse even a pragma.
    `SELECT m.name AS t, json_group_array(p.name) AS cols
     FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\') m,
       pragma_table_info(m.name) p
     GROUP BY m.name ORDER BY m.name`,
  );
  return schema
    .map(({ t, cols }) => ({ t, cols: JSON.parse(cols) }))
    // SQLite's and D1's own, and the FTS index's shadow tables (holding only text and numbers).
    .filter(({ t }) => !/^(sqlite_|_cf_|d1_)/.test(t) && !t.startsWith("photos_fts"));
}

/** The text of every row of every table, in one query: for "nothing of them is left". */
async function everyRow({ volatile = true } = {}) {
  const list = (await tables())
    // Sessions slide and rate limits count on every request: left out when comparing states.
    .filter(({ t }) => volatile || !["sessions", "rate_limits", "known_devices"].includes(t));
  // A few tables a SELECT (D1 caps compound SELECTs).
  const out = {};
  for (let i = 0; i < list.length; i += 6) {
    const part = list.slice(i, i + 6);
    const sql = part
      .map(({ t, cols }) => `(SELECT json_group_array(json_array(${cols.map((c) => `"${c}"`).join(", ")})) FROM "${t}") AS ${sq(t)}`)
      .join(", ");
    const [row] = await srv.d1(`SELECT ${sql}`);
    for (const { t } of part) out[t] = JSON.parse(row[t]).map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

function leftOf(rows, needles) {
  const found = [];
  for (const [table, list] of Object.entries(rows)) {
    for (const r of list) if (needles.some((n) => r.includes(n))) found.push(`${table}: ${r}`);
  }
  return found;
}

const r2Of = (id) => srv.r2Keys().filter((k) => k.includes(id));

/** What everyone may reach of `id`, as ids seen in each listing (for `who`). */
async function seen(id, cookie) {
  const has = (list) => list.some((c) => c.id === id);
  const feed = (await api("list_photos", {}, { cookie })).json.photos;
  const profile = (await api("get_profile", { username: A.username }, { cookie })).json.photos;
  const inAlbum = (await api("get_album", { id: album }, { cookie })).json.photos;
  const tagged = (await api("list_tagged", { tag: "harbour" }, { cookie })).json.photos;
  const found = (await api("search_photos", { q: "lighthouse" }, { cookie })).json.photos;
  const share = await api("get_share", { token: link });
  return {
    feed: has(feed),
    profile: has(profile),
    album: has(inAlbum),
    tagged: has(tagged),
    search: has(found),
    link: share.status,
    page: (await api("get_photo", { id }, { cookie })).status,
  };
}

before(async () => {
  srv = await startLumen("trash");
  // Passwords of their own: B typing A's password must be B typing a wrong one.
  Object.assign(A, await signUpAt(srv.base, { username: "tilda", password: "tilda's long password", ip: freshIp() }));
  Object.assign(B, await signUpAt(srv.base, { username: "bruno", password: "bruno's long password", ip: freshIp() }));
  P.kept = await photo(A.cookie, "kept lighthouse");
  P.back = await photo(A.cookie, "lighthouse back");
  P.purged = await photo(A.cookie, "purged lighthouse");
  P.now = await photo(A.cookie, "deleted now");
  P.hostile = await photo(A.cookie, HOSTILE);
  P.priv = await photo(A.cookie, "private one", "private");
  const r = await api("create_album", { title: "Harbour", description: "", visibility: "public" }, { cookie: A.cookie });
  assert.equal(r.status, 200, r.text);
  album = r.json;
  for (const p of [P.kept, P.back, P.purged]) {
    assert.equal((await api("add_to_album", { album_id: album, photo_id: p.id }, { cookie: A.cookie })).status, 200);
    assert.equal((await api("add_tags", { photo_id: p.id, tags: "harbour" }, { cookie: A.cookie })).status, 200);
    assert.equal((await api("like_photo", { id: p.id }, { cookie: B.cookie })).status, 200);
    assert.equal((await api("add_comment", { photo_id: p.id, body: "nice one" }, { cookie: B.cookie })).status, 200);
  }
  const l = await api("create_link", { photo_id: P.back.id, label: "for mum", expires: "never" }, { cookie: A.cookie });
  assert.equal(l.status, 200, l.text);
  const [{ token }] = await srv.d1(`SELECT token FROM share_links WHERE target_id = ${sq(P.back.id)}`);
  link = token;
});
after(async () => {
  await srv?.stop();
});

describe("trash and restore", () => {
  test("a deleted photo is gone from every listing, album, link and search; its media 404 to all but the owner", async () => {
    const rows = await rowsOf(P.back.id);
    const view = (await api("get_photo", { id: P.back.id }, { cookie: A.cookie })).json;
    const media = [...view.images.map((i) => i.url), `/original/${P.back.id}`];
    const live = { feed: true, profile: true, album: true, tagged: true, search: true, link: 200, page: 200 };
    assert.deepEqual(await seen(P.back.id, B.cookie), live);

    const del = await api("delete_photo", { id: P.back.id }, { cookie: A.cookie });
    assert.equal(del.status, 200, del.text);
    const gone = { feed: false, profile: false, album: false, tagged: false, search: false, link: 404, page: 404 };
    assert.deepEqual(await seen(P.back.id, B.cookie), gone, "to someone else");
    assert.deepEqual(await seen(P.back.id, undefined), gone, "to nobody signed in");
    assert.deepEqual(await seen(P.back.id, A.cookie), { ...gone, page: 200 }, "the owner's listings too");
    const liked = (await api("list_liked", {}, { cookie: B.cookie })).json.photos.map((c) => c.id);
    assert.ok(!liked.includes(P.back.id), "nor among the photos B liked");
    for (const url of view.images.map((i) => i.url)) {
      for (const cookie of [B.cookie, undefined]) assert.equal((await get(url, { cookie })).status, 404, url);
    }
    for (const url of media) assert.equal((await get(url, { cookie: A.cookie })).status, 200, `owner ${url}`);
    // The link's own media URLs are dead too.
    const shared = await get(`/s/${link}`);
    assert.equal(shared.status, 404);

    // The trash page: the owner's alone, with the days left.
    const trash = await (await get("/trash", { cookie: A.cookie })).text();
    assert.match(trash, /lighthouse back/);
    assert.match(trash, /30 days left/);
    assert.ok(!(await (await get("/trash", { cookie: B.cookie })).text()).includes("lighthouse back"));
    const listed = await api("list_trash", {}, { cookie: A.cookie });
    assert.deepEqual(listed.json.items.map((i) => [i.card.id, i.days_left]), [[P.back.id, 30]]);
    assert.deepEqual((await api("list_trash", {}, { cookie: B.cookie })).json.items, []);

    // Restore: one card's own button, as the form sends it.
    const back = await bulk([["one", `restore:${P.back.id}`]], A.cookie);
    assert.equal(back.status, 303);
    assert.equal(back.headers.get("location"), "/trash?done=restored");
    assert.deepEqual(await rowsOf(P.back.id), rows, "every row exactly as it was");
    assert.deepEqual(await seen(P.back.id, B.cookie), live);
    for (const url of view.images.map((i) => i.url)) assert.equal((await get(url, { cookie: B.cookie })).status, 200);
  });

  test("many at once from the profile's form, restored many at once; bad input is a clear 4xx that changes nothing", async () => {
    const ids = [P.kept.id, P.back.id];
    const moved = await bulk([["action", "trash"], ...ids.map((id) => ["photo", id])], A.cookie);
    assert.equal(moved.status, 303);
    assert.equal(moved.headers.get("location"), `/u/${A.username}?deleted=1`);
    assert.equal((await api("list_trash", {}, { cookie: A.cookie })).json.items.length, 2);
    const before = await everyRow({ volatile: false });
    for (const [fields, status] of [
      [[["action", "restore"]], 422],
      [[["action", "explode"], ["photo", P.kept.id]], 422],
      [[["action", "restore"], ...Array.from({ length: 101 }, (_, i) => ["photo", `p${i}`])], 422],
      [[["action", "restore"], ["photo", "../../etc/passwd"]], 404],
      [[["action", "restore"], ["photo", P.kept.id], ["photo", "no-such-photo"]], 404],
      [[["action", "trash"], ["photo", P.kept.id]], 404],
      [[["one", `delete:${P.hostile.id}`]], 404],
    ]) {
      const r = await bulk(fields, A.cookie, { accept: "application/json" });
      assert.equal(r.status, status, JSON.stringify(fields));
    }
    // As a plain form: the page it came from, with the reason.
    const form = await bulk([["action", "restore"]], A.cookie, { accept: "text/html", referer: `${srv.base}/trash`, origin: srv.base });
    assert.equal(form.status, 422);
    assert.match(await form.text(), /Choose at least one photo/);
    assert.deepEqual(await everyRow({ volatile: false }), before, "nothing changed");
    const restored = await bulk([["action", "restore"], ...ids.map((id) => ["photo", id])], A.cookie);
    assert.equal(restored.status, 303);
    assert.deepEqual((await api("list_trash", {}, { cookie: A.cookie })).json.items, []);
  });

  test("hostile titles stay inert on the trash page", async () => {
    assert.equal((await api("delete_photo", { id: P.hostile.id }, { cookie: A.cookie })).status, 200);
    const html = await (await get("/trash", { cookie: A.cookie })).text();
    const body = html.slice(html.indexOf("<body"));
    assert.ok(!body.includes("<script>alert(1)</script>"));
    assert.ok(body.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.ok(!body.includes("\u202E"), "no bidi override reaches the page");
    assert.equal((await bulk([["one", `restore:${P.hostile.id}`]], A.cookie)).status, 303);
  });
});

describe("purge", () => {
  test("after 30 days, even cut off half-way and run again, no row and no object of the photo is left; twice is harmless", async () => {
    const id = P.purged.id;
    assert.equal((await api("delete_photo", { id }, { cookie: A.cookie })).status, 200);
    const objects = r2Of(id);
    assert.ok(objects.length >= 2, `original and variants: ${objects}`);
    assert.deepEqual(await purge({ at: Date.now() + 29 * DAY }), { photos: 0, objects: 0 }, "not yet");
    assert.equal(r2Of(id).length, objects.length);

    const later = Date.now() + 31 * DAY;
    // Cut off after the rows went and one object.
    assert.deepEqual(await purge({ at: later, budget: 1 }), { photos: 1, objects: 1 });
    assert.equal(r2Of(id).length, objects.length - 1);
    assert.equal((await srv.d1(`SELECT count(*) AS n FROM photos WHERE id = ${sq(id)}`))[0].n, 0);
    assert.equal((await srv.d1("SELECT count(*) AS n FROM deletions"))[0].n, objects.length - 1, "the rest is recorded");
    // Cut off before any object.
    assert.deepEqual(await purge({ at: later, budget: 0 }), { photos: 0, objects: 0 });
    // The next run finishes it.
    assert.deepEqual(await purge({ at: later }), { photos: 0, objects: objects.length - 1 });
    assert.deepEqual(r2Of(id), []);
    assert.deepEqual(leftOf(await everyRow(), [id]), [], "no row names it");
    assert.deepEqual(await purge({ at: later }), { photos: 0, objects: 0 }, "twice is harmless");
    // The album stays, and so do the others in it.
    const inAlbum = (await api("get_album", { id: album }, { cookie: A.cookie })).json.photos.map((c) => c.id);
    assert.deepEqual(inAlbum.sort(), [P.kept.id, P.back.id].sort());
  });

  test("delete now takes the same path, for trashed photos only", async () => {
    const id = P.now.id;
    assert.equal((await bulk([["one", `delete:${id}`]], A.cookie, { accept: "application/json" })).status, 404, "not in the trash");
    assert.equal((await api("delete_photo", { id }, { cookie: A.cookie })).status, 200);
    const r = await bulk([["action", "delete"], ["photo", id]], A.cookie);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), "/trash?done=deleted");
    assert.deepEqual(r2Of(id), []);
    assert.deepEqual(leftOf(await everyRow(), [id]), []);
  });
});

describe("other people and other sites", () => {
  test("IDOR sweep: someone else's trash answers like a made-up id and changes nothing", async () => {
    assert.equal((await api("delete_photo", { id: P.kept.id }, { cookie: A.cookie })).status, 200);
    const before = await everyRow({ volatile: false });
    const ghost = "zzzzzzzzzzzzzzzzzzzz";
    for (const [who, cookie] of [["B", B.cookie], ["anonymous", undefined]]) {
      for (const action of ["restore", "delete"]) {
        const real = await bulk([["one", `${action}:${P.kept.id}`]], cookie, { accept: "application/json" });
        const fake = await bulk([["one", `${action}:${ghost}`]], cookie, { accept: "application/json" });
        assert.equal(real.status, cookie ? 404 : 401, `${who} ${action}`);
        assert.deepEqual([real.status, await real.text()], [fake.status, await fake.text()], `${who} ${action}`);
      }
      // Trashing: a private photo is a made-up id; a public one is not theirs.
      const priv = await bulk([["action", "trash"], ["photo", P.priv.id]], cookie, { accept: "application/json" });
      assert.equal(priv.status, cookie ? 404 : 401, `${who} trash private`);
      const pub = await bulk([["action", "trash"], ["photo", P.back.id]], cookie, { accept: "application/json" });
      assert.equal(pub.status, cookie ? 403 : 401, `${who} trash public`);
      assert.equal((await api("list_trash", {}, { cookie })).status, cookie ? 200 : 401);
      assert.equal((await api("delete_account", { password: A.password }, { cookie })).status, cookie ? 422 : 401);
    }
    assert.deepEqual(await everyRow({ volatile: false }), before, "nothing changed");
    assert.equal((await bulk([["one", `restore:${P.kept.id}`]], A.cookie)).status, 303);
  });

  test("cross-site POSTs to every new mutation are refused (403) and change nothing", async () => {
    assert.equal((await api("delete_photo", { id: P.kept.id }, { cookie: A.cookie })).status, 200);
    const before = await everyRow({ volatile: false });
    const CROSS = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { origin: "null" }];
    for (const headers of CROSS) {
      for (const fields of [
        [["one", `restore:${P.kept.id}`]],
        [["one", `delete:${P.kept.id}`]],
        [["action", "trash"], ["photo", P.back.id]],
      ]) {
        const r = await bulk(fields, A.cookie, headers);
        assert.equal(r.status, 403, `${JSON.stringify(fields)} ${JSON.stringify(headers)}`);
        const form = await bulk(fields, A.cookie, { ...headers, accept: "text/html", referer: "https://evil.example/x" });
        assert.equal(form.status, 403);
      }
      const r = await api("delete_account", { password: A.password }, { cookie: A.cookie, headers });
      assert.deepEqual([r.status, r.json], [403, { error: "forbidden" }]);
    }
    assert.deepEqual(await everyRow({ volatile: false }), before, "nothing changed");
    assert.equal((await bulk([["one", `restore:${P.kept.id}`]], A.cookie)).status, 303);
  });
});

describe("export", () => {
  test("the zip holds every original byte for byte and photos.json says what Lumen knows", async () => {
    assert.equal((await bulk([["action", "trash"], ["photo", P.hostile.id]], A.cookie)).status, 303, "the trash stays out");
    const r = await get("/export.zip", { cookie: A.cookie });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(r.headers.get("content-type"), "application/zip");
    assert.match(r.headers.get("content-disposition"), /attachment; filename="lumen-tilda.zip"/);
    const files = unzip(Buffer.from(await r.arrayBuffer()));
    const json = JSON.parse(files["photos.json"].toString());
    assert.equal(json.format, "lumen-export-v1");
    assert.equal(json.username, A.username);
    const live = [P.kept, P.back, P.priv];
    assert.deepEqual(json.photos.map((p) => p.id).sort(), live.map((p) => p.id).sort());
    assert.deepEqual(Object.keys(files).sort(), ["photos.json", ...json.photos.map((p) => p.file)].sort());
    for (const p of live) {
      const entry = json.photos.find((e) => e.id === p.id);
      assert.ok(files[entry.file].equals(p.bytes), `${entry.file} is the original, byte for byte`);
    }
    const kept = json.photos.find((e) => e.id === P.kept.id);
    assert.deepEqual(
      [kept.title, kept.caption, kept.tags, kept.albums, kept.visibility, kept.content_type],
      ["kept lighthouse", "caption of kept lighthouse", ["harbour"], ["Harbour"], "public", "image/png"],
    );
    assert.equal(json.photos.find((e) => e.id === P.priv.id).visibility, "private");
    assert.match(kept.uploaded_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const [{ id: owner }] = await srv.d1("SELECT id FROM users WHERE username = 'tilda'");
    const [row] = await srv.d1(`SELECT r2_key, expires_at FROM exports WHERE user_id = ${sq(owner)}`);
    assert.equal(row.r2_key, `export/${owner}/photos.json`);
    assert.ok(Math.abs(row.expires_at - (Date.now() + DAY)) < 120_000, "kept for a day");
    // Nobody else's, and never from another site.
    assert.equal((await get("/export.zip")).status, 401);
    assert.equal((await get("/export.zip", { cookie: A.cookie, headers: { "sec-fetch-site": "cross-site" } })).status, 403);
    assert.equal((await bulk([["one", `restore:${P.hostile.id}`]], A.cookie)).status, 303);
  });
});

describe("deleting an account", () => {
  test("after the password, nothing of the person is left in any table or in R2", async () => {
    const C = await signUpAt(srv.base, { username: "carla", password: "carla's long password", ip: freshIp() });
    const mine = [await photo(C.cookie, "carla one"), await photo(C.cookie, "carla two", "private")];
    const al = await api("create_album", { title: "carla's", description: "", visibility: "public" }, { cookie: C.cookie });
    assert.equal((await api("add_to_album", { album_id: al.json, photo_id: mine[0].id }, { cookie: C.cookie })).status, 200);
    assert.equal((await api("create_link", { photo_id: mine[0].id, label: "x", expires: "never" }, { cookie: C.cookie })).status, 200);
    assert.equal((await api("like_photo", { id: P.kept.id }, { cookie: C.cookie })).status, 200);
    assert.equal((await api("add_comment", { photo_id: P.kept.id, body: "carla was here" }, { cookie: C.cookie })).status, 200);
    assert.equal((await api("delete_photo", { id: mine[1].id }, { cookie: C.cookie })).status, 200, "one in the trash");
    const ex = await get("/export.zip", { cookie: C.cookie });
    assert.equal(ex.status, 200, "and an export");
    await ex.arrayBuffer();
    const [{ id: userId }] = await srv.d1("SELECT id FROM users WHERE username = 'carla'");
    const needles = [userId, "carla", ...mine.map((p) => p.id)];
    assert.ok(leftOf(await everyRow(), needles).length > 8);
    const othersBefore = leftOf(await everyRow(), [A.username, B.username]).length;

    const wrong = await api("delete_account", { password: "not my password" }, { cookie: C.cookie });
    assert.equal(wrong.status, 422, wrong.text);
    assert.ok(leftOf(await everyRow(), needles).length > 8, "a wrong password changes nothing");

    const r = await api("delete_account", { password: C.password }, { cookie: C.cookie });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get("set-cookie") ?? "", /Max-Age=0/i, "signed out");
    assert.deepEqual(leftOf(await everyRow(), needles), [], "no row of theirs");
    assert.deepEqual(srv.r2Keys().filter((k) => needles.some((n) => k.includes(n))), [], "no object of theirs");
    assert.equal(leftOf(await everyRow(), [A.username, B.username]).length, othersBefore, "nobody else's");
    assert.equal((await api("list_trash", {}, { cookie: C.cookie })).status, 401, "the session ended");
    assert.equal((await api("get_profile", { username: "carla" })).status, 404);
  });
});

describe("in the browser", () => {
  const SHOTS = join(ROOT, "target", "shots-trash");
  let browser;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch(CHROMIUM_OPTIONS);
  });
  after(async () => {
    await browser?.close().catch(() => {});
  });

  for (const js of [true, false]) {
    test(`trash and restore with JavaScript ${js ? "on" : "off"}`, async () => {
      const ctx = await browser.newContext({ javaScriptEnabled: js, viewport: { width: 1280, height: 800 } });
      const [name, value] = A.cookie.split("=");
      await ctx.addCookies([{ name, value, url: srv.base }]);
      const page = await ctx.newPage();
      try {
        // Delete from the photo page, as a person does.
        await page.goto(`${srv.base}/p/${P.kept.id}`);
        await page.getByText("Delete this photo…").click();
        await page.getByRole("button", { name: "Move to trash" }).click();
        await page.waitForURL(/\/u\/tilda\?deleted=1/);
        await page.getByRole("link", { name: "Restore it from the trash" }).click();
        await page.waitForURL(/\/trash$/);
        await page.getByText("30 days left").first().waitFor();
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 844 });
          await page.screenshot({ path: join(SHOTS, `trash-js-${js ? "on" : "off"}-${width}.png`), fullPage: true });
        }
        await page.getByRole("button", { name: /^Restore kept lighthouse/ }).click();
        await page.waitForURL(/\/trash\?done=restored/);
        await page.getByText("The trash is empty.").waitFor();
        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({ path: join(SHOTS, `trash-empty-js-${js ? "on" : "off"}-390.png`), fullPage: true });
        assert.equal((await api("get_photo", { id: P.kept.id }, { cookie: B.cookie })).status, 200, "back for everyone");
        // The other pages this issue changed, at both widths.
        for (const [label, path] of [["settings", "/settings"], ["profile", `/u/${A.username}`], ["photo", `/p/${P.kept.id}`]]) {
          await page.goto(`${srv.base}${path}`);
          for (const d of await page.locator("details").all()) await d.evaluate((e) => (e.open = true)).catch(() => {});
          for (const width of [1280, 390]) {
            await page.setViewportSize({ width, height: 844 });
            await page.screenshot({ path: join(SHOTS, `${label}-js-${js ? "on" : "off"}-${width}.png`), fullPage: true });
          }
        }
      } finally {
        await ctx.close();
      }
    });
  }
});
