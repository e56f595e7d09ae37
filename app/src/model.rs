//! DTOs shared by the browser and the Worker (serde only).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoStatus {
    Pending,
    Ready,
    Failed,
}

impl PhotoStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "ready" => Some(Self::Ready),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// Who may see a photo.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// In feeds and on the owner's profile.
    #[default]
    Public,
    /// Only through its link.
    Unlisted,
    /// The owner only.
    Private,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Self::Public, Self::Unlisted, Self::Private];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Unlisted => "unlisted",
            Self::Private => "private",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "Public",
            Self::Unlisted => "Unlisted (only people with the link)",
            Self::Private => "Private (only you)",
        }
    }
}

/// One rendered size of a photo, as the browser fetches it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSrc {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// What the feed shows for one photo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhotoCard {
    pub id: String,
    pub title: String,
    pub alt: String,
    pub visibility: Visibility,
    pub status: PhotoStatus,
    pub thumb: Option<ImageSrc>,
    /// CSS colour of the photo's average, painted while the thumbnail loads.
    pub placeholder: Option<String>,
    /// A blurred preview as a data URL (from the ThumbHash), painted under the thumbnail.
    #[serde(default)]
    pub blur: Option<String>,
    /// Every size, for `srcset` (empty until ready).
    #[serde(default)]
    pub srcset: String,
    /// Why processing failed (failed photos show only to their owner).
    pub failure: Option<String>,
}

/// One page of a photo listing; `next` is the `?before=` value of the page after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhotoPage {
    pub photos: Vec<PhotoCard>,
    pub next: Option<String>,
}

/// Camera facts shown in a photo's info panel, each ready to print (never GPS).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CameraFacts {
    pub camera: Option<String>,
    pub lens: Option<String>,
    /// "50 mm", with "(75 mm in 35 mm terms)" when the file says.
    pub focal: Option<String>,
    /// "ƒ/2.8".
    pub aperture: Option<String>,
    /// "1/250 s".
    pub shutter: Option<String>,
    /// "ISO 400".
    pub iso: Option<String>,
    /// "+0.7 EV"; none for 0.
    pub compensation: Option<String>,
    /// "2024-06-01 10:00", with " (UTC+02:00)" when the camera knew its zone.
    pub taken_at: Option<String>,
    /// The `datetime` of `taken_at` ("2024-06-01T10:00:00+02:00", no zone when unknown).
    pub taken_iso: Option<String>,
    /// The original file's size ("4.2 MB").
    pub file_size: Option<String>,
    /// A map at the location, for the owner only: a plain link, nothing loads until clicked.
    pub map_url: Option<String>,
}

/// Everything the photo page needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhotoView {
    pub id: String,
    pub title: String,
    pub caption: String,
    /// Alt text as written by the owner; empty means "use the title".
    pub alt: String,
    pub visibility: Visibility,
    /// The owner's username (None for photos from before accounts).
    pub owner: Option<String>,
    /// Whether the viewer owns it: shows the edit and delete forms.
    pub is_owner: bool,
    pub allow_original: bool,
    /// Where the original may be downloaded, for those allowed to.
    pub original_url: Option<String>,
    /// "lat, lon", for the owner only.
    pub location: Option<String>,
    pub status: PhotoStatus,
    pub failure: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub created_at: String,
    /// Ascending by width; empty until ready.
    pub images: Vec<ImageSrc>,
    pub placeholder: Option<String>,
    /// A blurred preview as a data URL (from the ThumbHash).
    #[serde(default)]
    pub blur: Option<String>,
    pub facts: CameraFacts,
    /// The page's link preview.
    pub preview: Preview,
}

impl PhotoView {
    /// The largest image no wider than `max`, else the smallest.
    pub fn best_for(&self, max: u32) -> Option<&ImageSrc> {
        self.images
            .iter()
            .rev()
            .find(|i| i.width <= max)
            .or_else(|| self.images.first())
    }

