//! The current request, as server functions and pages see it: its head, the guard's
//! answer, and the cookies to send back.

use axum::http::{header, request::Parts, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::auth::{self, Session};
use super::guard::{self, Need, RequestHead};
use super::service::accounts::SignedIn;
use super::{platform, Platform};
use crate::error::LumenError;

pub fn head() -> RequestHead {
    use_context::<Parts>()
        .map(|p| RequestHead::from_request(&p.uri, &p.headers))
        .unwrap_or_default()
}

/// This site's origin as the request reached it (`https://host`), for the absolute URLs
/// link previews need. A re-rendered page's request has no scheme: `http` only on
/// localhost, as everywhere else Lumen is served over HTTPS.
pub fn origin(head: &RequestHead) -> String {
    let host = head.host.as_deref().unwrap_or("localhost");
    let scheme = head
        .scheme
        .as_deref()
        .unwrap_or(if auth::is_local(Some(host)) {
            "http"
        } else {
            "https"
        });
    format!("{scheme}://{host}")
}

/// Whether the request carries no session token at all: a visitor, known without reading
/// the session. (A token that turns out stale is found by the guard, as before.)
pub fn visitor() -> bool {
    let head = head();
    auth::token_in(head.cookie.as_deref(), auth::COOKIE, head.host.as_deref()).is_none()
}

/// Context every page and server function gets, besides what leptos_axum provides: given
/// to routed pages by the Worker's router and to pages rendered data first by
/// `render::page`.
pub fn provide_page_context() {
    use leptos::prelude::provide_context;
    // A refused form post re-renders its page with the refusal (see the Worker's forms).
    if let Some(f) = use_context::<Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<crate::components::form::FormFeedback>()
            .cloned()
    }) {
        provide_context(f);
    }
    provide_context(crate::http::HttpStatus(std::sync::Arc::new(|code| {
        if let (Some(res), Ok(code)) = (
            use_context::<ResponseOptions>(),
            axum::http::StatusCode::from_u16(code),
        ) {
            res.set_status(code);
        }
    })));
}

/// Sets a response header (pages that know who may keep them, e.g. share links).
pub fn set_header(name: header::HeaderName, value: &'static str) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.insert_header(name, HeaderValue::from_static(value));
    }
}

/// The request's session, read once and shared by everyone rendering the request (the page
/// and the nav): the Worker puts one in the request's extensions. A second asker waits for
/// the first read instead of reading again.
#[derive(Clone, Default)]
pub struct SessionOnce(std::sync::Arc<futures::lock::Mutex<Option<Option<Session>>>>);

impl SessionOnce {
    /// The guard's answer for this request, reading the session only the first time.
    pub async fn check(
        &self,
        p: &Platform,
        head: &RequestHead,
        need: Need,
    ) -> Result<Option<Session>, LumenError> {
        if need != Need::Read {
            guard::same_origin(head)?;
        }
        let mut slot = self.0.lock().await;
        let session = match &*slot {
            Some(known) => known.clone(),
            None => {
                let read = guard::check(p, head, Need::Read).await?;
                *slot = Some(read.clone());
                read
            }
        };
        if need == Need::Member && session.is_none() {
            return Err(LumenError::Unauthenticated);
        }
        Ok(session)
    }
}

/// The guard, for server functions and pages: the first call in each.
pub async fn guard(need: Need) -> Result<(Platform, Option<Session>), LumenError> {
    let p = platform()?;
    let head = head();
    let once =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<SessionOnce>().cloned());
    let session = match once {
        Some(once) => once.check(&p, &head, need).await?,
        None => guard::check(&p, &head, need).await?,
    };
    if session.is_some() {
        // Rendered for this person: never into the shared cache.
        super::cache::personal();
    }
    if let Some(token) = session.as_ref().and_then(|s| s.renewed_token.as_deref()) {
        set_cookie(&auth::session_cookie(token, head.host.as_deref()));
    }
    Ok((p, session))
}

