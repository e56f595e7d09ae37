// The edge cache against `wrangler dev` (issue 13). Local wrangler implements the Cache API
// (`caches.default`, miniflare's cache) that Lumen uses, so these run the real cache: an
// anonymous page is rendered once, then served from the cache (`x-lumen-cache: hit`, no
// render, no D1 read); every change purges what shows it, with no waiting for a TTL;
// signed-in requests never meet the cache and nothing rendered for them reaches anyone else,
// also under concurrency; public variants come from the cache, non-public ones are `private`.
// What local cannot show (another data centre's copy) is in the README, "Edge cache".
// Run: ./e2e/run.sh e2e/cache.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { ROOT, startLumen, waitFor } from "./harness.mjs";
import { CHROMIUM_OPTIONS, api as apiAt, demoPhoto, fileOf, ipSource, signUp as signUpAt, upload as uploadAt, waitProcessed } from "./helpers.mjs";

let srv;
const freshIp = ipSource("10.13");
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const get = async (path, { cookie } = {}) => {
  const r = await fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: cookie ? { cookie } : {},
    signal: AbortSignal.timeout(15_000),
  });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, cache: r.headers.get("x-lumen-cache"), control: r.headers.get("cache-control"), html: body.toString("utf8"), bytes: body.length };
};
/** Asks until the answer comes from the cache (it is stored just after the first answer). */
const warm = (path) =>
  waitFor(
    async () => {
      const r = await get(path);
      return r.cache === "hit" ? r : null;
    },
    { timeout: 10_000, interval: 100, what: `${path} from the cache` },
  );

const A = {};
const B = {};
let album;
const HOSTILE = `<script>alert(1)</script>"'&<img src=x onerror=alert(2)>`;

before(async () => {
  srv = await startLumen("cache");
  Object.assign(A, await signUpAt(srv.base, { username: "ana", ip: freshIp() }));
  Object.assign(B, await signUpAt(srv.base, { username: "ben", ip: freshIp() }));
  const r = await api("create_album", { title: "Sea", description: "", visibility: "public" }, { cookie: A.cookie });
  assert.equal(r.status, 200, r.text);
  album = r.json;
});

after(async () => {
  await srv?.stop();
});

async function uploadOne(cookie = A.cookie) {
  const res = await uploadAt(srv.base, [fileOf(demoPhoto("coins.png"), "image/png")], { cookie });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).photos[0].id;
}

describe("anonymous pages", () => {
  test("the first view renders, the next comes from the cache; signed-in views never do", async () => {
    const first = await get("/t/cold");
    assert.equal(first.status, 200);
    assert.equal(first.cache, "miss");
    assert.match(first.control, /^public/);
    const hit = await warm("/t/cold");
    assert.equal(hit.html, first.html, "the stored page is the rendered one");
    const mine = await get("/t/cold", { cookie: A.cookie });
    assert.equal(mine.cache, null, "a signed-in request bypasses the cache");
    assert.match(mine.control, /private, no-store/);
    assert.ok(mine.html.includes("Sign out"));
    assert.equal((await warm("/t/cold")).html, first.html, "and it did not replace the stored page");
  });

  test("only answers worth keeping are stored: errors, refusals and unknown pages always run", async () => {
    for (const path of ["/?before=%3Cscript%3E", "/p/made-up", "/nowhere", "/settings", "/signin"]) {
      const a = await get(path);
      const b = await get(path);
      assert.notEqual(a.cache, "hit", path);
      assert.notEqual(b.cache, "hit", path);
    }
  });
});

