//! Who may do what to a photo, an album or a share link: the one place this is decided.
//! Pages, server functions and media routes all ask here.

use crate::error::LumenError;
use crate::model::{PhotoStatus, Visibility};
use crate::ssr::ports::{
    AlbumEntry, AlbumRow, CommentRow, EntryScope, LinkRow, LinkTarget, PhotoRow, Switches,
    UploadRow, UserRow,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The page, its variants and its metadata (camera facts).
    View,
    /// Where it was taken.
    SeeLocation,
    /// The untouched upload.
    DownloadOriginal,
    /// Title, caption, alt text, visibility, original download.
    Edit,
    Delete,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Self::View,
        Self::SeeLocation,
        Self::DownloadOriginal,
        Self::Edit,
        Self::Delete,
    ];
}

/// `viewer` is the signed-in user's id. Refusals never reveal more than the viewer may
/// know: what they cannot see answers `NotFound` (not `Forbidden`), so a private photo's
/// existence does not leak.
pub fn check(viewer: Option<&str>, photo: &PhotoRow, action: Action) -> Result<(), LumenError> {
    if action == Action::View {
        return sees(viewer, photo)
            .then_some(())
            .ok_or(LumenError::NotFound);
    }
    if photo.owner_suspended {
        return Err(LumenError::NotFound);
    }
    if photo.trashed_at.is_some() {
        return trashed(viewer, photo, action);
    }
    if viewer == Some(photo.owner_id.as_str()) {
        return Ok(());
    }
    let visible = photo.visibility != Visibility::Private;
    match action {
        Action::View if visible => Ok(()),
        Action::DownloadOriginal if visible && photo.allow_original => Ok(()),
        Action::View | Action::SeeLocation | Action::DownloadOriginal => Err(LumenError::NotFound),
        Action::Edit | Action::Delete => Err(match viewer {
            None => LumenError::Unauthenticated,
            Some(_) if !visible => LumenError::NotFound,
            Some(_) => LumenError::Forbidden,
        }),
    }
}

/// A photo in the trash is gone for everyone but its owner, who may still see it (the
/// trash page's thumbnails, its original) and restore or delete it (`Delete`), never edit
/// it; everyone else gets what a made-up id gets.
fn trashed(viewer: Option<&str>, photo: &PhotoRow, action: Action) -> Result<(), LumenError> {
    let owner = viewer == Some(photo.owner_id.as_str());
    match action {
        Action::View | Action::DownloadOriginal | Action::Delete if owner => Ok(()),
        _ => Err(LumenError::NotFound),
    }
}

/// [`check`]'s `View`, on any row ([`Listed`]: a whole row and a listing's lean one answer
/// alike): never a suspended owner's; a trashed photo only to its owner; else the owner, or
/// anyone when it is not private.
pub fn sees(viewer: Option<&str>, photo: &impl Listed) -> bool {
    let owner = viewer == Some(photo.owner_id());
    if photo.owner_suspended() {
        false
    } else if photo.trashed() {
        owner
    } else {
        owner || photo.visibility() != Visibility::Private
    }
}

pub fn allows(viewer: Option<&str>, photo: &PhotoRow, action: Action) -> bool {
    check(viewer, photo, action).is_ok()
}

/// What can be done with an album.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlbumAction {
    /// Its page: title, description, the photos the viewer may see.
    View,
    /// The zip of its originals.
    Download,
    /// Title, description, visibility, order, cover, which photos it holds.
    Edit,
    Delete,
}

impl AlbumAction {
    pub const ALL: [AlbumAction; 4] = [Self::View, Self::Download, Self::Edit, Self::Delete];
}

/// The album rules, shaped like the photo rules: the owner may do anything; others may
/// view a public or unlisted album; downloads are the owner's (share links will extend
/// this); what someone cannot see answers `NotFound`.
pub fn check_album(
    viewer: Option<&str>,
    album: &AlbumRow,
    action: AlbumAction,
) -> Result<(), LumenError> {
    if album.owner_suspended {
        return Err(LumenError::NotFound);
    }
    if viewer == Some(album.owner_id.as_str()) {
        return Ok(());
    }
    let visible = album.visibility != Visibility::Private;
    match action {
        AlbumAction::View if visible => Ok(()),
        AlbumAction::View | AlbumAction::Download => Err(LumenError::NotFound),
        AlbumAction::Edit | AlbumAction::Delete => Err(match viewer {
            None => LumenError::Unauthenticated,
            Some(_) if !visible => LumenError::NotFound,
            Some(_) => LumenError::Forbidden,
        }),
    }
}

/// Whether a listing of `owner_id`'s photos shows `viewer` every one of them (pending,
/// failed, unlisted and private): only to the owner. Everyone else's listings hold public,
/// finished photos only (the listing queries filter on exactly that).
pub fn lists_everything_of(viewer: Option<&str>, owner_id: &str) -> bool {
    viewer == Some(owner_id)
}

/// A prepared export: its owner's alone; to anyone else it does not exist.
pub fn check_export(viewer: Option<&str>, owner_id: &str) -> Result<(), LumenError> {
    if viewer == Some(owner_id) {
        Ok(())
    } else {
        Err(LumenError::NotFound)
    }
}

/// A person's own addresses (profile, their albums, their feed): a suspended person's
/// answer like a made-up username, to everyone (admins see them in the console, where
/// they unsuspend; a suspended person cannot sign in, so their own view is moot).
pub fn check_person(user: &UserRow) -> Result<(), LumenError> {
    if user.suspended {
        Err(LumenError::NotFound)
    } else {
        Ok(())
    }
}

/// Whether a listing found by a fact (a tag, a camera, a lens, a search) may show `viewer`
/// this photo: every photo of their own; of anyone else's, only public, finished ones.
/// The listing queries filter on exactly this, and the services check each row again.
pub fn listed(viewer: Option<&str>, photo: &impl Listed) -> bool {
    !photo.trashed()
        && !photo.owner_suspended()
        && (lists_everything_of(viewer, photo.owner_id())
            || (photo.visibility() == Visibility::Public && photo.status() == PhotoStatus::Ready))
}

/// What [`listed`] reads of a photo: a whole row (`PhotoRow`) and a listing's lean one
/// (`CardRow`) answer alike, so a listing reads only what its cards show.
pub trait Listed {
    fn owner_id(&self) -> &str;
    fn visibility(&self) -> Visibility;
    fn status(&self) -> PhotoStatus;
    fn trashed(&self) -> bool;
    fn owner_suspended(&self) -> bool;
}

