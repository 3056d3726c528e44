//! The local tenant: applications, users, APIs, client grants, rate limits and switches, with Auth0
//! Management API names. Pure: secrets are references ([`SecretSpec`]), resolved by the issuer service.

pub mod addons;
pub mod check;
pub mod client;
pub mod faults;
pub mod secret;
pub mod urls;

pub use addons::{Addon, Addons};
pub use check::{Loaded, TenantErrors, parse};
pub use client::{Client, JwtConfiguration, SigningAlg};
pub use faults::{Failure, Fault, FaultEndpoint, Faults};
pub use secret::{SecretShape, SecretSlot, SecretSpec};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The demo tenant shipped with tokenbench (every secret generated on first start).
pub const DEMO_TENANT: &str = include_str!("../../../assets/demo-tenant.json");

/// A whole tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tenant {
    /// Tenant name; keyring items of generated secrets are named after it.
    pub name: String,
    /// The tenant's RS256 signing key (PKCS#8 PEM).
    pub signing_key: SecretSpec,
    /// The HMAC key that seals simulated Apple codes and Facebook session tokens, so that another process
    /// serving this tenant can check them.
    pub social_artifact_key: SecretSpec,
    /// The RSA key (PKCS#8 PEM) that signs simulated Google id tokens.
    pub google_signing_key: SecretSpec,
    /// Applications.
    pub clients: Vec<Client>,
    /// Database users.
    pub users: Vec<User>,
    /// APIs.
    pub resource_servers: Vec<ResourceServer>,
    /// Which client may get tokens for which API, with which scopes.
    pub client_grants: Vec<ClientGrant>,
    /// Rate limits.
    pub rate_limits: RateLimits,
    /// Switches for behaviour the sources disagree on.
    pub settings: Settings,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for Tenant {
    fn default() -> Self {
        Self {
            name: "local".to_owned(),
            signing_key: SecretSpec::Generate,
            social_artifact_key: SecretSpec::Generate,
            google_signing_key: SecretSpec::Generate,
            clients: Vec::new(),
            users: Vec::new(),
            resource_servers: Vec::new(),
            client_grants: Vec::new(),
            rate_limits: RateLimits::default(),
            settings: Settings::default(),
            unknown: Map::new(),
        }
    }
}

impl Tenant {
    /// The client with this ID.
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// The user with this ID.
    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.user_id == user_id)
    }

    /// The API with this identifier.
    pub fn resource_server(&self, identifier: &str) -> Option<&ResourceServer> {
        self.resource_servers.iter().find(|r| r.identifier == identifier)
    }

    /// The grant of `client_id` for `audience`.
    pub fn client_grant(&self, client_id: &str, audience: &str) -> Option<&ClientGrant> {
        self.client_grants
            .iter()
            .find(|g| g.client_id == client_id && g.audience == audience)
    }
}

/// A database user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    /// e.g. `auth0|alice`.
    pub user_id: String,
    /// Email address (also the login name).
    pub email: String,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// Full name.
    pub name: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Nickname.
    pub nickname: String,
    /// Picture URL.
    pub picture: String,
    /// Password, for the password grants; absent means the user cannot log in with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretSpec>,
    /// Connection (realm) name.
    pub connection: String,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for User {
    fn default() -> Self {
        Self {
            user_id: String::new(),
            email: String::new(),
            email_verified: false,
            name: String::new(),
            given_name: String::new(),
            family_name: String::new(),
            nickname: String::new(),
            picture: String::new(),
            password: None,
            connection: "Username-Password-Authentication".to_owned(),
            unknown: Map::new(),
        }
    }
}

/// An API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceServer {
    /// The audience, e.g. `https://api.demo.local/`.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// Access-token algorithm.
    pub signing_alg: SigningAlg,
    /// Access-token lifetime, default 86400 s.
    pub token_lifetime: i64,
    /// Scopes it defines.
    pub scopes: Vec<Scope>,
    /// Whether `offline_access` gives a refresh token for this API ("Allow Offline Access").
    pub allow_offline_access: bool,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for ResourceServer {
    fn default() -> Self {
        Self {
            identifier: String::new(),
            name: String::new(),
            signing_alg: SigningAlg::RS256,
            token_lifetime: 86_400,
            scopes: Vec::new(),
            allow_offline_access: false,
            unknown: Map::new(),
        }
    }
}

/// A scope an API defines.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Scope {
    /// e.g. `read:messages`.
    pub value: String,
    /// What it allows.
    pub description: String,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

