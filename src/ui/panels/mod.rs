//! One panel per navigation tab.

pub mod browser_sign_in;
pub mod burst;
pub mod client_secret;
pub mod delegation;
pub mod demo;
pub mod exchange;
pub mod form_source;
pub mod history;
pub mod inspector;
pub mod issuer;
pub mod issuer_browser;
pub mod issuer_limits;
pub mod known_clients;
pub mod rate_limits;
pub mod request;
pub mod secrets;
pub mod tenant_editor;
pub mod timeline;
pub mod timeout;
pub mod workspace_import;

use crate::core::workspace::Workspace;

/// What every panel may read (and the workspace, which panels edit), handed over once per frame instead of
/// a growing parameter list.
pub struct PanelContext<'a> {
    /// The clock's current time (simulated in tests and demos).
    pub now: i64,
    /// The local time zone for displayed times.
    pub zone: &'a jiff::tz::TimeZone,
    /// Environments, saved forms, local tenant.
    pub workspace: &'a mut Workspace,
    /// tokenbench's keyring item names.
    pub keyring_names: &'a [String],
    /// True when the keyring is unavailable and secrets live in memory until the window closes.
    pub memory_only: bool,
    /// The local issuer's base URL while it runs.
    pub local_issuer: Option<&'a str>,
    /// The running local tenant's applications, as (client ID, name).
    pub local_clients: &'a [(String, String)],
}
