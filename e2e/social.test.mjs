// Likes, comments, the Liked page and Atom feeds against `wrangler dev` (issue 12): one like
// per person; counts the owner may hide; comments cleaned, capped, rate limited, editable for
// 15 minutes, switched off per photo; a private photo's likes and comments only for its
// owner; other people and other sites change nothing; hostile comments stay inert; feeds
// parse as XML and hold only public photos, with absolute URLs.
// Run: ./e2e/run.sh e2e/social.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { startLumen } from "./harness.mjs";
import { api as apiAt, demoPhoto, fileOf, ipSource, signUp as signUpAt, upload as uploadAt, waitProcessed } from "./helpers.mjs";

let srv;
const freshIp = ipSource("10.12");
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const get = (path, { cookie, headers = {} } = {}) =>
  fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: { ...(cookie ? { cookie } : {}), ...headers },
    signal: AbortSignal.timeout(15_000),
  });
const page = async (path, cookie) => {
  const r = await get(path, { cookie });
  const html = await r.text();
  return { status: r.status, html, body: html.slice(html.indexOf("<body")) };
};
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;

const A = {};
const B = {};
const C = {};
/** A's photos: pub (public), unl (unlisted), priv (private), gone (public, turned private later). */
const P = {};

async function state() {
  const [row] = await srv.d1(`SELECT
      (SELECT json_group_array(json_array(photo_id, user_id, created_at)) FROM (SELECT * FROM likes ORDER BY photo_id, user_id)) AS likes,
      (SELECT json_group_array(json_array(id, photo_id, author_id, body, created_at, edited_at)) FROM (SELECT * FROM comments ORDER BY id)) AS comments,
      (SELECT json_group_array(json_array(id, hide_likes, comments_off)) FROM (SELECT * FROM photos ORDER BY id)) AS switches`);
  return row;
}

async function comment(photo_id, body, cookie) {
  const r = await api("add_comment", { photo_id, body }, { cookie });
  assert.equal(r.status, 200, r.text);
  const [row] = await srv.d1(`SELECT id FROM comments WHERE photo_id = ${sq(photo_id)} ORDER BY created_at DESC, id DESC LIMIT 1`);
  return row.id;
}

