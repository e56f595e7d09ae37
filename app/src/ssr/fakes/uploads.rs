//! Resumable uploads over memory: the D1 rows (keeping `server/src/d1/uploads.rs`'s
//! rules) and R2's multipart uploads (keeping R2's: equal parts of at least 5 MiB but the
//! last, a part sent again replaces the earlier one, completing checks every etag).

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{lock, Mem, Port};
use crate::ssr::ports::{
    BlobReader, PartRow, PortError, PortResult, UploadRepo, UploadRow, MIN_PART_BYTES,
};

/// An R2 multipart upload: its key and parts (number → etag, bytes).
type OpenUpload = (String, BTreeMap<u16, (String, Vec<u8>)>);

#[derive(Default)]
pub struct MemResumable {
    rows: Mutex<BTreeMap<String, UploadRow>>,
    parts: Mutex<BTreeMap<(String, u16), PartRow>>,
    /// R2's side, by R2 upload id.
    pub r2: Mutex<BTreeMap<String, OpenUpload>>,
    next: Mutex<u64>,
}

impl MemResumable {
    /// R2 multipart uploads neither completed nor aborted.
    pub fn r2_open(&self) -> usize {
        lock(&self.r2).len()
    }
    pub fn rows(&self) -> usize {
        lock(&self.rows).len()
    }
}

#[async_trait]
impl UploadRepo for Port {
    async fn insert(&self, row: &UploadRow) -> PortResult<()> {
        let mut rows = lock(&self.0.resumable.rows);
        if rows.contains_key(&row.id) {
            return Err(PortError::Conflict);
        }
        rows.insert(row.id.clone(), row.clone());
        Ok(())
    }

    async fn get(&self, id: &str) -> PortResult<Option<UploadRow>> {
        Ok(lock(&self.0.resumable.rows).get(id).cloned())
    }

    async fn parts(&self, id: &str) -> PortResult<Vec<PartRow>> {
        Ok(lock(&self.0.resumable.parts)
            .iter()
            .filter(|((u, _), _)| u == id)
            .map(|(_, p)| p.clone())
            .collect())
    }

    async fn put_part(&self, id: &str, part: &PartRow) -> PortResult<()> {
        // The foreign key: no part without its upload.
        if !lock(&self.0.resumable.rows).contains_key(id) {
            return Err(PortError::NotFound);
        }
        lock(&self.0.resumable.parts).insert((id.to_string(), part.number), part.clone());
        Ok(())
    }

    async fn delete(&self, id: &str) -> PortResult<bool> {
        let was = lock(&self.0.resumable.rows).remove(id).is_some();
        lock(&self.0.resumable.parts).retain(|(u, _), _| u != id);
        Ok(was)
    }

    async fn open_count(&self, owner_id: &str) -> PortResult<u32> {
        let n = lock(&self.0.resumable.rows)
            .values()
            .filter(|r| r.owner_id == owner_id)
            .count();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn stale(&self, before_ms: i64, limit: u32) -> PortResult<Vec<UploadRow>> {
        let mut old: Vec<UploadRow> = lock(&self.0.resumable.rows)
            .values()
            .filter(|r| r.created_at < before_ms)
            .cloned()
            .collect();
        old.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        old.truncate(limit as usize);
        Ok(old)
    }
}

/// `BlobStore::create_upload` for the fake.
pub fn create(mem: &Mem, key: &str) -> String {
    let mut next = lock(&mem.resumable.next);
    *next += 1;
    let id = format!("r2-{}", *next);
    lock(&mem.resumable.r2).insert(id.clone(), (key.to_string(), BTreeMap::new()));
    id
}

/// `BlobStore::upload_part`: reads the body to its end, which must be exactly its size.
pub async fn part(
    mem: &Mem,
    upload_id: &str,
    number: u16,
    mut body: Box<dyn BlobReader>,
) -> PortResult<String> {
    let mut bytes = Vec::new();
    while let Some(c) = body.chunk().await? {
        bytes.extend_from_slice(&c);
    }
    if bytes.len() as u64 != body.size() {
        return Err(PortError::Unavailable(
            "r2: part shorter than declared".into(),
        ));
    }
    let mut r2 = lock(&mem.resumable.r2);
    let (_, parts) = r2.get_mut(upload_id).ok_or(PortError::NotFound)?;
    let etag = format!("etag-{upload_id}-{number}-{}", bytes.len());
    parts.insert(number, (etag.clone(), bytes));
    Ok(etag)
}

/// `BlobStore::complete_upload`: the named parts, in order, become the object.
pub fn complete(mem: &Mem, upload_id: &str, wanted: &[(u16, String)]) -> PortResult<()> {
    let (key, parts) = lock(&mem.resumable.r2)
        .remove(upload_id)
        .ok_or(PortError::NotFound)?;
    let mut object = Vec::new();
    let mut sizes = Vec::new();
    for (n, etag) in wanted {
        match parts.get(n) {
            Some((e, bytes)) if e == etag => {
                sizes.push(bytes.len());
                object.extend_from_slice(bytes);
            }
            _ => return Err(PortError::Unavailable(format!("r2: no part {n} {etag}"))),
        }
    }
    if let Some((_, rest)) = sizes.split_last() {
        if rest
            .iter()
            .any(|&n| n < MIN_PART_BYTES || Some(&n) != rest.first())
        {
            return Err(PortError::Unavailable(format!(
                "r2: parts must be equal and at least {MIN_PART_BYTES} bytes but the last: {sizes:?}"
            )));
        }
    }
    mem.put_blob(&key, object);
    Ok(())
}

pub fn abort(mem: &Mem, upload_id: &str) {
    lock(&mem.resumable.r2).remove(upload_id);
}
