//! The real app driven through its AccessKit tree with egui_kittest: paste a token, read the claims, verify
//! with a wrong and a right secret, pin and diff, switch tabs and themes.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{App, NOW, launch, type_into};
use std::sync::Arc;
use tokenbench::services::secrets::MemoryStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

const SECRET: &str = "a-32-byte-long-secret-for-tests!";

fn hs256(claims: serde_json::Value, secret: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("signing works")
}

fn unsigned(header: &str, claims: &str) -> String {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!("{}.{}.c2lnbmF0dXJl", b64(header), b64(claims))
}

fn harness(settings_path: Option<std::path::PathBuf>) -> App {
    let paths = BackendPaths {
        settings: settings_path,
        workspace: None,
        history: None,
    };
    launch(gui_support::options(
        Tab::Inspector,
        Arc::new(MemoryStore::default()),
        None,
        paths,
    ))
}

fn paste(harness: &mut App, text: &str) {
    harness.event(egui::Event::Paste(text.to_owned()));
    harness.run();
}

fn type_secret(harness: &mut App, secret: &str) {
    type_into(harness, Role::PasswordInput, "Secret", secret);
}

fn id_token() -> String {
    hs256(
        serde_json::json!({"iss": "https://tenant.auth0.com/", "sub": "auth0|42", "aud": "client-1",
            "iat": NOW - 60, "exp": NOW + 3600, "email": "ada@example.com"}),
        SECRET,
    )
}

#[test]
fn pasted_token_shows_the_claims_table_with_explanations_and_relative_times() {
    let mut harness = harness(None);
    harness.run();
    paste(&mut harness, &format!("Bearer {}", id_token()));
    assert!(harness.state().inspector.token.starts_with("eyJ"));
    harness.get_by_label("Claims");
    harness.get_by_label("auth0|42");
    harness.get_by_label_contains("Email address (email scope)");
    harness.get_by_label_contains("2023-11-14 23:13:20 UTC · expires in 1 h");
    harness.get_by_label_contains("Decoded: signature not checked");
}

#[test]
fn wrong_secret_names_the_failing_step() {
    let mut harness = harness(None);
    harness.run();
    paste(&mut harness, &id_token());
    type_secret(&mut harness, "not-the-secret");
    harness.get_by_label_contains("Invalid: signature");
    harness.get_by_label("FAIL");
    assert!(
        harness
            .query_all_by_label_contains("the signature does not match")
            .count()
            >= 1
    );
}

#[test]
fn right_secret_shows_valid() {
    let mut harness = harness(None);
    harness.run();
    paste(&mut harness, &id_token());
    type_secret(&mut harness, SECRET);
    harness.get_by_label_contains("Signature valid");
    assert!(harness.query_by_label_contains("Invalid:").is_none());
}

#[test]
fn pinned_token_is_diffed_with_the_next_one() {
    let mut harness = harness(None);
    harness.run();
    let tenant = unsigned(
        r#"{"alg":"RS256","kid":"k1"}"#,
        r#"{"sub":"u","aud":"app","iat":0,"exp":36000}"#,
    );
    let target = unsigned(
        r#"{"alg":"HS256"}"#,
        r#"{"sub":"u","aud":"firebase","iat":0,"exp":3600}"#,
    );
    paste(&mut harness, &tenant);
    harness.get_by_role_and_label(Role::Button, "Pin for diff").click();
    harness.run();
    harness.state_mut().inspector.token.clear();
    harness.run();
    paste(&mut harness, &target);
    harness.get_by_label("Diff with pinned token");
    harness.get_by_label_contains("alg RS256 -> HS256");
    harness.get_by_label_contains("lifetime 10 h -> 1 h");
    harness.get_by_label("app -> firebase");
}

#[test]
fn non_jwt_input_says_what_it_looks_like() {
    let mut harness = harness(None);
    harness.run();
    harness
        .state_mut()
        .inspector
        .load("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d");
    harness.run();
    harness.get_by_label_contains("this is a JWE");
    harness.get_by_label("JWE header");
}

#[test]
fn navigation_switches_tabs_and_the_choice_is_saved() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("settings.json");
    let mut harness = harness(Some(path.clone()));
    harness.run();
    harness.get_by_label("Rate limits").click();
    harness.run();
    assert_eq!(harness.state().settings.tab, Tab::RateLimits);
    harness.get_by_label_contains("No rate-limited answers yet");
    let saved = wait_for_file(&path);
    assert!(saved.contains("\"tab\": \"rate_limits\""), "{saved}");
}

#[test]
fn a_set_aside_settings_file_is_announced_in_a_banner_that_can_be_dismissed() {
    let paths = BackendPaths::default();
    let mut options = gui_support::options(Tab::Inspector, Arc::new(MemoryStore::default()), None, paths);
    options.settings_notice = Some("settings.json was set aside as settings.json.corrupt-1".to_owned());
    let mut harness = launch(options);
    harness.run();
    harness.get_by_label_contains("settings.json.corrupt-1");
    harness.get_by_role_and_label(Role::Button, "Dismiss").click();
    harness.run();
    assert!(harness.query_by_label_contains("settings.json.corrupt-1").is_none());
}

/// A file dropped on the window, as egui-winit would report it.
#[derive(Debug)]
struct DroppedPath(std::path::PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dropped_file_is_read_in_the_background_and_inspected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("token.txt");
    std::fs::write(&path, format!("  {}\n", id_token())).expect("write");
    let mut harness = harness(None);
    harness.run();
    harness.input_mut().dropped_files.push(Arc::new(DroppedPath(path)));
    harness.run();
    gui_support::run_until(&mut harness, "the dropped token", |h| {
        h.state().inspector.token.starts_with("eyJ")
    });
    harness.get_by_label("auth0|42");
}

#[test]
fn the_report_can_be_saved_to_a_typed_path_without_the_signature() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("ticket.md");
    let token = id_token();
    let mut harness = harness(None);
    harness.run();
    paste(&mut harness, &token);
    // What the panel offers after a save dialog gave no file back (no desktop portal).
    harness.state_mut().inspector.offer_report_path = true;
    harness.run();
    type_into(
        &mut harness,
        Role::TextInput,
        "Report path",
        &report.display().to_string(),
    );
    harness.get_by_role_and_label(Role::Button, "Save report").click();
    harness.run();
    gui_support::run_until(&mut harness, "the report", |_| report.exists());
    let text = std::fs::read_to_string(&report).expect("report readable");
    let signature = token.rsplit('.').next().expect("three segments");
    assert!(
        text.contains("auth0|42") && text.contains("signature has been removed"),
        "{text}"
    );
    assert!(!text.contains(signature) && !text.contains(&token));
}

#[test]
fn history_tab_says_it_is_empty_until_requests_are_sent() {
    let mut harness = harness(None);
    harness.run();
    harness.get_by_label("History").click();
    harness.run();
    harness.get_by_label_contains("No requests yet");
}

#[test]
fn theme_can_be_switched_to_light() {
    let mut harness = harness(None);
    harness.run();
    harness.get_by_label("Light").click();
    harness.run();
    assert!(harness.ctx.theme() == egui::Theme::Light);
    harness.get_by_label("Dark").click();
    harness.run();
    assert!(harness.ctx.theme() == egui::Theme::Dark);
}

fn wait_for_file(path: &std::path::Path) -> String {
    for _ in 0..100 {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{} was never written", path.display());
}
