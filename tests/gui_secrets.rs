//! The Secrets panel driven through AccessKit with egui_kittest: store a secret from a field, see it listed by
//! name, reveal it, delete it with confirmation; and the banner when the keyring is unavailable. Under
//! `scripts/test` the store is the real Secret Service; elsewhere an in-memory store stands in.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{App, launch, real_or_memory_store, run_until, type_into};
use std::sync::Arc;
use tokenbench::services::secrets::{MemoryStore, SecretStore};
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

fn app(store: Arc<dyn SecretStore>, problem: Option<String>, tab: Tab) -> App {
    launch(gui_support::options(tab, store, problem, BackendPaths::default()))
}

#[test]
fn a_secret_stored_from_a_field_is_listed_revealed_and_deleted() {
    let store = real_or_memory_store();
    let name = format!("hmac_secret/gui-{}", std::process::id());
    let mut harness = app(store.clone(), None, Tab::Secrets);
    harness.run();
    type_into(&mut harness, Role::TextInput, "Name", &name);
    type_into(
        &mut harness,
        Role::PasswordInput,
        "Value",
        "correct horse battery staple",
    );
    harness.get_by_role_and_label(Role::Button, "Save to keyring").click();
    run_until(&mut harness, "the item to be listed", |h| {
        h.state().keyring_names.contains(&name)
    });
    assert_eq!(
        store.get(&name).expect("stored").expose(),
        "correct horse battery staple"
    );
    assert!(
        harness.query_by_label("correct horse battery staple").is_none(),
        "the value is hidden until revealed"
    );

    harness
        .get_by_role_and_label(Role::Button, &format!("Reveal {name}"))
        .click();
    run_until(&mut harness, "the value to be revealed", |h| {
        h.query_by_label("correct horse battery staple").is_some()
    });

    harness
        .get_by_role_and_label(Role::Button, &format!("Delete {name}…"))
        .click();
    harness.run();
    harness.get_by_label_contains("This cannot be undone");
    harness.get_by_role_and_label(Role::Button, "Delete").click();
    run_until(&mut harness, "the item to disappear", |h| {
        !h.state().keyring_names.contains(&name)
    });
    assert!(store.get(&name).is_err());
    assert!(harness.query_by_label("correct horse battery staple").is_none());
}

#[test]
fn leaving_the_panel_hides_a_revealed_secret() {
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    store
        .set("hmac_secret/shown", &"visible-value".into())
        .expect("memory store works");
    let mut harness = app(store, None, Tab::Secrets);
    run_until(&mut harness, "the listing", |h| !h.state().keyring_names.is_empty());
    harness
        .get_by_role_and_label(Role::Button, "Reveal hmac_secret/shown")
        .click();
    run_until(&mut harness, "the reveal", |h| {
        h.query_by_label("visible-value").is_some()
    });
    harness.get_by_label("Inspector").click();
    harness.run();
    harness.get_by_label("Secrets").click();
    harness.run();
    assert!(harness.query_by_label("visible-value").is_none());
}

#[test]
fn unavailable_keyring_shows_the_banner_and_the_inspector_still_works() {
    let problem = "no Secret Service on the session bus".to_owned();
    let mut harness = app(Arc::new(MemoryStore::default()), Some(problem), Tab::Inspector);
    run_until(&mut harness, "the banner", |h| {
        h.query_by_label_contains("The OS keyring is unavailable").is_some()
    });
    // One sentence with what to do; the technical detail only behind "Details", never said twice.
    assert!(
        harness
            .query_by_label_contains("no Secret Service on the session bus")
            .is_none()
    );
    harness.get_by_label("Details").click();
    harness.run();
    assert_eq!(
        harness
            .query_all_by_label_contains("no Secret Service on the session bus")
            .count(),
        1
    );
    harness
        .state_mut()
        .inspector
        .load("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln");
    harness.run();
    harness.get_by_label("Claims");
    harness.get_by_label("Secrets").click();
    harness.run();
    harness.get_by_label_contains("Secrets are kept in memory only");
    assert!(
        harness.query_all_by_label("memory only").count() >= 2,
        "each secret field is marked"
    );
}

/// Types `value` into the inspector's secret field and asks to save it as `name`.
fn save_from_the_inspector(harness: &mut App, name: &str, value: &str) {
    harness
        .state_mut()
        .inspector
        .load("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln");
    harness.run();
    type_into(harness, Role::PasswordInput, "Secret", value);
    type_into(harness, Role::TextInput, "Save to keyring as", name);
    harness.get_by_role_and_label(Role::Button, "Save secret").click();
    harness.run();
}

