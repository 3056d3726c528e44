//! Choosing the verification key for a token: family checks (HS/RS confusion), `kid` lookup in a JWKS (keys
//! sharing a `kid` told apart by key type, `use` and `alg`), never an HMAC key from a fetched JWKS, and the
//! header's own `x5c` certificate.

use super::decode::DecodedJwt;
use super::key::{KeyMaterial, certificate_pem, family_name, jwk_family, pem_decoding_key, secret_is_public_key};
use super::key_cache::Choice;
use aws_lc_rs::signature::{self as lc, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};
use serde_json::Value;
use std::sync::Arc;

/// The key the signature will be checked with, and a description for the checklist.
pub struct SelectedKey {
    /// The key.
    pub key: DecodingKey,
    /// Where it came from, e.g. `the JWKS key kid=abc`.
    pub description: String,
    /// True for the token's own `x5c` certificate: a match proves nothing about who signed it.
    pub self_asserted: bool,
    /// For an RSA modulus and exponent kept in a [`super::key_cache::SelectionCache`]: the key as aws-lc-rs
    /// parsed it once for this algorithm, where jsonwebtoken would parse it for every signature.
    parsed: Option<(Algorithm, ParsedPublicKey)>,
}

impl SelectedKey {
    /// A key used as jsonwebtoken takes it.
    pub fn new(key: DecodingKey, description: String, self_asserted: bool) -> Self {
        Self {
            key,
            description,
            self_asserted,
            parsed: None,
        }
    }

    /// The key with its RSA modulus and exponent parsed once for `alg`, for a key checked many times.
    fn parsed_for(mut self, alg: Algorithm) -> Self {
        if let (Some(parameters), DecodingKeyKind::RsaModulusExponent { n, e }) = (rsa_parameters(alg), self.key.kind())
        {
            let components = RsaPublicKeyComponents { n, e };
            self.parsed = components.to_parsed_public_key(parameters).ok().map(|key| (alg, key));
        }
        self
    }

    /// Whether `signature` (base64url) signs `message`: what `jsonwebtoken::crypto::verify` answers, with the
    /// key parsed once when it was. Both end in the same aws-lc-rs check with the same parameters. `decoded`
    /// is the signature's bytes when the token already decoded it as strict base64url (as jsonwebtoken does),
    /// so that it is not decoded twice.
    pub fn verify(
        &self,
        signature: &str,
        decoded: Option<&[u8]>,
        message: &[u8],
        alg: Algorithm,
    ) -> jsonwebtoken::errors::Result<bool> {
        if let Some((parsed_alg, parsed)) = &self.parsed
            && *parsed_alg == alg
        {
            let decoded_here;
            let bytes = match decoded {
                Some(bytes) => Some(bytes),
                None => {
                    decoded_here = URL_SAFE_NO_PAD.decode(signature).ok();
                    decoded_here.as_deref()
                }
            };
            if let Some(bytes) = bytes {
                return Ok(parsed.verify_sig(message, bytes).is_ok());
            }
        }
        jsonwebtoken::crypto::verify(signature, message, &self.key, alg)
    }
}

