//! Unit tests of the key fetch steps: each step, a cancel, a discovery document without `jwks_uri` or naming
//! another issuer, a non-200.

use super::*;
use std::time::Duration;

const JWKS: &str = r#"{"keys":[{"kty":"oct","kid":"k"}]}"#;

fn ok(url: &str, body: &str) -> Result<HttpAnswer, HttpError> {
    Ok(HttpAnswer {
        status: 200,
        headers: Vec::new(),
        body: body.as_bytes().to_vec(),
        final_url: url.to_owned(),
        elapsed: Duration::from_millis(1),
    })
}

fn next(progress: Result<Progress, KeyFetchError>) -> KeyFetch {
    match progress {
        Ok(Progress::Next(fetch)) => fetch,
        other => panic!("expected a next step, got {other:?}"),
    }
}

#[test]
fn discovery_asks_the_configuration_then_the_jwks_uri_then_gives_the_keys() {
    let fetch = KeyFetch::discover("https://t.auth0.com/").unwrap();
    assert_eq!(fetch.stage(), Stage::Discovery);
    assert_eq!(
        fetch.request().url,
        "https://t.auth0.com/.well-known/openid-configuration"
    );
    let config = r#"{"issuer":"https://t.auth0.com/","jwks_uri":"https://t.auth0.com/.well-known/jwks.json"}"#;
    let fetch = next(fetch.answer(ok("https://t.auth0.com/.well-known/openid-configuration", config)));
    assert_eq!(fetch.stage(), Stage::Jwks);
    assert_eq!(fetch.request().url, "https://t.auth0.com/.well-known/jwks.json");
    let done = fetch.answer(ok("https://t.auth0.com/.well-known/jwks.json", JWKS));
    let Ok(Progress::Keys(keys)) = done else {
        panic!("expected keys, got {done:?}");
    };
    assert_eq!(keys.final_url, "https://t.auth0.com/.well-known/jwks.json");
    assert!(keys.jwks.contains("\"kid\":\"k\""));
}

#[test]
fn a_jwks_url_is_one_step_and_the_final_address_is_kept() {
    let fetch = KeyFetch::jwks("http://127.0.0.1:4000/moved").unwrap();
    assert_eq!(fetch.stage(), Stage::Jwks);
    let done = fetch.answer(ok("http://127.0.0.1:4000/jwks.json", JWKS));
    assert!(
        matches!(&done, Ok(Progress::Keys(k)) if k.final_url == "http://127.0.0.1:4000/jwks.json"),
        "{done:?}"
    );
}

#[test]
fn an_untrusted_start_address_is_refused_before_anything_is_sent() {
    let error = KeyFetch::jwks("http://example.com/jwks.json").unwrap_err();
    assert!(
        matches!(&error, KeyFetchError::Document(m) if m.contains("plain http")),
        "{error}"
    );
}

#[test]
fn a_cancel_is_typed_and_other_transport_errors_pass_through() {
    let fetch = KeyFetch::discover("https://t/").unwrap();
    assert_eq!(
        fetch.clone().answer(Err(HttpError::Cancelled)),
        Err(KeyFetchError::Cancelled)
    );
    let refused = fetch.answer(Err(HttpError::Redirect("to another origin".into())));
    assert!(matches!(refused, Err(KeyFetchError::Http(HttpError::Redirect(_)))));
}

