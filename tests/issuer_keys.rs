//! The local issuer's signing keys as Auth0 publishes them, over real loopback HTTP: the self-signed
//! certificate behind each JWKS key's `x5c` and `x5t` (read back by jsonwebtoken and, when installed, openssl),
//! the Management API's signing-key routes on the admin token (rotate, revoke the previous key, refusals), the
//! admin clock's range checks, and `tokenbench serve --admin` with its token from the environment.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod issuer;
mod process;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use issuer::*;
use jsonwebtoken::{Algorithm, DecodingKey};
use reqwest::Method;
use serde_json::{Value, json};
use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

const ROTATE: &str = "/api/v2/keys/signing/rotate";
const KEYS: &str = "/api/v2/keys/signing";
/// 2025-06-15T15:06:40Z, the simulated [`NOW`] as Auth0 writes dates.
const NOW_ISO: &str = "2025-06-15T15:06:40.000Z";

async fn call(running: &Running, method: Method, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = running.http.request(method, running.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let (status, _, body) = read(request.send().await.unwrap()).await;
    (status, body)
}

async fn revoke(running: &Running, kid: &str, token: &str) -> (u16, Value) {
    call(running, Method::PUT, &format!("{KEYS}/{kid}/revoke"), Some(token)).await
}

async fn move_clock(running: &Running, token: &str, body: Value) -> (u16, Value) {
    let request = running
        .http
        .post(running.url("/admin/clock"))
        .bearer_auth(token)
        .json(&body);
    let (status, _, body) = read(request.send().await.unwrap()).await;
    (status, body)
}

/// An RS256 access token of demo-m2m, signed with the current key.
async fn m2m_token(running: &Running) -> String {
    let secret = running.secret("client_secret/demo/demo-m2m");
    let (status, _, body) = running
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "demo-m2m"),
                ("client_secret", secret.expose()),
                ("audience", "https://api.demo.local/"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

async fn jwks(running: &Running) -> Vec<Value> {
    running.get("/.well-known/jwks.json").await["keys"]
        .as_array()
        .unwrap()
        .clone()
}

async fn kids(running: &Running) -> Vec<String> {
    let keys = jwks(running).await;
    keys.iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

fn certificate_der(jwk: &Value) -> Vec<u8> {
    let x5c = jwk["x5c"].as_array().expect("x5c is an array");
    assert_eq!(x5c.len(), 1, "x5c holds one certificate: {jwk}");
    STANDARD
        .decode(x5c[0].as_str().unwrap())
        .expect("x5c is padded standard base64")
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Verifies `token` with the public key inside a certificate, parsed by jsonwebtoken.
fn verifies_with_certificate(token: &str, pem: &str) -> bool {
    let key = DecodingKey::from_rsa_pem(pem.as_bytes()).expect("jsonwebtoken reads the certificate");
    let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &key, &validation).is_ok()
}

fn pem_of(der: &[u8]) -> String {
    let lines: Vec<String> = STANDARD
        .encode(der)
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// `openssl` with `args`, the certificate in `dir/cert.pem`; `None` (and a note) when openssl is absent.
fn openssl(dir: &std::path::Path, args: &[&str]) -> Option<String> {
    let output = match process::without_proxies("openssl").current_dir(dir).args(args).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("skipping the openssl checks: openssl is not on PATH");
            return None;
        }
        Err(e) => panic!("openssl could not run: {e}"),
    };
    let text = process::text(&output.stdout) + &process::text(&output.stderr);
    assert!(output.status.success(), "openssl {args:?} failed: {text}");
    Some(text)
}

/// Reads the certificate with openssl: its key is the JWK's n and e, and it is built as Auth0 builds it.
fn check_with_openssl(jwk: &Value, der: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cert.pem"), pem_of(der)).unwrap();
    let x509 = ["x509", "-in", "cert.pem", "-noout"];
    let fields = [
        "-modulus", "-serial", "-subject", "-issuer", "-dates", "-dateopt", "iso_8601",
    ];
    let Some(summary) = openssl(dir.path(), &[&x509[..], &fields, &["-nameopt", "RFC2253"]].concat()) else {
        return;
    };
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
    assert!(summary.contains(&format!("Modulus={}\n", hex_upper(&n))), "{summary}");
    let serial = summary.lines().find_map(|l| l.strip_prefix("serial=")).unwrap();
    assert_eq!(serial.len(), 18, "a 9-byte serial: {summary}");
    assert!(
        summary.contains("subject=CN=127.0.0.1\nissuer=CN=127.0.0.1\n"),
        "{summary}"
    );
    let until = jiff::Timestamp::from_second(NOW + 5000 * 86_400).unwrap();
    let dates = format!(
        "notBefore=2025-06-15 15:06:40Z\nnotAfter={}\n",
        until.strftime("%Y-%m-%d %H:%M:%SZ")
    );
    assert!(
        summary.contains(&dates),
        "valid for 5000 days from the issuer's clock: {summary}"
    );
    let text = openssl(dir.path(), &[&x509[..], &["-text"]].concat()).unwrap();
    assert_eq!(jwk["e"], "AQAB");
    for expected in [
        "Version: 3 (0x2)",
        "Signature Algorithm: sha256WithRSAEncryption",
        "Public-Key: (2048 bit)",
        "Exponent: 65537 (0x10001)",
        "X509v3 Basic Constraints: critical\n                CA:TRUE",
        "X509v3 Key Usage: critical\n                Digital Signature, Certificate Sign\n",
        "X509v3 Subject Key Identifier:",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }
    let verified = openssl(dir.path(), &["verify", "-CAfile", "cert.pem", "cert.pem"]).unwrap();
    assert!(
        verified.contains("cert.pem: OK"),
        "self-signed by its own key: {verified}"
    );
}

#[tokio::test]
async fn every_jwks_key_carries_a_self_signed_certificate_of_its_own_key_and_its_sha1_thumbprint() {
    let running = start_demo().await;
    let keys = jwks(&running).await;
    assert_eq!(keys.len(), 2, "current and next");
    for jwk in &keys {
        let members: Vec<&str> = jwk.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            members,
            ["alg", "kty", "use", "n", "e", "kid", "x5t", "x5c"],
            "Auth0's order"
        );
        let der = certificate_der(jwk);
        let sha1 = digest(&SHA1_FOR_LEGACY_USE_ONLY, &der);
        assert_eq!(
            jwk["x5t"],
            URL_SAFE_NO_PAD.encode(sha1.as_ref()),
            "x5t is the SHA-1 of the DER"
        );
        check_with_openssl(jwk, &der);
    }
    let token = m2m_token(&running).await;
    assert_eq!(kid_of(&token), keys[0]["kid"]);
    assert!(verifies_with_certificate(&token, &pem_of(&certificate_der(&keys[0]))));
    assert!(
        !verifies_with_certificate(&token, &pem_of(&certificate_der(&keys[1]))),
        "the next key's certificate holds another key"
    );
    let material = tokenbench::core::jwt::key::parse_key_text(&json!({ "keys": keys }).to_string()).unwrap();
    let tokenbench::core::jwt::key::KeyMaterial::Jwks {
        keys: read,
        unreadable,
        exposed,
        ..
    } = material
    else {
        panic!("the inspector reads the served JWKS as a key set");
    };
    assert_eq!((read.len(), unreadable.len(), exposed.len()), (2, 0, 0));
}

#[tokio::test]
async fn rotating_through_the_admin_route_signs_with_the_former_next_key_and_publishes_three() {
    let (running, token) = start_admin(false).await;
    let before = kids(&running).await;
    let (status, rotated) = call(&running, Method::POST, ROTATE, Some(&token)).await;
    assert_eq!(status, 200, "{rotated}");
    let new_next = rotated["kid"].as_str().unwrap().to_owned();
    assert!(!before.contains(&new_next), "{rotated}");
    assert_eq!(
        kids(&running).await,
        [before[1].clone(), new_next.clone(), before[0].clone()]
    );

    let signed = m2m_token(&running).await;
    assert_eq!(kid_of(&signed), before[1], "tokens are signed with the former next key");
    verify(&signed, &jwks_key(&running, &signed).await, Algorithm::RS256);

    let (status, listed) = call(&running, Method::GET, KEYS, Some(&token)).await;
    assert_eq!(status, 200, "{listed}");
    check_key_objects(&listed, &before[1], &rotated);
    assert!(
        verifies_with_certificate(&signed, listed[0]["cert"].as_str().unwrap()),
        "the key object's cert is the signing key's"
    );
    let jwk = &jwks(&running).await[0];
    let x5t = URL_SAFE_NO_PAD.decode(jwk["x5t"].as_str().unwrap()).unwrap();
    assert_eq!(listed[0]["thumbprint"], hex_upper(&x5t), "thumbprint is the hex of x5t");
    let pairs: Vec<String> = hex_upper(&x5t)
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    assert_eq!(listed[0]["fingerprint"], pairs.join(":"));
    let (status, one) = call(&running, Method::GET, &format!("{KEYS}/{}", before[1]), Some(&token)).await;
    assert_eq!((status, &one), (200, &listed[0]));
}

/// The key objects after one rotation at [`NOW`]: current (`current_kid`), next (the rotation's answer),
/// previous; dated, with CRLF PEM certificates.
fn check_key_objects(listed: &Value, current_kid: &str, rotated: &Value) {
    let flags: Vec<(bool, bool, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["current"] == true, k["next"] == true, k["previous"] == true))
        .collect();
    assert_eq!(
        flags,
        [(true, false, false), (false, true, false), (false, false, true)]
    );
    assert_eq!(
        (listed[0]["kid"].as_str(), &listed[0]["current_since"]),
        (Some(current_kid), &json!(NOW_ISO))
    );
    assert_eq!(
        (&listed[2]["current_since"], &listed[2]["current_until"]),
        (&json!(NOW_ISO), &json!(NOW_ISO))
    );
    assert_eq!(
        (&listed[1]["kid"], &listed[1]["cert"]),
        (&rotated["kid"], &rotated["cert"]),
        "rotate answers the new next key"
    );
    let cert = listed[0]["cert"].as_str().unwrap();
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----\r\n"), "{cert}");
    assert!(cert.ends_with("\r\n-----END CERTIFICATE-----"), "{cert}");
    assert!(
        !cert.replace("\r\n", "").contains('\n'),
        "every line break is CRLF: {cert:?}"
    );
}

