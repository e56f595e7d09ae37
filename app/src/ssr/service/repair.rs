//! The console's repair (issue 15): R2 compared with D1 one listing page at a time, so a
//! request does bounded work however large the bucket. Originals are a merge of R2's
//! listing of `orig/` with the photo rows in the same order; variants are looked up by
//! their photos' variant rows.

use std::collections::BTreeSet;

use crate::error::LumenError;
use crate::model::admin::{MissingItem, RepairView, Repaired};
use crate::ssr::access::AdminAction;
use crate::ssr::auth::Session;
use crate::ssr::keys;
use crate::ssr::ports::{Key2, Listed};
use crate::ssr::service::admin::{audit, gate};
use crate::ssr::Platform;

/// Objects one page lists (R2 lists at most 1000 at a time).
pub const LIST_PAGE: u32 = 200;
/// Objects younger than this are left alone: an upload writes its original before its
/// row, and a job its variants before their rows.
pub const GRACE_MS: i64 = 60 * 60 * 1000;
/// The reason a photo whose original is missing is marked failed with.
pub const LOST: &str = "The original is missing from storage (found by repair).";

/// Where a page starts: `o:` or `v:` (originals or variants), then the key it lists after.
#[derive(Debug, Clone, PartialEq, Eq)]
enum At {
    Originals(Option<String>),
    Variants(Option<String>),
}

impl At {
    fn parse(raw: Option<&str>) -> Result<Self, LumenError> {
        let raw = raw.unwrap_or("o:");
        let bad = || LumenError::BadRequest {
            reason: "That repair page does not exist.".into(),
        };
        if raw.len() > 600 {
            return Err(bad());
        }
        let (kind, after) = raw.split_once(':').ok_or_else(bad)?;
        let after = (!after.is_empty()).then(|| after.to_string());
        match kind {
            "o" if after
                .as_deref()
                .is_none_or(|a| a.starts_with(keys::ORIGINALS)) =>
            {
                Ok(Self::Originals(after))
            }
            "v" if after
                .as_deref()
                .is_none_or(|a| a.starts_with(keys::VARIANTS)) =>
            {
                Ok(Self::Variants(after))
            }
            _ => Err(bad()),
        }
    }

    fn render(&self) -> String {
        match self {
            Self::Originals(a) => format!("o:{}", a.as_deref().unwrap_or_default()),
            Self::Variants(a) => format!("v:{}", a.as_deref().unwrap_or_default()),
        }
    }
}

/// One page compared: what it found and where the next one starts.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scan {
    pub checked: u32,
    pub orphans: Vec<String>,
    pub missing: Vec<MissingItem>,
    pub next: Option<String>,
}

/// Compares the page of R2 starting at `at` (the start when `None`) with D1.
pub async fn scan(p: &Platform, at: Option<&str>) -> Result<(Scan, bool), LumenError> {
    match At::parse(at)? {
        At::Originals(after) => Ok((originals(p, after.as_deref()).await?, true)),
        At::Variants(after) => Ok((variants(p, after.as_deref()).await?, false)),
    }
}

fn old_enough(p: &Platform, o: &Listed) -> bool {
    o.uploaded_ms < p.clock.now_ms() - GRACE_MS
}

async fn originals(p: &Platform, after: Option<&str>) -> Result<Scan, LumenError> {
    let page = p.blobs.list(keys::ORIGINALS, after, LIST_PAGE).await?;
    let mut objects = page.objects;
    let more = page.more;
    let lower = after.and_then(keys::original_place);
    // Rows up to the last listed key; when the listing ended, every row left.
    let upper = if more {
        objects.last().and_then(|o| keys::original_place(&o.key))
    } else {
        None
    };
    let limit = LIST_PAGE * 2;
    let rows = p
        .admin
        .originals(lower.as_ref(), upper.as_ref(), limit)
        .await?;
    // Too many rows (many lost originals): compare only up to the last row read.
    if rows.len() as u32 == limit {
        if let Some(last) = rows.last() {
            let end: Key2 = (last.owner_id.clone(), last.photo_id.clone());
            objects.retain(|o| keys::original_place(&o.key).is_some_and(|k| k <= end));
            // The next page lists after this row's key, whether or not R2 has it.
            let next = keys::original(&end.0, &end.1);
            return Ok(compare(p, objects, &rows, Some(At::Originals(Some(next)))));
        }
    }
    let next = match (more, objects.last()) {
        (true, Some(o)) => At::Originals(Some(o.key.clone())),
        _ => At::Variants(None),
    };
    Ok(compare(p, objects, &rows, Some(next)))
}

