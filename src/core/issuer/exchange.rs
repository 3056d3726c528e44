//! Native social token exchange at `POST /oauth/token` (spec §3): the subject token type must be enabled for
//! the client, the DPoP proof (if any) valid, the subject token genuine, fresh and (Apple, Facebook) unused;
//! then the provider's user is found or created and gets Auth0 tokens.

use super::dpop::{self, Proof};
use super::error::{OAuthError, Reply};
use super::social::{Opaque, Sealed, SubjectType, open};
use super::token::{Caller, UserGrant};
use super::{Ctx, Issuer, Params};
use crate::core::jwt::input::Inspection;
use crate::core::jwt::key::parse_key_text;
use crate::core::jwt::{Expectations, analyse};
use crate::core::tenant::User;
use crate::core::tenant::check::social_artifact_key_path;
use serde_json::{Map, Value, json};

/// The scopes asked for when the request names none.
const DEFAULT_SCOPE: &str = "openid profile email offline_access";

/// Who the provider says the user is.
#[derive(Debug, Default)]
struct Identity {
    user_id: String,
    connection: &'static str,
    email: String,
    email_verified: bool,
    name: String,
    given_name: String,
    family_name: String,
    picture: String,
}

impl Issuer {
    pub(super) fn token_exchange(
        &mut self,
        caller: &Caller,
        params: &Params,
        ctx: &Ctx<'_>,
        who: &mut (Option<String>, Option<String>),
    ) -> Result<Reply, OAuthError> {
        let kind = subject_type(params)?;
        enabled_for(kind, caller)?;
        let subject_token = params.require("subject_token")?;
        let profile = user_profile(params)?;
        let audience = params
            .get("audience")
            .or_else(|| params.get("resource"))
            .map(str::to_owned);
        if let Some(api) = &audience
            && self.tenant.resource_server(api).is_none()
        {
            return Err(OAuthError::access_denied(format!("Service not found: {api}")));
        }
        let mut headers = Vec::new();
        if kind == SubjectType::AppleCode && self.tenant.rate_limits.token_exchange.enabled {
            let decision = self.exchange_limit.take(ctx.ip, ctx.now);
            headers.extend(super::delegation::rate_limit_headers(&decision));
            if !decision.allowed {
                return Err(OAuthError::too_many_requests());
            }
        }
        let proof = match self.dpop_proof(ctx) {
            Ok(proof) => proof,
            Err(reply) => {
                let mut reply = *reply;
                reply.headers.extend(headers);
                return Ok(reply);
            }
        };
        let identity = self.identity(kind, subject_token, &profile, ctx)?;
        let user = self.social_user(identity);
        who.1 = Some(user.user_id.clone());
        let grant = UserGrant {
            user,
            scopes: params.scopes(DEFAULT_SCOPE),
            audience,
            gty: "token-exchange",
            jkt: proof.map(|p| p.jkt),
            ..UserGrant::default()
        };
        let reply = self.user_tokens(caller, &grant, ctx)?;
        let mut reply = self.with_refresh_token(reply, &caller.client, &grant, ctx);
        if self.tenant.settings.dpop_nonce_required {
            headers.push((
                crate::core::protocol::header::DPOP_NONCE,
                self.dpop.nonce(ctx.now, ctx.random),
            ));
        }
        reply.headers.extend(headers);
        Ok(reply)
    }

    /// The request's DPoP proof, checked; `Err` is the reply to send instead (invalid proof, or a nonce needed).
    fn dpop_proof(&mut self, ctx: &Ctx<'_>) -> Result<Option<Proof>, Box<Reply>> {
        let Some(header) = ctx.dpop else {
            return Ok(None);
        };
        let url = format!("{}oauth/token", ctx.issuer());
        let proof = dpop::verify(header, "POST", &url, ctx.now).map_err(|e| Box::new(Reply::from(e)))?;
        if self.tenant.settings.dpop_nonce_required {
            let current = self.dpop.nonce(ctx.now, ctx.random);
            if !proof.nonce.as_deref().is_some_and(|n| self.dpop.nonce_is_valid(n)) {
                return Err(Box::new(dpop::use_nonce(&current)));
            }
        }
        if !self.dpop.use_jti(&proof.jti, ctx.now) {
            let error = OAuthError::other(
                400,
                "invalid_dpop_proof",
                "Invalid DPoP proof: its jti was already used: make a new proof for every request",
            );
            return Err(Box::new(error.into()));
        }
        Ok(Some(proof))
    }

