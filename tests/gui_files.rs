//! Key import and workspace files through the Secrets panel's path field (the file-dialog fallback): a
//! Firebase service account lands in the keyring, bad files are named and import nothing, and an imported
//! workspace lists the secrets it refers to that are missing.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokenbench::core::secret::{KeyKind, SecretRef};
use tokenbench::core::workspace::{Environment, Workspace};
use tokenbench::services::clock::SimulatedClock;
use tokenbench::services::keygen::generate;
use tokenbench::services::secrets::{MemoryStore, SecretStore};
use tokenbench::ui::backend::BackendPaths;
use tokenbench::ui::{LaunchOptions, Settings, Tab, TokenbenchApp};

type App = Harness<'static, TokenbenchApp>;

fn app(store: Arc<dyn SecretStore>) -> App {
    let options = LaunchOptions {
        settings: Settings::default(),
        settings_notice: None,
        paths: BackendPaths::default(),
        workspace: Workspace::default(),
        secrets: Some((store, None)),
        tab: Some(Tab::Secrets),
        token: None,
        screenshot: None,
        clock: SimulatedClock::at(1_700_000_000),
        zone: jiff::tz::TimeZone::UTC,
    };
    Harness::builder()
        .with_size([1400.0, 2400.0])
        .with_max_steps(16)
        .build_eframe(move |cc| TokenbenchApp::new(&cc.egui_ctx, options).expect("the app starts"))
}

fn use_path(harness: &mut App, path: &Path, button: &str) {
    let field = harness.get_by_role_and_label(Role::TextInput, "Or a file path");
    field.focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Or a file path")
        .type_text(&path.display().to_string());
    harness.run();
    harness.get_by_role_and_label(Role::Button, button).click();
    harness.run();
}

fn wait_for_message(harness: &mut App) -> Result<String, String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(message) = harness.state().secrets.message.clone() {
            return message;
        }
        assert!(Instant::now() < deadline, "no result message");
        std::thread::sleep(Duration::from_millis(20));
        harness.run();
    }
}

#[test]
fn a_firebase_service_account_is_imported_into_the_keyring() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = generate(KeyKind::Rsa2048).expect("key");
    let account = serde_json::json!({
        "type": "service_account", "project_id": "demo", "private_key_id": "kid-1",
        "private_key": key.expose(), "client_email": "auth0@demo.iam.gserviceaccount.com"
    });
    let path = dir.path().join("demo-firebase.json");
    std::fs::write(&path, account.to_string()).expect("write");
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut harness = app(store.clone());
    harness.run();
    use_path(&mut harness, &path, "Import key from path");
    let message = wait_for_message(&mut harness).expect("imported");
    assert!(
        message.contains("addon_key/firebase/auth0@demo.iam.gserviceaccount.com"),
        "{message}"
    );
    assert!(
        message.contains("key id kid-1") && !message.contains("PRIVATE KEY"),
        "{message}"
    );
    let stored = store
        .get("addon_key/firebase/auth0@demo.iam.gserviceaccount.com")
        .expect("stored");
    assert_eq!(stored.expose(), key.expose());
}

#[test]
fn a_service_account_without_a_key_is_named_and_nothing_is_imported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.json");
    std::fs::write(
        &path,
        r#"{"type":"service_account","client_email":"x@y.iam.gserviceaccount.com"}"#,
    )
    .expect("write");
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut harness = app(store.clone());
    harness.run();
    use_path(&mut harness, &path, "Import key from path");
    let error = wait_for_message(&mut harness).expect_err("refused");
    assert!(
        error.contains("broken.json") && error.contains("private_key"),
        "{error}"
    );
    assert!(store.list().expect("list").is_empty());
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
