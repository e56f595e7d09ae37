// Bytes and requests for the first view of the upload page (issue 14's `make bench` row), signed
// in, in Debian's chromium at 390 px and 1280 px wide, with JS on (the island hydrates) and off.
// Counts every response the page causes, by kind (HTML, CSS, JS, wasm, images, other), with the
// bytes on the wire (the encoded body as the browser received it).
// Usage: node scripts/bench-upload-page.mjs
import { chromium } from "playwright-core";
import { startLumen } from "../e2e/harness.mjs";
import { CHROMIUM_OPTIONS, signUp } from "../e2e/helpers.mjs";

const kind = (url, type) =>
  /\.wasm(\?|$)/.test(url) ? "wasm"
  : /\.js(\?|$)/.test(url) ? "js"
  : /\.css(\?|$)/.test(url) ? "css"
  : type === "document" ? "html"
  : type === "image" ? "images"
  : "other";

const srv = await startLumen("bench-upload-page");
const browser = await chromium.launch(CHROMIUM_OPTIONS);
try {
  const me = await signUp(srv.base, { username: "benchupload" });
  const [name, value] = me.cookie.split(/=(.*)/s);
  console.log("page     width  js   requests  bytes     (html / css / js / wasm / images / other: requests, bytes)");
  for (const js of [true, false]) {
    for (const width of [390, 1280]) {
      const ctx = await browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
      await ctx.addCookies([{ name, value, url: srv.base }]);
      const page = await ctx.newPage();
      const seen = [];
      page.on("requestfinished", async (req) => {
        const sizes = await req.sizes().catch(() => null);
        seen.push({ kind: kind(req.url(), req.resourceType()), bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0 });
      });
      await page.goto(`${srv.base}/upload`, { waitUntil: "networkidle" });
      if (js) await page.locator("html[data-hydrated=true]").waitFor({ state: "attached" });
      await page.waitForTimeout(300);
      const by = {};
      for (const s of seen) {
        by[s.kind] ??= [0, 0];
        by[s.kind][0] += 1;
        by[s.kind][1] += s.bytes;
      }
      const total = seen.reduce((n, s) => n + s.bytes, 0);
      const parts = ["html", "css", "js", "wasm", "images", "other"].map((k) => `${k} ${by[k]?.[0] ?? 0}, ${by[k]?.[1] ?? 0} B`);
      console.log(`/upload  ${String(width).padEnd(5)}  ${js ? "on " : "off"}  ${String(seen.length).padEnd(8)}  ${String(total).padEnd(8)}  ${parts.join(" / ")}`);
      await ctx.close();
    }
  }
} finally {
  await browser.close().catch(() => {});
  await srv.stop();
}
