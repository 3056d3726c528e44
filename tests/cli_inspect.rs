//! `tokenbench inspect` end to end: the real binary, real signatures, a real HTTP server for JWKS and
//! discovery. Exit status contract: 0 decoded (and every requested check passed), 1 a check failed,
//! 2 not a token or wrong arguments.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;
mod process;

use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{KeyKind, NOW, TestKey, hmac_token};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

/// An HMAC secret of 40 bytes (above the 32-byte minimum for HS256).
const SECRET: &str = "a-forty-byte-secret-for-hs256-tests-only";
/// Expiry of the standard test token, one hour after `NOW`.
const EXP: i64 = NOW + 3600;
/// The CLI's default leeway.
const DEFAULT_LEEWAY: i64 = 60;
const ISSUER: &str = "https://tenant.example.auth0.com/";
const AUDIENCE: &str = "https://api.example.com";
/// A JWE compact serialization: header {"alg":"RSA-OAEP","enc":"A256GCM"} and four more segments.
const JWE: &str = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn";

// ---------------------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------------------

fn command(args: &[&str]) -> Command {
    process::inspect(args)
}

/// Runs `tokenbench inspect ARGS` with an empty standard input.
fn run(args: &[&str]) -> Output {
    process::inspect_output(args)
}

/// Runs `tokenbench inspect ARGS` with `input` piped to standard input.
fn run_with_stdin(args: &[&str], input: &str) -> Output {
    process::output_with_stdin(command(args), input)
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("the process exited normally")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit status, showing both output streams when it differs.
#[track_caller]
fn assert_exit(output: &Output, expected: i32) {
    assert_eq!(
        code(output),
        expected,
        "unexpected exit status\n--- stdout ---\n{}\n--- stderr ---\n{}",
        stdout(output),
        stderr(output)
    );
}

/// Parses the `--json` object from stdout.
#[track_caller]
fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\n{}", stdout(output), stderr(output)))
}

#[track_caller]
fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks is an array")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report:#}"))
}

fn finding_codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| f["code"].as_str().expect("a finding has a code").to_owned())
        .collect()
}

fn at(time: i64) -> String {
    time.to_string()
}

// ---------------------------------------------------------------------------------------------------------
// Tokens and keys
// ---------------------------------------------------------------------------------------------------------

fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "auth0|64f1c0ffee",
        "aud": AUDIENCE,
        "iat": NOW - 60,
        "exp": EXP,
        "scope": "read:things",
    })
}

fn hs256_with(secret: &[u8], claims: &Value) -> String {
    hmac_token(Algorithm::HS256, secret, claims)
}

fn hs256(claims: &Value) -> String {
    hs256_with(SECRET.as_bytes(), claims)
}

fn signature_segment(token: &str) -> &str {
    token.rsplit('.').next().expect("a token has segments")
}

/// One of the shared test RSA keys, with the `kid` its tokens and JWK carry.
struct RsaKey {
    kid: &'static str,
    key: &'static TestKey,
}

impl RsaKey {
    fn sign(&self, claims: &Value) -> String {
        self.key.sign(Algorithm::RS256, Some(self.kid), claims)
    }

    /// The public key as a `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo) PEM.
    fn public_pem(&self) -> String {
        self.key.public_pem()
    }

    /// The public key as a JWK with `kid`, `alg` and `use`.
    fn jwk(&self) -> Value {
        self.key.jwk(Some(self.kid), Some(Algorithm::RS256))
    }
}

/// The key that signs the RS256 tokens (kid `signing-key`).
fn signing_key() -> RsaKey {
    RsaKey {
        kid: "signing-key",
        key: common::key(KeyKind::Rsa, 0),
    }
}

/// Another RSA key (kid `rotated-key`), listed first in the JWKS so that selection by `kid` matters.
fn other_key() -> RsaKey {
    RsaKey {
        kid: "rotated-key",
        key: common::key(KeyKind::Rsa, 1),
    }
}

fn jwks() -> Value {
    json!({ "keys": [other_key().jwk(), signing_key().jwk()] })
}

fn write_file(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("the test file is written");
    path.to_str().expect("temp paths are UTF-8").to_owned()
}

// ---------------------------------------------------------------------------------------------------------
// A local issuer: JWKS and OpenID configuration over HTTP
// ---------------------------------------------------------------------------------------------------------

/// A local HTTP server, shared by every test of this file, serving
/// `/jwks.json`, `/.well-known/jwks.json` and `/.well-known/openid-configuration`, and hostile documents:
/// `/oct-jwks.json` (an `oct` key first, sharing the RSA key's kid), discovery at `/oct/` (naming that JWKS),
/// `/impostor/` (naming another issuer) and `/escape/` (a `jwks_uri` with terminal controls); anything else
/// is 404.
struct Issuer {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    base: String,
}

