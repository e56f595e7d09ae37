//! `/_design`: every component in each of its states, in the light and the dark palette,
//! from fixed sample data (no database), so reviewers and screenshots see the same page.
//! Served only where the stage allows dev tools; production answers 404.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dev::check_dev_tools;
use crate::components::error_box::{ErrorBox, ErrorNotice};
use crate::components::leave::{DeleteAccountForm, ExportLink, PreparedExportView};
use crate::components::listing::PhotoListing;
use crate::components::nav::NavBar;
use crate::components::paging::OlderLink;
use crate::components::photo_card::PhotoGrid;
use crate::components::share::{DeadLink, LinkList, PasswordPrompt, ShareForm, Subject};
use crate::components::social::{Comments, LikeBox};
use crate::components::status::StatusBadge;
use crate::components::upload_row::{FormError, UploadRow};
use crate::components::uploader::{summary, UploadItem, UploadState};
use crate::error::LumenError;
use crate::model::{
    AlbumCard, AlbumSort, AlbumView, CommentView, ImageSrc, Me, PhotoCard, PhotoPage, PhotoStatus,
    Preview, ShareLinkView, SharedAlbum, SocialView, Visibility,
};
use crate::model::{TrashItem, TrashPage};
use crate::pages::admin::AdminSamples;
use crate::pages::album::AlbumBody;
use crate::pages::liked::LikedPhotos;
use crate::pages::profile::AlbumGrid;
use crate::pages::search::SearchResults;
use crate::pages::share::SharedAlbumView;
use crate::pages::trash::TrashList;
use crate::pages::upload::file_label;

/// Section ids, in page order; screenshots name their files after them.
const SECTIONS: [(&str, &str); 20] = [
    ("nav", "Navigation"),
    ("buttons", "Buttons"),
    ("badges", "Status badges"),
    ("cards", "Photo cards"),
    ("albums", "Album cards"),
    ("album-page", "Album page"),
    ("paging", "Paging"),
    ("progress", "Upload progress"),
    ("forms", "Form errors"),
    ("empty", "Empty and loading states"),
    ("errors", "Error boxes"),
    ("dialogs", "Dialogs"),
    ("sharing", "Share links"),
    ("search", "Tags and search"),
    ("likes", "Likes"),
    ("comments", "Comments"),
    ("liked", "Liked page"),
    ("admin", "Admin console"),
    ("trash", "Trash and leaving"),
    ("viewer", "Photo viewer"),
];

/// A 4:3 landscape drawn in SVG: a stand-in photo that needs no storage.
const SAMPLE_IMAGE: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' \
viewBox='0 0 640 480'%3E%3Cdefs%3E%3ClinearGradient id='s' x2='0' y2='1'%3E%3Cstop \
offset='0' stop-color='%23f7b267'/%3E%3Cstop offset='1' stop-color='%23f4845f'/%3E\
%3C/linearGradient%3E%3C/defs%3E%3Crect width='640' height='480' fill='url(%23s)'/%3E\
%3Ccircle cx='440' cy='190' r='70' fill='%23fff3b0'/%3E%3Cpath d='M0 480V330l160-120 \
140 120 120-80 220 150v80z' fill='%23355070'/%3E%3C/svg%3E";

const REFUSAL: &str = "“notes.txt” is not a supported image (JPEG, PNG, WebP or GIF).";

