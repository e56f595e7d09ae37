//! Storing new originals as they stream in. Each file is sniffed from its first bytes
//! before anything is stored, then written to the blob store a part at a time, so no
//! whole file is ever in memory. Rows and jobs come only once every original is stored:
//! R2 → D1 (`pending`) → queue, so a lost message is only a delay (the cron re-sends
//! stale pending jobs) and never a lost photo. Any refusal stores nothing: objects
//! already written for the request are deleted and its reserved hourly count given back.
//! The header is checked against the pipeline's limits before anything is stored, and
//! the SHA-256 is taken while the file streams: a file the person already has is not
//! kept twice (the answer links to the photo they have).

use async_trait::async_trait;
use axum::body::Bytes;

use crate::error::LumenError;
use crate::model::UploadedPhoto;
use crate::ssr::keys;
use crate::ssr::limits::window;
use crate::ssr::ports::{BlobWriter, MediaJob, PhotoRow, PortError, UserRow, MIN_PART_BYTES};
use crate::ssr::Platform;

/// The largest original accepted. With `media::Spec`'s pixel limit it bounds the media
/// job's memory: the largest accepted photo and its job stay well inside a Worker's
/// 128 MB isolate (`make bench` measures both).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
pub const MAX_FILES: usize = 20;
/// A Worker's request body limit (100 MB); larger requests never reach the Worker.
pub const MAX_REQUEST_BYTES: u64 = 100_000_000;
/// Originals are written in parts of R2's minimum size: all an upload holds in memory.
pub const PART_BYTES: usize = MIN_PART_BYTES;
/// Enough of a file's head for `media::sniff`.
const SNIFF_BYTES: usize = 16;
/// How much of a file's head is read, at most, for its declared size: a camera's EXIF
/// fits (one JPEG segment is at most 64 KiB); anything larger is left to the media job.
pub(crate) const HEAD_BYTES: usize = 64 * 1024;

/// The files of one upload as they arrive (in the Worker: the multipart body).
#[async_trait]
pub trait IncomingFiles: Send {
    /// Moves to the next file and returns its name, or `None` after the last.
    async fn next_file(&mut self) -> Result<Option<String>, LumenError>;
    /// The current file's next bytes, or `None` at its end.
    async fn chunk(&mut self) -> Result<Option<Bytes>, LumenError>;
}

/// Refuses, before any of it is read, a body whose declared size cannot be accepted.
pub fn check_length(content_length: Option<u64>) -> Result<(), LumenError> {
    match content_length {
        Some(n) if n > MAX_REQUEST_BYTES => Err(LumenError::Quota {
            reason: format!(
                "This upload is {} MB; one upload may be at most {} MB, with photos of up to {} MB \
                 each. Send fewer photos at a time.",
                n.div_ceil(1_000_000),
                MAX_REQUEST_BYTES / 1_000_000,
                MAX_FILE_BYTES >> 20
            ),
            retry_after_secs: None,
        }),
        _ => Ok(()),
    }
}

pub async fn upload(
    p: &Platform,
    owner: &UserRow,
    files: &mut dyn IncomingFiles,
) -> Result<Vec<UploadedPhoto>, LumenError> {
    let mut batch = Batch {
        p,
        owner,
        bucket: upload_bucket(&owner.id),
        window: window(p, HOUR_MS),
        stored_before: p.photos.stored_bytes(&owner.id).await?,
        stored: Vec::new(),
        reserved: 0,
    };
    match receive(&mut batch, files).await {
        Ok(()) => batch.commit().await,
        Err(e) => {
            batch.undo(0).await;
            Err(e)
        }
    }
}

/// An original written to the blob store, waiting for its row.
struct Stored {
    id: String,
    key: String,
    title: String,
    mime: &'static str,
    bytes: u64,
    sha256: String,
    /// The person's photo with the same bytes; this copy was deleted again.
    duplicate_of: Option<String>,
}

/// What one request has stored and reserved so far, so that a refusal can undo it.
struct Batch<'a> {
    p: &'a Platform,
    owner: &'a UserRow,
    bucket: String,
    /// The hourly quota's window: (start, seconds left).
    window: (i64, u32),
    stored_before: u64,
    stored: Vec<Stored>,
    /// Hourly uploads counted for this request that no photo row stands for yet.
    reserved: u32,
}

