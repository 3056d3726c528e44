//! `POST /oauth/token` with `grant_type=authorization_code` (login-flow spec §4): the code is single use and
//! short-lived, bound to its client, `redirect_uri` and PKCE challenge; a code that comes back revokes the
//! refresh token it gave (RFC 6749 §4.1.2).

use super::error::{OAuthError, Reply};
use super::session::CodeGrant;
use super::token::{Caller, LoginClaims, UserGrant};
use super::{Ctx, Issuer, Params};
use aws_lc_rs::digest::{SHA256, digest};

impl Issuer {
    pub(super) fn exchange_code(
        &self,
        caller: &Caller,
        params: &Params,
        ctx: &Ctx<'_>,
        who: &mut (Option<String>, Option<String>),
    ) -> Result<Reply, OAuthError> {
        let code = params.require("code")?;
        let invalid = || OAuthError::invalid_grant(403, "Invalid authorization code");
        let grant = self.spend_code(code, caller, ctx.now)?;
        who.1 = Some(grant.user_id.clone());
        check_binding(&grant, params)?;
        let user = self.tenant.user(&grant.user_id).ok_or_else(invalid)?.clone();
        let request = &grant.request;
        let user_grant = UserGrant {
            user,
            scopes: request.scopes.clone(),
            audience: request.audience.clone(),
            login: Some(LoginClaims {
                nonce: request.nonce.clone(),
                sid: grant.sid.clone(),
                auth_time: grant.auth_time,
                at_hash: true,
                code: None,
            }),
            ..UserGrant::default()
        };
        let reply = self.user_tokens(caller, &user_grant, ctx)?;
        let reply = self.with_refresh_token(reply, &caller.client, &user_grant, ctx);
        if let Some(refresh) = reply.body["refresh_token"].as_str()
            && let Some(entry) = self.login_state().codes.get_mut(code)
        {
            entry.spent = Some(Some(refresh.to_owned()));
        }
        Ok(reply)
    }

    /// Takes a code once: a replayed code revokes the refresh token it gave; an expired code or one issued
    /// to another client is refused.
    fn spend_code(&self, code: &str, caller: &Caller, now: i64) -> Result<CodeGrant, OAuthError> {
        let invalid = || OAuthError::invalid_grant(403, "Invalid authorization code");
        let mut state = self.login_state();
        let entry = state.codes.get_mut(code).ok_or_else(invalid)?;
        if let Some(given) = entry.spent.take() {
            if let Some(refresh) = given {
                self.revoke_refresh(&refresh);
            }
            entry.spent = Some(None);
            return Err(invalid());
        }
        if entry.expires <= now || entry.request.client_id != caller.client.client_id {
            return Err(invalid());
        }
        entry.spent = Some(None);
        Ok(entry.clone())
    }
}

/// The code is bound to the `redirect_uri` and the PKCE challenge sent to `/authorize`.
fn check_binding(grant: &CodeGrant, params: &Params) -> Result<(), OAuthError> {
    if params.get("redirect_uri") != Some(grant.request.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            403,
            "redirect_uri does not match the one sent to /authorize: send the same value",
        ));
    }
    if let Some(challenge) = &grant.request.challenge {
        let verifier = params.get("code_verifier").unwrap_or_default();
        if !verifier_matches(verifier, challenge.s256, &challenge.value) {
            return Err(OAuthError::invalid_grant(403, "Failed to verify code verifier"));
        }
    }
    Ok(())
}

/// RFC 7636 §4.6: a 43-128 character verifier whose `S256` (or `plain`) form is the challenge.
fn verifier_matches(verifier: &str, s256: bool, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return false;
    }
    let derived = if s256 {
        crate::core::jwt::decode::base64url(digest(&SHA256, verifier.as_bytes()).as_ref())
    } else {
        verifier.to_owned()
    };
    aws_lc_rs::constant_time::verify_slices_are_equal(derived.as_bytes(), challenge.as_bytes()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_verifies() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(verifier_matches(verifier, true, challenge));
        assert!(!verifier_matches(verifier, false, challenge));
        assert!(verifier_matches(verifier, false, verifier));
        assert!(!verifier_matches("short", false, "short"));
    }
}
