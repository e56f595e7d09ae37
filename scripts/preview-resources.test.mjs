// scripts/preview-resources.mjs against a fake `wrangler` and a fake Cloudflare API: up
// creates only what is missing and writes the config with the real database id; down
// empties the bucket page by page before deleting it, deletes everything else, and is
// harmless when run twice. Run: node --test scripts/preview-resources.test.mjs

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT } from "./preview-config.mjs";

const dir = mkdtempSync(join(tmpdir(), "lumen-preview-"));
const STATE = join(dir, "state.json");
const save = (s) => writeFileSync(STATE, JSON.stringify(s));
const load = () => JSON.parse(readFileSync(STATE, "utf8"));

// A wrangler that keeps its account in STATE and logs every call.
writeFileSync(
  join(dir, "wrangler"),
  `#!/usr/bin/env node
const fs = require("node:fs");
const s = JSON.parse(fs.readFileSync(${JSON.stringify(STATE)}, "utf8"));
const a = process.argv.slice(2).filter((x, i, all) => x !== "--config" && all[i - 1] !== "--config");
s.calls.push(a.join(" "));
const has = (kind, n) => s[kind].includes(n);
const del = (kind, n) => { if (!has(kind, n)) { console.error(n + " not found"); fail(); } s[kind] = s[kind].filter((x) => x !== n); };
let code = 0;
function fail() { code = 1; }
const [c1, c2, c3, c4] = a;
if (c1 === "d1" && c2 === "info") has("d1", c3) ? console.log(JSON.stringify({ uuid: "11111111-2222-3333-4444-555555555555", name: c3 })) : (console.error("Couldn't find DB"), fail());
else if (c1 === "d1" && c2 === "create") s.d1.push(c3);
else if (c1 === "d1" && c2 === "delete") del("d1", c3);
else if (c1 === "r2" && c3 === "info") has("r2", c4) || fail();
else if (c1 === "r2" && c3 === "create") s.r2.push(c4);
else if (c1 === "r2" && c3 === "delete") s.objects.length ? (console.error("bucket not empty"), fail()) : del("r2", c4);
else if (c1 === "queues" && c2 === "info") has("queues", c3) || fail();
else if (c1 === "queues" && c2 === "create") s.queues.push(c3);
else if (c1 === "queues" && c2 === "delete") del("queues", c3);
else if (c1 === "delete") del("workers", a[a.indexOf("--name") + 1]);
else { console.error("unexpected: " + a.join(" ")); fail(); }
fs.writeFileSync(${JSON.stringify(STATE)}, JSON.stringify(s));
process.exit(code);
`,
);
chmodSync(join(dir, "wrangler"), 0o755);

// The R2 object endpoints, two keys a page.
const api = createServer((req, res) => {
  const s = load();
  const url = new URL(req.url, "http://x");
  assert.equal(req.headers.authorization, "Bearer t0ken");
  const m = url.pathname.match(/^\/accounts\/acct\/r2\/buckets\/([^/]+)\/objects(?:\/(.+))?$/);
  if (!m) return res.writeHead(404).end();
  if (req.method === "GET") {
    res.end(JSON.stringify({ success: true, result: s.objects.slice(0, 2).map((key) => ({ key })) }));
  } else if (req.method === "DELETE") {
    s.objects = s.objects.filter((k) => k !== decodeURIComponent(m[2]));
    save(s);
    res.end(JSON.stringify({ success: true }));
  }
});

function run(...args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "preview-resources.mjs"), ...args], {
      env: {
        ...process.env,
        PATH: `${dir}:${process.env.PATH}`,
        CLOUDFLARE_API_TOKEN: "t0ken",
        CLOUDFLARE_ACCOUNT_ID: "acct",
        CLOUDFLARE_API_BASE_URL: `http://127.0.0.1:${api.address().port}`,
      },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

before(() => new Promise((r) => api.listen(0, "127.0.0.1", r)));
after(() => api.close());

test("up creates what is missing, down deletes all of it, twice is harmless", async () => {
  save({ calls: [], d1: [], r2: ["lumen-pr-9"], queues: [], workers: [], objects: [] });

  const up = await run("up", "9");
  assert.equal(up.code, 0, up.out);
  const s = load();
  assert.deepEqual([s.d1, s.r2, s.queues.sort()], [["lumen-pr-9"], ["lumen-pr-9"], ["lumen-pr-9-dlq", "lumen-pr-9-jobs"]]);
  assert.ok(!s.calls.includes("r2 bucket create lumen-pr-9"), "an existing bucket is kept");
  const config = JSON.parse(readFileSync(up.out.trim().split("\n").at(-1), "utf8"));
  assert.equal(config.d1_databases[0].database_id, "11111111-2222-3333-4444-555555555555");

  // The deploy would add the Worker and reviewers' uploads the objects.
  save({ ...load(), workers: ["lumen-pr-9"], objects: ["orig/a", "orig/b", "var/a/1.jpg", "var/b/2.jpg", "x"] });
  const down = await run("down", "9");
  assert.equal(down.code, 0, down.out);
  assert.match(down.out, /5 objects deleted/);
  const after = load();
  assert.deepEqual([after.workers, after.d1, after.r2, after.queues, after.objects], [[], [], [], [], []]);

  const again = await run("down", "9");
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /already gone/);
});

test("a non-number is refused before anything runs", async () => {
  const r = await run("down", "lumen");
  assert.equal(r.code, 1);
  assert.match(r.out, /not a pull request number/);
});
