-- Issue 14: resumable uploads. One row per R2 multipart upload that is neither completed
-- nor aborted, and one row per part R2 has acknowledged, so a person whose connection
-- dropped (or who reloaded the page) can ask which parts arrived and send only the rest.
-- `id` is also the photo's id once complete (its original is `orig/{owner_id}/{id}`);
-- `r2_upload_id` is R2's own id and never leaves the Worker.
CREATE TABLE uploads (
    id           TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    r2_upload_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    part_bytes   INTEGER NOT NULL CHECK (part_bytes > 0),
    -- The SHA-256 the browser computed, a hint only ("already uploaded"); the media job
    -- records the digest of the bytes actually stored.
    sha256_hint  TEXT,
    created_at   INTEGER NOT NULL
);
-- The cron's sweep of uploads abandoned for a day, oldest first.
CREATE INDEX uploads_by_created ON uploads (created_at, id);
-- How many uploads one person has open (a cap, so nobody piles up R2 uploads).
CREATE INDEX uploads_by_owner ON uploads (owner_id);

CREATE TABLE upload_parts (
    upload_id TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    number    INTEGER NOT NULL CHECK (number BETWEEN 1 AND 10000),
    etag      TEXT NOT NULL,
    size      INTEGER NOT NULL,
    PRIMARY KEY (upload_id, number)
) WITHOUT ROWID;
