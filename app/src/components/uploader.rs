//! Browser-side uploads with progress: one XHR per file (fetch cannot report upload
//! progress), each a multipart post to the same `/upload` route the plain form uses.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{FileList, FormData, ProgressEvent, XmlHttpRequest};

use crate::error::LumenError;
use crate::model::UploadedPhoto;

#[derive(Clone, Debug, PartialEq)]
pub enum UploadState {
    /// Percent sent.
    Uploading(u32),
    Done(String),
    /// The person already had this file: the URL of that photo (nothing was stored).
    Already(String),
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct UploadItem {
    pub index: usize,
    pub name: String,
    pub state: UploadState,
}

#[derive(serde::Deserialize)]
struct UploadAnswer {
    photos: Vec<UploadedPhoto>,
}

/// Starts one upload per file; calls `done` with the photo URLs once all succeeded.
pub fn upload_all(
    files: FileList,
    items: RwSignal<Vec<UploadItem>>,
    album: Option<String>,
    done: impl Fn(Vec<String>) + Clone + 'static,
) {
    let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
    items.set(
        files
            .iter()
            .enumerate()
            .map(|(index, f)| UploadItem {
                index,
                name: f.name(),
                state: UploadState::Uploading(0),
            })
            .collect(),
    );
    for (index, file) in files.into_iter().enumerate() {
        let done = done.clone();
        let set = move |state: UploadState| {
            items.update(|v| {
                if let Some(i) = v.get_mut(index) {
                    i.state = state;
                }
            });
            let all = items.get_untracked();
            let urls: Vec<String> = all
                .iter()
                .filter_map(|i| match &i.state {
                    UploadState::Done(u) => Some(u.clone()),
                    _ => None,
                })
                .collect();
            if urls.len() == all.len() {
                done(urls);
            }
        };
        if let Err(e) = send(&file, album.as_deref(), set.clone()) {
            leptos::logging::warn!("upload could not start: {e:?}");
            set(UploadState::Failed("Could not start the upload.".into()));
        }
    }
}

fn send(
    file: &web_sys::File,
    album: Option<&str>,
    set: impl Fn(UploadState) + Clone + 'static,
) -> Result<(), wasm_bindgen::JsValue> {
    let xhr = XmlHttpRequest::new()?;
    xhr.open("POST", "/upload")?;
    xhr.set_request_header("Accept", "application/json")?;

    let on_progress = {
        let set = set.clone();
        Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                // Hold back 100% until the server has answered.
                let pct = (e.loaded() / e.total() * 100.0).min(99.0) as u32;
                set(UploadState::Uploading(pct));
            }
        })
    };
    xhr.upload()?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    on_progress.forget();

    let on_end = {
        let xhr = xhr.clone();
        Closure::<dyn FnMut()>::new(move || set(result_of(&xhr)))
    };
    xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
    on_end.forget();

    let form = FormData::new()?;
    // Before the file: the server checks the album before it stores anything.
    if let Some(a) = album {
        form.append_with_str("album", a)?;
    }
    form.append_with_blob_and_filename("photos", file, &file.name())?;
    xhr.send_with_opt_form_data(Some(&form))
}

fn result_of(xhr: &XmlHttpRequest) -> UploadState {
    let status = xhr.status().unwrap_or(0);
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    if status == 0 {
        return UploadState::Failed("The connection was lost; please try again.".into());
    }
    if (200..300).contains(&status) {
        return match serde_json::from_str::<UploadAnswer>(&body) {
            Ok(a) => a
                .photos
                .into_iter()
                .next()
                .map(|p| match p.duplicate {
                    true => UploadState::Already(p.url),
                    false => UploadState::Done(p.url),
                })
                .unwrap_or_else(|| UploadState::Failed("The server stored nothing.".into())),
            Err(_) => UploadState::Failed("The server's answer was not understood.".into()),
        };
    }
    match serde_json::from_str::<LumenError>(&body) {
        Ok(LumenError::Invalid { reason, .. }) => UploadState::Failed(reason),
        Ok(e) => UploadState::Failed(e.to_string()),
        Err(_) => UploadState::Failed(format!("Upload failed (HTTP {status}).")),
    }
}
