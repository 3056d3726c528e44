//! Shared test helpers: key pairs generated once per test binary with aws-lc-rs, tokens signed with
//! `jsonwebtoken`, and the public halves as PEM, JWK, JWKS and self-signed X.509 certificates (rcgen).
#![allow(dead_code)]

pub mod tls;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::OnceLock;

/// A fixed "now" for tests: 2025-06-15 15:06:40 UTC.
pub const NOW: i64 = 1_750_000_000;

/// The issuer used by [`auth0_claims`], with the trailing slash Auth0 always uses.
pub const ISSUER: &str = "https://tenant.example.auth0.com/";

/// The client ID used by [`auth0_claims`] as `aud`.
pub const CLIENT_ID: &str = "k5u3o2fiAA8XweXEEX604KCwCjzjtMU6";

/// The kinds of asymmetric key the verifier supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA 2048, for RS256/384/512 and PS256/384/512.
    Rsa,
    /// EC P-256, for ES256.
    P256,
    /// EC P-384, for ES384.
    P384,
    /// Ed25519, for EdDSA.
    Ed25519,
}

impl KeyKind {
    /// The kind of key an asymmetric algorithm needs; `None` for HMAC.
    pub fn for_alg(alg: Algorithm) -> Option<Self> {
        Some(match alg {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => Self::Rsa,
            Algorithm::ES256 => Self::P256,
            Algorithm::ES384 => Self::P384,
            Algorithm::EdDSA => Self::Ed25519,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        match self {
            Self::Rsa => 0,
            Self::P256 => 1,
            Self::P384 => 2,
            Self::Ed25519 => 3,
        }
    }
}

/// Every HMAC algorithm.
pub const HMAC_ALGORITHMS: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// Every asymmetric algorithm the verifier supports.
pub const ASYMMETRIC_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// A generated key pair with its public half in every format the verifier reads.
pub struct TestKey {
    /// What kind of key this is.
    pub kind: KeyKind,
    /// The private key, PKCS#8 DER.
    pub pkcs8_der: Vec<u8>,
    /// The public key, SubjectPublicKeyInfo DER.
    pub spki_der: Vec<u8>,
    /// The public JWK members (`kty`, `n`/`e`, `crv`/`x`/`y`), without `kid`, `alg` or `use`.
    jwk_members: serde_json::Map<String, Value>,
    /// A self-signed certificate for this key, made on first use.
    certificate: OnceLock<Vec<u8>>,
}

/// Two key pairs of each kind per test binary: slot 0 is "the" key, slot 1 "another key of the same kind".
static KEYS: [[OnceLock<TestKey>; 2]; 4] = [const { [const { OnceLock::new() }; 2] }; 4];

/// The key of `kind` in `slot` (0 or 1), generated on first use.
pub fn key(kind: KeyKind, slot: usize) -> &'static TestKey {
    KEYS[kind.index()][slot].get_or_init(|| TestKey::generate(kind))
}

/// The main key for an asymmetric algorithm.
pub fn key_for(alg: Algorithm) -> &'static TestKey {
    key(KeyKind::for_alg(alg).expect("an asymmetric algorithm"), 0)
}

/// Another key of the same kind as [`key_for`], which must not verify its tokens.
pub fn other_key_for(alg: Algorithm) -> &'static TestKey {
    key(KeyKind::for_alg(alg).expect("an asymmetric algorithm"), 1)
}

