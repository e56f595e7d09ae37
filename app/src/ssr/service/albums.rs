//! Albums: an owner's ordered collections of their own photos. Every path asks
//! `access::check_album` first, and every listing shows only what `access::shows_in_album`
//! lets the viewer see, covers included.

use crate::error::LumenError;
use crate::model::{
    AlbumCard, AlbumChoice, AlbumPlace, AlbumSort, AlbumView, ImageSrc, Preview, Visibility,
};
use crate::ssr::access::{self, Action, AlbumAction};
use crate::ssr::auth::Session;
use crate::ssr::cache as tags;
use crate::ssr::cursor::{self, Cursor, PAGE_SIZE};
use crate::ssr::keys;
use crate::ssr::ports::{
    AlbumAfter, AlbumEntry, AlbumFront, AlbumRow, CardRow, EntryScope, PhotoRow,
};
use crate::ssr::position;
use crate::ssr::service::cache;
use crate::ssr::service::photos::{cards, text, visible};
use crate::ssr::zip::{self, ZipEntry, ZipPlan};
use crate::ssr::Platform;

pub const MAX_TITLE: usize = 100;
pub const MAX_DESCRIPTION: usize = 2000;
/// Photos one form may add or remove at once.
pub const MAX_BATCH: usize = 200;

/// What the owner types about an album.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbumForm {
    pub title: String,
    pub description: String,
    pub visibility: String,
    pub sort: String,
}

struct Checked {
    title: String,
    description: String,
    visibility: Visibility,
    sort: AlbumSort,
}

fn check_form(f: &AlbumForm) -> Result<Checked, LumenError> {
    let title = text("title", &f.title, MAX_TITLE, false)?;
    if title.is_empty() {
        return Err(LumenError::invalid("title", "An album needs a title."));
    }
    Ok(Checked {
        title,
        description: text("description", &f.description, MAX_DESCRIPTION, true)?,
        visibility: Visibility::parse(&f.visibility).ok_or_else(|| {
            LumenError::invalid("visibility", "Choose public, unlisted or private.")
        })?,
        sort: AlbumSort::parse(&f.sort).ok_or_else(|| {
            LumenError::invalid("sort", "Choose your order, date taken or date added.")
        })?,
    })
}

pub async fn create(p: &Platform, s: &Session, form: &AlbumForm) -> Result<String, LumenError> {
    let f = check_form(form)?;
    let now = p.clock.now_ms();
    let album = AlbumRow {
        id: p.ids.new_id()?,
        owner_id: s.user.id.clone(),
        title: f.title,
        description: f.description,
        visibility: f.visibility,
        cover_photo_id: None,
        sort: f.sort,
        created_at: now,
        updated_at: now,
        owner_suspended: false,
    };
    p.albums.insert(&album).await?;
    cache::album_changed(p, &album).await;
    Ok(album.id)
}

/// The album if the viewer may do `action` with it, else `NotFound` (or 401/403 as the
/// access rules say).
pub async fn allowed(
    p: &Platform,
    viewer: Option<&Session>,
    id: &str,
    action: AlbumAction,
) -> Result<AlbumRow, LumenError> {
    let album = p.albums.get(id).await?.ok_or(LumenError::NotFound)?;
    access::check_album(viewer.map(|s| s.user.id.as_str()), &album, action)?;
    Ok(album)
}

pub async fn edit(p: &Platform, s: &Session, id: &str, form: &AlbumForm) -> Result<(), LumenError> {
    let album = allowed(p, Some(s), id, AlbumAction::Edit).await?;
    let f = check_form(form)?;
    let edited = AlbumRow {
        title: f.title,
        description: f.description,
        visibility: f.visibility,
        sort: f.sort,
        updated_at: p.clock.now_ms(),
        ..album
    };
    p.albums.update(&edited).await?;
    cache::album_changed(p, &edited).await;
    Ok(())
}

/// Deletes the album; its photos stay where they are.
pub async fn delete(p: &Platform, s: &Session, id: &str) -> Result<(), LumenError> {
    let album = allowed(p, Some(s), id, AlbumAction::Delete).await?;
    p.albums.delete(id).await?;
    cache::album_changed(p, &album).await;
    Ok(())
}

fn batch(photo_ids: &[String]) -> Result<(), LumenError> {
    if photo_ids.is_empty() {
        return Err(LumenError::invalid("photos", "Choose at least one photo."));
    }
    if photo_ids.len() > MAX_BATCH {
        return Err(LumenError::invalid(
            "photos",
            format!("Choose at most {MAX_BATCH} photos at a time."),
        ));
    }
    Ok(())
}

/// Adds the owner's own photos at the end, in the order given; photos already in stay
/// where they are. Anyone else's photo, or one that does not exist, refuses the whole
/// batch with `NotFound` and adds nothing.
pub async fn add(
    p: &Platform,
    s: &Session,
    album_id: &str,
    photo_ids: &[String],
) -> Result<u32, LumenError> {
    let album = allowed(p, Some(s), album_id, AlbumAction::Edit).await?;
    batch(photo_ids)?;
    for id in photo_ids {
        let photo = visible(p, Some(s), id, Action::Edit).await?;
        if photo.owner_id != album.owner_id {
            return Err(LumenError::NotFound);
        }
    }
    let entries = p
        .album_photos
        .entries(std::slice::from_ref(&album.id))
        .await?;
    let mut last = entries.last().map(|e| e.position.clone());
    let mut items = Vec::with_capacity(photo_ids.len());
    for id in photo_ids {
        if entries.iter().any(|e| &e.photo.id == id) || items.iter().any(|(i, _)| i == id) {
            continue;
        }
        let key = position::between(last.as_deref(), None).ok_or_else(bad_order)?;
        last = Some(key.clone());
        items.push((id.clone(), key));
    }
    let added = p
        .album_photos
        .add(&album.id, &items, p.clock.now_ms())
        .await?;
    cache::album_changed(p, &album).await;
    Ok(added)
}

