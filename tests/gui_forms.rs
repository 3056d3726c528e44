//! The request forms on the real app against the real local issuer over loopback: a Delegation request whose
//! answer opens in the inspector with the target as `aud`; Send off with the reason while the form is invalid;
//! a request to a listener that never answers shows a spinner and Cancel stops it; "Sign in with browser" (a
//! stand-in browser as `$BROWSER`) fills the Delegation form, puts its answer in the exchange form, says why a
//! tenant refused, and Cancel frees its loopback port.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;
mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{App, NOW, copied_text, launch_with_issuer, run_until, type_into};
use jsonwebtoken::Algorithm;
use serde_json::json;
use std::sync::Arc;
use tokenbench::core::jwt::{Inspection, inspect};
use tokenbench::core::secret::SecretRef;
use tokenbench::core::workspace::{Environment, Workspace};
use tokenbench::services::secrets::{MemoryStore, SecretStore};
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

fn app_with_issuer(store: Arc<MemoryStore>, workspace: Workspace) -> App {
    app_saving_to(store, workspace, BackendPaths::default())
}

fn app_saving_to(store: Arc<MemoryStore>, workspace: Workspace, paths: BackendPaths) -> App {
    let mut options = gui_support::options(Tab::Delegation, store, None, paths);
    options.workspace = workspace;
    let mut harness = launch_with_issuer(options);
    harness.run();
    harness
}

/// The app with one workspace environment chosen in the Delegation form, a client and a placeholder id_token
/// typed: ready to Send.
fn delegation_to_environment(name: &str, base_url: &str, client_id: &str) -> App {
    let workspace = Workspace {
        environments: vec![Environment {
            name: name.into(),
            base_url: Some(base_url.to_owned()),
            ..Environment::default()
        }],
        ..Workspace::default()
    };
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), workspace);
    harness.get_by_label_contains("Environment: ").click();
    harness.run();
    harness.get_by_label(name).click();
    harness.run();
    type_into(&mut harness, Role::TextInput, "Client ID", client_id);
    type_into(
        &mut harness,
        Role::MultilineTextInput,
        "id_token",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
    );
    harness
}

/// An HS256 ID token for demo-spa, signed with the client secret the issuer generated into the store.
fn alice_id_token(store: &MemoryStore, base: &str) -> String {
    let secret = store.get("client_secret/demo/demo-spa").unwrap();
    let claims =
        json!({"iss": format!("{base}/"), "sub": "auth0|alice", "aud": "demo-spa", "iat": NOW, "exp": NOW + 3600});
    common::hmac_token(Algorithm::HS256, secret.expose().as_bytes(), &claims)
}

#[test]
fn a_delegation_answer_opens_in_the_inspector_with_the_target_as_audience() {
    let store = Arc::new(MemoryStore::default());
    let dir = tempfile::tempdir().unwrap();
    let history_file = dir.path().join("history.json");
    let paths = BackendPaths {
        history: Some(history_file.clone()),
        ..BackendPaths::default()
    };
    let mut harness = app_saving_to(store.clone(), Workspace::default(), paths);
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    let token = alice_id_token(&store, &base);
    type_into(&mut harness, Role::TextInput, "Client ID", "demo-spa");
    type_into(&mut harness, Role::MultilineTextInput, "id_token", &token);
    type_into(&mut harness, Role::TextInput, "Target", "demo-firebase");
    type_into(&mut harness, Role::TextInput, "api_type", "app");
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(&mut harness, "the answer", |h| {
        h.state().delegation.sender.last.is_some()
    });
    harness.run();
    harness.get_by_label_contains("HTTP 200");
    harness.get_by_label_contains("x-ratelimit-remaining: 9");
    harness.get_by_role_and_label(Role::Button, "Inspect id_token").click();
    harness.run();
    assert_eq!(harness.state().settings.tab, Tab::Inspector);
    let Inspection::Jwt(jwt) = inspect(&harness.state().inspector.token) else {
        panic!("the inspector holds a JWT");
    };
    assert_eq!(jwt.claim_str("aud"), Some("demo-firebase"));
    assert_eq!(jwt.claim_str("sub"), Some("auth0|alice"));
    harness.get_by_label_contains("The id_token of a response");

    // The history keeps the request and its form, never the tokens.
    let issued = harness.state().inspector.token.clone();
    run_until(&mut harness, "the history file", |_| history_file.exists());
    let saved = std::fs::read_to_string(&history_file).unwrap();
    assert!(
        saved.contains("demo-firebase") && saved.contains("issued id_token"),
        "{saved}"
    );
    assert!(
        !saved.contains(&token) && !saved.contains(&issued),
        "no token in {saved}"
    );
    harness.get_by_label("History").click();
    harness.run();
    let newest = harness.state().history.entries.last().unwrap().id;
    harness
        .get_by_role_and_label(Role::Button, &format!("Load request {newest} into the form"))
        .click();
    harness.run();
    assert_eq!(harness.state().settings.tab, Tab::Delegation);
    assert_eq!(harness.state().delegation.form.target, "demo-firebase");
    assert!(harness.state().delegation.form.token.is_empty());
}

