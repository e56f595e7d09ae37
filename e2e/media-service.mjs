// Runs the native media service (`media-service`, the `service` processing backend) for tests
// and benchmarks: built once with cargo (a no-op when `make test-native` built it), started on
// a free port, stopped by process group like wrangler in harness.mjs.
//
//   const svc = await startMediaService({ secret });        // svc.url, svc.port
//   await svc.waitForLog(/job started/); await svc.kill();  // stop it mid-job
//   const again = await startMediaService({ secret, port: svc.port });

import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT, sleep, waitFor } from "./harness.mjs";

/** The binary of `profile` ("dev" or "service"), built if missing or stale. */
export function buildMediaService(profile = process.env.LUMEN_SERVICE_PROFILE ?? "dev") {
  const args = ["build", "-q", "-p", "media-service", "--bin", "media-service"];
  if (profile !== "dev") args.push("--profile", profile);
  execFileSync("cargo", args, { cwd: ROOT, stdio: "inherit" });
  return join(ROOT, "target", profile === "dev" ? "debug" : profile, "media-service");
}

export function freePort() {
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
process.on("exit", () => {
  for (const c of live) {
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
});

/** A 32+ character secret for one test run. */
export const testSecret = (label = "e2e") => `${label}-${process.pid}-${Date.now()}-`.padEnd(40, "s");

export async function startMediaService({ secret, port, jobs, bin = buildMediaService(), env = {} } = {}) {
  port ??= await freePort();
  const child = spawn(bin, [], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      LUMEN_SERVICE_SECRET: secret,
      LUMEN_SERVICE_ADDR: `127.0.0.1:${port}`,
      ...(jobs ? { LUMEN_SERVICE_JOBS: String(jobs) } : {}),
      ...env,
    },
  });
  live.add(child);
  let out = "";
  let exited = null;
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exitedP = new Promise((r) =>
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      r();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (exited) throw new Error(`media-service exited (${JSON.stringify(exited)}):\n${out}`);
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return res.status === 200 && (await res.text()) === "ok";
    },
    { timeout: 20_000, interval: 100, what: `media-service on ${url}` },
  );

  async function kill(signal = "SIGKILL") {
    if (exited) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // gone
    }
    await Promise.race([exitedP, sleep(5_000)]);
  }
  const logs = () => out;
  const waitForLog = (re, { since = 0, timeout = 60_000 } = {}) =>
    waitFor(() => out.slice(since).match(re), { timeout, interval: 20, what: `media-service log ${re}` });
  return { url, port, kill, stop: () => kill("SIGTERM"), logs, waitForLog };
}
