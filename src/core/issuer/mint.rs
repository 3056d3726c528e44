//! Minting what `/delegation` returns: an app JWT, a Firebase custom token (v3 RS256 or v2 HS256), an Azure
//! Blob SAS, an Azure Service Bus SAS, or clearly simulated AWS credentials.

use super::claims::scoped_claims;
use super::delegation::Subject;
use super::error::{OAuthError, Reply};
use super::keys::{KeyError, sign_hs256, sign_rs256_pem};
use super::{Ctx, Issuer, Params};
use crate::core::jwt::decode::base64_any;
use crate::core::secret::SecretString;
use crate::core::tenant::addons::{Aws, AzureBlob, AzureSb, Firebase};
use crate::core::tenant::check::addon_path;
use crate::core::tenant::{Addon, Client, SigningAlg};
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// `aud` of Firebase v3 custom tokens.
pub const FIREBASE_AUDIENCE: &str =
    "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit";
/// The storage service version the blob SAS is built for (the string-to-sign below is this version's).
pub const AZURE_SV: &str = "2014-02-14";

fn internal(error: KeyError) -> OAuthError {
    OAuthError::other(500, "server_error", error.to_string())
}

/// A UTC time as Azure wants it: `2015-01-08T18:45:14Z`.
pub fn azure_time(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// URL-encodes a query value (`:` → `%3A`, `/` → `%2F`, `+` → `%2B`, `=` → `%3D`).
pub fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Base64 of HMAC-SHA256(key, message).
pub fn hmac_sha256_base64(key: &[u8], message: &str) -> String {
    STANDARD.encode(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message.as_bytes()).as_ref())
}

impl Issuer {
    pub(super) fn mint_delegation(
        &self,
        api_type: &str,
        target: &Client,
        subject: &Subject,
        params: &Params,
        ctx: &Ctx<'_>,
    ) -> Result<Reply, OAuthError> {
        if api_type == "app" {
            return self.mint_app(target, subject, params, ctx);
        }
        if crate::core::tenant::addons::UNSIMULATED.contains(&api_type) {
            return Err(unsimulated(api_type));
        }
        let addon = target.addons.find(api_type).ok_or_else(|| {
            OAuthError::invalid_request(format!(
                "target {} has no {api_type} add-on: enable it in the tenant file or choose another api_type",
                target.client_id
            ))
        })?;
        let secret = |field: &str| self.secret(&addon_path(&target.client_id, api_type, field));
        let body = match addon {
            Addon::Firebase(f) => firebase(f, secret("private_key"), secret("secret"), &subject.sub, ctx)?,
            Addon::AzureBlob(b) => azure_blob(b, secret("storageAccessKey").map(|s| s.expose()), ctx)?,
            Addon::AzureSb(s) => azure_sb(s, secret("sasKey").map(|s| s.expose()).unwrap_or_default(), ctx),
            Addon::Aws(a) => aws(a, &self.tenant.name, &subject.sub, params, ctx),
            Addon::Unsimulated(name, _) => return Err(unsimulated(name)),
        };
        Ok(Reply::ok(body))
    }

    fn mint_app(
        &self,
        target: &Client,
        subject: &Subject,
        params: &Params,
        ctx: &Ctx<'_>,
    ) -> Result<Reply, OAuthError> {
        let scopes = params.scopes("openid");
        let extra = scoped_claims(&scopes, &subject.attributes, self.tenant.settings.profile_scope);
        let lifetime = target.jwt_configuration.lifetime_in_seconds;
        let token = self.id_token(target, &subject.sub, extra, ctx)?;
        Ok(Reply::ok(
            json!({ "token_type": "Bearer", "expires_in": lifetime, "id_token": token }),
        ))
    }

    /// An ID token for `client`: `iss`, `sub`, `aud` = client, `iat`, `exp` = iat + the client's lifetime,
    /// then `extra`; HS256 with the client secret or RS256 with the tenant key, as the client is configured.
    pub fn id_token(
        &self,
        client: &Client,
        sub: &str,
        extra: Map<String, Value>,
        ctx: &Ctx<'_>,
    ) -> Result<String, OAuthError> {
        let alg = client.jwt_configuration.alg;
        self.id_token_as(client, alg, sub, extra, ctx)
    }

