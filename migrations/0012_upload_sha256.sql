-- Issue 15 (duplicates): an upload's SHA-256 is known when it is stored, so "has this
-- person already uploaded this file?" is one indexed lookup. Every state counts (pending,
-- failed, and trashed once trash exists): a row is a photo the person has.
CREATE INDEX photos_by_owner_sha256 ON photos (owner_id, sha256, created_at, id);
