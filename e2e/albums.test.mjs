// Albums against `wrangler dev` (issue 11): who may see and change them, photos keeping their own
// visibility inside albums (covers included), order, cross-site refusals and hostile text.
// Run: node e2e/runner.mjs e2e/albums.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startLumen } from "./harness.mjs";
import { api as apiAt, makeRgbaPng, signUp as signUpAt, upload as uploadAt, waitProcessed } from "./helpers.mjs";

let srv;
let ipSeq = 0;
const freshIp = () => {
  ipSeq += 1;
  return `10.1.${ipSeq >> 8}.${ipSeq & 255}`;
};
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const html = async (path, cookie) => {
  const res = await fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: cookie ? { cookie } : {},
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
};
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;

const A = {};
const B = {};
/** A's photos by visibility: { public, unlisted, private } → id. */
const P = {};
/** A's albums by visibility → id. */
const AL = {};

async function state() {
  const [row] = await srv.d1(`SELECT
    (SELECT json_group_array(json_array(id, title, description, visibility, cover_photo_id, sort, updated_at))
       FROM (SELECT * FROM albums ORDER BY id)) AS albums,
    (SELECT json_group_array(json_array(album_id, photo_id, position))
       FROM (SELECT * FROM album_photos ORDER BY album_id, photo_id)) AS members,
    (SELECT COUNT(*) FROM photos) AS photos`);
  return row;
}

before(async () => {
  srv = await startLumen("albums");
  Object.assign(A, await signUpAt(srv.base, { username: "alma", ip: freshIp() }));
  Object.assign(B, await signUpAt(srv.base, { username: "bert", ip: freshIp() }));
  for (const vis of ["public", "unlisted", "private"]) {
    const res = await uploadAt(srv.base, [{ name: `${vis}.png`, bytes: makeRgbaPng(40, 30), type: "image/png" }], {
      cookie: A.cookie,
    });
    assert.equal(res.status, 201);
    const [{ id }] = (await res.json()).photos;
    await waitProcessed(srv.base, id, 60_000, { cookie: A.cookie });
    const edit = await api(
      "update_photo",
      { id, title: `${vis} photo`, caption: "", alt: "", visibility: vis },
      { cookie: A.cookie },
    );
    assert.equal(edit.status, 200, edit.text);
    P[vis] = id;
  }
  for (const vis of ["public", "unlisted", "private"]) {
    const r = await api("create_album", { title: `${vis} album`, description: "by the sea", visibility: vis }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    AL[vis] = r.json;
    for (const photo of ["private", "unlisted", "public"]) {
      assert.equal((await api("add_to_album", { album_id: AL[vis], photo_id: P[photo] }, { cookie: A.cookie })).status, 200);
    }
  }
  // The owner picks the private photo as the public album's cover.
  assert.equal((await api("set_album_cover", { album_id: AL.public, photo_id: P.private }, { cookie: A.cookie })).status, 200);
});

after(async () => {
  await srv?.stop();
});

describe("reading albums", () => {
  test("the owner sees every photo; others see each photo's own visibility, never a private one", async () => {
    const mine = await api("get_album", { id: AL.public }, { cookie: A.cookie });
    assert.deepEqual(mine.json.photos.map((c) => c.id), [P.private, P.unlisted, P.public]);
    assert.equal(mine.json.cover_photo_id, P.private);
    for (const cookie of [B.cookie, undefined]) {
      const pub = await api("get_album", { id: AL.public }, { cookie });
      assert.deepEqual(pub.json.photos.map((c) => c.id), [P.public], "a listed album shows public photos only");
      assert.equal(pub.json.cover_photo_id, P.public, "never the private cover");
      const unl = await api("get_album", { id: AL.unlisted }, { cookie });
      assert.deepEqual(unl.json.photos.map((c) => c.id), [P.unlisted, P.public]);
      const priv = await api("get_album", { id: AL.private }, { cookie });
      assert.equal(priv.status, 404);
      assert.deepEqual(priv.json, (await api("get_album", { id: "made-up-id" }, { cookie })).json, "like a made-up id");
      const page = await html(`/a/${AL.public}`, cookie);
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(`<meta property="og:url" content="${srv.base}/a/${AL.public}">`), "absolute preview URL");
      assert.ok(!page.text.includes(P.private) && !page.text.includes(P.unlisted), "no trace of the hidden photos");
      assert.equal((await html(`/a/${AL.private}`, cookie)).status, 404);
    }
  });

  test("profiles: the Albums tab lists public albums to others and all to the owner", async () => {
    // The owner chose the private photo as the cover: others get the first they may see
    // (known by its placeholder, made its own here: these photos have no variants).
    const phPrivate = "#010203";
    await srv.d1(`UPDATE photos SET placeholder = ${sq(phPrivate)} WHERE id = ${sq(P.private)}`);
    const phPublic = (await srv.d1(`SELECT placeholder FROM photos WHERE id = ${sq(P.public)}`))[0].placeholder;
    assert.notEqual(phPublic, phPrivate);
    const others = await api("list_albums", { username: "alma" }, { cookie: B.cookie });
    assert.deepEqual(others.json.map((a) => a.id), [AL.public]);
    assert.equal(others.json[0].count, 1);
    assert.equal(others.json[0].placeholder, phPublic, JSON.stringify(others.json[0]));
    assert.ok(!JSON.stringify(others.json).includes(P.private), "never the private cover");
    const own = await api("list_albums", { username: "alma" }, { cookie: A.cookie });
    assert.deepEqual(new Set(own.json.map((a) => a.id)), new Set(Object.values(AL)));
    const ownPublic = own.json.find((a) => a.id === AL.public);
    assert.equal(ownPublic.placeholder, phPrivate, "the owner sees their choice");
    const page = await html("/u/alma?tab=albums");
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`href="/a/${AL.public}"`));
    assert.ok(!page.text.includes(AL.private) && !page.text.includes(AL.unlisted));
    assert.ok(!page.text.includes(phPrivate), "nor its placeholder");
  });

  test("a photo opened from an album links to its neighbours there", async () => {
    const page = await html(`/p/${P.unlisted}?album=${AL.unlisted}`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`href="/p/${P.public}\\?album=${AL.unlisted}" rel="next"`));
    assert.ok(!page.text.includes(P.private), "no link to the private neighbour");
  });
});

