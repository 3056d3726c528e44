//! Key import and workspace files through the Secrets panel's path field (the file-dialog fallback): a
//! Firebase service account lands in the keyring, bad files are named and import nothing, and an imported
//! workspace lists the secrets it refers to that are missing.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{App, launch, run_until, type_into};
use std::path::Path;
use std::sync::Arc;
use tokenbench::core::secret::{KeyKind, SecretRef};
use tokenbench::core::workspace::{Environment, Workspace};
use tokenbench::services::keygen::generate;
use tokenbench::services::secrets::{MemoryStore, SecretStore};
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

fn app(store: Arc<dyn SecretStore>) -> App {
    launch(gui_support::options(Tab::Secrets, store, None, BackendPaths::default()))
}

fn use_path(harness: &mut App, path: &Path, button: &str) {
    type_into(harness, Role::TextInput, "Or a file path", &path.display().to_string());
    harness.get_by_role_and_label(Role::Button, button).click();
    harness.run();
}

/// Writes `contents` to `file_name`, imports it through the path field into a fresh in-memory store, and returns
/// the store, the app and the result message.
struct Imported {
    store: Arc<dyn SecretStore>,
    harness: App,
    message: Result<String, String>,
    /// Keeps the file for a second import.
    _dir: tempfile::TempDir,
}

fn import_file(file_name: &str, contents: &str) -> Imported {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(file_name);
    std::fs::write(&path, contents).expect("write");
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut harness = app(store.clone());
    harness.run();
    use_path(&mut harness, &path, "Import key from path");
    let message = wait_for_message(&mut harness);
    Imported {
        store,
        harness,
        message,
        _dir: dir,
    }
}

fn wait_for_message(harness: &mut App) -> Result<String, String> {
    run_until(harness, "a result message", |h| h.state().secrets.message.is_some());
    harness.state().secrets.message.clone().expect("a message is present")
}

#[test]
fn a_firebase_service_account_is_imported_into_the_keyring() {
    let key = generate(KeyKind::Rsa2048).expect("key");
    let account = serde_json::json!({
        "type": "service_account", "project_id": "demo", "private_key_id": "kid-1",
        "private_key": key.expose(), "client_email": "auth0@demo.iam.gserviceaccount.com"
    });
    let imported = import_file("demo-firebase.json", &account.to_string());
    let message = imported.message.expect("imported");
    assert!(
        message.contains("addon_key/firebase/auth0@demo.iam.gserviceaccount.com"),
        "{message}"
    );
    assert!(
        message.contains("key id kid-1") && !message.contains("PRIVATE KEY"),
        "{message}"
    );
    let stored = imported
        .store
        .get("addon_key/firebase/auth0@demo.iam.gserviceaccount.com")
        .expect("stored");
    assert_eq!(stored.expose(), key.expose());
}

#[test]
fn a_service_account_without_a_key_is_named_and_nothing_is_imported() {
    let contents = r#"{"type":"service_account","client_email":"x@y.iam.gserviceaccount.com"}"#;
    let imported = import_file("broken.json", contents);
    let error = imported.message.expect_err("refused");
    assert!(
        error.contains("broken.json") && error.contains("private_key"),
        "{error}"
    );
    assert!(imported.store.list().expect("list").is_empty());
}

#[test]
fn an_imported_workspace_lists_the_secrets_it_lacks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = Workspace {
        environments: vec![Environment {
            name: "prod".into(),
            base_url: Some("https://prod.auth0.com".into()),
            client_id: "cid".into(),
            client_secret: Some(SecretRef::new("client_secret/prod/cid")),
        }],
        ..Workspace::default()
    };
    let path = dir.path().join("team.json");
    std::fs::write(&path, serde_json::to_string(&workspace).expect("json")).expect("write");
    let mut harness = app(Arc::new(MemoryStore::default()));
    harness.run();
    use_path(&mut harness, &path, "Import workspace from path");
    let message = wait_for_message(&mut harness).expect("imported");
    assert!(
        message.contains("not in the keyring") && message.contains("client_secret/prod/cid"),
        "{message}"
    );
    assert_eq!(harness.state().workspace, workspace);
    harness.get_by_label_contains("prod: https://prod.auth0.com, client cid");
}

#[test]
fn a_pem_private_key_is_imported_under_its_file_name_and_never_twice() {
    let key = generate(KeyKind::P256).expect("key");
    let Imported {
        store,
        mut harness,
        message,
        _dir,
    } = import_file("tenant-signing.pem", key.expose());
    let message = message.expect("imported");
    assert!(
        message.contains("signing_key/tenant-signing (EC private key)"),
        "{message}"
    );
    assert_eq!(
        store.get("signing_key/tenant-signing").expect("stored").expose(),
        key.expose().trim()
    );

    harness.state_mut().secrets.message = None;
    // Half a second of frames, so the next click is not taken as the second half of a double click.
    harness.run_steps(30);
    harness
        .get_by_role_and_label(Role::Button, "Import key from path")
        .click();
    harness.run();
    let error = wait_for_message(&mut harness).expect_err("a second import would replace the item");
    assert!(
        error.contains("would replace the existing item signing_key/tenant-signing"),
        "{error}"
    );
}

#[test]
fn generated_keys_land_in_the_keyring_under_the_chosen_name() {
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut harness = app(store.clone());
    harness.run();
    harness.get_by_label("Generate a key").click();
    harness.run();
    type_into(&mut harness, Role::TextInput, "Key name", "local");
    harness
        .get_by_role_and_label(Role::Button, "Generate signing_key/local")
        .click();
    run_until(&mut harness, "the generated key", |h| {
        h.state().secrets.names.contains(&"signing_key/local".to_owned())
    });
    let pem = store.get("signing_key/local").expect("stored");
    assert!(
        jsonwebtoken::EncodingKey::from_rsa_pem(pem.expose().as_bytes()).is_ok(),
        "an RSA-2048 PKCS#8 key"
    );

    // The same name again is refused before anything is generated: a private key is never overwritten.
    type_into(&mut harness, Role::TextInput, "Key name", "local");
    harness.get_by_label_contains("signing_key/local already exists");
    let button = harness.get_by_role_and_label(Role::Button, "Generate signing_key/local");
    assert!(button.accesskit_node().is_disabled());
    assert_eq!(store.get("signing_key/local").expect("kept").expose(), pem.expose());
}
