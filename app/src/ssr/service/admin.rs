//! The admin console (issue 15): who is an admin, what each section shows, and the
//! actions, each checked by `access::check_admin` first and written to the audit trail.

use std::sync::Arc;

use crate::error::LumenError;
use crate::model::admin::{
    Allowance, AuditItem, AuditView, JobItem, JobsView, PeopleView, PersonItem, StorageView,
};
use crate::ssr::access::{self, AdminAction};
use crate::ssr::auth::Session;
use crate::ssr::cursor::{self, Cursor, PAGE_SIZE};
use crate::ssr::ports::{AuditRow, JobRecord, JobState, MediaJob, PersonRow, PortError};
use crate::ssr::service::social::format_time;
use crate::ssr::Platform;

/// `LUMEN_ADMINS`: usernames separated by commas or spaces, compared lower-case.
pub fn parse_admins(raw: Option<&str>) -> Arc<[String]> {
    raw.unwrap_or_default()
        .split([',', ' '])
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether the signed-in person is an admin (one D1 read for the first account).
pub async fn is_admin(p: &Platform, s: &Session) -> Result<bool, LumenError> {
    let first = p.admin.first_user().await?;
    Ok(access::is_admin(
        &s.user.id,
        &s.user.username,
        first.as_deref(),
        &p.admins,
    ))
}

/// The gate of every admin page and function: 404 to anyone but an admin.
pub async fn gate<'a>(
    p: &Platform,
    s: Option<&'a Session>,
    action: AdminAction,
) -> Result<&'a Session, LumenError> {
    let admin = match s {
        Some(s) => Some(is_admin(p, s).await?),
        None => None,
    };
    access::check_admin(admin, action)?;
    s.ok_or(LumenError::NotFound)
}

pub(crate) async fn audit(
    p: &Platform,
    s: &Session,
    action: &str,
    target: &str,
) -> Result<(), LumenError> {
    let row = AuditRow {
        id: p.ids.new_id()?,
        actor_id: s.user.id.clone(),
        actor: s.user.username.clone(),
        action: action.into(),
        target: target.into(),
        at: p.clock.now_ms(),
    };
    Ok(p.admin.audit(&row).await?)
}

/// The jobs done in the last day whose times the percentiles read (at most).
const DURATION_SAMPLE: u32 = 5_000;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

pub async fn jobs(
    p: &Platform,
    s: Option<&Session>,
    before: Option<&str>,
) -> Result<JobsView, LumenError> {
    gate(p, s, AdminAction::SeeJobs).await?;
    let before = Cursor::parse(before)?.map(|c| c.time_id()).transpose()?;
    let counts = p.job_records.counts().await?;
    let rows = p
        .job_records
        .failures(before.as_ref(), PAGE_SIZE + 1)
        .await?;
    let (rows, next) = cursor::page(rows, PAGE_SIZE, |r| {
        Cursor::of_time(r.finished_at.unwrap_or(0), &r.photo_id)
    });
    let mut times = p
        .job_records
        .durations(p.clock.now_ms() - DAY_MS, DURATION_SAMPLE)
        .await?;
    times.sort_unstable();
    Ok(JobsView {
        counts: JobState::ALL
            .iter()
            .map(|st| {
                let n = counts.iter().find(|(c, _)| c == st).map_or(0, |(_, n)| *n);
                (st.as_str().to_string(), n)
            })
            .collect(),
        failures: rows.into_iter().map(job_item).collect(),
        next,
        done_last_day: times.len() as u32,
        p50_ms: percentile(&times, 50),
        p90_ms: percentile(&times, 90),
        p99_ms: percentile(&times, 99),
    })
}