#[test]
fn an_existing_item_is_replaced_only_through_replace_and_its_confirmation() {
    let store = real_or_memory_store();
    let name = format!("hmac_secret/taken-{}", std::process::id());
    store.set(&name, &"old value".into()).expect("store works");
    let mut harness = app(store.clone(), None, Tab::Inspector);
    run_until(&mut harness, "the listing", |h| h.state().keyring_names.contains(&name));
    save_from_the_inspector(&mut harness, &name, "new value");
    run_until(&mut harness, "the refusal", |h| {
        h.state().inspector.keys.keyring_message.is_some()
    });
    let refusal = harness
        .state()
        .inspector
        .keys
        .keyring_message
        .clone()
        .expect("a message");
    let refusal = refusal.expect_err("saving over an existing item is refused");
    assert!(
        refusal.contains("already exists") && refusal.contains("Replace…"),
        "{refusal}"
    );
    harness.get_by_label_contains("already exists and was left as it is");
    assert_eq!(store.get(&name).expect("kept").expose(), "old value");

    harness.get_by_label("Secrets").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, &format!("Replace {name}…"))
        .click();
    harness.run();
    type_into(&mut harness, Role::PasswordInput, "New value", "new value");
    harness.get_by_role_and_label(Role::Button, "Save new value…").click();
    harness.run();
    harness.get_by_label_contains("The old value cannot be recovered");
    assert_eq!(
        store.get(&name).expect("kept").expose(),
        "old value",
        "not before confirming"
    );
    harness.get_by_role_and_label(Role::Button, "Replace").click();
    run_until(&mut harness, "the replacement", |_| {
        store.get(&name).is_ok_and(|v| v.expose() == "new value")
    });
    let _ = store.delete(&name);
}

#[test]
fn adding_an_environment_never_replaces_its_client_secret() {
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    store
        .set("client_secret/dev/abc", &"the-old-secret".into())
        .expect("memory store works");
    let mut harness = app(store.clone(), None, Tab::Secrets);
    run_until(&mut harness, "the listing", |h| !h.state().keyring_names.is_empty());
    type_into(&mut harness, Role::TextInput, "Environment name", "dev");
    type_into(&mut harness, Role::TextInput, "Tenant URL", "https://dev.auth0.com");
    type_into(&mut harness, Role::TextInput, "Client ID", "abc");
    type_into(&mut harness, Role::PasswordInput, "Client secret", "a-new-secret");
    harness.get_by_role_and_label(Role::Button, "Add environment").click();
    harness.run();
    harness.get_by_label_contains("client_secret: client_secret/dev/abc already exists: use Replace…");
    assert!(harness.state().workspace.environments.is_empty());
    // Whatever was queued has run by the time a later listing comes back.
    harness.state_mut().keyring_names.clear();
    harness.get_by_role_and_label(Role::Button, "Refresh").click();
    run_until(&mut harness, "the listing", |h| !h.state().keyring_names.is_empty());
    assert_eq!(
        store.get("client_secret/dev/abc").expect("kept").expose(),
        "the-old-secret"
    );
}

#[test]
fn turning_tls_verification_off_for_an_environment_warns_until_it_is_back_on() {
    let dir = tempfile::tempdir().unwrap();
    let workspace_file = dir.path().join("workspace.json");
    let paths = BackendPaths {
        workspace: Some(workspace_file.clone()),
        ..BackendPaths::default()
    };
    let mut harness = launch(gui_support::options(
        Tab::Secrets,
        Arc::new(MemoryStore::default()),
        None,
        paths,
    ));
    harness.run();
    name_staging(&mut harness);
    harness
        .get_by_role_and_label(Role::CheckBox, "Verify TLS certificates")
        .click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Add environment").click();
    harness.run();
    assert!(!harness.state().workspace.environments[0].verify_tls);
    let warning = "TLS verification is off for staging: anyone on the network path can read and change these requests";
    harness.get_by_label(warning);
    run_until(&mut harness, "the saved workspace", |_| {
        std::fs::read_to_string(&workspace_file).is_ok_and(|t| t.contains("\"verify_tls\": false"))
    });

    harness
        .get_by_role_and_label(Role::CheckBox, "Verify TLS certificates of staging")
        .click();
    harness.run();
    assert!(harness.state().workspace.environments[0].verify_tls);
    assert!(harness.query_by_label(warning).is_none());
    run_until(&mut harness, "the saved workspace", |_| {
        std::fs::read_to_string(&workspace_file).is_ok_and(|t| t.contains("\"verify_tls\": true"))
    });
}

#[test]
fn an_environment_s_other_clients_are_typed_as_a_list_and_edited_later() {
    let mut harness = app(Arc::new(MemoryStore::default()), None, Tab::Secrets);
    harness.run();
    name_staging(&mut harness);
    type_into(&mut harness, Role::TextInput, "Client ID", "default-app");
    type_into(&mut harness, Role::TextInput, "Other client IDs", "m2m, spa  native");
    harness.get_by_role_and_label(Role::Button, "Add environment").click();
    harness.run();
    assert_eq!(
        harness.state().workspace.environments[0].client_ids,
        ["m2m", "spa", "native"]
    );
    // The typed separator stays while typing; the list follows each change.
    type_into(&mut harness, Role::TextInput, "Other client IDs of staging", ", ");
    type_into(&mut harness, Role::TextInput, "Other client IDs of staging", "extra");
    let field = harness.get_by_role_and_label(Role::TextInput, "Other client IDs of staging");
    assert_eq!(
        field.accesskit_node().value().as_deref(),
        Some("m2m, spa, native, extra")
    );
    assert_eq!(
        harness.state().workspace.environments[0].client_ids,
        ["m2m", "spa", "native", "extra"]
    );
}

/// Types the staging environment's name and URL into the Add environment fields.
fn name_staging(harness: &mut App) {
    type_into(harness, Role::TextInput, "Environment name", "staging");
    type_into(harness, Role::TextInput, "Tenant URL", "https://staging.example.test");
}
