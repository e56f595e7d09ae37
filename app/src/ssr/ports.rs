//! The small traits the domain talks to; the Worker implements them over D1, R2 and
//! Queues, tests over memory.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{short_ref, LumenError};
use crate::model::{AlbumSort, PhotoStatus, Visibility};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    #[error("not found")]
    NotFound,
    #[error("conflict")]
    Conflict,
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl From<PortError> for LumenError {
    fn from(e: PortError) -> Self {
        match e {
            PortError::NotFound => LumenError::NotFound,
            PortError::Conflict => LumenError::Conflict,
            PortError::Unavailable(cause) => {
                let ref_id = short_ref(&cause);
                leptos::logging::error!("internal error ref={ref_id}: {cause}");
                LumenError::Internal { ref_id }
            }
        }
    }
}

pub type PortResult<T> = Result<T, PortError>;

/// A photo as stored in D1.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoRow {
    pub id: String,
    pub owner_id: String,
    pub title: String,
    pub status: PhotoStatus,
    pub failure: Option<String>,
    pub content_type: String,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sha256: Option<String>,
    pub rev: Option<String>,
    pub placeholder: Option<String>,
    /// The ThumbHash as hex (the blurred preview, `ssr::placeholder`).
    pub thumbhash: Option<String>,
    pub exif_json: Option<String>,
    /// Owner-only: never shown to anyone else.
    pub gps_json: Option<String>,
    pub created_at: i64,
    pub visibility: Visibility,
    pub caption: String,
    pub alt: String,
    /// Whether others may download the original (the owner's choice, off by default).
    pub allow_original: bool,
    pub watermark: bool,
    /// The owner's username, joined in on reads (None if the account is gone).
    pub owner_username: Option<String>,
    /// When it went to the trash; only its owner may still reach it (`ssr::access`).
    pub trashed_at: Option<i64>,
    /// The owner is suspended (joined in on reads): it answers like a made-up id.
    pub owner_suspended: bool,
}

impl PhotoRow {
    /// A just-uploaded photo: nothing is known yet beyond what the upload said.
    pub fn pending(
        id: &str,
        owner_id: &str,
        title: &str,
        content_type: &str,
        bytes: u64,
        created_at: i64,
    ) -> Self {
        Self {
            id: id.to_string(),
            owner_id: owner_id.to_string(),
            title: title.to_string(),
            status: PhotoStatus::Pending,
            failure: None,
            content_type: content_type.to_string(),
            bytes,
            width: None,
            height: None,
            sha256: None,
            rev: None,
            placeholder: None,
            thumbhash: None,
            exif_json: None,
            gps_json: None,
            created_at,
            visibility: Visibility::Private,
            caption: String::new(),
            alt: String::new(),
            allow_original: false,
            watermark: false,
            owner_username: None,
            trashed_at: None,
            owner_suspended: false,
        }
    }
}

/// A photo as a listing's card shows it, with its place in the listing: the lean rows the
/// feed and profile queries read (not EXIF, GPS, caption, hashes …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRow {
    pub id: String,
    pub owner_id: String,
    pub title: String,
    pub alt: String,
    pub status: PhotoStatus,
    /// Only the owner's listings hold failed photos.
    pub failure: Option<String>,
    pub visibility: Visibility,
    pub placeholder: Option<String>,
    pub thumbhash: Option<String>,
    /// The keyset cursor's time.
    pub created_at: i64,
    /// In the trash, and the owner suspended: the listing queries leave both out, and
    /// `access` checks each row again.
    pub trashed: bool,
    pub owner_suspended: bool,
}

impl From<PhotoRow> for CardRow {
    fn from(r: PhotoRow) -> Self {
        Self {
            id: r.id,
            owner_id: r.owner_id,
            title: r.title,
            alt: r.alt,
            status: r.status,
            failure: r.failure,
            visibility: r.visibility,
            placeholder: r.placeholder,
            thumbhash: r.thumbhash,
            created_at: r.created_at,
            trashed: r.trashed_at.is_some(),
            owner_suspended: r.owner_suspended,
        }
    }
}

/// One stored variant of a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantRow {
    pub photo_id: String,
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub r2_key: String,
    pub bytes: u64,
}

/// What the media job learned, written in one go with the variants.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub sha256: String,
    pub rev: String,
    pub placeholder: String,
    pub thumbhash: Vec<u8>,
    pub exif_json: String,
    pub gps_json: Option<String>,
    pub variants: Vec<VariantRow>,
}

/// What the owner may change about a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoEdit {
    pub title: String,
    pub caption: String,
    pub alt: String,
    pub visibility: Visibility,
    pub allow_original: bool,
}

/// A row's place in a newest-first listing: `(created_at ms, id)`.
pub type Key = (i64, String);

