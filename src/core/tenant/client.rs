//! Applications (Management API `clients`): signing configuration, grant types, delegation targets, add-ons
//! and native social login. Field names follow the Management API so a tenant export reads the same.

use super::addons::Addons;
use super::secret::SecretSpec;
use crate::core::protocol::SubjectTokenType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::core::protocol::grant::{
    AUTHORIZATION_CODE as GRANT_AUTHORIZATION_CODE, CLIENT_CREDENTIALS as GRANT_CLIENT_CREDENTIALS,
    DELEGATION_ID_TOKEN as GRANT_DELEGATION_ID_TOKEN, DELEGATION_REFRESH_TOKEN as GRANT_DELEGATION_REFRESH_TOKEN,
    IMPLICIT as GRANT_IMPLICIT, PASSWORD as GRANT_PASSWORD, PASSWORD_REALM as GRANT_PASSWORD_REALM,
    REFRESH_TOKEN as GRANT_REFRESH_TOKEN, TOKEN_EXCHANGE as GRANT_TOKEN_EXCHANGE,
};

/// Every grant type the local issuer knows.
pub const KNOWN_GRANTS: [&str; 9] = [
    GRANT_DELEGATION_ID_TOKEN,
    GRANT_DELEGATION_REFRESH_TOKEN,
    GRANT_CLIENT_CREDENTIALS,
    GRANT_PASSWORD,
    GRANT_PASSWORD_REALM,
    GRANT_REFRESH_TOKEN,
    GRANT_TOKEN_EXCHANGE,
    GRANT_AUTHORIZATION_CODE,
    GRANT_IMPLICIT,
];

/// A token signing algorithm the local issuer supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SigningAlg {
    /// HMAC-SHA256 with the application's client secret.
    HS256,
    /// RSA-SHA256 with the tenant's signing key (Auth0's default for new applications).
    #[default]
    RS256,
}

/// One application.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Client {
    /// The client ID.
    pub client_id: String,
    /// A display name.
    pub name: String,
    /// The client secret (HS256 key, and the credential for confidential grants).
    pub client_secret: SecretSpec,
    /// How its ID tokens are signed and how long they live.
    pub jwt_configuration: JwtConfiguration,
    /// Grants it may use.
    pub grant_types: Vec<String>,
    /// Clients allowed to request delegation tokens for it; empty means every client of the tenant.
    pub allowed_clients: Vec<String>,
    /// Add-ons, in the order written.
    pub addons: Addons,
    /// Device settings for native social login.
    pub native_social_login: NativeSocialLogin,
    /// `spa`, `native`, `regular_web` or `non_interactive`; decides the default client authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_type: Option<AppType>,
    /// How the client authenticates at `/oauth/token` and `/oauth/revoke`; absent means by `app_type`
    /// (`none` for `spa` and `native`, else the secret in the body or HTTP Basic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<AuthMethod>,
    /// Allowed Callback URLs for `/authorize` (`*` allowed in the left-most subdomain label).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub callbacks: Vec<String>,
    /// Allowed Web Origins: where `web_message` answers are posted, and CORS.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub web_origins: Vec<String>,
    /// Allowed Origins (CORS).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_origins: Vec<String>,
    /// Allowed Logout URLs for `returnTo` and `post_logout_redirect_uri`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_logout_urls: Vec<String>,
    /// Keys this version does not know (reported as warnings).
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Client {
    /// Whether the client may use a grant.
    pub fn allows_grant(&self, grant: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant)
    }

    /// How the client must authenticate: the explicit method, else by `app_type`.
    pub fn auth_method(&self) -> AuthMethod {
        self.token_endpoint_auth_method.unwrap_or(match self.app_type {
            Some(AppType::Spa | AppType::Native) => AuthMethod::None,
            _ => AuthMethod::ClientSecret,
        })
    }

    /// Whether a browser page at `origin` (`scheme://host[:port]`) may call the token endpoint: an Allowed
    /// Web Origin, an Allowed Origin, or the origin of an Allowed Callback URL.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let same = |allowed: &str| super::urls::origin_matches(allowed, origin);
        self.web_origins.iter().any(|o| same(o))
            || self.allowed_origins.iter().any(|o| same(o))
            || self.callbacks.iter().any(|c| same(c))
    }
}

/// `app_type`, as the Management API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    /// A single-page app: public.
    Spa,
    /// A mobile or desktop app: public.
    Native,
    /// A server-side web app: confidential.
    RegularWeb,
    /// A machine-to-machine client: confidential.
    NonInteractive,
}

/// `token_endpoint_auth_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A public client: no secret (one sent anyway is still checked).
    None,
    /// The secret in the body (`client_secret`).
    ClientSecretPost,
    /// The secret as HTTP Basic.
    ClientSecretBasic,
    /// Not written in the tenant file: the secret in the body or as HTTP Basic.
    #[serde(skip)]
    ClientSecret,
}

/// `jwt_configuration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JwtConfiguration {
    /// `HS256` or `RS256`.
    pub alg: SigningAlg,
    /// ID-token lifetime, default 36000 s.
    pub lifetime_in_seconds: i64,
    /// Whether the client secret is base64 and signs as its decoded bytes (legacy clients).
    pub secret_encoded: bool,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl Default for JwtConfiguration {
    fn default() -> Self {
        Self {
            alg: SigningAlg::default(),
            lifetime_in_seconds: 36_000,
            secret_encoded: false,
            unknown: Map::new(),
        }
    }
}

/// `native_social_login`: one switch per provider.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NativeSocialLogin {
    /// Sign in with Apple.
    pub apple: Toggle,
    /// Facebook.
    pub facebook: Toggle,
    /// Google.
    pub google: Toggle,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

impl NativeSocialLogin {
    /// Whether these device settings enable the provider of this subject token type.
    pub fn enables(&self, kind: SubjectTokenType) -> bool {
        match kind {
            SubjectTokenType::AppleCode => self.apple.enabled,
            SubjectTokenType::FacebookToken => self.facebook.enabled,
            SubjectTokenType::GoogleIdToken => self.google.enabled,
        }
    }
}

/// `{"enabled": bool}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Toggle {
    /// On or off.
    pub enabled: bool,
    /// Keys this version does not know.
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}
