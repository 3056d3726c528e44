//! `GET /.well-known/openid-configuration`, `GET /.well-known/jwks.json` and `GET /userinfo`.

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
        Reply::ok(json!({
            "issuer": issuer,
            "token_endpoint": format!("{issuer}oauth/token"),
            "userinfo_endpoint": format!("{issuer}userinfo"),
            "jwks_uri": format!("{issuer}.well-known/jwks.json"),
            "delegation_endpoint": format!("{issuer}delegation"),
            "scopes_supported": ["openid", "profile", "offline_access", "name", "given_name", "family_name",
                "nickname", "email", "email_verified", "picture"],
            "response_types_supported": ["token", "id_token"],
            "grant_types_supported": ["client_credentials", "password",
                "http://auth0.com/oauth/grant-type/password-realm", "refresh_token",
                "urn:ietf:params:oauth:grant-type:token-exchange"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256", "RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["aud", "email", "email_verified", "exp", "family_name", "given_name", "iat",
                "iss", "name", "nickname", "picture", "sub"],
            "request_uri_parameter_supported": false,
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