fn compare(
    p: &Platform,
    objects: Vec<Listed>,
    rows: &[crate::ssr::ports::StoredOriginal],
    next: Option<At>,
) -> Scan {
    let stored: BTreeSet<(&str, &str)> = rows
        .iter()
        .map(|r| (r.owner_id.as_str(), r.photo_id.as_str()))
        .collect();
    let listed: BTreeSet<&str> = objects.iter().map(|o| o.key.as_str()).collect();
    let orphans = objects
        .iter()
        .filter(|o| {
            let place = keys::original_place(&o.key);
            let has_row = place
                .as_ref()
                .is_some_and(|(u, id)| stored.contains(&(u.as_str(), id.as_str())));
            !has_row && old_enough(p, o)
        })
        .map(|o| o.key.clone())
        .collect();
    let missing = rows
        .iter()
        .filter(|r| {
            !r.failed && !listed.contains(keys::original(&r.owner_id, &r.photo_id).as_str())
        })
        .map(|r| MissingItem {
            photo_id: r.photo_id.clone(),
            owner_id: r.owner_id.clone(),
        })
        .collect();
    Scan {
        checked: objects.len() as u32,
        orphans,
        missing,
        next: next.map(|n| n.render()),
    }
}

async fn variants(p: &Platform, after: Option<&str>) -> Result<Scan, LumenError> {
    let page = p.blobs.list(keys::VARIANTS, after, LIST_PAGE).await?;
    let ids: Vec<String> = page
        .objects
        .iter()
        .filter_map(|o| keys::variant_photo(&o.key))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(str::to_string)
        .collect();
    let known: BTreeSet<String> = p
        .photos
        .variants(&ids)
        .await?
        .into_iter()
        .map(|v| v.r2_key)
        .collect();
    let orphans = page
        .objects
        .iter()
        .filter(|o| !known.contains(&o.key) && old_enough(p, o))
        .map(|o| o.key.clone())
        .collect();
    let next = match (page.more, page.objects.last()) {
        (true, Some(o)) => Some(At::Variants(Some(o.key.clone())).render()),
        _ => None,
    };
    Ok(Scan {
        checked: page.objects.len() as u32,
        orphans,
        missing: Vec::new(),
        next,
    })
}

/// The console's view of the page at `at`.
pub async fn view(
    p: &Platform,
    s: Option<&Session>,
    at: Option<&str>,
) -> Result<RepairView, LumenError> {
    gate(p, s, AdminAction::SeeRepair).await?;
    let (scan, originals) = scan(p, at).await?;
    Ok(RepairView {
        at: At::parse(at)?.render(),
        listing: if originals { "originals" } else { "variants" }.into(),
        checked: scan.checked,
        orphans: scan.orphans,
        missing: scan.missing,
        next: scan.next,
    })
}

