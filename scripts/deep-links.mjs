// The deep links a reviewer opens on a preview, one per state of the UI: printed by
// `make preview`, posted in the pull request's sticky comment, and opened and screenshot
// by the visual tests. Links that need a feature Lumen does not have yet are listed as
// pending, with what they will show, rather than faked.
//
// Usage: node scripts/deep-links.mjs <base url> [--format text|markdown|json]

import { fileURLToPath } from "node:url";
import { MANIFEST } from "./seed.mjs";

const ACCOUNTS = "accounts (issue 5)";

const byRole = (role) => MANIFEST.photos.find((p) => p.role === role);

/** Every link, in the order a reviewer would walk through them. `photo` names a seeded role. */
export const LINKS = [
  { key: "feed", label: "Feed", path: "/" },
  { key: "photo-ready", label: "Photo page: ready", photo: "ready" },
  { key: "photo-processing", label: "Photo page: processing", photo: "processing" },
  { key: "photo-failed", label: "Photo page: failed", photo: "failed" },
  { key: "upload", label: "Upload", path: "/upload" },
  {
    key: "feed-empty",
    label: "Empty feed",
    path: "/_design#light-empty",
    note: `the empty state in the catalogue; the live one is Ben's profile (/u/ben) once ${ACCOUNTS} land`,
  },
  { key: "not-found", label: "404", path: "/no/such/page" },
  { key: "design", label: "Design catalogue", path: "/_design" },
  { key: "album", label: "Album", pending: "albums (not built yet)" },
  { key: "signed-out", label: "Signed out", pending: ACCOUNTS },
  { key: "signed-in", label: "Signed in as Ada", pending: ACCOUNTS },
  { key: "photo-unlisted", label: "Ada's unlisted photo (by link only)", pending: ACCOUNTS },
  { key: "photo-private", label: "Ada's private photo (404 for Ben)", pending: ACCOUNTS },
];

/** Resolves each link against a running Lumen (photo ids are looked up by their seeded title). */
export async function deepLinks(base) {
  base = base.replace(/\/$/, "");
  const res = await fetch(`${base}/api/list_photos`, { method: "POST", signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`list_photos: HTTP ${res.status}`);
  const cards = await res.json();
  return LINKS.map((l) => {
    if (l.pending) return { ...l };
    let path = l.path;
    if (l.photo) {
      const seeded = byRole(l.photo);
      const card = cards.find((c) => c.title === seeded.title);
      if (!card) throw new Error(`no photo titled “${seeded.title}” (${l.photo}): seed first (scripts/seed.mjs)`);
      path = `/p/${card.id}`;
    }
    return { ...l, path, url: `${base}${path}` };
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
