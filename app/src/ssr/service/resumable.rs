//! Resumable uploads: a large file goes up in parts over several requests, through an R2
//! multipart upload whose id and acknowledged parts are kept in D1 (`UploadRepo`). After a
//! dropped connection or a reload the uploader asks which parts arrived and sends only
//! the rest. Each part streams into R2 (never whole in memory); the first part's header
//! is checked against the pipeline's limits before it is stored, and a refusal aborts
//! the whole upload. Completing makes the object, the photo row and the job, in that
//! order, as an ordinary upload does. Uploads left for a day are aborted by the cron.
//!
//! Duplicates: a whole-file SHA-256 cannot be streamed across requests here, so the
//! browser's digest (SubtleCrypto) is only a hint for "already uploaded" among the
//! person's own photos; the media job records the digest of the bytes actually stored.

use async_trait::async_trait;

use crate::error::LumenError;
use crate::model::{ReceivedPart, ResumableUpload, UploadedPhoto};
use crate::ssr::access::{self, AlbumAction};
use crate::ssr::auth::Session;
use crate::ssr::keys;
use crate::ssr::limits::{self, Limit};
use crate::ssr::platform::Processing;
use crate::ssr::ports::{BlobReader, MediaJob, PartRow, PhotoRow, PortError, PortResult};
use crate::ssr::ports::{UploadRow, UserRow};
use crate::ssr::service::albums;
use crate::ssr::service::upload::{
    display_name, header_refusal, mb, title_from_name, upload_bucket, HEAD_BYTES, HOUR_MS,
    MAX_FILE_BYTES,
};
use crate::ssr::Platform;

/// Parts are this long (the last is the rest): R2 wants at least 5 MiB and equal parts;
/// a drop loses at most one part's bytes.
pub const PART_BYTES: u64 = 8 * 1024 * 1024;
/// The largest file the resumable path accepts. The media service holds an original in
/// memory while it renders (with the 40 MB decode budget), a job per core: 256 MiB keeps
/// two jobs within 1 GB. R2 itself would take far more.
pub const MAX_RESUMABLE_BYTES: u64 = 256 * 1024 * 1024;
/// Uploads one person may have open at once, so nobody piles up R2 uploads.
pub const MAX_OPEN: u32 = 10;
/// An upload untouched this long is abandoned: the cron aborts it.
pub const ABANDONED_AFTER_MS: i64 = 24 * 3600 * 1000;
/// The cron's page, and how many pages one run walks.
const SWEEP_PAGE: u32 = 50;
const SWEEP_PAGES: u32 = 10;
/// The formats Lumen reads, as the browser may declare them.
const MIMES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];
/// File names longer than this are cut (they only make the title).
const MAX_NAME_CHARS: usize = 255;

/// What the browser says about the file it is about to send.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct NewUpload {
    pub name: String,
    pub size: u64,
    #[serde(rename = "type", default)]
    pub mime: String,
    /// Lower-case hex SHA-256 the browser computed, if it did.
    #[serde(default)]
    pub sha256: Option<String>,
    /// The album the upload page chose (`into_album` checks it).
    #[serde(default)]
    pub album: Option<String>,
}

/// The largest file this deployment takes through the JS uploader: with the media service
/// a resumable upload's cap, else what the Worker can process (the plain path's).
pub fn largest_file(p: &Platform) -> u64 {
    match p.processing {
        Processing::Service(_) => MAX_RESUMABLE_BYTES,
        _ => MAX_FILE_BYTES,
    }
}

/// A new upload, or the photo the person already has with that digest.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    Upload(ResumableUpload),
    Duplicate(UploadedPhoto),
}

