//! Signing up and in, sessions, settings. Rate limits are fixed windows counted in D1
//! (the `rate_limits` table), so they hold across isolates and work in `wrangler dev`.

use crate::error::LumenError;
use crate::model::Visibility;
use crate::ssr::auth::{self, Session};
use crate::ssr::guard::RequestHead;
use crate::ssr::ports::{PortError, ProfileEdit, UserRow};
use crate::ssr::Platform;

/// (attempts, window) per sender IP and per account name.
pub const SIGN_IN_PER_IP: (u32, i64) = (30, 15 * 60 * 1000);
pub const SIGN_IN_PER_ACCOUNT: (u32, i64) = (10, 15 * 60 * 1000);
pub const SIGN_UP_PER_IP: (u32, i64) = (10, 60 * 60 * 1000);

pub const MIN_PASSWORD: usize = 10;
const MAX_PASSWORD: usize = 200;
const RESERVED: &[&str] = &[
    "admin", "api", "lumen", "me", "media", "new", "root", "settings", "signin", "signout",
    "signup", "support", "system", "upload",
];

/// A signed-in user's new session: the cookie value to send.
#[derive(Debug)]
pub struct SignedIn {
    pub user: UserRow,
    pub token: String,
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
    limit(p, &format!("signup-ip:{}", head.ip()), SIGN_UP_PER_IP).await?;
    let username = valid_username(&form.username)?;
    let email = valid_email(&form.email)?;
    valid_password("password", &form.password)?;
    let display_name = match form.display_name.trim() {
        "" => username.clone(),
        name => valid_display_name(name)?,
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
    };
    match p.users.insert(&user).await {
        Err(PortError::Conflict) => {
            return Err(LumenError::invalid(
                "username",
                "That username or email is already registered.",
            ))
        }
        other => other?,
    }
    start_session(p, user).await
}

pub async fn sign_in(
    p: &Platform,
    head: &RequestHead,
    login: &str,
    password: &str,
) -> Result<SignedIn, LumenError> {
    let login = login.trim().to_lowercase();
    limit(p, &format!("signin-ip:{}", head.ip()), SIGN_IN_PER_IP).await?;
    // One answer for "no such user" and "wrong password", in the same time.
    let wrong = || LumenError::invalid("login", "That username or password is not right.");
    if login.is_empty() || password.len() > MAX_PASSWORD {
        return Err(wrong());
    }
    let found = p.users.by_login(&login).await?;
    // Counted per account, whether the login is its username or its email (else guessing
    // could alternate the two for twice the attempts); unknown logins by what was typed.
    let account = found
        .as_ref()
        .map_or(login.as_str(), |u| u.username.as_str());
    limit(p, &format!("signin-account:{account}"), SIGN_IN_PER_ACCOUNT).await?;
    let Some(user) = found else {
        auth::burn_password_check(p, password).await?;
        return Err(wrong());
    };
    if !auth::verify_password(p, password, &user.password_hash).await? {
        return Err(wrong());
    }
    start_session(p, user).await
}

async fn start_session(p: &Platform, user: UserRow) -> Result<SignedIn, LumenError> {
    let (token, row) = auth::new_session(p, &user.id)?;
    p.users.create_session(&row).await?;
    Ok(SignedIn { user, token })
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
    Ok(p.users
        .update_profile(&s.user.id, &edit, p.clock.now_ms())
        .await?)
}

/// Needs the current password; ends the user's other sessions, since a password change
/// is what someone does when they fear another device has their account.
pub async fn change_password(
    p: &Platform,
    s: &Session,
    current: &str,
    new: &str,
) -> Result<(), LumenError> {
    limit(
        p,
        &format!("signin-account:{}", s.user.username),
        SIGN_IN_PER_ACCOUNT,
    )
    .await?;
    if !auth::verify_password(p, current, &s.user.password_hash).await? {
        return Err(LumenError::invalid(
            "current_password",
            "Your current password is not right.",
        ));
    }
    valid_password("new_password", new)?;
    let hash = auth::hash_password(p, new).await?;
    p.users
        .set_password(&s.user.id, &hash, p.clock.now_ms())
        .await?;
    sign_out_others(p, s).await?;
    Ok(())
}

