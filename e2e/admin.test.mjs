// Issue 15's admin console against `wrangler dev`: every page and function answers 404 to a
// member and to anonymous, cross-site writes are refused, hostile input gets a clear 4xx,
// suspension hides a person and blocks their sign-in, storage adds up, and the pages work in
// chromium with JS on and off (screenshots in target/shots-admin/). Failed and dead jobs are
// planted in D1 as the consumer records them; the real ones (the dead-letter queue, a wrong
// media-service secret, re-run to ready) are in jobs.test.mjs.
// Run: ./e2e/run.sh e2e/admin.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { after, before, describe, test } from "node:test";
import { ROOT, startLumen } from "./harness.mjs";
import { jobHelpers } from "./admin-helpers.mjs";
import { CHROMIUM_OPTIONS, api, signIn, signUp } from "./helpers.mjs";

const PAGES = ["/admin", "/admin/storage", "/admin/people", "/admin/audit", "/admin/repair"];
const READS = [
  ["admin_jobs", {}],
  ["admin_people", {}],
  ["admin_storage", {}],
  ["admin_audit", {}],
  ["admin_repair_view", {}],
];
let srv;
let root; // the first account: admin
let bea; // admin through LUMEN_ADMINS
let mel; // a member
const ids = {};
const { uploadOne, row, settled, page } = jobHelpers(() => srv);

const audits = async () => (await srv.d1("SELECT COUNT(*) AS n FROM admin_audit"))[0].n;

before(async () => {
  srv = await startLumen("admin", { vars: { LUMEN_ADMINS: "bea" } });
  root = await signUp(srv.base, { username: "olga" });
  bea = await signUp(srv.base, { username: "bea" });
  mel = await signUp(srv.base, { username: "mel" });
  ids.ready = await uploadOne(mel.cookie, "coffee.png");
  assert.equal((await settled(ids.ready)).photo.status, "ready");
});

after(async () => {
  await srv?.stop();
});

describe("the console's permissions", () => {
  test("every admin page and server function answers 404 to a member and to anonymous", async () => {
    const writes = [
      ["admin_rerun", { id: ids.ready }],
      ["admin_rerun_all", {}],
      ["admin_suspend", { id: "olga" }],
      ["admin_unsuspend", { id: mel.username }],
      ["admin_repair", {}],
      ["admin_repair", { at: "o:" }],
      ["admin_delete_account", { id: mel.username, confirm: mel.username }],
    ];
    const before = await audits();
    for (const [who, cookie] of [["member", mel.cookie], ["anonymous", undefined]]) {
      for (const path of [...PAGES, "/admin?before=1.x"]) {
        const r = await page(path, cookie);
        assert.equal(r.status, 404, `${who} ${path}`);
        assert.ok(!r.body.includes("Latest failures"), `${who} ${path} shows nothing of the console`);
      }
      for (const [name, params] of [...READS, ...writes]) {
        const r = await api(srv.base, name, params, { cookie });
        assert.deepEqual([r.status, r.json], [404, { error: "not_found" }], `${who} ${name}`);
      }
    }
    assert.equal(await audits(), before, "nothing was done");
    for (const cookie of [root.cookie, bea.cookie]) {
      for (const path of PAGES) assert.equal((await page(path, cookie)).status, 200, path);
      for (const [name, params] of READS) assert.equal((await api(srv.base, name, params, { cookie })).status, 200, name);
    }
  });

  test("hostile input: a clear 4xx, nothing changes", async () => {
    const before = await audits();
    for (const id of ["", "' OR 1=1 --", "<script>alert(1)</script>", "\u202Egnp.exe", "x".repeat(5000)]) {
      const r = await api(srv.base, "admin_rerun", { id }, { cookie: root.cookie });
      assert.equal(r.status, 404, JSON.stringify(id).slice(0, 40));
      const s = await api(srv.base, "admin_suspend", { id }, { cookie: root.cookie });
      assert.equal(s.status, 404, JSON.stringify(id).slice(0, 40));
    }
    for (const at of ["x", "o:var/a", "v:orig/a", "<script>alert(1)</script>", "o:orig/" + "x".repeat(5000)]) {
      const r = await api(srv.base, "admin_repair", { at }, { cookie: root.cookie });
      assert.equal(r.status, 400, `repair at ${at.slice(0, 40)}`);
    }
    for (const path of ["/admin?before=%3Cscript%3E", "/admin/people?before=1.2.3.4", "/admin/audit?before=x", "/admin/repair?at=%3Cscript%3E"]) {
      assert.equal((await page(path, root.cookie)).status, 400, path);
    }
    const self = await api(srv.base, "admin_suspend", { id: await userId("olga") }, { cookie: root.cookie });
    assert.equal(self.status, 400, "an admin cannot suspend themselves");
    assert.equal(await audits(), before);
  });

  test("cross-site POSTs to every admin mutation are refused (403) and change nothing", async () => {
    const before = await audits();
    const melId = await userId("mel");
    const CROSS = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { origin: "null" }];
    const mutations = [
      ["admin_rerun", { id: ids.ready }],
      ["admin_rerun_all", {}],
      ["admin_suspend", { id: melId }],
      ["admin_unsuspend", { id: melId }],
      ["admin_repair", {}],
      ["admin_delete_account", { id: melId, confirm: "mel" }],
    ];
    for (const headers of CROSS) {
      for (const [name, params] of mutations) {
        const r = await api(srv.base, name, params, { cookie: root.cookie, headers });
        assert.deepEqual([r.status, r.json], [403, { error: "forbidden" }], `${name} ${JSON.stringify(headers)}`);
        const form = await api(srv.base, name, params, {
          cookie: root.cookie,
          headers: { ...headers, accept: "text/html", referer: "https://evil.example/x" },
        });
        assert.equal(form.status, 403, `${name} as a form`);
      }
    }
    assert.equal(await audits(), before);
    const [m] = await srv.d1(`SELECT suspended_at FROM users WHERE username = 'mel'`);
    assert.equal(m.suspended_at, null);
  });
});

