// The deep links a reviewer opens on a preview, one per state of the UI: printed by
// `make preview`, posted in the pull request's sticky comment, and opened and screenshot
// by the visual tests. Links that need a feature Lumen does not have yet are listed as
// pending, with what they will show, rather than faked.
//
// Usage: node scripts/deep-links.mjs <base url> [--format text|markdown|json]

import { fileURLToPath } from "node:url";
import { MANIFEST } from "./seed.mjs";

const byRole = (role) => MANIFEST.photos.find((p) => p.role === role);

/**
 * Every link, in the order a reviewer would walk through them. `photo` names a seeded role.
 * Links marked `as` show Ada's signed-in view: open "Signed in as Ada" first (a one-click
 * demo sign-in, local and preview only); "Signed out" ends it.
 */
export const LINKS = [
  { key: "feed", label: "Feed", path: "/" },
  { key: "photo-ready", label: "Photo page: ready", photo: "ready" },
  { key: "photo-processing", label: "Photo page: processing", photo: "processing" },
  { key: "photo-failed", label: "Photo page: failed", photo: "failed" },
  { key: "upload", label: "Upload (signed out: asks to sign in)", path: "/upload" },
  { key: "sign-in", label: "Sign in", path: "/signin" },
  { key: "sign-up", label: "Sign up", path: "/signup" },
  { key: "profile", label: "Ada's profile (public photos)", path: "/u/ada" },
  { key: "profile-empty", label: "Ben's profile (empty)", path: "/u/ben" },
  {
    key: "feed-empty",
    label: "Empty feed",
    path: "/_design#light-empty",
    note: "the empty state in the catalogue (the demo feed is never empty)",
  },
  { key: "not-found", label: "404", path: "/no/such/page" },
  { key: "older-photos", label: "Older photos link (end of a page)", path: "/_design#light-paging", note: "the demo feed fits on one page" },
  { key: "broken-page-link", label: "Broken page link (400)", path: "/?before=nonsense", status: 400 },
  { key: "photo-private-anon", label: "Ada's private photo, signed out (404)", photo: "private", status: 404 },
  { key: "design", label: "Design catalogue", path: "/_design" },
  { key: "album", label: "Ada's public album (its private photo hidden)", album: "album" },
  { key: "profile-albums", label: "Ada's albums", path: "/u/ada?tab=albums" },
  { key: "tag", label: "Tag page: #space (public photos only)", path: "/t/space" },
  { key: "search", label: "Search with a filter: space tag:rockets", path: "/search?q=space%20tag%3Arockets" },
  { key: "search-none", label: "Search without hits", path: "/search?q=zeppelin" },
  { key: "share-link", label: "Share link to Ada's private photo (anyone with it)", link: "shared" },
  { key: "share-protected", label: "Password-protected share link (password “lumen-demo-link”)", link: "protected" },
  { key: "share-expired", label: "Expired share link (404)", link: "expired", status: 404 },
  { key: "share-album", label: "Share link to Ada's private album (anyone with it)", link: "shared-album" },
  { key: "share-album-protected", label: "Password-protected album link (password “lumen-demo-link”)", link: "protected-album" },
  { key: "signed-in", label: "Signed in as Ada", path: "/_dev/sign-in/ada", lands: "/u/ada" },
  { key: "settings", label: "Settings (as Ada)", path: "/settings", as: "ada" },
  { key: "upload-signed-in", label: "Upload (as Ada)", path: "/upload", as: "ada" },
  { key: "liked", label: "Photos Ada liked (as Ada)", path: "/liked", as: "ada" },
  { key: "photo-owner", label: "Photo page with the owner's tools (as Ada)", photo: "ready", as: "ada" },
  { key: "photo-unlisted", label: "Ada's unlisted photo (as Ada; by link only for others)", photo: "unlisted", as: "ada" },
  { key: "photo-private", label: "Ada's private photo (as Ada)", photo: "private", as: "ada" },
  { key: "album-owner", label: "Album with the owner's tools (as Ada)", album: "album", as: "ada" },
  { key: "album-private", label: "Ada's private album (as Ada)", album: "album-private", as: "ada" },
  { key: "photo-in-album", label: "A photo opened from its album (as Ada)", photo: "ready", album: "album", as: "ada" },
  { key: "upload-into-album", label: "Upload straight into an album (as Ada)", album: "album", upload: true, as: "ada" },
  { key: "admin-jobs", label: "Admin: jobs (a failed job, a dead job; Ada is the first account)", path: "/admin", as: "ada" },
  { key: "admin-storage", label: "Admin: storage", path: "/admin/storage", as: "ada" },
  { key: "admin-people", label: "Admin: people", path: "/admin/people", as: "ada" },
  { key: "admin-audit", label: "Admin: audit trail", path: "/admin/audit", as: "ada" },
  { key: "trash", label: "Ada's trash: a photo with its days left (as Ada)", path: "/trash", as: "ada" },
  { key: "trash-empty", label: "Empty trash", path: "/_design#light-trash", note: "the catalogue's empty trash (Ada's holds a photo)" },
  { key: "delete-account", label: "Delete-account confirmation", path: "/_design#light-trash", note: "opened in the catalogue; on Settings it sits behind “Delete my account…”" },
  { key: "settings-your-data", label: "Settings: your data (as Ada)", path: "/settings", as: "ada" },
  { key: "export-ready", label: "Export ready: the prepared zip's download on Settings (as Ada)", path: "/settings", as: "ada", note: "the seed prepares Ada's export through the queue; its building and failed states are in the catalogue (/_design#light-trash)" },
  { key: "upload-states", label: "Upload list in every state (queued, sending, done, already uploaded, refused, cancelled)", path: "/_design#light-progress" },
  { key: "upload-already", label: "Plain-form upload of a photo Ada already has (as Ada)", photo: "ready", already: true, as: "ada" },
  { key: "admin-repair", label: "Admin: repair (R2 compared with D1)", path: "/admin/repair", as: "ada" },
  { key: "signed-out", label: "Signed out", path: "/_dev/sign-out", lands: "/" },
  { key: "photo-in-feed", label: "A photo opened from the feed (previous / next, keys: ? lists them)", photo: "ready", query: "?in=feed" },
  { key: "photo-in-tag", label: "A photo opened from #space", photo: "ready", query: "?in=tag%3Aspace" },
  { key: "viewer-lightbox", label: "Lightbox open (f or a click on a photo; wheel or pinch zooms)", photo: "ready", query: "?in=feed#lightbox" },
  { key: "viewer-shortcuts", label: "Shortcut list open (? on a photo page)", photo: "ready", query: "?in=feed#shortcuts" },
  { key: "exif-panel", label: "Details panel, full and sparse", path: "/_design#light-viewer" },
  { key: "upload-resumable", label: "Upload list: a large file sending in parts, one resumed after a dropped connection", path: "/_design#light-progress" },
];

