//! Key import and workspace files through the Secrets panel's path field (the file-dialog fallback): a
//! Firebase service account lands in the keyring, bad or oversized files are named and import nothing, and an
//! imported workspace is validated, then lists the secrets it refers to and waits for confirmation.
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

fn prod() -> Environment {
    Environment {
        name: "prod".into(),
        base_url: Some("https://prod.auth0.com".into()),
        client_id: "cid".into(),
        client_secret: Some(SecretRef::new("client_secret/prod/cid")),
        ..Environment::default()
    }
}

fn write_workspace(dir: &Path, workspace: &Workspace) -> std::path::PathBuf {
    let path = dir.join("team.json");
    std::fs::write(&path, serde_json::to_string(workspace).expect("json")).expect("write");
    path
}

#[test]
fn an_imported_workspace_is_confirmed_before_it_replaces_anything() {
    let dir = tempfile::tempdir().expect("temp dir");
    let staging = Environment {
        name: "staging".into(),
        base_url: Some("https://staging.example.com".into()),
        verify_tls: false,
        ..Environment::default()
    };
    let mut workspace = Workspace {
        environments: vec![prod(), staging],
        ..Workspace::default()
    };
    workspace.local_tenant.signing_key = Some(SecretRef::new("signing_key/team"));
    let path = write_workspace(dir.path(), &workspace);
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    store
        .set("client_secret/prod/cid", &"s".into())
        .expect("memory store works");
    let saved = dir.path().join("data/workspace.json");
    let paths = BackendPaths {
        settings: None,
        workspace: Some(saved.clone()),
        history: None,
    };
    let mut harness = launch(gui_support::options(Tab::Secrets, store, None, paths));
    harness.run();
    use_path(&mut harness, &path, "Import workspace from path");
    run_until(&mut harness, "the confirmation", |h| {
        h.query_by_label_contains("It replaces the current workspace").is_some()
    });
    harness.get_by_label_contains("exist and will be used as they are");
    assert_eq!(
        harness.query_all_by_label("client_secret/prod/cid").count(),
        2,
        "listed in the panel and in the confirmation"
    );
    harness.get_by_label_contains("do not exist yet");
    harness.get_by_label("signing_key/team");
    harness.get_by_label_contains("These environments do not verify TLS certificates");
    harness.get_by_label("staging");
    assert_eq!(
        harness.state().workspace,
        Workspace::default(),
        "nothing replaced before confirming"
    );

    harness.get_by_role_and_label(Role::Button, "Cancel").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("It replaces the current workspace")
            .is_none()
    );
    assert_eq!(harness.state().workspace, Workspace::default());
    assert!(!saved.exists(), "nothing saved after Cancel");

    harness.run_steps(30);
    harness
        .get_by_role_and_label(Role::Button, "Import workspace from path")
        .click();
    run_until(&mut harness, "the confirmation", |h| {
        h.query_by_label_contains("It replaces the current workspace").is_some()
    });
    harness.get_by_role_and_label(Role::Button, "Import").click();
    harness.run();
    assert_eq!(harness.state().workspace, workspace);
    let message = harness
        .state()
        .secrets
        .message
        .clone()
        .expect("a message")
        .expect("imported");
    assert!(
        message.contains("not in the keyring") && message.contains("signing_key/team"),
        "{message}"
    );
    harness.get_by_label_contains("prod: https://prod.auth0.com, client cid");
    run_until(&mut harness, "the saved workspace", |_| saved.exists());
}

#[test]
fn a_workspace_with_invalid_environments_is_refused_with_every_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain_http = Environment {
        name: "staging".into(),
        base_url: Some("http://staging.example.com".into()),
        ..prod()
    };
    let workspace = Workspace {
        environments: vec![prod(), plain_http, prod()],
        ..Workspace::default()
    };
    let path = write_workspace(dir.path(), &workspace);
    let mut harness = app(Arc::new(MemoryStore::default()));
    harness.run();
    use_path(&mut harness, &path, "Import workspace from path");
    let error = wait_for_message(&mut harness).expect_err("refused");
    assert!(
        error.contains("team.json was not imported")
            && error.contains("environment \"staging\": base_url: use https://")
            && error.contains("environment \"prod\": name: another environment already has this name"),
        "{error}"
    );
    assert!(
        harness
            .query_by_label_contains("It replaces the current workspace")
            .is_none()
    );
    assert_eq!(harness.state().workspace, Workspace::default());
}

#[test]
fn a_workspace_file_over_one_mebibyte_is_refused_before_parsing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.json");
    let padding = " ".repeat(1024 * 1024);
    std::fs::write(&path, format!("{{\"version\": 1}}{padding}")).expect("write");
    let mut harness = app(Arc::new(MemoryStore::default()));
    harness.run();
    use_path(&mut harness, &path, "Import workspace from path");
    let error = wait_for_message(&mut harness).expect_err("refused");
    assert!(error.contains("huge.json is larger than 1 MiB"), "{error}");
}

#[test]
fn a_key_file_over_one_mebibyte_is_refused_and_nothing_is_imported() {
    let key = generate(KeyKind::P256).expect("key");
    let padded = format!("{}\n{}", key.expose(), "\n".repeat(1024 * 1024));
    let imported = import_file("padded.pem", &padded);
    let error = imported.message.expect_err("refused");
    assert!(error.contains("padded.pem is larger than 1 MiB"), "{error}");
    assert!(imported.store.list().expect("list").is_empty());
}

#[test]
fn a_key_file_with_spaces_and_control_characters_in_its_name_gets_a_clean_item_name() {
    let key = generate(KeyKind::P256).expect("key");
    let imported = import_file("tenant key\u{7}.pem", key.expose());
    let message = imported.message.expect("imported");
    assert!(message.contains("signing_key/tenant-key (EC private key)"), "{message}");
    assert_eq!(imported.store.list().expect("list"), ["signing_key/tenant-key"]);
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
        h.state().keyring_names.contains(&"signing_key/local".to_owned())
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
