//! Share links: the owner of a photo hands out `/s/{token}`, which shows that one photo
//! to anyone holding it until it expires or is revoked, behind an optional password.
//! Every image the link page shows is served under the link's own path and checked
//! against the link on each request (`access::check_link`), so ending the link ends them.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::LumenError;
use crate::model::{ShareLinkView, SharedView};
use crate::ssr::access::{self, Action, LinkAction, LinkState, Via};
use crate::ssr::auth::{self, Session};
use crate::ssr::guard::RequestHead;
use crate::ssr::keys;
use crate::ssr::limits::{self, Limit};
use crate::ssr::ports::{Blob, LinkEdit, LinkRow, LinkTarget, PhotoRow, PortError};
use crate::ssr::service::{media, photos};
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

/// A new link for the caller's photo.
pub async fn create(
    p: &Platform,
    s: &Session,
    photo_id: &str,
    new: NewLink,
) -> Result<LinkRow, LumenError> {
    let photo = photos::visible(p, Some(s), photo_id, Action::Edit).await?;
    let label = label(&new.label)?;
    let password_hash = match new.password.as_str() {
        "" => None,
        pw => Some(hash(p, pw).await?),
    };
    let now = p.clock.now_ms();
    let mut link = LinkRow {
        id: p.ids.new_id()?,
        owner_id: photo.owner_id,
        target: LinkTarget::Photo,
        target_id: photo.id,
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
            done => return done.map(|()| link).map_err(Into::into),
        }
    }
    Err(LumenError::Conflict)
}

/// Changes label, expiry, password and downloads; returns the photo's id. A new or
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
        Some(Some(hash(p, &change.password).await?))
    };
    let now = p.clock.now_ms();
    let edit = LinkEdit {
        label: label(&change.label)?,
        expires_at: change.expiry.map_or(link.expires_at, |e| e.at(now)),
        password_hash,
        allow_downloads: change.allow_downloads,
    };
    p.links.update(&link.id, &edit, now).await?;
    Ok(link.target_id)
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
            done => return done.map(|()| link.target_id).map_err(Into::into),
        }
    }
    Err(LumenError::Conflict)
}

pub async fn revoke(p: &Platform, s: &Session, link_id: &str) -> Result<String, LumenError> {
    let link = owned(p, s, link_id).await?;
    p.links.revoke(&link.id, p.clock.now_ms()).await?;
    Ok(link.target_id)
}

/// The caller's photo's live links, newest first, with absolute URLs to copy.
pub async fn list(
    p: &Platform,
    s: &Session,
    photo_id: &str,
    origin: &str,
) -> Result<Vec<ShareLinkView>, LumenError> {
    let photo = photos::visible(p, Some(s), photo_id, Action::Edit).await?;
    let now = p.clock.now_ms();
    let rows = p.links.for_target(LinkTarget::Photo, &photo.id).await?;
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

/// The page at `/s/{token}`: the photo when the link is open (counting a view), the
/// password form's data when it is locked, `NotFound` when it is dead or made up.
pub async fn open(
    p: &Platform,
    head: &RequestHead,
    token: &str,
    origin: &str,
) -> Result<SharedView, LumenError> {
    let (link, photo) = live(p, token).await?;
    let unlocked = is_unlocked(p, &link, head);
    let protected = link.password_hash.is_some();
    let url = keys::link_url(&link.token);
    // A protected link's preview is the same for every link: it reveals nothing.
    let generic = crate::model::Preview {
        url: keys::absolute(origin, &url),
        title: String::new(),
        description: "A photo shared on Lumen.".into(),
        image: None,
    };
    let now = p.clock.now_ms();
    if access::link_state(&link, now, unlocked) == LinkState::Locked {
        return Ok(SharedView {
            token: link.token,
            protected,
            preview: generic,
            photo: None,
        });
    }
    let via = Via::Link { unlocked };
    access::check_link(None, via, &link, &photo, LinkAction::View, now)?;
    let downloads =
        access::check_link(None, via, &link, &photo, LinkAction::DownloadOriginal, now).is_ok();
    let variants = photos::ready_variants(p, &photo).await?;
    let images = photos::images(variants, |key| keys::link_variant_url(&link.token, key));
    // Seen as nobody: no location, no owner tools, no original but the link's own.
    let mut view = photos::view(photo, images, None);
    view.original_url = downloads.then(|| keys::link_original_url(&link.token, &view.id));
    view.location = None;
    view.preview = if protected {
        generic
    } else {
        photos::preview(origin, &url, &view, true)
    };
    p.links.count_view(&link.id).await?;
    Ok(SharedView {
        token: link.token,
        protected,
        preview: view.preview.clone(),
        photo: Some(view),
    })
}

/// `/s/{token}/media/{photo}/{rev}/{width}.{ext}`: a variant, only of the link's photo,
/// only while the link is open for this request.
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
) -> Result<(Blob, String), LumenError> {
    let photo = through(p, head, token, photo_id, LinkAction::DownloadOriginal).await?;
    media::original_blob(p, &photo).await
}

