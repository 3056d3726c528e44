//! `/delegation` through a real loopback listener: every api_type, the input checks, and the rate limit.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod issuer;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use issuer::*;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::json;
use std::sync::Arc;
use tokenbench::core::issuer::SigningKey;
use tokenbench::core::issuer::mint::{azure_blob_string_to_sign, azure_sb_resource, url_encode};
use tokenbench::core::secret::SecretString;
use tokenbench::core::tenant::parse;
use tokenbench::services::secrets::{MemoryStore, SecretStore};

fn hmac_b64(key: &[u8], message: &str) -> String {
    use aws_lc_rs::hmac;
    STANDARD.encode(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message.as_bytes()).as_ref())
}

async fn delegate(running: &Running, extra: serde_json::Value) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let token = running.alice_id_token().await;
    let mut body = json!({ "client_id": "demo-spa", "grant_type": JWT_BEARER, "id_token": token });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    running.post_json("/delegation", body).await
}

#[tokio::test]
async fn app_delegation_is_signed_with_the_target_secret_and_carries_scoped_claims() {
    let running = start_demo().await;
    let (status, headers, body) = delegate(&running, json!({"api_type":"app","scope":"openid email"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 36000);
    let secret = running.secret("client_secret/demo/demo-spa");
    let claims = verify(
        body["id_token"].as_str().unwrap(),
        &DecodingKey::from_secret(secret.expose().as_bytes()),
        Algorithm::HS256,
    );
    assert_eq!(claims["iss"], format!("{}/", running.handle.base_url()));
    assert_eq!(
        (claims["sub"].as_str(), claims["aud"].as_str()),
        (Some("auth0|alice"), Some("demo-spa"))
    );
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 36000);
    assert_eq!(claims["email"], "alice@demo.local");
    assert!(claims.get("name").is_none());
    assert_eq!(headers["x-ratelimit-limit"], "10");
    assert_eq!(headers["x-ratelimit-remaining"], "9");
}

#[tokio::test]
async fn secret_encoded_targets_sign_with_the_decoded_secret_and_form_bodies_work() {
    let store = Arc::new(MemoryStore::default());
    let raw = [7u8; 32];
    store.set("legacy", &SecretString::new(STANDARD.encode(raw))).unwrap();
    let mut tenant = demo();
    let text = r#"{"client_id":"legacy-target","client_secret":{"keyring":"legacy"},
        "jwt_configuration":{"alg":"HS256","secret_encoded":true,"lifetime_in_seconds":600}}"#;
    tenant.clients.push(serde_json::from_str(text).unwrap());
    let running = start_tenant(tenant, store).await;
    let token = running.alice_id_token().await;
    let (status, _, body) = running
        .post_form(
            "/delegation",
            &[
                ("client_id", "demo-spa"),
                ("grant_type", JWT_BEARER),
                ("id_token", &token),
                ("target", "legacy-target"),
                ("api_type", "app"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 600);
    let claims = verify(
        body["id_token"].as_str().unwrap(),
        &DecodingKey::from_secret(&raw),
        Algorithm::HS256,
    );
    assert_eq!(claims["aud"], "legacy-target");
}

#[tokio::test]
async fn firebase_v3_tokens_verify_with_the_service_account_key() {
    let running = start_demo().await;
    let (status, _, body) = delegate(&running, json!({"target":"demo-firebase"})).await;
    assert_eq!(status, 200, "{body}");
    let pem = running.secret("addon_key/firebase/demo/demo-firebase/private_key");
    let jwk = SigningKey::from_pem(&pem, "test").unwrap().jwk();
    let key = DecodingKey::from_jwk(&serde_json::from_value(jwk).unwrap()).unwrap();
    let token = body["id_token"].as_str().unwrap();
    assert_eq!(
        jsonwebtoken::decode_header(token).unwrap().kid.as_deref(),
        Some("demo-firebase-key-1")
    );
    let claims = verify(token, &key, Algorithm::RS256);
    assert_eq!(claims["uid"], "auth0|alice");
    assert_eq!(claims["iss"], "firebase-adminsdk@demo-project.iam.gserviceaccount.com");
    assert_eq!(claims["aud"], tokenbench::core::issuer::mint::FIREBASE_AUDIENCE);
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 3600);
}

#[tokio::test]
async fn azure_blob_sas_signature_matches_an_independent_computation() {
    let running = start_demo().await;
    let (status, _, body) = delegate(&running, json!({"target":"demo-azure-blob","scope":"openid"})).await;
    assert_eq!(status, 200, "{body}");
    let sas = body["azure_blob_sas"].as_str().unwrap();
    let fields: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(sas.as_bytes()).into_owned().collect();
    assert_eq!(fields["st"], "2025-06-15T15:06:40Z");
    assert_eq!(fields["se"], "2025-06-15T15:11:40Z");
    assert_eq!(
        (fields["sp"].as_str(), fields["sr"].as_str(), fields["sv"].as_str()),
        ("r", "b", "2014-02-14")
    );
    assert!(sas.starts_with("st=2025-06-15T15%3A06%3A40Z&se="));
    let key = STANDARD
        .decode(
            running
                .secret("addon_key/azure_blob/demo/demo-azure-blob/storageAccessKey")
                .expose(),
        )
        .unwrap();
    let to_sign =
        "r\n2025-06-15T15:06:40Z\n2025-06-15T15:11:40Z\n/demostorage/photos/alice.png\n\n2014-02-14\n\n\n\n\n";
    assert_eq!(
        azure_blob_string_to_sign("r", &fields["st"], &fields["se"], "/demostorage/photos/alice.png", ""),
        to_sign
    );
    assert_eq!(fields["sig"], hmac_b64(&key, to_sign));
}

#[tokio::test]
async fn azure_sb_sas_signature_matches_an_independent_computation() {
    let running = start_demo().await;
    let (status, _, body) = delegate(&running, json!({"target":"demo-azure-sb","api_type":"azure_sb"})).await;
    assert_eq!(status, 200, "{body}");
    let sas = body["azure_sb_sas"].as_str().unwrap();
    let resource = url_encode(&azure_sb_resource("demo-bus", "orders"));
    assert_eq!(resource, "http%3A%2F%2Fdemo-bus.servicebus.windows.net%2Forders");
    let expiry = NOW + 300;
    let key = running.secret("addon_key/azure_sb/demo/demo-azure-sb/sasKey");
    let sig = url_encode(&hmac_b64(key.expose().as_bytes(), &format!("{resource}\n{expiry}")));
    assert_eq!(
        sas,
        format!("SharedAccessSignature sig={sig}&se={expiry}&skn=RootManageSharedAccessKey&sr={resource}")
    );
}

#[tokio::test]
async fn aws_credentials_are_clearly_simulated() {
    let running = start_demo().await;
    let (status, _, body) = delegate(&running, json!({"target":"demo-aws"})).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["Credentials"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIASIMULATED")
    );
    assert_eq!(
        body["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::123456789012:assumed-role/demo-reader/auth0|alice"
    );
    assert_eq!(body["SubjectType"], "persistent");
}

#[tokio::test]
async fn unsimulated_api_types_are_refused_with_a_400_that_says_so() {
    let running = start_demo().await;
    for api_type in ["salesforce_api", "sap_api", "wams", "layer"] {
        let (status, _, body) = delegate(&running, json!({ "api_type": api_type })).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("does not simulate"),
            "{body}"
        );
    }
    let (status, _, body) = delegate(&running, json!({ "api_type": "fierbase" })).await;
    assert_eq!(status, 400);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("Choose from: app, firebase")
    );
}

