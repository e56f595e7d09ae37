use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::LumenError;
use crate::http::set_http_status;

/// Shows an error in words a person can act on, and sets the page's title and HTTP status.
#[component]
pub fn ErrorBox(error: LumenError) -> impl IntoView {
    set_http_status(error.status());
    let (title, _) = wording(&error);
    view! {
        <Title text=title />
        <ErrorNotice error />
    }
}

/// The notice alone, without touching the response: the design catalogue shows it too.
#[component]
pub fn ErrorNotice(error: LumenError) -> impl IntoView {
    let (title, text) = wording(&error);
    view! {
        <section class="notice error" role="alert">
            <h1>{title}</h1>
            <p>{text}</p>
            <a href="/">"Back to the feed"</a>
        </section>
    }
}

fn wording(error: &LumenError) -> (&'static str, String) {
    match error {
        LumenError::NotFound => (
            "Not found",
            "There is nothing here: the link may be mistyped, or the photo was removed."
                .to_string(),
        ),
        e @ LumenError::BadRequest { .. } => ("This page link is broken", e.to_string()),
        e => ("Something went wrong", e.to_string()),
    }
}
