use leptos::prelude::*;

use super::status::StatusBadge;
use crate::model::{PhotoCard, PhotoStatus, Visibility};

/// Cards in the grid's first row at its widest (`.grid`: 220 px columns in 1200 px).
const FIRST_ROW: usize = 5;

/// How wide a card is drawn (`.grid` in style/main.css: two columns on phones, else columns
/// of at least 220 px; a 1200 px page, 1.25 rem padding), so phones fetch a small size and
/// wide screens a larger.
const SIZES: &str = "(max-width: 496px) calc(50vw - 1.625rem), (max-width: 732px) 50vw, \
                     (max-width: 968px) 33vw, 300px";

/// The CSS painting an image's box until its pixels arrive: the average colour, with the
/// blurred preview (a data URL) over it.
pub fn placeholder_style(colour: Option<&str>, blur: Option<&str>) -> Option<String> {
    let colour = colour.map(|c| format!("background-color:{c}"));
    let blur = blur.map(|b| format!("background-image:url({b});background-size:cover"));
    match (colour, blur) {
        (Some(c), Some(b)) => Some(format!("{c};{b}")),
        (c, b) => c.or(b),
    }
}

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
    /// Its place in the grid: the first row loads at once, the first image first (it is
    /// the page's largest paint); the rest wait until scrolled near.
    #[prop(default = FIRST_ROW)]
    index: usize,
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
    let style = placeholder_style(card.placeholder.as_deref(), card.blur.as_deref());
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
                srcset=(!card.srcset.is_empty()).then_some(card.srcset)
                sizes=SIZES
                width=t.width
                height=t.height
                alt=alt
                loading=(index >= FIRST_ROW).then_some("lazy")
                // The first card is the LCP element; the rest of the first row comes after
                // it (on a phone they are below the fold, and sharing a slow line held it back).
                fetchpriority=(index < FIRST_ROW).then_some(if index == 0 { "high" } else { "low" })
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
                .enumerate()
                .map(|(index, card)| view! { <PhotoCardView card query=query.clone() pick base=base.clone() index /> })
                .collect_view()}
        </ul>
    }
    .into_any()
}
