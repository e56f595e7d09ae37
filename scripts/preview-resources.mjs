// Creates (up) or deletes (down) one pull request's preview resources on Cloudflare:
// Worker lumen-pr-<N>, D1 database and R2 bucket lumen-pr-<N>, queues lumen-pr-<N>-jobs
// and lumen-pr-<N>-dlq. Both directions are idempotent: what exists is kept (up) and what
// is gone is skipped (down). `up` ends by writing the preview config with the real
// database id and prints its path on the last line.
//
// Usage: node scripts/preview-resources.mjs up|down <pr> [--plan]
//   --plan prints what it would do and touches nothing (no credentials needed).
// Needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID in the environment otherwise.
//
// Every name passes isPreviewName() before a delete, so no argument can make this delete
// a production resource.

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isPreviewName, previewNames, ROOT, writePreviewConfig } from "./preview-config.mjs";

// The same override wrangler honours, so tests can point both at a fake.
const API = process.env.CLOUDFLARE_API_BASE_URL ?? "https://api.cloudflare.com/client/v4";

export function plan(action, pr) {
  const n = previewNames(pr);
  if (action === "up") {
    return [
      { what: "d1", name: n.database, op: "ensure" },
      { what: "r2", name: n.bucket, op: "ensure" },
      { what: "queue", name: n.queue, op: "ensure" },
      { what: "queue", name: n.dlq, op: "ensure" },
    ];
  }
  if (action === "down") {
    // The Worker first: it is the queues' consumer and the only writer.
    return [
      { what: "worker", name: n.worker, op: "delete" },
      { what: "queue", name: n.queue, op: "delete" },
      { what: "queue", name: n.dlq, op: "delete" },
      { what: "d1", name: n.database, op: "delete" },
      { what: "r2", name: n.bucket, op: "delete" },
    ];
  }
  throw new Error(`unknown action ${action}: up or down`);
}

function wrangler(args, config, { json = false } = {}) {
  const res = spawnSync("wrangler", [...args, "--config", config, ...(json ? ["--json"] : [])], {
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    timeout: 120_000,
  });
  return { ok: res.status === 0, out: `${res.stdout ?? ""}${res.stderr ?? ""}`, stdout: res.stdout ?? "" };
}

function must(r, what) {
  if (!r.ok) throw new Error(`${what} failed:\n${r.out}`);
  return r;
}

async function api(path, init = {}) {
  const token = process.env.CLOUDFLARE_API_TOKEN;
  const account = process.env.CLOUDFLARE_ACCOUNT_ID;
  if (!token || !account) throw new Error("CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID must be set");
  const res = await fetch(`${API}/accounts/${account}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    signal: AbortSignal.timeout(60_000),
  });
  return res;
}

/** Deletes every object (wrangler has no list command); lists again until nothing is left. */
async function emptyBucket(bucket) {
  let deleted = 0;
  for (let round = 0; round < 1000; round++) {
    const res = await api(`/r2/buckets/${bucket}/objects?per_page=1000`);
    if (res.status === 404) return deleted;
    const body = await res.json().catch(() => ({}));
    if (!res.ok || !body.success) throw new Error(`listing ${bucket}: HTTP ${res.status} ${JSON.stringify(body.errors ?? body)}`);
    const keys = (body.result ?? []).map((o) => o.key);
    if (keys.length === 0) return deleted;
    for (let i = 0; i < keys.length; i += 16) {
      await Promise.all(
        keys.slice(i, i + 16).map(async (key) => {
          const r = await api(`/r2/buckets/${bucket}/objects/${encodeURIComponent(key)}`, { method: "DELETE" });
          if (!r.ok && r.status !== 404) throw new Error(`deleting ${bucket}/${key}: HTTP ${r.status}`);
        }),
      );
    }
    deleted += keys.length;
  }
  throw new Error(`${bucket} still not empty after 1000 rounds`);
}

async function up(pr, config) {
  const steps = plan("up", pr);
  for (const s of steps) {
    const exists = {
      d1: () => wrangler(["d1", "info", s.name], config, { json: true }).ok,
      r2: () => wrangler(["r2", "bucket", "info", s.name], config).ok,
      queue: () => wrangler(["queues", "info", s.name], config).ok,
    }[s.what];
    if (exists()) {
      console.error(`preview: ${s.what} ${s.name} exists`);
      continue;
    }
    const create = { d1: ["d1", "create"], r2: ["r2", "bucket", "create"], queue: ["queues", "create"] }[s.what];
    must(wrangler([...create, s.name], config), `creating ${s.what} ${s.name}`);
    console.error(`preview: ${s.what} ${s.name} created`);
  }
  const info = must(wrangler(["d1", "info", previewNames(pr).database], config, { json: true }), "d1 info");
  const uuid = JSON.parse(info.stdout.slice(info.stdout.indexOf("{"))).uuid;
  if (!/^[0-9a-f-]{36}$/.test(uuid ?? "")) throw new Error(`no database id in: ${info.stdout}`);
  return writePreviewConfig(pr, { databaseId: uuid });
}

async function down(pr, config) {
  for (const s of plan("down", pr)) {
    if (!isPreviewName(s.name, pr)) throw new Error(`refusing to delete ${s.name}: not a preview name`);
    let r;
    if (s.what === "worker") r = wrangler(["delete", "--name", s.name, "--force"], config);
    if (s.what === "queue") r = wrangler(["queues", "delete", s.name], config);
    if (s.what === "d1") r = wrangler(["d1", "delete", s.name, "--skip-confirmation"], config);
    if (s.what === "r2") {
      if (!wrangler(["r2", "bucket", "info", s.name], config).ok) {
        console.error(`preview: r2 ${s.name} already gone`);
        continue;
      }
      console.error(`preview: r2 ${s.name}: ${await emptyBucket(s.name)} objects deleted`);
      r = wrangler(["r2", "bucket", "delete", s.name], config);
    }
    // A resource that is already gone is the outcome we want; anything else is reported.
    const gone = /not found|does not exist|no such|10007|7404|could not find|couldn't find/i.test(r.out);
    if (!r.ok && !gone) throw new Error(`deleting ${s.what} ${s.name} failed:\n${r.out}`);
    console.error(`preview: ${s.what} ${s.name} ${r.ok ? "deleted" : "already gone"}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dry = args.includes("--plan");
  const [action, pr] = args.filter((a) => a !== "--plan");
  try {
    const steps = plan(action, pr);
    if (dry) {
      for (const s of steps) console.log(`${s.op} ${s.what} ${s.name}`);
      process.exit(0);
    }
    // Every wrangler call here reads a config with nothing but the preview's name: never the
    // production wrangler.toml, and no binding whose placeholder id would shadow a lookup
    // by name (`d1 info`/`d1 delete` prefer a configured id to the name they are given).
    const dir = join(ROOT, "target", "preview", `pr-${pr}`);
    mkdirSync(dir, { recursive: true });
    const config = join(dir, "manage.json");
    writeFileSync(config, `${JSON.stringify({ name: previewNames(pr).worker }, null, 2)}\n`);
    if (action === "up") console.log(await up(pr, config));
    else await down(pr, config);
  } catch (e) {
    console.error(`preview: ${e.message}`);
    process.exit(1);
  }
}
