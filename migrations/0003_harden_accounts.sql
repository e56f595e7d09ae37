-- Issue 10 (security review): emails no longer identify accounts, and devices that signed
-- in before are remembered so strangers' failed guesses cannot lock their owner out.
--
-- 1. `users.email` loses UNIQUE: sign-up must not tell anyone that an email is taken, so
--    two accounts may give the same address (sign-in is by username). SQLite cannot drop
--    a constraint, so the table is rebuilt. Dropping `users` deletes its rows first and
--    that cascades to `sessions`, so the sessions are kept aside and put back; foreign
--    keys are checked at the end of the migration's transaction.
PRAGMA defer_foreign_keys = on;

CREATE TABLE sessions_kept AS SELECT * FROM sessions;

CREATE TABLE users_new (
    id                 TEXT PRIMARY KEY,
    username           TEXT NOT NULL UNIQUE,
    email              TEXT NOT NULL,
    display_name       TEXT NOT NULL,
    -- Versioned: `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`.
    password_hash      TEXT NOT NULL,
    default_visibility TEXT NOT NULL DEFAULT 'public'
                       CHECK (default_visibility IN ('public', 'unlisted', 'private')),
    watermark          INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
INSERT INTO users_new (id, username, email, display_name, password_hash, default_visibility,
                       watermark, created_at, updated_at)
    SELECT id, username, email, display_name, password_hash, default_visibility,
           watermark, created_at, updated_at
    FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
    SELECT token_hash, user_id, created_at, last_seen_at, expires_at FROM sessions_kept;
DROP TABLE sessions_kept;

-- 2. Devices a user signed in from: the `lumen_device` cookie's SHA-256 per user. A known
--    device's sign-in is limited by its own failures only.
CREATE TABLE known_devices (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, token_hash)
) WITHOUT ROWID;
CREATE INDEX known_devices_by_use ON known_devices (last_used_at);

PRAGMA defer_foreign_keys = off;
