//! `POST /upload`: multipart form with one or more `photos`. The same route serves the
//! plain form (redirects, or the upload page again with the error) and the JS
//! uploader (`Accept: application/json`).

use app::components::form::FormFeedback;
use app::error::LumenError;
use app::ssr::guard::{self, Need, RequestHead};
use app::ssr::platform::Platform;
use app::ssr::service::upload::{self, UploadFile, MAX_FILE_BYTES};
use axum::extract::{Extension, Request};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use worker::send::SendFuture;
use worker::FormEntry;

use super::{drain, json_error, respond};

pub async fn handle(Extension(p): Extension<Platform>, req: Request) -> Response {
    let wants_json =
        header_str(req.headers(), header::ACCEPT).is_some_and(|a| a.contains("application/json"));
    let headers = req.headers().clone();
    let result = SendFuture::new(store(p.clone(), req)).await;
    match (result, wants_json) {
        (Ok(photos), true) => {
            let body = serde_json::json!({ "photos": photos }).to_string();
            respond(201, "application/json", body)
        }
        (Ok(photos), false) => match photos.as_slice() {
            [one] => Redirect::to(&one.url).into_response(),
            _ => Redirect::to("/").into_response(),
        },
        (Err(e), true) => json_error(&e),
        (Err(e), false) => form_again(&p, &headers, &e).await,
    }
}

async fn store(p: Platform, req: Request) -> Result<Vec<app::model::UploadedPhoto>, LumenError> {
    let h = req.headers();
    let not_form = || LumenError::invalid("photos", "Send the photos as a multipart form.");
    let multipart =
        header_str(h, header::CONTENT_TYPE).is_some_and(|t| t.starts_with("multipart/form-data"));
    let allowed =
        match guard::check(&p, &RequestHead::from_request(req.uri(), h), Need::Member).await {
            Ok(Some(s)) if multipart => Ok(s),
            Ok(_) => Err(not_form()),
            Err(e) => Err(e),
        };
    let session = match allowed {
        Ok(s) => s,
        Err(e) => {
            // Answering before the client has finished sending breaks its connection
            // (EPIPE) instead of showing the answer: read the body away first.
            drain(req.into_body()).await;
            return Err(e);
        }
    };
    let mut wreq = worker::Request::try_from(req).map_err(|_| not_form())?;
    let form = wreq.form_data().await.map_err(|_| not_form())?;
    let mut files = Vec::new();
    for entry in form.get_all("photos").unwrap_or_default() {
        let FormEntry::File(f) = entry else {
            continue;
        };
        // Browsers send an empty part when no file was chosen.
        if f.size() == 0 && f.name().is_empty() {
            continue;
        }
        if f.size() > MAX_FILE_BYTES {
            return Err(LumenError::invalid(
                "photos",
                format!("“{}” is larger than {} MB.", f.name(), MAX_FILE_BYTES >> 20),
            ));
        }
        let bytes = f.bytes().await.map_err(|_| not_form())?;
        files.push(UploadFile {
            name: f.name(),
            bytes,
        });
    }
    upload::upload(&p, &session.user, files).await
}

fn header_str(h: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Without JS: render the upload page again with the message and the error's status
/// (a cross-site post gets no page of ours).
async fn form_again(p: &Platform, headers: &HeaderMap, e: &LumenError) -> Response {
    if *e == LumenError::Forbidden {
        return json_error(e);
    }
    let feedback = FormFeedback {
        action: "/upload".into(),
        error: e.clone(),
        values: Vec::new(),
    };
    super::render_page(p, headers, "/upload", Some(feedback), e).await
}