#[tokio::test]
async fn every_documented_error_has_its_auth0_status_and_code() {
    let running = start_demo().await;
    let token = running.alice_id_token().await;
    let cases = [
        (
            json!({"client_id":"demo-spa","grant_type":"password","id_token":token}),
            400,
            "unsupported_grant_type",
        ),
        (json!({"client_id":"demo-spa","id_token":token}), 400, "invalid_request"),
        (
            json!({"client_id":"ghost","grant_type":JWT_BEARER,"id_token":token}),
            403,
            "unauthorized_client",
        ),
        (
            json!({"client_id":"demo-m2m","grant_type":JWT_BEARER,"id_token":token}),
            403,
            "unauthorized_client",
        ),
        (
            json!({"client_id":"demo-spa","grant_type":JWT_BEARER}),
            400,
            "invalid_request",
        ),
        (
            json!({"client_id":"demo-spa","grant_type":JWT_BEARER,"id_token":token,"refresh_token":"x"}),
            400,
            "invalid_request",
        ),
        (
            json!({"client_id":"demo-spa","grant_type":JWT_BEARER,"id_token":format!("{token}x")}),
            400,
            "invalid_grant",
        ),
        (
            json!({"client_id":"demo-spa","grant_type":JWT_BEARER,"id_token":token,"target":"ghost"}),
            403,
            "unauthorized_client",
        ),
    ];
    for (body, status, error) in cases {
        let (got, _, answer) = running.post_json("/delegation", body.clone()).await;
        assert_eq!(
            (got, answer["error"].as_str()),
            (status, Some(error)),
            "{body} → {answer}"
        );
    }
}

