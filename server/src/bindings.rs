//! Binding names, identical to wrangler.toml.

pub const DB: &str = "DB";
pub const PHOTOS: &str = "PHOTOS";
pub const MEDIA_JOBS: &str = "MEDIA_JOBS";
/// `local`, `preview` or `production`; unknown means production.
pub const STAGE: &str = "LUMEN_STAGE";
/// Optional: bytes of originals one account may store (overrides `Quotas::default`).
pub const QUOTA_BYTES: &str = "LUMEN_QUOTA_BYTES";
/// Optional: photos one account may upload in any hour (overrides `Quotas::default`).
pub const UPLOADS_PER_HOUR: &str = "LUMEN_UPLOADS_PER_HOUR";
/// Photos one album zip may hold (raise it on the paid plan).
pub const ZIP_MAX_PHOTOS: &str = "LUMEN_ZIP_MAX_PHOTOS";
/// Where media jobs run: `worker` (default) or `service` (the native media service).
pub const PROCESSING: &str = "LUMEN_PROCESSING";
/// `service` mode: the media service's origin, e.g. `https://media.example.com`.
pub const SERVICE_URL: &str = "LUMEN_SERVICE_URL";
/// `service` mode: the secret shared with the media service (`wrangler secret put`).
pub const SERVICE_SECRET: &str = "LUMEN_SERVICE_SECRET";
/// Optional: usernames, comma-separated, who are admins besides the first account.
pub const ADMINS: &str = "LUMEN_ADMINS";
/// `off` turns the edge cache off (lookups and stores; purges still run): for tests that
/// write D1 behind the Worker's back, and for debugging a deploy.
pub const EDGE_CACHE: &str = "LUMEN_EDGE_CACHE";
