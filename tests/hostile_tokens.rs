//! A corpus of hostile inputs, each run through `analyse`, `verify`, `json_report` and both text report
//! styles: nothing panics, nothing recurses on attacker-chosen depth, and every verdict fails closed.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{KeyKind, NOW, b64url, hmac_token, jwks, key, raw_token};
use jiff::tz::TimeZone;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokenbench::core::jwt::analysis::{Analysis, analyse};
use tokenbench::core::jwt::key::{KeyInput, KeyMaterial, parse_key};
use tokenbench::core::jwt::report::{Style, json_report, text_report};
use tokenbench::core::jwt::verify::verify;
use tokenbench::core::jwt::{CheckStatus, Expectations, Inspection};

/// A 64-byte HMAC secret.
const SECRET: &str = "sJ3p9ZvR7xQ2mW8kT4nY6bH1cF5gD0aLeUoIiPzXyVwMqNrStBuCjEhKlGfAdOs";

/// Everything a user can trigger on one input: the analysis, `verify` on its own, and the three reports.
fn everything(raw: &str, key: Option<&KeyMaterial>, expect: &Expectations) -> (Analysis, [String; 3]) {
    let analysis = analyse(raw, key, expect, NOW);
    if let Inspection::Jwt(jwt) = &analysis.inspection {
        assert_eq!(
            analysis.verdict.as_ref(),
            Some(&verify(jwt, key, expect, NOW)),
            "analyse and verify agree"
        );
    }
    let json = json_report(&analysis).to_string();
    let text = text_report(&analysis, &TimeZone::UTC, Style::Text);
    let markdown = text_report(&analysis, &TimeZone::UTC, Style::Markdown);
    (analysis, [json, text, markdown])
}

fn secret(text: &str) -> KeyMaterial {
    parse_key(KeyInput::SecretText(text)).expect("a secret")
}

fn first_failure(analysis: &Analysis) -> (&'static str, String) {
    let failure = analysis
        .verdict
        .as_ref()
        .and_then(|v| v.first_failure())
        .unwrap_or_else(|| panic!("expected a failing step: {:#?}", analysis.verdict));
    (failure.name, failure.detail.to_string())
}

fn claims() -> Value {
    json!({"iss": "https://tenant.example.auth0.com/", "sub": "u", "iat": NOW - 60, "exp": NOW + 3600})
}

fn with_header(header: Value) -> String {
    raw_token(&header, &claims(), &b64url(&[7; 256]))
}

