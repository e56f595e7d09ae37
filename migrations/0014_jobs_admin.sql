-- Issue 15: a record per media job, the admin console's audit trail, and suspension.

-- One record per photo's media job; a re-run starts the same record again. `attempts`
-- counts deliveries (the queue's first try and its retries), so the cron can tell a job
-- that has given up from one that was lost.
CREATE TABLE jobs (
    photo_id    TEXT PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    queued_at   INTEGER NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER,
    -- The isolate's wasm memory after the job (MiB), as the consumer's log line reports it.
    mem_mib     INTEGER
);
-- The console's failures listing (newest first) and its percentiles (finished in a day).
CREATE INDEX jobs_by_state ON jobs (state, finished_at DESC, photo_id DESC);

-- Who did what as an admin, and when. `target` is an id or a short description, never a
-- person's private content.
CREATE TABLE admin_audit (
    id       TEXT PRIMARY KEY,
    actor_id TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX admin_audit_by_at ON admin_audit (at DESC, id DESC);

-- Set while an admin has suspended the account: no sign-in, content hidden.
ALTER TABLE users ADD COLUMN suspended_at INTEGER;
