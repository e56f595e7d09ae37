//! Likes and comments under a photo. Every control is a real form posting to its server
//! function (JS off: the Worker redirects back to the photo). Where JavaScript runs,
//! [`LiveForms`] sends the same forms through the server functions and swaps in the
//! section as the server now renders it, so the page never reloads.

use leptos::prelude::*;
use server_fn::ServerFn;

use crate::api::social::{
    AddComment, DeleteComment, EditComment, LikePhoto, SetSocial, UnlikePhoto,
};
use crate::components::form::{kept, Checkbox, ServerForm};
use crate::http::escape_text;
use crate::model::{CommentView, SocialView};
use crate::text::{linkify, Piece};

/// The id of the section [`LiveForms`] swaps.
pub const SECTION_ID: &str = "social";

#[component]
pub fn Social(v: SocialView) -> impl IntoView {
    view! {
        <section id=SECTION_ID class="social" aria-label="Likes and comments">
            <LikeBox v=v.clone() />
            {v.is_owner.then(|| view! { <Switches v=v.clone() /> })}
            <Comments v />
        </section>
    }
}

fn count_text(n: u32) -> String {
    match n {
        1 => "1 like".into(),
        n => format!("{n} likes"),
    }
}

#[component]
pub fn LikeBox(v: SocialView) -> impl IntoView {
    let count = v
        .likes
        .map(|n| view! { <span class="like-count">{count_text(n)}</span> });
    let control = if v.signed_in {
        let (action, label, class) = if v.liked {
            (UnlikePhoto::PATH, "♥ Liked", "button like liked")
        } else {
            (LikePhoto::PATH, "♡ Like", "button like")
        };
        view! {
            <ServerForm action class="inline-form like-form" label="Like">
                <input type="hidden" name="id" value=v.photo_id.clone() />
                <button type="submit" class=class aria-pressed=v.liked.to_string()>
                    {label}
                </button>
            </ServerForm>
        }
        .into_any()
    } else {
        view! {
            <a class="button like" href=format!("/signin?next=/p/{}", v.photo_id)>
                "♡ Sign in to like"
            </a>
        }
        .into_any()
    };
    view! {
        <div id="likes" class="likes">
            {control}
            {count}
            {(v.is_owner && v.hide_likes).then(|| view! { <span class="muted">" (only you see this)"</span> })}
        </div>
    }
}

/// The owner's switches.
#[component]
fn Switches(v: SocialView) -> impl IntoView {
    const SET: &str = SetSocial::PATH;
    view! {
        <details class="social-switches">
            <summary>"Likes and comments settings"</summary>
            <ServerForm action=SET class="stack" label="Likes and comments settings">
                <input type="hidden" name="id" value=v.photo_id.clone() />
                <Checkbox action=SET name="hide_likes" label="Hide the number of likes from others" checked=v.hide_likes />
                <Checkbox
                    action=SET
                    name="comments_off"
                    label="Switch comments off (the ones here stay; no new ones)"
                    checked=v.comments_off
                />
                <button type="submit" class="button">
                    "Save"
                </button>
            </ServerForm>
        </details>
    }
}

#[component]
pub fn Comments(v: SocialView) -> impl IntoView {
    const ADD: &str = AddComment::PATH;
    let heading = match v.comment_count {
        0 => "Comments".to_string(),
        n => format!("Comments ({n})"),
    };
    let list = if v.comments.is_empty() {
        view! { <p class="empty muted">"No comments yet."</p> }.into_any()
    } else {
        view! {
            <ol class="comments">
                {v.comments.into_iter().map(|c| view! { <Comment c /> }).collect_view()}
            </ol>
        }
        .into_any()
    };
    let later = v.next.map(|next| {
        let href = format!(
            "/p/{}?comments={}#comments",
            v.photo_id,
            crate::components::paging::encode(&next)
        );
        view! {
            <nav class="paging" aria-label="More comments">
                <a class="button" rel="next" href=href>"Later comments"</a>
            </nav>
        }
    });
    let form = if v.comments_off {
        view! { <p class="notice" role="note">"Comments are switched off for this photo."</p> }
            .into_any()
    } else if v.signed_in {
        view! {
            <ServerForm action=ADD class="stack comment-form" label="Add a comment">
                <input type="hidden" name="photo_id" value=v.photo_id.clone() />
                <label for="comment-body">"Add a comment"</label>
                <textarea id="comment-body" name="body" rows="3" maxlength="2000" required>
                    // tachys writes a textarea's text raw: escape it here.
                    {escape_text(&kept(ADD, "body", ""))}
                </textarea>
                <button type="submit" class="button primary">
                    "Post comment"
                </button>
            </ServerForm>
        }
        .into_any()
    } else {
        view! {
            <p>
                <a href=format!("/signin?next=/p/{}", v.photo_id)>"Sign in"</a>
                " to comment."
            </p>
        }
        .into_any()
    };
    view! {
        <div id="comments" class="comments-block">
            <h2>{heading}</h2>
            {list}
            {later}
            {form}
        </div>
    }
}

