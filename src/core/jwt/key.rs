//! Verification keys: parsing what the user gave (secret, PEM key or certificate, JWK, JWKS) and choosing
//! the key that matches a token's header.

use super::decode::{base64_any, pem_block};
use super::key_cache::SelectionCache;
use crate::core::der;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde_json::Value;
use zeroize::Zeroizing;

/// The most key text (PEM, JWK, JWKS) read: real JWKS are a few KiB.
pub const MAX_KEY_TEXT_BYTES: usize = 1 << 20;
/// The longest `x5c` entry accepted, in base64 characters: real certificates are 1–3 KiB.
pub const MAX_X5C_BYTES: usize = 16 * 1024;

/// How the user supplied a key.
#[derive(Clone, Copy)]
pub enum KeyInput<'a> {
    /// An HMAC secret, used as its UTF-8 bytes.
    SecretText(&'a str),
    /// An HMAC secret in base64 or base64url (Auth0 legacy `secret_encoded`).
    SecretBase64(&'a str),
    /// A PEM public key or certificate, a JWK or a JWKS.
    KeyText(&'a str),
}

/// A parsed verification key or key set.
#[derive(Clone)]
pub enum KeyMaterial {
    /// HMAC secret bytes, wiped on drop.
    Secret(Zeroizing<Vec<u8>>),
    /// A PEM public key or X.509 certificate.
    Pem {
        /// The PEM label, e.g. `PUBLIC KEY` or `CERTIFICATE`.
        label: String,
        /// The PEM text.
        text: String,
        /// The key built from it for each algorithm, once.
        chosen: SelectionCache,
    },
    /// One JSON Web Key, and the key built from it for each `kid` and algorithm, once.
    Jwk(Box<Jwk>, SelectionCache),
    /// A JSON Web Key Set: the readable keys, and the `kid`s of keys that could not be read.
    Jwks {
        /// Keys that parsed.
        keys: Vec<Jwk>,
        /// `kid` (or position) and reason for each key that did not parse.
        unreadable: Vec<(String, String)>,
        /// `kid` (or position) of keys that publish private or symmetric key material.
        exposed: Vec<String>,
        /// The address the set was fetched from (after redirects), named in the `key` check.
        origin: Option<String>,
        /// The key chosen for each `kid` and algorithm, once.
        chosen: SelectionCache,
    },
}

impl KeyMaterial {
    /// Records where a fetched key set came from, so the checklist can name it.
    pub fn fetched_from(mut self, address: &str) -> Self {
        if let Self::Jwks { origin, chosen, .. } = &mut self {
            *origin = Some(address.to_owned());
            // The origin is part of every choice's description.
            *chosen = SelectionCache::default();
        }
        self
    }

    /// A copy that chooses and parses its keys anew instead of sharing them with `self`. Each thread of a bulk
    /// run verifies with its own copy: threads sharing one parsed key would take turns on its reference counts
    /// and locks (the choice's `Arc`, the cache's lock, aws-lc's key), once a token, from every core.
    pub fn unshared(&self) -> Self {
        let mut copy = self.clone();
        match &mut copy {
            Self::Secret(_) => {}
            Self::Pem { chosen, .. } | Self::Jwk(_, chosen) | Self::Jwks { chosen, .. } => {
                *chosen = SelectionCache::default();
            }
        }
        copy
    }

    /// Where the keys chosen from this material are kept; `None` for a secret, which costs nothing to use.
    pub fn selection_cache(&self) -> Option<&SelectionCache> {
        match self {
            Self::Secret(_) => None,
            Self::Pem { chosen, .. } | Self::Jwk(_, chosen) | Self::Jwks { chosen, .. } => Some(chosen),
        }
    }
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret(bytes) => write!(f, "Secret({} bytes, redacted)", bytes.len()),
            Self::Pem { label, .. } => write!(f, "Pem({label})"),
            Self::Jwk(jwk, _) => write!(f, "Jwk(kid={:?})", jwk.common.key_id),
            Self::Jwks { keys, .. } => write!(f, "Jwks({} keys)", keys.len()),
        }
    }
}

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Nothing was entered.
    #[error("no key was given: paste a secret, a PEM public key or certificate, a JWK or a JWKS")]
    Empty,
    /// Base64 secret that does not decode.
    #[error("the secret is not valid base64: untick \"base64\" if the secret is plain text")]
    SecretNotBase64,
    /// A private key was pasted.
    #[error(
        "this is a private key: verification needs only the public part. Export it with \
         `openssl pkey -in key.pem -pubout` and never paste private keys into tools you do not control"
    )]
    PrivateKey,
    /// PEM with an unexpected label.
    #[error("unsupported PEM block \"{0}\": use PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE")]
    PemLabel(String),
    /// JSON that is not a JWK or JWKS.
    #[error("{0}")]
    Json(String),
    /// More text than any key.
    #[error("the key is over 1 MiB: a PEM key, JWK or JWKS is a few KiB; check that this is the right file")]
    TooLarge,
    /// A PEM block whose DER is malformed or hostile.
    #[error("the PEM block cannot be read: {0}")]
    BadDer(String),
    /// Text of no known key format.
    #[error("not a key: expected a PEM block (-----BEGIN …), a JWK ({{\"kty\":…}}) or a JWKS ({{\"keys\":[…]}})")]
    Unknown,
}

