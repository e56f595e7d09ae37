//! Tags on a photo, the tag / camera / lens listings, and search. Each fn runs the guard
//! first; tag changes need a signed-in, same-site owner (`access::check(Edit)` in the
//! service), and what the caller may not see answers 404.

use leptos::prelude::*;

use crate::error::LumenError;
use crate::model::PhotoPage;

/// A photo's tags, for anyone who may see the photo.
#[server(prefix = "/api", endpoint = "get_tags")]
pub async fn get_tags(photo_id: String) -> Result<Vec<String>, LumenError> {
    use crate::ssr::{guard::Need, request};
    let (p, session) = request::guard(Need::Read).await?;
    crate::ssr::service::search::tags_of(&p, session.as_ref(), &photo_id).await
}

/// The owner's "Add tags" form: several at once, comma-separated.
#[server(prefix = "/api", endpoint = "add_tags")]
pub async fn add_tags(photo_id: String, tags: String) -> Result<(), LumenError> {
    use crate::ssr::{request, service::search};
    let (p, s) = request::member().await?;
    search::add_tags(&p, &s, &photo_id, &tags).await?;
    request::redirect(&format!("/p/{photo_id}#tags"));
    Ok(())
}

/// The small "Remove" form beside each tag.
#[server(prefix = "/api", endpoint = "remove_tag")]
pub async fn remove_tag(photo_id: String, tag: String) -> Result<(), LumenError> {
    use crate::ssr::{request, service::search};
    let (p, s) = request::member().await?;
    search::remove_tag(&p, &s, &photo_id, &tag).await?;
    request::redirect(&format!("/p/{photo_id}#tags"));
    Ok(())
}

/// `/t/{tag}`: public photos with that tag, newest first.
#[server(prefix = "/api", endpoint = "list_tagged")]
pub async fn list_tagged(tag: String, before: Option<String>) -> Result<PhotoPage, LumenError> {
    use crate::ssr::{guard::Need, ports::Listing, request, service::search};
    let (p, _) = request::guard(Need::Read).await?;
    search::listing(&p, Listing::Tag(tag), before.as_deref()).await
}

/// `/camera/{name}` and `/lens/{name}`: `kind` is `camera` or `lens`.
#[server(prefix = "/api", endpoint = "list_by_gear")]
pub async fn list_by_gear(
    kind: String,
    name: String,
    before: Option<String>,
) -> Result<PhotoPage, LumenError> {
    use crate::ssr::{guard::Need, ports::Listing, request, service::search};
    let (p, _) = request::guard(Need::Read).await?;
    let of = match kind.as_str() {
        "camera" => Listing::Camera(name),
        "lens" => Listing::Lens(name),
        _ => return Err(LumenError::NotFound),
    };
    search::listing(&p, of, before.as_deref()).await
}

/// `/search?q=…`: `None` when `q` holds nothing to search for.
#[server(prefix = "/api", endpoint = "search_photos")]
pub async fn search_photos(
    q: String,
    before: Option<String>,
) -> Result<Option<PhotoPage>, LumenError> {
    use crate::ssr::{guard::Need, request, service::search};
    let (p, session) = request::guard(Need::Read).await?;
    search::search(&p, session.as_ref(), &q, before.as_deref()).await
}