describe("purges", () => {
  let photo;

  test("a processed upload shows as ready on the cached feed, profile and album at once", async () => {
    for (const path of ["/", "/u/ana", `/a/${album}`]) await warm(path);
    photo = await uploadOne();
    const add = await api("add_to_album", { album_id: album, photo_id: photo }, { cookie: A.cookie });
    assert.equal(add.status, 200, add.text);
    const view = await waitProcessed(srv.base, photo, 90_000, { cookie: A.cookie });
    assert.equal(view.status, "ready");
    // The consumer purged when it marked the photo ready: the very next view shows it.
    for (const path of ["/", "/u/ana", `/a/${album}`]) {
      const r = await get(path);
      assert.ok(r.html.includes(`/media/${photo}/`), `${path} shows the ready photo (${r.cache})`);
      assert.notEqual(r.cache, "hit", `${path} was purged`);
    }
    for (const path of ["/", "/u/ana", `/a/${album}`, `/p/${photo}`]) await warm(path);
  });

  test("a caption edit (hostile text too) shows on the next anonymous view", async () => {
    const edit = { id: photo, title: "Coins", caption: `New caption ${HOSTILE}`, alt: "", visibility: "public" };
    assert.equal((await api("update_photo", edit, { cookie: A.cookie })).status, 200);
    const r = await get(`/p/${photo}`);
    assert.notEqual(r.cache, "hit");
    assert.ok(r.html.includes("New caption &lt;script&gt;alert(1)&lt;/script&gt;"), "escaped, and new");
    assert.ok(!r.html.includes("<script>alert(1)"));
    await warm(`/p/${photo}`);
  });

  test("a comment and a like show on the next view of the photo", async () => {
    const c = await api("add_comment", { photo_id: photo, body: "Lovely" }, { cookie: B.cookie });
    assert.equal(c.status, 200, c.text);
    const r = await get(`/p/${photo}`);
    assert.notEqual(r.cache, "hit");
    assert.ok(r.html.includes("Lovely"));
  });

  test("a public variant comes from the cache; turned private, it and every page showing the photo go at once", async () => {
    const view = await waitProcessed(srv.base, photo, 5_000, { cookie: A.cookie });
    const media = new URL(view.images[0].url, srv.base).pathname;
    const first = await get(media);
    assert.equal(first.status, 200);
    assert.match(first.control, /^public/);
    const hit = await warm(media);
    assert.equal(hit.bytes, first.bytes);
    for (const path of ["/", "/u/ana", `/a/${album}`, `/p/${photo}`]) await warm(path);

    const edit = { id: photo, title: "Coins", caption: "", alt: "", visibility: "private" };
    assert.equal((await api("update_photo", edit, { cookie: A.cookie })).status, 200);
    for (const path of ["/", "/u/ana", `/a/${album}`]) {
      const r = await get(path);
      assert.equal(r.status, 200);
      assert.ok(!r.html.includes(photo), `${path} no longer shows it (${r.cache})`);
    }
    assert.equal((await get(`/p/${photo}`)).status, 404);
    assert.equal((await get(media)).status, 404, "the cached variant went too");
    // The owner still sees it, privately: never stored in a shared cache.
    const own = await get(media, { cookie: A.cookie });
    assert.equal(own.status, 200);
    assert.match(own.control, /^private/);
    assert.notEqual((await get(media, { cookie: A.cookie })).cache, "hit");
  });

  test("album changes purge the album page and the owner's page", async () => {
    await warm(`/a/${album}`);
    const r = await api("update_album", { id: album, title: "Sea and sky", description: "", visibility: "public", sort: "manual" }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    const after = await get(`/a/${album}`);
    assert.notEqual(after.cache, "hit");
    assert.ok(after.html.includes("Sea and sky"));
  });
});

describe("share links and Atom feeds", () => {
  let photo;
  const views = async (token) => (await srv.d1(`SELECT views FROM share_links WHERE token = '${token}'`))[0]?.views;
  const link = async (params) => {
    const label = `${HOSTILE} ${Math.random().toString(36).slice(2, 8)}`;
    const target = params.album_id ? {} : { photo_id: photo };
    const r = await api("create_link", { ...target, label, expires: "never", ...params }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    const list = await api("list_links", params.album_id ? { album_id: params.album_id } : { photo_id: photo }, { cookie: A.cookie });
    const found = list.json.find((l) => l.label === label);
    assert.ok(found, "the new link is listed");
    const path = new URL(found.url).pathname;
    return { id: found.id, path, token: path.split("/")[2] };
  };

  before(async () => {
    photo = await uploadOne();
    assert.equal((await waitProcessed(srv.base, photo, 90_000, { cookie: A.cookie })).status, "ready");
    const add = await api("add_to_album", { album_id: album, photo_id: photo }, { cookie: A.cookie });
    assert.equal(add.status, 200, add.text);
    const tag = await api("add_tags", { photo_id: photo, tags: "cachedfeed" }, { cookie: A.cookie });
    assert.equal(tag.status, 200, tag.text);
  });

  test("a share page's second anonymous view is a hit that still counts; revoking it makes it 404 at once", async () => {
    const l = await link({});
    const first = await get(l.path);
    assert.equal(first.status, 200);
    assert.equal(first.cache, "miss");
    assert.equal(first.control, "private, no-cache", "the answer stays out of every other shared cache");
    const hit = await warm(l.path);
    assert.equal(hit.control, "private, no-cache");
    assert.equal(hit.html, first.html);
    const before = await views(l.token);
    assert.equal((await get(l.path)).cache, "hit");
    assert.equal(await views(l.token), before + 1, "a hit counts the view");
    // Signed in, or holding any link's unlock cookie: never from the cache.
    assert.equal((await get(l.path, { cookie: A.cookie })).cache, null);
    assert.equal((await get(l.path, { cookie: "lumen_link=1.abc" })).cache, null);
    const r = await api("revoke_link", { id: l.id }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    const gone = await get(l.path);
    assert.equal(gone.status, 404);
    assert.notEqual(gone.cache, "hit");
  });

  test("a link that expires (no purge at all) is never served from the cache after its end", async () => {
    const l = await link({});
    await warm(l.path);
    // Its end passes behind the Worker's back: no change, so no purge; the hit's check sees it.
    await srv.d1(`UPDATE share_links SET expires_at = 1 WHERE id = '${l.id}'`);
    const r = await get(l.path);
    assert.equal(r.status, 404);
    assert.notEqual(r.cache, "hit");
    assert.equal((await get(l.path)).status, 404, "and the stale copy is gone");
  });

  test("a password-protected link is never a hit, nor is a link once a password is set", async () => {
    const locked = await link({ password: "open sesame" });
    for (let i = 0; i < 4; i++) {
      const r = await get(locked.path);
      assert.equal(r.status, 200);
      assert.notEqual(r.cache, "hit");
      assert.match(r.control, /private, no-store/);
      assert.match(r.html, /type="password"/);
    }
    const l = await link({});
    await warm(l.path);
    const set = await api("update_link", { id: l.id, label: "now locked", password: "open sesame" }, { cookie: A.cookie });
    assert.equal(set.status, 200, set.text);
    const r = await get(l.path);
    assert.notEqual(r.cache, "hit");
    assert.match(r.html, /type="password"/, "the password form, not the photo");
    assert.ok(!r.html.includes(`/media/${photo}/`));
  });

  test("an album link's photo pages are cached too; only the album page counts views", async () => {
    const l = await link({ album_id: album });
    const page = `${l.path}/p/${photo}`;
    await warm(l.path);
    await warm(page);
    const before = await views(l.token);
    assert.equal((await get(page)).cache, "hit");
    assert.equal(await views(l.token), before, "a photo page is no view");
    // A change to the album shows through the link at once.
    const r = await api("update_album", { id: album, title: "Sea, shared", description: "", visibility: "public", sort: "manual" }, { cookie: A.cookie });
    assert.equal(r.status, 200, r.text);
    const after = await get(l.path);
    assert.notEqual(after.cache, "hit");
    assert.ok(after.html.includes("Sea, shared"));
  });

  test("Atom feeds: the second view is a hit; a caption edit (hostile too) shows at once", async () => {
    const feeds = ["/u/ana/feed.atom", `/a/${album}/feed.atom`, "/t/cachedfeed/feed.atom"];
    for (const path of feeds) {
      const first = await get(path);
      assert.equal(first.status, 200, path);
      assert.ok(first.html.includes(`/p/${photo}`), `${path} lists the photo`);
      assert.equal((await warm(path)).html, first.html);
    }
    const edit = { id: photo, title: "Coins", caption: `Feed caption ${HOSTILE}`, alt: "", visibility: "public" };
    assert.equal((await api("update_photo", edit, { cookie: A.cookie })).status, 200);
    for (const path of feeds) {
      const r = await get(path);
      assert.notEqual(r.cache, "hit", path);
      assert.ok(r.html.includes("Feed caption &lt;script&gt;alert(1)&lt;/script&gt;"), `${path}: new and escaped`);
      assert.ok(!r.html.includes("<script>alert(1)"), path);
    }
    // A made-up feed is a 404, never stored.
    for (let i = 0; i < 2; i++) assert.notEqual((await get("/u/nobody-here/feed.atom")).cache, "hit");
  });
});

describe("nothing personal is ever cached", () => {
  test("signed-in and anonymous readers interleaved: anonymous answers never hold anything of the signed-in", async () => {
    const secret = await uploadOne();
    await waitProcessed(srv.base, secret, 90_000, { cookie: A.cookie });
    const title = "Secret-title-xyz";
    const edit = { id: secret, title, caption: "", alt: "", visibility: "private" };
    assert.equal((await api("update_photo", edit, { cookie: A.cookie })).status, 200);
    const paths = ["/", "/u/ana", `/a/${album}`, "/search?q=coins", "/t/cold"];
    const asks = [];
    for (let round = 0; round < 4; round++) {
      for (const path of paths) {
        asks.push(get(path, { cookie: A.cookie }).then((r) => ({ who: "ana", path, r })));
        asks.push(get(path).then((r) => ({ who: "anon", path, r })));
      }
    }
    const answers = await Promise.all(asks);
    for (const { who, path, r } of answers) {
      if (who === "anon") {
        assert.ok(!r.html.includes("Sign out"), `${path}: an anonymous answer holds a signed-in nav`);
        assert.ok(!r.html.includes(title), `${path}: an anonymous answer holds a private photo`);
        assert.ok(!r.html.includes(secret), `${path}: an anonymous answer holds a private photo's id`);
      } else {
        assert.notEqual(r.cache, "hit", `${path}: a signed-in answer came from the cache`);
        assert.ok(r.html.includes("Sign out"), `${path}: a signed-in answer without the person's nav`);
      }
    }
    // And afterwards, from the cache:
    for (const path of paths) {
      const r = await warm(path);
      assert.ok(!r.html.includes("Sign out") && !r.html.includes(title), path);
    }
  });
});

describe("a lean page in the browser", () => {
  let browser;
  after(async () => {
    await browser?.close().catch(() => {});
  });

  test("a page without an island fetches no .js and no .wasm; a page with one still hydrates", async () => {
    browser = await chromium.launch({ ...CHROMIUM_OPTIONS, timeout: 30_000 });
    const shots = join(ROOT, "target", "shots-cache");
    mkdirSync(shots, { recursive: true });
    const ctx = await browser.newContext();
    await ctx.addCookies([{ name: "lumen_session", value: A.cookie.split("=")[1].split(";")[0], url: srv.base }]);
    const page = await ctx.newPage();
    const scripts = [];
    const violations = [];
    page.on("request", (r) => {
      if (/\.(js|wasm)(\?|$)/.test(new URL(r.url()).pathname)) scripts.push(r.url());
    });
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
    });
    for (const path of ["/signin", "/u/ben", "/settings"]) {
      await page.goto(`${srv.base}${path}`, { waitUntil: "load" });
      assert.equal(await page.locator("leptos-island").count(), 0, `${path} has no island`);
      await page.waitForTimeout(300);
      assert.deepEqual(scripts.splice(0), [], `${path} loads no script`);
      const html = await page.content();
      assert.ok(!html.includes("<!>") && !html.includes("<!--HEAD-->"), `${path}: no hydration markers`);
    }
    await page.goto(`${srv.base}/upload`, { waitUntil: "load" });
    assert.ok((await page.locator("leptos-island").count()) > 0);
    await page.locator("html[data-hydrated=true]").waitFor({ state: "attached", timeout: 30_000 });
    assert.ok(scripts.some((u) => u.endsWith(".wasm")), "the island's page loads the bundle");
    assert.deepEqual(violations, [], "the hashed CSP lets the hydration script run");
    for (const [name, path] of [["signin", "/signin"], ["upload", "/upload"], ["feed", "/"]]) {
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${srv.base}${path}`, { waitUntil: "load" });
        await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
      }
    }
    await ctx.close();
  });
});

describe("D1 sessions", () => {
  test("a signed-in person carries a bookmark and reads their own upload at once; a bad bookmark is ignored", async () => {
    const r = await fetch(`${srv.base}/u/ana`, { headers: { cookie: A.cookie } });
    await r.arrayBuffer();
    const bookmark = (r.headers.getSetCookie?.() ?? []).find((c) => c.startsWith("lumen_d1="));
    // Local workerd has D1 sessions (one copy, so every read is "its own writes").
    assert.ok(bookmark, "a bookmark cookie");
    assert.match(bookmark, /^lumen_d1=[0-9a-z-]+; Path=\/; Max-Age=86400; HttpOnly; SameSite=Lax$/);
    const mark = bookmark.split(";")[0];
    const id = await uploadOne();
    const mine = await get("/u/ana", { cookie: `${A.cookie}; ${mark}` });
    assert.equal(mine.status, 200);
    assert.ok(mine.html.includes(id), "the just-uploaded (pending) photo is on the owner's page");
    for (const bad of ["lumen_d1=abc-def", "lumen_d1=first-primary", "lumen_d1=%3Cscript%3E", `lumen_d1=${"9".repeat(300)}`]) {
      const r2 = await get("/u/ana", { cookie: `${A.cookie}; ${bad}` });
      assert.equal(r2.status, 200, bad);
    }
    // Anonymous readers get no bookmark (and their pages stay cacheable).
    const anon = await fetch(`${srv.base}/u/ana`);
    await anon.arrayBuffer();
    assert.equal(anon.headers.get("set-cookie"), null);
  });
});
