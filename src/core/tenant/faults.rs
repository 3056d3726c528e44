//! Fault injection, a tenant setting (`settings.faults`): per endpoint, added latency and one way to fail
//! (a forced 429/500/503, a truncated body, a dropped connection), so a client's retry and error handling
//! can be tried offline. Off by default. Pure: the issuer service applies them. Every answer a fault forced
//! (status or truncated body) carries `X-Tokenbench-Fault: injected`, which the client forms read to say so.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Faults per endpoint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// `POST /delegation`.
    pub delegation: Fault,
    /// `POST /oauth/token`.
    pub token: Fault,
    /// Discovery and JWKS (`/.well-known/*`).
    pub discovery: Fault,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

/// An endpoint that can be given faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultEndpoint {
    /// `/delegation`.
    Delegation,
    /// `/oauth/token`.
    Token,
    /// Discovery and JWKS.
    Discovery,
}

impl FaultEndpoint {
    /// Every endpoint, in the order the window lists them.
    pub const ALL: [Self; 3] = [Self::Delegation, Self::Token, Self::Discovery];

    /// The key under `settings.faults`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Delegation => "delegation",
            Self::Token => "token",
            Self::Discovery => "discovery",
        }
    }

    /// For display.
    pub fn name(self) -> &'static str {
        match self {
            Self::Delegation => "/delegation",
            Self::Token => "/oauth/token",
            Self::Discovery => "Discovery and JWKS",
        }
    }
}

impl Faults {
    /// The faults of one endpoint.
    pub fn of(&self, endpoint: FaultEndpoint) -> &Fault {
        match endpoint {
            FaultEndpoint::Delegation => &self.delegation,
            FaultEndpoint::Token => &self.token,
            FaultEndpoint::Discovery => &self.discovery,
        }
    }

    /// The faults of one endpoint, to change.
    pub fn of_mut(&mut self, endpoint: FaultEndpoint) -> &mut Fault {
        match endpoint {
            FaultEndpoint::Delegation => &mut self.delegation,
            FaultEndpoint::Token => &mut self.token,
            FaultEndpoint::Discovery => &mut self.discovery,
        }
    }
}

/// One endpoint's faults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Fault {
    /// Milliseconds added before answering.
    pub latency_ms: u64,
    /// How the answer fails, if it does.
    pub failure: Failure,
    /// The `Retry-After` seconds sent with a forced 429.
    pub retry_after: u32,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for Fault {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            failure: Failure::None,
            retry_after: 5,
            unknown: Map::new(),
        }
    }
}

/// Longest latency a fault may add: beyond it the issuer's 10-second request timeout answers first.
pub const MAX_LATENCY_MS: u64 = 30_000;

impl Fault {
    /// Whether it changes anything.
    pub fn is_active(&self) -> bool {
        self.latency_ms > 0 || self.failure != Failure::None
    }

    /// `latency 200 ms, 503`, for the request log; `None` when inactive.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.latency_ms > 0 {
            parts.push(format!("latency {} ms", self.latency_ms.min(MAX_LATENCY_MS)));
        }
        if self.failure != Failure::None {
            parts.push(match self.failure {
                Failure::TooManyRequests => format!("429 retry-after {}", self.retry_after),
                other => other.label().to_owned(),
            });
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// How a faulty answer fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// Answers normally.
    #[default]
    None,
    /// 429 `too_many_requests` with `Retry-After`.
    TooManyRequests,
    /// 500 `server_error`.
    ServerError,
    /// 503 `temporarily_unavailable`.
    Unavailable,
    /// 200 with the JSON body cut in half.
    MalformedBody,
    /// The connection closes without an answer.
    DropConnection,
}

impl Failure {
    /// Every failure, in the order the window offers them.
    pub const ALL: [Self; 6] = [
        Self::None,
        Self::TooManyRequests,
        Self::ServerError,
        Self::Unavailable,
        Self::MalformedBody,
        Self::DropConnection,
    ];

    /// For display and the log.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::TooManyRequests => "429 too many requests",
            Self::ServerError => "500 server error",
            Self::Unavailable => "503 unavailable",
            Self::MalformedBody => "malformed body",
            Self::DropConnection => "dropped connection",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_off_by_default_and_read_from_snake_case_json() {
        assert!(FaultEndpoint::ALL.iter().all(|e| !Faults::default().of(*e).is_active()));
        let faults: Faults =
            serde_json::from_str(r#"{"token":{"latency_ms":200,"failure":"too_many_requests","retry_after":7}}"#)
                .unwrap_or_default();
        assert_eq!(
            faults.token.describe().as_deref(),
            Some("latency 200 ms, 429 retry-after 7")
        );
    }
}
