//! `GET /media/{photo}/{rev}/{width}.{ext}`: variants from R2, and
//! `GET /original/{photo}`: the untouched upload. Both ask the guard who is asking and
//! the photo's access rules whether they may; otherwise 404, as if nothing were there.

use app::http::cache;
use app::ssr::guard::{self, Need, RequestHead};
use app::ssr::platform::Platform;
use app::ssr::ports::BlobReader;
use app::ssr::service::media::{self, Media};
use axum::extract::{Extension, Path, Request};
use axum::http::header::{self, HeaderValue};
use axum::response::Response;
use worker::send::SendFuture;

use super::{json_error, respond};

pub async fn variant(Extension(p): Extension<Platform>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let head = RequestHead::from_request(req.uri(), req.headers());
    SendFuture::new(async move {
        let served = async {
            let session = guard::check(&p, &head, Need::Read).await?;
            media::variant(&p, session.as_ref(), &path).await
        };
        match served.await {
            Ok(m) => {
                let policy = if m.shared {
                    cache::PUBLIC_MEDIA
                } else {
                    cache::PRIVATE_MEDIA
                };
                send(m, policy)
            }
            Err(e) => json_error(&e),
        }
    })
    .await
}

pub async fn original(
    Extension(p): Extension<Platform>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let head = RequestHead::from_request(req.uri(), req.headers());
    SendFuture::new(async move {
        let served = async {
            let session = guard::check(&p, &head, Need::Read).await?;
            media::original_download(&p, session.as_ref(), &id).await
        };
        match served.await {
            Ok(d) => download(d, |m| {
                let policy = if m.shared {
                    cache::PUBLIC_ORIGINAL
                } else {
                    cache::PRIVATE_MEDIA
                };
                send(m, policy)
            }),
            Err(e) => json_error(&e),
        }
    })
    .await
}

/// An original as an attachment: streamed from R2 when large (private, whoever asks),
/// else whole with the caller's own headers (the owner's route and a share link's differ).
pub fn download(d: media::Download, whole: impl FnOnce(Media) -> Response) -> Response {
    match d {
        media::Download::Streamed {
            reader,
            content_type,
            filename,
        } => attachment(streamed(reader, &content_type), &filename),
        media::Download::Whole(m, filename) => attachment(whole(m), &filename),
    }
}

/// A download, saved as `filename` (ASCII letters, digits and dashes: see
/// `service::media::original_blob`).
pub fn attachment(mut res: Response, filename: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// A large original as it streams from R2 (never whole in the isolate), with its length;
/// personal, so no shared cache keeps it.
fn streamed(reader: Box<dyn BlobReader>, content_type: &str) -> Response {
    let len = reader.size();
    let chunks = futures_util::stream::unfold(reader, |mut r| async move {
        match r.chunk().await {
            Ok(Some(c)) => Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(c)), r)),
            Ok(None) => None,
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), r)),
        }
    });
    let mut res = respond(200, content_type, axum::body::Body::from_stream(chunks));
    let h = res.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache::PRIVATE_MEDIA),
    );
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    res.extensions_mut().insert(super::FixedLength(len));
    res
}

/// The bytes with their cache policy; `nosniff` and the rest come from `headers::layer`.
fn send(m: Media, policy: &'static str) -> Response {
    let shared = m.shared;
    let mut res = respond(200, &m.blob.content_type, m.blob.bytes);
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    // Who may see it depends on the session cookie.
    if !shared {
        h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    }
    res
}
