//! Share links: the owner of a photo or an album hands out `/s/{token}`, which shows that
//! one photo, or that album and its photos, to anyone holding it until it expires or is
//! revoked, behind an optional password.
//! Every image the link page shows is served under the link's own path and checked
//! against the link on each request (`access::check_link`), so ending the link ends them.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::LumenError;
use crate::model::{LinkPlace, PhotoView, Preview, ShareLinkView, SharedAlbum, SharedView};
use crate::ssr::access::{self, Action, AlbumAction, LinkAction, LinkState, Shown, Via};
use crate::ssr::auth::{self, Session};
use crate::ssr::cache as tags;
use crate::ssr::guard::RequestHead;
use crate::ssr::keys;
use crate::ssr::limits::{self, Limit};
use crate::ssr::ports::{
    AlbumEntry, AlbumRow, Blob, CardRow, LinkEdit, LinkRow, LinkTarget, PhotoRow, PortError,
};
use crate::ssr::service::{albums, cache, media, photos};
use crate::ssr::Platform;

pub const MAX_LABEL: usize = 100;
pub const MIN_PASSWORD: usize = 6;
pub const MAX_PASSWORD: usize = 200;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// An unlock lasts a day at most (never past the link's own end): a borrowed browser
/// does not keep a password-protected photo open for long.
pub const UNLOCK_MS: i64 = DAY_MS;
/// Wrong passwords, per link (from everywhere) and per network (across links). A correct
/// one gives its count back, so only guesses count.
pub const WRONG_PER_LINK: Limit = Limit::per_minutes(10, 15);
pub const WRONG_PER_NET: Limit = Limit::per_minutes(20, 15);

/// How long a new link lives: 30 days unless the owner picks otherwise; never only when
/// they pick exactly that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Days(i64),
    Never,
}

impl Expiry {
    pub const DEFAULT: Expiry = Expiry::Days(30);

    /// One of `model::LINK_EXPIRY_CHOICES`. A missing choice is the default; anything unknown is refused, never "never".
    pub fn parse(choice: Option<&str>) -> Result<Self, LumenError> {
        match choice.map(str::trim) {
            None | Some("") => Ok(Self::DEFAULT),
            Some("1d") => Ok(Self::Days(1)),
            Some("7d") => Ok(Self::Days(7)),
            Some("30d") => Ok(Self::Days(30)),
            Some("never") => Ok(Self::Never),
            Some(_) => Err(LumenError::invalid(
                "expires",
                "Choose 1 day, 7 days, 30 days or never.",
            )),
        }
    }

    fn at(self, now_ms: i64) -> Option<i64> {
        match self {
            Self::Days(d) => Some(now_ms + d * DAY_MS),
            Self::Never => None,
        }
    }
}

/// The create form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub label: String,
    pub expiry: Expiry,
    /// Blank: no password.
    pub password: String,
    pub allow_downloads: bool,
}

/// The edit form of one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkChange {
    pub label: String,
    /// `None` keeps the current end.
    pub expiry: Option<Expiry>,
    /// Blank keeps the current password.
    pub password: String,
    pub clear_password: bool,
    pub allow_downloads: bool,
}

/// New links per owner per hour: each may hash a password, and a link is a page anyone
/// can open, so a stolen session cannot mint them without end.
pub const CREATES_PER_HOUR: Limit = Limit::per_minutes(60, 60);

/// What a link opens, as stored. Short-lived (one request): the size gap costs nothing.
#[allow(clippy::large_enum_variant)]
enum Target {
    Photo(PhotoRow),
    Album(AlbumRow),
}

impl Target {
    fn shown(&self) -> Shown<'_> {
        match self {
            Self::Photo(photo) => Shown::Photo(photo),
            Self::Album(album) => Shown::Album(album),
        }
    }
}

/// The page of a link's target, where the owner's link forms live.
pub fn home(target: LinkTarget, target_id: &str) -> String {
    match target {
        LinkTarget::Photo => keys::photo_url(target_id),
        LinkTarget::Album => format!("/a/{target_id}"),
    }
}

/// The caller's photo or album to link to (they must be able to edit it).
async fn linkable(
    p: &Platform,
    s: &Session,
    target: LinkTarget,
    id: &str,
) -> Result<(String, String), LumenError> {
    Ok(match target {
        LinkTarget::Photo => {
            let photo = photos::visible(p, Some(s), id, Action::Edit).await?;
            (photo.owner_id, photo.id)
        }
        LinkTarget::Album => {
            let album = albums::allowed(p, Some(s), id, AlbumAction::Edit).await?;
            (album.owner_id, album.id)
        }
    })
}

/// A new link for the caller's photo or album.
pub async fn create(
    p: &Platform,
    s: &Session,
    target: LinkTarget,
    target_id: &str,
    new: NewLink,
) -> Result<LinkRow, LumenError> {
    let (owner_id, target_id) = linkable(p, s, target, target_id).await?;
    let label = label(&new.label)?;
    let password = match new.password.as_str() {
        "" => None,
        pw => Some(checked_password(pw)?),
    };
    limits::reserve_all(
        p,
        &[(format!("link-create:{}", s.user.id), CREATES_PER_HOUR)],
    )
    .await?;
    let password_hash = match password {
        Some(pw) => Some(auth::hash_password(p, pw).await?),
        None => None,
    };
    let now = p.clock.now_ms();
    let mut link = LinkRow {
        id: p.ids.new_id()?,
        owner_id,
        target,
        target_id,
        token: auth::new_link_token(p)?,
        label,
        expires_at: new.expiry.at(now),
        password_hash,
        allow_downloads: new.allow_downloads,
        views: 0,
        created_at: now,
        updated_at: now,
        revoked_at: None,
    };
    // 130 random bits do not clash; if they ever did, the UNIQUE token says so.
    for _ in 0..3 {
        match p.links.insert(&link).await {
            Err(PortError::Conflict) => link.token = auth::new_link_token(p)?,
            Err(e) => return Err(e.into()),
            Ok(()) => {
                link_changed(p, &link.id).await;
                return Ok(link);
            }
        }
    }
    Err(LumenError::Conflict)
}

/// Changes label, expiry, password and downloads; returns the target's page. A new or
/// cleared password ends every unlock (their MAC is keyed by the hash).
pub async fn update(
    p: &Platform,
    s: &Session,
    link_id: &str,
    change: LinkChange,
) -> Result<String, LumenError> {
    let link = owned(p, s, link_id).await?;
    let password_hash = if change.clear_password {
        Some(None)
    } else if change.password.is_empty() {
        None
    } else {
        let pw = checked_password(&change.password)?;
        Some(Some(auth::hash_password(p, pw).await?))
    };
    let now = p.clock.now_ms();
    let edit = LinkEdit {
        label: label(&change.label)?,
        expires_at: change.expiry.map_or(link.expires_at, |e| e.at(now)),
        password_hash,
        allow_downloads: change.allow_downloads,
    };
    p.links.update(&link.id, &edit, now).await?;
    link_changed(p, &link.id).await;
    Ok(home(link.target, &link.target_id))
}

