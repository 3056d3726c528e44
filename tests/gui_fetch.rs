//! Fetching keys from the window over real loopback HTTP: the JWKS URL verifies an RS256 token, and a slow
//! server shows a spinner that Cancel stops without leaving a result behind.

mod common;
mod gui_support;

use common::{KeyKind, auth0_claims, jwks, key};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{App, launch, run_until, type_into};
use jsonwebtoken::Algorithm;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokenbench::services::secrets::MemoryStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

/// A loopback server: `/jwks.json` answers at once, `/slow.json` after a minute.
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
                let app = axum::Router::new()
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
    harness.get_by_role_and_label(Role::ComboBox, "Key").click();
    harness.run();
    harness.get_by_label("JWKS URL").click();
    harness.run();
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
    harness.get_by_label_contains("the JWK kid=signing-key");
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
