//! Reading and changing photos. Every path asks `access::check` first.

use std::collections::HashMap;

use crate::error::LumenError;
use crate::model::{
    CameraFacts, ImageSrc, PhotoCard, PhotoPage, PhotoStatus, PhotoView, Preview, ProfileView,
    Visibility,
};
use crate::ssr::access::{self, Action};
use crate::ssr::auth::Session;
use crate::ssr::cache as tags;
use crate::ssr::cursor::{self, Cursor, PAGE_SIZE};
use crate::ssr::keys;
use crate::ssr::ports::{CardRow, Key, PhotoEdit, PhotoRow, VariantRow};
use crate::ssr::service::cache;
use crate::ssr::Platform;

/// Feed cells are about 320 CSS px wide; 640 keeps them sharp on 2x screens.
const THUMB_WIDTH: u32 = 640;

/// The `(created_at, id)` key a `?before=` value names, or a 400.
pub fn before(raw: Option<&str>) -> Result<Option<Key>, LumenError> {
    Cursor::parse(raw)?.map(|c| c.time_id()).transpose()
}

/// One page of newest-first `rows` (fetched one past the page), as cards.
async fn time_page(p: &Platform, rows: Vec<CardRow>) -> Result<PhotoPage, LumenError> {
    let (rows, next) = cursor::page(rows, PAGE_SIZE, |r| Cursor::of_time(r.created_at, &r.id));
    Ok(PhotoPage {
        photos: cards(p, rows).await?,
        next,
    })
}

/// The home feed: public, finished photos, a page at a time.
pub async fn feed(p: &Platform, raw_before: Option<&str>) -> Result<PhotoPage, LumenError> {
    let before = before(raw_before)?;
    tags::tag(tags::FEED.into());
    let rows = p.photos.feed(before.as_ref(), PAGE_SIZE + 1).await?;
    time_page(p, rows).await
}

/// `/u/{username}`: their public, finished photos; all of them (pending and failed with
/// the reason) when it is the viewer's own page. A page at a time.
pub async fn profile(
    p: &Platform,
    viewer: Option<&Session>,
    username: &str,
    raw_before: Option<&str>,
) -> Result<ProfileView, LumenError> {
    let before = before(raw_before)?;
    let wanted = username.to_lowercase();
    let user = p
        .users
        .by_username(&wanted)
        .await?
        .ok_or(LumenError::NotFound)?;
    access::check_person(&user)?;
    tags::tag(tags::user(&user.id));
    let is_me = viewer.is_some_and(|s| s.user.id == user.id);
    let all = access::lists_everything_of(viewer.map(|s| s.user.id.as_str()), &user.id);
    let rows = p
        .photos
        .cards_by_owner(&user.id, all, before.as_ref(), PAGE_SIZE + 1)
        .await?;
    let page = time_page(p, rows).await?;
    Ok(ProfileView {
        username: user.username,
        display_name: user.display_name,
        is_me,
        photos: page.photos,
        next: page.next,
    })
}

pub(crate) async fn cards(
    p: &Platform,
    rows: Vec<impl Into<CardRow>>,
) -> Result<Vec<PhotoCard>, LumenError> {
    cards_at(p, rows, keys::variant_url).await
}

/// As [`cards`], each image at `url(r2_key)` (a share link's own paths).
pub(crate) async fn cards_at(
    p: &Platform,
    rows: Vec<impl Into<CardRow>>,
    url: impl Fn(&str) -> String,
) -> Result<Vec<PhotoCard>, LumenError> {
    let rows: Vec<CardRow> = rows.into_iter().map(Into::into).collect();
    tags::photos(rows.iter().map(|r| r.id.as_str()));
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
            let images = by_photo
                .remove(&r.id)
                .map(|v| images(v, &url))
                .unwrap_or_default();
            let thumb = images
                .iter()
                .find(|i| i.width >= THUMB_WIDTH)
                .or(images.last())
                .cloned();
            let srcset = srcset(&images);
            PhotoCard {
                blur: crate::ssr::placeholder::data_url(r.thumbhash.as_deref()),
                srcset,
                id: r.id,
                title: r.title,
                alt: r.alt,
                visibility: r.visibility,
                status: r.status,
                thumb,
                placeholder: r.placeholder,
                // Only the owner's listings hold failed photos.
                failure: (r.status == PhotoStatus::Failed)
                    .then_some(r.failure)
                    .flatten(),
            }
        })
        .collect())
}

