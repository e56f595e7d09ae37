// Peak isolate memory (JS heap + wasm) under `wrangler dev` for the largest upload Lumen
// accepts and for its media jobs, against a Worker's 128 MiB. The JS heap is sampled through
// the inspector (CDP `Runtime.getHeapUsage`) while the request and then the jobs run; wasm
// memory comes from the Worker's own log lines (`UPLOAD … wasm_mem=`, `QUEUE … wasm_mem=`),
// which report the isolate's wasm memory (it never shrinks, so it is the peak so far). A forced
// GC between the request and the jobs keeps the request's garbage out of the jobs' figure.
// The worst accepted case: one request with as many max-size files as fit in 100 MB, each a
// 4:4:4 noise JPEG just inside the decode budget (40 MiB of planes, 3 bytes a pixel) and just
// under the file limit. Usage: node scripts/bench-memory.mjs <dir for the generated JPEG>
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startLumen } from "../e2e/harness.mjs";
import { noiseJpeg, signUp, upload } from "../e2e/helpers.mjs";

// Keep in step with app/src/ssr/service/upload.rs and media::Spec::default().
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_REQUEST_BYTES = 100_000_000;
// 4560×3056×3 bytes of planes: just under media::Spec's 40 MiB decode budget.
const [WIDTH, HEIGHT] = [4560, 3056];
const LIMIT_MIB = 128;
const MiB = 1 << 20;

const dir = process.argv[2] ?? "target/bench-media";
const mib = (b) => (b / MiB).toFixed(1);

/** A 4:4:4 JPEG of WIDTH×HEIGHT between 95% and 100% of the file limit (cached in `dir`). */
function worstJpeg() {
  const file = join(dir, `worst-${WIDTH}x${HEIGHT}-444.jpg`);
  if (existsSync(file)) {
    const b = readFileSync(file);
    if (b.length <= MAX_FILE_BYTES && b.length > 0.95 * MAX_FILE_BYTES) return b;
  }
  // Noise sets the size: estimate the amplitude on a small sample, then bisect on the real one.
  const perPixel = (amp) => noiseJpeg(500, 500, { amp }).length / 250_000;
  const want = (0.975 * MAX_FILE_BYTES) / (WIDTH * HEIGHT);
  let [lo, hi] = [0, 255];
  for (let i = 0; i < 12; i++) {
    const mid = (lo + hi) / 2;
    if (perPixel(mid) < want) lo = mid;
    else hi = mid;
  }
  let amp = lo;
  [lo, hi] = [0, 255];
  for (let i = 0; i < 10; i++) {
    const b = noiseJpeg(WIDTH, HEIGHT, { amp });
    if (b.length <= MAX_FILE_BYTES && b.length > 0.95 * MAX_FILE_BYTES) {
      writeFileSync(file, b);
      return b;
    }
    if (b.length > MAX_FILE_BYTES) hi = amp;
    else lo = amp;
    amp = (lo + hi) / 2;
  }
  throw new Error("could not make a JPEG just under the file limit");
}

/** Samples `Runtime.getHeapUsage` every few ms; `window()` starts a new peak. */
async function heapSampler(port) {
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  // wrangler's inspector proxy wants an Origin it knows.
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://localhost" } });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("inspector websocket failed"));
  });
  let id = 0;
  const waiting = new Map();
  ws.onmessage = (m) => {
    const d = JSON.parse(m.data);
    waiting.get(d.id)?.(d.result);
    waiting.delete(d.id);
  };
  const call = (method) =>
    new Promise((resolve) => {
      id += 1;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method }));
    });
  let peak = { used: 0, total: 0, backing: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const h = await call("Runtime.getHeapUsage");
      if (h) {
        peak.used = Math.max(peak.used, h.usedSize);
        peak.total = Math.max(peak.total, h.totalSize);
        peak.backing = Math.max(peak.backing, h.backingStorageSize ?? 0);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    /** A full GC, so that one phase's garbage does not count against the next. */
    collect: () => call("HeapProfiler.collectGarbage"),
    window() {
      const p = peak;
      peak = { used: 0, total: 0, backing: 0 };
      return p;
    },
    async stop() {
      running = false;
      await loop;
      ws.close();
    },
  };
}

const bytes = worstJpeg();
// Multipart framing per file is a few hundred bytes.
const count = Math.floor(MAX_REQUEST_BYTES / (bytes.length + 1024));
const srv = await startLumen("bench-memory");
let sampler;
try {
  const me = await signUp(srv.base, { username: "membench" });
  sampler = await heapSampler(srv.inspector);
  sampler.window();
  const since = srv.logs().length;
  const files = Array.from({ length: count }, (_, i) => ({ name: `worst-${i}.jpg`, bytes, type: "image/jpeg" }));
  const res = await upload(srv.base, files, { cookie: me.cookie });
  if (res.status !== 201) throw new Error(`upload: HTTP ${res.status} ${await res.text()}`);
  const { photos } = await res.json();
  const up = sampler.window();
  // The request's body chunks are garbage now; V8 would collect them under pressure.
  await sampler.collect();
  sampler.window();
  const [, upWasm] = await srv.waitForLog(/UPLOAD photos=\d+ wasm_mem=(\d+)MiB/, { since });
  let jobWasm = 0;
  for (const p of photos) {
    const [line, status, wasm] = await srv.waitForLog(
      new RegExp(`QUEUE \\S+ photo=${p.id} (\\w+).* wasm_mem=(\\d+)MiB`),
      { since, timeout: 300_000 },
    );
    if (status !== "ready") throw new Error(`job did not finish ready: ${line}`);
    jobWasm = Math.max(jobWasm, Number(wasm));
  }
  const job = sampler.window();
  const row = (what, heap, wasm) => {
    const total = (heap.total + heap.backing) / MiB + wasm;
    console.log(
      `${what}: JS heap peak ${mib(heap.used)} MiB used / ${mib(heap.total)} MiB total + ${mib(heap.backing)} MiB ` +
        `array buffers + wasm ${wasm} MiB = ${total.toFixed(1)} MiB of ${LIMIT_MIB} MiB ` +
        `(${total <= 100 ? "within the 100 MiB target" : total <= LIMIT_MIB ? "UNDER the limit but over 100 MiB" : "OVER"})`,
    );
  };
  console.log(
    `worst accepted case: ${count} × ${mib(bytes.length)} MiB ${WIDTH}x${HEIGHT} 4:4:4 JPEG in one request ` +
      `(${(count * bytes.length / 1e6).toFixed(1)} MB)`,
  );
  row("largest upload (the request)", up, Number(upWasm));
  row(`its ${photos.length} media jobs (peak)`, job, jobWasm);
} finally {
  await sampler?.stop();
  await srv.stop();
}