    fn identity(
        &mut self,
        kind: SubjectType,
        token: &str,
        profile: &Map<String, Value>,
        ctx: &Ctx<'_>,
    ) -> Result<Identity, OAuthError> {
        match kind {
            SubjectType::AppleCode => {
                let aud = self.tenant.settings.apple_client_id.clone();
                let sealed = self.redeem(Opaque::AppleCode, token, &aud, ctx.now)?;
                Ok(apple_identity(sealed, profile))
            }
            SubjectType::FacebookToken => {
                let aud = self.tenant.settings.facebook_app_id.clone();
                let sealed = self.redeem(Opaque::FacebookToken, token, &aud, ctx.now)?;
                Ok(facebook_identity(&sealed, profile))
            }
            SubjectType::GoogleIdToken => self.google_identity(token, ctx),
        }
    }

    /// Opens an Apple code or Facebook token and marks it used.
    fn redeem(&mut self, kind: Opaque, token: &str, aud: &str, now: i64) -> Result<Sealed, OAuthError> {
        let key = self.secret(&social_artifact_key_path()).ok_or_else(|| {
            OAuthError::other(500, "server_error", "the tenant's social_artifact_key did not resolve")
        })?;
        let sealed = open(key.expose().as_bytes(), kind, token, aud, now)
            .map_err(|e| OAuthError::invalid_grant(400, e.to_string()))?;
        if !self.used_artifacts.use_once(&sealed.nonce, sealed.exp, now) {
            let error = super::social::ArtifactError::Replayed(match kind {
                Opaque::AppleCode => "Apple authorization code",
                Opaque::FacebookToken => "Facebook session token",
            });
            return Err(OAuthError::invalid_grant(400, error.to_string()));
        }
        Ok(sealed)
    }

    fn google_identity(&self, token: &str, ctx: &Ctx<'_>) -> Result<Identity, OAuthError> {
        let key = self
            .google_key
            .as_ref()
            .ok_or_else(|| OAuthError::other(500, "server_error", "the tenant's google_signing_key did not resolve"))?;
        let keys = parse_key_text(&json!({ "keys": [key.jwk()] }).to_string())
            .map_err(|e| OAuthError::other(500, "server_error", e.to_string()))?;
        let expect = Expectations {
            issuer: Some(super::social::GOOGLE_ISSUER.to_owned()),
            audience: Some(self.tenant.settings.google_client_id.clone()),
            leeway: self.tenant.settings.leeway_seconds,
        };
        let analysis = analyse(token, Some(&keys), &expect, ctx.now);
        let invalid = |why: String| OAuthError::invalid_grant(400, format!("invalid Google id token: {why}"));
        let Inspection::Jwt(jwt) = &analysis.inspection else {
            return Err(invalid("it is not a JWT".to_owned()));
        };
        if jwt.alg() != Some("RS256") {
            return Err(invalid("Google id tokens are RS256".to_owned()));
        }
        if let Some(failed) = analysis.verdict.as_ref().and_then(|v| v.first_failure()) {
            return Err(invalid(format!("{}: {}", failed.name, failed.detail)));
        }
        let claims = jwt.payload.clone().unwrap_or_default();
        let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
        let sub = text("sub");
        if sub.is_empty() {
            return Err(invalid("it has no sub claim".to_owned()));
        }
        Ok(Identity {
            user_id: format!("google-oauth2|{sub}"),
            connection: "google-oauth2",
            email: text("email"),
            email_verified: claims.get("email_verified").and_then(Value::as_bool).unwrap_or(false),
            name: text("name"),
            given_name: text("given_name"),
            family_name: text("family_name"),
            picture: text("picture"),
        })
    }