/// A new token: the old URL, and every media URL under it, answer 404 from now on.
pub async fn reset(p: &Platform, s: &Session, link_id: &str) -> Result<String, LumenError> {
    let link = owned(p, s, link_id).await?;
    let now = p.clock.now_ms();
    for _ in 0..3 {
        match p
            .links
            .reset(&link.id, &auth::new_link_token(p)?, now)
            .await
        {
            Err(PortError::Conflict) => continue,
            Err(e) => return Err(e.into()),
            Ok(()) => {
                link_changed(p, &link.id).await;
                return Ok(home(link.target, &link.target_id));
            }
        }
    }
    Err(LumenError::Conflict)
}

pub async fn revoke(p: &Platform, s: &Session, link_id: &str) -> Result<String, LumenError> {
    let link = owned(p, s, link_id).await?;
    p.links.revoke(&link.id, p.clock.now_ms()).await?;
    link_changed(p, &link.id).await;
    Ok(home(link.target, &link.target_id))
}

/// A link's pages in the edge cache go the moment it changes (created, edited, password
/// set or cleared, new token, revoked). Expiry has no moment: a cached page is served only
/// after the Worker finds its link still open (`server/src/cache.rs`).
async fn link_changed(p: &Platform, link_id: &str) {
    cache::purge(p, vec![tags::link(link_id)]).await;
}

/// Tags a link page by what it shows: the link, the owner and the photo or album. A
/// protected link's page (locked or unlocked) is never stored.
fn note_shown(link: &LinkRow, target: &Target) {
    if link.password_hash.is_some() {
        tags::personal();
        return;
    }
    tags::tag(tags::link(&link.id));
    tags::tag(tags::user(&link.owner_id));
    tags::tag(match target {
        Target::Photo(photo) => tags::photo(&photo.id),
        Target::Album(album) => tags::album(&album.id),
    });
}

/// The caller's live links to their photo or album, newest first, with absolute URLs to copy.
pub async fn list(
    p: &Platform,
    s: &Session,
    target: LinkTarget,
    target_id: &str,
    origin: &str,
) -> Result<Vec<ShareLinkView>, LumenError> {
    let (_, target_id) = linkable(p, s, target, target_id).await?;
    let now = p.clock.now_ms();
    let rows = p.links.for_target(target, &target_id).await?;
    Ok(rows
        .into_iter()
        .filter(|l| l.owner_id == s.user.id)
        .map(|l| ShareLinkView {
            url: keys::absolute(origin, &keys::link_url(&l.token)),
            created_at: photos::format_date(l.created_at),
            expires: l.expires_at.map_or_else(|| "Never".into(), format_moment),
            expired: access::link_state(&l, now, true) == LinkState::Dead,
            views: l.views,
            allow_downloads: l.allow_downloads,
            has_password: l.password_hash.is_some(),
            id: l.id,
            label: l.label,
        })
        .collect())
}

/// Links revoked a week ago, or expired 90 days ago, are deleted by the cron: the owner
/// no longer sees a revoked link, and may still extend an expired one for a while.
pub const KEEP_REVOKED_MS: i64 = 7 * DAY_MS;
pub const KEEP_EXPIRED_MS: i64 = 90 * DAY_MS;

/// The cron's sweep of dead links; how many went.
pub async fn sweep(p: &Platform) -> Result<u32, LumenError> {
    let now = p.clock.now_ms();
    Ok(p.links
        .purge_dead(now - KEEP_REVOKED_MS, now - KEEP_EXPIRED_MS)
        .await?)
}

/// Checks `password` for the link at `token`; the `Set-Cookie` that unlocks it for this
/// browser, or `None` when it has no password. Wrong passwords are rate limited per
/// link and per network (429), so guessing is slow from anywhere.
pub async fn unlock(
    p: &Platform,
    head: &RequestHead,
    token: &str,
    password: &str,
) -> Result<Option<String>, LumenError> {
    let (link, _) = live(p, token).await?;
    let Some(stored) = link.password_hash.as_deref() else {
        return Ok(None);
    };
    let net = limits::sender_net(head.client_ip.as_deref());
    let taken = limits::reserve_all(
        p,
        &[
            (format!("link-pw:{}", link.id), WRONG_PER_LINK),
            (format!("link-pw-net:{net}"), WRONG_PER_NET),
        ],
    )
    .await?;
    if !auth::verify_password(p, password, stored).await? {
        return Err(LumenError::invalid(
            "password",
            "That password is not right.",
        ));
    }
    limits::release_all(p, taken).await?;
    let now = p.clock.now_ms();
    let until = link
        .expires_at
        .map_or(now + UNLOCK_MS, |t| t.min(now + UNLOCK_MS));
    let value = format!("{until}.{}", unlock_mac(&link, stored, until));
    Ok(Some(auth::link_cookie(
        &keys::link_url(&link.token),
        &value,
        (until - now + 999) / 1000,
        head.host.as_deref(),
    )))
}

/// The same preview for every protected link: it reveals nothing.
fn generic_preview(origin: &str, token: &str) -> Preview {
    Preview {
        url: keys::absolute(origin, &keys::link_url(token)),
        title: String::new(),
        description: "Shared on Lumen.".into(),
        image: None,
    }
}

/// The locked page: the password form's data only.
fn locked(link: LinkRow, origin: &str) -> SharedView {
    SharedView {
        preview: generic_preview(origin, &link.token),
        token: link.token,
        protected: true,
        photo: None,
        album: None,
        place: None,
    }
}

/// The page at `/s/{token}`: the photo or album when the link is open (counting a view),
/// the password form's data when it is locked, `NotFound` when it is dead or made up.
pub async fn open(
    p: &Platform,
    head: &RequestHead,
    token: &str,
    origin: &str,
    raw_before: Option<&str>,
) -> Result<SharedView, LumenError> {
    let (link, target) = live(p, token).await?;
    note_shown(&link, &target);
    let unlocked = is_unlocked(p, &link, head);
    let now = p.clock.now_ms();
    if access::link_state(&link, now, unlocked) == LinkState::Locked {
        return Ok(locked(link, origin));
    }
    let via = Via::Link { unlocked };
    access::check_link(None, via, &link, target.shown(), LinkAction::View, now)?;
    let view = match target {
        Target::Photo(photo) => shared_photo(p, &link, via, photo, origin).await?,
        Target::Album(album) => shared_album(p, &link, unlocked, album, origin, raw_before).await?,
    };
    p.links.count_view(&link.id).await?;
    Ok(view)
}

/// A photo link's page: the photo, seen as nobody (no location, no owner tools, no
/// original but the link's own).
async fn shared_photo(
    p: &Platform,
    link: &LinkRow,
    via: Via,
    photo: PhotoRow,
    origin: &str,
) -> Result<SharedView, LumenError> {
    let downloads = access::check_link(
        None,
        via,
        link,
        Shown::Photo(&photo),
        LinkAction::DownloadOriginal,
        p.clock.now_ms(),
    )
    .is_ok();
    let view = link_view(
        p,
        link,
        photo,
        downloads,
        &keys::link_url(&link.token),
        origin,
    )
    .await?;
    Ok(SharedView {
        token: link.token.clone(),
        protected: link.password_hash.is_some(),
        preview: view.preview.clone(),
        photo: Some(view),
        album: None,
        place: None,
    })
}

