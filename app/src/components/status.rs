use leptos::prelude::*;

use crate::model::PhotoStatus;

/// A small badge for a photo that is not ready yet.
#[component]
pub fn StatusBadge(status: PhotoStatus) -> impl IntoView {
    let (class, label) = match status {
        PhotoStatus::Pending => ("badge pending", "Processing…"),
        PhotoStatus::Failed => ("badge failed", "Failed"),
        PhotoStatus::Ready => ("badge ready", "Ready"),
    };
    view! {
        <span class=class role="status">
            {label}
        </span>
    }
}
