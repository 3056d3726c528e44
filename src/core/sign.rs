//! Signing arbitrary claims with any JWS algorithm tokenbench knows (`tokenbench mint jwt`). Pure: the key
//! arrives as text (an HMAC secret or a PKCS#8 / SEC1 / PKCS#1 PEM private key).

use crate::core::secret::SecretString;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;

/// The algorithms `mint jwt` signs with, as JOSE names.
pub const ALGORITHMS: [&str; 12] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

/// Why a token could not be signed; messages say what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// Not an algorithm in [`ALGORITHMS`].
    #[error(
        "unknown algorithm \"{0}\". Choose from: HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA"
    )]
    UnknownAlg(String),
    /// The claims are not a JSON object.
    #[error("the claims must be a JSON object, e.g. {{\"sub\":\"alice\",\"exp\":1900000000}}: {0}")]
    Claims(String),
    /// The key does not fit the algorithm.
    #[error("{alg} needs {needs}; the key given is not one")]
    Key {
        /// The algorithm.
        alg: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// The crypto library refused.
    #[error("the token could not be signed ({0}): check that the key matches the algorithm")]
    Sign(String),
}

/// The algorithm with this JOSE name.
pub fn parse_alg(name: &str) -> Result<Algorithm, SignError> {
    let alg = match name {
        "HS256" => Algorithm::HS256,
        "HS384" => Algorithm::HS384,
        "HS512" => Algorithm::HS512,
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        other => return Err(SignError::UnknownAlg(other.to_owned())),
    };
    Ok(alg)
}

/// Whether the algorithm takes an HMAC secret rather than a private key.
pub fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// Parses claims text: a JSON object.
pub fn parse_claims(text: &str) -> Result<Value, SignError> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(Value::Object(map)),
        Ok(_) => Err(SignError::Claims("it is JSON, but not an object".to_owned())),
        Err(e) => Err(SignError::Claims(e.to_string())),
    }
}

pub(crate) fn encoding_key(alg: Algorithm, key: &SecretString) -> Result<EncodingKey, SignError> {
    let pem = key.expose().as_bytes();
    let (result, alg_name, needs) = match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => return Ok(EncodingKey::from_secret(pem)),
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
            (EncodingKey::from_rsa_pem(pem), "RS*", "an RSA private key in PEM")
        }
        Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => {
            (EncodingKey::from_rsa_pem(pem), "PS*", "an RSA private key in PEM")
        }
        Algorithm::ES256 | Algorithm::ES384 => (
            EncodingKey::from_ec_pem(pem),
            "ES*",
            "an EC private key in PEM (P-256 for ES256, P-384 for ES384)",
        ),
        Algorithm::EdDSA => (EncodingKey::from_ed_pem(pem), "EdDSA", "an Ed25519 private key in PEM"),
        // `Algorithm` is non-exhaustive; `parse_alg` never yields another one.
        other => return Err(SignError::UnknownAlg(format!("{other:?}"))),
    };
    result.map_err(|_| SignError::Key { alg: alg_name, needs })
}

/// Signs `claims` (a JSON object) with `alg`, typ `JWT` and an optional `kid`.
pub fn sign(alg: Algorithm, key: &SecretString, claims: &Value, kid: Option<&str>) -> Result<String, SignError> {
    let encoding = encoding_key(alg, key)?;
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &encoding).map_err(|e| SignError::Sign(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_algorithm_parses_and_others_are_refused_with_the_list() {
        for name in ALGORITHMS {
            assert!(parse_alg(name).is_ok(), "{name}");
        }
        assert!(
            parse_alg("none")
                .unwrap_err()
                .to_string()
                .contains("Choose from: HS256")
        );
    }

    #[test]
    fn hmac_signing_verifies_and_a_secret_is_not_an_rsa_key() {
        let claims = parse_claims(r#"{"sub":"a"}"#).unwrap();
        let token = sign(Algorithm::HS384, &SecretString::new("s"), &claims, Some("k1")).unwrap();
        let key = jsonwebtoken::DecodingKey::from_secret(b"s");
        let mut validation = jsonwebtoken::Validation::new(Algorithm::HS384);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        assert!(jsonwebtoken::decode::<Value>(&token, &key, &validation).is_ok());
        let error = sign(Algorithm::RS256, &SecretString::new("s"), &claims, None).unwrap_err();
        assert!(matches!(error, SignError::Key { .. }), "{error}");
        assert!(parse_claims("[1]").is_err() && parse_claims("{").is_err());
    }
}
