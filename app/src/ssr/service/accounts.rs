//! Signing up and in, sessions, settings.
//!
//! Sign-in limits count failures only, and in buckets that never hand a stranger a
//! lockout of someone else: per network, per (login, network) pair, and per login across
//! all networks for browsers the account has not signed in from before. A browser that
//! has (its `lumen_device` cookie is known for the account) counts only its own failures,
//! so strangers' guessing never blocks its owner's correct password. A signed-in owner's
//! password change counts per session. Buckets are keyed by the login as typed, never by
//! the account it resolves to, so a 429 says nothing about which logins exist.

use crate::error::LumenError;
use crate::model::Visibility;
use crate::ssr::auth::{self, Session};
use crate::ssr::guard::RequestHead;
use crate::ssr::limits::{self, Limit};
use crate::ssr::ports::{PortError, ProfileEdit, UserRow};
use crate::ssr::service::cache;
use crate::ssr::Platform;

/// Failed sign-ins from one network (an IPv4 address or an IPv6 /64).
pub const SIGN_IN_FAILURES_PER_NET: Limit = Limit::per_minutes(30, 15);
/// Failed sign-ins for one login from one network.
pub const SIGN_IN_FAILURES_PER_LOGIN_AND_NET: Limit = Limit::per_minutes(10, 15);
/// Failed sign-ins for one login from everywhere, for browsers it has not signed in
/// from: the cap on slow guessing spread over many networks.
pub const SIGN_IN_FAILURES_PER_LOGIN: Limit = Limit::per_minutes(100, 60);
/// Failed sign-ins from a browser the account knows, for that account.
pub const SIGN_IN_FAILURES_PER_DEVICE: Limit = Limit::per_minutes(10, 15);
/// Wrong current passwords in one session's password changes.
pub const PASSWORD_FAILURES_PER_SESSION: Limit = Limit::per_minutes(10, 15);
/// Sign-ups from one network (successful ones: that is what it limits).
pub const SIGN_UPS_PER_NET: Limit = Limit::per_minutes(10, 60);

pub const MIN_PASSWORD: usize = 10;
const MAX_PASSWORD: usize = 200;
const RESERVED: &[&str] = &[
    "admin", "api", "lumen", "me", "media", "new", "root", "settings", "signin", "signout",
    "signup", "support", "system", "upload",
];

/// A signed-in user's new session: the cookies to send.
#[derive(Debug)]
pub struct SignedIn {
    pub user: UserRow,
    pub token: String,
    /// This browser's device token, when it had none (send it as a cookie).
    pub new_device: Option<String>,
}

pub struct SignUp {
    pub username: String,
    pub email: String,
    pub password: String,
    pub display_name: String,
}

pub async fn sign_up(
    p: &Platform,
    head: &RequestHead,
    form: SignUp,
) -> Result<SignedIn, LumenError> {
    let net = limits::sender_net(head.client_ip.as_deref());
    if let Err(over) = limits::reserve(p, &format!("signup-net:{net}"), SIGN_UPS_PER_NET, 1).await?
    {
        return Err(over.into());
    }
    let username = valid_username(&form.username)?;
    let email = valid_email(&form.email)?;
    valid_password("password", &form.password)?;
    let display_name = if crate::text::is_blank(&form.display_name) {
        username.clone()
    } else {
        valid_display_name(&form.display_name)?
    };
    let now = p.clock.now_ms();
    let user = UserRow {
        id: p.ids.new_id()?,
        username,
        email,
        display_name,
        password_hash: auth::hash_password(p, &form.password).await?,
        default_visibility: Visibility::Public,
        watermark: false,
        created_at: now,
        suspended: false,
    };
    // Only the username can conflict: emails are not unique, so this never says
    // whether an address has an account.
    match p.users.insert(&user).await {
        Err(PortError::Conflict) => {
            return Err(LumenError::invalid("username", "That username is taken."))
        }
        other => other?,
    }
    start_session(p, head, user).await
}