#[test]
fn send_is_off_with_the_reason_while_the_form_is_invalid() {
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), Workspace::default());
    let send = harness.get_by_role_and_label(Role::Button, "Send");
    assert!(send.accesskit_node().is_disabled());
    harness.get_by_label_contains("Send is off: client_id");
    // An empty required field is named on the Send line, not flagged in red before anything is typed.
    assert!(
        harness
            .query_by_label("give the calling application's client ID")
            .is_none()
    );
    type_into(&mut harness, Role::TextInput, "Client ID", "demo-spa");
    type_into(&mut harness, Role::TextInput, "api_type", "fire base");
    harness.get_by_label_contains("unknown api_type \"fire base\"");
}

#[test]
fn a_request_to_a_silent_listener_can_be_cancelled() {
    // Accepts connections (the kernel does) but never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", silent.local_addr().unwrap());
    let mut harness = delegation_to_environment("silent", &base, "demo-spa");
    harness.get_by_role_and_label(Role::Button, "Send").click();
    harness.run_steps(3);
    assert!(harness.state().delegation.sender.is_sending());
    harness.get_by_label_contains("Sending…");
    harness.get_by_role_and_label(Role::Button, "Cancel").click();
    harness.run_steps(3);
    assert!(!harness.state().delegation.sender.is_sending());
    assert!(
        harness.state().delegation.sender.last.is_none(),
        "a cancelled request leaves no answer"
    );
    drop(silent);
}

/// Replaces the shared timeout field's text (it holds at most two characters here) with `seconds`.
fn set_timeout(harness: &mut App, seconds: &str) {
    type_into(harness, Role::TextInput, "Timeout (seconds)", "");
    harness.key_press(egui::Key::Backspace);
    harness.key_press(egui::Key::Backspace);
    harness.run();
    type_into(harness, Role::TextInput, "Timeout (seconds)", seconds);
}

#[test]
fn a_silent_listener_times_out_after_the_chosen_timeout_and_the_form_keeps_its_content() {
    // Accepts connections (the kernel does) but never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", silent.local_addr().unwrap());
    let mut harness = delegation_to_environment("silent", &base, "demo-spa");
    harness.get_by_label("Advanced").click();
    harness.run();
    set_timeout(&mut harness, "0");
    harness.get_by_label("enter the timeout as whole seconds from 1 to 600 (the default is 30)");
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "Send")
            .accesskit_node()
            .is_disabled()
    );
    harness.get_by_label_contains("Send is off: timeout: enter the timeout");
    set_timeout(&mut harness, "1");
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(&mut harness, "the timeout", |h| {
        h.state().delegation.sender.last.is_some()
    });
    harness.run();
    harness.get_by_label_contains(&format!("{base}/delegation did not answer within 1 s"));
    let form = &harness.state().delegation.form;
    assert_eq!(
        (form.client_id.as_str(), form.token.as_str()),
        ("demo-spa", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln")
    );
    assert_eq!(harness.state().settings.request_timeout_seconds, 1);
    // One timeout for both forms: the exchange form shows the same value.
    harness.get_by_label("Token exchange").click();
    harness.run();
    harness.get_by_label("Advanced").click();
    harness.run();
    let field = harness.get_by_role_and_label(Role::TextInput, "Timeout (seconds)");
    assert_eq!(field.accesskit_node().value().as_deref(), Some("1"));
    drop(silent);
}