/// Parses user input into key material.
pub fn parse_key(input: KeyInput<'_>) -> Result<KeyMaterial, KeyError> {
    match input {
        KeyInput::SecretText("") => Err(KeyError::Empty),
        KeyInput::SecretText(s) => Ok(KeyMaterial::Secret(Zeroizing::new(s.as_bytes().to_vec()))),
        KeyInput::SecretBase64(s) if s.trim().is_empty() => Err(KeyError::Empty),
        KeyInput::SecretBase64(s) => base64_any(s)
            .map(|b| KeyMaterial::Secret(Zeroizing::new(b)))
            .ok_or(KeyError::SecretNotBase64),
        KeyInput::KeyText(s) => parse_key_text(s),
    }
}

/// Parses a PEM block, a JWK or a JWKS.
pub fn parse_key_text(text: &str) -> Result<KeyMaterial, KeyError> {
    if text.len() > MAX_KEY_TEXT_BYTES {
        return Err(KeyError::TooLarge);
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(KeyError::Empty);
    }
    if text.starts_with("-----BEGIN") {
        return parse_pem(text);
    }
    if text.starts_with('{') {
        let value: Value =
            serde_json::from_str(text).map_err(|e| KeyError::Json(format!("the key is not valid JSON: {e}")))?;
        return parse_jwk_json(&value);
    }
    Err(KeyError::Unknown)
}

fn parse_pem(text: &str) -> Result<KeyMaterial, KeyError> {
    let label = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"))
        .unwrap_or_default()
        .to_owned();
    match label.as_str() {
        "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => check_pem_der(text).map(|()| KeyMaterial::Pem {
            label,
            text: text.to_owned(),
            chosen: SelectionCache::default(),
        }),
        l if l.contains("PRIVATE KEY") => Err(KeyError::PrivateKey),
        _ => Err(KeyError::PemLabel(label)),
    }
}

/// Runs the bounded DER walk over every PEM block in `text`, so no parser that recurses sees hostile nesting.
pub fn check_pem_der(text: &str) -> Result<(), KeyError> {
    let blocks = pem_bodies(text);
    if blocks.is_empty() {
        return Err(KeyError::BadDer("no complete -----BEGIN/-----END block".to_owned()));
    }
    for body in blocks {
        let der = base64_any(&body).ok_or_else(|| KeyError::BadDer("the body is not base64".to_owned()))?;
        der::check(&der).map_err(|e| KeyError::BadDer(e.to_string()))?;
    }
    Ok(())
}

