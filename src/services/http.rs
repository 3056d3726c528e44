//! HTTP: fetching a JWKS from a URL, or discovering it from an issuer's OpenID configuration.

use serde_json::Value;
use std::time::Duration;

/// Largest JWKS or discovery document accepted; real ones are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long a key fetch may take before it is abandoned.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// Why keys could not be fetched; each message says what to try.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL is not an http(s) URL.
    #[error("\"{0}\" is not an http(s) URL: enter something like https://TENANT.auth0.com/.well-known/jwks.json")]
    BadUrl(String),
    /// The HTTP client could not be built (usually missing CA certificates).
    #[error("the HTTP client could not start ({0}); install the ca-certificates package")]
    Client(String),
    /// Connection, TLS or timeout failure.
    #[error("could not reach {url}: {reason}. Check the address and your network or proxy")]
    Network {
        /// The URL requested.
        url: String,
        /// What failed.
        reason: String,
    },
    /// A non-success status.
    #[error("{url} answered HTTP {status}: check the tenant domain")]
    Status {
        /// The URL requested.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The body is not what was expected.
    #[error("{url} did not return {expected}: check that the URL is the JWKS (or the issuer, for discovery)")]
    Body {
        /// The URL requested.
        url: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// Builds the HTTP client used for key fetches.
pub fn client() -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .user_agent(concat!("tokenbench/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| FetchError::Client(e.to_string()))
}

/// Fetches a JWKS document and returns its text (checked to hold a `keys` array).
pub async fn fetch_jwks(client: &reqwest::Client, url: &str) -> Result<String, FetchError> {
    let body = get_json(client, url).await?;
    if body.get("keys").and_then(Value::as_array).is_none() {
        return Err(FetchError::Body {
            url: url.to_owned(),
            expected: "a JWKS (a JSON object with a \"keys\" array)",
        });
    }
    Ok(body.to_string())
}

/// Discovers the JWKS from an issuer: returns the `jwks_uri` and the JWKS text.
pub async fn discover_jwks(client: &reqwest::Client, issuer: &str) -> Result<(String, String), FetchError> {
    let url = crate::core::oidc::discovery_url(issuer);
    let config = get_json(client, &url).await?;
    let Some(jwks_uri) = config.get("jwks_uri").and_then(Value::as_str) else {
        return Err(FetchError::Body {
            url,
            expected: "an OpenID configuration with a \"jwks_uri\"",
        });
    };
    let jwks = fetch_jwks(client, jwks_uri).await?;
    Ok((jwks_uri.to_owned(), jwks))
}

async fn get_json(client: &reqwest::Client, url: &str) -> Result<Value, FetchError> {
    let parsed = url::Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_owned()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::BadUrl(url.to_owned()));
    }
    let network = |e: reqwest::Error| FetchError::Network {
        url: url.to_owned(),
        reason: if e.is_timeout() {
            "timed out".to_owned()
        } else {
            e.to_string()
        },
    };
    let response = client.get(parsed).send().await.map_err(network)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status: status.as_u16(),
        });
    }
    let mut response = response;
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_BODY_BYTES {
            return Err(FetchError::Body {
                url: url.to_owned(),
                expected: "a document under 1 MiB",
            });
        }
    }
    serde_json::from_slice(&bytes).map_err(|_| FetchError::Body {
        url: url.to_owned(),
        expected: "JSON",
    })
}