pub async fn create(p: &Platform, owner: &UserRow, new: &NewUpload) -> Result<Created, LumenError> {
    let name: String = new.name.chars().take(MAX_NAME_CHARS).collect();
    if new.size == 0 {
        return Err(LumenError::invalid(
            "photos",
            format!("{} is empty.", display_name(&name)),
        ));
    }
    if new.size > MAX_RESUMABLE_BYTES {
        return Err(too_large(&name, MAX_RESUMABLE_BYTES));
    }
    if !matches!(p.processing, Processing::Service(_)) && new.size > MAX_FILE_BYTES {
        return Err(LumenError::Quota {
            reason: format!(
                "{} is larger than {} MB, too large to process on the Worker; \
                 configure the media service to accept it.",
                display_name(&name),
                MAX_FILE_BYTES >> 20
            ),
            retry_after_secs: None,
        });
    }
    let Some(mime) = MIMES.iter().find(|m| **m == new.mime) else {
        return Err(not_an_image(&name));
    };
    let hint = match new.sha256.as_deref() {
        None | Some("") => None,
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(h.to_ascii_lowercase())
        }
        Some(_) => {
            return Err(LumenError::BadRequest {
                reason: "sha256 must be 64 hex digits.".into(),
            })
        }
    };
    if let Some(h) = &hint {
        if let Some(id) = p.photos.owned_with_sha256(&owner.id, h).await? {
            return Ok(Created::Duplicate(UploadedPhoto {
                url: format!("/p/{id}"),
                id,
                duplicate: true,
            }));
        }
    }
    check_storage(p, owner, new.size).await?;
    let (start, secs) = limits::window(p, HOUR_MS);
    let used = p.limits.hit(&upload_bucket(&owner.id), start, 0).await?;
    if used >= p.quotas.uploads_per_hour {
        return Err(hourly(p.quotas.uploads_per_hour, used, secs));
    }
    if p.uploads.open_count(&owner.id).await? >= MAX_OPEN {
        return Err(LumenError::Quota {
            reason: format!(
                "You have {MAX_OPEN} uploads unfinished; finish or cancel one first \
                 (unfinished uploads are dropped after a day)."
            ),
            retry_after_secs: Some(60),
        });
    }
    let id = p.ids.new_id()?;
    let key = keys::original(&owner.id, &id);
    let r2_upload_id = p.blobs.create_upload(&key, mime).await?;
    let row = UploadRow {
        id: id.clone(),
        owner_id: owner.id.clone(),
        r2_upload_id,
        name,
        mime: (*mime).to_string(),
        size: new.size,
        part_bytes: PART_BYTES,
        sha256_hint: hint,
        created_at: p.clock.now_ms(),
    };
    if let Err(e) = p.uploads.insert(&row).await {
        abort_quietly(p, &row).await;
        return Err(e.into());
    }
    Ok(Created::Upload(state(&row, Vec::new())))
}

/// Which parts of the upload arrived.
pub async fn status(
    p: &Platform,
    owner: &UserRow,
    id: &str,
) -> Result<ResumableUpload, LumenError> {
    let row = mine(p, owner, id).await?;
    let parts = p.uploads.parts(id).await?;
    Ok(state(&row, parts))
}

/// Streams one part into R2 and records it. Part 1's header is read first and checked
/// against the pipeline's limits: a refusal aborts the whole upload (422), nothing kept.
pub async fn put_part(
    p: &Platform,
    owner: &UserRow,
    id: &str,
    number: u32,
    body: Box<dyn BlobReader>,
) -> Result<ReceivedPart, LumenError> {
    let row = mine(p, owner, id).await?;
    let count = part_count(&row);
    let Some(n) = u16::try_from(number)
        .ok()
        .filter(|n| (1..=count).contains(n))
    else {
        return Err(LumenError::BadRequest {
            reason: format!("This upload has parts 1 to {count}."),
        });
    };
    let want = part_size(&row, n);
    if body.size() != want {
        return Err(LumenError::BadRequest {
            reason: format!("Part {n} must be {want} bytes."),
        });
    }
    let mut body = Exact { body, left: want };
    let head = if n == 1 {
        let head = read_head(&mut body).await?;
        if let Err(e) = probe(&head, &row) {
            abort_quietly(p, &row).await;
            p.uploads.delete(&row.id).await?;
            return Err(e);
        }
        head
    } else {
        Vec::new()
    };
    let key = keys::original(&row.owner_id, &row.id);
    let stream = Box::new(Prefixed {
        head: (!head.is_empty()).then_some(head),
        size: want,
        rest: body,
    });
    let etag = p
        .blobs
        .upload_part(&key, &row.r2_upload_id, n, stream)
        .await?;
    let part = PartRow {
        number: n,
        etag,
        size: want,
    };
    p.uploads.put_part(&row.id, &part).await?;
    Ok(ReceivedPart {
        number: n,
        size: want,
    })
}