/// The base64 bodies of the PEM blocks in `text`, headers and line breaks removed.
fn pem_bodies(text: &str) -> Vec<String> {
    let mut bodies = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with("-----BEGIN ") {
            current = Some(String::new());
        } else if line.starts_with("-----END ") {
            bodies.extend(current.take());
        } else if let Some(body) = current.as_mut()
            && !line.contains(':')
        {
            body.push_str(line);
        }
    }
    bodies
}

/// Whether secret bytes are really public key material (a PEM block, a non-`oct` JWK or JWKS, or the DER
/// of a public key or certificate, also when base64-encoded): the HS/RS confusion attack.
pub fn secret_is_public_key(bytes: &[u8]) -> bool {
    let looks = |b: &[u8]| {
        let text = String::from_utf8_lossy(b);
        let text = text.trim();
        text.starts_with("-----BEGIN") || json_holds_non_oct_key(text) || der::looks_like_public_key(b)
    };
    looks(bytes)
        || std::str::from_utf8(bytes)
            .ok()
            .filter(|t| t.len() <= MAX_KEY_TEXT_BYTES)
            .and_then(base64_any)
            .is_some_and(|decoded| looks(&decoded))
}

fn json_holds_non_oct_key(text: &str) -> bool {
    if !text.starts_with('{') {
        return false;
    }
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    let not_oct = |k: &Value| k.get("kty").and_then(Value::as_str).is_some_and(|kty| kty != "oct");
    not_oct(&value)
        || value
            .get("keys")
            .and_then(Value::as_array)
            .is_some_and(|keys| keys.iter().any(not_oct))
}

/// Private JWK members (RFC 7518 §6.2.2, §6.3.2, RFC 8037) and the symmetric `k`.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

fn exposes_private_material(key: &Value) -> bool {
    PRIVATE_MEMBERS.iter().any(|m| key.get(m).is_some()) || key.get("kty").and_then(Value::as_str) == Some("oct")
}

fn parse_jwk_json(value: &Value) -> Result<KeyMaterial, KeyError> {
    if let Some(keys) = value.get("keys").and_then(Value::as_array) {
        let mut material = (Vec::new(), Vec::new());
        let mut exposed = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let name = key
                .get("kid")
                .and_then(Value::as_str)
                .map_or(format!("#{index}"), str::to_owned);
            if exposes_private_material(key) {
                exposed.push(name.clone());
            }
            match serde_json::from_value::<Jwk>(key.clone()) {
                Ok(jwk) if jwk_family(&jwk).is_none() => {
                    material.1.push((
                        name,
                        "unsupported key type (kty): tokenbench reads RSA, EC, OKP (Ed25519) and oct keys".to_owned(),
                    ));
                }
                Ok(jwk) => material.0.push(jwk),
                Err(e) => material.1.push((name, e.to_string())),
            }
        }
        return Ok(KeyMaterial::Jwks {
            keys: material.0,
            unreadable: material.1,
            exposed,
            origin: None,
            chosen: SelectionCache::default(),
        });
    }
    if value.get("kty").is_some() {
        if value.get("d").is_some() {
            return Err(KeyError::PrivateKey);
        }
        return serde_json::from_value::<Jwk>(value.clone())
            .map(|jwk| KeyMaterial::Jwk(Box::new(jwk), SelectionCache::default()))
            .map_err(|e| KeyError::Json(format!("the JWK could not be read: {e}")));
    }
    Err(KeyError::Json(
        "JSON, but neither a JWK (no \"kty\") nor a JWKS (no \"keys\" array)".to_owned(),
    ))
}