#[test]
fn a_discovery_document_without_jwks_uri_says_to_check_the_issuer() {
    let fetch = KeyFetch::discover("https://t/").unwrap();
    let error = fetch
        .answer(ok("https://t/.well-known/openid-configuration", r#"{"issuer":"x"}"#))
        .unwrap_err();
    assert!(error.to_string().contains("no \"jwks_uri\""), "{error}");
    assert!(error.to_string().contains("check the issuer address"), "{error}");
}

#[test]
fn a_non_200_names_the_address_and_the_status() {
    let fetch = KeyFetch::jwks("https://t/jwks.json").unwrap();
    let mut answer = ok("https://t/jwks.json", "nope");
    if let Ok(a) = &mut answer {
        a.status = 404;
    }
    let error = fetch.answer(answer).unwrap_err();
    assert_eq!(
        error,
        KeyFetchError::Status {
            url: "https://t/jwks.json".into(),
            status: 404
        }
    );
    assert!(error.to_string().contains("answered HTTP 404: check the address"));
}

#[test]
fn a_jwks_uri_that_is_not_trusted_is_refused_at_the_discovery_step() {
    let fetch = KeyFetch::discover("https://t/").unwrap();
    let config = r#"{"jwks_uri":"http://evil.example/jwks.json"}"#;
    let error = fetch
        .answer(ok("https://t/.well-known/openid-configuration", config))
        .unwrap_err();
    assert!(error.to_string().contains("not trusted"), "{error}");
}

const DISCOVERY_URL: &str = "https://t.auth0.com/.well-known/openid-configuration";

fn discovery_naming(issuer: &str) -> String {
    serde_json::json!({"issuer": issuer, "jwks_uri": "https://t.auth0.com/.well-known/jwks.json"}).to_string()
}

#[test]
fn a_discovery_document_naming_another_issuer_fails_and_says_both() {
    let fetch = KeyFetch::discover("https://t.auth0.com/").unwrap();
    let error = fetch
        .answer(ok(DISCOVERY_URL, &discovery_naming("https://evil.example/")))
        .unwrap_err();
    assert!(matches!(error, KeyFetchError::IssuerMismatch { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("\"https://evil.example/\""), "{message}");
    assert!(message.contains("\"https://t.auth0.com/\""), "{message}");
}

#[test]
fn the_issuer_is_compared_exactly_with_only_the_users_missing_slash_added() {
    for (typed, named) in [
        ("https://t.auth0.com", "https://t.auth0.com/"),
        ("https://accounts.example.com", "https://accounts.example.com"),
    ] {
        let fetch = KeyFetch::discover(typed).unwrap();
        let answer = ok(DISCOVERY_URL, &discovery_naming(named));
        assert!(
            matches!(fetch.answer(answer), Ok(Progress::Next(_))),
            "{typed} ~ {named}"
        );
    }
    let fetch = KeyFetch::discover("https://accounts.example.com/").unwrap();
    let answer = ok(DISCOVERY_URL, &discovery_naming("https://accounts.example.com"));
    assert!(matches!(
        fetch.answer(answer),
        Err(KeyFetchError::IssuerMismatch { .. })
    ));

    for other in ["https://t.auth0.com", "https://T.auth0.com/", "https://t.auth0.com//"] {
        let fetch = KeyFetch::discover("https://t.auth0.com/").unwrap();
        let error = fetch.answer(ok(DISCOVERY_URL, &discovery_naming(other))).unwrap_err();
        assert!(
            matches!(error, KeyFetchError::IssuerMismatch { .. }),
            "{other}: {error:?}"
        );
    }
}

#[test]
fn a_discovery_document_without_an_issuer_fails() {
    let fetch = KeyFetch::discover("https://t.auth0.com/").unwrap();
    let config = r#"{"jwks_uri":"https://t.auth0.com/.well-known/jwks.json"}"#;
    let error = fetch.answer(ok(DISCOVERY_URL, config)).unwrap_err();
    assert!(error.to_string().contains("names no issuer"), "{error}");
}

#[test]
fn an_issuer_with_control_characters_is_shown_escaped() {
    let fetch = KeyFetch::discover("https://t.auth0.com/").unwrap();
    let error = fetch
        .answer(ok(
            DISCOVERY_URL,
            &discovery_naming("https://t.auth0.com/\u{1b}[2J\u{202e}"),
        ))
        .unwrap_err()
        .to_string();
    assert!(!error.chars().any(crate::core::escape::is_unsafe), "{error:?}");
    assert!(error.contains("\\x1b[2J\\u{202e}"), "{error}");
}
