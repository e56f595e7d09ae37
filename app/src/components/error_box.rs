use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::LumenError;
use crate::http::set_http_status;

/// Shows an error in words a person can act on, and sets the page's HTTP status.
#[component]
pub fn ErrorBox(error: LumenError) -> impl IntoView {
    set_http_status(error.status());
    let (title, text) = match error {
        LumenError::NotFound => (
            "Not found",
            "There is nothing here: the link may be mistyped, or the photo was removed."
                .to_string(),
        ),
        e => ("Something went wrong", e.to_string()),
    };
    view! {
        <Title text=title />
        <section class="notice error" role="alert">
            <h1>{title}</h1>
            <p>{text}</p>
            <a href="/">"Back to the feed"</a>
        </section>
    }
}
