// Seeds the demo data of demo/seed.json, the same on every run: the demo users sign up
// (or in) through the account server functions, their photos go through the route a
// person's upload takes (POST /upload) and the real media job, and visibility, caption
// and alt text are set through the owner's edit function; then, with D1
// access, the seed adds the photo that stays "processing" (a row with no original and no
// queue message) and pins every seeded photo's dates, so pages and screenshots are stable.
// Share links are made through the owner's create function, then dated with D1 access
// (the expired one ends before the newest photo, the others long after it).
// Used by `make dev`, `make preview`, the preview workflow and the visual tests.
//
// Usage: node scripts/seed.mjs <base url> [--if-empty] [--reset] [D1 access]
//   D1 access: --persist-to <dir> (local state) or --remote, and optionally --config <file>.
//   --if-empty  do nothing when the demo users already exist (make dev)
//   --reset     delete every photo row first (a preview redeploy starts from the same data)

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
export const MANIFEST = JSON.parse(readFileSync(join(ROOT, "demo", "seed.json"), "utf8"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** The manifest's photos that can exist today (a photo can wait for a feature with `requires`). */
export const seedablePhotos = () => MANIFEST.photos.filter((p) => !p.requires);

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** The session cookie a sign-up or sign-in answer set. */
function sessionOf(res) {
  const c = res.headers.getSetCookie().find((c) => /^(__Host-)?lumen_session=/.test(c));
  if (!c) throw new Error(`no session cookie (HTTP ${res.status})`);
  return c.split(";")[0];
}

/** Signs the demo user up, or in when they already exist (a --reset reseed); returns the cookie. */
export async function signIn(base, user) {
  const up = await post(
    base,
    "/api/sign_up",
    new URLSearchParams({ username: user.handle, email: user.email, password: MANIFEST.password, display_name: user.name }),
    FORM,
  );
  if (up.status === 200) return sessionOf(up);
  const body = await up.text();
  if (up.status !== 422) throw new Error(`sign up ${user.handle}: HTTP ${up.status} ${body}`);
  const res = await post(base, "/api/sign_in", new URLSearchParams({ login: user.handle, password: MANIFEST.password }), FORM);
  if (res.status !== 200) throw new Error(`sign in ${user.handle}: HTTP ${res.status} ${await res.text()}`);
  return sessionOf(res);
}

/** Runs SQL on the preview's D1 through wrangler; returns the last statement's rows. */
function d1(access, sql) {
  const args = ["d1", "execute", "DB", ...access, "--json", "--command", sql];
  const res = spawnSync(WRANGLER, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    timeout: 120_000,
  });
  if (res.status !== 0) throw new Error(`wrangler d1 execute failed:\n${res.stdout}\n${res.stderr}`);
  const out = res.stdout;
  return JSON.parse(out.slice(out.indexOf("["))).at(-1)?.results ?? [];
}

async function post(base, path, body, headers = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(`${base}${path}`, { method: "POST", body, headers, signal: AbortSignal.timeout(60_000) });
    } catch (e) {
      // A freshly deployed preview can take a moment to answer everywhere.
      if (attempt >= 5) throw e;
      await sleep(2_000 * attempt);
    }
  }
}

async function photoStatus(base, id, cookie) {
  const res = await post(base, "/api/get_photo", new URLSearchParams({ id }), { ...FORM, cookie });
  if (res.status !== 200) throw new Error(`get_photo ${id}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()).status;
}

function bytesOf(photo) {
  const bytes = readFileSync(join(ROOT, "demo", "photos", photo.file));
  // A JPEG cut short: valid headers, half the scan data; the media job fails it.
  return photo.truncate ? bytes.subarray(0, Math.floor(bytes.length * photo.truncate)) : bytes;
}

async function upload(base, photo, cookie) {
  const ext = photo.file.split(".").at(-1);
  const type = ext === "png" ? "image/png" : "image/jpeg";
  const form = new FormData();
  // The title is the file name without its extension (app::ssr::service::upload).
  form.append("photos", new Blob([bytesOf(photo)], { type }), `${photo.title}.${ext}`);
  const res = await post(base, "/upload", form, { accept: "application/json", cookie });
  if (res.status !== 201) throw new Error(`upload ${photo.title}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()).photos[0].id;
}

