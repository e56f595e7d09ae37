//! Headers every response gets, applied once in the fetch handler, so every route (pages,
//! server functions, media, uploads, and the ones still to come) has them: the security
//! headers, and a `Cache-Control` that follows who may see the response.

use app::http::{cache, content_security_policy};
use app::ssr::auth;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// What the request says about who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asker {
    /// It carries a session cookie: the answer may be about that person.
    pub personal: bool,
    /// Plain-http localhost (development, tests): no HSTS.
    pub local: bool,
}

impl Asker {
    pub fn of(h: &HeaderMap) -> Self {
        let get = |name| h.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
        let host = get(header::HOST);
        Self {
            personal: auth::token_in(get(header::COOKIE), auth::COOKIE, host).is_some(),
            local: auth::is_local(host),
        }
    }
}

/// Fills in what the handler did not set. A handler that knows who may see its answer
/// (media: it depends on the photo, not on who asks) sets its own `Cache-Control`;
/// everything else answering a signed-in person, and anything setting a cookie, is never
/// stored.
pub fn apply(h: &mut HeaderMap, asker: Asker) {
    default(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    default(h, header::REFERRER_POLICY, "same-origin");
    default(h, header::X_FRAME_OPTIONS, "DENY");
    if !asker.local {
        default(h, header::STRICT_TRANSPORT_SECURITY, "max-age=63072000");
    }
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html && !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        // Pages get theirs, with the hashes of their inline scripts, from `page::lean`;
        // any other HTML the same policy without any.
        if let Ok(v) = HeaderValue::from_str(&content_security_policy(None)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    let sets_cookie = h.contains_key(header::SET_COOKIE);
    if sets_cookie || !h.contains_key(header::CACHE_CONTROL) {
        let policy = if asker.personal || sets_cookie {
            cache::PERSONAL
        } else {
            cache::ANONYMOUS
        };
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    let shared = h
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    if !shared && !h.contains_key(header::VARY) {
        h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    }
}

/// A cookie's value from the request's `Cookie` header.
pub fn cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Sends the D1 bookmark back (`d1::session`): HttpOnly, this site only, a day at most.
/// Only a signed-in person's answers carry it, and those are never stored (`private, no-store`).
pub fn set_bookmark(h: &mut HeaderMap, bookmark: &str, asker: Asker) {
    let secure = if asker.local { "" } else { "; Secure" };
    let name = crate::d1::session::COOKIE;
    let v = format!("{name}={bookmark}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax{secure}");
    if let Ok(v) = HeaderValue::from_str(&v) {
        h.append(header::SET_COOKIE, v);
    }
}

fn default(h: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !h.contains_key(&name) {
        h.insert(name, HeaderValue::from_static(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(pairs: &[(HeaderName, &'static str)], asker: Asker) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_static(v));
        }
        apply(&mut h, asker);
        h
    }

    const ANON: Asker = Asker {
        personal: false,
        local: false,
    };
    const SIGNED_IN: Asker = Asker {
        personal: true,
        local: false,
    };

    fn cc(h: &HeaderMap) -> &str {
        h.get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[test]
    fn pages_for_signed_in_people_are_never_stored() {
        let page = [(header::CONTENT_TYPE, "text/html; charset=utf-8")];
        let h = answer(&page, SIGNED_IN);
        assert_eq!(cc(&h), "private, no-store");
        assert_eq!(h[header::VARY], "Cookie");
        let h = answer(&page, ANON);
        assert_eq!(cc(&h), "no-cache");
        assert!(h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::STRICT_TRANSPORT_SECURITY], "max-age=63072000");
        let local = answer(
            &page,
            Asker {
                personal: false,
                local: true,
            },
        );
        assert!(!local.contains_key(header::STRICT_TRANSPORT_SECURITY));
    }

    #[test]
    fn a_cookie_overrides_any_policy_and_media_keeps_its_own() {
        let h = answer(
            &[
                (header::CACHE_CONTROL, cache::PUBLIC_ORIGINAL),
                (header::SET_COOKIE, "a=b"),
            ],
            ANON,
        );
        assert_eq!(cc(&h), "private, no-store");
        // Public media is the same bytes whoever asks, signed in or not.
        let h = answer(&[(header::CACHE_CONTROL, cache::PUBLIC_MEDIA)], SIGNED_IN);
        assert_eq!(cc(&h), cache::PUBLIC_MEDIA);
        // Private media stays privately cacheable for the person who may see it.
        let h = answer(&[(header::CACHE_CONTROL, cache::PRIVATE_MEDIA)], SIGNED_IN);
        assert_eq!(cc(&h), cache::PRIVATE_MEDIA);
        // Public media to an anonymous reader: shared, the same for everyone.
        let h = answer(&[(header::CACHE_CONTROL, cache::PUBLIC_MEDIA)], ANON);
        assert_eq!(cc(&h), cache::PUBLIC_MEDIA);
        assert!(!h.contains_key(header::VARY));
    }
}
