//! Share links: the owner's forms on the photo page, and the link page's password form.
//! Each server function calls the guard first; what the caller may not see answers 404.

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::{ShareLinkView, SharedView};

/// The page at `/s/{token}` (counts a view when the photo shows); an album link's photos a
/// page at a time (`before`).
#[server(prefix = "/api", endpoint = "get_share")]
pub async fn get_share(token: String, before: Option<String>) -> Result<SharedView, LumenError> {
    use crate::ssr::{guard::Need, request, service::links};
    let (p, session) = request::guard(Need::Read).await?;
    let head = request::head();
    let origin = request::origin(&head);
    let view = links::open(&p, &head, &token, &origin, before.as_deref()).await?;
    let policy = ssr::page_policy(&view, session.is_some());
    request::set_header(axum::http::header::CACHE_CONTROL, policy);
    Ok(view)
}

/// The page at `/s/{token}/p/{photo}`: a photo of a shared album.
#[server(prefix = "/api", endpoint = "get_shared_photo")]
pub async fn get_shared_photo(token: String, photo_id: String) -> Result<SharedView, LumenError> {
    use crate::ssr::{guard::Need, request, service::links};
    let (p, session) = request::guard(Need::Read).await?;
    let head = request::head();
    let view = links::open_photo(&p, &head, &token, &photo_id, &request::origin(&head)).await?;
    let policy = ssr::page_policy(&view, session.is_some());
    request::set_header(axum::http::header::CACHE_CONTROL, policy);
    Ok(view)
}

/// The owner's links for one of their photos (`photo_id`) or albums (`album_id`).
#[server(prefix = "/api", endpoint = "list_links")]
pub async fn list_links(
    photo_id: Option<String>,
    album_id: Option<String>,
) -> Result<Vec<ShareLinkView>, LumenError> {
    use crate::ssr::{guard::Need, request, service::links};
    // A read: a page opened from another site still lists them (no same-site check).
    let (p, s) = request::guard(Need::Read).await?;
    let s = s.ok_or(LumenError::Unauthenticated)?;
    let (target, id) = ssr::target(photo_id, album_id)?;
    links::list(&p, &s, target, &id, &request::origin(&request::head())).await
}

/// A new link to the caller's photo (`photo_id`) or album (`album_id`).
#[server(prefix = "/api", endpoint = "create_link")]
pub async fn create_link(
    photo_id: Option<String>,
    album_id: Option<String>,
    label: String,
    expires: Option<String>,
    password: Option<String>,
    allow_downloads: Option<String>,
) -> Result<(), LumenError> {
    use crate::ssr::{request, service::links};
    let (p, s) = request::member().await?;
    let (target, id) = ssr::target(photo_id, album_id)?;
    let new = links::NewLink {
        label,
        expiry: links::Expiry::parse(expires.as_deref())?,
        password: password.unwrap_or_default(),
        allow_downloads: allow_downloads.is_some(),
    };
    links::create(&p, &s, target, &id, new).await?;
    request::redirect(&format!("{}?link=created#share", links::home(target, &id)));
    Ok(())
}

/// `expires`: `keep` (or missing) keeps the current end.
#[server(prefix = "/api", endpoint = "update_link")]
pub async fn update_link(
    id: String,
    label: String,
    expires: Option<String>,
    password: Option<String>,
    clear_password: Option<String>,
    allow_downloads: Option<String>,
) -> Result<(), LumenError> {
    use crate::ssr::{request, service::links};
    let (p, s) = request::member().await?;
    let expiry = match expires.as_deref() {
        None | Some("keep") => None,
        choice => Some(links::Expiry::parse(choice)?),
    };
    let change = links::LinkChange {
        label,
        expiry,
        password: password.unwrap_or_default(),
        clear_password: clear_password.is_some(),
        allow_downloads: allow_downloads.is_some(),
    };
    let home = links::update(&p, &s, &id, change).await?;
    request::redirect(&format!("{home}?link=saved#share"));
    Ok(())
}

/// A new token; the old link and its image URLs stop working at once.
#[server(prefix = "/api", endpoint = "reset_link")]
pub async fn reset_link(id: String) -> Result<(), LumenError> {
    use crate::ssr::{request, service::links};
    let (p, s) = request::member().await?;
    let home = links::reset(&p, &s, &id).await?;
    request::redirect(&format!("{home}?link=reset#share"));
    Ok(())
}

#[server(prefix = "/api", endpoint = "revoke_link")]
pub async fn revoke_link(id: String) -> Result<(), LumenError> {
    use crate::ssr::{request, service::links};
    let (p, s) = request::member().await?;
    let home = links::revoke(&p, &s, &id).await?;
    request::redirect(&format!("{home}?link=revoked#share"));
    Ok(())
}

/// The link page's password form: a right password unlocks this link in this browser.
#[server(prefix = "/api", endpoint = "unlock_link")]
pub async fn unlock_link(token: String, password: String) -> Result<(), LumenError> {
    use crate::ssr::{guard::Need, keys, request, service::links};
    let (p, _) = request::guard(Need::AnyoneChanging).await?;
    let head = request::head();
    if let Some(cookie) = links::unlock(&p, &head, &token, &password).await? {
        request::set_cookie(&cookie);
    }
    request::redirect(&keys::link_url(&token));
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::LumenError;
    use crate::http::cache;
    use crate::model::SharedView;
    use crate::ssr::ports::LinkTarget;

    /// Exactly one of the two ids names what the link is for.
    pub fn target(
        photo_id: Option<String>,
        album_id: Option<String>,
    ) -> Result<(LinkTarget, String), LumenError> {
        match (photo_id, album_id) {
            (Some(id), None) => Ok((LinkTarget::Photo, id)),
            (None, Some(id)) => Ok((LinkTarget::Album, id)),
            _ => Err(LumenError::invalid(
                "photo_id",
                "Say which photo or album the link is for.",
            )),
        }
    }

    /// Shared caches never keep a page reached through a link, so a revoked link's page
    /// is gone from everywhere but the viewer's own history; a protected one, or one
    /// answering a signed-in person (their nav), is never stored at all.
    pub fn page_policy(view: &SharedView, signed_in: bool) -> &'static str {
        if view.protected || signed_in {
            cache::PERSONAL
        } else {
            cache::LINK_PAGE
        }
    }
}