before(async () => {
  srv = await startLumen("social");
  Object.assign(A, await signUpAt(srv.base, { username: "alice", ip: freshIp() }));
  Object.assign(B, await signUpAt(srv.base, { username: "bob", ip: freshIp() }));
  Object.assign(C, await signUpAt(srv.base, { username: "cat", ip: freshIp() }));
  const res = await uploadAt(
    srv.base,
    ["coins.png", "coins.png", "coins.png", "coins.png"].map((n) => fileOf(demoPhoto(n), "image/png")),
    { cookie: A.cookie },
  );
  assert.equal(res.status, 201, await res.clone().text());
  const ids = (await res.json()).photos.map((p) => p.id);
  for (const [role, id, visibility] of [
    ["pub", ids[0], "public"],
    ["unl", ids[1], "unlisted"],
    ["priv", ids[2], "private"],
    ["gone", ids[3], "public"],
  ]) {
    const view = await waitProcessed(srv.base, id, 90_000, { cookie: A.cookie });
    assert.equal(view.status, "ready", view.failure);
    const r = await api("update_photo", { id, title: `Photo ${role}`, caption: "", alt: "", visibility }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    P[role] = id;
  }
});
after(async () => {
  await srv?.stop();
});

describe("likes", () => {
  test("one per person, idempotent, counted on the page; the owner may hide the count", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await api("like_photo", { id: P.pub }, { cookie: B.cookie });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { liked: true, likes: 1 });
    }
    assert.deepEqual((await api("like_photo", { id: P.pub }, { cookie: C.cookie })).json, { liked: true, likes: 2 });
    assert.match((await page(`/p/${P.pub}`)).body, /<span class="like-count">2 likes<\/span>/);
    const bobs = await page(`/p/${P.pub}`, B.cookie);
    assert.match(bobs.body, /aria-pressed="true"[^>]*>♥ Liked/);
    assert.deepEqual((await api("unlike_photo", { id: P.pub }, { cookie: C.cookie })).json, { liked: false, likes: 1 });
    assert.deepEqual((await api("unlike_photo", { id: P.pub }, { cookie: C.cookie })).json, { liked: false, likes: 1 });

    // Hidden: others see no number; the owner does.
    assert.equal((await api("set_social", { id: P.pub, hide_likes: "on" }, { cookie: A.cookie })).status, 200);
    for (const cookie of [undefined, B.cookie, C.cookie]) {
      const { body } = await page(`/p/${P.pub}`, cookie);
      assert.doesNotMatch(body, /like-count/);
    }
    assert.deepEqual((await api("like_photo", { id: P.pub }, { cookie: C.cookie })).json, { liked: true, likes: null });
    assert.match((await page(`/p/${P.pub}`, A.cookie)).body, /<span class="like-count">2 likes<\/span>[^]*only you see this/);
    assert.equal((await api("set_social", { id: P.pub }, { cookie: A.cookie })).status, 200);
    assert.match((await page(`/p/${P.pub}`)).body, /2 likes/);
  });

  test("JS off: the form posts and comes back to the photo", async () => {
    const r = await api(
      "like_photo",
      { id: P.unl },
      { cookie: B.cookie, headers: { accept: "text/html", referer: `${srv.base}/p/${P.unl}`, origin: srv.base } },
    );
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), `/p/${P.unl}#likes`);
    const [{ n }] = await srv.d1(`SELECT COUNT(*) AS n FROM likes WHERE photo_id = ${sq(P.unl)}`);
    assert.equal(n, 1);
  });

  test("the Liked page: newest like first, only photos still visible (paging: service tests)", async () => {
    assert.equal((await api("like_photo", { id: P.gone }, { cookie: B.cookie })).status, 200);
    let { body } = await page("/liked", B.cookie);
    const order = [...body.matchAll(/href="\/p\/([^"?]+)"/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(order)].slice(0, 3), [P.gone, P.unl, P.pub]);
    // Turned private: gone from Bob's list, the like kept and shown to the owner only.
    const r = await api("update_photo", { id: P.gone, title: "Photo gone", caption: "", alt: "", visibility: "private" }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    ({ body } = await page("/liked", B.cookie));
    assert.ok(!body.includes(P.gone), "a private photo leaves the list");
    assert.ok(body.includes(P.pub));
    assert.match((await page(`/p/${P.gone}`, A.cookie)).body, /1 like</);
    assert.equal((await page("/liked", C.cookie)).body.includes(P.pub), true);
    // Signed out: an invitation to sign in, nothing listed.
    const anon = await page("/liked");
    assert.match(anon.body, /href="\/signin\?next=\/liked"/);
    assert.equal((await api("list_liked", {})).status, 401);
    // A broken cursor is a clear 400.
    assert.equal((await api("list_liked", { before: "1.a'--" }, { cookie: B.cookie })).status, 400);
    const listed = await api("list_liked", {}, { cookie: B.cookie });
    assert.deepEqual(
      listed.json.photos.map((p) => p.id),
      [P.unl, P.pub],
    );
    assert.equal(listed.json.next, null);
  });
});

