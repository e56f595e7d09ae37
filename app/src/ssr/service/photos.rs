//! Reading photos for pages: rows and variants turned into DTOs.

use std::collections::HashMap;

use crate::error::LumenError;
use crate::model::{CameraFacts, ImageSrc, PhotoCard, PhotoStatus, PhotoView};
use crate::ssr::keys;
use crate::ssr::ports::{PhotoRow, VariantRow};
use crate::ssr::Platform;

pub const FEED_SIZE: u32 = 60;
/// Feed cells are about 320 CSS px wide; 640 keeps them sharp on 2x screens.
const THUMB_WIDTH: u32 = 640;

pub async fn feed(p: &Platform) -> Result<Vec<PhotoCard>, LumenError> {
    let rows = p.photos.feed(FEED_SIZE).await?;
    let ready: Vec<String> = rows
        .iter()
        .filter(|r| r.status == PhotoStatus::Ready)
        .map(|r| r.id.clone())
        .collect();
    let mut by_photo: HashMap<String, Vec<VariantRow>> = HashMap::new();
    for v in p.photos.variants(&ready).await? {
        by_photo.entry(v.photo_id.clone()).or_default().push(v);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let images = by_photo.remove(&r.id).map(images).unwrap_or_default();
            let thumb = images
                .iter()
                .find(|i| i.width >= THUMB_WIDTH)
                .or(images.last())
                .cloned();
            PhotoCard {
                id: r.id,
                title: r.title,
                status: r.status,
                thumb,
                placeholder: r.placeholder,
            }
        })
        .collect())
}

pub async fn photo(p: &Platform, id: &str) -> Result<PhotoView, LumenError> {
    let row = p.photos.get(id).await?.ok_or(LumenError::NotFound)?;
    let variants = if row.status == PhotoStatus::Ready {
        p.photos.variants(std::slice::from_ref(&row.id)).await?
    } else {
        Vec::new()
    };
    Ok(view(row, images(variants)))
}

fn images(mut variants: Vec<VariantRow>) -> Vec<ImageSrc> {
    variants.sort_by_key(|v| v.width);
    variants
        .into_iter()
        .map(|v| ImageSrc {
            url: keys::variant_url(&v.r2_key),
            width: v.width,
            height: v.height,
        })
        .collect()
}

fn view(row: PhotoRow, images: Vec<ImageSrc>) -> PhotoView {
    let facts = row
        .exif_json
        .as_deref()
        .and_then(|j| serde_json::from_str::<media::Exif>(j).ok())
        .map(facts)
        .unwrap_or_default();
    PhotoView {
        created_at: format_date(row.created_at),
        id: row.id,
        title: row.title,
        status: row.status,
        failure: row.failure,
        width: row.width,
        height: row.height,
        images,
        placeholder: row.placeholder,
        facts,
    }
}

fn facts(e: media::Exif) -> CameraFacts {
    let camera = match (e.make, e.model) {
        (Some(make), Some(model)) if model.starts_with(&make) => Some(model),
        (Some(make), Some(model)) => Some(format!("{make} {model}")),
        (a, b) => a.or(b),
    };
    let mut exposure = Vec::new();
    if let Some(t) = e.exposure_time {
        exposure.push(format!("{t} s"));
    }
    if let Some(f) = e.f_number {
        exposure.push(format!("ƒ/{f:.1}"));
    }
    if let Some(iso) = e.iso {
        exposure.push(format!("ISO {iso}"));
    }
    if let Some(mm) = e.focal_length_mm {
        exposure.push(format!("{mm:.0} mm"));
    }
    CameraFacts {
        camera,
        lens: e.lens,
        exposure: (!exposure.is_empty()).then(|| exposure.join(" · ")),
        taken_at: e.taken_at.map(|t| t.replace('T', " ")),
    }
}

fn format_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row};

    #[test]
    fn feed_is_newest_first_with_thumbs_for_ready() {
        let (p, mem) = fake_platform();
        mem.insert(pending_row("old", 1));
        let mut ready = pending_row("new", 2);
        ready.status = PhotoStatus::Ready;
        mem.insert(ready);
        for w in [320, 640, 1280] {
            mem.add_variant("new", w);
        }
        let cards = block_on(feed(&p)).unwrap();
        assert_eq!(
            cards.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["new", "old"]
        );
        assert_eq!(cards[0].thumb.as_ref().map(|t| t.width), Some(640));
        assert_eq!(cards[1].thumb, None);
    }

    #[test]
    fn missing_photo_is_not_found() {
        let (p, _) = fake_platform();
        assert_eq!(block_on(photo(&p, "nope")), Err(LumenError::NotFound));
    }

    #[test]
    fn camera_facts_read_well() {
        let f = facts(media::Exif {
            make: Some("FUJIFILM".into()),
            model: Some("X-T4".into()),
            exposure_time: Some("1/250".into()),
            f_number: Some(2.8),
            iso: Some(400),
            ..Default::default()
        });
        assert_eq!(f.camera.as_deref(), Some("FUJIFILM X-T4"));
        assert_eq!(f.exposure.as_deref(), Some("1/250 s · ƒ/2.8 · ISO 400"));
        assert_eq!(format_date(0), "1 January 1970");
    }
}
