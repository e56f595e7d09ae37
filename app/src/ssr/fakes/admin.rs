//! In-memory job records, audit trail and suspensions, keeping D1's rules (0014).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{lock, Mem};
use crate::model::PhotoStatus;
use crate::ssr::ports::*;

#[derive(Default)]
pub struct MemAdminState {
    pub jobs: Mutex<BTreeMap<String, JobRow>>,
    pub audit: Mutex<Vec<AuditRow>>,
    /// user id → suspended at.
    pub suspended: Mutex<BTreeMap<String, i64>>,
}

/// A `jobs` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub state: JobState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub queued_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub mem_mib: Option<u32>,
}

impl JobRow {
    fn new(state: JobState, queued_at: i64) -> Self {
        Self {
            state,
            attempts: 0,
            last_error: None,
            queued_at,
            started_at: None,
            finished_at: None,
            mem_mib: None,
        }
    }
}

impl Mem {
    pub fn job(&self, photo_id: &str) -> Option<JobRow> {
        lock(&self.admin.jobs).get(photo_id).cloned()
    }
    pub fn audit_log(&self) -> Vec<AuditRow> {
        lock(&self.admin.audit).clone()
    }
}

pub struct MemJobRecords(pub Arc<Mem>);
pub struct MemAdmin(pub Arc<Mem>);

#[async_trait]
impl JobRepo for MemJobRecords {
    async fn start(&self, photo_id: &str, now_ms: i64) -> PortResult<()> {
        let Some(photo) = self.0.photo(photo_id) else {
            return Ok(());
        };
        let mut jobs = lock(&self.0.admin.jobs);
        let job = jobs
            .entry(photo_id.into())
            .or_insert(JobRow::new(JobState::Queued, photo.created_at));
        job.state = JobState::Running;
        job.attempts += 1;
        job.started_at = Some(now_ms);
        job.finished_at = None;
        Ok(())
    }

    async fn finish(
        &self,
        photo_id: &str,
        state: JobState,
        error: Option<&str>,
        mem_mib: u32,
        now_ms: i64,
    ) -> PortResult<()> {
        if let Some(job) = lock(&self.0.admin.jobs).get_mut(photo_id) {
            job.state = state;
            job.last_error = error.map(str::to_string);
            job.mem_mib = Some(mem_mib);
            job.finished_at = Some(now_ms);
        }
        Ok(())
    }

    async fn retry(&self, photo_id: &str, error: &str, _now_ms: i64) -> PortResult<()> {
        if let Some(job) = lock(&self.0.admin.jobs).get_mut(photo_id) {
            if matches!(job.state, JobState::Queued | JobState::Running) {
                job.state = JobState::Queued;
                job.last_error = Some(error.into());
            }
        }
        Ok(())
    }

    async fn dead(&self, photo_id: &str, reason: &str, now_ms: i64) -> PortResult<bool> {
        let Some(photo) = self.0.photo(photo_id) else {
            return Ok(false);
        };
        let mut jobs = lock(&self.0.admin.jobs);
        let job = match jobs.get_mut(photo_id) {
            Some(job) if matches!(job.state, JobState::Queued | JobState::Running) => job,
            Some(_) => return Ok(false),
            None if photo.status == PhotoStatus::Pending => jobs
                .entry(photo_id.into())
                .or_insert(JobRow::new(JobState::Dead, photo.created_at)),
            None => return Ok(false),
        };
        if photo.status != PhotoStatus::Pending {
            return Ok(false);
        }
        job.state = JobState::Dead;
        job.last_error.get_or_insert_with(|| reason.into());
        job.finished_at = Some(now_ms);
        Ok(true)
    }