    /// The tenant's user for this identity, created on first sign-in; empty fields are filled from later ones.
    fn social_user(&mut self, identity: Identity) -> User {
        if let Some(user) = self.tenant.users.iter_mut().find(|u| u.user_id == identity.user_id) {
            for (field, value) in [
                (&mut user.email, identity.email),
                (&mut user.name, identity.name),
                (&mut user.given_name, identity.given_name),
                (&mut user.family_name, identity.family_name),
                (&mut user.picture, identity.picture),
            ] {
                if field.is_empty() {
                    *field = value;
                }
            }
            return user.clone();
        }
        let user = User {
            nickname: identity.email.split('@').next().unwrap_or_default().to_owned(),
            user_id: identity.user_id,
            email: identity.email,
            email_verified: identity.email_verified,
            name: identity.name,
            given_name: identity.given_name,
            family_name: identity.family_name,
            picture: identity.picture,
            connection: identity.connection.to_owned(),
            ..User::default()
        };
        self.tenant.users.push(user.clone());
        user
    }
}

fn subject_type(params: &Params) -> Result<SubjectType, OAuthError> {
    let given = params.require("subject_token_type")?;
    SubjectType::parse(given).ok_or_else(|| {
        let known: Vec<&str> = SubjectType::ALL.iter().map(|t| t.uri()).collect();
        OAuthError::invalid_request(format!(
            "unsupported subject_token_type \"{}\". Choose from: {}",
            given.escape_debug(),
            known.join(", ")
        ))
    })
}

fn enabled_for(kind: SubjectType, caller: &Caller) -> Result<(), OAuthError> {
    if caller.client.native_social_login.enables(kind) {
        return Ok(());
    }
    let provider = kind.provider();
    Err(OAuthError::unauthorized_client(format!(
        "Native social login with {provider} is not enabled for client {}: set \
         native_social_login.{provider}.enabled to true for it in the tenant file",
        caller.client.client_id
    )))
}

/// `user_profile`: a JSON object, sent as a string (SDKs) or as an object (JSON bodies).
fn user_profile(params: &Params) -> Result<Map<String, Value>, OAuthError> {
    let Some(text) = params.get("user_profile") else {
        return Ok(Map::new());
    };
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(OAuthError::invalid_request(
            "user_profile must be a JSON object, e.g. {\"name\":{\"firstName\":\"John\",\"lastName\":\"Smith\"}}",
        )),
    }
}

fn profile_text(profile: &Map<String, Value>, path: &[&str]) -> String {
    let Some((first, rest)) = path.split_first() else {
        return String::new();
    };
    let mut value = profile.get(*first);
    for key in rest {
        value = value.and_then(|v| v.get(key));
    }
    value.and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn apple_identity(sealed: Sealed, profile: &Map<String, Value>) -> Identity {
    let given = profile_text(profile, &["name", "firstName"]);
    let family = profile_text(profile, &["name", "lastName"]);
    Identity {
        user_id: format!("apple|{}", sealed.sub),
        connection: "apple",
        email_verified: sealed.email.is_some(),
        email: sealed.email.unwrap_or_default(),
        name: format!("{given} {family}").trim().to_owned(),
        given_name: given,
        family_name: family,
        ..Identity::default()
    }
}

fn facebook_identity(sealed: &Sealed, profile: &Map<String, Value>) -> Identity {
    Identity {
        user_id: format!("facebook|{}", sealed.sub),
        connection: "facebook",
        email: profile_text(profile, &["email"]),
        // Auth0 cannot trust a profile the client sends (spec §3.2).
        email_verified: false,
        name: profile_text(profile, &["name"]),
        given_name: profile_text(profile, &["first_name"]),
        family_name: profile_text(profile, &["last_name"]),
        picture: profile_text(profile, &["picture", "data", "url"]),
    }
}
