//! `/s/{token}`: a share link's page. The photo (at link-scoped image URLs) to anyone
//! holding an open link, the password form for a protected one, and the same "does not
//! work" page for revoked, expired, reset and made-up links. Nothing else of the owner's.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::api::links::get_share;
use crate::components::error_box::ErrorBox;
use crate::components::photo_view::{Caption, Facts, PhotoFigure, SocialMeta};
use crate::components::share::{DeadLink, PasswordPrompt};
use crate::error::LumenError;
use crate::http::set_http_status;
use crate::model::{PhotoView, SharedView};
use crate::text::isolate;

#[component]
pub fn SharePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let share = Resource::new(token, get_share);
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
    match v.photo {
        None => view! {
            <Title text="Protected photo" />
            {meta}
            <PasswordPrompt token=v.token />
        }
        .into_any(),
        Some(p) => view! {
            <Title text=isolate(&p.title) />
            {meta}
            <SharedPhoto p />
        }
        .into_any(),
    }
}

#[component]
fn SharedPhoto(p: PhotoView) -> impl IntoView {
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
    view! {
        <article class="photo-page shared" data-status=p.status.as_str()>
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
