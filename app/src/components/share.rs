//! Share links: the owner's form for a new one and the list of their links (photo page),
//! and what a link's visitor sees when it needs a password or no longer works. Real
//! forms: they work with JS off.

use leptos::prelude::*;
use server_fn::ServerFn;

use leptos_router::hooks::use_query_map;

use crate::api::links::{CreateLink, ResetLink, RevokeLink, UnlockLink, UpdateLink};
use crate::components::error_box::ErrorNotice;
use crate::components::form::{kept, Checkbox, Field, ServerForm};
use crate::error::LumenError;
use crate::model::{ShareLinkView, LINK_EXPIRY_CHOICES, LINK_EXPIRY_DEFAULT};

/// Radio buttons for how long a link works; `current` is ticked.
fn expiry_choices(
    action: &'static str,
    current: &str,
    keep: Option<&'static str>,
) -> impl IntoView {
    let current = kept(action, "expires", current);
    keep.map(|label| ("keep", label))
        .into_iter()
        .chain(LINK_EXPIRY_CHOICES)
        .map(|(value, label)| {
            view! {
                <label class="check">
                    <input type="radio" name="expires" value=value checked=current == value />
                    " "
                    {label}
                </label>
            }
        })
        .collect_view()
}

/// What the owner shares: one of their photos, or one of their albums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Photo(String),
    Album(String),
}

impl Subject {
    /// The create form's field naming it (`create_link` takes one of the two).
    fn field(&self) -> (&'static str, String) {
        match self {
            Self::Photo(id) => ("photo_id", id.clone()),
            Self::Album(id) => ("album_id", id.clone()),
        }
    }
}

/// The owner's share links for a photo or an album: a form for a new one, and the list
/// with each link's edit, reset and revoke forms.
#[component]
pub fn ShareSection(
    subject: Subject,
    /// The owner's links, loaded by the page (`api::links::list_links`).
    links: Resource<Result<Vec<ShareLinkView>, LumenError>>,
) -> impl IntoView {
    view! {
        <ShareFrame subject>
            <Suspense fallback=|| view! { <p class="loading">"Loading links…"</p> }>
                {move || Suspend::new(async move { view! { <Links links=links.await /> } })}
            </Suspense>
        </ShareFrame>
    }
}

/// [`ShareSection`] with the links already read (a page rendered data first).
#[component]
pub fn LoadedShareSection(
    subject: Subject,
    links: Result<Vec<ShareLinkView>, LumenError>,
) -> impl IntoView {
    view! {
        <ShareFrame subject>
            <Links links />
        </ShareFrame>
    }
}

/// The section around the links: its heading, what was just done, the form for a new one.
#[component]
fn ShareFrame(subject: Subject, children: Children) -> impl IntoView {
    let done = use_query_map()
        .read_untracked()
        .get("link")
        .and_then(|what| match what.as_str() {
            "created" => Some("Link created. Copy it from the list below."),
            "saved" => Some("Link saved."),
            "reset" => Some("Link reset: it has a new address, and the old one no longer works."),
            "revoked" => Some("Link revoked: it and every image it showed no longer work."),
            _ => None,
        });
    view! {
        <section class="share" id="share" aria-labelledby="share-heading">
            <h2 id="share-heading">"Share"</h2>
            {done.map(|m| view! { <p class="notice ok" role="status">{m}</p> })}
            <ShareForm subject />
            {children()}
        </section>
    }
}

/// The list of links, or why it could not be read.
#[component]
fn Links(links: Result<Vec<ShareLinkView>, LumenError>) -> impl IntoView {
    match links {
        Ok(links) => view! { <LinkList links /> }.into_any(),
        Err(error) => view! { <ErrorNotice error /> }.into_any(),
    }
}

/// A new link for a photo or album: label, how long it works, an optional password, downloads.
#[component]
pub fn ShareForm(subject: Subject) -> impl IntoView {
    const ACTION: &str = CreateLink::PATH;
    let what = match subject {
        Subject::Photo(_) => {
            "Anyone with the link sees this photo, even if it is private, and nothing else of yours."
        }
        Subject::Album(_) => {
            "Anyone with the link sees this album and every photo in it, private ones too, and nothing else of yours."
        }
    };
    let (field, id) = subject.field();
    view! {
        <ServerForm action=ACTION class="stack share-form" label="Create a share link">
            <p class="muted">{what}</p>
            <input type="hidden" name=field value=id />
            <Field
                action=ACTION
                name="label"
                label="Label (only you see it)"
                maxlength=100
                hint="For example “for grandma”."
            />
            <fieldset>
                <legend>"The link works for"</legend>
                {expiry_choices(ACTION, LINK_EXPIRY_DEFAULT, None)}
            </fieldset>
            <Field
                action=ACTION
                name="password"
                kind="password"
                label="Password (optional)"
                autocomplete="new-password"
                minlength=6
                maxlength=200
                hint="People with the link must type it first."
            />
            <Checkbox
                action=ACTION
                name="allow_downloads"
                label="Let people with the link download the original file (it keeps the camera data, location included)"
                checked=false
            />
            <button type="submit" class="button primary">
                "Create link"
            </button>
        </ServerForm>
    }
}

