//! Builds the app's `Platform` (its ports) from the Worker's bindings.

use std::sync::Arc;

use app::ssr::platform::{Platform, Processing, Quotas, Stage};
use app::ssr::ports::{Clock, Ids, PortError, PortResult};
use worker::Env;

use crate::bindings;
use crate::cache::CfEdgeCache;
use crate::crypto::WebCrypto;
use crate::d1::admin::D1Admin;
use crate::d1::albums::D1Albums;
use crate::d1::jobs::D1Jobs;
use crate::d1::limits::D1Limits;
use crate::d1::links::D1Links;
use crate::d1::photos::D1Photos;
use crate::d1::search::D1Search;
use crate::d1::session::Session;
use crate::d1::social::{D1Comments, D1Likes};
use crate::d1::trash::D1Trash;
use crate::d1::users::D1Users;
use crate::queue::CfJobQueue;
use crate::r2::R2Blobs;
use crate::render::HttpMediaService;

/// The platform of a queue batch or a cron run: plain D1 (the primary).
pub fn build(env: &Env) -> worker::Result<Platform> {
    let db = || env.d1(bindings::DB);
    build_with(env, &db)
}

/// The platform of a request: every adapter reads through the request's D1 session.
pub fn build_for_request(env: &Env, session: &Session) -> worker::Result<Platform> {
    build_with(env, &|| Ok(session.database()))
}

fn build_with(
    env: &Env,
    db: &dyn Fn() -> worker::Result<worker::D1Database>,
) -> worker::Result<Platform> {
    let stage = env
        .var(bindings::STAGE)
        .map(|v| Stage::parse(&v.to_string()))
        .unwrap_or(Stage::Production);
    let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
    let (quotas, bad) = quotas(var);
    for name in bad {
        worker::console_warn!("{name} is not a whole number; using the default");
    }
    let processing = match backend(var) {
        Backend::Worker => Processing::Worker,
        Backend::Service { origin, secret } => Processing::Service(Arc::new(
            HttpMediaService::new(env.bucket(bindings::PHOTOS)?, origin, secret),
        )),
        Backend::Misconfigured(why) => Processing::Misconfigured(why),
    };
    let albums = Arc::new(D1Albums::new(db()?));
    let search = Arc::new(D1Search::new(db()?));
    Ok(Platform {
        photos: Arc::new(D1Photos::new(db()?)),
        albums: albums.clone(),
        album_photos: albums,
        users: Arc::new(D1Users::new(db()?)),
        links: Arc::new(D1Links::new(db()?)),
        likes: Arc::new(D1Likes::new(db()?)),
        comments: Arc::new(D1Comments::new(db()?)),
        tags: search.clone(),
        search,
        limits: Arc::new(D1Limits::new(db()?)),
        crypto: Arc::new(WebCrypto),
        quotas,
        blobs: Arc::new(R2Blobs::new(env.bucket(bindings::PHOTOS)?)),
        jobs: Arc::new(CfJobQueue::new(env.queue(bindings::MEDIA_JOBS)?)),
        edge: Arc::new(CfEdgeCache::new(db()?)),
        clock: Arc::new(WorkerClock),
        ids: Arc::new(RandomIds),
        stage,
        processing,
        job_records: Arc::new(D1Jobs::new(env.d1(bindings::DB)?)),
        admin: Arc::new(D1Admin::new(env.d1(bindings::DB)?)),
        admins: app::ssr::service::admin::parse_admins(var(bindings::ADMINS).as_deref()),
        trash: Arc::new(D1Trash::new(env.d1(bindings::DB)?)),
        uploads: Arc::new(crate::d1::uploads::D1Uploads::new(db()?)),
    })
}

/// Shortest `LUMEN_SERVICE_SECRET` accepted, as the service itself requires.
const MIN_SECRET_LEN: usize = 32;

/// What `LUMEN_PROCESSING` and, for `service`, `LUMEN_SERVICE_URL` and `LUMEN_SERVICE_SECRET`
/// ask for. A wrong setting is not an error here (every request would fail): each media job
/// fails with the sentence instead, which the photo shows.
#[derive(Debug, PartialEq, Eq)]
enum Backend {
    Worker,
    Service { origin: String, secret: String },
    Misconfigured(String),
}

fn backend(var: impl Fn(&str) -> Option<String>) -> Backend {
    let mode = var(bindings::PROCESSING).unwrap_or_default();
    match mode.trim() {
        "" | "worker" => Backend::Worker,
        "service" => {
            let url = var(bindings::SERVICE_URL).unwrap_or_default();
            let url = url.trim().trim_end_matches('/');
            let secret = var(bindings::SERVICE_SECRET).unwrap_or_default();
            let mis = |why: String| {
                Backend::Misconfigured(format!(
                    "Processing is set to \"service\" but {why}; an admin must fix the \
                     setting and process the photo again."
                ))
            };
            if url.is_empty() {
                return mis(format!("{} is not set", bindings::SERVICE_URL));
            }
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            if host.is_none_or(|h| h.is_empty() || h.contains(['/', '?', '#'])) {
                return mis(format!(
                    "{} is not an origin like https://media.example.com",
                    bindings::SERVICE_URL
                ));
            }
            if secret.len() < MIN_SECRET_LEN {
                return mis(format!(
                    "the secret {} is missing or shorter than {MIN_SECRET_LEN} characters",
                    bindings::SERVICE_SECRET
                ));
            }
            Backend::Service {
                origin: url.to_string(),
                secret,
            }
        }
        other => Backend::Misconfigured(format!(
            "{} is {other:?}; it must be \"worker\" or \"service\".",
            bindings::PROCESSING
        )),
    }
}

