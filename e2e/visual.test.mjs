// Visual review: screenshots of every deep link (scripts/deep-links.mjs) and every section
// of the design catalogue, at a phone and a desktop size, into e2e/screenshots/visual/.
// The data is the preview's seed (scripts/seed.mjs): same photos, titles, states and dates
// on every run. `make visual` compares the files with e2e/visual-baseline/.
// Run: ./e2e/run.sh e2e/visual.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startLumen } from "./harness.mjs";
import { CHROMIUM_OPTIONS, imagesSettled } from "./helpers.mjs";
import { seed } from "../scripts/seed.mjs";
import { deepLinks } from "../scripts/deep-links.mjs";

export const SHOTS = join(ROOT, "e2e", "screenshots", "visual");
const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 800 },
];
const T = 30_000;

let srv;
let browser;
let page;
const problems = [];

before(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  srv = await startLumen("visual");
  browser = await chromium.launch({ ...CHROMIUM_OPTIONS, timeout: T });
  // Light scheme and no motion: the screenshots must not depend on the machine's settings.
  // bypassCSP: the screenshot options (no caret, no animations, a static nav) inject a
  // <style> that the page's policy rightly refuses; the policy is tested in browser.test.mjs.
  const ctx = await browser.newContext({
    colorScheme: "light",
    reducedMotion: "reduce",
    viewport: VIEWPORTS[1],
    bypassCSP: true,
  });
  ctx.setDefaultTimeout(T);
  page = await ctx.newPage();
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of (400|404)/.test(m.text())) problems.push(`console.error: ${m.text()}`);
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  await srv?.stop();
});

async function open(path, status = 200) {
  const res = await page.goto(`${srv.base}${path}`, { waitUntil: "load" });
  // Two deep links into one catalogue page differ only by their #hash: no new response.
  if (res) assert.equal(res.status(), status, path);
  // A page without islands loads no script, so only pages with one hydrate.
  if ((await page.locator("leptos-island").count()) > 0) await page.locator("html[data-hydrated=true]").waitFor({ state: "attached" });
}

const settle = async () => {
  await page.waitForTimeout(100); // layout after a resize
  await imagesSettled(page, { timeout: T });
};
// The sticky top bar would cover whatever a section screenshot scrolls under it.
const SHOT_OPTIONS = { animations: "disabled", caret: "hide", style: ".nav { position: static !important; }" };

/**
 * The viewport at each size, as <name>-<phone|desktop>.png. Photos from /media are painted
 * over (their box, crop and placement still show): their pixels are the media pipeline's
 * business, tested elsewhere, and would make the baselines a hundred times larger.
 */
async function shootPage(name) {
  for (const vp of VIEWPORTS) {
    await page.setViewportSize(vp);
    await settle();
    await page.screenshot({
      ...SHOT_OPTIONS,
      mask: [page.locator('img[src^="/media/"]')],
      maskColor: "#8f96a3",
      path: join(SHOTS, `${name}-${vp.name}.png`),
    });
  }
}

test("the empty feed of a fresh state", async () => {
  await open("/");
  await page.getByText("No photos yet.").waitFor();
  await shootPage("feed-fresh-state");
  assert.deepEqual(problems.splice(0), []);
});

let links;
test("the preview's seed and deep links", async () => {
  await seed(srv.base, { access: ["--local", "--persist-to", srv.stateDir], log: () => {} });
  links = await deepLinks(srv.base);
  assert.ok(links.filter((l) => l.url).length >= 18, JSON.stringify(links));
});

test("every deep link", async () => {
  for (const link of links.filter((l) => l.url)) {
    // In list order: the links marked `as` come after the demo sign-in, in one browser.
    await open(link.path, link.status ?? (link.key === "not-found" ? 404 : 200));
    if (link.lands) assert.equal(new URL(page.url()).pathname, link.lands, link.key);
    if (link.key === "photo-processing") await page.locator('article[data-status="pending"]').waitFor();
    if (link.key === "photo-failed") await page.locator('article[data-status="failed"]').waitFor();
    await shootPage(link.key);
  }
  assert.deepEqual(problems.splice(0), []);
});

test("every section of the design catalogue, light and dark", async () => {
  await open("/_design");
  const ids = await page.locator("section.design-section").evaluateAll((els) => els.map((e) => e.id));
  assert.ok(ids.length >= 16 && ids.some((id) => id.startsWith("dark-")), ids.join());
  for (const vp of VIEWPORTS) {
    await page.setViewportSize(vp);
    for (const id of ids) {
      const section = page.locator(`section#${id}`);
      await section.scrollIntoViewIfNeeded();
      await settle();
      await section.screenshot({ ...SHOT_OPTIONS, path: join(SHOTS, `design-${id}-${vp.name}.png`) });
    }
  }
  assert.deepEqual(problems.splice(0), []);
});
