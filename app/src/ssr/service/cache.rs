//! Purging the edge cache: the one entry point every change calls (README, "Edge cache").
//!
//! `purge(p, tags)` never fails and never makes the change it follows fail: a purge the
//! cache refuses is queued (`MediaJob::PurgeV1`) and retried by the consumer until it
//! goes through or reaches the dead-letter queue. Tags come from `ssr::cache`
//! (`FEED`, `photo(id)`, `user(id)`, `album(id)`, `link(id)`).

use crate::ssr::cache;
use crate::ssr::platform::Platform;
use crate::ssr::ports::{AlbumRow, MediaJob, PhotoRow, PortResult};

/// Forgets every cached response showing any of `tags`; on failure queues the purge.
pub async fn purge(p: &Platform, tags: Vec<String>) {
    if tags.is_empty() {
        return;
    }
    let Err(e) = p.edge.purge(&tags).await else {
        return;
    };
    leptos::logging::warn!("cache purge failed ({e}); queued: {tags:?}");
    if let Err(e) = p.jobs.send(&MediaJob::PurgeV1 { tags: tags.clone() }).await {
        // Both the cache and the queue are down: the cached pages live out their TTL
        // (`http::cache::EDGE_PAGE`), the most any change can stay unseen.
        leptos::logging::error!("cache purge lost ({e}): {tags:?}");
    }
}

/// The queued retry of a purge: an error makes the consumer try again later.
pub async fn retry(p: &Platform, tags: &[String]) -> PortResult<()> {
    p.edge.purge(tags).await
}

/// Every tag whose pages may show `photo`: the photo's own pages and every listing
/// it is (or was, or may now be) on: the feeds, its owner's page, its albums.
pub async fn photo_tags(p: &Platform, photo: &PhotoRow) -> Vec<String> {
    let mut tags = vec![
        cache::photo(&photo.id),
        cache::user(&photo.owner_id),
        cache::FEED.to_string(),
    ];
    match p.album_photos.albums_of(&photo.id).await {
        Ok(albums) => tags.extend(albums.iter().map(|a| cache::album(a))),
        // Album pages tag every photo they show, so only a photo newly visible there
        // waits for the TTL; the rest go with `photo:`.
        Err(e) => leptos::logging::warn!("albums of {} unknown for the purge: {e}", photo.id),
    }
    tags
}

/// An account changed what others see of it (its display name).
pub async fn user_changed(p: &Platform, user_id: &str) {
    purge(p, vec![cache::user(user_id)]).await;
}

/// Something only the photo's own page shows changed (likes, comments, switches).
pub async fn photo_shown(p: &Platform, photo_id: &str) {
    purge(p, vec![cache::photo(photo_id)]).await;
}

/// An album changed (made, edited, deleted, its photos or their order or its cover):
/// its pages, and its owner's page, which lists the albums.
pub async fn album_changed(p: &Platform, album: &AlbumRow) {
    purge(
        p,
        vec![cache::album(&album.id), cache::user(&album.owner_id)],
    )
    .await;
}

/// Everything of a person's changed at once (suspended, unsuspended, leaving): their page,
/// the feed, and every page tagged with one of their photos (listings tag what they show),
/// trashed ones included, a page of ids at a time.
pub async fn owner_changed(p: &Platform, user_id: &str) {
    let mut tags = vec![cache::user(user_id), cache::FEED.to_string()];
    let mut after: Option<String> = None;
    loop {
        let ids = match p.trash.all_of(user_id, after.as_deref(), 100).await {
            Ok(ids) => ids,
            Err(e) => {
                leptos::logging::warn!("photos of {user_id} unknown for the purge: {e}");
                break;
            }
        };
        let Some(last) = ids.last().cloned() else {
            break;
        };
        tags.extend(ids.iter().map(|id| cache::photo(id)));
        purge(p, std::mem::take(&mut tags)).await;
        after = Some(last);
    }
    purge(p, tags).await;
}

/// Photos moved in or out of the trash: purge what shows each.
pub async fn photos_changed(p: &Platform, photos: &[PhotoRow]) {
    let mut tags = Vec::new();
    for photo in photos {
        tags.extend(photo_tags(p, photo).await);
    }
    tags.sort();
    tags.dedup();
    purge(p, tags).await;
}

/// A photo changed (processed, edited, deleted, tagged): purge what shows it.
pub async fn photo_changed(p: &Platform, photo: &PhotoRow) {
    let tags = photo_tags(p, photo).await;
    purge(p, tags).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, user_row};

    #[test]
    fn a_photo_change_purges_the_photo_its_owner_the_feeds_and_its_albums() -> PortResult<()> {
        let (p, mem) = fake_platform();
        let row = pending_row("ph1", 1);
        block_on(p.users.insert(&user_row("u1", "ana")))?;
        block_on(p.photos.insert_pending(&row))?;
        block_on(p.albums.insert(&AlbumRow {
            id: "al1".into(),
            owner_id: "u1".into(),
            title: "A".into(),
            description: String::new(),
            visibility: crate::model::Visibility::Public,
            cover_photo_id: None,
            sort: crate::model::AlbumSort::Manual,
            created_at: 1,
            updated_at: 1,
            owner_suspended: false,
        }))?;
        block_on(p.album_photos.add("al1", &[("ph1".into(), "a".into())], 1))?;
        block_on(photo_changed(&p, &row));
        assert_eq!(
            mem.edge.purged(),
            vec![vec![
                "photo:ph1".to_string(),
                "user:u1".into(),
                "feed".into(),
                "album:al1".into()
            ]]
        );
        assert!(mem.jobs.is_empty());
        Ok(())
    }

    #[test]
    fn a_failed_purge_is_queued_not_lost_and_the_action_goes_on() -> PortResult<()> {
        let (p, mem) = fake_platform();
        mem.edge.fail(true);
        block_on(purge(&p, vec!["feed".into()]));
        assert_eq!(
            mem.jobs.sent(),
            vec![MediaJob::PurgeV1 {
                tags: vec!["feed".into()]
            }]
        );
        assert!(mem.edge.purged().is_empty());
        // The consumer's retry fails while the cache does, then goes through.
        assert!(block_on(retry(&p, &["feed".into()])).is_err());
        mem.edge.fail(false);
        block_on(retry(&p, &["feed".into()]))?;
        assert_eq!(mem.edge.purged(), vec![vec!["feed".to_string()]]);
        Ok(())
    }

    #[test]
    fn no_tags_no_purge() {
        let (p, mem) = fake_platform();
        block_on(purge(&p, vec![]));
        assert!(mem.edge.purged().is_empty() && mem.jobs.is_empty());
    }
}
