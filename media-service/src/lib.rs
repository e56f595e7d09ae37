//! Lumen's media pipeline as a native HTTP service: the `service` processing backend.
//!
//! One endpoint, `POST /v1/render` (see `media::wire`): the original in the body, the job's
//! settings in the query, signed by the Worker with a shared secret. The answer is every
//! variant and the metadata in one body, made by the same `media::process` the Worker runs,
//! so both backends store the same bytes. Stateless: instances share nothing, and each one
//! refuses the replays it has seen (a replay sent to another instance renders a photo the
//! Worker asked for anyway, and can only be made by someone who broke the TLS in between).
//!
//! Statuses: 200 rendition; 401 not signed by the Worker (bad or missing signature, stale or
//! future date, replayed, body not matching its signed length or digest); 413 original over the
//! byte limit; 422 not an image we can read, too many pixels, or over the time limit per job;
//! 503 every job slot busy (with `Retry-After`); 500 an encoder failure (retried).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
use media::wire;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// Seconds a 503 asks the caller to wait.
pub const RETRY_AFTER_SECS: u64 = 2;

/// Everything the service is told at start (see `Config::from_env`).
#[derive(Clone)]
pub struct Config {
    /// The shared secret; never logged (`Debug` hides it).
    pub secret: Vec<u8>,
    /// Jobs that may run at once (default: the machine's cores).
    pub jobs: usize,
    /// Longest time one job may take.
    pub job_time: Duration,
    /// How far a request's date may be from now, either way.
    pub window: Duration,
    /// The limits of the pipeline; the request only chooses widths, quality, watermark.
    pub limits: media::Spec,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("secret", &"<hidden>")
            .field("jobs", &self.jobs)
            .field("job_time", &self.job_time)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

/// The largest original accepted (MiB; `LUMEN_SERVICE_MAX_MB`): the Worker's resumable
/// uploads go up to 256 MiB (`app::ssr::service::resumable::MAX_RESUMABLE_BYTES`), and the
/// service holds one original in memory per job slot. Pixels stay within `media::Spec`'s.
pub const DEFAULT_MAX_MB: u64 = 256;

/// Shortest secret accepted: 32 bytes, e.g. `openssl rand -hex 32`.
pub const MIN_SECRET_LEN: usize = 32;

impl Config {
    /// Reads `LUMEN_SERVICE_SECRET` (required), `LUMEN_SERVICE_JOBS`, `LUMEN_SERVICE_JOB_SECS`,
    /// `LUMEN_SERVICE_WINDOW_SECS` and `LUMEN_SERVICE_MAX_MB` through `var`. The error is a sentence for the operator.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let secret = var("LUMEN_SERVICE_SECRET").unwrap_or_default();
        if secret.len() < MIN_SECRET_LEN {
            return Err(format!(
                "LUMEN_SERVICE_SECRET must be set to at least {MIN_SECRET_LEN} characters \
                 (the same value as the Worker's secret)"
            ));
        }
        let num = |name: &str, default: u64| -> Result<u64, String> {
            match var(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("{name} must be a whole number above 0")),
            }
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
        Ok(Self {
            secret: secret.into_bytes(),
            jobs: usize::try_from(num("LUMEN_SERVICE_JOBS", cores)?).unwrap_or(1),
            job_time: Duration::from_secs(num("LUMEN_SERVICE_JOB_SECS", 60)?),
            window: Duration::from_secs(num("LUMEN_SERVICE_WINDOW_SECS", 300)?),
            limits: media::Spec {
                max_bytes: usize::try_from(num("LUMEN_SERVICE_MAX_MB", DEFAULT_MAX_MB)?)
                    .unwrap_or(usize::MAX)
                    .saturating_mul(1024 * 1024),
                ..media::Spec::default()
            },
        })
    }
}

/// The service's state: config, job slots and the signatures seen in the window.
pub struct Service {
    config: Config,
    /// One permit per job that may run; held until the job's thread ends, even after a
    /// timeout answered, so no more than `jobs` renders ever run.
    pub slots: Arc<Semaphore>,
    seen: Mutex<HashMap<String, i64>>,
}

