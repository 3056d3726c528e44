//! `GET /.well-known/openid-configuration`, `GET /.well-known/jwks.json` and `GET /userinfo`.

use super::authorize::{RESPONSE_MODES, RESPONSE_TYPES};
use super::claims::user_attributes;
use super::error::{OAuthError, Reply};
use super::{Ctx, Issuer};
use crate::core::jwt::input::Inspection;
use crate::core::jwt::key::parse_key_text;
use crate::core::jwt::{Expectations, analyse};
use serde_json::{Value, json};

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
            "grant_types_supported": ["authorization_code", "implicit", "client_credentials", "password",
                "http://auth0.com/oauth/grant-type/password-realm", "refresh_token",
                "urn:ietf:params:oauth:grant-type:token-exchange"],
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

    /// The user behind a Bearer access token issued for `/userinfo`.
    pub fn userinfo(&self, authorization: Option<&str>, ctx: &Ctx<'_>) -> Reply {
        self.user_profile(authorization, ctx).unwrap_or_else(Reply::from)
    }

    fn user_profile(&self, authorization: Option<&str>, ctx: &Ctx<'_>) -> Result<Reply, OAuthError> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 16 * 1024)
            .ok_or_else(|| OAuthError::invalid_token("send the access token as Authorization: Bearer TOKEN"))?;
        if let Some(opaque) = self.login_state().opaque.get(token).cloned() {
            if opaque.expires <= ctx.now {
                return Err(OAuthError::invalid_token("The token has expired: sign in again"));
            }
            let user = self
                .tenant
                .user(&opaque.user_id)
                .ok_or_else(|| OAuthError::invalid_token("the token's user is no longer in the tenant"))?;
            let mut profile = user_attributes(user);
            profile.insert("sub".to_owned(), Value::from(user.user_id.as_str()));
            return Ok(Reply::ok(Value::Object(profile)).by(Some(&opaque.client_id), Some(&user.user_id)));
        }
        let keys = parse_key_text(&self.keys.jwks().to_string())
            .map_err(|e| OAuthError::other(500, "server_error", e.to_string()))?;
        let expect = Expectations {
            issuer: Some(ctx.issuer()),
            audience: Some(format!("{}userinfo", ctx.issuer())),
            leeway: self.tenant.settings.leeway_seconds,
        };
        let analysis = analyse(token, Some(&keys), &expect, ctx.now);
        if let Some(failed) = analysis.verdict.as_ref().and_then(|v| v.first_failure()) {
            return Err(OAuthError::invalid_token(format!(
                "invalid access token ({}): {}",
                failed.name, failed.detail
            )));
        }
        let Inspection::Jwt(jwt) = &analysis.inspection else {
            return Err(OAuthError::invalid_token("the access token is not a JWT"));
        };
        if jwt.alg() != Some("RS256") {
            return Err(OAuthError::invalid_token("access tokens of this issuer are RS256"));
        }
        let sub = jwt.claim_str("sub").unwrap_or_default();
        let user = self
            .tenant
            .user(sub)
            .ok_or_else(|| OAuthError::invalid_token("the token's subject is not a user of this tenant"))?;
        let mut profile = user_attributes(user);
        profile.insert("sub".to_owned(), Value::from(sub));
        Ok(Reply::ok(Value::Object(profile)).by(jwt.claim_str("azp"), Some(sub)))
    }
}
