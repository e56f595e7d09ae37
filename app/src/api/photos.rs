//! Reading and changing photos. Uploads are a plain multipart route (`POST /upload`) so
//! they work without JavaScript and stream progress with it.

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::{PhotoPage, PhotoView, ProfileView};

/// A page of the home feed (public, finished photos), older than `before`.
#[server(prefix = "/api", endpoint = "list_photos")]
pub async fn list_photos(before: Option<String>) -> Result<PhotoPage, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (p, _) = request::guard(Need::Read).await?;
    crate::ssr::service::photos::feed(&p, before.as_deref()).await
}

#[server(prefix = "/api", endpoint = "get_photo")]
pub async fn get_photo(id: String) -> Result<PhotoView, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (p, session) = request::guard(Need::Read).await?;
    let origin = request::origin(&request::head());
    crate::ssr::service::photos::photo(&p, session.as_ref(), &id, &origin).await
}

/// A user's page, its photos a page at a time (older than `before`).
#[server(prefix = "/api", endpoint = "get_profile")]
pub async fn get_profile(
    username: String,
    before: Option<String>,
) -> Result<ProfileView, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (p, session) = request::guard(Need::Read).await?;
    crate::ssr::service::photos::profile(&p, session.as_ref(), &username, before.as_deref()).await
}

/// The owner's edit form on the photo page.
#[server(prefix = "/api", endpoint = "update_photo")]
pub async fn update_photo(
    id: String,
    title: String,
    caption: String,
    alt: String,
    visibility: String,
    allow_original: Option<String>,
) -> Result<(), LumenError> {
    use crate::model::Visibility;
    use crate::ssr::{ports::PhotoEdit, request, service::photos};
    let (p, s) = request::member().await?;
    let visibility = Visibility::parse(&visibility)
        .ok_or_else(|| LumenError::invalid("visibility", "Choose public, unlisted or private."))?;
    let edit = PhotoEdit {
        title,
        caption,
        alt,
        visibility,
        allow_original: allow_original.is_some(),
    };
    photos::edit(&p, &s, &id, edit).await?;
    request::redirect(&format!("/p/{id}?saved=1"));
    Ok(())
}

#[server(prefix = "/api", endpoint = "delete_photo")]
pub async fn delete_photo(id: String) -> Result<(), LumenError> {
    use crate::ssr::{request, service::photos};
    let (p, s) = request::member().await?;
    photos::delete(&p, &s, &id).await?;
    request::redirect(&format!("/u/{}?deleted=1", s.user.username));
    Ok(())
}

/// The upload page's file label, true for this deployment: the plain form's limit, and the
/// JS uploader's when the media service lets it take more.
#[server(prefix = "/api", endpoint = "upload_label")]
pub async fn upload_label() -> Result<String, LumenError> {
    use crate::ssr::service::{resumable, upload};
    use crate::ssr::{guard::Need, request};
    let (p, _) = request::guard(Need::Read).await?;
    Ok(crate::pages::upload::file_label(
        upload::MAX_FILE_BYTES >> 20,
        resumable::largest_file(&p) >> 20,
    ))
}
