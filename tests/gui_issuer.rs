//! The Local issuer panel on the real app: the issuer starts with the window, a request sent to it over real
//! loopback appears in the log, rotating the key changes the served JWKS, Stop closes the port, a
//! delegation request shows up as a live rate-limit bucket that Reset bucket refills, a fault chosen in
//! the panel changes the next answer, and a browser sign-in shows up as a live session that Sign out ends.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;
mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{App, launch_with_issuer, run_until};
use serde_json::Value;
use std::sync::Arc;
use tokenbench::services::secrets::{MemoryStore, SecretStore};
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

fn issuer_app() -> App {
    issuer_app_with(Arc::new(MemoryStore::default()))
}

fn issuer_app_with(store: Arc<MemoryStore>) -> App {
    issuer_app_saving(store, BackendPaths::default())
}

fn issuer_app_saving(store: Arc<MemoryStore>, paths: BackendPaths) -> App {
    let options = gui_support::options(Tab::LocalIssuer, store, None, paths);
    let mut harness = launch_with_issuer(options);
    harness.run();
    harness
}

fn get_json(url: &str) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

fn served_kids(base: &str) -> Vec<String> {
    let jwks = get_json(&format!("{base}/.well-known/jwks.json"));
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_issuer_starts_with_the_window_and_logs_a_real_request() {
    let mut harness = issuer_app();
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    harness.get_by_label_contains(&format!("Listening at {base}"));
    let discovery = get_json(&format!("{base}/.well-known/openid-configuration"));
    assert_eq!(discovery["issuer"], format!("{base}/"));
    run_until(&mut harness, "the request in the log", |h| {
        !h.state().issuer.log.is_empty()
    });
    harness.run();
    harness.get_by_label_contains("GET /.well-known/openid-configuration 200");
}

#[test]
fn rotating_the_key_changes_the_served_jwks_and_stop_closes_the_port() {
    let mut harness = issuer_app();
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    let before = served_kids(&base);
    assert_eq!(before, harness.state().issuer.kids);
    harness.get_by_role_and_label(Role::Button, "Rotate").click();
    run_until(&mut harness, "the rotation", |h| h.state().issuer.kids.len() == 3);
    let after = served_kids(&base);
    assert_eq!(after, harness.state().issuer.kids);
    // The old next key signs now; the old current key is still published as the previous one.
    assert_eq!(after[0], before[1]);
    assert_eq!(after[2], before[0]);

    harness.get_by_role_and_label(Role::Button, "Stop").click();
    run_until(&mut harness, "the issuer to stop", |h| {
        h.state().issuer.status == tokenbench::ui::issuer::IssuerStatus::Stopped
    });
    let address = base.trim_start_matches("http://");
    assert!(
        std::net::TcpStream::connect(address).is_err(),
        "nothing listens after Stop"
    );
}

#[test]
fn the_status_bar_clock_moves_the_issuers_time_and_says_so() {
    let store = Arc::new(MemoryStore::default());
    let mut harness = issuer_app_with(store.clone());
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    harness.get_by_label("Clock: real time");
    harness.get_by_role_and_label(Role::Button, "+1 h").click();
    harness.run();
    harness.get_by_label_contains("Clock: SIMULATED (running, +3600 s from real time)");
    let secret = store.get("client_secret/demo/demo-m2m").unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body: Value = runtime.block_on(async {
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": "demo-m2m",
            "client_secret": secret.expose(),
            "audience": "https://api.demo.local/",
        });
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        client
            .post(format!("{base}/oauth/token"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let token = body["access_token"].as_str().expect("an access token");
    let tokenbench::core::jwt::Inspection::Jwt(jwt) = tokenbench::core::jwt::inspect(token) else {
        panic!("a JWT");
    };
    assert_eq!(jwt.claim_seconds("iat"), Some(gui_support::NOW + 3600));
    harness.get_by_role_and_label(Role::Button, "Real time").click();
    harness.run();
    harness.get_by_label("Clock: real time");
}

/// POSTs a `/delegation` request for alice at demo-spa, with an HS256 id_token signed with the secret the
/// issuer generated into `store`; the answer's status.
fn delegate_as_alice(store: &MemoryStore, base: &str) -> u16 {
    let secret = store.get("client_secret/demo/demo-spa").unwrap();
    let now = gui_support::NOW;
    let claims = serde_json::json!({
        "iss": format!("{base}/"), "sub": "auth0|alice", "aud": "demo-spa", "iat": now, "exp": now + 3600,
    });
    let token = common::hmac_token(jsonwebtoken::Algorithm::HS256, secret.expose().as_bytes(), &claims);
    let body = serde_json::json!({
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "client_id": "demo-spa", "id_token": token, "api_type": "app",
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let response = client
            .post(format!("{base}/delegation"))
            .json(&body)
            .send()
            .await
            .unwrap();
        response.status().as_u16()
    })
}

#[test]
fn the_panel_lists_a_bucket_after_a_delegation_request_and_reset_bucket_empties_it() {
    let store = Arc::new(MemoryStore::default());
    let mut harness = issuer_app_with(store.clone());
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    harness.get_by_label("No live buckets: every caller has its full allowance");
    assert_eq!(delegate_as_alice(&store, &base), 200);
    run_until(&mut harness, "the bucket in the panel", |h| {
        h.state().issuer.buckets.len() == 1
    });
    harness.run();
    let key = harness.state().issuer.buckets[0].key.label();
    assert!(key.contains("/delegation 127.0.0.1 · auth0|alice"), "{key}");
    harness.get_by_label(&key);
    harness.get_by_label("9 of 10 tokens left");
    harness.get_by_label_contains("(in 6 s)");
    harness
        .get_by_role_and_label(Role::Button, &format!("Reset bucket {key}"))
        .click();
    run_until(&mut harness, "the bucket to be reset", |h| {
        h.state().issuer.buckets.is_empty()
    });
    harness.run();
    harness.get_by_label("No live buckets: every caller has its full allowance");
}

#[test]
fn a_fault_chosen_in_the_panel_changes_the_next_answer_without_a_restart() {
    let store = Arc::new(MemoryStore::default());
    let mut harness = issuer_app_with(store.clone());
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    harness.get_by_label("Faults").click();
    harness.run();
    harness.get_by_label_contains("Failure for /delegation: ").click();
    harness.run();
    harness.get_by_label("503 unavailable").click();
    harness.run();
    assert_eq!(
        harness.state().issuer.faults.delegation.failure,
        tokenbench::core::tenant::Failure::Unavailable
    );
    run_until(&mut harness, "the fault to reach the issuer", |_| {
        delegate_as_alice(&store, &base) == 503
    });
    run_until(&mut harness, "the fault in the log", |h| {
        h.state()
            .issuer
            .log
            .back()
            .is_some_and(|r| r.fault.as_deref() == Some("503 unavailable"))
    });
}

/// The app keeping its files in `dir`, the issuer running, and the tenant editor open.
fn editing_the_tenant(dir: &tempfile::TempDir) -> App {
    let paths = BackendPaths {
        workspace: Some(dir.path().join("workspace.json")),
        ..BackendPaths::default()
    };
    let mut harness = issuer_app_saving(Arc::new(MemoryStore::default()), paths);
    harness.get_by_label("Tenant").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Edit tenant").click();
    harness.run();
    harness
}

#[test]
fn the_tenant_is_edited_in_place_checked_as_typed_and_served_after_apply() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = editing_the_tenant(&dir);
    harness.get_by_label("The tenant is valid");

    // The text is long: it is changed in the editor's state, as a paste would, and checked on the next frame.
    let text = harness.state().issuer.editor.as_ref().unwrap().text.clone();
    harness.state_mut().issuer.editor.as_mut().unwrap().text = text.replacen("\"users\": [", "\"users\": [}", 1);
    harness.run();
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "Apply and restart the issuer")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        harness.query_by_label("The tenant is valid").is_none(),
        "an error is shown instead"
    );

    let mut tenant: Value = serde_json::from_str(&text).unwrap();
    tenant["users"].as_array_mut().unwrap().push(serde_json::json!({
        "user_id": "auth0|carol", "email": "carol@example.com", "email_verified": true, "name": "Carol"
    }));
    harness.state_mut().issuer.editor.as_mut().unwrap().text = serde_json::to_string_pretty(&tenant).unwrap();
    harness.run();
    harness.get_by_label("The tenant is valid");
    harness
        .get_by_role_and_label(Role::Button, "Apply and restart the issuer")
        .click();
    run_until(&mut harness, "the issuer serving the edited tenant", |h| {
        let issuer = &h.state().issuer;
        issuer.base_url().is_some() && issuer.tenant.as_ref().is_some_and(|t| t.users.len() == 3)
    });
    harness.run();
    assert!(
        harness.state().issuer.editor.is_none(),
        "the editor closes once applied"
    );
    let saved = dir.path().join("tenant.json");
    assert_eq!(harness.state().settings.issuer_tenant_file.as_ref(), Some(&saved));
    assert!(std::fs::read_to_string(&saved).unwrap().contains("auth0|carol"));

    harness.get_by_role_and_label(Role::Button, "Sign in as carol").click();
    run_until(&mut harness, "carol's sign-in", |h| {
        h.state().settings.tab == Tab::Delegation
    });
    let token = harness.state().delegation.form.token.clone();
    let tokenbench::core::jwt::Inspection::Jwt(jwt) = tokenbench::core::jwt::inspect(&token) else {
        panic!("an ID token");
    };
    assert_eq!(jwt.claim_str("sub"), Some("auth0|carol"));
}

