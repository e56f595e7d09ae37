//! `/trash`: the photos you deleted, most recently deleted first, a page at a time, each
//! with the days left before it is gone for good; restore or delete now, one or the ticked
//! ones. Every button posts the one bulk form (`POST /trash/bulk`), so it all works
//! without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::trash::list_trash;
use crate::components::error_box::ErrorBox;
use crate::components::form::refusal;
use crate::components::paging::{older_href, OlderLink};
use crate::components::pick::{RangeSelect, BULK_FORM};
use crate::components::upload_row::FormError;
use crate::error::LumenError;
use crate::model::{TrashItem, TrashPage};

/// Where the trash's buttons post (the Worker's `routes::trash::bulk`).
pub const TRASH_BULK: &str = "/trash/bulk";

#[component]
pub fn TrashPage() -> impl IntoView {
    let query = use_query_map().read_untracked();
    let before = query.get("before");
    let done = query.get("done");
    let page = Resource::new(move || before.clone(), list_trash);
    view! {
        <Title text="Trash" />
        <h1>"Trash"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading the trash…"</p> }>
            {move || {
                let done = done.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <TrashList page done /> }.into_any(),
                        Err(LumenError::Unauthenticated) => view! {
                            <p>
                                <a href="/signin?next=/trash">"Sign in"</a>
                                " to see your trash."
                            </p>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// What the last action did, said once after the redirect.
fn done_message(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "restored" => Some("Restored: back where they were."),
        "deleted" => Some("Deleted for good."),
        _ => None,
    }
}

/// One page of the trash (the design catalogue shows it too).
#[component]
pub fn TrashList(page: TrashPage, done: Option<String>) -> impl IntoView {
    let said =
        done_message(done.as_deref()).map(|m| view! { <p class="notice" role="status">{m}</p> });
    let intro = view! {
        <p class="muted">
            "Deleted photos stay here for 30 days, then they are removed for good. Nobody else can see them."
        </p>
    };
    if page.items.is_empty() {
        return view! {
            {said}
            {intro}
            <div class="empty">
                <p>"The trash is empty."</p>
            </div>
        }
        .into_any();
    }
    let older = page.next.map(|n| older_href("/trash", &[], &n));
    view! {
        {said}
        {intro}
        <form id=BULK_FORM method="post" action=TRASH_BULK class="inline-form bulk" aria-label="Selected photos">
            {refusal(TRASH_BULK).map(|message| view! { <FormError message /> })}
            <button type="submit" class="button" name="action" value="restore">
                "Restore selected"
            </button>
            <button type="submit" class="button danger" name="action" value="delete">
                "Delete selected now"
            </button>
            <small class="muted">"Tick photos below (shift-click for a range)."</small>
        </form>
        <RangeSelect />
        <ul class="grid trash" aria-label="Photos in the trash">
            {page.items.into_iter().map(|item| view! { <TrashCard item /> }).collect_view()}
        </ul>
        <OlderLink href=older />
    }
    .into_any()
}

#[component]
fn TrashCard(item: TrashItem) -> impl IntoView {
    let TrashItem { card, days_left } = item;
    let left = match days_left {
        0 => "Removed at the next clean-up".to_string(),
        1 => "1 day left".to_string(),
        n => format!("{n} days left"),
    };
    let alt = if card.alt.is_empty() {
        card.title.clone()
    } else {
        card.alt.clone()
    };
    let media = match card.thumb {
        Some(t) => view! {
            <img src=t.url width=t.width height=t.height alt=alt loading="lazy" decoding="async" />
        }
        .into_any(),
        None => view! { <div class="thumb-empty"></div> }.into_any(),
    };
    let style = card.placeholder.map(|c| format!("background-color:{c}"));
    let id = card.id;
    view! {
        <li class="card">
            <div class="thumb" style=style>{media}</div>
            <label class="pick">
                <input type="checkbox" name="photo" value=id.clone() form=BULK_FORM />
                <span class="visually-hidden">"Select " {card.title.clone()}</span>
            </label>
            <span class="card-title"><bdi>{card.title.clone()}</bdi></span>
            <small class="muted days-left">{left}</small>
            <span class="card-actions">
                <button type="submit" form=BULK_FORM class="button small" name="one" value=format!("restore:{id}")>
                    "Restore" <span class="visually-hidden">" " {card.title.clone()}</span>
                </button>
                <button type="submit" form=BULK_FORM class="button small danger" name="one" value=format!("delete:{id}")>
                    "Delete now" <span class="visually-hidden">" " {card.title}</span>
                </button>
            </span>
        </li>
    }
}
