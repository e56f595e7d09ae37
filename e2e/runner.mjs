// Runs test files two at a time (E2E_JOBS, default 2: each file has its own wrangler dev and
// state, and much of a file's time is spent waiting on jobs and the browser), with TAP output
// that ends in the runner's summary (# tests, # pass, # fail, ...).
// Exit status 1 when anything failed (a failing `todo` test does not count).
// Usage: node e2e/runner.mjs file...

import { run } from "node:test";
import { tap } from "node:test/reporters";
import { resolve } from "node:path";

const files = process.argv.slice(2).map((f) => resolve(f));
if (files.length === 0) {
  console.error("usage: node e2e/runner.mjs file...");
  process.exit(2);
}

let success = false;
const stream = run({
  files,
  concurrency: Math.max(1, Number(process.env.E2E_JOBS ?? 2) || 1),
  timeout: 300_000, // per test; every wait inside is bounded far below this
  // node:sqlite (used to read the local R2 index) is still flagged experimental on node 22.
  execArgv: ["--disable-warning=ExperimentalWarning"],
});
stream.on("test:summary", (s) => {
  if (s.file === undefined) success = s.success;
});
stream.compose(tap).pipe(process.stdout);
stream.on("end", () => {
  process.exitCode = success ? 0 : 1;
});
