//! The guard: called first by every server function, page and media route. It rejects
//! cross-site mutations and yields the signed-in user (or an error when one is needed).

use super::auth::{self, Session};
use super::platform::{Platform, Stage};
use crate::error::LumenError;

/// What a request needs to be let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Reading: anyone; the user, if signed in, decides what is visible.
    Read,
    /// A change by a signed-in user (from this site).
    Member,
    /// A change anyone may make, such as signing in (from this site).
    AnyoneChanging,
}

/// The request facts the guard looks at, taken from the HTTP headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHead {
    pub cookie: Option<String>,
    pub sec_fetch_site: Option<String>,
    pub origin: Option<String>,
    pub host: Option<String>,
    /// Cloudflare's `CF-Connecting-IP`; rate limits key on it (see `limits::sender_net`).
    pub client_ip: Option<String>,
    /// `http` or `https`, from the request URL (a Worker always has one).
    pub scheme: Option<String>,
}

impl RequestHead {
    pub fn from_request(uri: &axum::http::Uri, h: &axum::http::HeaderMap) -> Self {
        Self {
            scheme: uri.scheme_str().map(str::to_string),
            ..Self::from_headers(h)
        }
    }

    fn from_headers(h: &axum::http::HeaderMap) -> Self {
        let get = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Self {
            cookie: get("cookie"),
            sec_fetch_site: get("sec-fetch-site"),
            origin: get("origin"),
            host: get("host"),
            client_ip: get("cf-connecting-ip"),
            scheme: None,
        }
    }
}

/// The one guard. `Ok(None)` only for `Need::Read` and `Need::AnyoneChanging` without a session.
pub async fn check(
    p: &Platform,
    head: &RequestHead,
    need: Need,
) -> Result<Option<Session>, LumenError> {
    if need != Need::Read {
        same_origin(head)?;
    }
    let session =
        auth::session_from_cookie(p, head.cookie.as_deref(), head.host.as_deref()).await?;
    if need == Need::Member && session.is_none() {
        return Err(LumenError::Unauthenticated);
    }
    Ok(session)
}

/// Dev-only pages and routes (`/_design`, `/_dev/*`): plain not-found in production, so
/// production does not even reveal that they exist.
pub fn dev_tools(stage: Stage) -> Result<(), LumenError> {
    if stage.allows_dev_tools() {
        Ok(())
    } else {
        Err(LumenError::NotFound)
    }
}

/// Rejects cross-site mutations. Browsers send `Sec-Fetch-Site` on every request;
/// older ones at least send `Origin` on POST, which must then be this origin exactly:
/// scheme and host (`http://host` is another origin than `https://host`). Requests with
/// neither (curl, tests, the seed script) are not from a browser page and cannot ride a
/// user's cookies.
pub fn same_origin(head: &RequestHead) -> Result<(), LumenError> {
    if let Some(site) = head.sec_fetch_site.as_deref() {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(LumenError::Forbidden),
        };
    }
    let Some(origin) = head.origin.as_deref() else {
        return Ok(());
    };
    let Some((scheme, host)) = origin.split_once("://") else {
        return Err(LumenError::Forbidden);
    };
    let same_scheme = head
        .scheme
        .as_deref()
        .map_or(matches!(scheme, "http" | "https"), |s| s == scheme);
    if same_scheme && head.host.as_deref() == Some(host) {
        Ok(())
    } else {
        Err(LumenError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform, signed_in};

    #[test]
    fn members_need_a_session_and_changes_need_this_site() {
        let (p, _) = fake_platform();
        let anon = RequestHead::default();
        assert_eq!(block_on(check(&p, &anon, Need::Read)), Ok(None));
        assert_eq!(
            block_on(check(&p, &anon, Need::Member)),
            Err(LumenError::Unauthenticated)
        );
        let mut head = signed_in(&p, "u1", "ada");
        let s = block_on(check(&p, &head, Need::Member)).unwrap().unwrap();
        assert_eq!(s.user.id, "u1");
        head.sec_fetch_site = Some("cross-site".into());
        assert_eq!(
            block_on(check(&p, &head, Need::Member)),
            Err(LumenError::Forbidden)
        );
        assert_eq!(
            block_on(check(&p, &head, Need::AnyoneChanging)),
            Err(LumenError::Forbidden)
        );
        // Reading cross-site (a link from elsewhere) is fine.
        assert!(block_on(check(&p, &head, Need::Read)).unwrap().is_some());
    }

    #[test]
    fn dev_tools_only_off_production() {
        assert_eq!(dev_tools(Stage::parse("local")), Ok(()));
        assert_eq!(dev_tools(Stage::parse("preview")), Ok(()));
        assert_eq!(
            dev_tools(Stage::parse("production")),
            Err(LumenError::NotFound)
        );
        assert_eq!(dev_tools(Stage::parse("")), Err(LumenError::NotFound));
    }

    #[test]
    fn cross_site_is_refused() {
        let ok = |site: Option<&str>, origin: Option<&str>, scheme: Option<&str>| {
            same_origin(&RequestHead {
                sec_fetch_site: site.map(Into::into),
                origin: origin.map(Into::into),
                host: Some("lumen.test".into()),
                scheme: scheme.map(Into::into),
                ..Default::default()
            })
            .is_ok()
        };
        let https = Some("https");
        assert!(ok(Some("same-origin"), Some("http://evil.test"), https));
        assert!(!ok(Some("cross-site"), None, https));
        assert!(!ok(Some("same-site"), None, https));
        assert!(ok(None, Some("https://lumen.test"), https));
        assert!(
            !ok(None, Some("http://lumen.test"), https),
            "another scheme"
        );
        assert!(!ok(None, Some("https://lumen.test"), Some("http")));
        assert!(!ok(None, Some("https://lumen.test/x"), https));
        assert!(!ok(None, Some("https://evil.test"), https));
        assert!(!ok(None, Some("null"), https));
        assert!(ok(None, None, https));
        // A re-rendered page's request has no URL scheme: the host still decides.
        assert!(ok(None, Some("https://lumen.test"), None));
    }
}