/// A photo the viewer may see, or `NotFound`.
pub async fn visible(
    p: &Platform,
    viewer: Option<&Session>,
    id: &str,
    action: Action,
) -> Result<PhotoRow, LumenError> {
    let row = p.photos.get(id).await?.ok_or(LumenError::NotFound)?;
    access::check(viewer.map(|s| s.user.id.as_str()), &row, action)?;
    Ok(row)
}

/// The photo page. `origin` (`https://host`) makes the preview's URLs absolute.
pub async fn photo(
    p: &Platform,
    viewer: Option<&Session>,
    id: &str,
    origin: &str,
) -> Result<PhotoView, LumenError> {
    let row = visible(p, viewer, id, Action::View).await?;
    tags::tag(tags::photo(&row.id));
    tags::tag(tags::user(&row.owner_id));
    let variants = ready_variants(p, &row).await?;
    let who = viewer.map(|s| s.user.id.as_str());
    let mut v = view(row, images(variants, keys::variant_url), who);
    // Only public photos advertise an image to link previews.
    let image = v.visibility == Visibility::Public;
    v.preview = preview(origin, &keys::photo_url(&v.id), &v, image);
    Ok(v)
}

/// A ready photo's variants (none before it is ready).
pub async fn ready_variants(p: &Platform, row: &PhotoRow) -> Result<Vec<VariantRow>, LumenError> {
    if row.status == PhotoStatus::Ready {
        Ok(p.photos.variants(std::slice::from_ref(&row.id)).await?)
    } else {
        Ok(Vec::new())
    }
}

/// Previews use a 1200-wide image where one exists: the largest no wider than 1280.
pub const PREVIEW_MAX_WIDTH: u32 = 1280;

/// The link preview of a photo shown at `path`, every URL absolute.
pub fn preview(origin: &str, path: &str, v: &PhotoView, with_image: bool) -> Preview {
    let description = if !v.caption.is_empty() {
        v.caption.chars().take(200).collect()
    } else if !v.alt.is_empty() {
        v.alt.clone()
    } else {
        v.title.clone()
    };
    let image = with_image
        .then(|| v.best_for(PREVIEW_MAX_WIDTH))
        .flatten()
        .map(|i| ImageSrc {
            url: keys::absolute(origin, &i.url),
            ..i.clone()
        });
    Preview {
        url: keys::absolute(origin, path),
        title: v.title.clone(),
        description,
        image,
    }
}

pub const MAX_TITLE: usize = 100;
pub const MAX_CAPTION: usize = 2000;
pub const MAX_ALT: usize = 500;

/// The owner's edit form: title, caption, alt text, visibility, original download.
pub async fn edit(p: &Platform, s: &Session, id: &str, edit: PhotoEdit) -> Result<(), LumenError> {
    visible(p, Some(s), id, Action::Edit).await?;
    let edit = PhotoEdit {
        title: text("title", &edit.title, MAX_TITLE, false)?,
        caption: text("caption", &edit.caption, MAX_CAPTION, true)?,
        alt: text("alt", &edit.alt, MAX_ALT, false)?,
        ..edit
    };
    if edit.title.is_empty() {
        return Err(LumenError::invalid("title", "A photo needs a title."));
    }
    p.photos.update(id, &edit, p.clock.now_ms()).await?;
    if let Some(row) = p.photos.get(id).await? {
        cache::photo_changed(p, &row).await;
    }
    Ok(())
}

/// Moves the photo to its owner's trash (`service::trash`): gone for everyone else at
/// once, restorable for [`trash::KEEP_DAYS`](super::trash::KEEP_DAYS) days.
pub async fn delete(p: &Platform, s: &Session, id: &str) -> Result<(), LumenError> {
    super::trash::trash(p, s, &[id.to_string()])
        .await
        .map(|_| ())
}

/// Cleaned by the shared text rules (`crate::text::clean`), length-capped with a clear
/// message. Markup is left as typed: it is escaped when rendered.
pub(crate) fn text(
    field: &str,
    raw: &str,
    max: usize,
    multiline: bool,
) -> Result<String, LumenError> {
    let t = crate::text::clean(raw, multiline);
    if t.chars().count() > max {
        return Err(LumenError::invalid(
            field,
            format!("Keep it under {max} characters."),
        ));
    }
    Ok(t)
}

