// sharp (libvips, from npm) making Lumen's ladder from one decode: the baseline issue 16 sets
// for the media job in workerd (goal: within 1.5x). The input is decoded once to raw pixels
// (EXIF orientation applied), then every width of the ladder is resized from those pixels
// (Lanczos3, sharp's default) and encoded as a progressive, Huffman-optimised JPEG at Lumen's
// quality, without metadata. One libvips thread (`sharp.concurrency(1)`), no operation cache,
// one width after another: the media job runs on one thread too.
//
//   import { sharpLadder } from "./bench-sharp.mjs";
//   await sharpLadder(bytes, { widths, quality, runs })  // -> { ms (median), runs: [...], bytes: [...] }
//   await sharpOnce(bytes, { widths, quality })          // -> { ms, bytes }
//
// Alone: node scripts/bench-sharp.mjs <dir with camera-12MP.jpg, camera-24MP.jpg> <native log>
import { readdirSync, readFileSync } from "node:fs";
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

/** CPU time this node process has used, in ms (libvips' threads included). */
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * A clock of the CPU time used by the workerd processes of the `wrangler dev` listening on
 * `port` (its process group: the runtime and its proxy), in ms, from the scheduler's
 * per-thread counters (/proc/PID/task/TID/schedstat, nanoseconds). On a machine shared with
 * other builds, CPU time is steadier than wall time: waiting for a core is not in it.
 */
export function workerdCpu(port) {
  const procs = () => readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  const read = (f) => {
    try {
      return readFileSync(f, "utf8");
    } catch {
      return "";
    }
  };
  const entry = procs().find((pid) => {
    const cmd = read(`/proc/${pid}/cmdline`);
    return cmd.includes("workerd") && cmd.includes(`127.0.0.1:${port}\0`);
  });
  if (!entry) return null;
  const pgid = read(`/proc/${entry}/stat`).split(") ")[1]?.split(" ")[2];
  const group = procs().filter(
    (pid) => read(`/proc/${pid}/stat`).split(") ")[1]?.split(" ")[2] === pgid && read(`/proc/${pid}/cmdline`).includes("workerd"),
  );
  return () => {
    let ns = 0;
    for (const pid of group) {
      let tasks = [];
      try {
        tasks = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const t of tasks) ns += Number(read(`/proc/${pid}/task/${t}/schedstat`).split(" ")[0] || 0);
    }
    return ns / 1e6;
  };
}

/** One single-decode ladder: { ms (wall), cpuMs, bytes: [per width] }. */
export async function sharpOnce(bytes, { widths, quality }) {
  const c = ownCpuMs();
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
  return { ms: performance.now() - t, cpuMs: ownCpuMs() - c, bytes: out };
}

/** Median of `runs` single-decode ladders, after one warm-up. */
export async function sharpLadder(bytes, { widths, quality, runs = 5 }) {
  await sharpOnce(bytes, { widths, quality });
  const all = [];
  const cpu = [];
  let sizes = [];
  for (let i = 0; i < runs; i++) {
    const r = await sharpOnce(bytes, { widths, quality });
    all.push(r.ms);
    cpu.push(r.cpuMs);
    sizes = r.bytes;
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { ms: med(all), cpuMs: med(cpu), runs: all, bytes: sizes };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, nativeLog] = process.argv.slice(2);
  const ladder = ladderOf(readFileSync(nativeLog, "utf8"));
  console.log(`sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), one thread, widths ${ladder.widths}, q${ladder.quality}`);
  for (const name of ["12MP", "24MP"]) {
    const r = await sharpLadder(readFileSync(join(dir, `camera-${name}.jpg`)), ladder);
    console.log(`${name}: sharp single-decode ladder median ${r.ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU; bytes ${r.bytes.join(" ")}`);
  }
}