/// A photo as a link shows it at `path`: link-scoped images and original, no location.
async fn link_view(
    p: &Platform,
    link: &LinkRow,
    photo: PhotoRow,
    downloads: bool,
    path: &str,
    origin: &str,
) -> Result<PhotoView, LumenError> {
    let variants = photos::ready_variants(p, &photo).await?;
    let images = photos::images(variants, |key| keys::link_variant_url(&link.token, key));
    let mut view = photos::view(photo, images, None);
    view.original_url = downloads.then(|| keys::link_original_url(&link.token, &view.id));
    view.location = None;
    view.preview = if link.password_hash.is_some() {
        generic_preview(origin, &link.token)
    } else {
        photos::preview(origin, path, &view, true)
    };
    Ok(view)
}

/// The photos an album link shows, in the album's order: every finished photo of the
/// owner's in it, whatever its visibility.
async fn album_rows(
    p: &Platform,
    link: &LinkRow,
    via: Via,
    album: &AlbumRow,
) -> Result<Vec<PhotoRow>, LumenError> {
    let now = p.clock.now_ms();
    let entries = p
        .album_photos
        .entries(std::slice::from_ref(&album.id))
        .await?
        .into_iter()
        .filter(|entry| {
            let shown = Shown::InAlbum { album, entry };
            access::check_link(None, via, link, shown, LinkAction::View, now).is_ok()
        })
        .collect();
    Ok(albums::ordered(album, entries))
}

/// An album link's page, through the link (`unlocked` as in `Via::Link`): the album's
/// title, description and photos, all under the link.
async fn shared_album(
    p: &Platform,
    link: &LinkRow,
    unlocked: bool,
    album: AlbumRow,
    origin: &str,
    raw_before: Option<&str>,
) -> Result<SharedView, LumenError> {
    let now = p.clock.now_ms();
    let via = Via::Link { unlocked };
    let shows =
        |entry: &AlbumEntry<CardRow>| access::link_lists(link, &album, entry, unlocked, now);
    let (rows, next) = albums::page_of(p, &album, access::LINK_SCOPE, raw_before, shows).await?;
    let (count, cover) = albums::count_and_cover(p, &album, access::LINK_SCOPE, shows).await?;
    let downloads = access::check_link(
        None,
        via,
        link,
        Shown::Album(&album),
        LinkAction::DownloadOriginal,
        now,
    )
    .is_ok();
    let protected = link.password_hash.is_some();
    let token = link.token.clone();
    let url = |key: &str| keys::link_variant_url(&token, key);
    let cards = photos::cards_at(p, rows, url).await?;
    let preview = if protected {
        generic_preview(origin, &link.token)
    } else {
        let image = photos::cards_at(p, cover.into_iter().collect(), url)
            .await?
            .into_iter()
            .next()
            .and_then(|c| c.thumb)
            .map(|mut i| {
                i.url = keys::absolute(origin, &i.url);
                i
            });
        Preview {
            url: keys::absolute(origin, &keys::link_url(&link.token)),
            title: album.title.clone(),
            description: if album.description.is_empty() {
                album.title.clone()
            } else {
                album.description.chars().take(200).collect()
            },
            image,
        }
    };
    let owner = p.users.by_id(&album.owner_id).await?.map(|u| u.username);
    Ok(SharedView {
        token: link.token.clone(),
        protected,
        preview,
        photo: None,
        album: Some(SharedAlbum {
            title: album.title,
            description: album.description,
            owner,
            photos: cards,
            count,
            next,
            photo_base: format!("{}/p/", keys::link_url(&link.token)),
            download_url: downloads.then(|| keys::link_download_url(&link.token)),
        }),
        place: None,
    })
}

/// `/s/{token}/p/{photo}`: one photo of a shared album, with the way back and previous /
/// next among what the link shows. Views count on the album's page only.
pub async fn open_photo(
    p: &Platform,
    head: &RequestHead,
    token: &str,
    photo_id: &str,
    origin: &str,
) -> Result<SharedView, LumenError> {
    let (link, target) = live(p, token).await?;
    note_shown(&link, &target);
    let Target::Album(album) = target else {
        return Err(LumenError::NotFound);
    };
    let unlocked = is_unlocked(p, &link, head);
    let now = p.clock.now_ms();
    if access::link_state(&link, now, unlocked) == LinkState::Locked {
        return Ok(locked(link, origin));
    }
    let via = Via::Link { unlocked };
    let entry = entry_in(p, &album, photo_id).await?;
    let shown = Shown::InAlbum {
        album: &album,
        entry: &entry,
    };
    access::check_link(None, via, &link, shown, LinkAction::View, now)?;
    tags::tag(tags::photo(photo_id));
    let downloads =
        access::check_link(None, via, &link, shown, LinkAction::DownloadOriginal, now).is_ok();
    let rows = album_rows(p, &link, via, &album).await?;
    let at = |i: Option<usize>| {
        i.and_then(|i| rows.get(i))
            .map(|r| keys::link_photo_url(&link.token, &r.id))
    };
    let i = rows.iter().position(|r| r.id == photo_id);
    let place = LinkPlace {
        album_title: album.title.clone(),
        album_url: keys::link_url(&link.token),
        prev: at(i.and_then(|i| i.checked_sub(1))),
        next: at(i.map(|i| i + 1)),
    };
    let path = keys::link_photo_url(&link.token, photo_id);
    let view = link_view(p, &link, entry.photo, downloads, &path, origin).await?;
    Ok(SharedView {
        token: link.token,
        protected: link.password_hash.is_some(),
        preview: view.preview.clone(),
        photo: Some(view),
        album: None,
        place: Some(place),
    })
}

/// `/s/{token}/media/{photo}/{rev}/{width}.{ext}`: a variant, only of a photo the link
/// shows, only while the link is open for this request.
pub async fn variant(p: &Platform, head: &RequestHead, path: &str) -> Result<Blob, LumenError> {
    let (token, photo_id, key) = keys::link_variant_from_path(path).ok_or(LumenError::NotFound)?;
    let photo = through(p, head, &token, &photo_id, LinkAction::View).await?;
    media::current_variant(p, &photo, &key).await
}

/// `/s/{token}/original/{photo}`: the original, when the link allows downloads.
pub async fn original(
    p: &Platform,
    head: &RequestHead,
    token: &str,
    photo_id: &str,
) -> Result<media::Download, LumenError> {
    let photo = through(p, head, token, photo_id, LinkAction::DownloadOriginal).await?;
    media::download(p, &photo).await
}

/// `/s/{token}/download`: a shared album's zip, when its link allows downloads.
pub async fn download(
    p: &Platform,
    head: &RequestHead,
    token: &str,
    max_photos: usize,
) -> Result<albums::Download, LumenError> {
    let (link, target) = live(p, token).await?;
    let Target::Album(album) = target else {
        return Err(LumenError::NotFound);
    };
    let via = Via::Link {
        unlocked: is_unlocked(p, &link, head),
    };
    let now = p.clock.now_ms();
    let shown = Shown::Album(&album);
    access::check_link(None, via, &link, shown, LinkAction::DownloadOriginal, now)?;
    let rows = album_rows(p, &link, via, &album).await?;
    albums::zip_of(&album, &rows, max_photos)
}