#[async_trait]
pub trait PhotoRepo: Send + Sync {
    async fn insert_pending(&self, row: &PhotoRow) -> PortResult<()>;
    /// Any visibility; callers check access with `ssr::access`.
    async fn get(&self, id: &str) -> PortResult<Option<PhotoRow>>;
    /// Public, finished photos, newest first, older than `before` (a `(created_at, id)` key).
    async fn feed(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<CardRow>>;
    /// One owner's photos, newest first, older than `before`: every one of them when `all`
    /// (the owner looking), else only public, finished ones.
    async fn by_owner(
        &self,
        owner_id: &str,
        all: bool,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<PhotoRow>>;
    /// As `by_owner`, only what the profile's cards show.
    async fn cards_by_owner(
        &self,
        owner_id: &str,
        all: bool,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<CardRow>>;
    /// `NotFound` if the photo does not exist.
    async fn update(&self, id: &str, edit: &PhotoEdit, now_ms: i64) -> PortResult<()>;
    /// Removes the row and its variant rows (R2 objects are the caller's job).
    async fn delete(&self, id: &str) -> PortResult<()>;
    /// Bytes of all the owner's originals, for the storage quota.
    async fn stored_bytes(&self, owner_id: &str) -> PortResult<u64>;
    async fn variants(&self, ids: &[String]) -> PortResult<Vec<VariantRow>>;
    /// Replaces the photo's variants and marks it ready, atomically.
    async fn mark_ready(&self, id: &str, r: &Rendition) -> PortResult<()>;
    async fn mark_failed(&self, id: &str, reason: &str) -> PortResult<()>;
    /// Notes on a photo still pending why its job will be tried again; marking it ready
    /// clears the note, marking it failed replaces it. Nothing if it is no longer pending.
    async fn note_retry(&self, id: &str, reason: &str) -> PortResult<()>;
    /// Photos still pending that were created before `before_ms`.
    async fn stale_pending(&self, before_ms: i64, limit: u32) -> PortResult<Vec<String>>;
    /// The owner's earliest photo whose original has this SHA-256, in any state (pending,
    /// failed, trashed: a row is a photo the person has).
    async fn owned_with_sha256(&self, owner_id: &str, sha256: &str) -> PortResult<Option<String>>;
}

/// An account as stored in D1. Username and email are lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub email: String,
    pub display_name: String,
    /// Versioned: `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`.
    pub password_hash: String,
    pub default_visibility: Visibility,
    pub watermark: bool,
    pub created_at: i64,
    /// Suspended by an admin (read only; `AdminRepo::set_suspended` writes it).
    pub suspended: bool,
}

/// A signed-in session; D1 holds the token's SHA-256, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// Settings a user changes on the settings page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileEdit {
    pub display_name: String,
    pub default_visibility: Visibility,
    pub watermark: bool,
}

#[async_trait]
pub trait UserRepo: Send + Sync {
    /// `Conflict` if the username is taken. Emails need not be unique: sign-up must not
    /// reveal which addresses have accounts.
    async fn insert(&self, user: &UserRow) -> PortResult<()>;
    async fn by_id(&self, id: &str) -> PortResult<Option<UserRow>>;
    /// `username` is lower-cased.
    async fn by_username(&self, username: &str) -> PortResult<Option<UserRow>>;
    async fn update_profile(&self, id: &str, edit: &ProfileEdit, now_ms: i64) -> PortResult<()>;
    async fn set_password(&self, id: &str, password_hash: &str, now_ms: i64) -> PortResult<()>;

    async fn create_session(&self, s: &SessionRow) -> PortResult<()>;
    /// The session and its user, if the session exists and `expires_at > now_ms`.
    async fn session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> PortResult<Option<(SessionRow, UserRow)>>;
    /// Slides a session's expiry.
    async fn touch_session(
        &self,
        token_hash: &str,
        last_seen_at: i64,
        expires_at: i64,
    ) -> PortResult<()>;
    async fn delete_session(&self, token_hash: &str) -> PortResult<()>;
    /// Signs the user out everywhere except `keep` (a token hash); returns how many ended.
    async fn delete_other_sessions(&self, user_id: &str, keep: &str) -> PortResult<u32>;
    /// Remembers (or refreshes) a device the user signed in from, by its cookie's hash.
    async fn remember_device(&self, user_id: &str, token_hash: &str, now_ms: i64)
        -> PortResult<()>;
    async fn knows_device(&self, user_id: &str, token_hash: &str) -> PortResult<bool>;
    /// Housekeeping: expired sessions, old rate-limit windows, long-unused devices.
    async fn purge_expired(&self, now_ms: i64) -> PortResult<()>;
}

#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts `n` hits on `bucket` in the fixed window starting at `window_start`
    /// (a new window resets the count) and returns the hits in that window, these
    /// included. Atomic: concurrent hits are all counted.
    async fn hit(&self, bucket: &str, window_start: i64, n: u32) -> PortResult<u32>;
    /// Gives back `n` hits counted in the window starting at `window_start`; nothing if
    /// the bucket has moved on to another window. Never below zero.
    async fn release(&self, bucket: &str, window_start: i64, n: u32) -> PortResult<()>;
}

