//! Storing new originals: validate every file first, so a bad one stores nothing,
//! then R2 → D1 (`pending`) → queue, in that order, so a lost message is only a delay
//! (the cron re-sends stale pending jobs) and never a lost photo.

use crate::error::LumenError;
use crate::model::UploadedPhoto;
use crate::ssr::keys;
use crate::ssr::limits::window;
use crate::ssr::ports::{MediaJob, PhotoRow, UserRow};
use crate::ssr::Platform;

/// Workers accept 100 MB bodies; one photo may use half of that.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
pub const MAX_FILES: usize = 20;

pub struct UploadFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub async fn upload(
    p: &Platform,
    owner: &UserRow,
    files: Vec<UploadFile>,
) -> Result<Vec<UploadedPhoto>, LumenError> {
    let owner_id = owner.id.as_str();
    if files.is_empty() {
        return Err(LumenError::invalid("photos", "Choose at least one photo."));
    }
    if files.len() > MAX_FILES {
        return Err(LumenError::invalid(
            "photos",
            format!("Upload at most {MAX_FILES} photos at a time."),
        ));
    }
    let mut checked = Vec::with_capacity(files.len());
    for f in files {
        let format = validate(&f)?;
        checked.push((f, format));
    }
    let incoming: u64 = checked.iter().map(|(f, _)| f.bytes.len() as u64).sum();
    within_quota(p, owner_id, checked.len() as u32, incoming).await?;
    let mut out = Vec::with_capacity(checked.len());
    for (f, format) in checked {
        let id = p.ids.new_id()?;
        let bytes = f.bytes.len() as u64;
        p.blobs
            .put(&keys::original(owner_id, &id), f.bytes, format.mime())
            .await?;
        let mut row = PhotoRow::pending(
            &id,
            owner_id,
            &title_from_name(&f.name),
            format.mime(),
            bytes,
            p.clock.now_ms(),
        );
        row.visibility = owner.default_visibility;
        row.watermark = owner.watermark;
        p.photos.insert_pending(&row).await?;
        p.jobs
            .send(&MediaJob::ProcessV1 {
                photo_id: id.clone(),
            })
            .await?;
        out.push(UploadedPhoto {
            url: format!("/p/{id}"),
            id,
        });
    }
    count_uploads(p, owner_id, out.len() as u32).await?;
    Ok(out)
}

/// Per-user limits, checked before anything is stored.
async fn within_quota(
    p: &Platform,
    owner_id: &str,
    files: u32,
    bytes: u64,
) -> Result<(), LumenError> {
    let q = p.quotas;
    let stored = p.photos.stored_bytes(owner_id).await?;
    if stored + bytes > q.stored_bytes {
        return Err(LumenError::Quota {
            reason: format!(
                "Your storage is full: {} of {} used. Delete some photos to upload more.",
                mb(stored),
                mb(q.stored_bytes)
            ),
            retry_after_secs: None,
        });
    }
    // Counted in the rate-limit table (see `count_uploads`), not from the photo rows:
    // deleting photos must not give the hour's allowance back. Refused uploads do not
    // count; two concurrent uploads may overshoot by one request's files.
    let (start, secs) = window(p, HOUR_MS);
    let used = p.limits.hit(&upload_bucket(owner_id), start, 0).await?;
    if used + files > q.uploads_per_hour {
        return Err(LumenError::Quota {
            reason: format!(
                "You can upload {} photos an hour and have uploaded {used} this hour; try again in {} min.",
                q.uploads_per_hour,
                secs.div_ceil(60)
            ),
            retry_after_secs: Some(secs),
        });
    }
    Ok(())
}

fn upload_bucket(owner_id: &str) -> String {
    format!("uploads:{owner_id}")
}

/// The hourly upload quota counts per clock hour.
const HOUR_MS: i64 = 3600 * 1000;

