//! Binding names, identical to wrangler.toml.

pub const DB: &str = "DB";
pub const PHOTOS: &str = "PHOTOS";
pub const MEDIA_JOBS: &str = "MEDIA_JOBS";
/// `local`, `preview` or `production`; unknown means production.
pub const STAGE: &str = "LUMEN_STAGE";
