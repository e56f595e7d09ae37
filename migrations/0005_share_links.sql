-- Issue 11: share links. The owner of a photo (later: an album) hands out `/s/{token}`;
-- it shows that one target to anyone holding it, until it expires or is revoked.
--
-- `token` is stored as issued, not hashed (sessions store only a hash). The owner must be
-- able to copy a link again from the photo page, so the server has to know it; a hashed
-- token could be shown only once. What a leaked copy of this table would give is bounded:
-- a read of the photos that have live links (the link pages themselves, not the account,
-- nothing writable), each ended by a reset or revoke; password-protected links still need
-- the password. Encrypting tokens under a Worker secret would close that, at the cost of a
-- key to provision and rotate; not worth it for read-only links the owner can kill at once.
-- A reset writes a new token, so the old one stops matching any row at once. 26 characters
-- of a 32-letter alphabet: 130 random bits, URL-safe. UNIQUE gives the lookup its index
-- and makes a clash a conflict.
--
-- `password_hash` is PBKDF2 like account passwords (`pbkdf2-sha256$<iterations>$<salt>$<hash>`),
-- never the password: people reuse passwords. A fresh salt on every change also rotates the
-- key of the unlock cookies (HMAC over the link, keyed by this hash), so changing or
-- clearing the password ends every unlock at once.
--
-- `expires_at` NULL means never, which the app sets only when the owner chose it; a link
-- is over from the instant `expires_at <= now`. `revoked_at` set means dead for good (every
-- update below requires it NULL). `target_id` has no foreign key because it names a photo
-- or an album; the trigger removes a photo's links with the photo.
CREATE TABLE share_links (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_kind     TEXT NOT NULL CHECK (target_kind IN ('photo', 'album')),
    target_id       TEXT NOT NULL,
    token           TEXT NOT NULL UNIQUE,
    label           TEXT NOT NULL DEFAULT '',
    expires_at      INTEGER,
    password_hash   TEXT,
    allow_downloads INTEGER NOT NULL DEFAULT 0,
    views           INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    revoked_at      INTEGER
);
CREATE INDEX share_links_by_target ON share_links (target_kind, target_id, created_at DESC);

CREATE TRIGGER share_links_follow_photos AFTER DELETE ON photos
BEGIN
    DELETE FROM share_links WHERE target_kind = 'photo' AND target_id = OLD.id;
END;
