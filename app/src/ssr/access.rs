//! Who may do what to a photo: the one place this is decided. Pages, server functions
//! and media routes all ask here.

use crate::error::LumenError;
use crate::model::{PhotoStatus, Visibility};
use crate::ssr::ports::{AlbumRow, PhotoRow};

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

/// Whether `photo` shows in `album` for `viewer`. A photo's own visibility still holds
/// inside an album: a private photo never shows to anyone but its owner, and an unlisted
/// one only in an unlisted album (a public album is listed, and would publish it). Only
/// finished photos show to others. The same rule picks a cover: an owner's cover the
/// viewer may not see is replaced by the first photo they may.
pub fn shows_in_album(viewer: Option<&str>, album: &AlbumRow, photo: &PhotoRow) -> bool {
    if viewer == Some(photo.owner_id.as_str()) && photo.owner_id == album.owner_id {
        return true;
    }
    let visible = match photo.visibility {
        Visibility::Public => true,
        Visibility::Unlisted => album.visibility == Visibility::Unlisted,
        Visibility::Private => false,
    };
    visible
        && photo.owner_id == album.owner_id
        && photo.status == PhotoStatus::Ready
        && check_album(viewer, album, AlbumAction::View).is_ok()
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
}