/// Every part arrived: the object is made, then the photo row and its job, as an
/// ordinary upload (`service::upload`) does them.
pub async fn complete(
    p: &Platform,
    owner: &UserRow,
    id: &str,
) -> Result<UploadedPhoto, LumenError> {
    let row = mine(p, owner, id).await?;
    let parts = p.uploads.parts(id).await?;
    let missing: Vec<String> = (1..=part_count(&row))
        .filter(|n| {
            !parts
                .iter()
                .any(|x| x.number == *n && x.size == part_size(&row, *n))
        })
        .map(|n| n.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(LumenError::BadRequest {
            reason: format!("Parts not received yet: {}.", missing.join(", ")),
        });
    }
    check_storage(p, owner, row.size).await?;
    let limit = Limit {
        max: p.quotas.uploads_per_hour,
        window_ms: HOUR_MS,
    };
    let bucket = upload_bucket(&owner.id);
    let reserved = match limits::reserve(p, &bucket, limit, 1).await? {
        Ok(r) => r,
        Err(over) => return Err(hourly(limit.max, over.used, over.retry_after_secs)),
    };
    let key = keys::original(&row.owner_id, &row.id);
    let numbered: Vec<(u16, String)> = parts.iter().map(|x| (x.number, x.etag.clone())).collect();
    if let Err(e) = p
        .blobs
        .complete_upload(&key, &row.r2_upload_id, &numbered)
        .await
    {
        limits::release(p, reserved).await?;
        return Err(e.into());
    }
    let mut photo = PhotoRow::pending(
        &row.id,
        &owner.id,
        &title_from_name(&row.name),
        &row.mime,
        row.size,
        p.clock.now_ms(),
    );
    photo.visibility = owner.default_visibility;
    photo.watermark = owner.watermark;
    if let Err(e) = p.photos.insert_pending(&photo).await {
        // The object has no row: gone again, and the upload with it (start over).
        if let Err(d) = p.blobs.delete(&key).await {
            leptos::logging::warn!("orphaned object {key}: {d}");
        }
        p.uploads.delete(&row.id).await?;
        limits::release(p, reserved).await?;
        return Err(e.into());
    }
    // The row stands for the count from here on, and the upload is done.
    if let Err(e) = p.uploads.delete(&row.id).await {
        leptos::logging::warn!("finished upload {} still listed: {e}", row.id);
    }
    // A lost message is only a delay: the cron re-sends stale pending jobs.
    if let Err(e) = p
        .jobs
        .send(&MediaJob::ProcessV1 {
            photo_id: row.id.clone(),
        })
        .await
    {
        leptos::logging::warn!("job for {} not sent (the cron will): {e}", row.id);
    }
    Ok(UploadedPhoto {
        url: format!("/p/{}", row.id),
        id: row.id,
        duplicate: false,
    })
}

/// Cancels the upload: R2 drops its parts, D1 its rows.
pub async fn abort(p: &Platform, owner: &UserRow, id: &str) -> Result<(), LumenError> {
    let row = mine(p, owner, id).await?;
    p.blobs
        .abort_upload(&keys::original(&row.owner_id, &row.id), &row.r2_upload_id)
        .await?;
    p.uploads.delete(&row.id).await?;
    Ok(())
}

/// The cron: aborts uploads started more than a day before `now_ms`, a page at a time.
/// R2 is asked first; if it fails the row goes anyway (R2 itself aborts multipart uploads
/// left for seven days). Returns how many were dropped.
pub async fn sweep(p: &Platform, now_ms: i64) -> Result<u32, LumenError> {
    let before = now_ms - ABANDONED_AFTER_MS;
    let mut dropped = 0;
    for _ in 0..SWEEP_PAGES {
        let page = p.uploads.stale(before, SWEEP_PAGE).await?;
        for row in &page {
            abort_quietly(p, row).await;
            if p.uploads.delete(&row.id).await? {
                dropped += 1;
            }
        }
        if page.len() < SWEEP_PAGE as usize {
            break;
        }
    }
    Ok(dropped)
}

/// The album a resumable upload goes into, checked as the plain path checks it: one the
/// person may edit (their own); anyone else's answers 404 before anything is stored.
pub async fn into_album(
    p: &Platform,
    s: &Session,
    album: Option<&str>,
) -> Result<Option<String>, LumenError> {
    match album.filter(|a| !a.is_empty()) {
        Some(a) => {
            albums::allowed(p, Some(s), a, AlbumAction::Edit).await?;
            Ok(Some(a.to_string()))
        }
        None => Ok(None),
    }
}

