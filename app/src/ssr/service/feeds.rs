//! Atom feeds for readers: a person's public photos, a public album's and a tag's. Only what an
//! anonymous visitor may see, whoever asks (the answer is cached publicly): public, ready
//! photos; an album feed only while the album is public. Every URL absolute. Each feed
//! notes in `shows` what it shows, tagged as its HTML page is, so the edge cache keeps it
//! until one of them changes (README, "Edge cache").

use std::collections::HashMap;

use crate::error::LumenError;
use crate::model::{PhotoStatus, Visibility};
use crate::ssr::access;
use crate::ssr::atom::{Enclosure, Entry, Feed};
use crate::ssr::cache::{self as tags, CacheTags};
use crate::ssr::keys;
use crate::ssr::ports::{PhotoRow, VariantRow};
use crate::ssr::service::photos::PREVIEW_MAX_WIDTH;
use crate::ssr::Platform;

/// Entries in a feed: the newest ones; readers poll.
pub const FEED_ENTRIES: u32 = 30;

/// `/u/{username}/feed.atom`.
pub async fn user(
    p: &Platform,
    shows: &CacheTags,
    origin: &str,
    username: &str,
) -> Result<Feed, LumenError> {
    let user = p
        .users
        .by_username(&username.to_lowercase())
        .await?
        .ok_or(LumenError::NotFound)?;
    access::check_person(&user)?;
    let rows = p
        .photos
        .by_owner(&user.id, false, None, FEED_ENTRIES)
        .await?;
    let page = format!("/u/{}", user.username);
    shows.add(tags::user(&user.id));
    let entries = entries(p, shows, origin, rows).await?;
    Ok(Feed {
        self_url: keys::absolute(origin, &format!("{page}/feed.atom")),
        page_url: keys::absolute(origin, &page),
        title: format!("{} (@{}) on Lumen", user.display_name, user.username),
        author: user.display_name,
        author_url: keys::absolute(origin, &page),
        updated: entries.first().map_or(user.created_at, |e| e.published),
        entries,
    })
}

/// `/a/{id}/feed.atom`: a public album's photos that anyone may see there, newest added
/// first. An unlisted or private album has no feed (404, like a made-up id).
pub async fn album(
    p: &Platform,
    shows: &CacheTags,
    origin: &str,
    id: &str,
) -> Result<Feed, LumenError> {
    let album = p.albums.get(id).await?.ok_or(LumenError::NotFound)?;
    // Anyone's view (a suspended owner's album is gone), and public ones only.
    access::check_album(None, &album, access::AlbumAction::View)?;
    if album.visibility != Visibility::Public {
        return Err(LumenError::NotFound);
    }
    shows.add(tags::album(&album.id));
    shows.add(tags::user(&album.owner_id));
    let mut shown: Vec<_> = p
        .album_photos
        .entries(std::slice::from_ref(&album.id))
        .await?
        .into_iter()
        .filter(|e| access::shows_in_album(None, &album, &e.photo))
        .collect();
    shown.sort_by(|a, b| (b.added_at, &b.photo.id).cmp(&(a.added_at, &a.photo.id)));
    shown.truncate(FEED_ENTRIES as usize);
    let added: Vec<i64> = shown.iter().map(|e| e.added_at).collect();
    let owner = p.users.by_id(&album.owner_id).await?;
    let (author, author_page) = match owner {
        Some(u) => (u.display_name, format!("/u/{}", u.username)),
        None => (String::from("Lumen"), String::from("/")),
    };
    let page = format!("/a/{}", album.id);
    let shown = shown.into_iter().map(|e| e.photo).collect();
    let mut entries = entries(p, shows, origin, shown).await?;
    // In an album feed an entry is new when it was added.
    for (e, at) in entries.iter_mut().zip(added) {
        e.published = at;
    }
    Ok(Feed {
        self_url: keys::absolute(origin, &format!("{page}/feed.atom")),
        page_url: keys::absolute(origin, &page),
        title: album.title,
        author,
        author_url: keys::absolute(origin, &author_page),
        updated: entries.first().map_or(album.updated_at, |e| e.published),
        entries,
    })
}

