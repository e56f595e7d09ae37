//! Who may do what to a photo: the one place this is decided. Pages, server functions
//! and media routes all ask here.

use crate::error::LumenError;
use crate::model::Visibility;
use crate::ssr::ports::PhotoRow;

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
