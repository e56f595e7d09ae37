//! The parts of a photo's page that the photo page and a share link's page both show:
//! the image, its caption, its facts, and the link-preview tags.

use leptos::prelude::*;
use leptos_meta::Meta;

use crate::model::{PhotoView, Preview};
use crate::text::isolate;

/// The alt text the owner wrote, else the title.
pub fn alt_or_title(p: &PhotoView) -> String {
    if p.alt.is_empty() {
        p.title.clone()
    } else {
        p.alt.clone()
    }
}

/// The photo at the best size for the screen (up to 1280 wide by default, larger on
/// dense screens through `srcset`). Nothing until it is ready.
#[component]
pub fn PhotoFigure(p: PhotoView) -> impl IntoView {
    let alt = alt_or_title(&p);
    let srcset = p.srcset();
    // The average colour fills the image's box until its pixels arrive.
    let style = crate::components::photo_card::placeholder_style(
        p.placeholder.as_deref(),
        p.blur.as_deref(),
    );
    p.best_for(1280).cloned().map(|m| {
        // The box's width before any pixel arrives (the CSS's `width: auto` would give it
        // none, and the page below would jump when the image lands): no wider than the
        // photo, the column, or what 80 % of the view's height allows at its shape.
        let width = format!(
            "width:min(100%,{w}px,calc(80vh*{w}/{h}))",
            w = m.width,
            h = m.height.max(1)
        );
        let style = Some(style.map_or(width.clone(), |s| format!("{s};{width}")));
        view! {
            <figure class="photo">
                <img
                    style=style
                    src=m.url
                    srcset=srcset
                    sizes=format!("(max-width: {w}px) 100vw, {w}px", w = m.width)
                    width=m.width
                    height=m.height
                    alt=alt
                    fetchpriority="high"
                />
            </figure>
        }
    })
}

/// Paragraphs from non-blank lines; text only, so markup stays inert.
#[component]
pub fn Caption(text: String) -> impl IntoView {
    (!text.is_empty()).then(|| {
        let lines = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| view! { <p dir="auto">{l.to_string()}</p> })
            .collect_view();
        view! { <div class="caption">{lines}</div> }
    })
}

/// The info panel: camera, lens, exposure, date taken, size and file size; the location
/// (with a map link) only when the view carries one (the owner's own page). With
/// `gear_links`, the camera and lens link to their pages (not on share-link pages, which
/// link nowhere else). Rows the file did not record are left out.
#[component]
pub fn Facts(p: PhotoView, #[prop(optional)] gear_links: bool) -> impl IntoView {
    let f = p.facts;
    let dims = p.width.zip(p.height).map(|(w, h)| format!("{w} × {h} px"));
    let gear = |kind: &'static str, name: Option<String>| {
        name.map(|n| {
            if gear_links {
                let href = crate::components::listing::gear_href(kind, &n);
                view! { <a href=href><bdi>{n}</bdi></a> }.into_any()
            } else {
                view! { <bdi>{n}</bdi> }.into_any()
            }
        })
    };
    let plain = |v: Option<String>| v.map(|v| view! { {v} }.into_any());
    let taken = f
        .taken_at
        .map(|t| view! { <time datetime=f.taken_iso.clone()>{t}</time> }.into_any());
    let location = p.location.map(|at| {
        let map = f.map_url.clone().map(|href| {
            view! {
                " · "
                <a href=href rel="noopener noreferrer external">"Map"</a>
            }
        });
        view! { {at} {map} " " <small class="muted">"(only you see this)"</small> }.into_any()
    });
    let facts = [
        ("Camera", gear("camera", f.camera)),
        ("Lens", gear("lens", f.lens)),
        ("Focal length", plain(f.focal)),
        ("Aperture", plain(f.aperture)),
        ("Shutter", plain(f.shutter)),
        ("ISO", plain(f.iso)),
        ("Exposure comp.", plain(f.compensation)),
        ("Taken", taken),
        ("Location", location),
        ("Dimensions", plain(dims)),
        ("File size", plain(f.file_size)),
        ("Uploaded", plain(Some(p.created_at))),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| view! { <dt>{k}</dt> <dd>{v}</dd> }))
    .collect_view();
    view! {
        <section id="info" class="info-panel" aria-label="Photo details">
            <dl class="facts">{facts}</dl>
        </section>
    }
}

/// OpenGraph and Twitter card tags. The URLs in `preview` are absolute; an empty title
/// is the generic card (a password-protected link), which names nothing but Lumen.
#[component]
pub fn SocialMeta(preview: Preview) -> impl IntoView {
    let title = if preview.title.is_empty() {
        "Lumen".to_string()
    } else {
        isolate(&preview.title)
    };
    let card = if preview.image.is_some() {
        "summary_large_image"
    } else {
        "summary"
    };
    let image = preview.image.map(|i| {
        view! {
            <Meta property="og:image" content=i.url.clone() />
            <Meta property="og:image:width" content=i.width.to_string() />
            <Meta property="og:image:height" content=i.height.to_string() />
            <Meta name="twitter:image" content=i.url />
        }
    });
    view! {
        <Meta property="og:site_name" content="Lumen" />
        <Meta property="og:type" content="website" />
        <Meta property="og:url" content=preview.url />
        <Meta property="og:title" content=title.clone() />
        <Meta property="og:description" content=preview.description.clone() />
        <Meta name="description" content=preview.description.clone() />
        <Meta name="twitter:card" content=card />
        <Meta name="twitter:title" content=title />
        <Meta name="twitter:description" content=preview.description />
        {image}
    }
}