describe("comments", () => {
  test("cleaned, capped, oldest first, linked profiles, JS-off redirect to the new comment", async () => {
    const id = await comment(P.unl, "  first\u202e!\r\nsecond line \u200b", B.cookie);
    const [row] = await srv.d1(`SELECT body FROM comments WHERE id = ${sq(id)}`);
    assert.equal(row.body, "first!\nsecond line");
    const r = await api(
      "add_comment",
      { photo_id: P.unl, body: "from a form" },
      { cookie: C.cookie, headers: { accept: "text/html", referer: `${srv.base}/p/${P.unl}`, origin: srv.base } },
    );
    assert.equal(r.status, 302);
    assert.match(r.headers.get("location"), new RegExp(`^/p/${P.unl}#c-[0-9a-z]+$`));
    const { body } = await page(`/p/${P.unl}`);
    assert.ok(body.indexOf("first!") < body.indexOf("from a form"), "oldest first");
    assert.match(body, /<a href="\/u\/bob">@bob<\/a>/);
    assert.match(body, /<h2>Comments \(2\)<\/h2>/);
    for (const bad of ["", " \u200b\u202e\n", "x".repeat(2001)]) {
      const refused = await api("add_comment", { photo_id: P.unl, body: bad }, { cookie: B.cookie });
      assert.equal(refused.status, 422, JSON.stringify(bad.slice(0, 9)));
    }
    assert.equal((await api("add_comment", { photo_id: P.unl, body: "y".repeat(2000) }, { cookie: C.cookie })).status, 200);
    // A refused form shows the message and keeps what was typed, escaped.
    const form = await api(
      "add_comment",
      { photo_id: P.unl, body: `<b>${"z".repeat(2001)}` },
      { cookie: B.cookie, headers: { accept: "text/html", referer: `${srv.base}/p/${P.unl}`, origin: srv.base } },
    );
    assert.equal(form.status, 422);
    assert.match(form.text, /Keep it under 2000 characters\./);
    assert.ok(form.text.includes("&lt;b&gt;zzz"));
  });

  test("the author edits within 15 minutes; author or photo owner deletes", async () => {
    const id = await comment(P.pub, "typo", B.cookie);
    assert.equal((await api("edit_comment", { id, body: "fixed" }, { cookie: C.cookie })).status, 403);
    assert.equal((await api("edit_comment", { id, body: "fixed" }, { cookie: A.cookie })).status, 403);
    assert.equal((await api("edit_comment", { id, body: "fixed" }, { cookie: B.cookie })).status, 200);
    let { body } = await page(`/p/${P.pub}`, B.cookie);
    assert.match(body, new RegExp(`id="c-${id}"[^]*?fixed[^]*?<summary>Edit</summary>`));
    assert.match(body, / · edited/);
    // 16 minutes later: no more edits (and no Edit control), deleting still works.
    await srv.d1(`UPDATE comments SET created_at = created_at - ${16 * 60 * 1000} WHERE id = ${sq(id)}`);
    const late = await api("edit_comment", { id, body: "again" }, { cookie: B.cookie });
    assert.equal(late.status, 422);
    assert.equal(late.json.reason, "Comments can be changed for 15 minutes only.");
    ({ body } = await page(`/p/${P.pub}`, B.cookie));
    const li = body.slice(body.indexOf(`id="c-${id}"`), body.indexOf("</li>", body.indexOf(`id="c-${id}"`)));
    assert.doesNotMatch(li, /<summary>Edit<\/summary>/);
    assert.match(li, /Delete/);
    assert.equal((await api("delete_comment", { id }, { cookie: C.cookie })).status, 403);
    assert.equal((await api("delete_comment", { id }, { cookie: A.cookie })).status, 200, "the photo's owner");
    assert.equal((await api("delete_comment", { id }, { cookie: A.cookie })).status, 404);
    const own = await comment(P.pub, "mine", C.cookie);
    assert.equal((await api("delete_comment", { id: own }, { cookie: C.cookie })).status, 200, "the author");
  });

  test("comments off: the ones there stay, no new ones from anyone", async () => {
    const id = await comment(P.pub, "before the switch", C.cookie);
    assert.equal((await api("set_social", { id: P.pub, comments_off: "on" }, { cookie: A.cookie })).status, 200);
    for (const cookie of [B.cookie, A.cookie]) {
      assert.equal((await api("add_comment", { photo_id: P.pub, body: "after" }, { cookie })).status, 403);
    }
    const { body } = await page(`/p/${P.pub}`, B.cookie);
    assert.match(body, /Comments are switched off for this photo\./);
    assert.ok(body.includes("before the switch"));
    assert.doesNotMatch(body, /name="body"[^>]*id="comment-body"|id="comment-body"/);
    assert.equal((await api("delete_comment", { id }, { cookie: C.cookie })).status, 200);
    assert.equal((await api("set_social", { id: P.pub }, { cookie: A.cookie })).status, 200);
    assert.equal((await api("add_comment", { photo_id: P.pub, body: "back on" }, { cookie: B.cookie })).status, 200);
  });

  test("a rate limit per person: 429 with Retry-After, others unaffected", async () => {
    const E = await signUpAt(srv.base, { username: "eve", ip: freshIp() });
    let refused;
    for (let i = 0; i < 41 && !refused; i++) {
      const r = await api("add_comment", { photo_id: P.pub, body: `spam ${i}` }, { cookie: E.cookie });
      if (r.status === 429) refused = r;
      else assert.equal(r.status, 200, r.text);
    }
    assert.ok(refused, "refused within two windows");
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    assert.equal((await api("add_comment", { photo_id: P.unl, body: "not spam" }, { cookie: C.cookie })).status, 200);
  });

  test("hostile comments are inert: markup escaped, only http(s) links, bidi controls gone", async () => {
    const D = await signUpAt(srv.base, { username: "dora", ip: freshIp() });
    const X = [
      "<script>alert(1)</script>",
      `"><img src=x onerror=alert(2)>`,
      "javascript:alert(3)",
      "[click](javascript:alert(4))",
      "<a href=\"javascript:alert(5)\">x</a>",
      `https://ok.test/"onmouseover="alert(6)`,
      "https://ok.test/'><svg onload=alert(7)>",
      "data:text/html,<script>alert(8)</script>",
      "</textarea><script>alert(9)</script>",
      "evil\u202egnp.exe",
      "\u2066isolate\u2069 \u200fmark",
      "<style>*{display:none}</style>",
    ];
    const ids = [];
    for (const x of X) ids.push(await comment(P.unl, `pre ${x} post`, D.cookie));
    for (const cookie of [undefined, D.cookie, A.cookie]) {
      const html = (await page(`/p/${P.unl}`, cookie)).body;
      const body = html.slice(html.indexOf('id="comments"'));
      assert.doesNotMatch(body, /<script>alert|<img src=x|<svg|<style>\*|<\/textarea><script>/i);
      assert.doesNotMatch(body, /<[^>]*\son(error|load|mouseover)=/i, "no handler attribute in any tag");
      assert.doesNotMatch(body, /<[^>]*\shref="(javascript|data):/i, "no such href in any tag");
      assert.doesNotMatch(body, /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/, "no bidi controls from comments");
      assert.ok(body.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
      assert.ok(body.includes("evilgnp.exe"));
      // Every link in a comment: http(s) only, marked as user content, escaped.
      const links = [...body.matchAll(/<a rel="nofollow ugc noopener" href="([^"]*)">/g)].map((m) => m[1]);
      assert.deepEqual(links, ["https://ok.test/", "https://ok.test/"]);
      // The edit form's textarea holds the text escaped (for the author).
      if (cookie === D.cookie) assert.ok(body.includes("&lt;/textarea&gt;&lt;script&gt;alert(9)"));
    }
    const [row] = await srv.d1(`SELECT body FROM comments WHERE id = ${sq(ids[0])}`);
    assert.equal(row.body, `pre ${X[0]} post`, "stored as typed, escaped on output");
  });
});

describe("other people and other sites", () => {
  test("IDOR sweep: a private photo's likes and comments answer like a made-up id", async () => {
    const mine = await comment(P.priv, "owner's note", A.cookie);
    const onPub = await comment(P.pub, "cat's", C.cookie);
    const before = await state();
    const ghost = "zzzzzzzzzzzzzzzzzzzz";
    for (const [who, cookie, status] of [
      ["B", B.cookie, 404],
      ["anonymous", undefined, 401],
    ]) {
      const calls = [
        ["like_photo", { id: P.priv }, { id: ghost }],
        ["unlike_photo", { id: P.priv }, { id: ghost }],
        ["add_comment", { photo_id: P.priv, body: "pwned" }, { photo_id: ghost, body: "pwned" }],
        ["edit_comment", { id: mine, body: "pwned" }, { id: ghost, body: "pwned" }],
        ["delete_comment", { id: mine }, { id: ghost }],
        ["set_social", { id: P.priv, hide_likes: "on", comments_off: "on" }, { id: ghost, hide_likes: "on" }],
      ];
      for (const [name, real, fake] of calls) {
        const r = await api(name, real, { cookie });
        const f = await api(name, fake, { cookie });
        assert.equal(r.status, status, `${who} ${name}`);
        assert.deepEqual([r.status, r.text], [f.status, f.text], `${who} ${name}: like a made-up id`);
      }
      const r = await api("get_social", { photo_id: P.priv }, { cookie });
      const f = await api("get_social", { photo_id: ghost }, { cookie });
      assert.deepEqual([r.status, r.text], [404, f.text], `${who} get_social`);
      const { body } = await page(`/p/${P.priv}`, cookie);
      assert.ok(!body.includes("owner's note"));
    }
    // On a photo B may see, someone else's comment and the owner's switches are not B's.
    assert.equal((await api("edit_comment", { id: onPub, body: "pwned" }, { cookie: B.cookie })).status, 403);
    assert.equal((await api("delete_comment", { id: onPub }, { cookie: B.cookie })).status, 403);
    assert.equal((await api("set_social", { id: P.pub, comments_off: "on" }, { cookie: B.cookie })).status, 403);
    assert.deepEqual(await state(), before, "nothing changed");
    // The owner sees it all.
    assert.ok((await page(`/p/${P.priv}`, A.cookie)).body.includes("owner's note"));
  });

  test("cross-site POSTs to every mutation are refused (403) and change nothing", async () => {
    const id = await comment(P.pub, "cross-site target", B.cookie);
    const before = await state();
    const CROSS = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { origin: "null" }];
    const mutations = [
      ["like_photo", { id: P.pub }],
      ["unlike_photo", { id: P.pub }],
      ["add_comment", { photo_id: P.pub, body: "evil" }],
      ["edit_comment", { id, body: "evil" }],
      ["delete_comment", { id }],
      ["set_social", { id: P.pub, hide_likes: "on", comments_off: "on" }],
    ];
    for (const headers of CROSS) {
      for (const [name, params] of mutations) {
        for (const cookie of [B.cookie, A.cookie]) {
          const r = await api(name, params, { cookie, headers });
          assert.deepEqual([r.status, r.json], [403, { error: "forbidden" }], `${name} ${JSON.stringify(headers)}`);
          const form = await api(name, params, { cookie, headers: { ...headers, accept: "text/html", referer: "https://evil.example/x" } });
          assert.equal(form.status, 403, `${name} as a form`);
        }
      }
    }
    assert.deepEqual(await state(), before);
    const same = { origin: srv.base, "sec-fetch-site": "same-origin" };
    assert.equal((await api("delete_comment", { id }, { cookie: B.cookie, headers: same })).status, 200);
  });
});

/** The hrefs of a page's `<link rel="alternate" type="application/atom+xml">` tags. */
function feedLinks(html) {
  const head = html.slice(0, html.indexOf("<body"));
  return [...head.matchAll(/<link\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => tag.includes('rel="alternate"') && tag.includes('type="application/atom+xml"'))
    .map((tag) => tag.match(/href="([^"]*)"/)[1]);
}

describe("Atom feeds", () => {
  /** The feed parsed by Python's XML parser: its title, links and entries. */
  function parse(xml) {
    const script = `
import json, sys, xml.etree.ElementTree as ET
ns = {"a": "http://www.w3.org/2005/Atom", "m": "http://search.yahoo.com/mrss/"}
root = ET.fromstring(sys.stdin.buffer.read())
assert root.tag == "{http://www.w3.org/2005/Atom}feed", root.tag
def links(e):
    return {l.get("rel"): l.get("href") for l in e.findall("a:link", ns)}
print(json.dumps({
  "id": root.findtext("a:id", namespaces=ns),
  "title": root.findtext("a:title", namespaces=ns),
  "updated": root.findtext("a:updated", namespaces=ns),
  "links": links(root),
  "entries": [{
    "id": e.findtext("a:id", namespaces=ns),
    "title": e.findtext("a:title", namespaces=ns),
    "updated": e.findtext("a:updated", namespaces=ns),
    "links": links(e),
    "media": (e.find("m:content", ns).get("url") if e.find("m:content", ns) is not None else None),
  } for e in root.findall("a:entry", ns)],
}))`;
    return JSON.parse(execFileSync("python3", ["-c", script], { input: xml }).toString());
  }

  test("a person's feed: public ready photos only, absolute URLs, the 1280 image, public caching", async () => {
    const r = await api("update_photo", { id: P.pub, title: "Coins & <friends> \u0007", caption: "", alt: "", visibility: "public" }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    for (const cookie of [undefined, B.cookie, A.cookie]) {
      const res = await get("/u/alice/feed.atom", { cookie });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/atom+xml; charset=utf-8");
      // Anonymous readers get the edge's page policy (re-ask; the edge keeps it until purged);
      // a signed-in request bypasses the edge and keeps the feed's own five minutes.
      const policy = cookie ? "public, max-age=300" : "public, max-age=0, s-maxage=3600";
      assert.equal(res.headers.get("cache-control"), policy);
      const feed = parse(await res.text());
      assert.equal(feed.id, `${srv.base}/u/alice/feed.atom`);
      assert.equal(feed.links.self, `${srv.base}/u/alice/feed.atom`);
      assert.equal(feed.links.alternate, `${srv.base}/u/alice`);
      assert.match(feed.updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(
        feed.entries.map((e) => e.id),
        [`${srv.base}/p/${P.pub}`],
        "not the unlisted, private or turned-private ones, whoever asks",
      );
      const [e] = feed.entries;
      assert.equal(e.title, "Coins & <friends>", "escaped, and the control character dropped");
      assert.equal(e.links.alternate, `${srv.base}/p/${P.pub}`);
      assert.match(e.links.enclosure, new RegExp(`^${srv.base}/media/${P.pub}/[^/]+/\\d+\\.(jpg|png|webp)$`));
      assert.equal(e.media, e.links.enclosure);
      const img = await get(new URL(e.links.enclosure).pathname);
      assert.equal(img.status, 200);
      await img.arrayBuffer();
    }
    assert.equal((await get("/u/nobody/feed.atom")).status, 404);
    // The profile page points readers at it.
    assert.deepEqual(feedLinks((await page("/u/alice")).html), ["/u/alice/feed.atom"]);
  });

  test("album feeds: public albums only, with only their public photos", async () => {
    const make = async (title, visibility) => {
      const r = await api("create_album", { title, description: "", visibility }, { cookie: A.cookie });
      assert.equal(r.status, 200, r.text);
      const [row] = await srv.d1(`SELECT id FROM albums WHERE title = ${sq(title)}`);
      for (const photo of [P.pub, P.unl, P.priv]) {
        const add = await api("add_to_album", { album_id: row.id, photo_id: photo }, { cookie: A.cookie });
        assert.equal(add.status, 200, add.text);
      }
      return row.id;
    };
    const pub = await make("Feed <trip> & co", "public");
    const unl = await make("Unlisted trip", "unlisted");
    const res = await get(`/a/${pub}/feed.atom`);
    assert.equal(res.status, 200);
    // The edge cache stores feeds as pages: readers re-ask, the edge keeps them until purged.
      assert.equal(res.headers.get("cache-control"), "public, max-age=0, s-maxage=3600");
    const feed = parse(await res.text());
    assert.equal(feed.title, "Feed <trip> & co");
    assert.deepEqual(feed.entries.map((e) => e.id), [`${srv.base}/p/${P.pub}`]);
    assert.equal((await get(`/a/${unl}/feed.atom`)).status, 404);
    assert.equal((await get("/a/zzzzzzzz/feed.atom")).status, 404);
    assert.deepEqual(feedLinks((await page(`/a/${pub}`)).html), [`/a/${pub}/feed.atom`]);
    assert.deepEqual(feedLinks((await page(`/a/${unl}`)).html), [], "no feed for an unlisted album");
  });
});
