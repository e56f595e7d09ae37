//! Tags and search queries, as text: the normalisation every tag goes through, and the
//! parser that turns what someone typed into the search box into filters and a safe FTS5
//! MATCH expression. Pure: no platform, tested natively with hostile input.
//!
//! Safety rule: nothing the user typed reaches FTS5 as syntax. Every text term becomes an
//! FTS5 string (`"…"`, inner quotes doubled), so `AND`, `OR`, `NOT`, `NEAR`, `^`, `*`, `:`,
//! parentheses and `-` are only ever words (or dropped by the tokenizer); the only
//! operator Lumen adds is a trailing `*` (prefix match) after bare words of 3+ characters.

use crate::error::LumenError;
use crate::ssr::ports::{SearchFilter, SearchQuery};

/// Longest tag, in characters.
pub const MAX_TAG: usize = 40;
/// Most tags on one photo.
pub const MAX_TAGS: u32 = 20;
/// Longest query considered; the rest is ignored.
pub const MAX_QUERY: usize = 1000;
/// Most text terms (and, separately, filters) one query may hold; the rest are ignored.
pub const MAX_TERMS: usize = 16;
/// Longest single term or filter value, in characters.
const MAX_TERM: usize = 100;

/// A tag as stored: cleaned by the shared text rules (controls, bidi controls and
/// invisible edges dropped), a leading `#` dropped, lower-cased, inner whitespace runs
/// collapsed to one space. `Ok(None)` for a tag that is blank; refused when too long or
/// holding a character that would make its `/t/` address ambiguous (`/ \ ? # % ,`).
pub fn tag(raw: &str) -> Result<Option<String>, LumenError> {
    // Tabs and newlines separate words (`clean` would drop them).
    let spaced: String = raw
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let cleaned = crate::text::clean(&spaced, false);
    let cleaned = cleaned.trim_start_matches('#');
    if crate::text::is_blank(cleaned) {
        return Ok(None);
    }
    let t = cleaned
        .split(|c: char| crate::text::is_invisible(c) && !is_joiner(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if t.chars()
        .any(|c| matches!(c, '/' | '\\' | '?' | '#' | '%' | ','))
    {
        return Err(LumenError::invalid(
            "tags",
            "Tags cannot hold / \\ ? # % or commas.",
        ));
    }
    if t.chars().count() > MAX_TAG {
        return Err(LumenError::invalid(
            "tags",
            format!("Keep each tag under {MAX_TAG} characters."),
        ));
    }
    Ok(Some(t))
}

/// Joiners and selectors inside emoji: invisible, but part of the word.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
}

/// The tags of a comma-separated list, normalised, duplicates dropped, in typed order.
pub fn tags(raw: &str) -> Result<Vec<String>, LumenError> {
    let mut out: Vec<String> = Vec::new();
    for part in raw.split([',', '\n']) {
        if let Some(t) = tag(part)? {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        if out.len() > MAX_TAGS as usize {
            break;
        }
    }
    Ok(out)
}

/// A camera or lens name as its page's key: as shown, ASCII lower-cased (SQLite's
/// `lower`, which the generated columns use), surrounding whitespace trimmed.
pub fn gear_key(name: &str) -> String {
    crate::text::clean(name, false).to_ascii_lowercase()
}

/// Parses the search box. `None` when there is nothing to search for.
pub fn parse(raw: &str) -> Option<SearchQuery> {
    let capped: String = raw
        .chars()
        .take(MAX_QUERY)
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let cleaned = crate::text::clean(&capped, false);
    let mut terms: Vec<String> = Vec::new();
    let mut filters: Vec<SearchFilter> = Vec::new();
    for (word, quoted) in words(&cleaned) {
        if !quoted {
            if let Some((key, value)) = word.split_once(':') {
                let value = unquote(value);
                if value.is_empty() && FILTER_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
                    continue;
                }
                if let Some(f) = filter(key, &value) {
                    if filters.len() < MAX_TERMS && !filters.contains(&f) {
                        filters.push(f);
                    }
                    continue;
                }
            }
        }
        let text = unquote(&word);
        // A term the tokenizer would reduce to nothing matches nothing: drop it.
        if !text.chars().any(char::is_alphanumeric) || terms.len() >= MAX_TERMS {
            continue;
        }
        let text: String = text.chars().take(MAX_TERM).collect();
        let prefix = !quoted && text.chars().count() >= 3;
        let fts = format!(
            "\"{}\"{}",
            text.replace('"', "\"\""),
            if prefix { "*" } else { "" }
        );
        if !terms.contains(&fts) {
            terms.push(fts);
        }
    }
    if terms.is_empty() && filters.is_empty() {
        return None;
    }
    Some(SearchQuery {
        text: (!terms.is_empty()).then(|| terms.join(" ")),
        filters,
    })
}

/// Splits on whitespace, keeping `"…"` runs together (also inside `key:"…"`); an
/// unclosed quote runs to the end. Each word says whether it was a quoted phrase.
fn words(s: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut was_quoted = false;
    for c in s.chars() {
        if c == '"' {
            in_quote = !in_quote;
            was_quoted = was_quoted || cur.is_empty();
            cur.push(c);
        } else if c.is_whitespace() && !in_quote {
            if !cur.is_empty() {
                out.push((std::mem::take(&mut cur), was_quoted));
            }
            was_quoted = false;
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push((cur, was_quoted));
    }
    out
}

/// The text of a word without its quotes (`"a b"` → `a b`, `a"b` → `ab`).
fn unquote(s: &str) -> String {
    s.chars()
        .filter(|&c| c != '"')
        .collect::<String>()
        .trim()
        .to_string()
}

const FILTER_KEYS: [&str; 5] = ["camera", "lens", "taken", "by", "tag"];

fn filter(key: &str, value: &str) -> Option<SearchFilter> {
    let value: String = value.chars().take(MAX_TERM).collect();
    if value.is_empty() {
        return None;
    }
    Some(match key.to_ascii_lowercase().as_str() {
        "camera" => SearchFilter::Camera(gear_key(&value)),
        "lens" => SearchFilter::Lens(gear_key(&value)),
        "by" => SearchFilter::By(value.trim_start_matches('@').to_lowercase()),
        "tag" => SearchFilter::Tag(tag(&value).ok().flatten()?),
        "taken" => {
            let (from, to) = taken_range(&value)?;
            SearchFilter::Taken { from, to }
        }
        _ => return None,
    })
}

/// `2024` → `["2024", "2025")`, `2024-06` → `["2024-06", "2024-07")`, `2024-06-01` →
/// `["2024-06-01", "2024-06-02")`: half-open ranges over the `YYYY-MM-DDTHH:MM:SS` text the
/// EXIF parser writes. `None` for anything else (then it is searched as words).
pub fn taken_range(v: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = v.split('-').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y] => {
            let y = num(y, 4)?;
            Some((format!("{y:04}"), format!("{:04}", y + 1)))
        }
        [y, m] => {
            let (y, m) = (num(y, 4)?, num(m, 2)?);
            if !(1..=12).contains(&m) {
                return None;
            }
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            Some((format!("{y:04}-{m:02}"), format!("{ny:04}-{nm:02}")))
        }
        [y, m, d] => {
            let date = chrono::NaiveDate::from_ymd_opt(
                i32::try_from(num(y, 4)?).ok()?,
                num(m, 2)?,
                num(d, 2)?,
            )?;
            let next = date.succ_opt()?;
            Some((
                date.format("%Y-%m-%d").to_string(),
                next.format("%Y-%m-%d").to_string(),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(raw: &str) -> Option<SearchQuery> {
        parse(raw)
    }

    fn text(raw: &str) -> Option<String> {
        q(raw).and_then(|q| q.text)
    }

    #[test]
    fn tags_are_normalised() {
        let t = |s: &str| tag(s).unwrap();
        assert_eq!(t("  Sunset  "), Some("sunset".into()));
        assert_eq!(t("#Beach\tDay"), Some("beach day".into()));
        assert_eq!(t("New   York\u{00A0}City"), Some("new york city".into()));
        assert_eq!(t("ÉTÉ"), Some("été".into()));
        assert_eq!(t("a\u{202E}b\u{200B}"), Some("ab".into()));
        assert_eq!(t("\u{200B} \u{202E}"), None);
        assert_eq!(t(""), None);
        assert_eq!(t("#"), None);
        assert_eq!(t("❤\u{FE0F}"), Some("❤\u{FE0F}".into()));
        assert_eq!(t("<script>"), Some("<script>".into()), "escaped when shown");
        assert_eq!(t(&"x".repeat(40)), Some("x".repeat(40)));
        for bad in ["a/b", "a?b", "50%", "a#b", "a\\b"] {
            assert_eq!(tag(bad).map_err(|e| e.status()), Err(422), "{bad}");
        }
        assert_eq!(tag(&"x".repeat(41)).map_err(|e| e.status()), Err(422));
        assert_eq!(
            tags(" Sea, sea ,SKY,, ,#sea, sand ").unwrap(),
            ["sea", "sky", "sand"]
        );
    }

    #[test]
    fn text_terms_become_quoted_strings() {
        assert_eq!(text("sunset"), Some("\"sunset\"*".into()));
        assert_eq!(text("Sea sun"), Some("\"Sea\"* \"sun\"*".into()));
        assert_eq!(
            text("at"),
            Some("\"at\"".into()),
            "no prefix for short words"
        );
        assert_eq!(text("\"golden hour\""), Some("\"golden hour\"".into()));
        assert_eq!(text("a\"b"), Some("\"ab\"".into()));
        assert_eq!(text("dup dup"), Some("\"dup\"*".into()));
        assert_eq!(q(""), None);
        assert_eq!(q("   \u{200B}  "), None);
        assert_eq!(
            q("* ( ) - ^ : \"\""),
            None,
            "punctuation alone searches nothing"
        );
    }

    #[test]
    fn fts_operators_are_only_words() {
        for (raw, want) in [
            ("a AND b", "\"a\" \"AND\"* \"b\""),
            ("x OR y", "\"x\" \"OR\" \"y\""),
            ("NOT z", "\"NOT\"* \"z\""),
            ("NEAR(a b)", "\"NEAR(a\"* \"b)\""),
            ("^start", "\"^start\"*"),
            ("pre*", "\"pre*\"*"),
            ("title:x", "\"title:x\"*"),
            ("-minus", "\"-minus\"*"),
            ("{a b}:c", "\"{a\" \"b}:c\"*"),
            ("say \"hi\"\"there", "\"say\"* \"hithere\""),
        ] {
            assert_eq!(text(raw).as_deref(), Some(want), "{raw}");
        }
    }

    /// Every output is a run of `"…"` strings, each with its inner quotes doubled, and
    /// an optional `*` after it: nothing else.
    fn well_formed(expr: &str) -> bool {
        let mut chars = expr.chars().peekable();
        loop {
            if chars.next() != Some('"') {
                return false;
            }
            loop {
                match chars.next() {
                    None => return false,
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                    }
                    Some('"') => break,
                    Some(_) => {}
                }
            }
            if chars.peek() == Some(&'*') {
                chars.next();
            }
            match chars.next() {
                None => return true,
                Some(' ') => {}
                Some(_) => return false,
            }
        }
    }

    #[test]
    fn hostile_queries_stay_strings() {
        let long = "ab\"c ".repeat(400);
        let corpus = [
            "\"",
            "\"\"\"",
            "a\"",
            "\"a",
            "\"a\" OR \"b",
            "') OR 1=1 --",
            "a'b",
            "NEAR/3",
            "*:*",
            "col:(a OR b)",
            "😀 🇫🇷 ünïcödé 漢字",
            "\u{202E}evil\u{202C}",
            "a\0b",
            "\\\"",
            long.as_str(),
        ];
        for raw in corpus {
            if let Some(t) = text(raw) {
                assert!(well_formed(&t), "{raw:?} → {t:?}");
            }
        }
        let huge = "word ".repeat(1000);
        let parsed = q(&huge).unwrap();
        assert_eq!(parsed.text.as_deref(), Some("\"word\"*"));
        let many: String = (0..100).map(|i| format!("w{i} ")).collect();
        let t = text(&many).unwrap();
        assert_eq!(t.matches('"').count(), 2 * MAX_TERMS);
    }

    #[test]
    fn filters_are_parsed_and_removed_from_text() {
        let p = q("beach camera:\"Lumix DC-G9\" lens:\"EF 50mm\" taken:2024-06 by:@Ada tag:Sea")
            .unwrap();
        assert_eq!(p.text.as_deref(), Some("\"beach\"*"));
        assert_eq!(
            p.filters,
            [
                SearchFilter::Camera("lumix dc-g9".into()),
                SearchFilter::Lens("ef 50mm".into()),
                SearchFilter::Taken {
                    from: "2024-06".into(),
                    to: "2024-07".into()
                },
                SearchFilter::By("ada".into()),
                SearchFilter::Tag("sea".into()),
            ]
        );
        let only = q("TAKEN:2024").unwrap();
        assert_eq!(only.text, None);
        assert_eq!(
            only.filters,
            [SearchFilter::Taken {
                from: "2024".into(),
                to: "2025".into()
            }]
        );
        // Not a filter: searched as words.
        assert_eq!(text("taken:soon"), Some("\"taken:soon\"*".into()));
        assert_eq!(text("foo:bar"), Some("\"foo:bar\"*".into()));
        assert_eq!(q("tag:"), None);
        assert_eq!(
            text("\"camera:x\""),
            Some("\"camera:x\"".into()),
            "quoted: words"
        );
    }

    #[test]
    fn taken_ranges() {
        let r = |s: &str| taken_range(s);
        assert_eq!(r("2024"), Some(("2024".into(), "2025".into())));
        assert_eq!(r("2024-12"), Some(("2024-12".into(), "2025-01".into())));
        assert_eq!(
            r("2024-02-29"),
            Some(("2024-02-29".into(), "2024-03-01".into()))
        );
        for bad in [
            "24",
            "2024-13",
            "2024-6",
            "2023-02-29",
            "2024-01-01-01",
            "abcd",
            "",
        ] {
            assert_eq!(r(bad), None, "{bad}");
        }
    }

    #[test]
    fn gear_keys_fold_ascii_only() {
        assert_eq!(gear_key(" Canon EOS R5 "), "canon eos r5");
        assert_eq!(gear_key("ÉCLAIR"), "Éclair", "as SQLite's lower");
    }
}
