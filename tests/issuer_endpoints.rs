//! `/oauth/token`, discovery, JWKS with rotation, `/userinfo`, the body limit, a fuzz run of malformed
//! requests through the router, and `tokenbench serve` as a real process.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod issuer;
mod process;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use issuer::*;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use tokenbench::services::clock::SimulatedClock;
use tokenbench::services::issuer::{IssuerState, build_issuer, no_sink, router};
use tokenbench::services::secrets::MemoryStore;
use tower::ServiceExt;

#[tokio::test]
async fn discovery_names_this_issuer_and_jwks_serves_current_and_next_keys() {
    let running = start_demo().await;
    let base = running.handle.base_url();
    let doc = running.get("/.well-known/openid-configuration").await;
    assert_eq!(doc["issuer"], format!("{base}/"));
    assert_eq!(doc["jwks_uri"], format!("{base}/.well-known/jwks.json"));
    assert_eq!(doc["token_endpoint"], format!("{base}/oauth/token"));
    let jwks = running.get("/.well-known/jwks.json").await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(
        keys.iter()
            .all(|k| k["use"] == "sig" && k["alg"] == "RS256" && k["kty"] == "RSA")
    );
}

#[tokio::test]
async fn client_credentials_gives_an_rs256_access_token_verified_with_the_served_jwks() {
    let running = start_demo().await;
    let secret = running.secret("client_secret/demo/demo-m2m");
    let basic = format!("Basic {}", STANDARD.encode(format!("demo-m2m:{}", secret.expose())));
    let response = running
        .http
        .post(running.url("/oauth/token"))
        .header("authorization", basic)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&audience=https%3A%2F%2Fapi.demo.local%2F")
        .send()
        .await
        .unwrap();
    let (status, _, body) = read(response).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap();
    let claims = verify(token, &jwks_key(&running, token).await, Algorithm::RS256);
    assert_eq!(
        (claims["aud"].as_str(), claims["scope"].as_str()),
        (Some("https://api.demo.local/"), Some("read:messages"))
    );
    assert_eq!(
        (claims["azp"].as_str(), claims["gty"].as_str()),
        (Some("demo-m2m"), Some("client-credentials"))
    );
    assert_eq!(claims["sub"], "demo-m2m@clients");
    let (status, _, body) = running
        .post_json("/oauth/token", json!({"grant_type":"client_credentials","client_id":"demo-m2m","client_secret":"wrong","audience":"https://api.demo.local/"}))
        .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
}

#[tokio::test]
async fn token_endpoint_errors_are_auth0_shaped() {
    let running = start_demo().await;
    let m2m = running.secret("client_secret/demo/demo-m2m");
    let cases = [
        (
            json!({"grant_type":"implicit","client_id":"demo-spa"}),
            400,
            "unsupported_grant_type",
        ),
        (json!({"client_id":"demo-spa"}), 400, "invalid_request"),
        (
            json!({"grant_type":"client_credentials","client_id":"demo-spa"}),
            403,
            "unauthorized_client",
        ),
        (
            json!({"grant_type":"client_credentials","client_id":"demo-m2m","client_secret":m2m.expose(),"audience":"https://nowhere/"}),
            403,
            "access_denied",
        ),
        (
            json!({"grant_type":"password","client_id":"demo-spa","username":"alice@demo.local","password":"nope"}),
            403,
            "invalid_grant",
        ),
        (
            json!({"grant_type":"refresh_token","client_id":"demo-spa","refresh_token":"forged"}),
            403,
            "invalid_grant",
        ),
    ];
    for (body, status, error) in cases {
        let (got, _, answer) = running.post_json("/oauth/token", body.clone()).await;
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(error)),
            "{body} → {answer}"
        );
    }
}