/// The platform's crypto: WebCrypto in the Worker.
#[async_trait]
pub trait Crypto: Send + Sync {
    /// PBKDF2-HMAC-SHA256, 32-byte output.
    async fn pbkdf2_sha256(
        &self,
        password: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> PortResult<Vec<u8>>;
    /// `n` bytes from a CSPRNG. Fails closed: an error, never predictable bytes.
    fn random_bytes(&self, n: usize) -> PortResult<Vec<u8>>;
    /// A running SHA-256 for an upload (the Worker's runs natively in the runtime).
    fn sha256_stream(&self) -> PortResult<Box<dyn crate::ssr::digest::Sha256Stream>> {
        Ok(Box::<crate::ssr::digest::SoftSha256>::default())
    }
}

/// An object read back from the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// R2's rules for multipart writes: every part but the last has the same size, at least
/// this many bytes; the last may be smaller.
pub const MIN_PART_BYTES: usize = 5 * 1024 * 1024;

#[async_trait]
pub trait BlobStore: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> PortResult<()>;
    /// Reads the whole object into one buffer (no second full copy on the way).
    async fn get(&self, key: &str) -> PortResult<Option<Blob>>;
    async fn delete(&self, key: &str) -> PortResult<()>;
    /// Starts writing `key` part by part, so a large object never has to be in memory
    /// whole. Nothing is visible under `key` until the writer finishes.
    async fn begin(&self, key: &str, content_type: &str) -> PortResult<Box<dyn BlobWriter>>;
    /// Opens `key` for reading chunk by chunk (a download passing it on as it comes).
    async fn open(&self, key: &str) -> PortResult<Option<Box<dyn BlobReader>>>;
    /// Up to `limit` objects under `prefix` whose keys sort after `start_after`, in key
    /// (byte) order: one page of R2's listing, for the console's repair.
    async fn list(
        &self,
        prefix: &str,
        start_after: Option<&str>,
        limit: u32,
    ) -> PortResult<BlobPage>;

    // Resumable uploads (`service::resumable`): an R2 multipart upload that outlives the
    // request, addressed by R2's upload id. The defaults say "not here", for stores
    // without it.

    /// Starts a multipart upload of `key`; returns its upload id.
    async fn create_upload(&self, _key: &str, _content_type: &str) -> PortResult<String> {
        Err(PortError::Unavailable(
            "multipart uploads not supported".into(),
        ))
    }
    /// Streams exactly `body.size()` bytes in as part `number`; returns its etag. A part
    /// sent again replaces the earlier one.
    async fn upload_part(
        &self,
        _key: &str,
        _upload_id: &str,
        _number: u16,
        _body: Box<dyn BlobReader>,
    ) -> PortResult<String> {
        Err(PortError::Unavailable(
            "multipart uploads not supported".into(),
        ))
    }
    /// Makes `key` the parts (number, etag) in order.
    async fn complete_upload(
        &self,
        _key: &str,
        _upload_id: &str,
        _parts: &[(u16, String)],
    ) -> PortResult<()> {
        Err(PortError::Unavailable(
            "multipart uploads not supported".into(),
        ))
    }
    /// Discards the upload and its parts; an upload already gone is not an error.
    async fn abort_upload(&self, _key: &str, _upload_id: &str) -> PortResult<()> {
        Err(PortError::Unavailable(
            "multipart uploads not supported".into(),
        ))
    }
}

/// An object as a listing names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub key: String,
    pub uploaded_ms: i64,
}

/// One page of a listing; `more` when the listing goes on after its last key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlobPage {
    pub objects: Vec<Listed>,
    pub more: bool,
}

/// An object being read chunk by chunk.
#[async_trait]
pub trait BlobReader: Send {
    /// The object's size in bytes.
    fn size(&self) -> u64;
    /// The next bytes, or `None` at the end.
    async fn chunk(&mut self) -> PortResult<Option<Vec<u8>>>;
}

/// A multipart write in progress (see [`MIN_PART_BYTES`] for the part sizes).
#[async_trait]
pub trait BlobWriter: Send {
    async fn write_part(&mut self, bytes: Vec<u8>) -> PortResult<()>;
    /// Makes the object visible, made of the parts in the order they were written.
    async fn finish(self: Box<Self>) -> PortResult<()>;
    /// Discards the parts written so far; nothing is stored.
    async fn abort(self: Box<Self>) -> PortResult<()>;
}

/// A queue message: ids only, never bytes; versioned by its tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MediaJob {
    ProcessV1 {
        photo_id: String,
    },
    /// A purge of the edge cache that failed when first tried (`service::cache::purge`).
    PurgeV1 {
        tags: Vec<String>,
    },
    /// A person's export zip, written into R2 part by part (`service::prepared`).
    ExportV1 {
        user_id: String,
    },
}

/// Why the media service gave back no rendition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// Worth another try later: unreachable, busy, or a server error.
    Transient(String),
    /// Final: this sentence goes on the photo as its failure reason.
    Refused(String),
}

