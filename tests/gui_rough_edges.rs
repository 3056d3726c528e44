//! Tracker issue 18, item 3 — rough edges, on the real app driven through AccessKit: times read as local time
//! and distance (never epoch seconds), repeated buttons carry unique names, History and Secrets fit a 1100 px
//! window, the Secrets tab lists items the keyring already holds, Copy as curl says what it left out and the
//! copied command stops clearly without it, the inspector checks a local-issuer token against its JWKS, the
//! issuer says which key signs now, and "Sign in as" starts the Delegation form over.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{App, NOW, copied_text, launch, launch_with_issuer, run_until, sign_in_as_alice};
use std::sync::Arc;
use tokenbench::core::auth0::delegation::DelegationForm;
use tokenbench::core::history::{History, HistoryEntry, RequestForm};
use tokenbench::services::secrets::{MemoryStore, SecretStore};
use tokenbench::ui::backend::BackendPaths;
use tokenbench::ui::inspector::KeySource;
use tokenbench::ui::{LaunchOptions, Tab, TokenbenchApp};

/// The narrow window of the issue.
const WIDTH: f32 = 1100.0;

fn options(tab: Tab, store: Arc<dyn SecretStore>) -> LaunchOptions {
    gui_support::options(tab, store, None, BackendPaths::default())
}

/// The app in a window `WIDTH` wide.
fn launch_narrow(options: LaunchOptions) -> App {
    Harness::builder()
        .with_size([WIDTH, 2400.0])
        .with_max_steps(16)
        .build_eframe(move |cc| TokenbenchApp::new(&cc.egui_ctx, options).expect("the app starts"))
}

/// The app with the local issuer running on a free port.
fn with_issuer(tab: Tab) -> App {
    let mut harness = launch_with_issuer(options(tab, Arc::new(MemoryStore::default())));
    harness.run();
    harness
}

fn send_delegation(harness: &mut App) {
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(harness, "the answer", |h| {
        h.state().delegation.sender.last.is_some() && !h.state().delegation.sender.is_sending()
    });
    harness.run();
}

/// A history of `count` Delegation requests with long URLs, each with a form to load and rate-limit headers.
fn history(count: u64) -> History {
    let entries = (0..count).map(|id| HistoryEntry {
        id,
        at: NOW,
        method: "POST".into(),
        url: format!(
            "https://a-rather-long-tenant-name-for-testing.eu.auth0.com/delegation/{id}/{}",
            "x".repeat(120)
        ),
        status: Some(200),
        summary: "issued id_token".into(),
        rate_limit: Some(("10".into(), "9".into(), (NOW + 60).to_string())),
        form: Some(RequestForm::Delegation(DelegationForm::default())),
        ..HistoryEntry::default()
    });
    History {
        entries: entries.collect(),
        next_id: count,
        ..History::default()
    }
}

fn assert_inside_the_window(harness: &App, role: Role, label: &str) {
    let rect = harness.get_by_role_and_label(role, label).rect();
    assert!(
        rect.max.x <= WIDTH,
        "{label} ends at x = {} in a {WIDTH} px window",
        rect.max.x
    );
}

#[test]
fn the_history_says_its_reset_as_a_time_and_names_each_load_button_after_its_request() {
    let mut options = options(Tab::History, Arc::new(MemoryStore::default()));
    options.history = history(3);
    let mut harness = launch(options);
    harness.run();
    let resets = harness.query_all_by_label_contains("reset at 22:14:20 (1 min after the request)");
    assert_eq!(resets.count(), 3, "one per row");
    assert!(harness.query_by_label_contains(&(NOW + 60).to_string()).is_none());
    for id in 0..3 {
        harness.get_by_role_and_label(Role::Button, &format!("Load request {id} into the form"));
    }
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Load into form")
            .is_none()
    );
}

#[test]
fn at_1100_px_the_history_rows_and_the_secrets_item_buttons_lie_inside_the_window() {
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let long_name = "client_secret/a-rather-long-environment-name/a-very-long-client-id-0123456789abcdef";
    store.set(long_name, &"value".into()).unwrap();
    let mut options = options(Tab::History, store);
    options.history = history(3);
    let mut harness = launch_narrow(options);
    harness.run();
    assert_inside_the_window(&harness, Role::Button, "Load request 2 into the form");

    harness.get_by_label("Secrets").click();
    run_until(&mut harness, "the listing", |h| {
        h.query_by_role_and_label(Role::Button, &format!("Delete {long_name}…"))
            .is_some()
    });
    harness.run();
    for action in ["Reveal", "Copy", "Replace", "Delete"] {
        let suffix = if matches!(action, "Replace" | "Delete") {
            "…"
        } else {
            ""
        };
        assert_inside_the_window(&harness, Role::Button, &format!("{action} {long_name}{suffix}"));
    }
}