#[tokio::test]
async fn only_the_previous_key_can_be_revoked_and_then_it_is_no_longer_published() {
    let (running, token) = start_admin(false).await;
    let old_token = m2m_token(&running).await;
    let first = kids(&running).await;
    for (kid, status, error) in [
        (first[0].as_str(), 400, "invalid_request"),
        (first[1].as_str(), 400, "invalid_request"),
        ("no-such-kid", 404, "not_found"),
    ] {
        let (got, body) = revoke(&running, kid, &token).await;
        assert_eq!((got, body["error"].as_str()), (status, Some(error)), "{body}");
    }
    assert_eq!(kids(&running).await, first, "a refused revocation changes nothing");
    call(&running, Method::POST, ROTATE, Some(&token)).await;
    let (status, body) = revoke(&running, &first[1], &token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    assert!(
        body["error_description"].as_str().unwrap().contains("rotate first"),
        "{body}"
    );

    let (_, previous) = call(&running, Method::GET, &format!("{KEYS}/{}", first[0]), Some(&token)).await;
    let (status, revoked) = revoke(&running, &first[0], &token).await;
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(revoked, json!({ "cert": previous["cert"], "kid": first[0] }));
    let published = kids(&running).await;
    assert_eq!(published.len(), 2);
    assert!(
        !published.contains(&kid_of(&old_token)),
        "the old token's key is gone: {published:?}"
    );
    assert_eq!(
        running.handle.state.published_kids(),
        published,
        "the window sees the same keys"
    );

    let (_, gone) = call(&running, Method::GET, &format!("{KEYS}/{}", first[0]), Some(&token)).await;
    assert_eq!(
        (&gone["revoked"], &gone["previous"], &gone["revoked_at"]),
        (&json!(true), &json!(false), &json!(NOW_ISO))
    );
    let (status, again) = revoke(&running, &first[0], &token).await;
    assert_eq!(status, 400, "{again}");
    assert!(
        again["error_description"].as_str().unwrap().contains("already revoked"),
        "{again}"
    );
}

#[tokio::test]
async fn the_admin_routes_refuse_a_missing_or_wrong_token_with_401() {
    let (running, token) = start_admin(true).await;
    let before = kids(&running).await;
    let routes = [
        (Method::GET, KEYS.to_owned()),
        (Method::GET, format!("{KEYS}/{}", before[0])),
        (Method::POST, ROTATE.to_owned()),
        (Method::PUT, format!("{KEYS}/{}/revoke", before[0])),
        (Method::POST, "/admin/clock".to_owned()),
        (Method::POST, "/admin/buckets/reset".to_owned()),
    ];
    for (method, path) in routes {
        for wrong in [None, Some("wrong"), Some(&token[1..])] {
            let (status, body) = call(&running, method.clone(), &path, wrong).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (401, Some("invalid_token")),
                "{method} {path} {body}"
            );
        }
    }
    assert_eq!(kids(&running).await, before, "nothing rotated");
    let (status, _) = call(&running, Method::GET, KEYS, Some(&token)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_admin_clock_refuses_values_out_of_range_and_a_real_clock() {
    let (running, token) = start_admin(true).await;
    for body in [
        json!({ "advance": i64::MIN }),
        json!({ "advance": i64::MAX }),
        json!({ "set": i64::MIN }),
        json!({ "set": 253_402_300_800_i64 }),
        json!({ "advance": 101 * 366 * 86_400_i64 }),
    ] {
        let (status, answer) = move_clock(&running, &token, body.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("invalid_request")),
            "{body} {answer}"
        );
    }
    let (status, answer) = move_clock(&running, &token, json!({ "advance": 60 })).await;
    assert_eq!(
        (status, answer["now"].as_i64()),
        (200, Some(NOW + 60)),
        "refusals left the clock alone"
    );

    let (real, token) = start_admin(false).await;
    let (status, answer) = move_clock(&real, &token, json!({ "advance": 6 })).await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error_description"]
            .as_str()
            .unwrap()
            .contains("--clock simulated"),
        "{answer}"
    );
}