/// Wraps a base64 DER certificate (an `x5c` entry) as PEM, after capping its size and walking its DER.
pub fn certificate_pem(der_base64: &str) -> Result<KeyMaterial, String> {
    if der_base64.len() > MAX_X5C_BYTES {
        return Err(format!(
            "the x5c certificate is {} characters, over the 16 KiB limit: real certificates are 1–3 KiB; refusing it",
            der_base64.len()
        ));
    }
    let der = base64_any(der_base64).ok_or("the x5c header is not a base64 certificate")?;
    der::check(&der).map_err(|e| format!("the x5c certificate cannot be read: {e}"))?;
    Ok(KeyMaterial::Pem {
        label: "CERTIFICATE".to_owned(),
        text: pem_block("CERTIFICATE", &der),
        chosen: SelectionCache::default(),
    })
}

/// The key family a JWK holds.
pub fn jwk_family(jwk: &Jwk) -> Option<AlgorithmFamily> {
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Some(AlgorithmFamily::Rsa),
        AlgorithmParameters::EllipticCurve(_) => Some(AlgorithmFamily::Ec),
        AlgorithmParameters::OctetKeyPair(_) => Some(AlgorithmFamily::Ed),
        AlgorithmParameters::OctetKey(_) => Some(AlgorithmFamily::Hmac),
        _ => None,
    }
}

/// Builds a decoding key from a PEM block for the token's algorithm family.
pub fn pem_decoding_key(pem: &str, alg: Algorithm) -> jsonwebtoken::errors::Result<DecodingKey> {
    // jsonwebtoken parses PEM DER with a recursive parser: only bounded DER may reach it.
    if check_pem_der(pem).is_err() {
        return Err(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat.into());
    }
    match alg.family() {
        AlgorithmFamily::Rsa => DecodingKey::from_rsa_pem(pem.as_bytes()),
        AlgorithmFamily::Ec => DecodingKey::from_ec_pem(pem.as_bytes()),
        AlgorithmFamily::Ed => DecodingKey::from_ed_pem(pem.as_bytes()),
        AlgorithmFamily::Hmac => Err(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat.into()),
    }
}

/// Names a family for messages.
pub fn family_name(family: AlgorithmFamily) -> &'static str {
    match family {
        AlgorithmFamily::Hmac => "an HMAC shared secret",
        AlgorithmFamily::Rsa => "an RSA public key",
        AlgorithmFamily::Ec => "an EC public key",
        AlgorithmFamily::Ed => "an Ed25519 public key",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_secret_is_decoded_like_auth0_secret_encoded() {
        let KeyMaterial::Secret(bytes) = parse_key(KeyInput::SecretBase64("c2VjcmV0LWtleQ")).unwrap() else {
            panic!("expected a secret");
        };
        assert_eq!(bytes.as_slice(), b"secret-key");
    }

    #[test]
    fn private_keys_are_refused_with_advice() {
        let pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
        assert_eq!(parse_key_text(pem).unwrap_err(), KeyError::PrivateKey);
        assert_eq!(
            parse_key_text(r#"{"kty":"EC","d":"x"}"#).unwrap_err(),
            KeyError::PrivateKey
        );
    }

    #[test]
    fn jwks_keeps_readable_keys_and_names_unreadable_ones() {
        let jwks = r#"{"keys":[{"kty":"oct","kid":"a","k":"c2VjcmV0"},{"kty":"??","kid":"b"},{"kid":"c"}]}"#;
        let KeyMaterial::Jwks { keys, unreadable, .. } = parse_key_text(jwks).unwrap() else {
            panic!("expected a JWKS");
        };
        assert_eq!(keys.len(), 1);
        assert_eq!(unreadable[0].0, "b");
        assert_eq!(unreadable[1].0, "c");
    }

    #[test]
    fn debug_output_never_shows_secret_bytes() {
        let material = parse_key(KeyInput::SecretText("hunter2")).unwrap();
        assert!(!format!("{material:?}").contains("hunter2"));
    }

    #[test]
    fn garbage_is_not_a_key() {
        assert_eq!(parse_key_text("hello").unwrap_err(), KeyError::Unknown);
    }
}
