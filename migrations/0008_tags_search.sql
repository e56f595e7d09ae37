-- Tags, full-text search, and camera / lens / date facts for listings (issue 12).

-- Tags as the owner typed them after normalisation (app/src/ssr/search.rs `tag`: cleaned,
-- lower-case, inner whitespace collapsed, at most 40 characters; at most 20 per photo,
-- enforced by the INSERT in server/src/d1/tags.rs).
CREATE TABLE photo_tags (
    photo_id TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    PRIMARY KEY (photo_id, tag)
) WITHOUT ROWID;
CREATE INDEX photo_tags_by_tag ON photo_tags (tag, photo_id);

-- Camera, lens and date taken, from the EXIF the media job already writes. VIRTUAL
-- generated columns rather than real ones filled by mark_ready: nothing to backfill (every
-- photo processed before this migration gets them at once), no write path to change, and
-- they can never disagree with exif_json. SQLite (and so D1) can add only VIRTUAL generated
-- columns with ALTER TABLE; reading them through the indexes below costs no JSON parsing,
-- because an index stores the computed value. `json_valid` first: a generated column that
-- raised an error would make the row unwritable.
--
-- `camera_key` is the lower-cased camera name exactly as the photo page shows it
-- (`service::photos::facts`: the model alone when it already starts with the make, else
-- "make model"); `lower` folds ASCII only, and so does the page's link (`to_ascii_lowercase`).
ALTER TABLE photos ADD COLUMN camera_key TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(exif_json) THEN lower(
        CASE
            WHEN json_extract(exif_json, '$.make') IS NULL THEN json_extract(exif_json, '$.model')
            WHEN json_extract(exif_json, '$.model') IS NULL THEN json_extract(exif_json, '$.make')
            WHEN substr(json_extract(exif_json, '$.model'), 1, length(json_extract(exif_json, '$.make')))
                 = json_extract(exif_json, '$.make') THEN json_extract(exif_json, '$.model')
            ELSE json_extract(exif_json, '$.make') || ' ' || json_extract(exif_json, '$.model')
        END) END
) VIRTUAL;
ALTER TABLE photos ADD COLUMN lens_key TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(exif_json) THEN lower(json_extract(exif_json, '$.lens')) END
) VIRTUAL;
-- "YYYY-MM-DDTHH:MM:SS", camera local time: `taken:2024-06` is a range on it.
ALTER TABLE photos ADD COLUMN taken_at TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(exif_json) THEN json_extract(exif_json, '$.taken_at') END
) VIRTUAL;

-- Camera and lens pages list public, finished photos newest first: each walks its index
-- from the cursor on, as the feed does.
CREATE INDEX photos_by_camera ON photos (camera_key, created_at DESC, id DESC)
    WHERE visibility = 'public' AND status = 'ready' AND camera_key IS NOT NULL;
CREATE INDEX photos_by_lens ON photos (lens_key, created_at DESC, id DESC)
    WHERE visibility = 'public' AND status = 'ready' AND lens_key IS NOT NULL;

-- Full-text search over title, caption, alt text and tags. FTS5 needs an integer rowid
-- that never changes; `photos` has a text key, and its implicit rowid may be renumbered by
-- VACUUM and is not kept by a table-by-table backup, so `photo_search` gives each photo a
-- stable document number (INTEGER PRIMARY KEY) and `photos_fts` keeps its own copy of the
-- text under that number. Triggers keep both in step with `photos` and `photo_tags`, so no
-- code path can forget. `wrangler d1 export` refuses databases with FTS5 tables:
-- `make backup` (scripts/backup.mjs) exports table by table, skipping `photos_fts` and its
-- shadow tables, and `make restore` rebuilds the index with the INSERT at the end of this file.
CREATE TABLE photo_search (
    doc      INTEGER PRIMARY KEY,
    photo_id TEXT NOT NULL UNIQUE REFERENCES photos (id) ON DELETE CASCADE
);
CREATE VIRTUAL TABLE photos_fts USING fts5 (
    title, caption, alt, tags,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- `OR IGNORE` and the DELETE: an `INSERT OR REPLACE INTO photos` (the demo seed's) replaces a
-- row without firing delete triggers; the photo keeps its number and gets a fresh entry.
CREATE TRIGGER photos_fts_insert AFTER INSERT ON photos BEGIN
    INSERT OR IGNORE INTO photo_search (photo_id) VALUES (new.id);
    DELETE FROM photos_fts WHERE rowid = (SELECT doc FROM photo_search WHERE photo_id = new.id);
    INSERT INTO photos_fts (rowid, title, caption, alt, tags)
        SELECT doc, new.title, new.caption, new.alt,
               COALESCE((SELECT group_concat(tag, ' ') FROM photo_tags WHERE photo_id = new.id), '')
        FROM photo_search WHERE photo_id = new.id;
END;
CREATE TRIGGER photos_fts_update AFTER UPDATE OF title, caption, alt ON photos BEGIN
    UPDATE photos_fts SET title = new.title, caption = new.caption, alt = new.alt
        WHERE rowid = (SELECT doc FROM photo_search WHERE photo_id = new.id);
END;
-- Before the row goes, while `photo_search` still names its document.
CREATE TRIGGER photos_fts_delete BEFORE DELETE ON photos BEGIN
    DELETE FROM photos_fts WHERE rowid = (SELECT doc FROM photo_search WHERE photo_id = old.id);
END;
CREATE TRIGGER photos_fts_tag_added AFTER INSERT ON photo_tags BEGIN
    UPDATE photos_fts
        SET tags = (SELECT group_concat(tag, ' ') FROM photo_tags WHERE photo_id = new.photo_id)
        WHERE rowid = (SELECT doc FROM photo_search WHERE photo_id = new.photo_id);
END;
CREATE TRIGGER photos_fts_tag_removed AFTER DELETE ON photo_tags BEGIN
    UPDATE photos_fts
        SET tags = COALESCE((SELECT group_concat(tag, ' ') FROM photo_tags WHERE photo_id = old.photo_id), '')
        WHERE rowid = (SELECT doc FROM photo_search WHERE photo_id = old.photo_id);
END;

-- Photos that exist before this migration (a restore runs the same two statements).
INSERT INTO photo_search (photo_id) SELECT id FROM photos ORDER BY created_at, id;
INSERT INTO photos_fts (rowid, title, caption, alt, tags)
    SELECT s.doc, p.title, p.caption, p.alt,
           COALESCE((SELECT group_concat(tag, ' ') FROM photo_tags t WHERE t.photo_id = p.id), '')
    FROM photo_search s JOIN photos p ON p.id = s.photo_id;
