//! What the window remembers between runs: theme, tab, window size, leeway, request timeout. Nothing secret.

use serde::{Deserialize, Serialize};

/// The left navigation's entries, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    /// Legacy /delegation.
    Delegation,
    /// Native-social token exchange.
    TokenExchange,
    /// The embedded issuer.
    LocalIssuer,
    /// Decode, explain, verify.
    #[default]
    Inspector,
    /// X-RateLimit gauges and timeline.
    RateLimits,
    /// Keyring items.
    Secrets,
    /// Past requests.
    History,
    /// Browser HAR captures read for support.
    Captures,
}

impl Tab {
    /// Every tab, in navigation order.
    pub const ALL: [Tab; 8] = [
        Tab::Delegation,
        Tab::TokenExchange,
        Tab::LocalIssuer,
        Tab::Inspector,
        Tab::RateLimits,
        Tab::Secrets,
        Tab::History,
        Tab::Captures,
    ];

    /// The navigation label.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Delegation => "Delegation",
            Tab::TokenExchange => "Token exchange",
            Tab::LocalIssuer => "Local issuer",
            Tab::Inspector => "Inspector",
            Tab::RateLimits => "Rate limits",
            Tab::Secrets => "Secrets",
            Tab::History => "History",
            Tab::Captures => "Captures",
        }
    }
}

/// The local issuer's default port (the same as `tokenbench serve`).
use crate::core::protocol::DEFAULT_ISSUER_PORT;

/// Light, dark, or whatever the system uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    /// Follow the system.
    #[default]
    System,
    /// Always dark.
    Dark,
    /// Always light.
    Light,
}

/// Persisted window settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// File format version.
    pub version: u64,
    /// The theme.
    pub theme: ThemeChoice,
    /// The selected tab.
    pub tab: Tab,
    /// Inner window size in points.
    pub window_size: Option<[f32; 2]>,
    /// Clock-skew leeway for the inspector, in seconds.
    pub leeway_seconds: i64,
    /// Start the local issuer with the window.
    pub issuer_autostart: bool,
    /// The local issuer's port, stable so apps can be pointed at it (another is used when it is taken).
    pub issuer_port: u16,
    /// A tenant file for the local issuer; `None` serves the demo tenant.
    pub issuer_tenant_file: Option<std::path::PathBuf>,
    /// Keep each request's token in a keyring item named by its history entry (never in the history file).
    pub keep_history_tokens: bool,
    /// How long a form request may take, in seconds (1 to 600).
    pub request_timeout_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: crate::services::storage::FORMAT_VERSION,
            theme: ThemeChoice::System,
            tab: Tab::Inspector,
            window_size: None,
            leeway_seconds: crate::core::jwt::verify::DEFAULT_LEEWAY_SECONDS,
            issuer_autostart: true,
            issuer_port: DEFAULT_ISSUER_PORT,
            issuer_tenant_file: None,
            keep_history_tokens: false,
            request_timeout_seconds: crate::core::http::DEFAULT_TIMEOUT.as_secs(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_from_an_older_file_get_the_default_request_timeout() {
        let old: Settings = serde_json::from_str(r#"{"version":1,"leeway_seconds":5}"#).unwrap();
        assert_eq!((old.request_timeout_seconds, old.leeway_seconds), (30, 5));
    }
}
