-- Photos and their rendered variants.
CREATE TABLE photos (
    id           TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL,
    title        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
    failure      TEXT,
    content_type TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    width        INTEGER,
    height       INTEGER,
    sha256       TEXT,
    rev          TEXT,
    placeholder  TEXT,
    thumbhash    TEXT,
    exif_json    TEXT,
    gps_json     TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE INDEX photos_by_created ON photos (created_at DESC, id DESC);
CREATE INDEX photos_pending ON photos (created_at) WHERE status = 'pending';

CREATE TABLE photo_variants (
    photo_id TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    mime     TEXT NOT NULL,
    r2_key   TEXT NOT NULL,
    bytes    INTEGER NOT NULL,
    PRIMARY KEY (photo_id, width)
);