#[component]
pub fn Comment(c: CommentView) -> impl IntoView {
    let (edit_id, delete_id) = (c.id.clone(), c.id.clone());
    let edit = c.can_edit.then(|| {
        const EDIT: &str = EditComment::PATH;
        let kept_body = kept(EDIT, "body", &c.body);
        view! {
            <details class="comment-edit">
                <summary>"Edit"</summary>
                <ServerForm action=EDIT class="stack" label="Edit comment" record=edit_id.clone()>
                    <input type="hidden" name="id" value=edit_id />
                    <textarea name="body" rows="3" maxlength="2000" required aria-label="Comment">
                        {escape_text(&kept_body)}
                    </textarea>
                    <button type="submit" class="button">"Save"</button>
                </ServerForm>
            </details>
        }
    });
    let delete = c.can_delete.then(|| {
        view! {
            <ServerForm action=DeleteComment::PATH class="inline-form" label="Delete comment" record=delete_id.clone()>
                <input type="hidden" name="id" value=delete_id />
                <button type="submit" class="link-button danger">"Delete"</button>
            </ServerForm>
        }
    });
    view! {
        <li class="comment" id=format!("c-{}", c.id)>
            <p class="comment-meta">
                <a href=format!("/u/{}", c.author)>"@" {c.author.clone()}</a>
                " · "
                <time datetime=c.created_iso.clone()>{c.created_at.clone()}</time>
                {c.edited.then_some(" · edited")}
            </p>
            <CommentBody text=c.body.clone() />
            {edit}
            {delete}
        </li>
    }
}

/// A comment's text: plain text, with web addresses as links that carry no weight
/// (`nofollow ugc`) and no opener. Everything is text or an attribute, both escaped by
/// the renderer; no markup from the comment ever reaches the page.
#[component]
pub fn CommentBody(text: String) -> impl IntoView {
    let pieces = linkify(&text)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t.to_string().into_any(),
            Piece::Link(url) => view! {
                <a rel="nofollow ugc noopener" href=url.to_string()>
                    {url.to_string()}
                </a>
            }
            .into_any(),
        })
        .collect_view();
    view! { <p class="comment-body"><bdi>{pieces}</bdi></p> }
}

/// Sends the forms inside it through their server functions instead of a page load, then
/// swaps in the section as the server renders it now (the new count, the new comment).
/// A refusal shows next to the form. Forms it does not know post as usual.
#[island]
pub fn LiveForms(children: Children) -> impl IntoView {
    let on_submit = move |e: web_sys::SubmitEvent| {
        use wasm_bindgen::JsCast;
        let Some(form) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let field = move |k: &str| data.get(k).as_string().unwrap_or_default();
        let action = form.get_attribute("action").unwrap_or_default();
        let call = send(&action, field);
        let Some(call) = call else {
            return;
        };
        e.prevent_default();
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(()) => refresh(),
                Err(err) => show_error(&form, &err.message()),
            }
        });
    };
    view! { <div class="live-forms" on:submit=on_submit>{children()}</div> }
}

type Call =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), crate::error::LumenError>>>>;

/// The server function call a form stands for, or `None` for a form this does not know.
fn send(action: &str, field: impl Fn(&str) -> String) -> Option<Call> {
    use crate::api::social::{
        add_comment, delete_comment, edit_comment, like_photo, set_social, unlike_photo,
    };
    let on = |k: &str| (!field(k).is_empty()).then(|| "on".to_string());
    let (id, body) = (field("id"), field("body"));
    Some(match action {
        a if a == LikePhoto::PATH => Box::pin(async move { like_photo(id).await.map(|_| ()) }),
        a if a == UnlikePhoto::PATH => Box::pin(async move { unlike_photo(id).await.map(|_| ()) }),
        a if a == AddComment::PATH => {
            let photo = field("photo_id");
            Box::pin(async move { add_comment(photo, body).await })
        }
        a if a == EditComment::PATH => Box::pin(async move { edit_comment(id, body).await }),
        a if a == DeleteComment::PATH => Box::pin(async move { delete_comment(id).await }),
        a if a == SetSocial::PATH => {
            let (hide, off) = (on("hide_likes"), on("comments_off"));
            Box::pin(async move { set_social(id, hide, off).await })
        }
        _ => return None,
    })
}

/// Fetches this page again and replaces the section with the new one.
fn refresh() {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        return;
    };
    let Ok(href) = window().location().href() else {
        return;
    };
    if xhr.open("GET", &href).is_err() {
        return;
    }
    xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Document);
    let done = {
        let xhr = xhr.clone();
        Closure::<dyn FnMut()>::new(move || {
            let fresh = xhr
                .response_xml()
                .ok()
                .flatten()
                .and_then(|d| d.get_element_by_id(SECTION_ID));
            let here = document().get_element_by_id(SECTION_ID);
            if let (Some(fresh), Some(here)) = (fresh, here) {
                if let Ok(node) = document().import_node_with_deep(&fresh, true) {
                    let _ = here.replace_with_with_node_1(&node);
                }
            }
        })
    };
    xhr.set_onloadend(Some(done.as_ref().unchecked_ref()));
    done.forget();
    let _ = xhr.send();
}

fn show_error(form: &web_sys::HtmlFormElement, message: &str) {
    let doc = document();
    let existing = form.query_selector(".form-error").ok().flatten();
    let p = match existing {
        Some(p) => p,
        None => {
            let Ok(p) = doc.create_element("p") else {
                return;
            };
            p.set_class_name("form-error");
            let _ = p.set_attribute("role", "alert");
            let _ = form.prepend_with_node_1(&p);
            p
        }
    };
    p.set_text_content(Some(message));
}
