//! `GET /.well-known/openid-configuration` and `GET /.well-known/jwks.json`.

use super::authorize::{RESPONSE_MODES, RESPONSE_TYPES};
use super::error::Reply;
use super::{Ctx, Issuer};
use crate::core::protocol::grant;
use serde_json::json;

impl Issuer {
    /// The discovery document.
    pub fn discovery(&self, ctx: &Ctx<'_>) -> Reply {
        let issuer = ctx.issuer();
        let pkce: &[&str] = if self.tenant.settings.login.pkce_plain {
            &["S256", "plain"]
        } else {
            &["S256"]
        };
        Reply::ok(json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}authorize"),
            "token_endpoint": format!("{issuer}oauth/token"),
            "userinfo_endpoint": format!("{issuer}userinfo"),
            "jwks_uri": format!("{issuer}.well-known/jwks.json"),
            "revocation_endpoint": format!("{issuer}oauth/revoke"),
            "end_session_endpoint": format!("{issuer}oidc/logout"),
            "delegation_endpoint": format!("{issuer}delegation"),
            "scopes_supported": ["openid", "profile", "offline_access", "name", "given_name", "family_name",
                "nickname", "email", "email_verified", "picture"],
            "response_types_supported": RESPONSE_TYPES,
            "response_modes_supported": RESPONSE_MODES,
            "grant_types_supported": [grant::AUTHORIZATION_CODE, grant::IMPLICIT, grant::CLIENT_CREDENTIALS,
                grant::PASSWORD, grant::PASSWORD_REALM, grant::REFRESH_TOKEN, grant::TOKEN_EXCHANGE],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256", "RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": pkce,
            "claims_supported": ["aud", "auth_time", "email", "email_verified", "exp", "family_name", "given_name",
                "iat", "iss", "name", "nickname", "nonce", "picture", "sid", "sub"],
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "frontchannel_logout_supported": false,
            "dpop_signing_alg_values_supported": ["ES256"],
        }))
    }

    /// The published keys.
    pub fn jwks(&self) -> Reply {
        Reply::ok(self.keys.jwks())
    }
}
