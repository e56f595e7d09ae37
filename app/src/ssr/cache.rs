//! What the edge cache may keep, and under which tags (README, "Edge cache").
//!
//! A page rendered for an anonymous reader collects a tag for each thing it shows (the
//! feed, each photo, each owner, album and share link); the Worker stores it only if it
//! collected at least one tag and nothing marked it personal. A change purges the tags of
//! what it changed (`service::cache`), so every stored page showing it goes at once.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use super::keys;

/// Every listing that any public photo may enter: the home feed, tag, camera, lens and
/// search pages, and the tag feeds.
pub const FEED: &str = "feed";

pub fn photo(id: &str) -> String {
    format!("photo:{id}")
}

pub fn user(id: &str) -> String {
    format!("user:{id}")
}

pub fn album(id: &str) -> String {
    format!("album:{id}")
}

pub fn link(id: &str) -> String {
    format!("link:{id}")
}

/// The tags one response collects while it renders. The Worker puts one in the request's
/// extensions; pages and services add to it through `tag` and `personal`.
#[derive(Clone, Default)]
pub struct CacheTags(Arc<Mutex<Collected>>);

#[derive(Default)]
struct Collected {
    tags: BTreeSet<String>,
    personal: bool,
}

impl CacheTags {
    pub fn add(&self, tag: String) {
        if let Ok(mut c) = self.0.lock() {
            c.tags.insert(tag);
        }
    }

    pub fn mark_personal(&self) {
        if let Ok(mut c) = self.0.lock() {
            c.personal = true;
        }
    }

    /// The tags to store the response under, or `None` when it must not be stored: it
    /// showed something about the person asking, or nothing that a purge could reach.
    pub fn storable(&self) -> Option<Vec<String>> {
        let c = self.0.lock().ok()?;
        (!c.personal && !c.tags.is_empty()).then(|| c.tags.iter().cloned().collect())
    }
}

fn current() -> Option<CacheTags> {
    use leptos::prelude::use_context;
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CacheTags>().cloned())
}

/// Notes that the response being rendered shows what `tag` names.
pub fn tag(tag: String) {
    if let Some(c) = current() {
        c.add(tag);
    }
}

/// Notes each photo a listing shows.
pub fn photos<'a>(ids: impl IntoIterator<Item = &'a str>) {
    if let Some(c) = current() {
        for id in ids {
            c.add(photo(id));
        }
    }
}

/// The response depends on who is asking: it is never stored.
pub fn personal() {
    if let Some(c) = current() {
        c.mark_personal();
    }
}

/// Anonymous GETs of these paths are looked up in the cache, and stored when their render
/// collected tags. Anything else (forms, the API, uploads, dev tools) always runs.
pub fn cacheable_page(path: &str) -> bool {
    let mut parts = path.trim_start_matches('/').split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(""), None, ..) | (Some("search"), None, ..) => true,
        (Some("p" | "u" | "a" | "t" | "camera" | "lens"), Some(x), None, _) => !x.is_empty(),
        (Some("u" | "a" | "t"), Some(x), Some("feed.atom"), None) => !x.is_empty(),
        // A share link's page and its photos; not its media, originals or download.
        (Some("s"), Some(t), None, _) => !t.is_empty(),
        (Some("s"), Some(t), Some("p"), Some(id)) => {
            !t.is_empty() && !id.is_empty() && parts.next().is_none()
        }
        _ => false,
    }
}

/// A share link's page (`/s/{token}`, `/s/{token}/p/{photo}`): its token, and whether a
/// view of it counts (the link's own page does; an album link's photo pages do not).
/// A cached copy is served only after the Worker finds the link still open to anyone.
pub fn link_page(path: &str) -> Option<(&str, bool)> {
    let rest = path.strip_prefix("/s/")?;
    if !cacheable_page(path) {
        return None;
    }
    match rest.split_once('/') {
        None => Some((rest, true)),
        Some((token, _)) => Some((token, false)),
    }
}

/// The request carries a share link's unlock cookie (`auth::LINK_COOKIE`, either name):
/// whatever it asks for is answered by the Worker and never stored.
pub fn unlocks(cookie_header: Option<&str>) -> bool {
    cookie_header.is_some_and(|h| {
        h.split(';')
            .filter_map(|kv| kv.split_once('='))
            .any(|(k, _)| {
                let k = k.trim();
                k.strip_prefix("__Secure-").unwrap_or(k) == super::auth::LINK_COOKIE
            })
    })
}

/// The tag of a public variant (`/media/…`): the photo it belongs to.
pub fn media_tag(path: &str) -> Option<String> {
    keys::variant_from_path(path).map(|(id, _)| photo(&id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_reading_pages_are_cacheable() {
        for p in [
            "/",
            "/p/abc",
            "/u/ana",
            "/a/x1",
            "/t/sea",
            "/search",
            "/camera/Fuji",
            "/lens/35",
            "/u/ana/feed.atom",
            "/a/x1/feed.atom",
            "/t/sea/feed.atom",
            "/s/tok",
            "/s/tok/p/abc",
        ] {
            assert!(cacheable_page(p), "{p}");
        }
        for p in [
            "/api/list_photos",
            "/upload",
            "/settings",
            "/liked",
            "/signin",
            "/signup",
            "/_design",
            "/_dev/sign-in/ana",
            "/p/",
            "/p/abc/edit",
            "/s/tok/download",
            "/s/tok/media/a/b/1.webp",
            "/s/tok/original/abc",
            "/original/abc",
            "/a/x1/download",
            "/media/a/r/320.webp",
        ] {
            assert!(!cacheable_page(p), "{p}");
        }
    }

    #[test]
    fn a_response_is_storable_only_with_tags_and_nothing_personal() {
        let t = CacheTags::default();
        assert_eq!(t.storable(), None);
        t.add(FEED.into());
        t.add(photo("b"));
        t.add(photo("b"));
        assert_eq!(t.storable(), Some(vec!["feed".into(), "photo:b".into()]));
        t.mark_personal();
        assert_eq!(t.storable(), None);
    }

    #[test]
    fn link_pages_name_their_token_and_only_the_links_own_page_counts() {
        assert_eq!(link_page("/s/tok"), Some(("tok", true)));
        assert_eq!(link_page("/s/tok/p/ph1"), Some(("tok", false)));
        for p in [
            "/s/",
            "/s/tok/download",
            "/s/tok/p/",
            "/p/abc",
            "/s/tok/p/a/b",
        ] {
            assert_eq!(link_page(p), None, "{p}");
        }
    }

    #[test]
    fn an_unlock_cookie_under_either_name_keeps_a_request_out_of_the_cache() {
        assert!(unlocks(Some("lumen_link=1.ab")));
        assert!(unlocks(Some("a=b; __Secure-lumen_link=1.ab")));
        assert!(!unlocks(Some("lumen_link_x=1; a=lumen_link")));
        assert!(!unlocks(None));
    }

    #[test]
    fn media_is_tagged_by_its_photo() {
        assert_eq!(
            media_tag("/media/abc/r1/320.webp").as_deref(),
            Some("photo:abc")
        );
        assert_eq!(media_tag("/media/../x"), None);
    }
}
