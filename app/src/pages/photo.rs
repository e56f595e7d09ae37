use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::albums::AddToAlbum;
use crate::api::photos::{get_photo, DeletePhoto, UpdatePhoto};
use crate::api::search::{AddTags, RemoveTag};
use crate::components::error_box::ErrorBox;
use crate::components::form::{kept, Checkbox, Field, ServerForm};
use crate::components::photo_view::{Caption, Facts, PhotoFigure, SocialMeta};
use crate::components::share::{LoadedShareSection, Subject};
use crate::components::social::{LiveForms, Social};
use crate::components::status::StatusBadge;
use crate::components::viewer::{ContextLinks, ViewerParts};
use crate::error::LumenError;
use crate::http::escape_text;
use crate::model::{
    AlbumChoice, AlbumPlace, ContextNav, PhotoStatus, PhotoView, ShareLinkView, SocialView,
    Visibility,
};
use crate::text::isolate;

/// How often a page showing an unfinished photo asks again.
const POLL: Duration = Duration::from_millis(1500);

/// Everything the photo page shows, read before it renders (`ssr::render`).
pub struct PhotoLoaded {
    photo: PhotoView,
    /// Opened from an album (`?album=`): its previous and next.
    place: Option<AlbumPlace>,
    /// Opened from another listing (`?in=`): the same, within it.
    context: Option<ContextNav>,
    tags: Vec<String>,
    social: Option<SocialView>,
    /// The owner's tools' reads.
    owner: Option<OwnerLoaded>,
}

/// The owner's share links for the photo, and their albums with and without it.
struct OwnerLoaded {
    links: Result<Vec<ShareLinkView>, LumenError>,
    choices: Vec<AlbumChoice>,
}

/// The page's reads, through the server functions its parts called when each had its own
/// resource, and taken as each part took them: only the photo's own failure is the page's;
/// any other part that fails shows nothing (the share links say so).
#[cfg(feature = "ssr")]
pub async fn load(id: String) -> Result<PhotoLoaded, LumenError> {
    use crate::api::{albums, links, search, social, viewer};
    let (album, within, comments) = {
        let query = use_query_map().read_untracked();
        (query.get("album"), query.get("in"), query.get("comments"))
    };
    let photo = get_photo(id).await?;
    let id = photo.id.clone();
    // Side by side, as the parts' resources ran: the page waits for the slowest, not the sum.
    let place = async {
        match album {
            Some(album) => albums::get_album_place(album, id.clone())
                .await
                .ok()
                .flatten(),
            None => None,
        }
    };
    let context = async {
        match within {
            Some(within) => viewer::get_context(id.clone(), within).await.ok().flatten(),
            None => None,
        }
    };
    let owner = async {
        match photo.is_owner {
            true => {
                let (links, choices) = futures::future::join(
                    links::list_links(Some(id.clone()), None),
                    albums::album_choices(id.clone()),
                )
                .await;
                Some(OwnerLoaded {
                    links,
                    choices: choices.unwrap_or_default(),
                })
            }
            false => None,
        }
    };
    let tags = async { search::get_tags(id.clone()).await.unwrap_or_default() };
    let social = async { social::get_social(id.clone(), comments).await.ok() };
    let (place, context, owner, tags, social) =
        futures::future::join5(place, context, owner, tags, social).await;
    Ok(PhotoLoaded {
        photo,
        place,
        context,
        tags,
        social,
        owner,
    })
}

#[component]
pub fn PhotoPage(page: Result<PhotoLoaded, LumenError>) -> impl IntoView {
    match page {
        Ok(page) => view! { <PhotoDetail page /> }.into_any(),
        Err(error) => view! { <ErrorBox error /> }.into_any(),
    }
}

#[component]
fn PhotoDetail(page: PhotoLoaded) -> impl IntoView {
    let PhotoLoaded {
        photo: p,
        place,
        context,
        tags,
        social,
        owner,
    } = page;
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
    let owner_tools = owner.map(|OwnerLoaded { links, choices }| {
        view! { <OwnerTools p=p.clone() links choices /> }.into_any()
    });
    // Opened from an album: previous / next within it (plain links, so they work without JS).
    let album_nav = place.map(|at| view! { <AlbumNav at /> });
    // Opened from another listing (`?in=`): the same, within it.
    let context_nav = context.map(|nav| view! { <ContextLinks nav /> });
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
            <PhotoTags photo_id=p.id.clone() is_owner=p.is_owner tags />
            <Facts p=p.clone() gear_links=true />
            {original}
            {social.map(|v| view! { <LiveForms><Social v /></LiveForms> })}
            {owner_tools}
        </article>
    }
}

/// The owner's controls: edit the words and who sees it; delete (behind a disclosure,
/// so it takes two deliberate clicks, with or without JS).
#[component]
fn OwnerTools(
    p: PhotoView,
    links: Result<Vec<ShareLinkView>, LumenError>,
    choices: Vec<AlbumChoice>,
) -> impl IntoView {
    const EDIT: &str = UpdatePhoto::PATH;
    let current = kept(EDIT, "visibility", p.visibility.as_str());
    let visibilities = Visibility::ALL
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
                    {visibilities}
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
            <PhotoAlbums photo_id=p.id.clone() choices />
            <LoadedShareSection subject=Subject::Photo(p.id.clone()) links />
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
/// see there (the page shows none when the photo is not shown in that album).
#[component]
fn AlbumNav(at: AlbumPlace) -> impl IntoView {
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
}

/// The owner's albums: the ones holding this photo, and a form to put it in another.
#[component]
fn PhotoAlbums(photo_id: String, choices: Vec<AlbumChoice>) -> impl IntoView {
    let (holding, others): (Vec<_>, Vec<_>) = choices.into_iter().partition(|c| c.contains);
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
                <input type="hidden" name="photo_id" value=photo_id />
                <label for="album_id">"Add to album"</label>
                <select id="album_id" name="album_id">{options}</select>
                <button type="submit" class="button">"Add"</button>
            </ServerForm>
        }
        .into_any()
    };
    view! {
        <h2>"Albums"</h2>
        {holding}
        {add}
    }
    .into_any()
}

/// The photo's tags, each a link to its page; for the owner, a "Remove" form beside each
/// and a form adding several at once (comma-separated). Plain forms: they work without JS.
#[component]
fn PhotoTags(photo_id: String, is_owner: bool, tags: Vec<String>) -> impl IntoView {
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
    // Type-erased: the photo page's whole view as one type overflows the compiler's limits.
    Some(
        view! {
            <section id="tags" class="tags" aria-label="Tags">
                <ul class="tag-list">{items}</ul>
                {add}
            </section>
        }
        .into_any(),
    )
}
