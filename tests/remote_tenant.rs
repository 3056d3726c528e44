//! Both flows against a plain loopback stand-in for a remote Auth0 tenant (not the local issuer): the stand-in
//! records exactly what arrived and answers as Auth0 does, so the tests check the wire, from the CLI
//! (`delegate`, `exchange`) and from the window's Token exchange form sending to a workspace environment.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;
mod process;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{App, run_until, type_into};
use process::{claims, text};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokenbench::core::workspace::{Environment, Workspace};
use tokenbench::services::secrets::MemoryStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const APPLE: &str = "http://auth0.com/oauth/token-type/apple-authz-code";
/// What the stand-in issues: a JWT-shaped token (its signature is not checked by anyone here).
const ISSUED: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhdXRoMHxyZW1vdGUiLCJhdWQiOiJyZW1vdGUtdGFyZ2V0In0.c2ln";

/// One request as the stand-in saw it: path, lower-case headers, body fields (JSON or form).
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: BTreeMap<String, String>,
    body: Value,
}

/// The stand-in's address and what it has seen.
struct StandIn {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl StandIn {
    fn last(&self) -> Seen {
        self.seen.lock().unwrap().last().cloned().expect("a request arrived")
    }
}

/// Answers `/delegation` with an id_token, and `/oauth/token` with tokens when the grant is token exchange
/// (Auth0's `unsupported_grant_type` otherwise); every answer carries Auth0's rate-limit headers.
fn stand_in() -> StandIn {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap()).unwrap();
            let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
                let record = record.clone();
                async move { answer(request, &record).await }
            });
            axum::serve(listener, app).await.unwrap();
        });
    });
    StandIn {
        base: format!("http://{}", receiver.recv().unwrap()),
        seen,
    }
}

async fn answer(request: axum::extract::Request, record: &Mutex<Vec<Seen>>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = request.uri().path().to_owned();
    let headers: BTreeMap<String, String> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let bytes = axum::body::to_bytes(request.into_body(), 1 << 20).await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        let pairs: serde_json::Map<String, Value> = url::form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        Value::Object(pairs)
    });
    let (status, reply) = match (path.as_str(), body["grant_type"].as_str()) {
        ("/delegation", _) => (
            200,
            json!({"token_type": "Bearer", "expires_in": 36000, "id_token": ISSUED}),
        ),
        ("/oauth/token", Some(EXCHANGE)) => (
            200,
            json!({"access_token": ISSUED, "id_token": ISSUED, "token_type": "Bearer", "expires_in": 86400,
                   "scope": body["scope"]}),
        ),
        ("/oauth/token", _) => (
            403,
            json!({"error": "unsupported_grant_type", "error_description": "Unsupported grant type"}),
        ),
        _ => (404, json!({"error": "not_found", "error_description": "Not Found"})),
    };
    record.lock().unwrap().push(Seen { path, headers, body });
    let limits = [
        ("x-ratelimit-limit", "10"),
        ("x-ratelimit-remaining", "9"),
        ("x-ratelimit-reset", "1700000060"),
    ];
    let status = axum::http::StatusCode::from_u16(status).unwrap();
    (status, limits, axum::Json(reply)).into_response()
}

