use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::api::photos::get_photo;
use crate::components::error_box::ErrorBox;
use crate::components::status::StatusBadge;
use crate::model::{PhotoStatus, PhotoView};

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
        PhotoStatus::Ready => {
            let main = p.best_for(1280).cloned();
            let srcset = p.srcset();
            // The average colour fills the image's box until its pixels arrive.
            let style = p
                .placeholder
                .as_ref()
                .map(|c| format!("background-color:{c}"));
            main.map(|m| {
                view! {
                    <figure class="photo">
                        <img
                            style=style
                            src=m.url
                            srcset=srcset
                            sizes=format!("(max-width: {w}px) 100vw, {w}px", w = m.width)
                            width=m.width
                            height=m.height
                            alt=p.title.clone()
                        />
                    </figure>
                }
            })
            .into_any()
        }
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
    let f = p.facts.clone();
    let dims = p.width.zip(p.height).map(|(w, h)| format!("{w} × {h}"));
    let facts = [
        ("Camera", f.camera),
        ("Lens", f.lens),
        ("Exposure", f.exposure),
        ("Taken", f.taken_at),
        ("Size", dims),
        ("Uploaded", Some(p.created_at.clone())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| view! { <dt>{k}</dt> <dd>{v}</dd> }))
    .collect_view();
    view! {
        <Title text=title.clone() />
        <Meta property="og:title" content=title.clone() />
        <article class="photo-page" data-status=p.status.as_str()>
            <h1>{title}</h1>
            {body}
            <dl class="facts">{facts}</dl>
        </article>
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
