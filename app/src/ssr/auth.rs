//! Passwords, session tokens and the session cookie.

use sha2::{Digest, Sha256};

use crate::error::LumenError;
use crate::ssr::ports::{SessionRow, UserRow};
use crate::ssr::Platform;

/// Workers cap PBKDF2 at 100 000 iterations; we use the cap.
pub const PBKDF2_ITERATIONS: u32 = 100_000;
const SCHEME: &str = "pbkdf2-sha256";
const SALT_BYTES: usize = 16;
const TOKEN_BYTES: usize = 32;

/// The session cookie's name on localhost. Elsewhere it carries the `__Host-` prefix
/// (see [`cookie_name`]).
pub const COOKIE: &str = "lumen_session";
/// A random token per browser, remembered per user once it signs in (`known_devices`):
/// sign-in limits treat a device that signed in before apart from strangers.
pub const DEVICE_COOKIE: &str = "lumen_device";
/// As long as browsers keep a cookie (400 days).
pub const DEVICE_MAX_AGE_SECS: i64 = 400 * 24 * 3600;
/// A session ends after this long without use...
pub const SESSION_IDLE_MS: i64 = 30 * 24 * 3600 * 1000;
/// ...and each use at least this long after the last slides it forward, so a busy
/// session costs one write per interval, not one per request.
pub const SLIDE_AFTER_MS: i64 = 3600 * 1000;

/// `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`: versioned, so the scheme or the
/// cost can change and old hashes still verify.
pub async fn hash_password(p: &Platform, password: &str) -> Result<String, LumenError> {
    let salt = p.crypto.random_bytes(SALT_BYTES)?;
    let hash = p
        .crypto
        .pbkdf2_sha256(password.as_bytes(), &salt, PBKDF2_ITERATIONS)
        .await?;
    Ok(format!(
        "{SCHEME}${PBKDF2_ITERATIONS}${}${}",
        hex(&salt),
        hex(&hash)
    ))
}

pub async fn verify_password(
    p: &Platform,
    password: &str,
    stored: &str,
) -> Result<bool, LumenError> {
    let mut parts = stored.split('$');
    let (Some(SCHEME), Some(iterations), Some(salt), Some(expected), None) = (
        parts.next(),
        parts.next().and_then(|i| i.parse::<u32>().ok()),
        parts.next().and_then(unhex),
        parts.next().and_then(unhex),
        parts.next(),
    ) else {
        return Ok(false);
    };
    let got = p
        .crypto
        .pbkdf2_sha256(password.as_bytes(), &salt, iterations)
        .await?;
    Ok(constant_time_eq(&got, &expected))
}

/// Spends the same time as a real check, so "no such user" answers as slowly as
/// "wrong password" and timing does not tell them apart.
pub async fn burn_password_check(p: &Platform, password: &str) -> Result<(), LumenError> {
    p.crypto
        .pbkdf2_sha256(password.as_bytes(), &[0; SALT_BYTES], PBKDF2_ITERATIONS)
        .await?;
    Ok(())
}

/// A fresh random token (hex), as session and device cookies carry.
pub fn new_token(p: &Platform) -> Result<String, LumenError> {
    Ok(hex(&p.crypto.random_bytes(TOKEN_BYTES)?))
}

/// Share-link tokens: 26 letters of a 32-letter alphabet (130 random bits), short
/// enough to paste into a message, URL-safe, and with no look-alike letters.
const LINK_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
pub const LINK_TOKEN_LEN: usize = 26;

pub fn new_link_token(p: &Platform) -> Result<String, LumenError> {
    Ok(p.crypto
        .random_bytes(LINK_TOKEN_LEN)?
        .iter()
        .map(|b| char::from(LINK_ALPHABET[usize::from(b & 31)]))
        .collect())
}

pub fn is_link_token(t: &str) -> bool {
    t.len() == LINK_TOKEN_LEN && t.bytes().all(|b| LINK_ALPHABET.contains(&b))
}

/// The cookie that unlocks one password-protected share link. Scoped by `Path` to that
/// link's URLs, so it travels only with the link's page and media and no other link
/// sees it; that rules out `__Host-` (which needs `Path=/`), so off localhost it takes
/// `__Secure-` (HTTPS only).
pub const LINK_COOKIE: &str = "lumen_link";

pub fn link_cookie_name(host: Option<&str>) -> String {
    if is_local(host) {
        LINK_COOKIE.to_string()
    } else {
        format!("__Secure-{LINK_COOKIE}")
    }
}

