-- Likes and comments on photos (issue 12), and the owner's two switches per photo.
-- A photo turned private keeps its likes and comments (the app shows them to the owner
-- only); deleting the photo or the person deletes theirs.
ALTER TABLE photos ADD COLUMN hide_likes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE photos ADD COLUMN comments_off INTEGER NOT NULL DEFAULT 0;

-- One like per person and photo: the key makes liking twice a no-op.
CREATE TABLE likes (
    photo_id   TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (photo_id, user_id)
) WITHOUT ROWID;
-- The Liked page: one person's likes, newest first (keyset on created_at, photo_id).
CREATE INDEX likes_by_user ON likes (user_id, created_at DESC, photo_id DESC);

CREATE TABLE comments (
    id         TEXT PRIMARY KEY,
    photo_id   TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at  INTEGER
);
-- A photo's comments, oldest first (keyset on created_at, id).
CREATE INDEX comments_by_photo ON comments (photo_id, created_at, id);
-- The cascade from users, without a scan.
CREATE INDEX comments_by_author ON comments (author_id);
