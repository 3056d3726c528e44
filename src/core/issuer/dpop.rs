//! DPoP proofs at the token endpoint (RFC 9449): an ES256 JWT of type `dpop+jwt` carrying its public key,
//! bound to the method and URL, fresh (`iat` within a minute) and unique (`jti`), optionally carrying the
//! server's nonce. Access tokens bound to the key carry `cnf.jkt`, its RFC 7638 thumbprint.

use super::error::OAuthError;
use crate::core::protocol::header::DPOP_NONCE;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub use crate::core::jwt::thumbprint::p256_thumbprint as thumbprint;

/// How far a proof's `iat` may be from now, in seconds.
pub const IAT_WINDOW: i64 = 60;
/// How long a server nonce is current; the previous one is still accepted for another period.
pub const NONCE_LIFETIME: i64 = 300;
/// Longest proof considered.
const MAX_PROOF_LEN: usize = 8 * 1024;
/// Proof `jti`s remembered before the oldest are dropped.
const MAX_JTIS: usize = 100_000;

/// What a valid proof binds a token to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key, base64url.
    pub jkt: String,
    /// The proof's `jti`.
    pub jti: String,
    /// The proof's `nonce`, if any.
    pub nonce: Option<String>,
    /// The proof's `ath` (hash of the access token it goes with), if any.
    pub ath: Option<String>,
}

/// The server side of DPoP: the current nonce and the `jti`s already seen.
#[derive(Debug, Clone, Default)]
pub struct DpopState {
    nonce: Option<(String, i64)>,
    previous: Option<String>,
    jtis: BTreeMap<String, i64>,
}

impl DpopState {
    /// The nonce clients must send now, made (or rotated) with `fresh` when due.
    pub fn nonce(&mut self, now: i64, fresh: &dyn Fn() -> String) -> String {
        match &self.nonce {
            Some((value, since)) if now - since < NONCE_LIFETIME => value.clone(),
            _ => {
                let value = fresh();
                self.previous = self.nonce.take().map(|(v, _)| v);
                self.nonce = Some((value.clone(), now));
                value
            }
        }
    }

    /// Whether `nonce` is the current or the previous nonce.
    pub fn nonce_is_valid(&self, nonce: &str) -> bool {
        self.nonce.as_ref().is_some_and(|(v, _)| v == nonce) || self.previous.as_deref() == Some(nonce)
    }

    /// Records a proof's `jti`; false when it was seen within the `iat` window.
    pub fn use_jti(&mut self, jti: &str, now: i64) -> bool {
        self.jtis.retain(|_, seen| now - *seen <= 2 * IAT_WINDOW);
        if self.jtis.contains_key(jti) {
            return false;
        }
        if self.jtis.len() >= MAX_JTIS
            && let Some(oldest) = self.jtis.iter().min_by_key(|(_, s)| **s).map(|(j, _)| j.clone())
        {
            self.jtis.remove(&oldest);
        }
        self.jtis.insert(jti.to_owned(), now);
        true
    }
}

fn invalid(why: impl std::fmt::Display) -> OAuthError {
    OAuthError::other(400, "invalid_dpop_proof", format!("Invalid DPoP proof: {why}"))
}

/// Checks a proof's form, signature, `htm`, `htu` and `iat` (not its nonce nor whether `jti` is new).
pub fn verify(proof: &str, method: &str, url: &str, now: i64) -> Result<Proof, OAuthError> {
    if proof.len() > MAX_PROOF_LEN {
        return Err(invalid("the proof is longer than 8 KiB"));
    }
    let header = header_of(proof)?;
    let field = |name: &str| header.get(name).and_then(Value::as_str);
    if field("typ") != Some("dpop+jwt") {
        return Err(invalid("the header's typ must be dpop+jwt"));
    }
    if field("alg") != Some("ES256") {
        return Err(invalid(
            "the header's alg must be ES256 (this issuer's dpop_signing_alg_values_supported)",
        ));
    }
    let jwk = header
        .get("jwk")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the header must carry the public key as jwk"))?;
    let (x, y) = p256_point(jwk)?;
    let claims = signed_claims(proof, &x, &y)?;
    check_claims(&claims, method, url, now)?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok(Proof {
        jkt: thumbprint(&x, &y),
        jti: text("jti").ok_or_else(|| invalid("the jti claim is missing"))?,
        nonce: text("nonce"),
        ath: text("ath"),
    })
}