/// `Set-Cookie` for a link's unlock (`value`), valid under `path` for `max_age_secs`.
pub fn link_cookie(path: &str, value: &str, max_age_secs: i64, host: Option<&str>) -> String {
    let secure = if is_local(host) { "" } else { "; Secure" };
    format!(
        "{}={value}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}",
        link_cookie_name(host)
    )
}

/// Every value of cookie `name` in a `Cookie` header (paths can make a browser send more
/// than one).
pub fn cookie_values<'a>(header: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> {
    header.split(';').filter_map(move |pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_token(t: &str) -> bool {
    t.len() == TOKEN_BYTES * 2 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A new session for `user_id`: the token (for the cookie) and the row (for D1).
pub fn new_session(p: &Platform, user_id: &str) -> Result<(String, SessionRow), LumenError> {
    let token = new_token(p)?;
    let now = p.clock.now_ms();
    let row = SessionRow {
        token_hash: token_hash(&token),
        user_id: user_id.to_string(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + SESSION_IDLE_MS,
    };
    Ok((token, row))
}

/// What D1 stores for a token: a leaked table does not yield usable cookies.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The signed-in user of a request, with the session that proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: UserRow,
    pub token_hash: String,
    /// Set when this request slid the expiry: the cookie should be sent again.
    pub renewed_token: Option<String>,
}

/// Looks up the session a cookie header names; slides it when due.
pub async fn session_from_cookie(
    p: &Platform,
    cookie_header: Option<&str>,
    host: Option<&str>,
) -> Result<Option<Session>, LumenError> {
    let Some(token) = token_in(cookie_header, COOKIE, host) else {
        return Ok(None);
    };
    let hash = token_hash(token);
    let now = p.clock.now_ms();
    let Some((s, user)) = p.users.session(&hash, now).await? else {
        return Ok(None);
    };
    let renewed = if now - s.last_seen_at >= SLIDE_AFTER_MS {
        p.users
            .touch_session(&hash, now, now + SESSION_IDLE_MS)
            .await?;
        Some(token.to_string())
    } else {
        None
    };
    Ok(Some(Session {
        user,
        token_hash: hash,
        renewed_token: renewed,
    }))
}

/// The well-formed token in cookie `base` (by its name for `host`), if any.
pub fn token_in<'a>(
    cookie_header: Option<&'a str>,
    base: &str,
    host: Option<&str>,
) -> Option<&'a str> {
    cookie_header
        .and_then(|h| cookie_value(h, &cookie_name(base, host)))
        .filter(|t| is_token(t))
}