async fn receive(b: &mut Batch<'_>, files: &mut dyn IncomingFiles) -> Result<(), LumenError> {
    while let Some(name) = files.next_file().await? {
        let head = read_head(files, &name).await?;
        if head.is_empty() {
            // Browsers send an empty, nameless part when no file was chosen.
            if name.is_empty() {
                continue;
            }
            return Err(LumenError::invalid(
                "photos",
                format!("{} is empty.", display_name(&name)),
            ));
        }
        if b.stored.len() == MAX_FILES {
            return Err(LumenError::invalid(
                "photos",
                format!("Upload at most {MAX_FILES} photos at a time."),
            ));
        }
        let format = media::sniff(&head).ok_or_else(|| {
            LumenError::invalid(
                "photos",
                format!(
                    "{} is not a supported image (JPEG, PNG, WebP or GIF).",
                    display_name(&name)
                ),
            )
        })?;
        b.reserve().await?;
        let mut stored = store(b, files, &name, format.mime(), head).await?;
        stored.duplicate_of = b.duplicate(&stored).await?;
        if stored.duplicate_of.is_some() {
            b.keep_only_the_first(&stored).await;
        }
        b.stored.push(stored);
    }
    if b.stored.is_empty() {
        return Err(LumenError::invalid("photos", "Choose at least one photo."));
    }
    Ok(())
}

/// The first bytes of the current file, read until its header says what it is (at most
/// about `HEAD_BYTES`). A header that breaks the pipeline's limits (too many pixels, HEIC,
/// not an image) refuses the file here, before anything of it is stored.
async fn read_head(files: &mut dyn IncomingFiles, name: &str) -> Result<Vec<u8>, LumenError> {
    let limits = media::Spec::default();
    let mut head = Vec::new();
    loop {
        let more = if head.len() < HEAD_BYTES {
            files.chunk().await?
        } else {
            None
        };
        let end = more.is_none();
        if let Some(c) = more {
            head.extend_from_slice(&c);
        }
        if head.is_empty() || !(end || head.len() >= SNIFF_BYTES) {
            if end {
                return Ok(head);
            }
            continue;
        }
        match media::read_header(&head, &limits) {
            Ok(Some(_)) => return Ok(head),
            Ok(None) if end => return Ok(head),
            Ok(None) => {}
            // The caller names the formats Lumen reads.
            Err(media::MediaError::Unsupported) => return Ok(head),
            Err(e) => {
                return Err(LumenError::invalid(
                    "photos",
                    format!("{} {}", display_name(name), header_refusal(&e)),
                ))
            }
        }
    }
}

/// The pipeline's sentence, about "this file" → about the named file.
pub(crate) fn header_refusal(e: &media::MediaError) -> String {
    let m = e.user_message();
    match m.strip_prefix("This ") {
        Some(rest) => format!("— this {rest}"),
        None => format!("— {m}"),
    }
}

/// Streams the current file into the blob store: one `put` if it is smaller than a part,
/// else a multipart write, aborted if the file turns out too large.
async fn store(
    b: &Batch<'_>,
    files: &mut dyn IncomingFiles,
    name: &str,
    mime: &'static str,
    head: Vec<u8>,
) -> Result<Stored, LumenError> {
    let id = b.p.ids.new_id()?;
    let key = keys::original(&b.owner.id, &id);
    let mut writer = None;
    match stream(b, files, name, &key, mime, head, &mut writer).await {
        Ok((bytes, sha256)) => Ok(Stored {
            id,
            key,
            title: title_from_name(name),
            mime,
            bytes,
            sha256,
            duplicate_of: None,
        }),
        Err(e) => {
            if let Some(w) = writer {
                if let Err(abort) = w.abort().await {
                    leptos::logging::warn!("multipart write of {key} not aborted: {abort}");
                }
            }
            Err(e)
        }
    }
}

