-- Issue 11: share links for albums. `share_links.target_id` has no foreign key (it names
-- a photo or an album), so, as for photos in 0005, a trigger removes an album's links
-- with the album: a deleted album's token must match nothing, even if an album with the
-- same id could ever come back.
CREATE TRIGGER share_links_follow_albums AFTER DELETE ON albums
BEGIN
    DELETE FROM share_links WHERE target_kind = 'album' AND target_id = OLD.id;
END;

-- The cron's sweep of dead links (revoked, or long expired) reads by these two columns.
CREATE INDEX share_links_by_revoked ON share_links (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX share_links_by_expiry ON share_links (expires_at) WHERE expires_at IS NOT NULL;
