//! Forms that post straight to server functions: real HTML forms, so they work with JS
//! off (and, in islands mode, with it on). When a post is refused, the Worker renders
//! the page the form was on again, with a [`FormFeedback`] in context: the form shows the
//! message and keeps what was typed (never passwords).

use leptos::prelude::*;

use crate::components::upload_row::FormError;
use crate::error::LumenError;

#[derive(Clone, Debug, PartialEq)]
pub struct FormFeedback {
    /// The server function's path, e.g. `/api/sign_in`.
    pub action: String,
    pub error: LumenError,
    /// The submitted fields, minus passwords.
    pub values: Vec<(String, String)>,
}

fn feedback(action: &str) -> Option<FormFeedback> {
    use_context::<FormFeedback>().filter(|f| f.action == action)
}

/// The message of a refused post to `action`, if this render is its answer.
pub fn refusal(action: &str) -> Option<String> {
    feedback(action).map(|f| f.error.message())
}

/// What the user typed into `field` of the refused `action` form, else `default`.
pub fn kept(action: &str, field: &str, default: &str) -> String {
    feedback(action)
        .and_then(|f| {
            f.values
                .into_iter()
                .find(|(k, _)| k == field)
                .map(|(_, v)| v)
        })
        .unwrap_or_else(|| default.to_string())
}

/// A checkbox's state after a refusal: ticked only if it was sent.
pub fn kept_checked(action: &str, field: &str, default: bool) -> bool {
    match feedback(action) {
        Some(f) => f.values.iter().any(|(k, _)| k == field),
        None => default,
    }
}

/// `<form method="post">` to a server function, with its refusal (if any) on top.
#[component]
pub fn ServerForm(
    action: &'static str,
    #[prop(optional)] class: &'static str,
    /// Accessible name, when a page has several forms.
    #[prop(optional)]
    label: &'static str,
    /// The id of the record this form changes, when a page has one such form per record
    /// (share links): a refusal shows only on the form that was sent.
    #[prop(optional, into)]
    record: Option<String>,
    children: Children,
) -> impl IntoView {
    let error = match record {
        Some(id) if kept(action, "id", "") != id => None,
        _ => refusal(action),
    };
    view! {
        <form method="post" action=action class=class aria-label=(!label.is_empty()).then_some(label)>
            {error.map(|message| view! { <FormError message /> })}
            {children()}
        </form>
    }
}

/// A labelled input of a [`ServerForm`]: keeps what was typed after a refusal (never a
/// password), and ties an optional hint to the input for screen readers.
#[component]
pub fn Field(
    /// The form's server function path.
    action: &'static str,
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] minlength: Option<u32>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] pattern: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    /// The value before any refusal.
    #[prop(optional, into)]
    value: String,
) -> impl IntoView {
    let value = (kind != "password").then(|| kept(action, name, &value));
    let hint_id = hint.map(|_| format!("{name}-hint"));
    view! {
        <label for=name>{label}</label>
        <input
            id=name
            name=name
            type=kind
            autocomplete=autocomplete
            required=required
            minlength=minlength
            maxlength=maxlength
            pattern=pattern
            aria-describedby=hint_id.clone()
            value=value
        />
        {hint.map(|h| view! { <small id=hint_id>{h}</small> })}
    }
}

/// A labelled checkbox of a [`ServerForm`], sent as `name=on` when ticked; after a
/// refusal it shows what was sent.
#[component]
pub fn Checkbox(
    action: &'static str,
    name: &'static str,
    label: &'static str,
    /// Ticked before any refusal.
    checked: bool,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" name=name value="on" checked=kept_checked(action, name, checked) />
            " "
            {label}
        </label>
    }
}
