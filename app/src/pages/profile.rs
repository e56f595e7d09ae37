//! `/u/{username}`: a person's public photos, newest first (all of them, on your own), and
//! their albums (`?tab=albums`). Rendered data first: the Worker loads what the page shows
//! (`load_profile`) and then renders this at once.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

use crate::api::albums::{list_albums, CreateAlbum};
use crate::api::photos::get_profile;
use crate::components::error_box::ErrorBox;
use crate::components::form::{kept, refusal, Field, ServerForm};
use crate::components::paging::{older_href, OlderLink};
use crate::components::photo_card::PhotoGrid;
use crate::components::pick::{RangeSelect, BULK_FORM};
use crate::components::upload_row::FormError;
use crate::error::LumenError;
use crate::model::{AlbumCard, ProfileView, Visibility};
use crate::pages::album::{album_visibility_label, BULK};
use crate::pages::trash::TRASH_BULK;
use server_fn::ServerFn;

/// What the profile shows: the person's page, and their albums where it lists them.
pub struct ProfileData {
    pub profile: Result<ProfileView, LumenError>,
    /// Read for the Albums tab, and for "Add selected to" on your own Photos tab.
    pub albums: Option<Result<Vec<AlbumCard>, LumenError>>,
}

/// Reads what the profile of `username` shows (`before`: a page of photos), in the order
/// the page asks: the profile, then the albums if it shows them.
pub async fn load_profile(
    username: String,
    before: Option<String>,
    albums_tab: bool,
) -> ProfileData {
    let profile = get_profile(username, before).await;
    let albums = match &profile {
        Ok(p) if albums_tab || (p.is_me && !p.photos.is_empty()) => {
            Some(list_albums(p.username.clone()).await)
        }
        _ => None,
    };
    ProfileData { profile, albums }
}

/// `albums_tab`: `?tab=albums`; `deleted`: `?deleted` (a photo was just moved to the trash).
#[component]
pub fn ProfilePage(data: ProfileData, albums_tab: bool, deleted: bool) -> impl IntoView {
    match data.profile {
        Ok(profile) => {
            view! { <Profile profile albums=data.albums albums_tab deleted /> }.into_any()
        }
        Err(error) => view! { <ErrorBox error /> }.into_any(),
    }
}

#[component]
fn Profile(
    profile: ProfileView,
    albums: Option<Result<Vec<AlbumCard>, LumenError>>,
    albums_tab: bool,
    deleted: bool,
) -> impl IntoView {
    let title = format!(
        "{} (@{})",
        crate::text::isolate(&profile.display_name),
        profile.username
    );
    let empty_note = (profile.photos.is_empty() && !profile.is_me)
        .then(|| view! { <p class="empty">"No public photos yet."</p> });
    let is_me = profile.is_me;
    let bulk = (is_me && !profile.photos.is_empty()).then(|| {
        let albums = albums.clone().and_then(Result::ok).unwrap_or_default();
        view! { <AddSelected albums /> }
    });
    let older = profile
        .next
        .as_deref()
        .map(|n| older_href(&format!("/u/{}", profile.username), &[], n));
    let grid = (!profile.photos.is_empty() || profile.is_me).then(|| {
        view! {
            <PhotoGrid
                cards=profile.photos
                pick=is_me
                query=crate::components::listing::in_query(&format!("u:{}", profile.username))
            />
            <OlderLink href=older />
        }
    });
    let username = profile.username.clone();
    view! {
        <Title text=title.clone() />
        <Meta property="og:title" content=title.clone() />
        <Meta name="description" content=format!("Photos shared on Lumen by {title}.") />
        <Link rel="alternate" type_="application/atom+xml" href=format!("/u/{username}/feed.atom") title=title />
        <section class="profile">
            <h1>
                <bdi>{profile.display_name}</bdi>
                " "
                <span class="muted">"@" {profile.username}</span>
            </h1>
            <nav class="tabs" aria-label="Profile">
                <a href=format!("/u/{username}") aria-current=(!albums_tab).then_some("page")>
                    "Photos"
                </a>
                <a
                    href=format!("/u/{username}?tab=albums")
                    aria-current=albums_tab.then_some("page")
                >
                    "Albums"
                </a>
                {is_me.then(|| view! { <a href="/trash">"Trash"</a> })}
            </nav>
            {deleted.then(|| view! {
                <p class="notice ok" role="status">
                    "Moved to the trash. " <a href="/trash">"Restore it from the trash"</a>
                    " within 30 days."
                </p>
            })}
            {if albums_tab {
                let albums = albums.unwrap_or_else(|| Ok(Vec::new()));
                view! { <AlbumsTab albums is_me=profile.is_me /> }.into_any()
            } else {
                view! {
                    {profile.is_me.then(|| view! {
                        <p class="muted">"Only you see the unlisted and private photos on this page."</p>
                    })}
                    {empty_note}
                    {bulk}
                    {grid}
                }
                .into_any()
            }}
        </section>
    }
}