/** Ada's photos, all of them, and her session: through the demo sign-in, as a reviewer would see them. */
async function adasPhotos(base) {
  const res = await fetch(`${base}/_dev/sign-in/ada`, { redirect: "manual", signal: AbortSignal.timeout(30_000) });
  const cookie = res.headers.getSetCookie().find((c) => /^(__Host-)?lumen_session=/.test(c))?.split(";")[0];
  if (!cookie) throw new Error(`demo sign-in: HTTP ${res.status}: seed first (scripts/seed.mjs)`);
  const profile = await fetch(`${base}/api/get_profile`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: "ada" }),
    signal: AbortSignal.timeout(30_000),
  });
  if (profile.status !== 200) throw new Error(`get_profile: HTTP ${profile.status}`);
  const albums = await fetch(`${base}/api/list_albums`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: "ada" }),
    signal: AbortSignal.timeout(30_000),
  });
  if (albums.status !== 200) throw new Error(`list_albums: HTTP ${albums.status}`);
  return { cards: (await profile.json()).photos, albums: await albums.json(), cookie };
}

/** The path (`/s/<token>`) of the seeded share link with role `role`, as Ada's link list shows it. */
async function linkPath(base, cookie, cards, albums, role) {
  const seeded = MANIFEST.links.find((l) => l.role === role);
  let target;
  if (seeded.album) {
    const title = MANIFEST.albums.find((a) => a.role === seeded.album).title;
    target = { album_id: albums.find((a) => a.title === title)?.id ?? "" };
  } else {
    const photo = byRole(seeded.photo);
    target = { photo_id: cards.find((c) => c.title === photo.title)?.id ?? "" };
  }
  const res = await fetch(`${base}/api/list_links`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(target),
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status !== 200) throw new Error(`list_links: HTTP ${res.status}`);
  const link = (await res.json()).find((l) => l.label === seeded.label);
  if (!link) throw new Error(`no share link labelled “${seeded.label}”: seed first (scripts/seed.mjs)`);
  return new URL(link.url).pathname;
}

