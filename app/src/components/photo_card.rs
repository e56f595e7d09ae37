use leptos::prelude::*;

use super::status::StatusBadge;
use crate::model::{PhotoCard, PhotoStatus, Visibility};

#[component]
pub fn PhotoCardView(
    card: PhotoCard,
    /// Appended to the photo's link: where it was opened from (`?album=…`).
    #[prop(optional, into)]
    query: String,
    /// A checkbox for the page's bulk form (`pick::BULK_FORM`).
    #[prop(optional)]
    pick: bool,
    /// Where photos open, before the id: `/p/` unless given (a share link's own path).
    #[prop(optional, into)]
    base: String,
) -> impl IntoView {
    let base = if base.is_empty() {
        "/p/"
    } else {
        base.as_str()
    };
    let href = format!("{base}{}{query}", card.id);
    let picker = pick.then(|| {
        view! {
            <label class="pick">
                <input type="checkbox" name="photo" value=card.id.clone() form=super::pick::BULK_FORM />
                <span class="visually-hidden">"Select " {card.title.clone()}</span>
            </label>
        }
    });
    let style = card
        .placeholder
        .as_ref()
        .map(|c| format!("background-color:{c}"));
    let alt = if card.alt.is_empty() {
        card.title.clone()
    } else {
        card.alt.clone()
    };
    // Only owners see non-public cards (their own profile): say which they are.
    let badge = (card.visibility != Visibility::Public).then(|| {
        view! {
            " "
            <span class=format!("badge {}", card.visibility.as_str())>{card.visibility.as_str()}</span>
        }
    });
    let media = match (card.status, card.thumb) {
        (PhotoStatus::Ready, Some(t)) => view! {
            <img
                src=t.url
                width=t.width
                height=t.height
                alt=alt
                loading="lazy"
                decoding="async"
            />
        }
        .into_any(),
        (status, _) => view! {
            <div class="thumb-empty">
                <StatusBadge status />
                {card.failure.clone().map(|why| view! { <small class="failure">{why}</small> })}
            </div>
        }
        .into_any(),
    };
    view! {
        <li class="card">
            <a href=href class="thumb" style=style>
                {media}
            </a>
            {picker}
            <span class="card-title"><bdi>{card.title}</bdi>{badge}</span>
        </li>
    }
}

/// The grid of cards, or a friendly empty state.
#[component]
pub fn PhotoGrid(
    cards: Vec<PhotoCard>,
    /// Appended to every photo's link (see [`PhotoCardView`]).
    #[prop(optional, into)]
    query: String,
    /// A checkbox on every card (see [`PhotoCardView`]).
    #[prop(optional)]
    pick: bool,
    /// Where photos open (see [`PhotoCardView`]).
    #[prop(optional, into)]
    base: String,
) -> impl IntoView {
    if cards.is_empty() {
        return view! {
            <div class="empty">
                <p>"No photos yet."</p>
                <a class="button primary" href="/upload">
                    "Upload the first one"
                </a>
            </div>
        }
        .into_any();
    }
    view! {
        <ul class="grid" aria-label="Photos">
            {cards
                .into_iter()
                .map(|card| view! { <PhotoCardView card query=query.clone() pick base=base.clone() /> })
                .collect_view()}
        </ul>
    }
    .into_any()
}
