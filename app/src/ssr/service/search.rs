//! Tags on photos, the tag, camera and lens listings, and search. Tags change only through
//! `access::check(Edit)`; listings show public, finished photos; a search finds what
//! other listings would show the viewer, their own photos of every kind included.

use crate::error::LumenError;
use crate::model::PhotoPage;
use crate::ssr::access::{self, Action};
use crate::ssr::auth::Session;
use crate::ssr::cache as tags;
use crate::ssr::cursor::{self, Cursor, PAGE_SIZE};
use crate::ssr::ports::{CardRow, Listing};
use crate::ssr::search::{self, MAX_TAGS};
use crate::ssr::service::cache;
use crate::ssr::service::photos::{before as cursor_of, cards, visible};
use crate::ssr::Platform;

/// The tags of a photo the viewer may see (else `NotFound`), alphabetical.
pub async fn tags_of(
    p: &Platform,
    viewer: Option<&Session>,
    photo_id: &str,
) -> Result<Vec<String>, LumenError> {
    visible(p, viewer, photo_id, Action::View).await?;
    Ok(p.tags.of_photo(photo_id).await?)
}

/// Adds the comma-separated tags in `raw` (the owner only).
pub async fn add_tags(
    p: &Platform,
    s: &Session,
    photo_id: &str,
    raw: &str,
) -> Result<(), LumenError> {
    let row = visible(p, Some(s), photo_id, Action::Edit).await?;
    let wanted = search::tags(raw)?;
    if wanted.is_empty() {
        return Err(LumenError::invalid(
            "tags",
            "Type a tag (commas between several).",
        ));
    }
    let have = p.tags.of_photo(photo_id).await?;
    let new: Vec<String> = wanted.into_iter().filter(|t| !have.contains(t)).collect();
    if new.is_empty() {
        return Ok(());
    }
    let too_many = || LumenError::invalid("tags", format!("A photo has at most {MAX_TAGS} tags."));
    if have.len() + new.len() > MAX_TAGS as usize {
        return Err(too_many());
    }
    // All or none, and the cap holds in D1 even against a concurrent add.
    match p.tags.add(photo_id, &new, MAX_TAGS).await? {
        0 => Err(too_many()),
        _ => {
            cache::photo_changed(p, &row).await;
            Ok(())
        }
    }
}

/// Removes one tag (the owner only); removing a tag the photo lacks changes nothing.
pub async fn remove_tag(
    p: &Platform,
    s: &Session,
    photo_id: &str,
    raw: &str,
) -> Result<(), LumenError> {
    let row = visible(p, Some(s), photo_id, Action::Edit).await?;
    // A tag stored before a rule changed is still removable: try it as sent too.
    let normal = search::tag(raw).ok().flatten();
    if let Some(t) = &normal {
        p.tags.remove(photo_id, t).await?;
    }
    if normal.as_deref() != Some(raw) {
        p.tags.remove(photo_id, raw).await?;
    }
    cache::photo_changed(p, &row).await;
    Ok(())
}

/// `/t/{tag}`, `/camera/{name}`, `/lens/{name}`: public, finished photos, newest first.
pub async fn listing(
    p: &Platform,
    of: Listing,
    before: Option<&str>,
) -> Result<PhotoPage, LumenError> {
    let before = cursor_of(before)?;
    tags::tag(tags::FEED.into());
    let of = match of {
        // A tag nobody could have stored lists nothing (no error: the URL is just empty).
        Listing::Tag(t) => Listing::Tag(search::tag(&t).ok().flatten().unwrap_or_default()),
        Listing::Camera(k) => Listing::Camera(search::gear_key(&k)),
        Listing::Lens(k) => Listing::Lens(search::gear_key(&k)),
    };
    let rows = p
        .search
        .listing(&of, before.as_ref(), PAGE_SIZE + 1)
        .await?;
    // Public listings: the same for everyone, the owner included.
    page(p, None, rows).await
}

/// `/search?q=…`: `None` when the query holds nothing to search for.
pub async fn search(
    p: &Platform,
    viewer: Option<&Session>,
    q: &str,
    before: Option<&str>,
) -> Result<Option<PhotoPage>, LumenError> {
    let before = cursor_of(before)?;
    tags::tag(tags::FEED.into());
    let Some(query) = search::parse(q) else {
        return Ok(None);
    };
    let who = viewer.map(|s| s.user.id.as_str());
    let rows = p
        .search
        .search(&query, who, before.as_ref(), PAGE_SIZE + 1)
        .await?;
    page(p, who, rows).await.map(Some)
}