/// The photo `photo_id` if the link at `token` may show it for `action` now.
async fn through(
    p: &Platform,
    head: &RequestHead,
    token: &str,
    photo_id: &str,
    action: LinkAction,
) -> Result<PhotoRow, LumenError> {
    let (link, photo) = live(p, token).await?;
    let via = Via::Link {
        unlocked: is_unlocked(p, &link, head),
    };
    access::check_link(None, via, &link, &photo, action, p.clock.now_ms())?;
    if photo.id != photo_id {
        return Err(LumenError::NotFound);
    }
    Ok(photo)
}

/// The link at `token` and its photo, unless the link is dead or made up (the same
/// `NotFound` for both).
async fn live(p: &Platform, token: &str) -> Result<(LinkRow, PhotoRow), LumenError> {
    if !auth::is_link_token(token) {
        return Err(LumenError::NotFound);
    }
    let link = p.links.by_token(token).await?.ok_or(LumenError::NotFound)?;
    if access::link_state(&link, p.clock.now_ms(), true) == LinkState::Dead
        || link.target != LinkTarget::Photo
    {
        return Err(LumenError::NotFound);
    }
    let photo = p
        .photos
        .get(&link.target_id)
        .await?
        .ok_or(LumenError::NotFound)?;
    Ok((link, photo))
}

