// Browser tests: Debian's chromium through playwright-core, against Lumen on `wrangler dev`.
// Two projects run every test: js-on (hydrated app) and js-off (plain HTML forms and links).
// Screenshots go to e2e/screenshots/ (gitignored).
// Run: node --test --test-concurrency=1 e2e/browser.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startLumen, waitFor } from "./harness.mjs";
import { CHROMIUM_OPTIONS, api, demoPhoto, fileOf, imagesSettled, upload, waitProcessed } from "./helpers.mjs";

const SHOTS = join(ROOT, "e2e", "screenshots");
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];
const LABEL = "Photos (JPEG, PNG, WebP or GIF, up to 16 MB each)";
const NOT_IMAGE = "“notes.txt” is not a supported image (JPEG, PNG, WebP or GIF).";
const T = 30_000; // ceiling for any single browser wait
const SEEDED_USER = "seeded";

let srv;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  srv = await startLumen("browser");
  browser = await chromium.launch({ ...CHROMIUM_OPTIONS, timeout: T });
  // A user made through the API, with a few ready photos so the feed looks like a feed.
  const res = await fetch(`${srv.base}/api/sign_up`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "10.9.0.1" },
    body: new URLSearchParams({ username: SEEDED_USER, email: `${SEEDED_USER}@example.test`, password: "seeded user password" }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const cookie = res.headers.getSetCookie()[0].split(";")[0];
  const files = ["hubble_deep_field.jpg", "chelsea.png", "coffee.png", "astronaut.png"].map((n) =>
    fileOf(demoPhoto(n), n.endsWith(".png") ? "image/png" : "image/jpeg"),
  );
  for (const f of files) {
    const res = await upload(srv.base, [f], { headers: { cookie } });
    assert.equal(res.status, 201);
    const [{ id }] = (await res.json()).photos;
    assert.equal((await waitProcessed(srv.base, id)).status, "ready");
  }
  // And 70 older rows straight into D1 (a listing needs rows, not pixels): three feed pages.
  const [{ id: owner }] = await srv.d1(`SELECT id FROM users WHERE username = '${SEEDED_USER}'`);
  const t0 = Date.now() - 30 * 24 * 3600 * 1000;
  await srv.d1(
    `INSERT INTO photos (id, owner_id, title, status, content_type, bytes, created_at, updated_at, visibility)
     VALUES ${Array.from({ length: 70 }, (_, i) => `('old${String(i).padStart(2, "0")}', '${owner}', 'old ${i}', 'ready', 'image/png', 1, ${t0 + i}, ${t0 + i}, 'public')`).join(", ")}`,
  );
});

after(async () => {
  await browser?.close().catch(() => {});
  await srv?.stop();
});

/** A D1 row that stays `pending` (no original, no queue message): a stable pending page. */
async function insertPendingPhoto(id, title) {
  const now = Date.now();
  await srv.d1(
    `INSERT INTO photos (id, owner_id, title, status, content_type, bytes, created_at, updated_at)
     VALUES ('${id}', 'public', '${title}', 'pending', 'image/jpeg', 1, ${now}, ${now})`,
  );
}

/** Natural width (density-corrected, so it follows `sizes`) of the photo page's image once loaded, else 0. */
const photoWidth = (page) =>
  page
    .locator("figure.photo img")
    .evaluate((im) => (im.complete ? im.naturalWidth : 0))
    .catch(() => 0);