describe("changing albums", () => {
  test("order: move earlier / later rewrites one row and the page follows", async () => {
    const before = (await srv.d1(`SELECT photo_id, position FROM album_photos WHERE album_id = ${sq(AL.private)}`)).length;
    assert.equal(
      (await api("move_in_album", { album_id: AL.private, photo_id: P.public, direction: "earlier" }, { cookie: A.cookie })).status,
      200,
    );
    const order = (await api("get_album", { id: AL.private }, { cookie: A.cookie })).json.photos.map((c) => c.id);
    assert.deepEqual(order, [P.private, P.public, P.unlisted]);
    assert.equal((await srv.d1(`SELECT photo_id FROM album_photos WHERE album_id = ${sq(AL.private)}`)).length, before);
    const bad = await api("move_in_album", { album_id: AL.private, photo_id: P.public, direction: "sideways" }, { cookie: A.cookie });
    assert.equal(bad.status, 422);
  });

  test("another user and anonymous change nothing: 403, 404 or 401", async () => {
    const was = await state();
    const calls = (album) => [
      ["update_album", { id: album, title: "pwned", description: "pwned", visibility: "public", sort: "manual" }],
      ["delete_album", { id: album }],
      ["add_to_album", { album_id: album, photo_id: P.public }],
      ["remove_from_album", { album_id: album, photo_id: P.public }],
      ["move_in_album", { album_id: album, photo_id: P.public, direction: "later" }],
      ["set_album_cover", { album_id: album, photo_id: P.public }],
      ["place_in_album", { album_id: album, photo_id: P.public, before: P.private }],
    ];
    for (const [who, cookie] of [["B", B.cookie], ["anonymous", undefined]]) {
      for (const vis of ["public", "unlisted", "private"]) {
        for (const [name, params] of calls(AL[vis])) {
          const r = await api(name, params, { cookie });
          const want = cookie ? (vis === "private" ? 404 : 403) : 401;
          assert.equal(r.status, want, `${who} ${name} on the ${vis} album: ${r.text}`);
        }
      }
    }
    // B cannot put A's photo in B's own album either.
    const mine = await api("create_album", { title: "bert's", visibility: "private" }, { cookie: B.cookie });
    const steal = await api("add_to_album", { album_id: mine.json, photo_id: P.private }, { cookie: B.cookie });
    assert.equal(steal.status, 404);
    const stealPublic = await api("add_to_album", { album_id: mine.json, photo_id: P.public }, { cookie: B.cookie });
    assert.equal(stealPublic.status, 403);
    assert.equal((await srv.d1(`SELECT COUNT(*) AS n FROM album_photos WHERE album_id = ${sq(mine.json)}`))[0].n, 0);
    assert.equal((await api("album_choices", { photo_id: P.public }, { cookie: B.cookie })).status, 403);
    const now = await state();
    assert.deepEqual(JSON.parse(now.albums).filter((a) => a[0] !== mine.json), JSON.parse(was.albums));
    assert.equal(now.members, was.members);
  });

  test("cross-site posts carrying the owner's session are refused and change nothing", async () => {
    const was = await state();
    for (const [name, params] of [
      ["create_album", { title: "csrf", visibility: "public" }],
      ["update_album", { id: AL.public, title: "csrf", description: "", visibility: "public", sort: "manual" }],
      ["delete_album", { id: AL.public }],
      ["add_to_album", { album_id: AL.private, photo_id: P.public }],
      ["remove_from_album", { album_id: AL.public, photo_id: P.public }],
      ["move_in_album", { album_id: AL.public, photo_id: P.public, direction: "earlier" }],
      ["set_album_cover", { album_id: AL.public, photo_id: P.public }],
      ["place_in_album", { album_id: AL.public, photo_id: P.public, before: P.private }],
    ]) {
      for (const headers of [{ "sec-fetch-site": "cross-site" }, { origin: "https://evil.example" }]) {
        const r = await api(name, params, { cookie: A.cookie, headers });
        assert.equal(r.status, 403, `${name} ${JSON.stringify(headers)}`);
      }
    }
    assert.deepEqual(await state(), was);
  });

  test("deleting an album keeps its photos", async () => {
    const photos = (await state()).photos;
    const r = await api("delete_album", { id: AL.unlisted }, { cookie: A.cookie });
    assert.equal(r.status, 200);
    assert.equal((await api("get_album", { id: AL.unlisted }, { cookie: A.cookie })).status, 404);
    assert.equal((await state()).photos, photos);
    assert.equal((await srv.d1(`SELECT COUNT(*) AS n FROM album_photos WHERE album_id = ${sq(AL.unlisted)}`))[0].n, 0);
  });
});

