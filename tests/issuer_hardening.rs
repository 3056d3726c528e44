//! The local issuer against hostile clients, over real sockets: a client that sends half a header loses its
//! connection after the header timeout while others are still answered, an idle kept-alive connection is
//! closed the same way, and JSON bodies with a repeated member are refused.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod issuer;
mod process;

use issuer::{NOW, demo, start_demo};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokenbench::services::clock::SimulatedClock;
use tokenbench::services::issuer::{IssuerConfig, no_sink, start};
use tokenbench::services::secrets::MemoryStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start_with_header_timeout(timeout: Duration) -> tokenbench::services::issuer::IssuerHandle {
    let mut config = IssuerConfig::new(demo());
    config.header_timeout = timeout;
    start(
        config,
        Arc::new(MemoryStore::default()),
        SimulatedClock::at(NOW),
        no_sink(),
    )
    .await
    .expect("issuer starts")
}

/// Waits for the server to close `stream`; how long it took, or `None` if it stayed open for `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn a_client_sending_half_a_header_is_dropped_and_others_are_answered() {
    let handle = start_with_header_timeout(Duration::from_secs(1)).await;
    let mut slow = TcpStream::connect(handle.addr).await.unwrap();
    slow.write_all(b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let answer = http
        .get(format!("{}/.well-known/jwks.json", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200, "others are answered meanwhile");
    let closed = closed_within(&mut slow, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "the half-header connection is closed by the header timeout"
    );

    let mut idle = TcpStream::connect(handle.addr).await.unwrap();
    let closed = closed_within(&mut idle, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "a connection that never sends a request is closed too"
    );
}

#[tokio::test]
async fn a_json_body_naming_a_parameter_twice_is_refused() {
    let running = start_demo().await;
    let response = running
        .http
        .post(running.url("/oauth/token"))
        .header("content-type", "application/json")
        .body(r#"{"grant_type":"password","client_id":"demo-m2m","client_id":"demo-spa"}"#)
        .send()
        .await
        .unwrap();
    let (status, _, body) = issuer::read(response).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], json!("invalid_request"));
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("client_id was given more than once")
    );
}

#[tokio::test]
async fn a_public_url_is_the_issuer_and_its_host_is_accepted() {
    let served = process::serve(|command| {
        command.args(["--public-url", "http://issuer.test:8080"]);
    });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let ask = |host: &'static str| {
        http.get(format!("{}/.well-known/openid-configuration", served.url))
            .header("host", host)
            .send()
    };
    let (status, _, body) = issuer::read(ask("issuer.test:8080").await.unwrap()).await;
    assert_eq!(
        (status, body["issuer"].as_str()),
        (200, Some("http://issuer.test:8080/")),
        "{body}"
    );
    assert_eq!(ask("evil.test:8080").await.unwrap().status().as_u16(), 421);
    assert_eq!(
        ask("127.0.0.1").await.unwrap().status().as_u16(),
        200,
        "loopback names still pass"
    );
    let refused = process::tokenbench()
        .args(["serve", "--port", "0", "--public-url", "https://issuer.example/path"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(process::text(&refused.stderr).contains("only the scheme, host and port"));
}

#[tokio::test]
async fn each_endpoint_answers_another_method_with_405_and_unknown_paths_with_404() {
    let running = start_demo().await;
    for (method, path, status, error) in [
        (reqwest::Method::PUT, "/delegation", 405, "method_not_allowed"),
        (reqwest::Method::GET, "/oauth/token", 405, "method_not_allowed"),
        (
            reqwest::Method::POST,
            "/.well-known/jwks.json",
            405,
            "method_not_allowed",
        ),
        (reqwest::Method::DELETE, "/userinfo", 405, "method_not_allowed"),
        (reqwest::Method::GET, "/oauth/revoke", 405, "method_not_allowed"),
        (reqwest::Method::GET, "/nope", 404, "not_found"),
    ] {
        let response = running
            .http
            .request(method.clone(), running.url(path))
            .send()
            .await
            .unwrap();
        let (got, _, body) = issuer::read(response).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(error)),
            "{method} {path}: {body}"
        );
    }
    let logged = running
        .records
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.status == 405)
        .count();
    assert_eq!(logged, 5, "every refusal is in the request log");
}