fn tokenbench(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let output = process::tokenbench()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

/// `tokenbench delegate` to the stand-in as remote-caller with the issued token, plus `extra`.
fn delegate(tenant: &StandIn, extra: &[&str]) -> (Option<i32>, String, String) {
    let base = [
        "delegate",
        "--env",
        &tenant.base,
        "--client-id",
        "remote-caller",
        "--id-token",
        ISSUED,
    ];
    tokenbench(&[&base[..], extra].concat(), &[])
}

#[test]
fn cli_delegate_sends_what_auth0_expects_to_a_remote_tenant_and_prints_its_answer() {
    let tenant = stand_in();
    let (code, stdout, stderr) = delegate(&tenant, &[]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains(ISSUED), "{stdout}");
    assert!(stderr.contains("x-ratelimit-remaining: 9"), "{stderr}");
    let seen = tenant.last();
    assert_eq!(seen.path, "/delegation");
    assert_eq!(seen.headers["content-type"], "application/json");
    assert_eq!(seen.body["grant_type"], "urn:ietf:params:oauth:grant-type:jwt-bearer");
    assert_eq!(
        (seen.body["client_id"].as_str(), seen.body["id_token"].as_str()),
        (Some("remote-caller"), Some(ISSUED))
    );
    assert!(
        seen.body.get("refresh_token").is_none(),
        "exactly one input token: {}",
        seen.body
    );
}

#[test]
fn cli_delegate_sends_target_scope_api_type_and_add_on_parameters_as_a_form_when_asked() {
    let tenant = stand_in();
    let (code, stdout, stderr) = delegate(
        &tenant,
        &[
            "--target",
            "remote-target",
            "--api-type",
            "aws",
            "--scope",
            "openid",
            "--param",
            "role=arn:role",
            "--param",
            "principal=arn:p",
            "--form",
        ],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let seen = tenant.last();
    assert_eq!(seen.headers["content-type"], "application/x-www-form-urlencoded");
    let body = &seen.body;
    assert_eq!(
        [
            &body["target"],
            &body["api_type"],
            &body["scope"],
            &body["role"],
            &body["principal"]
        ],
        ["remote-target", "aws", "openid", "arn:role", "arn:p"]
    );
}

#[test]
fn cli_exchange_sends_the_subject_token_profile_and_secret_from_the_environment() {
    let tenant = stand_in();
    let (code, stdout, stderr) = tokenbench(
        &[
            "exchange",
            "--env",
            &tenant.base,
            "--client-id",
            "remote-native",
            "--subject-token",
            "c.apple.code",
            "--subject-token-type",
            "apple",
            "--first-name",
            "Ada",
            "--last-name",
            "Lovelace",
            "--audience",
            "https://api.remote/",
            "--client-secret-env",
            "REMOTE_SECRET",
            "--json",
        ],
        &[("REMOTE_SECRET", "remote-client-secret")],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let envelope: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(envelope["body"]["id_token"], ISSUED);
    let seen = tenant.last();
    assert_eq!(seen.path, "/oauth/token");
    let body = &seen.body;
    assert_eq!(
        (body["grant_type"].as_str(), body["subject_token_type"].as_str()),
        (Some(EXCHANGE), Some(APPLE))
    );
    assert_eq!(body["subject_token"], "c.apple.code");
    assert_eq!(body["client_secret"], "remote-client-secret");
    assert_eq!(body["audience"], "https://api.remote/");
    let profile: Value = serde_json::from_str(body["user_profile"].as_str().expect("a JSON string")).unwrap();
    assert_eq!(profile["name"], json!({"firstName": "Ada", "lastName": "Lovelace"}));
}

#[test]
fn the_window_exchanges_at_a_remote_tenant_and_shows_its_tokens() {
    let tenant = stand_in();
    let mut harness = window_at(&tenant, Tab::TokenExchange);
    type_into(&mut harness, Role::TextInput, "Client ID", "remote-native");
    type_into(&mut harness, Role::MultilineTextInput, "Subject token", "c.apple.code");
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(&mut harness, "the answer", |h| h.state().exchange.sender.last.is_some());
    harness.run();
    harness.get_by_label_contains("HTTP 200");
    harness.get_by_label_contains("x-ratelimit-remaining: 9");
    harness.get_by_role_and_label(Role::Button, "Inspect id_token");
    let seen = tenant.last();
    assert_eq!(
        (seen.body["subject_token"].as_str(), seen.body["client_id"].as_str()),
        (Some("c.apple.code"), Some("remote-native"))
    );
    assert_eq!(seen.body["subject_token_type"], APPLE);
    assert_eq!(seen.body["scope"], "openid profile email offline_access");
    assert_eq!(
        harness.state().exchange.form.subject_token,
        "c.apple.code",
        "the form keeps its content"
    );
}

/// The window on `tab` with one workspace environment, "remote", for the stand-in.
fn window_with(tenant: &StandIn, tab: Tab) -> App {
    let mut options = gui_support::options(tab, Arc::new(MemoryStore::default()), None, BackendPaths::default());
    options.workspace = Workspace {
        environments: vec![Environment {
            name: "remote".into(),
            base_url: Some(tenant.base.clone()),
            ..Environment::default()
        }],
        ..Workspace::default()
    };
    let mut harness = gui_support::launch(options);
    harness.run();
    harness
}

/// As [`window_with`], with "remote" chosen in the form.
fn window_at(tenant: &StandIn, tab: Tab) -> App {
    let mut harness = window_with(tenant, tab);
    choose_remote(&mut harness);
    harness
}

fn choose_remote(harness: &mut App) {
    harness.get_by_label_contains("Environment: ").click();
    harness.run();
    harness.get_by_label("remote").click();
    harness.run();
}

#[test]
fn the_window_delegates_at_a_remote_tenant_and_the_answer_opens_in_the_inspector() {
    let tenant = stand_in();
    let mut harness = window_at(&tenant, Tab::Delegation);
    type_into(&mut harness, Role::TextInput, "Client ID", "remote-caller");
    type_into(&mut harness, Role::MultilineTextInput, "id_token", ISSUED);
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(&mut harness, "the answer", |h| {
        h.state().delegation.sender.last.is_some()
    });
    harness.run();
    harness.get_by_label_contains("HTTP 200");
    harness.get_by_label_contains("x-ratelimit-remaining: 9");
    assert_eq!(tenant.last().body["id_token"], ISSUED);
    harness.get_by_role_and_label(Role::Button, "Inspect id_token").click();
    harness.run();
    assert_eq!(harness.state().settings.tab, Tab::Inspector);
    assert_eq!(claims(&harness.state().inspector.token)["aud"], "remote-target");
}

#[test]
fn a_client_secret_chosen_for_one_environment_is_not_sent_to_another() {
    use tokenbench::ui::forms::client_secret::SecretSource;
    let tenant = stand_in();
    let mut harness = window_with(&tenant, Tab::TokenExchange);
    harness.get_by_label("A keyring item").click();
    harness.run();
    type_into(
        &mut harness,
        Role::TextInput,
        "Client secret item",
        "client_secret/local/demo-native",
    );
    assert_eq!(harness.state().exchange.client_secret.source, SecretSource::Item);
    choose_remote(&mut harness);
    assert_eq!(
        harness.state().exchange.client_secret.source,
        SecretSource::None,
        "the item typed for the Local issuer is not carried to remote"
    );
}