fn header_of(proof: &str) -> Result<Map<String, Value>, OAuthError> {
    let first = proof.split('.').next().unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD
        .decode(first)
        .map_err(|_| invalid("the header is not base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid("the header is not a JSON object")),
    }
}

/// The public P-256 point of a JWK, refusing private keys and other curves.
fn p256_point(jwk: &Map<String, Value>) -> Result<(String, String), OAuthError> {
    if jwk.contains_key("d") {
        return Err(invalid("the jwk contains a private key (d): send only the public part"));
    }
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    if text("kty") != Some("EC") || text("crv") != Some("P-256") {
        return Err(invalid("the jwk must be an EC P-256 public key"));
    }
    let coordinate = |name: &str| {
        text(name)
            .filter(|c| URL_SAFE_NO_PAD.decode(c).is_ok_and(|b| b.len() == 32))
            .map(str::to_owned)
            .ok_or_else(|| invalid(format!("the jwk's {name} is not a 32-byte base64url coordinate")))
    };
    Ok((coordinate("x")?, coordinate("y")?))
}

fn signed_claims(proof: &str, x: &str, y: &str) -> Result<Map<String, Value>, OAuthError> {
    let key = jsonwebtoken::DecodingKey::from_ec_components(x, y).map_err(invalid)?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Value>(proof, &key, &validation)
        .map_err(|e| invalid(format!("the signature does not verify with the jwk ({e})")))?;
    match data.claims {
        Value::Object(map) => Ok(map),
        _ => Err(invalid("the payload is not a JSON object")),
    }
}

fn check_claims(claims: &Map<String, Value>, method: &str, url: &str, now: i64) -> Result<(), OAuthError> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    if text("htm") != Some(method) {
        return Err(invalid(format!("htm must be {method}")));
    }
    let htu = text("htu").unwrap_or_default();
    let htu = htu.split(['?', '#']).next().unwrap_or_default();
    if htu != url {
        return Err(invalid(format!(
            "htu must be {url}, the URL of this request without query, not \"{}\"",
            htu.escape_debug()
        )));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("the iat claim is missing"))?;
    if (iat - now).abs() > IAT_WINDOW {
        return Err(invalid(format!(
            "iat is {}s from the server's time (allowed: {IAT_WINDOW}s): make a fresh proof",
            iat - now
        )));
    }
    Ok(())
}

/// The 400 that asks for a proof with the server's nonce, with the nonce in `DPoP-Nonce`.
pub fn use_nonce(nonce: &str) -> super::Reply {
    let error = OAuthError::other(
        400,
        "use_dpop_nonce",
        "Authorization server requires nonce in DPoP proof",
    );
    let mut reply = super::Reply::from(error);
    reply.headers.push((DPOP_NONCE, nonce.to_owned()));
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_proof_passes_these_checks_and_carries_the_nonce() {
        use crate::core::auth0::dpop::{ProofInput, proof, thumbprint as client_thumbprint};
        use crate::core::secret::SecretString;
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = SecretString::new(crate::core::jwt::decode::pem_block("PRIVATE KEY", doc.as_ref()));
        let input = ProofInput {
            method: "POST",
            url: "http://127.0.0.1:4000/oauth/token?x=1",
            now: 1_700_000_000,
            jti: "j1",
            nonce: Some("n1"),
        };
        let token = proof(&key, &input).unwrap();
        let checked = verify(&token, "POST", "http://127.0.0.1:4000/oauth/token", 1_700_000_000).unwrap();
        assert_eq!(checked.nonce.as_deref(), Some("n1"));
        assert_eq!(checked.jti, "j1");
        assert_eq!(
            client_thumbprint(&key).unwrap(),
            checked.jkt,
            "the client's thumbprint is the server's cnf.jkt"
        );
    }

    #[test]
    fn nonces_rotate_and_the_previous_one_still_counts() {
        let mut state = DpopState::default();
        let first = state.nonce(0, &|| "one".to_owned());
        assert_eq!(state.nonce(10, &|| "two".to_owned()), first);
        let second = state.nonce(NONCE_LIFETIME, &|| "two".to_owned());
        assert_eq!(second, "two");
        assert!(state.nonce_is_valid("one") && state.nonce_is_valid("two") && !state.nonce_is_valid("x"));
    }

    #[test]
    fn a_jti_is_accepted_once() {
        let mut state = DpopState::default();
        assert!(state.use_jti("j", 0));
        assert!(!state.use_jti("j", 60));
        assert!(state.use_jti("j", 1_000));
    }

    #[test]
    fn malformed_proofs_are_invalid_dpop_proof() {
        for proof in ["", "x.y.z", "eyJhbGciOiJub25lIn0.e30."] {
            let error = verify(proof, "POST", "http://x/oauth/token", 0).unwrap_err();
            assert_eq!(error.error, "invalid_dpop_proof", "{proof}");
        }
    }
}
