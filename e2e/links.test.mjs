// Share links against `wrangler dev` (issue 11): a link shows its one photo to anyone, and
// every URL it hands out dies with it (expiry, revocation, reset, password change); wrong
// passwords are rate limited; other people and other sites change nothing; hostile text
// stays inert; link previews carry absolute URLs.
// Run: ./e2e/run.sh e2e/links.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startLumen } from "./harness.mjs";
import {
  GPS_SHOWN,
  api as apiAt,
  demoPhoto,
  fileOf,
  gpsJpeg,
  ipSource,
  signUp as signUpAt,
  upload as uploadAt,
  waitProcessed,
  markup,
} from "./helpers.mjs";

let srv;
const freshIp = ipSource("10.1");
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const get = (path, { cookie, headers = {} } = {}) =>
  fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: { ...(cookie ? { cookie } : {}), ...headers },
    signal: AbortSignal.timeout(15_000),
  });
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;
const FSI = "\u2068";
const PDI = "\u2069";
const decode = (s) =>
  s.replace(/&(lt|gt|quot|#x27|#39|amp);/g, (_, e) => ({ lt: "<", gt: ">", quot: '"', "#x27": "'", "#39": "'", amp: "&" })[e]);
const meta = (html, attr) => {
  const m = html.match(new RegExp(`<meta ${attr} content="([^"]*)"`));
  return m ? decode(m[1]) : null;
};

const A = {};
const B = {};
/** A's photos: `priv` (a camera JPEG with GPS, 1600 wide, private) and `pub` (public). */
const P = {};

/** Creates a link as A (or `cookie`) to a photo id (or `{ album_id }`) and returns it as A's list
 * shows it, plus its token and path. */
async function createLink(photoId, params = {}, cookie = A.cookie) {
  const label = params.label ?? `link ${Math.random().toString(36).slice(2, 8)}`;
  const target = typeof photoId === "object" ? photoId : { photo_id: photoId };
  const r = await api("create_link", { ...target, label, ...params }, { cookie });
  assert.equal(r.status, 200, r.text);
  const link = (await listLinks(target)).find((l) => l.label === label);
  assert.ok(link, `created link “${label}” is listed`);
  const path = new URL(link.url).pathname;
  return { ...link, path, token: path.split("/")[2] };
}

async function listLinks(photoId, cookie = A.cookie) {
  const r = await api("list_links", typeof photoId === "object" ? photoId : { photo_id: photoId }, { cookie });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** The link page's image URLs (src and srcset) and original download, as a holder sees them. */
async function linkPage(path, opts) {
  const res = await get(path, opts);
  const html = await res.text();
  const srcs = [...html.matchAll(/<img\b[^>]*?\ssrc="([^"]+)"/g)].map((m) => decode(m[1]));
  const srcset = [...html.matchAll(/\ssrcset="([^"]+)"/g)].flatMap((m) => decode(m[1]).split(", ").map((s) => s.split(" ")[0]));
  const original = html.match(/href="([^"]*\/original\/[^"]*)"/)?.[1];
  return { res, status: res.status, html, images: [...new Set([...srcs, ...srcset])], original };
}

/** Every URL a link hands out, fetched: statuses in order. */
async function statuses(urls, opts) {
  const out = [];
  for (const u of urls) {
    const r = await get(u, opts);
    await r.arrayBuffer();
    out.push(r.status);
  }
  return out;
}

/** Everything a refused request could have changed about links. */
async function linkState() {
  const [row] = await srv.d1(`SELECT json_group_array(json_array(id, owner_id, target_id, token, label, expires_at,
      password_hash, allow_downloads, views, updated_at, revoked_at)) AS links FROM (SELECT * FROM share_links ORDER BY id)`);
  return JSON.parse(row.links);
}

before(async () => {
  srv = await startLumen("links");
  Object.assign(A, await signUpAt(srv.base, { username: "alice", ip: freshIp() }));
  Object.assign(B, await signUpAt(srv.base, { username: "bob", ip: freshIp() }));
  const res = await uploadAt(
    srv.base,
    [
      { name: "garden.jpg", bytes: gpsJpeg(1600, 1067), type: "image/jpeg" },
      fileOf(demoPhoto("coins.png"), "image/png"),
    ],
    { cookie: A.cookie },
  );
  assert.equal(res.status, 201, await res.clone().text());
  const [priv, pub] = (await res.json()).photos.map((p) => p.id);
  for (const [role, id, visibility, title] of [
    ["priv", priv, "private", "Secret garden"],
    ["pub", pub, "public", "Public coins"],
  ]) {
    const view = await waitProcessed(srv.base, id, 90_000, { cookie: A.cookie });
    assert.equal(view.status, "ready", view.failure);
    const r = await api("update_photo", { id, title, caption: `${title} caption`, alt: "", visibility }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    P[role] = { id, title, images: view.images.map((i) => i.url) };
  }
});
after(async () => {
  await srv?.stop();
});

describe("what a link shows", () => {
  test("a private photo to anyone holding the link: link-scoped images, no GPS, nothing else", async () => {
    const link = await createLink(P.priv.id, { allow_downloads: "on" });
    assert.match(link.token, /^[0-9a-hjkmnp-tv-z]{26}$/, "130 random bits, URL-safe");
    assert.equal(link.has_password, false);
    for (const cookie of [undefined, B.cookie]) {
      const page = await linkPage(link.path, { cookie });
      assert.equal(page.status, 200);
      assert.ok(page.html.includes(`<h1><bdi>${P.priv.title}</bdi></h1>`));
      assert.ok(!page.html.includes(GPS_SHOWN) && !page.html.includes("Location"), "never the location");
      assert.ok(page.images.length >= 3, page.images.join());
      for (const url of page.images) assert.ok(url.startsWith(`${link.path}/media/${P.priv.id}/`), url);
      // Nothing else of the owner's: no other photo, no owner tools, no link to the photo page.
      assert.ok(!page.html.includes(P.pub.id) && !page.html.includes(`/p/${P.priv.id}`));
      assert.doesNotMatch(markup(page.html), /owner-tools|share-form/);
      assert.match(page.html, /<meta name="robots" content="noindex, nofollow"/);
      assert.equal(page.res.headers.get("cache-control"), cookie ? "private, no-store" : "private, no-cache");
      for (const url of page.images) {
        const r = await get(url, { cookie });
        assert.equal(r.status, 200, url);
        assert.equal(r.headers.get("cache-control"), "private, max-age=300", url);
        assert.equal(r.headers.get("vary"), "Cookie");
        await r.arrayBuffer();
      }
      assert.equal(page.original, `${link.path}/original/${P.priv.id}`);
      const orig = await get(page.original, { cookie });
      assert.equal(orig.status, 200);
      assert.match(orig.headers.get("content-disposition"), /^attachment; filename="Secret-garden\.jpg"$/);
      assert.equal(orig.headers.get("cache-control"), "private, max-age=300");
      await orig.arrayBuffer();
    }
    // Through its own page the photo is still private.
    assert.equal((await get(`/p/${P.priv.id}`)).status, 404);
    const [{ views }] = await srv.d1(`SELECT views FROM share_links WHERE token = ${sq(link.token)}`);
    assert.equal(views, 2, "each page view counted");
    assert.equal((await listLinks(P.priv.id)).find((l) => l.id === link.id).views, 2);
  });

  test("link previews: absolute og:image of at most 1280 px, title and description", async () => {
    const link = await createLink(P.priv.id);
    const { html } = await linkPage(link.path);
    const image = meta(html, 'property="og:image"');
    assert.ok(image.startsWith(`${srv.base}${link.path}/media/${P.priv.id}/`), image);
    assert.equal(meta(html, 'property="og:image:width"'), "1280");
    assert.equal(meta(html, 'name="twitter:image"'), image);
    assert.equal(meta(html, 'name="twitter:card"'), "summary_large_image");
    assert.equal(meta(html, 'property="og:url"'), `${srv.base}${link.path}`);
    assert.equal(meta(html, 'property="og:title"'), `${FSI}${P.priv.title}${PDI}`);
    assert.equal(meta(html, 'property="og:description"'), `${P.priv.title} caption`);
    // A crawler fetches it without cookies.
    const r = await get(new URL(image).pathname);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    // Public photo pages too; unlisted and private ones advertise no image.
    const pub = await (await get(`/p/${P.pub.id}`)).text();
    assert.match(meta(pub, 'property="og:image"'), new RegExp(`^${srv.base}/media/${P.pub.id}/`));
    assert.equal(meta(pub, 'property="og:url"'), `${srv.base}/p/${P.pub.id}`);
    const own = await (await get(`/p/${P.priv.id}`, { cookie: A.cookie })).text();
    assert.equal(meta(own, 'property="og:image"'), null);
  });

  test("a link never opens another photo", async () => {
    const link = await createLink(P.priv.id, { allow_downloads: "on" });
    const { images } = await linkPage(link.path);
    const pubRev = P.pub.images[0].split("/")[3];
    const privRev = images[0].split("/")[5];
    for (const path of [
      `${link.path}/media/${P.pub.id}/${pubRev}/320.png`,
      `${link.path}/media/${P.pub.id}/${privRev}/320.jpg`,
      images[0].replace(P.priv.id, P.pub.id),
      `${link.path}/original/${P.pub.id}`,
      `${link.path}/media/${P.priv.id}/${privRev}/../../${P.pub.id}/${pubRev}/320.png`,
      `${link.path}/media/${P.priv.id}/stale-rev/320.jpg`,
    ]) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      await r.arrayBuffer();
    }
    // And the public photo's own media stay where they were.
    assert.equal((await statuses([P.pub.images[0]]))[0], 200);
  });
});

describe("every URL a link handed out dies with it", () => {
  /** A fresh link's page, images and original: all 200 first. */
  async function handedOut(params = {}, opts = {}) {
    const link = await createLink(P.priv.id, { allow_downloads: "on", ...params });
    const page = await linkPage(link.path, opts);
    const urls = [link.path, ...page.images, page.original];
    assert.deepEqual(await statuses(urls, opts), urls.map(() => 200));
    return { link, urls };
  }
  /** What a made-up token answers, per kind of URL. */
  async function madeUp(urls, token) {
    const ghost = "zzzzzzzzzzzzzzzzzzzzzzzzzz";
    const out = [];
    for (const u of urls) {
      const r = await get(u.replace(token, ghost));
      out.push([r.status, (await r.text()).replace(/(nonce|crossorigin)="[^"]*"/g, "").replaceAll(ghost, "T")]);
    }
    return out;
  }
  async function dead(urls, token, opts) {
    const got = [];
    for (const u of urls) {
      const r = await get(u, opts);
      got.push([r.status, (await r.text()).replace(/(nonce|crossorigin)="[^"]*"/g, "").replaceAll(token, "T")]);
    }
    assert.deepEqual(
      got.map((g) => g[0]),
      urls.map(() => 404),
    );
    assert.deepEqual(got, await madeUp(urls, token), "exactly like a made-up token");
  }

  test("expiry (expires_at in the past)", async () => {
    const { link, urls } = await handedOut();
    await srv.d1(`UPDATE share_links SET expires_at = ${Date.now() - 1000} WHERE id = ${sq(link.id)}`);
    await dead(urls, link.token);
    assert.equal((await listLinks(P.priv.id)).find((l) => l.id === link.id).expired, true);
  });

  test("revocation", async () => {
    const { link, urls } = await handedOut();
    const r = await api("revoke_link", { id: link.id }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    await dead(urls, link.token);
    assert.equal((await listLinks(P.priv.id)).find((l) => l.id === link.id), undefined, "gone from the list");
    // Nothing revives it.
    assert.equal((await api("reset_link", { id: link.id }, { cookie: A.cookie })).status, 404);
    assert.equal((await api("update_link", { id: link.id, label: "x" }, { cookie: A.cookie })).status, 404);
    await dead(urls, link.token);
  });

  test("reset: the old address and its images die, the new one works", async () => {
    const { link, urls } = await handedOut();
    const r = await api("reset_link", { id: link.id }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    await dead(urls, link.token);
    const fresh = (await listLinks(P.priv.id)).find((l) => l.id === link.id);
    const path = new URL(fresh.url).pathname;
    assert.notEqual(path, link.path);
    const page = await linkPage(path);
    assert.equal(page.status, 200);
    assert.deepEqual(await statuses(page.images), page.images.map(() => 200));
  });

  test("password change (and clearing it) ends every unlock", async () => {
    const { link } = await createLink(P.priv.id, { allow_downloads: "on", password: "first secret" }).then((link) => ({ link }));
    // Locked: the form only, a generic card, never stored.
    const locked = await linkPage(link.path);
    assert.equal(locked.status, 200);
    assert.ok(!locked.html.includes(P.priv.title), "no title");
    assert.deepEqual(locked.images, [], "no image");
    assert.match(locked.html, /name="password"/);
    assert.equal(locked.res.headers.get("cache-control"), "private, no-store");
    assert.equal(meta(locked.html, 'property="og:title"'), "Lumen");
    assert.equal(meta(locked.html, 'property="og:image"'), null);
    assert.equal(meta(locked.html, 'name="twitter:card"'), "summary");

    const unlock = await api("unlock_link", { token: link.token, password: "first secret" });
    assert.equal(unlock.status, 200, unlock.text);
    const setCookie = unlock.headers.getSetCookie().find((c) => c.startsWith("lumen_link="));
    assert.ok(setCookie, unlock.headers.getSetCookie().join());
    assert.match(setCookie, new RegExp(`; Path=${link.path}; Max-Age=\\d+; HttpOnly; SameSite=Lax$`));
    const cookie = setCookie.split(";")[0];
    const page = await linkPage(link.path, { cookie });
    assert.equal(page.status, 200);
    assert.ok(page.html.includes(P.priv.title));
    assert.equal(page.res.headers.get("cache-control"), "private, no-store");
    assert.equal(meta(page.html, 'property="og:image"'), null, "a protected link's card reveals nothing, even unlocked");
    const urls = [...page.images, page.original];
    assert.deepEqual(await statuses(urls, { cookie }), urls.map(() => 200));
    assert.deepEqual(await statuses(urls), urls.map(() => 404), "without the unlock");

    // A new password: the old unlock opens nothing, at once.
    const change = await api("update_link", { id: link.id, label: link.label, expires: "keep", password: "second secret", allow_downloads: "on" }, { cookie: A.cookie });
    assert.equal(change.status, 200, change.text);
    assert.deepEqual(await statuses(urls, { cookie }), urls.map(() => 404));
    assert.doesNotMatch((await linkPage(link.path, { cookie })).html, new RegExp(P.priv.title));
    const again = await api("unlock_link", { token: link.token, password: "second secret" });
    const cookie2 = again.headers.getSetCookie()[0].split(";")[0];
    assert.deepEqual(await statuses(urls, { cookie: cookie2 }), urls.map(() => 200));

    // Cleared: open to anyone with the link; the stored hash is gone.
    const clear = await api("update_link", { id: link.id, label: link.label, clear_password: "on", allow_downloads: "on" }, { cookie: A.cookie });
    assert.equal(clear.status, 200, clear.text);
    assert.deepEqual(await srv.d1(`SELECT password_hash FROM share_links WHERE id = ${sq(link.id)}`), [{ password_hash: null }]);
    assert.deepEqual(await statuses(urls), urls.map(() => 200));
  });

  test("passwords are stored as PBKDF2, never as typed", async () => {
    const link = await createLink(P.priv.id, { password: "plain text never" });
    const [{ password_hash }] = await srv.d1(`SELECT password_hash FROM share_links WHERE id = ${sq(link.id)}`);
    assert.match(password_hash, /^pbkdf2-sha256\$100000\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    const short = await api("create_link", { photo_id: P.priv.id, label: "short", password: "abc" }, { cookie: A.cookie });
    assert.equal(short.status, 422);
  });

  test("expiry defaults to 30 days; never only when chosen", async () => {
    const before = Date.now();
    const def = await createLink(P.priv.id);
    const never = await createLink(P.priv.id, { expires: "never" });
    const rows = await srv.d1(`SELECT id, expires_at FROM share_links WHERE id IN (${sq(def.id)}, ${sq(never.id)})`);
    const exp = Object.fromEntries(rows.map((r) => [r.id, r.expires_at]));
    const day = 24 * 3600 * 1000;
    assert.ok(Math.abs(exp[def.id] - (before + 30 * day)) < 60_000, String(exp[def.id]));
    assert.equal(exp[never.id], null);
    assert.equal((await api("create_link", { photo_id: P.priv.id, label: "x", expires: "forever" }, { cookie: A.cookie })).status, 422);
  });
});

describe("wrong passwords", () => {
  test("per link: the 11th guess in 15 minutes is 429 with a clear message, from any network", async () => {
    const link = await createLink(P.priv.id, { password: "the right one" });
    for (let i = 0; i < 10; i++) {
      const r = await api("unlock_link", { token: link.token, password: `wrong ${i}` });
      assert.deepEqual([r.status, r.json?.reason], [422, "That password is not right."], `guess ${i}`);
      assert.deepEqual(r.headers.getSetCookie(), []);
    }
    const r = await api("unlock_link", { token: link.token, password: "the right one" });
    assert.equal(r.status, 429);
    assert.equal(r.json.error, "rate_limited");
    assert.ok(Number(r.headers.get("retry-after")) > 0);
    assert.deepEqual(r.headers.getSetCookie(), []);
    // The form says so on the link's page, with JS off.
    const form = await api("unlock_link", { token: link.token, password: "x" }, { headers: { accept: "text/html", referer: `${srv.base}${link.path}` } });
    assert.equal(form.status, 429);
    assert.match(form.text, /Too many requests; try again in \d+ s\./);
  });

  test("per network: guesses spread over links add up; other networks still get in", async () => {
    const links = [];
    for (let i = 0; i < 3; i++) links.push(await createLink(P.priv.id, { password: "the right one" }));
    const ip = "2001:db8:77:1::1";
    for (let i = 0; i < 20; i++) {
      const r = await api("unlock_link", { token: links[i % 3].token, password: "wrong" }, { ip: `2001:db8:77:1::${i + 1}` });
      assert.equal(r.status, 422, `guess ${i}`);
    }
    const fresh = await createLink(P.priv.id, { password: "the right one" });
    assert.equal((await api("unlock_link", { token: fresh.token, password: "the right one" }, { ip })).status, 429, "same /64");
    assert.equal((await api("unlock_link", { token: fresh.token, password: "the right one" })).status, 200);
  });

  test("a wrong password with JS off re-renders the prompt with the message (422)", async () => {
    const link = await createLink(P.priv.id, { password: "the right one" });
    const form = await api("unlock_link", { token: link.token, password: "nope" }, { headers: { accept: "text/html", referer: `${srv.base}${link.path}` } });
    assert.equal(form.status, 422);
    assert.match(form.text, /That password is not right\./);
    assert.ok(!form.text.includes(P.priv.title));
  });
});

describe("other people and other sites", () => {
  test("IDOR sweep: B and anonymous see and change nothing of A's links", async () => {
    const link = await createLink(P.priv.id, { password: "the right one" });
    const pubLink = await createLink(P.pub.id);
    const before = await linkState();
    const ghost = "zzzzzzzzzzzzzzzzzzzz";
    // B: a private photo does not exist; a public one is not B's (403, as editing it).
    const want = {
      B: { list_priv: 404, list_pub: 403, create_priv: 404, create_pub: 403, link: 404 },
      anonymous: { list_priv: 401, list_pub: 401, create_priv: 401, create_pub: 401, link: 401 },
    };
    for (const [who, cookie] of [
      ["B", B.cookie],
      ["anonymous", undefined],
    ]) {
      const w = want[who];
      assert.equal((await api("list_links", { photo_id: P.priv.id }, { cookie })).status, w.list_priv, `${who} list priv`);
      assert.equal((await api("list_links", { photo_id: P.pub.id }, { cookie })).status, w.list_pub, `${who} list pub`);
      const create = (photo_id) => api("create_link", { photo_id, label: "pwned", expires: "never", allow_downloads: "on" }, { cookie });
      assert.equal((await create(P.priv.id)).status, w.create_priv, `${who} create priv`);
      assert.equal((await create(P.pub.id)).status, w.create_pub, `${who} create pub`);
      for (const id of [link.id, pubLink.id]) {
        const calls = [
          ["update_link", { id, label: "pwned", expires: "never", clear_password: "on", allow_downloads: "on" }],
          ["reset_link", { id }],
          ["revoke_link", { id }],
        ];
        for (const [name, params] of calls) {
          const real = await api(name, params, { cookie });
          const fake = await api(name, { ...params, id: ghost }, { cookie });
          assert.equal(real.status, w.link, `${who} ${name}`);
          assert.deepEqual([real.status, real.text], [fake.status, fake.text], `${who} ${name}: like a made-up id`);
        }
      }
      // Holding the link opens only what the link shows: the protected one stays locked.
      const page = await linkPage(link.path, { cookie });
      assert.ok(!page.html.includes(P.priv.title), `${who}: locked`);
      const r = await get(`${link.path}/original/${P.priv.id}`, { cookie });
      assert.equal(r.status, 404);
      await r.arrayBuffer();
    }
    assert.equal((await api("unlock_link", { token: "zzzzzzzzzzzzzzzzzzzzzzzzzz", password: "x" })).status, 404);
    assert.equal((await api("get_share", { token: "zzzzzzzzzzzzzzzzzzzzzzzzzz" })).status, 404);
    assert.deepEqual(await linkState(), before, "nothing changed");
  });

  test("cross-site POSTs to every link mutation are refused (403) and change nothing", async () => {
    const link = await createLink(P.priv.id, { password: "the right one" });
    const before = await linkState();
    const CROSS = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }, { origin: "null" }];
    const mutations = [
      ["create_link", { photo_id: P.priv.id, label: "evil", expires: "never", allow_downloads: "on" }],
      ["update_link", { id: link.id, label: "evil", expires: "never", clear_password: "on", allow_downloads: "on" }],
      ["reset_link", { id: link.id }],
      ["revoke_link", { id: link.id }],
      ["unlock_link", { token: link.token, password: "the right one" }],
    ];
    for (const headers of CROSS) {
      for (const [name, params] of mutations) {
        const r = await api(name, params, { cookie: A.cookie, headers });
        assert.deepEqual([r.status, r.json], [403, { error: "forbidden" }], `${name} ${JSON.stringify(headers)}`);
        assert.deepEqual(r.headers.getSetCookie(), [], `${name}: no cookie`);
        const form = await api(name, params, { cookie: A.cookie, headers: { ...headers, accept: "text/html", referer: "https://evil.example/x" } });
        assert.equal(form.status, 403, `${name} as a form`);
      }
    }
    assert.deepEqual(await linkState(), before);
    // The control: the same from this site goes through.
    const same = { origin: srv.base, "sec-fetch-site": "same-origin" };
    assert.equal((await api("unlock_link", { token: link.token, password: "the right one" }, { headers: same })).status, 200);
  });
});

describe("album links", () => {
  /** A's private album holding the private and the public photo (private first). */
  async function album(title = "Holiday <b>2024</b>") {
    const made = await api("create_album", { title, description: "by the sea", visibility: "private" }, { cookie: A.cookie });
    assert.equal(made.status, 200, made.text);
    for (const photo_id of [P.priv.id, P.pub.id]) {
      assert.equal((await api("add_to_album", { album_id: made.json, photo_id }, { cookie: A.cookie })).status, 200);
    }
    return made.json;
  }

  /** Every URL an album link hands out: its page, each photo's page, images and original, the zip. */
  async function everything(link, opts) {
    const page = await linkPage(link.path, opts);
    assert.equal(page.status, 200);
    const photoPages = [...page.html.matchAll(/<a href="([^"]+)" class="thumb"/g)].map((m) => decode(m[1]));
    const urls = [link.path, ...page.images, ...photoPages];
    for (const p of photoPages) {
      const one = await linkPage(p, opts);
      urls.push(...one.images, ...(one.original ? [one.original] : []));
    }
    const zip = page.html.match(/href="([^"]*\/download)"/)?.[1];
    if (zip) urls.push(zip);
    return { page, photoPages, zip, urls: [...new Set(urls)] };
  }

  test("shows the album and its private photos to anyone with the link, each under the link, with a zip", async () => {
    const id = await album();
    const link = await createLink({ album_id: id }, { allow_downloads: "on" });
    const { page, photoPages, zip, urls } = await everything(link);
    assert.ok(page.html.includes("<h1><bdi>Holiday &lt;b&gt;2024&lt;/b&gt;</bdi></h1>"), "title, escaped");
    assert.match(page.html, /Shared by @alice · 2 photos/);
    assert.deepEqual(photoPages, [`${link.path}/p/${P.priv.id}`, `${link.path}/p/${P.pub.id}`], "album order, link-scoped");
    for (const url of page.images) assert.ok(url.startsWith(`${link.path}/media/`), url);
    assert.ok(!page.html.includes(`/a/${id}`) && !page.html.includes(`href="/p/`), "no way out of the link");
    assert.equal(zip, `${link.path}/download`);
    assert.deepEqual(await statuses(urls), urls.map(() => 200));
    // The album itself is still private, and so is its private photo.
    assert.equal((await get(`/a/${id}`)).status, 404);
    assert.equal((await get(`/p/${P.priv.id}`)).status, 404);

    // One photo under the link: no GPS, previous / next within the album, the way back.
    const one = await linkPage(photoPages[0]);
    assert.ok(one.html.includes(`<h1><bdi>${P.priv.title}</bdi></h1>`));
    assert.ok(!one.html.includes(GPS_SHOWN) && !one.html.includes("Location"), "never the location");
    assert.ok(one.html.includes(`href="${photoPages[1]}" rel="next"`), "next");
    assert.ok(one.html.includes(`href="${link.path}">Album: `), "back to the album");
    assert.equal(one.res.headers.get("cache-control"), "private, no-cache");

    // The zip: exact length, both originals byte for byte (Python's zipfile is the judge).
    const res = await get(zip);
    assert.equal(res.headers.get("content-type"), "application/zip");
    assert.match(res.headers.get("content-disposition"), /^attachment; filename="Holiday--b-2024--b\.zip"$/);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get("content-length")), bytes.length);
    const dir = mkdtempSync(join(tmpdir(), "lumen-linkzip-"));
    writeFileSync(join(dir, "a.zip"), bytes);
    const listing = JSON.parse(
      execFileSync("python3", [
        "-c",
        "import json,sys,zipfile,hashlib\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n" +
          "print(json.dumps([[i.filename,hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))",
        join(dir, "a.zip"),
      ]).toString(),
    );
    assert.equal(listing.length, 2);
    for (const [i, photo] of [P.priv, P.pub].entries()) {
      const [{ owner_id }] = await srv.d1(`SELECT owner_id FROM photos WHERE id = ${sq(photo.id)}`);
      assert.equal(listing[i][1], createHash("sha256").update(srv.r2Get(`orig/${owner_id}/${photo.id}`)).digest("hex"));
    }
    const [{ views }] = await srv.d1(`SELECT views FROM share_links WHERE id = ${sq(link.id)}`);
    assert.equal(views, 2, "the album page was opened twice; its photo pages (opened four times) count nothing");
  });

  test("opens nothing outside its album, and a photo taken out is out of the link at once", async () => {
    const id = await album("Only two");
    const link = await createLink({ album_id: id }, { allow_downloads: "on" });
    const { urls } = await everything(link);
    const pubUrls = urls.filter((u) => u.includes(P.pub.id));
    assert.ok(pubUrls.length >= 3, pubUrls.join());
    // Another album's photo, by its id under this link: 404.
    const other = await uploadAt(srv.base, [fileOf(demoPhoto("rocket.jpg"), "image/jpeg")], { cookie: A.cookie });
    const [outside] = (await other.json()).photos.map((p) => p.id);
    await waitProcessed(srv.base, outside, 90_000, { cookie: A.cookie });
    for (const path of [`${link.path}/p/${outside}`, `${link.path}/original/${outside}`, pubUrls.find((u) => u.includes("/media/")).replace(P.pub.id, outside)]) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      await r.arrayBuffer();
    }
    assert.equal((await api("remove_from_album", { album_id: id, photo_id: P.pub.id }, { cookie: A.cookie })).status, 200);
    assert.deepEqual(await statuses(pubUrls), pubUrls.map(() => 404));
    assert.ok(!(await linkPage(link.path)).html.includes(P.pub.id));
  });

  test("revocation, a password and deleting the album end every URL it handed out", async () => {
    const id = await album("Ending");
    const link = await createLink({ album_id: id }, { allow_downloads: "on" });
    const { urls } = await everything(link);
    assert.deepEqual(await statuses(urls), urls.map(() => 200));
    // A password: locked at once, every URL, until unlocked.
    const pw = await api("update_link", { id: link.id, label: link.label, expires: "keep", password: "album secret", allow_downloads: "on" }, { cookie: A.cookie });
    assert.equal(pw.status, 200, pw.text);
    const locked = await linkPage(link.path);
    assert.ok(!locked.html.includes("Ending") && /name="password"/.test(locked.html), "only the form");
    assert.ok(/This link is protected/.test((await linkPage(`${link.path}/p/${P.priv.id}`)).html));
    const media = urls.filter((u) => u.includes("/media/") || u.includes("/original/") || u.endsWith("/download"));
    assert.deepEqual(await statuses(media), media.map(() => 404));
    const unlock = await api("unlock_link", { token: link.token, password: "album secret" });
    const cookie = unlock.headers.getSetCookie()[0].split(";")[0];
    assert.deepEqual(await statuses(urls, { cookie }), urls.map(() => 200), "the unlock covers the photo pages, media and zip");
    // Revoked: everything 404, unlocked or not.
    assert.equal((await api("revoke_link", { id: link.id }, { cookie: A.cookie })).status, 200);
    assert.deepEqual(await statuses(urls, { cookie }), urls.map(() => 404));
    // Deleting an album takes its links (and never its photos).
    const second = await createLink({ album_id: id }, { allow_downloads: "on" });
    assert.equal((await api("delete_album", { id }, { cookie: A.cookie })).status, 200);
    assert.equal((await get(second.path)).status, 404);
    assert.deepEqual(await srv.d1(`SELECT id FROM share_links WHERE target_id = ${sq(id)}`), []);
    assert.equal((await get(`/p/${P.pub.id}`)).status, 200, "its photos stay");
  });

  test("IDOR and cross-site: only the owner lists and makes links to an album", async () => {
    const id = await album("Mine only");
    const pub = await api("create_album", { title: "public one", visibility: "public" }, { cookie: A.cookie });
    const before = await linkState();
    for (const [who, cookie, want] of [
      ["B", B.cookie, { priv: 404, pub: 403 }],
      ["anonymous", undefined, { priv: 401, pub: 401 }],
    ]) {
      for (const [album_id, w] of [[id, want.priv], [pub.json, want.pub]]) {
        assert.equal((await api("list_links", { album_id }, { cookie })).status, w, `${who} list`);
        assert.equal((await api("create_link", { album_id, label: "pwned", expires: "never", allow_downloads: "on" }, { cookie })).status, w, `${who} create`);
      }
    }
    const ghost = await api("create_link", { album_id: "no-such-album", label: "x" }, { cookie: A.cookie });
    assert.equal(ghost.status, 404);
    const both = await api("create_link", { album_id: id, photo_id: P.priv.id, label: "x" }, { cookie: A.cookie });
    assert.equal(both.status, 422, "one target at a time");
    for (const headers of [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }]) {
      const r = await api("create_link", { album_id: id, label: "evil", expires: "never" }, { cookie: A.cookie, headers });
      assert.equal(r.status, 403);
    }
    assert.deepEqual(await linkState(), before, "nothing changed");
  });
});

describe("hostile text is inert", () => {
  const X = {
    script: "<script>alert(1)</script>",
    attr: `"><img src=x onerror=alert(2)>`,
    title: "</title><script>alert(4)</script>",
  };
  const hostile = Object.values(X).join(" ");

  function assertInert(label, text) {
    for (const [k, v] of Object.entries(X)) assert.ok(!text.includes(v), `${label}: raw ${k} payload`);
    assert.doesNotMatch(text, /<script>alert|<img src=x/i, label);
  }

  test("labels on the owner's page, photo titles on link pages, titles and og: tags", async () => {
    const res = await uploadAt(srv.base, [fileOf(demoPhoto("rocket.jpg"), "image/jpeg")], { cookie: A.cookie });
    const [{ id }] = (await res.json()).photos;
    await waitProcessed(srv.base, id, 60_000, { cookie: A.cookie });
    const title = X.title + X.attr;
    const r = await api("update_photo", { id, title, caption: hostile, alt: X.attr, visibility: "private" }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    const label = `LBL-zq9 ${X.attr} ${X.script}`;
    const link = await createLink(id, { label });
    assert.equal(link.label, label, "stored as typed");

    const owner = await (await get(`/p/${id}`, { cookie: A.cookie })).text();
    assertInert("owner's photo page", owner.slice(owner.indexOf("<body")));
    assert.ok(owner.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.ok(owner.includes(`value="${link.url}"`), "the URL to copy");

    const page = await (await get(link.path)).text();
    assertInert("link page", page);
    assert.equal(decode(page.match(/<title>([^<]*)<\/title>/)[1]), `${FSI}${title}${PDI} · Lumen`);
    assert.equal(meta(page, 'property="og:title"'), `${FSI}${title}${PDI}`);
    assert.equal(meta(page, 'property="og:description"'), hostile);
    assert.ok(!page.includes("LBL-zq9"), "the label is the owner's alone");

    // A refused edit echoes the label escaped, on its own form only.
    const refused = await api(
      "update_link",
      { id: link.id, label: `${hostile}${"x".repeat(100)}`, expires: "keep" },
      { cookie: A.cookie, headers: { accept: "text/html", referer: `${srv.base}/p/${id}` } },
    );
    assert.equal(refused.status, 422);
    assertInert("refused link edit", refused.text.slice(refused.text.indexOf("<body")));
    assert.equal((refused.text.match(/Keep it under 100 characters\./g) ?? []).length, 1);
  });
});
