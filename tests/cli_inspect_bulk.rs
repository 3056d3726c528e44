//! `tokenbench inspect --lines` and `--scan` end to end, on the real binary. The contract checked here:
//! each `--lines` output line is, byte for byte, the `inspect TOKEN --json` output of its input line with the
//! whitespace between JSON tokens removed; `--scan` reports each JWT with its line, column and byte offset.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;
mod process;

use common::{KeyKind, NOW, hmac_token, jwks, key, raw_token};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

const SECRET: &str = "a-forty-byte-secret-for-hs256-tests-only";
const ISSUER: &str = "https://tenant.example.auth0.com/";
const KID: &str = "signing-key";
const LINES: usize = 1_000;

fn command(args: &[&str]) -> Command {
    process::inspect(args)
}

fn run(args: &[&str]) -> Output {
    process::inspect_output(args)
}

fn run_with_stdin(args: &[&str], input: &str) -> Output {
    process::output_with_stdin(command(args), input)
}

#[track_caller]
fn assert_exit(output: &Output, expected: i32) {
    assert_eq!(
        output.status.code(),
        Some(expected),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8(output.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `json` without the whitespace between its tokens (what `jq -c` prints), byte for byte otherwise.
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c.is_whitespace() {
            continue;
        } else {
            in_string = c == '"';
        }
        out.push(c);
    }
    out
}

/// What `inspect TOKEN --json KEY_ARGS` prints, minified.
fn single_json(token: &str, key_args: &[&str]) -> String {
    let mut args = vec!["--json", "--at", "1750000000"];
    args.extend_from_slice(key_args);
    args.extend_from_slice(&["--", token]);
    let output = run(&args);
    minify(std::str::from_utf8(&output.stdout).expect("stdout is UTF-8"))
}

fn claims(sub: &str, iat: i64, nbf: i64, exp: i64) -> Value {
    json!({"iss": ISSUER, "sub": sub, "aud": "https://api.example.com", "iat": iat, "nbf": nbf, "exp": exp})
}

/// About thirty distinct inputs: valid, expired, not-yet-valid HS256 and RS256 tokens, a token signed with
/// another secret, an RS256 token with an unknown kid, unsecured and broken tokens, garbage and blank lines.
fn distinct_inputs() -> Vec<String> {
    let rsa = key(KeyKind::Rsa, 0);
    let other_rsa = key(KeyKind::Rsa, 1);
    let mut inputs = Vec::new();
    for (n, (iat, nbf, exp)) in [
        (NOW - 60, NOW - 60, NOW + 3600),
        (NOW - 7200, NOW - 7200, NOW - 3600),
        (NOW + 600, NOW + 600, NOW + 7200),
        (NOW - 60, NOW - 60, NOW + 30),
    ]
    .into_iter()
    .enumerate()
    {
        let c = claims(&format!("auth0|user{n}"), iat, nbf, exp);
        inputs.push(hmac_token(Algorithm::HS256, SECRET.as_bytes(), &c));
        inputs.push(hmac_token(Algorithm::HS384, SECRET.as_bytes(), &c));
        inputs.push(rsa.sign(Algorithm::RS256, Some(KID), &c));
        inputs.push(rsa.sign(Algorithm::PS256, Some(KID), &c));
        inputs.push(other_rsa.sign(Algorithm::RS256, Some("unknown-kid"), &c));
    }
    let c = claims("auth0|other", NOW - 60, NOW - 60, NOW + 3600);
    inputs.push(hmac_token(
        Algorithm::HS256,
        b"another-forty-byte-secret-for-the-tests!",
        &c,
    ));
    inputs.push(rsa.sign(Algorithm::RS256, None, &c));
    inputs.push(raw_token(&json!({"alg": "none"}), &c, ""));
    inputs.push(format!("Bearer {}", inputs[0]));
    inputs.push(format!("{}x", inputs[2]));
    inputs.push("eyJhbGciOiJIUzI1NiJ9.not*base64.sig".to_owned());
    inputs.extend(
        [
            "",
            "   ",
            "not a token",
            "a.b.c",
            "abc.def",
            "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d",
        ]
        .map(str::to_owned),
    );
    inputs
}

/// `LINES` lines drawn from the distinct inputs in a scrambled but fixed order.
fn mixed_lines(distinct: &[String]) -> Vec<&str> {
    (0..LINES)
        .map(|i| distinct[(i * 7 + i / 13) % distinct.len()].as_str())
        .collect()
}

fn write_file(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("the test file is written");
    path.to_str().expect("temp paths are UTF-8").to_owned()
}

#[test]
fn lines_output_equals_per_token_json_for_a_thousand_mixed_lines() {
    let dir = tempfile::tempdir().unwrap();
    let jwks_path = write_file(
        dir.path(),
        "jwks.json",
        &jwks(&[key(KeyKind::Rsa, 0).jwk(Some(KID), Some(Algorithm::RS256))]),
    );
    let distinct = distinct_inputs();
    let lines = mixed_lines(&distinct);
    let file = write_file(dir.path(), "tokens.txt", &(lines.join("\n") + "\n"));
    for key_args in [vec!["--secret", SECRET], vec!["--key", jwks_path.as_str()], vec![]] {
        let expected: HashMap<&str, String> = distinct
            .iter()
            .map(|t| (t.as_str(), single_json(t, &key_args)))
            .collect();
        let mut args = vec!["--lines", file.as_str(), "--at", "1750000000"];
        args.extend_from_slice(&key_args);
        let output = run(&args);
        assert_exit(&output, 1);
        let got = stdout_lines(&output);
        assert_eq!(got.len(), LINES, "one output line per input line with {key_args:?}");
        for (n, (line, input)) in got.iter().zip(&lines).enumerate() {
            assert_eq!(line, &expected[input], "line {} ({input:?}) with {key_args:?}", n + 1);
        }
    }
}

#[test]
fn lines_counts_blank_and_garbage_lines_and_exits_zero_when_all_pass() {
    let token = hmac_token(
        Algorithm::HS256,
        SECRET.as_bytes(),
        &claims("u", NOW - 60, NOW - 60, NOW + 3600),
    );
    let all_good = format!("{token}\r\n{token}\n");
    let output = run_with_stdin(&["--lines", "-", "--secret", SECRET, "--at", "1750000000"], &all_good);
    assert_exit(&output, 0);
    assert_eq!(
        stdout_lines(&output),
        vec![single_json(&token, &["--secret", SECRET]); 2]
    );
    let with_blank = format!("{token}\n\nnot a token\n");
    let output = run_with_stdin(&["--lines", "--at", "1750000000"], &with_blank);
    assert_exit(&output, 1);
    let kinds: Vec<Value> = stdout_lines(&output)
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["kind"].clone())
        .collect();
    assert_eq!(kinds, [json!("jwt"), json!("empty"), json!("opaque")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("3 lines: 1 passed, 0 failed a check, 2 not a JWT"),
        "{stderr}"
    );
}

/// A log with tokens in a query string, an Authorization header inside JSON, a sentence and at a line start.
fn synthetic_log(a: &str, b: &str) -> (String, Vec<(usize, usize, &'static str)>) {
    let log = format!(
        "2025-06-15T15:06:40Z INFO GET /callback?code=x&id_token={a}&state=s\n\
         2025-06-15T15:06:41Z DEBUG headers {{\"authorization\":\"Bearer {b}\",\"accept\":\"*/*\"}}\n\
         no token here: example.com v1.2.3 a.b.c\n\
         ticket #42 (über-urgent): the user pasted {b}.\n\
         {a}\n"
    );
    let expected = vec![(1, 57, "a"), (2, 61, "b"), (4, 43, "b"), (5, 1, "a")];
    (log, expected)
}

#[test]
fn scan_finds_each_token_with_its_line_column_and_offset() {
    let claims_now = claims("u", NOW - 60, NOW - 60, NOW + 3600);
    let a = hmac_token(Algorithm::HS256, SECRET.as_bytes(), &claims_now);
    let b = key(KeyKind::Rsa, 0).sign(Algorithm::RS256, Some(KID), &claims_now);
    let (log, expected) = synthetic_log(&a, &b);
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "app.log", &log);
    let output = run(&["--scan", &file, "--secret", SECRET, "--at", "1750000000"]);
    assert_exit(&output, 1);
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(
        !stdout.contains(&a) && !stdout.contains(&b),
        "whole tokens only with --show-tokens"
    );
    let found = stdout_lines(&output);
    assert_eq!(found.len(), expected.len(), "{stdout}");
    for (line, (want_line, want_column, which)) in found.iter().zip(expected) {
        let token = if which == "a" { &a } else { &b };
        let value: Value = serde_json::from_str(line).unwrap();
        let offset = value["offset"].as_u64().unwrap() as usize;
        assert_eq!(
            (value["line"].as_u64(), value["column"].as_u64()),
            (Some(want_line as u64), Some(want_column as u64)),
            "{line}"
        );
        assert_eq!(&log[offset..offset + token.len()], token.as_str(), "offset of {line}");
        assert_eq!(value["token_prefix"], format!("{}…", &token[..10]));
        // `result` is the last member: its text is the rest of the line without the closing brace.
        let (_, result) = line.split_once(",\"result\":").unwrap();
        let result = result.strip_suffix('}').unwrap();
        assert_eq!(result, single_json(token, &["--secret", SECRET]), "result of {line}");
    }
}

#[test]
fn scan_reads_standard_input_and_shows_tokens_only_when_asked() {
    let a = hmac_token(
        Algorithm::HS256,
        SECRET.as_bytes(),
        &claims("u", NOW - 60, NOW - 60, NOW + 3600),
    );
    let (log, expected) = synthetic_log(&a, &a);
    let output = run_with_stdin(
        &["--scan", "-", "--show-tokens", "--secret", SECRET, "--at", "1750000000"],
        &log,
    );
    assert_exit(&output, 0);
    let found = stdout_lines(&output);
    assert_eq!(found.len(), expected.len());
    for line in &found {
        let value: Value = serde_json::from_str(line).unwrap();
        assert_eq!(value["token"], a.as_str());
        assert_eq!(value["result"]["valid"], true);
    }
    let none = run_with_stdin(&["--scan", "-"], "nothing to see: a.b.c\n");
    assert_exit(&none, 2);
    assert!(String::from_utf8_lossy(&none.stderr).contains("no JWT found in standard input"));
}

#[test]
fn an_unreadable_file_is_a_clear_error() {
    for flag in ["--lines", "--scan"] {
        let output = run(&[flag, "/nonexistent/tokens.txt"]);
        assert_exit(&output, 2);
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("could not open /nonexistent/tokens.txt") && stderr.contains("give a readable text file"),
            "{stderr}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["--lines", dir.path().to_str().unwrap()]);
    assert_exit(&output, 2);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("could not read"),
        "{output:?}"
    );
}