/// The photo `photo_id` if the link at `token` may show it for `action` now: a photo
/// link's own photo, or a photo in an album link's album.
async fn through(
    p: &Platform,
    head: &RequestHead,
    token: &str,
    photo_id: &str,
    action: LinkAction,
) -> Result<PhotoRow, LumenError> {
    let (link, target) = live(p, token).await?;
    let via = Via::Link {
        unlocked: is_unlocked(p, &link, head),
    };
    let now = p.clock.now_ms();
    match target {
        Target::Photo(photo) => {
            access::check_link(None, via, &link, Shown::Photo(&photo), action, now)?;
            if photo.id != photo_id {
                return Err(LumenError::NotFound);
            }
            Ok(photo)
        }
        Target::Album(album) => {
            let entry = entry_in(p, &album, photo_id).await?;
            let shown = Shown::InAlbum {
                album: &album,
                entry: &entry,
            };
            access::check_link(None, via, &link, shown, action, now)?;
            Ok(entry.photo)
        }
    }
}

/// `photo_id`'s entry in `album` (the membership row an album link's check needs), or 404.
async fn entry_in(
    p: &Platform,
    album: &AlbumRow,
    photo_id: &str,
) -> Result<AlbumEntry, LumenError> {
    p.album_photos
        .entry(&album.id, photo_id)
        .await?
        .ok_or(LumenError::NotFound)
}

/// The link at `token` and its target, unless the link is dead or made up (the same
/// `NotFound` for both).
async fn live(p: &Platform, token: &str) -> Result<(LinkRow, Target), LumenError> {
    if !auth::is_link_token(token) {
        return Err(LumenError::NotFound);
    }
    let link = p.links.by_token(token).await?.ok_or(LumenError::NotFound)?;
    if access::link_state(&link, p.clock.now_ms(), true) == LinkState::Dead {
        return Err(LumenError::NotFound);
    }
    let target = load(p, &link).await?;
    Ok((link, target))
}

async fn load(p: &Platform, link: &LinkRow) -> Result<Target, LumenError> {
    Ok(match link.target {
        LinkTarget::Photo => Target::Photo(
            p.photos
                .get(&link.target_id)
                .await?
                .ok_or(LumenError::NotFound)?,
        ),
        LinkTarget::Album => Target::Album(
            p.albums
                .get(&link.target_id)
                .await?
                .ok_or(LumenError::NotFound)?,
        ),
    })
}

/// A link the caller may manage (not revoked), or `NotFound` / `Unauthenticated`.
async fn owned(p: &Platform, s: &Session, link_id: &str) -> Result<LinkRow, LumenError> {
    let link = p
        .links
        .by_id(link_id)
        .await?
        .filter(|l| l.revoked_at.is_none())
        .ok_or(LumenError::NotFound)?;
    let target = load(p, &link).await?;
    let now = p.clock.now_ms();
    access::check_link(
        Some(&s.user.id),
        Via::Page,
        &link,
        target.shown(),
        LinkAction::Manage,
        now,
    )?;
    Ok(link)
}

/// Whether the request carries a live unlock for `link`: a cookie `{until}.{mac}` with
/// `until` still ahead and the MAC of this link's current state.
fn is_unlocked(p: &Platform, link: &LinkRow, head: &RequestHead) -> bool {
    let (Some(stored), Some(cookies)) = (link.password_hash.as_deref(), head.cookie.as_deref())
    else {
        return false;
    };
    let now = p.clock.now_ms();
    let name = auth::link_cookie_name(head.host.as_deref());
    let unlocked = auth::cookie_values(cookies, &name).any(|v| {
        let Some((until, mac)) = v.split_once('.') else {
            return false;
        };
        let Ok(until) = until.parse::<i64>() else {
            return false;
        };
        until > now
            && auth::constant_time_eq(mac.as_bytes(), unlock_mac(link, stored, until).as_bytes())
    });
    unlocked
}

/// HMAC-SHA256 keyed by the stored password hash, over the link's id, token and expiry
/// and the unlock's own end. Keyed by the hash, it needs no server secret, and a new
/// password (a fresh salt, so a new hash) or a cleared one ends every unlock; the token
/// and expiry in the message end them on a reset or a new expiry. Never stored.
fn unlock_mac(link: &LinkRow, password_hash: &str, until: i64) -> String {
    let expires = link
        .expires_at
        .map_or_else(|| "never".to_string(), |t| t.to_string());
    let msg = format!(
        "lumen-link-unlock-v1\n{}\n{}\n{expires}\n{until}",
        link.id, link.token
    );
    match Hmac::<Sha256>::new_from_slice(password_hash.as_bytes()) {
        Ok(mut mac) => {
            mac.update(msg.as_bytes());
            auth::hex(&mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; unreachable, and then nothing unlocks.
        Err(_) => String::new(),
    }
}

/// A password of acceptable length that shows something; checked before any work.
fn checked_password(password: &str) -> Result<&str, LumenError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) || crate::text::is_blank(password) {
        return Err(LumenError::invalid(
            "password",
            format!("Use {MIN_PASSWORD} to {MAX_PASSWORD} characters, or leave it empty."),
        ));
    }
    Ok(password)
}

/// Cleaned by the shared text rules; text that shows nothing is no label.
fn label(raw: &str) -> Result<String, LumenError> {
    let t = crate::text::clean(raw, false);
    if t.chars().count() > MAX_LABEL {
        return Err(LumenError::invalid(
            "label",
            format!("Keep it under {MAX_LABEL} characters."),
        ));
    }
    Ok(if crate::text::is_blank(&t) {
        String::new()
    } else {
        t
    })
}

