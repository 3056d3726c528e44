//! Fetching keys from the window over real loopback HTTP: the JWKS URL verifies an RS256 token, and a slow
//! server shows a spinner that Cancel stops without leaving a result behind.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;
mod gui_support;

use common::{KeyKind, auth0_claims, jwks, key};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{App, launch, run_until, type_into};
use jsonwebtoken::Algorithm;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokenbench::services::secrets::MemoryStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

/// A loopback server: `/jwks.json` answers at once, `/slow.json` after a minute, and the discovery document
/// names `/jwks.json`, so `http://ADDRESS/` is an issuer.
fn server() -> SocketAddr {
    static ADDRESS: OnceLock<SocketAddr> = OnceLock::new();
    *ADDRESS.get_or_init(|| {
        let body = jwks(&[key(KeyKind::Rsa, 0).jwk(Some("signing-key"), Some(Algorithm::RS256))]);
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                sender
                    .send(listener.local_addr().expect("address"))
                    .expect("send address");
                let fast = body.clone();
                let address = listener.local_addr().expect("address");
                let jwks_uri = format!("http://{address}/jwks.json");
                // The issuer the test trusts, exactly: discovery refuses a document naming another one.
                let discovery = format!(r#"{{"issuer":"http://{address}/","jwks_uri":"{jwks_uri}"}}"#);
                let app = axum::Router::new()
                    .route(
                        "/.well-known/openid-configuration",
                        axum::routing::get(move || async move { discovery }),
                    )
                    .route("/jwks.json", axum::routing::get(move || async move { fast }))
                    .route(
                        "/slow.json",
                        axum::routing::get(|| async {
                            tokio::time::sleep(Duration::from_secs(60)).await;
                            "{}"
                        }),
                    );
                axum::serve(listener, app).await.expect("serve");
            });
        });
        receiver.recv().expect("the server starts")
    })
}

fn app_with_rs256_token() -> App {
    let token = key(KeyKind::Rsa, 0).sign(Algorithm::RS256, Some("signing-key"), &auth0_claims());
    let mut options = gui_support::options(
        Tab::Inspector,
        Arc::new(MemoryStore::default()),
        None,
        BackendPaths::default(),
    );
    options.token = Some(token);
    let mut harness = launch(options);
    harness.run();
    // An RS256 token starts on a JWKS URL: its key is public and usually published.
    harness.get_by_label("Key: JWKS URL");
    harness
}

#[test]
fn a_jwks_fetched_over_loopback_verifies_the_token() {
    let mut harness = app_with_rs256_token();
    type_into(
        &mut harness,
        Role::TextInput,
        "JWKS URL",
        &format!("http://{}/jwks.json", server()),
    );
    harness.get_by_role_and_label(Role::Button, "Fetch").click();
    run_until(&mut harness, "the keys", |h| {
        h.query_by_label_contains("Keys from http://").is_some()
    });
    // The key check names where the keys came from.
    harness.get_by_label_contains(&format!("the JWK kid=signing-key from http://{}/jwks.json", server()));
    harness.get_by_label_contains("Signature valid");
}

#[test]
fn a_slow_fetch_shows_a_spinner_and_can_be_cancelled() {
    let mut harness = app_with_rs256_token();
    type_into(
        &mut harness,
        Role::TextInput,
        "JWKS URL",
        &format!("http://{}/slow.json", server()),
    );
    harness.get_by_role_and_label(Role::Button, "Fetch").click();
    harness.run_steps(2);
    harness.get_by_label("Fetching keys…");
    assert!(harness.state().inspector.keys.is_fetching());
    harness.get_by_role_and_label(Role::Button, "Cancel").click();
    harness.run_steps(2);
    assert!(!harness.state().inspector.keys.is_fetching());
    assert!(harness.query_by_label("Fetching keys…").is_none());
    harness.get_by_role_and_label(Role::Button, "Fetch");
}

/// A token whose `iss` is the loopback server, signed with the key its JWKS publishes.
fn loopback_token(subject: &str) -> String {
    let mut claims = auth0_claims();
    claims["iss"] = format!("http://{}/", server()).into();
    claims["sub"] = subject.into();
    key(KeyKind::Rsa, 0).sign(Algorithm::RS256, Some("signing-key"), &claims)
}

#[test]
fn discovery_waits_for_an_issuer_the_user_names_and_keys_stay_with_their_token() {
    let mut options = gui_support::options(
        Tab::Inspector,
        Arc::new(MemoryStore::default()),
        None,
        BackendPaths::default(),
    );
    options.token = Some(loopback_token("auth0|alice"));
    let mut harness = launch(options);
    harness.run();
    harness.get_by_label_contains("Key: ").click();
    harness.run();
    harness.get_by_label("Discover from the expected issuer").click();
    harness.run();
    // The token names its own issuer, but nothing is fetched until the user trusts one.
    let discover = harness.get_by_role_and_label(Role::Button, "Discover");
    assert!(discover.accesskit_node().is_disabled());
    harness
        .get_by_role_and_label(Role::Button, "Use the token's iss")
        .click();
    harness.run();
    assert_eq!(harness.state().inspector.issuer, format!("http://{}/", server()));
    harness.get_by_role_and_label(Role::Button, "Discover").click();
    run_until(&mut harness, "the discovered keys", |h| {
        h.query_by_label_contains("Keys from http://").is_some()
    });
    harness.get_by_label_contains(&format!("Keys from http://{}/jwks.json", server()));
    harness.get_by_label_contains("Signature valid");

    // Another token: the keys fetched for the first one are dropped, not reused.
    harness.state_mut().inspector.load(&loopback_token("auth0|mallory"));
    harness.run();
    assert!(harness.query_by_label_contains("Keys from").is_none());
    assert!(harness.query_by_label_contains("Signature valid").is_none());
}
