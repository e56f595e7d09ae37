use leptos::prelude::*;

use crate::error::LumenError;
use crate::http::set_http_status;

/// Shows an error in words a person can act on, and sets the page's HTTP status.
#[component]
pub fn ErrorBox(error: LumenError) -> impl IntoView {
    set_http_status(error.status());
    let title = match error {
        LumenError::NotFound => "Not found",
        _ => "Something went wrong",
    };
    view! {
        <section class="notice error" role="alert">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
            <a href="/">"Back to the feed"</a>
        </section>
    }
}
