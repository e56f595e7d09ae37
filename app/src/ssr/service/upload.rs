//! Storing new originals: validate every file first, so a bad one stores nothing,
//! then R2 → D1 (`pending`) → queue, in that order, so a lost message is only a delay
//! (the cron re-sends stale pending jobs) and never a lost photo.

use crate::error::LumenError;
use crate::model::UploadedPhoto;
use crate::ssr::keys;
use crate::ssr::ports::{MediaJob, PhotoRow};
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
    owner_id: &str,
    files: Vec<UploadFile>,
) -> Result<Vec<UploadedPhoto>, LumenError> {
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
    let mut out = Vec::with_capacity(checked.len());
    for (f, format) in checked {
        let id = p.ids.new_id();
        let bytes = f.bytes.len() as u64;
        p.blobs
            .put(&keys::original(owner_id, &id), f.bytes, format.mime())
            .await?;
        p.photos
            .insert_pending(&PhotoRow::pending(
                &id,
                owner_id,
                &title_from_name(&f.name),
                format.mime(),
                bytes,
                p.clock.now_ms(),
            ))
            .await?;
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
    Ok(out)
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

/// A readable title from a file name: no path, no extension, separators as spaces.
pub fn title_from_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match base.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s,
        _ => base,
    }
    .trim_start_matches('.');
    let t: String = stem
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        "Untitled".into()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PhotoStatus;
    use crate::ssr::fakes::{block_on, fake_platform, png_bytes};

    #[test]
    fn titles_from_names() {
        assert_eq!(title_from_name("IMG_0042.JPG"), "IMG 0042");
        assert_eq!(title_from_name("C:\\pics\\my-cat.png"), "my cat");
        assert_eq!(title_from_name(".hidden"), "hidden");
        assert_eq!(title_from_name(""), "Untitled");
        assert_eq!(title_from_name("a\u{0}b.jpg"), "ab");
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
        let out = block_on(upload(&p, "u1", files)).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(mem.blobs.len(), 2);
        assert_eq!(mem.jobs.len(), 2);
        let row = mem.photo(&out[0].id).unwrap();
        assert_eq!(row.status, PhotoStatus::Pending);
        assert_eq!(row.title, "a");
        assert_eq!(row.content_type, "image/png");
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
        let err = block_on(upload(&p, "u1", files)).unwrap_err();
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
        let err = block_on(upload(&p, "u1", vec![])).unwrap_err();
        assert!(matches!(err, LumenError::Invalid { .. }));
    }
}
