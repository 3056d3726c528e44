//! Where a tenant's secret comes from: `{"keyring":"NAME"}`, `{"env":"VAR"}` or `{"generate":true}`. The
//! tenant file never holds a secret value; the issuer resolves these references when it starts.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A reference to a secret held outside the tenant file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub enum SecretSpec {
    /// An OS keyring item, by name.
    Keyring(String),
    /// An environment variable, by name.
    Env(String),
    /// Generated once into the keyring (or memory when no keyring answers).
    #[default]
    Generate,
}

const SHAPES: &str = r#"write a secret as {"keyring":"NAME"}, {"env":"VAR"} or {"generate":true}"#;

impl TryFrom<Value> for SecretSpec {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, String> {
        let Value::Object(map) = value else {
            return Err(format!("a secret value cannot be written in the tenant file: {SHAPES}"));
        };
        let mut entries = map.into_iter();
        let (Some((key, value)), None) = (entries.next(), entries.next()) else {
            return Err(format!("a secret reference has exactly one key: {SHAPES}"));
        };
        match (key.as_str(), value) {
            ("keyring", Value::String(name)) if !name.trim().is_empty() => Ok(Self::Keyring(name)),
            ("env", Value::String(name)) if !name.trim().is_empty() => Ok(Self::Env(name)),
            ("generate", Value::Bool(true)) => Ok(Self::Generate),
            _ => Err(format!("unknown secret reference \"{key}\": {SHAPES}")),
        }
    }
}

impl From<SecretSpec> for Value {
    fn from(spec: SecretSpec) -> Value {
        match spec {
            SecretSpec::Keyring(name) => serde_json::json!({ "keyring": name }),
            SecretSpec::Env(name) => serde_json::json!({ "env": name }),
            SecretSpec::Generate => serde_json::json!({ "generate": true }),
        }
    }
}

/// What a generated secret must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretShape {
    /// A random HMAC secret (client secrets, Firebase v2 secrets, passwords).
    Random,
    /// An RSA-2048 private key, PKCS#8 PEM (tenant signing key, Firebase service account key).
    RsaKey,
    /// 64 random bytes in standard base64 (Azure account and SAS keys).
    Base64Key,
}

/// One secret the tenant needs: where it is used, where it comes from, and the keyring item it is generated
/// into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSlot {
    /// Where it is used, e.g. `clients/demo-spa/client_secret`; the key of the resolved-secrets map.
    pub path: String,
    /// Where the value comes from.
    pub spec: SecretSpec,
    /// What a generated value must look like.
    pub shape: SecretShape,
    /// The keyring item name a generated value is stored under.
    pub item: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reference_shape_round_trips() {
        for text in [r#"{"keyring":"a/b"}"#, r#"{"env":"VAR"}"#, r#"{"generate":true}"#] {
            let spec: SecretSpec = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&spec).unwrap(), text);
        }
    }

    #[test]
    fn a_literal_secret_is_refused_with_the_shapes_to_use() {
        let error = serde_json::from_str::<SecretSpec>(r#""hunter2""#)
            .unwrap_err()
            .to_string();
        assert!(error.contains(r#"{"keyring":"NAME"}"#), "{error}");
        assert!(serde_json::from_str::<SecretSpec>(r#"{"generate":false}"#).is_err());
        assert!(serde_json::from_str::<SecretSpec>(r#"{"env":"A","keyring":"B"}"#).is_err());
    }
}
