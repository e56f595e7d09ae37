//! The browser side of resumable uploads (`/upload/resumable/…`, see the server's
//! `service::resumable`): a large file goes up part by part, each part an XHR (for its
//! progress). A dropped connection is retried by asking which parts arrived and sending
//! only the rest; after a reload the person picks the file again, and the upload id kept in
//! localStorage under its name, size and modification time resumes it. The SHA-256 the
//! browser computes (SubtleCrypto) lets the server answer "already uploaded" at once.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, ProgressEvent, XmlHttpRequest};

use super::uploader::UploadState;
use crate::error::LumenError;
use crate::model::{ResumableUpload, UploadedPhoto};

/// Files larger than this go up in parts (the plain route takes up to 16 MB in one).
pub const RESUMABLE_ABOVE: f64 = 8.0 * 1024.0 * 1024.0;
/// Connection drops one upload survives before it asks the person to retry.
const MAX_DROPS: u32 = 8;
const STORE_PREFIX: &str = "lumen-upload:";

/// What a part or request ended with: its status (0: the connection failed) and body.
struct Answer {
    status: u16,
    body: String,
}

/// The hooks of one upload: its state, the request in flight (so cancel can abort it),
/// and whether the person cancelled.
#[derive(Clone)]
pub struct Hooks {
    pub report: Rc<dyn Fn(UploadState)>,
    pub current: Rc<dyn Fn(Option<XmlHttpRequest>)>,
    pub cancelled: Rc<dyn Fn() -> bool>,
    /// The album the upload page chose: checked at create, the photo added at complete.
    pub album: Option<String>,
}

/// Where the upload of `file` is remembered between page loads.
pub fn store_key(file: &File) -> String {
    format!(
        "{STORE_PREFIX}{}:{}:{}",
        file.name(),
        file.size(),
        file.last_modified()
    )
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn forget(file: &File) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&store_key(file));
    }
}

/// The person cancelled: the server drops what arrived, and the browser forgets it.
pub fn cancel(file: &File) {
    let Some(id) = storage().and_then(|s| s.get_item(&store_key(file)).ok().flatten()) else {
        return;
    };
    forget(file);
    if let Ok(x) = XmlHttpRequest::new() {
        if x.open("DELETE", &format!("/upload/resumable/{id}")).is_ok() {
            let _ = x.send();
        }
    }
}

/// Sends `file` to its end; returns its final state.
pub async fn run(file: File, hooks: Hooks) -> UploadState {
    match upload(&file, &hooks).await {
        Ok(state) => state,
        Err(state) => state,
    }
}

async fn upload(file: &File, hooks: &Hooks) -> Result<UploadState, UploadState> {
    let key = store_key(file);
    let known = storage().and_then(|s| s.get_item(&key).ok().flatten());
    let mut resumed = false;
    let mut up = match known {
        Some(id) => match status(&id, hooks).await? {
            Some(up) => {
                resumed = true;
                up
            }
            None => start(file, hooks).await?,
        },
        None => start(file, hooks).await?,
    };
    let up_id = match &up {
        Started::Upload(u) => u.id.clone(),
        Started::Already(url) => return Ok(UploadState::Already(url.clone())),
    };
    if let Some(s) = storage() {
        let _ = s.set_item(&key, &up_id);
    }
    let mut drops = 0;
    loop {
        let Started::Upload(state) = &up else {
            return Err(failed("The upload was not understood."));
        };
        match send_missing(file, state, resumed, hooks).await? {
            Sent::All => {}
            Sent::Dropped => {
                drops += 1;
                if drops > MAX_DROPS {
                    return Err(failed("The connection kept dropping; retry to resume."));
                }
                sleep(500 * drops).await;
                resumed = true;
                up = match status(&up_id, hooks).await? {
                    Some(u) => u,
                    None => {
                        forget(file);
                        return Err(failed("The upload expired; retry to start again."));
                    }
                };
                continue;
            }
        }
        let done = request(
            "POST",
            &complete_url(&up_id, hooks.album.as_deref()),
            None,
            hooks,
        )
        .await;
        if done.status == 0 {
            drops += 1;
            if drops > MAX_DROPS {
                return Err(failed("The connection kept dropping; retry to resume."));
            }
            continue;
        }
        forget(file);
        if done.status != 201 {
            return Err(refusal(&done));
        }
        #[derive(serde::Deserialize)]
        struct Done {
            photo: UploadedPhoto,
        }
        return match serde_json::from_str::<Done>(&done.body) {
            Ok(d) => Ok(UploadState::Done(d.photo.url)),
            Err(_) => Err(failed("The server's answer was not understood.")),
        };
    }
}