impl Issuer {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The `iss` of tokens whose keys are discovered from this server.
    fn iss(&self) -> String {
        format!("{}/", self.base)
    }
}

fn json_route(value: Value) -> axum::routing::MethodRouter {
    get(move || {
        let value = value.clone();
        async move { Json(value) }
    })
}

/// An `oct` key holding [`SECRET`], with the kid of the RSA signing key.
fn oct_jwk() -> Value {
    json!({"kty": "oct", "kid": signing_key().kid, "k": URL_SAFE_NO_PAD.encode(SECRET)})
}

/// A JWKS whose `oct` key comes first and shares its kid with the RSA key that signs the RS256 tokens.
fn oct_first_jwks() -> Value {
    json!({ "keys": [oct_jwk(), signing_key().jwk()] })
}

fn hostile_routes(base: &str) -> Router {
    let discovery = |issuer: String, jwks_uri: String| json_route(json!({"issuer": issuer, "jwks_uri": jwks_uri}));
    Router::new()
        .route("/oct-jwks.json", json_route(oct_first_jwks()))
        .route(
            "/oct/.well-known/openid-configuration",
            discovery(format!("{base}/oct/"), format!("{base}/oct-jwks.json")),
        )
        .route(
            "/impostor/.well-known/openid-configuration",
            discovery(
                "https://someone-else.example/\u{1b}[2J\u{7}".to_owned(),
                format!("{base}/.well-known/jwks.json"),
            ),
        )
        .route(
            "/escape/.well-known/openid-configuration",
            discovery(
                format!("{base}/escape/"),
                "http://ev\u{1b}]0;pwned\u{7}il.example/jwks.json".to_owned(),
            ),
        )
}

fn issuer() -> &'static Issuer {
    static ISSUER: OnceLock<Issuer> = OnceLock::new();
    ISSUER.get_or_init(|| {
        // Bound before the runtime starts, so connections made right away wait in the backlog.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a local port is free");
        listener.set_nonblocking(true).expect("the listener is non-blocking");
        let base = format!("http://{}", listener.local_addr().expect("the listener has an address"));
        let configuration = json!({
            "issuer": format!("{base}/"),
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "id_token_signing_alg_values_supported": ["RS256"],
        });
        let app = hostile_routes(&base)
            .route("/jwks.json", json_route(jwks()))
            .route("/.well-known/jwks.json", json_route(jwks()))
            .route("/.well-known/openid-configuration", json_route(configuration));
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("the server runtime starts");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio adopts the listener");
                axum::serve(listener, app).await.expect("the test server runs");
            });
        });
        Issuer { base }
    })
}

// ---------------------------------------------------------------------------------------------------------
// Shared secrets
// ---------------------------------------------------------------------------------------------------------

