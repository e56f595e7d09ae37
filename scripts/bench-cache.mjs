// `make bench`, issue 13: the edge cache and the render's own cost, in one run under
// `wrangler dev` with LUMEN_METER=1 (server/src/meter.rs logs each invocation's CPU and its
// D1/R2 counts; a cache hit logs `HIT`). For an anonymous feed view (the page and each image
// it shows): Worker invocations, D1 queries, R2 reads and CPU, cold and warm; the same for a
// signed-in view; requests per second at 10 connections, cached against uncached; and the
// render's cost: the uncached page minus `/_dev/floor` (the same D1 queries, no render).
// Local note: the Cache API runs inside the Worker, so a hit is still an invocation here (and
// in production with the Cache API): it reads no D1 and no R2 and renders nothing.
import { startLumen, sleep } from "../e2e/harness.mjs";
import { demoPhoto, fileOf, signUp, upload, waitProcessed, api } from "../e2e/helpers.mjs";
import { workerdCpu } from "./bench-sharp.mjs";

const RUNS = Number(process.env.RUNS ?? 41);
const SECONDS = Number(process.env.RPS_SECONDS ?? 5);
const PHOTOS = Number(process.env.PHOTOS ?? 8);
const FIELDS = ["d1", "r2_a", "r2_b"];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function parse(line) {
  const m = { cpu: Number(line.match(/cpu=([\d.]+)ms/)[1]), hit: / HIT /.test(line) };
  for (const f of FIELDS) m[f] = Number(line.match(new RegExp(`\\b${f}=(\\d+)`))[1]);
  return m;
}

const srv = await startLumen("bench-cache", { vars: { LUMEN_METER: 1 } });
try {
  const me = await signUp(srv.base, { username: "benchcache", password: "bench password 1" });
  const files = Array.from({ length: PHOTOS }, () => fileOf(demoPhoto("coins.png"), "image/png"));
  const res = await upload(srv.base, files, { cookie: me.cookie });
  if (res.status !== 201) throw new Error(`upload: HTTP ${res.status}`);
  for (const p of (await res.json()).photos) {
    await waitProcessed(srv.base, p.id, 120_000, { cookie: me.cookie });
    await api(srv.base, "update_photo", { id: p.id, title: "bench", caption: "", alt: "coins", visibility: "public" }, { cookie: me.cookie });
  }
  await sleep(500);

  /** GETs `path`; returns the body and the metered line the Worker logged for it. */
  async function metered(path, cookie) {
    const since = srv.logs().length;
    const r = await fetch(`${srv.base}${path}`, { headers: cookie ? { cookie } : {} });
    const body = await r.text();
    const re = new RegExp(`GET ${esc(path.split("?")[0])} (\\d+ \\d+ms|HIT \\d+ms) cpu=.*`);
    const [line] = await srv.waitForLog(re, { since });
    return { body, ...parse(line) };
  }
  /** One view: the page, then every image it shows (as a browser would, once each). */
  async function view(path, cookie) {
    const page = await metered(path, cookie);
    const images = [...new Set([...page.body.matchAll(/src="(\/media\/[^"]+)"/g)].map((m) => m[1]))];
    const all = [page];
    for (const src of images) all.push(await metered(src, cookie));
    const sum = (f) => all.reduce((a, m) => a + m[f], 0);
    return { invocations: all.length, hits: all.filter((m) => m.hit).length, d1: sum("d1"), r2: sum("r2_a") + sum("r2_b"), cpu: sum("cpu"), page: page.cpu };
  }
  const row = (name, v) =>
    console.log(
      `${name.padEnd(32)} invocations ${String(v.invocations).padStart(3)} (cache hits ${String(v.hits).padStart(3)})  D1 ${String(v.d1).padStart(3)}  R2 reads ${String(v.r2).padStart(3)}  CPU ${v.cpu.toFixed(2).padStart(6)} ms (page ${v.page.toFixed(2)} ms)`,
    );

  console.log(`anonymous and signed-in feed views, ${PHOTOS} photos (page + each image once; CPU: isolate time, 1 ms steps locally)`);
  row("anonymous, cold cache", await view("/"));
  await sleep(300); // stored after the answer (ctx.waitUntil)
  row("anonymous, warm cache", await view("/"));
  row("signed in (bypasses for pages)", await view("/", me.cookie));

  // Render cost: the same anonymous page always rendered (a new query string is a new URL,
  // so always a miss) against the floor route with the same D1 queries, interleaved. The
  // isolate's clock has 1 ms steps locally, so its mean over many runs; the workerd process
  // CPU (ns counters; includes local D1 and the proxy, the same for both) as a median.
  const clock = workerdCpu(new URL(srv.base).port) ?? (() => NaN);
  const page = { cpu: [], proc: [] };
  const floor = { cpu: [], proc: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [into, path] of [[page, `/?r=${i}-${Date.now()}`], [floor, "/_dev/floor"]]) {
      await sleep(30); // let the previous request's waitUntil finish outside the window
      const c0 = clock();
      into.cpu.push((await metered(path)).cpu);
      into.proc.push(clock() - c0);
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [pm, fm] = [mean(page.cpu), mean(floor.cpu)];
  const [pp, fp] = [median(page.proc), median(floor.proc)];
  console.log(`render cost, isolate CPU (mean of ${RUNS}): feed page ${pm.toFixed(2)} ms − floor ${fm.toFixed(2)} ms = ${(pm - fm).toFixed(2)} ms (goal: ≤ 0.8 ms, hono/jsx's)`);
  console.log(`render cost, workerd process CPU (median of ${RUNS}): feed page ${pp.toFixed(2)} ms − floor ${fp.toFixed(2)} ms = ${(pp - fp).toFixed(2)} ms`);

  // Requests per second at 10 connections: cached against the same page uncached.
  async function rps(pathOf) {
    const until = Date.now() + SECONDS * 1000;
    let n = 0;
    await Promise.all(
      Array.from({ length: 10 }, async (_, c) => {
        while (Date.now() < until) {
          const r = await fetch(`${srv.base}${pathOf(c, n)}`);
          await r.arrayBuffer();
          n++;
        }
      }),
    );
    return n / SECONDS;
  }
  const cached = await rps(() => "/");
  const uncached = await rps((c, n) => `/?r=${c}-${n}-${Date.now()}`);
  console.log(`feed at 10 connections: cached ${cached.toFixed(0)} req/s, uncached ${uncached.toFixed(0)} req/s (${(cached / uncached).toFixed(1)}x)`);
} finally {
  await srv.stop();
}