/// `levels` DER SEQUENCEs nested inside each other, each with a definite length.
fn nested_sequences(levels: usize) -> Vec<u8> {
    let mut der: Vec<u8> = Vec::new();
    for _ in 0..levels {
        let len = der.len();
        let mut header = vec![0x30];
        if len < 0x80 {
            header.push(len as u8);
        } else if len < 0x100 {
            header.extend([0x81, len as u8]);
        } else if len < 0x1_0000 {
            header.extend([0x82, (len >> 8) as u8, len as u8]);
        } else {
            header.extend([0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
        }
        header.extend(der);
        der = header;
    }
    der
}

/// A DER TLV with a definite length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else if len < 0x1_0000 {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend([0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
    out.extend(content);
    out
}

/// The PKCS#1 `RSAPublicKey` inside an SPKI: the content of its BIT STRING after the unused-bits byte.
fn rsa_public_key_der(spki: &[u8]) -> Vec<u8> {
    fn skip_header(der: &[u8]) -> (usize, usize) {
        let first = der[1] as usize;
        if first < 0x80 {
            (2, first)
        } else {
            let n = first & 0x7f;
            let len = der[2..2 + n].iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (2 + n, len)
        }
    }
    let (outer, _) = skip_header(spki);
    let inner = &spki[outer..];
    let (alg_header, alg_len) = skip_header(inner);
    let bit_string = &inner[alg_header + alg_len..];
    let (bs_header, bs_len) = skip_header(bit_string);
    bit_string[bs_header + 1..bs_header + bs_len].to_vec()
}

// --- 2. HS/RS confusion through the secret field ----------------------------------------------------------

#[test]
fn an_hs256_token_signed_with_public_key_material_given_as_a_secret_fails_at_alg() {
    let rsa = key(KeyKind::Rsa, 0);
    let pem = rsa.public_pem();
    let jwk = rsa.jwk_json(Some("k"), None);
    let set = jwks(&[rsa.jwk(Some("k"), None)]);
    let pkcs1 = rsa_public_key_der(&rsa.spki_der);
    let cases: Vec<(&str, Vec<u8>, KeyMaterial)> = vec![
        ("PEM text", pem.clone().into_bytes(), secret(&pem)),
        (
            "PEM text with CRLF",
            pem.replace('\n', "\r\n").into_bytes(),
            secret(&pem.replace('\n', "\r\n")),
        ),
        ("JWK text", jwk.clone().into_bytes(), secret(&jwk)),
        ("JWKS text", set.clone().into_bytes(), secret(&set)),
        (
            "SPKI DER in base64",
            rsa.spki_der.clone(),
            parse_key(KeyInput::SecretBase64(&STANDARD.encode(&rsa.spki_der))).expect("base64"),
        ),
        (
            "RSAPublicKey DER in base64",
            pkcs1.clone(),
            parse_key(KeyInput::SecretBase64(&b64url(&pkcs1))).expect("base64"),
        ),
        (
            "certificate DER in base64",
            rsa.certificate_der().to_vec(),
            parse_key(KeyInput::SecretBase64(&rsa.x5c())).expect("base64"),
        ),
        (
            "PEM in base64",
            pem.clone().into_bytes(),
            parse_key(KeyInput::SecretBase64(&STANDARD.encode(&pem))).expect("base64"),
        ),
    ];
    for (what, signing_bytes, material) in cases {
        let token = hmac_token(Algorithm::HS256, &signing_bytes, &claims());
        let (analysis, _) = everything(&token, Some(&material), &Expectations::default());
        let (step, detail) = first_failure(&analysis);
        assert_eq!(step, "alg", "{what}: {detail}");
        assert!(detail.contains("HS/RS confusion"), "{what}: {detail}");
        assert!(!analysis.passed(), "{what}");
    }
}

#[test]
fn an_ordinary_secret_and_an_oct_jwk_text_still_verify_hs256() {
    for text in [
        SECRET,
        r#"{"kty":"oct","k":"c2VjcmV0"}"#,
        "0\u{1}not der at all but starts with 0x30",
    ] {
        let token = hmac_token(Algorithm::HS256, text.as_bytes(), &claims());
        let (analysis, _) = everything(&token, Some(&secret(text)), &Expectations::default());
        assert!(analysis.passed(), "{text}: {:#?}", analysis.verdict);
    }
}

// --- 3. Malformed times ------------------------------------------------------------------------------------

#[test]
fn exp_and_nbf_that_are_not_numbers_fail_their_check_and_are_reported() {
    for claim in ["exp", "nbf"] {
        for bad in [json!("1"), Value::Null, json!([1]), json!({"s": 1}), json!(true)] {
            let mut payload = claims();
            payload[claim] = bad.clone();
            let token = hmac_token(Algorithm::HS256, SECRET.as_bytes(), &payload);
            let (analysis, [json, text, _]) = everything(&token, Some(&secret(SECRET)), &Expectations::default());
            let (step, detail) = first_failure(&analysis);
            assert_eq!(step, claim, "{claim}={bad}: {detail}");
            assert!(detail.contains("is not a NumericDate"), "{detail}");
            assert!(
                analysis.findings.iter().any(|f| f.code == "malformed_time_claim"),
                "{:?}",
                analysis.findings
            );
            assert!(!text.contains("never expires"), "{text}");
            assert!(json.contains("\"valid\":false"), "{json}");
        }
    }
}

#[test]
fn an_iat_that_is_not_a_number_fails_and_is_reported() {
    for bad in [json!("1"), Value::Null, json!([]), json!({}), json!(false)] {
        let mut payload = claims();
        payload["iat"] = bad.clone();
        let token = hmac_token(Algorithm::HS256, SECRET.as_bytes(), &payload);
        let (analysis, _) = everything(&token, Some(&secret(SECRET)), &Expectations::default());
        assert!(!analysis.passed(), "iat={bad}");
        assert_eq!(first_failure(&analysis).0, "iat");
        assert!(analysis.findings.iter().any(|f| f.code == "malformed_time_claim"));
    }
}

#[test]
fn huge_and_fractional_times_are_handled_without_panic() {
    for value in [
        json!(1e300),
        json!(-1e300),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1.5e9),
        json!(-0.0),
    ] {
        for claim in ["exp", "nbf", "iat"] {
            let mut payload = claims();
            payload[claim] = value.clone();
            let token = hmac_token(Algorithm::HS256, SECRET.as_bytes(), &payload);
            everything(&token, Some(&secret(SECRET)), &Expectations::default());
        }
    }
}

