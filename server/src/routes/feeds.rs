//! `GET /u/{username}/feed.atom`, `GET /a/{id}/feed.atom` and `GET /t/{tag}/feed.atom`: Atom
//! feeds of public photos
//! (`app::ssr::service::feeds` decides what is in them, `app::ssr::atom` writes them).
//! The same for whoever asks, so publicly cacheable; no session is read. Each notes what it
//! shows in the request's `CacheTags`, so the edge cache keeps it until that changes.

use app::http::cache;
use app::ssr::atom::{self, Feed};
use app::ssr::cache::CacheTags;
use app::ssr::guard::RequestHead;
use app::ssr::platform::Platform;
use app::ssr::request;
use app::ssr::service::feeds;
use axum::extract::{Extension, Path, Request};
use axum::http::header::{self, HeaderValue};
use axum::response::Response;
use worker::send::SendFuture;

use super::{json_error, respond};

pub async fn user(
    Extension(p): Extension<Platform>,
    Extension(shows): Extension<CacheTags>,
    Path(username): Path<String>,
    req: Request,
) -> Response {
    let origin = request::origin(&RequestHead::from_request(req.uri(), req.headers()));
    SendFuture::new(async move { answer(feeds::user(&p, &shows, &origin, &username).await) }).await
}

pub async fn album(
    Extension(p): Extension<Platform>,
    Extension(shows): Extension<CacheTags>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let origin = request::origin(&RequestHead::from_request(req.uri(), req.headers()));
    SendFuture::new(async move { answer(feeds::album(&p, &shows, &origin, &id).await) }).await
}

pub async fn tag(
    Extension(p): Extension<Platform>,
    Extension(shows): Extension<CacheTags>,
    Path(tag): Path<String>,
    req: Request,
) -> Response {
    let origin = request::origin(&RequestHead::from_request(req.uri(), req.headers()));
    SendFuture::new(async move { answer(feeds::tag(&p, &shows, &origin, &tag).await) }).await
}

fn answer(feed: Result<Feed, app::error::LumenError>) -> Response {
    match feed {
        Ok(f) => {
            let mut res = respond(200, atom::CONTENT_TYPE, atom::render(&f));
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache::FEED));
            res
        }
        Err(e) => json_error(&e),
    }
}
