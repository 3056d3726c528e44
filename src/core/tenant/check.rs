//! Reading a tenant file: parse, report unknown keys as warnings, validate everything at once, and list the
//! secrets the issuer must resolve.

use super::addons::Addon;
use super::client::KNOWN_GRANTS;
use super::secret::{SecretShape, SecretSlot, SecretSpec};
use super::{Client, Tenant};
use crate::core::secret::item_name;
use serde_json::{Map, Value};

/// A parsed, valid tenant and the warnings about it (unknown keys).
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The tenant.
    pub tenant: Tenant,
    /// One line per key that was ignored, naming its path.
    pub warnings: Vec<String>,
}

/// Every problem found in a tenant file, one line each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the tenant file is not valid:\n  {}", .0.join("\n  "))]
pub struct TenantErrors(pub Vec<String>);

/// Parses and validates a tenant file.
pub fn parse(text: &str) -> Result<Loaded, TenantErrors> {
    let tenant: Tenant = serde_json::from_str(text).map_err(|e| {
        TenantErrors(vec![format!(
            "{e}. Check the key at that line against assets/demo-tenant.json"
        )])
    })?;
    let errors = validate(&tenant);
    if !errors.is_empty() {
        return Err(TenantErrors(errors));
    }
    let warnings = unknown_keys(&tenant)
        .into_iter()
        .map(|path| format!("unknown key {path} is ignored: check its spelling against the Auth0 Management API"))
        .collect();
    Ok(Loaded { tenant, warnings })
}

fn push_unknown(out: &mut Vec<String>, at: &str, map: &Map<String, Value>) {
    out.extend(
        map.keys()
            .map(|k| if at.is_empty() { k.clone() } else { format!("{at}.{k}") }),
    );
}

/// Paths of keys this version does not know, e.g. `clients[0].jwt_configuration.algo`.
pub fn unknown_keys(tenant: &Tenant) -> Vec<String> {
    let mut out = Vec::new();
    push_unknown(&mut out, "", &tenant.unknown);
    for (i, c) in tenant.clients.iter().enumerate() {
        client_unknown_keys(&mut out, &format!("clients[{i}]"), c);
    }
    for (i, u) in tenant.users.iter().enumerate() {
        push_unknown(&mut out, &format!("users[{i}]"), &u.unknown);
    }
    for (i, r) in tenant.resource_servers.iter().enumerate() {
        push_unknown(&mut out, &format!("resource_servers[{i}]"), &r.unknown);
        for (j, s) in r.scopes.iter().enumerate() {
            push_unknown(&mut out, &format!("resource_servers[{i}].scopes[{j}]"), &s.unknown);
        }
    }
    for (i, g) in tenant.client_grants.iter().enumerate() {
        push_unknown(&mut out, &format!("client_grants[{i}]"), &g.unknown);
    }
    let limits = &tenant.rate_limits;
    push_unknown(&mut out, "rate_limits", &limits.unknown);
    push_unknown(&mut out, "rate_limits.delegation", &limits.delegation.unknown);
    push_unknown(&mut out, "rate_limits.token_exchange", &limits.token_exchange.unknown);
    push_unknown(&mut out, "settings", &tenant.settings.unknown);
    let faults = &tenant.settings.faults;
    push_unknown(&mut out, "settings.faults", &faults.unknown);
    push_unknown(&mut out, "settings.login", &tenant.settings.login.unknown);
    for endpoint in super::FaultEndpoint::ALL {
        let at = format!("settings.faults.{}", endpoint.key());
        push_unknown(&mut out, &at, &faults.of(endpoint).unknown);
    }
    out
}

fn client_unknown_keys(out: &mut Vec<String>, at: &str, client: &Client) {
    push_unknown(out, at, &client.unknown);
    push_unknown(
        out,
        &format!("{at}.jwt_configuration"),
        &client.jwt_configuration.unknown,
    );
    push_unknown(out, &format!("{at}.addons"), &client.addons.unknown);
    for addon in &client.addons.list {
        let extra = match addon {
            Addon::Firebase(a) => &a.unknown,
            Addon::AzureBlob(a) => &a.unknown,
            Addon::AzureSb(a) => &a.unknown,
            Addon::Aws(a) => &a.unknown,
            Addon::Unsimulated(..) => continue,
        };
        push_unknown(out, &format!("{at}.addons.{}", addon.api_type()), extra);
    }
    let social = &client.native_social_login;
    let at = format!("{at}.native_social_login");
    push_unknown(out, &at, &social.unknown);
    for (name, toggle) in [
        ("apple", &social.apple),
        ("facebook", &social.facebook),
        ("google", &social.google),
    ] {
        push_unknown(out, &format!("{at}.{name}"), &toggle.unknown);
    }
}

