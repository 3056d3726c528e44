//! Simulated native-social artifacts: Sign in with Apple authorization codes and Facebook session tokens
//! (opaque, sealed with the tenant's artifact key so another process serving the tenant can open them,
//! single use), and Google id tokens (RS256 JWTs from a simulated Google key). Pure: time and nonces are
//! passed in.

use super::keys::{KeyError, SigningKey};
use crate::core::jwt::decode::base64url;
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// `iss` of Google id tokens.
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// How long a simulated Apple authorization code lives (Apple: 5 minutes).
pub const APPLE_CODE_LIFETIME: i64 = 300;
/// How long a simulated Facebook session token lives.
pub const FACEBOOK_TOKEN_LIFETIME: i64 = 3_600;
/// How long a simulated Google id token lives (Google: 1 hour).
pub const GOOGLE_ID_TOKEN_LIFETIME: i64 = 3_600;
/// Longest subject token considered.
const MAX_ARTIFACT_LEN: usize = 16 * 1024;
/// Used nonces remembered before the ones expiring first are dropped.
const MAX_USED_NONCES: usize = 100_000;

/// The native-social subject token types, shared with the client forms.
pub use crate::core::protocol::subject::SubjectTokenType as SubjectType;

/// Which opaque artifact: the prefix keeps an Apple code from passing as a Facebook token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opaque {
    /// A Sign in with Apple authorization code, `c…`.
    AppleCode,
    /// A Facebook session-info access token, `EAAT…`.
    FacebookToken,
}

impl Opaque {
    fn prefix(self) -> &'static str {
        match self {
            Self::AppleCode => "c",
            Self::FacebookToken => "EAAT",
        }
    }

    /// How long a new artifact of this kind lives.
    pub fn lifetime(self) -> i64 {
        match self {
            Self::AppleCode => APPLE_CODE_LIFETIME,
            Self::FacebookToken => FACEBOOK_TOKEN_LIFETIME,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::AppleCode => "Apple authorization code",
            Self::FacebookToken => "Facebook session token",
        }
    }
}

/// What a sealed artifact says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The provider's user ID (Apple `sub`, Facebook user ID).
    pub sub: String,
    /// The provider client it was issued to (Apple client ID, Facebook app ID).
    pub aud: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Unique per artifact: the single-use key.
    pub nonce: String,
    /// The email the provider vouches for (Apple), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Why an artifact was refused; the text goes into `invalid_grant`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactError {
    /// Not one of ours, or altered.
    #[error(
        "the {0} is not valid: mint one with `tokenbench mint` against this tenant (the artifact key must be the same)"
    )]
    Invalid(&'static str),
    /// Issued for another provider client.
    #[error("the {kind} was issued to {aud}, not to this tenant's {expected}: check settings in the tenant file")]
    WrongAudience {
        /// What it is.
        kind: &'static str,
        /// Its audience.
        aud: String,
        /// The tenant's client ID for the provider.
        expected: String,
    },
    /// Past its expiry.
    #[error("the {0} has expired: mint a new one")]
    Expired(&'static str),
    /// Already exchanged.
    #[error("the {0} has already been used: each one can be exchanged once, mint a new one")]
    Replayed(&'static str),
}

fn mac(key: &[u8], message: &str) -> hmac::Tag {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message.as_bytes())
}

/// Seals an artifact: `prefix + base64url(payload JSON) + "." + base64url(HMAC-SHA256(key, prefix + payload))`.
pub fn seal(key: &[u8], kind: Opaque, sealed: &Sealed) -> String {
    let payload = json!(sealed).to_string();
    let head = format!("{}{}", kind.prefix(), base64url(payload.as_bytes()));
    let tag = base64url(mac(key, &head).as_ref());
    format!("{head}.{tag}")
}

/// Opens an artifact sealed with `key`: checks its kind, MAC, audience and expiry (not whether it was used).
pub fn open(key: &[u8], kind: Opaque, token: &str, expected_aud: &str, now: i64) -> Result<Sealed, ArtifactError> {
    let invalid = || ArtifactError::Invalid(kind.name());
    if token.len() > MAX_ARTIFACT_LEN || !token.starts_with(kind.prefix()) {
        return Err(invalid());
    }
    let (head, tag) = token.rsplit_once('.').ok_or_else(invalid)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
    hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, key), head.as_bytes(), &tag).map_err(|_| invalid())?;
    let payload = URL_SAFE_NO_PAD
        .decode(&head[kind.prefix().len()..])
        .map_err(|_| invalid())?;
    let sealed: Sealed = serde_json::from_slice(&payload).map_err(|_| invalid())?;
    if sealed.aud != expected_aud {
        return Err(ArtifactError::WrongAudience {
            kind: kind.name(),
            aud: sealed.aud,
            expected: expected_aud.to_owned(),
        });
    }
    if now >= sealed.exp {
        return Err(ArtifactError::Expired(kind.name()));
    }
    Ok(sealed)
}