#[test]
fn a_valid_hs256_token_with_its_secret_exits_0_and_every_check_passes() {
    let token = hs256(&claims());
    let output = run(&[&token, "--secret", SECRET, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 0);
    let report = json_of(&output);
    assert_eq!(report["signature"]["alg"], "HS256");
    assert_eq!(report["signature"]["status"], "valid");
    assert_eq!(report["valid"], true);
    assert_eq!(report["payload"]["sub"], "auth0|64f1c0ffee");
    assert_eq!(report["header"]["alg"], "HS256");
    let checks = report["checks"].as_array().expect("checks is an array");
    assert!(!checks.is_empty());
    for c in checks {
        // ok means passed: a skipped step (no nbf claim here) is not ok, and not a failure either.
        assert_eq!(c["ok"], c["status"] == "pass", "{c}");
        assert_ne!(c["status"], "fail", "check failed: {c}");
    }
    assert_eq!(check(&report, "signature")["status"], "pass");
    assert!(finding_codes(&report).is_empty(), "{report:#}");
}

#[test]
fn a_wrong_secret_exits_1_with_a_failed_signature_check() {
    let token = hs256(&claims());
    let wrong = "another-forty-byte-secret-that-did-not-sign";
    let output = run(&[&token, "--secret", wrong, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 1);
    let report = json_of(&output);
    assert_eq!(report["signature"]["status"], "invalid");
    assert_eq!(report["valid"], false);
    let signature = check(&report, "signature");
    assert_eq!(signature["ok"], false);
    assert_eq!(signature["status"], "fail");
    assert!(
        signature["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("does not match"),
        "{signature}"
    );
    assert_eq!(
        report["signature"]["reason"], signature["detail"],
        "the signature reason repeats the check's detail"
    );
}

/// 40 secret bytes, not UTF-8, starting with `0xf8` so that their base64url starts with `-`.
fn binary_secret() -> Vec<u8> {
    (0u8..40).map(|i| i.wrapping_mul(37).wrapping_add(0xf8)).collect()
}

#[test]
fn a_base64url_secret_given_with_secret_base64_verifies() {
    // Bytes that are not UTF-8 and whose base64url uses both '-' and '_' (but does not start with '-').
    let secret: Vec<u8> = (0u8..40).map(|i| i.wrapping_mul(37)).collect();
    let encoded = URL_SAFE_NO_PAD.encode(&secret);
    assert!(
        encoded.contains('-') && encoded.contains('_') && !encoded.starts_with('-'),
        "{encoded}"
    );
    let token = hs256_with(&secret, &claims());
    let output = run(&[&token, "--secret-base64", &encoded, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 0);
    assert_eq!(json_of(&output)["signature"]["status"], "valid");

    let as_text = run(&[&token, "--secret", &encoded, "--at", &at(NOW)]);
    assert_exit(&as_text, 1);
}

#[test]
fn a_base64url_secret_starting_with_a_hyphen_is_accepted_in_the_equals_form() {
    let secret = binary_secret();
    let encoded = URL_SAFE_NO_PAD.encode(&secret);
    assert!(encoded.starts_with('-'), "{encoded}");
    let token = hs256_with(&secret, &claims());
    let output = run(&[
        &token,
        &format!("--secret-base64={encoded}"),
        "--at",
        &at(NOW),
        "--json",
    ]);
    assert_exit(&output, 0);
    assert_eq!(json_of(&output)["signature"]["status"], "valid");
}

/// Auth0 client secrets are base64url, so about one in 32 starts with `-` or `_`; one starting with `-` is
/// taken by clap for an option unless written `--secret-base64=VALUE`.
#[test]
fn a_base64url_secret_starting_with_a_hyphen_is_accepted_as_a_separate_argument() {
    let secret = binary_secret();
    let encoded = URL_SAFE_NO_PAD.encode(&secret);
    let token = hs256_with(&secret, &claims());
    let output = run(&[&token, "--secret-base64", &encoded, "--at", &at(NOW)]);
    assert_exit(&output, 0);
    let text_secret = "-starts-with-a-hyphen-and-is-forty-bytes-";
    let token = hs256_with(text_secret.as_bytes(), &claims());
    let output = run(&[&token, "--secret", text_secret, "--at", &at(NOW)]);
    assert_exit(&output, 0);
}

// ---------------------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------------------

#[test]
fn a_token_checked_before_its_expiry_exits_0() {
    let token = hs256(&claims());
    let output = run(&[&token, "--secret", SECRET, "--at", &at(EXP - 1), "--json"]);
    assert_exit(&output, 0);
    let report = json_of(&output);
    assert_eq!(check(&report, "exp")["status"], "pass");
    assert!(!finding_codes(&report).contains(&"expired".to_owned()));
}

#[test]
fn a_token_checked_after_expiry_plus_leeway_exits_1_with_the_expired_finding() {
    let token = hs256(&claims());
    let output = run(&[
        &token,
        "--secret",
        SECRET,
        "--at",
        &at(EXP + DEFAULT_LEEWAY + 1),
        "--json",
    ]);
    assert_exit(&output, 1);
    let report = json_of(&output);
    assert_eq!(report["signature"]["status"], "valid", "only the time check fails");
    assert_eq!(check(&report, "exp")["ok"], false);
    assert!(finding_codes(&report).contains(&"expired".to_owned()), "{report:#}");
}

#[test]
fn the_default_leeway_of_60_seconds_accepts_a_token_just_past_its_expiry() {
    let token = hs256(&claims());
    let output = run(&[
        &token,
        "--secret",
        SECRET,
        "--at",
        &at(EXP + DEFAULT_LEEWAY - 1),
        "--json",
    ]);
    assert_exit(&output, 0);
    assert!(!finding_codes(&json_of(&output)).contains(&"expired".to_owned()));

    let wider = run(&[&token, "--secret", SECRET, "--at", &at(EXP + 500), "--leeway", "600"]);
    assert_exit(&wider, 0);
}

#[test]
fn with_leeway_0_a_token_is_expired_exactly_at_exp_and_valid_one_second_before() {
    let token = hs256(&claims());
    let before = run(&[
        &token,
        "--secret",
        SECRET,
        "--leeway",
        "0",
        "--at",
        &at(EXP - 1),
        "--json",
    ]);
    assert_exit(&before, 0);

    let at_exp = run(&[&token, "--secret", SECRET, "--leeway", "0", "--at", &at(EXP), "--json"]);
    assert_exit(&at_exp, 1);
    let report = json_of(&at_exp);
    assert_eq!(check(&report, "exp")["ok"], false);
    assert!(finding_codes(&report).contains(&"expired".to_owned()), "{report:#}");
}

#[test]
fn without_a_key_or_expectation_an_expired_token_exits_0_but_is_reported_expired() {
    // exp in 2001, checked against the real clock (no --at).
    let mut expired = claims();
    expired["iat"] = json!(999_000_000);
    expired["exp"] = json!(1_000_000_000);
    let token = hs256(&expired);
    let output = run(&[&token, "--json"]);
    assert_exit(&output, 0);
    let report = json_of(&output);
    assert_eq!(report["signature"]["status"], "unchecked");
    assert!(finding_codes(&report).contains(&"expired".to_owned()), "{report:#}");

    let text = run(&[&token]);
    assert_exit(&text, 0);
    assert!(stdout(&text).contains("expired"), "{}", stdout(&text));
}

// ---------------------------------------------------------------------------------------------------------
// Issuer and audience
// ---------------------------------------------------------------------------------------------------------

#[test]
fn an_issuer_mismatch_exits_1_even_without_a_key() {
    let token = hs256(&claims());
    let output = run(&[
        &token,
        "--iss",
        "https://other.example.auth0.com/",
        "--at",
        &at(NOW),
        "--json",
    ]);
    assert_exit(&output, 1);
    let report = json_of(&output);
    assert_eq!(check(&report, "iss")["ok"], false);
    assert_eq!(report["signature"]["status"], "unchecked");

    let matching = run(&[&token, "--iss", ISSUER, "--secret", SECRET, "--at", &at(NOW)]);
    assert_exit(&matching, 0);
}

#[test]
fn a_matching_audience_exits_0_and_another_audience_exits_1() {
    let token = hs256(&claims());
    let output = run(&[
        &token,
        "--aud",
        AUDIENCE,
        "--secret",
        SECRET,
        "--at",
        &at(NOW),
        "--json",
    ]);
    assert_exit(&output, 0);
    assert_eq!(check(&json_of(&output), "aud")["status"], "pass");

    let other = run(&[&token, "--aud", "https://other-api.example.com", "--at", &at(NOW)]);
    assert_exit(&other, 1);
}

// ---------------------------------------------------------------------------------------------------------
// Standard input
// ---------------------------------------------------------------------------------------------------------

#[test]
fn a_token_piped_with_dash_is_read_from_standard_input() {
    let token = hs256(&claims());
    let output = run_with_stdin(&["-", "--secret", SECRET, "--at", &at(NOW), "--json"], &token);
    assert_exit(&output, 0);
    assert_eq!(json_of(&output)["signature"]["status"], "valid");
}

#[test]
fn a_token_piped_without_a_token_argument_is_read_from_standard_input() {
    let token = hs256(&claims());
    let output = run_with_stdin(&["--secret", SECRET, "--at", &at(NOW), "--json"], &format!("{token}\n"));
    assert_exit(&output, 0);
    assert_eq!(json_of(&output)["signature"]["status"], "valid");
}

#[test]
fn piped_input_with_surrounding_whitespace_and_a_bearer_prefix_is_cleaned_up() {
    let token = hs256(&claims());
    let input = format!("  \n\tBearer {token}  \r\n\n");
    let now = at(NOW);
    for first in [Some("-"), None] {
        let args: Vec<&str> = first
            .into_iter()
            .chain(["--secret", SECRET, "--at", now.as_str(), "--json"])
            .collect();
        let output = run_with_stdin(&args, &input);
        assert_exit(&output, 0);
        let report = json_of(&output);
        assert_eq!(report["signature"]["status"], "valid");
        assert_eq!(report["payload"]["iss"], ISSUER);
    }
}

#[test]
fn an_authorization_header_line_given_as_the_argument_is_cleaned_up() {
    let token = hs256(&claims());
    let output = run(&[
        &format!("Authorization: Bearer {token}"),
        "--secret",
        SECRET,
        "--at",
        &at(NOW),
    ]);
    assert_exit(&output, 0);
}

// ---------------------------------------------------------------------------------------------------------
// Input that is not a token
// ---------------------------------------------------------------------------------------------------------

#[test]
fn text_that_is_not_a_token_exits_2_and_says_so() {
    let output = run(&["hello"]);
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("not a JWT"), "{err}");
    assert!(err.contains("not a token"), "{err}");
}

#[test]
fn a_jwe_exits_2_and_stderr_says_it_is_an_encrypted_jwe() {
    let output = run(&[JWE, "--json"]);
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("JWE"), "{err}");
    assert!(err.contains("encrypted"), "{err}");
    assert_eq!(json_of(&output)["kind"], "jwe");
}

#[test]
fn a_jwe_exits_2_even_when_a_key_is_given() {
    let output = run(&[JWE, "--secret", SECRET]);
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("JWE"), "{}", stderr(&output));
}

#[test]
fn a_token_with_a_payload_that_is_not_base64_exits_2_and_points_at_the_payload() {
    let token = hs256(&claims());
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[1] = "eyJzdWIi*not~base64*";
    let broken = parts.join(".");
    let output = run(&[&broken, "--secret", SECRET]);
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("does not decode"), "{err}");
    let out = stdout(&output);
    assert!(out.contains("payload is not base64url"), "{out}");
    assert!(out.contains("FAILED at step \"structure\""), "{out}");
}

