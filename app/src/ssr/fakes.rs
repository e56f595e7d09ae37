//! In-memory ports for native tests.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::platform::{Platform, Stage};
use super::ports::*;
use crate::model::PhotoStatus;

pub use futures::executor::block_on;

#[derive(Default)]
pub struct Mem {
    photos: Mutex<BTreeMap<String, PhotoRow>>,
    variants: Mutex<Vec<VariantRow>>,
    pub blobs: MemBlobs,
    pub jobs: MemJobs,
    next_id: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Mem {
    pub fn insert(&self, row: PhotoRow) {
        lock(&self.photos).insert(row.id.clone(), row);
    }
    pub fn photo(&self, id: &str) -> Option<PhotoRow> {
        lock(&self.photos).get(id).cloned()
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
    pub fn fail_blobs(&self, on: bool) {
        self.blobs.down.store(on, Ordering::SeqCst);
    }
}

#[derive(Default)]
pub struct MemBlobs {
    map: Mutex<BTreeMap<String, Vec<u8>>>,
    down: AtomicBool,
}

impl MemBlobs {
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
    pub fn len(&self) -> usize {
        lock(&self.sent).len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

struct Port(Arc<Mem>);

#[async_trait]
impl PhotoRepo for Port {
    async fn insert_pending(&self, row: &PhotoRow) -> PortResult<()> {
        let mut photos = lock(&self.0.photos);
        if photos.contains_key(&row.id) {
            return Err(PortError::Conflict);
        }
        photos.insert(row.id.clone(), row.clone());
        Ok(())
    }
    async fn get(&self, id: &str) -> PortResult<Option<PhotoRow>> {
        Ok(self.0.photo(id))
    }
    async fn feed(&self, limit: u32) -> PortResult<Vec<PhotoRow>> {
        let mut rows: Vec<_> = lock(&self.0.photos).values().cloned().collect();
        rows.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        rows.truncate(limit as usize);
        Ok(rows)
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
        let row = photos.get_mut(id).ok_or(PortError::NotFound)?;
        row.status = PhotoStatus::Ready;
        row.width = Some(r.width);
        row.height = Some(r.height);
        row.sha256 = Some(r.sha256.clone());
        row.rev = Some(r.rev.clone());
        row.placeholder = Some(r.placeholder.clone());
        row.exif_json = Some(r.exif_json.clone());
        let mut vs = lock(&self.0.variants);
        vs.retain(|v| v.photo_id != id);
        vs.extend(r.variants.iter().cloned());
        Ok(())
    }
    async fn mark_failed(&self, id: &str, reason: &str) -> PortResult<()> {
        let mut photos = lock(&self.0.photos);
        let row = photos.get_mut(id).ok_or(PortError::NotFound)?;
        row.status = PhotoStatus::Failed;
        row.failure = Some(reason.into());
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
        1_700_000_000_000
    }
}

impl Ids for Port {
    fn new_id(&self) -> String {
        format!("id{}", self.0.next_id.fetch_add(1, Ordering::SeqCst))
    }
}

pub fn fake_platform() -> (Platform, Arc<Mem>) {
    let mem = Arc::new(Mem::default());
    let port = Arc::new(Port(mem.clone()));
    let p = Platform {
        photos: port.clone(),
        blobs: port.clone(),
        jobs: port.clone(),
        clock: port.clone(),
        ids: port,
        stage: Stage::Local,
    };
    (p, mem)
}

pub fn pending_row(id: &str, created_at: i64) -> PhotoRow {
    PhotoRow::pending(id, "u1", id, "image/png", 1, created_at)
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
