//! The page as sent: what the renderer adds that nothing uses is taken out, and the
//! per-response nonce is replaced by hashes of the inline scripts (README, "Edge cache").
//!
//! - A page without an island (`<leptos-island>`) hydrates nothing, so it loads no
//!   JavaScript and no wasm: the bundle's preloads and the hydration script go, and so do
//!   the hydration markers (`<!>`, `<!--HEAD-->`, `<!--<() />-->`) and the resource scripts
//!   after `</html>`.
//! - The nonce goes everywhere (it also sat, invalidly, in `crossorigin=`). A per-response
//!   nonce makes every cached copy unique and, in a copy served to many, is no secret; the
//!   Content-Security-Policy names the SHA-256 of each inline script instead, which is the
//!   same for every copy. User text is escaped, so it never forms a script or a marker.
//! - The stylesheet goes into the shell's empty `<style></style>` during the one copy this
//!   pass makes anyway, so its 18 KB are not searched by every step above.

use memchr::memmem;
use sha2::{Digest, Sha256};

use super::placeholder::base64;

/// The page to send, and the `'sha256-…'` sources its inline scripts need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lean {
    pub html: String,
    pub script_hashes: Vec<String>,
    pub islands: bool,
}

const MARKERS: [&str; 3] = ["<!>", "<!--HEAD-->", "<!--<() />-->"];

/// The stylesheet, inline in every page: as a file it held the first paint (and the photo,
/// the largest) back by a round trip on a phone's first view, for 5 KB compressed. The
/// Content-Security-Policy names its hash (`http::content_security_policy_with`).
pub const STYLE: &str = include_str!("../../../style/main.css");

/// Opens the hydration script's wrapper (closed by `})));`).
const HYDRATE_AFTER: &str =
    "addEventListener(\"load\",()=>requestAnimationFrame(()=>setTimeout(()=>{";

/// Where the shell leaves room for [`STYLE`].
const STYLE_SLOT: &str = "<style></style>";

pub fn lean(html: &str) -> Lean {
    let islands = find(html, "<leptos-island").is_some();
    let mut src = html;
    // Every piece that goes (or changes) as (start, end, instead); then one copy of the
    // rest, rather than a copy of the page per piece (the feed's lean pass: 32 µs → a few).
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    if !islands {
        if let Some(end) = find(src, "</html>") {
            src = &src[..end + "</html>".len()];
        }
    }
    // The bundle's preloads go from every page. Island pages fetch it once the page has
    // loaded: leptos preloads it in the head and starts it when the browser is first idle, so
    // on a slow line its 190 KB of wasm shared the line with the photo that is the page's LCP
    // element (Lighthouse mobile, photo page: 1.6 s, for a 45 KB photo).
    for (start, end) in [
        ("<link rel=\"modulepreload\"", ">"),
        ("<link rel=\"preload\" href=\"/pkg/", ">"),
    ] {
        if let Some(at) = find(src, start) {
            if let Some(len) = src[at..].find(end) {
                edits.push((at, at + len + end.len(), ""));
            }
        }
    }
    if let Some(at) = find(src, "<script type=\"module\"") {
        if let (Some(open), Some(close)) = (src[at..].find('>'), find(&src[at..], "</script>")) {
            if islands {
                // After the first paint that follows `load`: the photo (the LCP element) is
                // painted before the bundle is asked for. Started at `load` itself, the bundle's
                // requests sometimes came before that paint, and Lighthouse then counted them
                // in the photo page's LCP (1.38 s against 1.07–1.22 s in the same series).
                edits.push((at + open + 1, at + open + 1, HYDRATE_AFTER));
                edits.push((at + close, at + close, "})));"));
            } else {
                edits.push((at, at + close + "</script>".len(), ""));
            }
        }
    }
    if let Some(at) = find(src, STYLE_SLOT) {
        let inside = at + "<style>".len();
        edits.push((inside, inside, STYLE));
    }
    if !islands {
        for m in MARKERS {
            edits.extend(find_all(src, m).map(|at| (at, at + m.len(), "")));
        }
    }
    if let Some(n) = nonce_in(src) {
        for (attr, instead) in [("nonce", ""), ("crossorigin", " crossorigin=\"\"")] {
            let piece = format!(" {attr}=\"{n}\"");
            edits.extend(find_all(src, &piece).map(|at| (at, at + piece.len(), instead)));
        }
    }
    edits.sort_unstable_by_key(|e| e.0);
    let mut out = String::with_capacity(src.len() + STYLE.len());
    let mut done = 0;
    // Where the stylesheet ends in `out`: the scripts are searched for after it only.
    let mut styled = 0;
    for (start, end, instead) in edits {
        // A piece inside one already gone (a nonce in a dropped preload) goes with it.
        if start >= done {
            out.push_str(&src[done..start]);
            out.push_str(instead);
            if std::ptr::eq(instead, STYLE) {
                styled = out.len();
            }
            done = end;
        }
    }
    out.push_str(&src[done..]);
    let script_hashes = inline_scripts(&out[styled..]).map(sha256_source).collect();
    Lean {
        html: out,
        script_hashes,
        islands,
    }
}

