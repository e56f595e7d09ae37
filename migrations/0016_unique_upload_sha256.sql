-- Issue 15 (racing duplicates): two identical uploads by one person at the same time both
-- passed the lookup of 0012 and were both stored. One person's photos now hold a hash at
-- most once (every state counts, trash included: a trashed copy is one they have), so the
-- second insert fails and the upload answers "already uploaded".
--
-- Copies from before the check (or from the race) keep their rows; only the earliest
-- keeps the hash, so the index can be built. The pipeline writes a hash only where none
-- is held (server/src/d1/photos.rs MARK_READY).
UPDATE photos SET sha256 = NULL
WHERE sha256 IS NOT NULL AND EXISTS (
  SELECT 1 FROM photos o
  WHERE o.owner_id = photos.owner_id AND o.sha256 = photos.sha256
    AND (o.created_at, o.id) < (photos.created_at, photos.id)
);
CREATE UNIQUE INDEX photos_owner_sha256_once ON photos (owner_id, sha256) WHERE sha256 IS NOT NULL;
-- The unique index answers the lookup (one row at most), so 0012's is only a cost.
DROP INDEX photos_by_owner_sha256;
