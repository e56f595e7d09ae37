// Tags, search, camera and lens pages against `wrangler dev` (issue 12): who finds what (never
// another person's unlisted or private photo, all of one's own), broken page links, the tag
// forms' IDOR and cross-site sweeps, hostile tags rendered inert, and the backup round trip.
// Run: node e2e/runner.mjs e2e/search.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, startLumen } from "./harness.mjs";
import { api as apiAt, gpsJpeg, signUp as signUpAt, upload as uploadAt, waitProcessed } from "./helpers.mjs";

let srv;
let ipSeq = 0;
const freshIp = () => {
  ipSeq += 1;
  return `10.12.${ipSeq >> 8}.${ipSeq & 255}`;
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
const q = (s) => `/search?q=${encodeURIComponent(s)}`;

const A = {};
const B = {};
/** A's photos by visibility, and B's private one. */
const P = {};

async function tagState() {
  const [row] = await srv.d1(`SELECT
    (SELECT json_group_array(json_array(photo_id, tag)) FROM (SELECT * FROM photo_tags ORDER BY photo_id, tag)) AS tags,
    (SELECT COUNT(*) FROM photos_fts) AS docs`);
  return row;
}

let made = 0;
async function photo(owner, title, visibility) {
  // A different width each time: one person's identical files are one photo (duplicates).
  const res = await uploadAt(srv.base, [{ name: "camera.jpg", bytes: gpsJpeg(120 + made++, 80), type: "image/jpeg" }], {
    cookie: owner.cookie,
  });
  assert.equal(res.status, 201);
  const [{ id }] = (await res.json()).photos;
  await waitProcessed(srv.base, id, 60_000, { cookie: owner.cookie });
  const edit = await api("update_photo", { id, title, caption: "the lighthouse at dusk", alt: "", visibility }, { cookie: owner.cookie });
  assert.equal(edit.status, 200, edit.text);
  return id;
}

before(async () => {
  srv = await startLumen("search");
  Object.assign(A, await signUpAt(srv.base, { username: "sara", ip: freshIp() }));
  Object.assign(B, await signUpAt(srv.base, { username: "tomas", ip: freshIp() }));
  for (const vis of ["public", "unlisted", "private"]) {
    P[vis] = await photo(A, `Lighthouse ${vis}`, vis);
    const t = await api("add_tags", { photo_id: P[vis], tags: "Coast, golden   Hour" }, { cookie: A.cookie });
    assert.equal(t.status, 200, t.text);
  }
  P.bobs = await photo(B, "Lighthouse of Tomas", "private");
});

after(async () => {
  await srv?.stop();
});

describe("finding photos", () => {
  test("tag pages list public, finished photos only, whoever looks", async () => {
    for (const cookie of [undefined, B.cookie, A.cookie]) {
      for (const path of ["/t/coast", "/t/golden%20hour", "/t/COAST"]) {
        const page = await html(path, cookie);
        assert.equal(page.status, 200, path);
        assert.ok(page.text.includes(`href="/p/${P.public}`), `${path} lists the public photo`);
        assert.ok(!page.text.includes(P.unlisted) && !page.text.includes(P.private), `${path}: nothing hidden`);
      }
      const api1 = await api("list_tagged", { tag: "coast" }, { cookie });
      assert.deepEqual(api1.json.photos.map((c) => c.id), [P.public]);
    }
    const none = await html("/t/nothing-here");
    assert.equal(none.status, 200);
    assert.match(none.text, /No public photos have this tag yet/);
  });

  test("a tag's Atom feed: valid XML, its public photos only, absolute URLs, linked from the page", async () => {
    const res = await html("/t/coast/feed.atom");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/atom+xml; charset=utf-8");
    assert.match(res.headers.get("cache-control"), /^public/);
    const feed = JSON.parse(
      execFileSync(
        "python3",
        [
          "-c",
          'import json,sys,xml.etree.ElementTree as ET\nns={"a":"http://www.w3.org/2005/Atom"}\nr=ET.fromstring(sys.stdin.buffer.read())\n' +
            'print(json.dumps({"title":r.findtext("a:title",namespaces=ns),"entries":[e.findtext("a:id",namespaces=ns) for e in r.findall("a:entry",ns)],"links":[l.get("href") for l in r.iter("{http://www.w3.org/2005/Atom}link")]}))',
        ],
        { input: res.text },
      ).toString(),
    );
    assert.equal(feed.title, "#coast on Lumen");
    assert.equal(feed.entries.length, 1);
    assert.ok(feed.entries[0].includes(P.public));
    assert.ok(feed.links.every((l) => l.startsWith(srv.base)), feed.links.join());
    assert.ok(!res.text.includes(P.unlisted) && !res.text.includes(P.private));
    const alternates = [...(await html("/t/coast")).text.matchAll(/<link [^>]*>/g)]
      .map((m) => m[0])
      .filter((tag) => tag.includes('rel="alternate"') && tag.includes('type="application/atom+xml"'));
    assert.deepEqual(alternates.map((tag) => tag.match(/href="([^"]*)"/)[1]), ["/t/coast/feed.atom"]);
  });

  test("the photo page links its tags, and camera and lens facts, to their pages", async () => {
    const page = await html(`/p/${P.public}`);
    assert.ok(page.text.includes('href="/t/coast"'));
    assert.ok(page.text.includes('href="/t/golden%20hour"'));
    assert.ok(page.text.includes('href="/camera/Lumix%20DC-G9"'), "the EXIF panel links the camera");
    assert.ok(!page.text.includes("/api/remove_tag"), "no owner tools for others");
    const mine = await html(`/p/${P.public}`, A.cookie);
    assert.ok(mine.text.includes('action="/api/remove_tag"') && mine.text.includes('action="/api/add_tags"'));
  });

  test("search: strangers find public photos, owners all of their own, nobody another's hidden ones", async () => {
    const ids = async (query, cookie) => (await api("search_photos", { q: query }, { cookie })).json.photos.map((c) => c.id);
    assert.deepEqual(await ids("lighthouse"), [P.public]);
    assert.deepEqual(await ids("lighthouse", B.cookie), [P.bobs, P.public]);
    assert.deepEqual(await ids("lighthouse", A.cookie), [P.private, P.unlisted, P.public]);
    assert.deepEqual(await ids("LIGHTH", A.cookie), [P.private, P.unlisted, P.public], "prefix, any case");
    assert.deepEqual(await ids("tag:coast by:sara camera:dc-g9"), [P.public]);
    assert.deepEqual(await ids("tag:coast", A.cookie), [P.private, P.unlisted, P.public]);
    assert.deepEqual(await ids('camera:"lumix dc-g9" dusk', B.cookie), [P.bobs, P.public]);
    assert.deepEqual(await ids("by:tomas"), []);
    assert.deepEqual(await ids("golden hour"), [P.public], "tags are searched as words");
    // A share link to the private photo changes nothing for strangers.
    const link = await api("create_link", { photo_id: P.private, label: "", expires: "30d" }, { cookie: A.cookie });
    assert.equal(link.status, 200, link.text);
    assert.deepEqual(await ids("lighthouse"), [P.public]);
    // The page: bookmarkable, noindex, the empty state.
    for (const cookie of [undefined, B.cookie]) {
      const page = await html(q("lighthouse"), cookie);
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(`href="/p/${P.public}`));
      assert.ok(!page.text.includes(P.unlisted) && !page.text.includes(P.private));
    }
    const none = await html(q("zeppelin"));
    assert.match(none.text, /No photos match/);
    const blank = await html("/search");
    assert.equal(blank.status, 200);
    assert.match(blank.text, /Search titles, captions, alt text and tags/);
  });

  test("camera and lens pages list public, finished photos only", async () => {
    for (const cookie of [undefined, A.cookie]) {
      for (const path of ["/camera/Lumix%20DC-G9", "/camera/lumix%20dc-g9"]) {
        const page = await html(path, cookie);
        assert.equal(page.status, 200);
        assert.ok(page.text.includes(`href="/p/${P.public}`));
        for (const hidden of [P.unlisted, P.private, P.bobs]) assert.ok(!page.text.includes(hidden), path);
      }
    }
    const lens = await html("/lens/EF%2050mm");
    assert.equal(lens.status, 200);
    assert.match(lens.text, /No public photos were taken with it yet/);
  });

  test("hostile queries are words: every one answers 200", async () => {
    const corpus = [
      '"',
      '""""',
      'a" OR "b',
      "NEAR(lighthouse dusk, 2)",
      "lighthouse AND NOT dusk",
      "title:lighthouse",
      "{title caption}:dusk",
      "^lighthouse",
      "light*",
      "-dusk",
      "') OR 1=1 --",
      "camera:\"x' OR '1\" by:'; DROP TABLE photos; --",
      "😀 漢字 ünïcödé \u202Eevil",
      "a\u0000b",
      "x".repeat(5000),
      '("'.repeat(600),
    ];
    for (const s of corpus) {
      const r = await api("search_photos", { q: s });
      assert.equal(r.status, 200, `${JSON.stringify(s.slice(0, 40))}: ${r.text.slice(0, 200)}`);
      const page = await html(q(s));
      assert.equal(page.status, 200);
    }
    assert.deepEqual((await api("search_photos", { q: "title:lighthouse" })).json.photos, [], "not a column filter");
  });

  test("broken page links answer 400, never 500", async () => {
    for (const path of [
      "/t/coast?before=x",
      "/t/coast?before=1.a'--",
      `${q("lighthouse")}&before=1.a.b.c`,
      "/camera/lumix?before=soon.x",
      "/lens/x?before=%00",
    ]) {
      const page = await html(path);
      assert.equal(page.status, 400, path);
      assert.match(page.text, /That page link is broken/);
    }
  });
});

describe("changing tags", () => {
  test("another user and anonymous change nothing: 403, 404 or 401", async () => {
    const before = await tagState();
    const want = { B: { public: 403, unlisted: 403, private: 404 }, anonymous: { public: 401, unlisted: 401, private: 401 } };
    for (const [who, cookie] of [["B", B.cookie], ["anonymous", undefined]]) {
      for (const vis of ["public", "unlisted", "private"]) {
        const add = await api("add_tags", { photo_id: P[vis], tags: "pwned" }, { cookie });
        assert.equal(add.status, want[who][vis], `${who} add_tags ${vis}`);
        const rm = await api("remove_tag", { photo_id: P[vis], tag: "coast" }, { cookie });
        assert.equal(rm.status, want[who][vis], `${who} remove_tag ${vis}`);
      }
      // A private photo answers like one that does not exist.
      const a = await api("get_tags", { photo_id: P.private }, { cookie });
      const b = await api("get_tags", { photo_id: "zzzzzzzzzzzzzzzzzzzz" }, { cookie });
      assert.deepEqual([a.status, a.text], [b.status, b.text]);
    }
    assert.deepEqual(await tagState(), before);
  });

  test("cross-site requests with the owner's session are refused with 403", async () => {
    const before = await tagState();
    for (const headers of [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { origin: "null" }]) {
      const add = await api("add_tags", { photo_id: P.public, tags: "pwned" }, { cookie: A.cookie, headers });
      assert.deepEqual([add.status, add.json], [403, { error: "forbidden" }]);
      const rm = await api("remove_tag", { photo_id: P.public, tag: "coast" }, { cookie: A.cookie, headers });
      assert.deepEqual([rm.status, rm.json], [403, { error: "forbidden" }]);
    }
    assert.deepEqual(await tagState(), before);
  });

  test("the owner's forms work without JS: add several, remove one, limits refused", async () => {
    const form = { accept: "text/html", referer: `${srv.base}/p/${P.unlisted}` };
    const add = await api("add_tags", { photo_id: P.unlisted, tags: "Sea, sky ,  sea" }, { cookie: A.cookie, headers: form });
    assert.equal(add.status, 302);
    assert.equal(add.headers.get("location"), `/p/${P.unlisted}#tags`);
    assert.deepEqual((await api("get_tags", { photo_id: P.unlisted }, { cookie: A.cookie })).json, ["coast", "golden hour", "sea", "sky"]);
    const rm = await api("remove_tag", { photo_id: P.unlisted, tag: "sea" }, { cookie: A.cookie, headers: form });
    assert.equal(rm.status, 302);
    assert.deepEqual((await api("get_tags", { photo_id: P.unlisted }, { cookie: A.cookie })).json, ["coast", "golden hour", "sky"]);
    const long = await api("add_tags", { photo_id: P.unlisted, tags: "x".repeat(41) }, { cookie: A.cookie });
    assert.equal(long.status, 422);
    const many = Array.from({ length: 30 }, (_, i) => `t${i}`).join(",");
    assert.equal((await api("add_tags", { photo_id: P.unlisted, tags: many }, { cookie: A.cookie })).status, 422);
    assert.equal((await api("get_tags", { photo_id: P.unlisted }, { cookie: A.cookie })).json.length, 3, "all or none");
  });

  test("hostile tags are stored as text and rendered inert", async () => {
    const evil = ['<img src=x onerror=alert(1)>', '"><script>alert(1)</script>', "javascript:alert(1)", "{{x}} ${y}"];
    for (const t of evil) {
      const r = await api("add_tags", { photo_id: P.public, tags: t }, { cookie: A.cookie });
      assert.equal(r.status, t.includes("/") ? 422 : 200, `${t}: ${r.text}`);
    }
    const page = await html(`/p/${P.public}`);
    assert.ok(!page.text.includes("<img src=x"), "no live markup");
    assert.ok(page.text.includes("&lt;img src=x onerror=alert(1)&gt;"), "shown as text");
    assert.ok(page.text.includes('href="/t/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E"'), "linked percent-encoded");
    assert.ok(page.text.includes('href="/t/javascript%3Aalert%281%29"'), "never a javascript: URL");
    const tagPage = await html("/t/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E");
    assert.equal(tagPage.status, 200);
    assert.ok(!tagPage.text.includes("<img src=x") && tagPage.text.includes(`href="/p/${P.public}`));
  });
});

describe("backup", () => {
  test("make backup / restore: table by table, the search index rebuilt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lumen-backup-"));
    const file = join(dir, "backup.json");
    const env = { ...process.env, LUMEN_D1_PERSIST: srv.stateDir };
    execFileSync("node", [join(ROOT, "scripts", "backup.mjs"), "export", "--local", file], { cwd: ROOT, env, stdio: "pipe" });
    const dump = JSON.parse(readFileSync(file, "utf8"));
    assert.ok(dump.tables.photos.rows.length >= 4);
    assert.ok(dump.tables.photo_tags.rows.length > 0);
    assert.ok(!Object.keys(dump.tables).some((t) => t.startsWith("photos_fts")), "no FTS tables in the backup");
    const before = await srv.d1("SELECT (SELECT COUNT(*) FROM photos) AS photos, (SELECT COUNT(*) FROM photo_tags) AS tags");
    // Lose data, then restore it.
    await srv.d1("DELETE FROM photo_tags; DELETE FROM share_links; DELETE FROM album_photos; DELETE FROM photos");
    assert.deepEqual((await api("search_photos", { q: "lighthouse" })).json.photos, []);
    execFileSync("node", [join(ROOT, "scripts", "backup.mjs"), "restore", "--local", file], { cwd: ROOT, env, stdio: "pipe" });
    const after = await srv.d1("SELECT (SELECT COUNT(*) FROM photos) AS photos, (SELECT COUNT(*) FROM photo_tags) AS tags");
    assert.deepEqual(after, before);
    assert.deepEqual((await api("search_photos", { q: "lighthouse" }, { cookie: A.cookie })).json.photos.map((c) => c.id), [
      P.private,
      P.unlisted,
      P.public,
    ]);
    assert.deepEqual((await api("search_photos", { q: "tag:coast" })).json.photos.map((c) => c.id), [P.public]);
    const [{ n }] = await srv.d1("SELECT COUNT(*) AS n FROM photos_fts WHERE photos_fts MATCH '\"lighthouse\"'");
    assert.equal(n, 4);
  });
});
