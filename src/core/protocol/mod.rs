//! The Auth0 protocol names both sides share: the client forms (`core::auth0`) and the simulated server
//! (`core::issuer`) import them from here, so neither has to import the other and a name is written once.

pub mod api_type;
pub mod grant;
pub mod header;
pub mod subject;

pub use api_type::{API_TYPES, ApiType};
pub use subject::SubjectTokenType;

/// The local issuer's default port: `tokenbench serve` and the window's issuer listen here.
pub const DEFAULT_ISSUER_PORT: u16 = 4000;

/// The local issuer's base URL on [`DEFAULT_ISSUER_PORT`] (what `--env local` means).
pub const LOCAL_ISSUER_URL: &str = "http://127.0.0.1:4000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_issuer_url_uses_the_default_port() {
        assert_eq!(LOCAL_ISSUER_URL, format!("http://127.0.0.1:{DEFAULT_ISSUER_PORT}"));
    }
}
