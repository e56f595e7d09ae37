-- Accounts, sessions, rate limits, and per-photo visibility and text.
-- Usernames and emails are stored lower-cased (the app canonicalises), so plain
-- UNIQUE is case-insensitive in effect.
CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    username           TEXT NOT NULL UNIQUE,
    email              TEXT NOT NULL UNIQUE,
    display_name       TEXT NOT NULL,
    -- Versioned: `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`.
    password_hash      TEXT NOT NULL,
    default_visibility TEXT NOT NULL DEFAULT 'public'
                       CHECK (default_visibility IN ('public', 'unlisted', 'private')),
    watermark          INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- Only the SHA-256 of a session token is stored; the token lives in the cookie.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Fixed-window counters: one row per (action, subject), e.g. `signin-ip:1.2.3.4`.
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
);

ALTER TABLE photos ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'unlisted', 'private'));
ALTER TABLE photos ADD COLUMN caption TEXT NOT NULL DEFAULT '';
ALTER TABLE photos ADD COLUMN alt TEXT NOT NULL DEFAULT '';
-- Whether people other than the owner may download the original (owner's choice).
ALTER TABLE photos ADD COLUMN allow_original INTEGER NOT NULL DEFAULT 0;
ALTER TABLE photos ADD COLUMN watermark INTEGER NOT NULL DEFAULT 0;

CREATE INDEX photos_public ON photos (created_at DESC, id DESC) WHERE visibility = 'public';
CREATE INDEX photos_by_owner ON photos (owner_id, created_at DESC, id DESC);