/// `complete`, into the album the upload page chose: checked first, so a refused album
/// leaves the upload open and stores no photo; the photo joins it once stored.
pub async fn complete_into(
    p: &Platform,
    s: &Session,
    id: &str,
    album: Option<&str>,
) -> Result<UploadedPhoto, LumenError> {
    let album = into_album(p, s, album).await?;
    let photo = complete(p, &s.user, id).await?;
    if let Some(a) = album {
        albums::add(p, s, &a, std::slice::from_ref(&photo.id)).await?;
    }
    Ok(photo)
}

/// The upload, if it is `owner`'s; anyone else gets what a made-up id gets.
async fn mine(p: &Platform, owner: &UserRow, id: &str) -> Result<UploadRow, LumenError> {
    if id.is_empty() || id.len() > 64 {
        return Err(LumenError::NotFound);
    }
    let row = p.uploads.get(id).await?.ok_or(LumenError::NotFound)?;
    access::check_upload(&owner.id, &row)?;
    Ok(row)
}

async fn abort_quietly(p: &Platform, row: &UploadRow) {
    let key = keys::original(&row.owner_id, &row.id);
    if let Err(e) = p.blobs.abort_upload(&key, &row.r2_upload_id).await {
        leptos::logging::warn!("multipart upload of {key} not aborted: {e}");
    }
}

fn state(row: &UploadRow, parts: Vec<PartRow>) -> ResumableUpload {
    ResumableUpload {
        id: row.id.clone(),
        size: row.size,
        part_bytes: row.part_bytes,
        parts: parts
            .into_iter()
            .map(|x| ReceivedPart {
                number: x.number,
                size: x.size,
            })
            .collect(),
    }
}

/// How many parts the upload has (at least one; at most R2's 10 000 within the limits).
pub fn part_count(row: &UploadRow) -> u16 {
    u16::try_from(row.size.div_ceil(row.part_bytes.max(1)).max(1)).unwrap_or(u16::MAX)
}

/// Part `n`'s exact length: `part_bytes`, the last one the rest.
pub fn part_size(row: &UploadRow, n: u16) -> u64 {
    let before = u64::from(n.saturating_sub(1)) * row.part_bytes;
    row.size.saturating_sub(before).min(row.part_bytes)
}

async fn check_storage(p: &Platform, owner: &UserRow, size: u64) -> Result<(), LumenError> {
    let used = p.photos.stored_bytes(&owner.id).await?;
    let limit = p.quotas.stored_bytes;
    if used + size > limit {
        return Err(LumenError::Quota {
            reason: format!(
                "Your storage is full: {} of {} used. Delete some photos to upload more.",
                mb(used),
                mb(limit)
            ),
            retry_after_secs: None,
        });
    }
    Ok(())
}

fn hourly(max: u32, used: u32, secs: u32) -> LumenError {
    LumenError::Quota {
        reason: format!(
            "You can upload {max} photos an hour and have uploaded {used} this hour; try again in {} min.",
            secs.div_ceil(60)
        ),
        retry_after_secs: Some(secs),
    }
}

fn too_large(name: &str, max: u64) -> LumenError {
    LumenError::Quota {
        reason: format!(
            "{} is larger than {} MB, the largest file Lumen accepts.",
            display_name(name),
            max >> 20
        ),
        retry_after_secs: None,
    }
}

fn not_an_image(name: &str) -> LumenError {
    LumenError::invalid(
        "photos",
        format!(
            "{} is not a supported image (JPEG, PNG, WebP or GIF).",
            display_name(name)
        ),
    )
}

/// Part 1's first bytes, enough for the header (at most about `HEAD_BYTES`).
async fn read_head(body: &mut Exact) -> Result<Vec<u8>, LumenError> {
    let mut head = Vec::new();
    while head.len() < HEAD_BYTES {
        match body.chunk().await? {
            Some(c) => head.extend_from_slice(&c),
            None => break,
        }
        if let Ok(Some(_)) = media::read_header(&head, &media::Spec::default()) {
            break;
        }
    }
    Ok(head)
}