async fn count_uploads(p: &Platform, owner_id: &str, n: u32) -> Result<(), LumenError> {
    let (start, _) = window(p, HOUR_MS);
    p.limits.hit(&upload_bucket(owner_id), start, n).await?;
    Ok(())
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

fn validate(f: &UploadFile) -> Result<media::Format, LumenError> {
    let name = display_name(&f.name);
    if f.bytes.is_empty() {
        return Err(LumenError::invalid("photos", format!("{name} is empty.")));
    }
    if f.bytes.len() > MAX_FILE_BYTES {
        return Err(LumenError::invalid(
            "photos",
            format!(
                "{name} is larger than {} MB.",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    media::sniff(&f.bytes).ok_or_else(|| {
        LumenError::invalid(
            "photos",
            format!("{name} is not a supported image (JPEG, PNG, WebP or GIF)."),
        )
    })
}

fn display_name(name: &str) -> String {
    let n: String = name.chars().filter(|c| !c.is_control()).take(80).collect();
    if n.trim().is_empty() {
        "The file".into()
    } else {
        format!("“{}”", n.trim())
    }
}

/// A readable title from a file name: no extension, separators as spaces. Browsers send
/// the bare name, so a `/` in it is part of the name (`2024/06 trip.jpg`); only an old
/// client's Windows path (`C:\pics\cat.png`) is cut to its last part.
pub fn title_from_name(name: &str) -> String {
    let windows_path = name.get(1..3) == Some(":\\");
    let base = if windows_path {
        name.rsplit('\\').next().unwrap_or(name)
    } else {
        name
    };
    let stem = match base.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s,
        _ => base,
    }
    .trim_start_matches('.');
    let spaced: String = stem
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .take(100)
        .collect();
    let t = crate::text::clean(&spaced, false)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if crate::text::is_blank(&t) {
        "Untitled".into()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PhotoStatus;
    use crate::model::Visibility;
    use crate::ssr::fakes::{block_on, fake_platform, png_bytes, user_row};

    fn upload(p: &Platform, files: Vec<UploadFile>) -> Result<Vec<UploadedPhoto>, LumenError> {
        let mut owner = user_row("u1", "ada");
        owner.default_visibility = Visibility::Unlisted;
        owner.watermark = true;
        block_on(super::upload(p, &owner, files))
    }

    fn png(name: &str) -> UploadFile {
        UploadFile {
            name: name.into(),
            bytes: png_bytes(8, 6),
        }
    }

    #[test]
    fn quotas_refuse_before_storing() {
        let (mut p, mem) = fake_platform();
        p.quotas.uploads_per_hour = 2;
        let first = upload(&p, vec![png("a.png")]).unwrap();
        let e = upload(&p, vec![png("b.png"), png("c.png")]).unwrap_err();
        assert_eq!(e.status(), 429);
        assert!(
            e.to_string()
                .contains("2 photos an hour and have uploaded 1 this hour"),
            "{e}"
        );
        assert_eq!(mem.photo_count(), 1, "nothing more stored");
        // Refusals do not count: the one upload left can still be used...
        let second = upload(&p, vec![png("b.png")]).unwrap();
        // ...and deleting does not give the allowance back.
        mem.remove(&first[0].id);
        mem.remove(&second[0].id);
        assert_eq!(upload(&p, vec![png("c.png")]).unwrap_err().status(), 429);
        // An hour later the window has moved on.
        mem.advance(3600 * 1000);
        upload(&p, vec![png("b.png")]).unwrap();

        p.quotas.uploads_per_hour = 100;
        // Room for exactly the one photo stored now (the first two rows are gone).
        p.quotas.stored_bytes = png_bytes(8, 6).len() as u64;
        let e = upload(&p, vec![png("d.png")]).unwrap_err();
        assert_eq!(e.status(), 413);
        assert!(e.to_string().contains("storage is full"), "{e}");
        assert_eq!(mem.photo_count(), 1);
    }

    #[test]
    fn titles_from_names() {
        assert_eq!(title_from_name("IMG_0042.JPG"), "IMG 0042");
        assert_eq!(title_from_name("C:\\pics\\my-cat.png"), "my cat");
        assert_eq!(title_from_name(".hidden"), "hidden");
        assert_eq!(title_from_name(""), "Untitled");
        assert_eq!(title_from_name("a\u{0}b.jpg"), "ab");
        assert_eq!(title_from_name("2024/06 trip.jpg"), "2024/06 trip");
        assert_eq!(title_from_name("photo\u{202E}gnp.exe.png"), "photognp.exe");
        assert_eq!(title_from_name("\u{200b}\u{3164}.png"), "Untitled");
    }

    #[test]
    fn stores_original_row_and_job_per_file() {
        let (p, mem) = fake_platform();
        let files = vec![
            UploadFile {
                name: "a.png".into(),
                bytes: png_bytes(8, 6),
            },
            UploadFile {
                name: "b.png".into(),
                bytes: png_bytes(4, 4),
            },
        ];
        let out = upload(&p, files).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(mem.blobs.len(), 2);
        assert_eq!(mem.jobs.len(), 2);
        let row = mem.photo(&out[0].id).unwrap();
        assert_eq!(row.status, PhotoStatus::Pending);
        assert_eq!(row.title, "a");
        assert_eq!(row.content_type, "image/png");
        assert_eq!(row.visibility, Visibility::Unlisted, "the owner's default");
        assert!(row.watermark);
        assert!(mem.blobs.contains(&keys::original("u1", &out[0].id)));
    }

    #[test]
    fn one_bad_file_stores_nothing() {
        let (p, mem) = fake_platform();
        let files = vec![
            UploadFile {
                name: "a.png".into(),
                bytes: png_bytes(8, 6),
            },
            UploadFile {
                name: "notes.txt".into(),
                bytes: b"hello".to_vec(),
            },
        ];
        let err = upload(&p, files).unwrap_err();
        assert_eq!(err.status(), 422);
        assert!(err.to_string().contains("notes.txt"), "{err}");
        assert_eq!(
            (mem.blobs.len(), mem.jobs.len(), mem.photo_count()),
            (0, 0, 0)
        );
    }

    #[test]
    fn empty_upload_is_refused() {
        let (p, _) = fake_platform();
        let err = upload(&p, vec![]).unwrap_err();
        assert!(matches!(err, LumenError::Invalid { .. }));
    }
}