// --- 4. Expectations without a key -------------------------------------------------------------------------

#[test]
fn an_expected_issuer_or_audience_without_a_key_fails_at_signature() {
    let token = hmac_token(Algorithm::HS256, b"forged", &claims());
    for expect in [
        Expectations {
            issuer: Some("https://tenant.example.auth0.com/".into()),
            ..Expectations::default()
        },
        Expectations {
            audience: Some("u".into()),
            ..Expectations::default()
        },
    ] {
        let (analysis, [json, text, _]) = everything(&token, None, &expect);
        let (step, detail) = first_failure(&analysis);
        assert_eq!(step, "signature", "{detail}");
        assert!(detail.contains("signature not checked"), "{detail}");
        assert!(text.contains("FAILED at step \"signature\""), "{text}");
        assert!(json.contains("\"valid\":false"), "{json}");
    }
    let (bare, _) = everything(&token, None, &Expectations::default());
    assert!(bare.passed(), "without expectations a decode is not a failure");
}

// --- 5. Hostile key material -------------------------------------------------------------------------------

#[test]
fn an_x5c_of_fifteen_thousand_nested_sequences_is_refused_without_crashing() {
    let x5c = STANDARD.encode(nested_sequences(15_000));
    let token = with_header(json!({"alg": "RS256", "x5c": [x5c]}));
    let (analysis, _) = everything(&token, None, &Expectations::default());
    let (step, detail) = first_failure(&analysis);
    assert_eq!(step, "key", "{detail}");
}

#[test]
fn an_x5c_under_the_size_cap_but_nested_deeply_is_refused_by_the_der_walker() {
    let der = nested_sequences(2_000);
    let x5c = STANDARD.encode(&der);
    assert!(x5c.len() < 16 * 1024, "under the cap: {}", x5c.len());
    let token = with_header(json!({"alg": "RS256", "x5c": [x5c]}));
    let (analysis, _) = everything(&token, None, &Expectations::default());
    let (step, detail) = first_failure(&analysis);
    assert_eq!(step, "key");
    assert!(detail.contains("nest"), "{detail}");
}

#[test]
fn an_x5c_entry_over_16_kib_is_refused_before_decoding() {
    let x5c = "A".repeat(16 * 1024 + 4);
    let token = with_header(json!({"alg": "RS256", "x5c": [x5c]}));
    let (analysis, _) = everything(&token, None, &Expectations::default());
    let (step, detail) = first_failure(&analysis);
    assert_eq!(step, "key");
    assert!(detail.contains("16 KiB"), "{detail}");
}