#[test]
fn empty_standard_input_exits_2() {
    let output = run_with_stdin(&[], "  \n");
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("no input"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------------------------------------
// Wrong arguments
// ---------------------------------------------------------------------------------------------------------

#[test]
fn two_key_sources_together_exit_2_with_a_usage_message() {
    let token = hs256(&claims());
    let output = run(&[&token, "--secret", "x", "--key", "y"]);
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("--secret") && err.contains("--key"), "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
    assert!(output.stdout.is_empty(), "nothing is analysed: {}", stdout(&output));
}

#[test]
fn a_missing_key_file_exits_2_and_names_the_file() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let missing = dir.path().join("no-such-key.pem");
    let missing = missing.to_str().expect("UTF-8 path");
    let token = hs256(&claims());
    let output = run(&[&token, "--key", missing]);
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains(missing), "{err}");
    assert!(err.contains("PEM, JWK or JWKS"), "{err}");
}

#[test]
fn a_private_key_file_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = write_file(dir.path(), "private.pem", &signing_key().key.private_pem());
    let token = signing_key().sign(&claims());
    let output = run(&[&token, "--key", &path]);
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("private key") && err.contains(&path), "{err}");
}

#[test]
fn a_leeway_that_is_not_a_number_exits_2() {
    let token = hs256(&claims());
    let output = run(&[&token, "--leeway", "soon"]);
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("--leeway"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------------------------------------
// Key files
// ---------------------------------------------------------------------------------------------------------

#[test]
fn an_rs256_token_verifies_with_a_pem_public_key_file() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = write_file(dir.path(), "public.pem", &signing_key().public_pem());
    let token = signing_key().sign(&claims());
    let output = run(&[&token, "--key", &path, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 0);
    let report = json_of(&output);
    assert_eq!(report["signature"]["alg"], "RS256");
    assert_eq!(report["signature"]["status"], "valid");

    let wrong = write_file(dir.path(), "other.pem", &other_key().public_pem());
    let output = run(&[&token, "--key", &wrong, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 1);
    assert_eq!(check(&json_of(&output), "signature")["ok"], false);
}

#[test]
fn an_rs256_token_verifies_with_a_jwk_file() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = write_file(dir.path(), "key.jwk", &signing_key().jwk().to_string());
    let token = signing_key().sign(&claims());
    let output = run(&[&token, "--key", &path, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 0);
    let report = json_of(&output);
    assert_eq!(report["signature"]["status"], "valid");
    assert!(
        check(&report, "key")["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("signing-key"),
        "{report:#}"
    );
}

#[test]
fn a_jwks_file_selects_the_key_named_by_the_tokens_kid() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = write_file(dir.path(), "jwks.json", &jwks().to_string());
    let token = signing_key().sign(&claims());
    let output = run(&[&token, "--key", &path, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 0);
    let report = json_of(&output);
    assert_eq!(report["signature"]["status"], "valid");
    let key = check(&report, "key")["detail"].as_str().unwrap_or_default().to_owned();
    assert!(key.contains("kid=signing-key"), "{key}");
}

#[test]
fn a_jwks_file_without_the_tokens_kid_exits_1_and_lists_the_kids_it_has() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let only_other = json!({ "keys": [other_key().jwk()] });
    let path = write_file(dir.path(), "jwks.json", &only_other.to_string());
    let token = signing_key().sign(&claims());
    let output = run(&[&token, "--key", &path, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 1);
    let report = json_of(&output);
    let key = check(&report, "key");
    assert_eq!(key["ok"], false);
    let detail = key["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("signing-key") && detail.contains("rotated-key"),
        "{detail}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Keys over HTTP
// ---------------------------------------------------------------------------------------------------------

#[test]
fn a_jwks_url_served_over_http_verifies_an_rs256_token() {
    let url = issuer().url("/jwks.json");
    let token = signing_key().sign(&claims());
    let output = run(&[&token, "--jwks-url", &url, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 0);
    let report = json_of(&output);
    assert_eq!(report["signature"]["status"], "valid");
    assert!(
        check(&report, "key")["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("signing-key")
    );
}

#[test]
fn a_jwks_url_answering_404_exits_2_with_the_status_in_the_message() {
    let url = issuer().url("/no-such-jwks.json");
    let token = signing_key().sign(&claims());
    let output = run(&[&token, "--jwks-url", &url, "--at", &at(NOW)]);
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("404"), "{err}");
    assert!(err.contains(&url), "{err}");
}

#[test]
fn a_jwks_url_that_is_not_http_exits_2() {
    let token = signing_key().sign(&claims());
    let output = run(&[&token, "--jwks-url", "ftp://example.com/jwks.json"]);
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("not an http(s) URL"), "{}", stderr(&output));
}

#[test]
fn discover_without_iss_exits_2_because_trust_must_be_explicit() {
    let server = issuer();
    let mut discovered = claims();
    discovered["iss"] = json!(server.iss());
    let token = signing_key().sign(&discovered);
    let output = run(&[&token, "--discover", "--at", &at(NOW), "--json"]);
    assert_exit(&output, 2);
    assert!(
        output.stdout.is_empty(),
        "no report without a trusted key: {}",
        stdout(&output)
    );
    let err = stderr(&output);
    assert!(
        err.contains("--discover needs --iss https://TENANT/")
            && err.contains("never from the one the token names itself"),
        "{err}"
    );

    let with_issuer = run(&[&token, "--discover", "--iss", &server.iss(), "--at", &at(NOW), "--json"]);
    assert_exit(&with_issuer, 0);
    assert_eq!(json_of(&with_issuer)["signature"]["status"], "valid");
}

#[test]
fn discover_asks_the_expected_issuer_not_the_one_the_token_names() {
    let server = issuer();
    let mut forged = claims();
    forged["iss"] = json!("http://127.0.0.1:9/");
    let token = signing_key().sign(&forged);
    // Keys come from --iss (reachable); the token's own iss (port 9, nothing listens) is never contacted.
    let output = run(&[&token, "--discover", "--iss", &server.iss(), "--at", &at(NOW), "--json"]);
    assert_exit(&output, 1);
    let report = json_of(&output);
    assert_eq!(report["signature"]["status"], "valid");
    let iss = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "iss")
        .expect("iss check");
    assert_eq!(iss["ok"], false);
}

#[test]
fn discover_with_iss_verifies_a_token_without_an_iss_claim_but_fails_the_iss_check() {
    let server = issuer();
    let mut anonymous = claims();
    anonymous.as_object_mut().expect("claims are an object").remove("iss");
    let token = signing_key().sign(&anonymous);
    let output = run(&[&token, "--discover", "--iss", &server.iss(), "--at", &at(NOW), "--json"]);
    assert_exit(&output, 1);
    let report = json_of(&output);
    assert_eq!(report["signature"]["status"], "valid");
    assert_eq!(check(&report, "iss")["status"], "fail");
}

// ---------------------------------------------------------------------------------------------------------
// Symmetric keys in a JWKS, keys sharing a kid, discovery naming another issuer
// ---------------------------------------------------------------------------------------------------------

/// An HS256 token signed with [`SECRET`] whose header names the kid of [`oct_jwk`].
fn hs256_with_kid() -> String {
    common::sign(
        &common::header(Algorithm::HS256, Some(signing_key().kid)),
        &claims(),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
}

#[test]
fn an_oct_key_fetched_from_a_jwks_url_or_discovery_never_verifies_an_hs256_token() {
    let server = issuer();
    let token = hs256_with_kid();
    let jwks_url = server.url("/oct-jwks.json");
    let oct_issuer = server.url("/oct/");
    let sources: [&[&str]; 2] = [&["--jwks-url", &jwks_url], &["--discover", "--iss", &oct_issuer]];
    let now = at(NOW);
    for source in sources {
        let mut args = vec![token.as_str(), "--at", now.as_str(), "--json"];
        args.extend_from_slice(source);
        let output = run(&args);
        assert_exit(&output, 1);
        let report = json_of(&output);
        assert_eq!(report["signature"]["status"], "invalid", "{source:?}");
        assert_eq!(report["valid"], false);
        let key = check(&report, "key");
        assert_eq!(key["status"], "fail", "{source:?}: {key}");
        let detail = key["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("an HMAC key published in a JWKS is public: anyone could have signed this token")
                && detail.contains("--secret"),
            "{detail}"
        );
    }
}

#[test]
fn an_oct_key_in_a_local_jwks_file_verifies_hs256_and_is_named_a_local_shared_secret() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = write_file(dir.path(), "jwks.json", &oct_first_jwks().to_string());
    let output = run(&[&hs256_with_kid(), "--key", &path, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 0);
    let report = json_of(&output);
    assert_eq!(report["signature"]["status"], "valid");
    let detail = check(&report, "key")["detail"].as_str().unwrap_or_default().to_owned();
    assert!(detail.contains("oct key") && detail.contains("local"), "{detail}");
}

#[test]
fn an_rs256_token_verifies_when_an_oct_key_sharing_its_kid_is_listed_first() {
    let token = signing_key().sign(&claims());
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = write_file(dir.path(), "jwks.json", &oct_first_jwks().to_string());
    let url = issuer().url("/oct-jwks.json");
    for source in [["--key", path.as_str()], ["--jwks-url", url.as_str()]] {
        let output = run(&[&token, source[0], source[1], "--at", &at(NOW), "--json"]);
        assert_exit(&output, 0);
        assert_eq!(json_of(&output)["signature"]["status"], "valid", "{source:?}");
    }
}

/// Whether text holds a character a terminal would obey or that reorders what it shows.
fn has_raw_control(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
    })
}

#[test]
fn discovery_naming_another_issuer_exits_2_saying_both_without_raw_controls() {
    let server = issuer();
    let expected = server.url("/impostor/");
    let token = signing_key().sign(&claims());
    let output = run(&[&token, "--discover", "--iss", &expected, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 2);
    assert!(
        output.stdout.is_empty(),
        "no report without trusted keys: {}",
        stdout(&output)
    );
    let err = stderr(&output);
    assert!(err.contains("https://someone-else.example/"), "{err}");
    assert!(err.contains(&format!("\"{expected}\"")), "{err}");
    assert!(!has_raw_control(&err), "{err:?}");
}

#[test]
fn an_error_quoting_a_discovery_document_reaches_stderr_escaped() {
    let token = signing_key().sign(&claims());
    let output = run(&[
        &token,
        "--discover",
        "--iss",
        &issuer().url("/escape/"),
        "--at",
        &at(NOW),
    ]);
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("jwks_uri"), "{err}");
    assert!(!has_raw_control(&err), "{err:?}");
    assert!(err.contains("\\x1b]0;pwned\\x07"), "{err}");
}

#[test]
fn claims_carrying_c1_and_bidi_controls_print_escaped_in_json_and_text() {
    let hostile = ["\u{1b}", "\u{7}", "\u{85}", "\u{202e}", "\u{2066}"];
    let mut tricky = claims();
    for (i, c) in hostile.iter().enumerate() {
        tricky[format!("name{i}{c}")] = json!(format!("value{c}end"));
    }
    let token = hs256(&tricky);
    let json_output = run(&[&token, "--secret", SECRET, "--at", &at(NOW), "--json"]);
    assert_exit(&json_output, 0);
    let out = stdout(&json_output);
    assert!(!has_raw_control(&out), "{out:?}");
    for escaped in ["\\u001b", "\\u0007", "\\u0085", "\\u202e", "\\u2066"] {
        assert!(out.contains(escaped), "{escaped} missing from {out}");
    }
    assert_eq!(
        json_of(&json_output)["payload"],
        tricky,
        "the JSON still decodes to the same claims"
    );

    let text_output = run(&[&token, "--secret", SECRET, "--at", &at(NOW)]);
    assert_exit(&text_output, 0);
    let text = stdout(&text_output);
    assert!(!has_raw_control(&text), "{text:?}");
    assert!(text.contains("name2\\u{85}"), "{text}");
}

// ---------------------------------------------------------------------------------------------------------
// Hostile input: confusion, missing keys, oversized and nested key material, terminal escapes
// ---------------------------------------------------------------------------------------------------------

#[test]
fn an_hs256_token_signed_with_the_public_pem_text_given_as_secret_exits_1_at_alg() {
    let pem = signing_key().public_pem();
    let token = hs256_with(pem.as_bytes(), &claims());
    let output = run(&[&token, "--secret", &pem, "--at", &at(NOW), "--json"]);
    assert_exit(&output, 1);
    let report = json_of(&output);
    assert_eq!(check(&report, "alg")["status"], "fail");
    assert!(
        check(&report, "alg")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("HS/RS confusion")),
        "{report:#}"
    );
    assert_eq!(report["valid"], false);
}

#[test]
fn an_expected_issuer_and_audience_without_a_key_exit_1_saying_the_signature_was_not_checked() {
    let forged = hs256_with(b"anyone can sign this", &claims());
    for json in [false, true] {
        let mut args = vec![forged.as_str(), "--iss", ISSUER, "--aud", AUDIENCE, "--at"];
        let now = at(NOW);
        args.push(&now);
        if json {
            args.push("--json");
        }
        let output = run(&args);
        assert_exit(&output, 1);
        assert!(
            stderr(&output)
                .contains("signature not checked: give a key (--secret, --key, --jwks-url or --discover --iss)"),
            "{}",
            stderr(&output)
        );
        if json {
            let report = json_of(&output);
            assert_eq!(report["valid"], false);
            assert_eq!(report["signature"]["status"], "unchecked");
            assert_eq!(check(&report, "signature")["status"], "fail");
        } else {
            assert!(
                stdout(&output).contains("FAILED at step \"signature\": signature not checked"),
                "{}",
                stdout(&output)
            );
        }
    }
}

/// An `x5c` holding `levels` nested DER SEQUENCEs with definite lengths (`30 82 ..`).
fn nested_x5c_token(levels: usize) -> String {
    let mut der: Vec<u8> = Vec::new();
    for _ in 0..levels {
        let len = der.len();
        let mut next = vec![0x30, 0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8];
        next.extend(der);
        der = next;
    }
    let header = json!({"alg": "RS256", "x5c": [base64::engine::general_purpose::STANDARD.encode(&der)]});
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims().to_string()),
        URL_SAFE_NO_PAD.encode([1u8; 256])
    )
}

#[test]
fn a_token_whose_x5c_nests_fifteen_thousand_sequences_is_reported_not_crashed_on() {
    let token = nested_x5c_token(15_000);
    let output = run_with_stdin(&["-", "--at", &at(NOW), "--json"], &token);
    assert_exit(&output, 0);
    let report = json_of(&output);
    assert_eq!(check(&report, "key")["status"], "fail");
    assert_eq!(report["valid"], false);
}

#[test]
fn standard_input_over_1_mib_exits_2_with_a_clear_message() {
    let huge = format!("{}.{}.sig", "e30", "A".repeat(1 << 20));
    let output = run_with_stdin(&["-"], &huge);
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("over 1 MiB"), "{}", stderr(&output));
}

