//! Letting pages set the HTTP status of the server-rendered response. The Worker
//! provides an [`HttpStatus`] in context; in the browser there is none and it is a no-op.

use std::sync::Arc;

use leptos::prelude::*;

#[derive(Clone)]
pub struct HttpStatus(pub Arc<dyn Fn(u16) + Send + Sync>);

pub fn set_http_status(code: u16) {
    if let Some(HttpStatus(set)) = use_context::<HttpStatus>() {
        set(code);
    }
}

/// Escapes text for the two places the renderer writes it raw (leptos_meta's `<title>` and
/// a `<textarea>`'s content in tachys 0.2): without this, a photo title such as
/// `</title><script>` would run for everyone who opens the page.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The Content-Security-Policy of every HTML response. Scripts only from this origin or
/// carrying this response's nonce (Leptos puts it on its hydration script); wasm may be
/// compiled (`'wasm-unsafe-eval'`, the client bundle); inline style in attributes
/// (placeholder colours) and the one stylesheet every page carries, by its hash; images
/// from here, `data:` or `blob:` (the uploader's thumbnails of files the person chose, made
/// in their browser); no plugins, no framing, no `<base>` tricks, forms post only here.
/// Without a nonce no inline script runs at all.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let sources: Vec<String> = nonce.map(|n| format!("'nonce-{n}'")).into_iter().collect();
    content_security_policy_with(&sources)
}

/// The policy allowing, besides this origin's scripts, exactly the inline scripts
/// `sources` name (`'sha256-…'`, from `ssr::lean`; none on a page without islands).
pub fn content_security_policy_with(sources: &[String]) -> String {
    let mut scripts = vec!["'self'".to_string()];
    scripts.extend(sources.iter().cloned());
    scripts.push("'wasm-unsafe-eval'".into());
    format!(
        "default-src 'self'; script-src {}; style-src 'self' {}; \
         style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'",
        scripts.join(" "),
        style_source()
    )
}

/// The `'sha256-…'` source of the stylesheet every page carries inline
/// ([`crate::ssr::lean::STYLE`]), hashed once per isolate.
#[cfg(feature = "ssr")]
fn style_source() -> &'static str {
    static SOURCE: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| crate::ssr::lean::sha256_source(crate::ssr::lean::STYLE));
    &SOURCE
}

#[cfg(not(feature = "ssr"))]
fn style_source() -> &'static str {
    ""
}

/// `Cache-Control` values, by who may see the response. The rule: a shared cache may
/// keep only what anyone at all may see, whoever asks; anything that depends on the
/// person asking is `private` (and varies on `Cookie`) or not stored at all.
pub mod cache {
    /// Variants of public photos. Their URLs carry the content revision, so browsers keep
    /// them for a year without asking again. Shared caches keep them ten minutes only:
    /// a photo made private or deleted is gone from them by then (the Worker answers 404
    /// from that moment; the viewer's own browser keeps what it was allowed to see).
    pub const PUBLIC_MEDIA: &str = "public, max-age=31536000, s-maxage=600, immutable";
    /// Originals anyone may download (public photo, downloads allowed).
    pub const PUBLIC_ORIGINAL: &str = "public, max-age=3600, s-maxage=600";
    /// Media only some people may see (private or unlisted photos, the owner's original):
    /// the viewer's browser may keep it, shared caches never.
    pub const PRIVATE_MEDIA: &str = "private, max-age=3600";
    /// Images and originals through a share link: only the viewer's browser keeps them,
    /// briefly, and per cookie (a protected link's unlock). Revoking the link ends the
    /// URLs at once; this bounds how long one browser may still show what it had.
    pub const LINK_MEDIA: &str = "private, max-age=300";
    /// A share link's page (no password): never in a shared cache, revalidated each time.
    pub const LINK_PAGE: &str = "private, no-cache";
    /// Pages and answers for a signed-in person: never stored anywhere, so Back after
    /// signing out does not show them again.
    pub const PERSONAL: &str = "private, no-store";
    /// Pages for anonymous readers: may be stored, but must be asked for again each time.
    pub const ANONYMOUS: &str = "no-cache";
    /// Anonymous pages in the edge cache (`server/src/cache.rs`): browsers ask again each
    /// time, the edge keeps them an hour at most. Changes purge them at once; the hour
    /// bounds what a purge cannot reach (another data centre's copy, README "Edge cache").
    pub const EDGE_PAGE: &str = "public, max-age=0, s-maxage=3600";
    /// Atom feeds: only public photos, the same for whoever asks, so shared caches may
    /// keep them; five minutes bounds how long a photo made private stays in one.
    pub const FEED: &str = "public, max-age=300";
}

#[cfg(test)]
mod tests {
    #[test]
    fn csp_allows_only_this_origin_and_the_nonce() {
        let csp = super::content_security_policy(Some("abc"));
        for part in [
            "script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{part}: {csp}");
        }
        assert!(!csp.contains("script-src 'unsafe-inline'"));
        let plain = super::content_security_policy(None);
        assert!(
            plain.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{plain}"
        );
        assert!(!plain.contains("nonce"));
    }

    /// The inline stylesheet is allowed by its hash, and no other inline `<style>` is.
    #[cfg(feature = "ssr")]
    #[test]
    fn csp_allows_the_inline_stylesheet_by_its_hash() {
        let csp = super::content_security_policy(None);
        let source = crate::ssr::lean::sha256_source(crate::ssr::lean::STYLE);
        assert!(
            csp.contains(&format!("style-src 'self' {source};")),
            "{csp}"
        );
        assert!(!csp.contains("style-src 'self' 'unsafe-inline'"));
        assert!(crate::ssr::lean::STYLE.contains(".grid"));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape_text("</title><script>a&b</script>"),
            "&lt;/title&gt;&lt;script&gt;a&amp;b&lt;/script&gt;"
        );
    }
}