/// `/t/{tag}/feed.atom`: the newest public, finished photos with that tag. A tag nobody
/// could have stored is an empty feed, as its page is an empty page.
pub async fn tag(
    p: &Platform,
    shows: &CacheTags,
    origin: &str,
    raw: &str,
) -> Result<Feed, LumenError> {
    let tag = crate::ssr::search::tag(raw)
        .ok()
        .flatten()
        .unwrap_or_default();
    let rows = p.search.tag_feed(&tag, FEED_ENTRIES).await?;
    let page = crate::components::listing::tag_href(&tag);
    shows.add(tags::FEED.into());
    let entries = entries(p, shows, origin, rows).await?;
    Ok(Feed {
        self_url: keys::absolute(origin, &format!("{page}/feed.atom")),
        page_url: keys::absolute(origin, &page),
        title: format!("#{tag} on Lumen"),
        author: String::from("Lumen"),
        author_url: keys::absolute(origin, "/"),
        updated: entries.first().map_or(0, |e| e.published),
        entries,
    })
}

/// Entries for the rows anyone may see (public and ready), in their order.
async fn entries(
    p: &Platform,
    shows: &CacheTags,
    origin: &str,
    rows: Vec<PhotoRow>,
) -> Result<Vec<Entry>, LumenError> {
    let rows: Vec<PhotoRow> = rows
        .into_iter()
        .filter(|r| r.visibility == Visibility::Public && r.status == PhotoStatus::Ready)
        .filter(|r| access::allows(None, r, access::Action::View))
        .collect();
    for r in &rows {
        shows.add(tags::photo(&r.id));
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut variants: HashMap<String, Vec<VariantRow>> = HashMap::new();
    for v in p.photos.variants(&ids).await? {
        variants.entry(v.photo_id.clone()).or_default().push(v);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let vs = variants.remove(&r.id).unwrap_or_default();
            let image = vs
                .iter()
                .filter(|v| v.width <= PREVIEW_MAX_WIDTH)
                .max_by_key(|v| v.width)
                .or_else(|| vs.iter().min_by_key(|v| v.width))
                .map(|v| Enclosure {
                    url: keys::absolute(origin, &keys::variant_url(&v.r2_key)),
                    mime: v.mime.clone(),
                    bytes: v.bytes,
                    width: v.width,
                    height: v.height,
                });
            let summary = if r.caption.is_empty() {
                r.alt
            } else {
                r.caption
            };
            Entry {
                url: keys::absolute(origin, &keys::photo_url(&r.id)),
                title: r.title,
                summary,
                published: r.created_at,
                image,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, user_row, Mem};
    use crate::ssr::ports::AlbumRow;

    const ORIGIN: &str = "https://lumen.test";

    fn photo(mem: &Mem, id: &str, at: i64, vis: Visibility, status: PhotoStatus) {
        let mut row = pending_row(id, at);
        row.visibility = vis;
        row.status = status;
        mem.insert(row);
        for w in [320, 1280, 2048] {
            mem.add_variant(id, w);
        }
    }

    fn setup() -> (Platform, std::sync::Arc<Mem>) {
        let (p, mem) = fake_platform();
        block_on(p.users.insert(&user_row("u1", "ada"))).unwrap();
        photo(&mem, "pub", 3, Visibility::Public, PhotoStatus::Ready);
        photo(&mem, "old", 1, Visibility::Public, PhotoStatus::Ready);
        photo(&mem, "unl", 4, Visibility::Unlisted, PhotoStatus::Ready);
        photo(&mem, "priv", 5, Visibility::Private, PhotoStatus::Ready);
        photo(&mem, "wip", 6, Visibility::Public, PhotoStatus::Pending);
        (p, mem)
    }

    #[test]
    fn a_persons_feed_has_only_public_ready_photos_with_absolute_urls() {
        let (p, _) = setup();
        let f = block_on(user(&p, &CacheTags::default(), ORIGIN, "ADA")).unwrap();
        let urls: Vec<&str> = f.entries.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(
            urls,
            ["https://lumen.test/p/pub", "https://lumen.test/p/old"]
        );
        assert_eq!(f.self_url, "https://lumen.test/u/ada/feed.atom");
        assert_eq!(f.updated, 3);
        let img = f.entries[0].image.as_ref().unwrap();
        assert_eq!(img.url, "https://lumen.test/media/pub/r/1280.jpg");
        assert_eq!((img.width, img.mime.as_str()), (1280, "image/jpeg"));
        assert_eq!(
            block_on(user(&p, &CacheTags::default(), ORIGIN, "nobody")),
            Err(LumenError::NotFound)
        );
    }

    #[test]
    fn each_feed_is_tagged_like_its_page_and_by_every_photo_it_shows() {
        let (p, _) = setup();
        let tagged = |f: &dyn Fn(&CacheTags)| {
            let t = CacheTags::default();
            f(&t);
            t.storable().unwrap_or_default()
        };
        let ada = tagged(&|t| {
            block_on(user(&p, t, ORIGIN, "ada")).unwrap();
        });
        assert_eq!(ada, ["photo:old", "photo:pub", "user:u1"]);
        block_on(p.tags.add("pub", &["sea".into()], 10)).unwrap();
        let sea = tagged(&|t| {
            block_on(tag(&p, t, ORIGIN, "sea")).unwrap();
        });
        assert_eq!(sea, ["feed", "photo:pub"]);
    }

    #[test]
    fn only_public_albums_have_feeds_and_only_with_public_photos() {
        let (p, _) = setup();
        for (id, vis) in [("a1", Visibility::Public), ("a2", Visibility::Unlisted)] {
            let a = AlbumRow {
                id: id.into(),
                owner_id: "u1".into(),
                title: "Trip & <b>".into(),
                description: String::new(),
                visibility: vis,
                cover_photo_id: None,
                sort: Default::default(),
                created_at: 1,
                updated_at: 2,
                owner_suspended: false,
            };
            block_on(p.albums.insert(&a)).unwrap();
            let items: Vec<(String, String)> = ["pub", "old", "unl", "priv", "wip"]
                .iter()
                .map(|i| (i.to_string(), format!("V{i}")))
                .collect();
            block_on(p.album_photos.add(id, &items, 10)).unwrap();
        }
        let f = block_on(album(&p, &CacheTags::default(), ORIGIN, "a1")).unwrap();
        let mut urls: Vec<&str> = f.entries.iter().map(|e| e.url.as_str()).collect();
        urls.sort();
        assert_eq!(
            urls,
            ["https://lumen.test/p/old", "https://lumen.test/p/pub"]
        );
        assert_eq!((f.title.as_str(), f.updated), ("Trip & <b>", 10));
        assert_eq!(
            block_on(album(&p, &CacheTags::default(), ORIGIN, "a2")),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(album(&p, &CacheTags::default(), ORIGIN, "zz")),
            Err(LumenError::NotFound)
        );

        // A suspended owner's feeds are gone, their profile and albums tab too; back after.
        block_on(p.admin.set_suspended("u1", Some(5))).unwrap();
        assert_eq!(
            block_on(album(&p, &CacheTags::default(), ORIGIN, "a1")),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(user(&p, &CacheTags::default(), ORIGIN, "ada")),
            Err(LumenError::NotFound)
        );
        let profile = block_on(crate::ssr::service::photos::profile(&p, None, "ada", None));
        assert_eq!(profile.err(), Some(LumenError::NotFound));
        let albums = block_on(crate::ssr::service::albums::of_user(&p, None, "ada"));
        assert_eq!(albums.err(), Some(LumenError::NotFound));
        block_on(p.admin.set_suspended("u1", None)).unwrap();
        assert!(block_on(album(&p, &CacheTags::default(), ORIGIN, "a1")).is_ok());
        assert!(block_on(user(&p, &CacheTags::default(), ORIGIN, "ada")).is_ok());
    }
}