    async fn lost(
        &self,
        before_ms: i64,
        max_attempts: u32,
        after: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<Key>> {
        let jobs = lock(&self.0.admin.jobs);
        let mut keys: Vec<Key> = lock(&self.0.photos)
            .values()
            .filter(|p| p.status == PhotoStatus::Pending && p.created_at < before_ms)
            .filter(|p| after.is_none_or(|(at, id)| (p.created_at, &p.id) > (*at, id)))
            .filter(|p| {
                jobs.get(&p.id)
                    .is_none_or(|j| j.state != JobState::Dead && j.attempts < max_attempts)
            })
            .map(|p| (p.created_at, p.id.clone()))
            .collect();
        keys.sort();
        keys.truncate(limit as usize);
        Ok(keys)
    }

    async fn requeue(&self, photo_id: &str, now_ms: i64) -> PortResult<bool> {
        {
            let mut photos = lock(&self.0.photos);
            match photos.get_mut(photo_id) {
                Some(p) if p.status == PhotoStatus::Failed => {
                    p.status = PhotoStatus::Pending;
                    p.failure = None;
                }
                _ => return Ok(false),
            }
        }
        lock(&self.0.admin.jobs).insert(photo_id.into(), JobRow::new(JobState::Queued, now_ms));
        Ok(true)
    }

    async fn counts(&self) -> PortResult<Vec<(JobState, u32)>> {
        let mut counts: BTreeMap<JobState, u32> = BTreeMap::new();
        for job in lock(&self.0.admin.jobs).values() {
            *counts.entry(job.state).or_default() += 1;
        }
        Ok(counts.into_iter().collect())
    }

    async fn failures(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<JobRecord>> {
        let jobs = lock(&self.0.admin.jobs);
        let users = lock(&self.0.users);
        let mut rows: Vec<JobRecord> = jobs
            .iter()
            .filter(|(_, j)| matches!(j.state, JobState::Failed | JobState::Dead))
            .filter_map(|(id, j)| {
                let photo = self.0.photo(id)?;
                Some(JobRecord {
                    photo_id: id.clone(),
                    owner_username: users
                        .get(&photo.owner_id)
                        .map(|u| u.username.clone())
                        .unwrap_or_default(),
                    state: j.state,
                    attempts: j.attempts,
                    last_error: j.last_error.clone(),
                    queued_at: j.queued_at,
                    started_at: j.started_at,
                    finished_at: j.finished_at,
                    mem_mib: j.mem_mib,
                })
            })
            .filter(|r| {
                before.is_none_or(|(at, id)| (r.finished_at.unwrap_or(0), &r.photo_id) < (*at, id))
            })
            .collect();
        rows.sort_by(|a, b| (b.finished_at, &b.photo_id).cmp(&(a.finished_at, &a.photo_id)));
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn durations(&self, since_ms: i64, limit: u32) -> PortResult<Vec<i64>> {
        let mut done: Vec<(i64, i64)> = lock(&self.0.admin.jobs)
            .values()
            .filter(|j| j.state == JobState::Done)
            .filter_map(|j| Some((j.finished_at?, j.finished_at? - j.started_at?)))
            .filter(|(at, _)| *at >= since_ms)
            .collect();
        done.sort_by(|a, b| b.cmp(a));
        Ok(done
            .into_iter()
            .take(limit as usize)
            .map(|(_, ms)| ms)
            .collect())
    }
}

impl MemAdmin {
    fn person(&self, u: &UserRow) -> PersonRow {
        let photos: Vec<PhotoRow> = lock(&self.0.photos)
            .values()
            .filter(|p| p.owner_id == u.id)
            .cloned()
            .collect();
        let variant_bytes = lock(&self.0.variants)
            .iter()
            .filter(|v| photos.iter().any(|p| p.id == v.photo_id))
            .map(|v| v.bytes)
            .sum();
        PersonRow {
            id: u.id.clone(),
            username: u.username.clone(),
            created_at: u.created_at,
            last_seen: lock(&self.0.sessions)
                .values()
                .filter(|s| s.user_id == u.id)
                .map(|s| s.last_seen_at)
                .max(),
            photos: photos.len() as u32,
            bytes: photos.iter().map(|p| p.bytes).sum(),
            variant_bytes,
            suspended_at: lock(&self.0.admin.suspended).get(&u.id).copied(),
        }
    }

    fn everyone(&self) -> Vec<PersonRow> {
        let users: Vec<UserRow> = lock(&self.0.users).values().cloned().collect();
        users.iter().map(|u| self.person(u)).collect()
    }
}

#[async_trait]
impl AdminRepo for MemAdmin {
    async fn first_user(&self) -> PortResult<Option<String>> {
        Ok(lock(&self.0.users)
            .values()
            .min_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)))
            .map(|u| u.id.clone()))
    }