/// Both rows carry the fields under the same names; only "in the trash" differs.
macro_rules! listed_from_fields {
    ($row:ty, |$r:ident| $trashed:expr) => {
        impl Listed for $row {
            fn owner_id(&self) -> &str {
                &self.owner_id
            }
            fn visibility(&self) -> Visibility {
                self.visibility
            }
            fn status(&self) -> PhotoStatus {
                self.status
            }
            fn trashed(&self) -> bool {
                let $r = self;
                $trashed
            }
            fn owner_suspended(&self) -> bool {
                self.owner_suspended
            }
        }
    };
}
listed_from_fields!(PhotoRow, |r| r.trashed_at.is_some());
listed_from_fields!(crate::ssr::ports::CardRow, |r| r.trashed);

/// Which of `album`'s photos a listing for `viewer` may hold (pre-filtered in SQL, then
/// each checked by [`shows_in_album`] or [`check_link`]): everything of the owner's for the
/// owner; finished public ones (and unlisted ones in an unlisted album) for others.
pub fn album_scope(viewer: Option<&str>, album: &AlbumRow) -> EntryScope {
    let owner = viewer == Some(album.owner_id.as_str());
    EntryScope {
        any_status: owner,
        any_visibility: owner,
        unlisted: album.visibility == Visibility::Unlisted,
    }
}

/// What an open album share link lists: every finished photo of the owner's in the album.
pub const LINK_SCOPE: EntryScope = EntryScope {
    any_status: false,
    any_visibility: true,
    unlisted: true,
};

/// Whether `photo` shows in `album` for `viewer`. A photo's own visibility still holds
/// inside an album: a private photo never shows to anyone but its owner, and an unlisted
/// one only in an unlisted album (a public album is listed, and would publish it). Only
/// finished photos show to others. The same rule picks a cover: an owner's cover the
/// viewer may not see is replaced by the first photo they may.
/// A whole row and an album page's lean one answer alike ([`Listed`]).
pub fn shows_in_album(viewer: Option<&str>, album: &AlbumRow, photo: &impl Listed) -> bool {
    if photo.trashed() || photo.owner_suspended() || album.owner_suspended {
        return false;
    }
    if viewer == Some(photo.owner_id()) && photo.owner_id() == album.owner_id {
        return true;
    }
    let visible = match photo.visibility() {
        Visibility::Public => true,
        Visibility::Unlisted => album.visibility == Visibility::Unlisted,
        Visibility::Private => false,
    };
    visible
        && photo.owner_id() == album.owner_id
        && photo.status() == PhotoStatus::Ready
        && check_album(viewer, album, AlbumAction::View).is_ok()
}

/// Where a share link stands for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Revoked, or expired (from the instant `expires_at <= now`): like a made-up token.
    Dead,
    /// Has a password this request has not unlocked: only the password form shows.
    Locked,
    Open,
}

/// `unlocked`: the request carries a valid unlock for this link (see `service::links`).
pub fn link_state(link: &LinkRow, now_ms: i64, unlocked: bool) -> LinkState {
    if link.revoked_at.is_some() || link.expires_at.is_some_and(|t| t <= now_ms) {
        LinkState::Dead
    } else if link.password_hash.is_some() && !unlocked {
        LinkState::Locked
    } else {
        LinkState::Open
    }
}

/// How a request reaches a photo: its own page (`/p/…`, the photo's rules), or a share
/// link's URL (`/s/{token}…`, the link's rules, whoever is signed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Page,
    /// `unlocked`: the request carries a valid unlock for the link.
    Link {
        unlocked: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    /// The photo, its variants and camera facts (never its location).
    View,
    /// The untouched upload.
    DownloadOriginal,
    /// See, change, reset or revoke the link.
    Manage,
}

impl LinkAction {
    pub const ALL: [LinkAction; 3] = [Self::View, Self::DownloadOriginal, Self::Manage];
}

/// What a share link is asked to show.
#[derive(Debug, Clone, Copy)]
pub enum Shown<'a> {
    /// A photo link's photo.
    Photo(&'a PhotoRow),
    /// A photo of an album link's album: its entry there (the membership row) is the proof.
    InAlbum {
        album: &'a AlbumRow,
        entry: &'a AlbumEntry,
    },
    /// An album link's album itself: its page, and its zip (`DownloadOriginal`).
    Album(&'a AlbumRow),
}

/// The share-link rules. Through a link that is open, its target shows to anyone: a photo
/// link's one photo, or an album link's album and every finished photo of the owner's in
/// it, whatever each one's visibility (sharing a private album is the point); originals
/// (and an album's zip) when the link allows downloads. Nothing else does, and a dead or
/// locked link answers like a made-up one. Only the link's owner manages it; to anyone
/// else signed in it does not exist. Off the link (`Via::Page`) the usual rules apply.
pub fn check_link(
    viewer: Option<&str>,
    via: Via,
    link: &LinkRow,
    shown: Shown,
    action: LinkAction,
    now_ms: i64,
) -> Result<(), LumenError> {
    if action == LinkAction::Manage {
        return match viewer {
            Some(v) if v == link.owner_id => Ok(()),
            Some(_) => Err(LumenError::NotFound),
            None => Err(LumenError::Unauthenticated),
        };
    }
    let Via::Link { unlocked } = via else {
        let original = action == LinkAction::DownloadOriginal;
        return match shown {
            Shown::Photo(photo)
            | Shown::InAlbum {
                entry: AlbumEntry { photo, .. },
                ..
            } => check(
                viewer,
                photo,
                if original {
                    Action::DownloadOriginal
                } else {
                    Action::View
                },
            ),
            Shown::Album(album) => check_album(
                viewer,
                album,
                if original {
                    AlbumAction::Download
                } else {
                    AlbumAction::View
                },
            ),
        };
    };
    // A suspended owner's links are dead with the rest of their content.
    let open = || link_state(link, now_ms, unlocked) == LinkState::Open;
    let opens = match shown {
        Shown::Photo(photo) => {
            photo.trashed_at.is_none()
                && !photo.owner_suspended
                && link.target == LinkTarget::Photo
                && link.target_id == photo.id
                && link.owner_id == photo.owner_id
                && open()
        }
        Shown::InAlbum { album, entry } => link_lists(link, album, entry, unlocked, now_ms),
        Shown::Album(album) => album_link_reaches(link, album) && open(),
    };
    match action {
        LinkAction::View if opens => Ok(()),
        LinkAction::DownloadOriginal if opens && link.allow_downloads => Ok(()),
        _ => Err(LumenError::NotFound),
    }
}

/// Whether `link` is a link to `album` by its owner, who is not suspended (open or not).
fn album_link_reaches(link: &LinkRow, album: &AlbumRow) -> bool {
    link.target == LinkTarget::Album
        && link.target_id == album.id
        && link.owner_id == album.owner_id
        && !album.owner_suspended
}

/// Whether `entry` opens through an album link (`unlocked` as in [`Via::Link`]): the link
/// is open, and its album holds the entry as a finished photo of the album owner's, in no
/// trash, its owner not suspended. [`check_link`] asks this of a `Shown::InAlbum` through
/// the link, and the link's album page of each lean row it lists ([`Listed`]: a whole row
/// and a lean one answer alike).
pub fn link_lists(
    link: &LinkRow,
    album: &AlbumRow,
    entry: &AlbumEntry<impl Listed>,
    unlocked: bool,
    now_ms: i64,
) -> bool {
    album_link_reaches(link, album)
        && entry.album_id == album.id
        && entry.photo.owner_id() == album.owner_id
        && entry.photo.status() == PhotoStatus::Ready
        && !entry.photo.trashed()
        && !entry.photo.owner_suspended()
        && link_state(link, now_ms, unlocked) == LinkState::Open
}

/// What can be done about likes and comments on a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocialAction {
    /// See its comments and whether you liked it.
    See,
    /// See how many people liked it.
    SeeCount,
    /// Like or unlike it.
    Like,
    /// Write a new comment.
    Comment,
    /// Hide the like count, switch comments off, delete anyone's comment.
    Moderate,
}