/// The native media service (`LUMEN_PROCESSING = "service"`): renders an original stored in
/// the blob store. Only the job's settings go in; keys, rows and permissions stay here.
#[async_trait]
pub trait MediaService: Send + Sync {
    async fn render(
        &self,
        original_key: &str,
        settings: &media::wire::Settings,
    ) -> Result<Box<dyn Rendered>, RenderError>;
}

/// A rendition the service sent back, held by the adapter until it is stored.
#[async_trait]
pub trait Rendered: Send + Sync {
    fn meta(&self) -> &media::wire::Meta;
    /// Writes variant `index` (of `meta().variants`) to the blob store under `key`. In the
    /// Worker its bytes go from the response to R2 without a copy through wasm.
    async fn store(&self, index: usize, key: &str) -> PortResult<()>;
}

#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn send(&self, job: &MediaJob) -> PortResult<()>;
}

pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

pub trait Ids: Send + Sync {
    /// A fresh, unguessable id (URL-safe). Fails closed, like `Crypto::random_bytes`.
    fn new_id(&self) -> PortResult<String>;
}

/// An album as stored in D1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbumRow {
    pub id: String,
    pub owner_id: String,
    pub title: String,
    pub description: String,
    pub visibility: Visibility,
    /// The owner's choice; may name a photo the viewer cannot see (pages fall back).
    pub cover_photo_id: Option<String>,
    pub sort: AlbumSort,
    pub created_at: i64,
    pub updated_at: i64,
    /// The owner is suspended (joined in on reads; ignored on writes).
    pub owner_suspended: bool,
}

/// A photo in an album, with its place: the whole row (`PhotoRow`), or a listing's lean one
/// (`CardRow`, what an album page's cards show).
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumEntry<P = PhotoRow> {
    pub album_id: String,
    pub photo: P,
    /// A key of `ssr::position`: entries sort by it in manual order.
    pub position: String,
    pub added_at: i64,
    /// The EXIF date the "date taken" order keys on, read with the row (so neither the
    /// order nor the cursor parse EXIF).
    pub taken_at: Option<String>,
}

impl<P> AlbumEntry<P> {
    /// The "date taken" sort key: the EXIF date, or [`UNDATED`].
    pub fn taken_key(&self) -> &str {
        self.taken_at.as_deref().unwrap_or(UNDATED)
    }
}

impl AlbumEntry {
    /// The entry as a listing holds it.
    pub fn lean(self) -> AlbumEntry<CardRow> {
        AlbumEntry {
            album_id: self.album_id,
            photo: self.photo.into(),
            position: self.position,
            added_at: self.added_at,
            taken_at: self.taken_at,
        }
    }
}

#[async_trait]
pub trait AlbumRepo: Send + Sync {
    async fn insert(&self, album: &AlbumRow) -> PortResult<()>;
    /// Any visibility; callers check access with `ssr::access`.
    async fn get(&self, id: &str) -> PortResult<Option<AlbumRow>>;
    /// Writes title, description, visibility, cover, sort and `updated_at`. `NotFound` if
    /// the album is gone.
    async fn update(&self, album: &AlbumRow) -> PortResult<()>;
    /// The album and its memberships, never its photos.
    async fn delete(&self, id: &str) -> PortResult<()>;
    /// One owner's albums, newest first: all of them, or only public ones.
    async fn by_owner(&self, owner_id: &str, all: bool) -> PortResult<Vec<AlbumRow>>;
}

#[async_trait]
pub trait AlbumPhotos: Send + Sync {
    /// The entries of these albums, each album's in position order.
    async fn entries(&self, album_ids: &[String]) -> PortResult<Vec<AlbumEntry>>;
    /// Puts each (photo id, position) in the album; a photo already in stays where it is.
    /// Returns how many were added.
    async fn add(&self, album_id: &str, items: &[(String, String)], now_ms: i64)
        -> PortResult<u32>;
    /// Returns how many were removed.
    async fn remove(&self, album_id: &str, photo_ids: &[String]) -> PortResult<u32>;
    /// `NotFound` if the photo is not in the album.
    async fn set_position(&self, album_id: &str, photo_id: &str, position: &str) -> PortResult<()>;
    /// The ids of the albums a photo is in.
    async fn albums_of(&self, photo_id: &str) -> PortResult<Vec<String>>;
    /// One photo's entry in one album, if it is there.
    async fn entry(&self, album_id: &str, photo_id: &str) -> PortResult<Option<AlbumEntry>>;
    /// A page of `album`'s entries within `scope`, in the album's sort order, after the
    /// entry `after` names (which must be of that sort): lean rows, what its cards show.
    async fn page(
        &self,
        album: &AlbumRow,
        scope: EntryScope,
        after: Option<&AlbumAfter>,
        limit: u32,
    ) -> PortResult<Vec<AlbumEntry<CardRow>>>;
    /// What a list of albums (or one album's page) shows of each, in one read of at most two
    /// lean rows an album: one [`AlbumFront`] per album with an entry within `scope` (the
    /// same scope for all).
    async fn fronts(&self, albums: &[AlbumRow], scope: EntryScope) -> PortResult<Vec<AlbumFront>>;
}

