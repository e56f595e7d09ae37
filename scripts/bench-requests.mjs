// Per-request CPU and binding counts in local workerd, for issue 16's "every request within
// the free plan". Starts `wrangler dev` with LUMEN_METER=1 (server/src/meter.rs): every
// invocation then logs its CPU (the summed time of its polls, i.e. the isolate's own work, not
// the awaits on D1/R2) and the D1 statements and rows, R2 operations by class and queue
// messages it caused. Local workerd's clock has 1 ms steps, so sub-millisecond requests read
// 0 or 1; the "workerd" column is the CPU of the whole workerd process group over the request
// (nanosecond counters; it also holds local D1/R2's own work and the HTTP proxy, so it is an
// upper bound). Each kind runs after a warm-up; the table shows medians of RUNS. Lines whose
// isolate CPU is over the free plan's 10 ms are flagged. Then the counts per upload and per
// page view, for the README's free-plan arithmetic.
// Usage: node scripts/bench-requests.mjs <dir with camera-12MP.jpg, camera-24MP.jpg, worst-*.jpg>
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startLumen } from "../e2e/harness.mjs";
import { api, ipSource, signUp, upload, waitProcessed } from "../e2e/helpers.mjs";
import { workerdCpu } from "./bench-sharp.mjs";

const dir = process.argv[2] ?? "target/bench-media";
const RUNS = Number(process.env.RUNS ?? 5);
const FREE_CPU_MS = 10;
const FIELDS = ["d1", "rows_read", "rows_written", "r2_a", "r2_b", "r2_free", "queue"];