const ADMIN_TOKEN: &str = "a-ci-admin-token-0123456789abcdef";

#[tokio::test]
async fn serve_admin_takes_its_token_from_the_environment_and_never_prints_it() {
    let mut served = process::serve(|command| {
        command
            .arg("--admin")
            .env("TOKENBENCH_ADMIN_TOKEN", ADMIN_TOKEN)
            .stderr(Stdio::piped());
    });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let keys = http
        .get(format!("{}{KEYS}", served.url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(keys.status().as_u16(), 200);
    assert_eq!(keys.json::<Value>().await.unwrap().as_array().map(Vec::len), Some(2));
    let wrong = http
        .get(format!("{}{KEYS}", served.url))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let clock = http
        .post(format!("{}/admin/clock", served.url))
        .bearer_auth(ADMIN_TOKEN);
    let clock = clock.json(&json!({ "advance": 6 })).send().await.unwrap();
    assert_eq!(clock.status().as_u16(), 400, "the real clock does not move");
    let _ = served.child.kill();
    let mut stderr = String::new();
    served.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(
        stderr.contains("the admin token is the value of TOKENBENCH_ADMIN_TOKEN"),
        "{stderr}"
    );
    assert!(!stderr.contains(ADMIN_TOKEN), "{stderr}");
}

#[test]
fn serve_admin_refuses_a_short_token_from_the_environment() {
    let mut child = process::tokenbench()
        .args(["serve", "--port", "0", "--admin"])
        .env("TOKENBENCH_ADMIN_TOKEN", "short")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("tokenbench serve started with a 5-character admin token");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("TOKENBENCH_ADMIN_TOKEN must be at least 16"),
        "{stderr}"
    );
}
