// The media job inside workerd: uploads the benchmark's generated 12 MP and 24 MP JPEGs to
// a fresh `wrangler dev`, lets the real queue consumer process each, and reads its log line
// (time and wasm memory). Prints the ratio to the native figures measured in the same run.
// Also against sharp's single-decode ladder (scripts/bench-sharp.mjs), run right after each
// job on the same input (issue 16's goal: the job within 1.5x of it), in CPU time as well as
// wall time: on a machine shared with other builds, waiting for a core inflates wall time.
// The first job runs in a fresh isolate, largely on V8's baseline wasm tier; it is reported
// on its own and the ratios use the warm jobs after it.
// Usage: node scripts/bench-workerd.mjs <dir with camera-12MP.jpg, camera-24MP.jpg> <native log>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startLumen } from "../e2e/harness.mjs";
import { ladderOf, sharpOnce, workerdCpu } from "./bench-sharp.mjs";

const [dir, nativeLog] = process.argv.slice(2);
const native = readFileSync(nativeLog, "utf8");
const grab = (re) => {
  const m = native.match(re);
  return m ? Number(m[1]) : NaN;
};
const RUNS = Number(process.env.RUNS ?? 3);
const ladder = ladderOf(native);
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const srv = await startLumen("bench");
try {
  // Uploads need an account: the bench signs one up.
  const account = await fetch(`${srv.base}/api/sign_up`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: "bench", email: "bench@example.test", password: "bench password 1" }),
  });
  if (account.status !== 200) throw new Error(`sign up: HTTP ${account.status} ${await account.text()}`);
  const cookie = account.headers.getSetCookie()[0].split(";")[0];
  const cpuClock = workerdCpu(new URL(srv.base).port);
  let cold = true;
  for (const name of ["12MP", "24MP"]) {
    const bytes = readFileSync(join(dir, `camera-${name}.jpg`));
    const times = [];
    const vs = []; // { wall, cpu, sharpWall, sharpCpu } per warm run
    let mem = 0;
    await sharpOnce(bytes, ladder); // warm-up
    const jobs = RUNS + (cold ? 1 : 0);
    for (let i = 0; i < jobs; i++) {
      const form = new FormData();
      form.append("photos", new Blob([bytes], { type: "image/jpeg" }), `camera-${name}.jpg`);
      const since = srv.logs().length;
      const res = await fetch(`${srv.base}/upload`, {
        method: "POST",
        body: form,
        headers: { accept: "application/json", cookie },
      });
      if (res.status !== 201) throw new Error(`upload ${name}: HTTP ${res.status} ${await res.text()}`);
      const { photos } = await res.json();
      // The consumer starts after the queue's 1 s batch timeout, so from here on the isolate's
      // CPU is the job's.
      const cpu0 = cpuClock?.();
      const [line, status, ms, mib] = await srv.waitForLog(
        new RegExp(`QUEUE \\S+ photo=${photos[0].id} (\\w+).* (\\d+)ms wasm_mem=(\\d+)MiB`),
        { since, timeout: 120_000 },
      );
      if (status !== "ready") throw new Error(`job did not finish ready: ${line}`);
      const cpu = cpuClock ? cpuClock() - cpu0 : NaN;
      mem = Math.max(mem, Number(mib));
      if (cold) {
        cold = false;
        console.log(`${name} first job in a fresh isolate: ${ms} ms wall, ${cpu.toFixed(0)} ms CPU (not in the medians)`);
        continue;
      }
      times.push(Number(ms));
      const s = await sharpOnce(bytes, ladder);
      vs.push({ wall: Number(ms), cpu, sharpWall: s.ms, sharpCpu: s.cpuMs });
    }
    times.sort((a, b) => a - b);
    const t = times[Math.floor(times.length / 2)];
    const ours = grab(new RegExp(`${name} \\d+x\\d+ input [\\d.]+ MB: ours (\\d+) ms`));
    const vips = grab(new RegExp(`${name}: vipsthumbnail x\\d+ (\\d+) ms`));
    console.log(
      `${name} in workerd (whole job: R2 get, decode, ladder, R2 puts, D1): median ${t} ms of ${RUNS}; ` +
        `ratio to native ${(t / ours).toFixed(2)}, to libvips ${(t / vips).toFixed(2)}; ` +
        `wasm memory after the jobs ${mem} MiB (limit 128 MiB per isolate)`,
    );
    const cpuRatio = med(vs.map((v) => v.cpu / v.sharpCpu));
    console.log(
      `${name} vs sharp single-decode ladder (same input, one thread, run after each job): ` +
        `job CPU median ${med(vs.map((v) => v.cpu)).toFixed(0)} ms (workerd process), sharp CPU ` +
        `${med(vs.map((v) => v.sharpCpu)).toFixed(0)} ms, job/sharp CPU ${vs.map((v) => (v.cpu / v.sharpCpu).toFixed(2)).join(" ")} ` +
        `median ${cpuRatio.toFixed(2)}; wall ${med(vs.map((v) => v.wall / v.sharpWall)).toFixed(2)} ` +
        `(goal <= 1.5: ${cpuRatio <= 1.5 ? "met" : "NOT met"})`,
    );
  }
} finally {
  await srv.stop();
}
