//! Likes, comments and the Liked page. Each write is a real form (JS off: the post
//! redirects back to the photo page); the photo page's island calls the same functions
//! with JS on, and then gets no redirect (see `back_to`).

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::{LikeState, PhotoPage, SocialView};

/// Likes and a page of comments (`comments`: the `?comments=` cursor) under a photo.
#[server(prefix = "/api", endpoint = "get_social")]
pub async fn get_social(
    photo_id: String,
    comments: Option<String>,
) -> Result<SocialView, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (p, session) = request::guard(Need::Read).await?;
    crate::ssr::service::social::social(&p, session.as_ref(), &photo_id, comments.as_deref()).await
}

#[server(prefix = "/api", endpoint = "like_photo")]
pub async fn like_photo(id: String) -> Result<LikeState, LumenError> {
    let (p, s) = crate::ssr::request::member().await?;
    let state = crate::ssr::service::social::like(&p, &s, &id, true).await?;
    ssr::back_to(&id, "likes");
    Ok(state)
}

#[server(prefix = "/api", endpoint = "unlike_photo")]
pub async fn unlike_photo(id: String) -> Result<LikeState, LumenError> {
    let (p, s) = crate::ssr::request::member().await?;
    let state = crate::ssr::service::social::like(&p, &s, &id, false).await?;
    ssr::back_to(&id, "likes");
    Ok(state)
}

/// The owner's switches: hide the like count, switch comments off.
#[server(prefix = "/api", endpoint = "set_social")]
pub async fn set_social(
    id: String,
    hide_likes: Option<String>,
    comments_off: Option<String>,
) -> Result<(), LumenError> {
    use crate::ssr::ports::Switches;
    let (p, s) = crate::ssr::request::member().await?;
    let switches = Switches {
        hide_likes: hide_likes.is_some(),
        comments_off: comments_off.is_some(),
    };
    crate::ssr::service::social::set_switches(&p, &s, &id, switches).await?;
    ssr::back_to(&id, "comments");
    Ok(())
}

#[server(prefix = "/api", endpoint = "add_comment")]
pub async fn add_comment(photo_id: String, body: String) -> Result<(), LumenError> {
    let (p, s) = crate::ssr::request::member().await?;
    let c = crate::ssr::service::social::add_comment(&p, &s, &photo_id, &body).await?;
    ssr::back_to(&photo_id, &format!("c-{}", c.id));
    Ok(())
}

#[server(prefix = "/api", endpoint = "edit_comment")]
pub async fn edit_comment(id: String, body: String) -> Result<(), LumenError> {
    let (p, s) = crate::ssr::request::member().await?;
    let photo = crate::ssr::service::social::edit_comment(&p, &s, &id, &body).await?;
    ssr::back_to(&photo, &format!("c-{id}"));
    Ok(())
}

#[server(prefix = "/api", endpoint = "delete_comment")]
pub async fn delete_comment(id: String) -> Result<(), LumenError> {
    let (p, s) = crate::ssr::request::member().await?;
    let photo = crate::ssr::service::social::delete_comment(&p, &s, &id).await?;
    ssr::back_to(&photo, "comments");
    Ok(())
}

/// `/liked`: the signed-in person's liked photos, newest like first.
#[server(prefix = "/api", endpoint = "list_liked")]
pub async fn list_liked(before: Option<String>) -> Result<PhotoPage, LumenError> {
    let (p, s) = crate::ssr::request::member().await?;
    crate::ssr::service::social::liked(&p, &s, before.as_deref()).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use axum::http::{header, request::Parts};
    use leptos::prelude::use_context;

    /// A plain form post (the browser asked for HTML) goes back to the photo, at `anchor`;
    /// a call from the island gets its answer and stays where it is.
    pub fn back_to(photo_id: &str, anchor: &str) {
        let plain_form = use_context::<Parts>().is_some_and(|p| {
            p.headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("text/html"))
        });
        if plain_form {
            crate::ssr::request::redirect(&format!(
                "{}#{anchor}",
                crate::ssr::keys::photo_url(photo_id)
            ));
        }
    }
}
