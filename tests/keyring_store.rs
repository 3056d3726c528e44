//! The keyring store against the real Secret Service (gnome-keyring in the private D-Bus session that
//! `scripts/test` starts): set, get, list, replace, delete, non-ASCII and 10 KB values.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use tokenbench::core::secret::SecretString;
use tokenbench::services::secrets::{KeyringStore, SecretError, SecretStore};

/// The real store, or `None` outside `scripts/test` (which sets TOKENBENCH_TEST_KEYRING=1).
fn store() -> Option<KeyringStore> {
    if std::env::var_os("TOKENBENCH_TEST_KEYRING").is_none() {
        eprintln!("skipped: run under scripts/test for a real Secret Service");
        return None;
    }
    Some(KeyringStore::open().expect("scripts/test starts an unlocked gnome-keyring"))
}

fn unique(name: &str) -> String {
    format!("hmac_secret/test-{}-{name}", std::process::id())
}

#[test]
fn set_get_list_replace_and_delete_round_trip() {
    let Some(store) = store() else { return };
    let name = unique("round-trip");
    store.set(&name, &SecretString::new("first")).unwrap();
    assert_eq!(store.get(&name).unwrap().expose(), "first");
    assert!(store.list().unwrap().contains(&name), "{:?}", store.list());
    store.set(&name, &SecretString::new("second")).unwrap();
    assert_eq!(store.get(&name).unwrap().expose(), "second");
    assert_eq!(store.list().unwrap().iter().filter(|n| **n == name).count(), 1);
    store.delete(&name).unwrap();
    assert_eq!(store.get(&name).unwrap_err(), SecretError::NotFound(name.clone()));
    assert!(!store.list().unwrap().contains(&name));
}

#[test]
fn non_ascii_and_ten_kilobyte_values_survive() {
    let Some(store) = store() else { return };
    let name = unique("big");
    let value: String = "clé-秘密-🔑-".chars().cycle().take(10 * 1024).collect();
    store.set(&name, &SecretString::new(value.clone())).unwrap();
    assert_eq!(store.get(&name).unwrap().expose(), value);
    store.delete(&name).unwrap();
}

#[test]
fn deleting_a_missing_item_says_not_found() {
    let Some(store) = store() else { return };
    let name = unique("missing");
    assert_eq!(store.delete(&name).unwrap_err(), SecretError::NotFound(name));
}
