use leptos::prelude::*;

use std::fmt::Write;

use super::status::status_badge;
use crate::model::{PhotoCard, PhotoStatus, Visibility};

/// Cards in the grid's first row at its widest (`.grid`: 220 px columns in 1200 px).
const FIRST_ROW: usize = 5;

/// How wide a card is drawn (`.grid` in style/main.css: two columns on phones, else columns
/// of at least 220 px; a 1200 px page, 1.25 rem padding), so phones fetch a small size and
/// wide screens a larger.
const SIZES: &str = "(max-width: 496px) calc(50vw - 1.625rem), (max-width: 732px) 50vw, \
                     (max-width: 968px) 33vw, 300px";

/// The CSS painting an image's box until its pixels arrive: the average colour, with the
/// blurred preview (a data URL) over it.
pub fn placeholder_style(colour: Option<&str>, blur: Option<&str>) -> Option<String> {
    let mut out = String::new();
    write_placeholder_style(&mut out, colour, blur);
    (!out.is_empty()).then_some(out)
}

/// [`placeholder_style`], written onto `out` (nothing for neither).
fn write_placeholder_style(out: &mut String, colour: Option<&str>, blur: Option<&str>) {
    if let Some(c) = colour {
        out.push_str("background-color:");
        out.push_str(c);
    }
    if let Some(b) = blur {
        if colour.is_some() {
            out.push(';');
        }
        out.push_str("background-image:url(");
        out.push_str(b);
        out.push_str(");background-size:cover");
    }
}

/// How a grid draws its cards (see [`PhotoGrid`]).
struct CardOptions<'a> {
    /// Appended to each photo's link: where it was opened from (`?album=…`).
    query: &'a str,
    /// A checkbox for the page's bulk form (`pick::BULK_FORM`).
    pick: bool,
    /// Where photos open, before the id (`/p/`, or a share link's own path).
    base: &'a str,
}

/// Appends `s` escaped as Leptos escapes (`html_escape`): `&`, `<` and `>`, and `"` in an
/// attribute (`quote`). Checked 16 bytes at a time, a loop the compiler makes SIMD, and
/// clean runs copied whole: the values are mostly URLs and the base64 preview, with nothing
/// to escape, and `html_escape`'s byte-at-a-time loop was about an eighth of the feed's render.
fn escape(s: &str, quote: bool, out: &mut String) {
    let special = |b: u8| b == b'&' || b == b'<' || b == b'>' || (quote && b == b'"');
    let bytes = s.as_bytes();
    let mut clean = 0;
    for (at, block) in bytes.chunks(16).enumerate() {
        if !block.iter().fold(false, |any, &b| any | special(b)) {
            continue;
        }
        for (i, &b) in block.iter().enumerate() {
            let entity = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' if quote => "&quot;",
                _ => continue,
            };
            let i = at * 16 + i;
            // Each of the four is ASCII, so `clean..i` falls on character boundaries.
            out.push_str(&s[clean..i]);
            out.push_str(entity);
            clean = i + 1;
        }
    }
    out.push_str(&s[clean..]);
}