describe("choosing several photos at once (the bulk form)", () => {
  const bulk = (params, { cookie, headers = {} } = {}) => {
    const body = new URLSearchParams();
    for (const [k, v] of params) body.append(k, v);
    return fetch(`${srv.base}/albums/bulk`, {
      method: "POST",
      body,
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}), ...headers },
    });
  };

  test("the owner adds and removes several photos in one post (a `photo` field each)", async () => {
    const made = await api("create_album", { title: "bulk", visibility: "private" }, { cookie: A.cookie });
    const album = made.json;
    const add = await bulk([["album_id", album], ["action", "add"], ["photo", P.public], ["photo", P.unlisted]], { cookie: A.cookie });
    assert.equal(add.status, 303);
    assert.equal(add.headers.get("location"), `/a/${album}`);
    const ids = async () => (await api("get_album", { id: album }, { cookie: A.cookie })).json.photos.map((c) => c.id);
    assert.deepEqual(await ids(), [P.public, P.unlisted]);
    const remove = await bulk([["album_id", album], ["action", "remove"], ["photo", P.public]], { cookie: A.cookie });
    assert.equal(remove.status, 303);
    assert.deepEqual(await ids(), [P.unlisted]);
    // Refusals change nothing: no photo, another's album, cross-site, signed out.
    const none = await bulk([["album_id", album], ["action", "add"]], { cookie: A.cookie });
    assert.equal(none.status, 422);
    const was = await state();
    const mine = (await api("create_album", { title: "bert's bulk", visibility: "public" }, { cookie: B.cookie })).json;
    const afterB = await state();
    for (const [label, params, opts, want] of [
      ["B into A's album", [["album_id", AL.public], ["action", "add"], ["photo", P.public]], { cookie: B.cookie }, 403],
      ["B into A's private album", [["album_id", album], ["action", "remove"], ["photo", P.unlisted]], { cookie: B.cookie }, 404],
      ["A's photos into B's album", [["album_id", mine], ["action", "add"], ["photo", P.private]], { cookie: B.cookie }, 404],
      ["cross-site", [["album_id", album], ["action", "add"], ["photo", P.public]], { cookie: A.cookie, headers: { "sec-fetch-site": "cross-site" } }, 403],
      ["anonymous", [["album_id", album], ["action", "add"], ["photo", P.public]], {}, 401],
    ]) {
      const r = await bulk(params, opts);
      assert.equal(r.status, want, label);
      await r.arrayBuffer();
    }
    assert.equal((await state()).members, afterB.members);
    assert.equal(JSON.parse(afterB.albums).length, JSON.parse(was.albums).length + 1);
  });
});

