//! Atom feeds (RFC 4287) of a person's or an album's public photos, as text. The escaper
//! is ours: five entities and the characters XML 1.0 forbids, a dozen lines against the
//! wasm weight of an XML crate in a Worker with a size budget; the tests parse the output
//! with a real XML parser (e2e) and check every hostile character here.

use std::fmt::Write;

/// One feed, every URL absolute.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    /// This feed's own URL (also its `<id>`: stable, and unique to it).
    pub self_url: String,
    /// The page it follows (`/u/{name}`, `/a/{id}`).
    pub page_url: String,
    pub title: String,
    pub author: String,
    pub author_url: String,
    /// Epoch ms: the newest entry's, or the subject's own when there is none.
    pub updated: i64,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The photo page (also the entry's `<id>`).
    pub url: String,
    pub title: String,
    pub summary: String,
    pub published: i64,
    pub image: Option<Enclosure>,
}

/// The 1280 variant (or the largest below it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    pub url: String,
    pub mime: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
}

pub const CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";

/// Text for XML content and attribute values: `& < > " '` as entities, and the characters
/// XML 1.0 does not allow at all (controls but tab, newline, return; U+FFFE, U+FFFF) left
/// out, so no user text can make the document unparsable.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 3339 in UTC, as Atom's dates are.
pub fn date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn render(f: &Feed) -> String {
    let mut x = String::with_capacity(1024 + f.entries.len() * 700);
    let e = escape;
    // `write!` to a String cannot fail.
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:media=\"http://search.yahoo.com/mrss/\">\n\
         <id>{self_url}</id>\n<title>{title}</title>\n<updated>{updated}</updated>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{self_url}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{page}\"/>\n\
         <author><name>{author}</name><uri>{author_url}</uri></author>\n\
         <generator>Lumen</generator>\n",
        self_url = e(&f.self_url),
        title = e(&f.title),
        updated = date(f.updated),
        page = e(&f.page_url),
        author = e(&f.author),
        author_url = e(&f.author_url),
    );
    for entry in &f.entries {
        let _ = write!(
            x,
            "<entry>\n<id>{url}</id>\n<title>{title}</title>\n\
             <published>{at}</published>\n<updated>{at}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n",
            url = e(&entry.url),
            title = e(&entry.title),
            at = date(entry.published),
        );
        if let Some(i) = &entry.image {
            let _ = write!(
                x,
                "<link rel=\"enclosure\" type=\"{mime}\" length=\"{bytes}\" href=\"{src}\"/>\n\
                 <media:content url=\"{src}\" type=\"{mime}\" medium=\"image\" \
                 width=\"{w}\" height=\"{h}\" fileSize=\"{bytes}\"/>\n",
                mime = e(&i.mime),
                bytes = i.bytes,
                src = e(&i.url),
                w = i.width,
                h = i.height,
            );
        }
        if !entry.summary.is_empty() {
            let _ = writeln!(x, "<summary>{}</summary>", e(&entry.summary));
        }
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_forbids() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>&amp;</a>"#),
            "&lt;a href=&quot;x&quot; title=&apos;y&apos;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(
            escape("a\u{0}b\u{1b}c\u{8}\td\ne\u{fffe}\u{ffff}"),
            "abc\td\ne"
        );
        assert_eq!(
            escape("\u{202e}שלום 👨\u{200d}👩"),
            "\u{202e}שלום 👨\u{200d}👩"
        );
        assert_eq!(escape("]]>"), "]]&gt;");
    }

    #[test]
    fn a_feed_has_its_links_dates_and_enclosures() {
        let f = Feed {
            self_url: "https://l.test/u/ada/feed.atom".into(),
            page_url: "https://l.test/u/ada".into(),
            title: "Ada <3".into(),
            author: "Ada".into(),
            author_url: "https://l.test/u/ada".into(),
            updated: 1_700_000_000_000,
            entries: vec![Entry {
                url: "https://l.test/p/p1".into(),
                title: "</title><script>".into(),
                summary: "a & b".into(),
                published: 1_700_000_000_000,
                image: Some(Enclosure {
                    url: "https://l.test/media/p1/r/1280.jpg".into(),
                    mime: "image/jpeg".into(),
                    bytes: 1234,
                    width: 1280,
                    height: 853,
                }),
            }],
        };
        let x = render(&f);
        assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""));
        for part in [
            "<title>Ada &lt;3</title>",
            "<updated>2023-11-14T22:13:20Z</updated>",
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://l.test/u/ada/feed.atom\"/>",
            "<title>&lt;/title&gt;&lt;script&gt;</title>",
            "<link rel=\"enclosure\" type=\"image/jpeg\" length=\"1234\" href=\"https://l.test/media/p1/r/1280.jpg\"/>",
            "<media:content url=\"https://l.test/media/p1/r/1280.jpg\" type=\"image/jpeg\" medium=\"image\" width=\"1280\" height=\"853\"",
            "<summary>a &amp; b</summary>",
        ] {
            assert!(x.contains(part), "{part}\n{x}");
        }
        assert!(!x.contains("<script>"));
        assert!(x.ends_with("</feed>\n"));
    }
}
