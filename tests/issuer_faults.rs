//! Injected faults over real loopback (latency, forced 429/500/503, a truncated body, a dropped
//! connection), the live rate-limit buckets through the service API, and `tokenbench serve --clock
//! simulated` with its admin routes as a real process.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;
mod issuer;
mod process;

use issuer::*;
use jsonwebtoken::Algorithm;
use process::{Served, tenant_file};
use serde_json::{Value, json};
use std::io::BufRead;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use tokenbench::core::tenant::{Failure, Fault, Faults};
use tokenbench::services::issuer::{BucketKey, Limiter};

fn fault(failure: Failure) -> Fault {
    Fault {
        failure,
        ..Fault::default()
    }
}

async fn delegate(running: &Running) -> (u16, reqwest::header::HeaderMap, Value) {
    let token = running.alice_id_token().await;
    let body = json!({ "client_id": "demo-spa", "grant_type": JWT_BEARER, "id_token": token, "api_type": "app" });
    running.post_json("/delegation", body).await
}

fn with_faults(running: &Running, change: impl FnOnce(&mut Faults)) {
    let mut faults = running.handle.state.faults();
    change(&mut faults);
    running.handle.state.set_faults(faults);
}

#[tokio::test]
async fn added_latency_delays_the_answer_by_at_least_the_setting_and_is_logged() {
    let running = start_demo().await;
    with_faults(&running, |f| f.discovery.latency_ms = 300);
    let started = Instant::now();
    let doc = running.get("/.well-known/openid-configuration").await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert!(doc["issuer"].is_string(), "the answer itself is unchanged: {doc}");
    let line = running.records.lock().unwrap().last().unwrap().line();
    assert!(line.ends_with("200 fault: latency 300 ms"), "{line}");
}

#[tokio::test]
async fn a_forced_429_at_delegation_says_when_to_retry_in_auth0_shape() {
    let running = start_demo().await;
    let token = running.alice_id_token().await;
    with_faults(&running, |f| {
        f.delegation = Fault {
            retry_after: 9,
            ..fault(Failure::TooManyRequests)
        };
    });
    let body = json!({ "client_id": "demo-spa", "grant_type": JWT_BEARER, "id_token": token, "api_type": "app" });
    let (status, headers, body) = running.post_json("/delegation", body).await;
    assert_eq!((status, body["error"].as_str()), (429, Some("too_many_requests")));
    assert!(body["error_description"].is_string());
    assert_eq!(headers["retry-after"], "9");
    assert!(
        running.handle.state.buckets().is_empty(),
        "a forced answer takes no token"
    );
}

