//! In-memory ports for native tests.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::platform::{Platform, Quotas, Stage};
use super::ports::*;
use crate::model::{AlbumSort, PhotoStatus, Visibility};

pub use futures::executor::block_on;

mod admin;
mod trash;
pub mod uploads;

/// Password, salt, iterations.
type Pbkdf2Input = (Vec<u8>, Vec<u8>, u32);

#[derive(Default)]
pub struct Mem {
    photos: Mutex<BTreeMap<String, PhotoRow>>,
    pub users: Mutex<BTreeMap<String, UserRow>>,
    pub sessions: Mutex<BTreeMap<String, SessionRow>>,
    limits: Mutex<BTreeMap<String, (i64, u32)>>,
    pub albums: Mutex<BTreeMap<String, AlbumRow>>,
    /// (album id, photo id) → (position, added at).
    pub album_photos: Mutex<BTreeMap<(String, String), (String, i64)>>,
    /// (user id, device token hash) → last used.
    pub devices: Mutex<BTreeMap<(String, String), i64>>,
    /// The fake clock; tests move it.
    pub now: AtomicI64,
    variants: Mutex<Vec<VariantRow>>,
    pub blobs: MemBlobs,
    pub jobs: MemJobs,
    next_id: AtomicU64,
    pbkdf2_memo: Mutex<BTreeMap<Pbkdf2Input, Vec<u8>>>,
    /// Makes randomness fail, as `getrandom` can on a broken platform.
    pub no_randomness: AtomicBool,
    links: Mutex<BTreeMap<String, LinkRow>>,
    /// (photo id, user id) → liked at.
    pub likes: Mutex<BTreeMap<(String, String), i64>>,
    /// photo id → the owner's switches.
    pub switches: Mutex<BTreeMap<String, Switches>>,
    pub comments: Mutex<BTreeMap<String, CommentRow>>,
    /// Issue 15: job records, the audit trail, suspensions (see `fakes/admin.rs`).
    pub admin: admin::MemAdminState,
    /// R2 keys the purge has still to remove.
    pub deletions: trash::MemDeletions,
    pub edge: MemEdge,
    /// Issue 14: resumable uploads and R2's multipart side (see `fakes/uploads.rs`).
    pub resumable: uploads::MemResumable,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Mem {
    fn newest(
        &self,
        keep: impl Fn(&PhotoRow) -> bool,
        before: Option<&Key>,
        limit: u32,
    ) -> Vec<PhotoRow> {
        let mut rows: Vec<_> = lock(&self.photos)
            .values()
            // Every listing leaves the trash out, as the SQL does.
            .filter(|r| r.trashed_at.is_none() && keep(r))
            .filter(|r| before.is_none_or(|(at, id)| (r.created_at, &r.id) < (*at, id)))
            .cloned()
            .collect();
        rows.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        rows.truncate(limit as usize);
        rows
    }
    pub fn user(&self, id: &str) -> Option<UserRow> {
        lock(&self.users).get(id).cloned()
    }
    fn randomness(&self) -> PortResult<()> {
        if self.no_randomness.load(Ordering::SeqCst) {
            return Err(PortError::Unavailable("getrandom: no entropy".into()));
        }
        Ok(())
    }
    pub fn advance(&self, ms: i64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }
    pub fn insert(&self, row: PhotoRow) {
        lock(&self.photos).insert(row.id.clone(), row);
    }
    pub fn photo(&self, id: &str) -> Option<PhotoRow> {
        lock(&self.photos).get(id).cloned()
    }
    pub fn remove(&self, id: &str) {
        lock(&self.photos).remove(id);
    }
    pub fn photo_count(&self) -> usize {
        lock(&self.photos).len()
    }
    pub fn variants_of(&self, id: &str) -> Vec<VariantRow> {
        let mut v: Vec<_> = lock(&self.variants)
            .iter()
            .filter(|v| v.photo_id == id)
            .cloned()
            .collect();
        v.sort_by_key(|v| v.width);
        v
    }
    pub fn add_variant(&self, id: &str, width: u32) {
        lock(&self.variants).push(VariantRow {
            photo_id: id.into(),
            width,
            height: width,
            mime: "image/jpeg".into(),
            r2_key: super::keys::variant(id, "r", width, "jpg"),
            bytes: 1,
        });
    }
    pub fn put_blob(&self, key: &str, bytes: Vec<u8>) {
        lock(&self.blobs.map).insert(key.into(), bytes);
    }
    pub fn link(&self, id: &str) -> Option<LinkRow> {
        lock(&self.links).get(id).cloned()
    }
    pub fn remove_link(&self, id: &str) {
        lock(&self.links).remove(id);
    }
    pub fn fail_blobs(&self, on: bool) {
        self.blobs.down.store(on, Ordering::SeqCst);
    }
}

#[derive(Default)]
pub struct MemBlobs {
    map: Mutex<BTreeMap<String, Vec<u8>>>,
    down: AtomicBool,
    /// Multipart writes begun and neither finished nor aborted, by id.
    open: Mutex<BTreeMap<u64, OpenWrite>>,
    next_upload: AtomicU64,
    /// Part sizes of each finished multipart write, by key.
    parts: Mutex<BTreeMap<String, Vec<usize>>>,
}

impl MemBlobs {
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        lock(&self.map).get(key).cloned()
    }
    /// Multipart writes still open (begun, neither finished nor aborted).
    pub fn open_uploads(&self) -> usize {
        lock(&self.open).len()
    }
    /// The part sizes `key` was written in, if it was a multipart write.
    pub fn parts_of(&self, key: &str) -> Option<Vec<usize>> {
        lock(&self.parts).get(key).cloned()
    }
    pub fn len(&self) -> usize {
        lock(&self.map).len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn contains(&self, key: &str) -> bool {
        lock(&self.map).contains_key(key)
    }
    fn check(&self) -> PortResult<()> {
        if self.down.load(Ordering::SeqCst) {
            return Err(PortError::Unavailable("blob store down".into()));
        }
        Ok(())
    }
}

#[derive(Default)]
pub struct MemJobs {
    sent: Mutex<Vec<MediaJob>>,
}

impl MemJobs {
    pub fn sent(&self) -> Vec<MediaJob> {
        lock(&self.sent).clone()
    }
    pub fn len(&self) -> usize {
        lock(&self.sent).len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The edge cache: records each purge; `fail` makes purges fail as an unreachable cache.
#[derive(Default)]
pub struct MemEdge {
    purged: Mutex<Vec<Vec<String>>>,
    failing: AtomicBool,
}

impl MemEdge {
    pub fn purged(&self) -> Vec<Vec<String>> {
        lock(&self.purged).clone()
    }
    /// Every tag purged so far, in one list.
    pub fn purged_tags(&self) -> Vec<String> {
        self.purged().concat()
    }
    pub fn fail(&self, on: bool) {
        self.failing.store(on, Ordering::SeqCst);
    }
}

struct Port(Arc<Mem>);

#[async_trait]
impl EdgeCache for Port {
    async fn purge(&self, tags: &[String]) -> PortResult<()> {
        if self.0.edge.failing.load(Ordering::SeqCst) {
            return Err(PortError::Unavailable("edge cache down".into()));
        }
        lock(&self.0.edge.purged).push(tags.to_vec());
        Ok(())
    }
}

#[async_trait]
impl PhotoRepo for Port {
    async fn insert_pending(&self, row: &PhotoRow) -> PortResult<()> {
        let mut photos = lock(&self.0.photos);
        // As D1: the id, and one owner's hash (migration 0016), are unique.
        let held = |r: &PhotoRow| {
            r.owner_id == row.owner_id && r.sha256.is_some() && r.sha256 == row.sha256
        };
        if photos.contains_key(&row.id) || photos.values().any(held) {
            return Err(PortError::Conflict);
        }
        photos.insert(row.id.clone(), row.clone());
        Ok(())
    }
    async fn get(&self, id: &str) -> PortResult<Option<PhotoRow>> {
        Ok(self.0.photo(id))
    }
    async fn feed(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<CardRow>> {
        Ok(self
            .0
            .newest(
                |r| r.visibility == Visibility::Public && r.status == PhotoStatus::Ready,
                before,
                limit,
            )
            .into_iter()
            .map(CardRow::from)
            .collect())
    }
    async fn cards_by_owner(
        &self,
        owner_id: &str,
        all: bool,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<CardRow>> {
        let rows = PhotoRepo::by_owner(self, owner_id, all, before, limit).await?;
        Ok(rows.into_iter().map(CardRow::from).collect())
    }
    async fn by_owner(
        &self,
        owner_id: &str,
        all: bool,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<PhotoRow>> {
        Ok(self.0.newest(
            |r| {
                r.owner_id == owner_id
                    && (all
                        || (r.visibility == Visibility::Public && r.status == PhotoStatus::Ready))
            },
            before,
            limit,
        ))
    }
    async fn update(&self, id: &str, e: &PhotoEdit, _now_ms: i64) -> PortResult<()> {
        let mut photos = lock(&self.0.photos);
        let row = photos.get_mut(id).ok_or(PortError::NotFound)?;
        row.title = e.title.clone();
        row.caption = e.caption.clone();
        row.alt = e.alt.clone();
        row.visibility = e.visibility;
        row.allow_original = e.allow_original;
        Ok(())
    }
    async fn delete(&self, id: &str) -> PortResult<()> {
        lock(&self.0.photos).remove(id);
        lock(&self.0.variants).retain(|v| v.photo_id != id);
        // As the migration's trigger does.
        lock(&self.0.links).retain(|_, l| !(l.target == LinkTarget::Photo && l.target_id == id));
        // As the foreign keys' ON DELETE CASCADE.
        lock(&self.0.likes).retain(|(p, _), _| p != id);
        lock(&self.0.comments).retain(|_, c| c.photo_id != id);
        Ok(())
    }
    async fn stored_bytes(&self, owner_id: &str) -> PortResult<u64> {
        Ok(lock(&self.0.photos)
            .values()
            .filter(|r| r.owner_id == owner_id && r.trashed_at.is_none())
            .map(|r| r.bytes)
            .sum())
    }
    async fn variants(&self, ids: &[String]) -> PortResult<Vec<VariantRow>> {
        Ok(lock(&self.0.variants)
            .iter()
            .filter(|v| ids.contains(&v.photo_id))
            .cloned()
            .collect())
    }
    async fn mark_ready(&self, id: &str, r: &Rendition) -> PortResult<()> {
        let mut photos = lock(&self.0.photos);
        let owner = photos.get(id).ok_or(PortError::NotFound)?.owner_id.clone();
        // As D1's `MARK_READY`: the hash only where the owner holds it nowhere else.
        let held = photos
            .values()
            .any(|o| o.id != id && o.owner_id == owner && o.sha256.as_ref() == Some(&r.sha256));
        let row = photos.get_mut(id).ok_or(PortError::NotFound)?;
        row.status = PhotoStatus::Ready;
        row.width = Some(r.width);
        row.height = Some(r.height);
        if row.sha256.is_none() && !held {
            row.sha256 = Some(r.sha256.clone());
        }
        row.rev = Some(r.rev.clone());
        row.placeholder = Some(r.placeholder.clone());
        row.thumbhash = Some(crate::ssr::auth::hex(&r.thumbhash));
        row.exif_json = Some(r.exif_json.clone());
        let mut vs = lock(&self.0.variants);
        vs.retain(|v| v.photo_id != id);
        vs.extend(r.variants.iter().cloned());
        Ok(())
    }
    async fn mark_failed(&self, id: &str, reason: &str) -> PortResult<()> {
        let mut photos = lock(&self.0.photos);
        let row = photos.get_mut(id).ok_or(PortError::NotFound)?;
        // As D1's `MARK_FAILED`: only from pending.
        if row.status == PhotoStatus::Pending {
            row.status = PhotoStatus::Failed;
            row.failure = Some(reason.into());
        }
        Ok(())
    }
    async fn note_retry(&self, id: &str, reason: &str) -> PortResult<()> {
        if let Some(row) = lock(&self.0.photos)
            .get_mut(id)
            .filter(|r| r.status == PhotoStatus::Pending)
        {
            row.failure = Some(reason.into());
        }
        Ok(())
    }
    async fn stale_pending(&self, before_ms: i64, limit: u32) -> PortResult<Vec<String>> {
        Ok(lock(&self.0.photos)
            .values()
            .filter(|r| r.status == PhotoStatus::Pending && r.created_at < before_ms)
            .take(limit as usize)
            .map(|r| r.id.clone())
            .collect())
    }
    async fn owned_with_sha256(&self, owner_id: &str, sha256: &str) -> PortResult<Option<String>> {
        Ok(lock(&self.0.photos)
            .values()
            .filter(|r| r.owner_id == owner_id && r.sha256.as_deref() == Some(sha256))
            .min_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)))
            .map(|r| r.id.clone()))
    }
}

impl Port {
    /// Runs `f` on a link that exists and is not revoked, as the D1 updates' `WHERE` does.
    fn live_link(&self, id: &str, now_ms: i64, f: impl FnOnce(&mut LinkRow)) -> PortResult<()> {
        let mut links = lock(&self.0.links);
        let l = links
            .get_mut(id)
            .filter(|l| l.revoked_at.is_none())
            .ok_or(PortError::NotFound)?;
        f(l);
        l.updated_at = now_ms;
        Ok(())
    }
}

#[async_trait]
impl LinkRepo for Port {
    async fn insert(&self, link: &LinkRow) -> PortResult<()> {
        let mut links = lock(&self.0.links);
        if links
            .values()
            .any(|l| l.id == link.id || l.token == link.token)
        {
            return Err(PortError::Conflict);
        }
        if self.0.user(&link.owner_id).is_none() {
            return Err(PortError::Unavailable(
                "FOREIGN KEY constraint failed".into(),
            ));
        }
        links.insert(link.id.clone(), link.clone());
        Ok(())
    }
    async fn by_token(&self, token: &str) -> PortResult<Option<LinkRow>> {
        Ok(lock(&self.0.links)
            .values()
            .find(|l| l.token == token)
            .cloned())
    }
    async fn by_id(&self, id: &str) -> PortResult<Option<LinkRow>> {
        Ok(self.0.link(id))
    }
    async fn for_target(&self, target: LinkTarget, target_id: &str) -> PortResult<Vec<LinkRow>> {
        let mut rows: Vec<_> = lock(&self.0.links)
            .values()
            .filter(|l| l.target == target && l.target_id == target_id && l.revoked_at.is_none())
            .cloned()
            .collect();
        // As D1's ORDER BY created_at DESC, id DESC.
        rows.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(rows)
    }
    async fn update(&self, id: &str, e: &LinkEdit, now_ms: i64) -> PortResult<()> {
        self.live_link(id, now_ms, |l| {
            l.label = e.label.clone();
            l.expires_at = e.expires_at;
            l.allow_downloads = e.allow_downloads;
            if let Some(hash) = &e.password_hash {
                l.password_hash = hash.clone();
            }
        })
    }
    async fn reset(&self, id: &str, token: &str, now_ms: i64) -> PortResult<()> {
        if lock(&self.0.links).values().any(|l| l.token == token) {
            return Err(PortError::Conflict);
        }
        self.live_link(id, now_ms, |l| l.token = token.to_string())
    }
    async fn revoke(&self, id: &str, now_ms: i64) -> PortResult<()> {
        self.live_link(id, now_ms, |l| l.revoked_at = Some(now_ms))
    }
    async fn count_view(&self, id: &str) -> PortResult<()> {
        if let Some(l) = lock(&self.0.links).get_mut(id) {
            l.views += 1;
        }
        Ok(())
    }

    async fn purge_dead(&self, revoked_before: i64, expired_before: i64) -> PortResult<u32> {
        let mut links = lock(&self.0.links);
        let before = links.len();
        links.retain(|_, l| {
            !(l.revoked_at.is_some_and(|t| t < revoked_before)
                || l.expires_at.is_some_and(|t| t < expired_before))
        });
        Ok(u32::try_from(before - links.len()).unwrap_or(u32::MAX))
    }
}

#[async_trait]
impl BlobStore for Port {
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> PortResult<()> {
        self.0.blobs.check()?;
        self.0.put_blob(key, bytes);
        Ok(())
    }
    async fn get(&self, key: &str) -> PortResult<Option<Blob>> {
        self.0.blobs.check()?;
        Ok(lock(&self.0.blobs.map).get(key).map(|b| Blob {
            bytes: b.clone(),
            content_type: "application/octet-stream".into(),
        }))
    }
    async fn delete(&self, key: &str) -> PortResult<()> {
        self.0.blobs.check()?;
        lock(&self.0.blobs.map).remove(key);
        Ok(())
    }
    async fn open(&self, key: &str) -> PortResult<Option<Box<dyn BlobReader>>> {
        self.0.blobs.check()?;
        let reader: Option<Box<dyn BlobReader>> = lock(&self.0.blobs.map)
            .get(key)
            .map(|b| Box::new(MemReader(b.clone(), 0)) as Box<dyn BlobReader>);
        Ok(reader)
    }
    async fn begin(&self, key: &str, _content_type: &str) -> PortResult<Box<dyn BlobWriter>> {
        self.0.blobs.check()?;
        let id = self.0.blobs.next_upload.fetch_add(1, Ordering::SeqCst);
        lock(&self.0.blobs.open).insert(id, (key.to_string(), Vec::new()));
        Ok(Box::new(MemWriter(self.0.clone(), id)))
    }
    async fn create_upload(&self, key: &str, _content_type: &str) -> PortResult<String> {
        self.0.blobs.check()?;
        Ok(uploads::create(&self.0, key))
    }
    async fn upload_part(
        &self,
        _key: &str,
        upload_id: &str,
        number: u16,
        body: Box<dyn BlobReader>,
    ) -> PortResult<String> {
        self.0.blobs.check()?;
        uploads::part(&self.0, upload_id, number, body).await
    }
    async fn complete_upload(
        &self,
        _key: &str,
        upload_id: &str,
        parts: &[(u16, String)],
    ) -> PortResult<()> {
        self.0.blobs.check()?;
        uploads::complete(&self.0, upload_id, parts)
    }
    async fn abort_upload(&self, _key: &str, upload_id: &str) -> PortResult<()> {
        self.0.blobs.check()?;
        uploads::abort(&self.0, upload_id);
        Ok(())
    }
    /// Objects count as uploaded long ago (time 0).
    async fn list(&self, prefix: &str, after: Option<&str>, limit: u32) -> PortResult<BlobPage> {
        self.0.blobs.check()?;
        let map = lock(&self.0.blobs.map);
        let mut keys = map
            .keys()
            .filter(|k| k.starts_with(prefix) && after.is_none_or(|a| k.as_str() > a));
        let objects: Vec<Listed> = keys
            .by_ref()
            .take(limit as usize)
            .map(|k| Listed {
                key: k.clone(),
                uploaded_ms: 0,
            })
            .collect();
        Ok(BlobPage {
            objects,
            more: keys.next().is_some(),
        })
    }
}

/// Reads a stored object in small chunks, as R2's stream does.
struct MemReader(Vec<u8>, usize);

#[async_trait]
impl BlobReader for MemReader {
    fn size(&self) -> u64 {
        self.0.len() as u64
    }
    async fn chunk(&mut self) -> PortResult<Option<Vec<u8>>> {
        let end = (self.1 + 1000).min(self.0.len());
        if self.1 == end {
            return Ok(None);
        }
        let chunk = self.0[self.1..end].to_vec();
        self.1 = end;
        Ok(Some(chunk))
    }
}

/// An open multipart write: its key and the parts written so far.
type OpenWrite = (String, Vec<Vec<u8>>);

/// A multipart write into `MemBlobs`, keeping R2's rules.
struct MemWriter(Arc<Mem>, u64);

#[async_trait]
impl BlobWriter for MemWriter {
    async fn write_part(&mut self, bytes: Vec<u8>) -> PortResult<()> {
        self.0.blobs.check()?;
        let mut open = lock(&self.0.blobs.open);
        let (_, parts) = open.get_mut(&self.1).ok_or(PortError::NotFound)?;
        parts.push(bytes);
        Ok(())
    }
    async fn finish(self: Box<Self>) -> PortResult<()> {
        self.0.blobs.check()?;
        let (key, parts) = lock(&self.0.blobs.open)
            .remove(&self.1)
            .ok_or(PortError::NotFound)?;
        let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
        let Some((_, rest)) = sizes.split_last() else {
            return Err(PortError::Unavailable("r2: no parts".into()));
        };
        if rest
            .iter()
            .any(|&n| n < MIN_PART_BYTES || Some(&n) != rest.first())
        {
            return Err(PortError::Unavailable(format!(
                "r2: parts must be equal and at least {MIN_PART_BYTES} bytes but the last: {sizes:?}"
            )));
        }
        self.0.put_blob(&key, parts.concat());
        lock(&self.0.blobs.parts).insert(key, sizes);
        Ok(())
    }
    async fn abort(self: Box<Self>) -> PortResult<()> {
        lock(&self.0.blobs.open).remove(&self.1);
        Ok(())
    }
}

#[async_trait]
impl JobQueue for Port {
    async fn send(&self, job: &MediaJob) -> PortResult<()> {
        lock(&self.0.jobs.sent).push(job.clone());
        Ok(())
    }
}

impl Clock for Port {
    fn now_ms(&self) -> i64 {
        self.0.now.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl UserRepo for Port {
    async fn insert(&self, u: &UserRow) -> PortResult<()> {
        let mut users = lock(&self.0.users);
        if users
            .values()
            .any(|o| o.id == u.id || o.username == u.username)
        {
            return Err(PortError::Conflict);
        }
        users.insert(u.id.clone(), u.clone());
        Ok(())
    }
    async fn by_id(&self, id: &str) -> PortResult<Option<UserRow>> {
        Ok(lock(&self.0.users).get(id).cloned())
    }
    async fn by_username(&self, username: &str) -> PortResult<Option<UserRow>> {
        Ok(lock(&self.0.users)
            .values()
            .find(|u| u.username == username)
            .cloned())
    }
    async fn update_profile(&self, id: &str, e: &ProfileEdit, _now_ms: i64) -> PortResult<()> {
        let mut users = lock(&self.0.users);
        let u = users.get_mut(id).ok_or(PortError::NotFound)?;
        u.display_name = e.display_name.clone();
        u.default_visibility = e.default_visibility;
        u.watermark = e.watermark;
        Ok(())
    }
    async fn set_password(&self, id: &str, hash: &str, _now_ms: i64) -> PortResult<()> {
        let mut users = lock(&self.0.users);
        let u = users.get_mut(id).ok_or(PortError::NotFound)?;
        u.password_hash = hash.to_string();
        Ok(())
    }
    async fn create_session(&self, s: &SessionRow) -> PortResult<()> {
        lock(&self.0.sessions).insert(s.token_hash.clone(), s.clone());
        Ok(())
    }
    async fn session(&self, hash: &str, now_ms: i64) -> PortResult<Option<(SessionRow, UserRow)>> {
        let Some(s) = lock(&self.0.sessions)
            .get(hash)
            .filter(|s| s.expires_at > now_ms)
            .cloned()
        else {
            return Ok(None);
        };
        Ok(self.0.user(&s.user_id).map(|u| (s, u)))
    }
    async fn touch_session(
        &self,
        hash: &str,
        last_seen_at: i64,
        expires_at: i64,
    ) -> PortResult<()> {
        if let Some(s) = lock(&self.0.sessions).get_mut(hash) {
            s.last_seen_at = last_seen_at;
            s.expires_at = expires_at;
        }
        Ok(())
    }
    async fn delete_session(&self, hash: &str) -> PortResult<()> {
        lock(&self.0.sessions).remove(hash);
        Ok(())
    }
    async fn delete_other_sessions(&self, user_id: &str, keep: &str) -> PortResult<u32> {
        let mut sessions = lock(&self.0.sessions);
        let before = sessions.len();
        sessions.retain(|h, s| s.user_id != user_id || h == keep);
        Ok((before - sessions.len()) as u32)
    }
    async fn remember_device(&self, user_id: &str, hash: &str, now_ms: i64) -> PortResult<()> {
        if self.0.user(user_id).is_none() {
            return Err(PortError::NotFound);
        }
        lock(&self.0.devices).insert((user_id.into(), hash.into()), now_ms);
        Ok(())
    }
    async fn knows_device(&self, user_id: &str, hash: &str) -> PortResult<bool> {
        Ok(lock(&self.0.devices).contains_key(&(user_id.into(), hash.into())))
    }
    async fn purge_expired(&self, now_ms: i64) -> PortResult<()> {
        lock(&self.0.sessions).retain(|_, s| s.expires_at > now_ms);
        Ok(())
    }
}

#[async_trait]
impl RateLimiter for Port {
    async fn hit(&self, bucket: &str, window_start: i64, n: u32) -> PortResult<u32> {
        let mut limits = lock(&self.0.limits);
        let e = limits
            .entry(bucket.to_string())
            .or_insert((window_start, 0));
        if e.0 != window_start {
            *e = (window_start, 0);
        }
        e.1 += n;
        Ok(e.1)
    }
    async fn release(&self, bucket: &str, window_start: i64, n: u32) -> PortResult<()> {
        if let Some(e) = lock(&self.0.limits).get_mut(bucket) {
            if e.0 == window_start {
                e.1 = e.1.saturating_sub(n);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Crypto for Port {
    async fn pbkdf2_sha256(
        &self,
        password: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> PortResult<Vec<u8>> {
        // Memoised: the limit tests make hundreds of attempts with the same few inputs,
        // and 100 000 iterations each would take a minute.
        let key = (password.to_vec(), salt.to_vec(), iterations);
        let mut memo = lock(&self.0.pbkdf2_memo);
        Ok(memo
            .entry(key)
            .or_insert_with(|| pbkdf2_sha256(password, salt, iterations).to_vec())
            .clone())
    }
    fn random_bytes(&self, n: usize) -> PortResult<Vec<u8>> {
        self.0.randomness()?;
        // Deterministic, but distinct across calls (splitmix64): tokens never repeat.
        let mut x = self.0.next_id.fetch_add(1, Ordering::SeqCst);
        Ok((0..n)
            .map(|_| {
                x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = x;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                (z ^ (z >> 31)) as u8
            })
            .collect())
    }
}

/// Reference PBKDF2-HMAC-SHA256 (one 32-byte block) for the fake; the Worker uses WebCrypto.
pub fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut key = [0u8; 64];
    if password.len() > 64 {
        key[..32].copy_from_slice(&Sha256::digest(password));
    } else {
        key[..password.len()].copy_from_slice(password);
    }
    let hmac = |msg: &[u8]| -> [u8; 32] {
        let inner = Sha256::new()
            .chain_update(key.map(|b| b ^ 0x36))
            .chain_update(msg)
            .finalize();
        Sha256::new()
            .chain_update(key.map(|b| b ^ 0x5c))
            .chain_update(inner)
            .finalize()
            .into()
    };
    let mut u = hmac(&[salt, &1u32.to_be_bytes()].concat());
    let mut out = u;
    for _ in 1..iterations {
        u = hmac(&u);
        out.iter_mut().zip(u).for_each(|(o, x)| *o ^= x);
    }
    out
}

impl Ids for Port {
    fn new_id(&self) -> PortResult<String> {
        self.0.randomness()?;
        Ok(format!(
            "id{}",
            self.0.next_id.fetch_add(1, Ordering::SeqCst)
        ))
    }
}

pub fn fake_platform() -> (Platform, Arc<Mem>) {
    let mem = Arc::new(Mem::default());
    mem.now.store(1_700_000_000_000, Ordering::SeqCst);
    let port = Arc::new(Port(mem.clone()));
    let found = Arc::new(MemSearch {
        mem: mem.clone(),
        tags: Mutex::default(),
    });
    let p = Platform {
        photos: port.clone(),
        albums: port.clone(),
        album_photos: port.clone(),
        users: port.clone(),
        links: port.clone(),
        likes: port.clone(),
        comments: port.clone(),
        tags: found.clone(),
        search: found,
        limits: port.clone(),
        crypto: port.clone(),
        quotas: Quotas::default(),
        blobs: port.clone(),
        jobs: port.clone(),
        edge: port.clone(),
        clock: port.clone(),
        ids: port,
        stage: Stage::Local,
        processing: super::platform::Processing::Worker,
        job_records: Arc::new(admin::MemJobRecords(mem.clone())),
        admin: Arc::new(admin::MemAdmin(mem.clone())),
        admins: Arc::from([]),
        trash: Arc::new(Port(mem.clone())),
        uploads: Arc::new(Port(mem.clone())),
    };
    (p, mem)
}

/// A public pending photo of user `u1`.
pub fn pending_row(id: &str, created_at: i64) -> PhotoRow {
    let mut row = PhotoRow::pending(id, "u1", id, "image/png", 1, created_at);
    row.visibility = Visibility::Public;
    row
}

pub fn user_row(id: &str, username: &str) -> UserRow {
    UserRow {
        id: id.into(),
        username: username.into(),
        email: format!("{username}@example.test"),
        display_name: username.to_uppercase(),
        password_hash: String::new(),
        default_visibility: Visibility::Public,
        watermark: false,
        created_at: 0,
        suspended: false,
    }
}

/// Creates user `id` (if new) with a session; returns the request head carrying its cookie.
pub fn signed_in(p: &Platform, id: &str, username: &str) -> super::guard::RequestHead {
    let _ = block_on(p.users.insert(&user_row(id, username)));
    let (token, row) = super::auth::new_session(p, id).unwrap();
    block_on(p.users.create_session(&row)).unwrap();
    super::guard::RequestHead {
        cookie: Some(format!("{}={token}", super::auth::COOKIE)),
        ..Default::default()
    }
}

/// The session of a user made by [`signed_in`], as services receive it.
pub fn session(p: &Platform, id: &str, username: &str) -> super::auth::Session {
    let head = signed_in(p, id, username);
    block_on(super::auth::session_from_cookie(
        p,
        head.cookie.as_deref(),
        None,
    ))
    .unwrap()
    .unwrap()
}

/// A real RGB PNG with a gradient, `w`×`h`.
pub fn png_bytes(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().unwrap();
    let data: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i % 256) as u8, (i / 7 % 256) as u8, 128])
        .collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

#[async_trait]
impl AlbumRepo for Port {
    async fn insert(&self, a: &AlbumRow) -> PortResult<()> {
        let mut albums = lock(&self.0.albums);
        if albums.contains_key(&a.id) {
            return Err(PortError::Conflict);
        }
        if self.0.user(&a.owner_id).is_none() {
            return Err(PortError::Unavailable("foreign key: owner".into()));
        }
        albums.insert(a.id.clone(), a.clone());
        Ok(())
    }
    async fn get(&self, id: &str) -> PortResult<Option<AlbumRow>> {
        let mut album = lock(&self.0.albums).get(id).cloned();
        // As D1's ON DELETE SET NULL: a deleted cover is no cover.
        if let Some(a) = album.as_mut() {
            if a.cover_photo_id
                .as_ref()
                .is_some_and(|c| self.0.photo(c).is_none())
            {
                a.cover_photo_id = None;
            }
        }
        Ok(album)
    }
    async fn update(&self, a: &AlbumRow) -> PortResult<()> {
        let mut albums = lock(&self.0.albums);
        let stored = albums.get_mut(&a.id).ok_or(PortError::NotFound)?;
        *stored = AlbumRow {
            owner_id: stored.owner_id.clone(),
            created_at: stored.created_at,
            ..a.clone()
        };
        Ok(())
    }
    async fn delete(&self, id: &str) -> PortResult<()> {
        lock(&self.0.albums).remove(id);
        lock(&self.0.album_photos).retain(|(a, _), _| a != id);
        Ok(())
    }
    async fn by_owner(&self, owner_id: &str, all: bool) -> PortResult<Vec<AlbumRow>> {
        let mut rows: Vec<AlbumRow> = lock(&self.0.albums)
            .values()
            .filter(|a| a.owner_id == owner_id && (all || a.visibility == Visibility::Public))
            .cloned()
            .collect();
        rows.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(rows)
    }
}

impl Port {
    /// `photo_id`'s entry in `album_id`, if the photo exists (as the join in D1), its
    /// `taken_at` read from the EXIF as the generated column `photos.taken_at` reads it
    /// (none when the EXIF is not JSON; the media job writes the date as a string).
    fn album_entry(
        &self,
        album_id: String,
        photo_id: &str,
        (position, added_at): (String, i64),
    ) -> Option<AlbumEntry> {
        let photo = self.0.photo(photo_id)?;
        let taken_at = photo
            .exif_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
            .and_then(|v| v.get("taken_at")?.as_str().map(str::to_string));
        Some(AlbumEntry {
            album_id,
            photo,
            position,
            added_at,
            taken_at,
        })
    }

    /// `album`'s entries within `scope`, as the listing queries filter them.
    async fn scoped(&self, album: &AlbumRow, scope: EntryScope) -> PortResult<Vec<AlbumEntry>> {
        let entries = self.entries(std::slice::from_ref(&album.id)).await?;
        Ok(entries
            .into_iter()
            .filter(|e| e.photo.owner_id == album.owner_id && scope.admits(&e.photo))
            .collect())
    }
}

#[async_trait]
impl AlbumPhotos for Port {
    async fn entries(&self, album_ids: &[String]) -> PortResult<Vec<AlbumEntry>> {
        let members = lock(&self.0.album_photos).clone();
        let mut out: Vec<AlbumEntry> = members
            .into_iter()
            .filter(|((a, _), _)| album_ids.contains(a))
            // As the join in D1: a deleted photo has left every album.
            .filter_map(|((album_id, photo_id), place)| {
                self.album_entry(album_id, &photo_id, place)
            })
            .collect();
        out.sort_by(|a, b| {
            (
                a.album_id.as_str(),
                a.position.as_str(),
                a.photo.id.as_str(),
            )
                .cmp(&(
                    b.album_id.as_str(),
                    b.position.as_str(),
                    b.photo.id.as_str(),
                ))
        });
        Ok(out)
    }
    async fn add(
        &self,
        album_id: &str,
        items: &[(String, String)],
        now_ms: i64,
    ) -> PortResult<u32> {
        if !lock(&self.0.albums).contains_key(album_id) {
            return Err(PortError::Unavailable("foreign key: album".into()));
        }
        let mut members = lock(&self.0.album_photos);
        let mut added = 0;
        for (photo_id, position) in items {
            if self.0.photo(photo_id).is_none() {
                return Err(PortError::Unavailable("foreign key: photo".into()));
            }
            let key = (album_id.to_string(), photo_id.clone());
            if let std::collections::btree_map::Entry::Vacant(e) = members.entry(key) {
                e.insert((position.clone(), now_ms));
                added += 1;
            }
        }
        Ok(added)
    }
    async fn remove(&self, album_id: &str, photo_ids: &[String]) -> PortResult<u32> {
        let mut members = lock(&self.0.album_photos);
        let before = members.len();
        members.retain(|(a, p), _| a != album_id || !photo_ids.contains(p));
        Ok((before - members.len()) as u32)
    }
    async fn set_position(&self, album_id: &str, photo_id: &str, position: &str) -> PortResult<()> {
        let mut members = lock(&self.0.album_photos);
        let entry = members
            .get_mut(&(album_id.to_string(), photo_id.to_string()))
            .ok_or(PortError::NotFound)?;
        entry.0 = position.to_string();
        Ok(())
    }
    async fn albums_of(&self, photo_id: &str) -> PortResult<Vec<String>> {
        // As the table in D1: a deleted photo has left every album.
        if self.0.photo(photo_id).is_none() {
            return Ok(Vec::new());
        }
        Ok(lock(&self.0.album_photos)
            .keys()
            .filter(|(_, p)| p == photo_id)
            .map(|(a, _)| a.clone())
            .collect())
    }

    async fn page(
        &self,
        album: &AlbumRow,
        scope: EntryScope,
        after: Option<&AlbumAfter>,
        limit: u32,
    ) -> PortResult<Vec<AlbumEntry<CardRow>>> {
        let mut rows = self.scoped(album, scope).await?;
        // As the three queries order and bound their pages.
        match album.sort {
            AlbumSort::Manual => {
                rows.sort_by(|a, b| (&a.position, &a.photo.id).cmp(&(&b.position, &b.photo.id)))
            }
            AlbumSort::Added => {
                rows.sort_by(|a, b| (b.added_at, &b.photo.id).cmp(&(a.added_at, &a.photo.id)))
            }
            AlbumSort::Taken => rows.sort_by(|a, b| {
                (a.taken_key(), a.photo.created_at, &a.photo.id).cmp(&(
                    b.taken_key(),
                    b.photo.created_at,
                    &b.photo.id,
                ))
            }),
        }
        rows.retain(|e| match after {
            None => true,
            Some(AlbumAfter::Manual(pos, id)) => (&e.position, &e.photo.id) > (pos, id),
            Some(AlbumAfter::Added(at, id)) => (e.added_at, &e.photo.id) < (*at, id),
            Some(AlbumAfter::Taken(key, at, id)) => {
                (e.taken_key(), e.photo.created_at, &e.photo.id) > (key.as_str(), *at, id)
            }
        });
        rows.truncate(limit as usize);
        // Lean, as the queries read them.
        Ok(rows.into_iter().map(AlbumEntry::lean).collect())
    }

    async fn fronts(&self, albums: &[AlbumRow], scope: EntryScope) -> PortResult<Vec<AlbumFront>> {
        // As the query: the count, the chosen cover and the first row, all within `scope`.
        let mut out = Vec::new();
        for album in albums {
            let rows = self.scoped(album, scope).await?;
            let Some(first) = self.page(album, scope, None, 1).await?.into_iter().next() else {
                continue;
            };
            let count = u32::try_from(rows.len()).unwrap_or(u32::MAX);
            let chosen = rows
                .into_iter()
                .find(|e| album.cover_photo_id.as_deref() == Some(e.photo.id.as_str()));
            out.push(AlbumFront {
                album_id: album.id.clone(),
                count,
                chosen: chosen.map(AlbumEntry::lean),
                first: Some(first),
            });
        }
        Ok(out)
    }

    async fn entry(&self, album_id: &str, photo_id: &str) -> PortResult<Option<AlbumEntry>> {
        let found = lock(&self.0.album_photos)
            .get(&(album_id.to_string(), photo_id.to_string()))
            .cloned();
        Ok(found.and_then(|place| self.album_entry(album_id.to_string(), photo_id, place)))
    }
}

#[async_trait]
impl LikeRepo for Port {
    async fn like(&self, photo_id: &str, user_id: &str, now_ms: i64) -> PortResult<()> {
        if self.0.photo(photo_id).is_none() || self.0.user(user_id).is_none() {
            return Err(PortError::Unavailable(
                "FOREIGN KEY constraint failed".into(),
            ));
        }
        lock(&self.0.likes)
            .entry((photo_id.into(), user_id.into()))
            .or_insert(now_ms);
        Ok(())
    }
    async fn unlike(&self, photo_id: &str, user_id: &str) -> PortResult<()> {
        lock(&self.0.likes).remove(&(photo_id.into(), user_id.into()));
        Ok(())
    }
    async fn social(&self, photo_id: &str, viewer: Option<&str>) -> PortResult<SocialRow> {
        if self.0.photo(photo_id).is_none() {
            return Err(PortError::NotFound);
        }
        let likes = lock(&self.0.likes);
        let of_photo = || likes.keys().filter(|(p, _)| p == photo_id);
        Ok(SocialRow {
            switches: lock(&self.0.switches)
                .get(photo_id)
                .copied()
                .unwrap_or_default(),
            likes: of_photo().count() as u32,
            liked: of_photo().any(|(_, u)| Some(u.as_str()) == viewer),
            comments: lock(&self.0.comments)
                .values()
                .filter(|c| c.photo_id == photo_id)
                .count() as u32,
        })
    }
    async fn set_switches(&self, photo_id: &str, s: Switches, _now_ms: i64) -> PortResult<()> {
        if self.0.photo(photo_id).is_none() {
            return Err(PortError::NotFound);
        }
        lock(&self.0.switches).insert(photo_id.into(), s);
        Ok(())
    }
    async fn liked(
        &self,
        user_id: &str,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> PortResult<Vec<(CardRow, i64)>> {
        let mut rows: Vec<(PhotoRow, i64)> = lock(&self.0.likes)
            .iter()
            .filter(|((_, u), _)| u == user_id)
            .filter_map(|((p, _), at)| Some((self.0.photo(p)?, *at)))
            // As the SQL: others' photos only while public or unlisted, and ready.
            .filter(|(r, _)| {
                r.trashed_at.is_none()
                    && (r.owner_id == user_id
                        || (r.visibility != Visibility::Private && r.status == PhotoStatus::Ready))
            })
            .filter(|(r, at)| {
                before
                    .as_ref()
                    .is_none_or(|(b, id)| (*at, r.id.as_str()) < (*b, id.as_str()))
            })
            .collect();
        rows.sort_by(|(a, at), (b, bt)| bt.cmp(at).then(b.id.cmp(&a.id)));
        rows.truncate(limit as usize);
        Ok(rows.into_iter().map(|(r, at)| (r.into(), at)).collect())
    }
}

#[async_trait]
impl CommentRepo for Port {
    async fn list(
        &self,
        photo_id: &str,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> PortResult<Vec<CommentRow>> {
        let mut rows: Vec<CommentRow> = lock(&self.0.comments)
            .values()
            .filter(|c| c.photo_id == photo_id)
            .filter(|c| {
                after
                    .as_ref()
                    .is_none_or(|(t, id)| (c.created_at, c.id.as_str()) > (*t, id.as_str()))
            })
            .cloned()
            .collect();
        rows.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        rows.truncate(limit as usize);
        Ok(rows)
    }
    async fn get(&self, id: &str) -> PortResult<Option<CommentRow>> {
        Ok(lock(&self.0.comments).get(id).cloned())
    }
    async fn insert(&self, c: &CommentRow) -> PortResult<()> {
        let Some(author) = self.0.user(&c.author_id) else {
            return Err(PortError::Unavailable(
                "FOREIGN KEY constraint failed".into(),
            ));
        };
        if self.0.photo(&c.photo_id).is_none() {
            return Err(PortError::Unavailable(
                "FOREIGN KEY constraint failed".into(),
            ));
        }
        let mut comments = lock(&self.0.comments);
        if comments.contains_key(&c.id) {
            return Err(PortError::Conflict);
        }
        let stored = CommentRow {
            author: author.username,
            ..c.clone()
        };
        comments.insert(c.id.clone(), stored);
        Ok(())
    }
    async fn edit(&self, id: &str, body: &str, now_ms: i64) -> PortResult<()> {
        let mut comments = lock(&self.0.comments);
        let c = comments.get_mut(id).ok_or(PortError::NotFound)?;
        c.body = body.to_string();
        c.edited_at = Some(now_ms);
        Ok(())
    }
    async fn delete(&self, id: &str) -> PortResult<()> {
        lock(&self.0.comments).remove(id);
        Ok(())
    }
}

/// Tags and search over the photos of a [`Mem`]: words match as lower-case substrings of
/// the title, caption, alt text and tags (the real matching is FTS5's, tested against
/// SQLite in `server/src/d1/search.rs`); visibility and order are D1's.
pub struct MemSearch {
    mem: Arc<Mem>,
    /// (photo id, tag).
    pub tags: Mutex<std::collections::BTreeSet<(String, String)>>,
}

impl MemSearch {
    fn tags_of(&self, id: &str) -> Vec<String> {
        lock(&self.tags)
            .iter()
            .filter(|(p, _)| p == id)
            .map(|(_, t)| t.clone())
            .collect()
    }

    fn newest(
        &self,
        keep: impl Fn(&PhotoRow) -> bool,
        before: Option<&Key>,
        limit: u32,
    ) -> Vec<PhotoRow> {
        self.mem.newest(keep, before, limit)
    }
}

/// The keys D1's generated columns compute from `exif_json`: camera, lens, taken at.
fn gear(r: &PhotoRow) -> (Option<String>, Option<String>, Option<String>) {
    let Some(e) = r
        .exif_json
        .as_deref()
        .and_then(|j| serde_json::from_str::<media::Exif>(j).ok())
    else {
        return (None, None, None);
    };
    let camera = match (e.make, e.model) {
        (Some(make), Some(model)) if model.starts_with(&make) => Some(model),
        (Some(make), Some(model)) => Some(format!("{make} {model}")),
        (a, b) => a.or(b),
    };
    (
        camera.map(|c| c.to_ascii_lowercase()),
        e.lens.map(|l| l.to_ascii_lowercase()),
        e.taken_at,
    )
}

fn public_ready(r: &PhotoRow) -> bool {
    super::access::listed(None, r)
}

#[async_trait]
impl TagRepo for MemSearch {
    async fn of_photo(&self, photo_id: &str) -> PortResult<Vec<String>> {
        Ok(self.tags_of(photo_id))
    }
    async fn add(&self, photo_id: &str, tags: &[String], max: u32) -> PortResult<u32> {
        let mut all = lock(&self.tags);
        let have = all.iter().filter(|(p, _)| p == photo_id).count();
        let new: Vec<_> = tags
            .iter()
            .filter(|t| !all.contains(&(photo_id.to_string(), t.to_string())))
            .collect();
        if have + new.len() > max as usize {
            return Ok(0);
        }
        for t in &new {
            all.insert((photo_id.to_string(), t.to_string()));
        }
        Ok(new.len() as u32)
    }
    async fn remove(&self, photo_id: &str, tag: &str) -> PortResult<u32> {
        let gone = lock(&self.tags).remove(&(photo_id.to_string(), tag.to_string()));
        Ok(u32::from(gone))
    }
}

fn cards(rows: Vec<PhotoRow>) -> Vec<CardRow> {
    rows.into_iter().map(CardRow::from).collect()
}

#[async_trait]
impl SearchRepo for MemSearch {
    async fn listing(
        &self,
        of: &Listing,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<CardRow>> {
        let rows = self.newest(
            |r| {
                public_ready(r)
                    && match of {
                        Listing::Tag(t) => self.tags_of(&r.id).contains(t),
                        Listing::Camera(k) => gear(r).0.as_ref() == Some(k),
                        Listing::Lens(k) => gear(r).1.as_ref() == Some(k),
                    }
            },
            before,
            limit,
        );
        Ok(cards(rows))
    }
    async fn tag_feed(&self, tag: &str, limit: u32) -> PortResult<Vec<PhotoRow>> {
        let tag = tag.to_string();
        Ok(self.newest(
            |r| public_ready(r) && self.tags_of(&r.id).contains(&tag),
            None,
            limit,
        ))
    }
    async fn search(
        &self,
        q: &SearchQuery,
        viewer: Option<&str>,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<CardRow>> {
        let users = lock(&self.mem.users).clone();
        let words: Vec<String> = q
            .text
            .as_deref()
            .unwrap_or_default()
            .split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_lowercase)
            .collect();
        Ok(cards(self.newest(
            |r| {
                let mine = viewer == Some(r.owner_id.as_str());
                let tags = self.tags_of(&r.id);
                let hay = format!("{} {} {} {}", r.title, r.caption, r.alt, tags.join(" "))
                    .to_lowercase();
                let (camera, lens, taken) = gear(r);
                let has = |v: &Option<String>, k: &str| v.as_ref().is_some_and(|v| v.contains(k));
                (mine || public_ready(r))
                    && words.iter().all(|w| hay.contains(w.as_str()))
                    && q.filters.iter().all(|f| match f {
                        SearchFilter::Camera(k) => has(&camera, k),
                        SearchFilter::Lens(k) => has(&lens, k),
                        SearchFilter::Taken { from, to } => taken.as_ref().is_some_and(|t| {
                            t.as_str() >= from.as_str() && t.as_str() < to.as_str()
                        }),
                        SearchFilter::By(u) => {
                            users.get(&r.owner_id).is_some_and(|row| &row.username == u)
                        }
                        SearchFilter::Tag(t) => tags.contains(t),
                    })
            },
            before,
            limit,
        )))
    }
    async fn neighbours(&self, of: &Around, at: &Key) -> PortResult<Option<Neighbours>> {
        // The whole listing, by the same rules as its pages.
        let rows: Vec<CardRow> = match of {
            Around::Feed => cards(self.newest(public_ready, None, u32::MAX)),
            Around::Owner { owner_id, all } => cards(self.newest(
                |r| &r.owner_id == owner_id && (*all || public_ready(r)),
                None,
                u32::MAX,
            )),
            Around::Of(l) => self.listing(l, None, u32::MAX).await?,
            Around::Search { q, viewer } => {
                self.search(q, viewer.as_deref(), None, u32::MAX).await?
            }
        };
        let Some(i) = rows
            .iter()
            .position(|r| (r.created_at, &r.id) == (at.0, &at.1))
        else {
            return Ok(None);
        };
        let id = |j: usize| rows.get(j).map(|r| r.id.clone());
        Ok(Some(Neighbours {
            prev: i.checked_sub(1).and_then(id),
            next: id(i + 1),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::pbkdf2_sha256;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn pbkdf2_matches_published_vectors() {
        // RFC 7914 §11 style vectors for PBKDF2-HMAC-SHA256, 32-byte output.
        assert_eq!(
            hex(&pbkdf2_sha256(b"password", b"salt", 1)),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"
        );
        assert_eq!(
            hex(&pbkdf2_sha256(b"password", b"salt", 4096)),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"
        );
    }
}