#[test]
fn a_tenant_that_cannot_start_is_not_applied_and_the_previous_one_is_served_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = editing_the_tenant(&dir);
    let before = harness.state().issuer.base_url().unwrap().to_owned();
    let text = harness.state().issuer.editor.as_ref().unwrap().text.clone();
    let mut tenant: Value = serde_json::from_str(&text).unwrap();
    // Valid JSON and a valid reference, which only fails when the issuer starts and resolves it.
    tenant["signing_key"] = serde_json::json!({ "env": "TOKENBENCH_TEST_UNSET_SIGNING_KEY" });
    tenant["name"] = "renamed".into();
    harness.state_mut().issuer.editor.as_mut().unwrap().text = serde_json::to_string_pretty(&tenant).unwrap();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Apply and restart the issuer")
        .click();
    run_until(&mut harness, "the answer", |h| {
        h.state().issuer.notice.as_ref().is_some_and(Result::is_err)
    });
    harness.run();
    let issuer = &harness.state().issuer;
    let Some(Err(message)) = &issuer.notice else {
        unreachable!()
    };
    assert!(message.contains("the previous tenant is served again"), "{message}");
    assert_eq!(
        issuer.base_url(),
        Some(before.as_str()),
        "served again at the same address"
    );
    assert_ne!(issuer.tenant.as_ref().unwrap().name, "renamed");
    assert!(
        issuer.editor.as_ref().is_some_and(|e| !e.applying),
        "the edits stay in the editor"
    );
    assert_eq!(harness.state().settings.issuer_tenant_file, None);
    assert!(!dir.path().join("tenant.json").exists(), "nothing saved");
}

