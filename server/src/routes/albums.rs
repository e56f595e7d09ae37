//! `POST /albums/bulk`: several photos into or out of an album at once, and
//! `GET /a/{id}/download`: an album's originals as one zip, streamed. The whole archive is
//! planned before the first byte (`app::ssr::zip`), so the answer carries its exact
//! `Content-Length`; then each original is read from R2 chunk by chunk and passed on, so
//! the Worker never holds more than a chunk of it.

use app::error::LumenError;
use app::ssr::guard::{self, Need, RequestHead};
use app::ssr::platform::Platform;
use app::ssr::ports::BlobReader;
use app::ssr::service::albums::{self, Download};
use app::ssr::zip::ZipWriter;
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, Request};
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use worker::send::SendFuture;

use super::{json_error, respond};

pub use app::pages::album::BULK;

/// The ticked photos (a `photo` field each) added to or removed from `album_id`, as
/// `action` says. A plain route: a server function cannot take a repeated field from a
/// plain form. Answers with the album's page, or the page the form was on with the refusal.
pub async fn bulk(Extension(p): Extension<Platform>, req: Request) -> Response {
    let head = RequestHead::from_request(req.uri(), req.headers());
    let headers = req.headers().clone();
    let body = req.into_body();
    SendFuture::new(async move {
        let done = async {
            let (session, bytes) = super::forms::bulk_member(&p, &head, body).await?;
            let (mut album, mut action, mut photos) = (String::new(), String::new(), Vec::new());
            for (k, v) in form_urlencoded::parse(&bytes) {
                match k.as_ref() {
                    "album_id" => album = v.into_owned(),
                    "action" => action = v.into_owned(),
                    "photo" => photos.push(v.into_owned()),
                    _ => {}
                }
            }
            if album.is_empty() {
                return Err(LumenError::invalid("album_id", "Choose an album."));
            }
            match action.as_str() {
                "add" => albums::add(&p, &session, &album, &photos).await?,
                "remove" => albums::remove(&p, &session, &album, &photos).await?,
                _ => return Err(LumenError::invalid("action", "Add or remove the photos.")),
            };
            Ok(album)
        };
        match done.await {
            Ok(album) => Redirect::to(&format!("/a/{album}")).into_response(),
            Err(e) => super::forms::refuse_bulk(&p, &headers, BULK, e).await,
        }
    })
    .await
}

pub async fn download(
    Extension(p): Extension<Platform>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let head = RequestHead::from_request(req.uri(), req.headers());
    SendFuture::new(async move {
        let planned = async {
            let session = guard::check(&p, &head, Need::Read).await?;
            let max = usize::try_from(p.quotas.download_photos).unwrap_or(usize::MAX);
            albums::download(&p, session.as_ref(), &id, max).await
        };
        match planned.await {
            Ok(d) => zip_response(p, d),
            Err(e) => json_error(&e),
        }
    })
    .await
}

pub(super) fn zip_response(p: Platform, d: Download) -> Response {
    let len = d.plan.total_len();
    let zipping = Zipping {
        p,
        writer: ZipWriter::new(d.plan),
        keys: d.keys,
        step: Step::Start(0),
    };
    let body = futures_util::stream::unfold(zipping, next);
    zip_body(Body::from_stream(body), len, &d.file_name)
}

/// A zip download of exactly `len` bytes saved as `file_name`, cached by nobody else.
pub(super) fn zip_body(body: Body, len: u64, file_name: &str) -> Response {
    let mut res = respond(200, "application/zip", body);
    let h = res.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(app::http::cache::PERSONAL),
    );
    res.extensions_mut().insert(super::FixedLength(len));
    res
}

struct Zipping {
    p: Platform,
    writer: ZipWriter,
    keys: Vec<String>,
    step: Step,
}

enum Step {
    /// The local header of entry `i` is next (or, past the last, the central directory).
    Start(usize),
    /// Passing entry `i`'s original on, chunk by chunk.
    Data(usize, Box<dyn BlobReader>),
    Finished,
}

type Chunk = Result<Bytes, std::io::Error>;

/// The next piece of the archive. Any failure (storage, an original whose length is not
/// the one planned) ends the body with an error, so the download fails visibly instead of
/// yielding a corrupt zip.
async fn next(mut z: Zipping) -> Option<(Chunk, Zipping)> {
    let out = match step(&mut z).await {
        Ok(Some(bytes)) => Ok(Bytes::from(bytes)),
        Ok(None) => return None,
        Err(e) => {
            let ref_id = app::error::short_ref(&e);
            worker::console_error!("zip download failed ref={ref_id}: {e}");
            z.step = Step::Finished;
            Err(std::io::Error::other(format!(
                "download failed (ref {ref_id})"
            )))
        }
    };
    Some((out, z))
}

async fn step(z: &mut Zipping) -> Result<Option<Vec<u8>>, String> {
    match std::mem::replace(&mut z.step, Step::Finished) {
        Step::Start(i) if i < z.keys.len() => {
            let header = z.writer.start_entry(i).map_err(|e| format!("{e:?}"))?;
            let reader =
                z.p.blobs
                    .open(&z.keys[i])
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("original {} is missing", z.keys[i]))?;
            z.step = Step::Data(i, reader);
            Ok(Some(header))
        }
        Step::Start(_) => Ok(Some(z.writer.finish().map_err(|e| format!("{e:?}"))?)),
        Step::Data(i, mut reader) => match reader.chunk().await.map_err(|e| e.to_string())? {
            Some(chunk) => {
                z.writer.data(&chunk).map_err(|e| format!("{e:?}"))?;
                z.step = Step::Data(i, reader);
                Ok(Some(chunk))
            }
            None => {
                z.step = Step::Start(i + 1);
                Ok(Some(z.writer.finish_entry().map_err(|e| format!("{e:?}"))?))
            }
        },
        Step::Finished => Ok(None),
    }
}
