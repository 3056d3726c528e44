//! Cross-cutting layers of the issuer's router: the `Host` check (a loopback name or address, or the host of
//! `--public-url`, so a page using DNS rebinding cannot read the issuer) and CORS for browser calls to
//! `/oauth/token`, `/oauth/revoke`, `/userinfo` and `/.well-known/*` from an origin some client allows.

use super::{IssuerState, json_response};
use crate::core::issuer::OAuthError;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// Headers a browser may send cross-origin (spa-js sends `Auth0-Client`, and `DPoP` when bound).
const ALLOW_HEADERS: &str = "Content-Type, Authorization, Auth0-Client, DPoP";
/// Headers a browser may read.
const EXPOSE_HEADERS: &str = "DPoP-Nonce, WWW-Authenticate, X-RateLimit-Limit, X-RateLimit-Remaining, \
                              X-RateLimit-Reset, Retry-After, X-Tokenbench-Fault";

/// `host[:port]` of a URL, lowercase, the port left out when it is the scheme's default.
pub fn authority(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// Whether a `Host` header names this issuer: loopback (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`)
/// on any port, or exactly the public host.
pub fn host_allowed(host: &str, public: Option<&str>) -> bool {
    let host = host.trim().to_ascii_lowercase();
    if public.is_some_and(|p| p == host) {
        return true;
    }
    let Ok(url) = url::Url::parse(&format!("http://{host}/")) else {
        return false;
    };
    if authority(&url).is_none_or(|a| a != host && !host.ends_with(":80")) {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost" || name.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Refuses requests whose `Host` is not this issuer's with `421`.
pub async fn host(State(state): State<IssuerState>, request: Request, next: Next) -> Response {
    let given = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    match given {
        Some(host) if host_allowed(host, state.public_host.as_deref()) => next.run(request).await,
        other => {
            let shown = crate::core::escape::terminal(other.unwrap_or("(none)"));
            let error = OAuthError::other(
                421,
                "invalid_host",
                format!(
                    "Host {shown} is not this issuer: call it as {} (or start it with --public-url for another name)",
                    state.base_url
                ),
            );
            json_response(&error.into())
        }
    }
}

fn cors_path(path: &str) -> bool {
    matches!(path, "/oauth/token" | "/oauth/revoke" | "/userinfo") || path.starts_with("/.well-known/")
}

/// Answers preflights and marks answers readable for allowed origins; refuses other origins' preflights.
pub async fn cors(State(state): State<IssuerState>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let Some(origin) = origin.filter(|_| cors_path(request.uri().path())) else {
        return next.run(request).await;
    };
    let allowed = state.read().cors_allows(&origin);
    if request.method() == Method::OPTIONS {
        if !allowed {
            let text = format!("Origin {} is not allowed.", crate::core::escape::terminal(&origin));
            return (StatusCode::FORBIDDEN, text).into_response();
        }
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
        allow(&mut response, &origin);
        return response;
    }
    let mut response = next.run(request).await;
    if allowed {
        allow(&mut response, &origin);
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    response
}

fn allow(response: &mut Response, origin: &str) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_and_the_public_host_pass() {
        for ok in [
            "127.0.0.1:4000",
            "localhost:4000",
            "LOCALHOST",
            "app.localhost:1",
            "[::1]:4000",
            "127.1.2.3",
        ] {
            assert!(host_allowed(ok, None), "{ok}");
        }
        for bad in [
            "evil.test",
            "evil.test:4000",
            "127.0.0.1.evil.test",
            "localhost.evil.test",
            "10.0.0.1:4000",
            "",
            "a b",
        ] {
            assert!(!host_allowed(bad, None), "{bad}");
        }
        assert!(host_allowed("issuer.example:8443", Some("issuer.example:8443")));
        assert!(!host_allowed("issuer.example", Some("issuer.example:8443")));
    }
}