#[test]
fn the_rate_limit_view_and_the_send_warning_follow_real_answers_and_the_clock() {
    let store = Arc::new(MemoryStore::default());
    let mut harness = app_with_issuer(store.clone(), Workspace::default());
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    let token = alice_id_token(&store, &base);
    type_into(&mut harness, Role::TextInput, "Client ID", "demo-spa");
    type_into(&mut harness, Role::MultilineTextInput, "id_token", &token);
    // The demo tenant's bucket: 10 requests, one more every 6 s (the simulated clock stands still).
    for sent in 1..=10 {
        harness.get_by_role_and_label(Role::Button, "Send").click();
        run_until(&mut harness, "an answer", |h| {
            h.state().history.entries.len() == sent && !h.state().delegation.sender.is_sending()
        });
    }
    harness.run();
    harness.get_by_label_contains("Rate limit reached");
    harness.get_by_label_contains("passes at 22:13:26 (sending now gets a 429)");
    harness.get_by_label("in 6 s");
    harness.get_by_label("Rate limits").click();
    harness.run();
    harness.get_by_label(&format!("Local issuer · {base}/delegation · user auth0|alice"));
    harness.get_by_label_contains("Throttled: the next request passes at");
    harness.get_by_label_contains("0 of 10 remaining");
    assert!(harness.query_by_label_contains("more are back").is_none());
    harness.get_by_role_and_label(Role::Button, "+6 s").click();
    harness.run();
    harness.get_by_label_contains("The next request would pass now");
    harness.get_by_label_contains("0 of 10 remaining at the last answer; more are back since its reset");
    harness.get_by_label("Delegation").click();
    harness.run();
    assert!(harness.query_by_label_contains("Rate limit reached").is_none());
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(&mut harness, "the refilled request", |h| {
        h.state().history.entries.len() == 11
    });
    assert_eq!(harness.state().history.entries[10].status, Some(200));
}

#[test]
fn a_pasted_curl_command_fills_the_form_and_lists_what_it_cannot_hold() {
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), Workspace::default());
    let base = harness.state().issuer.base_url().unwrap().to_owned();
    let command = format!(
        "curl --request POST --url '{base}/delegation' -H 'content-type: application/json' \\\n  -H 'x-trace: 1' \
         --data '{{\"client_id\":\"demo-spa\",\"grant_type\":\"urn:ietf:params:oauth:grant-type:jwt-bearer\",\
         \"id_token\":\"eyJhbGciOiJIUzI1NiJ9.e30.c2ln\",\"target\":\"demo-aws\",\"api_type\":\"aws\",\"role\":\"r\"}}'"
    );
    harness.get_by_label("Paste a curl command").click();
    harness.run();
    type_into(&mut harness, Role::MultilineTextInput, "curl command", &command);
    harness.get_by_role_and_label(Role::Button, "Fill the form").click();
    harness.run();
    let form = &harness.state().delegation.form;
    assert_eq!(form.client_id, "demo-spa");
    assert_eq!(form.target, "demo-aws");
    assert_eq!(form.api_type, "aws");
    assert_eq!(form.params, [("role".to_owned(), "r".to_owned())]);
    assert_eq!(
        harness.state().delegation.sender.target,
        tokenbench::ui::forms::request::Target::LocalIssuer
    );
    harness.get_by_label_contains("Not used: x-trace");
}

#[test]
fn sign_in_as_a_demo_user_fills_the_delegation_form_and_the_answer_is_for_the_target() {
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), Workspace::default());
    harness.get_by_label("Local issuer").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Sign in as alice").click();
    run_until(&mut harness, "the sign-in", |h| {
        h.state().settings.tab == Tab::Delegation
    });
    harness.run();
    assert_eq!(harness.state().delegation.form.client_id, "demo-spa");
    type_into(&mut harness, Role::TextInput, "Target", "demo-aws");
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(&mut harness, "the answer", |h| {
        h.state().delegation.sender.last.is_some()
    });
    harness.run();
    // demo-aws has the aws add-on: the default api_type gives simulated STS credentials, no token.
    harness.get_by_label_contains("HTTP 200");
    harness.get_by_label_contains("ASIASIMULATED");
}

