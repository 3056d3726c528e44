//! Secret values in memory and references to them: a `SecretString` never prints its value, and config files
//! store a `SecretRef` (the keyring item's name) instead of the secret.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// A secret value. `Debug` and `Display` print `(redacted)`; the bytes are wiped when it is dropped.
/// It is deliberately not `Serialize`: a secret cannot end up in a file by accident.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value, for the few places that must use it (signing, verifying, the keyring).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(redacted)")
    }
}

impl std::fmt::Display for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(redacted)")
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// What config files store instead of a secret: the name of the keyring item holding it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SecretRef {
    /// The keyring item name, e.g. `client_secret/dev/abc123`.
    pub keyring: String,
}

impl SecretRef {
    /// A reference to the named item.
    pub fn new(name: impl Into<String>) -> Self {
        Self { keyring: name.into() }
    }
}

/// What kind of secret an item holds, read from the first part of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// `client_secret/<env>/<client_id>`.
    ClientSecret,
    /// `signing_key/<tenant>`: a private key PEM.
    SigningKey,
    /// `hmac_secret/<name>`.
    HmacSecret,
    /// `refresh_token/<env>/<user>`.
    RefreshToken,
    /// `addon_key/<addon>/<name>`: Firebase, Azure and other add-on keys.
    AddonKey,
    /// Anything else.
    Other,
}

impl SecretKind {
    /// Every kind with its name prefix.
    pub const PREFIXES: [(SecretKind, &'static str); 5] = [
        (SecretKind::ClientSecret, "client_secret"),
        (SecretKind::SigningKey, "signing_key"),
        (SecretKind::HmacSecret, "hmac_secret"),
        (SecretKind::RefreshToken, "refresh_token"),
        (SecretKind::AddonKey, "addon_key"),
    ];

    /// The kind of an item, from its name.
    pub fn of(name: &str) -> Self {
        let prefix = name.split('/').next().unwrap_or_default();
        Self::PREFIXES
            .iter()
            .find(|(_, p)| *p == prefix)
            .map_or(SecretKind::Other, |(k, _)| *k)
    }

    /// A label for lists.
    pub fn title(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "Client secret",
            SecretKind::SigningKey => "Signing key",
            SecretKind::HmacSecret => "HMAC secret",
            SecretKind::RefreshToken => "Refresh token",
            SecretKind::AddonKey => "Add-on key",
            SecretKind::Other => "Other",
        }
    }
}

/// Builds an item name from parts, e.g. `item_name("client_secret", &["dev", "abc"])`. Slashes inside parts
/// are replaced so the name stays readable and unambiguous.
pub fn item_name(prefix: &str, parts: &[&str]) -> String {
    let mut name = prefix.to_owned();
    for part in parts {
        name.push('/');
        name.push_str(&part.trim().replace('/', "_"));
    }
    name
}

/// Checks a user-typed item name; the error says what a valid name looks like.
pub fn validate_item_name(name: &str) -> Result<(), String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err("give the secret a name, e.g. client_secret/dev/CLIENT_ID".to_owned());
    }
    if trimmed.len() > 200 {
        return Err("the name is longer than 200 characters".to_owned());
    }
    if trimmed.chars().any(char::is_control) {
        return Err("the name contains control characters".to_owned());
    }
    if trimmed != name {
        return Err("the name starts or ends with spaces".to_owned());
    }
    Ok(())
}

/// The kinds of key the Secrets panel can generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA 2048-bit, for RS256/PS256.
    Rsa2048,
    /// EC P-256, for ES256.
    P256,
    /// 32 random bytes, for HS256.
    Hmac256,
    /// 48 random bytes, for HS384.
    Hmac384,
    /// 64 random bytes, for HS512.
    Hmac512,
}

impl KeyKind {
    /// Every kind, for menus.
    pub const ALL: [KeyKind; 5] = [Self::Rsa2048, Self::P256, Self::Hmac256, Self::Hmac384, Self::Hmac512];

    /// A label for menus.
    pub fn title(self) -> &'static str {
        match self {
            Self::Rsa2048 => "RSA-2048 (RS256, PS256)",
            Self::P256 => "EC P-256 (ES256)",
            Self::Hmac256 => "HMAC secret, 32 bytes (HS256)",
            Self::Hmac384 => "HMAC secret, 48 bytes (HS384)",
            Self::Hmac512 => "HMAC secret, 64 bytes (HS512)",
        }
    }

    /// The item-name prefix the generated value is stored under.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Rsa2048 | Self::P256 => "signing_key",
            _ => "hmac_secret",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = SecretString::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "(redacted) (redacted)");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn kind_is_read_from_the_name() {
        assert_eq!(SecretKind::of("client_secret/dev/abc"), SecretKind::ClientSecret);
        assert_eq!(SecretKind::of("signing_key/local"), SecretKind::SigningKey);
        assert_eq!(SecretKind::of("misc"), SecretKind::Other);
    }

    #[test]
    fn item_names_keep_parts_apart() {
        assert_eq!(item_name("client_secret", &["dev", "a/b"]), "client_secret/dev/a_b");
    }

    #[test]
    fn names_are_validated_with_advice() {
        assert!(validate_item_name("").unwrap_err().contains("client_secret/dev"));
        assert!(validate_item_name(" x").is_err());
        assert!(validate_item_name("hmac_secret/test").is_ok());
    }

    #[test]
    fn secret_ref_serialises_as_a_keyring_name() {
        let json = serde_json::to_string(&SecretRef::new("client_secret/dev/abc")).unwrap();
        assert_eq!(json, r#"{"keyring":"client_secret/dev/abc"}"#);
    }
}
