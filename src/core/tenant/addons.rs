//! Client add-ons (Management API `client.addons.<key>`), kept in the order written: `/delegation` without an
//! `api_type` uses the target's first add-on.

use super::secret::SecretSpec;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Add-ons Auth0 has but the local issuer does not simulate; accepted in a tenant file, refused at
/// `/delegation`.
pub const UNSIMULATED: [&str; 6] = [
    "salesforce_api",
    "salesforce_sandbox_api",
    "sap_api",
    "wams",
    "layer",
    "samlp",
];

/// One add-on.
#[derive(Debug, Clone, PartialEq)]
pub enum Addon {
    /// Firebase custom tokens.
    Firebase(Firebase),
    /// Azure Storage blob SAS.
    AzureBlob(AzureBlob),
    /// Azure Service Bus SAS.
    AzureSb(AzureSb),
    /// AWS credentials (simulated).
    Aws(Aws),
    /// An add-on the local issuer knows by name but does not simulate.
    Unsimulated(String, Value),
}

impl Addon {
    /// The `api_type` (and Management API key) of this add-on.
    pub fn api_type(&self) -> &str {
        match self {
            Self::Firebase(_) => "firebase",
            Self::AzureBlob(_) => "azure_blob",
            Self::AzureSb(_) => "azure_sb",
            Self::Aws(_) => "aws",
            Self::Unsimulated(name, _) => name,
        }
    }
}

/// The add-ons of a client, in file order, plus keys that name no add-on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "Map<String, Value>", into = "Map<String, Value>")]
pub struct Addons {
    /// Known add-ons.
    pub list: Vec<Addon>,
    /// Keys that name no add-on (reported as warnings).
    pub unknown: Map<String, Value>,
}

impl Addons {
    /// The add-on with this `api_type`.
    pub fn find(&self, api_type: &str) -> Option<&Addon> {
        self.list.iter().find(|a| a.api_type() == api_type)
    }
}

impl TryFrom<Map<String, Value>> for Addons {
    type Error = String;

    fn try_from(map: Map<String, Value>) -> Result<Self, String> {
        let mut addons = Addons::default();
        for (key, value) in map {
            let parsed = match key.as_str() {
                "firebase" => serde_json::from_value(value).map(Addon::Firebase),
                "azure_blob" => serde_json::from_value(value).map(Addon::AzureBlob),
                "azure_sb" => serde_json::from_value(value).map(Addon::AzureSb),
                "aws" => serde_json::from_value(value).map(Addon::Aws),
                name if UNSIMULATED.contains(&name) => Ok(Addon::Unsimulated(key.clone(), value)),
                _ => {
                    addons.unknown.insert(key, value);
                    continue;
                }
            };
            addons.list.push(parsed.map_err(|e| format!("add-on \"{key}\": {e}"))?);
        }
        Ok(addons)
    }
}

impl From<Addons> for Map<String, Value> {
    fn from(addons: Addons) -> Self {
        let mut map = Map::new();
        for addon in addons.list {
            let key = addon.api_type().to_owned();
            let value = match addon {
                Addon::Firebase(a) => serde_json::to_value(a),
                Addon::AzureBlob(a) => serde_json::to_value(a),
                Addon::AzureSb(a) => serde_json::to_value(a),
                Addon::Aws(a) => serde_json::to_value(a),
                Addon::Unsimulated(_, v) => Ok(v),
            };
            map.insert(key, value.unwrap_or(Value::Null));
        }
        map.extend(addons.unknown);
        map
    }
}

/// `addons.firebase`: a service account (SDK v3+, RS256) or a legacy secret (SDK v2, HS256).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Firebase {
    /// Service-account email, `iss` and `sub` of v3 tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_email: Option<String>,
    /// Service-account key id, the `kid` of v3 tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key_id: Option<String>,
    /// Service-account private key (PEM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key: Option<SecretSpec>,
    /// v3 token lifetime, default 3600 s.
    pub lifetime_in_seconds: i64,
    /// Legacy Firebase secret (SDK v2 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretSpec>,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for Firebase {
    fn default() -> Self {
        Self {
            client_email: None,
            private_key_id: None,
            private_key: None,
            lifetime_in_seconds: 3600,
            secret: None,
            unknown: Map::new(),
        }
    }
}

/// `addons.azure_blob`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[expect(non_snake_case, reason = "the field names are Auth0 Management API names")]
pub struct AzureBlob {
    /// Storage account name.
    pub accountName: String,
    /// Storage account key (base64).
    pub storageAccessKey: SecretSpec,
    /// Container.
    pub containerName: String,
    /// Blob; blank gives a SAS for the whole container.
    pub blobName: String,
    /// Lifetime in minutes, default 5.
    pub expiration: i64,
    /// Stored access policy id.
    pub signedIdentifier: String,
    /// Read a blob.
    pub blob_read: bool,
    /// Write a blob.
    pub blob_write: bool,
    /// Delete a blob.
    pub blob_delete: bool,
    /// Read in the container.
    pub container_read: bool,
    /// Write in the container.
    pub container_write: bool,
    /// Delete in the container.
    pub container_delete: bool,
    /// List the container.
    pub container_list: bool,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for AzureBlob {
    fn default() -> Self {
        Self {
            accountName: String::new(),
            storageAccessKey: SecretSpec::Generate,
            containerName: String::new(),
            blobName: String::new(),
            expiration: 5,
            signedIdentifier: String::new(),
            blob_read: false,
            blob_write: false,
            blob_delete: false,
            container_read: false,
            container_write: false,
            container_delete: false,
            container_list: false,
            unknown: Map::new(),
        }
    }
}

/// `addons.azure_sb`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[expect(non_snake_case, reason = "the field names are Auth0 Management API names")]
pub struct AzureSb {
    /// Service Bus namespace.
    pub namespace: String,
    /// Shared access policy name.
    pub sasKeyName: String,
    /// Shared access policy key.
    pub sasKey: SecretSpec,
    /// Queue or topic path.
    pub entityPath: String,
    /// Lifetime in minutes, default 5.
    pub expiration: i64,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for AzureSb {
    fn default() -> Self {
        Self {
            namespace: String::new(),
            sasKeyName: String::new(),
            sasKey: SecretSpec::Generate,
            entityPath: String::new(),
            expiration: 5,
            unknown: Map::new(),
        }
    }
}

/// `addons.aws`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Aws {
    /// SAML provider ARN.
    pub principal: String,
    /// Role ARN.
    pub role: String,
    /// Credential lifetime, default 3600 s.
    pub lifetime_in_seconds: i64,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for Aws {
    fn default() -> Self {
        Self {
            principal: String::new(),
            role: String::new(),
            lifetime_in_seconds: 3600,
            unknown: Map::new(),
        }
    }
}