/// The sizes of a photo, smallest first, at the URLs `url` builds from each R2 key.
pub fn images(mut variants: Vec<VariantRow>, url: impl Fn(&str) -> String) -> Vec<ImageSrc> {
    variants.sort_by_key(|v| v.width);
    variants
        .into_iter()
        .map(|v| ImageSrc {
            url: url(&v.r2_key),
            width: v.width,
            height: v.height,
        })
        .collect()
}

/// A `srcset` value naming every size.
fn srcset(images: &[ImageSrc]) -> String {
    images
        .iter()
        .map(|i| format!("{} {}w", i.url, i.width))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The page's view of a row, for `viewer`: the location and original only if allowed.
pub fn view(row: PhotoRow, images: Vec<ImageSrc>, viewer: Option<&str>) -> PhotoView {
    let is_owner = viewer == Some(row.owner_id.as_str());
    let gps = access::allows(viewer, &row, Action::SeeLocation)
        .then(|| {
            row.gps_json
                .as_deref()
                .and_then(|g| serde_json::from_str::<media::Gps>(g).ok())
        })
        .flatten();
    let location = gps
        .as_ref()
        .map(|g| format!("{:.5}, {:.5}", g.latitude, g.longitude));
    let original_url =
        access::allows(viewer, &row, Action::DownloadOriginal).then(|| keys::original_url(&row.id));
    let facts = CameraFacts {
        file_size: (row.status == PhotoStatus::Ready).then(|| file_size(row.bytes)),
        map_url: gps.as_ref().map(map_url),
        ..row
            .exif_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<media::Exif>(j).ok())
            .map(facts)
            .unwrap_or_default()
    };
    PhotoView {
        blur: crate::ssr::placeholder::data_url(row.thumbhash.as_deref()),
        created_at: format_date(row.created_at),
        id: row.id,
        title: row.title,
        caption: row.caption,
        alt: row.alt,
        visibility: row.visibility,
        owner: row.owner_username,
        is_owner,
        allow_original: row.allow_original,
        original_url,
        location,
        status: row.status,
        failure: row.failure,
        width: row.width,
        height: row.height,
        images,
        placeholder: row.placeholder,
        facts,
        preview: Preview::default(),
    }
}

fn facts(e: media::Exif) -> CameraFacts {
    let camera = match (e.make, e.model) {
        (Some(make), Some(model)) if model.starts_with(&make) => Some(model),
        (Some(make), Some(model)) => Some(format!("{make} {model}")),
        (a, b) => a.or(b),
    };
    let focal = e.focal_length_mm.filter(|mm| *mm > 0.0).map(|mm| {
        match e.focal_35mm.filter(|eq| (*eq as f32 - mm).abs() >= 1.0) {
            Some(eq) => format!("{} mm ({eq} mm in 35 mm terms)", trim(mm, 1)),
            None => format!("{} mm", trim(mm, 1)),
        }
    });
    let compensation = e.exposure_bias.filter(|ev| ev.abs() >= 0.05).map(|ev| {
        format!(
            "{}{} EV",
            if ev > 0.0 { "+" } else { "−" },
            trim(ev.abs(), 1)
        )
    });
    let zone = e.taken_offset.as_deref();
    CameraFacts {
        camera,
        lens: e.lens,
        focal,
        aperture: e
            .f_number
            .filter(|f| *f > 0.0)
            .map(|f| format!("ƒ/{}", trim(f, 1))),
        shutter: e.exposure_time.map(|t| format!("{t} s")),
        iso: e.iso.map(|iso| format!("ISO {iso}")),
        compensation,
        taken_at: e.taken_at.as_deref().map(|t| {
            let shown = t.replace('T', " ");
            let shown = shown.get(..16).unwrap_or(&shown).to_string();
            match zone {
                Some(z) => format!("{shown} (UTC{z})"),
                None => shown,
            }
        }),
        taken_iso: e
            .taken_at
            .map(|t| format!("{t}{}", zone.unwrap_or_default())),
        file_size: None,
        map_url: None,
    }
}

