//! Rate limits counted in fixed windows (the `rate_limits` table through the
//! `RateLimiter` port), so they hold across isolates and work the same in `wrangler dev`.
//! A count is reserved before the work it guards, atomically, and given back when that
//! work turns out not to count (a correct password, a refused file): concurrent requests
//! can never overshoot, and only what should count does.

use std::net::IpAddr;

use crate::error::LumenError;
use crate::ssr::Platform;

/// At most `max` in any fixed window of `window_ms` (aligned to the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window_ms: i64,
}

impl Limit {
    pub const fn per_minutes(max: u32, minutes: i64) -> Self {
        Self {
            max,
            window_ms: minutes * 60 * 1000,
        }
    }
}

/// The fixed window that now falls in: its start in epoch ms, and the whole seconds left
/// until the next one.
pub fn window(p: &Platform, window_ms: i64) -> (i64, u32) {
    let now = p.clock.now_ms();
    let start = now - now.rem_euclid(window_ms);
    let left = u32::try_from((start + window_ms - now + 999) / 1000).unwrap_or(u32::MAX);
    (start, left)
}

/// Counts taken from a bucket's window; `release` gives them back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a reservation is kept or released on purpose"]
pub struct Reserved {
    bucket: String,
    window_start: i64,
    n: u32,
}

/// What a refused reservation says: how many the window already holds, and when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Over {
    pub used: u32,
    pub retry_after_secs: u32,
}

impl From<Over> for LumenError {
    fn from(o: Over) -> Self {
        LumenError::RateLimited {
            retry_after_secs: o.retry_after_secs,
        }
    }
}

/// Takes `n` from `bucket`'s current window, or refuses (taking nothing) when that would
/// pass `limit.max`. `Err` is the storage's failure; `Ok(Err(over))` the refusal.
pub async fn reserve(
    p: &Platform,
    bucket: &str,
    limit: Limit,
    n: u32,
) -> Result<Result<Reserved, Over>, LumenError> {
    let (start, retry_after_secs) = window(p, limit.window_ms);
    let now = p.limits.hit(bucket, start, n).await?;
    let taken = Reserved {
        bucket: bucket.to_string(),
        window_start: start,
        n,
    };
    if now > limit.max {
        release(p, taken).await?;
        return Ok(Err(Over {
            used: now.saturating_sub(n),
            retry_after_secs,
        }));
    }
    Ok(Ok(taken))
}

/// Reserves one in every bucket, all or none: the first refusal gives back what was taken
/// and answers 429 with the longest wait.
pub async fn reserve_all(
    p: &Platform,
    buckets: &[(String, Limit)],
) -> Result<Vec<Reserved>, LumenError> {
    let mut taken = Vec::with_capacity(buckets.len());
    for (bucket, limit) in buckets {
        match reserve(p, bucket, *limit, 1).await? {
            Ok(r) => taken.push(r),
            Err(over) => {
                release_all(p, taken).await?;
                return Err(over.into());
            }
        }
    }
    Ok(taken)
}

pub async fn release(p: &Platform, r: Reserved) -> Result<(), LumenError> {
    Ok(p.limits.release(&r.bucket, r.window_start, r.n).await?)
}

pub async fn release_all(p: &Platform, taken: Vec<Reserved>) -> Result<(), LumenError> {
    for r in taken {
        release(p, r).await?;
    }
    Ok(())
}

/// The sender a per-network limit counts: an IPv4 address, or an IPv6 address's /64
/// (one subscriber's allocation, which hands out 2^64 addresses to walk through).
/// Anything unparsable is its own bucket, as typed; no address at all (no Cloudflare
/// edge in front, e.g. local tests) is `local`.
pub fn sender_net(client_ip: Option<&str>) -> String {
    let Some(raw) = client_ip.map(str::trim) else {
        return "local".into();
    };
    match raw.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => raw.chars().take(64).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::{block_on, fake_platform};

    #[test]
    fn ipv6_counts_per_64() {
        assert_eq!(sender_net(Some("203.0.113.9")), "203.0.113.9");
        assert_eq!(
            sender_net(Some("2001:db8:1:2:aaaa::1")),
            sender_net(Some("2001:0db8:0001:0002:ffff:1:2:3"))
        );
        assert_eq!(sender_net(Some("2001:db8:1:2::9")), "2001:db8:1:2::/64");
        assert_ne!(
            sender_net(Some("2001:db8:1:2::1")),
            sender_net(Some("2001:db8:1:3::1"))
        );
        assert_eq!(sender_net(Some("::ffff:198.51.100.7")), "198.51.100.7");
        assert_eq!(sender_net(None), "local");
    }

    #[test]
    fn reservations_never_overshoot_and_come_back() {
        let (p, _) = fake_platform();
        let limit = Limit::per_minutes(5, 60);
        let a = block_on(reserve(&p, "b", limit, 3)).unwrap().unwrap();
        let over = block_on(reserve(&p, "b", limit, 3)).unwrap().unwrap_err();
        assert_eq!(over.used, 3, "the refused three were not kept");
        let b = block_on(reserve(&p, "b", limit, 2)).unwrap().unwrap();
        assert!(block_on(reserve(&p, "b", limit, 1)).unwrap().is_err());
        block_on(release(&p, a)).unwrap();
        let _c = block_on(reserve(&p, "b", limit, 3)).unwrap().unwrap();
        block_on(release(&p, b)).unwrap();
        assert!(block_on(reserve(&p, "b", limit, 2)).unwrap().is_ok());
    }

    #[test]
    fn all_or_none() {
        let (p, _) = fake_platform();
        let one = Limit::per_minutes(1, 15);
        let ten = Limit::per_minutes(10, 15);
        let _ = block_on(reserve(&p, "full", one, 1)).unwrap().unwrap();
        let buckets = [("open".to_string(), ten), ("full".to_string(), one)];
        let e = block_on(reserve_all(&p, &buckets)).unwrap_err();
        assert!(matches!(e, LumenError::RateLimited { retry_after_secs } if retry_after_secs > 0));
        // `open` got its count back: ten more still fit.
        for _ in 0..10 {
            let _ = block_on(reserve(&p, "open", ten, 1)).unwrap().unwrap();
        }
    }
}
