//! `tokenbench mint` as a real process: `mint jwt` with an HMAC secret from the environment, an Apple code
//! accepted by an in-process issuer that shares the tenant's `{"env": …}` secret, an ID token verified with
//! the tenant key, and wrong arguments answered with exit status 2 and advice.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;
use tokenbench::core::issuer::{Issuer, SigningKey};
use tokenbench::core::secret::KeyKind;
use tokenbench::core::tenant::check::secret_slots;
use tokenbench::core::tenant::{DEMO_TENANT, parse};
use tokenbench::services::clock::SystemClock;
use tokenbench::services::issuer::resolve::{fresh, resolve_slots};
use tokenbench::services::issuer::{IssuerState, no_sink, router};
use tokenbench::services::keygen::generate;
use tokenbench::services::secrets::MemoryStore;
use tower::ServiceExt;

const ARTIFACT_VAR: &str = "TOKENBENCH_TEST_ARTIFACT_KEY";
const SIGNING_VAR: &str = "TOKENBENCH_TEST_SIGNING_KEY";

fn tokenbench(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tokenbench"));
    command
        .args(args)
        // No keyring for the child: every secret these tests need comes from the environment.
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env_remove("RUST_LOG");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the binary runs")
}

fn stdout_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    text.trim_end().to_owned()
}

/// The demo tenant with its artifact key and signing key taken from the environment.
fn env_tenant(dir: &tempfile::TempDir) -> PathBuf {
    let mut tenant: Value = serde_json::from_str(DEMO_TENANT).unwrap();
    tenant["social_artifact_key"] = json!({ "env": ARTIFACT_VAR });
    tenant["signing_key"] = json!({ "env": SIGNING_VAR });
    let path = dir.path().join("tenant.json");
    std::fs::write(&path, tenant.to_string()).unwrap();
    path
}

#[test]
fn mint_jwt_signs_with_an_hmac_secret_from_the_environment() {
    let claims = r#"{"sub":"alice","scope":"read:messages"}"#;
    let output = tokenbench(
        &[
            "mint",
            "jwt",
            "--alg",
            "HS256",
            "--secret-env",
            "MINT_SECRET",
            "--claims",
            claims,
            "--kid",
            "k1",
        ],
        &[("MINT_SECRET", "a-test-secret")],
    );
    let token = stdout_line(&output);
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_secret(b"a-test-secret"), &validation).unwrap();
    assert_eq!(data.claims, serde_json::from_str::<Value>(claims).unwrap());
    assert_eq!(data.header.kid.as_deref(), Some("k1"));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("a-test-secret"));
}

async fn exchange_in_process(tenant_file: &PathBuf, env: &[(&str, &str)], code: &str) -> (u16, Value) {
    let tenant = parse(&std::fs::read_to_string(tenant_file).unwrap()).unwrap().tenant;
    let lookup = |var: &str| env.iter().find(|(n, _)| *n == var).map(|(_, v)| (*v).to_owned());
    let resolved = resolve_slots(secret_slots(&tenant), &MemoryStore::default(), &lookup).unwrap();
    let next = SigningKey::from_pem(&fresh(tokenbench::core::tenant::SecretShape::RsaKey).unwrap(), "next").unwrap();
    let issuer = Issuer::new(tenant, resolved.secrets, next).unwrap();
    let state = IssuerState::new(
        issuer,
        Arc::new(SystemClock),
        no_sink(),
        "http://127.0.0.1:4000",
        std::time::Duration::from_secs(5),
    );
    let body = json!({
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "client_id": "demo-native",
        "subject_token": code, "subject_token_type": "http://auth0.com/oauth/token-type/apple-authz-code",
    });
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/oauth/token")
        .header("host", "127.0.0.1:4000")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let response = router(state).oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn an_apple_code_from_the_cli_is_accepted_by_an_issuer_sharing_the_env_secret() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = env_tenant(&dir);
    let signing = generate(KeyKind::Rsa2048).unwrap();
    let env = [(ARTIFACT_VAR, "shared-artifact-key"), (SIGNING_VAR, signing.expose())];
    let args = [
        "mint",
        "apple-code",
        "--sub",
        "001.cli.1",
        "--tenant",
        tenant.to_str().unwrap(),
    ];
    let code = stdout_line(&tokenbench(&args, &env));
    let (status, body) = exchange_in_process(&tenant, &env, &code).await;
    assert_eq!(status, 200, "{body}");
    let payload = body["id_token"].as_str().unwrap().split('.').nth(1).unwrap();
    let id: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(id["sub"], "apple|001.cli.1");
    let other = [(ARTIFACT_VAR, "another-key"), (SIGNING_VAR, signing.expose())];
    let (status, body) = exchange_in_process(&tenant, &other, &code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
}

#[test]
fn mint_id_token_signs_with_the_tenant_key_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = env_tenant(&dir);
    let signing = generate(KeyKind::Rsa2048).unwrap();
    let env = [(ARTIFACT_VAR, "unused"), (SIGNING_VAR, signing.expose())];
    let args = [
        "mint",
        "id-token",
        "--client",
        "demo-native",
        "--user",
        "auth0|alice",
        "--tenant",
        tenant.to_str().unwrap(),
    ];
    let output = tokenbench(&args, &env);
    let token = stdout_line(&output);
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(SigningKey::from_pem(&signing, "k").unwrap().jwk()).unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["demo-native"]);
    validation.set_issuer(&["http://127.0.0.1:4000/"]);
    let claims = jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
        .unwrap()
        .claims;
    assert_eq!(
        (claims["sub"].as_str(), claims["email"].as_str()),
        (Some("auth0|alice"), Some("alice@demo.local"))
    );
}

#[test]
fn wrong_arguments_exit_2_and_say_what_to_do() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["mint", "jwt", "--alg", "HS999", "--secret-env", "S", "--claims", "{}"],
            "Choose from: HS256",
        ),
        (
            &["mint", "jwt", "--alg", "RS256", "--secret-env", "S", "--claims", "{}"],
            "use --key NAME",
        ),
        (
            &["mint", "jwt", "--alg", "HS256", "--secret-env", "S", "--claims", "[1]"],
            "JSON object",
        ),
        (&["mint", "jwt", "--alg", "HS256", "--claims", "{}"], "--secret-env"),
        (
            &["mint", "id-token", "--client", "nobody", "--user", "auth0|alice"],
            "Choose from: demo-spa",
        ),
    ];
    for (args, advice) in cases {
        let output = tokenbench(args, &[("S", "secret")]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(advice), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    let output = tokenbench(
        &[
            "mint",
            "jwt",
            "--alg",
            "HS256",
            "--secret-env",
            "UNSET_VAR_X",
            "--claims",
            "{}",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("UNSET_VAR_X is not set"));
}
