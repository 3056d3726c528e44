//! `POST /oauth/token`: `client_credentials` (secret in the body or HTTP Basic), `password` and
//! `password-realm`, `refresh_token`, and native social token exchange (in `exchange`).

use super::claims::{scoped_claims, user_attributes};
use super::error::{OAuthError, Reply};
use super::{Ctx, Issuer, Params, RefreshGrant, secrets_match};
use crate::core::tenant::client::{
    GRANT_CLIENT_CREDENTIALS, GRANT_PASSWORD, GRANT_PASSWORD_REALM, GRANT_REFRESH_TOKEN, GRANT_TOKEN_EXCHANGE,
};
use crate::core::tenant::{Client, ProfileScope, SigningAlg, User};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// Lifetime of access tokens issued without an API audience (for `/userinfo` only).
const USERINFO_TOKEN_LIFETIME: i64 = 86_400;

/// A client and whether it proved its secret.
pub(super) struct Caller {
    pub(super) client: Client,
    pub(super) authenticated: bool,
}

/// What a user token is for.
pub(super) struct UserGrant {
    pub(super) user: User,
    pub(super) scopes: Vec<String>,
    pub(super) audience: Option<String>,
    pub(super) gty: &'static str,
    /// The DPoP key thumbprint the access token is bound to (`cnf.jkt`), if any.
    pub(super) jkt: Option<String>,
}

impl Issuer {
    /// Answers `POST /oauth/token`; `authorization` is the `Authorization` header, if any.
    pub fn token(&mut self, params: &Params, authorization: Option<&str>, ctx: &Ctx<'_>) -> Reply {
        let mut who = (params.get("client_id").map(str::to_owned), None);
        let result = self.grant(params, authorization, ctx, &mut who);
        result
            .unwrap_or_else(Reply::from)
            .by(who.0.as_deref(), who.1.as_deref())
    }

    /// Whether [`Issuer::token`] may change the issuer's state for these parameters: a native social token
    /// exchange, or a password grant that asks for `offline_access` (a refresh token to remember).
    /// Otherwise [`Issuer::token_shared`] gives the same answer through `&self`.
    pub fn token_changes_state(params: &Params) -> bool {
        match params.get("grant_type") {
            Some(GRANT_TOKEN_EXCHANGE) => true,
            Some(GRANT_PASSWORD | GRANT_PASSWORD_REALM) => {
                params.scopes("openid").iter().any(|s| s == "offline_access")
            }
            _ => false,
        }
    }

    /// Answers `POST /oauth/token` as [`Issuer::token`] does, for parameters that change no state (see
    /// [`Issuer::token_changes_state`]); `None` for the others.
    pub fn token_shared(&self, params: &Params, authorization: Option<&str>, ctx: &Ctx<'_>) -> Option<Reply> {
        if Self::token_changes_state(params) {
            return None;
        }
        let mut who = (params.get("client_id").map(str::to_owned), None);
        let result = self
            .checked_grant(params, authorization, &mut who)
            .and_then(|(caller, grant_type)| self.shared_grant(&caller, &grant_type, params, ctx, &mut who));
        Some(
            result
                .unwrap_or_else(Reply::from)
                .by(who.0.as_deref(), who.1.as_deref()),
        )
    }

    fn grant(
        &mut self,
        params: &Params,
        authorization: Option<&str>,
        ctx: &Ctx<'_>,
        who: &mut (Option<String>, Option<String>),
    ) -> Result<Reply, OAuthError> {
        let (caller, grant_type) = self.checked_grant(params, authorization, who)?;
        match grant_type.as_str() {
            GRANT_PASSWORD | GRANT_PASSWORD_REALM => {
                let grant = self.password_grant(params, grant_type == GRANT_PASSWORD_REALM, who)?;
                let reply = self.user_tokens(&caller, &grant, ctx)?;
                Ok(self.with_refresh_token(reply, &caller.client, &grant, ctx))
            }
            GRANT_TOKEN_EXCHANGE => self.token_exchange(&caller, params, ctx, who),
            other => self.shared_grant(&caller, other, params, ctx, who),
        }
    }

    /// The grants that change nothing: `client_credentials`, `refresh_token`, and `password` without its
    /// refresh token (which [`Issuer::token`] adds for `offline_access`).
    fn shared_grant(
        &self,
        caller: &Caller,
        grant_type: &str,
        params: &Params,
        ctx: &Ctx<'_>,
        who: &mut (Option<String>, Option<String>),
    ) -> Result<Reply, OAuthError> {
        match grant_type {
            GRANT_CLIENT_CREDENTIALS => self.client_credentials(caller, params, ctx),
            GRANT_PASSWORD | GRANT_PASSWORD_REALM => {
                let grant = self.password_grant(params, grant_type == GRANT_PASSWORD_REALM, who)?;
                self.user_tokens(caller, &grant, ctx)
            }
            GRANT_REFRESH_TOKEN => self.refresh(caller, params, ctx, who),
            other => Err(OAuthError::unsupported_grant_type(format!(
                "Unsupported grant type: {other}"
            ))),
        }
    }

