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

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape_text("</title><script>a&b</script>"),
            "&lt;/title&gt;&lt;script&gt;a&amp;b&lt;/script&gt;"
        );
    }
}