/// A browser that follows no redirect, on a runtime of its own.
fn browser() -> (tokio::runtime::Runtime, reqwest::Client) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (runtime, http)
}

/// `/authorize` for demo-spa with PKCE, plus `extra` parameters.
fn authorize_url(base: &str, extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.extend_pairs([
        ("client_id", "demo-spa"),
        ("response_type", "code"),
        ("redirect_uri", "http://127.0.0.1:3000/"),
        ("scope", "openid profile"),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ]);
    query.extend_pairs(extra);
    format!("{base}/authorize?{}", query.finish())
}

fn location(response: &reqwest::Response) -> String {
    let value = response.headers().get("location").expect("a redirect");
    value.to_str().unwrap().to_owned()
}

/// A hidden input's value on a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page.find(&marker).unwrap_or_else(|| panic!("no {name} on {page}")) + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Signs alice in at demo-spa as a browser would, with the login page's user picker; the `auth0` cookie.
fn sign_in_alice(base: &str) -> String {
    let (runtime, http) = browser();
    runtime.block_on(async {
        let first = http.get(authorize_url(base, &[])).send().await.unwrap();
        assert_eq!(first.status(), 302);
        let login = format!("{base}{}", location(&first));
        let page = http.get(&login).send().await.unwrap().text().await.unwrap();
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("state", &hidden(&page, "state"))
            .append_pair("csrf", &hidden(&page, "csrf"))
            .append_pair("pick", "auth0|alice")
            .finish();
        let done = http
            .post(&login)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 302);
        assert!(location(&done).contains("code="), "{}", location(&done));
        let cookie = done
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok()?.strip_prefix("auth0="))
            .next()
            .expect("a session cookie");
        cookie.split(';').next().unwrap().to_owned()
    })
}