#[test]
fn a_key_file_over_1_mib_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = write_file(dir.path(), "huge.pem", &"A".repeat((1 << 20) + 1));
    let output = run(&[&hs256(&claims()), "--key", &path, "--at", &at(NOW)]);
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("over 1 MiB"), "{}", stderr(&output));
}

#[test]
fn claims_carrying_terminal_escapes_are_printed_visibly_escaped() {
    let mut hostile = claims();
    hostile["\u{1b}[2J\u{1b}[H"] = json!("\u{1b}[32mVALID\u{1b}[0m\r\u{202e}\u{9b}");
    let token = hs256(&hostile);
    let output = run(&[&token, "--secret", SECRET, "--at", &at(NOW)]);
    let out = stdout(&output);
    assert!(
        !out.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
        "{out:?}"
    );
    assert!(out.contains("\\x1b[2J"), "{out}");
}

// ---------------------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------------------

#[test]
fn report_writes_markdown_with_the_claims_but_without_the_signature() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("report.md");
    let path_text = path.to_str().expect("UTF-8 path");
    let token = hs256(&claims());
    let output = run(&[&token, "--secret", SECRET, "--at", &at(NOW), "--report", path_text]);
    assert_exit(&output, 0);
    assert!(stderr(&output).contains("report written to"), "{}", stderr(&output));

    let markdown = std::fs::read_to_string(&path).expect("the report exists");
    assert!(markdown.starts_with("# Token report"), "{markdown}");
    assert!(markdown.contains("signature has been removed"), "{markdown}");
    assert!(markdown.contains("## Claims"), "{markdown}");
    assert!(markdown.contains("auth0|64f1c0ffee"), "{markdown}");
    assert!(markdown.contains(ISSUER), "{markdown}");
    assert!(markdown.contains("| Claim | Value | Meaning |"), "{markdown}");
    assert!(
        !markdown.contains(signature_segment(&token)),
        "the signature leaked:\n{markdown}"
    );
    assert!(!markdown.contains(&token), "the token leaked:\n{markdown}");
}

