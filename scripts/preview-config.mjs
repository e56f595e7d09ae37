// A pull request's preview Worker config, derived from wrangler.toml: its own Worker name,
// D1 database, R2 bucket and queues (all named after the PR number), LUMEN_STAGE=preview,
// no cron, no routes. Written as JSON (wrangler reads wrangler.json) under target/preview/.
//
// Usage: node scripts/preview-config.mjs <pr> [--database-id <uuid>] [--out <dir>]
//   prints the path of the written config (pass it to wrangler with --config).
//
// Anything in wrangler.toml this script does not know how to isolate is an error, so a
// binding added later cannot silently reach production data from a preview.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Stands in for the database id until the workflow has created the database. */
export const PLACEHOLDER_DB_ID = "00000000-0000-0000-0000-00000000beef";

/** Copied as they are: they name no resource. */
const COPIED = new Set([
  "main",
  "compatibility_date",
  "compatibility_flags",
  "assets",
  "vars",
  "observability",
  "limits",
  "placement",
  "minify",
  "upload_source_maps",
  "no_bundle",
  "rules",
  "build",
]);
/** Given per-PR names below. */
const ISOLATED = new Set(["d1_databases", "r2_buckets", "queues"]);
/**
 * Left out on purpose: the name is per PR; routes would put a preview on production's
 * domain; the cron re-sends jobs for photos stuck in `pending` and would fail the seeded
 * "processing" photo (a row with no original behind it) after ten minutes; `env` and
 * `dev` are wrangler.toml's own business.
 */
const DROPPED = new Set(["name", "routes", "route", "triggers", "env", "dev", "workers_dev", "preview_urls"]);

export function readProduction(path = join(ROOT, "wrangler.toml")) {
  return parse(readFileSync(path, "utf8"));
}

/** The per-PR resource names. Teardown deletes exactly these, so keep them unmistakable. */
export function previewNames(pr) {
  if (!/^[1-9][0-9]{0,9}$/.test(String(pr))) throw new Error(`not a pull request number: ${pr}`);
  const base = `lumen-pr-${pr}`;
  return { worker: base, database: base, bucket: base, queue: `${base}-jobs`, dlq: `${base}-dlq` };
}

/** True for a name that only a preview may use (what teardown is allowed to delete). */
export function isPreviewName(name, pr) {
  return Object.values(previewNames(pr)).includes(name);
}

/**
 * The preview config as an object. `outDir` is where it will be written: wrangler resolves
 * `main`, `assets.directory` and `migrations_dir` relative to the config file.
 */
export function previewConfig(prod, pr, { databaseId = PLACEHOLDER_DB_ID, outDir = ROOT } = {}) {
  const unknown = Object.keys(prod).filter((k) => !COPIED.has(k) && !ISOLATED.has(k) && !DROPPED.has(k));
  if (unknown.length) {
    throw new Error(
      `wrangler.toml has ${unknown.join(", ")}: teach scripts/preview-config.mjs whether to copy, ` +
        "isolate or drop it for previews",
    );
  }
  const n = previewNames(pr);
  const rel = (p) => relative(outDir, resolve(ROOT, p)) || ".";
  const cfg = { name: n.worker, workers_dev: true };
  for (const k of COPIED) if (k in prod) cfg[k] = structuredClone(prod[k]);
  if (cfg.main) cfg.main = rel(cfg.main);
  if (cfg.assets?.directory) cfg.assets.directory = rel(cfg.assets.directory);
  cfg.vars = { ...(prod.vars ?? {}), LUMEN_STAGE: "preview" };

  const one = (list, what) => {
    if ((list ?? []).length > 1) throw new Error(`more than one ${what}: give each its own preview name here`);
    return list ?? [];
  };
  cfg.d1_databases = one(prod.d1_databases, "D1 database").map((d) => ({
    binding: d.binding,
    database_name: n.database,
    database_id: databaseId,
    ...(d.migrations_dir ? { migrations_dir: rel(d.migrations_dir) } : {}),
  }));
  cfg.r2_buckets = one(prod.r2_buckets, "R2 bucket").map((b) => ({ binding: b.binding, bucket_name: n.bucket }));

  // Every production queue name maps to one preview name: DLQs to -dlq, the rest to -jobs.
  const q = prod.queues ?? {};
  const dlqs = new Set((q.consumers ?? []).map((c) => c.dead_letter_queue).filter(Boolean));
  const queueNames = new Set([...(q.producers ?? []), ...(q.consumers ?? [])].map((x) => x.queue));
  if ([...queueNames].filter((x) => !dlqs.has(x)).length > 1 || dlqs.size > 1) {
    throw new Error("more than one queue: give each its own preview name here");
  }
  const map = (name) => (dlqs.has(name) ? n.dlq : n.queue);
  if (q.producers || q.consumers) {
    cfg.queues = {};
    if (q.producers) cfg.queues.producers = q.producers.map((p) => ({ ...p, queue: map(p.queue) }));
    if (q.consumers) {
      cfg.queues.consumers = q.consumers.map((c) => ({
        ...c,
        queue: map(c.queue),
        ...(c.dead_letter_queue ? { dead_letter_queue: map(c.dead_letter_queue) } : {}),
      }));
    }
  }
  return cfg;
}

/** Writes the config for `pr`; returns its path. */
export function writePreviewConfig(pr, { databaseId, out } = {}) {
  const outDir = resolve(out ?? join(ROOT, "target", "preview", `pr-${pr}`));
  const cfg = previewConfig(readProduction(), pr, { databaseId, outDir });
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, "wrangler.json");
  writeFileSync(path, `${JSON.stringify(cfg, null, 2)}\n`);
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const databaseId = opt("--database-id");
  const out = opt("--out");
  if (args.length !== 1) {
    console.error("usage: node scripts/preview-config.mjs <pr> [--database-id <uuid>] [--out <dir>]");
    process.exit(2);
  }
  console.log(writePreviewConfig(args[0], { databaseId, out }));
}