/// An album as a list of albums shows it: how many of its entries are within the scope, the
/// owner's chosen cover if it is within, and the first entry in the album's sort order.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumFront {
    pub album_id: String,
    pub count: u32,
    pub chosen: Option<AlbumEntry<CardRow>>,
    pub first: Option<AlbumEntry<CardRow>>,
}

/// Which of an album's photos a listing may hold, decided by `access::album_scope`: always
/// only the album owner's own photos, then these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryScope {
    /// Pending and failed too (the owner), else finished only.
    pub any_status: bool,
    /// Every visibility (the owner, a share link), else public ...
    pub any_visibility: bool,
    /// ... and unlisted (an unlisted album).
    pub unlisted: bool,
}

impl EntryScope {
    /// The scope as the listing queries apply it to a photo of the album's owner (the fake
    /// runs this; the SQL in `server/src/d1/albums.rs` says the same).
    pub fn admits(&self, photo: &PhotoRow) -> bool {
        photo.trashed_at.is_none()
            && (self.any_status || photo.status == PhotoStatus::Ready)
            && (self.any_visibility
                || photo.visibility == Visibility::Public
                || (self.unlisted && photo.visibility == Visibility::Unlisted))
    }
}

/// The last entry a page of an album showed, by the album's sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlbumAfter {
    /// `(position, photo id)`, ascending.
    Manual(String, String),
    /// `(added_at ms, photo id)`, descending.
    Added(i64, String),
    /// `(taken key, created_at ms, photo id)`, ascending; the key is the EXIF date, or `~`
    /// (after every date) for photos without one.
    Taken(String, i64, String),
}

/// The sort key of undated photos in "date taken" order: after every date.
pub const UNDATED: &str = "~";

/// What a share link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTarget {
    Photo,
    Album,
}

impl LinkTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Album => "album",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Photo, Self::Album]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// A share link as stored in D1 (`share_links`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    pub id: String,
    pub owner_id: String,
    pub target: LinkTarget,
    pub target_id: String,
    /// The secret in `/s/{token}`; stored so the owner can copy the link again.
    pub token: String,
    pub label: String,
    /// `None`: never (only when the owner chose it).
    pub expires_at: Option<i64>,
    /// PBKDF2, as account passwords; `None`: no password.
    pub password_hash: Option<String>,
    pub allow_downloads: bool,
    pub views: u64,
    pub created_at: i64,
    pub updated_at: i64,
    pub revoked_at: Option<i64>,
}

/// The owner's changes to a link. `password_hash`: `None` keeps it, `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEdit {
    pub label: String,
    pub expires_at: Option<i64>,
    pub password_hash: Option<Option<String>>,
    pub allow_downloads: bool,
}

#[async_trait]
pub trait LinkRepo: Send + Sync {
    /// `Conflict` if the token is taken.
    async fn insert(&self, link: &LinkRow) -> PortResult<()>;
    /// Any state (revoked, expired): callers decide with `ssr::access`.
    async fn by_token(&self, token: &str) -> PortResult<Option<LinkRow>>;
    async fn by_id(&self, id: &str) -> PortResult<Option<LinkRow>>;
    /// The target's links that are not revoked, newest first.
    async fn for_target(&self, target: LinkTarget, target_id: &str) -> PortResult<Vec<LinkRow>>;
    /// `NotFound` unless the link exists and is not revoked.
    async fn update(&self, id: &str, edit: &LinkEdit, now_ms: i64) -> PortResult<()>;
    /// A new token; the old one matches nothing from now on. `NotFound` as `update`.
    async fn reset(&self, id: &str, token: &str, now_ms: i64) -> PortResult<()>;
    /// For good. `NotFound` as `update`.
    async fn revoke(&self, id: &str, now_ms: i64) -> PortResult<()>;
    async fn count_view(&self, id: &str) -> PortResult<()>;
    /// Deletes links revoked before `revoked_before` or expired before `expired_before`;
    /// how many went.
    async fn purge_dead(&self, revoked_before: i64, expired_before: i64) -> PortResult<u32>;
}

/// The owner's switches for likes and comments on one photo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Switches {
    /// Only the owner sees how many people liked it.
    pub hide_likes: bool,
    /// No new comments; the ones there stay.
    pub comments_off: bool,
}

/// Likes and comments on a photo, counted in one read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocialRow {
    pub switches: Switches,
    pub likes: u32,
    /// Whether the asking person liked it.
    pub liked: bool,
    pub comments: u32,
}

