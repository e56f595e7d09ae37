//! Keyset paging. A listing's next page starts after the last row it showed, named by that
//! row's sort key and id (`?before=<key>.<id>`), never by an offset: rows added or removed
//! meanwhile neither repeat nor skip a row, and each page costs the same however deep.

use crate::error::LumenError;

/// Rows on a page of every photo listing.
pub const PAGE_SIZE: u32 = 30;
/// Longest accepted `?before=` value (a cursor is a few dozen characters).
const MAX_LEN: usize = 200;
const MAX_PARTS: usize = 3;

/// A parsed `?before=` value: up to three dot-separated parts, each of `[0-9A-Za-z:_~-]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    parts: Vec<String>,
}

impl Cursor {
    /// `None` when there is no cursor (the first page); 400 with a clear message when it
    /// is not one Lumen made. Never reaches SQL unparsed.
    pub fn parse(raw: Option<&str>) -> Result<Option<Cursor>, LumenError> {
        let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(None);
        };
        let parts: Vec<String> = raw.split('.').map(str::to_string).collect();
        let part_ok = |p: &String| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'~' | b'-'))
        };
        if raw.len() > MAX_LEN || parts.len() > MAX_PARTS || !parts.iter().all(part_ok) {
            return Err(broken());
        }
        Ok(Some(Cursor { parts }))
    }

    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// The `(created_at ms, id)` of newest-first listings.
    pub fn time_id(&self) -> Result<(i64, String), LumenError> {
        match self.parts.as_slice() {
            [at, id] => Ok((at.parse::<i64>().map_err(|_| broken())?, id.clone())),
            _ => Err(broken()),
        }
    }

    /// The value for `?before=` from a row's sort key parts.
    pub fn encode(parts: &[&str]) -> String {
        parts.join(".")
    }

    /// [`Cursor::encode`] of a `(created_at ms, id)` key.
    pub fn of_time(at: i64, id: &str) -> String {
        Self::encode(&[&at.to_string(), id])
    }
}

/// The refusal of a cursor Lumen did not make.
pub fn broken() -> LumenError {
    LumenError::BadRequest {
        reason: "That page link is broken. Go back to the first page.".into(),
    }
}

/// Splits `limit + 1` fetched rows into the page and the cursor of the next one (the key
/// of the last row shown), `None` when this was the last page.
pub fn page<T>(
    mut rows: Vec<T>,
    limit: u32,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = limit as usize;
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(key);
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let raw = Cursor::of_time(1_700_000_000_123, "abc123");
        assert_eq!(raw, "1700000000123.abc123");
        let c = Cursor::parse(Some(&raw)).unwrap().unwrap();
        assert_eq!(c.time_id().unwrap(), (1_700_000_000_123, "abc123".into()));
        let taken = Cursor::encode(&["2024-06-01T10:00:00", "5", "x"]);
        assert_eq!(
            Cursor::parse(Some(&taken)).unwrap().unwrap().parts().len(),
            3
        );
        assert_eq!(Cursor::parse(None).unwrap(), None);
        assert_eq!(Cursor::parse(Some("  ")).unwrap(), None);
    }

    #[test]
    fn bad_cursors_are_a_clear_400_never_a_500() {
        let long = "1".repeat(201);
        for bad in [
            "x",
            "1.",
            ".a",
            "1..a",
            "1.a.b.c",
            "1.a'--",
            "1.a OR 1=1",
            "1.%00",
            "1.ünï",
            "1;a",
            long.as_str(),
            "1.a\"",
            "1.a/b",
        ] {
            match Cursor::parse(Some(bad)).and_then(|c| c.map(|c| c.time_id()).transpose()) {
                Err(e) => {
                    assert_eq!(e.status(), 400, "{bad}");
                    assert_eq!(
                        e.message(),
                        "That page link is broken. Go back to the first page."
                    );
                }
                Ok(v) => panic!("{bad:?} accepted: {v:?}"),
            }
        }
        // Well-formed but not a time: still 400 where a time is wanted.
        let c = Cursor::parse(Some("soon.abc")).unwrap().unwrap();
        assert_eq!(c.time_id().map_err(|e| e.status()), Err(400));
        let c = Cursor::parse(Some("99999999999999999999999.abc"))
            .unwrap()
            .unwrap();
        assert_eq!(c.time_id().map_err(|e| e.status()), Err(400));
    }

    #[test]
    fn a_page_keeps_limit_rows_and_names_the_last() {
        let (rows, next) = page(vec![5, 4, 3, 2], 3, |n| n.to_string());
        assert_eq!((rows, next), (vec![5, 4, 3], Some("3".into())));
        let (rows, next) = page(vec![5, 4, 3], 3, |n| n.to_string());
        assert_eq!((rows, next), (vec![5, 4, 3], None));
        let (rows, next) = page(Vec::<i32>::new(), 3, |n| n.to_string());
        assert_eq!((rows, next), (vec![], None));
    }
}