/// Every rule a tenant breaks, one message each (empty when valid).
pub fn validate(tenant: &Tenant) -> Vec<String> {
    let mut errors = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, client) in tenant.clients.iter().enumerate() {
        if client.client_id.trim().is_empty() {
            errors.push(format!("clients[{i}] has no client_id: give every application one"));
        } else if !seen.insert(client.client_id.as_str()) {
            errors.push(format!(
                "client_id \"{}\" is used twice: client IDs must be unique",
                client.client_id
            ));
        }
        validate_client(tenant, &format!("clients[{i}]"), client, &mut errors);
    }
    validate_users(tenant, &mut errors);
    validate_grants(tenant, &mut errors);
    for (name, bucket) in [
        ("delegation", &tenant.rate_limits.delegation),
        ("token_exchange", &tenant.rate_limits.token_exchange),
    ] {
        if bucket.capacity == 0 || bucket.per_minute == 0 {
            errors.push(format!(
                "rate_limits.{name}: capacity and per_minute must be at least 1 (or set enabled to false)"
            ));
        }
    }
    for (name, value) in [
        ("apple_client_id", &tenant.settings.apple_client_id),
        ("facebook_app_id", &tenant.settings.facebook_app_id),
        ("google_client_id", &tenant.settings.google_client_id),
    ] {
        if value.trim().is_empty() {
            errors.push(format!(
                "settings.{name} is empty: give the simulated provider a client ID, or leave the key out for the default"
            ));
        }
    }
    if !(1..=100).contains(&tenant.settings.login.brute_force_threshold) {
        errors.push("settings.login.brute_force_threshold must be between 1 and 100 (Auth0's range)".to_owned());
    }
    if ![400, 401].contains(&tenant.settings.invalid_id_token_status) {
        errors.push("settings.invalid_id_token_status must be 400 or 401".to_owned());
    }
    errors
}

fn validate_client(tenant: &Tenant, at: &str, client: &Client, errors: &mut Vec<String>) {
    if client.jwt_configuration.lifetime_in_seconds <= 0 {
        errors.push(format!("{at}.jwt_configuration.lifetime_in_seconds must be positive"));
    }
    for grant in &client.grant_types {
        if !KNOWN_GRANTS.contains(&grant.as_str()) {
            errors.push(format!(
                "{at}.grant_types: unknown grant \"{grant}\". Choose from: {}",
                KNOWN_GRANTS.join(", ")
            ));
        }
    }
    for allowed in &client.allowed_clients {
        if tenant.client(allowed).is_none() {
            errors.push(format!(
                "{at}.allowed_clients names \"{allowed}\", which is not a client of this tenant"
            ));
        }
    }
    for addon in &client.addons.list {
        validate_addon(&format!("{at}.addons.{}", addon.api_type()), addon, errors);
    }
    for (list, urls) in [
        ("callbacks", &client.callbacks),
        ("web_origins", &client.web_origins),
        ("allowed_origins", &client.allowed_origins),
        ("allowed_logout_urls", &client.allowed_logout_urls),
    ] {
        for url in urls {
            if let Some(problem) = super::urls::registered_url_problem(url) {
                errors.push(format!("{at}.{list}: {problem}"));
            }
        }
    }
}

