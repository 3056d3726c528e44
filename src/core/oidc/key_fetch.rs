//! Fetching verification keys as a pure step machine: (discovery document → `jwks_uri` →) JWKS → keys. It
//! says which request to send next and takes each answer; the caller sends it (the CLI with async fetches,
//! the window through its HTTP commands). Every address must be trusted (https, or http on loopback), a
//! discovery document must name exactly the issuer the user gave (OpenID Connect Discovery §4.3), and a
//! cancelled request ends the fetch with the typed [`KeyFetchError::Cancelled`], never a message to compare.

use super::{discovery_url, jwks_text, jwks_uri};
use crate::core::escape;
use crate::core::http::{HttpAnswer, HttpError, HttpRequest, trusted_url};
use serde_json::Value;

/// Keys fetched from a trusted address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedJwks {
    /// The address that answered, after redirects.
    pub final_url: String,
    /// The JWKS text.
    pub jwks: String,
}

/// Why keys could not be fetched; each message says what to try.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFetchError {
    /// No answer (timeout, connection, TLS, redirect refused…).
    #[error(transparent)]
    Http(HttpError),
    /// The user cancelled the fetch.
    #[error("the key fetch was cancelled")]
    Cancelled,
    /// An answer that is not 2xx.
    #[error("{url} answered HTTP {status}: check the address (for Auth0: https://TENANT/)")]
    Status {
        /// The address that answered.
        url: String,
        /// The status code.
        status: u16,
    },
    /// A body that is not the expected document, or an address that is not trusted.
    #[error("{0}")]
    Document(String),
    /// A discovery document that names another issuer than the one the user gave: its keys are another
    /// issuer's. The document's value is shown escaped: it is untrusted text.
    #[error(
        "{url} says its issuer is \"{found}\" but the issuer given is \"{expected}\": OpenID Connect Discovery \
         requires them to be identical, so these keys are not used. Check the issuer address (Auth0: \
         https://TENANT/ with the trailing slash)",
        found = escape::terminal(.found),
        expected = escape::terminal(.expected)
    )]
    IssuerMismatch {
        /// The address of the discovery document.
        url: String,
        /// The issuer the user gave.
        expected: String,
        /// The document's `issuer`.
        found: String,
    },
}

impl From<HttpError> for KeyFetchError {
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::Cancelled => Self::Cancelled,
            other => Self::Http(other),
        }
    }
}

/// Which document the fetch waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The issuer's OpenID configuration, for its `jwks_uri`.
    Discovery,
    /// The JWKS itself.
    Jwks,
}

/// A fetch waiting for the answer to [`KeyFetch::request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFetch {
    stage: Stage,
    url: String,
    /// For discovery: the issuer the document must name.
    issuer: Option<String>,
}

/// What an answer leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Send the next request ([`KeyFetch::request`] of the machine given).
    Next(KeyFetch),
    /// The keys arrived.
    Keys(FetchedJwks),
}

impl KeyFetch {
    /// Fetches a JWKS from `url` directly.
    pub fn jwks(url: &str) -> Result<Self, KeyFetchError> {
        Self::at(Stage::Jwks, url)
    }

    /// Discovers the JWKS of an issuer the user named: its discovery document first, then the `jwks_uri`.
    pub fn discover(issuer: &str) -> Result<Self, KeyFetchError> {
        let mut fetch = Self::at(Stage::Discovery, &discovery_url(issuer))?;
        fetch.issuer = Some(expected_issuer(issuer));
        Ok(fetch)
    }

    fn at(stage: Stage, url: &str) -> Result<Self, KeyFetchError> {
        let url = trusted_url(url).map_err(KeyFetchError::Document)?;
        Ok(Self {
            stage,
            url: url.to_string(),
            issuer: None,
        })
    }

    /// The document the fetch waits for.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The request to send now.
    pub fn request(&self) -> HttpRequest {
        HttpRequest::get_document(&self.url)
    }

    /// Takes the answer to [`Self::request`] (or why there is none): the next step, the keys, or why not.
    pub fn answer(self, result: Result<HttpAnswer, HttpError>) -> Result<Progress, KeyFetchError> {
        let answer = result?;
        if !answer.is_success() {
            return Err(KeyFetchError::Status {
                url: answer.final_url,
                status: answer.status,
            });
        }
        match self.stage {
            Stage::Discovery => {
                let uri = jwks_uri(&answer.body, &answer.final_url).map_err(KeyFetchError::Document)?;
                if let Some(expected) = &self.issuer {
                    check_issuer(&answer.body, expected, &answer.final_url)?;
                }
                Self::jwks(&uri).map(Progress::Next)
            }
            Stage::Jwks => {
                let jwks = jwks_text(&answer.body, &answer.final_url).map_err(KeyFetchError::Document)?;
                Ok(Progress::Keys(FetchedJwks {
                    final_url: answer.final_url,
                    jwks,
                }))
            }
        }
    }
}

/// The issuer a discovery document must name: what the user typed, without surrounding blanks.
fn expected_issuer(typed: &str) -> String {
    typed.trim().to_owned()
}

/// Whether a document's `issuer` is the one the user gave. Exactly, as OpenID Connect Discovery §4.3 asks,
/// with one allowance: Auth0 writes issuers as `https://TENANT/` and users often leave the slash out, so a
/// typed issuer without a trailing slash also matches the same text with one. Issuers without a slash (most
/// other providers) still match only exactly.
fn issuer_matches(found: &str, typed: &str) -> bool {
    found == typed || (!typed.ends_with('/') && found.strip_suffix('/') == Some(typed))
}

/// OpenID Connect Discovery §4.3: the document's `issuer` must be exactly the issuer it was fetched for.
fn check_issuer(body: &[u8], expected: &str, from: &str) -> Result<(), KeyFetchError> {
    let config: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    match config.get("issuer").and_then(Value::as_str) {
        Some(found) if issuer_matches(found, expected) => Ok(()),
        Some(found) => Err(KeyFetchError::IssuerMismatch {
            url: from.to_owned(),
            expected: expected.to_owned(),
            found: found.to_owned(),
        }),
        None => Err(KeyFetchError::Document(format!(
            "{from} names no issuer (no \"issuer\" text): an OpenID configuration must say which issuer it \
             belongs to, so these keys are not used. Check the issuer address"
        ))),
    }
}

#[cfg(test)]
mod tests;