#[async_trait]
pub trait LikeRepo: Send + Sync {
    /// Idempotent: a second like keeps the first one's time.
    async fn like(&self, photo_id: &str, user_id: &str, now_ms: i64) -> PortResult<()>;
    /// Idempotent.
    async fn unlike(&self, photo_id: &str, user_id: &str) -> PortResult<()>;
    /// `NotFound` if the photo is gone. `viewer`: whose `liked` to answer.
    async fn social(&self, photo_id: &str, viewer: Option<&str>) -> PortResult<SocialRow>;
    /// `NotFound` if the photo is gone.
    async fn set_switches(&self, photo_id: &str, s: Switches, now_ms: i64) -> PortResult<()>;
    /// The photos `user_id` liked that they may still see (others' public and unlisted
    /// ready photos, and their own), newest like first, strictly before the `(liked at,
    /// photo id)` key; each with when it was liked. Card rows: what the Liked page shows.
    async fn liked(
        &self,
        user_id: &str,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> PortResult<Vec<(CardRow, i64)>>;
}

/// A comment as stored, with its author's username joined in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRow {
    pub id: String,
    pub photo_id: String,
    pub author_id: String,
    /// Joined in on reads.
    pub author: String,
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

#[async_trait]
pub trait CommentRepo: Send + Sync {
    /// A photo's comments, oldest first, strictly after the `(created at, id)` key.
    async fn list(
        &self,
        photo_id: &str,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> PortResult<Vec<CommentRow>>;
    async fn get(&self, id: &str) -> PortResult<Option<CommentRow>>;
    async fn insert(&self, c: &CommentRow) -> PortResult<()>;
    /// `NotFound` if the comment is gone.
    async fn edit(&self, id: &str, body: &str, now_ms: i64) -> PortResult<()>;
    async fn delete(&self, id: &str) -> PortResult<()>;
}

/// What the search box asked for (`ssr::search::parse`): all of it must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    /// A safe FTS5 MATCH expression: quoted strings only (see `ssr::search`).
    pub text: Option<String>,
    pub filters: Vec<SearchFilter>,
}

/// One `key:value` of a search. Camera and lens values are ASCII lower-case and match
/// part of the name; `Taken` is a half-open range over `YYYY-MM-DDTHH:MM:SS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFilter {
    Camera(String),
    Lens(String),
    Taken {
        from: String,
        to: String,
    },
    /// A username, lower-case.
    By(String),
    /// A normalised tag.
    Tag(String),
}

/// Public, finished photos sharing one fact: a tag, or the exact camera or lens key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    Tag(String),
    Camera(String),
    Lens(String),
}

#[async_trait]
pub trait TagRepo: Send + Sync {
    /// A photo's tags, alphabetical.
    async fn of_photo(&self, photo_id: &str) -> PortResult<Vec<String>>;
    /// Adds the tags the photo does not have yet, all or none: none when they would take
    /// it past `max`. Returns how many were added.
    async fn add(&self, photo_id: &str, tags: &[String], max: u32) -> PortResult<u32>;
    /// Returns how many went (0 or 1).
    async fn remove(&self, photo_id: &str, tag: &str) -> PortResult<u32>;
}

#[async_trait]
pub trait SearchRepo: Send + Sync {
    /// Newest first, older than `before` (a `(created_at, id)` key).
    async fn listing(
        &self,
        of: &Listing,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<CardRow>>;
    /// The tag listing's first `limit` photos whole, for its Atom feed (captions, sizes).
    async fn tag_feed(&self, tag: &str, limit: u32) -> PortResult<Vec<PhotoRow>>;
    /// Photos matching `q` that `viewer` may find: public, finished ones, and every one
    /// of the viewer's own. Newest first, older than `before`.
    async fn search(
        &self,
        q: &SearchQuery,
        viewer: Option<&str>,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<CardRow>>;
    /// Where the photo keyed `at` sits in `of` (newest first): the photo just newer and
    /// just older, or `None` when the listing does not show it.
    async fn neighbours(&self, of: &Around, at: &Key) -> PortResult<Option<Neighbours>>;
}

/// A newest-first listing a photo page was opened from (its `?in=`), as the rows it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Around {
    /// The public feed.
    Feed,
    /// A profile: every photo of the owner (`all`, the owner's own view) or the public ones.
    Owner { owner_id: String, all: bool },
    /// A tag, camera or lens page.
    Of(Listing),
    /// A search as `viewer` ran it.
    Search {
        q: SearchQuery,
        viewer: Option<String>,
    },
}

/// The ids either side of a photo in a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Neighbours {
    /// Newer: shown before it.
    pub prev: Option<String>,
    /// Older: shown after it.
    pub next: Option<String>,
}

/// Where a photo's media job stands (`jobs.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobState {
    /// Waiting for (another) delivery.
    Queued,
    Running,
    Done,
    /// The pipeline refused the photo (the reason is on the photo too).
    Failed,
    /// The queue gave up (dead-letter queue), or the cron did (attempts).
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        Self::Queued,
        Self::Running,
        Self::Done,
        Self::Failed,
        Self::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A job record as the console lists it: ids and facts, never a photo's title or image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub photo_id: String,
    pub owner_username: String,
    pub state: JobState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub queued_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub mem_mib: Option<u32>,
}

