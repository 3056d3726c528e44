//! `tokenbench har` end to end on the fixtures of `tests/support/make-har.py`: every finding, the sanitised
//! copy read back, and the edges (truncated, not HAR, bad entries, base64 and invalid UTF-8 bodies, the
//! Firefox, Chrome and Safari shapes).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod har_fixtures;
mod process;

use har_fixtures::fixture;
use process::{text, tokenbench};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn har(args: &[&str]) -> Output {
    tokenbench().arg("har").args(args).env("TZ", "UTC").output().unwrap()
}

/// NDJSON lines of `tokenbench har FILE --json ARGS`.
fn json_lines(file: &Path, args: &[&str]) -> Vec<Value> {
    let out = har(&[&[file.to_str().unwrap(), "--json"], args].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Finding lines of the capture: `(code, entries)`.
fn findings() -> Vec<(String, Vec<u64>)> {
    json_lines(&fixture("capture.har"), &["--findings"])
        .into_iter()
        .filter_map(|line| {
            let code = line["finding"].as_str()?.to_owned();
            let entries = line["entries"].as_array()?.iter().filter_map(Value::as_u64).collect();
            Some((code, entries))
        })
        .collect()
}

fn has_finding(found: &[(String, Vec<u64>)], code: &str, entries: &[u64]) -> bool {
    found.iter().any(|(c, e)| c == code && e == entries)
}

#[test]
fn the_table_lists_every_entry_with_its_tokens_and_rate_limits() {
    let out = har(&[fixture("capture.har").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("tenant.example.auth0.com/oauth/token"), "{stdout}");
    assert!(
        stdout.contains("↓refresh_token") && stdout.contains("↑authorization (Bearer)"),
        "{stdout}"
    );
    assert!(stdout.contains("29/30 reset 1750000060"), "{stdout}");
    assert!(stdout.contains("21 entries read, 0 skipped"), "{stdout}");
    for secret in planted_values() {
        assert!(!stdout.contains(&secret), "the table shows a secret: {secret}");
    }
}

#[test]
fn json_gives_one_line_per_entry_and_auth0_only_and_search_filter() {
    let all = json_lines(&fixture("capture.har"), &[]);
    assert_eq!(all.len(), 21);
    assert_eq!(all[0]["index"], 1);
    assert_eq!(all[2]["rate_limit"]["remaining"], 29);
    let auth0 = json_lines(&fixture("capture.har"), &["--auth0-only"]);
    let paths: Vec<&str> = auth0.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert!(
        paths
            .iter()
            .all(|p| ["/authorize", "/oauth/token", "/delegation", "/userinfo"].contains(p)),
        "{paths:?}"
    );
    assert!(paths.contains(&"/delegation") && !paths.contains(&"/orders"));
    let found = json_lines(&fixture("capture.har"), &["--search", "INVALID_GRANT"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["index"], 11);
}

#[test]
fn every_finding_points_at_its_entries() {
    let found = findings();
    assert!(has_finding(&found, "sent_after_expiry", &[7]), "{found:?}");
    assert!(
        has_finding(&found, "rate_limited", &[14, 15, 16, 17, 18, 19]),
        "{found:?}"
    );
    // The window of the second 429 holds the whole burst and the first 429, not the sign-in 90 s earlier.
    assert!(
        has_finding(&found, "rate_limited", &[14, 15, 16, 17, 18, 19, 20]),
        "{found:?}"
    );
    assert!(has_finding(&found, "id_token_for_another_client", &[9]), "{found:?}");
    assert!(has_finding(&found, "access_token_to_foreign_host", &[6]), "{found:?}");
    assert!(has_finding(&found, "weak_id_token_algorithm", &[8]), "{found:?}");
    assert!(has_finding(&found, "refresh_token_reused", &[10, 11]), "{found:?}");
    assert!(has_finding(&found, "token_in_query", &[12]), "{found:?}");
    assert!(has_finding(&found, "clock_skew", &[13]), "{found:?}");
    assert_eq!(found.len(), 9, "no finding on the clean entries: {found:?}");
}

#[test]
fn lineage_links_the_refresh_token_of_the_sign_in_to_the_entries_that_spent_it() {
    let out = har(&[fixture("capture.har").to_str().unwrap(), "--findings"]);
    let stdout = text(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("refresh_token #"))
        .unwrap();
    assert!(
        line.contains("issued in entry 3 · response body · refresh_token"),
        "{line}"
    );
    assert!(
        line.contains("entry 10 · request body") && line.contains("entry 11 · request body"),
        "{line}"
    );
}

/// Every planted secret and JWT signature of the fixtures.
fn planted_values() -> Vec<String> {
    let planted: Value = serde_json::from_str(&std::fs::read_to_string(fixture("planted.json")).unwrap()).unwrap();
    let mut values = Vec::new();
    for (name, value) in planted.as_object().unwrap() {
        match value {
            Value::String(s) => values.push(s.clone()),
            Value::Array(items) if name == "signatures" => {
                values.extend(items.iter().map(|s| s.as_str().unwrap().to_owned()));
            }
            _ => {}
        }
    }
    assert!(values.len() > 20, "the generator planted secrets and signatures");
    values
}

/// The fields of an entry that survive sanitising: method, host, path, status, and its tokens' places.
fn shape(entry: &Value) -> Value {
    let tokens: Vec<Value> = entry["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["place"].clone())
        .collect();
    serde_json::json!([
        entry["method"],
        entry["host"],
        entry["path"],
        entry["status"],
        tokens,
        entry["rate_limit"]
    ])
}

#[test]
fn sanitise_removes_every_planted_secret_and_the_import_reads_the_same_entries() {
    for name in ["capture.har", "firefox.har", "safari.har"] {
        let dir = tempfile::tempdir().unwrap();
        let clean = dir.path().join("clean.har");
        let out = har(&[
            fixture(name).to_str().unwrap(),
            "--sanitize",
            "-o",
            clean.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let report = text(&out.stdout);
        assert!(report.contains("[redacted:sha256:"), "{report}");
        let written = std::fs::read_to_string(&clean).unwrap();
        for secret in planted_values() {
            let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            assert!(
                !written.contains(&secret) && !written.contains(&encoded),
                "{name}: {secret} left in the sanitised file"
            );
            assert!(!report.contains(&secret), "{name}: the report shows {secret}");
        }
        let before: Vec<Value> = json_lines(&fixture(name), &[]).iter().map(shape).collect();
        let after: Vec<Value> = json_lines(&clean, &[]).iter().map(shape).collect();
        assert_eq!(before, after, "{name}: the sanitised capture reads back the same");
    }
}

#[test]
fn sanitised_equal_secrets_keep_equal_markers_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.har");
    let capture = fixture("capture.har");
    assert!(
        har(&[capture.to_str().unwrap(), "--sanitize", "-o", clean.to_str().unwrap()])
            .status
            .success()
    );
    let codes = |lines: Vec<Value>| -> Vec<String> {
        let mut codes: Vec<String> = lines
            .iter()
            .filter_map(|l| l["finding"].as_str().map(str::to_owned))
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(
        codes(json_lines(&clean, &["--findings"])),
        codes(json_lines(&capture, &["--findings"]))
    );
}

#[test]
fn a_truncated_file_lists_what_it_could_and_says_where_it_ends() {
    let bytes = std::fs::read(fixture("capture.har")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.har");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = har(&[cut.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("truncated at byte {}", bytes.len() / 2)),
        "{stderr}"
    );
    assert!(
        text(&out.stdout).lines().count() > 3,
        "the entries before the cut are listed"
    );
    let sanitized = dir.path().join("never.har");
    let out = har(&[cut.to_str().unwrap(), "--sanitize", "-o", sanitized.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!sanitized.exists(), "a failed sanitise writes nothing");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file is left"
    );
}

#[test]
fn other_files_are_not_har_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in [
        ("other.json", "{\"foo\": 1}"),
        ("page.html", "<html></html>"),
        ("list.json", "[1]"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let out = har(&[path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(
            text(&out.stderr).contains("not a HAR file"),
            "{name}: {}",
            text(&out.stderr)
        );
    }
    let out = har(&[dir.path().join("missing.har").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot open"), "{}", text(&out.stderr));
}

#[test]
fn a_bad_entry_is_named_and_the_rest_is_read() {
    let out = har(&[fixture("bad-entry.har").to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("entry 2 was skipped") && stderr.contains("entry 3 was skipped"),
        "{stderr}"
    );
    let indexes: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["index"].to_string())
        .collect();
    assert_eq!(indexes, ["1", "4"]);
}

#[test]
fn base64_bodies_are_decoded_and_invalid_utf8_is_read_lossily() {
    let capture = json_lines(&fixture("capture.har"), &[]);
    assert!(
        capture[3]["notes"].as_array().unwrap().is_empty(),
        "the base64 userinfo body decodes"
    );
    assert_eq!(
        capture[20]["path"], "/logo.png",
        "a binary base64 body does not stop the reading"
    );
    let lossy = json_lines(&fixture("invalid-utf8.har"), &[]);
    assert_eq!(lossy.len(), 1);
    assert_eq!(lossy[0]["path"], "/caf%C3%A9");
}

#[test]
fn firefox_params_and_offsets_and_safari_gaps_are_read() {
    let firefox = json_lines(&fixture("firefox.har"), &[]);
    let fields: Vec<&str> = firefox[0]["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["place"]["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"refresh_token"),
        "postData.params are read: {fields:?}"
    );
    assert_eq!(
        firefox[0]["started_ms"], 1_750_000_000_500i64,
        "+02:00 is read as the same instant"
    );
    assert_eq!(firefox[0]["rate_limit"]["remaining"], 7);
    let safari = json_lines(&fixture("safari.har"), &[]);
    assert_eq!(safari[0]["rate_limit"]["remaining"], 3, "odd header case is read");
    assert_eq!(safari[0]["duration_ms"], Value::Null);
    let fragment = &safari[1]["tokens"][0]["place"];
    assert_eq!(fragment["carrier"], "url_fragment");
    assert_eq!(fragment["field"], "access_token");
}
