//! Client-side DPoP (RFC 9449): a fresh ES256 proof for each request — `typ: dpop+jwt`, the public key as
//! `jwk`, `htm`, `htu` (without query or fragment), `iat`, a unique `jti`, and the server's nonce when it asked
//! for one. Pure: the private key, the time and the random `jti` are given.

use crate::core::jwt::decode::{base64_any, base64url};
use crate::core::jwt::thumbprint::p256_thumbprint;
use crate::core::secret::SecretString;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

/// Why a proof could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DpopError {
    /// The keyring item is not a P-256 private key.
    #[error("the DPoP key is not an EC P-256 private key (PKCS#8 PEM): generate one with \"Generate a DPoP key\"")]
    Key,
    /// The URL cannot be used as `htu`.
    #[error("{0} cannot be used as the DPoP htu")]
    Url(String),
    /// Signing failed.
    #[error("the DPoP proof could not be signed: {0}")]
    Sign(String),
}

/// The parts of one proof.
pub struct ProofInput<'a> {
    /// HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The request URL.
    pub url: &'a str,
    /// Now, Unix seconds.
    pub now: i64,
    /// A fresh random value.
    pub jti: &'a str,
    /// The server's `DPoP-Nonce`, once it asked for one.
    pub nonce: Option<&'a str>,
}

/// Builds a proof signed with `key_pem` (a PKCS#8 P-256 private key).
pub fn proof(key_pem: &SecretString, input: &ProofInput<'_>) -> Result<String, DpopError> {
    let der = pem_der(key_pem.expose()).ok_or(DpopError::Key)?;
    let (x, y) = public_point(&der)?;
    let mut htu = url::Url::parse(input.url).map_err(|_| DpopError::Url(input.url.to_owned()))?;
    htu.set_query(None);
    htu.set_fragment(None);
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("dpop+jwt".to_owned());
    header.jwk = serde_json::from_value(json!({"kty": "EC", "crv": "P-256", "x": x, "y": y})).ok();
    let mut claims = json!({"htm": input.method, "htu": htu.as_str(), "iat": input.now, "jti": input.jti});
    if let Some(nonce) = input.nonce {
        claims["nonce"] = nonce.into();
    }
    let key = EncodingKey::from_ec_der(&der);
    jsonwebtoken::encode(&header, &claims, &key).map_err(|e| DpopError::Sign(e.to_string()))
}

/// The key's RFC 7638 thumbprint: the `cnf.jkt` a server binds DPoP tokens to.
pub fn thumbprint(key_pem: &SecretString) -> Result<String, DpopError> {
    let der = pem_der(key_pem.expose()).ok_or(DpopError::Key)?;
    let (x, y) = public_point(&der)?;
    Ok(p256_thumbprint(&x, &y))
}

/// The public key's `x` and `y`, base64url, from a PKCS#8 P-256 private key.
fn public_point(der: &[u8]) -> Result<(String, String), DpopError> {
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).map_err(|_| DpopError::Key)?;
    match pair.public_key().as_ref() {
        [0x04, rest @ ..] if rest.len() == 64 => Ok((base64url(&rest[..32]), base64url(&rest[32..]))),
        _ => Err(DpopError::Key),
    }
}

fn pem_der(pem: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64_any(&body).map(zeroize::Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p256_pem() -> SecretString {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        SecretString::new(crate::core::jwt::decode::pem_block("PRIVATE KEY", doc.as_ref()))
    }

    #[test]
    fn a_proof_is_a_dpop_jwt_bound_to_method_and_url_without_query() {
        let key = p256_pem();
        let input = ProofInput {
            method: "POST",
            url: "http://127.0.0.1:4000/oauth/token?x=1",
            now: 1_700_000_000,
            jti: "j1",
            nonce: Some("n1"),
        };
        let token = proof(&key, &input).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.typ.as_deref(), Some("dpop+jwt"));
        assert_eq!(header.alg, Algorithm::ES256);
        let payload = token.split('.').nth(1).and_then(base64_any).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(claims["htu"], "http://127.0.0.1:4000/oauth/token");
        assert_eq!(
            (claims["htm"].as_str(), claims["nonce"].as_str()),
            (Some("POST"), Some("n1"))
        );
        assert_eq!(thumbprint(&key).unwrap().len(), 43);
    }

    #[test]
    fn an_rsa_or_garbage_key_is_refused_with_advice() {
        let error = proof(
            &SecretString::new("not a key"),
            &ProofInput {
                method: "POST",
                url: "http://x/",
                now: 0,
                jti: "j",
                nonce: None,
            },
        );
        assert_eq!(error.unwrap_err(), DpopError::Key);
    }
}
