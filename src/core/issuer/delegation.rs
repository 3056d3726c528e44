//! `POST /delegation`, in the order of spec §7b: endpoint switch, grant_type, client, legacy grant, exactly
//! one token, input token checked with the caller's algorithm and secret, target and `allowed_clients`, rate
//! limit on (IP, user) when enabled, then `api_type` and minting.

use super::error::{OAuthError, Reply};
use super::{Ctx, Issuer, Params};
use crate::core::jwt::decode::base64_any;
use crate::core::jwt::input::Inspection;
use crate::core::jwt::key::{KeyMaterial, parse_key_text};
use crate::core::jwt::{Expectations, analyse};
use crate::core::protocol::api_type::{API_TYPES, api_type_names};
use crate::core::protocol::grant::{DELEGATION_ID_TOKEN, DELEGATION_REFRESH_TOKEN, JWT_BEARER};
use crate::core::protocol::header::{X_RATELIMIT_LIMIT, X_RATELIMIT_REMAINING, X_RATELIMIT_RESET};
use crate::core::ratelimit::Decision;
use crate::core::tenant::{Addon, Client, SigningAlg};
use serde_json::{Map, Value};

/// Longest input token considered (Auth0 tokens are far shorter).
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Who the input token names, and what it says about them.
pub struct Subject {
    /// `sub` / `user_id`.
    pub sub: String,
    /// Claims (input token) or attributes (refresh-token user) to draw scoped claims from.
    pub attributes: Map<String, Value>,
}

impl Issuer {
    /// Answers `POST /delegation`.
    pub fn delegation(&self, params: &Params, ctx: &Ctx<'_>) -> Reply {
        let caller = params.get("client_id").map(str::to_owned);
        let mut user = None;
        let mut limit_headers = Vec::new();
        let result = self.delegate(params, ctx, &mut user, &mut limit_headers);
        let mut reply = result.unwrap_or_else(Reply::from);
        reply.headers.extend(limit_headers);
        reply.by(caller.as_deref(), user.as_deref())
    }

    fn delegate(
        &self,
        params: &Params,
        ctx: &Ctx<'_>,
        user: &mut Option<String>,
        limit_headers: &mut Vec<(&'static str, String)>,
    ) -> Result<Reply, OAuthError> {
        if !self.tenant.settings.delegation_enabled {
            return Err(OAuthError::endpoint_disabled(
                "/delegation is disabled for this tenant: set settings.delegation_enabled to true in the tenant file",
            ));
        }
        let grant_type = params.require("grant_type")?;
        if grant_type != JWT_BEARER {
            return Err(OAuthError::unsupported_grant_type(format!(
                "grant_type must be {JWT_BEARER} at /delegation"
            )));
        }
        let caller = self.caller(params)?;
        let subject = self.subject(&caller, params, ctx)?;
        *user = Some(subject.sub.clone());
        let target = self.target(&caller, params)?;
        if self.tenant.rate_limits.delegation.enabled {
            let decision = self
                .delegation_limit()
                .take(&format!("{}|{}", ctx.ip, subject.sub), ctx.now);
            limit_headers.extend(rate_limit_headers(&decision));
            if !decision.allowed {
                return Err(OAuthError::too_many_requests());
            }
        }
        let api_type = resolve_api_type(params, &target)?;
        self.mint_delegation(&api_type, &target, &subject, params, ctx)
    }

    fn caller(&self, params: &Params) -> Result<Client, OAuthError> {
        let client_id = params.require("client_id")?;
        let client = self
            .tenant
            .client(client_id)
            .ok_or_else(|| OAuthError::unauthorized_client("invalid client"))?;
        if !client.allows_grant(DELEGATION_ID_TOKEN) && !client.allows_grant(DELEGATION_REFRESH_TOKEN) {
            return Err(OAuthError::grant_not_allowed(DELEGATION_ID_TOKEN));
        }
        Ok(client.clone())
    }

    fn subject(&self, caller: &Client, params: &Params, ctx: &Ctx<'_>) -> Result<Subject, OAuthError> {
        match (params.get("id_token"), params.get("refresh_token")) {
            (Some(_), Some(_)) | (None, None) => Err(OAuthError::invalid_request(
                "send exactly one of id_token or refresh_token",
            )),
            (Some(token), None) => {
                grant_allowed(caller, DELEGATION_ID_TOKEN)?;
                self.check_id_token(caller, token, ctx)
            }
            (None, Some(token)) => {
                grant_allowed(caller, DELEGATION_REFRESH_TOKEN)?;
                self.refresh_subject(caller, token)
            }
        }
    }

    fn invalid_input(&self, why: impl Into<String>) -> OAuthError {
        OAuthError::invalid_grant(self.tenant.settings.invalid_id_token_status, why)
    }

    /// Checks an input id_token with the caller's algorithm and key; returns its subject and claims.
    pub fn check_id_token(&self, caller: &Client, token: &str, ctx: &Ctx<'_>) -> Result<Subject, OAuthError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(self.invalid_input("the id_token is longer than 16 KiB"));
        }
        let alg = caller.jwt_configuration.alg;
        let key = self.verification_key(caller)?;
        let expect = Expectations {
            issuer: Some(ctx.issuer()),
            audience: Some(caller.client_id.clone()),
            leeway: self.tenant.settings.leeway_seconds,
        };
        let analysis = analyse(token, Some(&key), &expect, ctx.now);
        let Inspection::Jwt(jwt) = &analysis.inspection else {
            return Err(self.invalid_input("the id_token is not a JWT"));
        };
        let signed_with = jwt.alg().unwrap_or("none");
        if signed_with != format!("{alg:?}") {
            return Err(self.invalid_input(format!(
                "the id_token is signed with {signed_with}, but client {} is configured for {alg:?}: \
                 /delegation checks input tokens with the calling application's algorithm",
                caller.client_id
            )));
        }
        if let Some(failed) = analysis.verdict.as_ref().and_then(|v| v.first_failure()) {
            return Err(self.invalid_input(format!("invalid id_token ({}): {}", failed.name, failed.detail)));
        }
        let claims = jwt.payload.clone().unwrap_or_default();
        let sub = claims.get("sub").and_then(Value::as_str).filter(|s| !s.is_empty());
        let sub = sub
            .ok_or_else(|| self.invalid_input("the id_token has no sub claim"))?
            .to_owned();
        let mut attributes = self
            .tenant
            .user(&sub)
            .map(super::claims::user_attributes)
            .unwrap_or_default();
        attributes.extend(claims);
        Ok(Subject { sub, attributes })
    }

