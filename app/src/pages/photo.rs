use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

use crate::api::albums::{album_choices, get_album_place, AddToAlbum};
use crate::api::links::list_links;
use crate::api::photos::{get_photo, DeletePhoto, UpdatePhoto};
use crate::api::search::{get_tags, AddTags, RemoveTag};
use crate::api::social::get_social;
use crate::api::viewer::get_context;
use crate::components::error_box::ErrorBox;
use crate::components::form::{kept, Checkbox, Field, ServerForm};
use crate::components::photo_view::{Caption, Facts, PhotoFigure, SocialMeta};
use crate::components::share::{ShareSection, Subject};
use crate::components::social::{LiveForms, Social};
use crate::components::status::StatusBadge;
use crate::components::viewer::{ContextLinks, ViewerParts};
use crate::http::escape_text;
use crate::model::{PhotoStatus, PhotoView, Visibility};
use crate::text::isolate;

/// How often a page showing an unfinished photo asks again.
const POLL: Duration = Duration::from_millis(1500);

#[component]
pub fn PhotoPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let photo = Resource::new(id, get_photo);

    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match photo.await {
                    Ok(p) => view! { <PhotoDetail p /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PhotoDetail(p: PhotoView) -> impl IntoView {
    let title = p.title.clone();
    let body = match p.status {
        PhotoStatus::Ready => view! { <PhotoFigure p=p.clone() /> }.into_any(),
        PhotoStatus::Pending => view! {
            <div class="processing">
                // Without JS the page refreshes itself; with JS the watcher reloads it
                // once, when the job has finished.
                <noscript>
                    <meta http-equiv="refresh" content="2" />
                </noscript>
                <PendingWatcher id=p.id.clone() />
                <StatusBadge status=PhotoStatus::Pending />
                <p>"Your photo is uploaded and being prepared. This page updates by itself."</p>
            </div>
        }
        .into_any(),
        PhotoStatus::Failed => view! {
            <div class="processing failed" role="alert">
                <StatusBadge status=PhotoStatus::Failed />
                <p class="failure">
                    {p.failure.clone().unwrap_or_else(|| "This photo could not be processed.".into())}
                </p>
            </div>
        }
        .into_any(),
    };
    let byline = p.owner.clone().map(|u| {
        view! {
            <p class="byline">
                "by " <a href=format!("/u/{u}")>"@" {u.clone()}</a>
            </p>
        }
    });
    let original = p.original_url.clone().map(|href| {
        view! { <p><a class="button" href=href download>"Download original"</a></p> }
    });
    let saved = use_query_map().read_untracked().get("saved").is_some();
    let owner_tools = p.is_owner.then(|| view! { <OwnerTools p=p.clone() /> });
    // Opened from an album: previous / next within it (plain links, so they work without JS).
    let album_nav = use_query_map()
        .read_untracked()
        .get("album")
        .map(|album_id| view! { <AlbumNav album_id photo_id=p.id.clone() /> });
    // Opened from another listing (`?in=`): the same, within it.
    let context_nav = use_query_map()
        .read_untracked()
        .get("in")
        .map(|within| view! { <ContextNav within photo_id=p.id.clone() /> }.into_any());
    // Keys, lightbox and shortcut list where JS runs; plain links where it does not.
    let viewer = (p.status == PhotoStatus::Ready).then(|| {
        view! { <ViewerParts images=p.images.clone() alt=crate::components::photo_view::alt_or_title(&p) /> }
    });
    view! {
        <Title text=isolate(&title) />
        <SocialMeta preview=p.preview.clone() />
        <article class="photo-page" data-status=p.status.as_str()>
            <h1>
                <bdi>{title}</bdi>
            </h1>
            {byline}
            {album_nav}
            {context_nav}
            {saved.then(|| view! { <p class="notice ok" role="status">"Saved."</p> })}
            {body}
            {viewer}
            <Caption text=p.caption.clone() />
            <PhotoTags photo_id=p.id.clone() is_owner=p.is_owner />
            <Facts p=p.clone() gear_links=true />
            {original}
            <SocialBlock photo_id=p.id.clone() />
            {owner_tools}
        </article>
    }
}

/// The owner's controls: edit the words and who sees it; delete (behind a disclosure,
/// so it takes two deliberate clicks, with or without JS).
#[component]
fn OwnerTools(p: PhotoView) -> impl IntoView {
    const EDIT: &str = UpdatePhoto::PATH;
    let share_links = Resource::new(move || (), {
        let id = p.id.clone();
        move |()| list_links(Some(id.clone()), None)
    });
    let current = kept(EDIT, "visibility", p.visibility.as_str());
    let choices = Visibility::ALL
        .into_iter()
        .map(|v| {
            view! {
                <label class="check">
                    <input
                        type="radio"
                        name="visibility"
                        value=v.as_str()
                        checked=current == v.as_str()
                    />
                    " "
                    {v.label()}
                </label>
            }
        })
        .collect_view();
    let (edit_id, delete_id) = (p.id.clone(), p.id.clone());
    view! {
        <section class="owner-tools" aria-label="Your photo">
            <h2>"Edit"</h2>
            <ServerForm action=EDIT class="stack" label="Edit photo">
                <input type="hidden" name="id" value=edit_id />
                <Field action=EDIT name="title" label="Title" required=true maxlength=100 value=p.title.clone() />
                <label for="caption">"Caption"</label>
                <textarea id="caption" name="caption" rows="3" maxlength="2000">
                    // tachys writes a textarea's text raw: escape it here.
                    {escape_text(&kept(EDIT, "caption", &p.caption))}
                </textarea>
                <Field
                    action=EDIT
                    name="alt"
                    label="Alt text (describes the photo for screen readers)"
                    maxlength=500
                    value=p.alt.clone()
                />
                <fieldset>
                    <legend>"Who can see it"</legend>
                    {choices}
                </fieldset>
                <Checkbox
                    action=EDIT
                    name="allow_original"
                    label="Let others download the original file (it keeps the camera data, location included)"
                    checked=p.allow_original
                />
                <button type="submit" class="button primary">
                    "Save changes"
                </button>
            </ServerForm>
            <PhotoAlbums photo_id=p.id.clone() />
            <ShareSection subject=Subject::Photo(p.id.clone()) links=share_links />
            <details class="danger-zone">
                <summary>"Delete this photo…"</summary>
                <ServerForm action=DeletePhoto::PATH label="Delete photo">
                    <input type="hidden" name="id" value=delete_id />
                    <p>"It goes to your trash: gone for everyone else at once, and yours to restore for 30 days."</p>
                    <button type="submit" class="button danger">
                        "Move to trash"
                    </button>
                </ServerForm>
            </details>
        </section>
    }
}

/// Asks for the photo's status until its job has finished, then reloads the page, which
/// the server renders in its new state.
#[island]
fn PendingWatcher(id: String) -> impl IntoView {
    fn poll(id: String) {
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    match get_photo(id.clone()).await {
                        Ok(p) if p.status == PhotoStatus::Pending => poll(id),
                        // Finished, gone or failing: the server's page says which.
                        _ => {
                            let _ = window().location().reload();
                        }
                    }
                })
            },
            POLL,
        );
    }
    Effect::new(move || poll(id.clone()));
}