/// The aws-lc-rs parameters jsonwebtoken verifies each RSA algorithm with.
fn rsa_parameters(alg: Algorithm) -> Option<&'static RsaParameters> {
    Some(match alg {
        Algorithm::RS256 => &lc::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &lc::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &lc::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &lc::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &lc::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &lc::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

/// Explains a mismatch between the token's algorithm family and the kind of key given.
pub fn family_mismatch(alg: Algorithm, key: &KeyMaterial) -> Option<String> {
    let token_family = alg.family();
    let key_family = match key {
        KeyMaterial::Secret(bytes) if secret_is_public_key(bytes) => None,
        KeyMaterial::Secret(_) => Some(AlgorithmFamily::Hmac),
        KeyMaterial::Jwk(jwk, _) => jwk_family(jwk),
        KeyMaterial::Pem { .. } => None,
        KeyMaterial::Jwks { keys, .. } => {
            let has_family = keys.iter().any(|k| jwk_family(k) == Some(token_family));
            return (!has_family && !keys.is_empty()).then(|| {
                format!(
                    "the token is {alg:?} but the JWKS holds no key of that kind ({})",
                    family_name(token_family)
                )
            });
        }
    };
    if token_family == AlgorithmFamily::Hmac && key_family != Some(AlgorithmFamily::Hmac) {
        return Some(format!(
            "HS/RS confusion: the token says {alg:?} (shared secret) but the key is a public key. Accepting this \
             would let anyone sign tokens with your public key as the HMAC secret. Pin the algorithm to the key: \
             an Auth0 application set to RS256 never issues HS256 tokens"
        ));
    }
    if token_family != AlgorithmFamily::Hmac && key_family == Some(AlgorithmFamily::Hmac) {
        return Some(format!(
            "the token is {alg:?}, signed with a private key, but the key given is a shared secret: verify with the \
             issuer's public key (Auth0: https://TENANT/.well-known/jwks.json)"
        ));
    }
    match key_family {
        Some(f) if f != token_family => Some(format!(
            "the token is {alg:?}, which needs {}, but the key is {}",
            family_name(token_family),
            family_name(f)
        )),
        _ => None,
    }
}

/// Picks the key for this token. `Ok(None)` means no key was given and the header carries no `x5c`. The
/// key of a PEM, JWK or JWKS is chosen once per `kid` and algorithm (see [`super::key_cache`]).
pub fn select_key(
    jwt: &DecodedJwt,
    alg: Algorithm,
    key: Option<&KeyMaterial>,
) -> Result<Option<Arc<SelectedKey>>, String> {
    let kid = jwt.header_str("kid");
    let Some(material) = key else {
        return x5c_key(jwt, alg).map(|selected| selected.map(Arc::new));
    };
    let choose = || -> Choice { choose_key(material, kid, alg).map(|selected| Arc::new(selected.parsed_for(alg))) };
    match material.selection_cache() {
        Some(cache) => cache.choice(kid, alg, choose).map(Some),
        None => choose().map(Some),
    }
}

/// The key of `material` for a token with this `kid` and `alg`.
fn choose_key(material: &KeyMaterial, kid: Option<&str>, alg: Algorithm) -> Result<SelectedKey, String> {
    match material {
        KeyMaterial::Secret(bytes) => Ok(SelectedKey::new(
            DecodingKey::from_secret(bytes),
            format!("the shared secret ({} bytes)", bytes.len()),
            false,
        )),
        KeyMaterial::Pem { label, text, .. } => pem_decoding_key(text, alg)
            .map(|key| SelectedKey::new(key, format!("the PEM {}", label.to_lowercase()), false))
            .map_err(|e| {
                format!(
                    "the PEM {} cannot be used for {alg:?} ({e}): it must be {}",
                    label.to_lowercase(),
                    family_name(alg.family())
                )
            }),
        KeyMaterial::Jwk(jwk, _) => single_jwk(jwk, kid, alg),
        KeyMaterial::Jwks {
            keys,
            unreadable,
            origin: Some(origin),
            ..
        } => {
            if alg.family() == AlgorithmFamily::Hmac {
                return Err(published_hmac_key(alg, origin));
            }
            jwks_key(keys, unreadable, kid, alg).map(|mut selected| {
                selected.description = format!("{} from {origin}", selected.description);
                selected
            })
        }
        KeyMaterial::Jwks { keys, unreadable, .. } => jwks_key(keys, unreadable, kid, alg),
    }
}

/// Why an HMAC token is never checked with a key from a fetched JWKS (a URL or discovery): what a JWKS
/// publishes is public, so an `oct` key in it is a secret everyone has.
fn published_hmac_key(alg: Algorithm, origin: &str) -> String {
    format!(
        "an HMAC key published in a JWKS is public: anyone could have signed this token; {alg:?} needs the shared \
         secret: pass --secret or --secret-base64 (in the window: the secret field), never keys fetched from \
         {origin}"
    )
}

fn x5c_key(jwt: &DecodedJwt, alg: Algorithm) -> Result<Option<SelectedKey>, String> {
    let Some(first) = jwt
        .header_member("x5c")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    else {
        return Ok(None);
    };
    let cert = certificate_pem(first.as_str().ok_or("the x5c header is not a base64 certificate")?)?;
    let KeyMaterial::Pem { text, .. } = cert else {
        return Err("the x5c header is not a certificate".to_owned());
    };
    let key = pem_decoding_key(&text, alg).map_err(|e| format!("the x5c certificate cannot verify {alg:?}: {e}"))?;
    Ok(Some(SelectedKey::new(
        key,
        "the certificate in the token's own x5c header (self-asserted: it proves only that the token matches the \
         certificate it carries; check that the certificate is your issuer's)"
            .to_owned(),
        true,
    )))
}

fn single_jwk(jwk: &Jwk, kid: Option<&str>, alg: Algorithm) -> Result<SelectedKey, String> {
    if let (Some(token_kid), Some(key_kid)) = (kid, jwk.common.key_id.as_deref())
        && token_kid != key_kid
    {
        return Err(format!(
            "the token says kid={token_kid}, the JWK has kid={key_kid}: the key was rotated or belongs to another tenant"
        ));
    }
    jwk_decoding_key(jwk, alg)
}

fn jwks_key(
    keys: &[Jwk],
    unreadable: &[(String, String)],
    kid: Option<&str>,
    alg: Algorithm,
) -> Result<SelectedKey, String> {
    let Some(kid) = kid else {
        return key_without_kid(keys, alg);
    };
    let named: Vec<&Jwk> = keys
        .iter()
        .filter(|k| k.common.key_id.as_deref() == Some(kid))
        .collect();
    if named.is_empty() {
        return Err(unknown_kid(keys, unreadable, kid));
    }
    match fitting(&named, alg).as_slice() {
        [only] => jwk_decoding_key(only, alg),
        [] => match named.iter().find(|k| jwk_family(k) == Some(alg.family())) {
            // Of the right type but not for this use or alg: the key step says which.
            Some(jwk) => jwk_decoding_key(jwk, alg),
            None => Err(format!(
                "the JWKS key kid={kid} is {}, but the token is {alg:?}, which needs {}",
                named
                    .first()
                    .and_then(|k| jwk_family(k))
                    .map_or("of an unknown type", family_name),
                family_name(alg.family())
            )),
        },
        many => Err(format!(
            "the JWKS has {} keys with kid={kid} that could verify {alg:?}: a kid must name one key; the issuer \
             must give each key its own kid",
            many.len()
        )),
    }
}

/// The keys that can verify `alg`: of the right key type (`kty`), published for signatures (`use`,
/// `key_ops`), and meant for this algorithm when the JWK names one (`alg`).
fn fitting<'a>(keys: &[&'a Jwk], alg: Algorithm) -> Vec<&'a Jwk> {
    keys.iter()
        .copied()
        .filter(|k| jwk_family(k) == Some(alg.family()) && usable_for_verify(k).is_ok() && alg_fits(k, alg))
        .collect()
}

