//! `tokenbench exchange` succeeding, as real processes end to end: `tokenbench serve` runs the demo tenant with
//! its social artifact key taken from the environment, `tokenbench mint apple-code` seals a code with the same
//! key, and the exchange turns it into tokens once; the same code a second time is refused (single use).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use process::{Served, claims, serve, tenant_file, text};
use serde_json::{Value, json};
use std::process::{Command, Output};

mod process;

const ARTIFACT_VAR: &str = "TOKENBENCH_TEST_ARTIFACT_KEY";
const ARTIFACT_KEY: &str = "cli-exchange-artifact-key-0123456789";

/// `tokenbench serve` with the test tenant.
struct Issuer {
    url: String,
    tenant: std::path::PathBuf,
    _served: Served,
    _dir: tempfile::TempDir,
}

/// The demo tenant with the artifact key from the environment and the Apple exchange rate limit on, so the
/// answer carries `X-RateLimit-*` headers.
fn tenant(dir: &tempfile::TempDir, dpop_nonce_required: bool) -> std::path::PathBuf {
    tenant_file(dir.path(), |tenant| {
        tenant["social_artifact_key"] = json!({ "env": ARTIFACT_VAR });
        tenant["settings"]["dpop_nonce_required"] = dpop_nonce_required.into();
        tenant["rate_limits"]["token_exchange"]["enabled"] = true.into();
    })
}

/// The binary without proxies, without a keyring (generated secrets stay in memory) and with the artifact
/// key in its environment.
fn tokenbench() -> Command {
    let mut command = process::tokenbench();
    command
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .env(ARTIFACT_VAR, ARTIFACT_KEY);
    command
}

fn start_issuer() -> Issuer {
    start_issuer_with(false)
}

fn start_issuer_with(dpop_nonce_required: bool) -> Issuer {
    let dir = tempfile::tempdir().unwrap();
    let tenant = tenant(&dir, dpop_nonce_required);
    let served = serve(|command| {
        command.arg("--tenant").arg(&tenant).env(ARTIFACT_VAR, ARTIFACT_KEY);
    });
    Issuer {
        url: served.url.clone(),
        tenant,
        _served: served,
        _dir: dir,
    }
}

/// A fresh Apple code from `tokenbench mint apple-code` for the issuer's tenant.
fn apple_code(issuer: &Issuer, sub: &str) -> String {
    let output = tokenbench()
        .args(["mint", "apple-code", "--sub", sub, "--tenant"])
        .arg(&issuer.tenant)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    text(&output.stdout).trim().to_owned()
}

fn exchange(issuer: &Issuer, code: &str) -> Output {
    exchange_with(issuer, code, &[])
}

fn exchange_with(issuer: &Issuer, code: &str, extra: &[&str]) -> Output {
    tokenbench()
        .args(["exchange", "--env", &issuer.url, "--client-id", "demo-native"])
        .args(["--subject-token", code, "--subject-token-type", "apple"])
        .args(["--audience", "https://api.demo.local/", "--json"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_minted_apple_code_is_exchanged_once_and_refused_the_second_time() {
    let issuer = start_issuer();
    let code = apple_code(&issuer, "001.cli.exchange");
    let output = exchange(&issuer, &code);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 1, "--json prints one object: {stdout}");
    let envelope: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(envelope["status"], 200);
    let body = &envelope["body"];
    assert_eq!(body["token_type"], "Bearer");
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], "demo-native");
    assert_eq!(id["sub"], "apple|001.cli.exchange");
    assert_eq!(id["iss"], format!("{}/", issuer.url));
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["sub"], "apple|001.cli.exchange");
    assert_eq!(access["gty"], "token-exchange");
    assert!(
        access["aud"].to_string().contains("https://api.demo.local/"),
        "{access}"
    );
    assert!(stderr.starts_with("HTTP 200 OK in "), "{stderr}");
    assert!(
        stderr.contains("x-ratelimit-limit: 50\nx-ratelimit-remaining: 49\nx-ratelimit-reset: "),
        "{stderr}"
    );

    let again = exchange(&issuer, &code);
    let (stdout, stderr) = (text(&again.stdout), text(&again.stderr));
    assert_eq!(again.status.code(), Some(1), "{stdout}{stderr}");
    let envelope: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(envelope["status"], 400);
    assert_eq!(envelope["body"]["error"], "invalid_grant", "{stdout}");
    assert!(stderr.contains("HTTP 400 Bad Request"), "{stderr}");
    assert!(stderr.contains("tokenbench exchange: invalid_grant: "), "{stderr}");
}

#[test]
fn with_dpop_the_tokens_are_bound_to_the_key_it_names_even_when_the_server_asks_for_a_nonce() {
    let issuer = start_issuer_with(true);
    let code = apple_code(&issuer, "002.cli.dpop");
    let output = exchange_with(&issuer, &code, &["--dpop"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let jkt = stderr
        .lines()
        .find_map(|line| line.strip_prefix("DPoP key thumbprint (cnf.jkt): "))
        .unwrap_or_else(|| panic!("the thumbprint is named: {stderr}"));
    let body = &serde_json::from_str::<Value>(&stdout).unwrap()["body"];
    assert_eq!(body["token_type"], "DPoP", "{body}");
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["cnf"]["jkt"], jkt, "{access}");
    // A key that cannot be read (no keyring in this process): exit 2, and the message says why.
    let missing = exchange_with(&issuer, &code, &["--dpop-key", "dpop_key/missing"]);
    let stderr = text(&missing.stderr);
    assert_eq!(missing.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("tokenbench exchange: ") && stderr.contains("keyring"),
        "{stderr}"
    );
}
