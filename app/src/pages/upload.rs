//! Upload: a plain multipart form that works without JavaScript; once hydrated it
//! sends each file on its own request and shows per-file progress.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use leptos_router::hooks::use_query_map;

use crate::api::accounts::current_user;
use crate::api::albums::list_albums;
use crate::api::photos::upload_label;
use crate::components::form::refusal;
use crate::components::upload_row::{FormError, UploadRow};
use crate::components::uploader::{summary, UploadState, Uploads};

#[component]
pub fn UploadPage() -> impl IntoView {
    // Set when the upload route renders this page as its answer to a refused form post.
    let server_error = refusal("/upload");
    // `/upload?album=…` (from an album's page) picks that album.
    let query = use_query_map().read_untracked();
    let selected = query.get("album");
    let summary = FormSummary::from_query(query.get("uploaded"), query.get("already"));
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Title text="Upload" />
        <Meta
            name="description"
            content="Upload photos to Lumen: drop them in or pick them, each with its own progress."
        />
        <section class="upload">
            <h1>"Upload photos"</h1>
            {summary.map(|s| view! { <FormSummaryView summary=s /> })}
            <Suspense fallback=|| ()>
                {move || {
                    let server_error = server_error.clone();
                    let selected = selected.clone();
                    Suspend::new(async move {
                        match me.await {
                            Ok(Some(me)) => {
                                let albums = list_albums(me.username)
                                    .await
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|a| (a.id, a.title))
                                    .collect();
                                let label = upload_label()
                                    .await
                                    .unwrap_or_else(|_| "Photos (JPEG, PNG, WebP or GIF)".into());
                                view! {
                                    <AlbumChoice albums selected />
                                    <Uploader server_error label />
                                }
                                .into_any()
                            }
                            _ => view! {
                                <p class="notice">
                                    <a href="/signin?next=/upload">"Sign in"</a>
                                    " or "
                                    <a href="/signup">"create an account"</a>
                                    " to upload photos."
                                </p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// The form, and with JS the per-file progress: the one part of this page that runs in
/// the browser.
/// The album to upload into: outside the island (server-rendered only) and tied to its
/// form by the `form` attribute; it comes before the form, so its field is sent first.
#[component]
fn AlbumChoice(albums: Vec<(String, String)>, selected: Option<String>) -> impl IntoView {
    (!albums.is_empty()).then(|| {
        let options = albums
            .into_iter()
            .map(|(id, title)| {
                let chosen = selected.as_deref() == Some(id.as_str());
                view! { <option value=id selected=chosen>{title}</option> }
            })
            .collect_view();
        view! {
            <p class="album-choice">
                <label for="album">"Album"</label>
                " "
                <select id="album" name="album" form=UPLOAD_FORM>
                    <option value="">"No album"</option>
                    {options}
                </select>
            </p>
        }
    })
}

const UPLOAD_FORM: &str = "upload-form";

/// After a plain-form upload where some files were already there
/// (`service::upload::form_destination`): how many were stored, and links to the photos
/// the person already had.
#[derive(Clone, Debug, PartialEq)]
pub struct FormSummary {
    pub uploaded: u32,
    pub already: Vec<String>,
}

impl FormSummary {
    /// From the query; anything that is not a plain id is dropped (the query is the
    /// visitor's to write).
    pub fn from_query(uploaded: Option<String>, already: Option<String>) -> Option<Self> {
        let already: Vec<String> = already?
            .split(',')
            .filter(|id| {
                !id.is_empty()
                    && id.len() <= 64
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            .take(20)
            .map(str::to_string)
            .collect();
        if already.is_empty() {
            return None;
        }
        let uploaded = uploaded.and_then(|n| n.parse().ok()).unwrap_or(0).min(20);
        Some(Self { uploaded, already })
    }
}

#[component]
pub fn FormSummaryView(summary: FormSummary) -> impl IntoView {
    let n = summary.already.len();
    let links = summary
        .already
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            view! {
                {(i > 0).then_some(", ")}
                <a href=format!("/p/{id}")>{format!("photo {}", i + 1)}</a>
            }
        })
        .collect_view();
    view! {
        <p class="notice upload-result" role="status">
            {format!(
                "{} uploaded, {} already uploaded (not stored again): ",
                summary.uploaded,
                n,
            )}
            {links}
        </p>
    }
}

/// The file input's label, in MB: what the plain form (JS off) takes, and when the JS
/// uploader takes more (in parts, through the media service), that too.
pub fn file_label(plain_mb: u64, largest_mb: u64) -> String {
    if largest_mb > plain_mb {
        format!(
            "Photos (JPEG, PNG, WebP or GIF, up to {plain_mb} MB each, \
             {largest_mb} MB with JavaScript on)"
        )
    } else {
        format!("Photos (JPEG, PNG, WebP or GIF, up to {plain_mb} MB each)")
    }
}

#[island]
fn Uploader(server_error: Option<String>, label: String) -> impl IntoView {
    let uploads = Uploads::default();
    let items = uploads.items;
    let input = NodeRef::<leptos::html::Input>::new();
    let dragging = RwSignal::new(false);
    let album = || {
        document()
            .get_element_by_id("album")
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(e).ok())
            .map(|s| s.value())
            .filter(|v| !v.is_empty())
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(files) = input.get().and_then(|i| i.files()) else {
            return;
        };
        if files.length() == 0 {
            return;
        }
        ev.prevent_default();
        uploads.add(files, album());
        if let Some(i) = input.get() {
            i.set_value("");
        }
    };

    // Drop anywhere on the page (listeners on the window; nothing runs on the server).
    let over = window_event_listener(leptos::ev::dragover, move |e| {
        e.prevent_default();
        dragging.set(true);
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |e| {
        // Leaving the window, not moving between elements.
        if e.related_target().is_none() {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(leptos::ev::drop, move |e| {
        e.prevent_default();
        dragging.set(false);
        if let Some(files) = e.data_transfer().and_then(|d| d.files()) {
            if files.length() > 0 {
                uploads.add(files, album());
            }
        }
    });
    on_cleanup(move || {
        over.remove();
        leave.remove();
        drop.remove();
    });

    // Every file uploaded and none already there: one photo, go and watch it get ready;
    // several, their album or the feed. Otherwise stay, with the summary.
    Effect::new(move |_| {
        let list = items.get();
        let urls: Vec<String> = list
            .iter()
            .filter_map(|i| match &i.state {
                UploadState::Done(u) => Some(u.clone()),
                _ => None,
            })
            .collect();
        if list.is_empty() || urls.len() != list.len() {
            return;
        }
        let target = album();
        let to = match (urls.as_slice(), &target) {
            ([one], Some(a)) => format!("{one}?album={a}"),
            ([one], None) => one.clone(),
            (_, Some(a)) => format!("/a/{a}"),
            (_, None) => "/".to_string(),
        };
        let _ = window().location().set_href(&to);
    });
    let on_cancel = Callback::new(move |i| uploads.cancel(i));
    let on_retry = Callback::new(move |i| uploads.retry(i));

    view! {
        <form
            id=UPLOAD_FORM
            method="post"
            action="/upload"
            enctype="multipart/form-data"
            on:submit=on_submit
        >
            <label for="photos">{label}</label>
            <input
                id="photos"
                node_ref=input
                type="file"
                name="photos"
                accept="image/jpeg,image/png,image/webp,image/gif"
                multiple
                required
            />
            <p class="drop-hint" class:dragging=move || dragging.get()>
                {move || {
                    if dragging.get() {
                        "Drop the photos to upload them"
                    } else {
                        "or drop photos anywhere on this page"
                    }
                }}
            </p>
            {server_error.map(|message| view! { <FormError message /> })}
            <button type="submit" class="button primary">
                "Upload"
            </button>
        </form>
        <ul class="progress-list" aria-label="Upload progress">
            // A handful of rows: redraw them all on each change.
            {move || {
                items
                    .get()
                    .into_iter()
                    .map(|item| view! { <UploadRow item on_cancel on_retry /> })
                    .collect_view()
            }}
        </ul>
        <p class="upload-summary" role="status">
            {move || items.with(|i| summary(i))}
        </p>
    }
}
