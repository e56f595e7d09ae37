// `make visual`: compares the screenshots of e2e/visual.test.mjs with the committed
// baselines, pixel by pixel (pixelmatch), and writes e2e/report/index.html with before,
// after and difference side by side. Exits 1 when any image differs beyond the tolerance,
// is new or is missing.
//
// Usage: node e2e/visual-compare.mjs [--baseline DIR] [--actual DIR] [--report DIR] [--accept]
//   --accept  copy the screenshots over the baselines (then commit them)

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";

const ROOT = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return resolve(i >= 0 ? args[i + 1] : dflt);
};
const BASELINE = opt("--baseline", join(ROOT, "e2e", "visual-baseline"));
const ACTUAL = opt("--actual", join(ROOT, "e2e", "screenshots", "visual"));
const REPORT = opt("--report", join(ROOT, "e2e", "report"));
/** Per-pixel colour distance (0..1) below which two pixels count as equal: anti-aliasing noise. */
const THRESHOLD = 0.1;
/** Share of pixels that may differ before an image counts as changed. */
const TOLERANCE = 0.001;

const pngs = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".png")).sort() : []);

if (args.includes("--accept")) {
  if (pngs(ACTUAL).length === 0) throw new Error(`no screenshots in ${ACTUAL}: run the visual tests first`);
  rmSync(BASELINE, { recursive: true, force: true });
  mkdirSync(BASELINE, { recursive: true });
  for (const f of pngs(ACTUAL)) copyFileSync(join(ACTUAL, f), join(BASELINE, f));
  console.log(`visual: ${pngs(ACTUAL).length} baselines written to ${relative(ROOT, BASELINE)}`);
  process.exit(0);
}

rmSync(REPORT, { recursive: true, force: true });
for (const d of ["before", "after", "diff"]) mkdirSync(join(REPORT, d), { recursive: true });

const rows = [];
for (const name of [...new Set([...pngs(BASELINE), ...pngs(ACTUAL)])].sort()) {
  const b = existsSync(join(BASELINE, name)) ? PNG.sync.read(readFileSync(join(BASELINE, name))) : null;
  const a = existsSync(join(ACTUAL, name)) ? PNG.sync.read(readFileSync(join(ACTUAL, name))) : null;
  if (b) copyFileSync(join(BASELINE, name), join(REPORT, "before", name));
  if (a) copyFileSync(join(ACTUAL, name), join(REPORT, "after", name));
  if (!a || !b) {
    rows.push({ name, status: a ? "new" : "missing", ratio: 1 });
    continue;
  }
  // Different sizes: compare on the larger canvas, so the shift shows in the difference.
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  const pad = (img) => {
    if (img.width === width && img.height === height) return img.data;
    const out = new PNG({ width, height, fill: true });
    PNG.bitblt(img, out, 0, 0, img.width, img.height, 0, 0);
    return out.data;
  };
  const diff = new PNG({ width, height });
  const n = pixelmatch(pad(b), pad(a), diff.data, width, height, { threshold: THRESHOLD });
  const ratio = n / (width * height);
  const sized = a.width === b.width && a.height === b.height;
  const status = !sized ? "resized" : ratio > TOLERANCE ? "changed" : "same";
  if (status !== "same") writeFileSync(join(REPORT, "diff", name), PNG.sync.write(diff));
  rows.push({ name, status, ratio, pixels: n });
}

const bad = rows.filter((r) => r.status !== "same");
const summary =
  rows.length === 0
    ? "no screenshots to compare"
    : bad.length === 0
      ? `no visual differences (${rows.length} screenshots)`
      : `${bad.length} of ${rows.length} screenshots differ: ${bad.map((r) => `${r.name} (${r.status})`).join(", ")}`;

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const img = (dir, name, present) =>
  present ? `<a href="${dir}/${esc(name)}"><img src="${dir}/${esc(name)}" alt="${dir}" loading="lazy"></a>` : "<p>—</p>";
const section = (r) => `
<section class="${r.status}">
  <h2>${esc(r.name)} <small>${r.status}${r.pixels !== undefined ? `, ${r.pixels} px (${(r.ratio * 100).toFixed(3)}%)` : ""}</small></h2>
  <div class="trio">
    <figure><figcaption>before (baseline)</figcaption>${img("before", r.name, r.status !== "new")}</figure>
    <figure><figcaption>after (this run)</figcaption>${img("after", r.name, r.status !== "missing")}</figure>
    <figure><figcaption>difference</figcaption>${img("diff", r.name, ["changed", "resized"].includes(r.status))}</figure>
  </div>
</section>`;
writeFileSync(
  join(REPORT, "index.html"),
  `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Lumen visual report</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; }
  section { border-top: 1px solid #ddd; padding: 0.75rem 0; }
  section.changed h2, section.resized h2, section.new h2, section.missing h2 { color: #b42318; }
  h2 { font-size: 1rem; } small { font-weight: normal; color: #666; }
  .trio { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1rem; align-items: start; }
  figure { margin: 0; } figcaption { color: #666; margin-bottom: 0.25rem; }
  img { max-width: 100%; border: 1px solid #ccc; }
  details > summary { cursor: pointer; margin: 1rem 0; }
</style>
<h1>Lumen visual report</h1>
<p>${esc(summary)}. Baselines: <code>${esc(relative(ROOT, BASELINE))}</code>; tolerance ${TOLERANCE * 100}% of pixels at colour threshold ${THRESHOLD}.</p>
${bad.map(section).join("\n")}
<details><summary>Unchanged (${rows.length - bad.length})</summary>
${rows.filter((r) => r.status === "same").map(section).join("\n")}
</details>
</html>
`,
);
writeFileSync(join(REPORT, "summary.txt"), `${summary}\n`);
writeFileSync(join(REPORT, "summary.json"), `${JSON.stringify({ summary, rows }, null, 2)}\n`);
console.log(`visual: ${summary}`);
console.log(`visual: report in ${relative(ROOT, join(REPORT, "index.html"))}`);
process.exit(bad.length ? 1 : 0);
