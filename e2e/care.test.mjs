// Issue 15's remaining care gaps against `wrangler dev`: a suspended person's content answers
// 404 at every direct address (photo page, variant, original, profile, albums, album, share
// links, Atom feed) to nobody signed in and to another member, and comes back on unsuspend
// (the edge cache purged both times); an export prepared by the queue is written into R2,
// downloaded by its owner alone (every original byte for byte, and photos.json) and gone a day
// later (the clock moved by /_dev/exports); two identical uploads by one person at the same time
// store one photo, one answer says "already uploaded", and no object is left behind.
// Run: ./e2e/run.sh e2e/care.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { ROOT, startLumen, waitFor } from "./harness.mjs";
import { CHROMIUM_OPTIONS, api as apiAt, ipSource, makeRgbaPng, signUp as signUpAt, unzip, upload as uploadAt, waitProcessed } from "./helpers.mjs";

let srv;
const freshIp = ipSource("10.16");
const api = (name, params = {}, opts = {}) => apiAt(srv.base, name, params, { ip: freshIp(), ...opts });
const get = (path, { cookie, headers = {} } = {}) =>
  fetch(`${srv.base}${path}`, {
    redirect: "manual",
    headers: { ...(cookie ? { cookie } : {}), ...headers },
    signal: AbortSignal.timeout(30_000),
  });