#[async_trait]
pub trait JobRepo: Send + Sync {
    /// A delivery begins: one more attempt, `running`. The record is made on first sight,
    /// queued when the photo was created. Nothing happens for a photo that is gone.
    async fn start(&self, photo_id: &str, now_ms: i64) -> PortResult<()>;
    /// A delivery ended in `Done` or `Failed` (with its reason), with the isolate memory.
    async fn finish(
        &self,
        photo_id: &str,
        state: JobState,
        error: Option<&str>,
        mem_mib: u32,
        now_ms: i64,
    ) -> PortResult<()>;
    /// A delivery hit a transient error: `queued` again, the error kept.
    async fn retry(&self, photo_id: &str, error: &str, now_ms: i64) -> PortResult<()>;
    /// Given up: `dead`, keeping the last error (else `reason`); idempotent, and a finished
    /// job stays finished.
    /// Returns whether the record changed.
    async fn dead(&self, photo_id: &str, reason: &str, now_ms: i64) -> PortResult<bool>;
    /// Photos pending since before `before_ms` whose job has not given up (fewer than
    /// `max_attempts` deliveries, not dead), oldest first, after the `(created_at, id)` key.
    async fn lost(
        &self,
        before_ms: i64,
        max_attempts: u32,
        after: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<Key>>;
    /// A failed photo goes back to pending and its record to `queued` with no attempts.
    /// `false` when the photo is not failed (nothing changed).
    async fn requeue(&self, photo_id: &str, now_ms: i64) -> PortResult<bool>;
    /// How many records are in each state (states with none are left out).
    async fn counts(&self) -> PortResult<Vec<(JobState, u32)>>;
    /// Failed and dead jobs, latest finished first, strictly before the `(finished_at,
    /// photo id)` key.
    async fn failures(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<JobRecord>>;
    /// Finished minus started (ms) of the jobs done since `since_ms` (at most `limit`).
    async fn durations(&self, since_ms: i64, limit: u32) -> PortResult<Vec<i64>>;
}

/// One line of the admin audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: String,
    pub actor_id: String,
    /// Joined in on reads.
    pub actor: String,
    pub action: String,
    pub target: String,
    pub at: i64,
}

/// A person as the console lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: String,
    pub username: String,
    pub created_at: i64,
    /// The latest use of any of their sessions.
    pub last_seen: Option<i64>,
    pub photos: u32,
    /// Originals.
    pub bytes: u64,
    /// Rendered variants.
    pub variant_bytes: u64,
    pub suspended_at: Option<i64>,
}

/// What D1 says is stored, in total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StorageTotals {
    pub people: u32,
    pub photos: u32,
    pub original_bytes: u64,
    pub variants: u32,
    pub variant_bytes: u64,
}

#[async_trait]
pub trait AdminRepo: Send + Sync {
    /// The first account created (the built-in admin).
    async fn first_user(&self) -> PortResult<Option<String>>;
    async fn audit(&self, row: &AuditRow) -> PortResult<()>;
    /// Newest first, strictly before the `(at, id)` key.
    async fn audit_log(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<AuditRow>>;
    /// Newest sign-up first, strictly before the `(created_at, id)` key.
    async fn people(&self, before: Option<&Key>, limit: u32) -> PortResult<Vec<PersonRow>>;
    /// The accounts storing the most (originals and variants), largest first.
    async fn largest(&self, limit: u32) -> PortResult<Vec<PersonRow>>;
    async fn totals(&self) -> PortResult<StorageTotals>;
    /// Suspends (ending every session) or unsuspends; `NotFound` for no such person.
    async fn set_suspended(&self, user_id: &str, at: Option<i64>) -> PortResult<()>;
    async fn is_suspended(&self, user_id: &str) -> PortResult<bool>;
    /// Photos by `(owner_id, id)` (the order of their originals' keys, ids being
    /// fixed-length tokens), strictly after `after` and up to `upto` inclusive: the rows
    /// repair compares with one page of R2's listing.
    async fn originals(
        &self,
        after: Option<&Key2>,
        upto: Option<&Key2>,
        limit: u32,
    ) -> PortResult<Vec<StoredOriginal>>;
    /// Marks a photo failed with `reason` whatever its status (its original is gone, so
    /// no rendition can follow); nothing for a photo that is gone.
    async fn lost_original(&self, photo_id: &str, reason: &str, now_ms: i64) -> PortResult<()>;
}

/// `(owner_id, photo_id)`: where a photo's original sits in key order.
pub type Key2 = (String, String);

/// A photo row as repair sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOriginal {
    pub owner_id: String,
    pub photo_id: String,
    pub failed: bool,
}

/// A photo in the trash as its page lists it: the card's lean row and when it went there
/// (the days left count from it; `CardRow` says only that it is trashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trashed {
    pub photo: CardRow,
    pub trashed_at: i64,
}

impl Trashed {
    /// A whole row as the trash lists it; `None` when it is not in the trash.
    pub fn lean(row: PhotoRow) -> Option<Self> {
        let trashed_at = row.trashed_at?;
        Some(Self {
            photo: row.into(),
            trashed_at,
        })
    }
}