/// A simulated Google id token for `client_id`, signed RS256 with the simulated Google key.
pub fn google_id_token(
    key: &SigningKey,
    client_id: &str,
    sub: &str,
    email: Option<&str>,
    now: i64,
) -> Result<String, KeyError> {
    let mut claims = json!({
        "iss": GOOGLE_ISSUER, "azp": client_id, "aud": client_id, "sub": sub,
        "iat": now, "exp": now + GOOGLE_ID_TOKEN_LIFETIME,
    });
    if let (Some(email), Some(map)) = (email, claims.as_object_mut()) {
        map.insert("email".to_owned(), json!(email));
        map.insert("email_verified".to_owned(), json!(true));
    }
    key.sign(&claims)
}

/// Nonces of artifacts already exchanged, until they expire; bounded.
#[derive(Debug, Clone, Default)]
pub struct UsedNonces {
    expiry: BTreeMap<String, i64>,
}

impl UsedNonces {
    /// Marks a nonce used; false when it already was. Expired nonces are dropped first.
    pub fn use_once(&mut self, nonce: &str, exp: i64, now: i64) -> bool {
        self.expiry.retain(|_, e| *e > now);
        if self.expiry.contains_key(nonce) {
            return false;
        }
        if self.expiry.len() >= MAX_USED_NONCES
            && let Some(first) = self.expiry.iter().min_by_key(|(_, e)| **e).map(|(n, _)| n.clone())
        {
            self.expiry.remove(&first);
        }
        self.expiry.insert(nonce.to_owned(), exp);
        true
    }

    /// Whether a nonce has been used.
    pub fn contains(&self, nonce: &str) -> bool {
        self.expiry.contains_key(nonce)
    }

    /// How many are remembered.
    pub fn len(&self) -> usize {
        self.expiry.len()
    }

    /// Whether none are remembered.
    pub fn is_empty(&self) -> bool {
        self.expiry.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(exp: i64) -> Sealed {
        Sealed {
            sub: "001.abc.1".into(),
            aud: "com.example".into(),
            exp,
            nonce: "n1".into(),
            email: None,
        }
    }

    #[test]
    fn a_sealed_code_opens_with_the_same_key_only() {
        let token = seal(b"key", Opaque::AppleCode, &code(100));
        assert_eq!(
            open(b"key", Opaque::AppleCode, &token, "com.example", 50).unwrap(),
            code(100)
        );
        assert!(matches!(
            open(b"other", Opaque::AppleCode, &token, "com.example", 50),
            Err(ArtifactError::Invalid(_))
        ));
        assert!(open(b"key", Opaque::FacebookToken, &token, "com.example", 50).is_err());
    }

    #[test]
    fn an_altered_expired_or_misaddressed_code_is_refused() {
        let token = seal(b"key", Opaque::AppleCode, &code(100));
        let forged = seal(b"key", Opaque::AppleCode, &code(10_000));
        let spliced = format!(
            "{}.{}",
            forged.split('.').next().unwrap(),
            token.split('.').nth(1).unwrap()
        );
        assert!(matches!(
            open(b"key", Opaque::AppleCode, &spliced, "com.example", 50),
            Err(ArtifactError::Invalid(_))
        ));
        assert!(matches!(
            open(b"key", Opaque::AppleCode, &token, "com.example", 100),
            Err(ArtifactError::Expired(_))
        ));
        let error = open(b"key", Opaque::AppleCode, &token, "com.other", 50).unwrap_err();
        assert!(error.to_string().contains("com.example"), "{error}");
    }

    #[test]
    fn a_nonce_is_used_once_until_it_expires() {
        let mut used = UsedNonces::default();
        assert!(used.use_once("a", 100, 0));
        assert!(!used.use_once("a", 100, 50));
        assert!(used.use_once("b", 200, 150));
        assert!(!used.contains("a") && used.len() == 1);
    }

    #[test]
    fn subject_types_round_trip_their_uris() {
        for t in SubjectType::ALL {
            assert_eq!(SubjectType::parse(t.uri()), Some(t));
        }
        assert_eq!(
            SubjectType::parse("http://auth0.com/oauth/token-type/apple-id-token"),
            None
        );
    }
}