async fn stream(
    b: &Batch<'_>,
    files: &mut dyn IncomingFiles,
    name: &str,
    key: &str,
    mime: &str,
    head: Vec<u8>,
    writer: &mut Option<Box<dyn BlobWriter>>,
) -> Result<(u64, String), LumenError> {
    let mut part = Vec::with_capacity(PART_BYTES);
    let mut total = 0u64;
    let mut digest = b.p.crypto.sha256_stream()?;
    let mut next = Some(Bytes::from(head));
    while let Some(chunk) = next {
        total += chunk.len() as u64;
        b.check_size(name, total)?;
        digest.update(&chunk).await?;
        let mut rest: &[u8] = &chunk;
        while !rest.is_empty() {
            let (now, later) = rest.split_at(rest.len().min(PART_BYTES - part.len()));
            part.extend_from_slice(now);
            rest = later;
            if part.len() == PART_BYTES {
                let full = std::mem::replace(&mut part, Vec::with_capacity(PART_BYTES));
                let w = match writer {
                    Some(w) => w,
                    None => writer.insert(b.p.blobs.begin(key, mime).await?),
                };
                w.write_part(full).await?;
            }
        }
        next = files.chunk().await?;
    }
    match writer.take() {
        None => b.p.blobs.put(key, part, mime).await?,
        Some(mut w) => {
            if !part.is_empty() {
                if let Err(e) = w.write_part(part).await {
                    *writer = Some(w);
                    return Err(e.into());
                }
            }
            w.finish().await?;
        }
    }
    Ok((total, digest.finish().await?))
}

impl Batch<'_> {
    /// Refuses a file over the size limit, or one that would overfill the owner's storage,
    /// as soon as its bytes say so.
    fn check_size(&self, name: &str, file_bytes: u64) -> Result<(), LumenError> {
        if file_bytes > MAX_FILE_BYTES {
            return Err(LumenError::invalid(
                "photos",
                format!(
                    "{} is larger than {} MB.",
                    display_name(name),
                    MAX_FILE_BYTES >> 20
                ),
            ));
        }
        let earlier: u64 = self
            .stored
            .iter()
            .filter(|s| s.duplicate_of.is_none())
            .map(|s| s.bytes)
            .sum();
        let limit = self.p.quotas.stored_bytes;
        if self.stored_before + earlier + file_bytes > limit {
            return Err(LumenError::Quota {
                reason: format!(
                    "Your storage is full: {} of {} used. Delete some photos to upload more.",
                    mb(self.stored_before),
                    mb(limit)
                ),
                retry_after_secs: None,
            });
        }
        Ok(())
    }

    /// Counts one more upload this hour before the file is stored. The count is atomic,
    /// so concurrent uploads cannot overshoot the limit together; a refusal gives its
    /// reservations back (see `undo`), so refused uploads do not count.
    async fn reserve(&mut self) -> Result<(), LumenError> {
        let (start, secs) = self.window;
        let used = self.p.limits.hit(&self.bucket, start, 1).await?;
        self.reserved += 1;
        let max = self.p.quotas.uploads_per_hour;
        if used > max {
            return Err(LumenError::Quota {
                reason: format!(
                    "You can upload {max} photos an hour and have uploaded {} this hour; try again in {} min.",
                    used.saturating_sub(self.reserved),
                    secs.div_ceil(60)
                ),
                retry_after_secs: Some(secs),
            });
        }
        Ok(())
    }

    /// The photo the owner already has with these bytes: from before, or earlier in
    /// this request.
    async fn duplicate(&self, s: &Stored) -> Result<Option<String>, LumenError> {
        let here = self
            .stored
            .iter()
            .find(|e| e.duplicate_of.is_none() && e.sha256 == s.sha256);
        if let Some(e) = here {
            return Ok(Some(e.id.clone()));
        }
        Ok(self
            .p
            .photos
            .owned_with_sha256(&self.owner.id, &s.sha256)
            .await?)
    }

    /// A duplicate's object goes again at once, and it does not count as an upload.
    async fn keep_only_the_first(&mut self, s: &Stored) {
        if let Err(e) = self.p.blobs.delete(&s.key).await {
            leptos::logging::warn!("orphaned object {}: {e}", s.key);
        }
        let (start, _) = self.window;
        match self.p.limits.release(&self.bucket, start, 1).await {
            Ok(()) => self.reserved -= 1,
            Err(e) => leptos::logging::warn!("upload count not given back: {e}"),
        }
    }

    /// Rows and jobs for every stored original, in upload order; a duplicate answers
    /// with the photo the person already has.
    async fn commit(mut self) -> Result<Vec<UploadedPhoto>, LumenError> {
        let mut out = Vec::with_capacity(self.stored.len());
        for i in 0..self.stored.len() {
            let s = &self.stored[i];
            if let Some(id) = &s.duplicate_of {
                out.push(UploadedPhoto {
                    url: format!("/p/{id}"),
                    id: id.clone(),
                    duplicate: true,
                });
                continue;
            }
            let id = s.id.clone();
            let mut row = PhotoRow::pending(
                &id,
                &self.owner.id,
                &s.title,
                s.mime,
                s.bytes,
                self.p.clock.now_ms(),
            );
            row.sha256 = Some(s.sha256.clone());
            row.visibility = self.owner.default_visibility;
            row.watermark = self.owner.watermark;
            match self.p.photos.insert_pending(&row).await {
                Ok(()) => {}
                // The same file won a race with this one (migration 0016): the lookup
                // missed it, the unique index did not.
                Err(PortError::Conflict) => {
                    let sha256 = s.sha256.clone();
                    let first = self
                        .p
                        .photos
                        .owned_with_sha256(&self.owner.id, &sha256)
                        .await;
                    let Ok(Some(first)) = first else {
                        self.undo(i).await;
                        return Err(LumenError::Unavailable);
                    };
                    let dup = self.stored.remove(i);
                    self.keep_only_the_first(&dup).await;
                    self.stored.insert(
                        i,
                        Stored {
                            duplicate_of: Some(first.clone()),
                            ..dup
                        },
                    );
                    out.push(UploadedPhoto {
                        url: format!("/p/{first}"),
                        id: first,
                        duplicate: true,
                    });
                    continue;
                }
                Err(e) => {
                    self.undo(i).await;
                    return Err(e.into());
                }
            }
            self.reserved -= 1;
            // The row exists from here on: a lost message is only a delay (see the top).
            let job = MediaJob::ProcessV1 {
                photo_id: id.clone(),
            };
            if let Err(e) = self.p.jobs.send(&job).await {
                self.undo(i + 1).await;
                return Err(e.into());
            }
            out.push(UploadedPhoto {
                url: format!("/p/{id}"),
                id,
                duplicate: false,
            });
        }
        Ok(out)
    }

    /// Deletes the originals from `from` on (those without a row) and gives back the
    /// hourly count reserved for them. Best effort: a leftover object is only an orphan.
    async fn undo(&mut self, from: usize) {
        for s in self.stored.drain(from..) {
            if s.duplicate_of.is_some() {
                continue;
            }
            if let Err(e) = self.p.blobs.delete(&s.key).await {
                leptos::logging::warn!("orphaned object {}: {e}", s.key);
            }
        }
        if self.reserved > 0 {
            let (start, _) = self.window;
            match self
                .p
                .limits
                .release(&self.bucket, start, self.reserved)
                .await
            {
                Ok(()) => self.reserved = 0,
                Err(e) => leptos::logging::warn!("upload count not given back: {e}"),
            }
        }
    }
}