/// Alice signed in through the Local issuer panel, the Delegation form filled, its Burst tool open.
fn alice_with_the_burst_tool_open() -> App {
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), Workspace::default());
    harness.get_by_label("Local issuer").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Sign in as alice").click();
    run_until(&mut harness, "the sign-in", |h| {
        h.state().settings.tab == Tab::Delegation
    });
    harness.get_by_label("Burst").click();
    harness.run();
    harness
}

#[test]
fn a_burst_is_admitted_up_to_the_bucket_then_refused_and_the_clock_refills_one() {
    let mut harness = alice_with_the_burst_tool_open();
    let answered = |h: &App| h.state().delegation.burst.statuses.values().sum::<u32>();
    // "5" becomes "50" requests per second.
    type_into(&mut harness, Role::TextInput, "Requests per second", "0");
    harness.get_by_role_and_label(Role::Button, "Start burst").click();
    run_until(&mut harness, "15 answers", |h| answered(h) == 15);
    let statuses = harness.state().delegation.burst.statuses.clone();
    assert_eq!(statuses.get(&200), Some(&10), "{statuses:?}");
    assert_eq!(statuses.get(&429), Some(&5), "{statuses:?}");
    harness.get_by_role_and_label(Role::Button, "+6 s").click();
    harness.run();
    // "15" becomes "2".
    type_into(&mut harness, Role::TextInput, "Copies", "");
    harness.key_press(egui::Key::Backspace);
    harness.key_press(egui::Key::Backspace);
    harness.run();
    type_into(&mut harness, Role::TextInput, "Copies", "2");
    harness.get_by_role_and_label(Role::Button, "Start burst").click();
    run_until(&mut harness, "2 answers", |h| answered(h) == 2);
    let statuses = harness.state().delegation.burst.statuses.clone();
    assert_eq!(
        (statuses.get(&200), statuses.get(&429)),
        (Some(&1), Some(&1)),
        "{statuses:?}"
    );
}

/// An Apple code for the demo tenant, sealed with the artifact key the issuer generated into the store.
fn apple_code(store: &dyn SecretStore, sub: &str) -> String {
    use tokenbench::core::issuer::social::{Opaque, Sealed, seal};
    let key = store.get("hmac_secret/demo/social_artifacts").unwrap();
    let sealed = Sealed {
        sub: sub.to_owned(),
        aud: "com.tokenbench.demo.signin".to_owned(),
        exp: NOW + 300,
        nonce: format!("gui-{sub}"),
        email: None,
    };
    seal(key.expose().as_bytes(), Opaque::AppleCode, &sealed)
}

#[test]
fn the_exchange_form_turns_a_minted_apple_code_into_dpop_bound_tokens() {
    let store = Arc::new(MemoryStore::default());
    let mut harness = app_with_issuer(store.clone(), Workspace::default());
    harness.get_by_label("Token exchange").click();
    harness.run();
    type_into(&mut harness, Role::TextInput, "Client ID", "demo-native");
    type_into(
        &mut harness,
        Role::MultilineTextInput,
        "Subject token",
        &apple_code(store.as_ref(), "000111.ada"),
    );
    type_into(&mut harness, Role::TextInput, "Audience", "https://api.demo.local/");
    send_with_a_new_dpop_key(&mut harness);
    harness.run();
    harness.get_by_label_contains("HTTP 200");
    harness.get_by_label_contains("\"token_type\": \"DPoP\"");
    harness
        .get_by_role_and_label(Role::Button, "Inspect DPoP proof")
        .click();
    harness.run();
    let Inspection::Jwt(proof) = inspect(&harness.state().inspector.token) else {
        panic!("the proof is a JWT");
    };
    assert_eq!(proof.header_str("typ"), Some("dpop+jwt"));
    assert_eq!(proof.claim_str("htm"), Some("POST"));
}

