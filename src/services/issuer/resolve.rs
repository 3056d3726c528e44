//! Resolving a tenant's secret references: keyring items, environment variables, and `generate` (created
//! once into the keyring; kept in memory for this process when the keyring refuses it).

use crate::core::issuer::Secrets;
use crate::core::secret::{KeyKind, SecretString};
use crate::core::tenant::check::secret_slots;
use crate::core::tenant::{SecretShape, SecretSlot, SecretSpec, Tenant};
use crate::services::keygen::generate;
use crate::services::secrets::{SecretError, SecretStore};
use base64::Engine;

/// The resolved secrets, and one line per secret kept in memory only.
pub struct Resolved {
    /// Values by slot path.
    pub secrets: Secrets,
    /// Notes for the log, e.g. "generated in memory: the keyring refused it".
    pub notes: Vec<String>,
}

/// Resolves every secret the tenant references; the error lists every reference that failed.
pub fn resolve(tenant: &Tenant, store: &dyn SecretStore) -> Result<Resolved, Vec<String>> {
    resolve_slots(secret_slots(tenant), store, &|var| std::env::var(var).ok())
}

/// Resolves the given slots, reading `{"env": …}` references through `env`; the error lists every slot that
/// failed.
pub fn resolve_slots(
    slots: Vec<SecretSlot>,
    store: &dyn SecretStore,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Resolved, Vec<String>> {
    let mut resolved = Resolved {
        secrets: Secrets::new(),
        notes: Vec::new(),
    };
    let mut errors = Vec::new();
    for slot in slots {
        let value = match &slot.spec {
            SecretSpec::Keyring(name) => store.get(name).map_err(|e| format!("{}: {e}", slot.path)),
            SecretSpec::Env(var) => env(var).map(SecretString::new).ok_or_else(|| {
                format!(
                    "{}: environment variable {var} is not set: export it or use {{\"generate\":true}}",
                    slot.path
                )
            }),
            SecretSpec::Generate => {
                generated(store, &slot.item, slot.shape, &mut resolved.notes).map_err(|e| format!("{}: {e}", slot.path))
            }
        };
        match value {
            Ok(v) => {
                resolved.secrets.insert(slot.path, v);
            }
            Err(e) => errors.push(e),
        }
    }
    if !store.is_persistent() {
        resolved
            .notes
            .push("no keyring: generated secrets live in memory until the issuer stops".to_owned());
    }
    if errors.is_empty() { Ok(resolved) } else { Err(errors) }
}

fn generated(
    store: &dyn SecretStore,
    item: &str,
    shape: SecretShape,
    notes: &mut Vec<String>,
) -> Result<SecretString, String> {
    match store.get(item) {
        Ok(value) => return Ok(value),
        Err(SecretError::NotFound(_)) => {}
        Err(e) => notes.push(format!(
            "{item}: the keyring could not be read ({e}); generating a new value"
        )),
    }
    let value = fresh(shape)?;
    if let Err(e) = store.set(item, &value) {
        notes.push(format!("{item}: generated in memory for this run only ({e})"));
    }
    Ok(value)
}

/// A new secret of the given shape.
pub fn fresh(shape: SecretShape) -> Result<SecretString, String> {
    let kind = match shape {
        SecretShape::Random => KeyKind::Hmac256,
        SecretShape::RsaKey => KeyKind::Rsa2048,
        SecretShape::Base64Key => {
            let mut bytes = zeroize::Zeroizing::new(vec![0u8; 64]);
            aws_lc_rs::rand::fill(&mut bytes).map_err(|_| "the random source failed".to_owned())?;
            return Ok(SecretString::new(
                base64::engine::general_purpose::STANDARD.encode(&*bytes),
            ));
        }
    };
    generate(kind).map_err(|e| e.to_string())
}