/// A certificate-shaped DER value whose signature algorithm OID has `oid_bytes` content bytes.
fn certificate_with_long_oid(oid_bytes: usize) -> (Vec<u8>, Vec<u8>) {
    let mut oid = vec![0x2a];
    oid.extend(std::iter::repeat_n(0xff, oid_bytes));
    oid.push(0x01);
    let algorithm = tlv(0x30, &tlv(0x06, &oid));
    let spki = tlv(0x30, &[algorithm, tlv(0x03, &[0, 1, 2, 3])].concat());
    let cert = tlv(0x30, &[tlv(0x30, &spki), tlv(0x30, &[]), tlv(0x03, &[0])].concat());
    (cert, spki)
}

#[test]
fn a_certificate_or_key_with_a_long_oid_is_refused_quickly() {
    let started = Instant::now();
    let (cert, _) = certificate_with_long_oid(11_000);
    let x5c = STANDARD.encode(&cert);
    assert!(x5c.len() < 16 * 1024, "under the x5c cap: {}", x5c.len());
    let token = with_header(json!({"alg": "RS256", "x5c": [x5c]}));
    let (analysis, _) = everything(&token, None, &Expectations::default());
    assert_eq!(first_failure(&analysis).0, "key");

    // Before the DER walk, jsonwebtoken's ASN.1 parser took minutes over an OID this long (quadratic).
    let (_, spki) = certificate_with_long_oid(600_000);
    let pem = tokenbench::core::jwt::decode::pem_block("PUBLIC KEY", &spki);
    if let Ok(material) = parse_key(KeyInput::KeyText(&pem)) {
        let (with_key, _) = everything(&token, Some(&material), &Expectations::default());
        assert_eq!(first_failure(&with_key).0, "key");
    }
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn a_pem_key_of_deeply_nested_sequences_fails_at_key_without_crashing() {
    let text = tokenbench::core::jwt::decode::pem_block("PUBLIC KEY", &nested_sequences(15_000));
    let token = with_header(json!({"alg": "RS256"}));
    match parse_key(KeyInput::KeyText(&text)) {
        Ok(material) => {
            let (analysis, _) = everything(&token, Some(&material), &Expectations::default());
            assert_eq!(first_failure(&analysis).0, "key");
        }
        Err(e) => assert!(e.to_string().contains("nest"), "{e}"),
    }
}

#[test]
fn key_text_over_1_mib_is_refused() {
    let text = format!(
        "{{\"keys\":[{}]}}",
        vec!["{\"kty\":\"oct\",\"k\":\"AA\"}"; 50_000].join(",")
    );
    assert!(text.len() > 1 << 20);
    let error = parse_key(KeyInput::KeyText(&text)).expect_err("too large");
    assert!(error.to_string().contains("1 MiB"), "{error}");
}

// --- 6. Escaping -------------------------------------------------------------------------------------------

/// Characters that can rewrite a terminal or reorder what it shows.
fn dangerous(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && c != '\n') || n == 0x7f || (0x80..=0x9f).contains(&n) || is_bidi(c)
}

fn is_bidi(c: char) -> bool {
    matches!(c as u32, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c)
}

const NASTY: &str = "x\u{1b}[2J\u{1b}[HVALID: every check passed\r\n\t\u{7}\u{7f}\u{9b}31m\u{202e}gpj.exe\u{2066}";

fn hostile_claims_token() -> String {
    let mut payload = claims();
    payload[NASTY] = json!(NASTY);
    payload["md"] = json!(
        "`` ` ``<img src=x onerror=alert(1)> [click](https://evil.example) ![i](https://evil.example/i.png) | col"
    );
    payload["iss"] = json!(format!("https://evil\u{1b}]8;;https://x\u{7}/"));
    raw_token(
        &json!({"alg": "HS256", NASTY: NASTY, "kid": NASTY}),
        &payload,
        &b64url(&[1; 32]),
    )
}

