//! What the Management API shows about signing keys besides the keys in use: when each became current, when it
//! stopped, when it was revoked, and the certificates of the last revoked keys (the Dashboard lists three);
//! and the key objects of `GET /api/v2/keys/signing` built from it. Pure data: the caller stamps it with the
//! issuer's clock.

use super::certificate::KeyCertificate;
use super::error::OAuthError;
use super::keys::{KeySet, SigningKey};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, VecDeque};

/// Revoked keys listed before the oldest is forgotten.
const KEPT_REVOKED: usize = 3;

/// When a key became current, stopped being current and was revoked (Unix seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyDates {
    /// When it started signing.
    pub current_since: Option<i64>,
    /// When a rotation replaced it.
    pub current_until: Option<i64>,
    /// When it stopped being published.
    pub revoked_at: Option<i64>,
}

/// A revoked key: only its public half is kept.
#[derive(Debug, Clone)]
struct RevokedKey {
    kid: String,
    certificate: Option<KeyCertificate>,
    dates: KeyDates,
}

/// The dates of the keys in use and the last revoked keys.
#[derive(Debug, Clone, Default)]
pub struct KeyHistory {
    /// By `kid`, for the current, next and previous keys.
    dates: BTreeMap<String, KeyDates>,
    /// Newest first.
    revoked: VecDeque<RevokedKey>,
}

impl KeyHistory {
    pub(super) fn became_current(&mut self, kid: &str, now: i64) {
        let dates = self.dates.entry(kid.to_owned()).or_default();
        dates.current_since.get_or_insert(now);
    }

    pub(super) fn stopped_being_current(&mut self, kid: &str, now: i64) {
        self.dates.entry(kid.to_owned()).or_default().current_until = Some(now);
    }

    pub(super) fn revoked(&mut self, key: &SigningKey, now: i64) {
        let mut dates = self.dates.remove(&key.kid).unwrap_or_default();
        dates.revoked_at = Some(now);
        self.revoked.push_front(RevokedKey {
            kid: key.kid.clone(),
            certificate: key.certificate().cloned(),
            dates,
        });
        self.revoked.truncate(KEPT_REVOKED);
    }

    /// The dates recorded for `kid` (none for a key never current).
    pub fn dates(&self, kid: &str) -> KeyDates {
        self.dates.get(kid).copied().unwrap_or_else(|| {
            let revoked = self.revoked.iter().find(|r| r.kid == kid);
            revoked.map(|r| r.dates).unwrap_or_default()
        })
    }
}

/// What a key is for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// Signs every token.
    Current,
    /// Published, signs after the next rotation.
    Next,
    /// Replaced by the last rotation, published until revoked.
    Previous,
    /// No longer published.
    Revoked,
}

impl KeySet {
    /// The role of `kid`, if it is one of the keys in use or the last revoked ones.
    pub fn role(&self, kid: &str) -> Option<KeyRole> {
        self.in_use()
            .find(|(key, _)| key.kid == kid)
            .map(|(_, role)| role)
            .or_else(|| {
                self.history()
                    .revoked
                    .iter()
                    .any(|r| r.kid == kid)
                    .then_some(KeyRole::Revoked)
            })
    }

    /// `GET /api/v2/keys/signing`: current, next, previous, then the last revoked keys, newest first.
    pub fn key_objects(&self) -> Vec<Value> {
        let in_use = self.in_use().map(|(key, role)| {
            let dates = self.history().dates(&key.kid);
            key_object(&key.kid, key.certificate(), role, dates)
        });
        let revoked = self
            .history()
            .revoked
            .iter()
            .map(|r| key_object(&r.kid, r.certificate.as_ref(), KeyRole::Revoked, r.dates));
        in_use.chain(revoked).collect()
    }

    /// `GET /api/v2/keys/signing/{kid}`.
    pub fn key_object(&self, kid: &str) -> Option<Value> {
        self.key_objects().into_iter().find(|k| k["kid"] == kid)
    }

    /// The key revoking `kid` would revoke: only the previous key may be; otherwise the error says what to do.
    pub fn revocable(&self, kid: &str) -> Result<&SigningKey, OAuthError> {
        let list = "list the keys with GET /api/v2/keys/signing";
        match (self.role(kid), &self.previous) {
            (Some(KeyRole::Previous), Some(previous)) => Ok(previous),
            (Some(KeyRole::Current), _) => Err(OAuthError::invalid_request(format!(
                "{kid} is the current signing key and signs every token: rotate first \
                 (POST /api/v2/keys/signing/rotate), then revoke it as the previous key"
            ))),
            (Some(KeyRole::Next), _) => Err(OAuthError::invalid_request(format!(
                "{kid} is the next signing key and has signed nothing yet: only the previous key can be revoked; {list}"
            ))),
            (Some(KeyRole::Revoked), _) => Err(OAuthError::invalid_request(format!(
                "{kid} is already revoked and cannot be used again; {list}"
            ))),
            (Some(KeyRole::Previous) | None, _) => Err(OAuthError::other(
                404,
                "not_found",
                format!("no signing key {kid}: {list}"),
            )),
        }
    }

