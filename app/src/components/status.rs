use leptos::prelude::*;

use crate::model::PhotoStatus;

/// A status badge's class and words.
pub fn status_badge(status: PhotoStatus) -> (&'static str, &'static str) {
    match status {
        PhotoStatus::Pending => ("badge pending", "Processing…"),
        PhotoStatus::Failed => ("badge failed", "Failed"),
        PhotoStatus::Ready => ("badge ready", "Ready"),
    }
}

/// A small badge for a photo that is not ready yet.
#[component]
pub fn StatusBadge(status: PhotoStatus) -> impl IntoView {
    let (class, label) = status_badge(status);
    view! {
        <span class=class role="status">
            {label}
        </span>
    }
}