/// The header against the pipeline's limits, and the format against the one declared.
fn probe(head: &[u8], row: &UploadRow) -> Result<(), LumenError> {
    match media::read_header(head, &media::Spec::default()) {
        Ok(_) | Err(media::MediaError::Unsupported) => {}
        Err(e) => {
            return Err(LumenError::invalid(
                "photos",
                format!("{} {}", display_name(&row.name), header_refusal(&e)),
            ))
        }
    }
    match media::sniff(head) {
        Some(f) if f.mime() == row.mime => Ok(()),
        _ => Err(not_an_image(&row.name)),
    }
}

/// The part's body, held to its declared length: a byte more is refused (the store's
/// own fixed-length stream refuses a byte less).
struct Exact {
    body: Box<dyn BlobReader>,
    left: u64,
}

impl Exact {
    async fn chunk(&mut self) -> PortResult<Option<Vec<u8>>> {
        let c = self.body.chunk().await?;
        if let Some(c) = &c {
            self.left = self
                .left
                .checked_sub(c.len() as u64)
                .ok_or_else(|| PortError::Unavailable("part body longer than declared".into()))?;
        }
        Ok(c)
    }
}

/// Part 1 again: the head already read, then the rest as it streams.
struct Prefixed {
    head: Option<Vec<u8>>,
    size: u64,
    rest: Exact,
}

#[async_trait]
impl BlobReader for Prefixed {
    fn size(&self) -> u64 {
        self.size
    }