#[test]
fn a_dpop_nonce_demanded_by_the_server_is_sent_on_a_second_try() {
    let dir = tempfile::tempdir().unwrap();
    let mut tenant: serde_json::Value = serde_json::from_str(tokenbench::core::tenant::DEMO_TENANT).unwrap();
    tenant["settings"]["dpop_nonce_required"] = true.into();
    let file = dir.path().join("tenant.json");
    std::fs::write(&file, tenant.to_string()).unwrap();
    let store = Arc::new(MemoryStore::default());
    let mut options = gui_support::options(Tab::TokenExchange, store.clone(), None, BackendPaths::default());
    options.settings.issuer_tenant_file = Some(file);
    let mut harness = launch_with_issuer(options);
    type_into(&mut harness, Role::TextInput, "Client ID", "demo-native");
    type_into(
        &mut harness,
        Role::MultilineTextInput,
        "Subject token",
        &apple_code(store.as_ref(), "000222.nonce"),
    );
    send_with_a_new_dpop_key(&mut harness);
    run_until(&mut harness, "both requests in the log", |h| {
        h.state().issuer.log.len() == 2
    });
    let statuses: Vec<u16> = harness.state().issuer.log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [400, 200], "first refused for the nonce, then accepted");
    harness.run();
    harness.get_by_label_contains("\"token_type\": \"DPoP\"");
    let Inspection::Jwt(proof) = inspect(harness.state().exchange.last_proof.as_deref().unwrap()) else {
        panic!("a proof");
    };
    assert!(
        proof.claim_str("nonce").is_some(),
        "the retried proof carries the server's nonce"
    );
}

/// Turns DPoP on, generates the default DPoP key through the form, sends, and waits for the answer.
fn send_with_a_new_dpop_key(harness: &mut App) {
    harness.get_by_label_contains("DPoP: bind the tokens").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Generate a DPoP key")
        .click();
    run_until(harness, "the DPoP key", |h| {
        h.state().keyring_names.iter().any(|n| n == "dpop_key/default")
    });
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(harness, "the answer", |h| h.state().exchange.sender.last.is_some());
}

/// Saves an item through the Secrets tab, as a user would, and waits until the keyring lists it.
fn save_in_secrets_tab(harness: &mut App, name: &str, value: &str) {
    harness.get_by_label("Secrets").click();
    harness.run();
    type_into(harness, Role::TextInput, "Name", name);
    type_into(harness, Role::PasswordInput, "Value", value);
    harness.get_by_role_and_label(Role::Button, "Save to keyring").click();
    run_until(harness, "the saved item", |h| {
        h.state().keyring_names.iter().any(|n| n == name)
    });
}

/// Sends the exchange form with a fresh Apple code and waits for the answer (or its error).
fn send_exchange(harness: &mut App, store: &dyn SecretStore, sub: &str) {
    harness.state_mut().exchange.form.subject_token = apple_code(store, sub);
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(harness, "the answer", |h| {
        h.state().exchange.sender.last.is_some() && !h.state().exchange.sender.is_sending()
    });
    harness.run();
}