/// Where the plain form goes once the upload is done: one photo's page (in its album),
/// several photos' album, or the feed; but if some files were already there, the upload
/// page again, saying so with links (`crate::pages::upload` reads the query).
pub fn form_destination(photos: &[UploadedPhoto], album: Option<&str>) -> String {
    let already: Vec<&str> = photos
        .iter()
        .filter(|p| p.duplicate)
        .map(|p| p.id.as_str())
        .collect();
    if !already.is_empty() {
        let uploaded = photos.len() - already.len();
        return format!("/upload?uploaded={uploaded}&already={}", already.join(","));
    }
    match (photos, album) {
        ([one], Some(a)) => format!("{}?album={a}", one.url),
        ([one], None) => one.url.clone(),
        (_, Some(a)) => format!("/a/{a}"),
        (_, None) => "/".into(),
    }
}

pub(crate) fn upload_bucket(owner_id: &str) -> String {
    format!("uploads:{owner_id}")
}

/// The hourly upload quota counts per clock hour.
pub(crate) const HOUR_MS: i64 = 3600 * 1000;

pub(crate) fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

pub(crate) fn display_name(name: &str) -> String {
    let n: String = name.chars().filter(|c| !c.is_control()).take(80).collect();
    if n.trim().is_empty() {
        "The file".into()
    } else {
        format!("“{}”", n.trim())
    }
}