    /// A `srcset` attribute value for all sizes.
    pub fn srcset(&self) -> String {
        self.images
            .iter()
            .map(|i| format!("{} {}w", i.url, i.width))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a link preview (OpenGraph and Twitter card tags) shows. Every URL is absolute:
/// Signal, Slack and the rest ignore relative ones.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub url: String,
    /// Empty: the generic card (a password-protected link reveals nothing).
    pub title: String,
    pub description: String,
    pub image: Option<ImageSrc>,
}

/// How long a new share link works: the form's choices (value, label). The default is
/// 30 days; a link that never ends only when its owner picks exactly that.
pub const LINK_EXPIRY_CHOICES: [(&str, &str); 4] = [
    ("1d", "1 day"),
    ("7d", "7 days"),
    ("30d", "30 days"),
    ("never", "Never"),
];
pub const LINK_EXPIRY_DEFAULT: &str = "30d";

/// One share link, as its owner sees it on the photo page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareLinkView {
    pub id: String,
    pub label: String,
    /// Absolute, to copy.
    pub url: String,
    pub created_at: String,
    /// "Never", or the date and time it ends (UTC).
    pub expires: String,
    pub expired: bool,
    pub views: u64,
    pub allow_downloads: bool,
    pub has_password: bool,
}

/// The page at `/s/{token}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedView {
    pub token: String,
    /// The link has a password (unlocked or not): its page is never stored anywhere.
    pub protected: bool,
    pub preview: Preview,
    /// `None` until the password is given. Its images and original are link-scoped
    /// URLs; it never carries the location.
    pub photo: Option<PhotoView>,
    /// An album link's album, once open (then `photo` is `None`).
    pub album: Option<SharedAlbum>,
    /// A photo opened from a shared album: the way back and previous / next.
    pub place: Option<LinkPlace>,
}

/// An album as its share link shows it: every URL in it is under the link's path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedAlbum {
    pub title: String,
    pub description: String,
    pub owner: Option<String>,
    /// This page of its photos; `count` on every page, `next` the next page's `?before=`.
    pub photos: Vec<PhotoCard>,
    pub count: u32,
    pub next: Option<String>,
    /// Where the cards open (`/s/{token}/p/`), passed to `PhotoGrid`.
    pub photo_base: String,
    /// The zip of the originals, when the link allows downloads.
    pub download_url: Option<String>,
}

/// Where a photo opened from a shared album sits in it (full link-scoped hrefs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPlace {
    pub album_title: String,
    pub album_url: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// A prepared export as the settings page shows it (`ssr::service::prepared`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedExport {
    /// `building`, `ready` or `failed`.
    pub status: String,
    /// The download, once ready.
    pub url: Option<String>,
    pub bytes: u64,
    /// Until the link stops working, rounded up.
    pub expires_in_hours: u64,
}

/// The signed-in user, as pages show them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub default_visibility: Visibility,
    pub watermark: bool,
}

/// A user's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileView {
    pub username: String,
    pub display_name: String,
    /// The viewer's own profile: it lists their unlisted and private photos too.
    pub is_me: bool,
    pub photos: Vec<PhotoCard>,
    /// `?before=` of the next page of photos.
    pub next: Option<String>,
}

/// The upload endpoint's JSON answer (for the JS uploader).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadedPhoto {
    pub id: String,
    pub url: String,
    /// The person already had this file: `id` is that photo, nothing new was stored.
    #[serde(default)]
    pub duplicate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(widths: &[u32]) -> PhotoView {
        PhotoView {
            id: "p".into(),
            title: "t".into(),
            caption: String::new(),
            alt: String::new(),
            visibility: Visibility::Public,
            owner: None,
            is_owner: false,
            allow_original: false,
            original_url: None,
            location: None,
            status: PhotoStatus::Ready,
            failure: None,
            width: None,
            height: None,
            created_at: String::new(),
            images: widths
                .iter()
                .map(|w| ImageSrc {
                    url: format!("/m/{w}"),
                    width: *w,
                    height: *w,
                })
                .collect(),
            placeholder: None,
            blur: None,
            facts: CameraFacts::default(),
            preview: Preview::default(),
        }
    }

    #[test]
    fn best_for_picks_largest_that_fits() {
        let v = view(&[320, 640, 1280]);
        assert_eq!(v.best_for(1000).map(|i| i.width), Some(640));
        assert_eq!(v.best_for(100).map(|i| i.width), Some(320));
        assert_eq!(v.best_for(5000).map(|i| i.width), Some(1280));
        assert_eq!(view(&[]).best_for(10), None);
        assert_eq!(v.srcset(), "/m/320 320w, /m/640 640w, /m/1280 1280w");
    }

    #[test]
    fn status_round_trips() {
        for s in [
            PhotoStatus::Pending,
            PhotoStatus::Ready,
            PhotoStatus::Failed,
        ] {
            assert_eq!(PhotoStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PhotoStatus::parse("nope"), None);
    }
}

