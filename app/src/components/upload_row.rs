use leptos::prelude::*;

use super::uploader::{UploadItem, UploadState};

/// One file's line in the upload list: its thumbnail (made in the browser), progress and
/// state, and the action that fits: cancel while it is on its way, retry once it failed or
/// was cancelled. Without the callbacks (the design catalogue) the buttons are inert.
#[component]
pub fn UploadRow(
    item: UploadItem,
    #[prop(optional)] on_cancel: Option<Callback<usize>>,
    #[prop(optional)] on_retry: Option<Callback<usize>>,
) -> impl IntoView {
    let (label, class) = match &item.state {
        UploadState::Queued => ("Waiting to send…".to_string(), "queued"),
        UploadState::Uploading(p) => (format!("Uploading… {p}%"), "uploading"),
        UploadState::Sending { part, parts, pct } => (
            format!("Uploading part {part} of {parts}… {pct}%"),
            "uploading",
        ),
        UploadState::Resumed { part, parts, pct } => (
            format!("Resumed: part {part} of {parts}… {pct}%"),
            "resumed",
        ),
        UploadState::Done(_) => ("Uploaded".to_string(), "done"),
        UploadState::Already(_) => ("Already uploaded: ".to_string(), "already"),
        UploadState::Failed(e) => (e.clone(), "failed"),
        UploadState::Cancelled => ("Cancelled".to_string(), "cancelled"),
    };
    let pct = match item.state {
        UploadState::Queued => 0,
        UploadState::Uploading(p)
        | UploadState::Sending { pct: p, .. }
        | UploadState::Resumed { pct: p, .. } => p,
        _ => 100,
    };
    let index = item.index;
    let name = item.name.clone();
    let action = match &item.state {
        s if s.in_flight() => Some(("Cancel", on_cancel, format!("Cancel {name}"))),
        UploadState::Failed(_) | UploadState::Cancelled => {
            Some(("Retry", on_retry, format!("Retry {name}")))
        }
        _ => None,
    };
    view! {
        <li class=format!("progress-item {class}")>
            <span class="thumb" aria-hidden="true">
                {item.thumb.clone().map(|src| view! { <img src=src alt="" width="40" height="40" /> })}
            </span>
            <span class="name">{item.name.clone()}</span>
            <progress max="100" value=pct.to_string()></progress>
            {action
                .map(|(text, callback, label)| {
                    view! {
                        <button
                            type="button"
                            class="button small"
                            aria-label=label
                            on:click=move |_| {
                                if let Some(c) = callback {
                                    c.run(index);
                                }
                            }
                        >
                            {text}
                        </button>
                    }
                })}
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