#[component]
pub fn DesignPage() -> impl IntoView {
    let gate = Resource::new(|| (), |_| check_dev_tools());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match gate.await {
                    Ok(()) => view! { <Catalogue /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Catalogue() -> impl IntoView {
    let toc = SECTIONS
        .iter()
        .map(|(id, name)| view! { <a href=format!("#light-{id}")>{*name}</a> })
        .collect_view();
    view! {
        <Title text="Design catalogue" />
        <div class="design">
            <h1>"Design catalogue"</h1>
            <p class="design-intro">
                "Every component in each of its states, from fixed sample data. Light first, then dark. "
                "Only on local and preview deploys."
            </p>
            <nav class="design-toc" aria-label="Sections">
                {toc}
            </nav>
            <Palette theme="light" label="Light" />
            <Palette theme="dark" label="Dark" />
        </div>
    }
}

/// The whole catalogue under one forced palette; ids are prefixed with the theme.
#[component]
fn Palette(theme: &'static str, label: &'static str) -> impl IntoView {
    let section = move |id: &'static str, body: AnyView| {
        let name = SECTIONS
            .iter()
            .find(|(s, _)| *s == id)
            .map_or(id, |(_, n)| *n);
        view! {
            <section class="design-section" id=format!("{theme}-{id}")>
                <h3>{name}</h3>
                {body}
            </section>
        }
    };
    let input_id = format!("design-photos-{theme}");
    view! {
        <div class=format!("design-theme theme-{theme}") id=theme>
            <h2>{label}</h2>
            {section(
                "nav",
                view! {
                    <div class="design-stack">
                        <NavBar me=None />
                        <NavBar me=Some(sample_me()) />
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "buttons",
                view! {
                    <div class="design-row">
                        <a class="button primary" href="#">
                            "Primary"
                        </a>
                        <a class="button" href="#">
                            "Secondary"
                        </a>
                        <button type="button" class="button danger">
                            "Delete for good"
                        </button>
                        <button type="button" class="button primary" disabled>
                            "Disabled"
                        </button>
                        <button type="button" class="button" disabled>
                            "Disabled"
                        </button>
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "badges",
                view! {
                    <div class="design-row">
                        <StatusBadge status=PhotoStatus::Pending />
                        <StatusBadge status=PhotoStatus::Ready />
                        <StatusBadge status=PhotoStatus::Failed />
                    </div>
                }
                    .into_any(),
            )}
            {section("cards", view! { <PhotoGrid cards=sample_cards() /> }.into_any())}
            {section("viewer", crate::components::viewer::design_samples(SAMPLE_IMAGE))}
            {section("albums", view! { <AlbumGrid cards=sample_albums() /> }.into_any())}
            {section(
                "paging",
                // The end of a listing page: the link to the next one (loaded on scroll
                // where JS runs), and a broken page link's refusal.
                view! {
                    <div class="design-stack">
                        <OlderLink href=Some("/_design?before=design".to_string()) still=true />
                        <ErrorNotice error=LumenError::BadRequest {
                            reason: "That page link is broken. Go back to the first page.".into(),
                        } />
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "album-page",
                // As a visitor sees it, then through an album share link that allows downloads.
                view! {
                    <div class="design-stack">
                        <AlbumBody a=sample_album() />
                        <h4>"Shared album (through a link)"</h4>
                        <SharedAlbumView a=sample_shared_album() />
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "progress",
                view! {
                    <ul class="progress-list" aria-label="Upload progress">
                        {sample_uploads()
                            .into_iter()
                            .map(|item| view! { <UploadRow item /> })
                            .collect_view()}
                    </ul>
                    <p class="upload-summary" role="status">
                        {summary(&sample_uploads()[4..])}
                    </p>
                }
                    .into_any(),
            )}
            {section(
                "forms",
                view! {
                    <div class="upload">
                        <form>
                            <label for=input_id.clone()>{file_label(16, 16)}</label>
                            <input id=input_id.clone() type="file" />
                            // With the media service the JS uploader takes more.
                            <label for=format!("{input_id}-service")>
                                {file_label(16, 256)}
                            </label>
                            <input id=format!("{input_id}-service") type="file" />
                            <FormError message=REFUSAL.to_string() />
                            <button type="button" class="button primary">
                                "Upload"
                            </button>
                        </form>
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "empty",
                view! {
                    <PhotoGrid cards=Vec::new() />
                    <p class="loading">"Loading photos…"</p>
                }
                    .into_any(),
            )}
            {section(
                "errors",
                view! {
                    <div class="design-stack">
                        <ErrorNotice error=LumenError::NotFound />
                        <ErrorNotice error=internal_error() />
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "dialogs",
                // Confirmations are disclosures, not modal dialogs: they work without JS.
                view! {
                    <div class="design-stack">
                        <details class="danger-zone" open>
                            <summary>"Delete this photo…"</summary>
                            <form>
                                <p>"This removes the photo and every size of it, for good."</p>
                                <button type="button" class="button danger">
                                    "Delete for good"
                                </button>
                            </form>
                        </details>
                        <p class="notice ok" role="status">
                            "Saved."
                        </p>
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "sharing",
                // The owner's share dialog and link list (photo page), then what a
                // visitor sees: the password prompt, and a link that no longer works.
                view! {
                    <div class="design-stack">
                        <section class="share">
                            <h4>"Share dialog"</h4>
                            <ShareForm subject=Subject::Photo("design-ready".to_string()) />
                        </section>
                        <section class="share">
                            <h4>"Share dialog (album)"</h4>
                            <ShareForm subject=Subject::Album("design-album".to_string()) />
                        </section>
                        <section class="share">
                            <h4>"Link list"</h4>
                            <LinkList links=sample_links() />
                        </section>
                        <h4>"Password prompt"</h4>
                        <PasswordPrompt token="design".to_string() />
                        <h4>"Expired link"</h4>
                        <DeadLink />
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "likes",
                // Signed out, not liked yet, liked, and the owner's view of a hidden count.
                view! {
                    <div class="design-stack">
                        <LikeBox v=sample_social(|v| v.signed_in = false) />
                        <LikeBox v=sample_social(|v| v.liked = false) />
                        <LikeBox v=sample_social(|_| ()) />
                        <LikeBox v=sample_social(|v| {
                            v.is_owner = true;
                            v.hide_likes = true;
                        }) />
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "comments",
                // Some (with a link, an edited one, the author's edit and delete), none, and
                // switched off.
                view! {
                    <div class="design-stack">
                        <Comments v=sample_social(|_| ()) />
                        <h4>"No comments yet"</h4>
                        <Comments v=sample_social(|v| {
                            v.comments.clear();
                            v.comment_count = 0;
                            v.next = None;
                        }) />
                        <h4>"Switched off"</h4>
                        <Comments v=sample_social(|v| {
                            v.comments_off = true;
                            v.next = None;
                        }) />
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "liked",
                view! {
                    <div class="design-stack">
                        // No next page here: the catalogue's one "Older photos" link is in
                        // its own section, and a second would load more cards into it.
                        <LikedPhotos page=PhotoPage { photos: sample_cards(), next: None } />
                        <h4>"Nothing liked yet"</h4>
                        <LikedPhotos page=PhotoPage { photos: Vec::new(), next: None } />
                    </div>
                }
                    .into_any(),
            )}
            {section(
                "search",
                // A search with hits, one without, the empty form, and a tag page with no
                // public photos. No "Older photos" link here: its island would fetch the next
                // page while the screenshot is taken.
                view! {
                    <div class="design-stack">
                        <SearchResults
                            q="sunset camera:\"eos r5\"".to_string()
                            page=Some(PhotoPage { photos: sample_cards(), next: None })
                            input_id=format!("design-q1-{theme}")
                        />
                        <SearchResults
                            q="moon taken:1999".to_string()
                            page=Some(PhotoPage { photos: Vec::new(), next: None })
                            input_id=format!("design-q2-{theme}")
                        />
                        <SearchResults q=String::new() page=None input_id=format!("design-q3-{theme}") />
                        <section class="listing">
                            <h4>"Tag page"</h4>
                            <h1>"#" <bdi>"golden hour"</bdi></h1>
                            <PhotoListing page=PhotoPage { photos: Vec::new(), next: None } path="/t/golden%20hour".to_string() empty="No public photos have this tag yet." />
                        </section>
                    </div>
                }
                    .into_any(),
            )}
            {section("admin", view! { <AdminSamples /> }.into_any())}
            {section(
                "trash",
                // The trash with photos (after a restore), the empty trash, and the
                // delete-account confirmation opened.
                view! {
                    <div class="design-stack">
                        <TrashList page=sample_trash() done=Some("restored".to_string()) />
                        <TrashList page=TrashPage { items: Vec::new(), next: None } done=None />
                        <ExportLink />
                        <PreparedExportView export=sample_export("ready") />
                        <PreparedExportView export=sample_export("building") />
                        <PreparedExportView export=sample_export("failed") />
                        <DeleteAccountForm open=true />
                    </div>
                }
                    .into_any(),
            )}
        </div>
    }
}

/// A photo's likes and comments as Ben sees them (he liked it and wrote the last comment),
/// changed by `edit`.
fn sample_social(edit: impl FnOnce(&mut SocialView)) -> SocialView {
    let comment = |id: &str, author: &str, body: &str, edited: bool, mine: bool| CommentView {
        id: id.into(),
        author: author.into(),
        body: body.into(),
        created_at: "3 June 2025, 14:02 UTC".into(),
        created_iso: "2025-06-03T14:02:00Z".into(),
        edited,
        can_edit: mine,
        can_delete: mine,
    };
    let mut v = SocialView {
        photo_id: "design-ready".into(),
        likes: Some(12),
        liked: true,
        signed_in: true,
        is_owner: false,
        hide_likes: false,
        comments_off: false,
        comment_count: 3,
        comments: vec![
            comment(
                "c1",
                "ada",
                "The light on the water! Taken at https://example.com/lake, early morning.",
                false,
                false,
            ),
            comment("c2", "cleo", "Lovely.\nWhich lens was this?", true, false),
            comment("c3", "ben", "Going there next week.", false, true),
        ],
        next: Some("1700000000000.c3".into()),
    };
    edit(&mut v);
    v
}

fn sample_album() -> AlbumView {
    AlbumView {
        id: "design-album".into(),
        title: "Summer by the sea".into(),
        description: "Two weeks on the coast.\nMostly boats.".into(),
        visibility: Visibility::Public,
        sort: AlbumSort::Manual,
        owner: Some("ada".into()),
        is_owner: false,
        cover_photo_id: Some("design-ready".into()),
        photos: sample_cards()
            .into_iter()
            .filter(|c| c.status == PhotoStatus::Ready)
            .collect(),
        count: 2,
        next: None,
        preview: Preview {
            url: String::new(),
            title: String::new(),
            description: String::new(),
            image: None,
        },
    }
}

fn sample_shared_album() -> SharedAlbum {
    let a = sample_album();
    SharedAlbum {
        title: a.title,
        description: a.description,
        owner: a.owner,
        photos: a.photos,
        count: a.count,
        next: None,
        photo_base: "/s/design/p/".into(),
        download_url: Some("/s/design/download".into()),
    }
}

fn sample_me() -> Me {
    Me {
        username: "ada".into(),
        display_name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        default_visibility: Visibility::Public,
        watermark: false,
    }
}

fn sample_cards() -> Vec<PhotoCard> {
    // Only a processed photo has a placeholder colour, as in the feed.
    let card = |id: &str, title: &str, status, thumb: Option<ImageSrc>| PhotoCard {
        id: format!("design-{id}"),
        title: title.to_string(),
        alt: String::new(),
        visibility: if id == "failed" {
            Visibility::Private
        } else {
            Visibility::Public
        },
        status,
        placeholder: thumb.as_ref().map(|_| "#f4845f".to_string()),
        blur: None,
        srcset: String::new(),
        failure: (status == PhotoStatus::Failed)
            .then(|| "The file is not an image Lumen can read.".to_string()),
        thumb,
    };
    vec![
        card(
            "ready",
            "Ready: a thumbnail",
            PhotoStatus::Ready,
            Some(ImageSrc {
                url: SAMPLE_IMAGE.into(),
                width: 640,
                height: 480,
            }),
        ),
        card(
            "pending",
            "Pending: still processing",
            PhotoStatus::Pending,
            None,
        ),
        card(
            "failed",
            "Failed: could not be read",
            PhotoStatus::Failed,
            None,
        ),
        // Right-to-left text is isolated: the badge after it stays in place.
        PhotoCard {
            visibility: Visibility::Unlisted,
            ..card(
                "rtl",
                "رحلة الصيف ٢٠٢٤",
                PhotoStatus::Ready,
                Some(ImageSrc {
                    url: SAMPLE_IMAGE.into(),
                    width: 640,
                    height: 480,
                }),
            )
        },
    ]
}

/// An album with a cover, an empty private one, and a right-to-left title.
fn sample_albums() -> Vec<AlbumCard> {
    let cover = || ImageSrc {
        url: SAMPLE_IMAGE.into(),
        width: 640,
        height: 480,
    };
    vec![
        AlbumCard {
            id: "design-summer".into(),
            title: "Summer by the sea".into(),
            visibility: Visibility::Public,
            count: 24,
            cover: Some(cover()),
            placeholder: Some("#f4845f".into()),
        },
        AlbumCard {
            id: "design-empty".into(),
            title: "Not yet sorted".into(),
            visibility: Visibility::Private,
            count: 0,
            cover: None,
            placeholder: None,
        },
        AlbumCard {
            id: "design-rtl".into(),
            title: "رحلة الصيف".into(),
            visibility: Visibility::Unlisted,
            count: 1,
            cover: Some(cover()),
            placeholder: Some("#f4845f".into()),
        },
    ]
}

/// The upload list in every state a row can be in.
fn sample_uploads() -> Vec<UploadItem> {
    let item = |index, name: &str, state| UploadItem {
        index,
        name: name.to_string(),
        state,
        thumb: None,
    };
    vec![
        item(0, "waiting-in-line.jpg", UploadState::Queued),
        item(1, "harbour-at-dawn.jpg", UploadState::Uploading(42)),
        item(
            2,
            "panorama-120mb.jpg",
            UploadState::Sending {
                part: 6,
                parts: 15,
                pct: 37,
            },
        ),
        item(
            3,
            "night-sky-stack.png",
            UploadState::Resumed {
                part: 11,
                parts: 15,
                pct: 71,
            },
        ),
        item(
            4,
            "city-lights.png",
            UploadState::Done("/p/design-ready".into()),
        ),
        item(
            5,
            "city-lights-copy.png",
            UploadState::Already("/p/design-ready".into()),
        ),
        item(6, "notes.txt", UploadState::Failed(REFUSAL.into())),
        item(7, "changed-my-mind.jpg", UploadState::Cancelled),
    ]
}

fn sample_links() -> Vec<ShareLinkView> {
    let link = |id: &str, label: &str| ShareLinkView {
        id: format!("design-{id}"),
        label: label.to_string(),
        url: format!("https://lumen.example/s/{id}7k2m9q4x8c3v6b1n5z0r2t"),
        created_at: "2 May 2026".into(),
        expires: "1 June 2026, 09:00 UTC".into(),
        expired: false,
        views: 12,
        allow_downloads: false,
        has_password: false,
    };
    vec![
        ShareLinkView {
            has_password: true,
            allow_downloads: true,
            ..link("grandma", "for grandma")
        },
        ShareLinkView {
            expires: "Never".into(),
            views: 0,
            ..link("plain", "")
        },
        // Right-to-left labels are isolated; an expired link says so.
        ShareLinkView {
            expired: true,
            expires: "3 May 2026, 09:00 UTC".into(),
            ..link("rtl", "لجدتي")
        },
    ]
}

fn internal_error() -> LumenError {
    LumenError::Internal {
        ref_id: "0a1b2c3d".into(),
    }
}

/// Three photos in the trash: just deleted, half-way, and the last day.
fn sample_trash() -> TrashPage {
    TrashPage {
        items: sample_cards()
            .into_iter()
            .zip([30, 12, 1])
            .map(|(card, days_left)| TrashItem { card, days_left })
            .collect(),
        next: None,
    }
}

/// A prepared export in `status` (the ready one with its link and a day to go).
fn sample_export(status: &str) -> Option<crate::model::PreparedExport> {
    Some(crate::model::PreparedExport {
        status: status.to_string(),
        url: (status == "ready").then(|| "/exports/ada".to_string()),
        bytes: 48_200_000,
        expires_in_hours: 24,
    })
}
