// The media job inside workerd: uploads the benchmark's generated 12 MP and 24 MP JPEGs to
// a fresh `wrangler dev`, lets the real queue consumer process each, and reads its log line
// (time and wasm memory). Prints the ratio to the native figures measured in the same run.
// Usage: node scripts/bench-workerd.mjs <dir with camera-12MP.jpg, camera-24MP.jpg> <native log>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startLumen } from "../e2e/harness.mjs";

const [dir, nativeLog] = process.argv.slice(2);
const native = readFileSync(nativeLog, "utf8");
const grab = (re) => {
  const m = native.match(re);
  return m ? Number(m[1]) : NaN;
};
const RUNS = Number(process.env.RUNS ?? 3);

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
  for (const name of ["12MP", "24MP"]) {
    const bytes = readFileSync(join(dir, `camera-${name}.jpg`));
    const times = [];
    let mem = 0;
    for (let i = 0; i < RUNS; i++) {
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
      const [line, status, ms, mib] = await srv.waitForLog(
        new RegExp(`QUEUE \\S+ photo=${photos[0].id} (\\w+).* (\\d+)ms wasm_mem=(\\d+)MiB`),
        { since, timeout: 120_000 },
      );
      if (status !== "ready") throw new Error(`job did not finish ready: ${line}`);
      times.push(Number(ms));
      mem = Math.max(mem, Number(mib));
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
  }
} finally {
  await srv.stop();
}
