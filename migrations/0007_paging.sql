-- Issue 12: keyset paging. Each listing walks one index from the cursor on (no OFFSET, no
-- sort), so page 100 costs what page 1 does, and only finished photos reach strangers.

-- The home feed: public and finished photos, newest first.
CREATE INDEX photos_feed ON photos (created_at DESC, id DESC)
    WHERE visibility = 'public' AND status = 'ready';
-- Someone else's profile: their public, finished photos.
CREATE INDEX photos_public_by_owner ON photos (owner_id, created_at DESC, id DESC)
    WHERE visibility = 'public' AND status = 'ready';
-- Replaced by photos_feed (the feed no longer lists unfinished photos).
DROP INDEX photos_public;
-- An album in "date added" order, newest first (manual order walks album_photos_in_order).
CREATE INDEX album_photos_by_added ON album_photos (album_id, added_at DESC, photo_id DESC);
