//! D1 read replication: each request reads through one D1 session (README, "Edge cache").
//! Anonymous requests may start on any replica (`first-unconstrained`); a signed-in person
//! starts from their last bookmark (cookie `lumen_d1`), else from the primary, so they read
//! their own writes (a just-uploaded photo is on their profile at once).
//!
//! The pinned `worker` crate's `D1DatabaseSession` has `prepare` and `batch` but is a type of
//! its own; the JS session object has the same `prepare`/`batch` as a database, so it is
//! handed to the adapters as a `D1Database` and every adapter reads through it unchanged.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use worker::{D1Database, Env};

use crate::bindings;

/// The bookmark cookie: not secret (a position in D1's log), read only for signed-in people.
pub const COOKIE: &str = "lumen_d1";

pub struct Session {
    js: JsValue,
    sessions: bool,
}

impl Session {
    /// A session anchored at `bookmark` (or the primary) when `personal`, else at any replica.
    /// Without session support (or with a bookmark D1 refuses), the plain database.
    pub fn open(env: &Env, personal: bool, bookmark: Option<&str>) -> worker::Result<Self> {
        let db = env.d1(bindings::DB)?;
        let plain: JsValue = db.into();
        let anchor = match (personal, bookmark.filter(|b| valid(b))) {
            (true, Some(b)) => b,
            (true, None) => "first-primary",
            (false, _) => "first-unconstrained",
        };
        let opened = Reflect::get(&plain, &JsValue::from_str("withSession"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call1(&plain, &JsValue::from_str(anchor)).ok())
            .filter(|s| !s.is_undefined());
        Ok(match opened {
            Some(js) => Self { js, sessions: true },
            None => Self {
                js: plain,
                sessions: false,
            },
        })
    }

    /// The session, as the adapters take a database.
    pub fn database(&self) -> D1Database {
        self.js.clone().unchecked_into()
    }

    /// Where this request left D1, for the next request of the same person.
    pub fn bookmark(&self) -> Option<String> {
        if !self.sessions {
            return None;
        }
        let get = Reflect::get(&self.js, &JsValue::from_str("getBookmark")).ok()?;
        let b = get
            .dyn_into::<Function>()
            .ok()?
            .call0(&self.js)
            .ok()?
            .as_string()?;
        valid(&b).then_some(b)
    }
}

/// What a bookmark looks like (hex and dashes); anything else in the cookie is ignored.
pub fn valid(b: &str) -> bool {
    !b.is_empty()
        && b.len() <= 200
        && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        && !b.starts_with("first-")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_bookmark_shaped_cookies_anchor_a_session() {
        assert!(super::valid("0000000b-00000003-00004f8e-4b4e3e2cf4a0b3d1"));
        for bad in [
            "",
            "first-primary",
            "a;b",
            "a b",
            &"a".repeat(201),
            "x\u{e9}",
        ] {
            assert!(!super::valid(bad), "{bad}");
        }
    }
}