/** Epoch ms of the i-th manifest photo: the first is the newest. */
const timeOf = (i) => Date.parse(MANIFEST.newest) - i * MANIFEST.spacing_minutes * 60_000;

export async function seed(base, { access = null, ifEmpty = false, reset = false, log = console.log } = {}) {
  if (ifEmpty) {
    // Seeded once the first demo user exists (a state from before accounts has photos but
    // no users: it gets them).
    const first = MANIFEST.users[0].handle;
    const profile = await post(base, "/api/get_profile", new URLSearchParams({ username: first }), FORM);
    if (profile.status === 200) {
      log(`seed: demo data already there (/u/${first}), nothing to do`);
      return;
    }
  }
  if (reset) {
    if (!access) throw new Error("--reset needs D1 access (--persist-to or --remote)");
    d1(access, "DELETE FROM albums; DELETE FROM photo_variants; DELETE FROM photos;");
    log("seed: existing photos deleted");
  }

  const cookies = new Map();
  for (const u of MANIFEST.users) {
    cookies.set(u.handle, await signIn(base, u));
    log(`seed: user ${u.handle} (password “${MANIFEST.password}”)`);
  }
  const ids = new Map();
  for (const p of seedablePhotos().filter((p) => p.file)) {
    ids.set(p.title, await upload(base, p, cookies.get(p.owner)));
  }
  // Uploads are queued; wait for each job so the seed ends in its final state.
  for (const p of seedablePhotos().filter((p) => p.file)) {
    const id = ids.get(p.title);
    const want = p.state ?? "ready";
    let status = "pending";
    for (const deadline = Date.now() + 180_000; status === "pending" && Date.now() < deadline; ) {
      await sleep(500);
      status = await photoStatus(base, id, cookies.get(p.owner));
    }
    if (status !== want) throw new Error(`${p.title}: ended ${status}, expected ${want}`);
    if (p.visibility !== "public" || p.caption || p.alt) {
      const edit = new URLSearchParams({ id, title: p.title, caption: p.caption ?? "", alt: p.alt ?? "", visibility: p.visibility });
      const res = await post(base, "/api/update_photo", edit, { ...FORM, cookie: cookies.get(p.owner) });
      if (res.status !== 200) throw new Error(`edit ${p.title}: HTTP ${res.status} ${await res.text()}`);
    }
    if (p.tags) {
      const tags = new URLSearchParams({ photo_id: id, tags: p.tags });
      const res = await post(base, "/api/add_tags", tags, { ...FORM, cookie: cookies.get(p.owner) });
      if (res.status !== 200) throw new Error(`tags ${p.title}: HTTP ${res.status} ${await res.text()}`);
    }
    log(`seed: ${p.title} -> /p/${id} (${status}, ${p.visibility}${p.tags ? `, tags ${p.tags}` : ""})`);
  }
  // Photos that end in their owner's trash (the trash page's deep link), as a person deletes one.
  for (const p of seedablePhotos().filter((p) => p.trashed)) {
    const res = await post(base, "/api/delete_photo", new URLSearchParams({ id: ids.get(p.title) }), { ...FORM, cookie: cookies.get(p.owner) });
    if (res.status !== 200) throw new Error(`trash ${p.title}: HTTP ${res.status} ${await res.text()}`);
    log(`seed: ${p.title} -> ${p.owner}'s trash`);
  }

  const albumIds = new Map();
  for (const a of MANIFEST.albums ?? []) {
    const cookie = cookies.get(a.owner);
    const made = await post(base, "/api/create_album", new URLSearchParams({ title: a.title, description: a.description, visibility: a.visibility }), { ...FORM, cookie });
    if (made.status !== 200) throw new Error(`album ${a.title}: HTTP ${made.status} ${await made.text()}`);
    const album = await made.json();
    albumIds.set(a.title, album);
    for (const title of a.photos) {
      const photo_id = ids.get(title);
      const res = await post(base, "/api/add_to_album", new URLSearchParams({ album_id: album, photo_id }), { ...FORM, cookie });
      if (res.status !== 200) throw new Error(`album ${a.title} + ${title}: HTTP ${res.status} ${await res.text()}`);
    }
    if (a.cover) {
      const res = await post(base, "/api/set_album_cover", new URLSearchParams({ album_id: album, photo_id: ids.get(a.cover) }), { ...FORM, cookie });
      if (res.status !== 200) throw new Error(`album ${a.title} cover: HTTP ${res.status}`);
    }
    log(`seed: album ${a.title} -> /a/${album} (${a.visibility}, ${a.photos.length} photos)`);
  }

  const links = [];
  for (const l of MANIFEST.links ?? []) {
    // A link to a photo (`photo`: its role) or to an album (`album`: its role).
    const photo = l.photo && MANIFEST.photos.find((p) => p.role === l.photo);
    const album = l.album && MANIFEST.albums.find((a) => a.role === l.album);
    const owner = photo ? photo.owner : album.owner;
    const target = photo ? { photo_id: ids.get(photo.title) } : { album_id: albumIds.get(album.title) };
    const form = { ...target, label: l.label, expires: l.expires ?? "30d" };
    if (l.password) form.password = l.password;
    if (l.allow_downloads) form.allow_downloads = "on";
    const res = await post(base, "/api/create_link", new URLSearchParams(form), { ...FORM, cookie: cookies.get(owner) });
    if (res.status !== 200) throw new Error(`link ${l.label}: HTTP ${res.status} ${await res.text()}`);
    links.push(l);
    log(`seed: share link “${l.label}” to ${photo ? photo.title : `album ${album.title}`}${l.password ? " (password)" : ""}`);
  }

  // Likes and comments, through the same functions a person's forms post to.
  for (const l of MANIFEST.likes ?? []) {
    const res = await post(base, "/api/like_photo", new URLSearchParams({ id: ids.get(l.photo) }), { ...FORM, cookie: cookies.get(l.user) });
    if (res.status !== 200) throw new Error(`like ${l.photo}: HTTP ${res.status} ${await res.text()}`);
  }
  for (const c of MANIFEST.comments ?? []) {
    const form = new URLSearchParams({ photo_id: ids.get(c.photo), body: c.body });
    const res = await post(base, "/api/add_comment", form, { ...FORM, cookie: cookies.get(c.user) });
    if (res.status !== 200) throw new Error(`comment on ${c.photo}: HTTP ${res.status} ${await res.text()}`);
  }
  log(`seed: ${(MANIFEST.likes ?? []).length} likes, ${(MANIFEST.comments ?? []).length} comments`);
  await prepareExport(base, cookies.get("ada"), log);

  if (!access) {
    log("seed: no D1 access given: the processing photo, fixed dates and the expired link are left out");
    return;
  }
  const sql = [];
  for (const p of seedablePhotos().filter((p) => !p.file)) {
    // No original and no queue message: it stays pending (previews have no cron to retry it).
    sql.push(
      `INSERT OR REPLACE INTO photos (id, owner_id, title, status, content_type, bytes, created_at, updated_at, visibility)
       VALUES (${sq(p.id)}, (SELECT id FROM users WHERE username = ${sq(p.owner)}), ${sq(p.title)}, 'pending', 'image/jpeg', 1, 0, 0, ${sq(p.visibility)})`,
    );
    ids.set(p.title, p.id);
    log(`seed: ${p.title} -> /p/${p.id} (pending)`);
  }
  seedablePhotos().forEach((p, i) => {
    const t = timeOf(i);
    sql.push(`UPDATE photos SET created_at = ${t}, updated_at = ${t} WHERE id = ${sq(ids.get(p.title))}`);
  });
  const newest = Date.parse(MANIFEST.newest);
  const day = 24 * 3600 * 1000;
  for (const l of links) {
    // Expired: over a day before the newest photo. Others: ten years after it, so every
    // page and screenshot shows the same dates.
    const [created, expires] = l.expired ? [newest - 8 * day, newest - day] : [newest, l.expires === "never" ? null : newest + 3650 * day];
    sql.push(`UPDATE share_links SET created_at = ${created}, updated_at = ${created}, expires_at = ${expires ?? "NULL"} WHERE label = ${sq(l.label)}`);
  }
  // Likes and comments at fixed times (a minute apart, after the newest photo).
  (MANIFEST.likes ?? []).forEach((l, i) => {
    sql.push(`UPDATE likes SET created_at = ${newest + (i + 1) * 60_000} WHERE photo_id = ${sq(ids.get(l.photo))} AND user_id = (SELECT id FROM users WHERE username = ${sq(l.user)})`);
  });
  (MANIFEST.comments ?? []).forEach((c, i) => {
    sql.push(`UPDATE comments SET created_at = ${newest + (i + 1) * 60_000} WHERE body = ${sq(c.body)}`);
  });
  // The admin console's jobs (issue 15): the failed photo's job as the consumer recorded it,
  // and a dead one (a private photo the queue gave up on; no original, so nothing to show).
  const failed = seedablePhotos().find((p) => p.role === "failed");
  if (failed) {
    sql.push(`UPDATE jobs SET queued_at = ${newest}, started_at = ${newest + 1000}, finished_at = ${newest + 2000} WHERE photo_id = ${sq(ids.get(failed.title))}`);
  }
  const dead = "Processing kept failing, so it stopped. An admin can run it again once the cause is fixed.";
  sql.push(
    `INSERT OR REPLACE INTO photos (id, owner_id, title, status, failure, content_type, bytes, created_at, updated_at, visibility)
     VALUES ('seeddeadjob', (SELECT id FROM users WHERE username = 'ben'), 'Never processed', 'failed', ${sq(dead)}, 'image/jpeg', 1, ${newest}, ${newest}, 'private')`,
    `INSERT OR REPLACE INTO jobs (photo_id, state, attempts, last_error, queued_at, started_at, finished_at)
     VALUES ('seeddeadjob', 'dead', 6, 'media service: unreachable', ${newest}, ${newest + 60_000}, ${newest + 63_000})`,
  );
  // Trashed three days ago, whenever the seed runs: "27 days left", and never yet purged.
  for (const p of seedablePhotos().filter((p) => p.trashed)) {
    sql.push(`UPDATE photos SET trashed_at = ${Date.now() - 3 * day} WHERE id = ${sq(ids.get(p.title))}`);
  }
  d1(access, sql.join(";\n"));
  log(`seed: ${seedablePhotos().length} photos, dated ${new Date(timeOf(seedablePhotos().length - 1)).toISOString()} to ${MANIFEST.newest}`);
}