pub async fn remove(
    p: &Platform,
    s: &Session,
    album_id: &str,
    photo_ids: &[String],
) -> Result<u32, LumenError> {
    let album = allowed(p, Some(s), album_id, AlbumAction::Edit).await?;
    batch(photo_ids)?;
    let removed = p.album_photos.remove(album_id, photo_ids).await?;
    cache::album_changed(p, &album).await;
    Ok(removed)
}

/// A move in the owner's manual order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    Earlier,
    Later,
    /// Just before another photo of the album (dragging).
    Before(String),
    /// After the last one.
    ToEnd,
}

impl Move {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "earlier" => Some(Self::Earlier),
            "later" => Some(Self::Later),
            _ => None,
        }
    }
}

/// Moves one photo: one row written (the whole album only when a key has grown long after
/// many moves at one spot).
pub async fn move_photo(
    p: &Platform,
    s: &Session,
    album_id: &str,
    photo_id: &str,
    to: Move,
) -> Result<(), LumenError> {
    let album = allowed(p, Some(s), album_id, AlbumAction::Edit).await?;
    reorder(p, &album, photo_id, to).await?;
    cache::album_changed(p, &album).await;
    Ok(())
}

async fn reorder(
    p: &Platform,
    album: &AlbumRow,
    photo_id: &str,
    to: Move,
) -> Result<(), LumenError> {
    let mut rest = p
        .album_photos
        .entries(std::slice::from_ref(&album.id))
        .await?;
    let i = rest
        .iter()
        .position(|e| e.photo.id == photo_id)
        .ok_or(LumenError::NotFound)?;
    let moved = rest.remove(i);
    // Where it goes among the others.
    let at = match &to {
        Move::Earlier => i.saturating_sub(1),
        Move::Later => (i + 1).min(rest.len()),
        Move::ToEnd => rest.len(),
        Move::Before(other) => rest
            .iter()
            .position(|e| &e.photo.id == other)
            .ok_or(LumenError::NotFound)?,
    };
    if at == i {
        return Ok(());
    }
    let key = |j: Option<usize>| j.and_then(|j| rest.get(j)).map(|e| e.position.as_str());
    let new = position::between(key(at.checked_sub(1)), key(Some(at))).ok_or_else(bad_order)?;
    if position::is_long(&new) {
        rest.insert(at, moved);
        return respread(p, &album.id, &rest).await;
    }
    Ok(p.album_photos
        .set_position(&album.id, photo_id, &new)
        .await?)
}

/// Rewrites every key of the album evenly, in the order given.
async fn respread(p: &Platform, album_id: &str, order: &[AlbumEntry]) -> Result<(), LumenError> {
    for (e, key) in order.iter().zip(position::spread(order.len())) {
        p.album_photos
            .set_position(album_id, &e.photo.id, &key)
            .await?;
    }
    Ok(())
}

fn bad_order() -> LumenError {
    let ref_id = crate::error::short_ref("album positions out of order");
    leptos::logging::error!("album positions out of order ref={ref_id}");
    LumenError::Internal { ref_id }
}

/// Chooses the cover; it must be one of the album's photos.
pub async fn set_cover(
    p: &Platform,
    s: &Session,
    album_id: &str,
    photo_id: &str,
) -> Result<(), LumenError> {
    let album = allowed(p, Some(s), album_id, AlbumAction::Edit).await?;
    let entries = p
        .album_photos
        .entries(std::slice::from_ref(&album.id))
        .await?;
    if !entries.iter().any(|e| e.photo.id == photo_id) {
        return Err(LumenError::NotFound);
    }
    let edited = AlbumRow {
        cover_photo_id: Some(photo_id.to_string()),
        updated_at: p.clock.now_ms(),
        ..album
    };
    p.albums.update(&edited).await?;
    cache::album_changed(p, &edited).await;
    Ok(())
}

/// The photos of `entries` the viewer may see in `album`, in the album's order.
fn shown(viewer: Option<&str>, album: &AlbumRow, entries: Vec<AlbumEntry>) -> Vec<PhotoRow> {
    ordered(
        album,
        entries
            .into_iter()
            .filter(|e| e.album_id == album.id && access::shows_in_album(viewer, album, &e.photo))
            .collect(),
    )
}

/// `entries` of `album` in the order its owner chose, ties broken as the paged queries
/// break them (so previous / next agree with the pages).
pub(crate) fn ordered(album: &AlbumRow, mut entries: Vec<AlbumEntry>) -> Vec<PhotoRow> {
    match album.sort {
        AlbumSort::Manual => {
            entries.sort_by(|a, b| (&a.position, &a.photo.id).cmp(&(&b.position, &b.photo.id)))
        }
        AlbumSort::Added => {
            entries.sort_by(|a, b| (b.added_at, &b.photo.id).cmp(&(a.added_at, &a.photo.id)))
        }
        // Undated photos after the dated ones, by upload time.
        AlbumSort::Taken => entries.sort_by(|a, b| {
            (a.taken_key(), a.photo.created_at, &a.photo.id).cmp(&(
                b.taken_key(),
                b.photo.created_at,
                &b.photo.id,
            ))
        }),
    }
    entries.into_iter().map(|e| e.photo).collect()
}