/// Whether the JWK's own `alg` member, when present, is the token's algorithm.
fn alg_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    jwk.common
        .key_algorithm
        .is_none_or(|key_alg| format!("{key_alg:?}") == format!("{alg:?}"))
}

fn unknown_kid(keys: &[Jwk], unreadable: &[(String, String)], kid: &str) -> String {
    if let Some((_, why)) = unreadable.iter().find(|(name, _)| name == kid) {
        return format!("the JWKS has kid={kid} but it could not be read: {why}");
    }
    let kids: Vec<&str> = keys.iter().filter_map(|k| k.common.key_id.as_deref()).collect();
    format!(
        "the token says kid={kid}, the JWKS has kid={}: the key was rotated or this is another tenant's JWKS",
        if kids.is_empty() {
            "(none)".to_owned()
        } else {
            kids.join(", ")
        }
    )
}

fn key_without_kid(keys: &[Jwk], alg: Algorithm) -> Result<SelectedKey, String> {
    let of_family: Vec<&Jwk> = keys.iter().filter(|k| jwk_family(k) == Some(alg.family())).collect();
    match fitting(&of_family, alg).as_slice() {
        [only] => jwk_decoding_key(only, alg),
        [] => match of_family.first() {
            Some(jwk) => jwk_decoding_key(jwk, alg)
                .map_err(|why| format!("the JWKS has no usable {} key: {why}", family_name(alg.family()))),
            None => Err(format!("the JWKS has no {} key", family_name(alg.family()))),
        },
        many => Err(format!(
            "the token has no kid and the JWKS has {} possible keys: the issuer must say which key signed it",
            many.len()
        )),
    }
}

fn jwk_decoding_key(jwk: &Jwk, alg: Algorithm) -> Result<SelectedKey, String> {
    let name = jwk
        .common
        .key_id
        .as_deref()
        .map_or("the JWK".to_owned(), |k| format!("the JWK kid={k}"));
    // A fetched JWKS never reaches here with an HMAC token, so an `oct` key here was given locally.
    let description = if jwk_family(jwk) == Some(AlgorithmFamily::Hmac) {
        format!("{name} (an oct key: a shared secret from a local key file or pasted key, never a fetched one)")
    } else {
        name.clone()
    };
    usable_for_verify(jwk).map_err(|why| format!("{name} cannot be used: {why}"))?;
    if let Some(key_alg) = jwk.common.key_algorithm
        && format!("{key_alg:?}") != format!("{alg:?}")
    {
        return Err(format!(
            "{name} is for {key_alg:?} but the token is {alg:?}: this key was not meant for this token"
        ));
    }
    DecodingKey::from_jwk(jwk)
        .map(|key| SelectedKey::new(key, description, false))
        .map_err(|e| format!("{name} cannot be used: {e}"))
}

/// RFC 7517 §4.2–4.3: a key published for encryption, or whose `key_ops` leave out `verify`, must not verify.
fn usable_for_verify(jwk: &Jwk) -> Result<(), String> {
    match &jwk.common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(other) => {
            let shown = match other {
                PublicKeyUse::Encryption => "enc".to_owned(),
                PublicKeyUse::Other(s) => s.clone(),
                PublicKeyUse::Signature => "sig".to_owned(),
            };
            return Err(format!(
                "its use is \"{shown}\", not \"sig\": the issuer published it for something else than signatures"
            ));
        }
    }
    match &jwk.common.key_operations {
        Some(ops) if !ops.contains(&KeyOperations::Verify) => Err(
            "its key_ops do not include \"verify\": the issuer did not publish it for verifying signatures".to_owned(),
        ),
        _ => Ok(()),
    }
}
