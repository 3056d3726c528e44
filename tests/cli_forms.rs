//! `tokenbench delegate` and `tokenbench exchange` as real processes against `tokenbench serve` as a real
//! process: a tenant whose demo-spa secret comes from the environment, so the test signs its own HS256
//! id_token. Also: the curl command tokenbench writes, run with the real curl, gets the same answer.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;
mod process;

use jsonwebtoken::Algorithm;
use process::{Served, claims, serve, tenant_file, text, without_proxies};
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Output, Stdio};
use std::time::Duration;
use tokenbench::core::auth0::delegation::DelegationForm;

const SPA_SECRET: &str = "cli-test-secret-for-demo-spa-0123456789";

/// `tokenbench serve` with the demo tenant whose demo-spa secret comes from the environment.
struct Issuer {
    url: String,
    _served: Served,
    _dir: tempfile::TempDir,
}

fn start_issuer() -> Issuer {
    let dir = tempfile::tempdir().unwrap();
    let path = tenant_file(dir.path(), |tenant| {
        process::spa(tenant)["client_secret"] = json!({ "env": "SPA_SECRET" });
    });
    let served = serve(|command| {
        command.arg("--tenant").arg(&path).env("SPA_SECRET", SPA_SECRET);
    });
    let url = served.url.clone();
    Issuer {
        url,
        _served: served,
        _dir: dir,
    }
}

/// An HS256 id_token for alice, issued by this issuer to demo-spa, valid now.
fn id_token(issuer: &Issuer, secret: &str) -> String {
    let now = jiff::Timestamp::now().as_second();
    let claims = json!({
        "iss": format!("{}/", issuer.url),
        "sub": "auth0|alice",
        "aud": "demo-spa",
        "iat": now - 10,
        "exp": now + 600,
    });
    common::hmac_token(Algorithm::HS256, secret.as_bytes(), &claims)
}

fn tokenbench(args: &[&str]) -> Output {
    process::tokenbench().args(args).output().unwrap()
}

fn tokenbench_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = process::tokenbench()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn delegate_prints_the_target_token_and_the_rate_limit_headers() {
    let issuer = start_issuer();
    let token = id_token(&issuer, SPA_SECRET);
    let args = [
        "delegate",
        "--env",
        &issuer.url,
        "--client-id",
        "demo-spa",
        "--id-token",
        &token,
    ];
    let output = tokenbench(&[&args[..], &["--target", "demo-m2m", "--api-type", "app"]].concat());
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let body: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(claims(body["id_token"].as_str().unwrap())["aud"], "demo-m2m");
    assert!(stdout.contains("\n  \"token_type\": \"Bearer\""), "pretty: {stdout}");
    assert!(stderr.contains("HTTP 200 OK in "), "{stderr}");
    assert!(
        stderr.contains("x-ratelimit-limit: 10\nx-ratelimit-remaining: 9\nx-ratelimit-reset: "),
        "{stderr}"
    );
}

#[test]
fn delegate_reads_the_token_from_stdin_and_prints_one_json_object_with_json() {
    let issuer = start_issuer();
    let token = id_token(&issuer, SPA_SECRET);
    let args = [
        "delegate",
        "--env",
        &issuer.url,
        "--client-id",
        "demo-spa",
        "--id-token",
        "-",
    ];
    let output = tokenbench_with_stdin(
        &[&args[..], &["--target", "demo-m2m", "--form", "--json"]].concat(),
        &token,
    );
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", text(&output.stderr));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let envelope: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(envelope["status"], 200);
    assert_eq!(envelope["headers"]["x-ratelimit-remaining"], "9");
    assert_eq!(
        claims(envelope["body"]["id_token"].as_str().unwrap())["aud"],
        "demo-m2m"
    );
}