/// The `?before=` of an album page, by the album's sort, or a 400 (a cursor of another
/// sort too: the owner changed it meanwhile).
fn album_after(album: &AlbumRow, raw: Option<&str>) -> Result<Option<AlbumAfter>, LumenError> {
    let Some(c) = Cursor::parse(raw)? else {
        return Ok(None);
    };
    let num = |s: &str| s.parse::<i64>().map_err(|_| cursor::broken());
    Ok(Some(match (album.sort, c.parts()) {
        (AlbumSort::Manual, [pos, id]) => AlbumAfter::Manual(pos.clone(), id.clone()),
        (AlbumSort::Added, [at, id]) => AlbumAfter::Added(num(at)?, id.clone()),
        (AlbumSort::Taken, [key, at, id]) => AlbumAfter::Taken(key.clone(), num(at)?, id.clone()),
        _ => return Err(cursor::broken()),
    }))
}

/// The cursor naming `e` in `album`'s order.
fn after_key(album: &AlbumRow, e: &AlbumEntry<CardRow>) -> String {
    match album.sort {
        AlbumSort::Manual => Cursor::encode(&[&e.position, &e.photo.id]),
        AlbumSort::Added => Cursor::of_time(e.added_at, &e.photo.id),
        AlbumSort::Taken => {
            Cursor::encode(&[e.taken_key(), &e.photo.created_at.to_string(), &e.photo.id])
        }
    }
}

/// A page of `album` within `scope` after `raw_before`, keeping only the entries `keep`
/// allows (the access check on each row, after the query's own filter), and the next
/// page's cursor.
pub(crate) async fn page_of(
    p: &Platform,
    album: &AlbumRow,
    scope: EntryScope,
    raw_before: Option<&str>,
    keep: impl Fn(&AlbumEntry<CardRow>) -> bool,
) -> Result<(Vec<CardRow>, Option<String>), LumenError> {
    let after = album_after(album, raw_before)?;
    let rows = p
        .album_photos
        .page(album, scope, after.as_ref(), PAGE_SIZE + 1)
        .await?;
    let (rows, next) = cursor::page(rows, PAGE_SIZE, |e| after_key(album, e));
    Ok((
        rows.into_iter()
            .filter(|e| e.album_id == album.id && keep(e))
            .map(|e| e.photo)
            .collect(),
        next,
    ))
}

/// How many of `album`'s photos are within `scope`, and the cover a listing within it shows:
/// the owner's choice if `keep` allows it, else the album's first photo if `keep` allows it.
/// Never a photo the viewer could not open. One read of at most two lean rows.
pub(crate) async fn count_and_cover(
    p: &Platform,
    album: &AlbumRow,
    scope: EntryScope,
    keep: impl Fn(&AlbumEntry<CardRow>) -> bool,
) -> Result<(u32, Option<CardRow>), LumenError> {
    let fronts = p
        .album_photos
        .fronts(std::slice::from_ref(album), scope)
        .await?;
    Ok(fronts
        .into_iter()
        .find(|f| f.album_id == album.id)
        .map_or((0, None), |f| (f.count, cover_in(&f, keep))))
}

/// The cover of an album's front: its chosen entry if `keep` allows it, else its first.
fn cover_in(f: &AlbumFront, keep: impl Fn(&AlbumEntry<CardRow>) -> bool) -> Option<CardRow> {
    f.chosen
        .iter()
        .find(|e| keep(e))
        .or(f.first.iter().find(|e| keep(e)))
        .map(|e| e.photo.clone())
}

/// `/a/{id}`, a page at a time. `origin` (`https://host`) makes the preview's URLs absolute.
pub async fn album(
    p: &Platform,
    viewer: Option<&Session>,
    id: &str,
    origin: &str,
    raw_before: Option<&str>,
) -> Result<AlbumView, LumenError> {
    let album = allowed(p, viewer, id, AlbumAction::View).await?;
    tags::tag(tags::album(&album.id));
    tags::tag(tags::user(&album.owner_id));
    let who = viewer.map(|s| s.user.id.as_str());
    let scope = access::album_scope(who, &album);
    let shows = |e: &AlbumEntry<CardRow>| access::shows_in_album(who, &album, &e.photo);
    let (rows, next) = page_of(p, &album, scope, raw_before, shows).await?;
    let (count, cover) = count_and_cover(p, &album, scope, shows).await?;
    let is_owner = who == Some(album.owner_id.as_str());
    // The preview's image is what anyone would see as the cover, and only for a public
    // album: a preview never shows what a stranger could not open. Anyone but the owner
    // sees what a stranger sees (the same scope and rule), so only the owner's page reads
    // the stranger's cover on its own.
    let public_cover = match album.visibility {
        Visibility::Public if !is_owner => cover.clone(),
        Visibility::Public => {
            let anyone = |e: &AlbumEntry<CardRow>| access::shows_in_album(None, &album, &e.photo);
            count_and_cover(p, &album, access::album_scope(None, &album), anyone)
                .await?
                .1
        }
        _ => None,
    };
    let cover_photo_id = cover.map(|c| c.id);
    tags::photos(cover_photo_id.as_deref());
    let owner = p.users.by_id(&album.owner_id).await?.map(|u| u.username);
    let image = match public_cover {
        Some(c) => p
            .photos
            .variants(std::slice::from_ref(&c.id))
            .await?
            .into_iter()
            .filter(|v| v.width <= crate::ssr::service::photos::PREVIEW_MAX_WIDTH)
            .max_by_key(|v| v.width)
            .map(|v| ImageSrc {
                url: keys::absolute(origin, &keys::variant_url(&v.r2_key)),
                width: v.width,
                height: v.height,
            }),
        None => None,
    };
    let preview = Preview {
        url: keys::absolute(origin, &format!("/a/{}", album.id)),
        title: album.title.clone(),
        description: if album.description.is_empty() {
            album.title.clone()
        } else {
            album.description.chars().take(200).collect()
        },
        image,
    };
    Ok(AlbumView {
        preview,
        is_owner,
        photos: cards(p, rows).await?,
        count,
        next,
        id: album.id,
        title: album.title,
        description: album.description,
        visibility: album.visibility,
        sort: album.sort,
        owner,
        cover_photo_id,
    })
}

