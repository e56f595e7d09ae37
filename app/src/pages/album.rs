//! `/a/{id}`: an album, with the photos the viewer may see in its order; for its owner,
//! the forms that edit, order and empty it (real forms: they work without JavaScript).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

use crate::api::albums::{
    get_album, DeleteAlbum, MoveInAlbum, RemoveFromAlbum, SetAlbumCover, UpdateAlbum,
};
use crate::api::links::list_links;
use crate::components::drag_order::DragOrder;
use crate::components::error_box::ErrorBox;
use crate::components::form::{kept, refusal, Field, ServerForm};
use crate::components::paging::{older_href, OlderLink};
use crate::components::photo_card::PhotoGrid;
use crate::components::photo_view::{Caption, SocialMeta};
use crate::components::pick::{RangeSelect, BULK_FORM};
use crate::components::share::{ShareSection, Subject};
use crate::components::upload_row::FormError;
use crate::http::escape_text;
use crate::model::{AlbumSort, AlbumView, Visibility};
use crate::text::isolate;

/// Where the bulk form posts (the Worker's `routes::albums::bulk`).
pub const BULK: &str = "/albums/bulk";

#[component]
pub fn AlbumPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        (
            params.read().get("id").unwrap_or_default(),
            query.read().get("before"),
        )
    };
    let album = Resource::new(key, |(id, before)| get_album(id, before));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match album.await {
                    Ok(a) => view! { <Album a /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Album(a: AlbumView) -> impl IntoView {
    view! {
        <Title text=isolate(&a.title) />
        <SocialMeta preview=a.preview.clone() />
        <AlbumBody a />
    }
}

/// The album as its page shows it, without the page's title and link-preview tags (the
/// design catalogue shows it too).
#[component]
pub fn AlbumBody(a: AlbumView) -> impl IntoView {
    let saved = use_query_map().read_untracked().get("saved").is_some();
    let count = match a.count {
        1 => "1 photo".to_string(),
        n => format!("{n} photos"),
    };
    let older = a
        .next
        .as_deref()
        .map(|n| older_href(&format!("/a/{}", a.id), &[], n));
    let byline = a.owner.clone().map(|u| {
        view! {
            <p class="byline">
                "by " <a href=format!("/u/{u}?tab=albums")>"@" {u.clone()}</a> " · " {count.clone()}
            </p>
        }
    });
    let badge = (a.is_owner && a.visibility != Visibility::Public).then(|| {
        view! { <span class=format!("badge {}", a.visibility.as_str())>{a.visibility.as_str()}</span> }
    });
    let description = view! { <Caption text=a.description.clone() /> };
    let query = format!("?album={}", a.id);
    let owner_tools = a
        .is_owner
        .then(|| view! { <AlbumOwnerTools a=a.clone() /> });
    view! {
        <article class="album-page">
            <h1>
                <bdi>{a.title.clone()}</bdi>
                " "
                {badge}
            </h1>
            {byline}
            {saved.then(|| view! { <p class="notice ok" role="status">"Saved."</p> })}
            {description}
            {(a.is_owner && !a.photos.is_empty()).then(|| {
                let id = a.id.clone();
                view! {
                    <form id=BULK_FORM method="post" action=BULK class="inline-form bulk" aria-label="Selected photos">
                        {refusal(BULK).map(|message| view! { <FormError message /> })}
                        <input type="hidden" name="album_id" value=id />
                        <button type="submit" class="button" name="action" value="remove">
                            "Remove selected from this album"
                        </button>
                        <small class="muted">"Tick photos below (shift-click for a range)."</small>
                    </form>
                    <RangeSelect />
                }
            })}
            <PhotoGrid cards=a.photos.clone() query pick=a.is_owner />
            <OlderLink href=older />
            {owner_tools}
        </article>
    }
}

/// The owner's controls: order (earlier / later), cover and removal per photo, then the
/// album's words, visibility and sort, and delete behind a disclosure.
#[component]
fn AlbumOwnerTools(a: AlbumView) -> impl IntoView {
    const EDIT: &str = UpdateAlbum::PATH;
    let share_links = Resource::new(move || (), {
        let id = a.id.clone();
        move |()| list_links(None, Some(id.clone()))
    });
    let manual = a.sort == AlbumSort::Manual;
    let rows = a
        .photos
        .iter()
        .map(|c| {
            let is_cover = a.cover_photo_id.as_deref() == Some(c.id.as_str());
            let hidden = |name: &'static str, value: String| {
                view! { <input type="hidden" name=name value=value /> }
            };
            let form = |action: &'static str, label: &'static str, extra: Option<&'static str>| {
                view! {
                    <form method="post" action=action class="inline">
                        {hidden("album_id", a.id.clone())}
                        {hidden("photo_id", c.id.clone())}
                        {extra.map(|d| hidden("direction", d.to_string()))}
                        <button type="submit" class="link">{label}</button>
                    </form>
                }
            };
            view! {
                <li draggable=manual.then_some("true") data-photo=c.id.clone()>
                    <bdi>{c.title.clone()}</bdi>
                    {is_cover.then(|| view! { " " <span class="badge">"cover"</span> })}
                    <span class="row-actions">
                        {manual.then(|| form(MoveInAlbum::PATH, "Move earlier", Some("earlier")))}
                        {manual.then(|| form(MoveInAlbum::PATH, "Move later", Some("later")))}
                        {(!is_cover).then(|| form(SetAlbumCover::PATH, "Make cover", None))}
                        {form(RemoveFromAlbum::PATH, "Remove", None)}
                    </span>
                </li>
            }
        })
        .collect_view();
    let visibility = kept(EDIT, "visibility", a.visibility.as_str());
    let vis_choices = Visibility::ALL
        .into_iter()
        .map(|v| {
            view! {
                <label class="check">
                    <input type="radio" name="visibility" value=v.as_str() checked=visibility == v.as_str() />
                    " "
                    {album_visibility_label(v)}
                </label>
            }
        })
        .collect_view();
    let sort = kept(EDIT, "sort", a.sort.as_str());
    let sort_choices = AlbumSort::ALL
        .into_iter()
        .map(|s| {
            view! {
                <label class="check">
                    <input type="radio" name="sort" value=s.as_str() checked=sort == s.as_str() />
                    " "
                    {s.label()}
                </label>
            }
        })
        .collect_view();
    let (edit_id, delete_id) = (a.id.clone(), a.id.clone());
    let upload = view! {
        <p>
            <a class="button primary" href=format!("/upload?album={}", a.id)>
                "Upload into this album"
            </a>
        </p>
    };
    let download = (!a.photos.is_empty()).then(|| {
        view! {
            <p>
                <a class="button" href=format!("/a/{}/download", a.id) download>
                    "Download all (zip of the originals)"
                </a>
                " "
                <small class="muted">"The originals keep their camera data, location included."</small>
            </p>
        }
    });
    view! {
        <section class="owner-tools" aria-label="Your album">
            {upload}
            {download}
            {(!a.photos.is_empty()).then(|| {
                let list = view! { <ol class="album-order">{rows}</ol> };
                view! {
                    <h2>"Photos in this album"</h2>
                    {if manual {
                        view! {
                            <p class="muted">"Drag the rows to reorder (or move them one place at a time)."</p>
                            <DragOrder album_id=a.id.clone()>{list}</DragOrder>
                        }
                        .into_any()
                    } else {
                        list.into_any()
                    }}
                }
            })}
            <h2>"Edit"</h2>
            <ServerForm action=EDIT class="stack" label="Edit album">
                <input type="hidden" name="id" value=edit_id />
                <Field action=EDIT name="title" label="Title" required=true maxlength=100 value=a.title.clone() />
                <label for="description">"Description"</label>
                <textarea id="description" name="description" rows="3" maxlength="2000">
                    // tachys writes a textarea's text raw: escape it here.
                    {escape_text(&kept(EDIT, "description", &a.description))}
                </textarea>
                <fieldset>
                    <legend>"Who can see it"</legend>
                    {vis_choices}
                </fieldset>
                <fieldset>
                    <legend>"Order"</legend>
                    {sort_choices}
                </fieldset>
                <button type="submit" class="button primary">
                    "Save changes"
                </button>
            </ServerForm>
            <ShareSection subject=Subject::Album(a.id.clone()) links=share_links />
            <details class="danger-zone">
                <summary>"Delete this album…"</summary>
                <ServerForm action=DeleteAlbum::PATH label="Delete album">
                    <input type="hidden" name="id" value=delete_id />
                    <p>"This deletes the album. Its photos stay where they are."</p>
                    <button type="submit" class="button danger">
                        "Delete album"
                    </button>
                </ServerForm>
            </details>
        </section>
    }
}

/// Album visibility in words: a photo's own visibility still holds inside an album.
pub fn album_visibility_label(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "Public (on your profile; its public photos)",
        Visibility::Unlisted => "Unlisted (only people with the link)",
        Visibility::Private => "Private (only you)",
    }
}
