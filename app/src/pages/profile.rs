//! `/u/{username}`: a person's public photos, newest first (all of them, on your own).

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::photos::get_profile;
use crate::components::error_box::ErrorBox;
use crate::components::photo_card::PhotoGrid;
use crate::model::ProfileView;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let username = move || params.read().get("username").unwrap_or_default();
    let profile = Resource::new(username, get_profile);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! { <Profile profile /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Profile(profile: ProfileView) -> impl IntoView {
    let deleted = use_query_map().read_untracked().get("deleted").is_some();
    let title = format!(
        "{} (@{})",
        crate::text::isolate(&profile.display_name),
        profile.username
    );
    let empty_note = (profile.photos.is_empty() && !profile.is_me)
        .then(|| view! { <p class="empty">"No public photos yet."</p> });
    let grid = (!profile.photos.is_empty() || profile.is_me).then(|| {
        view! { <PhotoGrid cards=profile.photos /> }
    });
    view! {
        <Title text=title.clone() />
        <Meta property="og:title" content=title />
        <section class="profile">
            <h1>
                <bdi>{profile.display_name}</bdi>
                " "
                <span class="muted">"@" {profile.username}</span>
            </h1>
            {deleted.then(|| view! { <p class="notice ok" role="status">"Photo deleted."</p> })}
            {profile.is_me.then(|| view! {
                <p class="muted">"Only you see the unlisted and private photos on this page."</p>
            })}
            {empty_note}
            {grid}
        </section>
    }
}
