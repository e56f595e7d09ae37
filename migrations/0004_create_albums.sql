-- Albums (issue 11): an owner's ordered collections of their photos. Deleting an album
-- never deletes its photos; deleting a photo takes it out of every album.
CREATE TABLE albums (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    visibility     TEXT NOT NULL DEFAULT 'private'
                   CHECK (visibility IN ('public', 'unlisted', 'private')),
    -- The owner's choice; pages fall back to the first photo the viewer may see.
    cover_photo_id TEXT REFERENCES photos (id) ON DELETE SET NULL,
    sort           TEXT NOT NULL DEFAULT 'manual' CHECK (sort IN ('manual', 'taken', 'added')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX albums_by_owner ON albums (owner_id, created_at DESC, id DESC);

-- `position` is a base-62 fractional key (app/src/ssr/position.rs): moving a photo
-- rewrites its own row only.
CREATE TABLE album_photos (
    album_id TEXT NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    photo_id TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    position TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (album_id, photo_id)
) WITHOUT ROWID;
CREATE INDEX album_photos_in_order ON album_photos (album_id, position, photo_id);
CREATE INDEX album_photos_by_photo ON album_photos (photo_id);