pub async fn sign_in(
    p: &Platform,
    head: &RequestHead,
    login: &str,
    password: &str,
) -> Result<SignedIn, LumenError> {
    let login = login.trim().to_lowercase();
    // One answer for "no such user" and "wrong password", in the same time.
    let wrong = || LumenError::invalid("login", "That username or password is not right.");
    if login.contains('@') {
        return Err(LumenError::invalid(
            "login",
            "Sign in with your username; email addresses do not sign in.",
        ));
    }
    if login.is_empty() || login.len() > 64 || password.len() > MAX_PASSWORD {
        return Err(wrong());
    }
    let found = p.users.by_username(&login).await?;
    let device = auth::token_in(
        head.cookie.as_deref(),
        auth::DEVICE_COOKIE,
        head.host.as_deref(),
    )
    .map(auth::token_hash);
    // Looked up even for unknown logins, so both take the same reads.
    let known = match &device {
        Some(d) => {
            let id = found.as_ref().map_or("", |u| u.id.as_str());
            p.users.knows_device(id, d).await?
        }
        None => false,
    };
    let buckets = match (&device, known) {
        (Some(d), true) => vec![(
            format!("signin-device:{login}:{d}"),
            SIGN_IN_FAILURES_PER_DEVICE,
        )],
        _ => {
            let net = limits::sender_net(head.client_ip.as_deref());
            vec![
                (format!("signin-net:{net}"), SIGN_IN_FAILURES_PER_NET),
                (
                    format!("signin-login-net:{login}:{net}"),
                    SIGN_IN_FAILURES_PER_LOGIN_AND_NET,
                ),
                (format!("signin-login:{login}"), SIGN_IN_FAILURES_PER_LOGIN),
            ]
        }
    };
    // Reserved before the check (concurrent guesses cannot slip past the limit), given
    // back when the password is right (successes never count).
    let taken = limits::reserve_all(p, &buckets).await?;
    let Some(user) = found else {
        auth::burn_password_check(p, password).await?;
        return Err(wrong());
    };
    if !auth::verify_password(p, password, &user.password_hash).await? {
        return Err(wrong());
    }
    limits::release_all(p, taken).await?;
    // Told only to someone who knows the password.
    if p.admin.is_suspended(&user.id).await? {
        return Err(LumenError::invalid(
            "login",
            "This account is suspended. Ask the site's admin.",
        ));
    }
    start_session(p, head, user).await
}

/// A session for `user`, and this browser remembered as one they signed in from.
async fn start_session(
    p: &Platform,
    head: &RequestHead,
    user: UserRow,
) -> Result<SignedIn, LumenError> {
    let (token, row) = auth::new_session(p, &user.id)?;
    let (device, new_device) = match auth::token_in(
        head.cookie.as_deref(),
        auth::DEVICE_COOKIE,
        head.host.as_deref(),
    ) {
        Some(d) => (d.to_string(), None),
        None => {
            let d = auth::new_token(p)?;
            (d.clone(), Some(d))
        }
    };
    p.users
        .remember_device(&user.id, &auth::token_hash(&device), p.clock.now_ms())
        .await?;
    p.users.create_session(&row).await?;
    Ok(SignedIn {
        user,
        token,
        new_device,
    })
}

pub async fn sign_out(p: &Platform, s: &Session) -> Result<(), LumenError> {
    Ok(p.users.delete_session(&s.token_hash).await?)
}

/// Ends every session of the user but this one; returns how many ended.
pub async fn sign_out_others(p: &Platform, s: &Session) -> Result<u32, LumenError> {
    Ok(p.users
        .delete_other_sessions(&s.user.id, &s.token_hash)
        .await?)
}

