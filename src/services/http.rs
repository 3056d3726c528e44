//! HTTP: sends one [`HttpRequest`] on a shared client and answers with every status, header and body (also
//! for error statuses), or a typed [`HttpError`]. Key fetches (JWKS, discovery) drive the core's [`KeyFetch`]
//! steps on it. A request to an environment whose user turned TLS verification off goes on a second client
//! that accepts any certificate; no other request ever does.

use crate::core::http::{HttpAnswer, HttpError, HttpRequest, MAX_REDIRECTS, Redirects, same_origin_redirect};
use crate::core::oidc::key_fetch::{KeyFetch, Progress};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use url::Url;

pub use crate::core::oidc::key_fetch::{FetchedJwks, KeyFetchError as FetchError};

/// Builds the client. Redirects are followed by [`send`] itself, per request, so one client serves every
/// request however it treats redirects.
pub fn client() -> Result<reqwest::Client, HttpError> {
    builder().build().map_err(|e| HttpError::Client(e.to_string()))
}

/// Builds the client for requests the user chose to send without certificate checks.
fn insecure_client() -> Result<reqwest::Client, HttpError> {
    builder()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .map_err(|e| HttpError::Client(e.to_string()))
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("tokenbench/", env!("CARGO_PKG_VERSION")))
}

/// The two shared clients, each built on first use (building loads the root certificates).
#[derive(Default)]
pub struct Clients {
    verified: OnceLock<Result<reqwest::Client, HttpError>>,
    unverified: OnceLock<Result<reqwest::Client, HttpError>>,
}

impl Clients {
    /// The client for this request: the one that checks certificates unless the request says not to.
    pub fn for_request(&self, request: &HttpRequest) -> Result<&reqwest::Client, HttpError> {
        let built = if request.verify_tls {
            self.verified.get_or_init(client)
        } else {
            self.unverified.get_or_init(insecure_client)
        };
        built.as_ref().map_err(Clone::clone)
    }
}

/// Sends a request and reads the whole answer (bounded by `request.max_body`) within `request.timeout`.
pub async fn send(client: &reqwest::Client, request: &HttpRequest) -> Result<HttpAnswer, HttpError> {
    let started = Instant::now();
    match tokio::time::timeout(request.timeout, send_following(client, request, started)).await {
        Ok(result) => result,
        Err(_) => Err(HttpError::Timeout {
            url: request.url.clone(),
            after: request.timeout,
        }),
    }
}

async fn send_following(
    client: &reqwest::Client,
    request: &HttpRequest,
    started: Instant,
) -> Result<HttpAnswer, HttpError> {
    let mut url = Url::parse(&request.url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| HttpError::Url(format!("\"{}\" is not an http(s) URL", request.url)))?;
    for _ in 0..=MAX_REDIRECTS {
        let response = send_once(client, request, &url).await?;
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok());
        match (request.redirects, location) {
            (Redirects::SameOrigin, Some(location)) if response.status().is_redirection() => {
                url = same_origin_redirect(&url, location)?;
            }
            _ => return read_answer(response, request, &url, started).await,
        }
    }
    Err(HttpError::Redirect(format!(
        "{} redirected more than {MAX_REDIRECTS} times: use the final address directly",
        request.url
    )))
}

async fn send_once(client: &reqwest::Client, request: &HttpRequest, url: &Url) -> Result<reqwest::Response, HttpError> {
    let method = match request.method {
        crate::core::http::Method::Get => reqwest::Method::GET,
        crate::core::http::Method::Post => reqwest::Method::POST,
    };
    let mut builder = client.request(method, url.clone());
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    builder.send().await.map_err(|e| transport_error(url.as_str(), &e))
}

async fn read_answer(
    mut response: reqwest::Response,
    request: &HttpRequest,
    url: &Url,
    started: Instant,
) -> Result<HttpAnswer, HttpError> {
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(url.as_str(), &e))? {
        if body.len() + chunk.len() > request.max_body {
            return Err(HttpError::TooLarge {
                url: url.to_string(),
                limit: request.max_body,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpAnswer {
        status,
        headers,
        body,
        final_url: url.to_string(),
        elapsed: started.elapsed(),
    })
}

/// Tells a TLS failure from a refused connection from anything else, reading the whole error chain.
fn transport_error(url: &str, error: &reqwest::Error) -> HttpError {
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        reason = inner.to_string();
        source = inner.source();
        let lower = reason.to_ascii_lowercase();
        if ["certificate", "tls", "handshake"].iter().any(|w| lower.contains(w)) {
            return HttpError::Tls {
                url: url.to_owned(),
                reason,
            };
        }
    }
    let url = url.to_owned();
    if error.is_connect() {
        HttpError::Connect { url, reason }
    } else {
        HttpError::Other { url, reason }
    }
}

/// Fetches a JWKS from a trusted address (https, or http on loopback; same-origin redirects only).
pub async fn fetch_jwks(client: &reqwest::Client, url: &str) -> Result<FetchedJwks, FetchError> {
    drive(client, KeyFetch::jwks(url)?).await
}

/// Discovers the JWKS of an issuer the user named: its discovery document, then the `jwks_uri` it gives,
/// which must pass the same rule.
pub async fn discover_jwks(client: &reqwest::Client, issuer: &str) -> Result<FetchedJwks, FetchError> {
    drive(client, KeyFetch::discover(issuer)?).await
}

/// Sends each request the key fetch asks for until it has the keys or fails.
async fn drive(client: &reqwest::Client, mut fetch: KeyFetch) -> Result<FetchedJwks, FetchError> {
    loop {
        let answer = send(client, &fetch.request()).await;
        match fetch.answer(answer)? {
            Progress::Next(next) => fetch = next,
            Progress::Keys(keys) => return Ok(keys),
        }
    }
}
