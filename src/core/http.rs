//! HTTP requests and answers as plain values, and the rule for which URLs and redirects are trusted.
//! Sending happens in `services::http`; nothing here does I/O.

use std::time::Duration;
use url::Url;

/// Largest answer body kept by default; real JWKS, discovery and token answers are a few kilobytes.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// Default time a request may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The shortest and longest time, in seconds, a form request may be given.
pub const TIMEOUT_SECONDS: std::ops::RangeInclusive<u64> = 1..=600;

/// Reads a timeout typed in whole seconds, within [`TIMEOUT_SECONDS`].
pub fn timeout_from_text(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<u64>() {
        Ok(seconds) if TIMEOUT_SECONDS.contains(&seconds) => Ok(Duration::from_secs(seconds)),
        _ => Err(format!(
            "enter the timeout as whole seconds from {} to {} (the default is {})",
            TIMEOUT_SECONDS.start(),
            TIMEOUT_SECONDS.end(),
            DEFAULT_TIMEOUT.as_secs()
        )),
    }
}

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: u8 = 5;

/// The HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// What a request does with a redirect answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// Redirects are answers like any other (OAuth endpoints never redirect a POST).
    Keep,
    /// Follow redirects that stay on the same origin (scheme, host and port); refuse any other.
    SameOrigin,
}

/// One request, exactly as it goes over the wire. `Debug` names headers and the body size, never values.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Request headers in order.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
    /// How long the whole request may take.
    pub timeout: Duration,
    /// Redirect handling.
    pub redirects: Redirects,
    /// Largest answer body accepted; larger answers fail with [`HttpError::TooLarge`].
    pub max_body: usize,
    /// Check the server's certificate. False only for an environment whose user turned verification off.
    pub verify_tls: bool,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .field("verify_tls", &self.verify_tls)
            .finish_non_exhaustive()
    }
}

impl HttpRequest {
    /// A GET for a document from a trusted origin (keys, discovery): JSON accepted, same-origin redirects only.
    pub fn get_document(url: &str) -> Self {
        Self {
            method: Method::Get,
            url: url.to_owned(),
            headers: vec![("accept".to_owned(), "application/json".to_owned())],
            body: None,
            timeout: Duration::from_secs(15),
            redirects: Redirects::SameOrigin,
            max_body: DEFAULT_MAX_BODY,
            verify_tls: true,
        }
    }
}

/// An answer of any status: OAuth error bodies are exactly what the forms must show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// Every response header in order (values that are not UTF-8 are shown lossily).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The URL that answered, after redirects.
    pub final_url: String,
    /// Time from sending to the last body byte.
    pub elapsed: Duration,
}

impl HttpAnswer {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no answer. Each kind is told apart so the UI can say what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The URL is malformed or not allowed.
    #[error("{0}")]
    Url(String),
    /// No answer within the time limit.
    #[error("{url} did not answer within {} s: check the address, or raise the timeout", .after.as_secs())]
    Timeout {
        /// The URL requested.
        url: String,
        /// The limit.
        after: Duration,
    },
    /// The connection could not be made.
    #[error("could not connect to {url} ({reason}): check the address, that the server runs, and your proxy")]
    Connect {
        /// The URL requested.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The TLS handshake failed (certificate, protocol).
    #[error("TLS with {url} failed ({reason}): the certificate is not trusted or the server is not https")]
    Tls {
        /// The URL requested.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The answer body is larger than allowed.
    #[error("{url} answered with more than {} KiB, more than such a document ever holds", .limit / 1024)]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A redirect was refused.
    #[error("{0}")]
    Redirect(String),
    /// The user cancelled the request.
    #[error("cancelled")]
    Cancelled,
    /// Anything else the transport reported.
    #[error("request to {url} failed: {reason}")]
    Other {
        /// The URL requested.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The HTTP client could not start (usually missing CA certificates).
    #[error("the HTTP client could not start ({0}); install the ca-certificates package")]
    Client(String),
}

/// Parses a URL that keys or discovery may be fetched from: https, or plain http to a loopback host only.
pub fn trusted_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|_| {
        format!("\"{text}\" is not a URL: enter something like https://TENANT.auth0.com/.well-known/jwks.json")
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(format!(
            "{url} uses plain http: keys and tokens must come over https (plain http is allowed only for \
             localhost and 127.0.0.1)"
        )),
        _ => Err(format!("{url} is not an http(s) URL: use https://")),
    }
}

/// Whether the URL's host is this machine (`localhost`, 127.0.0.0/8 or `::1`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks a redirect from `from` to `location` (absolute or relative): it must stay on the same origin,
/// which also rules out a downgrade from https to http. Returns the absolute target.
pub fn same_origin_redirect(from: &Url, location: &str) -> Result<Url, HttpError> {
    let target = from
        .join(location)
        .map_err(|_| HttpError::Redirect(format!("{from} redirected to \"{location}\", which is not a URL")))?;
    if target.origin() != from.origin() {
        return Err(HttpError::Redirect(format!(
            "{from} redirected to {target}, another origin: keys are only taken from the address you gave. Use \
             the final address directly if you trust it"
        )));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_are_trusted_and_remote_http_is_not() {
        assert!(trusted_url("https://t.auth0.com/.well-known/jwks.json").is_ok());
        assert!(trusted_url("http://127.0.0.1:8080/jwks.json").is_ok());
        assert!(trusted_url("http://localhost/jwks.json").is_ok());
        assert!(trusted_url("http://[::1]:9/jwks.json").is_ok());
        assert!(
            trusted_url("http://t.auth0.com/jwks.json")
                .unwrap_err()
                .contains("plain http")
        );
        assert!(trusted_url("file:///etc/passwd").is_err());
        assert!(trusted_url("localhost.evil.example").is_err());
    }

    #[test]
    fn a_host_that_only_starts_like_localhost_is_not_loopback() {
        assert!(trusted_url("http://localhost.evil.example/jwks.json").is_err());
        assert!(trusted_url("http://127.0.0.1.nip.io/jwks.json").is_err());
    }

    #[test]
    fn redirects_stay_on_the_origin_and_never_downgrade() {
        let from = Url::parse("https://t.auth0.com/a").unwrap();
        assert_eq!(
            same_origin_redirect(&from, "/b").unwrap().as_str(),
            "https://t.auth0.com/b"
        );
        assert!(same_origin_redirect(&from, "http://t.auth0.com/b").is_err());
        assert!(same_origin_redirect(&from, "https://evil.example/b").is_err());
        assert!(same_origin_redirect(&from, "https://t.auth0.com:444/b").is_err());
    }

    #[test]
    fn a_timeout_is_whole_seconds_from_one_to_six_hundred() {
        assert_eq!(timeout_from_text(" 1 "), Ok(Duration::from_secs(1)));
        assert_eq!(timeout_from_text("600"), Ok(Duration::from_secs(600)));
        for wrong in ["", "0", "601", "1.5", "-3", "ten"] {
            let message = timeout_from_text(wrong).unwrap_err();
            assert!(message.contains("from 1 to 600"), "{wrong}: {message}");
        }
    }

    #[test]
    fn request_debug_shows_header_names_but_no_values() {
        let mut request = HttpRequest::get_document("https://t/x");
        request
            .headers
            .push(("authorization".to_owned(), "Bearer hunter2".to_owned()));
        request.body = Some(b"client_secret=hunter2".to_vec());
        let shown = format!("{request:?}");
        assert!(shown.contains("authorization"));
        assert!(!shown.contains("hunter2"));
    }
}