    /// The ID token a sign-in of `user_id` at `client_id` with `openid profile email` would give: what the
    /// window's "Sign in as" puts in the Delegation form.
    pub fn sign_in(&self, client_id: &str, user_id: &str, ctx: &Ctx<'_>) -> Result<String, String> {
        let client = self
            .tenant
            .client(client_id)
            .ok_or_else(|| format!("no client {client_id} in the tenant"))?;
        let user = self
            .tenant
            .user(user_id)
            .ok_or_else(|| format!("no user {user_id} in the tenant"))?;
        let scopes = ["openid".to_owned(), "profile".to_owned(), "email".to_owned()];
        let extra = scoped_claims(
            &scopes,
            &super::claims::user_attributes(user),
            self.tenant.settings.profile_scope,
        );
        self.id_token(client, &user.user_id, extra, ctx)
            .map_err(|e| format!("{}: {}", e.error, e.description))
    }

    /// As [`Issuer::id_token`], with the algorithm chosen by the caller (public clients always get RS256).
    pub fn id_token_as(
        &self,
        client: &Client,
        alg: SigningAlg,
        sub: &str,
        extra: Map<String, Value>,
        ctx: &Ctx<'_>,
    ) -> Result<String, OAuthError> {
        let mut claims = json!({
            "iss": ctx.issuer(),
            "sub": sub,
            "aud": client.client_id,
            "iat": ctx.now,
            "exp": ctx.now + client.jwt_configuration.lifetime_in_seconds,
        });
        if let Value::Object(map) = &mut claims {
            map.extend(extra);
        }
        match alg {
            SigningAlg::HS256 => sign_hs256(&self.hmac_key(client)?, &claims).map_err(internal),
            SigningAlg::RS256 => self.keys.current.sign(&claims).map_err(internal),
        }
    }
}

fn unsimulated(api_type: &str) -> OAuthError {
    OAuthError::invalid_request(format!(
        "api_type {api_type}: the local issuer does not simulate this add-on (it calls a third-party service). \
         Use app, firebase, azure_blob, azure_sb or aws"
    ))
}

fn firebase(
    config: &Firebase,
    private_key: Option<&SecretString>,
    legacy_secret: Option<&SecretString>,
    uid: &str,
    ctx: &Ctx<'_>,
) -> Result<Value, OAuthError> {
    let lifetime = config.lifetime_in_seconds;
    let token = match (private_key, &config.client_email, legacy_secret) {
        (Some(key), Some(email), _) => {
            let claims = json!({
                "iss": email, "sub": email, "aud": FIREBASE_AUDIENCE,
                "iat": ctx.now, "exp": ctx.now + lifetime, "uid": uid,
            });
            sign_rs256_pem(key, config.private_key_id.as_deref(), &claims).map_err(internal)?
        }
        (_, _, Some(legacy)) => {
            let claims = json!({ "v": 0, "iat": ctx.now, "exp": ctx.now + lifetime, "d": { "uid": uid } });
            sign_hs256(legacy.expose().as_bytes(), &claims).map_err(internal)?
        }
        _ => return Err(OAuthError::other(500, "server_error", "the firebase add-on has no key")),
    };
    Ok(json!({ "token_type": "Bearer", "expires_in": lifetime, "id_token": token }))
}

/// The Azure Blob string-to-sign for service version 2014-02-14 (spec §6.3).
pub fn azure_blob_string_to_sign(sp: &str, st: &str, se: &str, resource: &str, si: &str) -> String {
    format!("{sp}\n{st}\n{se}\n{resource}\n{si}\n{AZURE_SV}\n\n\n\n\n")
}