impl SocialAction {
    pub const ALL: [SocialAction; 5] = [
        Self::See,
        Self::SeeCount,
        Self::Like,
        Self::Comment,
        Self::Moderate,
    ];
}

/// Likes and comments follow the photo: only on photos the person may see (`check`'s
/// View, so a photo turned private keeps them but shows them to its owner alone, and to
/// anyone else answers like a made-up id), only signed in. The owner's switches: hidden
/// counts show to the owner only; comments off stops new comments from anyone, the owner
/// included, while the ones there keep showing (and may still be deleted).
pub fn check_social(
    viewer: Option<&str>,
    photo: &PhotoRow,
    switches: Switches,
    action: SocialAction,
) -> Result<(), LumenError> {
    check(viewer, photo, Action::View)?;
    let owner = viewer == Some(photo.owner_id.as_str());
    match action {
        SocialAction::See => Ok(()),
        SocialAction::SeeCount if owner || !switches.hide_likes => Ok(()),
        SocialAction::SeeCount => Err(LumenError::Forbidden),
        SocialAction::Like | SocialAction::Comment | SocialAction::Moderate if viewer.is_none() => {
            Err(LumenError::Unauthenticated)
        }
        SocialAction::Like => Ok(()),
        SocialAction::Comment if switches.comments_off => Err(LumenError::Forbidden),
        SocialAction::Comment => Ok(()),
        SocialAction::Moderate => check(viewer, photo, Action::Edit),
    }
}

/// How long a comment's author may still change it.
pub const COMMENT_EDIT_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentAction {
    /// Its author, within [`COMMENT_EDIT_MS`] of writing it (comments off or not).
    Edit,
    /// Its author, or the photo's owner, at any time.
    Delete,
}

/// A comment's rules; `photo` is the comment's photo. On a photo the viewer may not see
/// the comment does not exist; someone else's comment is theirs (403).
pub fn check_comment(
    viewer: Option<&str>,
    photo: &PhotoRow,
    comment: &CommentRow,
    action: CommentAction,
    now_ms: i64,
) -> Result<(), LumenError> {
    if comment.photo_id != photo.id {
        return Err(LumenError::NotFound);
    }
    check(viewer, photo, Action::View)?;
    let Some(v) = viewer else {
        return Err(LumenError::Unauthenticated);
    };
    let author = v == comment.author_id;
    match action {
        CommentAction::Edit if !author => Err(LumenError::Forbidden),
        CommentAction::Edit if now_ms - comment.created_at >= COMMENT_EDIT_MS => Err(
            LumenError::invalid("body", "Comments can be changed for 15 minutes only."),
        ),
        CommentAction::Edit => Ok(()),
        CommentAction::Delete if author || v == photo.owner_id => Ok(()),
        CommentAction::Delete => Err(LumenError::Forbidden),
    }
}

/// What the admin console does (issue 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    /// Job counts, failures and timings.
    SeeJobs,
    /// Re-run one failed job, or all of them.
    RerunJobs,
    /// Storage per person and in total.
    SeeStorage,
    /// The people list.
    SeePeople,
    /// Suspend or unsuspend someone.
    Suspend,
    /// The audit trail.
    SeeAudit,
    /// Compare R2 against D1: orphans either way.
    SeeRepair,
    /// Remove orphaned objects; mark rows whose original is missing failed.
    Repair,
    /// Delete someone else's account and everything in it.
    DeleteAccount,
}

impl AdminAction {
    pub const ALL: [AdminAction; 9] = [
        Self::SeeJobs,
        Self::RerunJobs,
        Self::SeeStorage,
        Self::SeePeople,
        Self::Suspend,
        Self::SeeAudit,
        Self::SeeRepair,
        Self::Repair,
        Self::DeleteAccount,
    ];
}

/// Whether `username` (of account `user_id`) is an admin: the first account created
/// (`first_user`), or one named in `LUMEN_ADMINS` (`listed`, lower-case).
pub fn is_admin(
    user_id: &str,
    username: &str,
    first_user: Option<&str>,
    listed: &[String],
) -> bool {
    first_user == Some(user_id) || listed.iter().any(|l| l == username)
}

/// The admin rule: admins may do everything in the console; to anyone else, signed in or
/// not, the console and each of its functions do not exist (404, like a made-up path).
/// `viewer_is_admin`: `None` when nobody is signed in.
pub fn check_admin(viewer_is_admin: Option<bool>, action: AdminAction) -> Result<(), LumenError> {
    match (viewer_is_admin, action) {
        (Some(true), _) => Ok(()),
        (Some(false) | None, _) => Err(LumenError::NotFound),
    }
}

