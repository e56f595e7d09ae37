-- Issue 15: the trash, purging through a deletion record, and account exports.

-- A photo in the trash keeps every row it had (albums, tags, likes, comments, links,
-- visibility), so restoring it is clearing this one column. Every listing's WHERE says
-- `trashed_at IS NULL`; who may still reach a trashed photo is `ssr::access::check`'s call
-- (its owner only). The partial indexes of 0007 and 0008 stay as they are: a trashed row
-- in them is skipped by the extra condition, and there are few.
ALTER TABLE photos ADD COLUMN trashed_at INTEGER;
-- The trash page (one owner's, most recently trashed first) and the purge (oldest first).
CREATE INDEX photos_trash_by_owner ON photos (owner_id, trashed_at DESC, id DESC)
    WHERE trashed_at IS NOT NULL;
CREATE INDEX photos_trash_by_age ON photos (trashed_at, id) WHERE trashed_at IS NOT NULL;

-- R2 objects still to remove. A purge writes every key of a photo here in the same
-- transaction that deletes its rows, then removes the objects and each key's row: a purge
-- killed half-way leaves keys here, and the next run (cron or "delete now") finishes them.
-- Deleting an R2 key twice is harmless, so is running a purge twice.
CREATE TABLE deletions (
    r2_key     TEXT PRIMARY KEY,
    photo_id   TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- One export per person: the zip in R2 (their originals and photos.json), ready or being
-- built, removed by the cron a day after it was made.
CREATE TABLE exports (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    r2_key     TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('building', 'ready', 'failed')),
    bytes      INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX exports_by_expiry ON exports (expires_at);