/// A readable title from a file name: no extension, separators as spaces. Browsers send
/// the bare name, so a `/` in it is part of the name (`2024/06 trip.jpg`); only an old
/// client's Windows path (`C:\pics\cat.png`) is cut to its last part.
pub fn title_from_name(name: &str) -> String {
    let windows_path = name.get(1..3) == Some(":\\");
    let base = if windows_path {
        name.rsplit('\\').next().unwrap_or(name)
    } else {
        name
    };
    let stem = match base.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s,
        _ => base,
    }
    .trim_start_matches('.');
    let spaced: String = stem
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .take(100)
        .collect();
    let t = crate::text::clean(&spaced, false)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if crate::text::is_blank(&t) {
        "Untitled".into()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::*;
    use crate::model::PhotoStatus;
    use crate::model::Visibility;
    use crate::ssr::fakes::{block_on, fake_platform, png_bytes, user_row};

    /// An upload's files as they would arrive, in chunks of `chunk` bytes. With `yields`,
    /// every read first yields to the executor, so concurrent uploads interleave.
    struct Files {
        files: VecDeque<(String, Vec<u8>)>,
        current: VecDeque<Bytes>,
        chunk: usize,
        yields: bool,
    }

    fn files(list: Vec<(&str, Vec<u8>)>) -> Files {
        Files {
            files: list.into_iter().map(|(n, b)| (n.to_string(), b)).collect(),
            current: VecDeque::new(),
            chunk: 64 * 1024,
            yields: false,
        }
    }

    /// Pending once, then ready: lets every other future in a `join_all` run.
    struct YieldNow(bool);
    impl Future for YieldNow {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                return Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    #[async_trait]
    impl IncomingFiles for Files {
        async fn next_file(&mut self) -> Result<Option<String>, LumenError> {
            if self.yields {
                YieldNow(false).await;
            }
            let Some((name, bytes)) = self.files.pop_front() else {
                return Ok(None);
            };
            self.current = bytes
                .chunks(self.chunk)
                .map(Bytes::copy_from_slice)
                .collect();
            Ok(Some(name))
        }
        async fn chunk(&mut self) -> Result<Option<Bytes>, LumenError> {
            if self.yields {
                YieldNow(false).await;
            }
            Ok(self.current.pop_front())
        }
    }

    fn owner() -> UserRow {
        let mut owner = user_row("u1", "ada");
        owner.default_visibility = Visibility::Unlisted;
        owner.watermark = true;
        owner
    }

    fn upload(p: &Platform, mut f: Files) -> Result<Vec<UploadedPhoto>, LumenError> {
        block_on(super::upload(p, &owner(), &mut f))
    }

    /// A small PNG whose bytes differ by name (the name trails the image), so that
    /// different names are different files to the duplicate check.
    fn png(name: &str) -> (&str, Vec<u8>) {
        let mut b = png_bytes(8, 6);
        b.extend_from_slice(name.as_bytes());
        (name, b)
    }

    /// A file `media::sniff` takes for a PNG, `len` bytes long.
    fn big_png(len: usize) -> Vec<u8> {
        let mut b = png_bytes(8, 6);
        b.extend((0..len - b.len()).map(|i| (i * 31 % 251) as u8));
        b
    }

    /// This hour's upload count for `u1`.
    fn counted(p: &Platform) -> u32 {
        let (start, _) = window(p, HOUR_MS);
        block_on(p.limits.hit("uploads:u1", start, 0)).unwrap()
    }

    #[test]
    fn quotas_refuse_before_storing() {
        let (mut p, mem) = fake_platform();
        p.quotas.uploads_per_hour = 2;
        let first = upload(&p, files(vec![png("a.png")])).unwrap();
        let e = upload(&p, files(vec![png("b.png"), png("c.png")])).unwrap_err();
        assert_eq!(e.status(), 429);
        assert!(
            e.to_string()
                .contains("2 photos an hour and have uploaded 1 this hour"),
            "{e}"
        );
        assert_eq!(mem.photo_count(), 1, "nothing more stored");
        assert_eq!(
            mem.blobs.len(),
            1,
            "the refused request's first file was removed"
        );
        // Refusals do not count: the one upload left can still be used...
        let second = upload(&p, files(vec![png("b.png")])).unwrap();
        // ...and deleting does not give the allowance back.
        mem.remove(&first[0].id);
        mem.remove(&second[0].id);
        assert_eq!(
            upload(&p, files(vec![png("c.png")])).unwrap_err().status(),
            429
        );
        assert_eq!(counted(&p), 2);
        // An hour later the window has moved on.
        mem.advance(3600 * 1000);
        upload(&p, files(vec![png("b.png")])).unwrap();

        p.quotas.uploads_per_hour = 100;
        // Room for exactly the one photo stored now (the first two rows are gone).
        p.quotas.stored_bytes = png("d.png").1.len() as u64;
        let e = upload(&p, files(vec![png("d.png")])).unwrap_err();
        assert_eq!(e.status(), 413);
        assert!(e.to_string().contains("storage is full"), "{e}");
        assert_eq!(mem.photo_count(), 1);
        assert_eq!(counted(&p), 1, "the refused file's count was given back");
    }

    #[test]
    fn titles_from_names() {
        assert_eq!(title_from_name("IMG_0042.JPG"), "IMG 0042");
        assert_eq!(title_from_name("C:\\pics\\my-cat.png"), "my cat");
        assert_eq!(title_from_name(".hidden"), "hidden");
        assert_eq!(title_from_name(""), "Untitled");
        assert_eq!(title_from_name("a\u{0}b.jpg"), "ab");
        assert_eq!(title_from_name("2024/06 trip.jpg"), "2024/06 trip");
        assert_eq!(title_from_name("photo\u{202E}gnp.exe.png"), "photognp.exe");
        assert_eq!(title_from_name("\u{200b}\u{3164}.png"), "Untitled");
    }

    #[test]
    fn stores_original_row_and_job_per_file() {
        let (p, mem) = fake_platform();
        let f = files(vec![("a.png", png_bytes(8, 6)), ("b.png", png_bytes(4, 4))]);
        let out = upload(&p, f).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(mem.blobs.len(), 2);
        assert_eq!(mem.jobs.len(), 2);
        let row = mem.photo(&out[0].id).unwrap();
        assert_eq!(row.status, PhotoStatus::Pending);
        assert_eq!(row.title, "a");
        assert_eq!(row.content_type, "image/png");
        assert_eq!(row.bytes, png_bytes(8, 6).len() as u64);
        assert_eq!(row.visibility, Visibility::Unlisted, "the owner's default");
        assert!(row.watermark);
        let key = keys::original("u1", &out[0].id);
        assert_eq!(mem.blobs.get(&key), Some(png_bytes(8, 6)));
        assert_eq!(mem.blobs.parts_of(&key), None, "a small file is one put");
        assert_eq!(counted(&p), 2);
    }

    #[test]
    fn a_file_larger_than_a_part_is_written_in_parts() {
        let (p, mem) = fake_platform();
        let bytes = big_png(2 * PART_BYTES + 12345);
        // Chunks that do not divide the part size, as a network delivers them.
        let mut f = files(vec![("big.png", bytes.clone()), png("small.png")]);
        f.chunk = 100_003;
        let out = upload(&p, f).unwrap();
        let key = keys::original("u1", &out[0].id);
        assert!(mem.blobs.get(&key) == Some(bytes), "byte-identical");
        assert_eq!(
            mem.blobs.parts_of(&key),
            Some(vec![PART_BYTES, PART_BYTES, 12345])
        );
        assert_eq!(mem.blobs.open_uploads(), 0);
        assert_eq!(
            mem.photo(&out[0].id).unwrap().bytes,
            2 * PART_BYTES as u64 + 12345
        );
        // Exactly one part's worth needs no empty last part.
        let out = upload(&p, files(vec![("one.png", big_png(PART_BYTES))])).unwrap();
        let key = keys::original("u1", &out[0].id);
        assert_eq!(mem.blobs.parts_of(&key), Some(vec![PART_BYTES]));
    }

    #[test]
    fn one_bad_file_stores_nothing() {
        let (p, mem) = fake_platform();
        for bad in [
            ("notes.txt", b"hello".to_vec(), 422, "notes.txt"),
            ("empty.png", Vec::new(), 422, "is empty"),
        ] {
            // The first file is large enough to be written in parts before the bad one arrives.
            let f = files(vec![
                ("big.png", big_png(PART_BYTES + 1)),
                png("a.png"),
                (bad.0, bad.1),
            ]);
            let err = upload(&p, f).unwrap_err();
            assert_eq!(err.status(), bad.2);
            assert!(err.to_string().contains(bad.3), "{err}");
            assert_eq!(
                (mem.blobs.len(), mem.jobs.len(), mem.photo_count()),
                (0, 0, 0)
            );
            assert_eq!(mem.blobs.open_uploads(), 0);
            assert_eq!(counted(&p), 0, "refused files do not count");
        }
    }

    #[test]
    fn a_file_over_the_limit_is_aborted_mid_stream() {
        let (p, mem) = fake_platform();
        let f = files(vec![
            png("a.png"),
            ("huge.png", big_png(MAX_FILE_BYTES as usize + 1)),
        ]);
        let err = upload(&p, f).unwrap_err();
        assert_eq!(err.status(), 422);
        assert_eq!(
            err.to_string(),
            format!(
                "photos: “huge.png” is larger than {} MB.",
                MAX_FILE_BYTES >> 20
            )
        );
        assert_eq!((mem.blobs.len(), mem.photo_count()), (0, 0));
        assert_eq!(
            mem.blobs.open_uploads(),
            0,
            "the multipart write was aborted"
        );
        assert_eq!(counted(&p), 0);
        // Exactly at the limit is fine.
        let f = files(vec![("max.png", big_png(MAX_FILE_BYTES as usize))]);
        assert_eq!(upload(&p, f).unwrap().len(), 1);
    }

    #[test]
    fn concurrent_uploads_never_overshoot_the_hourly_quota() {
        let (mut p, mem) = fake_platform();
        p.quotas.uploads_per_hour = 15;
        let owner = owner();
        let uploads = (0..10).map(|i| {
            let p = p.clone();
            let owner = owner.clone();
            async move {
                let mut f = files(vec![
                    ("a.png", png_bytes(8, 6 + i)),
                    ("b.png", png_bytes(9, 6 + i)),
                ]);
                f.yields = true;
                super::upload(&p, &owner, &mut f).await
            }
        });
        let results = block_on(futures::future::join_all(uploads));
        let accepted: usize = results.iter().flatten().map(Vec::len).sum();
        let refused = results.iter().filter(|r| r.is_err()).count();
        assert!(accepted <= 15, "{accepted} accepted");
        assert!(refused > 0);
        for e in results.iter().filter_map(|r| r.as_ref().err()) {
            assert_eq!(e.status(), 429, "{e}");
        }
        assert_eq!(mem.photo_count(), accepted);
        assert_eq!(mem.blobs.len(), accepted, "refused requests left no object");
        assert_eq!(
            counted(&p),
            accepted as u32,
            "refusals gave their count back"
        );
    }

    #[test]
    fn empty_upload_is_refused() {
        let (p, mem) = fake_platform();
        let err = upload(&p, files(vec![])).unwrap_err();
        assert!(matches!(err, LumenError::Invalid { .. }));
        // A nameless empty part is what a browser sends when no file was chosen.
        let err = upload(&p, files(vec![("", Vec::new())])).unwrap_err();
        assert!(
            err.to_string().contains("Choose at least one photo"),
            "{err}"
        );
        assert_eq!(counted(&p), 0);
        assert_eq!(mem.blobs.len(), 0);
    }

    #[test]
    fn too_many_files_store_nothing() {
        let (p, mem) = fake_platform();
        let list = (0..=MAX_FILES).map(|_| png("a.png")).collect();
        let err = upload(&p, files(list)).unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
        assert_eq!((mem.blobs.len(), mem.photo_count(), counted(&p)), (0, 0, 0));
    }

    #[test]
    fn a_declared_length_over_the_request_limit_is_refused_unread() {
        assert_eq!(check_length(None), Ok(()));
        assert_eq!(check_length(Some(MAX_REQUEST_BYTES)), Ok(()));
        let e = check_length(Some(150_000_000)).unwrap_err();
        assert_eq!(e.status(), 413);
        assert_eq!(
            e.message(),
            format!(
                "This upload is 150 MB; one upload may be at most 100 MB, with photos of up to {} MB each. Send fewer photos at a time.",
                MAX_FILE_BYTES >> 20
            )
        );
    }

    /// A PNG header declaring `w` × `h`, with a few bytes of (fake) data after it.
    fn png_declaring(w: u32, h: u32) -> Vec<u8> {
        let mut b = png_bytes(8, 6);
        b[16..20].copy_from_slice(&w.to_be_bytes());
        b[20..24].copy_from_slice(&h.to_be_bytes());
        b
    }

    #[test]
    fn the_header_is_checked_before_anything_is_stored() {
        let (p, mem) = fake_platform();
        let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
        heic.extend(std::iter::repeat_n(7u8, 5000));
        for (name, bytes, says) in [
            (
                "huge.png",
                png_declaring(50_000, 50_000),
                "“huge.png” — this image is too large to process (50000 × 50000 pixels).",
            ),
            (
                "flood.gif",
                b"GIF89a\xff\xff\xff\xff\x00\x00\x00,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;"
                    .to_vec(),
                "65535 × 65535 pixels",
            ),
            ("IMG_0001.HEIC", heic, "Camera → Formats → Most Compatible"),
        ] {
            // After a good file, so a refusal must also take back what was stored.
            let f = files(vec![png("ok.png"), (name, bytes)]);
            let e = upload(&p, f).unwrap_err();
            assert_eq!(e.status(), 422, "{name}");
            assert!(e.message().contains(says), "{name}: {}", e.message());
            assert_eq!((mem.blobs.len(), mem.photo_count(), counted(&p)), (0, 0, 0));
        }
        // Within the limits: stored, whatever the rest of the file holds.
        assert_eq!(
            upload(&p, files(vec![("fine.png", png_declaring(6000, 4000))]))
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn a_file_the_person_has_is_not_stored_twice() {
        let (p, mem) = fake_platform();
        let first = upload(&p, files(vec![png("a.png")])).unwrap();
        assert!(!first[0].duplicate);
        let sha = mem.photo(&first[0].id).unwrap().sha256.unwrap();
        assert_eq!(sha.len(), 64, "the hash is known at upload time");
        // Again, in a batch with a new file and the new file twice.
        let out = upload(&p, files(vec![png("b.png"), png("a.png"), png("b.png")])).unwrap();
        assert_eq!(out.len(), 3);
        assert!(!out[0].duplicate);
        assert_eq!(
            (out[1].id.as_str(), out[1].duplicate),
            (first[0].id.as_str(), true)
        );
        assert_eq!(out[1].url, format!("/p/{}", first[0].id));
        assert_eq!(
            (out[2].id.as_str(), out[2].duplicate),
            (out[0].id.as_str(), true)
        );
        assert_eq!(
            (mem.photo_count(), mem.blobs.len(), mem.jobs.len()),
            (2, 2, 2)
        );
        assert_eq!(counted(&p), 2, "duplicates do not count as uploads");
        // Only duplicates: nothing stored, every answer links to what the person has.
        let out = upload(&p, files(vec![png("a.png")])).unwrap();
        assert!(out[0].duplicate);
        assert_eq!((mem.photo_count(), mem.blobs.len()), (2, 2));
        // A failed photo is still the person's (so is a trashed one: any row counts).
        block_on(p.photos.mark_failed(&first[0].id, "broken")).unwrap();
        assert_eq!(
            upload(&p, files(vec![png("a.png")])).unwrap()[0].id,
            first[0].id
        );
        // Per person: someone else may upload the same file.
        let other = user_row("u2", "bob");
        let mut f = files(vec![png("a.png")]);
        let theirs = block_on(super::upload(&p, &other, &mut f)).unwrap();
        assert!(!theirs[0].duplicate);
        assert_ne!(theirs[0].id, first[0].id);
        // Once deleted, the file is new again.
        mem.remove(&first[0].id);
        assert!(!upload(&p, files(vec![png("a.png")])).unwrap()[0].duplicate);
    }

    #[test]
    fn the_plain_form_lands_on_what_was_uploaded_or_says_what_was_there() {
        let photo = |id: &str, duplicate| UploadedPhoto {
            id: id.into(),
            url: format!("/p/{id}"),
            duplicate,
        };
        assert_eq!(form_destination(&[photo("a", false)], None), "/p/a");
        assert_eq!(
            form_destination(&[photo("a", false)], Some("al")),
            "/p/a?album=al"
        );
        let two = [photo("a", false), photo("b", false)];
        assert_eq!(form_destination(&two, Some("al")), "/a/al");
        assert_eq!(form_destination(&two, None), "/");
        let some = [photo("a", false), photo("x", true), photo("y", true)];
        assert_eq!(
            form_destination(&some, Some("al")),
            "/upload?uploaded=1&already=x,y"
        );
    }
}
