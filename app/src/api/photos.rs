//! Reading photos. Uploads are a plain multipart route (`POST /upload`) so they work
//! without JavaScript and stream progress with it.

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::{PhotoCard, PhotoView};

#[server(prefix = "/api", endpoint = "list_photos")]
pub async fn list_photos() -> Result<Vec<PhotoCard>, LumenError> {
    let p = crate::ssr::platform()?;
    crate::ssr::service::photos::feed(&p).await
}

#[server(prefix = "/api", endpoint = "get_photo")]
pub async fn get_photo(id: String) -> Result<PhotoView, LumenError> {
    let p = crate::ssr::platform()?;
    crate::ssr::service::photos::photo(&p, &id).await
}