    fn in_use(&self) -> impl Iterator<Item = (&SigningKey, KeyRole)> {
        [
            Some((&self.current, KeyRole::Current)),
            Some((&self.next, KeyRole::Next)),
            self.previous.as_ref().map(|k| (k, KeyRole::Previous)),
        ]
        .into_iter()
        .flatten()
    }
}

/// `{cert, kid}`: what rotation (of the new next key) and revocation (of the revoked key) answer.
pub fn cert_and_kid(key: &SigningKey) -> Value {
    json!({ "cert": key.certificate().map(KeyCertificate::pem), "kid": key.kid })
}

/// One key object, members in the order of Auth0's documentation. `pkcs7` (the certificate again, as a
/// PKCS#7 bundle) is left out: no client tokenbench serves reads it, and it would need a CMS encoder.
fn key_object(kid: &str, certificate: Option<&KeyCertificate>, role: KeyRole, dates: KeyDates) -> Value {
    let mut object = Map::new();
    object.insert("kid".to_owned(), json!(kid));
    if let Some(cert) = certificate {
        object.insert("cert".to_owned(), json!(cert.pem()));
        object.insert("fingerprint".to_owned(), json!(cert.fingerprint()));
        object.insert("thumbprint".to_owned(), json!(cert.thumbprint()));
    }
    object.insert("current".to_owned(), json!(role == KeyRole::Current));
    object.insert("next".to_owned(), json!(role == KeyRole::Next));
    object.insert("previous".to_owned(), json!(role == KeyRole::Previous));
    let mut date = |name: &str, seconds: Option<i64>| {
        if let Some(text) = seconds.and_then(iso8601) {
            object.insert(name.to_owned(), json!(text));
        }
    };
    date("current_since", dates.current_since);
    date("current_until", dates.current_until);
    object.insert("revoked".to_owned(), json!(role == KeyRole::Revoked));
    if let Some(text) = dates.revoked_at.and_then(iso8601) {
        object.insert("revoked_at".to_owned(), json!(text));
    }
    Value::Object(object)
}

/// `2025-06-15T15:06:40.000Z`, as Auth0 writes dates.
fn iso8601(seconds: i64) -> Option<String> {
    let time = jiff::Timestamp::from_second(seconds).ok()?;
    Some(time.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails loudly")]
    use super::*;
    use crate::core::secret::SecretString;

    fn key() -> SigningKey {
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let der = aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'static>>::as_der(&pair).unwrap();
        let pem = crate::core::jwt::decode::pem_block("PRIVATE KEY", der.as_ref());
        SigningKey::from_pem(&SecretString::new(pem), "test").unwrap()
    }

    fn started() -> KeySet {
        let mut keys = KeySet::new(key(), key());
        keys.start("127.0.0.1", 100).unwrap();
        keys
    }

    #[test]
    fn a_rotation_dates_both_keys_and_the_revocation_keeps_the_revoked_key_listed() {
        let mut keys = started();
        let (first, second) = (keys.current.kid.clone(), keys.next.kid.clone());
        keys.rotate(key(), 200);
        assert_eq!(keys.role(&first), Some(KeyRole::Previous));
        assert_eq!(keys.history().dates(&second).current_since, Some(200));
        keys.revoke_previous(300);
        let revoked = keys.key_object(&first).unwrap();
        assert_eq!(revoked["revoked"], true);
        assert_eq!(revoked["current_since"], "1970-01-01T00:01:40.000Z");
        assert_eq!(revoked["current_until"], "1970-01-01T00:03:20.000Z");
        assert_eq!(revoked["revoked_at"], "1970-01-01T00:05:00.000Z");
        assert!(revoked["cert"].as_str().unwrap().contains("\r\n"));
    }

    #[test]
    fn only_the_previous_key_can_be_revoked_and_an_unknown_one_is_404() {
        let mut keys = started();
        let (current, next) = (keys.current.kid.clone(), keys.next.kid.clone());
        assert_eq!(keys.revocable(&current).unwrap_err().status, 400);
        assert_eq!(keys.revocable(&next).unwrap_err().status, 400);
        assert_eq!(keys.revocable("nope").unwrap_err().status, 404);
        keys.rotate(key(), 200);
        assert_eq!(keys.revocable(&current).unwrap().kid, current);
        keys.revoke_previous(300);
        assert_eq!(keys.revocable(&current).unwrap_err().status, 400);
    }

    #[test]
    fn only_the_last_three_revoked_keys_are_listed() {
        let mut keys = started();
        for now in 0..5 {
            keys.rotate(key(), now);
        }
        assert_eq!(keys.key_objects().len(), 3 + KEPT_REVOKED);
    }
}