async function userId(username) {
  return (await srv.d1(`SELECT id FROM users WHERE username = '${username}'`))[0].id;
}

describe("people and storage", () => {
  test("suspend ends the sessions, blocks sign-in and hides the photos; unsuspend undoes it", async () => {
    const melId = await userId("mel");
    const listed = async () => (await page("/", undefined)).body.includes(`/p/${ids.ready}`);
    const onProfile = async () => (await page("/u/mel", undefined)).body.includes(`/p/${ids.ready}`);
    assert.ok(await listed(), "mel's public photo is in the feed");
    assert.ok(await onProfile());
    const people = await page("/admin/people", root.cookie);
    assert.match(people.body, /mel/);
    assert.ok(!people.body.includes("coffee.png") && !people.body.includes("secret title"), "no photo titles");
    const r = await api(srv.base, "admin_suspend", { id: melId }, { cookie: root.cookie, headers: { accept: "text/html" } });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), "/admin/people");
    assert.equal((await api(srv.base, "list_liked", {}, { cookie: mel.cookie })).status, 401, "signed out");
    const refused = await api(srv.base, "sign_in", { login: "mel", password: mel.password });
    assert.equal(refused.status, 422);
    assert.match(refused.text, /suspended/);
    assert.ok(!(await listed()), "hidden from the feed");
    assert.ok(!(await onProfile()), "hidden from the profile");
    assert.match((await page("/admin/people", root.cookie)).body, /suspended/);
    assert.equal((await api(srv.base, "admin_unsuspend", { id: melId }, { cookie: root.cookie })).status, 200);
    mel.cookie = await signIn(srv.base, "mel", mel.password);
    assert.ok(await listed(), "back in the feed");
    const audit = (await page("/admin/audit", root.cookie)).body;
    assert.match(audit, /<strong>olga<\/strong> suspend /);
    assert.match(audit, /<strong>olga<\/strong> unsuspend /);
  });

  test("an admin deletes a suspended account, confirmed by its username: no row or object of it is left", async () => {
    const zed = await signUp(srv.base, { username: "zed" });
    const photo = await uploadOne(zed.cookie, "coffee.png");
    assert.equal((await settled(photo)).photo.status, "ready");
    const zedId = await userId("zed");
    const del = (confirm) => api(srv.base, "admin_delete_account", { id: zedId, confirm }, { cookie: root.cookie });
    assert.equal((await del("zed")).status, 400, "not suspended yet");
    assert.equal((await api(srv.base, "admin_suspend", { id: zedId }, { cookie: root.cookie })).status, 200);
    for (const wrong of ["mel", "", "<script>alert(1)</script>", "zed' OR 1=1 --"]) {
      assert.equal((await del(wrong)).status, 400, `confirm ${JSON.stringify(wrong)}`);
    }
    assert.equal((await srv.d1(`SELECT COUNT(*) AS n FROM photos WHERE owner_id = '${zedId}'`))[0].n, 1, "nothing gone yet");
    assert.equal((await del("ZED")).status, 200);
    for (const [table, col] of [["users", "id"], ["photos", "owner_id"], ["sessions", "user_id"], ["albums", "owner_id"]]) {
      const [r] = await srv.d1(`SELECT COUNT(*) AS n FROM ${table} WHERE ${col} = '${zedId}'`);
      assert.equal(r.n, 0, table);
    }
    assert.equal((await srv.d1(`SELECT COUNT(*) AS n FROM photo_variants WHERE photo_id = '${photo}'`))[0].n, 0);
    assert.equal((await page(`/p/${photo}`, undefined)).status, 404);
    assert.match((await page("/admin/audit", root.cookie)).body, /delete-account/);
  });

  test("storage: totals and the largest accounts, originals and variants apart", async () => {
    const s = await api(srv.base, "admin_storage", {}, { cookie: root.cookie });
    assert.equal(s.status, 200);
    const [t] = await srv.d1(
      "SELECT (SELECT COUNT(*) FROM photos) AS photos, (SELECT SUM(bytes) FROM photos) AS bytes, (SELECT SUM(bytes) FROM photo_variants) AS vbytes",
    );
    assert.equal(s.json.photos, t.photos);
    assert.equal(s.json.original_bytes, t.bytes);
    assert.equal(s.json.variant_bytes, t.vbytes);
    assert.equal(s.json.largest[0].username, "mel");
    assert.equal(s.json.allowances[0].allowed, 10_000_000_000);
    const html = (await page("/admin/storage", bea.cookie)).body;
    assert.match(html, /Largest accounts/);
    assert.match(html, /R2 storage/);
  });
});