/// Counts a hit in `bucket`'s current window; refuses beyond `max`.
pub async fn limit(
    p: &Platform,
    bucket: &str,
    (max, window_ms): (u32, i64),
) -> Result<(), LumenError> {
    let (start, retry_after_secs) = window(p, window_ms);
    if p.limits.hit(bucket, start, 1).await? > max {
        return Err(LumenError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// The fixed window (aligned to the epoch) that now falls in: its start in epoch ms, and
/// the whole seconds left until the next one.
pub fn window(p: &Platform, window_ms: i64) -> (i64, u32) {
    let now = p.clock.now_ms();
    let start = now - now.rem_euclid(window_ms);
    let left = u32::try_from((start + window_ms - now + 999) / 1000).unwrap_or(u32::MAX);
    (start, left)
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
    let name: String = raw.trim().chars().filter(|c| !c.is_control()).collect();
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
    fn sign_up_then_in_by_name_or_email() {
        let (p, mem) = fake_platform();
        let head = RequestHead::default();
        let new = block_on(sign_up(&p, &head, form(" Ada ", "ADA@Example.com"))).unwrap();
        assert_eq!(new.user.username, "ada");
        assert_eq!(new.user.email, "ada@example.com");
        assert_eq!(new.user.display_name, "ada");
        assert_eq!(mem.sessions.lock().unwrap().len(), 1);
        for login in ["ada", "ADA", "ada@example.com"] {
            let s = block_on(sign_in(&p, &head, login, "correct horse battery")).unwrap();
            assert_eq!(s.user.id, new.user.id);
            assert_ne!(s.token, new.token);
        }
        let dup = block_on(sign_up(&p, &head, form("ada", "other@example.com")));
        assert_eq!(dup.unwrap_err().status(), 422);
        let dup = block_on(sign_up(&p, &head, form("bob", "ada@example.com")));
        assert_eq!(dup.unwrap_err().status(), 422);
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
    fn sign_in_is_rate_limited_per_account_and_per_ip() {
        let (p, mem) = fake_platform();
        let head = RequestHead {
            client_ip: Some("10.0.0.1".into()),
            ..Default::default()
        };
        for _ in 0..SIGN_IN_PER_ACCOUNT.0 {
            let e = block_on(sign_in(&p, &head, "ada", "x")).unwrap_err();
            assert_eq!(e.status(), 422);
        }
        let e = block_on(sign_in(&p, &head, "ada", "x")).unwrap_err();
        assert!(
            matches!(e, LumenError::RateLimited { retry_after_secs } if retry_after_secs > 0 && retry_after_secs <= 900)
        );
        // Another account from the same IP is still allowed, until the IP's limit.
        assert_eq!(
            block_on(sign_in(&p, &head, "bob", "x"))
                .unwrap_err()
                .status(),
            422
        );
        // A new window resets.
        mem.advance(SIGN_IN_PER_ACCOUNT.1);
        assert_eq!(
            block_on(sign_in(&p, &head, "ada", "x"))
                .unwrap_err()
                .status(),
            422
        );
        for _ in 0..SIGN_IN_PER_IP.0 {
            let _ = block_on(sign_in(&p, &head, "carol", "x"));
        }
        let other_ip = RequestHead {
            client_ip: Some("10.0.0.2".into()),
            ..Default::default()
        };
        assert_eq!(
            block_on(sign_in(&p, &head, "dave", "x"))
                .unwrap_err()
                .status(),
            429
        );
        assert_eq!(
            block_on(sign_in(&p, &other_ip, "dave", "x"))
                .unwrap_err()
                .status(),
            422
        );
    }

    #[test]
    fn the_account_limit_counts_username_and_email_together() {
        let (p, _) = fake_platform();
        let head = RequestHead::default();
        let new = block_on(sign_up(&p, &head, form("ada", "ada@example.com"))).unwrap();
        for i in 0..SIGN_IN_PER_ACCOUNT.0 {
            let login = if i % 2 == 0 { "ada" } else { "ADA@example.com" };
            let e = block_on(sign_in(&p, &head, login, "wrong password!")).unwrap_err();
            assert_eq!(e.status(), 422, "attempt {i}");
        }
        for login in ["ada", "ada@example.com"] {
            let e = block_on(sign_in(&p, &head, login, "correct horse battery")).unwrap_err();
            assert_eq!(e.status(), 429, "{login}");
        }
        // Password changes (which check the password too) count in the same bucket.
        let cookie = format!("{}={}", auth::COOKIE, new.token);
        let s = block_on(auth::session_from_cookie(&p, Some(&cookie)))
            .unwrap()
            .unwrap();
        let e = block_on(change_password(
            &p,
            &s,
            "correct horse battery",
            "a new long password",
        ));
        assert_eq!(e.unwrap_err().status(), 429);
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
        let s = block_on(auth::session_from_cookie(&p, Some(&cookie)))
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
