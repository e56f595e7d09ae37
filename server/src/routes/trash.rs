//! `POST /trash/bulk`: the trash's one form. `action=trash` (from your profile) moves the
//! ticked photos to the trash; `action=restore` or `delete` restores or deletes the
//! ticked ones; a card's own button sends `one=restore:{id}` or `one=delete:{id}`. A plain
//! route: a server function cannot take a repeated field from a plain form. And
//! `GET /export.zip`: the signed-in person's export, streamed as an album's zip is.

use app::error::LumenError;
use app::ssr::guard::{self, Need, RequestHead};
use app::ssr::platform::Platform;
use app::ssr::service::{export as exports, trash};
use axum::extract::{Extension, Request};
use axum::response::{IntoResponse, Redirect, Response};
use worker::send::SendFuture;

use super::json_error;

pub use app::pages::trash::TRASH_BULK as BULK;

/// What the form asked for: the action and its photos.
fn parse(body: &[u8]) -> (String, Vec<String>) {
    let (mut action, mut photos, mut one) = (String::new(), Vec::new(), None);
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "action" => action = v.into_owned(),
            "photo" => photos.push(v.into_owned()),
            "one" => one = Some(v.into_owned()),
            _ => {}
        }
    }
    // A card's own button wins over the ticks: it names exactly one photo.
    match one.as_deref().and_then(|o| o.split_once(':')) {
        Some((a, id)) => (a.to_string(), vec![id.to_string()]),
        None => (action, photos),
    }
}

pub async fn bulk(Extension(p): Extension<Platform>, req: Request) -> Response {
    let head = RequestHead::from_request(req.uri(), req.headers());
    let headers = req.headers().clone();
    let body = req.into_body();
    SendFuture::new(async move {
        let done = async {
            let (s, bytes) = super::forms::bulk_member(&p, &head, body).await?;
            let (action, photos) = parse(&bytes);
            Ok(match action.as_str() {
                "trash" => {
                    trash::trash(&p, &s, &photos).await?;
                    format!("/u/{}?deleted=1", s.user.username)
                }
                "restore" => {
                    trash::restore(&p, &s, &photos).await?;
                    "/trash?done=restored".to_string()
                }
                "delete" => {
                    trash::delete_now(&p, &s, &photos).await?;
                    "/trash?done=deleted".to_string()
                }
                _ => {
                    return Err(LumenError::invalid(
                        "action",
                        "Restore or delete the photos.",
                    ))
                }
            })
        };
        match done.await {
            Ok(to) => Redirect::to(&to).into_response(),
            Err(e) => super::forms::refuse_bulk(&p, &headers, BULK, e).await,
        }
    })
    .await
}

/// Same-site and signed in only (`Need::Member`): another site cannot start one.
pub async fn export(Extension(p): Extension<Platform>, req: Request) -> Response {
    let head = RequestHead::from_request(req.uri(), req.headers());
    SendFuture::new(async move {
        let planned = async {
            let s = guard::check(&p, &head, Need::Member)
                .await?
                .ok_or(LumenError::Unauthenticated)?;
            let max = usize::try_from(p.quotas.download_photos).unwrap_or(usize::MAX);
            exports::export(&p, &s, max).await
        };
        match planned.await {
            Ok(d) => super::albums::zip_response(p, d),
            Err(e) => json_error(&e),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_cards_own_button_names_one_photo() {
        let body = b"action=delete&photo=a&photo=b&one=restore%3Ac";
        assert_eq!(parse(body), ("restore".into(), vec!["c".into()]));
        let body = b"action=delete&photo=a&photo=b";
        assert_eq!(parse(body), ("delete".into(), vec!["a".into(), "b".into()]));
    }
}