/// A resumable upload is its uploader's alone (status, parts, completing, aborting):
/// anyone else gets what a made-up id gets.
pub fn check_upload(viewer: &str, upload: &UploadRow) -> Result<(), LumenError> {
    if upload.owner_id == viewer {
        Ok(())
    } else {
        Err(LumenError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::pending_row;
    use Action::*;
    use Visibility::*;

    /// Expected answer per (viewer, visibility, action): "ok" or the HTTP status.
    const TABLE: &[(&str, Visibility, Action, &str)] = &[
        ("owner", Public, View, "ok"),
        ("owner", Public, SeeLocation, "ok"),
        ("owner", Public, DownloadOriginal, "ok"),
        ("owner", Public, Edit, "ok"),
        ("owner", Public, Delete, "ok"),
        ("owner", Unlisted, View, "ok"),
        ("owner", Unlisted, SeeLocation, "ok"),
        ("owner", Unlisted, DownloadOriginal, "ok"),
        ("owner", Unlisted, Edit, "ok"),
        ("owner", Unlisted, Delete, "ok"),
        ("owner", Private, View, "ok"),
        ("owner", Private, SeeLocation, "ok"),
        ("owner", Private, DownloadOriginal, "ok"),
        ("owner", Private, Edit, "ok"),
        ("owner", Private, Delete, "ok"),
        ("other", Public, View, "ok"),
        ("other", Public, SeeLocation, "404"),
        ("other", Public, DownloadOriginal, "404"),
        ("other", Public, Edit, "403"),
        ("other", Public, Delete, "403"),
        ("other", Unlisted, View, "ok"),
        ("other", Unlisted, SeeLocation, "404"),
        ("other", Unlisted, DownloadOriginal, "404"),
        ("other", Unlisted, Edit, "403"),
        ("other", Unlisted, Delete, "403"),
        ("other", Private, View, "404"),
        ("other", Private, SeeLocation, "404"),
        ("other", Private, DownloadOriginal, "404"),
        ("other", Private, Edit, "404"),
        ("other", Private, Delete, "404"),
        ("anon", Public, View, "ok"),
        ("anon", Public, SeeLocation, "404"),
        ("anon", Public, DownloadOriginal, "404"),
        ("anon", Public, Edit, "401"),
        ("anon", Public, Delete, "401"),
        ("anon", Unlisted, View, "ok"),
        ("anon", Unlisted, SeeLocation, "404"),
        ("anon", Unlisted, DownloadOriginal, "404"),
        ("anon", Unlisted, Edit, "401"),
        ("anon", Unlisted, Delete, "401"),
        ("anon", Private, View, "404"),
        ("anon", Private, SeeLocation, "404"),
        ("anon", Private, DownloadOriginal, "404"),
        ("anon", Private, Edit, "401"),
        ("anon", Private, Delete, "401"),
    ];

    fn viewer(who: &str) -> Option<&'static str> {
        match who {
            "owner" => Some("u1"),
            "other" => Some("u2"),
            _ => None,
        }
    }

    #[test]
    fn the_permission_table() {
        // Every combination is listed exactly once.
        assert_eq!(TABLE.len(), 3 * Visibility::ALL.len() * Action::ALL.len());
        for &(who, vis, action, want) in TABLE {
            let mut row = pending_row("p", 1);
            row.visibility = vis;
            let got = match check(viewer(who), &row, action) {
                Ok(()) => "ok".to_string(),
                Err(e) => e.status().to_string(),
            };
            assert_eq!(got, want, "{who} × {vis:?} × {action:?}");
        }
    }

    fn album(vis: Visibility) -> AlbumRow {
        AlbumRow {
            id: "a1".into(),
            owner_id: "u1".into(),
            title: "Trip".into(),
            description: String::new(),
            visibility: vis,
            cover_photo_id: None,
            sort: Default::default(),
            created_at: 1,
            updated_at: 1,
            owner_suspended: false,
        }
    }

    #[test]
    fn the_album_table() {
        use AlbumAction as A;
        // (viewer, album visibility) → View, Download, Edit, Delete.
        let table: &[(&str, Visibility, [&str; 4])] = &[
            ("owner", Public, ["ok", "ok", "ok", "ok"]),
            ("owner", Unlisted, ["ok", "ok", "ok", "ok"]),
            ("owner", Private, ["ok", "ok", "ok", "ok"]),
            ("other", Public, ["ok", "404", "403", "403"]),
            ("other", Unlisted, ["ok", "404", "403", "403"]),
            ("other", Private, ["404", "404", "404", "404"]),
            ("anon", Public, ["ok", "404", "401", "401"]),
            ("anon", Unlisted, ["ok", "404", "401", "401"]),
            ("anon", Private, ["404", "404", "401", "401"]),
        ];
        assert_eq!(table.len(), 3 * Visibility::ALL.len());
        for &(who, vis, wants) in table {
            for (action, want) in A::ALL.into_iter().zip(wants) {
                let got = match check_album(viewer(who), &album(vis), action) {
                    Ok(()) => "ok".to_string(),
                    Err(e) => e.status().to_string(),
                };
                assert_eq!(got, want, "{who} × {vis:?} album × {action:?}");
            }
        }
    }

    /// Strangers never see a private photo because it sits in a public album, nor an
    /// unlisted one through a listed album; the owner sees all of theirs.
    #[test]
    fn photos_inside_albums_keep_their_own_visibility() {
        for album_vis in Visibility::ALL {
            let a = album(album_vis);
            for photo_vis in Visibility::ALL {
                let mut photo = pending_row("p", 1);
                photo.status = PhotoStatus::Ready;
                photo.visibility = photo_vis;
                assert!(shows_in_album(Some("u1"), &a, &photo), "owner");
                let want = album_vis != Private
                    && match photo_vis {
                        Public => true,
                        Unlisted => album_vis == Unlisted,
                        Private => false,
                    };
                for who in ["other", "anon"] {
                    assert_eq!(
                        shows_in_album(viewer(who), &a, &photo),
                        want,
                        "{who}: {photo_vis:?} photo in {album_vis:?} album"
                    );
                }
                // Unfinished photos show to the owner only.
                photo.status = PhotoStatus::Pending;
                assert!(!shows_in_album(Some("u2"), &a, &photo));
                assert!(shows_in_album(Some("u1"), &a, &photo));
                // Someone else's photo never shows in my album, whoever looks.
                photo.owner_id = "u2".into();
                photo.status = PhotoStatus::Ready;
                assert!(!shows_in_album(Some("u2"), &a, &photo));
                assert!(!shows_in_album(Some("u1"), &a, &photo));
            }
        }
    }

    fn share_link(password: bool) -> LinkRow {
        LinkRow {
            id: "l1".into(),
            owner_id: "u1".into(),
            target: LinkTarget::Photo,
            target_id: "p".into(),
            token: "t".into(),
            label: String::new(),
            expires_at: Some(NOW + 1),
            password_hash: password.then(|| "pbkdf2-sha256$1$00$00".into()),
            allow_downloads: true,
            views: 0,
            created_at: 1,
            updated_at: 1,
            revoked_at: None,
        }
    }

    const NOW: i64 = 1_000;

    /// (who, how, link has a password) for each kind of asker in the link table.
    fn asker(who: &str) -> (Option<&'static str>, Via, bool) {
        match who {
            "holder" => (None, Via::Link { unlocked: false }, false),
            "holder-locked" => (None, Via::Link { unlocked: false }, true),
            "holder-unlocked" => (None, Via::Link { unlocked: true }, true),
            // Signed in, but through the link: the link's rules, not the account's.
            "owner-via-locked" => (Some("u1"), Via::Link { unlocked: false }, true),
            "other-via-link" => (Some("u2"), Via::Link { unlocked: false }, false),
            who => (viewer(who), Via::Page, false),
        }
    }

    /// Owner / other / anonymous on the photo's own page, and link holders (with and
    /// without a password, unlocked or not) × photo visibility → View, Original, Manage.
    /// The photo's own `allow_original` is off; the link allows downloads.
    #[test]
    fn the_share_link_table() {
        let table: &[(&str, Visibility, [&str; 3])] = &[
            ("owner", Public, ["ok", "ok", "ok"]),
            ("owner", Unlisted, ["ok", "ok", "ok"]),
            ("owner", Private, ["ok", "ok", "ok"]),
            ("other", Public, ["ok", "404", "404"]),
            ("other", Unlisted, ["ok", "404", "404"]),
            ("other", Private, ["404", "404", "404"]),
            ("anon", Public, ["ok", "404", "401"]),
            ("anon", Unlisted, ["ok", "404", "401"]),
            ("anon", Private, ["404", "404", "401"]),
            ("holder", Public, ["ok", "ok", "401"]),
            ("holder", Unlisted, ["ok", "ok", "401"]),
            ("holder", Private, ["ok", "ok", "401"]),
            ("holder-locked", Public, ["404", "404", "401"]),
            ("holder-locked", Unlisted, ["404", "404", "401"]),
            ("holder-locked", Private, ["404", "404", "401"]),
            ("holder-unlocked", Public, ["ok", "ok", "401"]),
            ("holder-unlocked", Unlisted, ["ok", "ok", "401"]),
            ("holder-unlocked", Private, ["ok", "ok", "401"]),
            ("owner-via-locked", Private, ["404", "404", "ok"]),
            ("other-via-link", Private, ["ok", "ok", "404"]),
        ];
        for &(who, vis, wants) in table {
            let (v, via, password) = asker(who);
            let link = share_link(password);
            let mut photo = pending_row("p", 1);
            photo.visibility = vis;
            for (action, want) in LinkAction::ALL.into_iter().zip(wants) {
                let got = match check_link(v, via, &link, Shown::Photo(&photo), action, NOW) {
                    Ok(()) => "ok".to_string(),
                    Err(e) => e.status().to_string(),
                };
                assert_eq!(got, want, "{who} × {vis:?} × {action:?}");
            }
        }
    }

    /// A link opens its one photo, only while it lives, and downloads only when allowed.
    #[test]
    fn a_link_opens_nothing_else_and_nothing_once_dead() {
        let open = Via::Link { unlocked: true };
        let photo = {
            let mut p = pending_row("p", 1);
            p.visibility = Private;
            p
        };
        let ok = |link: &LinkRow, photo: &PhotoRow, action| {
            check_link(None, open, link, Shown::Photo(photo), action, NOW).is_ok()
        };
        let base = share_link(false);
        assert!(ok(&base, &photo, LinkAction::View));

        let mut other = photo.clone();
        other.id = "p2".into();
        assert!(!ok(&base, &other, LinkAction::View), "another photo");
        other.id = "p".into();
        other.owner_id = "u2".into();
        assert!(!ok(&base, &other, LinkAction::View), "someone else's photo");
        let mut album = base.clone();
        album.target = LinkTarget::Album;
        assert!(!ok(&album, &photo, LinkAction::View), "an album link");

        let mut expired = base.clone();
        expired.expires_at = Some(NOW);
        assert_eq!(link_state(&expired, NOW, true), LinkState::Dead);
        assert!(
            !ok(&expired, &photo, LinkAction::View),
            "over at expires_at"
        );
        expired.expires_at = Some(NOW + 1);
        assert!(ok(&expired, &photo, LinkAction::View));
        let mut never = base.clone();
        never.expires_at = None;
        assert!(ok(&never, &photo, LinkAction::View));

        let mut revoked = base.clone();
        revoked.revoked_at = Some(NOW - 1);
        assert!(!ok(&revoked, &photo, LinkAction::View));
        assert!(!ok(&revoked, &photo, LinkAction::DownloadOriginal));

        let mut no_downloads = base.clone();
        no_downloads.allow_downloads = false;
        assert!(ok(&no_downloads, &photo, LinkAction::View));
        assert!(!ok(&no_downloads, &photo, LinkAction::DownloadOriginal));
        // The photo's own download switch does not open it through the link either.
        let mut allowed = photo.clone();
        allowed.allow_original = true;
        allowed.visibility = Public;
        assert!(!ok(&no_downloads, &allowed, LinkAction::DownloadOriginal));

        assert_eq!(link_state(&share_link(true), NOW, false), LinkState::Locked);
        assert_eq!(link_state(&share_link(true), NOW, true), LinkState::Open);
    }

    fn album_link(password: bool) -> LinkRow {
        LinkRow {
            target: LinkTarget::Album,
            target_id: "a1".into(),
            ..share_link(password)
        }
    }

    fn entry(photo_vis: Visibility) -> AlbumEntry {
        let mut photo = pending_row("p", 1);
        photo.visibility = photo_vis;
        photo.status = PhotoStatus::Ready;
        AlbumEntry {
            album_id: "a1".into(),
            photo,
            position: "V".into(),
            added_at: 1,
            taken_at: None,
        }
    }

    /// An album link, each kind of asker × album visibility × the visibility of a photo in
    /// it → (photo View, photo Original, Manage) and (album View, zip). Through the link
    /// every finished photo of the album shows, private ones too; off it, the photo's and
    /// album's own rules (the owner's page, strangers' 404).
    #[test]
    fn the_album_link_table() {
        type Want = ([&'static str; 3], [&'static str; 2]);
        let want = |who: &str, album: Visibility, photo: Visibility| -> Want {
            let through = match who {
                "holder" | "holder-unlocked" | "other-via-link" => (["ok", "ok"], ["ok", "ok"]),
                _ => (["404", "404"], ["404", "404"]),
            };
            let manage = match who {
                "owner" => "ok",
                "other" | "other-via-link" => "404",
                "owner-via-locked" => "ok",
                _ => "401",
            };
            let page = |ok: bool| if ok { "ok" } else { "404" };
            let (photo_want, album_want) = match who {
                "owner" => (["ok", "ok"], ["ok", "ok"]),
                // `allow_original` is off: others never download from the page.
                "other" | "anon" => (
                    [page(photo != Private), "404"],
                    [page(album != Private), "404"],
                ),
                _ => through,
            };
            ([photo_want[0], photo_want[1], manage], album_want)
        };
        let askers = [
            "owner",
            "other",
            "anon",
            "holder",
            "holder-locked",
            "holder-unlocked",
            "owner-via-locked",
            "other-via-link",
        ];
        for who in askers {
            for album_vis in [Public, Unlisted, Private] {
                for photo_vis in [Public, Unlisted, Private] {
                    let (v, via, password) = asker(who);
                    let link = album_link(password);
                    let a = album(album_vis);
                    let e = entry(photo_vis);
                    let (photo_want, album_want) = want(who, album_vis, photo_vis);
                    let status = |r: Result<(), LumenError>| match r {
                        Ok(()) => "ok".to_string(),
                        Err(e) => e.status().to_string(),
                    };
                    let in_album = Shown::InAlbum {
                        album: &a,
                        entry: &e,
                    };
                    for (action, want) in LinkAction::ALL.into_iter().zip(photo_want) {
                        let got = status(check_link(v, via, &link, in_album, action, NOW));
                        assert_eq!(
                            got, want,
                            "{who} × {album_vis:?} × {photo_vis:?} × photo {action:?}"
                        );
                    }
                    for (action, want) in [LinkAction::View, LinkAction::DownloadOriginal]
                        .into_iter()
                        .zip(album_want)
                    {
                        let got = status(check_link(v, via, &link, Shown::Album(&a), action, NOW));
                        assert_eq!(got, want, "{who} × {album_vis:?} × album {action:?}");
                    }
                }
            }
        }
    }

    /// An album link opens its album's finished photos of its owner, nothing else, and
    /// nothing once dead; downloads only when allowed.
    #[test]
    fn an_album_link_opens_only_its_album() {
        let open = Via::Link { unlocked: true };
        let a = album(Private);
        let link = album_link(false);
        let ok = |link: &LinkRow, shown: Shown, action| {
            check_link(None, open, link, shown, action, NOW).is_ok()
        };
        let e = entry(Private);
        assert!(ok(
            &link,
            Shown::InAlbum {
                album: &a,
                entry: &e
            },
            LinkAction::View
        ));
        assert!(ok(&link, Shown::Album(&a), LinkAction::View));

        let mut elsewhere = e.clone();
        elsewhere.album_id = "a2".into();
        assert!(
            !ok(
                &link,
                Shown::InAlbum {
                    album: &a,
                    entry: &elsewhere
                },
                LinkAction::View
            ),
            "not in it"
        );
        let mut other_album = a.clone();
        other_album.id = "a2".into();
        assert!(
            !ok(
                &link,
                Shown::InAlbum {
                    album: &other_album,
                    entry: &elsewhere
                },
                LinkAction::View
            ),
            "another album"
        );
        assert!(!ok(&link, Shown::Album(&other_album), LinkAction::View));
        let mut theirs = e.clone();
        theirs.photo.owner_id = "u2".into();
        assert!(
            !ok(
                &link,
                Shown::InAlbum {
                    album: &a,
                    entry: &theirs
                },
                LinkAction::View
            ),
            "someone else's photo"
        );
        let mut pending = e.clone();
        pending.photo.status = PhotoStatus::Pending;
        assert!(
            !ok(
                &link,
                Shown::InAlbum {
                    album: &a,
                    entry: &pending
                },
                LinkAction::View
            ),
            "unfinished"
        );
        // A photo link does not open albums, nor an album link the photo alone.
        assert!(!ok(&share_link(false), Shown::Album(&a), LinkAction::View));
        let mut photo_id_clash = e.photo.clone();
        photo_id_clash.id = "a1".into();
        assert!(!ok(&link, Shown::Photo(&photo_id_clash), LinkAction::View));

        let mut dead = link.clone();
        dead.revoked_at = Some(NOW - 1);
        assert!(!ok(&dead, Shown::Album(&a), LinkAction::View));
        assert!(!ok(
            &dead,
            Shown::InAlbum {
                album: &a,
                entry: &e
            },
            LinkAction::View
        ));
        dead.revoked_at = None;
        dead.expires_at = Some(NOW);
        assert!(!ok(&dead, Shown::Album(&a), LinkAction::View));

        let mut no_downloads = link.clone();
        no_downloads.allow_downloads = false;
        assert!(ok(&no_downloads, Shown::Album(&a), LinkAction::View));
        assert!(!ok(
            &no_downloads,
            Shown::Album(&a),
            LinkAction::DownloadOriginal
        ));
        assert!(!ok(
            &no_downloads,
            Shown::InAlbum {
                album: &a,
                entry: &e
            },
            LinkAction::DownloadOriginal
        ));
    }

    /// The listing queries' pre-filter (`EntryScope`, mirrored by `admits`) holds exactly
    /// what `shows_in_album` shows, for every viewer, album and photo; so a page is full,
    /// and nothing it holds is dropped by the check after it.
    #[test]
    fn album_scopes_admit_exactly_what_shows() {
        for album_vis in [Public, Unlisted, Private] {
            let a = album(album_vis);
            for who in ["owner", "other", "anon"] {
                for photo_vis in [Public, Unlisted, Private] {
                    for status in [
                        PhotoStatus::Ready,
                        PhotoStatus::Pending,
                        PhotoStatus::Failed,
                    ] {
                        let mut photo = pending_row("p", 1);
                        photo.visibility = photo_vis;
                        photo.status = status;
                        let v = viewer(who);
                        // Listings run only once the album itself may be seen.
                        if check_album(v, &a, AlbumAction::View).is_err() {
                            continue;
                        }
                        assert_eq!(
                            album_scope(v, &a).admits(&photo),
                            shows_in_album(v, &a, &photo),
                            "{who} × {album_vis:?} album × {photo_vis:?} {status:?} photo"
                        );
                        let link = album_link(false);
                        let e = AlbumEntry {
                            photo: photo.clone(),
                            ..entry(photo_vis)
                        };
                        let via = Via::Link { unlocked: true };
                        let shown = Shown::InAlbum {
                            album: &a,
                            entry: &e,
                        };
                        assert_eq!(
                            LINK_SCOPE.admits(&photo),
                            check_link(None, via, &link, shown, LinkAction::View, NOW).is_ok(),
                            "link × {photo_vis:?} {status:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn originals_are_the_owners_choice() {
        let mut row = pending_row("p", 1);
        row.allow_original = true;
        for (vis, other_may) in [(Public, true), (Unlisted, true), (Private, false)] {
            row.visibility = vis;
            assert_eq!(allows(Some("u2"), &row, DownloadOriginal), other_may);
            assert_eq!(allows(None, &row, DownloadOriginal), other_may);
            // Location stays the owner's even then.
            assert!(!allows(Some("u2"), &row, SeeLocation));
        }
    }

    /// (viewer, photo visibility, switches) → See, SeeCount, Like, Comment, Moderate.
    /// Switches: "-" none, "h" counts hidden, "c" comments off.
    #[test]
    fn the_likes_and_comments_table() {
        let all = ["ok", "ok", "ok", "ok", "ok"];
        let table: &[(&str, Visibility, &str, [&str; 5])] = &[
            ("owner", Public, "-", all),
            ("owner", Public, "h", all),
            ("owner", Public, "c", ["ok", "ok", "ok", "403", "ok"]),
            ("owner", Unlisted, "-", all),
            ("owner", Private, "-", all),
            ("owner", Private, "hc", ["ok", "ok", "ok", "403", "ok"]),
            ("other", Public, "-", ["ok", "ok", "ok", "ok", "403"]),
            ("other", Public, "h", ["ok", "403", "ok", "ok", "403"]),
            ("other", Public, "c", ["ok", "ok", "ok", "403", "403"]),
            ("other", Unlisted, "-", ["ok", "ok", "ok", "ok", "403"]),
            ("other", Unlisted, "hc", ["ok", "403", "ok", "403", "403"]),
            ("other", Private, "-", ["404", "404", "404", "404", "404"]),
            ("other", Private, "hc", ["404", "404", "404", "404", "404"]),
            ("anon", Public, "-", ["ok", "ok", "401", "401", "401"]),
            ("anon", Public, "h", ["ok", "403", "401", "401", "401"]),
            ("anon", Unlisted, "c", ["ok", "ok", "401", "401", "401"]),
            ("anon", Private, "-", ["404", "404", "404", "404", "404"]),
        ];
        for &(who, vis, sw, wants) in table {
            let mut photo = pending_row("p", 1);
            photo.visibility = vis;
            let switches = Switches {
                hide_likes: sw.contains('h'),
                comments_off: sw.contains('c'),
            };
            for (action, want) in SocialAction::ALL.into_iter().zip(wants) {
                let got = match check_social(viewer(who), &photo, switches, action) {
                    Ok(()) => "ok".to_string(),
                    Err(e) => e.status().to_string(),
                };
                assert_eq!(got, want, "{who} × {vis:?} × {sw} × {action:?}");
            }
        }
    }

    /// (viewer, photo visibility, comment author, minutes since written) → Edit, Delete.
    #[test]
    fn the_comment_table() {
        let table: &[(&str, Visibility, &str, i64, [&str; 2])] = &[
            // The author: edits for 15 minutes, deletes any time.
            ("other", Public, "u2", 0, ["ok", "ok"]),
            ("other", Public, "u2", 14, ["ok", "ok"]),
            ("other", Public, "u2", 15, ["422", "ok"]),
            ("other", Unlisted, "u2", 60, ["422", "ok"]),
            // The photo's owner deletes anyone's, edits only their own.
            ("owner", Public, "u2", 0, ["403", "ok"]),
            ("owner", Private, "u2", 0, ["403", "ok"]),
            ("owner", Public, "u1", 1, ["ok", "ok"]),
            // Someone else's comment on a photo I see is theirs.
            ("other", Public, "u3", 0, ["403", "403"]),
            // A photo turned private: its comments are the owner's business alone.
            ("other", Private, "u2", 0, ["404", "404"]),
            ("anon", Public, "u2", 0, ["401", "401"]),
            ("anon", Private, "u2", 0, ["404", "404"]),
        ];
        const MIN: i64 = 60 * 1000;
        for &(who, vis, author, minutes, wants) in table {
            let mut photo = pending_row("p", 1);
            photo.visibility = vis;
            let comment = CommentRow {
                id: "c".into(),
                photo_id: "p".into(),
                author_id: author.into(),
                author: author.into(),
                body: "hi".into(),
                created_at: NOW,
                edited_at: None,
            };
            for (action, want) in [CommentAction::Edit, CommentAction::Delete]
                .into_iter()
                .zip(wants)
            {
                let now = NOW + minutes * MIN;
                let got = match check_comment(viewer(who), &photo, &comment, action, now) {
                    Ok(()) => "ok".to_string(),
                    Err(e) => e.status().to_string(),
                };
                assert_eq!(
                    got, want,
                    "{who} × {vis:?} × by {author} × {minutes} min × {action:?}"
                );
            }
            // A comment named through another photo's id does not exist there.
            let mut elsewhere = comment.clone();
            elsewhere.photo_id = "p2".into();
            assert_eq!(
                check_comment(Some("u1"), &photo, &elsewhere, CommentAction::Delete, NOW),
                Err(LumenError::NotFound)
            );
        }
    }

    /// Listings found by a fact: the owner's own photos of every kind, others' public and
    /// finished ones only.
    #[test]
    fn listed_is_public_and_finished_or_your_own() {
        // How many lean entries the album link opened: not every case below is a refusal.
        let mut opened = 0;
        for vis in Visibility::ALL {
            for status in [
                PhotoStatus::Pending,
                PhotoStatus::Ready,
                PhotoStatus::Failed,
            ] {
                let mut row = crate::ssr::ports::PhotoRow::pending("p", "u1", "t", "x", 1, 1);
                row.visibility = vis;
                row.status = status;
                let open = vis == Visibility::Public && status == PhotoStatus::Ready;
                assert!(listed(Some("u1"), &row));
                assert_eq!(listed(Some("u2"), &row), open, "{vis:?} {status:?}");
                assert_eq!(listed(None, &row), open, "{vis:?} {status:?}");
                // A listing's lean row answers as the whole row, trashed and suspended too,
                // the owner's or someone else's: in listings, in albums (`shows_in_album`)
                // and through an album link (`check_link` on the whole entry, as a link's
                // photo page asks; `link_lists` on the lean one, as its album page asks).
                for (trashed, suspended, owner) in [
                    (false, false, "u1"),
                    (true, false, "u1"),
                    (false, true, "u1"),
                    (false, false, "u2"),
                ] {
                    row.trashed_at = trashed.then_some(5);
                    row.owner_suspended = suspended;
                    row.owner_id = owner.into();
                    let card = crate::ssr::ports::CardRow::from(row.clone());
                    let case = format!("{vis:?} {status:?} {trashed} {suspended} {owner}");
                    for who in [Some("u1"), Some("u2"), None] {
                        assert_eq!(listed(who, &card), listed(who, &row), "{who:?} {case}");
                        // The Liked page's rule on its lean rows: `check`'s View.
                        assert_eq!(sees(who, &card), sees(who, &row), "{who:?} {case}");
                        assert_eq!(
                            sees(who, &row),
                            check(who, &row, Action::View).is_ok(),
                            "{who:?} {case}"
                        );
                        for album_vis in Visibility::ALL {
                            let mut a = album(album_vis);
                            for album_suspended in [false, true] {
                                a.owner_suspended = album_suspended;
                                assert_eq!(
                                    shows_in_album(who, &a, &card),
                                    shows_in_album(who, &a, &row),
                                    "{who:?} {album_vis:?} album {album_suspended} {case}"
                                );
                            }
                        }
                    }
                    for album_id in ["a1", "a2"] {
                        let whole = AlbumEntry {
                            album_id: album_id.into(),
                            ..entry(vis)
                        };
                        let whole = AlbumEntry {
                            photo: row.clone(),
                            ..whole
                        };
                        let lean = whole.clone().lean();
                        for (password, unlocked, revoked) in [
                            (false, false, false),
                            (true, false, false),
                            (true, true, false),
                            (false, false, true),
                        ] {
                            let mut link = album_link(password);
                            link.revoked_at = revoked.then_some(NOW - 1);
                            let shown = Shown::InAlbum {
                                album: &album(Public),
                                entry: &whole,
                            };
                            let via = Via::Link { unlocked };
                            let lists = link_lists(&link, &album(Public), &lean, unlocked, NOW);
                            assert_eq!(
                                lists,
                                check_link(None, via, &link, shown, LinkAction::View, NOW).is_ok(),
                                "{album_id} {password} {unlocked} {revoked} {case}"
                            );
                            opened += usize::from(lists);
                        }
                    }
                }
            }
        }
        // Per visibility: the owner's own, ready, live photo in the album, by an open link
        // with and without a password.
        assert_eq!(opened, Visibility::ALL.len() * 2);
    }

    /// Suspension × visibility × every kind of asker (the owner, who cannot sign in while
    /// suspended; another member; an admin, a member to this table; nobody) × every action:
    /// 404, as a made-up id, through the photo, its album, a share link, listings and the
    /// person's own addresses. Unsuspended, the usual tables hold (checked above).
    #[test]
    fn a_suspended_owners_content_is_gone_for_everyone() {
        let askers = [Some("u1"), Some("u2"), Some("admin"), None];
        for vis in Visibility::ALL {
            let mut photo = pending_row("p", 1);
            photo.visibility = vis;
            photo.status = PhotoStatus::Ready;
            photo.allow_original = true;
            photo.owner_suspended = true;
            let mut a = album(vis);
            a.owner_suspended = true;
            let mut e = entry(vis);
            e.photo.owner_suspended = true;
            for who in askers {
                for action in Action::ALL {
                    let got = check(who, &photo, action).map_err(|e| e.status());
                    assert_eq!(got, Err(404), "{who:?} × {vis:?} × {action:?}");
                }
                for action in AlbumAction::ALL {
                    let got = check_album(who, &a, action).map_err(|e| e.status());
                    assert_eq!(got, Err(404), "{who:?} × {vis:?} album × {action:?}");
                }
                assert!(!listed(who, &photo));
                assert!(!shows_in_album(who, &album(vis), &photo));
                for via in [Via::Page, Via::Link { unlocked: true }] {
                    for action in [LinkAction::View, LinkAction::DownloadOriginal] {
                        let photo_link = check_link(
                            who,
                            via,
                            &share_link(false),
                            Shown::Photo(&photo),
                            action,
                            NOW,
                        );
                        assert_eq!(photo_link.map_err(|e| e.status()), Err(404));
                        let link = album_link(false);
                        for shown in [
                            Shown::Album(&a),
                            Shown::InAlbum {
                                album: &a,
                                entry: &e,
                            },
                        ] {
                            let got = check_link(who, via, &link, shown, action, NOW);
                            assert_eq!(got.map_err(|e| e.status()), Err(404), "{via:?}");
                        }
                    }
                }
            }
            // Unsuspended, the same rows open again through the link.
            photo.owner_suspended = false;
            let link = share_link(false);
            let open = check_link(
                None,
                Via::Link { unlocked: true },
                &link,
                Shown::Photo(&photo),
                LinkAction::View,
                NOW,
            );
            assert_eq!(open, Ok(()));
        }
        let mut person = crate::ssr::fakes::user_row("u1", "ada");
        assert_eq!(check_person(&person), Ok(()));
        person.suspended = true;
        assert_eq!(check_person(&person).map_err(|e| e.status()), Err(404));
    }
}

#[cfg(test)]
mod admin_tests {
    use super::*;

    /// admin / member / anonymous × every admin action: only the admin, and 404 to the rest.
    #[test]
    fn only_admins_reach_the_console() {
        for action in AdminAction::ALL {
            for (who, viewer, want) in [
                ("admin", Some(true), Ok(())),
                ("member", Some(false), Err(LumenError::NotFound)),
                ("anonymous", None, Err(LumenError::NotFound)),
            ] {
                assert_eq!(check_admin(viewer, action), want, "{who} {action:?}");
            }
        }
    }

    #[test]
    fn the_first_account_and_the_listed_ones_are_admins() {
        let listed = ["bea".to_string()];
        assert!(is_admin("u1", "ada", Some("u1"), &listed));
        assert!(is_admin("u2", "bea", Some("u1"), &listed));
        assert!(!is_admin("u3", "cat", Some("u1"), &listed));
        assert!(!is_admin("u3", "cat", None, &[]));
        assert!(
            !is_admin("u3", "Bea", Some("u1"), &listed),
            "usernames are lower-case"
        );
    }
}
