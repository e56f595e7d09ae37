// `make bench`, first views: bytes and requests of the feed and a photo page at 390 px and
// 1280 px wide (HTML, CSS, JS, wasm, images), and Lighthouse's four scores, LCP and CLS (its
// default simulated mobile profile) for the feed, a profile and a photo page, against a
// fresh `wrangler dev` seeded with the demo photos. Lighthouse runs offline against
// Debian's chromium (CHROME_PATH).
// Usage: node scripts/bench-viewer.mjs   (after ./scripts/build.sh)

import { chromium } from "playwright-core";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { startLumen } from "../e2e/harness.mjs";
import { CHROMIUM_OPTIONS, demoPhoto, fileOf, signUp, upload, waitProcessed } from "../e2e/helpers.mjs";

const kind = (url, type) => {
  if (url.endsWith(".wasm") || type.includes("wasm")) return "wasm";
  if (type.includes("text/html")) return "html";
  if (type.includes("css")) return "css";
  if (type.includes("javascript")) return "js";
  if (type.startsWith("image/")) return "images";
  return "other";
};

/** Bytes (as transferred bodies) and requests of a first view, by kind. */
async function firstView(browser, url, width) {
  const ctx = await browser.newContext({ viewport: { width, height: 844 } });
  const page = await ctx.newPage();
  const seen = [];
  page.on("response", (res) => seen.push(res));
  await page.goto(url, { waitUntil: "networkidle" });
  const totals = {};
  for (const res of seen) {
    const k = kind(res.url(), res.headers()["content-type"] ?? "");
    const body = await res.body().catch(() => Buffer.alloc(0));
    totals[k] ??= { bytes: 0, requests: 0 };
    totals[k].bytes += body.length;
    totals[k].requests += 1;
  }
  await ctx.close();
  return totals;
}

const srv = await startLumen("bench-viewer");
try {
  const A = await signUp(srv.base, { username: "ada", ip: "10.77.0.1" });
  let photo;
  for (const n of ["hubble_deep_field.jpg", "chelsea.png", "coffee.png", "astronaut.png"]) {
    const res = await upload(srv.base, [fileOf(demoPhoto(n), n.endsWith(".png") ? "image/png" : "image/jpeg")], { cookie: A.cookie });
    photo = (await res.json()).photos[0].id;
    await waitProcessed(srv.base, photo, 60_000, { cookie: A.cookie });
  }
  const pages = { feed: "/", profile: "/u/ada", photo: `/p/${photo}?in=feed`, upload: "/upload" };

  console.log("== first view, bytes (bodies) and requests by kind");
  const browser = await chromium.launch(CHROMIUM_OPTIONS);
  for (const name of ["feed", "photo"]) {
    for (const width of [390, 1280]) {
      const t = await firstView(browser, srv.base + pages[name], width);
      const cols = ["html", "css", "js", "wasm", "images", "other"]
        .map((k) => `${k} ${t[k]?.bytes ?? 0} B/${t[k]?.requests ?? 0}`)
        .join("  ");
      console.log(`${name.padEnd(8)} ${String(width).padStart(4)} px  ${cols}`);
    }
  }
  await browser.close();

  console.log("\n== Lighthouse (simulated mobile): performance, accessibility, best practices, SEO; LCP");
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || process.env.CHROMIUM || "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
  });
  try {
    for (const [name, path] of Object.entries(pages)) {
      // The upload page is Ada's (signed in): the session cookie goes with every request.
      const extraHeaders = name === "upload" ? { cookie: A.cookie } : undefined;
      const { lhr } = await lighthouse(srv.base + path, { port: chrome.port, logLevel: "error", output: "json", extraHeaders });
      const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
      const lcp = lhr.audits["largest-contentful-paint"]?.numericValue ?? NaN;
      const cls = lhr.audits["cumulative-layout-shift"]?.numericValue ?? NaN;
      const failing = Object.values(lhr.audits)
        .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
        .map((a) => a.id);
      console.log(
        `${name.padEnd(8)} perf ${score("performance")}  a11y ${score("accessibility")}  best ${score("best-practices")}  seo ${score("seo")}  LCP ${(lcp / 1000).toFixed(2)} s  CLS ${cls.toFixed(3)}` +
          (failing.length ? `  failing: ${failing.join(", ")}` : ""),
      );
      if (process.env.BENCH_DETAILS) {
        for (const id of [...failing, "largest-contentful-paint-element"]) {
          const items = lhr.audits[id]?.details?.items ?? [];
          console.log(`  ${id}: ${JSON.stringify(items).slice(0, 600)}`);
        }
      }
    }
  } finally {
    await chrome.kill();
  }
} finally {
  await srv.stop();
}
