//! Reading key files for "Import key…": a PEM private key, a JWK or JWKS with private parts, or a Firebase
//! service-account JSON. Returns the keyring items to create; nothing is stored unless the whole file is valid.

use crate::core::secret::{SecretString, item_name, validate_item_name};
use serde_json::Value;

/// One keyring item to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedItem {
    /// The keyring item name.
    pub name: String,
    /// The private material.
    pub value: SecretString,
    /// What it is, without secret parts (e.g. the service account's email and key id).
    pub description: String,
}

/// Why a file could not be imported; the caller adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Binary content.
    #[error("is not a text file: expected a PEM key, a JWK/JWKS or a Firebase service-account JSON")]
    NotText,
    /// Only public keys: nothing secret to keep.
    #[error("holds only public keys: there is nothing secret to import (use it in the inspector to verify)")]
    PublicOnly,
    /// A PEM block that is not a usable private key.
    #[error(
        "has a PEM block that is not a usable private key ({0}): expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY"
    )]
    BadPem(String),
    /// A service-account file without its key.
    #[error("is a Firebase service-account file without \"private_key\": download a new key in the Firebase console")]
    ServiceAccountWithoutKey,
    /// JSON of another shape.
    #[error("is JSON but not a key: expected a JWK, a JWKS or a Firebase service-account file")]
    UnknownJson,
    /// Broken JSON.
    #[error("is not valid JSON ({0})")]
    BadJson(String),
    /// The item name made from the file name, `kid` or e-mail is not a valid item name even after cleaning.
    #[error(
        "would be stored as \"{name}\", which is not a valid item name ({reason}): rename the file (or give the key a shorter kid) and import again"
    )]
    BadName {
        /// The name, shortened for the message.
        name: String,
        /// What `validate_item_name` said.
        reason: String,
    },
    /// Neither PEM nor JSON.
    #[error(
        "is not a key file: expected a PEM key (-----BEGIN PRIVATE KEY-----), a JWK/JWKS or a Firebase service-account JSON"
    )]
    Unknown,
}

/// Parses a key file. `stem` (the file name without extension) names items that carry no name of their own.
/// Every item name passes [`validate_item_name`], like a typed one.
pub fn parse_key_file(stem: &str, text: &str) -> Result<Vec<ImportedItem>, ImportError> {
    let items = parse_items(stem, text)?;
    for item in &items {
        validate_item_name(&item.name).map_err(|reason| ImportError::BadName {
            name: shortened(&item.name),
            reason,
        })?;
    }
    Ok(items)
}

/// An item name from untrusted parts (a file name, a `kid`, an e-mail), each cleaned by [`clean_part`].
fn imported_name(prefix: &str, parts: &[&str]) -> String {
    let cleaned: Vec<String> = parts.iter().map(|p| clean_part(p)).collect();
    let parts: Vec<&str> = cleaned.iter().map(String::as_str).collect();
    item_name(prefix, &parts)
}

/// Drops control characters, turns spaces into `-` and slashes into `_`, and trims dots and dashes at the ends
/// (so a part is never `.` or `..`); an empty result becomes `imported`.
fn clean_part(raw: &str) -> String {
    let mapped: String = raw
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '/' | '\\' => '_',
            c if c.is_whitespace() => '-',
            c => c,
        })
        .collect();
    let trimmed = mapped.trim_matches(|c| c == '.' || c == '-');
    if trimmed.is_empty() {
        "imported".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The first 60 characters of a name, for messages.
fn shortened(name: &str) -> String {
    match name.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &name[..end]),
        None => name.to_owned(),
    }
}

fn parse_items(stem: &str, text: &str) -> Result<Vec<ImportedItem>, ImportError> {
    let text = text.trim();
    if text.contains('\0') {
        return Err(ImportError::NotText);
    }
    if text.starts_with("-----BEGIN") {
        return pem_item(stem, text).map(|item| vec![item]);
    }
    if text.starts_with('{') {
        let value: Value = serde_json::from_str(text).map_err(|e| ImportError::BadJson(e.to_string()))?;
        return json_items(stem, &value);
    }
    Err(ImportError::Unknown)
}

fn pem_item(stem: &str, text: &str) -> Result<ImportedItem, ImportError> {
    let label = text.lines().next().unwrap_or_default();
    if label.contains("PUBLIC KEY") || label.contains("CERTIFICATE") {
        return Err(ImportError::PublicOnly);
    }
    if !label.contains("PRIVATE KEY") {
        return Err(ImportError::BadPem(label.trim_matches('-').to_owned()));
    }
    let kind = private_pem_kind(text).ok_or_else(|| ImportError::BadPem("it does not parse".to_owned()))?;
    Ok(ImportedItem {
        name: imported_name("signing_key", &[stem]),
        value: SecretString::new(text),
        description: format!("{kind} private key"),
    })
}

/// Which kind of private key a PEM holds, if it parses.
fn private_pem_kind(pem: &str) -> Option<&'static str> {
    use jsonwebtoken::EncodingKey;
    let bytes = pem.as_bytes();
    if EncodingKey::from_rsa_pem(bytes).is_ok() {
        Some("RSA")
    } else if EncodingKey::from_ec_pem(bytes).is_ok() {
        Some("EC")
    } else if EncodingKey::from_ed_pem(bytes).is_ok() {
        Some("Ed25519")
    } else {
        None
    }
}