/// The trash, the deletion record the purge works through, and leaving Lumen.
#[async_trait]
pub trait TrashRepo: Send + Sync {
    /// Moves the owner's photos that are not in the trash yet into it; returns how many.
    /// Others' ids and unknown ids change nothing.
    async fn trash(&self, owner_id: &str, ids: &[String], now_ms: i64) -> PortResult<u32>;
    /// Takes the owner's trashed photos back out; returns how many.
    async fn restore(&self, owner_id: &str, ids: &[String]) -> PortResult<u32>;
    /// One owner's trash, most recently trashed first, strictly before the
    /// `(trashed_at, id)` key: lean rows, what the trash page shows.
    async fn trashed(
        &self,
        owner_id: &str,
        before: Option<&Key>,
        limit: u32,
    ) -> PortResult<Vec<Trashed>>;
    /// Ids of photos trashed before `before_ms`, oldest first (the purge's work).
    async fn expired(&self, before_ms: i64, limit: u32) -> PortResult<Vec<String>>;
    /// In one transaction: records `keys` and the keys of the photo's variant rows as
    /// pending deletions, then deletes the photo's rows (variants, tags, album entries,
    /// likes, comments, links go with it). Nothing if the photo is already gone.
    async fn purge_rows(&self, photo_id: &str, keys: &[String], now_ms: i64) -> PortResult<()>;
    /// Up to `limit` R2 keys still to remove, oldest first.
    async fn pending_deletions(&self, limit: u32) -> PortResult<Vec<String>>;
    /// The object under `key` is gone: forget the key.
    async fn deleted(&self, key: &str) -> PortResult<()>;
    /// Every photo id of an owner's, trashed or not, a page at a time (after `after`).
    async fn all_of(
        &self,
        owner_id: &str,
        after: Option<&str>,
        limit: u32,
    ) -> PortResult<Vec<String>>;
    /// The account's remaining rows, in one transaction: sessions, devices, albums and
    /// their entries, share links, likes, comments (on anyone's photos), exports, the user.
    /// Their photos must be purged first (`purge_rows`).
    async fn delete_user(&self, user_id: &str) -> PortResult<()>;
    /// Records (or replaces) the person's export object, kept until `expires_at`.
    async fn save_export(
        &self,
        user_id: &str,
        r2_key: &str,
        now_ms: i64,
        expires_at: i64,
    ) -> PortResult<()>;
    /// `(user id, R2 key)` of exports that expired before `now_ms`.
    async fn expired_exports(&self, now_ms: i64, limit: u32) -> PortResult<Vec<(String, String)>>;
    async fn forget_export(&self, user_id: &str) -> PortResult<()>;
    /// Records (or replaces) the person's export as it stands (a queued one, `service::prepared`).
    async fn put_export(&self, user_id: &str, row: &ExportRow) -> PortResult<()>;
    async fn export_of(&self, user_id: &str) -> PortResult<Option<ExportRow>>;
}

/// A person's export as recorded in D1 (`exports`, migration 0013).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub r2_key: String,
    pub status: ExportStatus,
    pub bytes: u64,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportStatus {
    Building,
    Ready,
    Failed,
}

impl ExportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Building => "building",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Building, Self::Ready, Self::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The shared cache in front of anonymous pages and public media (README, "Edge cache").
#[async_trait]
pub trait EdgeCache: Send + Sync {
    /// Forgets every stored response tagged with any of `tags` (`ssr::cache` builds them).
    async fn purge(&self, tags: &[String]) -> PortResult<()>;
}

/// A resumable upload in progress (migration 0015). `id` becomes the photo's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    pub id: String,
    pub owner_id: String,
    pub r2_upload_id: String,
    pub name: String,
    pub mime: String,
    pub size: u64,
    pub part_bytes: u64,
    pub sha256_hint: Option<String>,
    pub created_at: i64,
}

/// A part R2 has acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRow {
    pub number: u16,
    pub etag: String,
    pub size: u64,
}

/// Resumable uploads and their parts, in D1.
#[async_trait]
pub trait UploadRepo: Send + Sync {
    async fn insert(&self, row: &UploadRow) -> PortResult<()>;
    async fn get(&self, id: &str) -> PortResult<Option<UploadRow>>;
    /// The parts received, by number.
    async fn parts(&self, id: &str) -> PortResult<Vec<PartRow>>;
    /// Records a part; the same number again replaces it. `NotFound` if the upload is gone.
    async fn put_part(&self, id: &str, part: &PartRow) -> PortResult<()>;
    /// Removes the upload and its parts; true if it was there.
    async fn delete(&self, id: &str) -> PortResult<bool>;
    /// How many uploads `owner_id` has open.
    async fn open_count(&self, owner_id: &str) -> PortResult<u32>;
    /// Up to `limit` uploads created before `before_ms`, oldest first.
    async fn stale(&self, before_ms: i64, limit: u32) -> PortResult<Vec<UploadRow>>;
}