describe("uploading straight into an album", () => {
  const send = (album, cookie) => {
    const form = new FormData();
    form.append("album", album);
    form.append("photos", new Blob([makeRgbaPng(12, 9)], { type: "image/png" }), "into.png");
    return fetch(`${srv.base}/upload`, { method: "POST", body: form, redirect: "manual", headers: { cookie } });
  };

  test("the photos land in the album (the form's album field), and the plain form goes to them there", async () => {
    const r = await send(AL.public, A.cookie);
    assert.equal(r.status, 303);
    const to = r.headers.get("location");
    assert.match(to, new RegExp(`^/p/[a-z0-9]+\\?album=${AL.public}$`));
    const id = to.split("/").at(-1).split("?")[0];
    const members = await srv.d1(`SELECT photo_id FROM album_photos WHERE album_id = ${sq(AL.public)} AND photo_id = ${sq(id)}`);
    assert.equal(members.length, 1);
  });

  test("someone else's album, or a made-up one, stores nothing", async () => {
    const before = (await state()).photos;
    const originals = srv.r2Count("orig/");
    for (const [album, want] of [[AL.public, 403], [AL.private, 404], ["made-up", 404]]) {
      const r = await send(album, B.cookie);
      assert.equal(r.status, want, album);
      await r.arrayBuffer();
    }
    assert.equal((await state()).photos, before);
    assert.equal(srv.r2Count("orig/"), originals);
  });
});

describe("downloading an album", () => {
  test("the owner gets a zip of the originals, exact length, checked file by file by Python's zipfile", async () => {
    const res = await fetch(`${srv.base}/a/${AL.private}/download`, { headers: { cookie: A.cookie } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get("content-type"), "application/zip");
    assert.match(res.headers.get("content-disposition"), /^attachment; filename="private-album\.zip"$/);
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    const zip = Buffer.from(await res.arrayBuffer());
    const declared = res.headers.get("content-length");
    assert.equal(Number(declared), zip.length, "Content-Length is the archive's length");
    const dir = mkdtempSync(join(tmpdir(), "lumen-zip-"));
    writeFileSync(join(dir, "a.zip"), zip);
    const listing = JSON.parse(
      execFileSync("python3", [
        "-c",
        "import json,sys,zipfile,hashlib\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n" +
          "print(json.dumps([[i.filename,i.compress_type,hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))",
        join(dir, "a.zip"),
      ]).toString(),
    );
    // The album's own order (public was moved earlier above), stored, every original byte for byte.
    const order = (await api("get_album", { id: AL.private }, { cookie: A.cookie })).json.photos.map((c) => c.id);
    assert.deepEqual(listing.map((e) => e[0]), order.map((id) => `${Object.keys(P).find((k) => P[k] === id)} photo.png`));
    for (const [i, id] of order.entries()) {
      const [{ owner_id }] = await srv.d1(`SELECT owner_id FROM photos WHERE id = ${sq(id)}`);
      const original = srv.r2Get(`orig/${owner_id}/${id}`);
      assert.equal(listing[i][1], 0, "stored, not deflated");
      assert.equal(listing[i][2], createHash("sha256").update(original).digest("hex"), listing[i][0]);
    }
  });

  test("nobody else may download it, whatever the album's visibility", async () => {
    for (const vis of ["public", "private"]) {
      for (const cookie of [B.cookie, undefined]) {
        const r = await fetch(`${srv.base}/a/${AL[vis]}/download`, { headers: cookie ? { cookie } : {} });
        assert.equal(r.status, 404, `${vis} album`);
        await r.arrayBuffer();
      }
    }
  });
});

describe("text people type in albums is rendered inert", () => {
  const X = {
    script: "<script>alert(1)</script>",
    attr: `"><img src=x onerror=alert(2)>`,
    title: "</title><script>alert(4)</script>",
    textarea: "</textarea><script>alert(5)</script>",
  };
  test("titles and descriptions: page, <title>, og:title and the owner's edit form", async () => {
    const title = (X.title + X.attr).slice(0, 100);
    const r = await api(
      "create_album",
      { title, description: Object.values(X).join("\n"), visibility: "public" },
      { cookie: A.cookie },
    );
    assert.equal(r.status, 200, r.text);
    for (const cookie of [undefined, A.cookie]) {
      const page = await html(`/a/${r.json}`, cookie);
      assert.equal(page.status, 200);
      for (const [k, v] of Object.entries(X)) assert.ok(!page.text.includes(v), `raw ${k} payload`);
      assert.doesNotMatch(page.text, /<script>alert|<img src=x/i);
      assert.ok(page.text.includes("&lt;script&gt;alert("), "shown escaped");
    }
    const blank = await api("create_album", { title: " \u200b\u2060 ", visibility: "public" }, { cookie: A.cookie });
    assert.equal(blank.status, 422);
    assert.equal(blank.json.reason, "An album needs a title.");
    const bad = await api("create_album", { title: "x", visibility: "everyone" }, { cookie: A.cookie });
    assert.equal(bad.status, 422);
  });
});
