//! `tokenbench login` as real processes: `tokenbench serve` runs the demo tenant, a stand-in browser
//! (tests/support/fake-browser, given as `$BROWSER`) follows the authorize URL to the login page and picks a
//! demo user, and the loopback redirect brings the code back for tokens.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use process::{claims, serve, text, tokenbench};
use serde_json::Value;

mod process;

const FAKE_BROWSER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/fake-browser");

fn python_missing() -> bool {
    std::process::Command::new("python3").arg("--version").output().is_err()
}

#[test]
fn login_through_the_browser_prints_tokens_for_the_picked_user_and_api() {
    if python_missing() {
        eprintln!("skipped: python3 runs the stand-in browser");
        return;
    }
    let served = serve(|_| {});
    let output = tokenbench()
        .args([
            "login",
            "--env",
            &served.url,
            "--client-id",
            "demo-spa",
            "--json",
            "--wait",
            "30",
        ])
        .args(["--audience", "https://api.demo.local/"])
        .env("BROWSER", FAKE_BROWSER)
        .env("FAKE_BROWSER_PICK", "auth0|bob")
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("/authorize?response_type=code"),
        "the URL is shown: {stderr}"
    );
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["status"], 200);
    let id = claims(answer["body"]["id_token"].as_str().unwrap());
    assert_eq!(
        (id["sub"].as_str(), id["aud"].as_str()),
        (Some("auth0|bob"), Some("demo-spa"))
    );
    assert!(id["nonce"].is_string(), "the nonce sent comes back");
    let access = claims(answer["body"]["access_token"].as_str().unwrap());
    assert_eq!(access["aud"][0], "https://api.demo.local/");
    assert!(answer["body"]["refresh_token"].is_string());
}

#[test]
fn login_says_what_to_fix_and_exits_non_zero() {
    let output = tokenbench()
        .args([
            "login",
            "--env",
            "http://tenant.example",
            "--client-id",
            " ",
            "--scope",
            "profile",
        ])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    for flag in ["--env", "--client-id", "--scope"] {
        assert!(stderr.contains(flag), "{flag} named: {stderr}");
    }
    let served = serve(|_| {});
    let output = tokenbench()
        .args([
            "login",
            "--env",
            &served.url,
            "--client-id",
            "demo-m2m",
            "--no-browser",
            "--wait",
            "1",
        ])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Open this URL") && stderr.contains("no answer from the browser in 1 s"),
        "{stderr}"
    );
}

#[test]
fn a_refused_sign_in_exits_1_with_the_reason() {
    if python_missing() {
        eprintln!("skipped: python3 runs the stand-in browser");
        return;
    }
    let served = serve(|_| {});
    let output = tokenbench()
        .args(["login", "--env", &served.url, "--client-id", "demo-spa", "--wait", "30"])
        .args(["--audience", "https://nowhere.example/"])
        .env("BROWSER", FAKE_BROWSER)
        .env("FAKE_BROWSER_PICK", "auth0|alice")
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("access_denied") && stderr.contains("Service not found"),
        "{stderr}"
    );
}