impl TestKey {
    /// Generates a fresh key pair.
    pub fn generate(kind: KeyKind) -> Self {
        let rng = SystemRandom::new();
        let mut members = serde_json::Map::new();
        let (pkcs8_der, spki_der) = match kind {
            KeyKind::Rsa => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
                let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair)
                    .expect("RSA PKCS#8")
                    .as_ref()
                    .to_vec();
                let public = pair.public_key();
                let spki = public.as_der().expect("RSA SPKI").as_ref().to_vec();
                members.insert("kty".into(), "RSA".into());
                members.insert(
                    "n".into(),
                    b64url(public.modulus().big_endian_without_leading_zero()).into(),
                );
                members.insert(
                    "e".into(),
                    b64url(public.exponent().big_endian_without_leading_zero()).into(),
                );
                (pkcs8, spki)
            }
            KeyKind::P256 | KeyKind::P384 => {
                let (alg, crv) = if kind == KeyKind::P256 {
                    (&ECDSA_P256_SHA256_FIXED_SIGNING, "P-256")
                } else {
                    (&ECDSA_P384_SHA384_FIXED_SIGNING, "P-384")
                };
                let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).expect("EC key generation");
                let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref()).expect("EC PKCS#8");
                let public = pair.public_key();
                let spki = public.as_der().expect("EC SPKI").as_ref().to_vec();
                // The raw public key is the uncompressed point 04 || x || y.
                let point = public.as_ref();
                assert_eq!(point[0], 4, "uncompressed EC point");
                let (x, y) = point[1..].split_at((point.len() - 1) / 2);
                members.insert("kty".into(), "EC".into());
                members.insert("crv".into(), crv.into());
                members.insert("x".into(), b64url(x).into());
                members.insert("y".into(), b64url(y).into());
                (pkcs8.as_ref().to_vec(), spki)
            }
            KeyKind::Ed25519 => {
                let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).expect("Ed25519 key generation");
                let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("Ed25519 PKCS#8");
                let public = pair.public_key();
                let spki = public.as_der().expect("Ed25519 SPKI").as_ref().to_vec();
                members.insert("kty".into(), "OKP".into());
                members.insert("crv".into(), "Ed25519".into());
                members.insert("x".into(), b64url(public.as_ref()).into());
                (pkcs8.as_ref().to_vec(), spki)
            }
        };
        Self {
            kind,
            pkcs8_der,
            spki_der,
            jwk_members: members,
            certificate: OnceLock::new(),
        }
    }

    /// The private key as a `-----BEGIN PRIVATE KEY-----` PEM.
    pub fn private_pem(&self) -> String {
        pem("PRIVATE KEY", &self.pkcs8_der)
    }

    /// The public key as a `-----BEGIN PUBLIC KEY-----` PEM.
    pub fn public_pem(&self) -> String {
        pem("PUBLIC KEY", &self.spki_der)
    }

    /// The signing key for `jsonwebtoken`.
    pub fn encoding_key(&self) -> EncodingKey {
        match self.kind {
            KeyKind::Rsa => EncodingKey::from_rsa_pem(self.private_pem().as_bytes()).expect("RSA encoding key"),
            KeyKind::P256 | KeyKind::P384 => EncodingKey::from_ec_der(&self.pkcs8_der),
            KeyKind::Ed25519 => EncodingKey::from_ed_der(&self.pkcs8_der),
        }
    }

    /// The public JWK, with `kid`, `alg` and `use` added when given.
    pub fn jwk(&self, kid: Option<&str>, alg: Option<Algorithm>) -> Value {
        let mut members = self.jwk_members.clone();
        if let Some(kid) = kid {
            members.insert("kid".into(), kid.into());
        }
        if let Some(alg) = alg {
            members.insert("alg".into(), format!("{alg:?}").into());
            members.insert("use".into(), "sig".into());
        }
        Value::Object(members)
    }

    /// The public JWK as JSON text.
    pub fn jwk_json(&self, kid: Option<&str>, alg: Option<Algorithm>) -> String {
        self.jwk(kid, alg).to_string()
    }

    /// A self-signed X.509 certificate (DER) for this key, made with rcgen once per key.
    pub fn certificate_der(&self) -> &[u8] {
        self.certificate.get_or_init(|| {
            let pair = rcgen::KeyPair::try_from(self.pkcs8_der.as_slice()).expect("rcgen reads the PKCS#8 key");
            let params =
                rcgen::CertificateParams::new(vec!["tenant.example.auth0.com".to_owned()]).expect("certificate params");
            params
                .self_signed(&pair)
                .expect("self-signed certificate")
                .der()
                .to_vec()
        })
    }

    /// The certificate as a `-----BEGIN CERTIFICATE-----` PEM.
    pub fn certificate_pem(&self) -> String {
        pem("CERTIFICATE", self.certificate_der())
    }

    /// The certificate as an `x5c` entry: standard, padded base64 DER.
    pub fn x5c(&self) -> String {
        STANDARD.encode(self.certificate_der())
    }

    /// Signs `claims` with this key, with a header holding `alg` and `kid` (when given).
    pub fn sign(&self, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        sign(&header(alg, kid), claims, &self.encoding_key())
    }
}