/// Repairs the page at `at` as compared now (not as last shown): removes its orphaned
/// objects and marks its rows whose original is missing failed; audited.
pub async fn repair(
    p: &Platform,
    s: Option<&Session>,
    at: Option<&str>,
) -> Result<Repaired, LumenError> {
    let s = gate(p, s, AdminAction::Repair).await?;
    let (scan, _) = scan(p, at).await?;
    for key in &scan.orphans {
        p.blobs.delete(key).await?;
    }
    let now = p.clock.now_ms();
    for m in &scan.missing {
        p.admin.lost_original(&m.photo_id, LOST, now).await?;
    }
    let done = Repaired {
        removed: scan.orphans.len() as u32,
        failed: scan.missing.len() as u32,
    };
    let target = format!(
        "{} objects removed, {} photos marked failed",
        done.removed, done.failed
    );
    audit(p, s, "repair", &target).await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PhotoStatus;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session};

    /// Pages through every listing, as the console's "next page" link does.
    fn all_pages(p: &Platform, s: &Session) -> (Vec<String>, Vec<String>, u32) {
        let (mut orphans, mut missing, mut pages) = (Vec::new(), Vec::new(), 0);
        let mut at: Option<String> = None;
        loop {
            let v = block_on(view(p, Some(s), at.as_deref())).unwrap();
            pages += 1;
            orphans.extend(v.orphans);
            missing.extend(v.missing.into_iter().map(|m| m.photo_id));
            match v.next {
                Some(n) => at = Some(n),
                None => return (orphans, missing, pages),
            }
        }
    }

    #[test]
    fn finds_orphans_either_way_across_pages_and_repairs_them() {
        let (p, mem) = fake_platform();
        let admin = session(&p, "u1", "ada");
        // Enough healthy photos to need several pages of originals.
        let n = LIST_PAGE as usize + 30;
        for i in 0..n {
            let mut row = pending_row(&format!("p{i:04}"), i as i64);
            row.status = PhotoStatus::Ready;
            let key = keys::original(&row.owner_id, &row.id);
            mem.insert(row);
            mem.put_blob(&key, vec![1]);
        }
        mem.add_variant("p0001", 64);
        let kept = mem.variants_of("p0001")[0].r2_key.clone();
        mem.put_blob(&kept, vec![2]);
        // An object with no row, a variant with no row, a garbage key, and a row whose
        // original was deleted.
        mem.put_blob(&keys::original("u1", "ghost"), vec![3]);
        mem.put_blob(&keys::variant("gone", "r", 64, "jpg"), vec![4]);
        mem.put_blob("orig/odd", vec![5]);
        block_on(p.blobs.delete(&keys::original("u1", "p0100"))).unwrap();

        let (orphans, missing, pages) = all_pages(&p, &admin);
        assert!(pages >= 3, "{pages} pages");
        let mut want = vec![
            keys::original("u1", "ghost"),
            "orig/odd".to_string(),
            keys::variant("gone", "r", 64, "jpg"),
        ];
        want.sort();
        let mut got = orphans.clone();
        got.sort();
        assert_eq!(got, want);
        assert_eq!(missing, ["p0100"]);

        // Repair each page; then nothing is left, the healthy objects stay.
        let mut at: Option<String> = None;
        let mut total = Repaired::default();
        loop {
            let next = block_on(view(&p, Some(&admin), at.as_deref()))
                .unwrap()
                .next;
            let r = block_on(repair(&p, Some(&admin), at.as_deref())).unwrap();
            total.removed += r.removed;
            total.failed += r.failed;
            match next {
                Some(n) => at = Some(n),
                None => break,
            }
        }
        assert_eq!((total.removed, total.failed), (3, 1));
        for key in &want {
            assert!(!mem.blobs.contains(key), "{key}");
        }
        assert!(mem.blobs.contains(&kept));
        assert!(mem.blobs.contains(&keys::original("u1", "p0000")));
        let lost = mem.photo("p0100").unwrap();
        assert_eq!(lost.status, PhotoStatus::Failed);
        assert_eq!(lost.failure.as_deref(), Some(LOST));
        assert_eq!(all_pages(&p, &admin).0.len(), 0);
        assert!(all_pages(&p, &admin).1.is_empty());
        assert!(mem
            .audit_log()
            .iter()
            .all(|a| a.action == "repair" && a.actor == "ada"));
    }

    #[test]
    fn members_and_strangers_get_404_and_change_nothing() {
        let (p, mem) = fake_platform();
        let member = session(&p, "u2", "dan");
        let _admin = session(&p, "u1", "ada");
        mem.put_blob(&keys::original("u1", "ghost"), vec![3]);
        for s in [Some(&member), None] {
            assert_eq!(
                block_on(view(&p, s, None)).err(),
                Some(LumenError::NotFound)
            );
            assert_eq!(
                block_on(repair(&p, s, None)).err(),
                Some(LumenError::NotFound)
            );
        }
        assert!(mem.blobs.contains(&keys::original("u1", "ghost")));
        assert!(mem.audit_log().is_empty());
    }

    #[test]
    fn bad_pages_are_a_400_and_young_objects_are_left_alone() {
        let (p, mem) = fake_platform();
        let admin = session(&p, "u1", "ada");
        for bad in [
            "x",
            "o:var/a",
            "v:orig/a",
            "z:",
            &format!("o:orig/{}", "a".repeat(700)),
        ] {
            assert!(
                matches!(
                    block_on(view(&p, Some(&admin), Some(bad))),
                    Err(LumenError::BadRequest { .. })
                ),
                "{bad}"
            );
        }
        // The fake's objects date from time 0: move the clock back into the grace period.
        mem.put_blob(&keys::original("u1", "fresh"), vec![1]);
        mem.now
            .store(GRACE_MS / 2, std::sync::atomic::Ordering::SeqCst);
        let v = block_on(view(&p, Some(&admin), None)).unwrap();
        assert!(v.orphans.is_empty());
    }
}