fn json_items(stem: &str, value: &Value) -> Result<Vec<ImportedItem>, ImportError> {
    let text = |k: &str| value.get(k).and_then(Value::as_str);
    if text("type") == Some("service_account") || text("client_email").is_some() {
        return service_account_item(value);
    }
    if let Some(keys) = value.get("keys").and_then(Value::as_array) {
        let items: Vec<ImportedItem> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| jwk_item(&format!("{stem}-{i}"), k))
            .collect();
        return if items.is_empty() {
            Err(ImportError::PublicOnly)
        } else {
            Ok(items)
        };
    }
    if value.get("kty").is_some() {
        return jwk_item(stem, value).map(|i| vec![i]).ok_or(ImportError::PublicOnly);
    }
    Err(ImportError::UnknownJson)
}

fn jwk_item(fallback: &str, jwk: &Value) -> Option<ImportedItem> {
    jwk.get("d").or_else(|| jwk.get("k"))?;
    let kid = jwk.get("kid").and_then(Value::as_str).unwrap_or(fallback);
    let kty = jwk.get("kty").and_then(Value::as_str).unwrap_or("?");
    Some(ImportedItem {
        name: imported_name("signing_key", &[kid]),
        value: SecretString::new(jwk.to_string()),
        description: format!("private JWK (kty {kty}, kid {kid})"),
    })
}

fn service_account_item(value: &Value) -> Result<Vec<ImportedItem>, ImportError> {
    let text = |k: &str| value.get(k).and_then(Value::as_str).unwrap_or_default();
    let key = text("private_key");
    if key.is_empty() {
        return Err(ImportError::ServiceAccountWithoutKey);
    }
    if private_pem_kind(key) != Some("RSA") {
        return Err(ImportError::BadPem(
            "the service account's private_key is not an RSA key".to_owned(),
        ));
    }
    Ok(vec![ImportedItem {
        name: imported_name("addon_key", &["firebase", text("client_email")]),
        value: SecretString::new(key),
        description: format!(
            "Firebase service account {} (project {}, key id {})",
            text("client_email"),
            text("project_id"),
            text("private_key_id")
        ),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_material_is_refused_as_nothing_to_import() {
        let pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----";
        assert_eq!(parse_key_file("k", pem).unwrap_err(), ImportError::PublicOnly);
        assert_eq!(
            parse_key_file("k", r#"{"kty":"RSA","n":"x","e":"AQAB"}"#).unwrap_err(),
            ImportError::PublicOnly
        );
    }

    #[test]
    fn service_account_without_private_key_is_named() {
        let sa = r#"{"type":"service_account","client_email":"a@b.iam.gserviceaccount.com"}"#;
        assert_eq!(
            parse_key_file("sa", sa).unwrap_err(),
            ImportError::ServiceAccountWithoutKey
        );
    }

    #[test]
    fn a_pem_that_is_not_a_key_is_refused() {
        let pem = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----";
        assert!(matches!(parse_key_file("k", pem), Err(ImportError::BadPem(_))));
    }

    #[test]
    fn private_jwk_is_imported_under_its_kid() {
        let items = parse_key_file("file", r#"{"kty":"oct","kid":"hs","k":"c2VjcmV0"}"#).unwrap();
        assert_eq!(items[0].name, "signing_key/hs");
    }

    const OCT: &str = r#"{"kty":"oct","k":"c2VjcmV0"}"#;

    #[test]
    fn names_from_awkward_file_names_are_cleaned_into_valid_item_names() {
        for stem in [
            "my key",
            "a/../b",
            "..",
            "tab\there\u{7}",
            " padded ",
            "",
            "emoji 🔑 ok",
        ] {
            let items = parse_key_file(stem, OCT).unwrap();
            let name = &items[0].name;
            assert_eq!(validate_item_name(name), Ok(()), "{stem:?} gave {name:?}");
            assert!(!name.contains(' ') && !name.chars().any(char::is_control), "{name:?}");
            assert_eq!(name.matches('/').count(), 1, "{name:?}");
            assert!(!name.ends_with("/..") && !name.ends_with("/."), "{name:?}");
        }
        assert_eq!(parse_key_file("my key", OCT).unwrap()[0].name, "signing_key/my-key");
        assert_eq!(parse_key_file("..", OCT).unwrap()[0].name, "signing_key/imported");
    }

    #[test]
    fn a_name_too_long_for_the_keyring_is_refused_with_advice() {
        let stem = "k".repeat(300);
        let error = parse_key_file(&stem, OCT).unwrap_err();
        assert!(
            matches!(&error, ImportError::BadName { reason, .. } if reason.contains("200")),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("rename the file") && message.chars().count() < 300,
            "{message}"
        );
        let kid = r#"{"kty":"oct","k":"c2VjcmV0","kid":"x\u0007y"}"#;
        assert_eq!(parse_key_file("f", kid).unwrap()[0].name, "signing_key/xy");
    }

    #[test]
    fn garbage_is_not_a_key_file() {
        assert_eq!(parse_key_file("x", "hello").unwrap_err(), ImportError::Unknown);
        assert!(matches!(
            parse_key_file("x", "{oops").unwrap_err(),
            ImportError::BadJson(_)
        ));
    }
}