/// A cookie's name for `host`: off localhost with the `__Host-` prefix, so browsers take
/// it only from this exact host over HTTPS (`Secure`, `Path=/`, no `Domain`) and a
/// sibling subdomain cannot plant one. Only that name is read there.
pub fn cookie_name(base: &str, host: Option<&str>) -> String {
    if is_local(host) {
        base.to_string()
    } else {
        format!("__Host-{base}")
    }
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// `Set-Cookie` for a session token. `Secure` everywhere but plain-http localhost, where
/// browsers would drop it.
pub fn session_cookie(token: &str, host: Option<&str>) -> String {
    set_cookie(COOKIE, token, SESSION_IDLE_MS / 1000, host)
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(host: Option<&str>) -> String {
    set_cookie(COOKIE, "", 0, host)
}

/// `Set-Cookie` for this browser's device token.
pub fn device_cookie(token: &str, host: Option<&str>) -> String {
    set_cookie(DEVICE_COOKIE, token, DEVICE_MAX_AGE_SECS, host)
}

fn set_cookie(base: &str, value: &str, max_age_secs: i64, host: Option<&str>) -> String {
    let secure = if is_local(host) { "" } else { "; Secure" };
    format!(
        "{}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}",
        cookie_name(base, host)
    )
}

/// Plain-http localhost (development and tests), where browsers would drop a `Secure`
/// or `__Host-` cookie. No host at all happens only in native tests: a Worker's request
/// always has one.
pub fn is_local(host: Option<&str>) -> bool {
    host.map(|h| h.rsplit_once(':').map_or(h, |(n, _)| n))
        .is_none_or(|name| matches!(name, "localhost" | "127.0.0.1" | "[::1]"))
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, user_row};

    #[test]
    fn passwords_hash_with_a_salt_and_verify() {
        let (p, _) = fake_platform();
        let a = block_on(hash_password(&p, "correct horse")).unwrap();
        let b = block_on(hash_password(&p, "correct horse")).unwrap();
        assert_ne!(a, b, "per-user salt");
        assert!(a.starts_with("pbkdf2-sha256$100000$"), "{a}");
        assert!(block_on(verify_password(&p, "correct horse", &a)).unwrap());
        assert!(!block_on(verify_password(&p, "correct hors", &a)).unwrap());
        assert!(!block_on(verify_password(&p, "x", "md5$abc")).unwrap());
        assert!(!block_on(verify_password(&p, "x", "")).unwrap());
    }

    #[test]
    fn old_costs_still_verify() {
        let (p, _) = fake_platform();
        let salt = [7u8; 16];
        let h = crate::ssr::fakes::pbkdf2_sha256(b"pw", &salt, 1000);
        let stored = format!("pbkdf2-sha256$1000${}${}", hex(&salt), hex(&h));
        assert!(block_on(verify_password(&p, "pw", &stored)).unwrap());
    }

    #[test]
    fn sessions_expire_and_slide() {
        let (p, mem) = fake_platform();
        let u = user_row("u1", "ada");
        block_on(p.users.insert(&u)).unwrap();
        let (token, row) = new_session(&p, "u1").unwrap();
        assert_eq!(row.token_hash, token_hash(&token));
        assert_ne!(row.token_hash, token);
        block_on(p.users.create_session(&row)).unwrap();
        let cookie = format!("other=1; {COOKIE}={token}");

        let s = block_on(session_from_cookie(&p, Some(&cookie), None))
            .unwrap()
            .unwrap();
        assert_eq!(s.user.username, "ada");
        assert_eq!(s.renewed_token, None, "fresh: no write");

        mem.advance(SLIDE_AFTER_MS + 1);
        let s = block_on(session_from_cookie(&p, Some(&cookie), None))
            .unwrap()
            .unwrap();
        assert_eq!(s.renewed_token.as_deref(), Some(token.as_str()));

        // Used just before it would expire: slides again...
        mem.advance(SESSION_IDLE_MS - 1);
        assert!(block_on(session_from_cookie(&p, Some(&cookie), None))
            .unwrap()
            .is_some());
        // ...then idle for the whole window: gone.
        mem.advance(SESSION_IDLE_MS);
        assert_eq!(
            block_on(session_from_cookie(&p, Some(&cookie), None)).unwrap(),
            None
        );
    }

    #[test]
    fn junk_cookies_are_no_session() {
        let (p, _) = fake_platform();
        for c in [
            "",
            "lumen_session=",
            "lumen_session=zz",
            "lumen_session=../../etc",
        ] {
            assert_eq!(
                block_on(session_from_cookie(&p, Some(c), None)).unwrap(),
                None
            );
        }
    }

    #[test]
    fn cookie_attributes() {
        let c = session_cookie("t", Some("lumen.example"));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(!session_cookie("t", Some("localhost:8787")).contains("Secure"));
        assert!(!session_cookie("t", Some("127.0.0.1:9000")).contains("Secure"));
        assert!(clear_cookie(None).contains("Max-Age=0"));
    }

    #[test]
    fn host_prefix_off_localhost_only() {
        let c = session_cookie("t", Some("lumen.example"));
        assert!(c.starts_with("__Host-lumen_session=t; Path=/;"), "{c}");
        assert!(!c.contains("Domain"));
        let d = device_cookie("t", Some("lumen.example"));
        assert!(
            d.starts_with("__Host-lumen_device=t;") && d.contains("Secure"),
            "{d}"
        );
        assert!(session_cookie("t", Some("localhost:8787")).starts_with("lumen_session=t;"));
        // Off localhost only the prefixed cookie counts: a sibling subdomain can set a
        // plain `lumen_session` for this host, never a `__Host-` one.
        let token = "a".repeat(64);
        let planted = format!("lumen_session={token}");
        assert_eq!(
            token_in(Some(&planted), COOKIE, Some("lumen.example")),
            None
        );
        let real = format!("__Host-lumen_session={token}");
        assert_eq!(
            token_in(Some(&real), COOKIE, Some("lumen.example")),
            Some(token.as_str())
        );
        assert_eq!(
            token_in(Some(&planted), COOKIE, Some("localhost:8787")),
            Some(token.as_str())
        );
    }
}
