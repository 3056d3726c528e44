//! Native social token exchange through a real loopback listener: each subject token type end to end,
//! single use and expiry of Apple codes, client switches, `user_profile`, and DPoP (binding, nonce, htu).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod issuer;

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use issuer::*;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use std::sync::Arc;
use tokenbench::core::issuer::SigningKey;
use tokenbench::core::issuer::social::{Opaque, Sealed, SubjectType, google_id_token, seal};
use tokenbench::services::secrets::MemoryStore;

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const API: &str = "https://api.demo.local/";
const APPLE_CLIENT: &str = "com.tokenbench.demo.signin";

fn artifact(running: &Running, kind: Opaque, sub: &str, aud: &str, nonce: &str) -> String {
    let key = running.secret("hmac_secret/demo/social_artifacts");
    let sealed = Sealed {
        sub: sub.to_owned(),
        aud: aud.to_owned(),
        exp: NOW + kind.lifetime(),
        nonce: nonce.to_owned(),
        email: (kind == Opaque::AppleCode).then(|| format!("{sub}@privaterelay.appleid.com")),
    };
    seal(key.expose().as_bytes(), kind, &sealed)
}

fn apple_code(running: &Running, sub: &str) -> String {
    artifact(running, Opaque::AppleCode, sub, APPLE_CLIENT, &format!("nonce-{sub}"))
}

fn google_token(running: &Running, sub: &str) -> String {
    let key = SigningKey::from_pem(&running.secret("signing_key/demo/google"), "google").unwrap();
    let client = "tokenbench-demo.apps.googleusercontent.com";
    google_id_token(&key, client, sub, Some("gina@gmail.test"), NOW).unwrap()
}

async fn exchange(running: &Running, token: &str, kind: SubjectType, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut pairs = vec![
        ("grant_type", EXCHANGE),
        ("client_id", "demo-native"),
        ("subject_token", token),
        ("subject_token_type", kind.uri()),
    ];
    pairs.extend_from_slice(extra);
    let (status, _, body) = running.post_form("/oauth/token", &pairs).await;
    (status, body)
}

async fn verified(running: &Running, token: &str) -> Value {
    verify(token, &jwks_key(running, token).await, Algorithm::RS256)
}

#[tokio::test]
async fn an_apple_code_gives_id_access_and_refresh_tokens_for_the_apple_user() {
    let running = start_demo().await;
    let code = apple_code(&running, "001234.apple.0001");
    let profile = r#"{"name":{"firstName":"John","lastName":"Smith"}}"#;
    let (status, body) = exchange(
        &running,
        &code,
        SubjectType::AppleCode,
        &[("audience", API), ("user_profile", profile)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["token_type"].as_str(), body["expires_in"].as_i64()),
        (Some("Bearer"), Some(86_400))
    );
    assert_eq!(body["scope"], "openid profile email offline_access");
    let id = verified(&running, body["id_token"].as_str().unwrap()).await;
    assert_eq!(
        (id["sub"].as_str(), id["aud"].as_str()),
        (Some("apple|001234.apple.0001"), Some("demo-native"))
    );
    assert_eq!(
        (id["name"].as_str(), id["email_verified"].as_bool()),
        (Some("John Smith"), Some(true))
    );
    let access = verified(&running, body["access_token"].as_str().unwrap()).await;
    let userinfo = running.url("/userinfo");
    assert_eq!(access["aud"], json!([API, userinfo]));
    assert_eq!(
        (access["azp"].as_str(), access["sub"].as_str()),
        (Some("demo-native"), id["sub"].as_str())
    );
    assert_eq!(access["scope"], "openid profile email offline_access");
    let refresh = body["refresh_token"]
        .as_str()
        .expect("offline_access gives a refresh token");
    let (status, _, again) = running
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "demo-native"),
                ("refresh_token", refresh),
            ],
        )
        .await;
    assert_eq!(status, 200, "{again}");
}

