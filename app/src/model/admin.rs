//! What the admin console shows. Ids, names, counts and reasons only: never a photo's
//! title, caption or image, so the console cannot show anyone's private photos.

use serde::{Deserialize, Serialize};

/// A failed or dead job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobItem {
    pub photo_id: String,
    pub owner: String,
    /// `failed` or `dead`.
    pub state: String,
    pub attempts: u32,
    pub reason: String,
    /// When it ended, in words (UTC).
    pub finished: String,
    /// Queued → finished, ms.
    pub waited_ms: i64,
    pub mem_mib: Option<u32>,
}

/// `/admin`: the jobs section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsView {
    /// Every state with its count, in the order queued, running, done, failed, dead.
    pub counts: Vec<(String, u32)>,
    pub failures: Vec<JobItem>,
    /// `?before=` of the next page of failures.
    pub next: Option<String>,
    /// Processing time (started → finished) of jobs done in the last day: how many, and
    /// the 50th, 90th and 99th percentiles in ms (`None` without any).
    pub done_last_day: u32,
    pub p50_ms: Option<i64>,
    pub p90_ms: Option<i64>,
    pub p99_ms: Option<i64>,
}

/// A person as the console lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonItem {
    pub id: String,
    pub username: String,
    /// Sign-up and latest use, in words (UTC).
    pub joined: String,
    pub last_seen: Option<String>,
    pub photos: u32,
    pub original_bytes: u64,
    pub variant_bytes: u64,
    pub suspended: bool,
    /// The asking admin: they cannot suspend themselves.
    pub is_you: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleView {
    pub people: Vec<PersonItem>,
    pub next: Option<String>,
}

/// One usage figure against its free-plan allowance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowance {
    pub what: String,
    pub used: u64,
    pub allowed: u64,
    /// `bytes` or `rows`.
    pub unit: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageView {
    pub people: u32,
    pub photos: u32,
    pub original_bytes: u64,
    pub variants: u32,
    pub variant_bytes: u64,
    pub largest: Vec<PersonItem>,
    pub allowances: Vec<Allowance>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditItem {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub entries: Vec<AuditItem>,
    pub next: Option<String>,
}

/// A photo row whose original R2 no longer has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingItem {
    pub photo_id: String,
    pub owner_id: String,
}

/// One page of repair's comparison of R2 against D1.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairView {
    /// Where this page starts (the repair button sends it back).
    pub at: String,
    /// Which listing: "originals" or "variants".
    pub listing: String,
    /// Objects this page listed.
    pub checked: u32,
    /// Objects with no row.
    pub orphans: Vec<String>,
    /// Rows (not yet failed) whose original is missing.
    pub missing: Vec<MissingItem>,
    /// The next page, if any.
    pub next: Option<String>,
}

/// What one press of "repair" did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repaired {
    pub removed: u32,
    pub failed: u32,
}