/// How an album orders its photos (the owner's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlbumSort {
    /// By each photo's `position` (moved by hand).
    #[default]
    Manual,
    /// By the date the camera recorded, oldest first.
    Taken,
    /// By when the photo was added to the album, newest first.
    Added,
}

impl AlbumSort {
    pub const ALL: [AlbumSort; 3] = [Self::Manual, Self::Taken, Self::Added];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Taken => "taken",
            Self::Added => "added",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Manual => "Your order",
            Self::Taken => "Date taken",
            Self::Added => "Date added",
        }
    }
}

/// An album on a profile's Albums tab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlbumCard {
    pub id: String,
    pub title: String,
    pub visibility: Visibility,
    /// Photos the viewer may see in it.
    pub count: u32,
    pub cover: Option<ImageSrc>,
    pub placeholder: Option<String>,
}

/// `/a/{id}`: an album as the viewer may see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlbumView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub visibility: Visibility,
    pub sort: AlbumSort,
    pub owner: Option<String>,
    pub is_owner: bool,
    /// The cover shown: the owner's choice if the viewer may see it, else the first photo.
    pub cover_photo_id: Option<String>,
    /// This page of the photos the viewer may see, in the album's order.
    pub photos: Vec<PhotoCard>,
    /// How many photos the viewer may see in it, on every page.
    pub count: u32,
    /// `?before=` of the next page.
    pub next: Option<String>,
    /// Link previews (absolute URLs); an image only for a public album's public cover.
    pub preview: Preview,
}

/// One of the owner's albums on a photo's page, and whether the photo is in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumChoice {
    pub id: String,
    pub title: String,
    pub contains: bool,
}

/// Where a photo opened from an album sits in it, for previous / next links.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumPlace {
    pub album_id: String,
    pub album_title: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// Likes and comments on a photo, as the viewer may see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocialView {
    pub photo_id: String,
    /// How many people liked it; `None` when the owner hides it from this viewer.
    pub likes: Option<u32>,
    /// The viewer liked it.
    pub liked: bool,
    pub signed_in: bool,
    /// The viewer owns the photo: shows the switches.
    pub is_owner: bool,
    pub hide_likes: bool,
    pub comments_off: bool,
    /// All of the photo's comments, for the heading.
    pub comment_count: u32,
    /// Oldest first, one page.
    pub comments: Vec<CommentView>,
    /// The `?comments=` value of the page of later comments.
    pub next: Option<String>,
}

/// One comment as the viewer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: String,
    pub author: String,
    /// As written (cleaned); links are made clickable when rendered.
    pub body: String,
    /// When it was written, for people ("3 June 2025, 14:02 UTC").
    pub created_at: String,
    /// The same instant for `<time datetime>` (RFC 3339).
    pub created_iso: String,
    pub edited: bool,
    /// The viewer wrote it and the 15 minutes are not over.
    pub can_edit: bool,
    /// The viewer wrote it or owns the photo.
    pub can_delete: bool,
}

/// A like button's state after a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikeState {
    pub liked: bool,
    pub likes: Option<u32>,
}

/// The admin console's DTOs (issue 15).
pub mod admin;
/// A photo in the owner's trash, with the days before the purge removes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrashItem {
    pub card: PhotoCard,
    pub days_left: u32,
}

/// One page of the trash; `next` is the `?before=` value of the page after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrashPage {
    pub items: Vec<TrashItem>,
    pub next: Option<String>,
}

/// Previous / next on a photo page, within the listing it was opened from (`?in=`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextNav {
    /// The listing, for people: "Feed", "@ada", "#sea", "Search: sunset".
    pub label: String,
    /// The listing's first page.
    pub back: String,
    /// Full hrefs, carrying the same `?in=`.
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The neighbours' images at the photo page's size, fetched ahead.
    pub preload: Vec<String>,
}

/// A resumable upload as its uploader sees it (`/upload/resumable/…`): which parts
/// arrived, so a resumed upload sends only the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumableUpload {
    pub id: String,
    pub size: u64,
    /// Every part but the last is this long; the last is the rest.
    pub part_bytes: u64,
    /// The parts received, by number (from 1).
    pub parts: Vec<ReceivedPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedPart {
    pub number: u16,
    pub size: u64,
}
