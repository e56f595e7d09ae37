//! `POST /upload`: multipart form with one or more `photos`. The same route serves the
//! plain form (redirects, or the upload page again with the error) and the JS
//! uploader (`Accept: application/json`). The body is parsed as it streams in (multer)
//! and handed to `app::ssr::service::upload`, which stores each file part by part.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use app::components::form::FormFeedback;
use app::error::LumenError;
use app::ssr::access::AlbumAction;
use app::ssr::auth::Session;
use app::ssr::guard::{self, Need, RequestHead};
use app::ssr::platform::Platform;
use app::ssr::service::albums;
use app::ssr::service::upload::{self, IncomingFiles, MAX_REQUEST_BYTES};
use async_trait::async_trait;
use axum::body::{BodyDataStream, Bytes};
use axum::extract::{Extension, Request};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::{Stream, StreamExt};
use worker::send::SendFuture;

use super::{json_error, respond};

pub async fn handle(Extension(p): Extension<Platform>, req: Request) -> Response {
    let wants_json =
        header_str(req.headers(), header::ACCEPT).is_some_and(|a| a.contains("application/json"));
    let headers = req.headers().clone();
    let result = SendFuture::new(store(p.clone(), req)).await;
    // For `make bench`: the isolate's memory after the largest uploads.
    worker::console_log!(
        "UPLOAD photos={} wasm_mem={}MiB",
        result.as_ref().map_or(0, |(photos, _)| photos.len()),
        crate::memory::wasm_mib()
    );
    match (result, wants_json) {
        (Ok((photos, _)), true) => {
            let body = serde_json::json!({ "photos": photos }).to_string();
            respond(201, "application/json", body)
        }
        (Ok((photos, album)), false) => {
            Redirect::to(&upload::form_destination(&photos, album.as_deref())).into_response()
        }
        (Err(e), true) => json_error(&e),
        (Err(e), false) => form_again(&p, &headers, &e).await,
    }
}

fn not_form() -> LumenError {
    LumenError::invalid("photos", "Send the photos as a multipart form.")
}

/// The stored photos, and the album they went into (if the form named one).
type Stored = (Vec<app::model::UploadedPhoto>, Option<String>);

async fn store(p: Platform, req: Request) -> Result<Stored, LumenError> {
    let h = req.headers();
    let boundary = header_str(h, header::CONTENT_TYPE)
        .filter(|t| t.starts_with("multipart/form-data"))
        .and_then(|t| multer::parse_boundary(t).ok());
    let declared = header_str(h, header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    let allowed =
        match guard::check(&p, &RequestHead::from_request(req.uri(), h), Need::Member).await {
            Ok(Some(s)) => match (&boundary, upload::check_length(declared)) {
                (_, Err(e)) => Err(e),
                (Some(_), Ok(())) => Ok(s),
                (None, Ok(())) => Err(not_form()),
            },
            Ok(None) => Err(not_form()),
            Err(e) => Err(e),
        };
    let body = Shared(Arc::new(Mutex::new(req.into_body().into_data_stream())));
    let result = match (allowed, boundary) {
        (Ok(session), Some(boundary)) => {
            let mut files = MultipartFiles {
                parts: multer::Multipart::new(body.clone(), boundary),
                field: None,
                first: None,
            };
            into_album(&p, &session, &mut files).await
        }
        (Err(e), _) => Err(e),
        (Ok(_), None) => Err(not_form()),
    };
    if result.is_err() && declared.is_none_or(|n| n <= MAX_REQUEST_BYTES) {
        // Answering before the client has finished sending breaks its connection
        // (EPIPE) instead of showing the answer: read the rest of the body away first.
        // A body declared larger than a Worker accepts is answered at once.
        drain(body).await;
    }
    result
}

/// Uploads straight into an album when the form names one (its `album` field comes before
/// the files): the album is checked before anything is stored, and the photos go in once
/// all are stored.
async fn into_album(
    p: &Platform,
    session: &Session,
    files: &mut MultipartFiles,
) -> Result<Stored, LumenError> {
    let album = files.album().await?;
    if let Some(a) = &album {
        albums::allowed(p, Some(session), a, AlbumAction::Edit).await?;
    }
    let photos = upload::upload(p, &session.user, files).await?;
    if let Some(a) = &album {
        let ids: Vec<String> = photos.iter().map(|u| u.id.clone()).collect();
        albums::add(p, session, a, &ids).await?;
    }
    Ok((photos, album))
}

/// The multipart body's `photos` files, for the upload service. Other fields, and
/// `photos` entries that are not files, are skipped.
struct MultipartFiles {
    parts: multer::Multipart<'static>,
    field: Option<multer::Field<'static>>,
    /// The first file, met while reading the fields before it (see `album`).
    first: Option<(String, multer::Field<'static>)>,
}

impl MultipartFiles {
    /// Reads the fields before the first file: the album to upload into, if any.
    async fn album(&mut self) -> Result<Option<String>, LumenError> {
        let mut album = None;
        while let Some(field) = self.parts.next_field().await.map_err(|_| not_form())? {
            match (field.name(), field.file_name().map(str::to_string)) {
                (Some("photos"), Some(name)) => {
                    self.first = Some((name, field));
                    break;
                }
                (Some("album"), None) => {
                    let id = field.text().await.map_err(|_| not_form())?;
                    let id = id.trim();
                    if id.len() > 64 {
                        return Err(LumenError::NotFound);
                    }
                    album = (!id.is_empty()).then(|| id.to_string());
                }
                _ => {}
            }
        }
        Ok(album)
    }
}

#[async_trait]
impl IncomingFiles for MultipartFiles {
    async fn next_file(&mut self) -> Result<Option<String>, LumenError> {
        self.field = None;
        if let Some((name, field)) = self.first.take() {
            self.field = Some(field);
            return Ok(Some(name));
        }
        while let Some(field) = self.parts.next_field().await.map_err(|_| not_form())? {
            if field.name() != Some("photos") {
                continue;
            }
            if let Some(name) = field.file_name().map(str::to_string) {
                self.field = Some(field);
                return Ok(Some(name));
            }
        }
        Ok(None)
    }

    async fn chunk(&mut self) -> Result<Option<Bytes>, LumenError> {
        match &mut self.field {
            Some(f) => f.chunk().await.map_err(|_| not_form()),
            None => Ok(None),
        }
    }
}

/// The request body, shared between the multipart parser and `drain`, which reads away
/// whatever the parser left when the upload is refused part-way.
#[derive(Clone)]
struct Shared(Arc<Mutex<BodyDataStream>>);

impl Stream for Shared {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut body = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        body.poll_next_unpin(cx)
    }
}

async fn drain(mut body: Shared) {
    while let Some(Ok(_)) = body.next().await {}
}

fn header_str(h: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Without JS: render the upload page again with the message and the error's status
/// (a cross-site post gets no page of ours).
async fn form_again(p: &Platform, headers: &HeaderMap, e: &LumenError) -> Response {
    if *e == LumenError::Forbidden {
        return json_error(e);
    }
    let feedback = FormFeedback {
        action: "/upload".into(),
        error: e.clone(),
        values: Vec::new(),
    };
    super::render_page(p, headers, "/upload", Some(feedback), e).await
}
