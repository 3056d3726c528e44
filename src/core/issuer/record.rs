//! What the issuer reports for each request: method, path, status, caller, user, time, rate-limit headers,
//! and both bodies with secrets and tokens redacted.

use crate::core::issuer::Params;
use serde_json::{Map, Value};
use std::sync::Arc;

/// One handled request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Response status.
    pub status: u16,
    /// The calling client, when known.
    pub client_id: Option<String>,
    /// The user, when known.
    pub user: Option<String>,
    /// When it was answered (the issuer's clock), Unix seconds.
    pub time: i64,
    /// `X-RateLimit-Limit`, `-Remaining`, `-Reset`, when sent.
    pub rate_limit: Option<(String, String, String)>,
    /// Request parameters, redacted.
    pub request: Value,
    /// Response body, redacted.
    pub response: Value,
    /// The injected fault, e.g. `latency 200 ms, 503 unavailable`, when one applied.
    pub fault: Option<String>,
}

impl RequestRecord {
    /// One log line: `POST /delegation 200 client=demo-spa user=auth0|alice`; status 0 is shown as
    /// `no answer` (the connection was dropped).
    pub fn line(&self) -> String {
        let status = if self.status == 0 {
            "no answer".to_owned()
        } else {
            self.status.to_string()
        };
        let mut line = format!("{} {} {status}", self.method, self.path);
        if let Some(c) = &self.client_id {
            line.push_str(&format!(" client={}", c.escape_debug()));
        }
        if let Some(u) = &self.user {
            line.push_str(&format!(" user={}", u.escape_debug()));
        }
        if let Some((limit, remaining, reset)) = &self.rate_limit {
            line.push_str(&format!(" ratelimit={remaining}/{limit} reset={reset}"));
        }
        if let Some(fault) = &self.fault {
            line.push_str(&format!(" fault: {fault}"));
        }
        line
    }
}

/// Where records go: the window's event channel, stderr, or a test's vector.
pub type Sink = Arc<dyn Fn(RequestRecord) + Send + Sync>;

/// Names whose values are never recorded.
const SECRET_NAMES: [&str; 16] = [
    "client_secret",
    "code",
    "code_verifier",
    "csrf",
    "token",
    "id_token_hint",
    "password",
    "subject_token",
    "id_token",
    "refresh_token",
    "access_token",
    "azure_blob_sas",
    "azure_sb_sas",
    "SecretAccessKey",
    "SessionToken",
    "client_assertion",
];

const REDACTED: &str = "(redacted)";

/// Request parameters with secrets replaced.
pub fn redact_params(params: &Params) -> Value {
    let map: Map<String, Value> = params
        .iter()
        .map(|(k, v)| {
            (
                k.to_owned(),
                Value::from(if SECRET_NAMES.contains(&k) { REDACTED } else { v }),
            )
        })
        .collect();
    Value::Object(map)
}

/// A response body with secrets replaced (two levels deep: enough for every issuer response).
pub fn redact_body(body: &Value) -> Value {
    let mut body = body.clone();
    redact_level(&mut body, 2);
    body
}

fn redact_level(value: &mut Value, depth: u8) {
    let Value::Object(map) = value else { return };
    for (key, v) in map.iter_mut() {
        if SECRET_NAMES.contains(&key.as_str()) {
            *v = Value::from(REDACTED);
        } else if depth > 0 {
            redact_level(v, depth - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_tokens_are_redacted_in_both_bodies() {
        let params = Params::from_pairs([("client_id", "a"), ("client_secret", "s3cret"), ("id_token", "eyJ")]);
        let request = redact_params(&params).to_string();
        assert!(!request.contains("s3cret") && !request.contains("eyJ") && request.contains("\"a\""));
        let body = serde_json::json!({"id_token":"eyJ","Credentials":{"SecretAccessKey":"k","AccessKeyId":"ASIA"}});
        let shown = redact_body(&body).to_string();
        assert!(!shown.contains("eyJ") && !shown.contains("\"k\"") && shown.contains("ASIA"));
    }
}
