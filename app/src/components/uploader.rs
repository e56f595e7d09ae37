//! Browser-side uploads with progress: one XHR per file (fetch cannot report upload
//! progress), each a multipart post to the same `/upload` route the plain form uses. Files
//! come from the form or are dropped anywhere on the page; each can be cancelled while it
//! is on its way and retried once it failed or was cancelled.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{File, FileList, FormData, ProgressEvent, XmlHttpRequest};

use crate::error::LumenError;
use crate::model::UploadedPhoto;

#[derive(Clone, Debug, PartialEq)]
pub enum UploadState {
    /// Chosen, its request not yet under way.
    Queued,
    /// Percent sent.
    Uploading(u32),
    /// A large file going up in parts (resumable): the part on its way, and the whole
    /// file's percent.
    Sending {
        part: u16,
        parts: u16,
        pct: u32,
    },
    /// As `Sending`, after a dropped connection or a reload: only missing parts are sent.
    Resumed {
        part: u16,
        parts: u16,
        pct: u32,
    },
    Done(String),
    /// The person already had this file: the URL of that photo (nothing was stored).
    Already(String),
    /// Refused (with the reason) or the connection failed.
    Failed(String),
    Cancelled,
}

impl UploadState {
    /// Still on its way: the list is not finished.
    pub fn in_flight(&self) -> bool {
        matches!(
            self,
            UploadState::Queued
                | UploadState::Uploading(_)
                | UploadState::Sending { .. }
                | UploadState::Resumed { .. }
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct UploadItem {
    pub index: usize,
    pub name: String,
    pub state: UploadState,
    /// An object URL for the file, made in the browser (no request).
    pub thumb: Option<String>,
}

#[derive(serde::Deserialize)]
struct UploadAnswer {
    photos: Vec<UploadedPhoto>,
}

/// The line under the list once nothing is on its way: "2 uploaded, 1 already uploaded,
/// 1 refused: why".
pub fn summary(items: &[UploadItem]) -> Option<String> {
    if items.is_empty() || items.iter().any(|i| i.state.in_flight()) {
        return None;
    }
    let count = |f: fn(&UploadState) -> bool| items.iter().filter(|i| f(&i.state)).count();
    let mut parts = vec![format!(
        "{} uploaded",
        count(|s| matches!(s, UploadState::Done(_)))
    )];
    let already = count(|s| matches!(s, UploadState::Already(_)));
    if already > 0 {
        parts.push(format!("{already} already uploaded"));
    }
    let cancelled = count(|s| *s == UploadState::Cancelled);
    if cancelled > 0 {
        parts.push(format!("{cancelled} cancelled"));
    }
    let reasons: Vec<String> = items
        .iter()
        .filter_map(|i| match &i.state {
            // Server refusals already name the file.
            UploadState::Failed(why) if why.contains(&i.name) => Some(why.clone()),
            UploadState::Failed(why) => Some(format!("{}: {why}", i.name)),
            _ => None,
        })
        .collect();
    let mut line = parts.join(", ");
    if !reasons.is_empty() {
        line.push_str(&format!(
            ", {} refused: {}",
            reasons.len(),
            reasons.join("; ")
        ));
    }
    Some(line)
}

/// The upload list of one page: its rows, and the files and requests behind them.
#[derive(Clone, Copy)]
pub struct Uploads {
    pub items: RwSignal<Vec<UploadItem>>,
    files: StoredValue<Vec<File>, LocalStorage>,
    requests: StoredValue<Vec<Option<XmlHttpRequest>>, LocalStorage>,
    album: StoredValue<Option<String>>,
}

impl Default for Uploads {
    fn default() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            files: StoredValue::new_local(Vec::new()),
            requests: StoredValue::new_local(Vec::new()),
            album: StoredValue::new(None),
        }
    }
}

impl Uploads {
    /// Adds the files to the list and starts sending each.
    pub fn add(&self, files: FileList, album: Option<String>) {
        self.album.set_value(album);
        let files: Vec<File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        let first = self.files.with_value(Vec::len);
        self.items.update(|items| {
            for (n, f) in files.iter().enumerate() {
                items.push(UploadItem {
                    index: first + n,
                    name: f.name(),
                    state: UploadState::Queued,
                    thumb: thumbnail(f),
                });
            }
        });
        let added = files.len();
        self.files.update_value(|v| v.extend(files));
        self.requests
            .update_value(|v| v.extend(std::iter::repeat_n(None, added)));
        for index in first..first + added {
            self.start(index);
        }
    }

    pub fn cancel(&self, index: usize) {
        self.set(index, UploadState::Cancelled);
        if let Some(file) = self.files.with_value(|f| f.get(index).cloned()) {
            super::resumable::cancel(&file);
        }
        if let Some(xhr) = self
            .requests
            .with_value(|r| r.get(index).cloned().flatten())
        {
            let _ = xhr.abort();
        }
    }

    pub fn retry(&self, index: usize) {
        self.start(index);
    }

