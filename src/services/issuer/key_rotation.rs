//! Key rotation that outlives the issuer: for a signing key tokenbench generated (`{"generate": true}`), the
//! published next key and the previous key are keyring items beside it (`ITEM/next`, `ITEM/previous`), so a
//! restart serves the same JWKS and tokens signed before a rotation keep verifying until the previous key is
//! revoked. A key the tenant names itself (a keyring item or an environment variable) is never overwritten:
//! its rotations last until the issuer stops.

use super::resolve;
use crate::core::secret::SecretString;
use crate::core::tenant::check::{secret_slots, signing_key_path};
use crate::core::tenant::{SecretShape, SecretSpec, Tenant};
use crate::services::secrets::{SecretError, SecretStore};
use std::sync::Arc;

/// The keyring items of a generated signing key and its rotation.
pub struct RotationStore {
    store: Arc<dyn SecretStore>,
    /// The signing key's own item (the current key).
    item: String,
}

impl RotationStore {
    /// The rotation items of `tenant`'s signing key, when tokenbench generated it.
    pub fn for_tenant(tenant: &Tenant, store: Arc<dyn SecretStore>) -> Option<Self> {
        let slot = secret_slots(tenant)
            .into_iter()
            .find(|slot| slot.path == signing_key_path() && slot.spec == SecretSpec::Generate)?;
        Some(Self { store, item: slot.item })
    }

    fn next_item(&self) -> String {
        format!("{}/next", self.item)
    }

    fn previous_item(&self) -> String {
        format!("{}/previous", self.item)
    }

    /// The key published as next: the one kept from an earlier run, or a new one kept from now on.
    pub fn next_key(&self) -> Result<SecretString, String> {
        match self.store.get(&self.next_item()) {
            Ok(key) => return Ok(key),
            Err(SecretError::NotFound(_)) => {}
            Err(e) => tracing::warn!(
                "{}: the keyring could not be read ({e}); a new next key is made",
                self.next_item()
            ),
        }
        let key = resolve::fresh(SecretShape::RsaKey)?;
        if let Err(e) = self.store.set(&self.next_item(), &key) {
            tracing::warn!("{}: the next key is kept for this run only ({e})", self.next_item());
        }
        Ok(key)
    }

    /// The key before the last rotation, while it is still published.
    pub fn previous_key(&self) -> Option<SecretString> {
        self.store.get(&self.previous_item()).ok()
    }

    /// Rotates the kept items: current → previous, next → current, `new_next` → next. The running issuer
    /// rotates only when this succeeds.
    pub fn rotate(&self, new_next: &SecretString) -> Result<(), String> {
        let fail = |e: SecretError| format!("the keyring refused the rotation ({e}); the issuer keeps its keys");
        let current = self.store.get(&self.item).map_err(fail)?;
        let next = self.store.get(&self.next_item()).map_err(fail)?;
        self.store.set(&self.previous_item(), &current).map_err(fail)?;
        self.store.set(&self.item, &next).map_err(fail)?;
        self.store.set(&self.next_item(), new_next).map_err(fail)
    }

    /// Forgets the previous key.
    pub fn revoke_previous(&self) -> Result<(), String> {
        match self.store.delete(&self.previous_item()) {
            Ok(()) | Err(SecretError::NotFound(_)) => Ok(()),
            Err(e) => Err(format!(
                "the previous key could not be removed from the keyring ({e}); it is published again after a restart"
            )),
        }
    }
}