const SHOTS = join(ROOT, "target", "shots-admin");
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

describe("the console in a browser", () => {
  let browser;
  let plantedAt;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ ...CHROMIUM_OPTIONS, timeout: 30_000 });
    // Failed jobs (one per run below) and a dead one, planted as the consumer records them.
    const [{ id: owner }] = await srv.d1("SELECT id FROM users WHERE username = 'mel'");
    const now = Date.now();
    plantedAt = now;
    for (const [id, state, why] of [
      ["plantedfail1", "failed", "The media service refused this signature <b>(401)</b>"],
      ["plantedfail0", "failed", "The media service refused this signature <b>(401)</b>"],
      ["planteddead", "dead", "media service: unreachable"],
    ]) {
      await srv.d1(
        `INSERT INTO photos (id, owner_id, title, status, failure, content_type, bytes, created_at, updated_at, visibility)
         VALUES ('${id}', '${owner}', 'secret title ${id}', 'failed', '${why}', 'image/png', 1, ${now}, ${now}, 'private');
         INSERT INTO jobs (photo_id, state, attempts, last_error, queued_at, started_at, finished_at)
         VALUES ('${id}', '${state}', ${state === "dead" ? 6 : 1}, '${why}', ${now}, ${now + 10}, ${now + 20})`,
      );
    }
  });
  after(async () => {
    await browser?.close().catch(() => {});
  });

  for (const js of [true, false]) {
    const name = js ? "js-on" : "js-off";
    test(`${name}: every section renders, and re-run and suspend work as forms`, async () => {
      const ctx = await browser.newContext({ javaScriptEnabled: js });
      const [cname, cvalue] = root.cookie.split("=");
      await ctx.addCookies([{ name: cname, value: cvalue, url: srv.base }]);
      const page = await ctx.newPage();
      const problems = [];
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      for (const [path, heading] of [
        ["/admin", "Latest failures"],
        ["/admin/storage", "Largest accounts"],
        ["/admin/people", "People"],
        ["/admin/audit", "Audit trail"],
        ["/admin/repair", "Repair"],
      ]) {
        const res = await page.goto(`${srv.base}${path}`, { waitUntil: "load" });
        assert.equal(res.status(), 200, path);
        await page.getByRole("heading", { name: heading }).waitFor();
        assert.ok(!(await page.content()).includes("secret title"), `${path}: no photo titles`);
        for (const vp of VIEWPORTS) {
          await page.setViewportSize(vp);
          await page.waitForTimeout(100);
          await page.screenshot({ path: join(SHOTS, `${name}-${vp.width}-${path.slice(1).replace("/", "-")}.png`), fullPage: true });
        }
        await page.setViewportSize(VIEWPORTS[0]);
      }
      // The reason is shown as text, never as markup.
      await page.goto(`${srv.base}/admin`, { waitUntil: "load" });
      assert.ok((await page.content()).includes("&lt;b&gt;(401)&lt;/b&gt;"));
      const before = await audits();
      const planted = `plantedfail${js ? 1 : 0}`;
      await page.locator("tr", { hasText: planted }).getByRole("button", { name: "Re-run" }).click();
      await page.waitForURL(`${srv.base}/admin`);
      assert.equal(await audits(), before + 1);
      // Requeued (the job then fails again at once: the planted photo has no original).
      assert.ok((await row(planted)).job.queued_at > plantedAt, "queued again");
      await page.goto(`${srv.base}/admin/people`, { waitUntil: "load" });
      await page.locator("tr", { hasText: "mel" }).getByRole("button", { name: "Suspend" }).click();
      await page.waitForURL(`${srv.base}/admin/people`);
      await page.locator("tr", { hasText: "mel" }).getByRole("button", { name: "Unsuspend" }).click();
      await page.waitForURL(`${srv.base}/admin/people`);
      await page.locator("tr", { hasText: "mel" }).getByRole("button", { name: "Suspend" }).waitFor();
      assert.equal(await audits(), before + 3);
      assert.deepEqual(problems, []);
      await ctx.close();
    });
  }
});

