//! Request guards, called first by every mutation.

use super::platform::Stage;
use crate::error::LumenError;

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
/// older ones at least send `Origin` on POST. Requests with neither (curl, tests,
/// the seed script) are not from a browser page and cannot ride a user's cookies.
pub fn same_origin(
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
) -> Result<(), LumenError> {
    if let Some(site) = sec_fetch_site {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(LumenError::Forbidden),
        };
    }
    match (origin, host) {
        (None, _) => Ok(()),
        (Some(o), Some(h)) if origin_host(o) == Some(h) => Ok(()),
        _ => Err(LumenError::Forbidden),
    }
}

fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))?;
    Some(rest.split('/').next().unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let ok = |s, o, h| same_origin(s, o, h).is_ok();
        assert!(ok(
            Some("same-origin"),
            Some("http://evil.test"),
            Some("lumen.test")
        ));
        assert!(!ok(Some("cross-site"), None, Some("lumen.test")));
        assert!(!ok(Some("same-site"), None, Some("lumen.test")));
        assert!(ok(None, Some("https://lumen.test"), Some("lumen.test")));
        assert!(!ok(None, Some("https://evil.test"), Some("lumen.test")));
        assert!(!ok(None, Some("null"), Some("lumen.test")));
        assert!(ok(None, None, Some("lumen.test")));
    }
}