pub async fn update_settings(
    p: &Platform,
    s: &Session,
    display_name: &str,
    default_visibility: &str,
    watermark: bool,
) -> Result<(), LumenError> {
    let edit = ProfileEdit {
        display_name: valid_display_name(display_name)?,
        default_visibility: Visibility::parse(default_visibility).ok_or_else(|| {
            LumenError::invalid("default_visibility", "Choose public, unlisted or private.")
        })?,
        watermark,
    };
    p.users
        .update_profile(&s.user.id, &edit, p.clock.now_ms())
        .await?;
    // Their name is on their page, their photos' and albums' pages.
    cache::user_changed(p, &s.user.id).await;
    Ok(())
}

/// The signed-in person's password, typed again before something that cannot be undone.
/// Wrong ones count per session, never in the sign-in buckets strangers can fill.
pub async fn confirm_password(
    p: &Platform,
    s: &Session,
    field: &str,
    password: &str,
) -> Result<(), LumenError> {
    let bucket = format!("password-session:{}", s.token_hash);
    let taken = match limits::reserve(p, &bucket, PASSWORD_FAILURES_PER_SESSION, 1).await? {
        Ok(taken) => taken,
        Err(over) => return Err(over.into()),
    };
    if password.len() > MAX_PASSWORD
        || !auth::verify_password(p, password, &s.user.password_hash).await?
    {
        return Err(LumenError::invalid(
            field,
            "Your current password is not right.",
        ));
    }
    limits::release(p, taken).await?;
    Ok(())
}

/// Needs the current password; ends the user's other sessions, since a password change
/// is what someone does when they fear another device has their account. Wrong current
/// passwords count per session, never in the sign-in buckets strangers can fill.
pub async fn change_password(
    p: &Platform,
    s: &Session,
    current: &str,
    new: &str,
) -> Result<(), LumenError> {
    confirm_password(p, s, "current_password", current).await?;
    valid_password("new_password", new)?;
    let hash = auth::hash_password(p, new).await?;
    p.users
        .set_password(&s.user.id, &hash, p.clock.now_ms())
        .await?;
    sign_out_others(p, s).await?;
    Ok(())
}

pub fn valid_username(raw: &str) -> Result<String, LumenError> {
    let u = raw.trim().to_lowercase();
    let ok_chars = u
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !(3..=30).contains(&u.len()) || !ok_chars {
        return Err(LumenError::invalid(
            "username",
            "Usernames are 3–30 letters, digits, - or _.",
        ));
    }
    if RESERVED.contains(&u.as_str()) {
        return Err(LumenError::invalid(
            "username",
            "That username is reserved; please pick another.",
        ));
    }
    Ok(u)
}

pub fn valid_email(raw: &str) -> Result<String, LumenError> {
    let e = raw.trim().to_lowercase();
    let shape = e.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
    });
    if !shape || e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(LumenError::invalid(
            "email",
            "Enter an email address like name@example.com.",
        ));
    }
    Ok(e)
}

fn valid_password(field: &str, pw: &str) -> Result<(), LumenError> {
    let n = pw.chars().count();
    if n < MIN_PASSWORD || pw.len() > MAX_PASSWORD {
        return Err(LumenError::invalid(
            field,
            format!("Passwords are {MIN_PASSWORD} to {MAX_PASSWORD} characters."),
        ));
    }
    Ok(())
}

