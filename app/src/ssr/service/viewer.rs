//! Previous / next on a photo page within the listing it was opened from. The listing
//! travels in the URL (`?in=feed`, `?in=u:ada`, `?in=tag:sea`, `?in=search:sunset`), so
//! the links survive a reload and work without JavaScript; each step is one keyset step
//! of that listing, by the listing's own rules for this viewer.

use super::photos::visible;
use crate::components::listing::{gear_href, tag_href};
use crate::components::paging::encode;
use crate::error::LumenError;
use crate::model::ContextNav;
use crate::ssr::access::{self, Action};
use crate::ssr::auth::Session;
use crate::ssr::ports::{Around, Listing};
use crate::ssr::{keys, search, Platform};

/// Longest `?in=` value read (a search is capped shorter still by its parser).
const MAX_IN: usize = 300;
/// The width the photo page shows (its `best_for`), for the preloads.
const PAGE_WIDTH: u32 = 1280;

/// Where `photo_id` sits in the listing `within` names: `None` when the value names no
/// listing Lumen has, or the listing does not show the photo to this viewer. A photo the
/// viewer may not see answers 404, as its page does.
pub async fn context(
    p: &Platform,
    viewer: Option<&Session>,
    photo_id: &str,
    within: &str,
) -> Result<Option<ContextNav>, LumenError> {
    let row = visible(p, viewer, photo_id, Action::View).await?;
    let who = viewer.map(|s| s.user.id.as_str());
    let within = within.trim();
    if within.len() > MAX_IN {
        return Ok(None);
    }
    let (kind, value) = within.split_once(':').unwrap_or((within, ""));
    let (around, label, back) = match (kind, value) {
        ("feed", "") => (Around::Feed, "Feed".to_string(), "/".to_string()),
        ("u", name) if !name.is_empty() => {
            let Some(owner) = p.users.by_username(&name.to_lowercase()).await? else {
                return Ok(None);
            };
            let all = access::lists_everything_of(who, &owner.id);
            let around = Around::Owner {
                owner_id: owner.id,
                all,
            };
            let back = format!("/u/{}", encode(&owner.username));
            (around, format!("@{}", owner.username), back)
        }
        ("tag", raw) => {
            let Some(tag) = search::tag(raw).ok().flatten() else {
                return Ok(None);
            };
            let back = tag_href(&tag);
            (
                Around::Of(Listing::Tag(tag.clone())),
                format!("#{tag}"),
                back,
            )
        }
        (kind @ ("camera" | "lens"), raw) if !raw.is_empty() => {
            let key = search::gear_key(raw);
            let of = if kind == "camera" {
                Listing::Camera(key)
            } else {
                Listing::Lens(key)
            };
            (Around::Of(of), raw.to_string(), gear_href(kind, raw))
        }
        ("search", raw) => {
            let Some(q) = search::parse(raw) else {
                return Ok(None);
            };
            let around = Around::Search {
                q,
                viewer: who.map(str::to_string),
            };
            let back = format!("/search?q={}", encode(raw));
            (around, format!("Search: {raw}"), back)
        }
        _ => return Ok(None),
    };
    let Some(n) = p
        .search
        .neighbours(&around, &(row.created_at, row.id.clone()))
        .await?
    else {
        return Ok(None);
    };
    let ids: Vec<String> = n.prev.iter().chain(n.next.iter()).cloned().collect();
    // One read for both neighbours' sizes.
    let variants = p.photos.variants(&ids).await?;
    let preload = ids
        .iter()
        .filter_map(|id| {
            variants
                .iter()
                .filter(|v| &v.photo_id == id && v.width <= PAGE_WIDTH)
                .max_by_key(|v| v.width)
                .map(|v| keys::variant_url(&v.r2_key))
        })
        .collect();
    let href = |id: &String| format!("/p/{id}?in={}", encode(within));
    Ok(Some(ContextNav {
        label,
        back,
        prev: n.prev.as_ref().map(href),
        next: n.next.as_ref().map(href),
        preload,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PhotoStatus, Visibility};
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session};

    /// u1 ("ada"): p1, p2 (private), p3 public and ready, oldest first; each 640 wide too.
    fn world() -> (Platform, std::sync::Arc<crate::ssr::fakes::Mem>) {
        let (p, mem) = fake_platform();
        for (i, id) in ["p1", "p2", "p3"].into_iter().enumerate() {
            let mut r = pending_row(id, i as i64 + 1);
            r.status = PhotoStatus::Ready;
            if id == "p2" {
                r.visibility = Visibility::Private;
            }
            mem.insert(r);
            mem.add_variant(id, 640);
        }
        (p, mem)
    }

    fn nav(
        p: &Platform,
        viewer: Option<&Session>,
        id: &str,
        within: &str,
    ) -> Result<Option<ContextNav>, LumenError> {
        block_on(context(p, viewer, id, within))
    }

    #[test]
    fn the_feed_links_its_neighbours_and_fetches_their_images_ahead() -> Result<(), LumenError> {
        let (p, _) = world();
        let n = nav(&p, None, "p3", "feed")?.ok_or(LumenError::NotFound)?;
        assert_eq!(n.prev, None);
        // p2 is private: the feed goes on to p1.
        assert_eq!(n.next.as_deref(), Some("/p/p1?in=feed"));
        assert_eq!(n.back, "/");
        assert_eq!(n.preload.len(), 1);
        assert!(n.preload[0].contains("p1"), "{:?}", n.preload);
        let n = nav(&p, None, "p1", "feed")?.ok_or(LumenError::NotFound)?;
        assert_eq!(n.prev.as_deref(), Some("/p/p3?in=feed"));
        assert_eq!(n.next, None);
        Ok(())
    }

    #[test]
    fn the_owner_steps_through_everything_on_their_profile() -> Result<(), LumenError> {
        let (p, _) = world();
        let ada = session(&p, "u1", "ada");
        let n = nav(&p, Some(&ada), "p3", "u:ada")?.ok_or(LumenError::NotFound)?;
        assert_eq!(n.next.as_deref(), Some("/p/p2?in=u%3Aada"));
        assert_eq!((n.label.as_str(), n.back.as_str()), ("@ada", "/u/ada"));
        // A stranger's view of the same profile skips the private photo.
        let bob = session(&p, "u2", "bob");
        let n = nav(&p, Some(&bob), "p3", "u:ada")?.ok_or(LumenError::NotFound)?;
        assert_eq!(n.next.as_deref(), Some("/p/p1?in=u%3Aada"));
        Ok(())
    }

    #[test]
    fn what_the_viewer_may_not_see_is_not_found() {
        let (p, _) = world();
        let bob = session(&p, "u2", "bob");
        for who in [None, Some(&bob)] {
            for id in ["p2", "nope"] {
                assert_eq!(
                    nav(&p, who, id, "feed").map(|_| ()),
                    Err(LumenError::NotFound)
                );
            }
        }
    }

    #[test]
    fn unknown_or_hostile_listings_give_no_links() -> Result<(), LumenError> {
        let (p, _) = world();
        let long = "x".repeat(MAX_IN + 1);
        for within in [
            "",
            "nope",
            "u:",
            "u:nobody",
            "tag:",
            "search:",
            "album:p1",
            "<script>alert(1)</script>",
            "tag:<img src=x onerror=alert(1)>",
            "u:ada' OR '1'='1",
            "\u{202e}feed",
            long.as_str(),
        ] {
            assert_eq!(nav(&p, None, "p3", within)?, None, "{within:?}");
        }
        // The private photo is in its owner's listings, not in the feed.
        let ada = session(&p, "u1", "ada");
        assert_eq!(nav(&p, Some(&ada), "p2", "feed")?, None);
        Ok(())
    }
}