/// A profile's Albums tab: public albums, or all of them on your own profile.
pub async fn of_user(
    p: &Platform,
    viewer: Option<&Session>,
    username: &str,
) -> Result<Vec<AlbumCard>, LumenError> {
    let user = p
        .users
        .by_username(&username.to_lowercase())
        .await?
        .ok_or(LumenError::NotFound)?;
    access::check_person(&user)?;
    let who = viewer.map(|s| s.user.id.as_str());
    let is_me = who == Some(user.id.as_str());
    let albums = p.albums.by_owner(&user.id, is_me).await?;
    // Count and cover from at most two lean rows an album, one read for each scope the
    // albums fall in: one for a visitor (public albums only), two at most for the owner
    // (an unlisted album's scope differs only in a flag the owner's scope ignores).
    let mut by_scope: Vec<(EntryScope, Vec<AlbumRow>)> = Vec::new();
    for album in &albums {
        let scope = access::album_scope(who, album);
        match by_scope.iter_mut().find(|(s, _)| *s == scope) {
            Some((_, of)) => of.push(album.clone()),
            None => by_scope.push((scope, vec![album.clone()])),
        }
    }
    let mut fronts = Vec::new();
    for (scope, of) in by_scope {
        fronts.extend(p.album_photos.fronts(&of, scope).await?);
    }
    let mut shown_in = Vec::with_capacity(albums.len());
    let mut covers = Vec::new();
    for album in albums {
        let shows = |e: &AlbumEntry<CardRow>| {
            e.album_id == album.id && access::shows_in_album(who, &album, &e.photo)
        };
        let front = fronts
            .iter()
            .find(|f| f.album_id == album.id)
            .filter(|_| access::check_album(who, &album, AlbumAction::View).is_ok());
        let count = front.map_or(0, |f| f.count);
        let cover_row = front.and_then(|f| cover_in(f, shows));
        shown_in.push((album, count, cover_row.is_some()));
        covers.extend(cover_row);
    }
    // Every cover's card in one pass: one variants read for the whole tab, not one an album.
    let mut cover_cards = cards(p, covers).await?.into_iter();
    let mut out = Vec::with_capacity(shown_in.len());
    for (album, count, has_cover) in shown_in {
        let cover_card = if has_cover { cover_cards.next() } else { None };
        out.push(AlbumCard {
            count,
            cover: cover_card.as_ref().and_then(|c| c.thumb.clone()),
            placeholder: cover_card.and_then(|c| c.placeholder),
            id: album.id,
            title: album.title,
            visibility: album.visibility,
        });
    }
    Ok(out)
}

/// Photos one zip download may hold by default. Every original is one R2 read, and a Worker
/// invocation may make 50 subrequests on the free plan (1 000 operations on external
/// services on the paid one); the rest is left for the session, album and entry reads.
/// `LUMEN_ZIP_MAX_PHOTOS` raises it on the paid plan.
pub const MAX_DOWNLOAD_PHOTOS: usize = 40;

/// A zip of an album's originals, planned to the byte before any is read.
pub struct Download {
    pub file_name: String,
    pub plan: ZipPlan,
    /// The R2 key of each entry's original, in the plan's order.
    pub keys: Vec<String>,
}

/// The album's originals as a zip, for whoever may download it (the owner here; a share
/// link's holders through `service::links::download`): its photos in the album's order.
pub async fn download(
    p: &Platform,
    viewer: Option<&Session>,
    id: &str,
    max_photos: usize,
) -> Result<Download, LumenError> {
    let album = allowed(p, viewer, id, AlbumAction::Download).await?;
    let who = viewer.map(|s| s.user.id.as_str());
    let entries = p
        .album_photos
        .entries(std::slice::from_ref(&album.id))
        .await?;
    let rows = shown(who, &album, entries);
    zip_of(&album, &rows, max_photos)
}

/// Each photo's safe, unique file name in a zip (`zip::archive_names`), in order.
pub(crate) fn names_in_zip(rows: &[PhotoRow]) -> Vec<String> {
    let pairs: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.title.as_str(), r.content_type.as_str()))
        .collect();
    zip::archive_names(&pairs)
}

/// A zip that could not be planned (a bug, never the user's doing), logged with its ref.
pub(crate) fn plan_failed(what: &str, e: zip::ZipError) -> LumenError {
    let ref_id = crate::error::short_ref(&format!("{e:?}"));
    leptos::logging::error!("zip plan for {what} ref={ref_id}: {e:?}");
    LumenError::Internal { ref_id }
}

/// The zip of `rows` (already checked and ordered), with safe unique names, planned to
/// the byte; refused when one request could not read that many originals.
pub(crate) fn zip_of(
    album: &AlbumRow,
    rows: &[PhotoRow],
    max_photos: usize,
) -> Result<Download, LumenError> {
    if rows.len() > max_photos {
        return Err(LumenError::Quota {
            reason: format!(
                "This album has {} photos; one download holds at most {max_photos}. Download \
                 the photos from their pages, or split the album.",
                rows.len()
            ),
            retry_after_secs: None,
        });
    }
    let names = names_in_zip(rows);
    let planned = rows
        .iter()
        .zip(names)
        .map(|(r, name)| ZipEntry {
            name,
            size: r.bytes,
            modified_ms: r.created_at,
        })
        .collect();
    let plan = ZipPlan::new(planned).map_err(|e| plan_failed(&format!("album {}", album.id), e))?;
    let stem: String = album
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(60)
        .collect();
    Ok(Download {
        file_name: format!("{}.zip", stem.trim_matches('-')),
        plan,
        keys: rows
            .iter()
            .map(|r| keys::original(&r.owner_id, &r.id))
            .collect(),
    })
}

