//! Positions for a manually ordered list (photos in an album): string keys that sort in
//! list order, so moving one item writes one row. A new key is made between its two new
//! neighbours; nothing else is renumbered.
//!
//! Keys are base-62 digits (`0-9A-Za-z`, which ASCII and SQLite's BINARY collation sort in
//! digit order), read as a fraction after the point, and never end in `0`: there is always
//! room between two keys. Repeated inserts at one spot grow a key by about one character
//! every six inserts; `is_long` tells the caller when to rewrite the list's keys evenly.

const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE: usize = 62;
/// Past this length a list's keys are worth spreading out again (`spread`).
pub const LONG: usize = 48;

fn value(d: u8) -> usize {
    match d {
        b'0'..=b'9' => usize::from(d - b'0'),
        b'A'..=b'Z' => usize::from(d - b'A') + 10,
        b'a'..=b'z' => usize::from(d - b'a') + 36,
        _ => 0,
    }
}

fn digit(v: usize) -> u8 {
    DIGITS[v.min(BASE - 1)]
}

/// A well-formed key: base-62 digits, not empty, not ending in `0`.
pub fn is_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 255
        && k.bytes().all(|b| b.is_ascii_alphanumeric())
        && !k.ends_with('0')
}

pub fn is_long(k: &str) -> bool {
    k.len() > LONG
}

/// A key that sorts strictly after `before` and strictly before `after` (`None`: the
/// list's start or end). `None` when the two are not in order or not keys.
pub fn between(before: Option<&str>, after: Option<&str>) -> Option<String> {
    if before.is_some_and(|b| !is_key(b)) || after.is_some_and(|a| !is_key(a)) {
        return None;
    }
    if let (Some(b), Some(a)) = (before, after) {
        if b >= a {
            return None;
        }
    }
    let key = midpoint(before.unwrap_or("").as_bytes(), after.map(str::as_bytes));
    String::from_utf8(key).ok()
}

/// `a < b` as fractions (`a` may be empty: zero; `b` None: one).
fn midpoint(a: &[u8], b: Option<&[u8]>) -> Vec<u8> {
    let a_at = |i: usize| a.get(i).copied().unwrap_or(b'0');
    if let Some(b) = b {
        // Skip the digits both share (reading `a` padded with zeros).
        let n = b
            .iter()
            .enumerate()
            .take_while(|&(i, &d)| a_at(i) == d)
            .count();
        if n > 0 {
            let mut out = b[..n].to_vec();
            let rest_a = a.get(n..).unwrap_or(&[]);
            out.extend(midpoint(rest_a, Some(&b[n..])));
            return out;
        }
    }
    let da = value(a_at(0));
    let db = b.and_then(|b| b.first()).map_or(BASE, |&d| value(d));
    if db - da > 1 {
        return vec![digit((da + db) / 2)];
    }
    // Adjacent first digits.
    match b {
        // `b` has more digits: its first digit alone is between.
        Some(b) if b.len() > 1 => vec![b[0]],
        _ => {
            let mut out = vec![digit(da)];
            out.extend(midpoint(a.get(1..).unwrap_or(&[]), None));
            out
        }
    }
}

/// `n` keys spread evenly, in order, for a list written from scratch (or rewritten when a
/// key has grown long).
pub fn spread(n: usize) -> Vec<String> {
    let mut width = 1;
    while BASE.pow(width) <= n + 1 {
        width += 1;
    }
    let span = BASE.pow(width);
    (1..=n)
        .map(|i| {
            let mut v = i * span / (n + 1);
            let mut key = vec![b'0'; width as usize];
            for slot in key.iter_mut().rev() {
                *slot = digit(v % BASE);
                v /= BASE;
            }
            while key.last() == Some(&b'0') {
                key.pop();
            }
            String::from_utf8(key).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(before: Option<&str>, after: Option<&str>) -> String {
        let k = between(before, after).unwrap();
        assert!(is_key(&k), "{k}");
        if let Some(b) = before {
            assert!(b < k.as_str(), "{b} < {k}");
        }
        if let Some(a) = after {
            assert!(k.as_str() < a, "{k} < {a}");
        }
        k
    }

    #[test]
    fn keys_fit_between_any_two() {
        check(None, None);
        check(Some("V"), None);
        check(None, Some("V"));
        check(Some("1"), Some("2"));
        check(Some("1"), Some("11"));
        check(Some("zz"), None);
        check(None, Some("01"));
        check(Some("Az"), Some("B"));
        assert_eq!(between(Some("B"), Some("A")), None, "out of order");
        assert_eq!(between(Some("A"), Some("A")), None);
        assert_eq!(between(Some("A0"), None), None, "not a key");
        assert_eq!(between(Some("a-b"), None), None);
    }

    /// Many moves, each one write: the order is always the list's, and keys stay short
    /// unless one spot is hammered.
    #[test]
    fn many_moves_keep_the_order() {
        let mut list: Vec<String> = spread(50);
        let mut seed = 7u64;
        let mut next = move |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..5000 {
            let from = next(list.len());
            list.remove(from);
            let to = next(list.len() + 1);
            let before = to.checked_sub(1).map(|i| list[i].as_str());
            let after = list.get(to).map(String::as_str);
            let new = check(before, after);
            list.insert(to, new);
        }
        let mut sorted = list.clone();
        sorted.sort();
        assert_eq!(sorted, list);
        assert!(
            list.iter().all(|k| k.len() <= 12),
            "random moves stay short"
        );
        // Hammering one spot grows one key slowly; `is_long` says when to spread.
        let (mut lo, hi) = (list[0].clone(), list[1].clone());
        for i in 0..200 {
            lo = check(Some(&lo), Some(&hi));
            if i == 199 {
                assert!(lo.len() < 60, "{}", lo.len());
            }
        }
    }

    #[test]
    fn spread_is_ordered_and_short() {
        for n in [0, 1, 2, 61, 62, 1000, 5000] {
            let keys = spread(n);
            assert_eq!(keys.len(), n);
            assert!(keys.iter().all(|k| is_key(k)));
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "{n}");
        }
    }
}