#[test]
fn the_text_report_escapes_terminal_controls_everywhere() {
    let token = hostile_claims_token();
    for key in [None, Some(secret(SECRET))] {
        let expect = Expectations {
            issuer: Some(NASTY.into()),
            audience: Some(NASTY.into()),
            ..Expectations::default()
        };
        let (_, [_, text, _]) = everything(&token, key.as_ref(), &expect);
        let bad: Vec<char> = text.chars().filter(|c| dangerous(*c)).collect();
        assert!(bad.is_empty(), "raw controls {bad:?} in\n{text}");
        assert!(text.contains("\\u{1b}") || text.contains("\\x1b"), "{text}");
        assert!(text.contains("\\u{202e}"), "{text}");
        assert!(!text.lines().any(|l| l.starts_with("VALID")), "{text}");
    }
}

/// The text of a Markdown line outside its code spans (CommonMark: a run of N backticks opens a span
/// that the next run of exactly N backticks closes).
fn outside_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + run;
        let mut closed = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let other = chars[j..].iter().take_while(|c| **c == '`').count();
                if other == run {
                    closed = Some(j + other);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match closed {
            Some(end) => i = end,
            None => {
                out.extend(std::iter::repeat_n('`', run));
                i += run;
            }
        }
    }
    out
}

#[test]
fn the_markdown_report_keeps_values_inside_unbreakable_code_spans() {
    let token = hostile_claims_token();
    let (_, [_, _, markdown]) = everything(&token, Some(&secret(SECRET)), &Expectations::default());
    let bad: Vec<char> = markdown.chars().filter(|c| dangerous(*c)).collect();
    assert!(bad.is_empty(), "raw controls {bad:?} in\n{markdown}");
    let mut in_fence: Option<usize> = None;
    for line in markdown.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match in_fence {
            Some(open) if ticks >= open && line[ticks..].trim().is_empty() => in_fence = None,
            Some(_) => continue,
            None if ticks >= 3 => {
                in_fence = Some(ticks);
                continue;
            }
            None => {}
        }
        let prose = outside_code_spans(line);
        for needle in ["<img", "](", "<", "VALID"] {
            assert!(
                !prose.contains(needle),
                "{needle:?} outside a code span in line:\n{line}\n\n{markdown}"
            );
        }
    }
    assert!(in_fence.is_none(), "a code block was left open:\n{markdown}");
    assert_eq!(markdown.matches("\n## Findings").count(), 1, "{markdown}");
}

// --- 7. JWK use and key_ops, and JWKS that expose private keys -------------------------------------------

#[test]
fn a_jwk_meant_for_encryption_or_without_verify_is_not_used_to_verify() {
    let rsa = key(KeyKind::Rsa, 0);
    let token = rsa.sign(Algorithm::RS256, Some("k"), &claims());
    let mut enc = rsa.jwk(Some("k"), None);
    enc["use"] = json!("enc");
    let mut sign_only = rsa.jwk(Some("k"), None);
    sign_only["key_ops"] = json!(["sign", "encrypt"]);
    for (what, jwk) in [("use=enc", enc.clone()), ("key_ops without verify", sign_only.clone())] {
        for text in [jwk.to_string(), jwks(std::slice::from_ref(&jwk))] {
            let material = parse_key(KeyInput::KeyText(&text)).expect("a JWK");
            let (analysis, _) = everything(&token, Some(&material), &Expectations::default());
            let (step, detail) = first_failure(&analysis);
            assert_eq!(step, "key", "{what}: {detail}");
            assert!(detail.contains("use") || detail.contains("key_ops"), "{what}: {detail}");
        }
    }
    let mut verify_ok = rsa.jwk(Some("k"), None);
    verify_ok["key_ops"] = json!(["verify"]);
    verify_ok["use"] = json!("sig");
    let material = parse_key(KeyInput::KeyText(&verify_ok.to_string())).expect("a JWK");
    assert!(everything(&token, Some(&material), &Expectations::default()).0.passed());
}

#[test]
fn a_jwks_without_kid_skips_encryption_keys_and_names_why() {
    let rsa = key(KeyKind::Rsa, 0);
    let token = rsa.sign(Algorithm::RS256, None, &claims());
    let mut enc = rsa.jwk(None, None);
    enc["use"] = json!("enc");
    let material = parse_key(KeyInput::KeyText(&jwks(&[enc]))).expect("a JWKS");
    let (analysis, _) = everything(&token, Some(&material), &Expectations::default());
    let (step, detail) = first_failure(&analysis);
    assert_eq!(step, "key");
    assert!(detail.contains("use"), "{detail}");
}

