// Issue 15's job records and dead-letter queue, and issue 16's admin bits, against `wrangler
// dev` in `service` mode with the native media service on a port of our choosing: nothing
// listening there makes every delivery fail transiently (a poison job that ends in the
// dead-letter queue); a service with another secret fails photos with a clear reason; the
// right one lets an admin re-run them to ready from the console.
// Local wrangler dev (miniflare) moves a message to the dead-letter queue configured in
// wrangler.toml after max_retries, and runs its consumer: this file checks that it did.
// The console's permissions, people, storage and browser tests are in admin.test.mjs.
// Run: ./e2e/run.sh e2e/jobs.test.mjs (after ./scripts/build.sh)

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startLumen } from "./harness.mjs";
import { jobHelpers } from "./admin-helpers.mjs";
import { api, signUp } from "./helpers.mjs";
import { buildMediaService, freePort, startMediaService, testSecret } from "./media-service.mjs";

const SECRET = testSecret("admin");
const DEAD_REASON = "Processing kept failing, so it stopped. An admin can run it again once the cause is fixed.";
let srv;
let svc;
let bin;
let port;
let root; // the first account: admin
let bea; // admin through LUMEN_ADMINS
let mel; // a member
const ids = {};
const { uploadOne, row, settled, page } = jobHelpers(() => srv);


before(async () => {
  bin = buildMediaService();
  port = await freePort();
  srv = await startLumen("jobs", {
    vars: {
      LUMEN_PROCESSING: "service",
      LUMEN_SERVICE_URL: `http://127.0.0.1:${port}`,
      LUMEN_SERVICE_SECRET: SECRET,
      LUMEN_ADMINS: "bea",
    },
  });
  root = await signUp(srv.base, { username: "olga" });
  bea = await signUp(srv.base, { username: "bea" });
  mel = await signUp(srv.base, { username: "mel" });
});

after(async () => {
  await srv?.stop();
  await svc?.kill();
});

describe("job records and the dead-letter queue", () => {
  test("a job that keeps failing ends in the DLQ: the record says dead, the photo failed", async () => {
    // Nothing listens on the service's port: every delivery is a transient failure.
    ids.poison = await uploadOne(mel.cookie, "poison.png");
    const since = srv.logs().length;
    const done = await settled(ids.poison, 240_000);
    assert.equal(done.photo.status, "failed");
    assert.equal(done.photo.failure, DEAD_REASON);
    assert.equal(done.job.state, "dead");
    assert.equal(done.job.attempts, 6, "the first delivery and max_retries = 5");
    assert.match(done.job.last_error, /media service: unreachable/, "the cause stays on the record");
    assert.ok(done.job.finished_at >= done.job.queued_at);
    assert.match(srv.logs().slice(since), new RegExp(`QUEUE \\S+ photo=${ids.poison} dead changed=true`));
  });

  test("a service with another secret: failed with a reason naming the setting, shown to the admin", async () => {
    svc = await startMediaService({ secret: testSecret("wrong"), bin, port });
    ids.wrong = await uploadOne(mel.cookie, "wrong-secret.png");
    const done = await settled(ids.wrong);
    assert.equal(done.photo.status, "failed");
    assert.match(done.photo.failure, /LUMEN_SERVICE_SECRET/);
    assert.equal(done.job.state, "failed");
    assert.equal(done.job.attempts, 1, "a refusal is not retried");
    assert.equal(done.job.last_error, done.photo.failure);
    assert.ok(done.job.mem_mib > 0, "the isolate's memory is recorded");
    const admin = await page("/admin", root.cookie);
    assert.equal(admin.status, 200);
    assert.ok(admin.body.includes(ids.wrong) && admin.body.includes(ids.poison));
    assert.match(admin.body, /LUMEN_SERVICE_SECRET/);
    assert.match(admin.body, /<dt>dead<\/dt><dd>1<\/dd>/);
    assert.match(admin.body, /<dt>failed<\/dt><dd>1<\/dd>/);
  });

  test("once the cause is fixed, re-run from the console brings both to ready", async () => {
    await svc.kill();
    svc = await startMediaService({ secret: SECRET, bin, port });
    const one = await api(srv.base, "admin_rerun", { id: ids.wrong }, { cookie: root.cookie });
    assert.equal(one.status, 200, one.text);
    const again = await api(srv.base, "admin_rerun", { id: ids.wrong }, { cookie: root.cookie });
    assert.equal(again.status, 400, "a job that has not failed is not re-run");
    // As a plain form (JS off): back to the console.
    const all = await api(srv.base, "admin_rerun_all", {}, { cookie: bea.cookie, headers: { accept: "text/html" } });
    assert.equal(all.status, 302);
    assert.equal(all.headers.get("location"), "/admin");
    for (const id of [ids.wrong, ids.poison]) {
      const done = await settled(id);
      assert.equal(done.photo.status, "ready", done.photo.failure);
      assert.equal(done.job.state, "done");
      assert.equal(done.job.attempts, 1);
    }
    const audit = await page("/admin/audit", root.cookie);
    assert.match(audit.body, /<strong>olga<\/strong> rerun /);
    assert.match(audit.body, /<strong>bea<\/strong> rerun-all /);
    const jobs = await page("/admin", root.cookie);
    assert.match(jobs.body, /No failed jobs\./);
    assert.match(jobs.body, /over the last day \(2 jobs\): p50 \d+ ms/);
  });
});
