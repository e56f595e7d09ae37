//! Resumable uploads for the JS uploader (`app::ssr::service::resumable` does the work):
//!
//! - `POST /upload/resumable` JSON `{name, size, type, sha256?}` → 201 the upload, or 200
//!   `{"duplicate": photo}` when the person already has that file;
//! - `GET /upload/resumable/{id}` → which parts arrived;
//! - `PUT /upload/resumable/{id}/{n}` the part's bytes (with `Content-Length`) → 200;
//! - `POST /upload/resumable/{id}/complete` → 201 `{"photo": …}`;
//! - `DELETE /upload/resumable/{id}` → 204.
//!
//! Each needs the session and a same-site request; another person's upload is a 404.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use app::error::LumenError;
use app::ssr::auth::Session;
use app::ssr::guard::{self, Need, RequestHead};
use app::ssr::platform::Platform;
use app::ssr::ports::{BlobReader, PortError, PortResult};
use app::ssr::service::resumable::{self, Created, NewUpload, PART_BYTES};
use async_trait::async_trait;
use axum::body::{Body, BodyDataStream};
use axum::extract::{Extension, Path, Request};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use futures_util::StreamExt;
use serde::Serialize;
use worker::send::SendFuture;

use super::{json_error, read_at_most, respond};

/// The create request is a few fields; anything longer is not one.
const MAX_CREATE_BYTES: usize = 4096;

pub async fn create(Extension(p): Extension<Platform>, req: Request) -> Response {
    SendFuture::new(async move {
        let (session, body) = match signed_in(&p, req).await {
            Ok(s) => s,
            Err(e) => return json_error(&e),
        };
        let Some(bytes) = read_at_most(body, MAX_CREATE_BYTES).await else {
            return json_error(&bad("Send the file's name, size and type as JSON."));
        };
        let Ok(new) = serde_json::from_slice::<NewUpload>(&bytes) else {
            return json_error(&bad("Send the file's name, size and type as JSON."));
        };
        // The album first, as the plain path does: someone else's stores nothing.
        if let Err(e) = resumable::into_album(&p, &session, new.album.as_deref()).await {
            return json_error(&e);
        }
        match resumable::create(&p, &session.user, &new).await {
            Ok(Created::Upload(u)) => json(201, &u),
            Ok(Created::Duplicate(photo)) => json(200, &serde_json::json!({ "duplicate": photo })),
            Err(e) => json_error(&e),
        }
    })
    .await
}

pub async fn status(
    Extension(p): Extension<Platform>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    as_owner(p, req, move |p, s| async move {
        answer(200, resumable::status(&p, &s.user, &id).await)
    })
    .await
}

pub async fn part(
    Extension(p): Extension<Platform>,
    Path((id, number)): Path<(String, String)>,
    req: Request,
) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    SendFuture::new(async move {
        let (session, body) = match signed_in(&p, req).await {
            Ok(s) => s,
            Err(e) => return json_error(&e),
        };
        let stream = Arc::new(Mutex::new(body.into_data_stream()));
        let Some(size) = declared.filter(|n| *n <= PART_BYTES) else {
            drain(&stream).await;
            return json_error(&bad(&format!(
                "Send each part with its Content-Length, at most {PART_BYTES} bytes."
            )));
        };
        // Not a number is a part that does not exist (as 0 or 10 001 are).
        let number = number.parse::<u32>().unwrap_or(0);
        let body = Box::new(PartBody {
            stream: stream.clone(),
            size,
        });
        let stored = resumable::put_part(&p, &session.user, &id, number, body).await;
        if stored.is_err() {
            // Answering before the client has sent the part breaks its connection
            // instead of showing the answer: read the rest away first.
            drain(&stream).await;
        }
        answer(200, stored)
    })
    .await
}

pub async fn complete(
    Extension(p): Extension<Platform>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    // `?album=`: the upload page's choice, checked before the upload is completed.
    let album = form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "album")
        .map(|(_, v)| v.into_owned());
    as_owner(p, req, move |p, s| async move {
        let done = resumable::complete_into(&p, &s, &id, album.as_deref()).await;
        answer(201, done.map(|photo| serde_json::json!({ "photo": photo })))
    })
    .await
}

pub async fn abort(
    Extension(p): Extension<Platform>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    as_owner(p, req, move |p, s| async move {
        match resumable::abort(&p, &s.user, &id).await {
            Ok(()) => no_store(respond(204, "text/plain", "")),
            Err(e) => json_error(&e),
        }
    })
    .await
}

/// Runs `then` for the signed-in sender of a same-site request without a body.
async fn as_owner<F, Fut>(p: Platform, req: Request, then: F) -> Response
where
    F: FnOnce(Platform, Session) -> Fut,
    Fut: Future<Output = Response>,
{
    SendFuture::new(async move {
        match signed_in(&p, req).await {
            Ok((s, _)) => then(p, s).await,
            Err(e) => json_error(&e),
        }
    })
    .await
}

/// The value as JSON with `status`, or the error.
fn answer(status: u16, r: Result<impl Serialize, LumenError>) -> Response {
    match r {
        Ok(v) => json(status, &v),
        Err(e) => json_error(&e),
    }
}

/// The session of a same-site request (every route here changes or reveals an upload),
/// and the request's body.
async fn signed_in(p: &Platform, req: Request) -> Result<(Session, Body), LumenError> {
    let head = RequestHead::from_request(req.uri(), req.headers());
    match guard::check(p, &head, Need::Member).await? {
        Some(s) => Ok((s, req.into_body())),
        None => Err(LumenError::Unauthenticated),
    }
}

fn bad(reason: &str) -> LumenError {
    LumenError::BadRequest {
        reason: reason.into(),
    }
}

/// An upload's state is its owner's alone: never stored by a cache.
fn json(status: u16, value: &impl Serialize) -> Response {
    let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    no_store(respond(status, "application/json", body))
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// A part's request body as it streams in; the store reads it chunk by chunk. Shared with
/// the route, which reads away whatever is left when the part is refused.
struct PartBody {
    stream: Shared,
    size: u64,
}

type Shared = Arc<Mutex<BodyDataStream>>;

async fn next(stream: &Shared) -> Option<Result<axum::body::Bytes, axum::Error>> {
    futures_util::future::poll_fn(|cx| {
        stream
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .poll_next_unpin(cx)
    })
    .await
}

async fn drain(stream: &Shared) {
    while let Some(Ok(_)) = next(stream).await {}
}

#[async_trait]
impl BlobReader for PartBody {
    fn size(&self) -> u64 {
        self.size
    }

    async fn chunk(&mut self) -> PortResult<Option<Vec<u8>>> {
        match next(&self.stream).await {
            Some(Ok(c)) => Ok(Some(c.to_vec())),
            Some(Err(e)) => Err(PortError::Unavailable(format!("part body: {e}"))),
            None => Ok(None),
        }
    }
}

/// `POST /_dev/sweep-uploads?at=<ms>` (local and preview only): the cron's sweep of
/// abandoned uploads as if it were `at` (the clock moved, not waited for).
pub async fn dev_sweep(Extension(p): Extension<Platform>, uri: axum::http::Uri) -> Response {
    let at = match super::dev_clock(&p, &uri) {
        Ok(at) => at,
        Err(e) => return json_error(&e),
    };
    SendFuture::new(async move {
        match resumable::sweep(&p, at).await {
            Ok(n) => json(200, &serde_json::json!({ "aborted": n })),
            Err(e) => json_error(&e),
        }
    })
    .await
}