#[tokio::test]
async fn public_password_login_gets_rs256_tokens_userinfo_and_a_working_refresh_token() {
    let running = start_demo().await;
    let password = running.secret("user_password/demo/auth0|bob");
    let (status, _, body) = running
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("client_id", "demo-spa"),
                ("username", "bob@demo.local"),
                ("password", password.expose()),
                ("scope", "openid profile offline_access"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let id_token = body["id_token"].as_str().unwrap();
    let claims = verify(id_token, &jwks_key(&running, id_token).await, Algorithm::RS256);
    assert_eq!(
        (claims["aud"].as_str(), claims["name"].as_str()),
        (Some("demo-spa"), Some("Bob Builder"))
    );
    let access = body["access_token"].as_str().unwrap();
    let profile: serde_json::Value = running
        .http
        .get(running.url("/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (profile["sub"].as_str(), profile["email"].as_str()),
        (Some("auth0|bob"), Some("bob@demo.local"))
    );
    let refresh = body["refresh_token"].as_str().unwrap();
    let (status, _, again) = running
        .post_json(
            "/oauth/token",
            json!({"grant_type":"refresh_token","client_id":"demo-spa","refresh_token":refresh}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert!(again["id_token"].is_string());
    let (status, _, delegated) = running
        .post_json(
            "/delegation",
            json!({"client_id":"demo-spa","grant_type":JWT_BEARER,"refresh_token":refresh,"api_type":"app"}),
        )
        .await;
    assert_eq!(status, 200, "{delegated}");
    let unauthorised = running.http.get(running.url("/userinfo")).send().await.unwrap();
    assert_eq!(unauthorised.status().as_u16(), 401);
}

#[tokio::test]
async fn rotation_signs_with_the_next_key_and_keeps_the_previous_until_revoked() {
    let running = start_demo().await;
    let before = running.get("/.well-known/jwks.json").await["keys"].clone();
    running.handle.state.rotate().unwrap();
    let after = running.get("/.well-known/jwks.json").await["keys"].clone();
    assert_eq!(after.as_array().unwrap().len(), 3);
    assert_eq!(after[0]["kid"], before[1]["kid"]);
    assert_eq!(after[2]["kid"], before[0]["kid"]);
    running.handle.state.revoke_previous().unwrap();
    let revoked = running.get("/.well-known/jwks.json").await["keys"].clone();
    assert_eq!(revoked.as_array().unwrap().len(), 2);
}

fn kids(jwks: &Value) -> Vec<String> {
    let keys = jwks["keys"].as_array().unwrap();
    keys.iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

/// Stops `running` and starts the demo tenant again on the same keyring.
async fn restart(running: Running) -> Running {
    let store = running.store.clone();
    running.handle.stop().await.unwrap();
    start_tenant(demo(), store).await
}

#[tokio::test]
async fn a_rotation_of_the_generated_key_outlives_a_restart_and_so_does_its_revocation() {
    let running = start_demo().await;
    let first = kids(&running.get("/.well-known/jwks.json").await);
    let running = restart(running).await;
    assert_eq!(
        kids(&running.get("/.well-known/jwks.json").await),
        first,
        "the next key is kept too"
    );
    running.handle.state.rotate().unwrap();
    let rotated = kids(&running.get("/.well-known/jwks.json").await);
    assert_eq!((rotated.len(), &rotated[0], &rotated[2]), (3, &first[1], &first[0]));
    let secret = running.secret("client_secret/demo/demo-m2m");
    let (status, _, body) = running
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "demo-m2m"),
                ("client_secret", secret.expose()),
                ("audience", "https://api.demo.local/"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();
    let running = restart(running).await;
    assert_eq!(kids(&running.get("/.well-known/jwks.json").await), rotated);
    let key = jwks_key(&running, &token).await;
    verify(&token, &key, Algorithm::RS256);
    running.handle.state.revoke_previous().unwrap();
    let running = restart(running).await;
    assert_eq!(kids(&running.get("/.well-known/jwks.json").await), rotated[..2]);
}

#[tokio::test]
async fn bodies_over_64_kib_get_an_auth0_shaped_413_and_requests_are_recorded_redacted() {
    let running = start_demo().await;
    let big = "x".repeat(70 * 1024);
    let (status, _, body) = running.post_form("/delegation", &[("id_token", &big)]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (413, Some("request_entity_too_large"))
    );
    running.alice_id_token().await;
    let records = running.records.lock().unwrap().clone();
    let login = records.iter().find(|r| r.path == "/oauth/token").unwrap();
    assert_eq!(
        (login.status, login.client_id.as_deref(), login.user.as_deref()),
        (200, Some("demo-spa"), Some("auth0|alice"))
    );
    let shown = format!("{} {}", login.request, login.response);
    assert!(!shown.contains("eyJ") && shown.contains("(redacted)"), "{shown}");
}

fn malformed_bodies(token: &str) -> Vec<(String, &'static str)> {
    let forged = format!("{}x", token);
    let parts: Vec<&str> = token.split('.').collect();
    let none = format!("eyJhbGciOiJub25lIn0.{}.", parts.get(1).unwrap_or(&""));
    let values = [
        "",
        "null",
        "1",
        "[]",
        "{}",
        "\"s\"",
        "{\"client_id\":{}}",
        "{\"client_id\":[1,2]}",
        "{",
        "\u{0}",
        "%%%",
        "a=1&a=2",
    ];
    let mut bodies: Vec<(String, &'static str)> = values.iter().map(|v| (v.to_string(), "application/json")).collect();
    bodies.extend(
        values
            .iter()
            .map(|v| (v.to_string(), "application/x-www-form-urlencoded")),
    );
    let grants = [
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "password",
        "client_credentials",
        "refresh_token",
        "x",
        "",
    ];
    let clients = ["demo-spa", "demo-m2m", "ghost", "", "demo-aws"];
    let tokens = [token, &forged, &none, "a.b.c", "....", "eyJ", ""];
    let apis = ["app", "firebase", "azure_blob", "wams", "", "\u{202e}"];
    for (i, grant) in grants.iter().enumerate() {
        for (j, client) in clients.iter().enumerate() {
            for (k, t) in tokens.iter().enumerate() {
                let api = apis[(i + j + k) % apis.len()];
                let scope = ["openid", "openid passthrough", "x"][k % 3];
                let json = json!({"grant_type":grant,"client_id":client,"id_token":t,"refresh_token": if k % 3 == 0 { json!(t) } else { json!(null) },"api_type":api,"target":clients[(k + 1) % clients.len()],"username":"alice@demo.local","password":t,"audience":"https://api.demo.local/","scope":scope});
                bodies.push((json.to_string(), "application/json"));
                let form: String = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs([
                        ("grant_type", *grant),
                        ("client_id", client),
                        ("id_token", t),
                        ("api_type", api),
                    ])
                    .finish();
                bodies.push((form, "application/x-www-form-urlencoded"));
            }
        }
    }
    bodies
}

#[tokio::test]
async fn thousands_of_malformed_requests_never_get_a_5xx() {
    let running = start_demo().await;
    let token = running.alice_id_token().await;
    let (issuer, _) = build_issuer(demo(), &MemoryStore::default()).unwrap();
    let state = IssuerState::new(
        issuer,
        SimulatedClock::at(NOW),
        no_sink(),
        &running.handle.base_url(),
        std::time::Duration::from_secs(5),
    );
    let app = router(state);
    let mut sent = 0;
    for (body, content_type) in malformed_bodies(&token) {
        for (method, path) in [
            ("POST", "/delegation"),
            ("POST", "/oauth/token"),
            ("GET", "/userinfo"),
            ("PUT", "/delegation"),
            ("POST", "/nope"),
            ("POST", "/oauth/revoke"),
            ("POST", "/authorize"),
            ("POST", "/u/login?state=x"),
            ("POST", "/oidc/logout"),
        ] {
            let request = axum::http::Request::builder()
                .method(method)
                .uri(path)
                .header("host", "127.0.0.1:4000")
                .header("content-type", content_type)
                .header(
                    "authorization",
                    format!(
                        "Bearer {}",
                        body.chars().filter(char::is_ascii_graphic).take(40).collect::<String>()
                    ),
                )
                .body(axum::body::Body::from(body.clone()))
                .unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            assert_ne!(response.status().as_u16(), 421, "the Host header is this issuer's");
            assert!(
                response.status().as_u16() < 500,
                "{method} {path} {body} → {}",
                response.status()
            );
            sent += 1;
        }
    }
    assert!(sent > 2000, "{sent}");
}

#[test]
fn tokenbench_serve_prints_one_line_answers_discovery_and_stops_on_sigterm() {
    let mut served = process::serve(|_| {});
    let url = served.url.clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let doc: serde_json::Value = runtime.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        client
            .get(format!("{url}/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(doc["issuer"], format!("{url}/"));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(served.child.wait().unwrap().success());
}

#[test]
fn tokenbench_serve_exits_2_for_a_bad_tenant_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenant.json");
    std::fs::write(&path, r#"{"clients":[{"client_id":"a","grant_types":["implicitly"]}]}"#).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tokenbench"))
        .args(["serve", "--port", "0", "--tenant"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown grant \"implicitly\""));
}
