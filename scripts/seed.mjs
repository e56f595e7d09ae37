// Seeds the demo photos through the same route a person's upload takes (POST /upload),
// in a fixed order with fixed names, so demo data is the same on every machine.
// Usage: node scripts/seed.mjs http://127.0.0.1:8787 [--if-empty]
import { readFile, readdir } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const base = process.argv[2] ?? "http://127.0.0.1:8787";
const ifEmpty = process.argv.includes("--if-empty");
const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "demo", "photos");

if (ifEmpty) {
  const res = await fetch(`${base}/api/list_photos`, { method: "POST" });
  const photos = await res.json();
  if (Array.isArray(photos) && photos.length > 0) {
    console.log(`seed: ${photos.length} photos already there, nothing to do`);
    process.exit(0);
  }
}

const names = (await readdir(dir)).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort();
for (const name of names) {
  const form = new FormData();
  const type = name.endsWith(".png") ? "image/png" : "image/jpeg";
  form.append("photos", new Blob([await readFile(join(dir, name))], { type }), name);
  const res = await fetch(`${base}/upload`, {
    method: "POST",
    body: form,
    headers: { accept: "application/json" },
  });
  if (res.status !== 201) {
    console.error(`seed: ${name}: HTTP ${res.status} ${await res.text()}`);
    process.exit(1);
  }
  const { photos } = await res.json();
  console.log(`seed: ${name} -> ${photos[0].url}`);
}