/// A client grant: `client_id` may get access tokens for `audience` with `scope`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientGrant {
    /// The client.
    pub client_id: String,
    /// The API identifier.
    pub audience: String,
    /// Granted scopes.
    pub scope: Vec<String>,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

/// Rate limits per endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimits {
    /// `/delegation`, keyed by (IP, user): 10 per minute.
    pub delegation: BucketConfig,
    /// Native social token exchange: off by default.
    pub token_exchange: BucketConfig,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            delegation: BucketConfig::default(),
            token_exchange: BucketConfig {
                enabled: false,
                capacity: 50,
                per_minute: 50,
                ..BucketConfig::default()
            },
            unknown: Map::new(),
        }
    }
}

/// One token bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BucketConfig {
    /// Whether the limit applies.
    pub enabled: bool,
    /// Bucket size (burst).
    pub capacity: u32,
    /// Refill rate (sustained), per minute.
    pub per_minute: u32,
    /// How tokens come back.
    pub mode: crate::core::ratelimit::RefillMode,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for BucketConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            capacity: 10,
            per_minute: 10,
            mode: crate::core::ratelimit::RefillMode::Continuous,
            unknown: Map::new(),
        }
    }
}

/// Switches where Auth0's sources disagree or are silent (spec §7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `/delegation` available; `false` answers 404 like a tenant created after June 2017.
    pub delegation_enabled: bool,
    /// Status for an invalid or expired input `id_token` at `/delegation`: 400 (`invalid_grant`) or 401.
    pub invalid_id_token_status: u16,
    /// What `openid profile` adds at `/delegation`: `oidc` (the OIDC profile claims) or `all` (every attribute).
    pub profile_scope: ProfileScope,
    /// Clock skew allowed when checking input tokens, in seconds.
    pub leeway_seconds: i64,
    /// The simulated Sign in with Apple client (services) ID: `aud` of simulated Apple codes.
    pub apple_client_id: String,
    /// The simulated Facebook app ID: `aud` of simulated Facebook session tokens.
    pub facebook_app_id: String,
    /// The simulated Google OAuth client ID: `aud` of simulated Google id tokens.
    pub google_client_id: String,
    /// Whether DPoP proofs at `/oauth/token` must carry the server's nonce (`use_dpop_nonce` otherwise).
    pub dpop_nonce_required: bool,
    /// Injected faults per endpoint (latency, forced errors, broken answers); off by default.
    pub faults: Faults,
    /// Login behaviour: brute-force threshold, PKCE `plain`, loopback ports, the demo user picker.
    pub login: LoginSettings,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            delegation_enabled: true,
            invalid_id_token_status: 400,
            profile_scope: ProfileScope::Oidc,
            leeway_seconds: 60,
            apple_client_id: "com.tokenbench.demo.signin".to_owned(),
            facebook_app_id: "1000000000000001".to_owned(),
            google_client_id: "tokenbench-demo.apps.googleusercontent.com".to_owned(),
            dpop_nonce_required: false,
            faults: Faults::default(),
            login: LoginSettings::default(),
            unknown: Map::new(),
        }
    }
}

/// How `/authorize` and the login page behave where Auth0's sources are silent or disagree
/// (login-flow spec §1.2.5, §1.4.1, §7.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginSettings {
    /// Failed logins per identifier and IP before `too_many_attempts` (Auth0: 10, configurable 1-100).
    pub brute_force_threshold: u32,
    /// Whether `code_challenge_method=plain` is accepted (Auth0's docs say `S256` only, its discovery lists
    /// both).
    pub pkce_plain: bool,
    /// RFC 8252 §7.3: a loopback IP callback matches on any port (Auth0 matches exactly).
    pub loopback_any_port: bool,
    /// The login page shows one button per user, for demos (no password asked).
    pub user_picker: bool,
    /// Allowed Logout URLs of the tenant, for `/v2/logout` without `client_id`.
    pub allowed_logout_urls: Vec<String>,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for LoginSettings {
    fn default() -> Self {
        Self {
            brute_force_threshold: 10,
            pkce_plain: true,
            loopback_any_port: false,
            user_picker: false,
            allowed_logout_urls: Vec::new(),
            unknown: Map::new(),
        }
    }
}

/// The meaning of `profile` in a `/delegation` scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileScope {
    /// The OIDC profile claims (current delegation reference page).
    #[default]
    Oidc,
    /// Every user attribute (legacy scopes page).
    All,
}
