//! The tenant's RSA signing keys: current, next (published ahead of rotation) and previous (still published
//! after rotation until revoked), their JWKS, and signing helpers for RS256 and HS256.

use super::certificate::KeyCertificate;
use super::key_history::KeyHistory;
use crate::core::jwt::decode::{base64_any, base64url};
use crate::core::secret::SecretString;
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::Arc;

/// Why a key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not an RSA private key in PKCS#8 PEM.
    #[error(
        "{0} is not an RSA private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----): generate one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`"
    )]
    NotRsa(String),
    /// Signing failed.
    #[error("the token could not be signed: {0}")]
    Sign(String),
    /// The key's certificate could not be made.
    #[error("the signing key's certificate could not be made ({0}); the key is not used: try again")]
    Certificate(String),
}

/// One RSA key pair with its `kid` and public components.
#[derive(Clone)]
pub struct SigningKey {
    /// Key id, a thumbprint of the modulus.
    pub kid: String,
    /// Parsed and checked once: `jsonwebtoken` would parse the DER and run `RSA_check_key` on every signature.
    pair: Arc<RsaKeyPair>,
    /// The base64url JWS header, the same for every token this key signs.
    header: String,
    n: String,
    e: String,
    /// Published as `x5c`/`x5t`; made once, by [`SigningKey::with_certificate`].
    certificate: Option<Arc<KeyCertificate>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(kid={})", self.kid)
    }
}

impl SigningKey {
    /// Reads a PKCS#8 PEM private key; `what` names it in the error.
    pub fn from_pem(pem: &SecretString, what: &str) -> Result<Self, KeyError> {
        let not_rsa = || KeyError::NotRsa(what.to_owned());
        let body: String = pem.expose().lines().filter(|l| !l.starts_with("-----")).collect();
        let der = zeroize::Zeroizing::new(base64_any(&body).ok_or_else(not_rsa)?);
        let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).map_err(|_| not_rsa())?;
        let public = pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero().to_vec();
        let e = public.exponent().big_endian_without_leading_zero().to_vec();
        let thumb = base64url(digest(&SHA256, &n).as_ref());
        let kid: String = thumb.chars().take(22).collect();
        let header = json!({ "typ": "JWT", "alg": "RS256", "kid": kid });
        Ok(Self {
            header: base64url(header.to_string().as_bytes()),
            kid,
            pair: Arc::new(pair),
            n: base64url(&n),
            e: base64url(&e),
            certificate: None,
        })
    }

    /// The same key with its self-signed certificate for `CN=common_name`, valid from `not_before`.
    pub fn with_certificate(mut self, common_name: &str, not_before: i64) -> Result<Self, KeyError> {
        let certificate = KeyCertificate::build(&self.pair, common_name, not_before)?;
        self.certificate = Some(Arc::new(certificate));
        Ok(self)
    }

    /// The certificate, once made.
    pub fn certificate(&self) -> Option<&KeyCertificate> {
        self.certificate.as_deref()
    }

    /// The public key as a JWK, members in the order Auth0 serves them (`x5t`, `x5c` once certified).
    pub fn jwk(&self) -> Value {
        let mut jwk = json!({ "alg": "RS256", "kty": "RSA", "use": "sig", "n": self.n, "e": self.e, "kid": self.kid });
        if let (Some(cert), Some(members)) = (&self.certificate, jwk.as_object_mut()) {
            members.insert("x5t".to_owned(), json!(cert.x5t()));
            members.insert("x5c".to_owned(), json!([cert.x5c()]));
        }
        jwk
    }

    /// Signs claims with RS256 and this key's `kid` (header `{"typ":"JWT","alg":"RS256","kid":…}`).
    pub fn sign(&self, claims: &Value) -> Result<String, KeyError> {
        let mut token = format!("{}.{}", self.header, base64url(claims.to_string().as_bytes()));
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                token.as_bytes(),
                &mut signature,
            )
            .map_err(|e| KeyError::Sign(e.to_string()))?;
        token.push('.');
        token.push_str(&base64url(&signature));
        Ok(token)
    }
}

/// Signs claims with an HMAC secret (HS256, no `kid`, as Auth0's legacy tokens).
pub fn sign_hs256(secret: &[u8], claims: &Value) -> Result<String, KeyError> {
    sign_with(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
}

/// Signs claims with RS256 using a PEM key that is not a tenant key (Firebase service accounts).
pub fn sign_rs256_pem(pem: &SecretString, kid: Option<&str>, claims: &Value) -> Result<String, KeyError> {
    let key = EncodingKey::from_rsa_pem(pem.expose().as_bytes())
        .map_err(|_| KeyError::NotRsa("the service-account private_key".to_owned()))?;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    sign_with(&header, claims, &key)
}

fn sign_with(header: &Header, claims: &Value, key: &EncodingKey) -> Result<String, KeyError> {
    jsonwebtoken::encode(header, claims, key).map_err(|e| KeyError::Sign(e.to_string()))
}

/// Current, next and previous signing keys.
#[derive(Debug, Clone)]
pub struct KeySet {
    /// Signs every RS256 token.
    pub current: SigningKey,
    /// Published now, signs after the next rotation.
    pub next: SigningKey,
    /// The key before the last rotation, published until revoked.
    pub previous: Option<SigningKey>,
    /// When keys became current and were revoked.
    history: KeyHistory,
}

impl KeySet {
    /// A key set without a previous key.
    pub fn new(current: SigningKey, next: SigningKey) -> Self {
        Self {
            current,
            next,
            previous: None,
            history: KeyHistory::default(),
        }
    }

    /// Certifies every key as `CN=common_name` from `now`, and dates the current key from `now`: the issuer's
    /// start.
    pub fn start(&mut self, common_name: &str, now: i64) -> Result<(), KeyError> {
        for slot in [Some(&mut self.current), Some(&mut self.next), self.previous.as_mut()]
            .into_iter()
            .flatten()
        {
            *slot = slot.clone().with_certificate(common_name, now)?;
        }
        self.history.became_current(&self.current.kid, now);
        Ok(())
    }

    /// Makes `next` current, keeps the old current as previous, and publishes `new_next`, at `now`. A previous
    /// key still published is replaced, so it stops verifying as if revoked, and is listed as revoked.
    pub fn rotate(&mut self, new_next: SigningKey, now: i64) {
        let old = std::mem::replace(&mut self.current, std::mem::replace(&mut self.next, new_next));
        self.history.stopped_being_current(&old.kid, now);
        self.history.became_current(&self.current.kid, now);
        if let Some(dropped) = self.previous.replace(old) {
            self.history.revoked(&dropped, now);
        }
    }

    /// Stops publishing the previous key at `now`: tokens it signed no longer verify.
    pub fn revoke_previous(&mut self, now: i64) {
        if let Some(previous) = self.previous.take() {
            self.history.revoked(&previous, now);
        }
    }

    /// When keys became current and were revoked.
    pub fn history(&self) -> &KeyHistory {
        &self.history
    }

    /// `/.well-known/jwks.json`: current, next, then previous.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = [Some(&self.current), Some(&self.next), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .map(SigningKey::jwk)
            .collect();
        json!({ "keys": keys })
    }
}