pub fn valid_display_name(raw: &str) -> Result<String, LumenError> {
    let name = crate::text::clean(raw, false);
    if name.is_empty() || name.chars().count() > 60 {
        return Err(LumenError::invalid(
            "display_name",
            "Display names are 1–60 characters.",
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform};

    fn form(username: &str, email: &str) -> SignUp {
        SignUp {
            username: username.into(),
            email: email.into(),
            password: "correct horse battery".into(),
            display_name: String::new(),
        }
    }

    #[test]
    fn sign_up_then_in_by_username() {
        let (p, mem) = fake_platform();
        let head = RequestHead::default();
        let new = block_on(sign_up(&p, &head, form(" Ada ", "ADA@Example.com"))).unwrap();
        assert_eq!(new.user.username, "ada");
        assert_eq!(new.user.email, "ada@example.com");
        assert_eq!(new.user.display_name, "ada");
        assert!(
            new.new_device.is_some(),
            "a browser without a device cookie gets one"
        );
        assert_eq!(mem.sessions.lock().unwrap().len(), 1);
        for login in ["ada", " ADA "] {
            let s = block_on(sign_in(&p, &head, login, "correct horse battery")).unwrap();
            assert_eq!(s.user.id, new.user.id);
            assert_ne!(s.token, new.token);
        }
        let e = block_on(sign_in(
            &p,
            &head,
            "ada@example.com",
            "correct horse battery",
        ));
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("Sign in with your username"));
        let dup = block_on(sign_up(&p, &head, form("ada", "other@example.com"))).unwrap_err();
        assert!(
            dup.to_string().ends_with("That username is taken."),
            "{dup}"
        );
    }

    /// Sign-up must not say whether an email has an account: a taken address signs up
    /// like any other, and both accounts work.
    #[test]
    fn sign_up_is_no_email_oracle() {
        let (p, _) = fake_platform();
        let head = RequestHead::default();
        let ada = block_on(sign_up(&p, &head, form("ada", "ada@example.com"))).unwrap();
        let eve = block_on(sign_up(&p, &head, form("eve", "ADA@example.com"))).unwrap();
        assert_ne!(ada.user.id, eve.user.id);
        for login in ["ada", "eve"] {
            assert!(block_on(sign_in(&p, &head, login, "correct horse battery")).is_ok());
        }
    }

    fn from(ip: &str) -> RequestHead {
        RequestHead {
            client_ip: Some(ip.into()),
            ..Default::default()
        }
    }

    fn with_device(mut head: RequestHead, token: &str) -> RequestHead {
        head.cookie = Some(format!("{}={token}", auth::DEVICE_COOKIE));
        head
    }

    fn status(r: Result<SignedIn, LumenError>) -> u16 {
        r.map_or_else(|e| e.status(), |_| 200)
    }

    const PW: &str = "correct horse battery";

    #[test]
    fn strangers_cannot_lock_the_owner_out() {
        let (p, mem) = fake_platform();
        let home = from("198.51.100.7");
        let ada = block_on(sign_up(&p, &home, form("ada", "ada@example.com"))).unwrap();
        let laptop = ada.new_device.clone().unwrap();
        // One attacker: ten wrong guesses, then 429 for that login from that network...
        let attacker = from("203.0.113.5");
        for _ in 0..SIGN_IN_FAILURES_PER_LOGIN_AND_NET.max {
            assert_eq!(
                status(block_on(sign_in(&p, &attacker, "ada", "guess guess"))),
                422
            );
        }
        assert_eq!(status(block_on(sign_in(&p, &attacker, "ada", PW))), 429);
        // ...while Ada, anywhere else, even on a new browser, signs in.
        assert_eq!(
            status(block_on(sign_in(&p, &from("192.0.2.1"), "ada", PW))),
            200
        );
        // Many attackers together fill the login's bucket for unknown browsers...
        for i in 0..10 {
            let net = from(&format!("203.0.113.{}", 10 + i));
            for _ in 0..SIGN_IN_FAILURES_PER_LOGIN.max / 10 {
                let _ = block_on(sign_in(&p, &net, "ada", "guess guess"));
            }
        }
        assert_eq!(
            status(block_on(sign_in(&p, &from("192.0.2.2"), "ada", PW))),
            429
        );
        // ...but Ada's laptop, which signed in before, is not blocked by any of it, not
        // even from an attacker's network.
        let s = block_on(sign_in(
            &p,
            &with_device(attacker.clone(), &laptop),
            "ada",
            PW,
        ));
        assert_eq!(status(s), 200);
        // Its own wrong guesses are limited all the same.
        let guessing_laptop = with_device(home.clone(), &laptop);
        for _ in 0..SIGN_IN_FAILURES_PER_DEVICE.max {
            assert_eq!(
                status(block_on(sign_in(&p, &guessing_laptop, "ada", "nope nope"))),
                422
            );
        }
        assert_eq!(
            status(block_on(sign_in(&p, &guessing_laptop, "ada", PW))),
            429
        );
        // A made-up device cookie is just an unknown browser.
        let forged = with_device(from("192.0.2.3"), &"f".repeat(64));
        assert_eq!(status(block_on(sign_in(&p, &forged, "ada", PW))), 429);
        // The windows pass.
        mem.advance(SIGN_IN_FAILURES_PER_LOGIN.window_ms);
        assert_eq!(status(block_on(sign_in(&p, &attacker, "ada", PW))), 200);
    }

    #[test]
    fn only_failures_count() {
        let (p, _) = fake_platform();
        let office = from("198.51.100.7");
        block_on(sign_up(&p, &office, form("ada", "ada@example.com"))).unwrap();
        // A household or office behind one address signs in all day.
        for _ in 0..SIGN_IN_FAILURES_PER_NET.max * 2 {
            assert_eq!(status(block_on(sign_in(&p, &office, "ada", PW))), 200);
        }
    }

    #[test]
    fn per_network_limits_key_ipv6_on_the_64() {
        let (p, _) = fake_platform();
        for i in 0..SIGN_IN_FAILURES_PER_NET.max {
            let head = from(&format!("2001:db8:1:2::{i:x}"));
            let login = format!("user{i}");
            assert_eq!(
                status(block_on(sign_in(&p, &head, &login, "guess guess"))),
                422
            );
        }
        let same_64 = from("2001:db8:1:2:ffff::1");
        assert_eq!(
            status(block_on(sign_in(&p, &same_64, "zed", "guess guess"))),
            429
        );
        let other_64 = from("2001:db8:1:3::1");
        assert_eq!(
            status(block_on(sign_in(&p, &other_64, "zed", "guess guess"))),
            422
        );
    }

    /// A 429 is about the login as typed: exhausting one login says nothing about any
    /// other, whether or not they name the same account.
    #[test]
    fn limits_follow_the_login_typed() {
        let (p, _) = fake_platform();
        let head = from("203.0.113.5");
        block_on(sign_up(&p, &head, form("ada", "ada@example.com"))).unwrap();
        for _ in 0..SIGN_IN_FAILURES_PER_LOGIN_AND_NET.max {
            let _ = block_on(sign_in(&p, &head, "nobody", "guess guess"));
        }
        assert_eq!(
            status(block_on(sign_in(&p, &head, "nobody", "guess guess"))),
            429
        );
        assert_eq!(
            status(block_on(sign_in(&p, &head, "ada", "guess guess"))),
            422
        );
        assert_eq!(
            status(block_on(sign_in(&p, &head, "ada@example.com", "x"))),
            422
        );
    }

    #[test]
    fn password_changes_count_per_session_only() {
        let (p, _) = fake_platform();
        let head = from("198.51.100.7");
        let ada = block_on(sign_up(&p, &head, form("ada", "ada@example.com"))).unwrap();
        // Strangers fill every sign-in bucket of the login...
        for i in 0..SIGN_IN_FAILURES_PER_LOGIN.max {
            let net = from(&format!("203.0.113.{}", i % 50));
            let _ = block_on(sign_in(&p, &net, "ada", "guess guess"));
        }
        // ...and the signed-in owner still changes her password.
        let cookie = format!("{}={}", auth::COOKIE, ada.token);
        let s = block_on(auth::session_from_cookie(&p, Some(&cookie), None))
            .unwrap()
            .unwrap();
        let changed = block_on(change_password(&p, &s, PW, "a new long password"));
        assert_eq!(changed, Ok(()));
        // Guessing the current password in a session is limited in that session.
        for _ in 0..PASSWORD_FAILURES_PER_SESSION.max {
            let e = block_on(change_password(&p, &s, "guess guess", "another password!"));
            assert_eq!(e.unwrap_err().status(), 422);
        }
        let e = block_on(change_password(
            &p,
            &s,
            "a new long password",
            "another one!!",
        ));
        assert_eq!(e.unwrap_err().status(), 429);
    }

    #[test]
    fn no_such_user_and_wrong_password_answer_alike() {
        let (p, _) = fake_platform();
        let head = RequestHead::default();
        block_on(sign_up(&p, &head, form("ada", "ada@example.com"))).unwrap();
        let a = block_on(sign_in(&p, &head, "ada", "wrong password!")).err();
        let b = block_on(sign_in(&p, &head, "nobody", "wrong password!")).err();
        assert!(a.is_some());
        assert_eq!(a, b);
    }

    #[test]
    fn no_randomness_fails_closed() {
        use std::sync::atomic::Ordering;
        let (p, mem) = fake_platform();
        let head = RequestHead::default();
        block_on(sign_up(&p, &head, form("ada", "ada@example.com"))).unwrap();
        let sessions = mem.sessions.lock().unwrap().len();
        mem.no_randomness.store(true, Ordering::SeqCst);
        let e = block_on(sign_in(&p, &head, "ada", "correct horse battery")).unwrap_err();
        assert_eq!(e.status(), 500, "no session with a predictable token");
        let e = block_on(sign_up(&p, &head, form("bob", "bob@example.com"))).unwrap_err();
        assert_eq!(e.status(), 500);
        assert_eq!(
            mem.users.lock().unwrap().len(),
            1,
            "no user with a zero salt"
        );
        assert_eq!(mem.sessions.lock().unwrap().len(), sessions);
    }

    #[test]
    fn validation() {
        for bad in ["ab", "a b", "ädam", "admin", &"x".repeat(31), "a/b"] {
            assert!(valid_username(bad).is_err(), "{bad}");
        }
        assert_eq!(valid_username("Mr_Pix-2").unwrap(), "mr_pix-2");
        for bad in ["", "a@b", "@b.c", "a b@c.d", "a@.c"] {
            assert!(valid_email(bad).is_err(), "{bad}");
        }
        assert!(valid_display_name(&"x".repeat(61)).is_err());
        assert_eq!(valid_display_name(" A\u{7}da ").unwrap(), "Ada");
        let (p, _) = fake_platform();
        let mut f = form("ada", "ada@example.com");
        f.password = "short".into();
        let e = block_on(sign_up(&p, &RequestHead::default(), f)).unwrap_err();
        assert!(e.to_string().contains("Passwords are 10"), "{e}");
    }

    #[test]
    fn password_change_needs_the_old_one_and_ends_other_sessions() {
        let (p, mem) = fake_platform();
        let head = RequestHead::default();
        let first = block_on(sign_up(&p, &head, form("ada", "ada@example.com"))).unwrap();
        block_on(sign_in(&p, &head, "ada", "correct horse battery")).unwrap();
        let cookie = format!("{}={}", auth::COOKIE, first.token);
        let s = block_on(auth::session_from_cookie(&p, Some(&cookie), None))
            .unwrap()
            .unwrap();
        let e = block_on(change_password(&p, &s, "nope", "a new long password"));
        assert_eq!(e.unwrap_err().status(), 422);
        block_on(change_password(
            &p,
            &s,
            "correct horse battery",
            "a new long password",
        ))
        .unwrap();
        assert_eq!(mem.sessions.lock().unwrap().len(), 1, "only this one left");
        assert!(block_on(sign_in(&p, &head, "ada", "correct horse battery")).is_err());
        assert!(block_on(sign_in(&p, &head, "ada", "a new long password")).is_ok());
    }
}