#[test]
fn the_readable_report_explains_claims_and_ends_the_verdict_with_valid() {
    let token = hs256(&claims());
    let output = run(&[&token, "--secret", SECRET, "--at", &at(NOW)]);
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert!(out.contains("Verdict"), "{out}");
    assert!(out.contains("VALID: every check passed"), "{out}");
    assert!(out.contains("Issuer"), "{out}");
    assert!(out.contains("Audience"), "{out}");
    assert!(out.contains("Expiration time"), "{out}");
    assert!(out.contains("2025-06-15"), "exp and iat are shown as dates: {out}");
    assert!(!out.contains(signature_segment(&token)), "{out}");
}

#[test]
fn the_readable_report_without_a_key_says_the_signature_was_not_checked() {
    let token = hs256(&claims());
    let output = run(&[&token, "--at", &at(NOW)]);
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert!(out.contains("DECODED: signature not checked"), "{out}");
    assert!(out.contains("Issuer"), "{out}");
}

#[test]
fn the_readable_report_of_a_failed_check_names_the_failing_step() {
    let token = hs256(&claims());
    let wrong = "another-forty-byte-secret-that-did-not-sign";
    let output = run(&[&token, "--secret", wrong, "--at", &at(NOW)]);
    assert_exit(&output, 1);
    let out = stdout(&output);
    assert!(out.contains("FAILED at step \"signature\""), "{out}");
}
