//! `POST /oauth/token`: `client_credentials`, `password` and `password-realm` (with brute-force protection),
//! `refresh_token`, `authorization_code` (in `code_grant`) and native social token exchange (in `exchange`).
//! Every grant authenticates the client by its `token_endpoint_auth_method`.

use super::claims::{scoped_claims, user_attributes};
use super::error::{OAuthError, Reply};
use super::{Ctx, Issuer, Params, RefreshGrant, secrets_match};
use crate::core::tenant::client::{
    AuthMethod, GRANT_AUTHORIZATION_CODE, GRANT_CLIENT_CREDENTIALS, GRANT_PASSWORD, GRANT_PASSWORD_REALM,
    GRANT_REFRESH_TOKEN, GRANT_TOKEN_EXCHANGE,
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

/// What only a browser login adds to the ID token, and the opaque `/userinfo` token it gets without an API.
#[derive(Default)]
pub(super) struct LoginClaims {
    pub(super) nonce: Option<String>,
    pub(super) sid: String,
    pub(super) auth_time: i64,
    /// `at_hash`: whether the access token travels with the ID token.
    pub(super) at_hash: bool,
    /// `c_hash`: the code it travels with (hybrid flows).
    pub(super) code: Option<String>,
}

/// What a user token is for.
#[derive(Default)]
pub(super) struct UserGrant {
    pub(super) user: User,
    pub(super) scopes: Vec<String>,
    pub(super) audience: Option<String>,
    pub(super) gty: &'static str,
    /// The DPoP key thumbprint the access token is bound to (`cnf.jkt`), if any.
    pub(super) jkt: Option<String>,
    /// Set for tokens from a browser login.
    pub(super) login: Option<LoginClaims>,
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

    /// Whether [`Issuer::token`] may change the issuer's state outside its own locks for these parameters: a
    /// native social token exchange. Otherwise [`Issuer::token_shared`] gives the same answer through `&self`.
    pub fn token_changes_state(params: &Params) -> bool {
        params.get("grant_type") == Some(GRANT_TOKEN_EXCHANGE)
    }

    /// Answers `POST /oauth/token` as [`Issuer::token`] does, for parameters that change no state (see
    /// [`Issuer::token_changes_state`]); `None` for the others.
    pub fn token_shared(&self, params: &Params, authorization: Option<&str>, ctx: &Ctx<'_>) -> Option<Reply> {
        if Self::token_changes_state(params) {
            return None;
        }
        let mut who = (params.get("client_id").map(str::to_owned), None);
        let result = self
            .checked_grant(params, authorization, ctx, &mut who)
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
        let (caller, grant_type) = self.checked_grant(params, authorization, ctx, who)?;
        match grant_type.as_str() {
            GRANT_TOKEN_EXCHANGE => self.token_exchange(&caller, params, ctx, who),
            other => self.shared_grant(&caller, other, params, ctx, who),
        }
    }

    /// The grants whose state lives behind the issuer's own locks: all but the token exchange.
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
                let grant = self.password_grant(params, grant_type == GRANT_PASSWORD_REALM, ctx, who)?;
                let reply = self.user_tokens(caller, &grant, ctx)?;
                Ok(self.with_refresh_token(reply, &caller.client, &grant, ctx))
            }
            GRANT_REFRESH_TOKEN => self.refresh(caller, params, ctx, who),
            GRANT_AUTHORIZATION_CODE => self.exchange_code(caller, params, ctx, who),
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
        ctx: &Ctx<'_>,
        who: &mut (Option<String>, Option<String>),
    ) -> Result<(Caller, String), OAuthError> {
        let grant_type = params.require("grant_type")?.to_owned();
        let known = [
            GRANT_AUTHORIZATION_CODE,
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
        if let Some(origin) = ctx.origin
            && !caller.client.allows_origin(origin)
        {
            return Err(OAuthError::access_denied(format!(
                "Origin {origin} is not allowed. Add it to the web_origins or allowed_origins of client {}",
                caller.client.client_id
            )));
        }
        if !caller.authenticated && caller.client.auth_method() != AuthMethod::None {
            return Err(unauthenticated(&caller.client, &grant_type));
        }
        if !caller.client.allows_grant(&grant_type) {
            return Err(OAuthError::grant_not_allowed(&grant_type));
        }
        Ok((caller, grant_type))
    }

    fn password_grant(
        &self,
        params: &Params,
        realm_required: bool,
        ctx: &Ctx<'_>,
        who: &mut (Option<String>, Option<String>),
    ) -> Result<UserGrant, OAuthError> {
        let user = self.password_user(params, realm_required, ctx)?.clone();
        who.1 = Some(user.user_id.clone());
        Ok(UserGrant {
            user,
            scopes: params.scopes("openid"),
            audience: params.get("audience").map(str::to_owned),
            gty: "password",
            ..UserGrant::default()
        })
    }

    pub(super) fn authenticate(&self, params: &Params, authorization: Option<&str>) -> Result<Caller, OAuthError> {
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

    fn password_user(&self, params: &Params, realm_required: bool, ctx: &Ctx<'_>) -> Result<&User, OAuthError> {
        let username = params.require("username")?;
        let password = params.require("password")?;
        let realm = if realm_required {
            Some(params.require("realm")?)
        } else {
            params.get("realm")
        };
        self.check_password(username, password, realm, ctx)
            .map_err(|failure| match failure {
                LoginFailure::Blocked => OAuthError::other(429, "too_many_attempts", BLOCKED_API_TEXT),
                LoginFailure::Wrong => OAuthError::invalid_grant(403, "Wrong email or password."),
            })
    }

    /// The user whose name and password these are, counting failures per name and IP and refusing a blocked
    /// name (login-flow spec §7); the login page and the password grants share it.
    pub(super) fn check_password(
        &self,
        username: &str,
        password: &str,
        realm: Option<&str>,
        ctx: &Ctx<'_>,
    ) -> Result<&User, LoginFailure> {
        let threshold = self.tenant.settings.login.brute_force_threshold;
        if self.login_state().blocked(username, ctx.ip, threshold, ctx.now) {
            return Err(LoginFailure::Blocked);
        }
        let user = self
            .tenant
            .users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(username) || u.user_id == username)
            .filter(|u| realm.is_none_or(|r| r == u.connection));
        let expected = user.and_then(|u| self.secret(&crate::core::tenant::check::password_path(&u.user_id)));
        match user {
            Some(user) if expected.is_some_and(|e| secrets_match(password, e)) => {
                self.login_state().succeeded(username, ctx.ip);
                Ok(user)
            }
            _ => {
                let mut state = self.login_state();
                state.failed(username, ctx.ip, ctx.now);
                let blocked = state.blocked(username, ctx.ip, threshold, ctx.now);
                Err(if blocked {
                    LoginFailure::Blocked
                } else {
                    LoginFailure::Wrong
                })
            }
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
        let access = if grant.login.is_some() && grant.audience.is_none() {
            self.opaque_token(caller, grant, ctx.now + lifetime, ctx)
        } else {
            self.access_jwt(caller, grant, aud, lifetime, ctx)?
        };
        let token_type = if grant.jkt.is_some() { "DPoP" } else { "Bearer" };
        let mut body =
            json!({ "access_token": access, "scope": scope, "expires_in": lifetime, "token_type": token_type });
        if grant.scopes.iter().any(|s| s == "openid") {
            let mut extra = scoped_claims(&grant.scopes, &user_attributes(&grant.user), ProfileScope::Oidc);
            if let Some(login) = &grant.login {
                extra.extend(login_claims(login, &access));
            }
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

    fn access_jwt(
        &self,
        caller: &Caller,
        grant: &UserGrant,
        aud: Value,
        lifetime: i64,
        ctx: &Ctx<'_>,
    ) -> Result<String, OAuthError> {
        let mut claims = json!({
            "iss": ctx.issuer(), "sub": grant.user.user_id, "aud": aud, "iat": ctx.now, "exp": ctx.now + lifetime,
            "scope": grant.scopes.join(" "), "azp": caller.client.client_id,
        });
        if !grant.gty.is_empty() {
            insert(&mut claims, "gty", Value::from(grant.gty));
        }
        if let Some(jkt) = &grant.jkt {
            insert(&mut claims, "cnf", json!({ "jkt": jkt }));
        }
        let sign_error = |e: super::keys::KeyError| OAuthError::other(500, "server_error", e.to_string());
        self.keys.current.sign(&claims).map_err(sign_error)
    }

    /// An opaque access token good only at `/userinfo` (a login without an API, spec §4.5).
    fn opaque_token(&self, caller: &Caller, grant: &UserGrant, expires: i64, ctx: &Ctx<'_>) -> String {
        let token = (ctx.random)();
        let entry = super::session::OpaqueToken {
            user_id: grant.user.user_id.clone(),
            client_id: caller.client.client_id.clone(),
            expires,
            jkt: grant.jkt.clone(),
        };
        self.login_state().opaque.insert(token.clone(), entry);
        token
    }

    pub(super) fn with_refresh_token(
        &self,
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
            ..UserGrant::default()
        };
        self.user_tokens(caller, &grant, ctx)
    }
}

/// Why a name and password did not sign in.
pub(super) enum LoginFailure {
    /// Wrong name or password.
    Wrong,
    /// Too many failures for this name from this IP.
    Blocked,
}

/// The API's text for a blocked login (spec §7.3).
pub(super) const BLOCKED_API_TEXT: &str = "Your account has been blocked after multiple consecutive login attempts. \
     We've sent you a notification via your preferred contact method with instructions on how to unblock it.";

/// The error for a confidential client that sent no secret: Auth0's `access_denied` "Unauthorized" for a code
/// exchange (spec §1.4.4), else `invalid_client`.
fn unauthenticated(client: &Client, grant_type: &str) -> OAuthError {
    if grant_type == GRANT_AUTHORIZATION_CODE {
        return OAuthError::other(401, "access_denied", "Unauthorized");
    }
    OAuthError::invalid_client(format!(
        "Client authentication failed: client {} is confidential (token_endpoint_auth_method); send its client_secret \
         in the body or as HTTP Basic",
        client.client_id
    ))
}

/// `nonce`, `sid`, `auth_time`, `at_hash` and `c_hash` of a login's ID token.
fn login_claims(login: &LoginClaims, access_token: &str) -> serde_json::Map<String, Value> {
    let mut claims = serde_json::Map::new();
    if let Some(nonce) = &login.nonce {
        claims.insert("nonce".into(), Value::from(nonce.as_str()));
    }
    claims.insert("sid".into(), Value::from(login.sid.as_str()));
    claims.insert("auth_time".into(), Value::from(login.auth_time));
    if login.at_hash {
        claims.insert("at_hash".into(), Value::from(half_hash(access_token)));
    }
    if let Some(code) = &login.code {
        claims.insert("c_hash".into(), Value::from(half_hash(code)));
    }
    claims
}

/// OIDC's `at_hash` / `c_hash`: base64url of the left half of SHA-256.
fn half_hash(value: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, value.as_bytes());
    crate::core::jwt::decode::base64url(&digest.as_ref()[..16])
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
