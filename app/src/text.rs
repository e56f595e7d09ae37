//! Rules for the text people type (titles, captions, alt text, display names): which
//! characters never belong in it, and when it counts as blank. Shared by every form, so
//! albums, comments and share links get the same rules.

/// Bidi embeddings, overrides, isolates and marks. One in a name lets
/// `photo\u{202E}gnp.exe.png` show as "photoexe.png" and reverses the text after it.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that draw nothing: whitespace, controls, bidi controls, zero-width spaces
/// and joiners, the BOM, soft hyphens, fillers and variation selectors. Joiners and
/// selectors are kept inside text (emoji need them) but never make it non-blank.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// Invisible characters that modify the one before them (joiners, variation selectors,
/// tags): an emoji's `❤\u{FE0F}` ends in one, so trailing ones are kept.
fn attaches(c: char) -> bool {
    matches!(
        c,
        '\u{034F}'
            | '\u{180B}'..='\u{180D}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// True when nothing in `s` would show: a required field holding only this is empty.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_invisible)
}

/// Text as stored: controls and bidi controls dropped (newlines kept when `multiline`,
/// `\r\n` as `\n`), and invisible characters trimmed from both ends, so invisible-only
/// input comes out empty.
pub fn clean(raw: &str, multiline: bool) -> String {
    let kept: String = raw
        .chars()
        .filter(|&c| (multiline && c == '\n') || !(c.is_control() || is_bidi_control(c)))
        .collect();
    kept.trim_start_matches(is_invisible)
        .trim_end_matches(|c| is_invisible(c) && !attaches(c))
        .to_string()
}

/// Wraps user text for places that cannot hold a `<bdi>` element (the document title,
/// meta tags): first-strong isolate … pop directional isolate, so right-to-left text
/// never reorders what follows it.
pub fn isolate(s: &str) -> String {
    format!("\u{2068}{s}\u{2069}")
}

/// A run of comment text: plain, or a web address to make clickable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits text into plain runs and `http://` / `https://` addresses, the only ones made
/// clickable (never `javascript:`, `data:` or anything else). An address starts at a word
/// boundary, runs to whitespace or a character that never belongs in one (`<>"'` and
/// backtick, controls), and gives back trailing punctuation (`.` `,` `!` `?`, a closing
/// bracket it did not open). Nothing here escapes: the pieces are rendered as text and
/// as an `href` attribute, which the renderer escapes.
pub fn linkify(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut plain = 0;
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let scheme = ["https://", "http://"].into_iter().find(|p| {
            rest.get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p))
        });
        let boundary = s[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '/' && c != '.');
        if let (Some(scheme), true) = (scheme, boundary) {
            let end = rest
                .find(|c: char| {
                    c.is_whitespace()
                        || c.is_control()
                        || is_invisible(c)
                        || matches!(c, '<' | '>' | '"' | '\'' | '`')
                })
                .unwrap_or(rest.len());
            let url = trim_trailing(&rest[..end]);
            let host_ok = url[scheme.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '[');
            if host_ok {
                if plain < i {
                    out.push(Piece::Text(&s[plain..i]));
                }
                out.push(Piece::Link(url));
                i += url.len();
                plain = i;
                continue;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    if plain < s.len() {
        out.push(Piece::Text(&s[plain..]));
    }
    out
}

/// An address without the punctuation that ends the sentence around it.
fn trim_trailing(url: &str) -> &str {
    let mut u = url;
    loop {
        let Some(last) = u.chars().next_back() else {
            return u;
        };
        let opened = |open: char| u.matches(open).count() >= u.matches(last).count();
        let drop = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '*' => true,
            ')' => !opened('('),
            ']' => !opened('['),
            '}' => !opened('{'),
            _ => false,
        };
        if !drop {
            return u;
        }
        u = &u[..u.len() - last.len_utf8()];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_only_is_blank() {
        for s in [
            "",
            " \t\n\u{a0}\u{200b}",
            "\u{feff}\u{2060}\u{3164}",
            "\u{202e}\u{200f}",
        ] {
            assert!(is_blank(s), "{s:?}");
            assert_eq!(clean(s, true), "", "{s:?}");
        }
        assert!(!is_blank("a\u{200b}"));
    }

    #[test]
    fn bidi_controls_are_dropped() {
        assert_eq!(clean("photo\u{202E}gnp.exe", false), "photognp.exe");
        assert_eq!(clean("a\u{2066}b\u{2069}\u{200e}c\u{61c}", false), "abc");
        // Right-to-left text itself stays.
        assert_eq!(clean(" שלום ", false), "שלום");
    }

    #[test]
    fn emoji_sequences_survive() {
        let family = "👨\u{200d}👩\u{200d}👧";
        assert_eq!(clean(family, false), family);
        assert_eq!(clean("❤\u{fe0f}", false), "❤\u{fe0f}");
    }

    #[test]
    fn newlines_only_where_asked() {
        assert_eq!(clean("a\r\nb\n", true), "a\nb");
        assert_eq!(clean("a\nb", false), "ab");
    }

    fn links(s: &str) -> Vec<&str> {
        linkify(s)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Link(l) => Some(l),
                Piece::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn only_web_addresses_become_links() {
        let s = "see https://example.com/a?b=1&c=2#d, or http://x.test.";
        assert_eq!(
            linkify(s),
            [
                Piece::Text("see "),
                Piece::Link("https://example.com/a?b=1&c=2#d"),
                Piece::Text(", or "),
                Piece::Link("http://x.test"),
                Piece::Text("."),
            ]
        );
        // Every piece together is the text, unchanged.
        let joined: String = linkify(s)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Link(t) => t,
            })
            .collect();
        assert_eq!(joined, s);
        for inert in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)//https",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "ftp://example.com",
            "//evil.test",
            "xhttps://evil.test",
            "https://",
            "https:///path",
            "https://\u{202e}evil",
            "mailto:a@b.c",
        ] {
            assert_eq!(links(inert), Vec::<&str>::new(), "{inert}");
        }
        assert_eq!(links("HTTPS://Example.com"), ["HTTPS://Example.com"]);
        assert_eq!(
            links("(see https://en.wikipedia.org/wiki/Foo_(bar))"),
            ["https://en.wikipedia.org/wiki/Foo_(bar)"]
        );
        assert_eq!(links("[https://a.test]"), ["https://a.test"]);
        assert_eq!(links("javascript:https://a.test"), ["https://a.test"]);
    }

    #[test]
    fn an_address_stops_where_markup_would_start() {
        assert_eq!(
            links(r#"https://a.test/"><img src=x onerror=alert(1)>"#),
            ["https://a.test/"]
        );
        assert_eq!(
            links("https://a.test/'onmouseover='alert(1)"),
            ["https://a.test/"]
        );
        assert_eq!(links("https://a.test/<script>"), ["https://a.test/"]);
        assert_eq!(links("https://a.test/\u{200b}x"), ["https://a.test/"]);
        assert_eq!(links("ünï https://ü.test/ä ok"), ["https://ü.test/ä"]);
    }
}