/// Where a silent `/authorize` (`prompt=none`) with this session cookie sends the browser.
fn silent_authorize(base: &str, cookie: &str) -> String {
    let (runtime, http) = browser();
    runtime.block_on(async {
        let url = authorize_url(base, &[("prompt", "none")]);
        let response = http
            .get(url)
            .header("cookie", format!("auth0={cookie}"))
            .send()
            .await
            .unwrap();
        location(&response)
    })
}

#[test]
fn the_local_issuer_panel_shows_and_ends_a_session() {
    let mut harness = issuer_app();
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    harness.get_by_label("No browser is signed in");
    let cookie = sign_in_alice(&base);
    assert!(
        silent_authorize(&base, &cookie).contains("code="),
        "the session signs in silently"
    );
    run_until(&mut harness, "the session in the panel", |h| {
        h.state().issuer.browser.sessions.len() == 1
    });
    harness.run();
    harness.get_by_label("auth0|alice");
    harness.get_by_label("at demo-spa");
    // The clock stands still in tests: the sign-in happened "now", shown in the window's time zone.
    harness.get_by_label_contains("signed in now (2023-11-14 22:13:20 UTC) · last seen now");
    harness.get_by_role_and_label(Role::Button, "Sign out alice").click();
    run_until(&mut harness, "the session to end", |h| {
        h.state().issuer.browser.sessions.is_empty()
    });
    harness.run();
    harness.get_by_label("No browser is signed in");
    assert!(harness.query_by_label("Sign out alice").is_none());
    let answer = silent_authorize(&base, &cookie);
    assert!(answer.contains("error=login_required"), "{answer}");
}

#[test]
fn open_the_login_page_signs_in_through_the_browser_and_the_id_token_goes_to_delegation() {
    if !gui_support::use_fake_browser() {
        return;
    }
    let mut harness = issuer_app();
    harness.get_by_label_contains("Authorize URL (each sign-in adds");
    harness
        .get_by_role_and_label(Role::Button, "Open the login page")
        .click();
    run_until(&mut harness, "the sign-in", |h| {
        h.state().issuer.browser.sign_in.outcome.is_some()
    });
    run_until(&mut harness, "the session in the panel", |h| {
        h.state().issuer.browser.sessions.len() == 1
    });
    harness.run();
    harness.get_by_label("Signed in as auth0|bob at demo-spa");
    harness.get_by_label("Authorize URL of the last sign-in");
    harness.get_by_label_contains(
        "/authorize?response_type=code&client_id=demo-spa&redirect_uri=http%3A%2F%2F127.0.0.1%3A",
    );
    harness.get_by_label("auth0|bob");
    harness.get_by_role_and_label(Role::Button, "Sign out bob");
    for step in ["GET /authorize 302", "POST /u/login 302", "POST /oauth/token 200"] {
        harness.get_by_label_contains(step);
    }
    harness.get_by_role_and_label(Role::Button, "Use in Delegation").click();
    harness.run();
    assert_eq!(harness.state().settings.tab, Tab::Delegation);
    let form = &harness.state().delegation.form;
    assert_eq!(form.client_id, "demo-spa");
    let tokenbench::core::jwt::Inspection::Jwt(jwt) = tokenbench::core::jwt::inspect(&form.token) else {
        panic!("an ID token");
    };
    assert_eq!(jwt.claim_str("sub"), Some(gui_support::PICKED_USER));
}
