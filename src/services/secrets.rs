//! Secret storage: each secret is its own OS keyring item (service `tokenbench`, user = item name). An
//! in-memory store stands in when the keyring cannot be reached, and for tests. Calls block: run them off the
//! UI thread.

use crate::core::secret::{SecretString, validate_item_name};
use keyring_core::{CredentialStore, Entry};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The keyring service name every tokenbench item is stored under.
pub const SERVICE: &str = "tokenbench";

/// Why a secret operation failed; messages say how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No item with that name.
    #[error("no keyring item named \"{0}\": `tokenbench secrets list` shows the names that exist")]
    NotFound(String),
    /// The keyring could not be reached, or is locked.
    #[error("the OS keyring is unavailable: {0}")]
    Unavailable(String),
    /// The item name is not valid.
    #[error("invalid item name: {0}")]
    BadName(String),
    /// The name or value was refused.
    #[error("the keyring refused the item: {0}")]
    Invalid(String),
    /// An item with that name exists; creating never replaces one.
    #[error(
        "{0} already exists and was left as it is: to change its value, use \"Replace…\" next to it in the Secrets \
         panel; to keep both, choose another name"
    )]
    Exists(String),
}

/// Get, set, delete and list secrets by name.
pub trait SecretStore: Send + Sync {
    /// The value of an item.
    fn get(&self, name: &str) -> Result<SecretString, SecretError>;
    /// Creates or replaces an item.
    fn set(&self, name: &str, value: &SecretString) -> Result<(), SecretError>;
    /// Deletes an item.
    fn delete(&self, name: &str) -> Result<(), SecretError>;
    /// Every tokenbench item name, sorted.
    fn list(&self) -> Result<Vec<String>, SecretError>;
    /// True when values survive the app closing (the OS keyring), false for memory only.
    fn is_persistent(&self) -> bool;
}

/// Refuses a name that is invalid or already taken, before anything expensive (generating a key) is done.
pub fn ensure_absent(store: &dyn SecretStore, name: &str) -> Result<(), SecretError> {
    validate_item_name(name).map_err(SecretError::BadName)?;
    if store.list()?.iter().any(|n| n == name) {
        return Err(SecretError::Exists(name.to_owned()));
    }
    Ok(())
}

/// Creates an item, refusing when one with that name exists: adding, saving from the inspector, generating and
/// importing never replace a secret. Replacing is its own, confirmed action (`SecretStore::set`).
pub fn create(store: &dyn SecretStore, name: &str, value: &SecretString) -> Result<(), SecretError> {
    ensure_absent(store, name)?;
    store.set(name, value)
}

/// What to tell a user whose keyring is unreachable.
pub const UNAVAILABLE_ADVICE: &str = "on Linux, a Secret Service (gnome-keyring or KWallet) must run in your session \
     and be unlocked: start it, or log in to a desktop session, then restart tokenbench";

fn keyring_error(name: &str, error: keyring_core::Error) -> SecretError {
    use keyring_core::Error as E;
    match error {
        E::NoEntry => SecretError::NotFound(name.to_owned()),
        E::NoStorageAccess(e) => SecretError::Unavailable(format!(
            "access was refused or it is locked ({e}); {UNAVAILABLE_ADVICE}"
        )),
        E::PlatformFailure(e) => SecretError::Unavailable(format!("{e}; {UNAVAILABLE_ADVICE}")),
        E::NoDefaultStore => SecretError::Unavailable(UNAVAILABLE_ADVICE.to_owned()),
        E::TooLong(what, max) => SecretError::Invalid(format!("{what} is longer than {max}")),
        E::Invalid(what, why) => SecretError::Invalid(format!("{what}: {why}")),
        E::BadEncoding(_) => SecretError::Invalid("the stored value is not UTF-8 text".to_owned()),
        other => SecretError::Unavailable(other.to_string()),
    }
}

/// The OS keyring.
pub struct KeyringStore {
    store: Arc<CredentialStore>,
}

