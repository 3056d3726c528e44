//! Ending sessions and refresh tokens (login-flow spec §5, §6): `/v2/logout` (`returnTo` checked against the
//! Allowed Logout URLs, query and fragment left out), `/oidc/logout` (RP-Initiated Logout: exact
//! `post_logout_redirect_uri`, `state` echoed, the hint's `aud` and `sid` checked) and `POST /oauth/revoke`.

use super::error::{OAuthError, Reply};
use super::pages::error_page;
use super::web::{CookieChange, WebReply};
use super::{Ctx, Issuer, Params};
use crate::core::jwt::input::Inspection;
use crate::core::jwt::key::parse_key_text;
use crate::core::jwt::{Expectations, analyse};
use crate::core::tenant::urls::{MatchRules, url_matches};

impl Issuer {
    /// `GET /v2/logout`: ends the session and goes to `returnTo`.
    pub fn logout(&self, params: &Params, sid: Option<&str>) -> WebReply {
        let client = match params.get("client_id") {
            Some(id) => match self.tenant.client(id) {
                Some(client) => Some(client),
                None => return error_page(400, "invalid_request", &format!("Unknown client: {id}")),
            },
            None => None,
        };
        let allowed = client.map_or(&self.tenant.settings.login.allowed_logout_urls, |c| {
            &c.allowed_logout_urls
        });
        let rules = MatchRules {
            loopback_any_port: self.tenant.settings.login.loopback_any_port,
            ignore_query: true,
        };
        let target = match (params.get("returnTo"), client) {
            (Some(to), _) if allowed.iter().any(|a| url_matches(a, without_fragment(to), rules)) => Some(to.to_owned()),
            (Some(to), _) => {
                let whose = client.map_or("the tenant's settings.login".to_owned(), |c| {
                    format!("client {}", c.client_id)
                });
                return error_page(
                    400,
                    "invalid_request",
                    &format!(
                        "The \"returnTo\" querystring parameter \"{to}\" is not defined as a valid URL in \"Allowed Logout URLs\". \
                         Add it to allowed_logout_urls of {whose} in the tenant file."
                    ),
                );
            }
            (None, Some(_)) => allowed.first().cloned(),
            (None, None) => None,
        };
        self.end(sid, target, client.map(|c| c.client_id.as_str()))
    }

    /// `GET|POST /oidc/logout`: RP-Initiated Logout 1.0.
    pub fn oidc_logout(&self, params: &Params, sid: Option<&str>, ctx: &Ctx<'_>) -> WebReply {
        let hint = match params
            .get("id_token_hint")
            .map(|t| self.hint_claims(t, ctx))
            .transpose()
        {
            Ok(hint) => hint,
            Err(message) => return error_page(400, "invalid_request", &message),
        };
        let client_id = params
            .get("client_id")
            .map(str::to_owned)
            .or_else(|| hint.as_ref().map(|(aud, _)| aud.clone()));
        if let (Some(given), Some((aud, _))) = (params.get("client_id"), &hint)
            && given != aud
        {
            return error_page(
                400,
                "invalid_request",
                "client_id does not match the id_token_hint's aud",
            );
        }
        if let (Some(logout_hint), Some((_, Some(sid)))) = (params.get("logout_hint"), &hint)
            && logout_hint != sid
        {
            return error_page(
                400,
                "invalid_request",
                "logout_hint does not match the id_token_hint's sid",
            );
        }
        let client = client_id.as_deref().and_then(|id| self.tenant.client(id));
        let allowed = client.map_or(&self.tenant.settings.login.allowed_logout_urls, |c| {
            &c.allowed_logout_urls
        });
        let rules = MatchRules {
            loopback_any_port: false,
            ignore_query: false,
        };
        let target = match params.get("post_logout_redirect_uri") {
            Some(to) if allowed.iter().any(|a| url_matches(a, to, rules)) => Some(with_state(to, params.get("state"))),
            Some(to) => {
                return error_page(
                    400,
                    "invalid_request",
                    &format!(
                        "The \"post_logout_redirect_uri\" querystring parameter \"{to}\" is not defined as a valid URL in \
                         \"Allowed Logout URLs\". Add it to allowed_logout_urls in the tenant file."
                    ),
                );
            }
            None => None,
        };
        self.end(sid, target, client.map(|c| c.client_id.as_str()))
    }