    async fn chunk(&mut self) -> PortResult<Option<Vec<u8>>> {
        match self.head.take() {
            Some(h) => Ok(Some(h)),
            None => self.rest.chunk().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ssr::fakes::uploads::MemResumable;
    use crate::ssr::fakes::{block_on, fake_platform, png_bytes, user_row};
    use crate::ssr::ports::{MediaService, RenderError, Rendered};

    /// A part's body as the Worker hands it over: in chunks, declaring `declared` bytes.
    struct Body {
        bytes: Vec<u8>,
        at: usize,
        declared: u64,
    }

    #[async_trait]
    impl BlobReader for Body {
        fn size(&self) -> u64 {
            self.declared
        }
        async fn chunk(&mut self) -> PortResult<Option<Vec<u8>>> {
            let end = (self.at + 64 * 1024).min(self.bytes.len());
            if end == self.at {
                return Ok(None);
            }
            let c = self.bytes[self.at..end].to_vec();
            self.at = end;
            Ok(Some(c))
        }
    }

    fn body(bytes: &[u8]) -> Box<dyn BlobReader> {
        Box::new(Body {
            bytes: bytes.to_vec(),
            at: 0,
            declared: bytes.len() as u64,
        })
    }

    /// A file of `size` bytes that starts as a small PNG (the header is all part 1's
    /// probe reads); the rest is a pattern, so misplaced parts show.
    fn file(size: usize) -> Vec<u8> {
        let mut f = png_bytes(8, 8);
        f.extend((f.len()..size).map(|i| (i % 251) as u8));
        f.truncate(size);
        f
    }

    struct NoService;
    #[async_trait]
    impl MediaService for NoService {
        async fn render(
            &self,
            _key: &str,
            _settings: &media::wire::Settings,
        ) -> Result<Box<dyn Rendered>, RenderError> {
            Err(RenderError::Transient("not in these tests".into()))
        }
    }

    fn with_service(p: &mut Platform) {
        p.processing = Processing::Service(Arc::new(NoService));
    }

    fn new(name: &str, size: usize) -> NewUpload {
        NewUpload {
            name: name.into(),
            size: size as u64,
            mime: "image/png".into(),
            sha256: None,
            album: None,
        }
    }

    fn started(p: &Platform, owner: &UserRow, n: &NewUpload) -> ResumableUpload {
        match block_on(create(p, owner, n)) {
            Ok(Created::Upload(u)) => u,
            other => panic!("not created: {other:?}"),
        }
    }

    fn chunk_of(f: &[u8], n: u16) -> &[u8] {
        let pb = PART_BYTES as usize;
        let at = (usize::from(n) - 1) * pb;
        &f[at..(at + pb).min(f.len())]
    }

    fn send(
        p: &Platform,
        o: &UserRow,
        id: &str,
        f: &[u8],
        n: u16,
    ) -> Result<ReceivedPart, LumenError> {
        block_on(put_part(p, o, id, n.into(), body(chunk_of(f, n))))
    }

    fn r(mem: &crate::ssr::fakes::Mem) -> &MemResumable {
        &mem.resumable
    }

    #[test]
    fn parts_out_of_order_and_twice_make_the_exact_file() {
        let (mut p, mem) = fake_platform();
        with_service(&mut p);
        let ada = user_row("u1", "ada");
        let f = file(2 * PART_BYTES as usize + 12_345);
        let up = started(&p, &ada, &new("big.png", f.len()));
        assert_eq!((up.part_bytes, up.parts.len()), (PART_BYTES, 0));
        for n in [3, 1, 2, 3] {
            let got = send(&p, &ada, &up.id, &f, n).unwrap();
            assert_eq!(got.number, n);
        }
        let st = block_on(status(&p, &ada, &up.id)).unwrap();
        let numbers: Vec<u16> = st.parts.iter().map(|x| x.number).collect();
        assert_eq!(numbers, [1, 2, 3], "a part sent twice is recorded once");
        assert_eq!(st.parts[2].size, 12_345);
        let photo = block_on(complete(&p, &ada, &up.id)).unwrap();
        assert_eq!(photo.id, up.id);
        assert_eq!(mem.blobs.get(&keys::original("u1", &up.id)), Some(f));
        let row = mem.photo(&up.id).unwrap();
        assert_eq!(
            (row.title.as_str(), row.bytes),
            ("big", (2 * PART_BYTES + 12_345))
        );
        assert_eq!(mem.jobs.sent().len(), 1);
        assert_eq!((r(&mem).rows(), r(&mem).r2_open()), (0, 0));
        assert_eq!(
            block_on(status(&p, &ada, &up.id)),
            Err(LumenError::NotFound),
            "a finished upload is gone"
        );
    }

    /// The upload page's album applies to a resumable upload as to the plain path: one's
    /// own album gets the photo; someone else's is 404 at create (nothing stored) and at
    /// complete (the upload stays open, no photo).
    #[test]
    fn a_resumable_upload_lands_in_the_chosen_album_and_only_ones_own() {
        use crate::ssr::fakes::session;
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        let form = |t: &str| albums::AlbumForm {
            title: t.into(),
            description: String::new(),
            visibility: "private".into(),
            sort: "manual".into(),
        };
        let mine = block_on(albums::create(&p, &ada, &form("Mine"))).unwrap();
        let bobs = block_on(albums::create(&p, &bob, &form("Bob's"))).unwrap();
        assert_eq!(
            block_on(into_album(&p, &ada, Some(&bobs))),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(into_album(&p, &ada, Some("made-up"))),
            Err(LumenError::NotFound)
        );
        assert_eq!(block_on(into_album(&p, &ada, Some(""))), Ok(None));
        let f = file(PART_BYTES as usize + 10);
        let up = started(&p, &ada.user, &new("two.png", f.len()));
        send(&p, &ada.user, &up.id, &f, 1).unwrap();
        send(&p, &ada.user, &up.id, &f, 2).unwrap();
        let e = block_on(complete_into(&p, &ada, &up.id, Some(&bobs))).unwrap_err();
        assert_eq!(e, LumenError::NotFound);
        assert!(mem.photo(&up.id).is_none(), "no photo");
        assert_eq!(r(&mem).r2_open(), 1, "the upload stays open");
        let photo = block_on(complete_into(&p, &ada, &up.id, Some(&mine))).unwrap();
        assert_eq!(
            block_on(p.album_photos.albums_of(&photo.id)).unwrap(),
            vec![mine.clone()]
        );
    }

    #[test]
    fn a_missing_part_is_refused_at_complete_until_it_arrives() {
        let (p, mem) = fake_platform();
        let ada = user_row("u1", "ada");
        let f = file(PART_BYTES as usize + 1000);
        let up = started(&p, &ada, &new("two.png", f.len()));
        send(&p, &ada, &up.id, &f, 2).unwrap();
        let e = block_on(complete(&p, &ada, &up.id)).unwrap_err();
        assert_eq!(e.status(), 400);
        assert!(e.to_string().contains("Parts not received yet: 1."), "{e}");
        assert!(mem.photo(&up.id).is_none());
        send(&p, &ada, &up.id, &f, 1).unwrap();
        block_on(complete(&p, &ada, &up.id)).unwrap();
        assert_eq!(mem.blobs.get(&keys::original("u1", &up.id)), Some(f));
    }

    #[test]
    fn abort_drops_the_parts_and_the_rows() {
        let (p, mem) = fake_platform();
        let ada = user_row("u1", "ada");
        let f = file(PART_BYTES as usize + 10);
        let up = started(&p, &ada, &new("gone.png", f.len()));
        send(&p, &ada, &up.id, &f, 1).unwrap();
        assert_eq!(r(&mem).r2_open(), 1);
        block_on(abort(&p, &ada, &up.id)).unwrap();
        assert_eq!((r(&mem).rows(), r(&mem).r2_open()), (0, 0));
        assert_eq!(send(&p, &ada, &up.id, &f, 2), Err(LumenError::NotFound));
        assert_eq!(
            block_on(complete(&p, &ada, &up.id)),
            Err(LumenError::NotFound)
        );
        assert!(mem.blobs.is_empty());
    }

    #[test]
    fn another_persons_upload_is_not_found_and_untouched() {
        let (p, mem) = fake_platform();
        let ada = user_row("u1", "ada");
        let bob = user_row("u2", "bob");
        let f = file(PART_BYTES as usize + 10);
        let up = started(&p, &ada, &new("mine.png", f.len()));
        send(&p, &ada, &up.id, &f, 1).unwrap();
        assert_eq!(
            block_on(status(&p, &bob, &up.id)),
            Err(LumenError::NotFound)
        );
        assert_eq!(send(&p, &bob, &up.id, &f, 2), Err(LumenError::NotFound));
        assert_eq!(
            block_on(complete(&p, &bob, &up.id)),
            Err(LumenError::NotFound)
        );
        assert_eq!(block_on(abort(&p, &bob, &up.id)), Err(LumenError::NotFound));
        assert_eq!(
            block_on(status(&p, &bob, "made-up")),
            Err(LumenError::NotFound)
        );
        let st = block_on(status(&p, &ada, &up.id)).unwrap();
        assert_eq!(st.parts.len(), 1);
        assert_eq!((r(&mem).rows(), r(&mem).r2_open()), (1, 1));
    }

    #[test]
    fn part_numbers_and_sizes_out_of_range_are_refused() {
        let (p, mem) = fake_platform();
        let ada = user_row("u1", "ada");
        let f = file(PART_BYTES as usize + 10);
        let up = started(&p, &ada, &new("odd.png", f.len()));
        for n in [0u32, 3, 70_000] {
            let e = block_on(put_part(&p, &ada, &up.id, n, body(&f[..10]))).unwrap_err();
            assert_eq!(e.status(), 400, "part {n}");
        }
        // Part 1 one byte short, part 2 one byte long.
        let e = block_on(put_part(
            &p,
            &ada,
            &up.id,
            1,
            body(&f[..PART_BYTES as usize - 1]),
        ));
        assert_eq!(e.unwrap_err().status(), 400);
        let e = block_on(put_part(&p, &ada, &up.id, 2, body(&f[..11])));
        assert_eq!(e.unwrap_err().status(), 400);
        // A body longer than it declared.
        let liar = Box::new(Body {
            bytes: f[..20].to_vec(),
            at: 0,
            declared: 10,
        });
        assert!(block_on(put_part(&p, &ada, &up.id, 2, liar)).is_err());
        assert!(block_on(status(&p, &ada, &up.id)).unwrap().parts.is_empty());
        assert!(mem.blobs.is_empty());
    }

    #[test]
    fn the_first_parts_header_is_checked_and_a_refusal_aborts() {
        let (p, mem) = fake_platform();
        let ada = user_row("u1", "ada");
        // 50 000 × 50 000 pixels: refused before anything is stored.
        let mut f = png_bytes(8, 8);
        f[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        f[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        f.resize(PART_BYTES as usize + 10, 7);
        let up = started(&p, &ada, &new("huge.png", f.len()));
        let e = send(&p, &ada, &up.id, &f, 1).unwrap_err();
        assert_eq!(e.status(), 422);
        assert!(e.to_string().contains("huge.png"), "{e}");
        assert_eq!((r(&mem).rows(), r(&mem).r2_open()), (0, 0));
        // Not what it said it was: a JPEG declared, PNG bytes sent.
        let g = file(PART_BYTES as usize + 10);
        let mut n = new("x.jpg", g.len());
        n.mime = "image/jpeg".into();
        let up = started(&p, &ada, &n);
        assert_eq!(send(&p, &ada, &up.id, &g, 1).unwrap_err().status(), 422);
        assert_eq!(r(&mem).r2_open(), 0);
    }

    /// The upload page's label says what this deployment takes: the plain limit alone on
    /// the Worker, and the larger JS limit with the media service.
    #[test]
    fn the_upload_label_says_the_deployments_limit() {
        use crate::pages::upload::file_label;
        let (mut p, _) = fake_platform();
        let label = |p: &Platform| file_label(MAX_FILE_BYTES >> 20, largest_file(p) >> 20);
        assert_eq!(
            label(&p),
            "Photos (JPEG, PNG, WebP or GIF, up to 16 MB each)"
        );
        with_service(&mut p);
        assert_eq!(
            label(&p),
            "Photos (JPEG, PNG, WebP or GIF, up to 16 MB each, 256 MB with JavaScript on)"
        );
    }

    #[test]
    fn create_refuses_what_cannot_be_taken() {
        let (mut p, mem) = fake_platform();
        let ada = user_row("u1", "ada");
        let refused = |p: &Platform, n: &NewUpload| block_on(create(p, &ada, n)).unwrap_err();
        // Over the Worker's processing limit without a media service: says so.
        let e = refused(&p, &new("big.png", MAX_FILE_BYTES as usize + 1));
        assert_eq!(e.status(), 413);
        assert!(e.to_string().contains("configure the media service"), "{e}");
        with_service(&mut p);
        assert_eq!(
            refused(&p, &new("x.png", MAX_RESUMABLE_BYTES as usize + 1)).status(),
            413
        );
        assert_eq!(refused(&p, &new("x.png", 0)).status(), 422);
        let mut heic = new("x.heic", 10);
        heic.mime = "image/heic".into();
        assert_eq!(refused(&p, &heic).status(), 422);
        let mut bad = new("x.png", 10);
        bad.sha256 = Some("zz".into());
        assert_eq!(refused(&p, &bad).status(), 400);
        for _ in 0..MAX_OPEN {
            started(&p, &ada, &new("x.png", 10));
        }
        assert_eq!(refused(&p, &new("x.png", 10)).status(), 429);
        assert_eq!(r(&mem).r2_open() as u32, MAX_OPEN);
    }

    #[test]
    fn a_known_digest_answers_with_the_photo_already_there() {
        let (p, mem) = fake_platform();
        let ada = user_row("u1", "ada");
        let mut row = crate::ssr::fakes::pending_row("p1", 1);
        row.sha256 = Some("ab".repeat(32));
        mem.insert(row);
        let mut n = new("again.png", 10);
        n.sha256 = Some("AB".repeat(32));
        assert_eq!(
            block_on(create(&p, &ada, &n)),
            Ok(Created::Duplicate(UploadedPhoto {
                id: "p1".into(),
                url: "/p/p1".into(),
                duplicate: true
            }))
        );
        // Only the person's own photos: Bob with the same digest starts an upload.
        let bob = user_row("u2", "bob");
        assert!(matches!(
            block_on(create(&p, &bob, &n)),
            Ok(Created::Upload(_))
        ));
    }

    #[test]
    fn the_sweep_aborts_uploads_left_for_a_day() {
        let (p, mem) = fake_platform();
        let ada = user_row("u1", "ada");
        let old = started(&p, &ada, &new("old.png", 10));
        mem.now
            .fetch_add(ABANDONED_AFTER_MS, std::sync::atomic::Ordering::SeqCst);
        let fresh = started(&p, &ada, &new("fresh.png", 10));
        let now = p.clock.now_ms();
        assert_eq!(
            block_on(sweep(&p, now)),
            Ok(0),
            "exactly a day is not yet abandoned"
        );
        assert_eq!(block_on(sweep(&p, now + 1)), Ok(1));
        assert_eq!(
            block_on(status(&p, &ada, &old.id)),
            Err(LumenError::NotFound)
        );
        assert!(block_on(status(&p, &ada, &fresh.id)).is_ok());
        assert_eq!((r(&mem).rows(), r(&mem).r2_open()), (1, 1));
    }
}
