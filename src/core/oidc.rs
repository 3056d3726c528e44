//! OpenID Connect discovery: the addresses derived from an issuer, and reading the documents fetched from
//! them (a discovery document's `jwks_uri`, a JWKS), each checked before it is trusted.

pub mod key_fetch;

use super::http::trusted_url;
use serde_json::Value;

/// The discovery document URL for an issuer: `iss` + `.well-known/openid-configuration`.
pub fn discovery_url(issuer: &str) -> String {
    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))
}

/// Reads the `jwks_uri` from a discovery document fetched from `from`; it must pass the same URL rule as
/// any key address (https, or http only on loopback).
pub fn jwks_uri(body: &[u8], from: &str) -> Result<String, String> {
    let config: Value = serde_json::from_slice(body)
        .map_err(|_| format!("{from} did not return JSON: check that the issuer is an OpenID provider"))?;
    let Some(uri) = config.get("jwks_uri").and_then(Value::as_str) else {
        return Err(format!(
            "{from} is not an OpenID configuration (no \"jwks_uri\"): check the issuer address"
        ));
    };
    trusted_url(uri)
        .map(|url| url.to_string())
        .map_err(|e| format!("the discovery document names a jwks_uri that is not trusted: {e}"))
}

/// Checks that a body fetched from `from` is a JWKS (a JSON object with a `keys` array) and returns its text.
pub fn jwks_text(body: &[u8], from: &str) -> Result<String, String> {
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        format!("{from} did not return JSON: check that the URL is the JWKS (or the issuer, for discovery)")
    })?;
    if value.get("keys").and_then(Value::as_array).is_none() {
        return Err(format!(
            "{from} did not return a JWKS (a JSON object with a \"keys\" array): check that the URL is the JWKS"
        ));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_url_works_with_and_without_trailing_slash() {
        let expected = "https://t.auth0.com/.well-known/openid-configuration";
        assert_eq!(discovery_url("https://t.auth0.com/"), expected);
        assert_eq!(discovery_url("https://t.auth0.com"), expected);
    }

    #[test]
    fn a_jwks_uri_over_plain_http_to_another_host_is_refused() {
        let body = br#"{"jwks_uri":"http://evil.example/jwks.json"}"#;
        let error = jwks_uri(body, "https://t/").unwrap_err();
        assert!(error.contains("not trusted"), "{error}");
        let good = br#"{"jwks_uri":"https://t.auth0.com/.well-known/jwks.json"}"#;
        assert_eq!(
            jwks_uri(good, "https://t/").unwrap(),
            "https://t.auth0.com/.well-known/jwks.json"
        );
    }

    #[test]
    fn a_body_without_keys_is_not_a_jwks() {
        assert!(jwks_text(br#"{"a":1}"#, "u").is_err());
        assert!(jwks_text(b"<html>", "u").is_err());
        assert!(jwks_text(br#"{"keys":[]}"#, "u").is_ok());
    }
}
