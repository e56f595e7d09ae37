-- The edge cache's tag index: which cached URL shows what. The Cache API deletes by URL
-- only, so a purge by tag reads the URLs here, deletes them from the cache and forgets
-- them (README, "Edge cache").
CREATE TABLE cache_entries (
    tag TEXT NOT NULL,
    url TEXT NOT NULL,
    stored_at INTEGER NOT NULL,
    PRIMARY KEY (tag, url)
) WITHOUT ROWID;