enum Started {
    Upload(ResumableUpload),
    /// The person already has this file.
    Already(String),
}

/// Completing upload `id`, into `album` when one was chosen.
fn complete_url(id: &str, album: Option<&str>) -> String {
    match album {
        Some(a) => format!(
            "/upload/resumable/{id}/complete?album={}",
            js_sys::encode_uri_component(a)
        ),
        None => format!("/upload/resumable/{id}/complete"),
    }
}

enum Sent {
    All,
    Dropped,
}

/// Which parts of upload `id` arrived; `None` when it is gone (finished, cancelled, or
/// dropped by the cron after a day).
async fn status(id: &str, hooks: &Hooks) -> Result<Option<Started>, UploadState> {
    let a = request("GET", &format!("/upload/resumable/{id}"), None, hooks).await;
    match a.status {
        200 => serde_json::from_str::<ResumableUpload>(&a.body)
            .map(|u| Some(Started::Upload(u)))
            .map_err(|_| failed("The server's answer was not understood.")),
        404 => Ok(None),
        0 => Err(failed("The connection was lost; please try again.")),
        _ => Err(refusal(&a)),
    }
}

async fn start(file: &File, hooks: &Hooks) -> Result<Started, UploadState> {
    (hooks.report)(UploadState::Queued);
    let sha256 = digest(file).await;
    let body = serde_json::json!({
        "name": file.name(),
        "size": file.size() as u64,
        "type": file.type_(),
        "sha256": sha256,
        "album": hooks.album,
    })
    .to_string();
    let a = request(
        "POST",
        "/upload/resumable",
        Some(&JsValue::from_str(&body)),
        hooks,
    )
    .await;
    #[derive(serde::Deserialize)]
    struct Duplicate {
        duplicate: UploadedPhoto,
    }
    match a.status {
        201 => serde_json::from_str::<ResumableUpload>(&a.body)
            .map(Started::Upload)
            .map_err(|_| failed("The server's answer was not understood.")),
        200 => serde_json::from_str::<Duplicate>(&a.body)
            .map(|d| Started::Already(d.duplicate.url))
            .map_err(|_| failed("The server's answer was not understood.")),
        0 => Err(failed("The connection was lost; please try again.")),
        _ => Err(refusal(&a)),
    }
}

/// Sends every part the server does not have, in order, reporting the whole file's
/// progress. A part refused stops the upload (its reason shown); a dropped connection
/// returns `Dropped` for the caller to ask again.
async fn send_missing(
    file: &File,
    up: &ResumableUpload,
    resumed: bool,
    hooks: &Hooks,
) -> Result<Sent, UploadState> {
    let pb = up.part_bytes.max(1);
    let parts = up.size.div_ceil(pb).max(1);
    let mut have: u64 = up.parts.iter().map(|p| p.size).sum();
    let parts_u16 = u16::try_from(parts).unwrap_or(u16::MAX);
    for n in 1..=parts_u16 {
        if up.parts.iter().any(|p| p.number == n) {
            continue;
        }
        if (hooks.cancelled)() {
            return Err(UploadState::Cancelled);
        }
        let start = f64::from(n - 1) * pb as f64;
        let end = (start + pb as f64).min(file.size());
        let Ok(blob) = file.slice_with_f64_and_f64(start, end) else {
            return Err(failed("The file could not be read."));
        };
        let size = up.size.max(1) as f64;
        let before = have as f64;
        let report = move |loaded: f64| -> UploadState {
            let pct = ((before + loaded) / size * 100.0).min(99.0) as u32;
            if resumed {
                UploadState::Resumed {
                    part: n,
                    parts: parts_u16,
                    pct,
                }
            } else {
                UploadState::Sending {
                    part: n,
                    parts: parts_u16,
                    pct,
                }
            }
        };
        (hooks.report)(report(0.0));
        let url = format!("/upload/resumable/{}/{n}", up.id);
        let a = xhr(
            "PUT",
            &url,
            Some(blob.as_ref()),
            Some(Box::new(report)),
            hooks,
        )
        .await;
        match a.status {
            200 => have += (end - start) as u64,
            0 if (hooks.cancelled)() => return Err(UploadState::Cancelled),
            0 => return Ok(Sent::Dropped),
            404 => {
                forget(file);
                return Err(failed("The upload expired; retry to start again."));
            }
            _ => {
                forget(file);
                return Err(refusal(&a));
            }
        }
    }
    Ok(Sent::All)
}