#[test]
fn a_jwks_publishing_private_or_symmetric_keys_is_reported() {
    let rsa = key(KeyKind::Rsa, 0);
    let token = rsa.sign(Algorithm::RS256, Some("k"), &claims());
    let mut private = rsa.jwk(Some("k"), None);
    private["d"] = json!("c2VjcmV0");
    for set in [
        jwks(&[private]),
        jwks(&[
            rsa.jwk(Some("k"), None),
            json!({"kty": "oct", "kid": "s", "k": "c2VjcmV0"}),
        ]),
    ] {
        let material = parse_key(KeyInput::KeyText(&set)).expect("a JWKS");
        let (analysis, _) = everything(&token, Some(&material), &Expectations::default());
        assert!(
            analysis.findings.iter().any(|f| f.code == "jwks_exposes_private_key"),
            "{set}: {:?}",
            analysis.findings
        );
    }
}

#[test]
fn keys_sharing_a_kid_are_chosen_by_key_type_use_and_alg() {
    let rsa = key(KeyKind::Rsa, 0);
    let token = rsa.sign(Algorithm::RS256, Some("k"), &claims());
    let oct = json!({"kty": "oct", "kid": "k", "k": "c2VjcmV0"});
    let mut enc = rsa.jwk(Some("k"), None);
    enc["use"] = json!("enc");
    let mut ps256 = rsa.jwk(Some("k"), Some(Algorithm::PS256));
    ps256["use"] = json!("sig");
    let genuine = rsa.jwk(Some("k"), Some(Algorithm::RS256));
    for set in [
        jwks(&[oct.clone(), genuine.clone()]),
        jwks(&[enc, ps256, oct, genuine.clone()]),
    ] {
        let material = parse_key(KeyInput::KeyText(&set)).expect("a JWKS");
        let (analysis, _) = everything(&token, Some(&material), &Expectations::default());
        assert!(analysis.passed(), "{set}: {:?}", first_failure(&analysis));
    }
    let twice = parse_key(KeyInput::KeyText(&jwks(&[genuine.clone(), genuine]))).expect("a JWKS");
    let (analysis, _) = everything(&token, Some(&twice), &Expectations::default());
    let (step, detail) = first_failure(&analysis);
    assert_eq!(step, "key", "{detail}");
    assert!(detail.contains("2 keys with kid=k"), "{detail}");
}

#[test]
fn an_oct_key_from_a_fetched_jwks_never_verifies_hmac_but_a_local_one_does() {
    let token = common::sign(
        &common::header(Algorithm::HS256, Some("k")),
        &claims(),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    );
    let set = jwks(&[json!({"kty": "oct", "kid": "k", "k": b64url(SECRET.as_bytes())})]);
    let local = parse_key(KeyInput::KeyText(&set)).expect("a JWKS");
    let (analysis, _) = everything(&token, Some(&local), &Expectations::default());
    assert!(analysis.passed(), "{:?}", first_failure(&analysis));
    let key_step = analysis
        .verdict
        .as_ref()
        .and_then(|v| v.checks.iter().find(|c| c.name == "key"));
    assert!(key_step.is_some_and(|c| c.detail.contains("oct key") && c.detail.contains("local")));

    let fetched = local.fetched_from("https://tenant.example.auth0.com/.well-known/jwks.json");
    let (analysis, reports) = everything(&token, Some(&fetched), &Expectations::default());
    let (step, detail) = first_failure(&analysis);
    assert_eq!(step, "key", "{detail}");
    assert!(detail.contains("an HMAC key published in a JWKS is public"), "{detail}");
    assert!(reports[0].contains("\"valid\":false"), "{}", reports[0]);
}

// --- 8. JSON ok ----------------------------------------------------------------------------------------------