fn format_moment(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%-d %B %Y, %H:%M UTC").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PhotoStatus, Visibility};
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, session, Mem};

    const ORIGIN: &str = "https://lumen.test";

    /// A private, ready photo `p1` of `u1` with two variants and its original.
    fn setup() -> (Platform, std::sync::Arc<Mem>, Session, Session) {
        let (p, mem) = fake_platform();
        let owner = session(&p, "u1", "ada");
        let other = session(&p, "u2", "bob");
        let mut row = pending_row("p1", 1);
        row.status = PhotoStatus::Ready;
        row.rev = Some("r".into());
        row.visibility = Visibility::Private;
        row.title = "Secret garden".into();
        row.gps_json = Some(r#"{"latitude":1.0,"longitude":2.0,"altitude":null}"#.into());
        mem.insert(row);
        for w in [320, 1280] {
            mem.add_variant("p1", w);
            mem.put_blob(&keys::variant("p1", "r", w, "jpg"), vec![w as u8]);
        }
        mem.put_blob(&keys::original("u1", "p1"), vec![9, 9]);
        (p, mem, owner, other)
    }

    /// A link's original download that must come whole (small files), as bytes and name.
    fn whole(
        p: &Platform,
        head: &RequestHead,
        token: &str,
        photo: &str,
    ) -> Result<(Blob, String), LumenError> {
        match block_on(original(p, head, token, photo))? {
            media::Download::Whole(m, name) => Ok((m.blob, name)),
            media::Download::Streamed { .. } => panic!("a small original streamed"),
        }
    }

    /// A large original (a resumable upload's) streams through the link as it does for
    /// the owner, byte for byte; a link without downloads still answers 404.
    #[test]
    fn a_large_original_streams_through_the_link() {
        let (p, mem, owner, _) = setup();
        let mut row = mem.photo("p1").unwrap();
        row.bytes = media::STREAM_ABOVE + 1;
        mem.insert(row);
        mem.put_blob(&keys::original("u1", "p1"), vec![5; 4000]);
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        match block_on(original(&p, &anon(), &link.token, "p1")) {
            Ok(media::Download::Streamed {
                mut reader,
                filename,
                ..
            }) => {
                assert_eq!(
                    (reader.size(), filename.as_str()),
                    (4000, "Secret-garden.png")
                );
                let mut got = Vec::new();
                while let Some(c) = block_on(reader.chunk()).unwrap() {
                    got.extend(c);
                }
                assert_eq!(got, vec![5; 4000]);
            }
            _ => panic!("not streamed"),
        }
        let closed = NewLink {
            allow_downloads: false,
            ..new_link("")
        };
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", closed)).unwrap();
        assert!(matches!(
            block_on(original(&p, &anon(), &link.token, "p1")),
            Err(LumenError::NotFound)
        ));
    }

    fn new_link(password: &str) -> NewLink {
        NewLink {
            label: "for grandma".into(),
            expiry: Expiry::DEFAULT,
            password: password.into(),
            allow_downloads: true,
        }
    }

    fn anon() -> RequestHead {
        RequestHead {
            host: Some("localhost:8787".into()),
            client_ip: Some("203.0.113.7".into()),
            ..Default::default()
        }
    }

    fn with_cookie(set_cookie: &str) -> RequestHead {
        let pair = set_cookie.split(';').next().unwrap_or_default();
        RequestHead {
            cookie: Some(format!("other=1; {pair}")),
            ..anon()
        }
    }

    fn media(p: &Platform, head: &RequestHead, link: &LinkRow) -> Result<Vec<u8>, LumenError> {
        let key = keys::variant("p1", "r", 320, "jpg");
        let path = keys::link_variant_url(&link.token, &key);
        block_on(variant(p, head, &path)).map(|b| b.bytes)
    }

    fn change(link_label: &str) -> LinkChange {
        LinkChange {
            label: link_label.into(),
            expiry: None,
            password: String::new(),
            clear_password: false,
            allow_downloads: true,
        }
    }

    #[test]
    fn expiry_defaults_to_30_days_and_never_only_when_chosen() {
        assert_eq!(Expiry::parse(None), Ok(Expiry::Days(30)));
        assert_eq!(Expiry::parse(Some("")), Ok(Expiry::Days(30)));
        assert_eq!(Expiry::parse(Some("7d")), Ok(Expiry::Days(7)));
        assert_eq!(Expiry::parse(Some("never")), Ok(Expiry::Never));
        for (value, _) in crate::model::LINK_EXPIRY_CHOICES {
            assert!(Expiry::parse(Some(value)).is_ok(), "{value}");
        }
        let default = Some(crate::model::LINK_EXPIRY_DEFAULT);
        assert_eq!(Expiry::parse(default), Ok(Expiry::DEFAULT));
        for junk in ["0", "Never", "365d", "-1d", "forever"] {
            assert_eq!(Expiry::parse(Some(junk)).map_err(|e| e.status()), Err(422));
        }
        let (p, mem, owner, _) = setup();
        let now = p.clock.now_ms();
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        assert_eq!(link.expires_at, Some(now + 30 * DAY_MS));
        assert_eq!(
            mem.link(&link.id).unwrap().expires_at,
            Some(now + 30 * DAY_MS)
        );
        let forever = NewLink {
            expiry: Expiry::Never,
            ..new_link("")
        };
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", forever)).unwrap();
        assert_eq!(link.expires_at, None);
    }

    #[test]
    fn tokens_are_long_random_and_distinct() {
        let (p, _, owner, _) = setup();
        let a = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        let b = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        assert!(auth::is_link_token(&a.token), "{}", a.token);
        assert_eq!(a.token.len() * 5, 130, "at least 128 bits");
        assert_ne!(a.token, b.token);
        assert_ne!(a.id, b.id);
    }

    #[test]
    fn only_the_owner_creates_lists_and_manages() {
        let (p, mem, owner, other) = setup();
        // A private photo does not exist for others; a public one is not theirs.
        assert_eq!(
            block_on(create(&p, &other, LinkTarget::Photo, "p1", new_link(""))).map(|_| ()),
            Err(LumenError::NotFound)
        );
        let mut public = mem.photo("p1").unwrap();
        public.visibility = Visibility::Public;
        mem.insert(public);
        assert_eq!(
            block_on(create(&p, &other, LinkTarget::Photo, "p1", new_link(""))).map(|_| ()),
            Err(LumenError::Forbidden)
        );
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        assert_eq!(
            block_on(list(&p, &other, LinkTarget::Photo, "p1", ORIGIN)).map(|_| ()),
            Err(LumenError::Forbidden)
        );
        for e in [
            block_on(update(&p, &other, &link.id, change("x"))),
            block_on(reset(&p, &other, &link.id)),
            block_on(revoke(&p, &other, &link.id)),
        ] {
            assert_eq!(e, Err(LumenError::NotFound));
        }
        assert_eq!(mem.link(&link.id).unwrap(), link, "unchanged");
        let listed = block_on(list(&p, &owner, LinkTarget::Photo, "p1", ORIGIN)).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0].url,
            format!("https://lumen.test/s/{}", link.token)
        );
        assert_eq!(listed[0].label, "for grandma");
        assert!(!listed[0].expired && listed[0].allow_downloads && !listed[0].has_password);
    }

    #[test]
    fn labels_are_cleaned_and_capped() {
        let (p, _, owner, _) = setup();
        let spoof = NewLink {
            label: " for\u{202E}gnp.exe <b>grandma</b>\n".into(),
            ..new_link("")
        };
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", spoof)).unwrap();
        assert_eq!(link.label, "forgnp.exe <b>grandma</b>");
        let blank = NewLink {
            label: "\u{200b} \u{a0}".into(),
            ..new_link("")
        };
        assert_eq!(
            block_on(create(&p, &owner, LinkTarget::Photo, "p1", blank))
                .unwrap()
                .label,
            ""
        );
        let long = NewLink {
            label: "x".repeat(MAX_LABEL + 1),
            ..new_link("")
        };
        let e = block_on(create(&p, &owner, LinkTarget::Photo, "p1", long))
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            (e.status(), e.message()),
            (422, "Keep it under 100 characters.".into())
        );
        let e = block_on(update(&p, &owner, &link.id, change(&"y".repeat(101)))).unwrap_err();
        assert_eq!(e.status(), 422);
    }

    #[test]
    fn the_link_shows_a_private_photo_without_location_and_counts_views() {
        let (p, mem, owner, _) = setup();
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        let v = block_on(open(&p, &anon(), &link.token, ORIGIN, None)).unwrap();
        let photo = v.photo.unwrap();
        assert_eq!(photo.title, "Secret garden");
        assert_eq!(photo.location, None, "never GPS through a link");
        assert!(!photo.is_owner);
        let prefix = format!("/s/{}/media/p1/r/", link.token);
        assert!(photo.images.iter().all(|i| i.url.starts_with(&prefix)));
        assert_eq!(
            photo.original_url,
            Some(format!("/s/{}/original/p1", link.token))
        );
        let image = v.preview.image.unwrap();
        assert_eq!(image.url, format!("{ORIGIN}{prefix}1280.jpg"));
        assert_eq!(v.preview.title, "Secret garden");
        assert_eq!(mem.link(&link.id).unwrap().views, 1);
        assert_eq!(media(&p, &anon(), &link), Ok(vec![320u16 as u8]));
        let (blob, name) = whole(&p, &anon(), &link.token, "p1").unwrap();
        assert_eq!(
            (blob.bytes, name.as_str()),
            (vec![9, 9], "Secret-garden.png")
        );
    }

    #[test]
    fn a_link_never_opens_another_photo() {
        let (p, mem, owner, _) = setup();
        let mut other = pending_row("p2", 1);
        other.status = PhotoStatus::Ready;
        other.rev = Some("r".into());
        mem.insert(other);
        mem.add_variant("p2", 320);
        mem.put_blob(&keys::variant("p2", "r", 320, "jpg"), vec![2]);
        mem.put_blob(&keys::original("u1", "p2"), vec![2]);
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        let swapped = keys::link_variant_url(&link.token, &keys::variant("p2", "r", 320, "jpg"));
        assert_eq!(
            block_on(variant(&p, &anon(), &swapped)).map(|b| b.bytes),
            Err(LumenError::NotFound)
        );
        // Nor a key of another photo under this photo's id.
        let sneaky = format!("/s/{}/media/p1/r/../../p2/r/320.jpg", link.token);
        assert_eq!(
            block_on(variant(&p, &anon(), &sneaky)).map(|b| b.bytes),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            whole(&p, &anon(), &link.token, "p2").map(|b| b.0.bytes),
            Err(LumenError::NotFound)
        );
    }

    #[test]
    fn expiry_revoke_and_reset_end_every_url_at_once() {
        let (p, mem, owner, _) = setup();
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        assert!(media(&p, &anon(), &link).is_ok());

        // Expired: 404 from the instant it ends; the owner can give it more time.
        mem.advance(30 * DAY_MS);
        assert_eq!(media(&p, &anon(), &link), Err(LumenError::NotFound));
        assert_eq!(
            block_on(open(&p, &anon(), &link.token, ORIGIN, None)).map(|_| ()),
            Err(LumenError::NotFound)
        );
        let listed = block_on(list(&p, &owner, LinkTarget::Photo, "p1", ORIGIN)).unwrap();
        assert!(listed[0].expired);
        let longer = LinkChange {
            expiry: Some(Expiry::Days(7)),
            ..change("x")
        };
        block_on(update(&p, &owner, &link.id, longer)).unwrap();
        assert!(media(&p, &anon(), &link).is_ok());

        // Reset: the old token is dead, the new one works.
        block_on(reset(&p, &owner, &link.id)).unwrap();
        let fresh = mem.link(&link.id).unwrap();
        assert_ne!(fresh.token, link.token);
        assert_eq!(media(&p, &anon(), &link), Err(LumenError::NotFound));
        assert!(block_on(open(&p, &anon(), &link.token, ORIGIN, None)).is_err());
        assert!(media(&p, &anon(), &fresh).is_ok());

        // Revoked: dead for good, gone from the list, and nothing revives it.
        block_on(revoke(&p, &owner, &link.id)).unwrap();
        assert_eq!(media(&p, &anon(), &fresh), Err(LumenError::NotFound));
        assert!(block_on(list(&p, &owner, LinkTarget::Photo, "p1", ORIGIN))
            .unwrap()
            .is_empty());
        assert_eq!(
            block_on(update(&p, &owner, &link.id, change("x"))),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(reset(&p, &owner, &link.id)),
            Err(LumenError::NotFound)
        );
        assert_eq!(mem.link(&link.id).unwrap().token, fresh.token);
    }

    #[test]
    fn every_change_to_a_link_purges_its_cached_pages_and_a_refused_change_none() {
        let (p, mem, owner, other) = setup();
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        let tag = vec![crate::ssr::cache::link(&link.id)];
        let pw = LinkChange {
            password: "open sesame".into(),
            ..change("x")
        };
        block_on(update(&p, &owner, &link.id, pw)).unwrap();
        block_on(reset(&p, &owner, &link.id)).unwrap();
        assert!(block_on(revoke(&p, &other, &link.id)).is_err());
        block_on(revoke(&p, &owner, &link.id)).unwrap();
        assert_eq!(
            mem.edge.purged(),
            vec![tag.clone(), tag.clone(), tag.clone(), tag]
        );
    }

    #[test]
    fn passwords_are_hashed_and_unlock_only_this_link() {
        let (p, mem, owner, _) = setup();
        let link = block_on(create(
            &p,
            &owner,
            LinkTarget::Photo,
            "p1",
            new_link("open sesame"),
        ))
        .unwrap();
        let stored = mem.link(&link.id).unwrap().password_hash.unwrap();
        assert!(stored.starts_with("pbkdf2-sha256$100000$"), "{stored}");
        assert!(!stored.contains("open sesame"));
        let short =
            block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link("abc"))).map(|_| ());
        assert_eq!(short.map_err(|e| e.status()), Err(422));

        // Locked: the page has no photo and a generic preview; media are 404.
        let locked = block_on(open(&p, &anon(), &link.token, ORIGIN, None)).unwrap();
        assert_eq!(locked.photo, None);
        assert!(locked.protected);
        assert_eq!(
            (locked.preview.title.as_str(), locked.preview.image),
            ("", None)
        );
        assert_eq!(mem.link(&link.id).unwrap().views, 0, "no view counted");
        assert_eq!(media(&p, &anon(), &link), Err(LumenError::NotFound));

        let wrong = block_on(unlock(&p, &anon(), &link.token, "open sesam"));
        assert_eq!(wrong.map_err(|e| e.status()), Err(422));
        let cookie = block_on(unlock(&p, &anon(), &link.token, "open sesame"))
            .unwrap()
            .unwrap();
        assert!(
            cookie.starts_with("lumen_link=")
                && cookie.contains(&format!("; Path=/s/{};", link.token))
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let unlocked = with_cookie(&cookie);
        let open_page = block_on(open(&p, &unlocked, &link.token, ORIGIN, None)).unwrap();
        assert!(open_page.photo.is_some());
        assert_eq!(open_page.preview.image, None, "protected: generic preview");
        assert!(media(&p, &unlocked, &link).is_ok());

        // Another password link of the same photo is not unlocked by it.
        let other = block_on(create(
            &p,
            &owner,
            LinkTarget::Photo,
            "p1",
            new_link("open sesame"),
        ))
        .unwrap();
        let mut moved = unlocked.clone();
        moved.cookie = moved.cookie.map(|c| c.replace(&link.token, &other.token));
        assert_eq!(media(&p, &unlocked, &other), Err(LumenError::NotFound));
        assert_eq!(media(&p, &moved, &other), Err(LumenError::NotFound));

        // Tampered or expired unlocks count for nothing.
        let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
        let (until, mac) = value.split_once('.').unwrap();
        let later = format!("lumen_link={}.{mac}", until.parse::<i64>().unwrap() + 1);
        assert_eq!(
            media(&p, &with_cookie(&later), &link),
            Err(LumenError::NotFound)
        );
        mem.advance(UNLOCK_MS);
        assert_eq!(media(&p, &unlocked, &link), Err(LumenError::NotFound));
    }

    #[test]
    fn a_password_change_or_clear_ends_every_unlock() {
        let (p, mem, owner, _) = setup();
        let link = block_on(create(
            &p,
            &owner,
            LinkTarget::Photo,
            "p1",
            new_link("first secret"),
        ))
        .unwrap();
        let cookie = block_on(unlock(&p, &anon(), &link.token, "first secret"))
            .unwrap()
            .unwrap();
        let unlocked = with_cookie(&cookie);
        assert!(media(&p, &unlocked, &link).is_ok());

        // Same label and settings, new password: the old unlock is dead.
        let new_pw = LinkChange {
            password: "second secret".into(),
            ..change("for grandma")
        };
        block_on(update(&p, &owner, &link.id, new_pw)).unwrap();
        assert_eq!(media(&p, &unlocked, &link), Err(LumenError::NotFound));
        assert!(block_on(unlock(&p, &anon(), &link.token, "first secret")).is_err());
        let cookie = block_on(unlock(&p, &anon(), &link.token, "second secret"))
            .unwrap()
            .unwrap();
        let unlocked = with_cookie(&cookie);
        assert!(media(&p, &unlocked, &link).is_ok());

        // Editing the label alone keeps the password and the unlock.
        block_on(update(&p, &owner, &link.id, change("renamed"))).unwrap();
        assert!(mem.link(&link.id).unwrap().password_hash.is_some());
        assert!(media(&p, &unlocked, &link).is_ok());

        // Cleared: open to anyone with the link, and the old unlock means nothing.
        let clear = LinkChange {
            clear_password: true,
            ..change("renamed")
        };
        block_on(update(&p, &owner, &link.id, clear)).unwrap();
        assert_eq!(mem.link(&link.id).unwrap().password_hash, None);
        assert!(media(&p, &anon(), &link).is_ok());
        assert!(!is_unlocked(&p, &mem.link(&link.id).unwrap(), &unlocked));
    }

    #[test]
    fn downloads_follow_the_link_switch() {
        let (p, _, owner, _) = setup();
        let no = NewLink {
            allow_downloads: false,
            ..new_link("")
        };
        let link = block_on(create(&p, &owner, LinkTarget::Photo, "p1", no)).unwrap();
        let v = block_on(open(&p, &anon(), &link.token, ORIGIN, None)).unwrap();
        assert_eq!(v.photo.unwrap().original_url, None);
        assert_eq!(
            whole(&p, &anon(), &link.token, "p1").map(|b| b.1),
            Err(LumenError::NotFound)
        );
    }

    #[test]
    fn wrong_passwords_are_limited_per_link_and_network() {
        let (p, _, owner, _) = setup();
        let from = |ip: String| RequestHead {
            client_ip: Some(ip),
            ..anon()
        };
        let link = || {
            block_on(create(
                &p,
                &owner,
                LinkTarget::Photo,
                "p1",
                new_link("right password"),
            ))
            .unwrap()
        };
        // Per link: guesses from many networks add up; then even the right password waits.
        let a = link();
        for n in 0..WRONG_PER_LINK.max {
            let e = block_on(unlock(
                &p,
                &from(format!("198.51.100.{n}")),
                &a.token,
                "wrong",
            ));
            assert_eq!(e.map_err(|e| e.status()), Err(422));
        }
        let e = block_on(unlock(
            &p,
            &from("192.0.2.1".into()),
            &a.token,
            "right password",
        ));
        assert!(
            matches!(e, Err(LumenError::RateLimited { retry_after_secs }) if retry_after_secs > 0)
        );

        // Per network, across links: one IPv6 /64 spreading its guesses runs out too.
        let links: Vec<LinkRow> = (0..3).map(|_| link()).collect();
        for n in 0..WRONG_PER_NET.max {
            let l = &links[n as usize % 3];
            let e = block_on(unlock(
                &p,
                &from(format!("2001:db8:1:2::{n:x}")),
                &l.token,
                "wrong",
            ));
            assert_eq!(e.map_err(|e| e.status()), Err(422), "guess {n}");
        }
        let fresh = link();
        let e = block_on(unlock(
            &p,
            &from("2001:db8:1:2::ffff".into()),
            &fresh.token,
            "right password",
        ));
        assert_eq!(e.map_err(|e| e.status()), Err(429));
        // Another network gets in, and a right password never counts.
        for _ in 0..WRONG_PER_NET.max + 1 {
            let ok = block_on(unlock(
                &p,
                &from("192.0.2.9".into()),
                &fresh.token,
                "right password",
            ));
            assert!(matches!(ok, Ok(Some(_))));
        }
    }

    /// `setup`'s private `p1` and a public `p2` (both ready, with variants), a pending `p3`
    /// and a photo `p4` outside the album, in `u1`'s private album `a` (p2 first).
    fn album_setup() -> (Platform, std::sync::Arc<Mem>, Session, Session, String) {
        let (p, mem, owner, other) = setup();
        for (id, vis, status) in [
            ("p2", Visibility::Public, PhotoStatus::Ready),
            ("p3", Visibility::Public, PhotoStatus::Pending),
            ("p4", Visibility::Private, PhotoStatus::Ready),
        ] {
            let mut row = pending_row(id, 2);
            row.status = status;
            row.visibility = vis;
            row.rev = Some("r".into());
            mem.insert(row);
            mem.add_variant(id, 320);
            mem.put_blob(&keys::variant(id, "r", 320, "jpg"), vec![3]);
            mem.put_blob(&keys::original("u1", id), vec![4]);
        }
        let form = albums::AlbumForm {
            title: "Summer <b>2024</b>".into(),
            description: "By the sea".into(),
            visibility: "private".into(),
            sort: "manual".into(),
        };
        let album = block_on(albums::create(&p, &owner, &form)).unwrap();
        let ids = ["p2", "p1", "p3"].map(String::from);
        block_on(albums::add(&p, &owner, &album, &ids)).unwrap();
        (p, mem, owner, other, album)
    }

    fn album_link(p: &Platform, owner: &Session, album: &str, password: &str) -> LinkRow {
        block_on(create(
            p,
            owner,
            LinkTarget::Album,
            album,
            new_link(password),
        ))
        .unwrap()
    }

    fn variant_of(
        p: &Platform,
        head: &RequestHead,
        token: &str,
        photo: &str,
    ) -> Result<Vec<u8>, LumenError> {
        let path = keys::link_variant_url(token, &keys::variant(photo, "r", 320, "jpg"));
        block_on(variant(p, head, &path)).map(|b| b.bytes)
    }

    #[test]
    fn an_album_link_shows_its_finished_photos_private_ones_too() {
        let (p, mem, owner, _, album) = album_setup();
        let link = album_link(&p, &owner, &album, "");
        let v = block_on(open(&p, &anon(), &link.token, ORIGIN, None)).unwrap();
        assert_eq!(v.photo, None);
        let a = v.album.unwrap();
        assert_eq!(a.title, "Summer <b>2024</b>");
        assert_eq!(a.owner.as_deref(), Some("ada"));
        let ids: Vec<&str> = a.photos.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["p2", "p1"], "album order; the unfinished photo waits");
        let prefix = format!("/s/{}/media/", link.token);
        assert!(a
            .photos
            .iter()
            .all(|c| c.thumb.as_ref().unwrap().url.starts_with(&prefix)));
        assert_eq!(a.photo_base, format!("/s/{}/p/", link.token));
        assert_eq!(a.download_url, Some(format!("/s/{}/download", link.token)));
        assert_eq!(v.preview.title, "Summer <b>2024</b>");
        assert!(v
            .preview
            .image
            .unwrap()
            .url
            .starts_with(&format!("{ORIGIN}{prefix}p2/")));
        assert_eq!(mem.link(&link.id).unwrap().views, 1);

        // Each photo opens under the link, with its place in the album and no location.
        let one = block_on(open_photo(&p, &anon(), &link.token, "p1", ORIGIN)).unwrap();
        let photo = one.photo.unwrap();
        assert_eq!(
            (photo.title.as_str(), photo.location),
            ("Secret garden", None)
        );
        assert!(photo.images.iter().all(|i| i.url.starts_with(&prefix)));
        assert_eq!(
            photo.original_url,
            Some(format!("/s/{}/original/p1", link.token))
        );
        let place = one.place.unwrap();
        assert_eq!(place.prev, Some(format!("/s/{}/p/p2", link.token)));
        assert_eq!(place.next, None);
        assert_eq!(place.album_url, format!("/s/{}", link.token));
        assert_eq!(
            mem.link(&link.id).unwrap().views,
            1,
            "views count the album page"
        );

        assert_eq!(variant_of(&p, &anon(), &link.token, "p1"), Ok(vec![64]));
        assert_eq!(variant_of(&p, &anon(), &link.token, "p2"), Ok(vec![3]));
        let (blob, _) = whole(&p, &anon(), &link.token, "p2").unwrap();
        assert_eq!(blob.bytes, vec![4]);
        let zip = block_on(download(&p, &anon(), &link.token, 40)).unwrap();
        assert_eq!(
            zip.keys,
            [keys::original("u1", "p2"), keys::original("u1", "p1")]
        );
        assert_eq!(zip.file_name, "Summer--b-2024--b.zip");
    }

    #[test]
    fn an_album_link_opens_nothing_outside_its_album() {
        let (p, _, owner, _, album) = album_setup();
        let link = album_link(&p, &owner, &album, "");
        let t = link.token.as_str();
        for photo in ["p3", "p4", "nope"] {
            assert_eq!(
                variant_of(&p, &anon(), t, photo),
                Err(LumenError::NotFound),
                "{photo}"
            );
            assert_eq!(
                block_on(open_photo(&p, &anon(), t, photo, ORIGIN)).map(|_| ()),
                Err(LumenError::NotFound)
            );
            assert_eq!(
                block_on(original(&p, &anon(), t, photo)).map(|_| ()),
                Err(LumenError::NotFound)
            );
        }
        // A photo taken out of the album is out of the link at once.
        block_on(albums::remove(&p, &owner, &album, &["p1".to_string()])).unwrap();
        assert_eq!(variant_of(&p, &anon(), t, "p1"), Err(LumenError::NotFound));
        // A photo link has no album pages and no zip.
        let photo_link =
            block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        assert_eq!(
            block_on(open_photo(&p, &anon(), &photo_link.token, "p1", ORIGIN)).map(|_| ()),
            Err(LumenError::NotFound)
        );
        assert_eq!(
            block_on(download(&p, &anon(), &photo_link.token, 40)).map(|_| ()),
            Err(LumenError::NotFound)
        );
        // Deleting the album ends its link.
        block_on(albums::delete(&p, &owner, &album)).unwrap();
        assert_eq!(
            block_on(open(&p, &anon(), t, ORIGIN, None)).map(|_| ()),
            Err(LumenError::NotFound)
        );
        assert_eq!(variant_of(&p, &anon(), t, "p2"), Err(LumenError::NotFound));
    }

    #[test]
    fn an_album_links_password_revoke_and_downloads_cover_every_url() {
        let (p, _, owner, other, album) = album_setup();
        assert_eq!(
            block_on(create(&p, &other, LinkTarget::Album, &album, new_link(""))).map(|_| ()),
            Err(LumenError::NotFound),
            "someone else's private album does not exist"
        );
        let link = album_link(&p, &owner, &album, "sea breeze");
        let t = link.token.clone();
        let locked = block_on(open(&p, &anon(), &t, ORIGIN, None)).unwrap();
        assert_eq!((locked.album, locked.photo), (None, None));
        assert_eq!(locked.preview.title, "", "reveals nothing");
        let locked = block_on(open_photo(&p, &anon(), &t, "p1", ORIGIN)).unwrap();
        assert_eq!(locked.photo, None);
        assert_eq!(variant_of(&p, &anon(), &t, "p2"), Err(LumenError::NotFound));
        assert!(block_on(download(&p, &anon(), &t, 40)).is_err());

        let cookie = block_on(unlock(&p, &anon(), &t, "sea breeze"))
            .unwrap()
            .unwrap();
        let unlocked = with_cookie(&cookie);
        assert!(block_on(open(&p, &unlocked, &t, ORIGIN, None))
            .unwrap()
            .album
            .is_some());
        assert!(variant_of(&p, &unlocked, &t, "p2").is_ok());
        assert!(block_on(download(&p, &unlocked, &t, 40)).is_ok());
        assert_eq!(
            block_on(download(&p, &unlocked, &t, 1))
                .map(|_| ())
                .map_err(|e| e.status()),
            Err(413),
            "more photos than one download may hold: a clear refusal"
        );

        let no_downloads = LinkChange {
            allow_downloads: false,
            ..change("x")
        };
        assert_eq!(
            block_on(update(&p, &owner, &link.id, no_downloads)),
            Ok(format!("/a/{album}"))
        );
        assert!(block_on(download(&p, &unlocked, &t, 40)).is_err());
        assert!(block_on(original(&p, &unlocked, &t, "p2")).is_err());
        let v = block_on(open(&p, &unlocked, &t, ORIGIN, None)).unwrap();
        assert_eq!(v.album.unwrap().download_url, None);

        block_on(revoke(&p, &owner, &link.id)).unwrap();
        assert_eq!(
            variant_of(&p, &unlocked, &t, "p2"),
            Err(LumenError::NotFound)
        );
        assert!(block_on(open(&p, &unlocked, &t, ORIGIN, None)).is_err());
        assert!(
            block_on(list(&p, &owner, LinkTarget::Album, &album, ORIGIN))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn creating_links_is_limited_per_owner() {
        let (p, _, owner, _) = setup();
        for _ in 0..CREATES_PER_HOUR.max {
            block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        }
        let e = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).map(|_| ());
        assert_eq!(e.map_err(|e| e.status()), Err(429));
    }

    #[test]
    fn the_sweep_deletes_long_dead_links_only() {
        let (p, mem, owner, _) = setup();
        let day = NewLink {
            expiry: Expiry::Days(1),
            ..new_link("")
        };
        let short = block_on(create(&p, &owner, LinkTarget::Photo, "p1", day)).unwrap();
        let revoked = block_on(create(&p, &owner, LinkTarget::Photo, "p1", new_link(""))).unwrap();
        let forever = NewLink {
            expiry: Expiry::Never,
            ..new_link("")
        };
        let kept = block_on(create(&p, &owner, LinkTarget::Photo, "p1", forever)).unwrap();
        block_on(revoke(&p, &owner, &revoked.id)).unwrap();
        assert_eq!(block_on(sweep(&p)), Ok(0), "too recent");
        mem.advance(KEEP_REVOKED_MS + 1);
        assert_eq!(block_on(sweep(&p)), Ok(1));
        assert!(mem.link(&revoked.id).is_none());
        assert!(
            mem.link(&short.id).is_some(),
            "expired, but the owner may extend it"
        );
        mem.advance(KEEP_EXPIRED_MS);
        assert_eq!(block_on(sweep(&p)), Ok(1));
        assert!(mem.link(&short.id).is_none());
        assert!(mem.link(&kept.id).is_some());
    }
}