fn failed(why: &str) -> UploadState {
    UploadState::Failed(why.into())
}

fn refusal(a: &Answer) -> UploadState {
    match serde_json::from_str::<LumenError>(&a.body) {
        Ok(LumenError::Invalid { reason, .. }) => UploadState::Failed(reason),
        Ok(e) => UploadState::Failed(e.to_string()),
        Err(_) => UploadState::Failed(format!("Upload failed (HTTP {}).", a.status)),
    }
}

/// The file's SHA-256 as hex, or `None` where the browser cannot (no SubtleCrypto outside
/// secure contexts): only a hint for "already uploaded".
async fn digest(file: &File) -> Option<String> {
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let buf = JsFuture::from(file.array_buffer()).await.ok()?;
    let promise = subtle
        .digest_with_str_and_buffer_source("SHA-256", buf.unchecked_ref())
        .ok()?;
    let d = JsFuture::from(promise).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&d).to_vec();
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(ms).unwrap_or(i32::MAX),
            );
        }
    });
    let _ = JsFuture::from(promise).await;
}

async fn request(method: &str, url: &str, json: Option<&JsValue>, hooks: &Hooks) -> Answer {
    xhr(method, url, json, None, hooks).await
}

type Progress = Box<dyn Fn(f64) -> UploadState>;

/// One XHR to its end (load, error or abort).
async fn xhr(
    method: &str,
    url: &str,
    body: Option<&JsValue>,
    progress: Option<Progress>,
    hooks: &Hooks,
) -> Answer {
    let lost = Answer {
        status: 0,
        body: String::new(),
    };
    let Ok(x) = XmlHttpRequest::new() else {
        return lost;
    };
    if x.open(method, url).is_err() {
        return lost;
    }
    if body.is_some_and(JsValue::is_string) {
        let _ = x.set_request_header("Content-Type", "application/json");
    }
    let _ = x.set_request_header("Accept", "application/json");
    // The part's progress, as the whole file's, while it is on its way.
    let on_progress = progress.map(|p| {
        let report = hooks.report.clone();
        Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() {
                report(p(e.loaded()));
            }
        })
    });
    if let (Some(c), Ok(up)) = (&on_progress, x.upload()) {
        up.set_onprogress(Some(c.as_ref().unchecked_ref()));
    }
    let ended = js_sys::Promise::new(&mut |resolve, _| {
        let _ = x.add_event_listener_with_callback("loadend", &resolve);
    });
    (hooks.current)(Some(x.clone()));
    let sent = match body {
        Some(b) if b.is_string() => x.send_with_opt_str(b.as_string().as_deref()),
        Some(b) => x.send_with_opt_blob(b.dyn_ref::<web_sys::Blob>()),
        None => x.send(),
    };
    if sent.is_err() {
        (hooks.current)(None);
        return lost;
    }
    let _ = JsFuture::from(ended).await;
    (hooks.current)(None);
    drop(on_progress);
    Answer {
        status: x.status().unwrap_or(0),
        body: x.response_text().ok().flatten().unwrap_or_default(),
    }
}
