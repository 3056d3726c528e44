//! `GET|POST /userinfo`: the user behind an access token of this issuer (a JWT whose `aud` names
//! `/userinfo`, or an opaque login token). A DPoP-bound token (RFC 9449 §7) is accepted only as
//! `Authorization: DPoP` with a proof for this request whose `ath` and key match the token; sent as Bearer it is
//! refused. Every 401 carries `WWW-Authenticate` (RFC 6750 §3, RFC 9449 §7.1).

use super::claims::user_attributes;
use super::dpop;
use super::error::{OAuthError, Reply};
use super::{Ctx, Issuer};
use crate::core::jwt::decode::base64url;
use crate::core::jwt::input::Inspection;
use crate::core::jwt::key::parse_key_text;
use crate::core::jwt::{Expectations, analyse};
use serde_json::Value;

/// Longest access token considered.
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// How the token came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Bearer,
    Dpop,
}

/// A refusal: the error, and the scheme its challenge names.
struct Refusal {
    error: OAuthError,
    scheme: Scheme,
    /// Whether credentials were sent at all (no `error` in the challenge when not).
    had_credentials: bool,
}

impl Refusal {
    fn new(scheme: Scheme, error: OAuthError) -> Self {
        Self {
            error,
            scheme,
            had_credentials: true,
        }
    }

    fn into_reply(self, ctx: &Ctx<'_>) -> Reply {
        let realm = ctx.issuer();
        let quoted = |text: &str| text.replace(['"', '\\'], "'");
        let detail = if self.had_credentials {
            format!(
                ", error=\"{}\", error_description=\"{}\"",
                self.error.error,
                quoted(&self.error.description)
            )
        } else {
            String::new()
        };
        let challenge = match (self.scheme, self.had_credentials) {
            (_, false) => format!("Bearer realm=\"{realm}\", DPoP algs=\"ES256\""),
            (Scheme::Bearer, true) => format!("Bearer realm=\"{realm}\"{detail}"),
            (Scheme::Dpop, true) => format!("DPoP algs=\"ES256\"{detail}"),
        };
        let mut reply = Reply::from(OAuthError {
            status: 401,
            ..self.error
        });
        reply.headers.push(("www-authenticate", challenge));
        reply
    }
}

/// Who a token is for: user, client, and the DPoP key it is bound to.
struct Holder {
    user_id: String,
    client_id: Option<String>,
    jkt: Option<String>,
}

impl Issuer {
    /// Answers `/userinfo` for a request with this method and `Authorization` header.
    pub fn userinfo(&self, method: &str, authorization: Option<&str>, ctx: &Ctx<'_>) -> Reply {
        self.user_profile(method, authorization, ctx)
            .unwrap_or_else(|refusal| refusal.into_reply(ctx))
    }

    fn user_profile(&self, method: &str, authorization: Option<&str>, ctx: &Ctx<'_>) -> Result<Reply, Refusal> {
        let (scheme, token) = credentials(authorization).ok_or(Refusal {
            error: OAuthError::invalid_token(
                "send the access token as Authorization: Bearer TOKEN (DPoP TOKEN with a DPoP proof for a bound token)",
            ),
            scheme: Scheme::Bearer,
            had_credentials: false,
        })?;
        let holder = self.holder(token, ctx).map_err(|e| Refusal::new(scheme, e))?;
        self.check_binding(scheme, token, holder.jkt.as_deref(), method, ctx)?;
        let user = self.tenant.user(&holder.user_id).ok_or_else(|| {
            Refusal::new(
                scheme,
                OAuthError::invalid_token("the token's subject is not a user of this tenant"),
            )
        })?;
        let mut profile = user_attributes(user);
        profile.insert("sub".to_owned(), Value::from(user.user_id.as_str()));
        Ok(Reply::ok(Value::Object(profile)).by(holder.client_id.as_deref(), Some(&user.user_id)))
    }

    /// RFC 9449 §7: a bound token only with the DPoP scheme and a matching proof; an unbound one only as Bearer.
    fn check_binding(
        &self,
        scheme: Scheme,
        token: &str,
        jkt: Option<&str>,
        method: &str,
        ctx: &Ctx<'_>,
    ) -> Result<(), Refusal> {
        let proof_error = |why: &str| Refusal::new(Scheme::Dpop, OAuthError::other(401, "invalid_dpop_proof", why));
        match (scheme, jkt) {
            (Scheme::Bearer, None) => Ok(()),
            (Scheme::Bearer, Some(_)) => Err(Refusal::new(
                Scheme::Bearer,
                OAuthError::invalid_token(
                    "This access token is DPoP-bound: send it as Authorization: DPoP TOKEN with a DPoP proof",
                ),
            )),
            (Scheme::Dpop, None) => Err(Refusal::new(
                Scheme::Dpop,
                OAuthError::invalid_token("This access token is not DPoP-bound: send it as Authorization: Bearer"),
            )),
            (Scheme::Dpop, Some(jkt)) => {
                let header = ctx
                    .dpop
                    .ok_or_else(|| proof_error("Send a DPoP proof in the DPoP header"))?;
                let url = format!("{}userinfo", ctx.issuer());
                let proof = dpop::verify(header, method, &url, ctx.now).map_err(|e| proof_error(&e.description))?;
                let ath = base64url(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes()).as_ref());
                if proof.ath.as_deref() != Some(ath.as_str()) {
                    return Err(proof_error(
                        "Invalid DPoP proof: ath must be the SHA-256 of the access token",
                    ));
                }
                if proof.jkt != jkt {
                    let binding = OAuthError::invalid_token("Invalid DPoP key binding");
                    return Err(Refusal::new(Scheme::Dpop, binding));
                }
                if !self.login_state().use_proof(&proof.jti, ctx.now) {
                    return Err(proof_error("Invalid DPoP proof: its jti was already used"));
                }
                Ok(())
            }
        }
    }

    /// The user, client and binding of an opaque login token or a JWT access token of this issuer.
    fn holder(&self, token: &str, ctx: &Ctx<'_>) -> Result<Holder, OAuthError> {
        if let Some(opaque) = self.login_state().opaque.get(token).cloned() {
            if opaque.expires <= ctx.now {
                return Err(OAuthError::invalid_token("The token has expired: sign in again"));
            }
            return Ok(Holder {
                user_id: opaque.user_id,
                client_id: Some(opaque.client_id),
                jkt: opaque.jkt,
            });
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
        let claims = jwt.payload.as_ref().ok();
        let jkt = claims
            .and_then(|c| c.get("cnf"))
            .and_then(|cnf| cnf.get("jkt"))
            .and_then(Value::as_str);
        Ok(Holder {
            user_id: jwt.claim_str("sub").unwrap_or_default().to_owned(),
            client_id: jwt.claim_str("azp").map(str::to_owned),
            jkt: jkt.map(str::to_owned),
        })
    }
}

/// The scheme and token of an `Authorization` header (schemes compare without regard to case).
fn credentials(authorization: Option<&str>) -> Option<(Scheme, &str)> {
    let (scheme, token) = authorization?.trim().split_once(' ')?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "bearer" => Scheme::Bearer,
        "dpop" => Scheme::Dpop,
        _ => return None,
    };
    let token = token.trim();
    (!token.is_empty() && token.len() <= MAX_TOKEN_LEN).then_some((scheme, token))
}