describe("repair: R2 compared with D1", () => {
  const HOUR = 60 * 60 * 1000;
  let melId; // rita's: mel's sessions are ended by the suspension tests above
  let rita;
  const planted = {};

  /** Every page of the comparison, as the console's "next page" links walk it. */
  async function allPages() {
    const pages = [];
    let at;
    do {
      const r = await api(srv.base, "admin_repair_view", at ? { at } : {}, { cookie: root.cookie });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      pages.push(r.json);
      at = r.json.next;
    } while (at);
    return {
      pages,
      orphans: pages.flatMap((p) => p.orphans),
      missing: pages.flatMap((p) => p.missing.map((m) => m.photo_id)),
    };
  }

  before(async () => {
    rita = await signUp(srv.base, { username: "rita" });
    melId = await userId("rita");
    planted.orphan = await uploadOne(rita.cookie, "orphan.png");
    planted.lost = await uploadOne(rita.cookie, "lost.png");
    for (const id of [planted.orphan, planted.lost]) assert.equal((await settled(id)).photo.status, "ready");
    planted.orphanKeys = [...srv.r2Keys(`orig/${melId}/${planted.orphan}`), ...srv.r2Keys(`var/${planted.orphan}/`)];
    assert.ok(planted.orphanKeys.length >= 2, "the original and its variants");
    // An object with no row: the row goes, its objects stay. A row with no original: the
    // object goes behind the Worker's back.
    await srv.d1(`DELETE FROM photos WHERE id = '${planted.orphan}'`);
    planted.lostKey = `orig/${melId}/${planted.lost}`;
    srv.r2Plant("DELETE FROM _mf_objects WHERE key = ?", planted.lostKey);
    assert.deepEqual(srv.r2Keys(planted.lostKey), []);
  });

  test("objects written in the last hour are left alone; older orphans are listed either way", async () => {
    let seen = await allPages();
    assert.ok(!planted.orphanKeys.some((k) => seen.orphans.includes(k)), "fresh objects may be an upload in progress");
    assert.ok(seen.missing.includes(planted.lost));
    srv.r2Plant("UPDATE _mf_objects SET uploaded = uploaded - ? WHERE key IN (SELECT value FROM json_each(?))", 2 * HOUR, JSON.stringify(planted.orphanKeys));
    seen = await allPages();
    for (const k of planted.orphanKeys) assert.ok(seen.orphans.includes(k), k);
    assert.ok(seen.missing.includes(planted.lost));
    assert.ok(!seen.missing.includes(ids.ready) && !seen.orphans.some((k) => k.includes(ids.ready)), "healthy photos are not listed");
    assert.deepEqual(seen.pages.map((p) => p.listing), ["originals", "variants"]);
    const html = await page("/admin/repair", root.cookie);
    assert.equal(html.status, 200);
    assert.ok(html.body.includes(`orig/${melId}/${planted.orphan}`) && html.body.includes(planted.lost));
  });

  test("the button removes the orphaned objects and marks the lost original failed, audited", async () => {
    const before = await audits();
    const readyKeys = srv.r2Keys(`orig/${melId}/${ids.ready}`);
    const { pages } = await allPages();
    for (const [i, p] of pages.entries()) {
      // The first page as the plain form sends it (no `at`), the rest with theirs.
      const r = await api(srv.base, "admin_repair", i === 0 ? {} : { at: p.at }, { cookie: root.cookie });
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
    for (const k of planted.orphanKeys) assert.deepEqual(srv.r2Keys(k), [], `${k} removed`);
    const { photo } = await row(planted.lost);
    assert.equal(photo.status, "failed");
    assert.match(photo.failure, /original is missing/);
    assert.deepEqual(srv.r2Keys(`orig/${melId}/${ids.ready}`), readyKeys, "healthy originals stay");
    assert.equal(await audits(), before + pages.length);
    const [last] = await srv.d1("SELECT action, target FROM admin_audit ORDER BY at DESC, id DESC LIMIT 1");
    assert.equal(last.action, "repair");
    const after = await allPages();
    assert.ok(!after.missing.includes(planted.lost) && !planted.orphanKeys.some((k) => after.orphans.includes(k)));
    // The lost photo's page says why, to its owner.
    assert.equal((await page(`/p/${planted.lost}`, rita.cookie)).status, 200);
  });
});