#[tokio::test]
async fn a_facebook_token_in_json_with_an_object_profile_makes_an_unverified_user_without_refresh_token() {
    let running = start_demo().await;
    let token = artifact(&running, Opaque::FacebookToken, "10001", "1000000000000001", "fb-1");
    let body = json!({
        "grant_type": EXCHANGE, "client_id": "demo-native", "subject_token": token,
        "subject_token_type": SubjectType::FacebookToken.uri(), "scope": "openid email",
        "user_profile": {"email": "fay@facebook.test", "name": "Fay Book"},
    });
    let (status, _, body) = running.post_json("/oauth/token", body).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none(), "{body}");
    let id = verified(&running, body["id_token"].as_str().unwrap()).await;
    assert_eq!(id["sub"], "facebook|10001");
    assert_eq!(
        (id["email"].as_str(), id["email_verified"].as_bool()),
        (Some("fay@facebook.test"), Some(false))
    );
    let access = verified(&running, body["access_token"].as_str().unwrap()).await;
    assert_eq!(access["aud"], running.url("/userinfo"));
    assert_eq!(access["scope"], "openid email");
}

#[tokio::test]
async fn a_google_id_token_maps_to_a_google_oauth2_user() {
    let running = start_demo().await;
    let token = google_token(&running, "1098765");
    let (status, body) = exchange(&running, &token, SubjectType::GoogleIdToken, &[("audience", API)]).await;
    assert_eq!(status, 200, "{body}");
    let id = verified(&running, body["id_token"].as_str().unwrap()).await;
    assert_eq!(
        (id["sub"].as_str(), id["email"].as_str()),
        (Some("google-oauth2|1098765"), Some("gina@gmail.test"))
    );
    assert!(body["refresh_token"].is_string());
    let forged = google_id_token(
        &SigningKey::from_pem(&running.secret("signing_key/demo"), "other").unwrap(),
        "tokenbench-demo.apps.googleusercontent.com",
        "1",
        None,
        NOW,
    )
    .unwrap();
    let (status, body) = exchange(&running, &forged, SubjectType::GoogleIdToken, &[]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
}

#[tokio::test]
async fn a_replayed_apple_code_is_invalid_grant() {
    let running = start_demo().await;
    let code = apple_code(&running, "001.replay.1");
    assert_eq!(exchange(&running, &code, SubjectType::AppleCode, &[]).await.0, 200);
    let (status, body) = exchange(&running, &code, SubjectType::AppleCode, &[]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("already been used"),
        "{body}"
    );
}

#[tokio::test]
async fn an_expired_apple_code_is_invalid_grant() {
    let running = start_demo().await;
    let code = apple_code(&running, "001.late.1");
    running.clock.advance(301);
    let (status, body) = exchange(&running, &code, SubjectType::AppleCode, &[]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert!(
        body["error_description"].as_str().unwrap().contains("expired"),
        "{body}"
    );
}

#[tokio::test]
async fn a_disabled_type_or_grant_is_unauthorized_client() {
    let mut tenant = demo();
    let native = tenant
        .clients
        .iter_mut()
        .find(|c| c.client_id == "demo-native")
        .unwrap();
    native.native_social_login.apple.enabled = false;
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let code = apple_code(&running, "001.off.1");
    let (status, body) = exchange(&running, &code, SubjectType::AppleCode, &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("unauthorized_client")),
        "{body}"
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("native_social_login.apple.enabled")
    );
    let pairs = [
        ("grant_type", EXCHANGE),
        ("client_id", "demo-spa"),
        ("subject_token", code.as_str()),
        ("subject_token_type", SubjectType::AppleCode.uri()),
    ];
    let (status, _, body) = running.post_form("/oauth/token", &pairs).await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error_description"],
        format!("Grant type '{EXCHANGE}' not allowed for the client.")
    );
}

