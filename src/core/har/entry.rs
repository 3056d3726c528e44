//! One HAR entry made compact: when, what was asked and answered, the tokens seen and the rate-limit state.
//! The bodies are read (base64 decoded, invalid UTF-8 replaced) for their tokens and dropped.

use super::model::{Content, NameValue, RawEntry};
use super::tokens::{FoundToken, body_fields, find_tokens, json_fields};
use crate::core::ratelimit::headers::{self, RateLimitState};
use base64::Engine;
use serde::Serialize;
use serde_json::Value;

/// An entry that could not be read; the others are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {entry} was skipped: {reason}; the other entries were read")]
pub struct EntryError {
    /// The entry, numbered from 1.
    pub entry: usize,
    /// Why.
    pub reason: String,
}

/// The rate-limit headers of the answer, as read by [`headers::read`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RateLimit {
    /// `X-RateLimit-Limit` (or the IETF `limit`).
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`, epoch seconds.
    pub reset_at: Option<i64>,
    /// `Retry-After`, epoch seconds.
    pub retry_at: Option<i64>,
}

impl RateLimit {
    fn from_state(state: &RateLimitState) -> Self {
        Self {
            limit: state.limit.value(),
            remaining: state.remaining.value(),
            reset_at: state.reset_at.value(),
            retry_at: state.retry_at.value(),
        }
    }

    /// Whether any value was sent.
    pub fn is_present(&self) -> bool {
        self.limit.is_some() || self.remaining.is_some() || self.reset_at.is_some() || self.retry_at.is_some()
    }
}

/// A compact entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Position in the file, from 1.
    pub index: usize,
    /// `startedDateTime` as Unix milliseconds; `None` when absent or unreadable.
    pub started_ms: Option<i64>,
    /// Total time in milliseconds, when known.
    pub duration_ms: Option<f64>,
    /// `GET`, `POST`, …
    pub method: String,
    /// The URL as captured.
    pub url: String,
    /// Host (and port when not the default).
    pub host: String,
    /// Path without query.
    pub path: String,
    /// HTTP status (0: failed or blocked).
    pub status: i64,
    /// Request headers, names lower-cased, repeated ones kept. Not printed: they hold credentials.
    #[serde(skip)]
    pub request_headers: Vec<(String, String)>,
    /// Response headers, names lower-cased, repeated ones kept.
    #[serde(skip)]
    pub response_headers: Vec<(String, String)>,
    /// The `client_id` the request named (body or query).
    pub client_id: Option<String>,
    /// `grant_type` of a token request.
    pub grant_type: Option<String>,
    /// `target` of a `/delegation` request: the client the answer's id token is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `error` and `error_description` of a JSON answer.
    pub error: Option<String>,
    /// Tokens and credentials seen.
    pub tokens: Vec<FoundToken>,
    /// Rate-limit headers of the answer.
    pub rate_limit: RateLimit,
    /// What could not be read in this entry, and how it was read instead.
    pub notes: Vec<String>,
}

impl Entry {
    /// Reads entry `index` (from 1) of a capture.
    pub fn read(index: usize, value: Value) -> Result<Self, EntryError> {
        let raw: RawEntry = serde_json::from_value(value).map_err(|e| EntryError {
            entry: index,
            reason: format!("it is not a HAR entry ({e})"),
        })?;
        Self::from_raw(index, &raw)
    }

    /// Compacts a deserialised entry.
    pub fn from_raw(index: usize, raw: &RawEntry) -> Result<Self, EntryError> {
        let fail = |reason: String| EntryError { entry: index, reason };
        if raw.request.url.is_empty() {
            return Err(fail("it has no request.url".to_owned()));
        }
        let mut notes = Vec::new();
        let started_ms = started_ms(&raw.started_date_time, &mut notes);
        let (host, path) = host_and_path(&raw.request.url, &mut notes);
        let body = response_text(&raw.response.content, &mut notes);
        let request_fields = request_fields(raw);
        let field = |name: &str| request_fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let response_headers = lower_cased(&raw.response.headers);
        let received_at = started_ms.map_or(0, |ms| ms.div_euclid(1000));
        let state = headers::read(&response_headers, received_at);
        notes.extend(state.problems());
        Ok(Self {
            index,
            started_ms,
            duration_ms: raw.time.filter(|t| *t >= 0.0),
            method: raw.request.method.clone(),
            url: raw.request.url.clone(),
            host,
            path,
            status: raw.response.status,
            request_headers: lower_cased(&raw.request.headers),
            client_id: field("client_id"),
            grant_type: field("grant_type"),
            target: field("target"),
            error: body.as_deref().and_then(answer_error),
            tokens: find_tokens(index, raw, body.as_deref()),
            rate_limit: RateLimit::from_state(&state),
            response_headers,
            notes,
        })
    }

    /// The first request header of that name (lower case).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `startedDateTime` in whole seconds.
    pub fn started_seconds(&self) -> Option<i64> {
        self.started_ms.map(|ms| ms.div_euclid(1000))
    }

    /// Whether this is a legacy `/delegation` request, which sends the client's own id token and is answered
    /// with an id token for `target`.
    pub fn is_delegation(&self) -> bool {
        self.path == "/delegation"
    }

    /// Whether `text` (case-insensitive) is in the method, URL, status, a header, the error or a token field.
    pub fn matches(&self, text: &str) -> bool {
        let needle = text.to_lowercase();
        let has = |hay: &str| hay.to_lowercase().contains(&needle);
        has(&self.method)
            || has(&self.url)
            || has(&self.status.to_string())
            || self.error.as_deref().is_some_and(has)
            || self
                .request_headers
                .iter()
                .chain(&self.response_headers)
                .any(|(n, v)| has(n) || has(v))
            || self.tokens.iter().any(|t| has(t.field()) || has(&t.fingerprint))
    }
}

/// Header names lower-cased, values trimmed; repeated headers stay, in order.
fn lower_cased(headers: &[NameValue]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h.value.trim().to_owned()))
        .collect()
}

fn started_ms(text: &str, notes: &mut Vec<String>) -> Option<i64> {
    if text.is_empty() {
        notes.push("no startedDateTime: times are unknown".to_owned());
        return None;
    }
    match text.parse::<jiff::Timestamp>() {
        Ok(at) => Some(at.as_millisecond()),
        Err(e) => {
            notes.push(format!(
                "startedDateTime \"{text}\" is not an ISO 8601 time with an offset ({e})"
            ));
            None
        }
    }
}

fn host_and_path(url: &str, notes: &mut Vec<String>) -> (String, String) {
    match url::Url::parse(url) {
        Ok(parsed) => {
            let host = parsed.host_str().unwrap_or_default();
            let host = match parsed.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            };
            (host, parsed.path().to_owned())
        }
        Err(e) => {
            notes.push(format!("request.url is not a URL ({e})"));
            (String::new(), url.to_owned())
        }
    }
}

/// The response body as text: base64 decoded when marked so, invalid UTF-8 replaced.
pub fn response_text(content: &Content, notes: &mut Vec<String>) -> Option<String> {
    let text = content.text.as_deref()?;
    if !content
        .encoding
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("base64"))
    {
        return Some(text.to_owned());
    }
    let compact: String = text.split_whitespace().collect();
    match base64::engine::general_purpose::STANDARD.decode(compact) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) => {
            notes.push(format!("response body is marked base64 but is not ({e}); read as text"));
            Some(text.to_owned())
        }
    }
}

/// The request's fields: body fields, then query parameters.
fn request_fields(raw: &RawEntry) -> Vec<(String, String)> {
    let mut fields = raw.request.post_data.as_ref().map(body_fields).unwrap_or_default();
    if let Ok(url) = url::Url::parse(&raw.request.url) {
        fields.extend(url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())));
    }
    fields
}

/// `error: error_description` of an OAuth-style JSON answer.
fn answer_error(body: &str) -> Option<String> {
    let fields = json_fields(body);
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    match (get("error"), get("error_description")) {
        (Some(error), Some(description)) => Some(format!("{error}: {description}")),
        (Some(error), None) => Some(error.to_owned()),
        (None, _) => None,
    }
}

/// `X-RateLimit` values for a table: `remaining/limit` and the reset, or `-`.
pub fn rate_limit_cell(rate: &RateLimit) -> String {
    match (rate.remaining, rate.limit, rate.reset_at) {
        (Some(remaining), Some(limit), Some(reset)) => format!("{remaining}/{limit} reset {reset}"),
        (Some(remaining), Some(limit), None) => format!("{remaining}/{limit}"),
        _ if rate.retry_at.is_some() => "retry-after".to_owned(),
        _ => "-".to_owned(),
    }
}

/// Whether a path is one of Auth0's endpoints: `/authorize`, `/oauth/token`, `/delegation`, `/userinfo`,
/// `/.well-known/*`, `/api/v2/*`.
pub fn is_auth0_endpoint(path: &str) -> bool {
    matches!(path, "/authorize" | "/oauth/token" | "/delegation" | "/userinfo")
        || path.starts_with("/.well-known/")
        || path.starts_with("/api/v2/")
}
