//! `LumenError`: the one error type that crosses the server-function wire.

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum LumenError {
    #[error("Please sign in first.")]
    Unauthenticated,
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    /// A request Lumen's own pages never make (a broken paging link): 400.
    #[error("{reason}")]
    BadRequest { reason: String },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("That file is too large.")]
    TooLarge,
    #[error("Too many requests; try again in {retry_after_secs} s.")]
    RateLimited { retry_after_secs: u32 },
    /// A per-user limit: storage (413) or uploads per hour (429, with a retry time).
    #[error("{reason}")]
    Quota {
        reason: String,
        retry_after_secs: Option<u32>,
    },
    #[error("That conflicts with something that already exists.")]
    Conflict,
    #[error("Lumen is briefly unavailable; please try again.")]
    Unavailable,
    #[error("Something went wrong on our side (ref {ref_id}).")]
    Internal { ref_id: String },
}

impl LumenError {
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    /// The sentence to show a person: for invalid input just the reason (the form
    /// shows which field).
    pub fn message(&self) -> String {
        match self {
            Self::Invalid { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }

    /// The HTTP status a page or route answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::BadRequest { .. } => 400,
            Self::Invalid { .. } => 422,
            Self::TooLarge => 413,
            Self::RateLimited { .. } => 429,
            Self::Quota {
                retry_after_secs: Some(_),
                ..
            } => 429,
            Self::Quota { .. } => 413,
            Self::Conflict => 409,
            Self::Unavailable => 503,
            Self::Internal { .. } => 500,
        }
    }
}

impl FromServerFnError for LumenError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Unavailable,
            ServerFnErrorErr::Args(reason) | ServerFnErrorErr::Deserialization(reason) => {
                Self::invalid("request", reason)
            }
            other => Self::Internal {
                ref_id: short_ref(&other.to_string()),
            },
        }
    }
}

/// A stable short reference for an internal failure, so logs can be matched
/// without sending the cause to the browser.
pub fn short_ref(seed: &str) -> String {
    // FNV-1a: tiny and deterministic; this is a log handle, not a secret.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let e = LumenError::RateLimited {
            retry_after_secs: 30,
        };
        let s = serde_json::to_string(&e).unwrap();
        assert_eq!(s, r#"{"error":"rate_limited","retry_after_secs":30}"#);
        assert_eq!(serde_json::from_str::<LumenError>(&s).unwrap(), e);
    }

    #[test]
    fn statuses_are_client_or_server_errors() {
        assert_eq!(LumenError::NotFound.status(), 404);
        assert_eq!(LumenError::invalid("file", "x").status(), 422);
        assert_eq!(LumenError::Unavailable.status(), 503);
    }
}