impl KeyringStore {
    /// Connects to the platform's keyring and checks that it answers.
    pub fn open() -> Result<Self, SecretError> {
        let store = platform_store().map_err(|e| keyring_error("", e))?;
        let keyring = Self { store };
        keyring.list()?;
        Ok(keyring)
    }

    fn entry(&self, name: &str) -> Result<Entry, SecretError> {
        self.store
            .build(SERVICE, name, None)
            .map_err(|e| keyring_error(name, e))
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NoDefaultStore)
}

impl SecretStore for KeyringStore {
    fn get(&self, name: &str) -> Result<SecretString, SecretError> {
        self.entry(name)?
            .get_password()
            .map(SecretString::new)
            .map_err(|e| keyring_error(name, e))
    }

    fn set(&self, name: &str, value: &SecretString) -> Result<(), SecretError> {
        self.entry(name)?
            .set_password(value.expose())
            .map_err(|e| keyring_error(name, e))
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.entry(name)?
            .delete_credential()
            .map_err(|e| keyring_error(name, e))
    }

    fn list(&self) -> Result<Vec<String>, SecretError> {
        let spec = HashMap::from([("service", SERVICE)]);
        let entries = self.store.search(&spec).map_err(|e| keyring_error("", e))?;
        let mut names: Vec<String> = entries
            .iter()
            .filter_map(|entry| {
                let attributes = entry.get_attributes().ok()?;
                attributes.get("username").or_else(|| attributes.get("user")).cloned()
            })
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn is_persistent(&self) -> bool {
        true
    }
}

/// Secrets kept in memory until the process ends: the fallback when the keyring is unavailable, and for tests.
#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<BTreeMap<String, SecretString>>,
}

impl MemoryStore {
    fn items(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, SecretString>> {
        // A panic while holding the lock cannot leave the map half-written, so a poisoned lock is still usable.
        self.items.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, name: &str) -> Result<SecretString, SecretError> {
        self.items()
            .get(name)
            .cloned()
            .ok_or_else(|| SecretError::NotFound(name.to_owned()))
    }

    fn set(&self, name: &str, value: &SecretString) -> Result<(), SecretError> {
        self.items().insert(name.to_owned(), value.clone());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.items()
            .remove(name)
            .map(drop)
            .ok_or_else(|| SecretError::NotFound(name.to_owned()))
    }

    fn list(&self) -> Result<Vec<String>, SecretError> {
        Ok(self.items().keys().cloned().collect())
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

/// The keyring if it answers, otherwise memory with the reason (for the banner).
pub fn open_store() -> (Arc<dyn SecretStore>, Option<SecretError>) {
    match KeyringStore::open() {
        Ok(store) => (Arc::new(store), None),
        Err(e) => {
            tracing::warn!("keyring unavailable, keeping secrets in memory: {e}");
            (Arc::new(MemoryStore::default()), Some(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips_and_reports_missing_items() {
        let store = MemoryStore::default();
        store.set("hmac_secret/a", &SecretString::new("x")).unwrap();
        assert_eq!(store.get("hmac_secret/a").unwrap().expose(), "x");
        assert_eq!(store.list().unwrap(), vec!["hmac_secret/a"]);
        store.delete("hmac_secret/a").unwrap();
        assert_eq!(
            store.get("hmac_secret/a").unwrap_err(),
            SecretError::NotFound("hmac_secret/a".into())
        );
        assert!(store.delete("hmac_secret/a").is_err());
    }

    #[test]
    fn creating_an_existing_item_is_refused_and_keeps_the_old_value() {
        let store = MemoryStore::default();
        create(&store, "hmac_secret/a", &SecretString::new("old")).unwrap();
        let error = create(&store, "hmac_secret/a", &SecretString::new("new")).unwrap_err();
        assert_eq!(error, SecretError::Exists("hmac_secret/a".into()));
        assert!(error.to_string().contains("Replace…"), "{error}");
        assert_eq!(store.get("hmac_secret/a").unwrap().expose(), "old");
        assert!(matches!(
            create(&store, " padded", &SecretString::new("x")),
            Err(SecretError::BadName(_))
        ));
    }
}