/// `v` with at most `places` decimals and no trailing zeros ("2.8", "50", "0.7").
fn trim(v: f32, places: usize) -> String {
    let s = format!("{v:.places$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Bytes for people: "950 KB", "4.2 MB" (decimal units, as file managers show them).
pub fn file_size(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{} GB", trim((b / 1e9) as f32, 1))
    } else if b >= 1e6 {
        format!("{} MB", trim((b / 1e6) as f32, 1))
    } else if b >= 1e3 {
        format!("{} KB", (b / 1e3).round())
    } else {
        format!("{bytes} bytes")
    }
}

/// An OpenStreetMap page centred on the point: a link only, so no tile loads unless the
/// owner follows it.
fn map_url(g: &media::Gps) -> String {
    format!(
        "https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=15/{lat:.5}/{lon:.5}",
        lat = g.latitude,
        lon = g.longitude
    )
}

pub fn format_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session};

    #[test]
    fn feed_is_newest_first_finished_public_only_with_thumbs() {
        let (p, mem) = fake_platform();
        mem.insert(pending_row("pending", 1));
        let mut ready = pending_row("new", 2);
        ready.status = PhotoStatus::Ready;
        mem.insert(ready);
        for w in [320, 640, 1280] {
            mem.add_variant("new", w);
        }
        let mut failed = pending_row("failed", 3);
        failed.status = PhotoStatus::Failed;
        mem.insert(failed);
        let mut private = pending_row("private", 3);
        private.visibility = Visibility::Private;
        private.status = PhotoStatus::Ready;
        mem.insert(private);
        let page = block_on(feed(&p, None)).unwrap();
        assert_eq!(
            page.photos
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            ["new"]
        );
        assert_eq!(page.photos[0].thumb.as_ref().map(|t| t.width), Some(640));
        assert_eq!(page.next, None);
    }

    /// Pages of PAGE_SIZE, each starting after the last one shown: every photo once, even
    /// with equal times and with new photos arriving between pages.
    #[test]
    fn pages_cover_every_photo_once_while_new_ones_arrive() {
        let (p, mem) = fake_platform();
        let add = |id: String, at: i64| {
            let mut row = pending_row(&id, at);
            row.status = PhotoStatus::Ready;
            mem.insert(row);
        };
        // 75 photos, three to a millisecond.
        for i in 0..75 {
            add(format!("p{i:03}"), i / 3);
        }
        let mut seen = Vec::new();
        let mut before: Option<String> = None;
        for round in 0.. {
            let page = block_on(feed(&p, before.as_deref())).unwrap();
            assert!(page.photos.len() <= PAGE_SIZE as usize);
            seen.extend(page.photos.into_iter().map(|c| c.id));
            // Uploads land on top meanwhile: they never shift what comes next.
            add(format!("new{round}"), 1_000 + round);
            match page.next {
                Some(n) => before = Some(n),
                None => break,
            }
        }
        let mut want: Vec<String> = (0..75).map(|i| format!("p{i:03}")).collect();
        want.reverse();
        assert_eq!(seen, want);
        assert_eq!(
            block_on(feed(&p, Some("nonsense")))
                .map(|_| ())
                .map_err(|e| e.status()),
            Err(400)
        );
    }

    #[test]
    fn the_owner_sees_pending_and_failed_with_the_reason_others_do_not() {
        let (p, mem) = fake_platform();
        let owner = session(&p, "u1", "ada");
        let other = session(&p, "u2", "bob");
        let mut failed = pending_row("failed", 2);
        failed.status = PhotoStatus::Failed;
        failed.failure = Some("Not an image Lumen can read.".into());
        mem.insert(failed);
        mem.insert(pending_row("pending", 1));
        let mine = block_on(profile(&p, Some(&owner), "ada", None)).unwrap();
        let ids: Vec<_> = mine.photos.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["failed", "pending"]);
        assert_eq!(
            mine.photos[0].failure.as_deref(),
            Some("Not an image Lumen can read.")
        );
        assert!(block_on(profile(&p, Some(&other), "ada", None))
            .unwrap()
            .photos
            .is_empty());
        assert!(block_on(profile(&p, None, "ada", None))
            .unwrap()
            .photos
            .is_empty());
    }

    const ORIGIN: &str = "https://lumen.test";

    /// Previews carry absolute URLs; only public photos show their image.
    #[test]
    fn previews_are_absolute_and_public_only() {
        let (p, mem) = fake_platform();
        let mut row = pending_row("p1", 1);
        row.status = PhotoStatus::Ready;
        row.rev = Some("r".into());
        row.caption = "A caption".into();
        mem.insert(row.clone());
        for w in [320, 1280, 2048] {
            mem.add_variant("p1", w);
        }
        let v = block_on(photo(&p, None, "p1", ORIGIN)).unwrap();
        assert_eq!(v.preview.url, "https://lumen.test/p/p1");
        assert_eq!(v.preview.description, "A caption");
        let image = v.preview.image.unwrap();
        assert_eq!(image.url, "https://lumen.test/media/p1/r/1280.jpg");
        assert_eq!(image.width, 1280);
        row.visibility = Visibility::Unlisted;
        mem.insert(row);
        let v = block_on(photo(&p, None, "p1", ORIGIN)).unwrap();
        assert_eq!(v.preview.image, None);
    }

    #[test]
    fn missing_photo_is_not_found() {
        let (p, _) = fake_platform();
        assert_eq!(
            block_on(photo(&p, None, "nope", ORIGIN)),
            Err(LumenError::NotFound)
        );
    }

    #[test]
    fn private_photos_are_the_owners_alone() {
        let (p, mem) = fake_platform();
        let owner = session(&p, "u1", "ada");
        let other = session(&p, "u2", "bob");
        let mut row = pending_row("p1", 1);
        row.visibility = Visibility::Private;
        row.gps_json = Some(r#"{"latitude":51.5,"longitude":-0.12,"altitude":null}"#.into());
        mem.insert(row);
        assert_eq!(
            block_on(photo(&p, None, "p1", ORIGIN)),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(photo(&p, Some(&other), "p1", ORIGIN)),
            Err(LumenError::NotFound)
        );
        let mine = block_on(photo(&p, Some(&owner), "p1", ORIGIN)).unwrap();
        assert!(mine.is_owner);
        assert_eq!(mine.location.as_deref(), Some("51.50000, -0.12000"));
        assert!(block_on(feed(&p, None)).unwrap().photos.is_empty());
        assert!(block_on(profile(&p, None, "ada", None))
            .unwrap()
            .photos
            .is_empty());
        assert_eq!(
            block_on(profile(&p, Some(&owner), "ADA", None))
                .unwrap()
                .photos
                .len(),
            1
        );
        // Profiles are by username only, never by email.
        assert_eq!(
            block_on(profile(&p, None, "ada@example.test", None)),
            Err(LumenError::NotFound)
        );
    }

    #[test]
    fn others_see_public_photos_without_location_or_original() {
        let (p, mem) = fake_platform();
        let other = session(&p, "u2", "bob");
        let mut row = pending_row("p1", 1);
        row.gps_json = Some(r#"{"latitude":1.0,"longitude":2.0,"altitude":null}"#.into());
        mem.insert(row.clone());
        let v = block_on(photo(&p, Some(&other), "p1", ORIGIN)).unwrap();
        assert!(!v.is_owner);
        assert_eq!((v.location, v.original_url), (None, None));
        row.allow_original = true;
        mem.insert(row);
        let v = block_on(photo(&p, None, "p1", ORIGIN)).unwrap();
        assert_eq!(v.original_url.as_deref(), Some("/original/p1"));
        assert_eq!(v.location, None);
    }

    fn an_edit(vis: Visibility) -> PhotoEdit {
        PhotoEdit {
            title: " New title ".into(),
            caption: "line one\nline two<script>".into(),
            alt: "alt".into(),
            visibility: vis,
            allow_original: false,
        }
    }

    #[test]
    fn only_the_owner_edits_and_deletes() {
        let (p, mem) = fake_platform();
        let owner = session(&p, "u1", "ada");
        let other = session(&p, "u2", "bob");
        mem.insert(pending_row("p1", 1));
        mem.put_blob(&keys::original("u1", "p1"), vec![1]);
        mem.add_variant("p1", 320);
        mem.put_blob(&keys::variant("p1", "r", 320, "jpg"), vec![2]);

        let e = block_on(edit(&p, &other, "p1", an_edit(Visibility::Private)));
        assert_eq!(e, Err(LumenError::Forbidden));
        assert_eq!(mem.photo("p1").unwrap().title, "p1", "unchanged");
        assert_eq!(
            block_on(delete(&p, &other, "p1")),
            Err(LumenError::Forbidden)
        );

        block_on(edit(&p, &owner, "p1", an_edit(Visibility::Private))).unwrap();
        let row = mem.photo("p1").unwrap();
        assert_eq!(row.title, "New title");
        assert_eq!(
            row.caption, "line one\nline two<script>",
            "stored as typed, escaped on output"
        );
        assert_eq!(row.visibility, Visibility::Private);
        // Now private: to others it does not exist.
        assert_eq!(
            block_on(delete(&p, &other, "p1")),
            Err(LumenError::NotFound)
        );

        // Invisible-only is no title; bidi controls never reach a name.
        let mut blank = an_edit(Visibility::Public);
        blank.title = " \t\n\u{a0}\u{200b}".into();
        let e = block_on(edit(&p, &owner, "p1", blank)).unwrap_err();
        assert_eq!(e.to_string(), "title: A photo needs a title.");
        assert_eq!(mem.photo("p1").unwrap().title, "New title", "unchanged");
        let mut spoof = an_edit(Visibility::Private);
        spoof.title = "photo\u{202E}gnp.exe.png".into();
        spoof.caption = "\u{2067}a\nb\u{200f}".into();
        block_on(edit(&p, &owner, "p1", spoof)).unwrap();
        let row = mem.photo("p1").unwrap();
        assert_eq!(
            (row.title.as_str(), row.caption.as_str()),
            ("photognp.exe.png", "a\nb")
        );

        let mut long = an_edit(Visibility::Public);
        long.caption = "x".repeat(MAX_CAPTION + 1);
        assert_eq!(
            block_on(edit(&p, &owner, "p1", long)).unwrap_err().status(),
            422
        );

        block_on(delete(&p, &owner, "p1")).unwrap();
        assert!(
            mem.photo("p1").unwrap().trashed_at.is_some(),
            "in the trash"
        );
        assert_eq!(mem.blobs.len(), 2, "kept until the purge");
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
        assert_eq!(f.shutter.as_deref(), Some("1/250 s"));
        assert_eq!(f.aperture.as_deref(), Some("ƒ/2.8"));
        assert_eq!(f.iso.as_deref(), Some("ISO 400"));
        assert_eq!(f.focal, None);
        assert_eq!(f.compensation, None);
        assert_eq!(format_date(0), "1 January 1970");
    }

    #[test]
    fn full_exif_reads_as_a_photographer_writes_it() {
        let f = facts(media::Exif {
            make: Some("Canon".into()),
            model: Some("Canon EOS R5".into()),
            lens: Some("RF 24-70mm F2.8 L".into()),
            exposure_time: Some("1/4000".into()),
            f_number: Some(1.8),
            iso: Some(100),
            focal_length_mm: Some(35.0),
            focal_35mm: Some(52),
            exposure_bias: Some(-0.7),
            taken_at: Some("2024-06-01T18:42:07".into()),
            taken_offset: Some("+02:00".into()),
            ..Default::default()
        });
        assert_eq!(f.camera.as_deref(), Some("Canon EOS R5"));
        assert_eq!(f.focal.as_deref(), Some("35 mm (52 mm in 35 mm terms)"));
        assert_eq!(f.aperture.as_deref(), Some("ƒ/1.8"));
        assert_eq!(f.compensation.as_deref(), Some("−0.7 EV"));
        assert_eq!(f.taken_at.as_deref(), Some("2024-06-01 18:42 (UTC+02:00)"));
        assert_eq!(f.taken_iso.as_deref(), Some("2024-06-01T18:42:07+02:00"));
        // A full-frame camera's equal equivalent is not repeated.
        let same = facts(media::Exif {
            focal_length_mm: Some(50.0),
            focal_35mm: Some(50),
            exposure_bias: Some(0.0),
            ..Default::default()
        });
        assert_eq!(same.focal.as_deref(), Some("50 mm"));
        assert_eq!(same.compensation, None);
        assert_eq!(file_size(950_000), "950 KB");
        assert_eq!(file_size(4_200_000), "4.2 MB");
        assert_eq!(file_size(12), "12 bytes");
    }
}
