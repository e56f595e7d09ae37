// sharp (libvips, from npm) making Lumen's ladder from one decode: the baseline issue 16 sets
// for the media job in workerd (goal: within 1.5x). The input is decoded once to raw pixels
// (EXIF orientation applied), then every width of the ladder is resized from those pixels
// (Lanczos3, sharp's default) and encoded as a progressive, Huffman-optimised JPEG at Lumen's
// quality, without metadata. One libvips thread (`sharp.concurrency(1)`), no operation cache,
// one width after another: the media job runs on one thread too.
//
//   import { sharpLadder } from "./bench-sharp.mjs";
//   await sharpLadder(bytes, { widths, quality, runs })  // -> { ms (median), runs: [...], bytes: [...] }
//
// Alone: node scripts/bench-sharp.mjs <dir with camera-12MP.jpg, camera-24MP.jpg> <native log>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import sharp from "sharp";

sharp.concurrency(1);
sharp.cache(false);

/** The ladder's widths and quality from `cargo bench`'s first line, so both use the same. */
export function ladderOf(nativeLog) {
  const m = nativeLog.match(/widths \[([\d, ]+)\], q(\d+)/);
  if (!m) throw new Error("native log has no `widths [...], qN` line");
  return { widths: m[1].split(",").map(Number), quality: Number(m[2]) };
}

async function once(bytes, widths, quality) {
  const t = performance.now();
  const { data, info } = await sharp(bytes).rotate().raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const out = [];
  for (const w of widths) {
    const b = await sharp(data, raw)
      .resize({ width: Math.min(w, info.width), kernel: "lanczos3" })
      .jpeg({ quality, progressive: true, optimiseCoding: true, chromaSubsampling: "4:2:0" })
      .toBuffer();
    out.push(b.length);
  }
  return { ms: performance.now() - t, bytes: out };
}

/** Median of `runs` single-decode ladders, after one warm-up. */
export async function sharpLadder(bytes, { widths, quality, runs = 5 }) {
  await once(bytes, widths, quality);
  const all = [];
  let sizes = [];
  for (let i = 0; i < runs; i++) {
    const r = await once(bytes, widths, quality);
    all.push(r.ms);
    sizes = r.bytes;
  }
  const sorted = [...all].sort((a, b) => a - b);
  return { ms: sorted[Math.floor(sorted.length / 2)], runs: all, bytes: sizes };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, nativeLog] = process.argv.slice(2);
  const ladder = ladderOf(readFileSync(nativeLog, "utf8"));
  console.log(`sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), one thread, widths ${ladder.widths}, q${ladder.quality}`);
  for (const name of ["12MP", "24MP"]) {
    const r = await sharpLadder(readFileSync(join(dir, `camera-${name}.jpg`)), ladder);
    console.log(`${name}: sharp single-decode ladder median ${r.ms.toFixed(0)} ms; bytes ${r.bytes.join(" ")}`);
  }
}