/** Resolves each link against a running Lumen (photo ids are looked up by their seeded title). */
export async function deepLinks(base) {
  base = base.replace(/\/$/, "");
  const { cards, albums, cookie } = await adasPhotos(base);
  const links = {};
  for (const l of LINKS.filter((l) => l.link)) links[l.link] = await linkPath(base, cookie, cards, albums, l.link);
  return LINKS.map((l) => {
    if (l.pending) return { ...l };
    let path = l.link ? links[l.link] : l.path;
    let album;
    if (l.album) {
      const seeded = MANIFEST.albums.find((a) => a.role === l.album);
      album = albums.find((a) => a.title === seeded.title);
      if (!album) throw new Error(`no album titled “${seeded.title}”: seed first (scripts/seed.mjs)`);
      path = l.upload ? `/upload?album=${album.id}` : `/a/${album.id}`;
    }
    if (l.photo) {
      const seeded = byRole(l.photo);
      const card = cards.find((c) => c.title === seeded.title);
      if (!card) throw new Error(`no photo titled “${seeded.title}” (${l.photo}): seed first (scripts/seed.mjs)`);
      path = l.already ? `/upload?uploaded=0&already=${card.id}` : `/p/${card.id}${album ? `?album=${album.id}` : (l.query ?? "")}`;
    }
    const note = l.note ?? (l.as ? "after “Signed in as Ada”" : undefined);
    return { ...l, note, path, url: `${base}${path}` };
  });
}

export function format(links, how = "text") {
  if (how === "json") return JSON.stringify(links, null, 2);
  if (how === "markdown") {
    const rows = links.map((l) => {
      const where = l.url ? `[${l.path}](${l.url})` : `_pending ${l.pending}_`;
      return `| ${l.label} | ${where}${l.note ? ` (${l.note})` : ""} |`;
    });
    return ["| State | Link |", "|---|---|", ...rows].join("\n");
  }
  const width = Math.max(...links.map((l) => l.label.length));
  return links
    .map((l) => {
      const where = l.url ?? `pending ${l.pending}`;
      return `  ${l.label.padEnd(width)}  ${where}${l.note ? `\n  ${" ".repeat(width)}  (${l.note})` : ""}`;
    })
    .join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf("--format");
  const how = i >= 0 ? args.splice(i, 2)[1] : "text";
  if (args.length !== 1 || !["text", "markdown", "json"].includes(how)) {
    console.error("usage: node scripts/deep-links.mjs <base url> [--format text|markdown|json]");
    process.exit(2);
  }
  try {
    console.log(format(await deepLinks(args[0]), how));
  } catch (e) {
    console.error(`deep-links: ${e.message}`);
    process.exit(1);
  }
}