    async fn audit(&self, row: &AuditRow) -> PortResult<()> {
        lock(&self.0.admin.audit).push(row.clone());
        Ok(())
    }

    async fn audit_log(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<AuditRow>> {
        let users = lock(&self.0.users);
        let mut rows: Vec<AuditRow> = lock(&self.0.admin.audit)
            .iter()
            .filter(|r| before.is_none_or(|(at, id)| (r.at, &r.id) < (*at, id)))
            .map(|r| AuditRow {
                actor: users
                    .get(&r.actor_id)
                    .map(|u| u.username.clone())
                    .unwrap_or_default(),
                ..r.clone()
            })
            .collect();
        rows.sort_by(|a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn people(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<PersonRow>> {
        let mut rows: Vec<PersonRow> = self
            .everyone()
            .into_iter()
            .filter(|r| before.is_none_or(|(at, id)| (r.created_at, &r.id) < (*at, id)))
            .collect();
        rows.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn largest(&self, limit: u32) -> PortResult<Vec<PersonRow>> {
        let mut rows = self.everyone();
        rows.sort_by(|a, b| {
            (b.bytes + b.variant_bytes, &a.id).cmp(&(a.bytes + a.variant_bytes, &b.id))
        });
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn totals(&self) -> PortResult<StorageTotals> {
        let photos = lock(&self.0.photos);
        let variants = lock(&self.0.variants);
        Ok(StorageTotals {
            people: lock(&self.0.users).len() as u32,
            photos: photos.len() as u32,
            original_bytes: photos.values().map(|p| p.bytes).sum(),
            variants: variants.len() as u32,
            variant_bytes: variants.iter().map(|v| v.bytes).sum(),
        })
    }

    async fn set_suspended(&self, user_id: &str, at: Option<i64>) -> PortResult<()> {
        if !lock(&self.0.users).contains_key(user_id) {
            return Err(PortError::NotFound);
        }
        // D1 joins users.suspended_at into every read; the fake keeps the copies in step.
        let on = at.is_some();
        for u in lock(&self.0.users).values_mut().filter(|u| u.id == user_id) {
            u.suspended = on;
        }
        for ph in lock(&self.0.photos)
            .values_mut()
            .filter(|r| r.owner_id == user_id)
        {
            ph.owner_suspended = on;
        }
        for a in lock(&self.0.albums)
            .values_mut()
            .filter(|a| a.owner_id == user_id)
        {
            a.owner_suspended = on;
        }
        let mut suspended = lock(&self.0.admin.suspended);
        match at {
            Some(at) => {
                suspended.insert(user_id.into(), at);
                lock(&self.0.sessions).retain(|_, s| s.user_id != user_id);
            }
            None => {
                suspended.remove(user_id);
            }
        }
        Ok(())
    }

    async fn is_suspended(&self, user_id: &str) -> PortResult<bool> {
        Ok(lock(&self.0.admin.suspended).contains_key(user_id))
    }

    async fn originals(
        &self,
        after: Option<&Key2>,
        upto: Option<&Key2>,
        limit: u32,
    ) -> PortResult<Vec<StoredOriginal>> {
        let mut rows: Vec<StoredOriginal> = lock(&self.0.photos)
            .values()
            .map(|p| StoredOriginal {
                owner_id: p.owner_id.clone(),
                photo_id: p.id.clone(),
                failed: p.status == PhotoStatus::Failed,
            })
            .filter(|r| {
                let k = (r.owner_id.clone(), r.photo_id.clone());
                after.is_none_or(|a| &k > a) && upto.is_none_or(|u| &k <= u)
            })
            .collect();
        rows.sort_by(|a, b| (&a.owner_id, &a.photo_id).cmp(&(&b.owner_id, &b.photo_id)));
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn lost_original(&self, photo_id: &str, reason: &str, _now_ms: i64) -> PortResult<()> {
        if let Some(row) = lock(&self.0.photos).get_mut(photo_id) {
            row.status = PhotoStatus::Failed;
            row.failure = Some(reason.into());
        }
        Ok(())
    }
}
