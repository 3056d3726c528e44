//! The HTTP service against a real loopback server: any status comes back with its body, failures are typed
//! (timeout, connection, too large), key fetches follow only same-origin redirects, and discovery refuses an
//! untrusted `jwks_uri`; a self-signed server is refused unless the request turned certificate checks off.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use std::net::SocketAddr;
use std::time::Duration;
use tokenbench::core::http::{HttpError, HttpRequest};
use tokenbench::services::http::{self, FetchError};

const JWKS: &str = r#"{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]}"#;

/// Starts a server on 127.0.0.1 and returns its address; `localhost:PORT` is the same server on another origin.
async fn server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let other_origin = format!("http://localhost:{}/jwks.json", addr.port());
    let app = axum::Router::new()
        .route("/jwks.json", get(|| async { JWKS }))
        .route("/moved", get(|| async { Redirect::temporary("/jwks.json") }))
        .route(
            "/elsewhere",
            get(move || async move { Redirect::temporary(&other_origin) }),
        )
        .route(
            "/denied",
            get(|| async { (StatusCode::UNAUTHORIZED, r#"{"error":"access_denied"}"#).into_response() }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        )
        .route("/big", get(|| async { "x".repeat(2 * 1024 * 1024) }))
        .route(
            "/.well-known/openid-configuration",
            get(|| async { r#"{"jwks_uri":"http://evil.example/jwks.json"}"# }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}

fn client() -> reqwest::Client {
    http::client().expect("the client starts")
}

#[tokio::test]
async fn an_error_status_comes_back_with_its_body_and_headers() {
    let addr = server().await;
    let request = HttpRequest::get_document(&format!("http://{addr}/denied"));
    let answer = http::send(&client(), &request).await.expect("an answer");
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, br#"{"error":"access_denied"}"#);
    assert!(answer.header("content-type").is_some());
    assert_eq!(answer.final_url, format!("http://{addr}/denied"));
}

#[tokio::test]
async fn a_slow_server_times_out_and_a_closed_port_does_not_connect() {
    let addr = server().await;
    let mut request = HttpRequest::get_document(&format!("http://{addr}/slow"));
    request.timeout = Duration::from_millis(300);
    let error = http::send(&client(), &request).await.unwrap_err();
    assert!(matches!(error, HttpError::Timeout { .. }), "{error:?}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address");
    let request = HttpRequest::get_document(&format!("http://{closed}/x"));
    let error = http::send(&client(), &request).await.unwrap_err();
    assert!(matches!(error, HttpError::Connect { .. }), "{error:?}");
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let addr = server().await;
    let request = HttpRequest::get_document(&format!("http://{addr}/big"));
    let error = http::send(&client(), &request).await.unwrap_err();
    assert!(matches!(error, HttpError::TooLarge { .. }), "{error:?}");
}

#[tokio::test]
async fn a_same_origin_redirect_is_followed_and_the_final_address_named() {
    let addr = server().await;
    let fetched = http::fetch_jwks(&client(), &format!("http://{addr}/moved"))
        .await
        .expect("keys");
    assert_eq!(fetched.final_url, format!("http://{addr}/jwks.json"));
    assert!(fetched.jwks.contains("\"kid\":\"k\""));
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused() {
    let addr = server().await;
    let error = http::fetch_jwks(&client(), &format!("http://{addr}/elsewhere"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Http(HttpError::Redirect(message)) if message.contains("another origin")),
        "{error:?}"
    );
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_anything_is_sent() {
    let error = http::fetch_jwks(&client(), "http://example.com/jwks.json")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("plain http"), "{error}");
}

#[tokio::test]
async fn discovery_refuses_a_jwks_uri_that_is_not_trusted() {
    let addr = server().await;
    let error = http::discover_jwks(&client(), &format!("http://{addr}/"))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not trusted"), "{error}");
}

#[tokio::test]
async fn a_self_signed_server_fails_tls_while_verifying_and_answers_once_verification_is_off() {
    let addr = common::tls::self_signed_server(r#"{"ok":true}"#);
    let clients = http::Clients::default();
    let mut request = HttpRequest::get_document(&format!("https://{addr}/delegation"));
    let error = http::send(clients.for_request(&request).unwrap(), &request)
        .await
        .unwrap_err();
    assert!(matches!(error, HttpError::Tls { .. }), "{error:?}");

    request.verify_tls = false;
    let answer = http::send(clients.for_request(&request).unwrap(), &request)
        .await
        .expect("an answer");
    assert_eq!(
        (answer.status, answer.body.as_slice()),
        (200, br#"{"ok":true}"#.as_slice())
    );

    // The verifying client is untouched by the other: the next verified request fails again.
    request.verify_tls = true;
    let error = http::send(clients.for_request(&request).unwrap(), &request)
        .await
        .unwrap_err();
    assert!(matches!(error, HttpError::Tls { .. }), "{error:?}");
}