/// A link the caller may manage (not revoked), or `NotFound` / `Unauthenticated`.
async fn owned(p: &Platform, s: &Session, link_id: &str) -> Result<LinkRow, LumenError> {
    let link = p
        .links
        .by_id(link_id)
        .await?
        .filter(|l| l.revoked_at.is_none())
        .ok_or(LumenError::NotFound)?;
    let photo = p
        .photos
        .get(&link.target_id)
        .await?
        .ok_or(LumenError::NotFound)?;
    let now = p.clock.now_ms();
    access::check_link(
        Some(&s.user.id),
        Via::Page,
        &link,
        &photo,
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

async fn hash(p: &Platform, password: &str) -> Result<String, LumenError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) || crate::text::is_blank(password) {
        return Err(LumenError::invalid(
            "password",
            format!("Use {MIN_PASSWORD} to {MAX_PASSWORD} characters, or leave it empty."),
        ));
    }
    auth::hash_password(p, password).await
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
    use crate::ssr::fakes::{block_on, fake_platform, pending_row, signed_in, Mem};

    const ORIGIN: &str = "https://lumen.test";

    fn session(p: &Platform, id: &str, name: &str) -> Session {
        let head = signed_in(p, id, name);
        block_on(auth::session_from_cookie(p, head.cookie.as_deref(), None))
            .unwrap()
            .unwrap()
    }

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
        let link = block_on(create(&p, &owner, "p1", new_link(""))).unwrap();
        assert_eq!(link.expires_at, Some(now + 30 * DAY_MS));
        assert_eq!(
            mem.link(&link.id).unwrap().expires_at,
            Some(now + 30 * DAY_MS)
        );
        let forever = NewLink {
            expiry: Expiry::Never,
            ..new_link("")
        };
        let link = block_on(create(&p, &owner, "p1", forever)).unwrap();
        assert_eq!(link.expires_at, None);
    }

    #[test]
    fn tokens_are_long_random_and_distinct() {
        let (p, _, owner, _) = setup();
        let a = block_on(create(&p, &owner, "p1", new_link(""))).unwrap();
        let b = block_on(create(&p, &owner, "p1", new_link(""))).unwrap();
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
            block_on(create(&p, &other, "p1", new_link(""))).map(|_| ()),
            Err(LumenError::NotFound)
        );
        let mut public = mem.photo("p1").unwrap();
        public.visibility = Visibility::Public;
        mem.insert(public);
        assert_eq!(
            block_on(create(&p, &other, "p1", new_link(""))).map(|_| ()),
            Err(LumenError::Forbidden)
        );
        let link = block_on(create(&p, &owner, "p1", new_link(""))).unwrap();
        assert_eq!(
            block_on(list(&p, &other, "p1", ORIGIN)).map(|_| ()),
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
        let listed = block_on(list(&p, &owner, "p1", ORIGIN)).unwrap();
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
        let link = block_on(create(&p, &owner, "p1", spoof)).unwrap();
        assert_eq!(link.label, "forgnp.exe <b>grandma</b>");
        let blank = NewLink {
            label: "\u{200b} \u{a0}".into(),
            ..new_link("")
        };
        assert_eq!(block_on(create(&p, &owner, "p1", blank)).unwrap().label, "");
        let long = NewLink {
            label: "x".repeat(MAX_LABEL + 1),
            ..new_link("")
        };
        let e = block_on(create(&p, &owner, "p1", long))
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
        let link = block_on(create(&p, &owner, "p1", new_link(""))).unwrap();
        let v = block_on(open(&p, &anon(), &link.token, ORIGIN)).unwrap();
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
        let (blob, name) = block_on(original(&p, &anon(), &link.token, "p1")).unwrap();
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
        let link = block_on(create(&p, &owner, "p1", new_link(""))).unwrap();
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
            block_on(original(&p, &anon(), &link.token, "p2")).map(|b| b.0.bytes),
            Err(LumenError::NotFound)
        );
    }

    #[test]
    fn expiry_revoke_and_reset_end_every_url_at_once() {
        let (p, mem, owner, _) = setup();
        let link = block_on(create(&p, &owner, "p1", new_link(""))).unwrap();
        assert!(media(&p, &anon(), &link).is_ok());

        // Expired: 404 from the instant it ends; the owner can give it more time.
        mem.advance(30 * DAY_MS);
        assert_eq!(media(&p, &anon(), &link), Err(LumenError::NotFound));
        assert_eq!(
            block_on(open(&p, &anon(), &link.token, ORIGIN)).map(|_| ()),
            Err(LumenError::NotFound)
        );
        let listed = block_on(list(&p, &owner, "p1", ORIGIN)).unwrap();
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
        assert!(block_on(open(&p, &anon(), &link.token, ORIGIN)).is_err());
        assert!(media(&p, &anon(), &fresh).is_ok());

        // Revoked: dead for good, gone from the list, and nothing revives it.
        block_on(revoke(&p, &owner, &link.id)).unwrap();
        assert_eq!(media(&p, &anon(), &fresh), Err(LumenError::NotFound));
        assert!(block_on(list(&p, &owner, "p1", ORIGIN)).unwrap().is_empty());
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
    fn passwords_are_hashed_and_unlock_only_this_link() {
        let (p, mem, owner, _) = setup();
        let link = block_on(create(&p, &owner, "p1", new_link("open sesame"))).unwrap();
        let stored = mem.link(&link.id).unwrap().password_hash.unwrap();
        assert!(stored.starts_with("pbkdf2-sha256$100000$"), "{stored}");
        assert!(!stored.contains("open sesame"));
        let short = block_on(create(&p, &owner, "p1", new_link("abc"))).map(|_| ());
        assert_eq!(short.map_err(|e| e.status()), Err(422));

        // Locked: the page has no photo and a generic preview; media are 404.
        let locked = block_on(open(&p, &anon(), &link.token, ORIGIN)).unwrap();
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
        let open_page = block_on(open(&p, &unlocked, &link.token, ORIGIN)).unwrap();
        assert!(open_page.photo.is_some());
        assert_eq!(open_page.preview.image, None, "protected: generic preview");
        assert!(media(&p, &unlocked, &link).is_ok());

        // Another password link of the same photo is not unlocked by it.
        let other = block_on(create(&p, &owner, "p1", new_link("open sesame"))).unwrap();
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
        let link = block_on(create(&p, &owner, "p1", new_link("first secret"))).unwrap();
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
        let link = block_on(create(&p, &owner, "p1", no)).unwrap();
        let v = block_on(open(&p, &anon(), &link.token, ORIGIN)).unwrap();
        assert_eq!(v.photo.unwrap().original_url, None);
        assert_eq!(
            block_on(original(&p, &anon(), &link.token, "p1")).map(|b| b.1),
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
        let link = || block_on(create(&p, &owner, "p1", new_link("right password"))).unwrap();
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
}