    fn verification_key(&self, client: &Client) -> Result<KeyMaterial, OAuthError> {
        let config_error = |why: String| OAuthError::other(500, "server_error", why);
        match client.jwt_configuration.alg {
            SigningAlg::HS256 => self
                .hmac_key(client)
                .map(|b| KeyMaterial::Secret(zeroize::Zeroizing::new(b))),
            SigningAlg::RS256 => parse_key_text(&self.keys.jwks().to_string()).map_err(|e| config_error(e.to_string())),
        }
    }

    /// The HS256 key of a client: its secret's bytes, base64-decoded when `secret_encoded`.
    pub fn hmac_key(&self, client: &Client) -> Result<Vec<u8>, OAuthError> {
        let secret = self.client_secret(&client.client_id).ok_or_else(|| {
            OAuthError::other(
                500,
                "server_error",
                format!("client {} has no resolved secret", client.client_id),
            )
        })?;
        if !client.jwt_configuration.secret_encoded {
            return Ok(secret.expose().as_bytes().to_vec());
        }
        base64_any(secret.expose()).ok_or_else(|| {
            OAuthError::other(
                500,
                "server_error",
                format!(
                    "client {} has secret_encoded but its secret is not base64",
                    client.client_id
                ),
            )
        })
    }

    fn refresh_subject(&self, caller: &Client, token: &str) -> Result<Subject, OAuthError> {
        let grant = self
            .refresh_grant(token)
            .filter(|g| g.client_id == caller.client_id)
            .ok_or_else(|| self.invalid_input("unknown or revoked refresh_token for this client"))?;
        let user = self
            .tenant
            .user(&grant.user_id)
            .ok_or_else(|| self.invalid_input("the refresh_token's user no longer exists"))?;
        Ok(Subject {
            sub: user.user_id.clone(),
            attributes: super::claims::user_attributes(user),
        })
    }

    fn target(&self, caller: &Client, params: &Params) -> Result<Client, OAuthError> {
        let target_id = params.get("target").unwrap_or(&caller.client_id);
        let target = self.tenant.client(target_id).ok_or_else(|| {
            OAuthError::unauthorized_client(format!("target \"{target_id}\" is not a client of this tenant"))
        })?;
        if !target.allowed_clients.is_empty() && !target.allowed_clients.contains(&caller.client_id) {
            return Err(OAuthError::access_denied(format!(
                "client {} may not request delegation tokens for {target_id}: add it to the target's allowed_clients",
                caller.client_id
            )));
        }
        Ok(target.clone())
    }
}

fn grant_allowed(client: &Client, grant: &str) -> Result<(), OAuthError> {
    if client.allows_grant(grant) {
        Ok(())
    } else {
        Err(OAuthError::grant_not_allowed(grant))
    }
}

/// `X-RateLimit-Limit`, `-Remaining` and `-Reset` for a decision.
pub fn rate_limit_headers(decision: &Decision) -> [(&'static str, String); 3] {
    [
        (X_RATELIMIT_LIMIT, decision.limit.to_string()),
        (X_RATELIMIT_REMAINING, decision.remaining.to_string()),
        (X_RATELIMIT_RESET, decision.reset.to_string()),
    ]
}

/// `api_type` given, else the target's first add-on, else `app` (`auth0` is an alias of `app`).
fn resolve_api_type(params: &Params, target: &Client) -> Result<String, OAuthError> {
    let api_type = match params.get("api_type") {
        Some("auth0") => "app".to_owned(),
        Some(given) => given.to_owned(),
        None => target.addons.list.first().map_or("app", Addon::api_type).to_owned(),
    };
    if !API_TYPES.iter().any(|known| known.name == api_type) {
        return Err(OAuthError::invalid_request(format!(
            "unknown api_type '{api_type}'. Choose from: {}",
            api_type_names()
        )));
    }
    Ok(api_type)
}