    /// A known grant type, an authenticated (or public) caller, and a grant the caller may use.
    fn checked_grant(
        &self,
        params: &Params,
        authorization: Option<&str>,
        who: &mut (Option<String>, Option<String>),
    ) -> Result<(Caller, String), OAuthError> {
        let grant_type = params.require("grant_type")?.to_owned();
        let known = [
            GRANT_CLIENT_CREDENTIALS,
            GRANT_PASSWORD,
            GRANT_PASSWORD_REALM,
            GRANT_REFRESH_TOKEN,
            GRANT_TOKEN_EXCHANGE,
        ];
        if !known.contains(&grant_type.as_str()) {
            return Err(OAuthError::unsupported_grant_type(format!(
                "Unsupported grant type: {grant_type}. Choose from: {}",
                known.join(", ")
            )));
        }
        let caller = self.authenticate(params, authorization)?;
        who.0 = Some(caller.client.client_id.clone());
        if !caller.client.allows_grant(&grant_type) {
            return Err(OAuthError::grant_not_allowed(&grant_type));
        }
        Ok((caller, grant_type))
    }

    fn password_grant(
        &self,
        params: &Params,
        realm_required: bool,
        who: &mut (Option<String>, Option<String>),
    ) -> Result<UserGrant, OAuthError> {
        let user = self.password_user(params, realm_required)?.clone();
        who.1 = Some(user.user_id.clone());
        Ok(UserGrant {
            user,
            scopes: params.scopes("openid"),
            audience: params.get("audience").map(str::to_owned),
            gty: "password",
            jkt: None,
        })
    }

    fn authenticate(&self, params: &Params, authorization: Option<&str>) -> Result<Caller, OAuthError> {
        let basic = authorization.map(basic_credentials).transpose()?;
        let (client_id, secret) = match (&basic, params.get("client_id"), params.get("client_secret")) {
            (Some(_), _, Some(_)) => {
                return Err(OAuthError::invalid_request(
                    "send the client secret once: in the Authorization header or the body",
                ));
            }
            (Some((id, _)), Some(body_id), _) if id != body_id => {
                return Err(OAuthError::invalid_request(
                    "client_id in the body differs from the Authorization header",
                ));
            }
            (Some((id, secret)), _, _) => (id.as_str(), Some(secret.as_str())),
            (None, id, secret) => (
                id.ok_or_else(|| OAuthError::invalid_request("Missing required parameter: client_id"))?,
                secret,
            ),
        };
        let client = self
            .tenant
            .client(client_id)
            .ok_or_else(|| OAuthError::invalid_client("Unknown client: check client_id"))?;
        if let Some(given) = secret {
            let expected = self.client_secret(client_id);
            if !expected.is_some_and(|e| secrets_match(given, e)) {
                return Err(OAuthError::invalid_client(
                    "Client authentication failed: wrong client_secret",
                ));
            }
        }
        Ok(Caller {
            client: client.clone(),
            authenticated: secret.is_some(),
        })
    }

    fn client_credentials(&self, caller: &Caller, params: &Params, ctx: &Ctx<'_>) -> Result<Reply, OAuthError> {
        if !caller.authenticated {
            return Err(OAuthError::invalid_client(
                "client_credentials needs the client_secret (body or HTTP Basic)",
            ));
        }
        let client_id = caller.client.client_id.as_str();
        let audience = params.get("audience").ok_or_else(|| {
            OAuthError::access_denied("No audience parameter was provided, and no default audience has been configured")
        })?;
        let api = self
            .tenant
            .resource_server(audience)
            .ok_or_else(|| OAuthError::access_denied(format!("Service not found: {audience}")))?;
        let grant = self.tenant.client_grant(client_id, audience).ok_or_else(|| {
            OAuthError::access_denied(format!(
                "Client is not authorized to access \"{audience}\". You need to create a \"client-grant\" associated to this API."
            ))
        })?;
        let requested = params.get("scope").map(|s| s.split_whitespace().collect::<Vec<_>>());
        let scope: Vec<&str> = grant
            .scope
            .iter()
            .map(String::as_str)
            .filter(|s| requested.as_ref().is_none_or(|r| r.contains(s)))
            .collect();
        let scope = scope.join(" ");
        let claims = json!({
            "iss": ctx.issuer(), "sub": format!("{client_id}@clients"), "aud": audience,
            "iat": ctx.now, "exp": ctx.now + api.token_lifetime, "scope": scope,
            "azp": client_id, "gty": "client-credentials",
        });
        let token = self
            .keys
            .current
            .sign(&claims)
            .map_err(|e| OAuthError::other(500, "server_error", e.to_string()))?;
        Ok(Reply::ok(json!({
            "access_token": token, "scope": scope, "expires_in": api.token_lifetime, "token_type": "Bearer",
        })))
    }

