// Helpers shared by jobs.test.mjs and admin.test.mjs: a photo upload, a photo's row with its
// job record, waiting for a job to end, and a page as someone sees it.
//
//   const h = jobHelpers(() => srv);    // srv: a startLumen() server, set in before()
//   const id = await h.uploadOne(cookie, "name.png");
//   const { photo, job } = await h.settled(id);

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { waitFor } from "./harness.mjs";
import { demoPhoto, distinct, upload } from "./helpers.mjs";

const png = { name: "coffee.png", type: "image/png", bytes: readFileSync(demoPhoto("coffee.png")) };

export function jobHelpers(server) {
  async function uploadOne(cookie, name) {
    // A distinct file each time: one person's identical files are one photo (duplicates).
    const res = await upload(server().base, [{ ...png, bytes: distinct(png.bytes), name }], { cookie });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()).photos[0].id;
  }

  async function row(id) {
    const [photo] = await server().d1(`SELECT status, failure FROM photos WHERE id = '${id}'`);
    const [job] = await server().d1(
      `SELECT state, attempts, last_error, queued_at, started_at, finished_at, mem_mib FROM jobs WHERE photo_id = '${id}'`,
    );
    return { photo, job };
  }

  /** Waits until the photo leaves `pending`; its row and job record. */
  function settled(id, timeout = 120_000) {
    return waitFor(
      async () => {
        const r = await row(id);
        return r.photo.status !== "pending" ? r : null;
      },
      { timeout, interval: 500, what: `photo ${id} to leave pending` },
    );
  }

  async function page(path, cookie) {
    const res = await fetch(`${server().base}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
    return { status: res.status, body: await res.text() };
  }

  return { uploadOne, row, settled, page };
}
