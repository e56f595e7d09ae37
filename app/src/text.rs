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
}
