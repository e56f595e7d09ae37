//! Albums: create, edit, delete, fill, order and read them. Each server function calls the
//! guard first; the forms that post here work with and without JavaScript.

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::{AlbumCard, AlbumChoice, AlbumPlace, AlbumView};

/// An album's page, its photos a page at a time (after `before`).
#[server(prefix = "/api", endpoint = "get_album")]
pub async fn get_album(id: String, before: Option<String>) -> Result<AlbumView, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (p, session) = request::guard(Need::Read).await?;
    let origin = request::origin(&request::head());
    crate::ssr::service::albums::album(&p, session.as_ref(), &id, &origin, before.as_deref()).await
}

/// A profile's Albums tab.
#[server(prefix = "/api", endpoint = "list_albums")]
pub async fn list_albums(username: String) -> Result<Vec<AlbumCard>, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (p, session) = request::guard(Need::Read).await?;
    crate::ssr::service::albums::of_user(&p, session.as_ref(), &username).await
}

/// The owner's albums on one of their photo's pages.
#[server(prefix = "/api", endpoint = "album_choices")]
pub async fn album_choices(photo_id: String) -> Result<Vec<AlbumChoice>, LumenError> {
    use crate::ssr::request;
    let (p, s) = request::member().await?;
    crate::ssr::service::albums::choices(&p, &s, &photo_id).await
}

/// Previous and next for a photo opened from an album.
#[server(prefix = "/api", endpoint = "get_album_place")]
pub async fn get_album_place(
    album_id: String,
    photo_id: String,
) -> Result<Option<AlbumPlace>, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (p, session) = request::guard(Need::Read).await?;
    crate::ssr::service::albums::place(&p, session.as_ref(), &album_id, &photo_id).await
}

#[server(prefix = "/api", endpoint = "create_album")]
pub async fn create_album(
    title: String,
    description: Option<String>,
    visibility: String,
) -> Result<String, LumenError> {
    use crate::ssr::request;
    use crate::ssr::service::albums::{self, AlbumForm};
    let (p, s) = request::member().await?;
    let form = AlbumForm {
        title,
        description: description.unwrap_or_default(),
        visibility,
        sort: "manual".into(),
    };
    let id = albums::create(&p, &s, &form).await?;
    request::redirect(&format!("/a/{id}"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "update_album")]
pub async fn update_album(
    id: String,
    title: String,
    description: String,
    visibility: String,
    sort: String,
) -> Result<(), LumenError> {
    use crate::ssr::request;
    use crate::ssr::service::albums::{self, AlbumForm};
    let (p, s) = request::member().await?;
    let form = AlbumForm {
        title,
        description,
        visibility,
        sort,
    };
    albums::edit(&p, &s, &id, &form).await?;
    request::redirect(&format!("/a/{id}?saved=1"));
    Ok(())
}

/// Deletes the album; its photos stay.
#[server(prefix = "/api", endpoint = "delete_album")]
pub async fn delete_album(id: String) -> Result<(), LumenError> {
    use crate::ssr::request;
    let (p, s) = request::member().await?;
    crate::ssr::service::albums::delete(&p, &s, &id).await?;
    request::redirect(&format!("/u/{}?tab=albums", s.user.username));
    Ok(())
}

/// From a photo's page: puts it in one of the owner's albums.
#[server(prefix = "/api", endpoint = "add_to_album")]
pub async fn add_to_album(album_id: String, photo_id: String) -> Result<(), LumenError> {
    use crate::ssr::request;
    let (p, s) = request::member().await?;
    crate::ssr::service::albums::add(&p, &s, &album_id, std::slice::from_ref(&photo_id)).await?;
    request::redirect(&format!("/p/{photo_id}?album={album_id}"));
    Ok(())
}

#[server(prefix = "/api", endpoint = "remove_from_album")]
pub async fn remove_from_album(album_id: String, photo_id: String) -> Result<(), LumenError> {
    use crate::ssr::request;
    let (p, s) = request::member().await?;
    crate::ssr::service::albums::remove(&p, &s, &album_id, std::slice::from_ref(&photo_id)).await?;
    request::redirect(&format!("/a/{album_id}"));
    Ok(())
}

/// Moves a photo one place `earlier` or `later` in the album's own order.
#[server(prefix = "/api", endpoint = "move_in_album")]
pub async fn move_in_album(
    album_id: String,
    photo_id: String,
    direction: String,
) -> Result<(), LumenError> {
    use crate::ssr::request;
    use crate::ssr::service::albums::{self, Move};
    let (p, s) = request::member().await?;
    let to = Move::parse(&direction)
        .ok_or_else(|| LumenError::invalid("direction", "Move it earlier or later."))?;
    albums::move_photo(&p, &s, &album_id, &photo_id, to).await?;
    request::redirect(&format!("/a/{album_id}"));
    Ok(())
}

/// Dragging (with JS): puts a photo just before `before`, or last when it is empty.
#[server(prefix = "/api", endpoint = "place_in_album")]
pub async fn place_in_album(
    album_id: String,
    photo_id: String,
    before: Option<String>,
) -> Result<(), LumenError> {
    use crate::ssr::request;
    use crate::ssr::service::albums::{self, Move};
    let (p, s) = request::member().await?;
    let to = match before.filter(|b| !b.is_empty()) {
        Some(b) => Move::Before(b),
        None => Move::ToEnd,
    };
    albums::move_photo(&p, &s, &album_id, &photo_id, to).await
}

#[server(prefix = "/api", endpoint = "set_album_cover")]
pub async fn set_album_cover(album_id: String, photo_id: String) -> Result<(), LumenError> {
    use crate::ssr::request;
    let (p, s) = request::member().await?;
    crate::ssr::service::albums::set_cover(&p, &s, &album_id, &photo_id).await?;
    request::redirect(&format!("/a/{album_id}"));
    Ok(())
}