#[test]
fn the_exchange_form_sends_a_client_secret_that_only_the_backend_reads_from_the_keyring() {
    let store = gui_support::real_or_memory_store();
    let _restorer = gui_support::KeyringRestorer::new(store.clone());
    let tag = format!("gui-{}", std::process::id());
    let (wrong, missing) = (
        format!("client_secret/{tag}/wrong"),
        format!("client_secret/{tag}/missing"),
    );
    let dir = tempfile::tempdir().unwrap();
    let history_file = dir.path().join("history.json");
    let mut options = gui_support::options(
        Tab::TokenExchange,
        store.clone(),
        None,
        BackendPaths {
            history: Some(history_file.clone()),
            ..BackendPaths::default()
        },
    );
    options.workspace.environments = vec![Environment {
        name: "confidential".into(),
        base_url: None,
        client_id: "demo-native".into(),
        client_secret: Some(SecretRef::new("client_secret/demo/demo-native")),
        ..Environment::default()
    }];
    let mut harness = launch_with_issuer(options);
    save_in_secrets_tab(&mut harness, &wrong, "not-the-client-secret");
    harness.get_by_label("Token exchange").click();
    harness.run();
    // The local issuer itself has no secret to offer: the choice is off, with the reason.
    harness.get_by_label_contains("The environment's secret is off: the Local issuer environment");
    harness.get_by_label_contains("Environment: ").click();
    harness.run();
    harness.get_by_label("confidential").click();
    harness.run();
    // The environment's default client fills the empty field.
    assert_eq!(harness.state().exchange.form.client_id, "demo-native");
    harness
        .get_by_label("The environment's secret (client_secret/demo/demo-native)")
        .click();
    send_exchange(&mut harness, store.as_ref(), "000333.confidential");
    harness.get_by_label_contains("HTTP 200");
    let seen = &harness.state().issuer.log.back().unwrap().request;
    assert_eq!(
        seen["client_secret"], "(redacted)",
        "the issuer got a client_secret: {seen}"
    );
    let secret = store.get("client_secret/demo/demo-native").unwrap();
    harness.get_by_role_and_label(Role::Button, "Copy as curl").click();
    harness.step();
    let curl = copied_text(&harness).expect("something was copied");
    assert!(
        curl.contains("\"client_secret\":\"'\"${CLIENT_SECRET:?set CLIENT_SECRET to the client secret first}\"'\""),
        "{curl}"
    );
    assert!(!curl.contains(secret.expose()), "{curl}");

    // A typed item with the wrong value: the issuer refuses the client as Auth0 does.
    harness.get_by_label("A keyring item").click();
    harness.run();
    type_into(&mut harness, Role::TextInput, "Client secret item", &wrong);
    send_exchange(&mut harness, store.as_ref(), "000333.wrong");
    harness.get_by_label_contains("HTTP 401");
    harness.get_by_label_contains("\"error\": \"invalid_client\"");

    // An item that is not in the keyring: nothing is sent, and the form says what to do.
    harness.state_mut().exchange.client_secret.item.clear();
    type_into(&mut harness, Role::TextInput, "Client secret item", &missing);
    harness.get_by_label_contains(&format!("There is no {missing} in the keyring"));
    let requests = harness.state().issuer.log.len();
    send_exchange(&mut harness, store.as_ref(), "000333.missing");
    harness.get_by_label_contains(&format!(
        "the client secret {missing} could not be read from the keyring"
    ));
    assert_eq!(harness.state().issuer.log.len(), requests, "nothing reached the issuer");

    run_until(&mut harness, "three history entries on disk", |_| {
        std::fs::read_to_string(&history_file).is_ok_and(|t| t.matches("\"at\"").count() == 3)
    });
    let saved = std::fs::read_to_string(&history_file).unwrap();
    assert!(saved.contains("invalid_client") && saved.contains(&wrong), "{saved}");
    for value in [secret.expose(), "not-the-client-secret"] {
        assert!(!saved.contains(value), "no secret in {saved}");
    }
}

#[test]
fn an_environment_with_tls_verification_off_warns_and_reaches_a_self_signed_tenant() {
    let addr = common::tls::self_signed_server(r#"{"token_type":"Bearer","expires_in":36000}"#);
    let workspace = Workspace {
        environments: vec![Environment {
            name: "self-signed".into(),
            base_url: Some(format!("https://{addr}")),
            verify_tls: false,
            ..Environment::default()
        }],
        ..Workspace::default()
    };
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), workspace);
    let warning = "TLS verification is off for self-signed: anyone on the network path can read and change";
    assert!(harness.query_by_label_contains(warning).is_none());
    harness.get_by_label_contains("Environment: ").click();
    harness.run();
    harness.get_by_label("self-signed").click();
    harness.run();
    harness.get_by_label_contains(warning);
    type_into(&mut harness, Role::TextInput, "Client ID", "caller");
    type_into(
        &mut harness,
        Role::MultilineTextInput,
        "id_token",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
    );
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(&mut harness, "the answer", |h| {
        h.state().delegation.sender.last.is_some()
    });
    harness.run();
    harness.get_by_label_contains("HTTP 200");
    harness.get_by_role_and_label(Role::Button, "Copy as curl").click();
    harness.step();
    assert!(
        copied_text(&harness)
            .expect("something was copied")
            .starts_with("curl -sS -X POST --insecure ")
    );
    // The warning stays as long as verification is off.
    harness.get_by_label_contains(warning);
}

#[test]
fn a_click_on_the_timeline_opens_that_request_in_history() {
    let mut harness = alice_with_the_burst_tool_open();
    type_into(&mut harness, Role::TextInput, "Requests per second", "0");
    harness.get_by_role_and_label(Role::Button, "Start burst").click();
    run_until(&mut harness, "15 answers in the history", |h| {
        h.state().history.entries.len() == 15 && h.state().delegation.burst.is_done()
    });
    let last = harness.state().history.entries.last().unwrap().clone();
    assert_eq!(
        (last.status, last.summary.as_str()),
        (Some(429), "burst: too_many_requests")
    );
    harness.get_by_label("Rate limits").click();
    harness.run();
    let plot = harness.get_by_label_contains("Timeline of remaining requests").rect();
    // The last answer is the rightmost point, at 0 remaining; the plot keeps a 5 % margin on every side.
    let margin = 0.05 / 1.1;
    let point = egui::pos2(
        plot.right() - plot.width() * margin,
        plot.bottom() - plot.height() * margin,
    );
    harness.event(egui::Event::PointerMoved(point));
    harness.run();
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: point,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        harness.run();
    }
    harness.run();
    assert_eq!(harness.state().settings.tab, Tab::History);
    assert_eq!(harness.state().history_panel.focused, Some(last.id));
    harness.get_by_label_contains(&format!("Request #{} from the Rate limits timeline", last.id));
}

