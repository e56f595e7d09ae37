//! Builds the app's `Platform` (its ports) from the Worker's bindings.

use std::sync::Arc;

use app::ssr::platform::{Platform, Stage};
use app::ssr::ports::{Clock, Ids};
use worker::Env;

use crate::bindings;
use crate::d1::photos::D1Photos;
use crate::queue::CfJobQueue;
use crate::r2::R2Blobs;

pub fn build(env: &Env) -> worker::Result<Platform> {
    let stage = env
        .var(bindings::STAGE)
        .map(|v| Stage::parse(&v.to_string()))
        .unwrap_or(Stage::Production);
    Ok(Platform {
        photos: Arc::new(D1Photos::new(env.d1(bindings::DB)?)),
        blobs: Arc::new(R2Blobs::new(env.bucket(bindings::PHOTOS)?)),
        jobs: Arc::new(CfJobQueue::new(env.queue(bindings::MEDIA_JOBS)?)),
        clock: Arc::new(WorkerClock),
        ids: Arc::new(RandomIds),
        stage,
    })
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
    fn new_id(&self) -> String {
        let mut bytes = [0u8; 20];
        if let Err(e) = getrandom03::fill(&mut bytes) {
            // WebCrypto is always present in workerd; failing here is a platform bug.
            worker::console_error!("getrandom failed: {e}");
        }
        bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
            .collect()
    }
}
