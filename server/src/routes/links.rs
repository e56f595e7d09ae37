//! `GET /s/{token}/media/{photo}/{rev}/{width}.{ext}`, `GET /s/{token}/original/{photo}`
//! and `GET /s/{token}/download`: what a share link's page shows, checked against the link
//! on every request (alive, unlocked if it has a password, and the photo is its target or
//! in its album), else 404 as if nothing were there. Never in a shared cache: ending the
//! link must end them everywhere.

use app::http::cache;
use app::ssr::guard::RequestHead;
use app::ssr::platform::Platform;
use app::ssr::ports::Blob;
use app::ssr::service::links;
use axum::extract::{Extension, Path, Request};
use axum::http::header::{self, HeaderValue};
use axum::response::Response;
use worker::send::SendFuture;

use super::{json_error, respond};

pub async fn variant(Extension(p): Extension<Platform>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let head = RequestHead::from_request(req.uri(), req.headers());
    SendFuture::new(async move {
        match links::variant(&p, &head, &path).await {
            Ok(blob) => send(blob),
            Err(e) => json_error(&e),
        }
    })
    .await
}

pub async fn original(
    Extension(p): Extension<Platform>,
    Path((token, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    let head = RequestHead::from_request(req.uri(), req.headers());
    SendFuture::new(async move {
        match links::original(&p, &head, &token, &id).await {
            Ok(d) => super::media::download(d, |m| send(m.blob)),
            Err(e) => json_error(&e),
        }
    })
    .await
}

/// A shared album's zip, when its link allows downloads: the album route's streaming zip.
pub async fn download(
    Extension(p): Extension<Platform>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    let head = RequestHead::from_request(req.uri(), req.headers());
    SendFuture::new(async move {
        let max = usize::try_from(p.quotas.download_photos).unwrap_or(usize::MAX);
        match links::download(&p, &head, &token, max).await {
            Ok(d) => super::albums::zip_response(p, d),
            Err(e) => json_error(&e),
        }
    })
    .await
}

fn send(blob: Blob) -> Response {
    let mut res = respond(200, &blob.content_type, blob.bytes);
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache::LINK_MEDIA),
    );
    // A protected link's bytes depend on the unlock cookie.
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    res
}