/// Previous / next within the album the photo was opened from, among what the viewer may
/// see there; nothing when the photo is not shown in that album.
#[component]
fn AlbumNav(album_id: String, photo_id: String) -> impl IntoView {
    let place = Resource::new(
        move || (album_id.clone(), photo_id.clone()),
        |(a, p)| get_album_place(a, p),
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                place.await.ok().flatten().map(|at| {
                    let link = |id: &str| format!("/p/{id}?album={}", at.album_id);
                    view! {
                        <nav class="album-nav" aria-label="In this album">
                            {at.prev.as_deref().map(|id| view! { <a href=link(id) rel="prev">"← Previous"</a> })}
                            <a href=format!("/a/{}", at.album_id) data-back="">
                                "Album: " <bdi>{at.album_title.clone()}</bdi>
                            </a>
                            {at.next.as_deref().map(|id| view! { <a href=link(id) rel="next">"Next →"</a> })}
                        </nav>
                    }
                })
            })}
        </Suspense>
    }
}

/// Previous / next within the listing named by `?in=` (see `service::viewer`); nothing
/// when it names none or does not show this photo.
#[component]
fn ContextNav(within: String, photo_id: String) -> impl IntoView {
    let nav = Resource::new(
        move || (photo_id.clone(), within.clone()),
        |(p, w)| get_context(p, w),
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                nav.await.ok().flatten().map(|nav| view! { <ContextLinks nav /> })
            })}
        </Suspense>
    }
}

