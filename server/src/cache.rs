//! The edge cache over the Workers Cache API (`caches.default`), with the tag index in D1
//! (README, "Edge cache"): what is looked up and stored, and the `EdgeCache` adapter that
//! purges by tag. What may be stored and under which tags is decided in `app::ssr::cache`.

use app::ssr::cache::{self as policy, CacheTags};
use app::ssr::ports::{EdgeCache, PortError, PortResult};
use async_trait::async_trait;
use axum::http::{header, HeaderMap, Method};
use worker::send::{SendFuture, SendWrapper};
use worker::{Cache, D1Database};

use crate::d1::cache as index;

/// Says whether a response came from the cache (`hit`) or was rendered and stored (`miss`);
/// tests and `make bench` read it.
pub const HEADER: &str = "x-lumen-cache";

/// How a request meets the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Always runs: a write, a signed-in person's page or anything carrying a link's unlock
    /// cookie, a page not in `cacheable_page`.
    Bypass,
    /// An anonymous GET of a public page: served from the cache, else rendered and stored
    /// if its render collected tags and nothing personal.
    Page,
    /// An anonymous GET of a share link's page: as `Page`, but a stored copy is served only
    /// once D1 says the link is still open to anyone (that check counts the view), and the
    /// answer stays `private` for everything but this cache.
    Link,
    /// A variant: the same bytes for whoever asks when it is public (its URL carries the
    /// content revision), so the cookie does not matter; non-public ones are `private`
    /// and never stored.
    Media,
}

pub fn kind(method: &Method, path: &str, personal: bool) -> Kind {
    if method != Method::GET {
        Kind::Bypass
    } else if path.starts_with("/media/") {
        Kind::Media
    } else if !personal && policy::cacheable_page(path) {
        match policy::link_page(path) {
            Some(_) => Kind::Link,
            None => Kind::Page,
        }
    } else {
        Kind::Bypass
    }
}

/// The tags to store a response under, or `None` to leave it out of the cache.
pub fn storable(
    kind: Kind,
    path: &str,
    status: u16,
    h: &HeaderMap,
    render: &CacheTags,
) -> Option<Vec<String>> {
    let control = h
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let private = control.contains("private") || control.contains("no-store");
    if status != 200 || h.contains_key(header::SET_COOKIE) {
        return None;
    }
    match kind {
        Kind::Bypass => None,
        Kind::Page if private => None,
        Kind::Page => render.storable(),
        // Only the policy a link page answers anonymous readers with (`LINK_PAGE`); a
        // protected one, or one for a signed-in person, says `PERSONAL`.
        Kind::Link if control != app::http::cache::LINK_PAGE => None,
        Kind::Link => render.storable(),
        Kind::Media => control
            .starts_with("public")
            .then(|| policy::media_tag(path))
            .flatten()
            .map(|t| vec![t]),
    }
}

/// The stored response for `url`, if any. A cache that fails is a miss.
pub async fn lookup(url: &str) -> Option<web_sys::Response> {
    match Cache::default().get(url, false).await {
        Ok(hit) => hit.map(Into::into),
        Err(e) => {
            worker::console_warn!("cache lookup failed: {e}");
            None
        }
    }
}

/// How a hit is answered: as stored, except a link page, which goes out only if its link is
/// still open to anyone (counting the view), under the link's own `private` policy. A
/// stale copy (link revoked, expired, given a password, also when its purge was lost) is
/// deleted and the request renders (`None`), which answers 404 or the password form.
pub async fn serve(
    kind: Kind,
    path: &str,
    url: &str,
    hit: web_sys::Response,
    db: Option<&D1Database>,
) -> Option<web_sys::Response> {
    if kind != Kind::Link {
        return Some(hit);
    }
    let (token, counts) = policy::link_page(path)?;
    let now = worker::Date::now().as_millis() as i64;
    match index::link_open(db?, token, counts, now).await {
        Ok(true) => relabel(&hit, app::http::cache::LINK_PAGE)
            .map_err(|e| worker::console_warn!("cache hit unusable: {e:?}"))
            .ok(),
        Ok(false) => {
            if let Err(e) = Cache::default().delete(url, false).await {
                worker::console_warn!("stale link page not deleted: {e}");
            }
            None
        }
        Err(e) => {
            worker::console_warn!("link check failed, rendering: {e}");
            None
        }
    }
}

/// The same response under another `Cache-Control` (a cached response's headers may be
/// immutable, so this is a new one over the same body).
fn relabel(
    hit: &web_sys::Response,
    control: &str,
) -> Result<web_sys::Response, wasm_bindgen::JsValue> {
    let headers = web_sys::Headers::new_with_headers(&hit.headers())?;
    headers.set(header::CACHE_CONTROL.as_str(), control)?;
    let init = web_sys::ResponseInit::new();
    init.set_status(hit.status());
    init.set_headers(&headers);
    web_sys::Response::new_with_opt_readable_stream_and_init(hit.body().as_ref(), &init)
}

