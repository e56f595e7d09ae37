//! The photo viewer's reads: previous / next within the listing a photo was opened from.

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::ContextNav;

/// Previous and next for a photo opened from a listing (`within`: the page's `?in=`).
/// Nothing when `within` names no listing or the listing does not show the photo; 404
/// when the viewer may not see the photo.
#[server(prefix = "/api", endpoint = "get_context")]
pub async fn get_context(
    photo_id: String,
    within: String,
) -> Result<Option<ContextNav>, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (p, session) = request::guard(Need::Read).await?;
    crate::ssr::service::viewer::context(&p, session.as_ref(), &photo_id, &within).await
}