#[test]
fn items_written_to_the_keyring_after_the_start_listing_appear_when_the_secrets_tab_opens() {
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    store.set("hmac_secret/before-launch", &"a".into()).unwrap();
    let mut harness = launch(options(Tab::Inspector, store.clone()));
    run_until(&mut harness, "the start listing", |h| {
        h.state().keyring_names.iter().any(|n| n == "hmac_secret/before-launch")
    });
    // As the local issuer does when it generates its tenant's secrets after the window started.
    store.set("hmac_secret/after-the-listing", &"b".into()).unwrap();
    harness.get_by_label("Secrets").click();
    run_until(&mut harness, "the second item in the Secrets tab", |h| {
        h.query_by_label("hmac_secret/after-the-listing").is_some()
    });
    harness.get_by_label("hmac_secret/before-launch");
    harness.get_by_label_contains("Items (2)");
}

#[test]
fn an_answer_says_its_rate_limit_reset_as_a_time_and_each_issuer_bucket_has_its_own_reset_button() {
    let mut harness = with_issuer(Tab::LocalIssuer);
    sign_in_as_alice(&mut harness);
    send_delegation(&mut harness);
    let reset = harness.get_by_label_contains("x-ratelimit-reset: ");
    let node = reset.accesskit_node();
    let text = node
        .label()
        .filter(|l| !l.is_empty())
        .or_else(|| node.value())
        .unwrap_or_default();
    let raw: i64 = text
        .split("x-ratelimit-reset: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("a reset value in {text:?}"));
    let readable = tokenbench::ui::widgets::time::readable_time(raw, NOW, &jiff::tz::TimeZone::UTC);
    let (clock, distance) = readable.split_once(" (").unwrap();
    assert!(
        text.contains(&format!("{raw} ({clock}, {}", distance.trim_end_matches(')'))),
        "{text}"
    );

    harness.state_mut().settings.tab = Tab::LocalIssuer;
    run_until(&mut harness, "the bucket", |h| h.state().issuer.buckets.len() == 1);
    harness.run();
    let key = harness.state().issuer.buckets[0].key.label();
    harness.get_by_role_and_label(Role::Button, &format!("Reset bucket {key}"));
    harness.get_by_label_contains("next token at 22:13:");
    assert!(harness.query_by_label_contains("next token in").is_none());
}

#[test]
fn copy_as_curl_says_the_token_was_left_out_and_the_command_names_the_variable_to_set() {
    let mut harness = with_issuer(Tab::LocalIssuer);
    sign_in_as_alice(&mut harness);
    send_delegation(&mut harness);
    harness.get_by_role_and_label(Role::Button, "Copy as curl").click();
    harness.step();
    let copied = copied_text(&harness).expect("something was copied");
    assert!(
        copied.contains("${INPUT_TOKEN:?set INPUT_TOKEN to the id_token first}"),
        "{copied}"
    );
    assert!(
        !copied.contains(&harness.state().delegation.form.token),
        "the token is left out"
    );
    harness.run();
    harness.get_by_label_contains("Copied as curl");
    harness.get_by_label_contains("set INPUT_TOKEN=… before running it");
}

#[test]
fn a_token_of_the_local_issuer_is_checked_against_its_jwks_and_the_panel_says_which_key_signs_now() {
    let mut harness = with_issuer(Tab::LocalIssuer);
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    let current = harness.state().issuer.kids[0].clone();
    harness.get_by_label_contains(&format!("{current} (signs now)"));

    // An RS256 token whose iss is the running issuer; the signature does not matter for the key form.
    let segment = |json: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    };
    let header = segment(&format!(r#"{{"alg":"RS256","kid":"{current}"}}"#));
    let payload = segment(&format!(r#"{{"iss":"{base}/","sub":"auth0|alice"}}"#));
    harness.get_by_label("Inspector").click();
    harness.run();
    harness.state_mut().inspector.load(&format!("{header}.{payload}.c2ln"));
    harness.run();
    harness.run();
    let keys = &harness.state().inspector.keys;
    assert_eq!(keys.source, KeySource::JwksUrl, "not the HMAC secret");
    assert_eq!(keys.jwks_url, format!("{base}/.well-known/jwks.json"));
    harness.get_by_role_and_label(Role::Button, "Fetch").click();
    run_until(&mut harness, "the keys", |h| {
        h.state().inspector.keys.key_origin().is_some()
    });
}

#[test]
fn sign_in_as_starts_the_delegation_form_over_and_the_target_says_its_add_ons() {
    let mut harness = with_issuer(Tab::Delegation);
    {
        let form = &mut harness.state_mut().delegation.form;
        form.scope = "openid profile email".into();
        form.api_type = "firebase".into();
        form.params = vec![("lifetime_in_seconds".into(), "60".into())];
    }
    sign_in_as_alice(&mut harness);
    let form = &harness.state().delegation.form;
    assert_eq!(form.scope, "openid");
    assert!(form.api_type.is_empty(), "{}", form.api_type);
    assert!(form.params.is_empty(), "{:?}", form.params);
    assert!(!form.token.is_empty());

    // The form reads the running tenant from the panel context.
    harness.state_mut().delegation.form.target = "demo-firebase".into();
    harness.run();
    harness.get_by_label("Target demo-firebase (local tenant) has the add-ons firebase; app works too");
    harness.state_mut().delegation.form.target = "demo-m2m".into();
    harness.run();
    harness.get_by_label("Target demo-m2m (local tenant) has no add-ons: only api_type app works");
}
