//! The trash over memory, keeping D1's rules (`server/src/d1/trash.rs`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{lock, Port};
use crate::ssr::ports::{ExportRow, ExportStatus, Key, PhotoRepo, PortResult, TrashRepo, Trashed};

/// Pending deletions: R2 key → recorded at. Kept beside `Mem` so `Mem` stays as it was.
#[derive(Default)]
pub struct MemDeletions(
    pub Mutex<BTreeMap<String, i64>>,
    Mutex<BTreeMap<String, ExportRow>>,
);

impl MemDeletions {
    pub fn len(&self) -> usize {
        lock(&self.0).len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The recorded export of a person: (R2 key, expires at).
    pub fn export_of(&self, user_id: &str) -> Option<(String, i64)> {
        lock(&self.1)
            .get(user_id)
            .map(|e| (e.r2_key.clone(), e.expires_at))
    }
}

#[async_trait]
impl TrashRepo for Port {
    async fn trash(&self, owner_id: &str, ids: &[String], now_ms: i64) -> PortResult<u32> {
        let mut n = 0;
        for r in lock(&self.0.photos).values_mut() {
            if r.owner_id == owner_id && r.trashed_at.is_none() && ids.contains(&r.id) {
                r.trashed_at = Some(now_ms);
                n += 1;
            }
        }
        Ok(n)
    }
    async fn restore(&self, owner_id: &str, ids: &[String]) -> PortResult<u32> {
        let mut n = 0;
        for r in lock(&self.0.photos).values_mut() {
            if r.owner_id == owner_id && r.trashed_at.is_some() && ids.contains(&r.id) {
                r.trashed_at = None;
                n += 1;
            }
        }
        Ok(n)
    }
    async fn trashed(
        &self,
        owner_id: &str,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<Trashed>> {
        let mut rows: Vec<Trashed> = lock(&self.0.photos)
            .values()
            .filter(|r| r.owner_id == owner_id)
            .filter_map(|r| Trashed::lean(r.clone()))
            .filter(|t| {
                before
                    .is_none_or(|(at, id)| (t.trashed_at, t.photo.id.as_str()) < (*at, id.as_str()))
            })
            .collect();
        rows.sort_by(|a, b| (b.trashed_at, &b.photo.id).cmp(&(a.trashed_at, &a.photo.id)));
        rows.truncate(limit as usize);
        Ok(rows)
    }
    async fn expired(&self, before_ms: i64, limit: u32) -> PortResult<Vec<String>> {
        let mut rows: Vec<(i64, String)> = lock(&self.0.photos)
            .values()
            .filter_map(|r| {
                r.trashed_at
                    .filter(|t| *t < before_ms)
                    .map(|t| (t, r.id.clone()))
            })
            .collect();
        rows.sort();
        rows.truncate(limit as usize);
        Ok(rows.into_iter().map(|(_, id)| id).collect())
    }
    async fn purge_rows(&self, photo_id: &str, keys: &[String], now_ms: i64) -> PortResult<()> {
        if self.0.photo(photo_id).is_none() {
            return Ok(());
        }
        {
            let mut pending = lock(&self.0.deletions.0);
            let variants = self.0.variants_of(photo_id).into_iter().map(|v| v.r2_key);
            for key in keys.iter().cloned().chain(variants) {
                pending.entry(key).or_insert(now_ms);
            }
        }
        // The rows, with everything that cascades (as `PhotoRepo::delete`).
        self.delete(photo_id).await
    }
    async fn pending_deletions(&self, limit: u32) -> PortResult<Vec<String>> {
        let pending = lock(&self.0.deletions.0);
        let mut keys: Vec<(i64, String)> = pending.iter().map(|(k, t)| (*t, k.clone())).collect();
        keys.sort();
        keys.truncate(limit as usize);
        Ok(keys.into_iter().map(|(_, k)| k).collect())
    }
    async fn deleted(&self, key: &str) -> PortResult<()> {
        lock(&self.0.deletions.0).remove(key);
        Ok(())
    }
    async fn all_of(
        &self,
        owner_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> PortResult<Vec<String>> {
        Ok(lock(&self.0.photos)
            .values()
            .filter(|r| r.owner_id == owner_id && after.is_none_or(|a| r.id.as_str() > a))
            .map(|r| r.id.clone())
            .take(limit as usize)
            .collect())
    }
    async fn delete_user(&self, user_id: &str) -> PortResult<()> {
        let m = &self.0;
        lock(&m.comments).retain(|_, c| c.author_id != user_id);
        lock(&m.likes).retain(|(_, u), _| u != user_id);
        lock(&m.links).retain(|_, l| l.owner_id != user_id);
        let albums: Vec<String> = lock(&m.albums)
            .values()
            .filter(|a| a.owner_id == user_id)
            .map(|a| a.id.clone())
            .collect();
        lock(&m.albums).retain(|_, a| a.owner_id != user_id);
        lock(&m.album_photos).retain(|(a, _), _| !albums.contains(a));
        lock(&m.sessions).retain(|_, s| s.user_id != user_id);
        lock(&m.devices).retain(|(u, _), _| u != user_id);
        let suffix = format!(":{user_id}");
        lock(&m.limits).retain(|bucket, _| !bucket.ends_with(&suffix));
        lock(&m.deletions.1).remove(user_id);
        lock(&m.users).remove(user_id);
        Ok(())
    }
    async fn save_export(
        &self,
        user_id: &str,
        r2_key: &str,
        now_ms: i64,
        expires_at: i64,
    ) -> PortResult<()> {
        let row = ExportRow {
            r2_key: r2_key.into(),
            status: ExportStatus::Ready,
            bytes: 0,
            created_at: now_ms,
            expires_at,
        };
        lock(&self.0.deletions.1).insert(user_id.into(), row);
        Ok(())
    }
    async fn expired_exports(&self, now_ms: i64, limit: u32) -> PortResult<Vec<(String, String)>> {
        Ok(lock(&self.0.deletions.1)
            .iter()
            .filter(|(_, e)| e.expires_at < now_ms)
            .map(|(u, e)| (u.clone(), e.r2_key.clone()))
            .take(limit as usize)
            .collect())
    }
    async fn forget_export(&self, user_id: &str) -> PortResult<()> {
        lock(&self.0.deletions.1).remove(user_id);
        Ok(())
    }
    async fn put_export(&self, user_id: &str, row: &ExportRow) -> PortResult<()> {
        lock(&self.0.deletions.1).insert(user_id.into(), row.clone());
        Ok(())
    }
    async fn export_of(&self, user_id: &str) -> PortResult<Option<ExportRow>> {
        Ok(lock(&self.0.deletions.1).get(user_id).cloned())
    }
}