/// The defaults, overridden by each variable that is set and parses. Also returns the
/// names of the variables that were set but did not parse, for the caller to log: a
/// typo must not take the Worker down.
fn quotas(var: impl Fn(&str) -> Option<String>) -> (Quotas, Vec<&'static str>) {
    let mut q = Quotas::default();
    let mut bad = Vec::new();
    let mut set = |name: &'static str, slot: &mut dyn FnMut(&str) -> bool| {
        if let Some(v) = var(name) {
            if !slot(v.trim()) {
                bad.push(name);
            }
        }
    };
    set(bindings::QUOTA_BYTES, &mut |v| {
        parse_into(v, &mut q.stored_bytes)
    });
    set(bindings::UPLOADS_PER_HOUR, &mut |v| {
        parse_into(v, &mut q.uploads_per_hour)
    });
    set(bindings::ZIP_MAX_PHOTOS, &mut |v| {
        parse_into(v, &mut q.download_photos)
    });
    (q, bad)
}

fn parse_into<T: std::str::FromStr>(v: &str, slot: &mut T) -> bool {
    v.parse().map(|v| *slot = v).is_ok()
}

struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> i64 {
        worker::Date::now().as_millis() as i64
    }
}

struct RandomIds;

/// 20 characters of a 32-letter alphabet: 100 random bits, unguessable and URL-safe.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

impl Ids for RandomIds {
    fn new_id(&self) -> PortResult<String> {
        let mut bytes = [0u8; 20];
        // Zeros would be a predictable, colliding id: fail the request instead.
        getrandom03::fill(&mut bytes)
            .map_err(|e| PortError::Unavailable(format!("getrandom: {e}")))?;
        Ok(bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processing_defaults_to_the_worker_and_explains_a_wrong_setting() {
        let vars = |pairs: Vec<(&'static str, &'static str)>| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let secret = "s".repeat(32);
        let secret: &'static str = secret.leak();
        assert_eq!(backend(vars(vec![])), Backend::Worker);
        assert_eq!(
            backend(vars(vec![(bindings::PROCESSING, "worker")])),
            Backend::Worker
        );
        assert_eq!(
            backend(vars(vec![
                (bindings::PROCESSING, "service"),
                (bindings::SERVICE_URL, "http://127.0.0.1:8790/"),
                (bindings::SERVICE_SECRET, secret),
            ])),
            Backend::Service {
                origin: "http://127.0.0.1:8790".into(),
                secret: secret.into()
            }
        );
        let why = |v: Vec<(&'static str, &'static str)>| match backend(vars(v)) {
            Backend::Misconfigured(why) => why,
            other => panic!("{other:?}"),
        };
        assert!(
            why(vec![(bindings::PROCESSING, "service")]).contains("LUMEN_SERVICE_URL is not set")
        );
        assert!(why(vec![
            (bindings::PROCESSING, "service"),
            (bindings::SERVICE_URL, "https://media.example.com/render"),
            (bindings::SERVICE_SECRET, secret),
        ])
        .contains("not an origin"));
        assert!(why(vec![
            (bindings::PROCESSING, "service"),
            (bindings::SERVICE_URL, "ftp://media.example.com"),
            (bindings::SERVICE_SECRET, secret),
        ])
        .contains("not an origin"));
        assert!(why(vec![
            (bindings::PROCESSING, "service"),
            (bindings::SERVICE_URL, "https://media.example.com"),
            (bindings::SERVICE_SECRET, "short"),
        ])
        .contains("LUMEN_SERVICE_SECRET"));
        assert!(why(vec![(bindings::PROCESSING, "vps")]).contains("\"vps\""));
    }

    #[test]
    fn quotas_take_each_variable_that_parses() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let d = Quotas::default();
        assert_eq!(quotas(vars(&[])), (d, vec![]));
        let set = Quotas {
            stored_bytes: 1000,
            uploads_per_hour: 5,
            download_photos: 900,
        };
        assert_eq!(
            quotas(vars(&[
                (bindings::QUOTA_BYTES, "1000"),
                (bindings::UPLOADS_PER_HOUR, " 5 "),
                (bindings::ZIP_MAX_PHOTOS, "900"),
            ])),
            (set, vec![])
        );
        assert_eq!(
            quotas(vars(&[(bindings::UPLOADS_PER_HOUR, "7")])),
            (
                Quotas {
                    uploads_per_hour: 7,
                    ..d
                },
                vec![]
            )
        );
        assert_eq!(
            quotas(vars(&[
                (bindings::QUOTA_BYTES, "lots"),
                (bindings::UPLOADS_PER_HOUR, "-1"),
            ])),
            (d, vec![bindings::QUOTA_BYTES, bindings::UPLOADS_PER_HOUR])
        );
    }
}