/** Parses one metered log line's `cpu=… d1=… …` tail. */
function parse(line) {
  const m = { cpu: Number(line.match(/cpu=([\d.]+)ms/)[1]) };
  for (const f of FIELDS) m[f] = Number(line.match(new RegExp(`\\b${f}=(\\d+)`))[1]);
  return m;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const srv = await startLumen("bench-requests", { vars: { LUMEN_METER: 1 } });
const rows = [];
try {
  const clock = workerdCpu(new URL(srv.base).port) ?? (() => NaN);
  /** Runs `fn` (one request) and returns the metered line the Worker logged for `method path`. */
  async function metered(method, path, fn) {
    const since = srv.logs().length;
    const c0 = clock();
    const status = await fn();
    const [line] = await srv.waitForLog(new RegExp(`${method} ${esc(path)} \\d+ \\d+ms cpu=.*`), { since });
    return { status, workerd: clock() - c0, ...parse(line) };
  }
  /** Warm-up, then RUNS metered runs; records the median CPU and the last run's counts. */
  async function measure(kind, method, path, fn, { runs = RUNS, note = "" } = {}) {
    await metered(method, path, fn);
    const all = [];
    for (let i = 0; i < runs; i++) all.push(await metered(method, path, fn));
    const last = all.at(-1);
    rows.push({
      kind,
      note,
      status: last.status,
      cpu: median(all.map((r) => r.cpu)),
      max: Math.max(...all.map((r) => r.cpu)),
      workerd: median(all.map((r) => r.workerd)),
      ...Object.fromEntries(FIELDS.map((f) => [f, last[f]])),
    });
  }
  const get = (path, cookie) => async () => {
    const res = await fetch(`${srv.base}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
    await res.arrayBuffer();
    return res.status;
  };

  const me = await signUp(srv.base, { username: "benchreq", password: "bench password 1" });
  const cookie = me.cookie;
  // Two processed photos (the consumer's own lines are read here too) and one public album.
  const consumer = [];
  const photos = [];
  for (const name of ["12MP", "24MP"]) {
    const bytes = readFileSync(join(dir, `camera-${name}.jpg`));
    const since = srv.logs().length;
    const res = await upload(srv.base, [{ name: `camera-${name}.jpg`, bytes, type: "image/jpeg" }], { cookie });
    if (res.status !== 201) throw new Error(`upload ${name}: HTTP ${res.status}`);
    const [photo] = (await res.json()).photos;
    const [up] = await srv.waitForLog(/POST \/upload 201 \d+ms cpu=.*/, { since });
    const [job] = await srv.waitForLog(/QUEUE batch done cpu=.*/, { since, timeout: 120_000 });
    consumer.push({ name, bytes: bytes.length, upload: parse(up), job: parse(job) });
    photos.push(photo.id);
    await waitProcessed(srv.base, photo.id, 60_000, { cookie });
    const edit = { id: photo.id, title: `bench ${name}`, caption: "", alt: "a generated scene", visibility: "public" };
    const u = await api(srv.base, "update_photo", edit, { cookie });
    if (u.status !== 200) throw new Error(`update_photo: HTTP ${u.status} ${u.text}`);
  }
  const album = await api(srv.base, "create_album", { title: "bench", visibility: "public" }, { cookie });
  for (const p of photos) await api(srv.base, "add_to_album", { album_id: album.json, photo_id: p }, { cookie });
  const view = await api(srv.base, "get_photo", { id: photos[0] }, { cookie });
  const variant = view.json.variants?.[0]?.url ?? (await (await fetch(`${srv.base}/p/${photos[0]}`)).text()).match(/src="(\/media\/[^"]+)"/)?.[1];
  if (!variant) throw new Error(`no variant URL in ${view.text.slice(0, 300)}`);

  await measure("feed (signed in)", "GET", "/", get("/", cookie));
  await measure("feed (anonymous)", "GET", "/", get("/"));
  await measure("photo page", "GET", `/p/${photos[0]}`, get(`/p/${photos[0]}`));
  await measure("profile", "GET", "/u/benchreq", get("/u/benchreq"));
  await measure("album", "GET", `/a/${album.json}`, get(`/a/${album.json}`));
  await measure("media variant", "GET", variant, get(variant));
  await measure("server fn get_photo", "POST", "/api/get_photo", async () =>
    (await api(srv.base, "get_photo", { id: photos[0] }, { cookie })).status);
  const ip = ipSource("10.77");
  await measure("sign-in (PBKDF2 100k)", "POST", "/api/sign_in", async () =>
    (await api(srv.base, "sign_in", { login: "benchreq", password: "bench password 1" }, { ip: ip() })).status);

  // Uploads: a 20 MB file (a real JPEG with junk after its end, refused once 16 MiB have
  // streamed through), then the largest file Lumen accepts (its jobs run after the table's
  // other rows, so that they do not share the workerd column).
  const worst = readdirSync(dir).find((f) => /^worst-.*\.jpg$/.test(f));
  const big = worst && existsSync(join(dir, worst)) ? readFileSync(join(dir, worst)) : null;
  const base = big ?? readFileSync(join(dir, "camera-24MP.jpg"));
  const twenty = Buffer.concat([base, Buffer.alloc(20_000_000 - base.length, 7)]);
  await measure("upload 20 MB file (refused at 16 MiB)", "POST", "/upload", async () =>
    (await upload(srv.base, [{ name: "twenty.jpg", bytes: twenty, type: "image/jpeg" }], { cookie })).status, { runs: 3 });
  // The cron, through wrangler dev's scheduled-handler endpoint.
  const cronRuns = [];
  for (let i = 0; i <= RUNS; i++) {
    const since = srv.logs().length;
    const res = await fetch(`${srv.base}/cdn-cgi/handler/scheduled?cron=*/15+*+*+*+*`);
    await res.arrayBuffer();
    const [line] = await srv.waitForLog(/CRON done cpu=.*/, { since });
    if (i > 0) cronRuns.push({ workerd: NaN, ...parse(line) });
  }
  rows.push({ kind: "cron (nothing stale)", note: "", status: "-", cpu: median(cronRuns.map((r) => r.cpu)), max: Math.max(...cronRuns.map((r) => r.cpu)), workerd: NaN, ...Object.fromEntries(FIELDS.map((f) => [f, cronRuns.at(-1)[f]])) });
  // A camera photo's upload, warm (the consumer rows' uploads were the isolate's first).
  const camera = readFileSync(join(dir, "camera-24MP.jpg"));
  await measure(`upload ${(camera.length / 1e6).toFixed(1)} MB JPEG (24 MP camera)`, "POST", "/upload", async () =>
    (await upload(srv.base, [{ name: "camera.jpg", bytes: camera, type: "image/jpeg" }], { cookie })).status, { runs: 3 });
  if (big) {
    await measure(`upload ${(big.length / 2 ** 20).toFixed(1)} MiB JPEG (largest accepted)`, "POST", "/upload", async () =>
      (await upload(srv.base, [{ name: "big.jpg", bytes: big, type: "image/jpeg" }], { cookie })).status, { runs: 3 });
  }

  for (const [i, c] of consumer.entries()) {
    const kind = `consumer, worker mode, ${c.name}${i === 0 ? " (cold isolate)" : ""}`;
    rows.push({ kind, note: "", status: "-", cpu: c.job.cpu, max: c.job.cpu, workerd: NaN, ...Object.fromEntries(FIELDS.map((f) => [f, c.job[f]])) });
  }

  const pad = (s, n) => String(s).padEnd(n);
  const num = (s, n) => String(s).padStart(n);
  console.log(`${pad("request", 46)} ${num("status", 6)} ${num("cpu ms", 7)} ${num("max", 6)} ${num("workerd", 8)} ${FIELDS.map((f) => num(f, 13)).join("")}  free plan (10 ms)`);
  for (const r of rows) {
    const flag = r.cpu > FREE_CPU_MS ? "OVER 10 ms" : "within";
    const w = Number.isNaN(r.workerd) ? "-" : r.workerd.toFixed(1);
    console.log(`${pad(r.kind, 46)} ${num(r.status, 6)} ${num(r.cpu.toFixed(0), 7)} ${num(r.max.toFixed(0), 6)} ${num(w, 8)} ${FIELDS.map((f) => num(r[f], 13)).join("")}  ${flag}`);
  }

  // Per upload (the request plus its job) and per page view (the page plus the images it shows).
  console.log("\nper upload (one photo: the POST /upload request + its media job):");
  for (const c of consumer) {
    const sum = Object.fromEntries(FIELDS.map((f) => [f, c.upload[f] + c.job[f]]));
    console.log(
      `  ${c.name} (${(c.bytes / 1e6).toFixed(1)} MB): worker invocations 2 (request + queue batch), ` +
        `upload request CPU ${c.upload.cpu} ms, job CPU ${c.job.cpu} ms; ${FIELDS.map((f) => `${f}=${sum[f]}`).join(" ")}`,
    );
  }
  const page = await (await fetch(`${srv.base}/`, { headers: { cookie } })).text();
  const images = new Set([...page.matchAll(/src="(\/media\/[^"]+)"/g)].map((m) => m[1])).size;
  const feed = rows.find((r) => r.kind === "feed (anonymous)");
  const media = rows.find((r) => r.kind === "media variant");
  console.log(
    `per page view (anonymous feed with ${images} photos shown; each image is a Worker request reading R2 unless cached): ` +
      `worker requests ${1 + images}, ${FIELDS.map((f) => `${f}=${feed[f] + images * media[f]}`).join(" ")}`,
  );
} finally {
  await srv.stop();
}