/// Files `url` under `tags` in the index, then stores `copy` (index first: a purge that
/// runs in between finds the URL and deletes it, rather than missing it).
pub async fn store(db: &D1Database, url: &str, tags: &[String], copy: web_sys::Response) {
    let now = worker::Date::now().as_millis() as i64;
    if let Err(e) = index::remember(db, url, tags, now).await {
        worker::console_warn!("cache index failed, not stored: {e}");
        return;
    }
    if let Err(e) = Cache::default()
        .put(url, worker::Response::from(copy))
        .await
    {
        worker::console_warn!("cache put failed: {e}");
    }
}

/// Purge by tag: the index names the URLs, each is deleted from the cache, then forgotten.
pub struct CfEdgeCache(SendWrapper<D1Database>);

impl CfEdgeCache {
    pub fn new(db: D1Database) -> Self {
        Self(SendWrapper::new(db))
    }
}

#[async_trait]
impl EdgeCache for CfEdgeCache {
    async fn purge(&self, tags: &[String]) -> PortResult<()> {
        SendFuture::new(async move {
            let urls = index::urls(&self.0, tags).await?;
            let cache = Cache::default();
            for url in &urls {
                cache
                    .delete(url.as_str(), false)
                    .await
                    .map_err(|e| PortError::Unavailable(format!("cache delete: {e}")))?;
            }
            index::forget(&self.0, &urls).await?;
            worker::console_log!("PURGE {} urls={}", tags.join(","), urls.len());
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k, HeaderValue::from_static(v));
        }
        h
    }

    fn tagged() -> CacheTags {
        let t = CacheTags::default();
        t.add("feed".into());
        t
    }

    #[test]
    fn signed_in_and_writes_bypass_pages_media_do_not() {
        assert_eq!(kind(&Method::GET, "/", false), Kind::Page);
        assert_eq!(kind(&Method::GET, "/", true), Kind::Bypass);
        assert_eq!(kind(&Method::POST, "/", false), Kind::Bypass);
        assert_eq!(kind(&Method::GET, "/settings", false), Kind::Bypass);
        assert_eq!(kind(&Method::GET, "/media/a/r/320.webp", true), Kind::Media);
        assert_eq!(kind(&Method::GET, "/s/tok", false), Kind::Link);
        assert_eq!(kind(&Method::GET, "/s/tok/p/ph", false), Kind::Link);
        assert_eq!(kind(&Method::GET, "/s/tok", true), Kind::Bypass);
        assert_eq!(kind(&Method::GET, "/s/tok/download", false), Kind::Bypass);
        assert_eq!(kind(&Method::GET, "/u/ana/feed.atom", false), Kind::Page);
        assert_eq!(
            kind(&Method::POST, "/media/a/r/320.webp", false),
            Kind::Bypass
        );
    }

    #[test]
    fn only_plain_public_answers_are_stored() {
        let ok = headers(&[(header::CACHE_CONTROL, "no-cache")]);
        assert_eq!(
            storable(Kind::Page, "/", 200, &ok, &tagged()),
            Some(vec!["feed".into()])
        );
        assert_eq!(storable(Kind::Page, "/", 404, &ok, &tagged()), None);
        assert_eq!(
            storable(Kind::Page, "/", 200, &ok, &CacheTags::default()),
            None
        );
        let personal = tagged();
        personal.mark_personal();
        assert_eq!(storable(Kind::Page, "/", 200, &ok, &personal), None);
        let cookie = headers(&[(header::SET_COOKIE, "a=b")]);
        assert_eq!(storable(Kind::Page, "/", 200, &cookie, &tagged()), None);
        let link = headers(&[(header::CACHE_CONTROL, app::http::cache::LINK_PAGE)]);
        assert_eq!(storable(Kind::Page, "/s/t", 200, &link, &tagged()), None);
        assert_eq!(
            storable(Kind::Link, "/s/t", 200, &link, &tagged()),
            Some(vec!["feed".into()])
        );
        let protected = headers(&[(header::CACHE_CONTROL, app::http::cache::PERSONAL)]);
        assert_eq!(
            storable(Kind::Link, "/s/t", 200, &protected, &tagged()),
            None
        );
        assert_eq!(storable(Kind::Link, "/s/t", 404, &link, &tagged()), None);
        let feed = headers(&[(header::CACHE_CONTROL, app::http::cache::FEED)]);
        assert_eq!(
            storable(Kind::Page, "/u/a/feed.atom", 200, &feed, &tagged()),
            Some(vec!["feed".into()])
        );
        let media = "/media/ph1/r1/320.webp";
        let public = headers(&[(header::CACHE_CONTROL, app::http::cache::PUBLIC_MEDIA)]);
        let private = headers(&[(header::CACHE_CONTROL, app::http::cache::PRIVATE_MEDIA)]);
        let none = CacheTags::default();
        assert_eq!(
            storable(Kind::Media, media, 200, &public, &none),
            Some(vec!["photo:ph1".into()])
        );
        assert_eq!(storable(Kind::Media, media, 200, &private, &none), None);
        assert_eq!(storable(Kind::Bypass, "/", 200, &ok, &tagged()), None);
    }
}