const DAY = 24 * 3600 * 1000;
const CROSS = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { origin: "null" }];
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
  Object.assign(root, await signUpAt(srv.base, { username: "olga", ip: freshIp() }));
  Object.assign(mel, await signUpAt(srv.base, { username: "mel", ip: freshIp() }));
  Object.assign(bo, await signUpAt(srv.base, { username: "bob", ip: freshIp() }));
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
    const tokens = (await srv.d1(`SELECT token FROM share_links WHERE owner_id = (SELECT id FROM users WHERE username = 'mel') ORDER BY target_kind`)).map(
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

describe("an export prepared by the queue", () => {
  test("prepare → the job builds the zip → its owner downloads every original and the JSON; others 404; a day later 404 and gone", async () => {
    const ex = await signUpAt(srv.base, { username: "exa", ip: freshIp() });
    const exId = (await srv.d1("SELECT id FROM users WHERE username = 'exa'"))[0].id;
    const mine = [await photo(ex, "exa one"), await photo(ex, "exa two")];
    const exports = async () => (await srv.d1(`SELECT count(*) AS n FROM exports WHERE user_id = ${sq(exId)}`))[0].n;

    // Nobody signed in, and every cross-site form, start nothing.
    assert.equal((await api("prepare_export", {})).status, 401);
    for (const headers of CROSS) {
      const r = await api("prepare_export", {}, { cookie: ex.cookie, headers });
      assert.equal(r.status, 403, JSON.stringify(headers));
    }
    assert.equal(await exports(), 0, "nothing recorded");

    const r = await api("prepare_export", {}, { cookie: ex.cookie, headers: { accept: "text/html" } });
    assert.ok([302, 303].includes(r.status), `${r.status} ${r.text}`);
    assert.equal(r.headers.get("location"), "/settings?export=preparing");
    const ready = await waitFor(
      async () => {
        const s = (await api("export_status", {}, { cookie: ex.cookie })).json;
        return s?.status === "ready" ? s : null;
      },
      { timeout: 90_000, interval: 500, what: "the export to be ready" },
    );
    assert.equal(ready.url, `/exports/${exId}`);
    assert.equal(ready.expires_in_hours, 24);
    const settings = await (await get("/settings", { cookie: ex.cookie })).text();
    assert.match(settings, /Your export is ready/);
    assert.ok(settings.includes(`href="${ready.url}"`), "the settings page links it");
    assert.deepEqual(srv.r2Keys(`export/${exId}/`).sort(), [`export/${exId}/lumen.zip`, `export/${exId}/photos.json`]);

    const z = await get(ready.url, { cookie: ex.cookie });
    assert.equal(z.status, 200, await z.clone().text());
    assert.equal(z.headers.get("content-type"), "application/zip");
    assert.match(z.headers.get("content-disposition"), /attachment; filename="lumen-exa.zip"/);
    const bytes = Buffer.from(await z.arrayBuffer());
    assert.equal(bytes.length, ready.bytes);
    const files = unzip(bytes);
    const json = JSON.parse(files["photos.json"].toString());
    assert.equal(json.username, "exa");
    assert.deepEqual(json.photos.map((p) => p.id).sort(), mine.map((p) => p.id).sort());
    for (const p of mine) {
      const entry = json.photos.find((e) => e.id === p.id);
      assert.ok(files[entry.file].equals(p.bytes), `${entry.file} is the original, byte for byte`);
    }

    // Only its owner: another member and nobody get what a made-up id gets; never cross-site.
    for (const cookie of [bo.cookie, undefined]) {
      assert.equal((await get(ready.url, { cookie })).status, 404);
    }
    assert.equal((await get(`/exports/${exId}x`, { cookie: ex.cookie })).status, 404);
    assert.equal((await get(ready.url, { cookie: ex.cookie, headers: { "sec-fetch-site": "cross-site" } })).status, 403);

    // A day later the cron's sweep removes the object and the row; the link is dead.
    const swept = await fetch(`${srv.base}/_dev/exports?at=${Date.now() + DAY + 60_000}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(swept.status, 200, await swept.clone().text());
    assert.ok((await swept.json()).exports >= 1);
    assert.equal((await get(ready.url, { cookie: ex.cookie })).status, 404);
    assert.deepEqual(srv.r2Keys(`export/${exId}/`), []);
    assert.equal(await exports(), 0);
    assert.equal((await api("export_status", {}, { cookie: ex.cookie })).json, null);
  });
});

describe("Settings' Prepare export in a browser", () => {
  const SHOTS = join(ROOT, "target", "shots-care");
  let browser;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ ...CHROMIUM_OPTIONS, timeout: 30_000 });
  });
  after(async () => {
    await browser?.close().catch(() => {});
  });

  for (const js of [true, false]) {
    const name = js ? "js-on" : "js-off";
    test(`${name}: the form queues the export and the page then links it; screenshots at 390 and 1280 px`, async () => {
      const who = await signUpAt(srv.base, { username: `shot${js ? 1 : 0}`, ip: freshIp() });
      await photo(who, `shot ${name}`);
      const ctx = await browser.newContext({ javaScriptEnabled: js });
      const [cname, cvalue] = who.cookie.split("=");
      await ctx.addCookies([{ name: cname, value: cvalue, url: srv.base }]);
      const page = await ctx.newPage();
      const problems = [];
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      const shoot = async (label) => {
        for (const width of [390, 1280]) {
          await page.setViewportSize({ width, height: 844 });
          await page.waitForTimeout(100);
          await page.screenshot({ path: join(SHOTS, `${label}-${name}-${width}.png`), fullPage: true });
        }
      };
      await page.goto(`${srv.base}/settings`, { waitUntil: "load" });
      await shoot("settings-before");
      await page.getByRole("button", { name: "Prepare export" }).click();
      await page.waitForURL(`${srv.base}/settings?export=preparing`);
      await waitFor(async () => (await api("export_status", {}, { cookie: who.cookie })).json?.status === "ready", {
        timeout: 90_000,
        interval: 500,
        what: "the export to be ready",
      });
      await page.reload({ waitUntil: "load" });
      const link = page.getByRole("link", { name: /Download it/ });
      await link.waitFor();
      assert.match(await link.getAttribute("href"), /^\/exports\//);
      await shoot("settings-ready");
      await page.goto(`${srv.base}/_design#light-trash`, { waitUntil: "load" });
      await page.getByText("Your export could not be prepared").first().waitFor();
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 844 });
        await page.waitForTimeout(100);
        await page.locator("#light-trash").screenshot({ path: join(SHOTS, `design-trash-${name}-${width}.png`) });
      }
      assert.deepEqual(problems, []);
      await ctx.close();
    });
  }
});