/// The Albums tab: album cards (public ones, or all of them on your own profile) and, for
/// the owner, the form that makes a new one.
#[component]
fn AlbumsTab(albums: Result<Vec<AlbumCard>, LumenError>, is_me: bool) -> impl IntoView {
    view! {
        {is_me.then(|| view! { <NewAlbumForm /> })}
        {match albums {
            Ok(cards) if cards.is_empty() => {
                view! { <p class="empty">"No albums yet."</p> }.into_any()
            }
            Ok(cards) => view! { <AlbumGrid cards /> }.into_any(),
            Err(error) => view! { <ErrorBox error /> }.into_any(),
        }}
    }
}

#[component]
fn NewAlbumForm() -> impl IntoView {
    const NEW: &str = CreateAlbum::PATH;
    let current = kept(NEW, "visibility", "private");
    let choices = Visibility::ALL
        .into_iter()
        .map(|v| {
            view! {
                <label class="check">
                    <input type="radio" name="visibility" value=v.as_str() checked=current == v.as_str() />
                    " "
                    {album_visibility_label(v)}
                </label>
            }
        })
        .collect_view();
    view! {
        <details class="new-album">
            <summary class="button">"New album"</summary>
            <ServerForm action=NEW class="stack" label="New album">
                <Field action=NEW name="title" label="Title" required=true maxlength=100 />
                <Field action=NEW name="description" label="Description (optional)" maxlength=2000 />
                <fieldset>
                    <legend>"Who can see it"</legend>
                    {choices}
                </fieldset>
                <button type="submit" class="button primary">
                    "Create album"
                </button>
            </ServerForm>
        </details>
    }
}

#[component]
pub fn AlbumGrid(cards: Vec<AlbumCard>) -> impl IntoView {
    let items = cards
        .into_iter()
        .map(|c| {
            let style = c.placeholder.as_ref().map(|p| format!("background-color:{p}"));
            let count = match c.count {
                1 => "1 photo".to_string(),
                n => format!("{n} photos"),
            };
            let badge = (c.visibility != Visibility::Public).then(|| {
                view! { " " <span class=format!("badge {}", c.visibility.as_str())>{c.visibility.as_str()}</span> }
            });
            let cover = match c.cover {
                Some(t) => view! {
                    <img src=t.url width=t.width height=t.height alt="" loading="lazy" decoding="async" />
                }
                .into_any(),
                None => view! { <div class="thumb-empty"></div> }.into_any(),
            };
            view! {
                <li class="card">
                    <a href=format!("/a/{}", c.id) class="thumb" style=style aria-label=c.title.clone()>
                        {cover}
                    </a>
                    <span class="card-title"><bdi>{c.title}</bdi>{badge}</span>
                    <span class="card-meta">{count}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="grid" aria-label="Albums">{items}</ul> }
}

/// On your own profile: add the ticked photos to one of your albums (`albums`: yours).
#[component]
fn AddSelected(albums: Vec<AlbumCard>) -> impl IntoView {
    let add = (!albums.is_empty()).then(|| {
        let options = albums
            .into_iter()
            .map(|a| view! { <option value=a.id>{a.title}</option> })
            .collect_view();
        view! {
            <label for="bulk-album">"Add selected to"</label>
            <select id="bulk-album" name="album_id">{options}</select>
            <button type="submit" class="button" name="action" value="add">
                "Add"
            </button>
        }
    });
    view! {
        <form id=BULK_FORM method="post" action=BULK class="inline-form bulk" aria-label="Selected photos">
            {refusal(BULK).or_else(|| refusal(TRASH_BULK)).map(|message| view! { <FormError message /> })}
            {add}
            // Posts the same ticked boxes to the trash's route instead.
            <button type="submit" class="button" formaction=TRASH_BULK name="action" value="trash">
                "Move selected to trash"
            </button>
            <small class="muted">"Tick photos below (shift-click for a range)."</small>
        </form>
        <RangeSelect />
    }
}
