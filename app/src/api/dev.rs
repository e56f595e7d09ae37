//! The gate of the dev-only pages (`/_design`), asked during SSR and after client-side
//! navigation alike, so the stage is only ever judged on the server.

use leptos::prelude::*;

use crate::error::LumenError;

/// `Ok` where the Worker's `LUMEN_STAGE` allows dev tools (local, preview), else `NotFound`.
#[server(prefix = "/api", endpoint = "check_dev_tools")]
pub async fn check_dev_tools() -> Result<(), LumenError> {
    use crate::ssr::{guard, request};
    let (p, _) = request::guard(guard::Need::Read).await?;
    guard::dev_tools(p.stage)
}
