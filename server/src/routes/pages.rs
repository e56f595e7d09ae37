//! Pages rendered data first (`app::ssr::render`), answered here ahead of the router: the
//! page's server function runs, then the page renders in one pass.

use app::api::photos::list_photos;
use app::api::search::{list_by_gear, list_tagged, search_photos};
use app::pages::feed::FeedPage;
use app::pages::gear::GearPage;
use app::pages::photo::{self, PhotoPage};
use app::pages::profile::{load_profile, ProfilePage};
use app::pages::search::SearchPage;
use app::pages::tag::TagPage;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use worker::send::SendFuture;

use super::query;
use crate::router::options;

/// `GET /`: the feed, `?before=` a page.
pub async fn feed(req: Request) -> Response {
    let before = query(req.uri(), "before");
    render(
        req,
        move || list_photos(before),
        |page| view! { <FeedPage page /> }.into_any(),
    )
    .await
}

/// The pages rendered data first besides the feed, each also at its path with one trailing
/// slash, as Leptos' router matched them.
pub fn routes() -> Router<LeptosOptions> {
    let pages: [(&str, Page); 6] = [
        ("/p/{id}", |r| Box::pin(photo(r))),
        ("/t/{tag}", |r| Box::pin(tag(r))),
        ("/camera/{name}", |r| Box::pin(camera(r))),
        ("/lens/{name}", |r| Box::pin(lens(r))),
        ("/search", |r| Box::pin(search(r))),
        ("/u/{username}", |r| Box::pin(profile(r))),
    ];
    pages
        .into_iter()
        .fold(Router::new(), |router, (path, page)| {
            router
                .route(path, get(page))
                .route(&format!("{path}/"), get(page))
        })
}

type Page = fn(Request) -> Pin<Box<dyn Future<Output = Response> + Send>>;

/// `GET /p/{id}`: a photo, with everything around it.
pub async fn photo(req: Request) -> Response {
    let id = segment(req.uri(), "/p/");
    render(
        req,
        move || photo::load(id),
        |page| view! { <PhotoPage page /> }.into_any(),
    )
    .await
}

/// `GET /t/{tag}`: a tag's photos, `?before=` a page.
pub async fn tag(req: Request) -> Response {
    listing(req, "/t/", list_tagged, |tag, page| {
        view! { <TagPage tag page /> }.into_any()
    })
    .await
}

/// `GET /camera/{name}`: a camera's photos, `?before=` a page.
pub async fn camera(req: Request) -> Response {
    gear(req, "camera", "Camera").await
}

/// `GET /lens/{name}`: a lens's photos, `?before=` a page.
pub async fn lens(req: Request) -> Response {
    gear(req, "lens", "Lens").await
}

async fn gear(req: Request, kind: &'static str, label: &'static str) -> Response {
    listing(
        req,
        &format!("/{kind}/"),
        move |name, before| list_by_gear(kind.to_string(), name, before),
        move |name, page| view! { <GearPage kind label name page /> }.into_any(),
    )
    .await
}

/// A listing named by its path's last segment (after `prefix`), `?before=` a page: `load`
/// gets the name and the cursor, `view` the name and what was loaded.
async fn listing<D, Fut>(
    req: Request,
    prefix: &str,
    load: impl FnOnce(String, Option<String>) -> Fut,
    view: impl FnOnce(String, D) -> AnyView,
) -> Response
where
    Fut: Future<Output = D>,
{
    let name = segment(req.uri(), prefix);
    let before = query(req.uri(), "before");
    let shown = name.clone();
    render(
        req,
        move || load(name, before),
        move |data| view(shown, data),
    )
    .await
}

/// `GET /search`: `?q=` the search, `?before=` a page.
pub async fn search(req: Request) -> Response {
    let q = query(req.uri(), "q").unwrap_or_default();
    let before = query(req.uri(), "before");
    let shown = q.clone();
    render(
        req,
        move || search_photos(q, before),
        move |found| view! { <SearchPage q=shown found /> }.into_any(),
    )
    .await
}

/// `GET /u/{username}`: a person's photos (`?before=` a page) or albums (`?tab=albums`).
pub async fn profile(req: Request) -> Response {
    let username = segment(req.uri(), "/u/");
    let before = query(req.uri(), "before");
    let albums_tab = query(req.uri(), "tab").as_deref() == Some("albums");
    let deleted = query(req.uri(), "deleted").is_some();
    render(
        req,
        move || load_profile(username, before, albums_tab),
        move |data| view! { <ProfilePage data albums_tab deleted /> }.into_any(),
    )
    .await
}

/// The path's last segment, after `prefix` (the route has one parameter there, perhaps
/// followed by a slash), decoded as Leptos' router decodes one: bytes that are not UTF-8
/// become U+FFFD (the page then says what it finds for that), where axum's `Path` would
/// answer 400.
fn segment(uri: &axum::http::Uri, prefix: &str) -> String {
    let raw = uri.path().strip_prefix(prefix).unwrap_or_default();
    let raw = raw.strip_suffix('/').unwrap_or(raw);
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

async fn render<D, Fut>(
    req: Request,
    load: impl FnOnce() -> Fut,
    view: impl FnOnce(D) -> AnyView,
) -> Response
where
    Fut: std::future::Future<Output = D>,
{
    let (parts, _) = req.into_parts();
    let page = SendFuture::new(app::ssr::render::page(parts, options(), load, view)).await;
    let mut res = Response::new(Body::from(page.html));
    if let Some(status) = page.response.status {
        *res.status_mut() = status;
    }
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res.headers_mut().extend(page.response.headers);
    res
}

#[cfg(test)]
mod tests {
    use super::segment;

    fn seg(path: &str, prefix: &str) -> String {
        segment(&path.parse().expect("a test path"), prefix)
    }

    #[test]
    fn segments_decode_as_the_router_did() {
        assert_eq!(seg("/t/caf%C3%A9", "/t/"), "café");
        assert_eq!(seg("/t/%3Cscript%3E?before=x", "/t/"), "<script>");
        // One trailing slash is the same page; an encoded slash is part of the name.
        assert_eq!(seg("/t/coast/", "/t/"), "coast");
        assert_eq!(seg("/t/a%2Fb", "/t/"), "a/b");
        // Decoded once: a tag with `%41` in it is that tag (the router decoded twice: `A`).
        assert_eq!(seg("/t/%2541", "/t/"), "%41");
        // `+` is a plus in a path; bytes that are not UTF-8 are replaced, not refused.
        assert_eq!(seg("/camera/a+b", "/camera/"), "a+b");
        assert_eq!(seg("/u/%FF%00", "/u/"), "\u{FFFD}\0");
    }
}