#[tokio::test]
async fn expired_and_alg_none_tokens_are_invalid_grant_and_the_status_is_a_setting() {
    let mut tenant = demo();
    tenant.settings.invalid_id_token_status = 401;
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let token = running.alice_id_token().await;
    running.clock.advance(36_000 + 61);
    let (status, _, body) = running
        .post_json(
            "/delegation",
            json!({"client_id":"demo-spa","grant_type":JWT_BEARER,"id_token":token}),
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_grant")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("exp"), "{body}");
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none"}"#),
        b64(r#"{"sub":"auth0|alice","aud":"demo-spa"}"#)
    );
    let (status, _, _) = running
        .post_json(
            "/delegation",
            json!({"client_id":"demo-spa","grant_type":JWT_BEARER,"id_token":none}),
        )
        .await;
    assert_eq!(status, 401);
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn allowed_clients_and_the_endpoint_switch_are_enforced() {
    let mut tenant = demo();
    if let Some(target) = tenant.clients.iter_mut().find(|c| c.client_id == "demo-aws") {
        target.allowed_clients = vec!["demo-firebase".to_owned()];
    }
    let running = start_tenant(tenant.clone(), Arc::new(MemoryStore::default())).await;
    let (status, _, body) = delegate(&running, json!({"target":"demo-aws"})).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("access_denied")));
    tenant.settings.delegation_enabled = false;
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let (status, _, _) = running.post_json("/delegation", json!({})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_limiter_admits_exactly_capacity_of_200_concurrent_requests_then_one_more_after_six_seconds() {
    let running = Arc::new(start_demo().await);
    let token = running.alice_id_token().await;
    let body = json!({"client_id":"demo-spa","grant_type":JWT_BEARER,"id_token":token});
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (running, body) = (running.clone(), body.clone());
            tokio::spawn(async move { running.post_json("/delegation", body).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        let (status, headers, answer) = task.await.unwrap();
        assert!(headers.contains_key("x-ratelimit-limit") && headers.contains_key("x-ratelimit-reset"));
        match status {
            200 => ok += 1,
            429 => {
                assert_eq!(answer["error"], "too_many_requests");
                assert_eq!(headers["x-ratelimit-remaining"], "0");
                assert_eq!(headers["x-ratelimit-reset"], (NOW + 6).to_string().as_str());
            }
            other => panic!("unexpected {other}: {answer}"),
        }
    }
    assert_eq!(ok, 10);
    running.clock.advance(6);
    assert_eq!(running.post_json("/delegation", body.clone()).await.0, 200);
    assert_eq!(running.post_json("/delegation", body).await.0, 429);
}

#[tokio::test]
async fn a_bad_tenant_reference_names_every_missing_secret() {
    let tenant = parse(r#"{"clients":[{"client_id":"a","client_secret":{"env":"TOKENBENCH_SURELY_UNSET"}}]}"#)
        .unwrap()
        .tenant;
    let store: Arc<MemoryStore> = Arc::new(MemoryStore::default());
    let config = tokenbench::services::issuer::IssuerConfig::new(tenant);
    let clock = tokenbench::services::clock::SimulatedClock::at(NOW);
    let error = tokenbench::services::issuer::start(config, store, clock, tokenbench::services::issuer::no_sink())
        .await
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("TOKENBENCH_SURELY_UNSET is not set"),
        "{error}"
    );
}

#[tokio::test]
async fn a_disabled_limiter_never_answers_429_and_sends_no_limit_headers() {
    let mut tenant = demo();
    tenant.rate_limits.delegation.enabled = false;
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let token = running.alice_id_token().await;
    let body = json!({"client_id":"demo-spa","grant_type":JWT_BEARER,"id_token":token});
    for _ in 0..25 {
        let (status, headers, answer) = running.post_json("/delegation", body.clone()).await;
        assert_eq!(status, 200, "{answer}");
        assert!(!headers.contains_key("x-ratelimit-limit"));
    }
}