    fn password_user(&self, params: &Params, realm_required: bool) -> Result<&User, OAuthError> {
        let username = params.require("username")?;
        let password = params.require("password")?;
        let realm = if realm_required {
            Some(params.require("realm")?)
        } else {
            params.get("realm")
        };
        let wrong = || OAuthError::invalid_grant(403, "Wrong email or password.");
        let user = self
            .tenant
            .users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(username) || u.user_id == username)
            .filter(|u| realm.is_none_or(|r| r == u.connection))
            .ok_or_else(wrong)?;
        let expected = self.secret(&crate::core::tenant::check::password_path(&user.user_id));
        if expected.is_some_and(|e| secrets_match(password, e)) {
            Ok(user)
        } else {
            Err(wrong())
        }
    }

    pub(super) fn user_tokens(&self, caller: &Caller, grant: &UserGrant, ctx: &Ctx<'_>) -> Result<Reply, OAuthError> {
        let userinfo = format!("{}userinfo", ctx.issuer());
        let (aud, lifetime) = match &grant.audience {
            Some(identifier) => {
                let api = self
                    .tenant
                    .resource_server(identifier)
                    .ok_or_else(|| OAuthError::access_denied(format!("Service not found: {identifier}")))?;
                (json!([identifier, userinfo]), api.token_lifetime)
            }
            None => (json!(userinfo), USERINFO_TOKEN_LIFETIME),
        };
        let scope = grant.scopes.join(" ");
        let mut claims = json!({
            "iss": ctx.issuer(), "sub": grant.user.user_id, "aud": aud, "iat": ctx.now, "exp": ctx.now + lifetime,
            "scope": scope, "azp": caller.client.client_id, "gty": grant.gty,
        });
        if let Some(jkt) = &grant.jkt {
            insert(&mut claims, "cnf", json!({ "jkt": jkt }));
        }
        let sign_error = |e: super::keys::KeyError| OAuthError::other(500, "server_error", e.to_string());
        let access = self.keys.current.sign(&claims).map_err(sign_error)?;
        let token_type = if grant.jkt.is_some() { "DPoP" } else { "Bearer" };
        let mut body =
            json!({ "access_token": access, "scope": scope, "expires_in": lifetime, "token_type": token_type });
        if grant.scopes.iter().any(|s| s == "openid") {
            let extra = scoped_claims(&grant.scopes, &user_attributes(&grant.user), ProfileScope::Oidc);
            // Public clients (no secret sent) always get RS256 ID tokens (spec §5.1.5).
            let alg = if caller.authenticated {
                caller.client.jwt_configuration.alg
            } else {
                SigningAlg::RS256
            };
            let id_token = self.id_token_as(&caller.client, alg, &grant.user.user_id, extra, ctx)?;
            insert(&mut body, "id_token", Value::from(id_token));
        }
        Ok(Reply::ok(body))
    }

    pub(super) fn with_refresh_token(
        &mut self,
        mut reply: Reply,
        client: &Client,
        grant: &UserGrant,
        ctx: &Ctx<'_>,
    ) -> Reply {
        if grant.scopes.iter().any(|s| s == "offline_access") && client.allows_grant(GRANT_REFRESH_TOKEN) {
            let token = (ctx.random)();
            self.remember_refresh(
                token.clone(),
                RefreshGrant {
                    client_id: client.client_id.clone(),
                    user_id: grant.user.user_id.clone(),
                    scope: grant.scopes.clone(),
                    audience: grant.audience.clone(),
                },
            );
            insert(&mut reply.body, "refresh_token", Value::from(token));
        }
        reply
    }

    fn refresh(
        &self,
        caller: &Caller,
        params: &Params,
        ctx: &Ctx<'_>,
        who: &mut (Option<String>, Option<String>),
    ) -> Result<Reply, OAuthError> {
        let token = params.require("refresh_token")?;
        let invalid = || OAuthError::invalid_grant(403, "Unknown or invalid refresh token.");
        let grant = self
            .refresh_grant(token)
            .filter(|g| g.client_id == caller.client.client_id)
            .ok_or_else(invalid)?;
        let user = self.tenant.user(&grant.user_id).ok_or_else(invalid)?;
        who.1 = Some(user.user_id.clone());
        let scopes = match params.get("scope") {
            Some(s) => s
                .split_whitespace()
                .filter(|s| grant.scope.iter().any(|g| g == s))
                .map(str::to_owned)
                .collect(),
            None => grant.scope.clone(),
        };
        let grant = UserGrant {
            user: user.clone(),
            scopes,
            audience: grant.audience.clone(),
            gty: "refresh_token",
            jkt: None,
        };
        self.user_tokens(caller, &grant, ctx)
    }
}

pub(super) fn insert(body: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = body {
        map.insert(key.to_owned(), value);
    }
}

/// `(client_id, client_secret)` from an `Authorization: Basic …` header (each part form-URL-decoded).
fn basic_credentials(header: &str) -> Result<(String, String), OAuthError> {
    let bad = || OAuthError::invalid_client("the Authorization header must be Basic base64(client_id:client_secret)");
    let encoded = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))
        .ok_or_else(bad)?;
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Ok((decode(id).unwrap_or_default(), decode(secret).unwrap_or_default()))
}
