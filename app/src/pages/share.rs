//! `/s/{token}` and `/s/{token}/p/{photo}`: a share link's pages. The photo, or the album
//! and its photos, at link-scoped URLs to anyone holding an open link; the password form
//! for a protected one; and the same "does not work" page for revoked, expired, reset and
//! made-up links. Nothing else of the owner's.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::links::{get_share, get_shared_photo};
use crate::components::error_box::ErrorBox;
use crate::components::key_nav::KeyNav;
use crate::components::paging::{older_href, OlderLink};
use crate::components::photo_card::PhotoGrid;
use crate::components::photo_view::{Caption, Facts, PhotoFigure, SocialMeta};
use crate::components::share::{DeadLink, PasswordPrompt};
use crate::error::LumenError;
use crate::http::set_http_status;
use crate::model::{LinkPlace, PhotoView, SharedAlbum, SharedView};
use crate::text::isolate;

#[component]
pub fn SharePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        (
            params.read().get("token").unwrap_or_default(),
            query.read().get("before"),
        )
    };
    let share = Resource::new(key, |(token, before)| get_share(token, before));
    view! { <ShareShell share /> }
}

/// A photo of a shared album, opened from the album's link page.
#[component]
pub fn SharedPhotoPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("token").unwrap_or_default(),
            p.get("photo").unwrap_or_default(),
        )
    };
    let share = Resource::new(key, |(token, photo)| get_shared_photo(token, photo));
    view! { <ShareShell share /> }
}

#[component]
fn ShareShell(share: Resource<Result<SharedView, LumenError>>) -> impl IntoView {
    view! {
        // Link pages are for the people they were sent to, not for search engines.
        <Meta name="robots" content="noindex, nofollow" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match share.await {
                    Ok(v) => view! { <Shared v /> }.into_any(),
                    Err(LumenError::NotFound) => {
                        set_http_status(404);
                        view! {
                            <Title text="Link does not work" />
                            <DeadLink />
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Shared(v: SharedView) -> impl IntoView {
    let meta = view! { <SocialMeta preview=v.preview.clone() /> };
    match (v.photo, v.album) {
        (Some(p), _) => view! {
            <Title text=isolate(&p.title) />
            {meta}
            <SharedPhoto p place=v.place />
        }
        .into_any(),
        (None, Some(a)) => view! {
            <Title text=isolate(&a.title) />
            {meta}
            <SharedAlbumView a />
        }
        .into_any(),
        (None, None) => view! {
            <Title text="Protected link" />
            {meta}
            <PasswordPrompt token=v.token />
        }
        .into_any(),
    }
}

#[component]
fn SharedPhoto(p: PhotoView, place: Option<LinkPlace>) -> impl IntoView {
    let byline = p.owner.clone().map(|u| {
        view! { <p class="byline">"Shared by @" {u}</p> }
    });
    let original = p.original_url.clone().map(|href| {
        view! { <p><a class="button" href=href download>"Download original"</a></p> }
    });
    let body = if p.images.is_empty() {
        view! { <p class="processing">"This photo is not ready yet. Try again in a moment."</p> }
            .into_any()
    } else {
        view! { <PhotoFigure p=p.clone() /> }.into_any()
    };
    let nav = place.map(|at| {
        view! {
            <nav class="album-nav" aria-label="In this album">
                {at.prev.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
                <a href=at.album_url>"Album: " <bdi>{at.album_title}</bdi></a>
                {at.next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
            </nav>
            <KeyNav />
        }
    });
    view! {
        <article class="photo-page shared" data-status=p.status.as_str()>
            {nav}
            <h1>
                <bdi>{p.title.clone()}</bdi>
            </h1>
            {byline}
            {body}
            <Caption text=p.caption.clone() />
            <Facts p=p.clone() />
            {original}
        </article>
    }
}

/// An album as its link shows it: words, count, the grid (each photo opens under the
/// link), and the zip when the link allows downloads.
#[component]
pub fn SharedAlbumView(a: SharedAlbum) -> impl IntoView {
    let count = match a.count {
        1 => "1 photo".to_string(),
        n => format!("{n} photos"),
    };
    // The album's own address (`/s/{token}`), from where its cards open.
    let base = a.photo_base.trim_end_matches("/p/").to_string();
    let older = a.next.as_deref().map(|n| older_href(&base, &[], n));
    let byline = match a.owner.clone() {
        Some(u) => format!("Shared by @{u} · {count}"),
        None => count,
    };
    let description = view! { <Caption text=a.description.clone() /> };
    let download = a.download_url.clone().map(|href| {
        view! {
            <p>
                <a class="button" href=href download>"Download all (zip of the originals)"</a>
                " "
                <small class="muted">"The originals keep their camera data."</small>
            </p>
        }
    });
    let grid = if a.photos.is_empty() {
        view! { <div class="empty"><p>"This album has no photos yet."</p></div> }.into_any()
    } else {
        view! {
            <PhotoGrid cards=a.photos.clone() base=a.photo_base.clone() />
            <OlderLink href=older />
        }
        .into_any()
    };
    view! {
        <article class="album-page shared">
            <h1>
                <bdi>{a.title.clone()}</bdi>
            </h1>
            <p class="byline">{byline}</p>
            {description}
            {download}
            {grid}
        </article>
    }
}