/// Writes one card's HTML onto `out`. By hand rather than through `view!`: a page holds up
/// to 30 cards, and through the view machinery each cost the Worker about 20 µs of CPU to
/// hono/jsx's 3 for the same markup (`make bench`), most of a feed page's render. Nothing
/// on a card is reactive, so no hydration is lost. Every value is escaped by [`escape`],
/// as `view!` escapes it (`e2e/` and the tests below send hostile text through).
fn write_card(out: &mut String, card: &PhotoCard, opts: &CardOptions, index: usize) {
    let attr = |s: &str, out: &mut String| escape(s, true, out);
    let text = |s: &str, out: &mut String| escape(s, false, out);
    out.push_str("<li class=\"card\"><a href=\"");
    attr(opts.base, out);
    attr(&card.id, out);
    attr(opts.query, out);
    out.push_str("\" class=\"thumb\"");
    if card.placeholder.is_some() || card.blur.is_some() {
        // The colour is the pipeline's `#rrggbb` and the preview base64, so the escape
        // passes them through; it stays, as for every value.
        let mut style = String::with_capacity(256);
        write_placeholder_style(
            &mut style,
            card.placeholder.as_deref(),
            card.blur.as_deref(),
        );
        out.push_str(" style=\"");
        attr(&style, out);
        out.push_str(";\"");
    }
    out.push('>');
    match (card.status, &card.thumb) {
        (PhotoStatus::Ready, Some(t)) => {
            out.push_str("<img src=\"");
            attr(&t.url, out);
            if !card.srcset.is_empty() {
                out.push_str("\" srcset=\"");
                attr(&card.srcset, out);
            }
            let alt = if card.alt.is_empty() {
                &card.title
            } else {
                &card.alt
            };
            let _ = write!(
                out,
                "\" sizes=\"{SIZES}\" width=\"{}\" height=\"{}\" alt=\"",
                t.width, t.height
            );
            attr(alt, out);
            out.push('"');
            if index >= FIRST_ROW {
                out.push_str(" loading=\"lazy\"");
            } else if index == 0 {
                // The first card is the LCP element; the rest of the first row comes after
                // it (on a phone they are below the fold, and sharing a slow line held it back).
                out.push_str(" fetchpriority=\"high\"");
            } else {
                out.push_str(" fetchpriority=\"low\"");
            }
            out.push_str(" decoding=\"async\">");
        }
        (status, _) => {
            let (class, label) = status_badge(status);
            let _ = write!(
                out,
                "<div class=\"thumb-empty\"><span role=\"status\" class=\"{class}\">{label}</span>"
            );
            if let Some(why) = card.failure.as_deref() {
                out.push_str("<small class=\"failure\">");
                text(why, out);
                out.push_str("</small>");
            }
            out.push_str("</div>");
        }
    }
    out.push_str("</a>");
    if opts.pick {
        out.push_str("<label class=\"pick\"><input type=\"checkbox\" name=\"photo\" value=\"");
        attr(&card.id, out);
        let _ = write!(
            out,
            "\" form=\"{}\"><span class=\"visually-hidden\">Select ",
            super::pick::BULK_FORM
        );
        text(&card.title, out);
        out.push_str("</span></label>");
    }
    out.push_str("<span class=\"card-title\"><bdi>");
    text(&card.title, out);
    out.push_str("</bdi>");
    // Only owners see non-public cards (their own profile): say which they are.
    if card.visibility != Visibility::Public {
        let v = card.visibility.as_str();
        let _ = write!(out, " <span class=\"badge {v}\">{v}</span>");
    }
    out.push_str("</span></li>");
}

/// The grid of cards, or a friendly empty state.
#[component]
pub fn PhotoGrid(
    cards: Vec<PhotoCard>,
    /// Appended to every photo's link: where it was opened from (`?album=…`).
    #[prop(optional, into)]
    query: String,
    /// A checkbox on every card, for the page's bulk form (`pick::BULK_FORM`).
    #[prop(optional)]
    pick: bool,
    /// Where photos open, before the id: `/p/` unless given (a share link's own path).
    #[prop(optional, into)]
    base: String,
) -> impl IntoView {
    if cards.is_empty() {
        return view! {
            <div class="empty">
                <p>"No photos yet."</p>
                <a class="button primary" href="/upload">
                    "Upload the first one"
                </a>
            </div>
        }
        .into_any();
    }
    let opts = CardOptions {
        query: &query,
        pick,
        base: if base.is_empty() { "/p/" } else { &base },
    };
    // About 1.8 KB a card, most of it the blurred preview.
    let mut html = String::with_capacity(cards.len() * 2048);
    for (index, card) in cards.iter().enumerate() {
        write_card(&mut html, card, &opts, index);
    }
    view! { <ul class="grid" aria-label="Photos" inner_html=html></ul> }.into_any()
}