#[test]
fn the_exchange_form_gets_an_apple_code_from_the_local_issuer_and_sends_it() {
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), Workspace::default());
    harness.get_by_label("Token exchange").click();
    harness.run();
    type_into(&mut harness, Role::TextInput, "Client ID", "demo-native");
    harness
        .get_by_role_and_label(Role::Button, "Get one from the local issuer")
        .click();
    run_until(&mut harness, "the minted code", |h| {
        h.state().exchange.form.subject_token.starts_with('c')
    });
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(&mut harness, "the answer", |h| h.state().exchange.sender.last.is_some());
    let last = harness.state().exchange.sender.last.as_ref().unwrap();
    let (answer, read) = last.as_ref().unwrap();
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    assert!(read.tokens.iter().any(|(field, _)| field == "id_token"));
}

#[test]
fn a_client_is_picked_from_the_local_tenant_in_the_exchange_form() {
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), Workspace::default());
    harness.get_by_label("Token exchange").click();
    harness.run();
    assert!(harness.state().exchange.form.client_id.is_empty());
    harness.get_by_label_contains("Known clients: ").click();
    harness.run();
    harness.get_by_label("demo-native · Demo native app").click();
    harness.run();
    assert_eq!(harness.state().exchange.form.client_id, "demo-native");
}

#[test]
fn an_environment_fills_an_empty_client_id_with_its_default_and_offers_its_other_clients() {
    let workspace = Workspace {
        environments: vec![Environment {
            name: "staging".into(),
            base_url: Some("https://staging.example.test".into()),
            client_id: "default-app".into(),
            client_ids: vec!["other-app".into()],
            ..Environment::default()
        }],
        ..Workspace::default()
    };
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), workspace);
    harness.get_by_label_contains("Environment: ").click();
    harness.run();
    harness.get_by_label("staging").click();
    harness.run();
    assert_eq!(harness.state().delegation.form.client_id, "default-app");
    harness.get_by_label_contains("Known clients: ").click();
    harness.run();
    // The local tenant's clients belong to the local issuer, not to this environment.
    assert!(harness.query_by_label("demo-spa · Demo SPA (legacy, HS256)").is_none());
    harness.get_by_label("other-app").click();
    harness.run();
    assert_eq!(harness.state().delegation.form.client_id, "other-app");
    // A client already typed is kept when the environment changes.
    harness.get_by_label_contains("Environment: ").click();
    harness.run();
    // The navigation has a "Local issuer" tab too; the open list is drawn last.
    harness.get_all_by_label("Local issuer").last().unwrap().click();
    harness.run();
    assert_eq!(
        harness.state().delegation.sender.target,
        tokenbench::ui::forms::request::Target::LocalIssuer
    );
    assert_eq!(harness.state().delegation.form.client_id, "other-app");
}

/// Presses "Sign in with browser" and waits for its outcome.
fn sign_in_with_browser(harness: &mut App, done: impl Fn(&App) -> bool) {
    harness
        .get_by_role_and_label(Role::Button, "Sign in with browser")
        .click();
    run_until(harness, "the sign-in", done);
    harness.run();
}

