// `make check-preview`: fails if any preview configuration could touch production. Checks
// the config scripts/preview-config.mjs generates (for a sample PR number) and any
// [env.preview] in wrangler.toml: no production Worker name, D1 database (name or id),
// R2 bucket or queue; no routes (production's domain); LUMEN_STAGE = "preview"; every
// production binding present under a preview name. It also checks that teardown only ever
// names per-PR resources, and that this check itself catches each kind of leak.
// Usage: node scripts/check-preview-isolation.mjs [wrangler.toml]

import { isPreviewName, previewConfig, readProduction } from "./preview-config.mjs";
import { plan } from "./preview-resources.mjs";

const SAMPLE_PR = 4242;

/** Everything in a config that names a resource, by kind. */
function resources(cfg) {
  const q = cfg.queues ?? {};
  return {
    worker: [cfg.name].filter(Boolean),
    d1: (cfg.d1_databases ?? []).flatMap((d) => [d.database_name, d.database_id, d.preview_database_id]).filter(Boolean),
    r2: (cfg.r2_buckets ?? []).flatMap((b) => [b.bucket_name, b.preview_bucket_name]).filter(Boolean),
    queue: [
      ...(q.producers ?? []).map((p) => p.queue),
      ...(q.consumers ?? []).flatMap((c) => [c.queue, c.dead_letter_queue]),
    ].filter(Boolean),
  };
}

const bindings = (cfg) =>
  [
    ...(cfg.d1_databases ?? []).map((d) => `d1:${d.binding}`),
    ...(cfg.r2_buckets ?? []).map((b) => `r2:${b.binding}`),
    ...(cfg.queues?.producers ?? []).map((p) => `queue:${p.binding}`),
  ].sort();

/** Problems with one preview config, as sentences; empty when it is isolated. */
export function problems(prod, cfg) {
  const out = [];
  const prodRes = resources(prod);
  const res = resources(cfg);
  for (const kind of Object.keys(prodRes)) {
    for (const name of res[kind]) {
      if (prodRes[kind].includes(name)) out.push(`${kind} "${name}" is production's`);
    }
  }
  if (cfg.routes?.length || cfg.route) out.push("has routes: a preview must live on workers.dev only");
  if (cfg.vars?.LUMEN_STAGE !== "preview") out.push(`LUMEN_STAGE is ${JSON.stringify(cfg.vars?.LUMEN_STAGE)}, not "preview"`);
  const missing = bindings(prod).filter((b) => !bindings(cfg).includes(b));
  if (missing.length) out.push(`bindings missing: ${missing.join(", ")}`);
  return out;
}

/**
 * [env.preview] as wrangler resolves it: bindings and vars are not inherited from the top
 * level (an env without them has none); name becomes "<name>-preview" unless set; routes
 * are inherited.
 */
function envPreview(prod) {
  const env = prod.env?.preview;
  if (!env) return null;
  return {
    name: env.name ?? `${prod.name}-preview`,
    vars: env.vars,
    d1_databases: env.d1_databases,
    r2_buckets: env.r2_buckets,
    queues: env.queues,
    routes: env.routes ?? prod.routes,
    route: env.route ?? prod.route,
  };
}

function main() {
  // Another wrangler.toml may be named (to try the check on one); wrangler.toml by default.
  const prod = process.argv[2] ? readProduction(process.argv[2]) : readProduction();
  const failures = [];
  const candidates = [[`generated preview config (PR ${SAMPLE_PR})`, previewConfig(prod, SAMPLE_PR)]];
  const env = envPreview(prod);
  if (env) candidates.push(["wrangler.toml [env.preview]", env]);
  for (const [what, cfg] of candidates) {
    for (const p of problems(prod, cfg)) failures.push(`${what}: ${p}`);
  }

  for (const action of ["up", "down"]) {
    for (const step of plan(action, SAMPLE_PR)) {
      if (!isPreviewName(step.name, SAMPLE_PR) || Object.values(resources(prod)).flat().includes(step.name)) {
        failures.push(`preview-resources ${action} would ${step.op} ${step.what} "${step.name}"`);
      }
    }
  }

  // The check must catch each kind of leak: plant one at a time in a good config.
  const good = previewConfig(prod, SAMPLE_PR);
  const leaks = {
    "production database": (c) => (c.d1_databases[0].database_name = prod.d1_databases[0].database_name),
    "production database id": (c) => (c.d1_databases[0].database_id = prod.d1_databases[0].database_id),
    "production bucket": (c) => (c.r2_buckets[0].bucket_name = prod.r2_buckets[0].bucket_name),
    "production queue": (c) => (c.queues.producers[0].queue = prod.queues.producers[0].queue),
    "production dead-letter queue": (c) => (c.queues.consumers[0].dead_letter_queue = prod.queues.consumers[0].dead_letter_queue),
    "production worker name": (c) => (c.name = prod.name),
    "a route": (c) => (c.routes = [{ pattern: "lumen.example/*", zone_name: "lumen.example" }]),
    "stage production": (c) => (c.vars.LUMEN_STAGE = "production"),
    "a missing binding": (c) => (c.r2_buckets = []),
  };
  for (const [leak, plant] of Object.entries(leaks)) {
    const bad = structuredClone(good);
    plant(bad);
    if (problems(prod, bad).length === 0) failures.push(`self-test: a config with ${leak} was not caught`);
  }

  if (failures.length) {
    for (const f of failures) console.error(`check-preview: ${f}`);
    process.exit(1);
  }
  console.log(
    `check-preview: ok (${candidates.map((c) => c[0]).join("; ")}; teardown names; ${Object.keys(leaks).length} planted leaks caught)`,
  );
}

try {
  main();
} catch (e) {
  console.error(`check-preview: ${e.message}`);
  process.exit(1);
}