/// A JWKS holding the given JWKs.
pub fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

/// A `jsonwebtoken` header with `typ: JWT`, `alg` and optionally `kid`.
pub fn header(alg: Algorithm, kid: Option<&str>) -> Header {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    header
}

/// Signs `claims` with `jsonwebtoken::encode`.
pub fn sign(header: &Header, claims: &Value, key: &EncodingKey) -> String {
    jsonwebtoken::encode(header, claims, key).expect("jsonwebtoken signs the claims")
}

/// An HMAC token signed with `secret`.
pub fn hmac_token(alg: Algorithm, secret: &[u8], claims: &Value) -> String {
    sign(&header(alg, None), claims, &EncodingKey::from_secret(secret))
}

/// A token whose header and payload are the given JSON and whose signature segment is `signature`, as-is.
pub fn raw_token(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

/// Claims of a typical Auth0 ID token, valid at [`NOW`] for an hour.
pub fn auth0_claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "auth0|64b7f0c2a1d3e4f5a6b7c8d9",
        "aud": CLIENT_ID,
        "iat": NOW - 60,
        "exp": NOW + 3600,
        "nonce": "abcdefghijklmnopqrstuvwx",
    })
}

/// Claims of a realistic Auth0 ID token with about fifteen claims, valid at [`NOW`] for ten hours.
pub fn rich_id_token_claims() -> Value {
    json!({
        "given_name": "Jane",
        "family_name": "Doe",
        "nickname": "jane.doe",
        "name": "Jane Doe",
        "picture": "https://s.gravatar.com/avatar/2c6d0e4a9b8f7e6d5c4b3a2918f7e6d5?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fjd.png",
        "locale": "en",
        "updated_at": "2025-06-15T14:58:12.345Z",
        "email": "jane.doe@example.com",
        "email_verified": true,
        "https://example.com/roles": ["admin", "billing"],
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "auth0|64b7f0c2a1d3e4f5a6b7c8d9",
        "iat": NOW - 120,
        "exp": NOW + 36_000 - 120,
        "auth_time": NOW - 130,
        "sid": "Yq3Xo8lB2mPv9tZr5nKc1wHd7sJf4gAe",
        "nonce": "cGxhY2Vob2xkZXItbm9uY2UtdmFsdWU",
        "at_hash": "3oZp5QmV2r8t1u9w0x7y6z",
    })
}

/// Unpadded base64url.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Wraps DER in a PEM block with 64-character lines (the library's own writer).
pub fn pem(label: &str, der: &[u8]) -> String {
    tokenbench::core::jwt::decode::pem_block(label, der)
}

/// Changes exactly one character of the token's payload segment so that the payload still decodes to a
/// JSON object (a lowercase letter in the decoded text becomes the next letter), leaving header and
/// signature alone. Only the signature can then tell that the token was changed.
pub fn tamper_one_payload_character(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS");
    let payload = URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url payload");
    // A byte at index 3k+2 is encoded only by the last six bits of character 4k+3, so changing it by one
    // changes exactly one character of the segment.
    for index in (2..payload.len()).step_by(3) {
        if !(b'a'..=b'y').contains(&payload[index]) {
            continue;
        }
        let mut changed = payload.clone();
        changed[index] += 1;
        if serde_json::from_slice::<serde_json::Map<String, Value>>(&changed).is_err() {
            continue;
        }
        let segment = b64url(&changed);
        let differing = segment.chars().zip(parts[1].chars()).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 1, "exactly one payload character changes");
        return format!("{}.{segment}.{}", parts[0], parts[2]);
    }
    panic!("no payload character could be changed while keeping the JSON valid");
}