#[test]
fn sign_in_with_browser_fills_the_delegation_form() {
    if !gui_support::use_fake_browser() {
        return;
    }
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), Workspace::default());
    type_into(&mut harness, Role::TextInput, "Client ID", "demo-spa");
    sign_in_with_browser(&mut harness, |h| h.state().delegation.browser.outcome.is_some());
    harness.get_by_label("Signed in as auth0|bob at demo-spa");
    let form = harness.state().delegation.form.clone();
    assert_eq!(form.input, tokenbench::core::auth0::delegation::InputToken::IdToken);
    let Inspection::Jwt(jwt) = inspect(&form.token) else {
        panic!("the id_token field holds a JWT: {:?}", form.token);
    };
    assert_eq!(jwt.claim_str("sub"), Some(gui_support::PICKED_USER));
    assert_eq!(jwt.claim_str("aud"), Some("demo-spa"));
    // offline_access gave a refresh token: one click puts it in the field instead.
    harness
        .get_by_role_and_label(Role::Button, "Use the refresh token")
        .click();
    harness.run();
    let form = &harness.state().delegation.form;
    assert_eq!(
        form.input,
        tokenbench::core::auth0::delegation::InputToken::RefreshToken
    );
    assert!(!form.token.is_empty() && !matches!(inspect(&form.token), Inspection::Jwt(_)));
    harness.get_by_role_and_label(Role::Button, "Use the ID token");
}

#[test]
fn sign_in_with_browser_puts_the_tokens_in_the_exchange_forms_answer() {
    if !gui_support::use_fake_browser() {
        return;
    }
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), Workspace::default());
    harness.get_by_label("Token exchange").click();
    harness.run();
    type_into(&mut harness, Role::TextInput, "Client ID", "demo-spa");
    type_into(&mut harness, Role::TextInput, "Audience", "https://api.demo.local/");
    sign_in_with_browser(&mut harness, |h| h.state().exchange.browser.outcome.is_some());
    harness.get_by_label("Signed in as auth0|bob at demo-spa: the tokens are in the answer below");
    harness.get_by_label_contains("HTTP 200");
    harness
        .get_by_role_and_label(Role::Button, "Inspect access_token")
        .click();
    harness.run();
    let Inspection::Jwt(access) = inspect(&harness.state().inspector.token) else {
        panic!("an access token");
    };
    assert_eq!(access.claim_str("sub"), Some(gui_support::PICKED_USER));
    let payload = access.payload.as_ref().unwrap();
    assert_eq!(payload["aud"][0], "https://api.demo.local/");
}

#[test]
fn a_sign_in_the_tenant_refuses_says_why_beside_the_button() {
    if !gui_support::use_fake_browser() {
        return;
    }
    let mut harness = app_with_issuer(Arc::new(MemoryStore::default()), Workspace::default());
    harness.get_by_label("Token exchange").click();
    harness.run();
    type_into(&mut harness, Role::TextInput, "Client ID", "demo-spa");
    type_into(&mut harness, Role::TextInput, "Audience", "https://nowhere.example/");
    sign_in_with_browser(&mut harness, |h| h.state().exchange.browser.outcome.is_some());
    harness.get_by_label_contains("access_denied: Service not found");
    assert!(harness.state().exchange.sender.last.is_none(), "no answer to show");
}

#[test]
fn cancelling_a_sign_in_frees_its_loopback_port() {
    // Any $BROWSER will do (even one that cannot start): the sign-in waits for the callback either way.
    gui_support::use_fake_browser();
    let base = tenant_that_never_sends_the_browser_back();
    let mut harness = delegation_to_environment("stuck", &base, "demo-spa");
    harness
        .get_by_role_and_label(Role::Button, "Sign in with browser")
        .click();
    run_until(&mut harness, "the authorize URL", |h| {
        h.state().delegation.browser.url.is_some()
    });
    harness.get_by_label_contains("Waiting for the browser…");
    let url = harness.state().delegation.browser.url.clone().unwrap();
    assert!(url.starts_with(&format!("{base}/authorize?")), "{url}");
    let redirect = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| url::Url::parse(&v).unwrap())
        .unwrap();
    let port = redirect.port().unwrap();
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", port)).is_err(),
        "the sign-in listens on {port}"
    );
    harness.get_by_role_and_label(Role::Button, "Cancel sign-in").click();
    harness.run();
    assert!(!harness.state().delegation.browser.is_running());
    assert!(harness.query_by_label_contains("Waiting for the browser").is_none());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "port {port} is still taken after Cancel"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A tenant whose login page is a blank page: the browser never comes back to the application.
fn tenant_that_never_sends_the_browser_back() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let page = "<!doctype html><title>Log in</title>";
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                page.len()
            );
            let _ = stream.write_all(format!("{head}{page}").as_bytes());
        }
    });
    base
}