    fn set(&self, index: usize, state: UploadState) {
        self.items.update(|v| {
            if let Some(i) = v.iter_mut().find(|i| i.index == index) {
                i.state = state;
            }
        });
    }

    fn state(&self, index: usize) -> Option<UploadState> {
        self.items
            .with_untracked(|v| v.iter().find(|i| i.index == index).map(|i| i.state.clone()))
    }

    fn start(&self, index: usize) {
        let Some(file) = self.files.with_value(|f| f.get(index).cloned()) else {
            return;
        };
        self.set(index, UploadState::Queued);
        let this = *self;
        // A cancelled request still ends (status 0): that must not overwrite "cancelled".
        let report = move |state: UploadState| {
            if this.state(index) != Some(UploadState::Cancelled) {
                this.set(index, state);
            }
        };
        if file.size() > super::resumable::RESUMABLE_ABOVE {
            self.start_resumable(index, file, report);
            return;
        }
        let album = self.album.get_value();
        match send(&file, album.as_deref(), report) {
            Ok(xhr) => self.requests.update_value(|r| {
                if let Some(slot) = r.get_mut(index) {
                    *slot = Some(xhr);
                }
            }),
            Err(e) => {
                leptos::logging::warn!("upload could not start: {e:?}");
                self.set(
                    index,
                    UploadState::Failed("Could not start the upload.".into()),
                );
            }
        }
    }
}

impl Uploads {
    /// A large file goes up in parts (`components::resumable`), resuming what arrived.
    fn start_resumable(&self, index: usize, file: File, report: impl Fn(UploadState) + 'static) {
        let this = *self;
        let report = std::rc::Rc::new(report);
        let hooks = super::resumable::Hooks {
            report: report.clone(),
            current: std::rc::Rc::new(move |xhr| {
                this.requests.update_value(|r| {
                    if let Some(slot) = r.get_mut(index) {
                        *slot = xhr;
                    }
                })
            }),
            cancelled: std::rc::Rc::new(move || this.state(index) == Some(UploadState::Cancelled)),
            album: this.album.get_value(),
        };
        leptos::task::spawn_local(async move {
            let end = super::resumable::run(file, hooks).await;
            report(end);
        });
    }
}

/// Formats Lumen reads are ones every browser shows, so only they get a thumbnail: a
/// HEIC or a text file would be a broken image.
fn thumbnail(f: &File) -> Option<String> {
    const SHOWN: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];
    if !SHOWN.contains(&f.type_().as_str()) {
        return None;
    }
    web_sys::Url::create_object_url_with_blob(f).ok()
}

fn send(
    file: &File,
    album: Option<&str>,
    report: impl Fn(UploadState) + Clone + 'static,
) -> Result<XmlHttpRequest, wasm_bindgen::JsValue> {
    let xhr = XmlHttpRequest::new()?;
    xhr.open("POST", "/upload")?;
    xhr.set_request_header("Accept", "application/json")?;

    let on_progress = {
        let report = report.clone();
        Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                // Hold back 100% until the server has answered.
                let pct = (e.loaded() / e.total() * 100.0).min(99.0) as u32;
                report(UploadState::Uploading(pct));
            }
        })
    };
    xhr.upload()?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    on_progress.forget();

    let on_end = {
        let xhr = xhr.clone();
        Closure::<dyn FnMut()>::new(move || report(result_of(&xhr)))
    };
    xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
    on_end.forget();

    let form = FormData::new()?;
    // Before the file: the server checks the album before it stores anything.
    if let Some(a) = album {
        form.append_with_str("album", a)?;
    }
    form.append_with_blob_and_filename("photos", file, &file.name())?;
    xhr.send_with_opt_form_data(Some(&form))?;
    Ok(xhr)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, state: UploadState) -> UploadItem {
        UploadItem {
            index: 0,
            name: name.into(),
            state,
            thumb: None,
        }
    }

    #[test]
    fn the_summary_waits_for_every_file_then_counts_and_says_why() {
        assert_eq!(summary(&[]), None);
        let mut items = vec![
            item("a.jpg", UploadState::Done("/p/a".into())),
            item("b.jpg", UploadState::Uploading(40)),
        ];
        assert_eq!(summary(&items), None, "not while one is on its way");
        items[1].state = UploadState::Done("/p/b".into());
        assert_eq!(summary(&items).as_deref(), Some("2 uploaded"));
        items.push(item("c.jpg", UploadState::Already("/p/x".into())));
        items.push(item("d.jpg", UploadState::Cancelled));
        items.push(item("e.heic", UploadState::Failed("HEIC".into())));
        items.push(item(
            "f.jpg",
            UploadState::Failed("“f.jpg” is too big".into()),
        ));
        assert_eq!(
            summary(&items).as_deref(),
            Some("2 uploaded, 1 already uploaded, 1 cancelled, 2 refused: e.heic: HEIC; “f.jpg” is too big")
        );
    }
}