// Rendering to HTML is the server's (the `ssr` feature).
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::model::ImageSrc;

    const HOSTILE: &str = "<script>alert(\"x\")</script> & 'q'";

    fn card() -> PhotoCard {
        PhotoCard {
            id: "p1".into(),
            title: HOSTILE.into(),
            alt: String::new(),
            visibility: Visibility::Public,
            status: PhotoStatus::Ready,
            thumb: Some(ImageSrc {
                url: "/media/p1/r/640.jpg".into(),
                width: 640,
                height: 480,
            }),
            placeholder: Some("#a08060".into()),
            blur: Some("data:image/png;base64,AAA+/=".into()),
            srcset: "/media/p1/r/320.jpg 320w, /media/p1/r/640.jpg 640w".into(),
            failure: None,
        }
    }

    fn grid(cards: Vec<PhotoCard>, query: &str, pick: bool, base: &str) -> String {
        let owner = Owner::new();
        owner.with(|| view! { <PhotoGrid cards query=query pick base=base /> }.to_html())
    }

    /// The markup `view!` wrote before the cards were written by hand (captured from it,
    /// hydration markers aside), so pages, tests and baselines see the same bytes.
    #[test]
    fn a_card_is_the_markup_view_wrote() {
        let html = grid(vec![card()], "?in=feed", false, "");
        let want = concat!(
            r#"<ul aria-label="Photos" class="grid"><li class="card"><a href="/p/p1?in=feed" class="thumb" "#,
            r#"style="background-color:#a08060;background-image:url(data:image/png;base64,AAA+/=);background-size:cover;">"#,
            r#"<img src="/media/p1/r/640.jpg" srcset="/media/p1/r/320.jpg 320w, /media/p1/r/640.jpg 640w" "#,
            r#"sizes="(max-width: 496px) calc(50vw - 1.625rem), (max-width: 732px) 50vw, (max-width: 968px) 33vw, 300px" "#,
            r#"width="640" height="480" alt="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'q'" "#,
            r#"fetchpriority="high" decoding="async"></a><span class="card-title">"#,
            r#"<bdi>&lt;script&gt;alert("x")&lt;/script&gt; &amp; 'q'</bdi></span></li></ul>"#,
        );
        assert_eq!(html, want);
    }

    #[test]
    fn hostile_text_is_escaped_everywhere_it_goes() {
        let hostile = PhotoCard {
            id: HOSTILE.into(),
            alt: HOSTILE.into(),
            status: PhotoStatus::Failed,
            failure: Some(HOSTILE.into()),
            visibility: Visibility::Private,
            ..card()
        };
        for c in [
            hostile.clone(),
            PhotoCard {
                status: PhotoStatus::Ready,
                ..hostile
            },
        ] {
            let html = grid(vec![c], HOSTILE, true, HOSTILE);
            assert!(
                !html.contains("<script>") && !html.contains("\"x\")\""),
                "{html}"
            );
            assert_eq!(html.matches("<li").count(), 1, "{html}");
        }
    }

    /// The same bytes as the escaping Leptos' views do, on every kind of input.
    #[test]
    fn escaping_matches_html_escape() {
        let long = format!(
            "{}&{}\"<é>{}",
            "a".repeat(15),
            "€".repeat(9),
            "b".repeat(40)
        );
        for s in [
            "",
            "plain",
            "&",
            "\"\"",
            "<<>>",
            HOSTILE,
            "éàü & 日本 <x>",
            long.as_str(),
        ] {
            for quote in [true, false] {
                let mut ours = String::from("x");
                escape(s, quote, &mut ours);
                let theirs = if quote {
                    html_escape::encode_double_quoted_attribute(s)
                } else {
                    html_escape::encode_text(s)
                };
                assert_eq!(ours, format!("x{theirs}"), "{s:?} quote={quote}");
            }
        }
    }

    #[test]
    fn the_first_row_loads_first_and_the_rest_on_scroll() {
        let html = grid(vec![card(); 7], "", false, "");
        let imgs: Vec<&str> = html.split("<img ").skip(1).collect();
        assert_eq!(imgs.len(), 7);
        assert!(imgs[0].contains(r#"fetchpriority="high""#));
        for (i, img) in imgs.iter().enumerate().skip(1) {
            let lazy = img.contains(r#"loading="lazy""#);
            assert_eq!(lazy, i >= FIRST_ROW, "card {i}");
            assert_eq!(img.contains(r#"fetchpriority="low""#), !lazy, "card {i}");
        }
    }

    #[test]
    fn owners_see_status_reason_visibility_and_a_checkbox() {
        let c = PhotoCard {
            status: PhotoStatus::Failed,
            failure: Some("not an image".into()),
            visibility: Visibility::Unlisted,
            placeholder: None,
            blur: None,
            ..card()
        };
        let html = grid(vec![c], "?album=a1", true, "/s/tok/p/");
        for part in [
            r#"<a href="/s/tok/p/p1?album=a1" class="thumb"><div class="thumb-empty">"#,
            r#"<span role="status" class="badge failed">Failed</span><small class="failure">not an image</small>"#,
            r#"<input type="checkbox" name="photo" value="p1" form="bulk">"#,
            r#"</bdi> <span class="badge unlisted">unlisted</span>"#,
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
        assert!(!html.contains("<img"));
    }
}
