//! A scripted workflow through the real app — create an environment with a client secret, store secrets from
//! the Secrets panel and the inspector, send a request whose token the history keeps (in the keyring), save a
//! form, export the workspace — with every directory pointed at a temp dir; then every file written there is read and must not contain any secret value or its base64, and
//! (on unix) must be readable by its owner only.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use base64::Engine;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{App, launch, real_or_memory_store, run_until, type_into};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokenbench::core::history::token_item;
use tokenbench::core::secret::SecretRef;
use tokenbench::core::workspace::{Environment, SavedForm};
use tokenbench::services::secrets::SecretStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;
use tokenbench::ui::forms::request::Target;

const CLIENT_SECRET: &str = "client-secret-Zq8wX3vR7tY1uI0o";
const PANEL_SECRET: &str = "panel-secret-Ab12Cd34Ef56Gh78";
const INSPECTOR_SECRET: &str = "inspector-secret-Mn90Pq12Rs34";
const REQUEST_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrZXB0In0.a2VwdC10b2tlbg";

fn app(dir: &Path, store: Arc<dyn SecretStore>) -> App {
    let paths = BackendPaths {
        settings: Some(dir.join("config/settings.json")),
        workspace: Some(dir.join("data/workspace.json")),
        history: Some(dir.join("data/history.json")),
    };
    launch(gui_support::options(Tab::Secrets, store, None, paths))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn forbidden_forms(secret: &str) -> Vec<String> {
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let mut forms = vec![secret.to_owned()];
    forms.extend(engines.iter().map(|e| e.encode(secret)));
    forms
}

fn create_environment_and_secrets(harness: &mut App, unique: &str) {
    type_into(harness, Role::TextInput, "Environment name", &format!("dev-{unique}"));
    type_into(harness, Role::TextInput, "Tenant URL", "https://dev-tenant.auth0.com");
    type_into(harness, Role::TextInput, "Client ID", "client-abc");
    type_into(harness, Role::PasswordInput, "Client secret", CLIENT_SECRET);
    harness.get_by_role_and_label(Role::Button, "Add environment").click();
    harness.run();
    type_into(harness, Role::TextInput, "Name", &format!("hmac_secret/panel-{unique}"));
    type_into(harness, Role::PasswordInput, "Value", PANEL_SECRET);
    harness.get_by_role_and_label(Role::Button, "Save to keyring").click();
    let saved = format!("hmac_secret/panel-{unique}");
    run_until(
        harness,
        "the panel secret's answer",
        |h| matches!(&h.state().secrets.message, Some(Ok(m) | Err(m)) if m.contains(&saved)),
    );
    let message = harness.state().secrets.message.clone();
    assert!(matches!(&message, Some(Ok(_))), "{message:?}");
}

fn store_inspector_secret(harness: &mut App, unique: &str) {
    harness.get_by_label("Inspector").click();
    harness.run();
    harness
        .state_mut()
        .inspector
        .load("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln");
    harness.run();
    type_into(harness, Role::PasswordInput, "Secret", INSPECTOR_SECRET);
    type_into(
        harness,
        Role::TextInput,
        "Save to keyring as",
        &format!("hmac_secret/inspector-{unique}"),
    );
    harness.get_by_role_and_label(Role::Button, "Save secret").click();
    harness.run();
}

/// Turns on "keep tokens" and sends a delegation to a closed loopback port: the history records the failed
/// request and keeps its token in the keyring. Returns the item.
fn send_with_a_kept_token(harness: &mut App, unique: &str) -> String {
    harness.get_by_label("History").click();
    harness.run();
    harness
        .get_by_label("Keep the tokens of each request in the keyring")
        .click();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let name = format!("closed-{unique}");
    harness.state_mut().workspace.environments.push(Environment {
        name: name.clone(),
        base_url: Some(format!("http://{closed}")),
        ..Environment::default()
    });
    harness.get_by_label("Delegation").click();
    harness.run();
    harness.state_mut().delegation.sender.target = Target::Named(name);
    type_into(harness, Role::TextInput, "Client ID", "client-abc");
    type_into(harness, Role::MultilineTextInput, "id_token", REQUEST_TOKEN);
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(harness, "the failed request in the history", |h| {
        h.state().history.entries.len() == 1
    });
    token_item(harness.state().history.entries[0].id)
}

#[test]
fn a_full_workflow_writes_no_secret_byte_to_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = real_or_memory_store();
    let unique = std::process::id().to_string();
    let mut harness = app(dir.path(), store.clone());
    harness.run();
    create_environment_and_secrets(&mut harness, &unique);
    store_inspector_secret(&mut harness, &unique);
    let kept = send_with_a_kept_token(&mut harness, &unique);
    let names = [
        format!("client_secret/dev-{unique}/client-abc"),
        format!("hmac_secret/panel-{unique}"),
        format!("hmac_secret/inspector-{unique}"),
        kept.clone(),
    ];
    run_until(&mut harness, &format!("all of {names:?} in the store"), |_| {
        let missing: Vec<&String> = names.iter().filter(|n| store.get(n).is_err()).collect();
        missing.is_empty()
    });

    // A saved form that refers to a secret, then a workspace export to a file.
    let form = SavedForm {
        name: "refresh demo".into(),
        kind: "delegation".into(),
        fields: BTreeMap::from([("target".to_owned(), "client-abc".to_owned())]),
        secrets: BTreeMap::from([("refresh_token".to_owned(), SecretRef::new(&names[1]))]),
    };
    harness.state_mut().workspace.forms.push(form);
    let exported = dir.path().join("exports/workspace.json");
    harness.get_by_label("Secrets").click();
    harness.run();
    type_into(
        &mut harness,
        Role::TextInput,
        "Or a file path",
        &exported.display().to_string(),
    );
    harness
        .get_by_role_and_label(Role::Button, "Export workspace to path")
        .click();
    run_until(&mut harness, "the export", |_| exported.exists());
    harness.get_by_label("Dark").click();
    harness.run();
    run_until(&mut harness, "settings, workspace and history files", |_| {
        ["config/settings.json", "data/workspace.json", "data/history.json"]
            .iter()
            .all(|f| dir.path().join(f).exists())
    });
    assert_eq!(store.get(&kept).unwrap().expose(), REQUEST_TOKEN);

    let exported_text = std::fs::read_to_string(&exported).expect("export readable");
    assert!(
        exported_text.contains(&names[0]),
        "the export refers to the client secret by name: {exported_text}"
    );
    let files = files_under(dir.path());
    assert!(files.len() >= 3, "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).expect("readable file");
        let text = String::from_utf8_lossy(&bytes);
        for secret in [CLIENT_SECRET, PANEL_SECRET, INSPECTOR_SECRET, REQUEST_TOKEN] {
            for form in forbidden_forms(secret) {
                assert!(!text.contains(&form), "{} contains a secret ({form})", file.display());
            }
        }
    }
    assert_owner_only(dir.path(), &files);
    for name in &names {
        let _ = store.delete(name);
    }
}

/// Every file written is 0600 and every folder created for them 0700 (unix).
#[cfg(unix)]
fn assert_owner_only(dir: &Path, files: &[PathBuf]) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| std::fs::metadata(path).expect("exists").permissions().mode() & 0o777;
    for file in files {
        assert_eq!(mode(file), 0o600, "{} is not owner-only", file.display());
    }
    for folder in ["config", "data", "exports"] {
        assert_eq!(mode(&dir.join(folder)), 0o700, "{folder} is not owner-only");
    }
}

#[cfg(not(unix))]
fn assert_owner_only(_dir: &Path, _files: &[PathBuf]) {}