#[tokio::test]
async fn forced_500_and_503_answer_with_auth0_shaped_bodies() {
    let running = start_demo().await;
    with_faults(&running, |f| {
        f.token = fault(Failure::ServerError);
        f.discovery = fault(Failure::Unavailable);
    });
    let (status, _, body) = running
        .post_json("/oauth/token", json!({"grant_type": "client_credentials"}))
        .await;
    assert_eq!((status, body["error"].as_str()), (500, Some("server_error")));
    let response = running
        .http
        .get(running.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    let (status, _, body) = read(response).await;
    assert_eq!((status, body["error"].as_str()), (503, Some("temporarily_unavailable")));
    let lines: Vec<String> = running.records.lock().unwrap().iter().map(|r| r.line()).collect();
    assert!(lines[0].ends_with("fault: 500 server error"), "{lines:?}");
    assert!(lines[1].ends_with("fault: 503 unavailable"), "{lines:?}");
}

#[tokio::test]
async fn a_malformed_body_is_a_200_whose_json_is_cut_short() {
    let running = start_demo().await;
    let token = running.alice_id_token().await;
    with_faults(&running, |f| f.delegation = fault(Failure::MalformedBody));
    let body = json!({ "client_id": "demo-spa", "grant_type": JWT_BEARER, "id_token": token, "api_type": "app" });
    let response = running
        .http
        .post(running.url("/delegation"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.unwrap();
    assert!(
        text.starts_with('{') && serde_json::from_str::<Value>(&text).is_err(),
        "{text}"
    );
}

#[tokio::test]
async fn a_dropped_connection_gives_the_client_a_connection_error_and_no_answer() {
    let running = start_demo().await;
    with_faults(&running, |f| f.token = fault(Failure::DropConnection));
    let result = running
        .http
        .post(running.url("/oauth/token"))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await;
    let error = result.expect_err("no answer");
    assert!(!error.is_timeout() && error.status().is_none(), "{error:?}");
    let line = running.records.lock().unwrap().last().unwrap().line();
    assert_eq!(line, "POST /oauth/token no answer fault: dropped connection");
    // The issuer itself keeps serving.
    with_faults(&running, |f| f.token = Fault::default());
    let (status, _, _) = running
        .post_json("/oauth/token", json!({"grant_type": "client_credentials"}))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn live_buckets_name_ip_and_user_with_tokens_left_and_reset_refills_them() {
    let running = start_demo().await;
    for _ in 0..3 {
        let (status, _, body) = delegate(&running).await;
        assert_eq!(status, 200, "{body}");
    }
    let buckets = running.handle.state.buckets();
    assert_eq!(buckets.len(), 1, "{buckets:?}");
    let bucket = &buckets[0];
    let key = BucketKey {
        limiter: Limiter::Delegation,
        ip: "127.0.0.1".to_owned(),
        user: Some("auth0|alice".to_owned()),
    };
    assert_eq!(bucket.key, key);
    assert_eq!(
        (bucket.tokens, bucket.capacity, bucket.next_refill),
        (7, 10, Some(NOW + 6))
    );
    assert!(running.handle.state.reset_bucket(&key));
    assert!(running.handle.state.buckets().is_empty());
    let (_, headers, _) = delegate(&running).await;
    assert_eq!(headers["x-ratelimit-remaining"], "9", "the bucket starts full again");
    assert_eq!(running.handle.state.reset_buckets(), 1);
}

// --- `tokenbench serve --clock simulated` as a real process.

const SPA_SECRET: &str = "a-spa-secret-for-the-admin-test-0123456789";

/// `tokenbench serve` with demo-spa's secret from the environment, and its admin token when the clock is
/// simulated.
struct Serving {
    url: String,
    admin_token: Option<String>,
    served: Served,
    _dir: tempfile::TempDir,
}

fn serve(extra: &[&str]) -> Serving {
    let dir = tempfile::tempdir().unwrap();
    let path = tenant_file(dir.path(), |tenant| {
        process::spa(tenant)["client_secret"] = json!({ "env": "SPA_SECRET" });
    });
    let mut served = process::serve(|command| {
        command
            .arg("--tenant")
            .arg(&path)
            .args(extra)
            .env("SPA_SECRET", SPA_SECRET)
            .stderr(Stdio::piped());
    });
    let admin_token = extra.contains(&"simulated").then(|| admin_token(&mut served.child));
    Serving {
        url: served.url.clone(),
        admin_token,
        served,
        _dir: dir,
    }
}

fn admin_token(child: &mut Child) -> String {
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "no admin token line on stderr"
        );
        if let Some(token) = line.trim().strip_prefix("tokenbench admin token: ") {
            let token = token.to_owned();
            // Keep draining stderr so request lines never block the server.
            std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
            return token;
        }
    }
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn delegation_status(served: &Serving, token: &str) -> u16 {
    let body = json!({ "client_id": "demo-spa", "grant_type": JWT_BEARER, "id_token": token, "api_type": "app" });
    let response = client()
        .post(format!("{}/delegation", served.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

async fn admin(served: &Serving, path: &str, token: &str, body: Value) -> (u16, Value) {
    let response = client()
        .post(format!("{}{path}", served.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, _, body) = read(response).await;
    (status, body)
}

fn alice_token(served: &Serving) -> String {
    let now = jiff::Timestamp::now().as_second();
    let claims = json!({
        "iss": format!("{}/", served.url), "sub": "auth0|alice", "aud": "demo-spa",
        "iat": now - 10, "exp": now + 600,
    });
    common::hmac_token(Algorithm::HS256, SPA_SECRET.as_bytes(), &claims)
}

#[test]
fn serve_with_a_simulated_clock_refills_the_bucket_when_the_admin_route_advances_six_seconds() {
    let served = serve(&["--clock", "simulated"]);
    let token = alice_token(&served);
    let admin_token = served.admin_token.clone().unwrap();
    block_on(async {
        for _ in 0..10 {
            assert_eq!(delegation_status(&served, &token).await, 200);
        }
        assert_eq!(delegation_status(&served, &token).await, 429);
        let (status, body) = admin(&served, "/admin/clock", &admin_token, json!({"advance": 6})).await;
        assert_eq!(status, 200, "{body}");
        let now = body["now"].as_i64().unwrap();
        assert_eq!(delegation_status(&served, &token).await, 200);
        assert_eq!(delegation_status(&served, &token).await, 429);
        let (_, body) = admin(&served, "/admin/clock", &admin_token, json!({"set": now + 100})).await;
        assert_eq!(body["now"], now + 100, "a simulated clock stays where it is set");
        let (status, body) = admin(&served, "/admin/buckets/reset", &admin_token, json!({})).await;
        assert_eq!((status, body["reset"].as_u64()), (200, Some(1)));
    });
}

#[test]
fn admin_routes_refuse_a_wrong_token_with_401_and_bad_bodies_with_400() {
    let served = serve(&["--clock", "simulated"]);
    block_on(async {
        let (status, body) = admin(&served, "/admin/clock", "wrong", json!({"advance": 6})).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_token")));
        let (status, _) = admin(&served, "/admin/buckets/reset", "wrong", json!({})).await;
        assert_eq!(status, 401);
        let token = served.admin_token.clone().unwrap();
        let (status, body) = admin(&served, "/admin/clock", &token, json!({"advance": 6, "set": 1})).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")));
    });
}

#[test]
fn without_a_simulated_clock_the_admin_routes_are_404_and_no_admin_token_is_printed() {
    let mut served = serve(&[]);
    block_on(async {
        let (status, body) = admin(&served, "/admin/clock", "anything", json!({"advance": 6})).await;
        assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
        let (status, _) = admin(&served, "/admin/buckets/reset", "anything", json!({})).await;
        assert_eq!(status, 404);
    });
    let stderr = served.served.child.stderr.take().unwrap();
    let _ = served.served.child.kill();
    let text = std::io::read_to_string(stderr).unwrap();
    assert!(!text.contains("admin token"), "{text}");
}
