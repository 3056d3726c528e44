//! Reading an answer from `/delegation` or `/oauth/token`: the tokens it carries (each one click from the
//! inspector), the OAuth error explained with what to do, and the rate-limit headers.

use crate::core::http::HttpAnswer;
use crate::core::protocol::header::{
    DPOP_NONCE, RETRY_AFTER, X_RATELIMIT_LIMIT, X_RATELIMIT_REMAINING, X_RATELIMIT_RESET,
};
use crate::core::ratelimit::headers::{is_injected_fault, wait_advice};
use serde_json::Value;

/// Body members that hold a token or a SAS, in the order they are shown.
pub const TOKEN_FIELDS: [&str; 5] = [
    "id_token",
    "access_token",
    "refresh_token",
    "azure_blob_sas",
    "azure_sb_sas",
];

/// Headers worth highlighting.
pub const RATE_LIMIT_HEADERS: [&str; 5] = [
    X_RATELIMIT_LIMIT,
    X_RATELIMIT_REMAINING,
    X_RATELIMIT_RESET,
    RETRY_AFTER,
    DPOP_NONCE,
];

/// Which endpoint answered, for error explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /delegation`.
    Delegation,
    /// `POST /oauth/token` (token exchange).
    Token,
}

/// An answer, read.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadAnswer {
    /// The body as JSON, when it is JSON.
    pub json: Option<Value>,
    /// `(field, token)` for every token in the body.
    pub tokens: Vec<(String, String)>,
    /// For error answers: what it means and what to do.
    pub explanation: Option<String>,
}

/// Reads an answer.
pub fn read(answer: &HttpAnswer, endpoint: Endpoint) -> ReadAnswer {
    let json: Option<Value> = serde_json::from_slice(&answer.body).ok();
    let tokens = json.as_ref().map(tokens_in).unwrap_or_default();
    let explanation = (!answer.is_success()).then(|| explain(answer, json.as_ref(), endpoint));
    ReadAnswer {
        json,
        tokens,
        explanation,
    }
}

fn tokens_in(body: &Value) -> Vec<(String, String)> {
    TOKEN_FIELDS
        .iter()
        .filter_map(|field| {
            body.get(field)
                .and_then(Value::as_str)
                .map(|t| ((*field).to_owned(), t.to_owned()))
        })
        .collect()
}

fn explain(answer: &HttpAnswer, json: Option<&Value>, endpoint: Endpoint) -> String {
    let error = json.and_then(|j| j.get("error")).and_then(Value::as_str);
    let description = json
        .and_then(|j| j.get("error_description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    match (answer.status, error, endpoint) {
        (404, _, Endpoint::Delegation) => {
            "404: delegation is disabled on this tenant (legacy endpoint, off for tenants \
            without an add-on in use since June 2017); use the local issuer to try it"
                .to_owned()
        }
        (_, Some("invalid_grant"), Endpoint::Delegation) => format!(
            "invalid_grant: the id_token failed validation against the caller's signing settings — check the \
             caller's alg (HS256 tokens need its client secret, with secret_encoded if set), that the token is \
             not expired and that its aud is the caller. Server said: {description}"
        ),
        (_, Some("unauthorized_client"), _) => format!(
            "unauthorized_client: the application may not use this grant or target; enable the grant type on the \
             application (Advanced settings → Grant Types) or check allowed_clients. Server said: {description}"
        ),
        (_, Some("use_dpop_nonce"), _) => "use_dpop_nonce: the server wants a nonce in the DPoP proof; send again \
            and the proof carries the DPoP-Nonce it returned"
            .to_owned(),
        (429, _, _) => too_many_requests(answer),
        (_, Some(code), _) => format!("{code}: {description}"),
        (status, None, _) if json.is_none() => format!(
            "HTTP {status} with a body that is not JSON: this is probably not an Auth0 endpoint (check the \
             environment's URL) or a proxy answered"
        ),
        (status, None, _) => format!("HTTP {status} without an OAuth error code"),
    }
}

/// A 429 explained: when to send again, and whether the local issuer's fault injection forced it.
fn too_many_requests(answer: &HttpAnswer) -> String {
    let advice = wait_advice(&answer.headers);
    if is_injected_fault(&answer.headers) {
        format!("429 too many requests, injected by the local issuer (turn it off under Faults): {advice}")
    } else {
        format!("429 too many requests: {advice}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            headers: vec![("X-RateLimit-Reset".into(), "1700000060".into())],
            body: body.as_bytes().to_vec(),
            final_url: "http://127.0.0.1/delegation".into(),
            elapsed: std::time::Duration::from_millis(3),
        }
    }

    #[test]
    fn every_token_in_a_body_is_found_in_order() {
        let read = read(
            &answer(
                200,
                r#"{"refresh_token":"r","id_token":"i","azure_blob_sas":"st=1&sig=x","expires_in":1}"#,
            ),
            Endpoint::Token,
        );
        let fields: Vec<&str> = read.tokens.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["id_token", "refresh_token", "azure_blob_sas"]);
        assert!(read.explanation.is_none());
    }

    #[test]
    fn errors_are_explained_with_what_to_do() {
        let invalid = read(
            &answer(400, r#"{"error":"invalid_grant","error_description":"bad sig"}"#),
            Endpoint::Delegation,
        );
        assert!(invalid.explanation.unwrap().contains("check the caller's alg"));
        let disabled = read(&answer(404, "Not Found"), Endpoint::Delegation);
        assert!(disabled.explanation.unwrap().contains("delegation is disabled"));
        let limited = read(&answer(429, r#"{"error":"too_many_requests"}"#), Endpoint::Delegation);
        assert!(limited.explanation.unwrap().contains("1700000060"));
        let html = read(&answer(502, "<html>"), Endpoint::Token);
        assert!(html.explanation.unwrap().contains("not JSON"));
    }

    #[test]
    fn a_429_names_retry_after_when_no_reset_is_given_and_says_when_it_was_injected() {
        let mut injected = answer(429, r#"{"error":"too_many_requests"}"#);
        injected.headers = vec![
            ("retry-after".into(), "5".into()),
            ("x-tokenbench-fault".into(), "injected".into()),
        ];
        let text = read(&injected, Endpoint::Token).explanation.unwrap();
        assert!(
            text.contains("Retry-After: 5 s") && !text.contains("not given"),
            "{text}"
        );
        assert!(text.contains("injected by the local issuer"), "{text}");
        let mut real = answer(429, r#"{"error":"too_many_requests"}"#);
        real.headers.push(("Retry-After".into(), "5".into()));
        let text = read(&real, Endpoint::Delegation).explanation.unwrap();
        assert!(
            text.contains("1700000060") && text.contains("Retry-After: 5 s"),
            "{text}"
        );
        assert!(!text.contains("injected"), "{text}");
    }
}
