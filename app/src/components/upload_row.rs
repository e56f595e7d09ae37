use leptos::prelude::*;

use super::uploader::{UploadItem, UploadState};

/// One file's line in the upload progress list.
#[component]
pub fn UploadRow(item: UploadItem) -> impl IntoView {
    let (label, class) = match &item.state {
        UploadState::Uploading(p) => (format!("Uploading… {p}%"), "uploading"),
        UploadState::Done(_) => ("Uploaded".to_string(), "done"),
        UploadState::Already(_) => ("Already uploaded: ".to_string(), "already"),
        UploadState::Failed(e) => (e.clone(), "failed"),
    };
    let pct = match item.state {
        UploadState::Uploading(p) => p,
        _ => 100,
    };
    view! {
        <li class=format!("progress-item {class}")>
            <span class="name">{item.name.clone()}</span>
            <progress max="100" value=pct.to_string()></progress>
            <span class="state" role="status">
                {label}
                {match &item.state {
                    UploadState::Already(url) => {
                        Some(view! { <a href=url.clone()>"see the photo"</a> })
                    }
                    _ => None,
                }}
            </span>
        </li>
    }
}

/// A refusal shown next to the form that caused it.
#[component]
pub fn FormError(message: String) -> impl IntoView {
    view! {
        <p class="form-error" role="alert">
            {message}
        </p>
    }
}