/// Where `needle` first is in `hay` (a byte offset on a char boundary: every needle here
/// starts with an ASCII byte).
fn find(hay: &str, needle: &str) -> Option<usize> {
    memmem::find(hay.as_bytes(), needle.as_bytes())
}

/// Every place `needle` is in `hay`, without overlaps.
fn find_all<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    memmem::find_iter(hay.as_bytes(), needle.as_bytes())
}

/// The renderer's nonce: its first script's (a `nonce="` in text from people is escaped).
fn nonce_in(html: &str) -> Option<String> {
    let at = find(html, " nonce=\"")? + " nonce=\"".len();
    let len = html[at..].find('"')?;
    let n = &html[at..at + len];
    n.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/' | b'='))
        .then(|| n.to_string())
        .filter(|n| !n.is_empty())
}

/// The text of every inline `<script …>…</script>` (the renderer's own scripts only: text
/// from people is escaped, so `<script` in it is `&lt;script`).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    find_all(html, "<script").filter_map(|at| {
        let rest = &html[at + "<script".len()..];
        let open = rest.find('>')?;
        let attrs = &rest[..open];
        if attrs.contains("src=") {
            return None;
        }
        let body = &rest[open + 1..];
        find(body, "</script>").map(|end| &body[..end])
    })
}

pub fn sha256_source(script: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(script.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "<!DOCTYPE html><html lang=\"en\"><head><style></style>\
        <link rel=\"modulepreload\" href=\"/pkg/app-1.js\" crossorigin=\"N0nce\">\
        <link rel=\"preload\" href=\"/pkg/app-1_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"N0nce\">\
        <script type=\"module\" nonce=\"N0nce\">hydrate(\"/pkg\");</script><!--HEAD--><title>Lumen</title></head>";
    const TAIL: &str = "</html><script nonce=\"N0nce\">__RESOLVED_RESOURCES=[];</script>";

    #[test]
    fn a_page_without_islands_loads_no_script_and_carries_no_markers() {
        let body = "<body><!--<() />--><main><p>a <!>&lt;script&gt;b</p><!></main></body>";
        let l = lean(&format!("{HEAD}{body}{TAIL}"));
        assert!(!l.islands);
        assert_eq!(
            l.html,
            format!(
                "<!DOCTYPE html><html lang=\"en\"><head><style>{STYLE}</style>\
                 <title>Lumen</title></head><body><main><p>a &lt;script&gt;b</p></main></body></html>"
            )
        );
        assert!(l.script_hashes.is_empty());
    }

    #[test]
    fn a_page_with_an_island_keeps_its_scripts_hashed_and_loses_the_nonce() {
        let body = "<body><main><leptos-island data-component=\"MoreOnScroll\"><!></leptos-island></main></body>";
        let l = lean(&format!("{HEAD}{body}{TAIL}"));
        assert!(l.islands);
        assert!(!l.html.contains("N0nce"), "{}", l.html);
        assert!(l.html.contains(
            "<script type=\"module\">addEventListener(\"load\",()=>requestAnimationFrame(()=>setTimeout(()=>{hydrate(\"/pkg\");})));</script>"
        ));
        // Its bundle is neither preloaded nor fetched before the page (its photo) has loaded.
        assert!(!l.html.contains("preload"), "{}", l.html);
        assert!(l
            .html
            .contains("<leptos-island data-component=\"MoreOnScroll\"><!>"));
        assert_eq!(
            l.script_hashes,
            vec![
                sha256_source(
                    "addEventListener(\"load\",()=>requestAnimationFrame(()=>setTimeout(()=>{hydrate(\"/pkg\");})));"
                ),
                sha256_source("__RESOLVED_RESOURCES=[];")
            ]
        );
        // The same page with another nonce is byte for byte the same: one cached copy.
        let again = lean(&format!("{HEAD}{body}{TAIL}").replace("N0nce", "0ther"));
        assert_eq!(again, l);
    }

    #[test]
    fn hashes_are_csp_sources() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            sha256_source("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// `cargo test -p app --features ssr --release lean_timing -- --ignored --nocapture`:
    /// what the lean pass costs on a feed-sized page, natively.
    #[test]
    #[ignore]
    fn lean_timing() {
        let card = "<li class=\"card\"><a href=\"/p/abcdef?in=feed\"><!><img src=\"/media/abcdef/r1/640.webp\" srcset=\"/media/abcdef/r1/320.webp 320w, /media/abcdef/r1/640.webp 640w\" alt=\"coins\"><!--<() />--></a><!></li>";
        let head = "<!DOCTYPE html><html lang=\"en\"><head><link rel=\"modulepreload\" href=\"/pkg/app-1.js\" crossorigin=\"N0nce\"><link rel=\"preload\" href=\"/pkg/app-1_bg.wasm\" crossorigin=\"N0nce\"><script type=\"module\" nonce=\"N0nce\">hydrate(\"/pkg\");</script><!--HEAD--></head>";
        let html = format!(
            "{head}<body>{}</body></html><script nonce=\"N0nce\">x</script>",
            card.repeat(30)
        );
        let n = 2000;
        let t = std::time::Instant::now();
        let mut bytes = 0;
        for _ in 0..n {
            bytes += lean(&html).html.len();
        }
        println!(
            "lean pass: {} B page, {:.1} µs each ({bytes})",
            html.len(),
            t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
        );
    }
}