/// The guard for changes only a signed-in user may make.
pub async fn member() -> Result<(Platform, Session), LumenError> {
    match guard(Need::Member).await? {
        (p, Some(s)) => Ok((p, s)),
        (_, None) => Err(LumenError::Unauthenticated),
    }
}

/// The cookies of a new session: the session, and the device token if it is new.
pub fn set_sign_in_cookies(head: &RequestHead, new: &SignedIn) {
    let host = head.host.as_deref();
    set_cookie(&auth::session_cookie(&new.token, host));
    if let Some(device) = &new.new_device {
        set_cookie(&auth::device_cookie(device, host));
    }
}

pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(header::SET_COOKIE, v);
    }
}

/// Where a finished form goes next (a plain form post follows it as a 302).
pub fn redirect(to: &str) {
    leptos_axum::redirect(to);
}

/// Only local paths, so `?next=` cannot send people to another site; and only plain
/// printable ASCII, which is always a valid `Location` header (leptos_axum's redirect
/// would panic on anything else).
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.len() <= 512
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    /// Only a request with no session token is a visitor; a token, even a stale one, goes to
    /// the guard. The nav renders a visitor's bar at once, and asks the guard otherwise.
    #[test]
    fn a_visitor_carries_no_session_token() {
        use crate::components::nav::Nav;
        use axum::http::{header, Request};
        use leptos::prelude::*;
        let token = "ab".repeat(32);
        for (cookie, visitor) in [
            (None, true),
            (Some("theme=dark".to_string()), true),
            (Some("lumen_session=not-a-token".to_string()), true),
            (Some(format!("lumen_session={token}")), false),
            (Some(format!("a=b; lumen_session={token}")), false),
        ] {
            let mut req = Request::builder()
                .uri("/")
                .header(header::HOST, "localhost");
            if let Some(c) = &cookie {
                req = req.header(header::COOKIE, c);
            }
            let Ok(req) = req.body(()) else {
                panic!("request for {cookie:?}");
            };
            let owner = Owner::new();
            owner.with(|| {
                provide_context(req.into_parts().0);
                assert_eq!(super::visitor(), visitor, "{cookie:?}");
                if visitor {
                    // Rendered at once, with no resource to wait for.
                    let html = view! { <Nav /> }.to_html();
                    assert!(html.contains(r#"href="/signin""#), "{html}");
                }
            });
        }
    }

    #[test]
    fn next_stays_on_this_site() {
        use super::local_path;
        assert_eq!(local_path(Some("/settings")), "/settings");
        for bad in [
            None,
            Some("https://evil.test"),
            Some("//evil.test"),
            Some("/\\evil.test"),
            Some("/a\nLocation: x"),
            Some("/caf\u{e9}"),
            Some("/a b"),
            Some(""),
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn the_session_is_read_once_per_request_and_changes_still_need_this_site(
    ) -> Result<(), crate::error::LumenError> {
        use super::{guard::Need, SessionOnce};
        use crate::error::LumenError;
        use crate::ssr::fakes::{block_on, fake_platform, signed_in};
        let (p, mem) = fake_platform();
        let head = signed_in(&p, "u1", "ana");
        let once = SessionOnce::default();
        let first = block_on(once.check(&p, &head, Need::Read))?;
        assert_eq!(first.as_ref().map(|s| s.user.id.as_str()), Some("u1"));
        // The nav's ask, after the session row is gone: answered from the first read.
        if let Ok(mut sessions) = mem.sessions.lock() {
            sessions.clear();
        }
        assert_eq!(block_on(once.check(&p, &head, Need::Member))?, first);
        let cross = super::guard::RequestHead {
            sec_fetch_site: Some("cross-site".into()),
            ..head
        };
        assert_eq!(
            block_on(once.check(&p, &cross, Need::Member)),
            Err(LumenError::Forbidden)
        );
        let nobody = SessionOnce::default();
        let anon = super::guard::RequestHead::default();
        assert_eq!(
            block_on(nobody.check(&p, &anon, Need::Member)),
            Err(LumenError::Unauthenticated)
        );
        assert_eq!(block_on(nobody.check(&p, &anon, Need::Read))?, None);
        Ok(())
    }
}