/** Ada's export, built by the queue: the "export ready" deep link shows its download on Settings. */
async function prepareExport(base, cookie, log) {
  const res = await post(base, "/api/prepare_export", new URLSearchParams(), { ...FORM, cookie });
  if (![200, 302, 303].includes(res.status)) throw new Error(`prepare export: HTTP ${res.status} ${await res.text()}`);
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const state = await post(base, "/api/export_status", new URLSearchParams(), { ...FORM, cookie });
    if ((await state.json())?.status === "ready") {
      log("seed: ada's export is ready (/settings)");
      return;
    }
    await sleep(500);
  }
  throw new Error("ada's export did not become ready");
}

/** `--persist-to DIR` / `--remote` / `--config FILE` → wrangler d1 execute arguments, or null. */
export function d1Access(args) {
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const where = args.includes("--remote") ? ["--remote"] : opt("--persist-to") ? ["--local", "--persist-to", opt("--persist-to")] : null;
  if (!where) return null;
  return [...where, ...(opt("--config") ? ["--config", opt("--config")] : [])];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const base = (args[0] ?? "http://127.0.0.1:8787").replace(/\/$/, "");
  try {
    await seed(base, { access: d1Access(args), ifEmpty: args.includes("--if-empty"), reset: args.includes("--reset") });
  } catch (e) {
    console.error(`seed: ${e.message}`);
    process.exit(1);
  }
}