/// One page of newest-first `rows` (fetched one past the page), each row checked again
/// against the listing rule (the query already applied it; the cursor stays the last
/// row fetched, so nothing is skipped).
async fn page(
    p: &Platform,
    viewer: Option<&str>,
    rows: Vec<CardRow>,
) -> Result<PhotoPage, LumenError> {
    let (rows, next) = cursor::page(rows, PAGE_SIZE, |r| Cursor::of_time(r.created_at, &r.id));
    let rows = rows
        .into_iter()
        .filter(|r| access::listed(viewer, r))
        .collect();
    Ok(PhotoPage {
        photos: cards(p, rows).await?,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PhotoStatus, Visibility};
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session, Mem};
    use std::sync::Arc;

    fn photo(mem: &Arc<Mem>, id: &str, at: i64, vis: Visibility, status: PhotoStatus) {
        let mut r = pending_row(id, at);
        r.visibility = vis;
        r.status = status;
        r.title = format!("{id} by the sea");
        r.exif_json = Some(r#"{"make":"Canon","model":"Canon EOS R5","lens":"EF 50mm f/1.8","taken_at":"2024-06-01T10:00:00"}"#.into());
        mem.insert(r);
    }

    fn ids(page: &PhotoPage) -> Vec<&str> {
        page.photos.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn owner_adds_and_removes_tags_others_cannot() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        photo(&mem, "a", 1, Visibility::Public, PhotoStatus::Ready);
        block_on(add_tags(&p, &ada, "a", " Sea, #SKY ,sea")).unwrap();
        assert_eq!(block_on(tags_of(&p, None, "a")).unwrap(), ["sea", "sky"]);
        assert_eq!(
            block_on(add_tags(&p, &bob, "a", "mine")),
            Err(LumenError::Forbidden)
        );
        assert_eq!(
            block_on(remove_tag(&p, &bob, "a", "sea")),
            Err(LumenError::Forbidden)
        );
        block_on(remove_tag(&p, &ada, "a", "SEA")).unwrap();
        assert_eq!(block_on(tags_of(&p, None, "a")).unwrap(), ["sky"]);
        assert_eq!(
            block_on(add_tags(&p, &ada, "a", " , ")).map_err(|e| e.status()),
            Err(422)
        );
        // Private: others get the same 404 as for a made-up id.
        photo(&mem, "b", 2, Visibility::Private, PhotoStatus::Ready);
        assert_eq!(
            block_on(add_tags(&p, &bob, "b", "x")),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(tags_of(&p, Some(&bob), "b")),
            Err(LumenError::NotFound)
        );
        assert_eq!(block_on(tags_of(&p, None, "zz")), Err(LumenError::NotFound));
    }

    #[test]
    fn at_most_twenty_tags() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        photo(&mem, "a", 1, Visibility::Public, PhotoStatus::Ready);
        let nineteen: Vec<String> = (0..19).map(|i| format!("t{i}")).collect();
        block_on(add_tags(&p, &ada, "a", &nineteen.join(","))).unwrap();
        assert_eq!(
            block_on(add_tags(&p, &ada, "a", "x, y")).map_err(|e| e.status()),
            Err(422)
        );
        block_on(add_tags(&p, &ada, "a", "x, t1")).unwrap();
        assert_eq!(block_on(tags_of(&p, None, "a")).unwrap().len(), 20);
        // Already there: nothing to add, no error.
        block_on(add_tags(&p, &ada, "a", "t2")).unwrap();
    }

    #[test]
    fn listings_show_public_ready_photos_paged() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        for i in 0..35 {
            photo(
                &mem,
                &format!("p{i:02}"),
                i,
                Visibility::Public,
                PhotoStatus::Ready,
            );
            block_on(add_tags(&p, &ada, &format!("p{i:02}"), "sea")).unwrap();
        }
        photo(
            &mem,
            "hidden",
            100,
            Visibility::Unlisted,
            PhotoStatus::Ready,
        );
        photo(&mem, "secret", 101, Visibility::Private, PhotoStatus::Ready);
        photo(&mem, "busy", 102, Visibility::Public, PhotoStatus::Pending);
        for id in ["hidden", "secret", "busy"] {
            block_on(add_tags(&p, &ada, id, "sea")).unwrap();
        }
        let first = block_on(listing(&p, Listing::Tag("SEA".into()), None)).unwrap();
        assert_eq!(first.photos.len(), PAGE_SIZE as usize);
        assert_eq!(ids(&first)[0], "p34");
        let next = first.next.clone().unwrap();
        let second = block_on(listing(&p, Listing::Tag("sea".into()), Some(&next))).unwrap();
        assert_eq!(ids(&second), ["p04", "p03", "p02", "p01", "p00"]);
        assert_eq!(second.next, None);
        for of in [
            Listing::Camera("Canon EOS R5".into()),
            Listing::Lens("ef 50mm f/1.8".into()),
        ] {
            let page = block_on(listing(&p, of, None)).unwrap();
            assert_eq!(page.photos.len(), PAGE_SIZE as usize);
            assert!(!ids(&page)
                .iter()
                .any(|id| ["hidden", "secret", "busy"].contains(id)));
        }
        assert_eq!(
            block_on(listing(&p, Listing::Tag("sea".into()), Some("bad"))).map_err(|e| e.status()),
            Err(400)
        );
        assert!(block_on(listing(&p, Listing::Tag("a/b".into()), None))
            .unwrap()
            .photos
            .is_empty());
    }

    #[test]
    fn search_finds_public_and_all_of_your_own() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        photo(&mem, "pub", 1, Visibility::Public, PhotoStatus::Ready);
        photo(&mem, "unl", 2, Visibility::Unlisted, PhotoStatus::Ready);
        photo(&mem, "pri", 3, Visibility::Private, PhotoStatus::Ready);
        photo(&mem, "pen", 4, Visibility::Public, PhotoStatus::Pending);
        let find = |who: Option<&Session>, q: &str| {
            block_on(search(&p, who, q, None))
                .unwrap()
                .map(|page| ids(&page).iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(find(None, "sea").unwrap(), ["pub"]);
        assert_eq!(find(Some(&bob), "sea").unwrap(), ["pub"]);
        assert_eq!(
            find(Some(&ada), "sea").unwrap(),
            ["pen", "pri", "unl", "pub"]
        );
        assert_eq!(
            find(None, "by:ada camera:eos taken:2024-06").unwrap(),
            ["pub"]
        );
        assert_eq!(find(None, "taken:2023").unwrap(), Vec::<String>::new());
        assert_eq!(find(None, "  "), None);
        assert_eq!(
            block_on(search(&p, None, "sea", Some("1.x.y.z"))).map_err(|e| e.status()),
            Err(400)
        );
    }
}