impl Service {
    pub fn new(config: Config) -> Arc<Self> {
        Arc::new(Self {
            slots: Arc::new(Semaphore::new(config.jobs.max(1))),
            config,
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// Remembers `signature` until it falls out of the window; false if it was seen.
    fn first_time(&self, signature: &str, now: i64) -> bool {
        let window = self.config.window.as_secs() as i64;
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        seen.retain(|_, at| now - *at <= 2 * window);
        if seen.contains_key(signature) {
            return false;
        }
        seen.insert(signature.to_owned(), now);
        true
    }
}

pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route(wire::PATH, post(render))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(service)
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// An answer other than 200: a status and a sentence the Worker records on the photo.
pub struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut res = (self.0, self.1).into_response();
        if self.0 == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        res
    }
}

fn refuse(status: StatusCode, reason: impl Into<String>) -> Refusal {
    Refusal(status, reason.into())
}

fn unauthorized(why: &str) -> Refusal {
    eprintln!("media-service: 401 {why}");
    refuse(
        StatusCode::UNAUTHORIZED,
        format!("The media service refused the request: {why}."),
    )
}

/// What the signed headers say about the request.
struct Signed {
    length: u64,
    digest: Option<[u8; 32]>,
}

/// Checks the signature, the date window and replays; reads nothing of the body.
fn authenticate(
    s: &Service,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    now: i64,
) -> Result<Signed, Refusal> {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(date), Some(nonce), Some(length), Some(digest), Some(signature)) = (
        h(wire::H_DATE),
        h(wire::H_NONCE),
        h(wire::H_LENGTH),
        h(wire::H_DIGEST),
        h(wire::H_SIGNATURE),
    ) else {
        return Err(unauthorized("it is not signed"));
    };
    let date: i64 = date
        .parse()
        .map_err(|_| unauthorized("its date is not a number"))?;
    let length: u64 = length
        .parse()
        .map_err(|_| unauthorized("its length is not a number"))?;
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let message = wire::canonical(method.as_str(), path, date, nonce, length, digest);
    if !wire::verify(&s.config.secret, &message, signature) {
        return Err(unauthorized(
            "its signature does not match (is LUMEN_SERVICE_SECRET the same on both sides?)",
        ));
    }
    if (now - date).unsigned_abs() > s.config.window.as_secs() {
        return Err(unauthorized(
            "its date is outside the replay window (are both clocks right?)",
        ));
    }
    if !s.first_time(signature, now) {
        return Err(unauthorized("it was already received (a replay)"));
    }
    let digest = if digest == wire::UNSIGNED {
        None
    } else {
        let bytes = wire::unhex(digest)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| unauthorized("its body digest is not a SHA-256"))?;
        Some(bytes)
    };
    Ok(Signed { length, digest })
}

async fn render(
    State(s): State<Arc<Service>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let signed = authenticate(&s, &method, &uri, &headers, now_secs())?;
    let settings = wire::Settings::from_query(uri.query().unwrap_or(""))
        .map_err(|why| refuse(StatusCode::BAD_REQUEST, why))?;
    let spec = settings.apply(&s.config.limits);
    if signed.length > spec.max_bytes as u64 {
        return Err(too_large(signed.length, &spec));
    }
    let Ok(permit) = s.slots.clone().try_acquire_owned() else {
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "The media service is busy; try again shortly.",
        ));
    };
    let bytes = read_body(body, signed.length, s.config.job_time).await?;
    if let Some(want) = signed.digest {
        if Sha256::digest(&bytes).as_slice() != want {
            return Err(unauthorized("its body does not match the signed digest"));
        }
    }
    eprintln!("media-service: job started ({} bytes)", bytes.len());
    let started = std::time::Instant::now();
    let job = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        media::process(&bytes, &spec).map(|out| wire::encode_response(&out))
    });
    let limit = s.config.job_time;
    Ok(match tokio::time::timeout(limit, job).await {
        Ok(Ok(Ok(body))) => {
            eprintln!(
                "media-service: 200 {} bytes in {} ms",
                body.len(),
                started.elapsed().as_millis()
            );
            (
                [(header::CONTENT_TYPE, "application/x-lumen-rendition")],
                body,
            )
                .into_response()
        }
        Ok(Ok(Err(e))) => {
            eprintln!("media-service: refused: {e}");
            let status = match e {
                media::MediaError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                media::MediaError::Encode(_) => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            refuse(status, e.user_message()).into_response()
        }
        Ok(Err(e)) => {
            eprintln!("media-service: job failed: {e}");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong while preparing this image. Please try again.",
            )
            .into_response()
        }
        // The thread runs on and keeps its slot until it ends; the caller gets an answer now.
        // An original within the limits takes well under a second natively: one that
        // takes this long would take as long again, so this is final, not "try later".
        Err(_) => {
            eprintln!("media-service: over the time limit ({} s)", limit.as_secs());
            refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "This image took longer than {} s to process.",
                    limit.as_secs()
                ),
            )
            .into_response()
        }
    })
}

fn too_large(bytes: u64, spec: &media::Spec) -> Refusal {
    let e = media::MediaError::TooLarge {
        bytes: usize::try_from(bytes).unwrap_or(usize::MAX),
        max: spec.max_bytes,
    };
    refuse(StatusCode::PAYLOAD_TOO_LARGE, e.user_message())
}

/// Reads exactly the signed number of bytes (already checked against the byte limit).
async fn read_body(body: Body, length: u64, limit: Duration) -> Result<Vec<u8>, Refusal> {
    let want = usize::try_from(length).unwrap_or(usize::MAX);
    let mut bytes = Vec::with_capacity(want);
    let mut body = body;
    let read = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    "The request body could not be read.",
                )
            })?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > want {
                    return Err(unauthorized("its body is longer than signed"));
                }
                bytes.extend_from_slice(&data);
            }
        }
        if bytes.len() != want {
            return Err(unauthorized("its body is shorter than signed"));
        }
        Ok(())
    };
    match tokio::time::timeout(limit, read).await {
        Ok(Ok(())) => Ok(bytes),
        Ok(Err(res)) => Err(res),
        Err(_) => Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            "The request body took too long to arrive.",
        )),
    }
}