/// The owner's albums: the ones holding this photo, and a form to put it in another.
#[component]
fn PhotoAlbums(photo_id: String) -> impl IntoView {
    let id = photo_id.clone();
    let choices = Resource::new(move || id.clone(), album_choices);
    view! {
        <h2>"Albums"</h2>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let photo_id = photo_id.clone();
                Suspend::new(async move {
                    let choices = choices.await.unwrap_or_default();
                    let (holding, others): (Vec<_>, Vec<_>) =
                        choices.into_iter().partition(|c| c.contains);
                    let holding = (!holding.is_empty()).then(|| {
                        let links = holding
                            .into_iter()
                            .map(|c| view! { <li><a href=format!("/a/{}", c.id)><bdi>{c.title}</bdi></a></li> })
                            .collect_view();
                        view! { <p>"In:"</p> <ul class="album-list">{links}</ul> }
                    });
                    let add = if others.is_empty() {
                        view! { <p class="muted">"Make albums on your profile’s Albums tab."</p> }.into_any()
                    } else {
                        let options = others
                            .into_iter()
                            .map(|c| view! { <option value=c.id>{c.title}</option> })
                            .collect_view();
                        view! {
                            <ServerForm action=AddToAlbum::PATH class="inline-form" label="Add to album">
                                <input type="hidden" name="photo_id" value=photo_id.clone() />
                                <label for="album_id">"Add to album"</label>
                                <select id="album_id" name="album_id">{options}</select>
                                <button type="submit" class="button">"Add"</button>
                            </ServerForm>
                        }
                        .into_any()
                    };
                    view! { {holding} {add} }
                })
            }}
        </Suspense>
    }
}

/// Likes and comments (`?comments=`: a later page of them). Nothing when the viewer may
/// not see them, which the photo's own answer has already said.
#[component]
fn SocialBlock(photo_id: String) -> impl IntoView {
    let after = use_query_map().read_untracked().get("comments");
    let social = Resource::new(
        move || (photo_id.clone(), after.clone()),
        |(id, after)| get_social(id, after),
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                social.await.ok().map(|v| view! { <LiveForms><Social v /></LiveForms> })
            })}
        </Suspense>
    }
}

/// The photo's tags, each a link to its page; for the owner, a "Remove" form beside each
/// and a form adding several at once (comma-separated). Plain forms: they work without JS.
#[component]
fn PhotoTags(photo_id: String, is_owner: bool) -> impl IntoView {
    let id = photo_id.clone();
    let tags = Resource::new(move || id.clone(), get_tags);
    view! {
        <Suspense>
            {move || {
                let photo_id = photo_id.clone();
                Suspend::new(async move {
                    let tags = tags.await.unwrap_or_default();
                    if tags.is_empty() && !is_owner {
                        return None;
                    }
                    let items = tags
                        .into_iter()
                        .map(|t| {
                            let remove = is_owner.then(|| {
                                view! {
                                    <form method="post" action=RemoveTag::PATH class="inline">
                                        <input type="hidden" name="photo_id" value=photo_id.clone() />
                                        <input type="hidden" name="tag" value=t.clone() />
                                        <button type="submit" class="link" aria-label=format!("Remove tag {t}")>
                                            "×"
                                        </button>
                                    </form>
                                }
                            });
                            view! {
                                <li>
                                    <a href=crate::components::listing::tag_href(&t) rel="tag">"#" <bdi>{t.clone()}</bdi></a>
                                    {remove}
                                </li>
                            }
                        })
                        .collect_view();
                    let add = is_owner.then(|| {
                        const ADD: &str = AddTags::PATH;
                        view! {
                            <ServerForm action=ADD class="inline-form" label="Add tags">
                                <input type="hidden" name="photo_id" value=photo_id.clone() />
                                <label for="add-tags">"Add tags"</label>
                                <input id="add-tags" name="tags" maxlength="1000" placeholder="beach, golden hour" value=kept(ADD, "tags", "") />
                                <button type="submit" class="button">"Add tags"</button>
                            </ServerForm>
                        }
                    });
                    Some(view! {
                        <section id="tags" class="tags" aria-label="Tags">
                            <ul class="tag-list">{items}</ul>
                            {add}
                        </section>
                    })
                })
            }}
        </Suspense>
    }
}