#[test]
fn a_token_with_a_bad_signature_exits_1_and_stderr_explains_the_error() {
    let issuer = start_issuer();
    let token = id_token(&issuer, "not-the-client-secret");
    let output = tokenbench(&[
        "delegate",
        "--env",
        &issuer.url,
        "--client-id",
        "demo-spa",
        "--id-token",
        &token,
    ]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let body: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(stderr.contains("HTTP 400 Bad Request"), "{stderr}");
    assert!(stderr.contains("check the caller's alg"), "{stderr}");
    assert!(stderr.contains("signature"), "{stderr}");
}

#[test]
fn both_input_tokens_are_a_usage_error() {
    let output = tokenbench(&[
        "delegate",
        "--env",
        "local",
        "--client-id",
        "demo-spa",
        "--id-token",
        "a.b.c",
        "--refresh-token",
        "r",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("--id-token") && stderr.contains("--refresh-token"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn plain_http_to_a_remote_host_is_refused_with_every_field_error_at_once() {
    let output = tokenbench(&[
        "delegate",
        "--env",
        "http://example.com",
        "--client-id",
        " ",
        "--id-token",
        "t",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("--env: http://example.com/ uses plain http"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--client-id: give the calling application's client ID"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn an_unreachable_port_exits_2_and_says_to_check_the_server() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let env = format!("http://127.0.0.1:{port}");
    let output = tokenbench(&[
        "delegate",
        "--env",
        &env,
        "--client-id",
        "demo-spa",
        "--id-token",
        "t",
        "--timeout",
        "5",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("could not connect to"), "{stderr}");
    assert!(stderr.contains("check the address, that the server runs"), "{stderr}");
}

#[test]
fn exchange_with_a_bad_subject_token_exits_1_with_the_oauth_error_on_stderr() {
    let issuer = start_issuer();
    let output = tokenbench(&[
        "exchange",
        "--env",
        &issuer.url,
        "--client-id",
        "demo-native",
        "--subject-token",
        "not-an-apple-code",
        "--subject-token-type",
        "apple",
        "--first-name",
        "Ada",
    ]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let body: Value = serde_json::from_str(&stdout).unwrap();
    // The local issuer refuses the grant as not simulated (invalid_request) until it simulates Apple codes, then
    // a made-up code is an invalid_grant: either is an OAuth error answer.
    let error = body["error"].as_str().unwrap();
    assert!(["invalid_request", "invalid_grant"].contains(&error), "{body}");
    assert!(stderr.contains(&format!("tokenbench exchange: {error}: ")), "{stderr}");
    assert!(stderr.contains("HTTP 400"), "{stderr}");
}

#[test]
fn exchange_refuses_an_unset_secret_variable_and_a_bad_user_profile_before_sending() {
    let base = [
        "exchange",
        "--env",
        "local",
        "--client-id",
        "demo-native",
        "--subject-token",
        "t",
    ];
    let unset = tokenbench(
        &[
            &base[..],
            &[
                "--subject-token-type",
                "google",
                "--client-secret-env",
                "TOKENBENCH_TEST_UNSET_VARIABLE",
            ],
        ]
        .concat(),
    );
    assert_eq!(unset.status.code(), Some(2));
    assert!(
        text(&unset.stderr).contains("export it first"),
        "{}",
        text(&unset.stderr)
    );
    let bad = tokenbench(&[&base[..], &["--subject-token-type", "not a uri", "--user-profile", "{"]].concat());
    assert_eq!(bad.status.code(), Some(2));
    let stderr = text(&bad.stderr);
    assert!(
        stderr.contains("--subject-token-type: a custom subject token type is a URI"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--user-profile: user_profile is not valid JSON"),
        "{stderr}"
    );
}

/// Runs a curl command line in `sh`; returns the status and the body.
fn run_curl(command_line: &str) -> (u16, Value) {
    let output = without_proxies("sh")
        .args(["-c", &format!("{command_line} -w '\\n%{{http_code}}'")])
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    let (body, status) = stdout.rsplit_once('\n').unwrap();
    (status.trim().parse().unwrap(), serde_json::from_str(body).unwrap())
}

fn curl_available() -> bool {
    without_proxies("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn the_curl_command_for_a_delegation_gets_the_same_answer_as_the_cli() {
    if !curl_available() {
        eprintln!("note: curl is not installed; the curl command was not run");
        return;
    }
    let issuer = start_issuer();
    for (secret, status, exit) in [(SPA_SECRET, 200, 0), ("wrong-secret", 400, 1)] {
        let form = DelegationForm {
            client_id: "demo-spa".into(),
            token: id_token(&issuer, secret),
            target: "demo-m2m".into(),
            ..DelegationForm::default()
        };
        let request = form.validate(&issuer.url, Duration::from_secs(10)).unwrap();
        let curl_line = tokenbench::core::auth0::curl::command(&request, &[], true);
        let (curl_status, curl_body) = run_curl(&curl_line);
        let cli = tokenbench(&[
            "delegate",
            "--env",
            &issuer.url,
            "--client-id",
            "demo-spa",
            "--id-token",
            &form.token,
            "--target",
            "demo-m2m",
        ]);
        let cli_body: Value = serde_json::from_slice(&cli.stdout).unwrap();
        assert_eq!(
            (curl_status, cli.status.code()),
            (status, Some(exit)),
            "{curl_body} {cli_body}"
        );
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&curl_body), keys(&cli_body));
        assert_eq!(curl_body["error"], cli_body["error"]);
        if status == 200 {
            assert_eq!(
                claims(curl_body["id_token"].as_str().unwrap())["aud"],
                claims(cli_body["id_token"].as_str().unwrap())["aud"]
            );
        }
    }
}

#[test]
fn what_the_server_echoes_is_escaped_on_the_terminal_and_stays_valid_json() {
    let issuer = start_issuer();
    let token = id_token(&issuer, SPA_SECRET);
    let hostile = "ghost\u{1b}[2J\u{202e}\u{9b}";
    let output = tokenbench(&[
        "delegate",
        "--env",
        &issuer.url,
        "--client-id",
        "demo-spa",
        "--id-token",
        &token,
        "--target",
        hostile,
    ]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    for shown in [&stdout, &stderr] {
        assert!(
            !shown
                .chars()
                .any(|c| c != '\n' && tokenbench::core::escape::is_unsafe(c)),
            "{shown:?}"
        );
    }
    assert!(stderr.contains("ghost\\x1b[2J\\u{202e}\\u{9b}"), "{stderr}");
    let body: Value = serde_json::from_str(&stdout).unwrap();
    assert!(body["error_description"].as_str().unwrap().contains(hostile), "{body}");
}
