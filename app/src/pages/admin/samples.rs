//! Fixed sample data of the admin console, for the design catalogue: a failed job (a wrong
//! media-service secret), a dead one, people (one suspended), storage and the audit trail.

use crate::model::admin::{
    Allowance, AuditItem, AuditView, JobItem, JobsView, PeopleView, PersonItem, StorageView,
};
use crate::model::admin::{MissingItem, RepairView};

pub fn jobs() -> JobsView {
    JobsView {
        counts: [
            ("queued", 1),
            ("running", 0),
            ("done", 118),
            ("failed", 1),
            ("dead", 1),
        ]
        .into_iter()
        .map(|(s, n)| (s.to_string(), n))
        .collect(),
        failures: vec![
            JobItem {
                photo_id: "k3v9x2m7q1".into(),
                owner: "ada".into(),
                state: "failed".into(),
                attempts: 1,
                reason: "The media service refused this Worker's signature (401): check that \
                         LUMEN_SERVICE_SECRET is the same on both."
                    .into(),
                finished: "27 November 2026, 14:05 UTC".into(),
                waited_ms: 1_240,
                mem_mib: Some(21),
            },
            JobItem {
                photo_id: "p8d4w6c0z5".into(),
                owner: "ben".into(),
                state: "dead".into(),
                attempts: 6,
                reason: "media service: unreachable".into(),
                finished: "27 November 2026, 13:12 UTC".into(),
                waited_ms: 63_500,
                mem_mib: None,
            },
        ],
        next: None,
        done_last_day: 118,
        p50_ms: Some(412),
        p90_ms: Some(980),
        p99_ms: Some(2_310),
    }
}

fn person(username: &str, photos: u32, bytes: u64, suspended: bool, is_you: bool) -> PersonItem {
    PersonItem {
        id: format!("id-{username}"),
        username: username.into(),
        joined: "1 November 2026, 09:30 UTC".into(),
        last_seen: (!suspended).then(|| "27 November 2026, 18:02 UTC".into()),
        photos,
        original_bytes: bytes,
        variant_bytes: bytes / 12,
        suspended,
        is_you,
    }
}

pub fn people() -> PeopleView {
    PeopleView {
        people: vec![
            person("ada", 42, 131_000_000, false, true),
            person("ben", 7, 18_400_000, false, false),
            person("spam4u", 3, 2_100_000, true, false),
        ],
        next: None,
    }
}

pub fn storage() -> StorageView {
    StorageView {
        people: 3,
        photos: 52,
        original_bytes: 151_500_000,
        variants: 208,
        variant_bytes: 12_625_000,
        largest: people().people,
        allowances: vec![Allowance {
            what: "R2 storage (originals and variants)".into(),
            used: 164_125_000,
            allowed: 10_000_000_000,
            unit: "bytes".into(),
        }],
    }
}

pub fn audit() -> AuditView {
    AuditView {
        entries: vec![
            AuditItem {
                actor: "ada".into(),
                action: "suspend".into(),
                target: "id-spam4u".into(),
                at: "27 November 2026, 18:10 UTC".into(),
            },
            AuditItem {
                actor: "ada".into(),
                action: "rerun-all".into(),
                target: "3 jobs".into(),
                at: "27 November 2026, 14:20 UTC".into(),
            },
        ],
        next: None,
    }
}

/// One page of originals with an orphan object and a lost original, hostile-looking keys.
pub fn repair() -> RepairView {
    RepairView {
        at: "o:".into(),
        listing: "originals".into(),
        checked: 200,
        orphans: vec![
            "orig/u1/ghost".into(),
            "orig/<script>alert(1)</script>".into(),
        ],
        missing: vec![MissingItem {
            photo_id: "p0100".into(),
            owner_id: "u1".into(),
        }],
        next: Some("o:orig/u1/p0199".into()),
    }
}