/// The owner's albums on a photo's page, with whether the photo is in each.
pub async fn choices(
    p: &Platform,
    s: &Session,
    photo_id: &str,
) -> Result<Vec<AlbumChoice>, LumenError> {
    let photo = visible(p, Some(s), photo_id, Action::Edit).await?;
    let albums = p.albums.by_owner(&photo.owner_id, true).await?;
    let holding = p.album_photos.albums_of(&photo.id).await?;
    Ok(albums
        .into_iter()
        .map(|a| AlbumChoice {
            contains: holding.contains(&a.id),
            id: a.id,
            title: a.title,
        })
        .collect())
}

/// Previous and next around a photo opened from an album, in the album's order and among
/// what the viewer may see; `None` when the photo is not shown there.
pub async fn place(
    p: &Platform,
    viewer: Option<&Session>,
    album_id: &str,
    photo_id: &str,
) -> Result<Option<AlbumPlace>, LumenError> {
    let Ok(album) = allowed(p, viewer, album_id, AlbumAction::View).await else {
        return Ok(None);
    };
    let who = viewer.map(|s| s.user.id.as_str());
    let entries = p
        .album_photos
        .entries(std::slice::from_ref(&album.id))
        .await?;
    let rows = shown(who, &album, entries);
    let Some(i) = rows.iter().position(|r| r.id == photo_id) else {
        return Ok(None);
    };
    Ok(Some(AlbumPlace {
        prev: i
            .checked_sub(1)
            .and_then(|j| rows.get(j))
            .map(|r| r.id.clone()),
        next: rows.get(i + 1).map(|r| r.id.clone()),
        album_id: album.id,
        album_title: album.title,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PhotoStatus;
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session, Mem};

    fn form(title: &str, visibility: &str) -> AlbumForm {
        AlbumForm {
            title: title.into(),
            description: "  days by the sea\n".into(),
            visibility: visibility.into(),
            sort: "manual".into(),
        }
    }

    fn ready(mem: &Mem, id: &str, owner: &str, vis: Visibility, t: i64) {
        let mut row = pending_row(id, t);
        row.owner_id = owner.into();
        row.status = PhotoStatus::Ready;
        row.visibility = vis;
        mem.insert(row);
    }

    fn album_at(
        p: &Platform,
        viewer: Option<&Session>,
        id: &str,
    ) -> impl std::future::Future<Output = Result<AlbumView, LumenError>> {
        let (p, viewer, id) = (p.clone(), viewer.cloned(), id.to_string());
        async move { album(&p, viewer.as_ref(), &id, "https://lumen.test", None).await }
    }

    fn ids(v: &AlbumView) -> Vec<&str> {
        v.photos.iter().map(|c| c.id.as_str()).collect()
    }

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn create_edit_delete_and_photos_survive() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        ready(&mem, "p1", "u1", Visibility::Public, 1);
        let id = block_on(create(&p, &ada, &form(" Summer \u{202e}", "public"))).unwrap();
        let a = block_on(p.albums.get(&id)).unwrap().unwrap();
        assert_eq!(
            (a.title.as_str(), a.description.as_str()),
            ("Summer", "days by the sea")
        );
        let blank = block_on(create(&p, &ada, &form("\u{200b} ", "public"))).unwrap_err();
        assert_eq!(blank.status(), 422);
        let bad = block_on(create(&p, &ada, &form("x", "secret"))).unwrap_err();
        assert_eq!(bad.status(), 422);
        block_on(edit(&p, &ada, &id, &form("Winter", "unlisted"))).unwrap();
        assert_eq!(
            block_on(p.albums.get(&id)).unwrap().unwrap().title,
            "Winter"
        );
        block_on(add(&p, &ada, &id, &strs(&["p1"]))).unwrap();
        block_on(delete(&p, &ada, &id)).unwrap();
        assert!(block_on(p.albums.get(&id)).unwrap().is_none());
        assert!(
            mem.photo("p1").is_some(),
            "deleting an album never deletes its photos"
        );
    }

    #[test]
    fn only_the_owner_changes_an_album_and_only_with_their_photos() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        ready(&mem, "mine", "u1", Visibility::Public, 1);
        ready(&mem, "bobs", "u2", Visibility::Public, 2);
        ready(&mem, "bobs-private", "u2", Visibility::Private, 3);
        let public = block_on(create(&p, &ada, &form("Public", "public"))).unwrap();
        let private = block_on(create(&p, &ada, &form("Private", "private"))).unwrap();
        // Bob may see the public album but not change it; the private one does not exist.
        assert_eq!(
            block_on(edit(&p, &bob, &public, &form("x", "public")))
                .unwrap_err()
                .status(),
            403
        );
        assert_eq!(
            block_on(edit(&p, &bob, &private, &form("x", "public")))
                .unwrap_err()
                .status(),
            404
        );
        assert_eq!(
            block_on(delete(&p, &bob, &private)).unwrap_err().status(),
            404
        );
        assert_eq!(
            block_on(add(&p, &bob, &public, &strs(&["bobs"])))
                .unwrap_err()
                .status(),
            403
        );
        // Ada cannot put someone else's photo in her album, public or not.
        for other in ["bobs", "bobs-private", "nope"] {
            let e = block_on(add(&p, &ada, &public, &strs(&["mine", other]))).unwrap_err();
            assert_eq!(
                e.status(),
                if other == "bobs" { 403 } else { 404 },
                "{other}"
            );
        }
        assert!(
            block_on(p.album_photos.entries(std::slice::from_ref(&public)))
                .unwrap()
                .is_empty(),
            "nothing added"
        );
        assert_eq!(
            block_on(album_at(&p, None, &private)).unwrap_err().status(),
            404
        );
    }

    #[test]
    fn strangers_never_see_a_private_photo_through_an_album_or_its_cover() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        ready(&mem, "pub", "u1", Visibility::Public, 1);
        ready(&mem, "unl", "u1", Visibility::Unlisted, 2);
        ready(&mem, "priv", "u1", Visibility::Private, 3);
        let id = block_on(create(&p, &ada, &form("Mixed", "public"))).unwrap();
        block_on(add(&p, &ada, &id, &strs(&["priv", "unl", "pub"]))).unwrap();
        block_on(set_cover(&p, &ada, &id, "priv")).unwrap();
        for photo in ["pub", "priv"] {
            mem.add_variant(photo, 1280);
        }
        let preview_of = |v: &AlbumView| v.preview.image.as_ref().map(|i| i.url.clone());
        let mine = block_on(album_at(&p, Some(&ada), &id)).unwrap();
        assert_eq!(ids(&mine), ["priv", "unl", "pub"]);
        assert_eq!(mine.cover_photo_id.as_deref(), Some("priv"));
        let public_image = preview_of(&mine).unwrap();
        assert!(
            public_image.contains("/pub/"),
            "even on the owner's page, the preview shows what strangers see: {public_image}"
        );
        for viewer in [None, Some(&bob)] {
            let v = block_on(album_at(&p, viewer, &id)).unwrap();
            assert_eq!(preview_of(&v), Some(public_image.clone()));
            assert_eq!(ids(&v), ["pub"], "a public album lists public photos only");
            assert_eq!(
                v.cover_photo_id.as_deref(),
                Some("pub"),
                "never the private cover"
            );
            let cards = block_on(of_user(&p, viewer, "ada")).unwrap();
            assert_eq!(cards.len(), 1);
            assert_eq!(cards[0].count, 1);
        }
        let v = block_on(album_at(&p, None, &id)).unwrap();
        assert_eq!(
            v.preview.url,
            format!("https://lumen.test/a/{id}"),
            "absolute"
        );
        assert_eq!(v.preview.title, "Mixed");
        // Unlisted album: unlisted photos show to those with its link.
        block_on(edit(&p, &ada, &id, &form("Mixed", "unlisted"))).unwrap();
        assert_eq!(
            ids(&block_on(album_at(&p, None, &id)).unwrap()),
            ["unl", "pub"]
        );
        assert!(
            block_on(of_user(&p, None, "ada")).unwrap().is_empty(),
            "not listed"
        );
        // Deleted cover: the first visible photo again.
        block_on(set_cover(&p, &ada, &id, "unl")).unwrap();
        mem.remove("unl");
        assert_eq!(
            block_on(album_at(&p, None, &id))
                .unwrap()
                .cover_photo_id
                .as_deref(),
            Some("pub")
        );
        // Previous / next run among what the viewer sees.
        let place = block_on(super::place(&p, None, &id, "pub"))
            .unwrap()
            .unwrap();
        assert_eq!((place.prev, place.next), (None, None));
        assert_eq!(block_on(super::place(&p, None, &id, "priv")).unwrap(), None);
        let place = block_on(super::place(&p, Some(&ada), &id, "pub"))
            .unwrap()
            .unwrap();
        assert_eq!(place.prev.as_deref(), Some("priv"));
    }

    /// The zip is the owner's, in the album's order, every original once, and a download too
    /// large for one request is refused with the reason.
    #[test]
    fn downloads_are_the_owners_and_planned_to_the_byte() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        for (id, vis) in [("a", Visibility::Public), ("b", Visibility::Private)] {
            ready(&mem, id, "u1", vis, 1);
            mem.put_blob(&keys::original("u1", id), vec![7; 1]);
        }
        let id = block_on(create(&p, &ada, &form("Trip/../x", "public"))).unwrap();
        block_on(add(&p, &ada, &id, &strs(&["b", "a"]))).unwrap();
        for viewer in [None, Some(&bob)] {
            let e = block_on(download(&p, viewer, &id, 10))
                .err()
                .map(|e| e.status());
            assert_eq!(e, Some(404));
        }
        let d = block_on(download(&p, Some(&ada), &id, 10)).unwrap();
        assert_eq!(
            d.keys,
            [keys::original("u1", "b"), keys::original("u1", "a")]
        );
        assert_eq!(d.file_name, "Trip----x.zip");
        assert_eq!(d.plan.len(), 2);
        let e = block_on(download(&p, Some(&ada), &id, 1)).err().unwrap();
        assert_eq!(e.status(), 413);
        assert!(e.to_string().contains("at most 1"), "{e}");
    }

    #[test]
    fn moving_writes_one_row_and_keeps_the_order() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let names: Vec<String> = (0..6).map(|i| format!("p{i}")).collect();
        for (i, n) in names.iter().enumerate() {
            ready(&mem, n, "u1", Visibility::Public, i as i64);
        }
        let id = block_on(create(&p, &ada, &form("Order", "public"))).unwrap();
        assert_eq!(block_on(add(&p, &ada, &id, &names)).unwrap(), 6);
        assert_eq!(
            block_on(add(&p, &ada, &id, &strs(&["p0"]))).unwrap(),
            0,
            "already in"
        );
        block_on(move_photo(&p, &ada, &id, "p3", Move::Earlier)).unwrap();
        block_on(move_photo(&p, &ada, &id, "p0", Move::Later)).unwrap();
        block_on(move_photo(&p, &ada, &id, "p5", Move::Later)).unwrap();
        block_on(move_photo(&p, &ada, &id, "p1", Move::Earlier)).unwrap();
        let v = block_on(album_at(&p, None, &id)).unwrap();
        assert_eq!(ids(&v), ["p1", "p0", "p3", "p2", "p4", "p5"]);
        // Dragging: before another photo, or to the end.
        block_on(move_photo(&p, &ada, &id, "p5", Move::Before("p1".into()))).unwrap();
        block_on(move_photo(&p, &ada, &id, "p5", Move::ToEnd)).unwrap();
        let e = block_on(move_photo(&p, &ada, &id, "p5", Move::Before("nope".into())));
        assert_eq!(e.unwrap_err().status(), 404);
        // Hammering one spot eventually spreads the keys, and the order holds.
        for _ in 0..300 {
            block_on(move_photo(&p, &ada, &id, "p4", Move::Earlier)).unwrap();
            block_on(move_photo(&p, &ada, &id, "p4", Move::Later)).unwrap();
        }
        let entries = block_on(p.album_photos.entries(std::slice::from_ref(&id))).unwrap();
        assert!(entries.iter().all(|e| !position::is_long(&e.position)));
        assert_eq!(
            ids(&block_on(album_at(&p, None, &id)).unwrap()),
            ["p1", "p0", "p3", "p2", "p4", "p5"]
        );
        // Other sorts.
        let mut f = form("Order", "public");
        f.sort = "added".into();
        block_on(edit(&p, &ada, &id, &f)).unwrap();
        assert_eq!(
            block_on(album_at(&p, None, &id)).unwrap().sort,
            AlbumSort::Added
        );
        block_on(remove(&p, &ada, &id, &strs(&["p1", "p2"]))).unwrap();
        assert_eq!(block_on(album_at(&p, None, &id)).unwrap().photos.len(), 4);
        let choices = block_on(choices(&p, &ada, "p1")).unwrap();
        assert_eq!((choices.len(), choices[0].contains), (1, false));
    }

    /// Every page of a 70-photo album in each sort: every photo once, in order; strangers
    /// page past the private and unfinished ones without gaps; bad cursors are a 400.
    #[test]
    fn album_pages_cover_every_photo_once_in_each_order() {
        let (p, mem) = fake_platform();
        let owner = session(&p, "u1", "ada");
        let made = block_on(create(&p, &owner, &form("Big", "public"))).unwrap();
        let mut ids = Vec::new();
        for i in 0..70i64 {
            let id = format!("p{i:02}");
            let mut row = pending_row(&id, 1_000 - i);
            row.status = if i % 10 == 9 {
                PhotoStatus::Pending
            } else {
                PhotoStatus::Ready
            };
            row.visibility = if i % 7 == 6 {
                Visibility::Private
            } else {
                Visibility::Public
            };
            // Some dated (out of upload order), some not.
            if i % 3 != 0 {
                row.exif_json = Some(format!(
                    r#"{{"taken_at":"2024-01-{:02}T10:00:00"}}"#,
                    28 - i % 28
                ));
            }
            mem.insert(row);
            ids.push(id);
        }
        for chunk in ids.chunks(MAX_BATCH) {
            block_on(add(&p, &owner, &made, chunk)).unwrap();
        }
        let walk = |viewer: Option<&Session>| {
            let mut seen = Vec::new();
            let mut before: Option<String> = None;
            loop {
                let v = block_on(album(
                    &p,
                    viewer,
                    &made,
                    "https://lumen.test",
                    before.as_deref(),
                ))
                .unwrap();
                assert!(v.photos.len() <= PAGE_SIZE as usize);
                seen.extend(v.photos.into_iter().map(|c| c.id));
                match v.next {
                    Some(n) => before = Some(n),
                    None => return (seen, v.count),
                }
            }
        };
        for sort in ["manual", "added", "taken"] {
            let mut f = form("Big", "public");
            f.sort = sort.into();
            block_on(edit(&p, &owner, &made, &f)).unwrap();
            let a = block_on(p.albums.get(&made)).unwrap().unwrap();
            let entries = block_on(p.album_photos.entries(std::slice::from_ref(&made))).unwrap();
            let want_all: Vec<String> = ordered(&a, entries.clone())
                .into_iter()
                .map(|r| r.id)
                .collect();
            let (mine, count) = walk(Some(&owner));
            assert_eq!(mine, want_all, "{sort}: the owner sees all, in order");
            assert_eq!(count, 70);
            let want_public: Vec<String> =
                shown(None, &a, entries).into_iter().map(|r| r.id).collect();
            let (theirs, count) = walk(None);
            assert_eq!(theirs, want_public, "{sort}: strangers, no gaps");
            assert_eq!(count as usize, want_public.len());
            assert!(want_public.len() < 70 && want_public.len() > 40);
        }
        // A cursor of another sort (the owner changed it meanwhile) or made up: 400.
        for bad in ["zz", "1.a.b", "x.y"] {
            let e = block_on(album(&p, None, &made, "https://lumen.test", Some(bad)));
            assert_eq!(e.map(|_| ()).map_err(|e| e.status()), Err(400), "{bad}");
        }
    }

    /// The Albums tab counts and covers from lean fronts exactly as it did from every whole
    /// entry: for each viewer and sort, each album's count and cover are what `shown` (the
    /// access rule over whole rows) and the owner's choice, else the first shown, give.
    #[test]
    fn the_albums_tab_counts_and_covers_what_the_viewer_may_see() {
        let (p, mem) = fake_platform();
        let ada = session(&p, "u1", "ada");
        let bob = session(&p, "u2", "bob");
        // (id, visibility, status, EXIF date, trashed)
        let photos = [
            (
                "pub1",
                Visibility::Public,
                PhotoStatus::Ready,
                Some("2024-03"),
                false,
            ),
            (
                "pub2",
                Visibility::Public,
                PhotoStatus::Ready,
                Some("2024-01"),
                false,
            ),
            ("pub3", Visibility::Public, PhotoStatus::Ready, None, false),
            (
                "unl",
                Visibility::Unlisted,
                PhotoStatus::Ready,
                Some("2023-01"),
                false,
            ),
            (
                "priv",
                Visibility::Private,
                PhotoStatus::Ready,
                Some("2022-01"),
                false,
            ),
            (
                "pend",
                Visibility::Public,
                PhotoStatus::Pending,
                Some("2021-01"),
                false,
            ),
            ("fail", Visibility::Public, PhotoStatus::Failed, None, false),
            (
                "gone",
                Visibility::Public,
                PhotoStatus::Ready,
                Some("2020-01"),
                true,
            ),
        ];
        for (i, (id, vis, status, taken, _)) in photos.iter().enumerate() {
            let mut row = pending_row(id, 10 + i as i64);
            row.owner_id = "u1".into();
            row.visibility = *vis;
            row.status = *status;
            row.placeholder = Some(id.to_string());
            row.exif_json = taken.map(|t| format!(r#"{{"taken_at":"{t}-01T00:00:00"}}"#));
            mem.insert(row);
        }
        // (album, visibility, photos in the order added, chosen cover)
        let albums = [
            (
                "Mixed",
                "public",
                &["priv", "gone", "pend", "pub3", "unl", "pub2", "pub1"][..],
                Some("priv"),
            ),
            (
                "Chosen",
                "public",
                &["pub1", "pub2", "pub3"][..],
                Some("pub2"),
            ),
            (
                "Hidden",
                "public",
                &["priv", "pend", "fail", "gone", "unl"][..],
                None,
            ),
            ("Empty", "public", &[][..], None),
            (
                "Link",
                "unlisted",
                &["unl", "pub1", "priv"][..],
                Some("unl"),
            ),
            (
                "Mine",
                "private",
                &["fail", "pub2", "priv"][..],
                Some("pub2"),
            ),
        ];
        let mut made = Vec::new();
        for (title, vis, ids, chosen) in albums {
            let id = block_on(create(&p, &ada, &form(title, vis))).unwrap();
            for photo in ids {
                mem.advance(1);
                block_on(add(&p, &ada, &id, &strs(&[photo]))).unwrap();
            }
            if let Some(c) = chosen {
                block_on(set_cover(&p, &ada, &id, c)).unwrap();
            }
            made.push(id);
        }
        // Trashed after it was added (and chosen as a cover).
        block_on(set_cover(&p, &ada, &made[1], "pub3")).unwrap();
        let mut gone = mem.photo("gone").unwrap();
        gone.trashed_at = Some(99);
        mem.insert(gone);
        let mut pub3 = mem.photo("pub3").unwrap();
        pub3.trashed_at = Some(99);
        mem.insert(pub3);
        for sort in ["manual", "added", "taken"] {
            for (id, (title, vis, _, _)) in made.iter().zip(albums) {
                let mut f = form(title, vis);
                f.sort = sort.into();
                block_on(edit(&p, &ada, id, &f)).unwrap();
            }
            for viewer in [None, Some(&bob), Some(&ada)] {
                let who = viewer.map(|s| s.user.id.as_str());
                let tab = block_on(of_user(&p, viewer, "ada")).unwrap();
                let listed: Vec<&str> = tab.iter().map(|c| c.title.as_str()).collect();
                let want_listed: &[&str] = if who == Some("u1") {
                    &["Mine", "Link", "Empty", "Hidden", "Chosen", "Mixed"]
                } else {
                    &["Empty", "Hidden", "Chosen", "Mixed"]
                };
                assert_eq!(listed, want_listed, "{sort} {who:?}");
                for card in &tab {
                    let a = block_on(p.albums.get(&card.id)).unwrap().unwrap();
                    let entries =
                        block_on(p.album_photos.entries(std::slice::from_ref(&a.id))).unwrap();
                    let rows = shown(who, &a, entries);
                    let cover = a
                        .cover_photo_id
                        .as_deref()
                        .and_then(|c| rows.iter().find(|r| r.id == c))
                        .or(rows.first());
                    assert_eq!(
                        card.count as usize,
                        rows.len(),
                        "{sort} {who:?} {}",
                        a.title
                    );
                    assert_eq!(
                        card.placeholder,
                        cover.and_then(|c| c.placeholder.clone()),
                        "{sort} {who:?} {}",
                        a.title
                    );
                }
                let of = |t: &str| tab.iter().find(|c| c.title == t).unwrap();
                let cover = |t: &str| of(t).placeholder.clone();
                // The chosen cover hidden (private, or trashed): the first shown in the
                // album's own order.
                let first_public = match sort {
                    "manual" => "pub2",
                    "added" => "pub1",
                    _ => "pub2",
                };
                if who == Some("u1") {
                    assert_eq!(cover("Mixed").as_deref(), Some("priv"));
                    assert_eq!((of("Mixed").count, of("Hidden").count), (5, 4));
                    assert_eq!(cover("Mine").as_deref(), Some("pub2"));
                } else {
                    assert_eq!(cover("Mixed").as_deref(), Some(first_public), "{sort}");
                    assert_eq!((of("Mixed").count, of("Hidden").count), (2, 0));
                    assert_eq!(cover("Hidden"), None);
                }
                // Its chosen cover was trashed: the first of the others in the album's order.
                let first_chosen = if sort == "manual" { "pub1" } else { "pub2" };
                assert_eq!(cover("Chosen").as_deref(), Some(first_chosen), "{sort}");
                assert_eq!((of("Empty").count, cover("Empty")), (0, None));
            }
        }
    }
}