#[tokio::test]
async fn a_user_profile_that_is_not_json_is_invalid_request() {
    let running = start_demo().await;
    let code = apple_code(&running, "001.profile.1");
    let (status, body) = exchange(
        &running,
        &code,
        SubjectType::AppleCode,
        &[("user_profile", "name=John")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    // The code was not spent by the refused request.
    assert_eq!(exchange(&running, &code, SubjectType::AppleCode, &[]).await.0, 200);
}

/// An ES256 key for DPoP proofs, with its public coordinates.
struct DpopKey {
    encoding: jsonwebtoken::EncodingKey,
    x: String,
    y: String,
}

impl DpopKey {
    fn new() -> Self {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        assert_eq!((point.len(), point[0]), (65, 4));
        Self {
            encoding: jsonwebtoken::EncodingKey::from_ec_der(pkcs8.as_ref()),
            x: URL_SAFE_NO_PAD.encode(&point[1..33]),
            y: URL_SAFE_NO_PAD.encode(&point[33..]),
        }
    }

    fn proof(&self, htu: &str, jti: &str, nonce: Option<&str>) -> String {
        let mut claims = json!({ "htm": "POST", "htu": htu, "iat": NOW, "jti": jti });
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        self.sign(&claims)
    }

    /// A proof for a resource request: `htm` GET and `ath`, the hash of the access token it goes with.
    fn resource_proof(&self, htu: &str, jti: &str, access_token: Option<&str>) -> String {
        let mut claims = json!({ "htm": "GET", "htu": htu, "iat": NOW, "jti": jti });
        if let Some(token) = access_token {
            let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(hash.as_ref()));
        }
        self.sign(&claims)
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".to_owned());
        let jwk = json!({ "kty": "EC", "crv": "P-256", "x": self.x, "y": self.y });
        header.jwk = Some(serde_json::from_value(jwk).unwrap());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    /// RFC 7638, computed here by hand: required members in lexicographic order, no whitespace.
    fn thumbprint(&self) -> String {
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#, self.x, self.y);
        let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes());
        URL_SAFE_NO_PAD.encode(hash.as_ref())
    }
}

async fn exchange_with_dpop(running: &Running, code: &str, proof: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let body = json!({
        "grant_type": EXCHANGE, "client_id": "demo-native", "subject_token": code,
        "subject_token_type": SubjectType::AppleCode.uri(), "audience": API,
    });
    let response = running
        .http
        .post(running.url("/oauth/token"))
        .header("DPoP", proof)
        .json(&body)
        .send()
        .await
        .unwrap();
    read(response).await
}

#[tokio::test]
async fn a_dpop_proof_binds_the_access_token_to_its_key() {
    let running = start_demo().await;
    let key = DpopKey::new();
    let code = apple_code(&running, "001.dpop.1");
    let proof = key.proof(&running.url("/oauth/token"), "jti-1", None);
    let (status, _, body) = exchange_with_dpop(&running, &code, &proof).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    let access = verified(&running, body["access_token"].as_str().unwrap()).await;
    assert_eq!(access["cnf"]["jkt"], key.thumbprint());
    let again = apple_code(&running, "001.dpop.2");
    let (status, _, body) = exchange_with_dpop(&running, &again, &proof).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof")),
        "a reused jti: {body}"
    );
}

async fn userinfo(running: &Running, authorization: Option<String>, proof: Option<String>) -> (u16, String, Value) {
    let mut request = running.http.get(running.url("/userinfo"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    if let Some(proof) = proof {
        request = request.header("dpop", proof);
    }
    let (status, headers, body) = read(request.send().await.unwrap()).await;
    let challenge = headers
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge, body)
}

#[tokio::test]
async fn a_bound_token_reaches_userinfo_only_with_a_matching_dpop_proof() {
    let running = start_demo().await;
    let key = DpopKey::new();
    let code = apple_code(&running, "001.userinfo.1");
    let proof = key.proof(&running.url("/oauth/token"), "jti-token", None);
    let (status, _, body) = exchange_with_dpop(&running, &code, &proof).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();
    let url = running.url("/userinfo");

    let (status, challenge, _) = userinfo(&running, Some(format!("Bearer {token}")), None).await;
    assert_eq!(status, 401, "a bound token sent as Bearer");
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    let good = key.resource_proof(&url, "jti-u1", Some(&token));
    let (status, _, body) = userinfo(&running, Some(format!("DPoP {token}")), Some(good.clone())).await;
    assert_eq!((status, body["sub"].as_str().is_some()), (200, true), "{body}");
    let (status, challenge, _) = userinfo(&running, Some(format!("DPoP {token}")), Some(good)).await;
    assert!(
        status == 401 && challenge.contains("invalid_dpop_proof"),
        "a replayed proof: {challenge}"
    );
    let no_ath = key.resource_proof(&url, "jti-u2", None);
    let (status, challenge, _) = userinfo(&running, Some(format!("DPoP {token}")), Some(no_ath)).await;
    assert!(status == 401 && challenge.contains("ath"), "{challenge}");
    let other = DpopKey::new().resource_proof(&url, "jti-u3", Some(&token));
    let (status, challenge, _) = userinfo(&running, Some(format!("DPoP {token}")), Some(other)).await;
    assert!(
        status == 401 && challenge.contains("Invalid DPoP key binding"),
        "{challenge}"
    );
    let (status, challenge, _) = userinfo(&running, Some(format!("DPoP {token}")), None).await;
    assert!(status == 401 && challenge.starts_with("DPoP "), "{challenge}");
}

#[tokio::test]
async fn every_userinfo_401_says_how_to_authenticate() {
    let running = start_demo().await;
    let (status, challenge, _) = userinfo(&running, None, None).await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains("Bearer realm=") && challenge.contains(r#"DPoP algs="ES256""#),
        "{challenge}"
    );
    assert!(
        !challenge.contains("error="),
        "no error code without credentials: {challenge}"
    );
    let (status, challenge, _) = userinfo(&running, Some("Bearer not-a-token".into()), None).await;
    assert!(
        status == 401 && challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    let id_token = running.alice_id_token().await;
    let (status, challenge, _) = userinfo(&running, Some(format!("DPoP {id_token}")), None).await;
    assert_eq!(status, 401);
    assert!(challenge.starts_with("DPoP "), "{challenge}");
}

#[tokio::test]
async fn a_required_dpop_nonce_is_asked_for_then_accepted() {
    let mut tenant = demo();
    tenant.settings.dpop_nonce_required = true;
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let key = DpopKey::new();
    let code = apple_code(&running, "001.nonce.1");
    let url = running.url("/oauth/token");
    let (status, headers, body) = exchange_with_dpop(&running, &code, &key.proof(&url, "n-1", None)).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"})
    );
    let nonce = headers["dpop-nonce"].to_str().unwrap().to_owned();
    let (status, _, body) = exchange_with_dpop(&running, &code, &key.proof(&url, "n-2", Some(&nonce))).await;
    assert_eq!((status, body["token_type"].as_str()), (200, Some("DPoP")), "{body}");
}

#[tokio::test]
async fn a_dpop_proof_for_another_url_is_invalid_dpop_proof() {
    let running = start_demo().await;
    let key = DpopKey::new();
    let code = apple_code(&running, "001.htu.1");
    let proof = key.proof("https://elsewhere.example/oauth/token", "h-1", None);
    let (status, _, body) = exchange_with_dpop(&running, &code, &proof).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_dpop_proof")),
        "{body}"
    );
    assert!(body["error_description"].as_str().unwrap().contains("htu"), "{body}");
}

