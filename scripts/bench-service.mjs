// `make bench`, the `service` processing backend:
//  1. CPU per job in the queue consumer, `worker` vs `service` mode: the real consumer under
//     `wrangler dev`, its isolate sampled by V8's CPU profiler over the inspector (CDP) while
//     the job runs. CPU = samples in JS, wasm and GC; "(idle)" and "(program)" (the isolate
//     waiting, or workerd's own C++ such as the R2 and fetch plumbing) are not counted, so it
//     is the isolate's own work, the part the 10 ms free-plan limit is about.
//  2. The native service's throughput: photos per second per core at 12 and 24 MP, with as
//     many jobs in flight as it has slots (one per core).
// Usage: node scripts/bench-service.mjs <dir with camera-12MP.jpg, camera-24MP.jpg>
import { createHmac, randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startLumen } from "../e2e/harness.mjs";
import { buildMediaService, startMediaService, testSecret } from "../e2e/media-service.mjs";

const [dir] = process.argv.slice(2);
const RUNS = Number(process.env.RUNS ?? 3);
const SIZES = ["12MP", "24MP"];
const input = (name) => readFileSync(join(dir, `camera-${name}.jpg`));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A minimal CDP client on the isolate's inspector. */
async function inspector(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on ${port}: ${JSON.stringify(targets)}`);
  // wrangler's inspector proxy wants an Origin it knows (as in bench-memory.mjs).
  const ws = new WebSocket(url, { headers: { origin: "http://localhost" } });
  await new Promise((ok, fail) => {
    ws.onopen = ok;
    ws.onerror = fail;
  });
  let next = 1;
  const waiting = new Map();
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) w.fail(new Error(`${msg.error.message}`));
    else w.ok(msg.result);
  };
  const send = (method, params = {}) =>
    new Promise((ok, fail) => {
      const id = next++;
      waiting.set(id, { ok, fail });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/**
 * Milliseconds of samples in JS, wasm and GC (see the header). A sample's time is the delta
 * since the one before, capped at MAX_SAMPLE_US: the first sample after the isolate waited
 * (for the batch, for R2, for the service) carries the whole wait in its delta otherwise.
 */
const MAX_SAMPLE_US = 1000;
function cpuMs(profile) {
  const skip = new Set(
    profile.nodes.filter((n) => ["(idle)", "(program)", "(root)"].includes(n.callFrame.functionName)).map((n) => n.id),
  );
  let us = 0;
  profile.samples.forEach((node, i) => {
    if (!skip.has(node)) us += Math.min(profile.timeDeltas[i] ?? 0, MAX_SAMPLE_US);
  });
  return us / 1000;
}

async function consumerCpu(label, vars) {
  const srv = await startLumen(`bench-${label}`, { vars });
  const cdp = await inspector(srv.inspector);
  try {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
    const account = await fetch(`${srv.base}/api/sign_up`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: `bench${label}`, email: "b@example.test", password: "bench password 1" }),
    });
    if (account.status !== 200) throw new Error(`sign up: HTTP ${account.status}`);
    const cookie = account.headers.getSetCookie()[0].split(";")[0];
    const rows = {};
    for (const name of SIZES) {
      const bytes = input(name);
      const cpu = [];
      const wall = [];
      for (let i = 0; i < RUNS; i++) {
        const form = new FormData();
        form.append("photos", new Blob([bytes], { type: "image/jpeg" }), `camera-${name}.jpg`);
        // The upload runs first, unprofiled; the job is queued with max_batch_timeout 1 s, so
        // the profiler is running before the consumer starts.
        const res = await fetch(`${srv.base}/upload`, {
          method: "POST",
          body: form,
          headers: { accept: "application/json", cookie },
        });
        if (res.status !== 201) throw new Error(`upload ${name}: HTTP ${res.status} ${await res.text()}`);
        const since = srv.logs().length;
        await cdp.send("Profiler.start");
        const { photos } = await res.json();
        const [line, status, ms] = await srv.waitForLog(
          new RegExp(`QUEUE \\S+ photo=${photos[0].id} (\\w+).* (\\d+)ms wasm_mem`),
          { since, timeout: 120_000 },
        );
        const { profile } = await cdp.send("Profiler.stop");
        if (status !== "ready") throw new Error(`job did not finish ready: ${line}`);
        cpu.push(cpuMs(profile));
        // BENCH_DUMP=/tmp/prof keeps each profile (open it in Chrome DevTools' Performance panel).
        if (process.env.BENCH_DUMP) writeFileSync(`${process.env.BENCH_DUMP}-${label}-${name}-${i}.json`, JSON.stringify(profile));
        wall.push(Number(ms));
      }
      rows[name] = { cpu: median(cpu), wall: median(wall) };
    }
    return rows;
  } finally {
    cdp.close();
    await srv.stop();
  }
}

/** Signs and sends one job as the Worker does (UNSIGNED-PAYLOAD digest). */
async function render(url, secret, bytes) {
  const path = "/v1/render?w=320,640,1280,2048&q=80";
  const date = Math.floor(Date.now() / 1000);
  const nonce = randomBytes(16).toString("hex");
  const message = `LUMEN1\nPOST\n${path}\n${date}\n${nonce}\n${bytes.length}\nUNSIGNED-PAYLOAD`;
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    body: bytes,
    headers: {
      "x-lumen-date": String(date),
      "x-lumen-nonce": nonce,
      "x-lumen-content-length": String(bytes.length),
      "x-lumen-content-sha256": "UNSIGNED-PAYLOAD",
      "x-lumen-signature": createHmac("sha256", secret).update(message).digest("hex"),
    },
  });
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`render: HTTP ${res.status} ${Buffer.from(body).toString()}`);
  return body.byteLength;
}

const cores = availableParallelism();
const secret = testSecret("bench");
const bin = buildMediaService("service");
const svc = await startMediaService({ secret, bin });
try {
  console.log(`service throughput (native, profile "service", ${cores} slots = cores, ${cores} jobs in flight):`);
  for (const name of SIZES) {
    const bytes = input(name);
    await render(svc.url, secret, bytes); // warm-up
    const single = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await render(svc.url, secret, bytes);
      single.push(performance.now() - t);
    }
    const jobs = Math.max(4, 2 * cores);
    let left = jobs;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: cores }, async () => {
        while (left-- > 0) await render(svc.url, secret, bytes);
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `  ${name}: one job ${median(single).toFixed(0)} ms (median of ${RUNS}, over HTTP); ` +
        `${jobs} jobs in ${secs.toFixed(2)} s = ${(jobs / secs).toFixed(2)} photos/s, ` +
        `${(jobs / secs / cores).toFixed(2)} photos/s/core`,
    );
  }

  console.log("consumer CPU per job in workerd (V8 samples of JS + wasm + GC; wall includes waiting):");
  const worker = await consumerCpu("worker", {});
  const service = await consumerCpu("service", {
    LUMEN_PROCESSING: "service",
    LUMEN_SERVICE_URL: svc.url,
    LUMEN_SERVICE_SECRET: secret,
  });
  for (const name of SIZES) {
    const w = worker[name];
    const s = service[name];
    console.log(
      `  ${name}: worker mode ${w.cpu.toFixed(1)} ms CPU (job ${w.wall} ms); ` +
        `service mode ${s.cpu.toFixed(1)} ms CPU (job ${s.wall} ms) ` +
        `${s.cpu <= 10 ? "within" : "OVER"} the free plan's 10 ms (median of ${RUNS})`,
    );
  }
} finally {
  await svc.kill();
}