/// The owner's links, each with what it allows, its address to copy, and its forms.
#[component]
pub fn LinkList(links: Vec<ShareLinkView>) -> impl IntoView {
    if links.is_empty() {
        return view! { <p class="empty-links muted">"No share links yet."</p> }.into_any();
    }
    let items = links
        .into_iter()
        .map(|link| view! { <LinkItem link /> })
        .collect_view();
    view! {
        <ul class="link-list" aria-label="Share links">
            {items}
        </ul>
    }
    .into_any()
}

#[component]
fn LinkItem(link: ShareLinkView) -> impl IntoView {
    const UPDATE: &str = UpdateLink::PATH;
    let yes_no = |b: bool| if b { "Yes" } else { "No" };
    let name = if link.label.is_empty() {
        "Untitled link".to_string()
    } else {
        link.label.clone()
    };
    let url_id = format!("link-{}-url", link.id);
    let label_id = format!("link-{}-label", link.id);
    let password_id = format!("link-{}-password", link.id);
    let label_value = kept_for(UPDATE, &link.id, "label", &link.label);
    let id = link.id.clone();
    let (reset_id, revoke_id) = (link.id.clone(), link.id.clone());
    let status = link.expired.then(|| {
        view! {
            " "
            <span class="badge failed">"expired"</span>
        }
    });
    view! {
        <li class="link-item" class:expired=link.expired>
            <p class="link-name">
                <bdi>{name}</bdi>
                {status}
            </p>
            <label for=url_id.clone()>"Link to copy"</label>
            <input id=url_id class="link-url" type="url" readonly value=link.url.clone() />
            <dl class="facts link-facts">
                <dt>"Created"</dt>
                <dd>{link.created_at.clone()}</dd>
                <dt>{if link.expired { "Expired" } else { "Expires" }}</dt>
                <dd>{link.expires.clone()}</dd>
                <dt>"Views"</dt>
                <dd>{link.views}</dd>
                <dt>"Downloads"</dt>
                <dd>{yes_no(link.allow_downloads)}</dd>
                <dt>"Password"</dt>
                <dd>{yes_no(link.has_password)}</dd>
            </dl>
            <details class="link-edit">
                <summary>"Edit this link…"</summary>
                <ServerForm action=UPDATE class="stack" label="Edit link" record=link.id.clone()>
                    <input type="hidden" name="id" value=id />
                    <label for=label_id.clone()>"Label"</label>
                    <input id=label_id name="label" type="text" maxlength="100" value=label_value />
                    <fieldset>
                        <legend>"Works for"</legend>
                        {expiry_choices(UPDATE, "keep", Some("Keep the current end"))}
                    </fieldset>
                    <label for=password_id.clone()>
                        {if link.has_password { "New password (empty keeps it)" } else { "Password (optional)" }}
                    </label>
                    <input
                        id=password_id
                        name="password"
                        type="password"
                        autocomplete="new-password"
                        minlength="6"
                        maxlength="200"
                    />
                    {link
                        .has_password
                        .then(|| {
                            view! {
                                <Checkbox action=UPDATE name="clear_password" label="Remove the password" checked=false />
                            }
                        })}
                    <Checkbox
                        action=UPDATE
                        name="allow_downloads"
                        label="Let people with the link download the original file (it keeps the camera data, location included)"
                        checked=link.allow_downloads
                    />
                    <button type="submit" class="button primary">
                        "Save link"
                    </button>
                </ServerForm>
            </details>
            <div class="link-actions">
                <ServerForm action=ResetLink::PATH label="Reset link" record=link.id.clone()>
                    <input type="hidden" name="id" value=reset_id />
                    <button type="submit" class="button">
                        "Reset (new address)"
                    </button>
                </ServerForm>
                <ServerForm action=RevokeLink::PATH label="Revoke link" record=link.id.clone()>
                    <input type="hidden" name="id" value=revoke_id />
                    <button type="submit" class="button danger">
                        "Revoke"
                    </button>
                </ServerForm>
            </div>
        </li>
    }
}

/// What was typed into `field` of the refused `action` form for link `id`, else `default`.
fn kept_for(action: &str, id: &str, field: &str, default: &str) -> String {
    if kept(action, "id", "") == id {
        kept(action, field, default)
    } else {
        default.to_string()
    }
}

/// A password-protected link before its password: nothing of what it shares (not even
/// whether it is a photo or an album), only the form.
#[component]
pub fn PasswordPrompt(token: String) -> impl IntoView {
    const ACTION: &str = UnlockLink::PATH;
    view! {
        <section class="share-locked">
            <h1>"This link is protected"</h1>
            <p>"Type the password you were given with the link."</p>
            <ServerForm action=ACTION class="stack" label="Unlock">
                <input type="hidden" name="token" value=token />
                <Field
                    action=ACTION
                    name="password"
                    kind="password"
                    label="Password"
                    autocomplete="current-password"
                    required=true
                />
                <button type="submit" class="button primary">
                    "Open"
                </button>
            </ServerForm>
        </section>
    }
}

/// A link that is revoked, expired, reset or made up: the same words for all of them.
#[component]
pub fn DeadLink() -> impl IntoView {
    view! {
        <section class="notice error" role="alert">
            <h1>"This link does not work"</h1>
            <p>
                "It may have expired or been turned off by the person who shared it. "
                "Ask them for a new one."
            </p>
            <a href="/">"Go to Lumen"</a>
        </section>
    }
}