for (const project of [
  { name: "js-on", js: true },
  { name: "js-off", js: false },
]) {
  describe(project.name, () => {
    let ctx;
    let page;
    let uploadedId;
    const problems = [];

    /** Opens a path; with JS, waits for hydration to finish (a page without islands loads no script). */
    async function open(path, { status = 200 } = {}) {
      const res = await page.goto(`${srv.base}${path}`, { waitUntil: "load", timeout: T });
      assert.equal(res.status(), status, path);
      const islands = project.js && (await page.locator("leptos-island").count()) > 0;
      if (islands) await page.locator("html[data-hydrated=true]").waitFor({ state: "attached", timeout: T });
      return res;
    }

    async function shot(label, p = page) {
      for (const vp of VIEWPORTS) {
        await p.setViewportSize(vp);
        await p.waitForTimeout(100); // let layout settle after the resize
        await imagesSettled(p);
        await p.screenshot({ path: join(SHOTS, `${project.name}-${vp.width}x${vp.height}-${label}.png`) });
      }
      await p.setViewportSize(VIEWPORTS[0]);
    }

    /** Marks the current document; the mark survives only client-side navigation. */
    const markDocument = () => page.evaluate(() => (window.__lumenMark = Math.random().toString(36).slice(2)));
    const markOf = () => page.evaluate(() => window.__lumenMark ?? null);

    before(async () => {
      ctx = await browser.newContext({ javaScriptEnabled: project.js, viewport: VIEWPORTS[0] });
      ctx.setDefaultTimeout(T);
      page = await ctx.newPage();
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("console", (m) => {
        // A refused upload (422) or a not-found page (404) is logged by chromium as a failed
        // resource load: expected. Anything else at error level is a problem.
        if (m.type() === "error" && !/Failed to load resource: the server responded with a status of (404|422)/.test(m.text())) {
          problems.push(`console.error: ${m.text()}`);
        }
      });
      page.on("response", (r) => {
        if (/\/pkg\/|\.css$|\.wasm$/.test(r.url()) && r.status() >= 400) problems.push(`asset ${r.status()}: ${r.url()}`);
      });
    });

    after(async () => {
      await ctx?.close().catch(() => {});
    });

    const who = `e2e-${project.name}`;

    test("sign up through the form (a refusal first), and the nav shows who is signed in", async () => {
      await open("/upload");
      await page.getByRole("link", { name: "Sign in" }).first().waitFor();
      await shot("upload-signed-out");

      await open("/signup");
      await shot("signup");
      const fill = async (username) => {
        await page.getByLabel("Username").fill(username);
        await page.getByLabel("Display name (optional)").fill(`Tester ${project.name}`);
        await page.getByLabel("Email").fill(`${username}@example.test`);
        await page.getByLabel("Password").fill("a long enough password");
        await page.getByRole("button", { name: "Create account" }).click();
      };
      // Taken: the page comes back with the message next to the form, the typed values kept.
      await fill(SEEDED_USER);
      await page.locator("form").getByRole("alert").waitFor({ timeout: T });
      assert.match(await page.locator("form").getByRole("alert").textContent(), /That username is taken/);
      assert.equal(await page.getByLabel("Username").inputValue(), SEEDED_USER);
      assert.equal(await page.getByLabel("Password").inputValue(), "", "passwords are never sent back");
      await shot("signup-refused");

      await fill(who);
      await page.waitForURL(`${srv.base}/u/${who}`, { timeout: T });
      const nav = page.getByRole("navigation", { name: "Main" });
      await nav.getByRole("link", { name: `Tester ${project.name}` }).waitFor();
      await nav.getByRole("button", { name: "Sign out" }).waitFor();
      const cookie = (await ctx.cookies()).find((c) => c.name === "lumen_session");
      assert.ok(cookie?.httpOnly, "HttpOnly session cookie");
      assert.equal(cookie.sameSite, "Lax");
      assert.deepEqual(problems.splice(0), []);
    });

    test("the feed, upload and not-found pages render", async () => {
      await open("/");
      assert.equal(await page.title(), "Lumen");
      const cards = page.getByRole("list", { name: "Photos" }).getByRole("listitem");
      assert.ok((await cards.count()) >= 4);
      await shot("feed");

      await open("/upload");
      assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Upload photos");
      await page.getByLabel(LABEL).waitFor({ state: "visible" });
      await page.getByRole("button", { name: "Upload" }).waitFor({ state: "visible" });
      await shot("upload");

      await open("/no/such/page", { status: 404 });
      assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Not found");
      await page.getByRole("link", { name: "Back to the feed" }).click();
      await page.waitForURL(`${srv.base}/`, { timeout: T });
      await open("/no/such/page", { status: 404 });
      await shot("404");
      assert.deepEqual(problems.splice(0), []);
    });

    test("a pending photo's page updates by itself when the job finishes", async () => {
      const id = `e2epending${project.js ? "on" : "off"}`;
      await insertPendingPhoto(id, `Waiting ${project.name}`);
      await open(`/p/${id}`);
      const article = page.locator("article.photo-page");
      assert.equal(await article.getAttribute("data-status"), "pending");
      assert.equal((await page.getByRole("status").first().textContent()).trim(), "Processing…");
      await shot("photo-pending");
      const polls = [];
      const onRequest = (r) => r.url().includes("/api/get_photo") && polls.push(r.url());
      page.on("request", onRequest);

      // Finish the "job" behind the page's back; the page must notice without a manual reload
      // (js-on: its watcher polls get_photo and reloads; js-off: its <noscript> meta refresh reloads it).
      await srv.d1(`UPDATE photos SET status = 'failed', failure = 'Set by the browser test.' WHERE id = '${id}'`);
      await page.locator('article.photo-page[data-status="failed"]').waitFor({ state: "attached", timeout: T });
      assert.equal((await page.locator("p.failure").textContent()).trim(), "Set by the browser test.");
      page.off("request", onRequest);
      // js-on: the page's watcher island asked for the status, then reloaded the page.
      if (project.js) assert.ok(polls.length > 0, "the watcher polled get_photo");
      else assert.equal(polls.length, 0);
      assert.deepEqual(problems.splice(0), []);
    });

    test("upload a photo through the form, land on its page, see it become ready", async (t) => {
      await open("/upload");
      if (project.js) {
        // Record every state each progress row shows, even ones replaced within a frame.
        await page.evaluate(() => {
          window.__states = [];
          const seen = (node) => {
            const item = node?.nodeType === 1 ? node.closest?.(".progress-item") ?? node.querySelector?.(".progress-item") : node?.parentElement?.closest(".progress-item");
            const s = item?.querySelector(".state")?.textContent;
            if (s && window.__states.at(-1) !== s) {
              window.__states.push(s);
              // The page navigates away once the upload is done: keep the record.
              sessionStorage.setItem("states", JSON.stringify(window.__states));
            }
          };
          new MutationObserver((records) => {
            for (const r of records) {
              seen(r.target);
              r.addedNodes.forEach(seen);
              r.removedNodes.forEach(seen);
            }
          }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        });
      }
      await page.getByLabel(LABEL).setInputFiles(demoPhoto("rocket.jpg"));
      await page.getByRole("button", { name: "Upload" }).click();
      await page.waitForURL(/\/p\/[a-z0-9]+$/, { timeout: T });
      const id = page.url().split("/").at(-1);
      uploadedId = id;

      const states = project.js ? await page.evaluate(() => JSON.parse(sessionStorage.getItem("states") ?? "[]")) : [];
      await page.locator("article.photo-page").waitFor({ state: "attached" });
      assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "rocket");
      const landed = await page.locator("article.photo-page").getAttribute("data-status");
      assert.ok(["pending", "ready"].includes(landed), landed);
      t.diagnostic(`landed on the photo page while ${landed}`);

      await page.locator('article.photo-page[data-status="ready"]').waitFor({ state: "attached", timeout: 60_000 });
      await waitFor(() => photoWidth(page), { timeout: T, interval: 100, what: "the photo to load" });
      const img = page.locator("figure.photo img");
      assert.equal(await img.getAttribute("alt"), "rocket");
      // A 640 px wide original: src is its 640 variant; the browser picks from the srcset.
      assert.match(await img.getAttribute("src"), new RegExp(`^/media/${id}/v1-[0-9a-f]{12}/640\\.jpg$`));
      const current = await img.evaluate((im) => new URL(im.currentSrc).pathname);
      assert.match(current, new RegExp(`^/media/${id}/v1-[0-9a-f]{12}/(320|640)\\.jpg$`));
      await shot("photo-ready");

      // The new photo leads the feed.
      await open("/");
      const first = page.getByRole("list", { name: "Photos" }).getByRole("listitem").first();
      assert.equal(await first.getByRole("link").first().getAttribute("href"), `/p/${id}?in=feed`);
      assert.deepEqual(problems.splice(0), []);
      if (project.js) {
        // Checked last so that the rest of the flow is still exercised when only this fails.
        assert.ok(states.includes("Uploaded"), `the progress row reached “Uploaded”: ${JSON.stringify(states)}`);
        assert.ok(states.every((s) => ["Waiting to send…", "Uploaded"].includes(s) || /^Uploading… \d{1,3}%$/.test(s)), JSON.stringify(states));
      }
    });

    test("a non-image is refused with a clear message", async () => {
      const before = (await srv.d1("SELECT count(*) AS n FROM photos"))[0].n;
      await open("/upload");
      const mark = project.js ? await markDocument() : null;
      await page.getByLabel(LABEL).setInputFiles({
        name: "notes.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("hello, not a photo\n"),
      });
      await page.getByRole("button", { name: "Upload" }).click();
      if (project.js) {
        // In the progress row; the page stays.
        const row = page.locator(".progress-item").filter({ hasText: "notes.txt" });
        await row.getByRole("status").filter({ hasText: NOT_IMAGE }).waitFor({ state: "visible", timeout: T });
        assert.match(await row.getAttribute("class"), /\bfailed\b/);
        assert.equal(await markOf(), mark);
        assert.equal(new URL(page.url()).pathname, "/upload");
      } else {
        // Next to the form, on the upload page served again with 422.
        await page.waitForLoadState("load");
        const alert = page.locator("form").getByRole("alert");
        assert.equal((await alert.textContent()).trim(), NOT_IMAGE);
        await page.getByLabel(LABEL).waitFor({ state: "visible" });
      }
      await shot("upload-error");
      assert.equal((await srv.d1("SELECT count(*) AS n FROM photos"))[0].n, before, "nothing stored");
      assert.deepEqual(problems.splice(0), []);
    });

    test("make a photo private, sign out: gone from the feed, its image and page answer 404", async () => {
      const id = uploadedId;
      assert.ok(id, "the upload test ran");
      await open(`/p/${id}`);
      const src = await page.locator("figure.photo img").getAttribute("src");
      await page.getByLabel("Private (only you)").check();
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(`${srv.base}/p/${id}?saved=1`, { timeout: T });
      await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      assert.equal(await page.getByLabel("Private (only you)").isChecked(), true);
      await shot("photo-owner-saved");
      // Still the owner's: the image loads for them.
      assert.equal((await page.request.get(`${srv.base}${src}`)).status(), 200);

      await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${srv.base}/`, { timeout: T });
      await page.getByRole("link", { name: "Sign in" }).first().waitFor();
      assert.equal((await ctx.cookies()).find((c) => c.name === "lumen_session"), undefined, "cookie cleared");
      assert.equal(await page.locator(`a[href^="/p/${id}"]`).count(), 0, "not in the feed");
      assert.equal((await page.request.get(`${srv.base}${src}`)).status(), 404, "image URL");
      await open(`/p/${id}`, { status: 404 });
      await shot("photo-private-signed-out");
      assert.deepEqual(problems.splice(0), []);
    });

    test("sign in again through the form; a wrong password is refused in place", async () => {
      await open("/signin");
      await page.getByLabel("Username", { exact: true }).fill(who);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.locator("form").getByRole("alert").filter({ hasText: "That username or password is not right." }).waitFor({ timeout: T });
      assert.equal(await page.getByLabel("Username", { exact: true }).inputValue(), who);
      await shot("signin-refused");
      await page.getByLabel("Password").fill("a long enough password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${srv.base}/`, { timeout: T });
      await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).waitFor();
      assert.deepEqual(problems.splice(0), []);
    });

    test("no page breaks its Content-Security-Policy, and the islands still run under it", async () => {
      const violations = [];
      await page.exposeFunction("__cspViolation", (v) => violations.push(v)).catch(() => {});
      await page.addInitScript(() =>
        document.addEventListener("securitypolicyviolation", (e) =>
          window.__cspViolation?.(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
        ),
      );
      const [{ id }] = await srv.d1("SELECT id FROM photos WHERE status = 'ready' LIMIT 1");
      for (const path of ["/", "/upload", `/p/${id}`, `/u/${who}`, `/u/${SEEDED_USER}`, "/settings", "/_design"]) {
        const res = await open(path);
        assert.doesNotMatch(res.headers()["content-security-policy"] ?? "", /'nonce-|script-src[^;]*'unsafe-inline'/, path);
      }
      await page.context().clearCookies({ name: "lumen_session" });
      for (const path of ["/signin", "/signup", "/"]) await open(path);
      await open("/nope", { status: 404 });
      // With JS, `open` waited for every page to hydrate: the islands ran under the policy.
      assert.deepEqual(violations, [], "CSP violations");
      assert.deepEqual(
        problems.splice(0).filter((p) => /Content Security Policy|Refused to/.test(p)),
        [],
        "CSP errors in the console",
      );
      problems.splice(0);
    });

    test("right-to-left and bidi-spoofing names read as typed, isolated from what follows", async () => {
      await signInAgain();
      const rtl = "רחוב הים ١٢";
      const res = await upload(
        srv.base,
        [{ name: "photo\u202Egnp.exe.png", bytes: fileOf(demoPhoto("coins.png"), "image/png").bytes, type: "image/png" }],
        { headers: { cookie: await sessionHeader() } },
      );
      const [{ id }] = (await res.json()).photos;
      await waitProcessed(srv.base, id, 60_000, { cookie: await sessionHeader() });
      await open(`/p/${id}`);
      assert.equal((await page.locator("h1 bdi").textContent()).trim(), "photognp.exe", "no override character left");
      await page.getByLabel("Title").fill(rtl);
      await page.getByLabel("Unlisted (only people with the link)").check();
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(`${srv.base}/p/${id}?saved=1`, { timeout: T });
      assert.equal(await page.title(), `\u2068${rtl}\u2069 · Lumen`);
      await open(`/u/${who}`);
      const card = page.locator(`.card:has(a[href^="/p/${id}"]) .card-title`);
      assert.equal(await card.locator("bdi").textContent(), rtl);
      assert.equal((await card.locator(".badge").textContent()).trim(), "unlisted", "the badge is outside the isolate");
      // The badge still renders after the title on screen (left-to-right page): isolated text
      // does not pull it to the other side.
      const [t, b] = await Promise.all([card.locator("bdi").boundingBox(), card.locator(".badge").boundingBox()]);
      assert.ok(b.x > t.x, `badge at ${b.x}, title at ${t.x}`);
      await shot("profile-rtl-title");
      assert.deepEqual(problems.splice(0), []);
    });

    test("Back after signing out does not show a signed-in page again", async () => {
      await signInAgain();
      await open("/settings");
      await page.getByLabel("Display name").waitFor();
      assert.ok((await page.content()).includes(`${who}@example.test`), "settings show the email");
      await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${srv.base}/`, { timeout: T });
      await page.goBack({ waitUntil: "load" });
      await page.waitForLoadState("load");
      assert.ok(!(await page.content()).includes(`${who}@example.test`), "the email is not shown again");
      assert.equal(await page.getByLabel("Display name").count(), 0, "nor the settings form");
      assert.deepEqual(problems.splice(0).filter((p) => !/status of 401/.test(p)), []);
    });

    test("albums: make one, add photos from their pages, reorder, pick a cover; strangers see only public photos", async () => {
      await signInAgain();
      // A second, public photo of this user (the first was made private above).
      const res = await upload(srv.base, [fileOf(demoPhoto("coffee.png"), "image/png")], {
        headers: { cookie: await sessionHeader() },
      });
      const [{ id: coffee }] = (await res.json()).photos;
      await waitProcessed(srv.base, coffee, 60_000, { cookie: await sessionHeader() });

      await open(`/u/${who}?tab=albums`);
      await page.getByText("New album").click();
      await page.getByLabel("Title").fill(`Trip ${project.name}`);
      await page.getByLabel("Public (on your profile; its public photos)").check();
      await page.getByRole("button", { name: "Create album" }).click();
      await page.waitForURL(/\/a\/[a-z0-9]+$/, { timeout: T });
      const album = page.url().split("/").at(-1);

      for (const photo of [uploadedId, coffee]) {
        await open(`/p/${photo}`);
        await page.getByRole("combobox", { name: "Add to album" }).selectOption(album);
        await page.getByRole("button", { name: "Add", exact: true }).click();
        await page.waitForURL(`${srv.base}/p/${photo}?album=${album}`, { timeout: T });
        await page.getByRole("navigation", { name: "In this album" }).waitFor();
      }
      await shot("photo-in-album");

      await open(`/a/${album}`);
      const order = () => page.locator(".album-order li bdi").allTextContents();
      assert.deepEqual(await order(), ["rocket", "coffee"]);
      await page.locator(".album-order li").first().getByRole("button", { name: "Move later" }).click();
      await page.waitForURL(`${srv.base}/a/${album}`, { timeout: T });
      await waitFor(async () => (await order()).join() === "coffee,rocket", { timeout: T, what: "the new order" });
      await page.locator(".album-order li").nth(1).getByRole("button", { name: "Make cover" }).click();
      await page.waitForURL(`${srv.base}/a/${album}`, { timeout: T });
      await page.locator(".album-order li").nth(1).getByText("cover").waitFor();
      await shot("album-owner");
      if (project.js) {
        // Drag the second row above the first; the drop is saved as one move.
        const saved = page.waitForResponse((r) => r.url().endsWith("/api/place_in_album"), { timeout: T });
        await page.locator(".album-order li").nth(1).dragTo(page.locator(".album-order li").nth(0), {
          targetPosition: { x: 10, y: 2 },
        });
        assert.equal((await saved).status(), 200);
        await open(`/a/${album}`);
        assert.deepEqual(await order(), ["rocket", "coffee"], "the dragged order, from the server");
      }
      await open(`/u/${who}?tab=albums`);
      await shot("profile-albums");

      // A stranger: the private photo (and cover) is not there; the public one is.
      const stranger = await browser.newContext({ javaScriptEnabled: project.js });
      try {
        const p2 = await stranger.newPage();
        const r = await p2.goto(`${srv.base}/a/${album}`, { waitUntil: "load" });
        assert.equal(r.status(), 200);
        const links = await p2.locator(".grid a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
        assert.deepEqual(links, [`/p/${coffee}?album=${album}`]);
        const cards = await p2.goto(`${srv.base}/u/${who}?tab=albums`, { waitUntil: "load" });
        assert.equal(cards.status(), 200);
        assert.equal(await p2.locator(`a[href="/a/${album}"] img`).count(), 1, "a cover the stranger may see");
      } finally {
        await stranger.close();
      }
      assert.deepEqual(problems.splice(0), []);
    });

    test("tags and search: tag a photo on its page, follow the tag, search with a filter, remove the tag", async () => {
      await signInAgain();
      const res = await upload(srv.base, [fileOf(demoPhoto("coffee.png"), "image/png")], {
        headers: { cookie: await sessionHeader() },
      });
      const [{ id }] = (await res.json()).photos;
      await waitProcessed(srv.base, id, 60_000, { cookie: await sessionHeader() });
      const tag = `harbour ${project.name}`;
      await open(`/p/${id}`);
      await page.getByRole("textbox", { name: "Add tags" }).fill(`Evening,  ${tag.toUpperCase()}`);
      await page.getByRole("button", { name: "Add tags" }).click();
      await page.waitForURL(`${srv.base}/p/${id}#tags`, { timeout: T });
      await page.getByRole("link", { name: `#${tag}` }).click();
      await page.waitForURL(`${srv.base}/t/${encodeURIComponent(tag)}`, { timeout: T });
      await page.locator(`ul.grid a[href^="/p/${id}"]`).waitFor();
      await open("/search");
      await page.getByRole("searchbox", { name: "Search photos" }).fill(`coffee tag:"${tag}"`);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.waitForURL(/\/search\?q=/, { timeout: T });
      await page.locator(`ul.grid a[href^="/p/${id}"]`).waitFor();
      assert.equal(await page.locator("ul.grid > li").count(), 1, "only the tagged photo");
      await open(`/p/${id}`);
      await page.getByRole("button", { name: `Remove tag ${tag}` }).click();
      await page.waitForURL(`${srv.base}/p/${id}#tags`, { timeout: T });
      assert.equal(await page.getByRole("link", { name: `#${tag}` }).count(), 0);
      assert.equal(await page.getByRole("link", { name: "#evening" }).count(), 1);
    });

    test("share a private photo with a password; a stranger unlocks, views and downloads; revoked, it is gone", async () => {
      await signInAgain();
      const cookie = await sessionHeader();
      const res = await upload(srv.base, [fileOf(demoPhoto("chelsea.png"), "image/png")], { headers: { cookie } });
      const [{ id }] = (await res.json()).photos;
      await waitProcessed(srv.base, id, 60_000, { cookie });
      await open(`/p/${id}`);
      await page.getByLabel("Private (only you)").check();
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(`${srv.base}/p/${id}?saved=1`, { timeout: T });

      // The owner's share dialog: label, 7 days, a password, downloads.
      const create = page.getByRole("form", { name: "Create a share link" });
      assert.equal(await create.getByLabel("30 days").isChecked(), true, "30 days by default");
      assert.equal(await create.getByLabel("Never").isChecked(), false);
      await create.getByLabel("Label (only you see it)").fill("for grandma");
      await create.getByLabel("7 days").check();
      await create.getByLabel("Password (optional)").fill("grandma secret");
      await create.getByLabel(/download the original file \(it keeps the camera data, location included\)/).check();
      await create.getByRole("button", { name: "Create link" }).click();
      await page.waitForURL(new RegExp(`/p/${id}\\?link=created#share$`), { timeout: T });
      await page.getByRole("status").filter({ hasText: "Link created." }).waitFor();
      const item = page.getByRole("list", { name: "Share links" }).getByRole("listitem").filter({ hasText: "for grandma" });
      const url = await item.getByLabel("Link to copy").inputValue();
      assert.match(url, new RegExp(`^${srv.base}/s/[0-9a-z]{26}$`));
      const facts = await item.locator("dl").innerText();
      assert.match(facts, /Views\s+0/);
      assert.match(facts, /Downloads\s+Yes/);
      assert.match(facts, /Password\s+Yes/);
      await page.evaluate(() => document.getElementById("share-heading").scrollIntoView());
      await shot("photo-share");

      // A stranger's fresh browser: the password form first, then the photo.
      const stranger = await browser.newContext({ javaScriptEnabled: project.js, viewport: VIEWPORTS[0] });
      try {
        const p2 = await stranger.newPage();
        const first = await p2.goto(url, { waitUntil: "load" });
        assert.equal(first.status(), 200);
        assert.equal(await p2.getByRole("heading", { level: 1 }).textContent(), "This link is protected");
        assert.equal(await p2.locator("figure.photo img").count(), 0);
        await p2.getByLabel("Password").fill("not it");
        await p2.getByRole("button", { name: "Open" }).click();
        await p2.locator("form").getByRole("alert").filter({ hasText: "That password is not right." }).waitFor({ timeout: T });
        await shot("share-password-refused", p2);
        await p2.getByLabel("Password").fill("grandma secret");
        await p2.getByRole("button", { name: "Open" }).click();
        await p2.waitForURL(url, { timeout: T });
        await p2.locator("figure.photo img").waitFor();
        await waitFor(() => photoWidth(p2), { timeout: T, interval: 100, what: "the shared photo to load" });
        const src = await p2.locator("figure.photo img").evaluate((im) => new URL(im.currentSrc).pathname);
        assert.ok(src.startsWith(`${new URL(url).pathname}/media/${id}/`), src);
        assert.equal(await p2.getByRole("heading", { level: 1 }).textContent(), "chelsea");
        await shot("share-unlocked", p2);
        const [download] = await Promise.all([p2.waitForEvent("download"), p2.getByRole("link", { name: "Download original" }).click()]);
        assert.equal(download.suggestedFilename(), "chelsea.png");
        assert.ok((await download.path()) !== null);

        // The owner revokes it: the page and its image are gone for the stranger.
        await page.reload();
        await item.getByRole("button", { name: "Revoke" }).click();
        await page.waitForURL(new RegExp(`/p/${id}\\?link=revoked#share$`), { timeout: T });
        await page.getByText("No share links yet.").waitFor();
        const gone = await p2.goto(url, { waitUntil: "load" });
        assert.equal(gone.status(), 404);
        assert.equal(await p2.getByRole("heading", { level: 1 }).textContent(), "This link does not work");
        assert.equal((await p2.request.get(`${srv.base}${src}`)).status(), 404, "its image");
        await shot("share-revoked", p2);
      } finally {
        await stranger.close();
      }
      assert.deepEqual(problems.splice(0), []);
    });

    test("share an album with a password: upload into it, a stranger unlocks, walks it, downloads the zip; revoked, all gone", async () => {
      await signInAgain();
      const cookie = await sessionHeader();
      const made = await api(srv.base, "create_album", { title: `Shared ${project.name}`, visibility: "private" }, { cookie });
      const album = made.json;
      // Upload into it from its page: the album is chosen already.
      await open(`/a/${album}`);
      await page.getByRole("link", { name: "Upload into this album" }).click();
      await page.waitForURL(`${srv.base}/upload?album=${album}`, { timeout: T });
      assert.equal(await page.locator("select#album").inputValue(), album);
      await page.getByLabel(LABEL).setInputFiles(demoPhoto("coins.png"));
      await page.getByRole("button", { name: "Upload" }).click();
      // It lands on the photo as seen from the album.
      await page.waitForURL(new RegExp(`/p/[a-z0-9]+\\?album=${album}$`), { timeout: T });
      const first = new URL(page.url()).pathname.split("/").at(-1);
      await waitProcessed(srv.base, first, 60_000, { cookie });
      const res = await upload(srv.base, [fileOf(demoPhoto("brick.png"), "image/png")], { cookie });
      const [{ id: second }] = (await res.json()).photos;
      await waitProcessed(srv.base, second, 60_000, { cookie });
      assert.equal((await api(srv.base, "add_to_album", { album_id: album, photo_id: second }, { cookie })).status, 200);

      await open(`/a/${album}`);
      const create = page.getByRole("form", { name: "Create a share link" });
      await create.getByLabel("Label (only you see it)").fill("for the neighbours");
      await create.getByLabel("Password (optional)").fill("album secret");
      await create.getByLabel(/download the original file/).check();
      await create.getByRole("button", { name: "Create link" }).click();
      await page.waitForURL(new RegExp(`/a/${album}\\?link=created#share$`), { timeout: T });
      const item = page.getByRole("list", { name: "Share links" }).getByRole("listitem").filter({ hasText: "for the neighbours" });
      const url = await item.getByLabel("Link to copy").inputValue();
      const path = new URL(url).pathname;
      await page.evaluate(() => document.getElementById("share-heading").scrollIntoView());
      await shot("album-share");

      const stranger = await browser.newContext({ javaScriptEnabled: project.js, viewport: VIEWPORTS[0] });
      try {
        const p2 = await stranger.newPage();
        await p2.goto(url, { waitUntil: "load" });
        assert.equal(await p2.getByRole("heading", { level: 1 }).textContent(), "This link is protected");
        await p2.getByLabel("Password").fill("album secret");
        await p2.getByRole("button", { name: "Open" }).click();
        await p2.waitForURL(url, { timeout: T });
        assert.equal(await p2.getByRole("heading", { level: 1 }).textContent(), `Shared ${project.name}`);
        const hrefs = await p2.locator(".grid a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
        assert.deepEqual(hrefs, [`${path}/p/${first}`, `${path}/p/${second}`]);
        await shot("share-album", p2);
        await p2.locator(".grid a").first().click();
        await p2.waitForURL(`${url}/p/${first}`, { timeout: T });
        await waitFor(() => photoWidth(p2), { timeout: T, interval: 100, what: "the shared photo to load" });
        const src = await p2.locator("figure.photo img").evaluate((im) => new URL(im.currentSrc).pathname);
        assert.ok(src.startsWith(`${path}/media/${first}/`), src);
        if (project.js) {
          // Keys work once the page's island has hydrated.
          await p2.locator("html[data-hydrated=true]").waitFor({ state: "attached", timeout: T });
          await p2.keyboard.press("ArrowRight");
        } else {
          await p2.getByRole("link", { name: "Next →" }).click();
        }
        await p2.waitForURL(`${url}/p/${second}`, { timeout: T });
        await shot("share-album-photo", p2);
        await p2.getByRole("link", { name: /^Album: / }).click();
        await p2.waitForURL(url, { timeout: T });
        const [zip] = await Promise.all([p2.waitForEvent("download"), p2.getByRole("link", { name: /Download all/ }).click()]);
        assert.equal(zip.suggestedFilename(), `Shared-${project.name}.zip`);
        assert.ok((await zip.path()) !== null);

        await page.reload();
        await item.getByRole("button", { name: "Revoke" }).click();
        await page.waitForURL(new RegExp(`/a/${album}\\?link=revoked#share$`), { timeout: T });
        for (const gone of [url, `${url}/p/${first}`]) {
          assert.equal((await p2.goto(gone, { waitUntil: "load" })).status(), 404, gone);
        }
        assert.equal(await p2.getByRole("heading", { level: 1 }).textContent(), "This link does not work");
        assert.equal((await p2.request.get(`${srv.base}${src}`)).status(), 404, "its images");
        assert.equal((await p2.request.get(`${url}/download`)).status(), 404, "its zip");
      } finally {
        await stranger.close();
      }
      assert.deepEqual(problems.splice(0), []);
    });

    test("the feed to its end: the next page loads on scroll with JS, through Older photos without", async () => {
      const [{ n: total }] = await srv.d1("SELECT count(*) AS n FROM photos WHERE visibility = 'public' AND status = 'ready'");
      assert.ok(total > 60, `${total} photos: more than two pages`);
      const ids = () => page.locator("ul.grid a.thumb").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      await open("/");
      assert.equal((await ids()).length, 30, "one page first");
      const seen = [];
      if (project.js) {
        // Scroll until the Older link is gone: the cards of every page join this one.
        for (let i = 0; i < 10 && (await page.locator("nav.paging a.older").count()) > 0; i++) {
          const before = (await ids()).length;
          await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
          await waitFor(async () => (await ids()).length > before || (await page.locator("nav.paging a.older").count()) === 0, {
            timeout: T,
            what: "the next page's cards",
          });
        }
        seen.push(...(await ids()));
        assert.match(page.url(), /\?before=/, "the address follows the loaded page");
      } else {
        for (let i = 0; i < 10; i++) {
          seen.push(...(await ids()));
          const older = page.getByRole("link", { name: "Older photos" });
          if ((await older.count()) === 0) break;
          const href = await older.getAttribute("href");
          await older.click();
          await page.waitForURL(`${srv.base}${href}`, { timeout: T });
        }
      }
      assert.equal(seen.length, total, "every photo");
      assert.equal(new Set(seen).size, total, "none twice");
      await shot("feed-end");
      assert.deepEqual(problems.splice(0), []);
    });

    test("bulk: tick photos on your profile (shift-click for a range with JS) and add them to an album", async () => {
      await signInAgain();
      await open(`/u/${who}`);
      const boxes = page.locator('input[type=checkbox][name="photo"]');
      assert.ok((await boxes.count()) >= 3, "three photos to choose from");
      await boxes.nth(0).check();
      if (project.js) {
        await boxes.nth(2).click({ modifiers: ["Shift"] });
        assert.deepEqual(
          await boxes.evaluateAll((bs) => bs.slice(0, 3).map((b) => b.checked)),
          [true, true, true],
          "the range between is ticked",
        );
      } else {
        await boxes.nth(1).check();
        await boxes.nth(2).check();
      }
      await shot("profile-bulk");
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await page.waitForURL(/\/a\/[a-z0-9]+$/, { timeout: T });
      assert.ok((await page.locator(".album-order li").count()) >= 3);
      assert.deepEqual(problems.splice(0), []);
    });

    test("like and comment on a photo (JS on: in place, no reload; JS off: through the forms)", async () => {
      await signInAgain();
      const cookie = await sessionHeader();
      const res = await upload(srv.base, [fileOf(demoPhoto("coffee.png"), "image/png")], { headers: { cookie } });
      const [{ id }] = (await res.json()).photos;
      await waitProcessed(srv.base, id, 60_000, { cookie });
      await open(`/p/${id}`);
      await markDocument();
      const likes = page.locator("#likes");
      await likes.getByRole("button", { name: "♡ Like" }).click();
      await likes.getByText("1 like", { exact: true }).waitFor();
      assert.equal(await likes.getByRole("button", { name: "♥ Liked" }).getAttribute("aria-pressed"), "true");

      const form = page.getByRole("form", { name: "Add a comment" });
      await form.getByRole("textbox", { name: "Add a comment" }).fill("Nice <b>light</b>, see https://example.com/x.");
      await form.getByRole("button", { name: "Post comment" }).click();
      const comment = page.locator("ol.comments li").filter({ hasText: "Nice <b>light</b>" });
      await comment.waitFor();
      const link = comment.getByRole("link", { name: "https://example.com/x" });
      assert.equal(await link.getAttribute("rel"), "nofollow ugc noopener");
      assert.equal(await link.getAttribute("href"), "https://example.com/x");
      assert.equal(await comment.locator("b").count(), 0, "markup stays text");
      await page.getByRole("heading", { name: "Comments (1)" }).waitFor();
      assert.equal(await page.getByRole("textbox", { name: "Add a comment" }).inputValue(), "", "the form is empty again");
      // A refusal shows next to the form, the page stays.
      await page.getByRole("textbox", { name: "Add a comment" }).fill("x".repeat(10));
      await page.getByRole("textbox", { name: "Add a comment" }).evaluate((t) => t.removeAttribute("maxlength"));
      await page.getByRole("textbox", { name: "Add a comment" }).fill("x".repeat(2001));
      await page.getByRole("button", { name: "Post comment" }).click();
      await page.getByRole("alert").filter({ hasText: "Keep it under 2000 characters." }).waitFor();
      await shot("photo-social");

      await likes.getByRole("button", { name: "♥ Liked" }).click();
      await likes.getByText("0 likes", { exact: true }).waitFor();
      if (project.js) assert.ok(await markOf(), "liked, commented and unliked without a reload");
      else assert.equal(await markOf(), null, "JS off: each was a page load");
      await open("/liked");
      assert.equal(await page.locator(`.grid a[href^="/p/${id}"]`).count(), 0, "unliked: not on the Liked page");
      assert.deepEqual(problems.splice(0), []);
    });

    async function sessionHeader() {
      const c = (await ctx.cookies()).find((c) => c.name === "lumen_session");
      return c ? `lumen_session=${c.value}` : "";
    }

    async function signInAgain() {
      if (await sessionHeader()) return;
      await open("/signin");
      await page.getByLabel("Username", { exact: true }).fill(who);
      await page.getByLabel("Password").fill("a long enough password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${srv.base}/`, { timeout: T });
    }
  });
}