fn job_item(r: JobRecord) -> JobItem {
    let finished = r.finished_at.unwrap_or(r.queued_at);
    JobItem {
        photo_id: r.photo_id,
        owner: r.owner_username,
        state: r.state.as_str().into(),
        attempts: r.attempts,
        reason: r.last_error.unwrap_or_default(),
        finished: format_time(finished),
        waited_ms: finished - r.queued_at,
        mem_mib: r.mem_mib,
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], pct: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Re-runs one failed (or dead) job: the photo is pending again and its job sent.
pub async fn rerun(p: &Platform, s: Option<&Session>, photo_id: &str) -> Result<(), LumenError> {
    let s = gate(p, s, AdminAction::RerunJobs).await?;
    if p.photos.get(photo_id).await?.is_none() {
        return Err(LumenError::NotFound);
    }
    if !requeue(p, photo_id).await? {
        return Err(LumenError::BadRequest {
            reason: "That photo's job has not failed, so there is nothing to re-run.".into(),
        });
    }
    audit(p, s, "rerun", photo_id).await
}

/// Jobs re-run by one "re-run all failed" (press again for more).
pub const RERUN_ALL_MAX: u32 = 100;

/// Re-runs failed and dead jobs, the latest first, up to [`RERUN_ALL_MAX`]; how many.
pub async fn rerun_all(p: &Platform, s: Option<&Session>) -> Result<u32, LumenError> {
    let s = gate(p, s, AdminAction::RerunJobs).await?;
    let failed = p.job_records.failures(None, RERUN_ALL_MAX).await?;
    let mut n = 0;
    for r in &failed {
        if requeue(p, &r.photo_id).await? {
            n += 1;
        }
    }
    audit(p, s, "rerun-all", &format!("{n} jobs")).await?;
    Ok(n)
}

async fn requeue(p: &Platform, photo_id: &str) -> Result<bool, PortError> {
    if !p.job_records.requeue(photo_id, p.clock.now_ms()).await? {
        return Ok(false);
    }
    // If the send fails the photo is pending with a fresh record: the cron re-sends it.
    p.jobs.send(&MediaJob::process(photo_id)).await?;
    Ok(true)
}

fn person(r: PersonRow, me: &str) -> PersonItem {
    PersonItem {
        is_you: r.id == me,
        id: r.id,
        username: r.username,
        joined: format_time(r.created_at),
        last_seen: r.last_seen.map(format_time),
        photos: r.photos,
        original_bytes: r.bytes,
        variant_bytes: r.variant_bytes,
        suspended: r.suspended_at.is_some(),
    }
}

pub async fn people(
    p: &Platform,
    s: Option<&Session>,
    before: Option<&str>,
) -> Result<PeopleView, LumenError> {
    let s = gate(p, s, AdminAction::SeePeople).await?;
    let before = Cursor::parse(before)?.map(|c| c.time_id()).transpose()?;
    let rows = p.admin.people(before.as_ref(), PAGE_SIZE + 1).await?;
    let (rows, next) = cursor::page(rows, PAGE_SIZE, |r| Cursor::of_time(r.created_at, &r.id));
    Ok(PeopleView {
        people: rows.into_iter().map(|r| person(r, &s.user.id)).collect(),
        next,
    })
}

/// Suspends (`on`) or unsuspends a person. Suspension ends their sessions and refuses
/// sign-in; their photos stop showing to others. An admin cannot suspend themselves.
pub async fn suspend(
    p: &Platform,
    s: Option<&Session>,
    user_id: &str,
    on: bool,
) -> Result<(), LumenError> {
    let s = gate(p, s, AdminAction::Suspend).await?;
    if on && user_id == s.user.id {
        return Err(LumenError::BadRequest {
            reason: "You cannot suspend yourself.".into(),
        });
    }
    p.admin
        .set_suspended(user_id, on.then(|| p.clock.now_ms()))
        .await?;
    super::cache::owner_changed(p, user_id).await;
    audit(p, s, if on { "suspend" } else { "unsuspend" }, user_id).await
}

/// Deletes someone's account and everything in it (`leave::delete_account`), confirmed by
/// typing their username (an admin does not know their password). Only a suspended
/// account, so a person is first stopped, then removed; never one's own (Settings does that).
pub async fn delete_account(
    p: &Platform,
    s: Option<&Session>,
    user_id: &str,
    confirm: &str,
) -> Result<(), LumenError> {
    let s = gate(p, s, AdminAction::DeleteAccount).await?;
    if user_id == s.user.id {
        return Err(LumenError::BadRequest {
            reason: "Delete your own account from Settings.".into(),
        });
    }
    let Some(user) = p.users.by_id(user_id).await? else {
        return Err(LumenError::NotFound);
    };
    if !p.admin.is_suspended(user_id).await? {
        return Err(LumenError::BadRequest {
            reason: "Suspend the account first; only a suspended account can be deleted.".into(),
        });
    }
    if !confirm.trim().eq_ignore_ascii_case(&user.username) {
        return Err(LumenError::BadRequest {
            reason: "Type the person's username to confirm.".into(),
        });
    }
    super::leave::delete_account(p, user_id).await?;
    audit(
        p,
        s,
        "delete-account",
        &format!("{} ({user_id})", user.username),
    )
    .await
}

/// The free plan's storage allowances the README names (R2 10 GB; D1 500 MB a database).
pub const R2_FREE_BYTES: u64 = 10 * 1000 * 1000 * 1000;

pub async fn storage(p: &Platform, s: Option<&Session>) -> Result<StorageView, LumenError> {
    let s = gate(p, s, AdminAction::SeeStorage).await?;
    let t = p.admin.totals().await?;
    let largest = p.admin.largest(10).await?;
    Ok(StorageView {
        people: t.people,
        photos: t.photos,
        original_bytes: t.original_bytes,
        variants: t.variants,
        variant_bytes: t.variant_bytes,
        largest: largest.into_iter().map(|r| person(r, &s.user.id)).collect(),
        allowances: vec![Allowance {
            what: "R2 storage (originals and variants)".into(),
            used: t.original_bytes + t.variant_bytes,
            allowed: R2_FREE_BYTES,
            unit: "bytes".into(),
        }],
    })
}

pub async fn audit_log(
    p: &Platform,
    s: Option<&Session>,
    before: Option<&str>,
) -> Result<AuditView, LumenError> {
    gate(p, s, AdminAction::SeeAudit).await?;
    let before = Cursor::parse(before)?.map(|c| c.time_id()).transpose()?;
    let rows = p.admin.audit_log(before.as_ref(), PAGE_SIZE + 1).await?;
    let (rows, next) = cursor::page(rows, PAGE_SIZE, |r| Cursor::of_time(r.at, &r.id));
    Ok(AuditView {
        entries: rows
            .into_iter()
            .map(|r| AuditItem {
                actor: r.actor,
                action: r.action,
                target: r.target,
                at: format_time(r.at),
            })
            .collect(),
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PhotoStatus;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session};
    use crate::ssr::guard::RequestHead;
    use crate::ssr::service::accounts::{sign_in, sign_up, SignUp};
    use crate::ssr::service::jobs::{dead_letter, deliver};

    #[test]
    fn the_first_account_and_listed_ones_pass_the_gate_others_get_404() {
        let (mut p, mem) = fake_platform();
        p.admins = parse_admins(Some(" Bea, ,cat "));
        assert_eq!(&*p.admins, ["bea", "cat"]);
        let first = session(&p, "u1", "ada");
        mem.users.lock().unwrap().get_mut("u1").unwrap().created_at = -1;
        let listed = session(&p, "u2", "bea");
        let member = session(&p, "u3", "dan");
        for action in AdminAction::ALL {
            assert!(block_on(gate(&p, Some(&first), action)).is_ok());
            assert!(block_on(gate(&p, Some(&listed), action)).is_ok());
            for s in [Some(&member), None] {
                assert_eq!(
                    block_on(gate(&p, s, action)).err(),
                    Some(LumenError::NotFound),
                    "{action:?}"
                );
            }
        }
        // Every function behind the gate, for the member: 404, and nothing audited.
        let m = Some(&member);
        assert_eq!(
            block_on(jobs(&p, m, None)).err(),
            Some(LumenError::NotFound)
        );
        assert_eq!(
            block_on(rerun(&p, m, "x")).err(),
            Some(LumenError::NotFound)
        );
        assert_eq!(block_on(rerun_all(&p, m)).err(), Some(LumenError::NotFound));
        assert_eq!(
            block_on(people(&p, m, None)).err(),
            Some(LumenError::NotFound)
        );
        assert_eq!(
            block_on(suspend(&p, m, "u1", true)).err(),
            Some(LumenError::NotFound)
        );
        assert_eq!(block_on(storage(&p, m)).err(), Some(LumenError::NotFound));
        assert_eq!(
            block_on(delete_account(&p, m, "u2", "bea")).err(),
            Some(LumenError::NotFound)
        );
        assert_eq!(
            block_on(audit_log(&p, m, None)).err(),
            Some(LumenError::NotFound)
        );
        assert!(mem.audit_log().is_empty());
    }

    #[test]
    fn an_admin_deletes_a_suspended_account_once_confirmed_and_it_is_audited() {
        let (p, mem) = fake_platform();
        let admin = session(&p, "u1", "ada");
        mem.users.lock().unwrap().get_mut("u1").unwrap().created_at = -1;
        let _ben = session(&p, "u2", "ben");
        let a = Some(&admin);
        let refused = |r: Result<(), LumenError>| matches!(r, Err(LumenError::BadRequest { .. }));
        // Not suspended yet, then a wrong confirmation, then oneself: refused, nothing gone.
        assert!(refused(block_on(delete_account(&p, a, "u2", "ben"))));
        block_on(suspend(&p, a, "u2", true)).unwrap();
        assert!(refused(block_on(delete_account(&p, a, "u2", "bea"))));
        assert!(refused(block_on(delete_account(&p, a, "u1", "ada"))));
        assert!(mem.users.lock().unwrap().contains_key("u2"));
        assert_eq!(
            block_on(delete_account(&p, a, "nobody", "x")).err(),
            Some(LumenError::NotFound)
        );
        block_on(delete_account(&p, a, "u2", " BEN ")).unwrap();
        assert!(!mem.users.lock().unwrap().contains_key("u2"));
        let log = mem.audit_log();
        assert!(log
            .iter()
            .any(|r| r.action == "delete-account" && r.target.contains("ben")));
    }

    #[test]
    fn rerun_brings_a_failed_and_a_dead_job_back_and_is_audited() {
        let (p, mem) = fake_platform();
        let admin = session(&p, "u1", "ada");
        mem.insert(pending_row("bad", 1));
        block_on(deliver(&p, &MediaJob::process("bad"), || 1)).unwrap();
        mem.insert(pending_row("lost", 2));
        block_on(p.job_records.start("lost", 3)).unwrap();
        block_on(dead_letter(&p, &MediaJob::process("lost"))).unwrap();
        let view = block_on(jobs(&p, Some(&admin), None)).unwrap();
        let states: Vec<&str> = view.failures.iter().map(|j| j.state.as_str()).collect();
        assert_eq!(states.len(), 2);
        assert!(states.contains(&"dead") && states.contains(&"failed"));
        let sent = mem.jobs.len();
        assert!(block_on(rerun(&p, Some(&admin), "bad")).is_ok());
        assert!(matches!(
            block_on(rerun(&p, Some(&admin), "bad")),
            Err(LumenError::BadRequest { .. })
        ));
        assert_eq!(
            block_on(rerun(&p, Some(&admin), "nope")).err(),
            Some(LumenError::NotFound)
        );
        assert_eq!(block_on(rerun_all(&p, Some(&admin))).unwrap(), 1);
        assert_eq!(mem.jobs.len(), sent + 2, "each re-run is sent");
        for id in ["bad", "lost"] {
            assert_eq!(mem.photo(id).unwrap().status, PhotoStatus::Pending);
            assert_eq!(mem.job(id).unwrap().state, JobState::Queued);
        }
        let log: Vec<String> = mem.audit_log().into_iter().map(|a| a.action).collect();
        assert_eq!(log, ["rerun", "rerun-all"]);
    }

    #[test]
    fn suspension_ends_sessions_and_refuses_sign_in_until_lifted() {
        let (p, mem) = fake_platform();
        let head = RequestHead::default();
        let form = |u: &str| SignUp {
            username: u.into(),
            email: format!("{u}@example.test"),
            password: "correct horse battery".into(),
            display_name: String::new(),
        };
        let admin = block_on(sign_up(&p, &head, form("ada"))).unwrap();
        let admin = session(&p, &admin.user.id, "ada");
        let mel = block_on(sign_up(&p, &head, form("mel"))).unwrap().user;
        assert!(matches!(
            block_on(suspend(&p, Some(&admin), &admin.user.id, true)),
            Err(LumenError::BadRequest { .. })
        ));
        block_on(suspend(&p, Some(&admin), &mel.id, true)).unwrap();
        assert!(!mem
            .sessions
            .lock()
            .unwrap()
            .values()
            .any(|s| s.user_id == mel.id));
        let refused = block_on(sign_in(&p, &head, "mel", "correct horse battery"));
        assert!(
            matches!(&refused, Err(LumenError::Invalid { reason, .. }) if reason.contains("suspended"))
        );
        let listed = block_on(people(&p, Some(&admin), None)).unwrap();
        assert!(listed
            .people
            .iter()
            .any(|p| p.username == "mel" && p.suspended));
        block_on(suspend(&p, Some(&admin), &mel.id, false)).unwrap();
        assert!(block_on(sign_in(&p, &head, "mel", "correct horse battery")).is_ok());
        assert_eq!(
            block_on(suspend(&p, Some(&admin), "nobody", true)).err(),
            Some(LumenError::NotFound)
        );
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 99), Some(99));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }
}