    fn end(&self, sid: Option<&str>, target: Option<String>, client_id: Option<&str>) -> WebReply {
        let user = sid.and_then(|sid| {
            let mut state = self.login_state();
            let user = state.sessions.get(sid).map(|s| s.user_id.clone());
            state.end_session(sid);
            user
        });
        let reply = match target {
            Some(to) => WebReply::redirect(to, "signed out, back to the application"),
            None => WebReply::text(200, "OK"),
        };
        reply.with_cookie(CookieChange::Clear).by(client_id, user.as_deref())
    }

    /// `aud` and `sid` of an ID token this issuer signed (expired ones are accepted, as OIDC says).
    fn hint_claims(&self, token: &str, ctx: &Ctx<'_>) -> Result<(String, Option<String>), String> {
        let keys = parse_key_text(&self.keys.jwks().to_string()).map_err(|e| e.to_string())?;
        let expect = Expectations {
            issuer: Some(ctx.issuer()),
            audience: None,
            leeway: i64::MAX / 4,
        };
        let analysis = analyse(token, Some(&keys), &expect, ctx.now);
        if let Some(failed) = analysis.verdict.as_ref().and_then(|v| v.first_failure()) {
            return Err(format!(
                "id_token_hint is not an ID token of this issuer ({}): {}",
                failed.name, failed.detail
            ));
        }
        let Inspection::Jwt(jwt) = &analysis.inspection else {
            return Err("id_token_hint is not a JWT".to_owned());
        };
        let aud = jwt.claim_str("aud").ok_or("id_token_hint has no aud")?.to_owned();
        Ok((aud, jwt.claim_str("sid").map(str::to_owned)))
    }

    /// `POST /oauth/revoke`: forgets a refresh token of the calling client; 200 with an empty body also for a
    /// token it does not know (RFC 7009 §2.2).
    pub fn revoke(&self, params: &Params, authorization: Option<&str>, ctx: &Ctx<'_>) -> Reply {
        let result = (|| {
            let token = params.require("token")?;
            let caller = self.authenticate(params, authorization)?;
            if !caller.authenticated && caller.client.auth_method() != crate::core::tenant::client::AuthMethod::None {
                return Err(OAuthError::invalid_client(
                    "Client authentication failed: send the client_secret",
                ));
            }
            if let Some(origin) = ctx.origin
                && !caller.client.allows_origin(origin)
            {
                return Err(OAuthError::access_denied(format!("Origin {origin} is not allowed.")));
            }
            let owned = self
                .refresh_grant(token)
                .is_some_and(|g| g.client_id == caller.client.client_id);
            if owned {
                self.revoke_refresh(token);
            }
            Ok(Reply::ok(serde_json::Value::Null).by(Some(&caller.client.client_id), None))
        })();
        result.unwrap_or_else(Reply::from)
    }

    /// Whether a browser page at `origin` may read answers (CORS): an origin some client allows.
    pub fn cors_allows(&self, origin: &str) -> bool {
        self.tenant.clients.iter().any(|c| c.allows_origin(origin))
    }
}

fn without_fragment(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

fn with_state(url: &str, state: Option<&str>) -> String {
    match state {
        Some(state) => {
            let separator = if url.contains('?') { '&' } else { '?' };
            let encoded: String = url::form_urlencoded::byte_serialize(state.as_bytes()).collect();
            format!("{url}{separator}state={encoded}")
        }
        None => url.to_owned(),
    }
}
