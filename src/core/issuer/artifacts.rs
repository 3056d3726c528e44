//! Subject tokens the local issuer hands out for its own native social exchange, as the providers would give
//! them to a native app: sealed Apple codes and Facebook session tokens, and Google ID tokens signed with the
//! tenant's simulated Google key. The window's "Get one from the local issuer" and `tokenbench mint` use these.

use super::social::{Opaque, Sealed, SubjectType, google_id_token, seal};
use super::{Ctx, Issuer};
use crate::core::tenant::check::social_artifact_key_path;

/// The Apple user id minted for when none is given.
pub const DEMO_APPLE_SUB: &str = "000001.tokenbench.0001";
/// The Facebook user id minted for when none is given.
pub const DEMO_FACEBOOK_ID: &str = "10000000000000001";
/// The Google user id minted for when none is given.
pub const DEMO_GOOGLE_SUB: &str = "100000000000000000001";

/// The provider user id minted for when none is given, in each provider's shape.
pub fn demo_subject(kind: SubjectType) -> &'static str {
    match kind {
        SubjectType::AppleCode => DEMO_APPLE_SUB,
        SubjectType::FacebookToken => DEMO_FACEBOOK_ID,
        SubjectType::GoogleIdToken => DEMO_GOOGLE_SUB,
    }
}

/// An Apple code or Facebook token for the app `aud`, sealed with `key`; it lives as long as the kind does
/// from `now` and carries the single-use `nonce`.
pub fn sealed_artifact(
    key: &[u8],
    kind: Opaque,
    aud: &str,
    subject: (&str, Option<&str>),
    now: i64,
    nonce: String,
) -> String {
    let (sub, email) = subject;
    let sealed = Sealed {
        sub: sub.to_owned(),
        aud: aud.to_owned(),
        exp: now + kind.lifetime(),
        nonce,
        email: email.map(str::to_owned),
    };
    seal(key, kind, &sealed)
}

impl Issuer {
    /// A fresh subject token of `kind` for the provider's user `sub`, which this issuer's exchange accepts once
    /// (Apple, Facebook) or until it expires (Google).
    pub fn mint_subject_token(
        &self,
        kind: SubjectType,
        sub: &str,
        email: Option<&str>,
        ctx: &Ctx<'_>,
    ) -> Result<String, String> {
        let settings = &self.tenant.settings;
        let (opaque, aud) = match kind {
            SubjectType::AppleCode => (Opaque::AppleCode, &settings.apple_client_id),
            SubjectType::FacebookToken => (Opaque::FacebookToken, &settings.facebook_app_id),
            SubjectType::GoogleIdToken => {
                let key = self
                    .google_key
                    .as_ref()
                    .ok_or("the tenant's google_signing_key did not resolve: check the tenant's secrets")?;
                return google_id_token(key, &settings.google_client_id, sub, email, ctx.now)
                    .map_err(|e| e.to_string());
            }
        };
        let key = self
            .secret(&social_artifact_key_path())
            .ok_or("the tenant's social_artifact_key did not resolve: check the tenant's secrets")?;
        let nonce = (ctx.random)();
        Ok(sealed_artifact(
            key.expose().as_bytes(),
            opaque,
            aud,
            (sub, email),
            ctx.now,
            nonce,
        ))
    }
}