fn validate_addon(at: &str, addon: &Addon, errors: &mut Vec<String>) {
    match addon {
        Addon::Firebase(f) => {
            let v3 = f.private_key.is_some() && f.client_email.is_some();
            if !v3 && f.secret.is_none() {
                errors.push(format!(
                    "{at} needs client_email and private_key (SDK v3+) or secret (SDK v2)"
                ));
            }
            if f.lifetime_in_seconds <= 0 || f.lifetime_in_seconds > 3600 {
                errors.push(format!(
                    "{at}.lifetime_in_seconds must be between 1 and 3600 (Firebase's limit)"
                ));
            }
        }
        Addon::AzureBlob(b) if b.accountName.is_empty() || b.containerName.is_empty() => {
            errors.push(format!("{at} needs accountName and containerName"));
        }
        Addon::AzureSb(s) if s.namespace.is_empty() || s.sasKeyName.is_empty() || s.entityPath.is_empty() => {
            errors.push(format!("{at} needs namespace, sasKeyName and entityPath"));
        }
        Addon::AzureBlob(b) if b.expiration <= 0 => errors.push(format!("{at}.expiration must be positive minutes")),
        Addon::AzureSb(s) if s.expiration <= 0 => errors.push(format!("{at}.expiration must be positive minutes")),
        Addon::Aws(a) if a.lifetime_in_seconds <= 0 => {
            errors.push(format!("{at}.lifetime_in_seconds must be positive"))
        }
        _ => {}
    }
}

fn validate_users(tenant: &Tenant, errors: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, user) in tenant.users.iter().enumerate() {
        if user.user_id.trim().is_empty() {
            errors.push(format!("users[{i}] has no user_id, e.g. \"auth0|alice\""));
        } else if !seen.insert(user.user_id.as_str()) {
            errors.push(format!("user_id \"{}\" is used twice", user.user_id));
        }
    }
}

fn validate_grants(tenant: &Tenant, errors: &mut Vec<String>) {
    for (i, api) in tenant.resource_servers.iter().enumerate() {
        if api.identifier.trim().is_empty() {
            errors.push(format!(
                "resource_servers[{i}] has no identifier, e.g. \"https://api.example/\""
            ));
        }
        if api.token_lifetime <= 0 {
            errors.push(format!("resource_servers[{i}].token_lifetime must be positive"));
        }
    }
    for (i, grant) in tenant.client_grants.iter().enumerate() {
        if tenant.client(&grant.client_id).is_none() {
            errors.push(format!(
                "client_grants[{i}].client_id \"{}\" is not a client of this tenant",
                grant.client_id
            ));
        }
        if tenant.resource_server(&grant.audience).is_none() {
            errors.push(format!(
                "client_grants[{i}].audience \"{}\" is not a resource_servers identifier",
                grant.audience
            ));
        }
    }
}

/// Every secret the tenant references, with the keyring item a generated value goes to.
pub fn secret_slots(tenant: &Tenant) -> Vec<SecretSlot> {
    let t = tenant.name.as_str();
    let mut slots = vec![
        slot(
            signing_key_path(),
            &tenant.signing_key,
            SecretShape::RsaKey,
            item_name("signing_key", &[t]),
        ),
        slot(
            social_artifact_key_path(),
            &tenant.social_artifact_key,
            SecretShape::Random,
            item_name("hmac_secret", &[t, "social_artifacts"]),
        ),
        slot(
            google_signing_key_path(),
            &tenant.google_signing_key,
            SecretShape::RsaKey,
            item_name("signing_key", &[t, "google"]),
        ),
    ];
    for c in &tenant.clients {
        let id = c.client_id.as_str();
        slots.push(slot(
            client_secret_path(id),
            &c.client_secret,
            SecretShape::Random,
            item_name("client_secret", &[t, id]),
        ));
        for addon in &c.addons.list {
            addon_slots(addon, (t, id), &mut slots);
        }
    }
    for u in &tenant.users {
        if let Some(spec) = &u.password {
            slots.push(slot(
                password_path(&u.user_id),
                spec,
                SecretShape::Random,
                item_name("user_password", &[t, &u.user_id]),
            ));
        }
    }
    slots
}

fn slot(path: String, spec: &SecretSpec, shape: SecretShape, item: String) -> SecretSlot {
    SecretSlot {
        path,
        spec: spec.clone(),
        shape,
        item,
    }
}