#[tokio::test]
async fn the_apple_exchange_rate_limit_is_off_by_default_and_answers_429_when_enabled() {
    let running = start_demo().await;
    for i in 0..3 {
        let code = apple_code(&running, &format!("001.free.{i}"));
        let (status, headers, _) = exchange_without_dpop(&running, &code).await;
        assert_eq!(status, 200);
        assert!(headers.get("x-ratelimit-limit").is_none());
    }
    let mut tenant = demo();
    tenant.rate_limits.token_exchange.enabled = true;
    tenant.rate_limits.token_exchange.capacity = 1;
    let running = start_tenant(tenant, Arc::new(MemoryStore::default())).await;
    let (status, headers, _) = exchange_without_dpop(&running, &apple_code(&running, "001.limited.1")).await;
    assert_eq!((status, headers["x-ratelimit-remaining"].to_str().unwrap()), (200, "0"));
    let (status, _, body) = exchange_without_dpop(&running, &apple_code(&running, "001.limited.2")).await;
    assert_eq!((status, body["error"].as_str()), (429, Some("too_many_requests")));
}

async fn exchange_without_dpop(running: &Running, code: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let pairs = [
        ("grant_type", EXCHANGE),
        ("client_id", "demo-native"),
        ("subject_token", code),
        ("subject_token_type", SubjectType::AppleCode.uri()),
    ];
    running.post_form("/oauth/token", &pairs).await
}

#[tokio::test]
async fn subject_tokens_the_issuer_mints_for_the_window_are_accepted_by_its_exchange() {
    let running = start_demo().await;
    for kind in SubjectType::ALL {
        let token = running.handle.state.mint_subject_token(kind).unwrap();
        let (status, body) = exchange(&running, &token, kind, &[]).await;
        assert_eq!(status, 200, "{kind:?}: {body}");
        let id = verified(&running, body["id_token"].as_str().unwrap()).await;
        let sub = tokenbench::core::issuer::artifacts::demo_subject(kind);
        assert_eq!(id["sub"], format!("{}|{sub}", kind.connection()), "{kind:?}");
        let (again, _) = exchange(&running, &token, kind, &[]).await;
        let single_use = kind != SubjectType::GoogleIdToken;
        assert_eq!(again == 400, single_use, "{kind:?} answered {again} the second time");
    }
}