fn azure_blob(config: &AzureBlob, key: Option<&str>, ctx: &Ctx<'_>) -> Result<Value, OAuthError> {
    let key = key.and_then(base64_any).ok_or_else(|| {
        OAuthError::other(
            500,
            "server_error",
            "the azure_blob storageAccessKey is not base64: use the account key as Azure shows it",
        )
    })?;
    let blob = !config.blobName.is_empty();
    let flags: [(bool, char); 4] = if blob {
        [
            (config.blob_read, 'r'),
            (config.blob_write, 'w'),
            (config.blob_delete, 'd'),
            (false, 'l'),
        ]
    } else {
        [
            (config.container_read, 'r'),
            (config.container_write, 'w'),
            (config.container_delete, 'd'),
            (config.container_list, 'l'),
        ]
    };
    let sp: String = flags.iter().filter(|(on, _)| *on).map(|(_, c)| *c).collect();
    let (st, se) = (azure_time(ctx.now), azure_time(ctx.now + config.expiration * 60));
    let mut resource = format!("/{}/{}", config.accountName, config.containerName);
    if blob {
        resource.push('/');
        resource.push_str(&config.blobName);
    }
    let si = config.signedIdentifier.as_str();
    let sig = hmac_sha256_base64(&key, &azure_blob_string_to_sign(&sp, &st, &se, &resource, si));
    let mut query = format!(
        "st={}&se={}&sp={sp}&sv={AZURE_SV}&sr={}",
        url_encode(&st),
        url_encode(&se),
        if blob { "b" } else { "c" }
    );
    if !si.is_empty() {
        query.push_str(&format!("&si={}", url_encode(si)));
    }
    query.push_str(&format!("&sig={}", url_encode(&sig)));
    Ok(json!({ "azure_blob_sas": query }))
}

/// The resource URI an Azure Service Bus SAS is for.
pub fn azure_sb_resource(namespace: &str, entity: &str) -> String {
    format!("http://{namespace}.servicebus.windows.net/{entity}")
}

fn azure_sb(config: &AzureSb, key: &str, ctx: &Ctx<'_>) -> Value {
    let resource = url_encode(&azure_sb_resource(&config.namespace, &config.entityPath));
    let expiry = ctx.now + config.expiration * 60;
    let sig = hmac_sha256_base64(key.as_bytes(), &format!("{resource}\n{expiry}"));
    let sas = format!(
        "SharedAccessSignature sig={}&se={expiry}&skn={}&sr={resource}",
        url_encode(&sig),
        url_encode(&config.sasKeyName)
    );
    json!({ "azure_sb_sas": sas })
}

fn aws(config: &Aws, tenant: &str, sub: &str, params: &Params, ctx: &Ctx<'_>) -> Value {
    let role = params.get("role").unwrap_or(&config.role);
    let principal = params.get("principal").unwrap_or(&config.principal);
    let account = role.split(':').nth(4).unwrap_or("000000000000");
    let role_name = role.rsplit('/').next().unwrap_or("role");
    let upper: String = (ctx.random)()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(7)
        .collect();
    json!({
        "ResponseMetadata": { "RequestId": (ctx.random)() },
        "Credentials": {
            "AccessKeyId": format!("ASIASIMULATED{}", upper.to_ascii_uppercase()),
            "SecretAccessKey": format!("simulated-{}", (ctx.random)()),
            "SessionToken": format!("simulated-{}", (ctx.random)()),
            "Expiration": azure_time(ctx.now + config.lifetime_in_seconds),
        },
        "AssumedRoleUser": {
            "AssumedRoleId": format!("AROASIMULATED:{sub}"),
            "Arn": format!("arn:aws:sts::{account}:assumed-role/{role_name}/{sub}"),
        },
        "Subject": sub,
        "SubjectType": "persistent",
        "Issuer": format!("urn:{tenant}.local"),
        "Audience": "https://signin.aws.amazon.com/saml",
        "NameQualifier": principal,
        "Simulated": "tokenbench local issuer: these credentials are not valid at AWS",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_times_have_no_milliseconds() {
        assert_eq!(azure_time(1_420_742_714), "2015-01-08T18:45:14Z");
        assert_eq!(url_encode("2015-01-08T18:45:14Z"), "2015-01-08T18%3A45%3A14Z");
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256_base64(b"Jefe", "what do ya want for nothing?");
        let hex: String = STANDARD
            .decode(mac)
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