/// The secrets of one add-on of client `id` in tenant `t`.
fn addon_slots(addon: &Addon, (t, id): (&str, &str), slots: &mut Vec<SecretSlot>) {
    let name = addon.api_type();
    let mut add = |field: &str, spec: &SecretSpec, shape| {
        let item = item_name("addon_key", &[name, t, id, field]);
        slots.push(slot(addon_path(id, name, field), spec, shape, item));
    };
    match addon {
        Addon::Firebase(f) => {
            f.private_key
                .iter()
                .for_each(|s| add("private_key", s, SecretShape::RsaKey));
            f.secret.iter().for_each(|s| add("secret", s, SecretShape::Random));
        }
        Addon::AzureBlob(b) => add("storageAccessKey", &b.storageAccessKey, SecretShape::Base64Key),
        Addon::AzureSb(s) => add("sasKey", &s.sasKey, SecretShape::Base64Key),
        Addon::Aws(_) | Addon::Unsimulated(..) => {}
    }
}

/// Resolved-secrets key of the tenant signing key.
pub fn signing_key_path() -> String {
    "signing_key".to_owned()
}

/// Resolved-secrets key of the key that seals simulated Apple codes and Facebook session tokens.
pub fn social_artifact_key_path() -> String {
    "social_artifact_key".to_owned()
}

/// Resolved-secrets key of the simulated Google signing key.
pub fn google_signing_key_path() -> String {
    "google_signing_key".to_owned()
}

/// Resolved-secrets key of a client secret.
pub fn client_secret_path(client_id: &str) -> String {
    format!("clients/{client_id}/client_secret")
}

/// Resolved-secrets key of an add-on secret.
pub fn addon_path(client_id: &str, addon: &str, field: &str) -> String {
    format!("clients/{client_id}/addons/{addon}/{field}")
}

/// Resolved-secrets key of a user's password.
pub fn password_path(user_id: &str) -> String {
    format!("users/{user_id}/password")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_tenant_is_valid_without_warnings() {
        let loaded = parse(super::super::DEMO_TENANT).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert!(loaded.tenant.client("demo-spa").is_some());
        assert_eq!(loaded.tenant.users.len(), 2);
    }

    #[test]
    fn left_out_keys_take_auth0_defaults() {
        let loaded = parse(r#"{"clients":[{"client_id":"a"}],"resource_servers":[{"identifier":"x"}]}"#).unwrap();
        let client = &loaded.tenant.clients[0];
        assert_eq!(client.jwt_configuration.lifetime_in_seconds, 36_000);
        assert!(!client.jwt_configuration.secret_encoded);
        assert_eq!(loaded.tenant.resource_servers[0].token_lifetime, 86_400);
        assert_eq!(loaded.tenant.rate_limits.delegation.capacity, 10);
        assert!(!loaded.tenant.rate_limits.token_exchange.enabled);
    }

    #[test]
    fn unknown_keys_are_reported_with_their_path() {
        let text = r#"{"nmae":"x","clients":[{"client_id":"a","jwt_configuration":{"algo":"HS256"},
            "addons":{"firebose":{},"aws":{"role":"r","regoin":"eu"}}}]}"#;
        let loaded = parse(text).unwrap();
        let joined = loaded.warnings.join("\n");
        for path in [
            "nmae",
            "clients[0].jwt_configuration.algo",
            "clients[0].addons.firebose",
            "clients[0].addons.aws.regoin",
        ] {
            assert!(joined.contains(&format!("unknown key {path} ")), "{joined}");
        }
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let text = r#"{"clients":[{"client_id":"a","grant_types":["implicitly"],"allowed_clients":["ghost"]},
            {"client_id":"a","addons":{"firebase":{}}}],
            "client_grants":[{"client_id":"nobody","audience":"nowhere"}],
            "settings":{"invalid_id_token_status":500}}"#;
        let TenantErrors(errors) = parse(text).unwrap_err();
        assert_eq!(errors.len(), 7, "{errors:#?}");
    }

    #[test]
    fn a_wrong_type_names_the_line_and_what_to_do() {
        let error = parse(r#"{"clients":[{"jwt_configuration":{"alg":"PS999"}}]}"#).unwrap_err();
        assert!(error.to_string().contains("PS999"), "{error}");
    }

    #[test]
    fn generated_secrets_are_named_after_tenant_and_client() {
        let loaded = parse(super::super::DEMO_TENANT).unwrap();
        let slots = secret_slots(&loaded.tenant);
        let spa = slots.iter().find(|s| s.path == client_secret_path("demo-spa")).unwrap();
        assert_eq!(spa.item, "client_secret/demo/demo-spa");
        assert!(slots.iter().any(|s| s.shape == SecretShape::Base64Key));
    }
}
