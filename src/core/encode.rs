//! The inspector's encoder, pure parts: header and payload JSON as typed are checked into a [`Draft`], members
//! are set without losing the rest of the text, and a draft is signed with its header exactly as written
//! (custom members included). No clock here: "now" is passed in by the caller.

use crate::core::secret::SecretString;
use crate::core::sign::{SignError, encoding_key, is_hmac, parse_alg};
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

/// Header or payload text longer than this is refused before parsing.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// A header and payload that passed validation, ready to sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The header's `alg`.
    pub alg: Algorithm,
    /// The header members, in the order typed.
    pub header: Map<String, Value>,
    /// The payload members, in the order typed.
    pub claims: Map<String, Value>,
}

impl Draft {
    /// Whether the draft is signed with an HMAC secret rather than a private key.
    pub fn is_hmac(&self) -> bool {
        is_hmac(self.alg)
    }
}

/// What is wrong with the typed header and payload; each message says what to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftErrors {
    /// About the header, shown next to it.
    pub header: Option<String>,
    /// About the payload, shown next to it.
    pub payload: Option<String>,
}

/// Checks both texts at once, so every error can be shown together.
pub fn validate(header: &str, payload: &str) -> Result<Draft, DraftErrors> {
    let header = parse_header(header);
    let claims = parse_payload(payload);
    match (header, claims) {
        (Ok((alg, header)), Ok(claims)) => Ok(Draft { alg, header, claims }),
        (header, claims) => Err(DraftErrors {
            header: header.err(),
            payload: claims.err(),
        }),
    }
}

/// A header: an object whose `alg` is one tokenbench signs with.
pub fn parse_header(text: &str) -> Result<(Algorithm, Map<String, Value>), String> {
    let header = parse_object(text, "header", r#"{"alg":"HS256","typ":"JWT"}"#)?;
    let alg = match header.get("alg") {
        Some(Value::String(name)) => parse_alg(name).map_err(|e| e.to_string())?,
        Some(_) => return Err("the header's alg must be a string such as \"RS256\"".to_owned()),
        None => return Err("the header needs an alg: pick an algorithm below".to_owned()),
    };
    Ok((alg, header))
}

/// A payload: an object of claims.
pub fn parse_payload(text: &str) -> Result<Map<String, Value>, String> {
    parse_object(text, "payload", r#"{"sub":"auth0|42"}"#)
}

/// A JSON object, or why the text is not one.
fn parse_object(text: &str, what: &str, example: &str) -> Result<Map<String, Value>, String> {
    if text.len() > MAX_JSON_BYTES {
        return Err(format!(
            "the {what} is longer than {} KiB: shorten it",
            MAX_JSON_BYTES / 1024
        ));
    }
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("the {what} must be a JSON object, e.g. {example}")),
        Err(e) => Err(format!("the {what} is not valid JSON ({e}): fix it, e.g. {example}")),
    }
}

/// The text with `name` set to `value`, pretty-printed; `None` when the text is not a JSON object.
pub fn set_member(text: &str, name: &str, value: Value) -> Option<String> {
    let mut map = parse_object(text, "text", "{}").ok()?;
    map.insert(name.to_owned(), value);
    serde_json::to_string_pretty(&map).ok()
}

/// Signs the draft: the header and claims as typed, then the signature over both.
pub fn sign_draft(draft: &Draft, key: &SecretString) -> Result<String, SignError> {
    let key = encoding_key(draft.alg, key)?;
    let header = serde_json::to_vec(&draft.header).map_err(|e| SignError::Sign(e.to_string()))?;
    let claims = serde_json::to_vec(&draft.claims).map_err(|e| SignError::Claims(e.to_string()))?;
    let b64 = crate::core::jwt::decode::base64url;
    let message = format!("{}.{}", b64(&header), b64(&claims));
    let signature =
        jsonwebtoken::crypto::sign(message.as_bytes(), &key, draft.alg).map_err(|e| SignError::Sign(e.to_string()))?;
    Ok(format!("{message}.{signature}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_texts_are_checked_at_once_and_errors_say_what_to_do() {
        let errors = validate(r#"{"alg":"none"}"#, "{").unwrap_err();
        assert!(errors.header.unwrap().contains("Choose from: HS256"));
        assert!(errors.payload.unwrap().contains("not valid JSON"));
        let errors = validate(r#"{"typ":"JWT"}"#, "[1]").unwrap_err();
        assert!(errors.header.unwrap().contains("needs an alg"));
        assert!(errors.payload.unwrap().contains("must be a JSON object"));
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_JSON_BYTES));
        assert!(
            validate(r#"{"alg":"HS256"}"#, &big)
                .unwrap_err()
                .payload
                .unwrap()
                .contains("KiB")
        );
    }

    #[test]
    fn setting_a_member_keeps_the_others_in_order() {
        let text = set_member(r#"{"sub":"a","exp":1}"#, "exp", Value::from(5)).unwrap();
        assert_eq!(text, "{\n  \"sub\": \"a\",\n  \"exp\": 5\n}");
        assert!(set_member("{", "exp", Value::from(5)).is_none());
    }

    #[test]
    fn a_signed_draft_keeps_custom_header_members_and_verifies() {
        let draft = validate(r#"{"alg":"HS256","typ":"JWT","x-note":"hi"}"#, r#"{"sub":"a"}"#).unwrap();
        let token = sign_draft(&draft, &SecretString::new("s")).unwrap();
        let first = token.split('.').next().unwrap();
        let header: Value = serde_json::from_slice(&crate::core::jwt::decode::base64_any(first).unwrap()).unwrap();
        assert_eq!(header["x-note"], "hi");
        let key = jsonwebtoken::DecodingKey::from_secret(b"s");
        let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        assert!(jsonwebtoken::decode::<Value>(&token, &key, &validation).is_ok());
        let rsa = validate(r#"{"alg":"RS256"}"#, "{}").unwrap();
        assert!(matches!(
            sign_draft(&rsa, &SecretString::new("s")),
            Err(SignError::Key { .. })
        ));
    }
}