#[test]
fn in_json_only_passed_checks_are_ok() {
    let token = hmac_token(Algorithm::HS256, SECRET.as_bytes(), &claims());
    for key in [None, Some(secret(SECRET)), Some(secret("wrong"))] {
        let (_, [json, _, _]) = everything(&token, key.as_ref(), &Expectations::default());
        let report: Value = serde_json::from_str(&json).expect("JSON");
        for check in report["checks"].as_array().expect("checks") {
            assert_eq!(check["ok"], json!(check["status"] == "pass"), "{check}");
        }
    }
}

// --- Structure: truncation, size, encoding, depth ------------------------------------------------------------

#[test]
fn truncated_oversized_and_non_utf8_segments_never_panic_and_never_pass_with_a_key() {
    let good = hmac_token(Algorithm::HS256, SECRET.as_bytes(), &claims());
    let mut inputs: Vec<String> = (0..good.len()).step_by(7).map(|n| good[..n].to_owned()).collect();
    inputs.push(format!("{good}.")); // four segments
    inputs.push(format!(
        "{}.{}.{}",
        b64url(b"{\"alg\":\"HS256\"}"),
        b64url(&[0xff, 0xfe, 0x00]),
        "sig"
    ));
    inputs.push(format!("{}.{}.sig", b64url(&[0xc3, 0x28]), b64url(b"{}")));
    inputs.push(format!(
        "{}.{}.sig",
        b64url(b"{\"alg\":\"HS256\"}"),
        "A".repeat(3 << 20)
    ));
    inputs.push(format!("{}.{}.{}", "e30", "e30", "!".repeat(100_000)));
    inputs.push("..".to_owned());
    inputs.push(".".repeat(100_000));
    let material = secret(SECRET);
    for raw in &inputs {
        let (analysis, _) = everything(raw, Some(&material), &Expectations::default());
        if raw != &good {
            assert!(
                !analysis.passed() || analysis.verdict.is_none(),
                "{}",
                &raw[..raw.len().min(80)]
            );
        }
    }
}

#[test]
fn deeply_nested_json_and_ten_thousand_character_names_are_reported_without_recursion_trouble() {
    let deep_ok = format!("{}1{}", "[".repeat(120), "]".repeat(120));
    let too_deep = format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000));
    let long_name = "n".repeat(10_000);
    let header = b64url(b"{\"alg\":\"HS256\"}");
    let payloads = [
        format!("{{\"deep\":{deep_ok},\"exp\":{deep_ok}}}"),
        format!("{{\"deep\":{too_deep}}}"),
        format!("{{\"{long_name}\":\"{long_name}\",\"iss\":\"{long_name}\"}}"),
        format!("{{\"exp\":{}}}", "9".repeat(5_000)),
        format!("{{\"exp\":-{}e999}}", "9".repeat(50)),
    ];
    for payload in payloads {
        let raw = format!("{header}.{}.{}", b64url(payload.as_bytes()), b64url(&[1; 32]));
        let (analysis, [json, text, markdown]) = everything(&raw, Some(&secret(SECRET)), &Expectations::default());
        assert!(!analysis.passed() || !json.contains("\"valid\":true"));
        assert!(!text.is_empty() && !markdown.is_empty());
    }
}

#[test]
fn a_token_signed_correctly_with_hostile_claims_still_verifies_but_prints_safely() {
    let mut payload = claims();
    payload[NASTY] = json!(NASTY);
    let token = hmac_token(Algorithm::HS256, SECRET.as_bytes(), &payload);
    let (analysis, [_, text, _]) = everything(&token, Some(&secret(SECRET)), &Expectations::default());
    assert!(analysis.passed(), "{:#?}", analysis.verdict);
    assert!(!text.chars().any(dangerous), "{text}");
    let skipped = analysis
        .verdict
        .as_ref()
        .map(|v| v.checks.iter().filter(|c| c.status == CheckStatus::Skip).count());
    assert!(skipped.is_some());
}
