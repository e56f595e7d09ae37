// Shared helpers for the integration and browser tests: uploads, polling, image decoding.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { ROOT, waitFor } from "./harness.mjs";

export const PHOTOS = join(ROOT, "demo", "photos");
export const demoPhoto = (name) => join(PHOTOS, name);

/** The variant ladder Lumen promises: each width capped at the original's, deduplicated. */
export const LADDER = [320, 640, 1280, 2048];
export function expectedVariants(width, height) {
  const ws = [...new Set(LADDER.map((w) => Math.min(w, width)))].sort((a, b) => a - b);
  return ws.map((w) => ({ width: w, height: Math.max(1, Math.floor((w * height + Math.floor(width / 2)) / width)) }));
}

/** POSTs files to /upload as a multipart form. `files`: [{ name, bytes, type }]. */
export async function upload(base, files, { json = true, headers = {} } = {}) {
  const form = new FormData();
  for (const f of files) form.append("photos", new Blob([f.bytes], { type: f.type }), f.name);
  return fetch(`${base}/upload`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { ...(json ? { accept: "application/json" } : {}), ...headers },
    signal: AbortSignal.timeout(30_000),
  });
}

export function fileOf(path, type) {
  return { name: path.split("/").at(-1), bytes: readFileSync(path), type };
}

/** The `get_photo` server function. */
export async function getPhoto(base, id) {
  const res = await fetch(`${base}/api/get_photo`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ id }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`get_photo ${id}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Polls until the photo leaves `pending`; returns its view. */
export function waitProcessed(base, id, timeout = 60_000) {
  return waitFor(
    async () => {
      const p = await getPhoto(base, id);
      return p.status !== "pending" ? p : null;
    },
    { timeout, interval: 250, what: `photo ${id} to leave pending` },
  );
}

/** Decodes JPEG or PNG bytes to RGBA: { width, height, data }. */
/** Chromium launch options for this machine (no network, root, headless). */
export const CHROMIUM_OPTIONS = {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
  ],
};

/** Waits until every image in the viewport has loaded (lazy ones below the fold are left alone). */
export async function imagesSettled(page, { timeout = 30_000 } = {}) {
  await waitFor(
    () =>
      page.evaluate(() =>
        [...document.images]
          .filter((im) => {
            const r = im.getBoundingClientRect();
            return r.bottom > 0 && r.top < innerHeight && r.width > 0;
          })
          .every((im) => im.complete && im.naturalWidth > 0),
      ),
    { timeout, interval: 100, what: "images in view to load" },
  );
}

let decoder = null;
/** Decodes WebP (which no small JS library does) with Chromium's own decoder, to RGBA. */
export async function decodeWithBrowser(bytes, contentType) {
  if (!decoder) {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch(CHROMIUM_OPTIONS);
    decoder = { browser, page: await browser.newPage() };
  }
  const out = await decoder.page.evaluate(
    async ([b64, type]) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bin], { type }), {
        premultiplyAlpha: "none",
        colorSpaceConversion: "none",
      });
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext("2d");
      ctx.drawImage(bmp, 0, 0);
      const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      let s = "";
      for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode(...d.subarray(i, i + 0x8000));
      return { width: bmp.width, height: bmp.height, data: btoa(s) };
    },
    [Buffer.from(bytes).toString("base64"), contentType],
  );
  return { width: out.width, height: out.height, data: new Uint8Array(Buffer.from(out.data, "base64")) };
}

export async function closeDecoder() {
  if (decoder) await decoder.browser.close();
  decoder = null;
}

export function decodeImage(bytes, contentType) {
  if (contentType === "image/jpeg") {
    return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
  }
  if (contentType === "image/png") return PNG.sync.read(Buffer.from(bytes));
  throw new Error(`cannot decode ${contentType}`);
}

/** Mean colour of each cell of a grid x grid split, and the luminance standard deviation. */
export function imageStats({ width, height, data }, grid = 4) {
  const cells = Array.from({ length: grid * grid }, () => [0, 0, 0, 0, 0]);
  let sum = 0;
  let sum2 = 0;
  let minAlpha = 255;
  const n = width * height;
  for (let y = 0; y < height; y++) {
    const cy = Math.min(grid - 1, Math.floor((y * grid) / height));
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      const c = cells[cy * grid + Math.min(grid - 1, Math.floor((x * grid) / width))];
      c[0] += r;
      c[1] += g;
      c[2] += b;
      c[3] += a;
      c[4] += 1;
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      sum += l;
      sum2 += l * l;
      if (a < minAlpha) minAlpha = a;
    }
  }
  const mean = sum / n;
  return {
    stddev: Math.sqrt(Math.max(0, sum2 / n - mean * mean)),
    minAlpha,
    cells: cells.map(([r, g, b, a, k]) => [r / k, g / k, b / k, a / k]),
  };
}

/** Largest per-channel difference between two grids of mean colours. */
export function gridDistance(a, b) {
  let worst = 0;
  a.cells.forEach((c, i) => c.slice(0, 3).forEach((v, ch) => (worst = Math.max(worst, Math.abs(v - b.cells[i][ch])))));
  return worst;
}

/** A PNG with an alpha channel and a diagonal gradient, made in memory. */
export function makeRgbaPng(width, height) {
  const png = new PNG({ width, height, colorType: 6 });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      png.data[i] = Math.round((x / width) * 255);
      png.data[i + 1] = Math.round((y / height) * 255);
      png.data[i + 2] = 128;
      png.data[i + 3] = x < width / 2 ? 255 : 64; // left half opaque, right half see-through
    }
  }
  return PNG.sync.write(png);
}

/** A JPEG cut in the middle: valid SOI and headers, half the scan data. */
export function truncatedJpeg() {
  const full = readFileSync(demoPhoto("rocket.jpg"));
  return full.subarray(0, Math.floor(full.length / 2));
}

/** Text of the first element with `class="<cls>"` in an HTML string (attribute order free). */
export function textOfClass(html, tag, cls) {
  const re = new RegExp(`<${tag}\\b[^>]*\\bclass="(?:[^"]*\\s)?${cls}(?:\\s[^"]*)?"[^>]*>([\\s\\S]*?)</${tag}>`);
  const m = html.match(re);
  return m ? m[1].replace(/<[^>]+>/g, "").trim() : null;
}
