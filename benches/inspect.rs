//! Benchmarks of what the inspector does on every keystroke: decode and explain a realistic Auth0 ID token,
//! and verify HS256, RS256 (JWKS selected by kid) and ES256 (PEM) tokens. Tokens and keys are built once,
//! outside the timed closures. `rs256_raw_aws_lc` is the floor for `verify_rs256`: aws-lc-rs alone verifying
//! the same signature over the same bytes with the same JWK modulus and exponent, as jsonwebtoken calls it.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

#[path = "../tests/common/mod.rs"]
mod common;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{KeyKind, NOW, hmac_token, jwks, key, rich_id_token_claims};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::tz::TimeZone;
use jsonwebtoken::Algorithm;
use std::hint::black_box;
use tokenbench::core::jwt::analysis::analyse;
use tokenbench::core::jwt::key::{KeyInput, KeyMaterial, parse_key};
use tokenbench::core::jwt::report::{Style, text_report};
use tokenbench::core::jwt::{Expectations, SignatureStatus};

fn expectations() -> Expectations {
    Expectations {
        issuer: Some(common::ISSUER.to_owned()),
        audience: Some(common::CLIENT_ID.to_owned()),
        ..Expectations::default()
    }
}

fn decode_and_explain(c: &mut Criterion) {
    let token = key(KeyKind::Rsa, 0).sign(
        Algorithm::RS256,
        Some("NjVBRjY5MDlCMUIwNzU4RTA2QzZFMDQ4QzQ2MDAyQjVDNjk1RTM2Qg"),
        &rich_id_token_claims(),
    );
    let expect = expectations();
    let zone = TimeZone::UTC;
    c.bench_function("decode_and_explain", |b| {
        b.iter(|| {
            let analysis = analyse(black_box(&token), None, &expect, NOW);
            text_report(&analysis, &zone, Style::Text)
        })
    });
}

/// Benchmarks verifying `token` with `material`, after checking once that it verifies.
fn bench_verify(c: &mut Criterion, name: &str, token: &str, material: &KeyMaterial) {
    let expect = expectations();
    let signature = analyse(token, Some(material), &expect, NOW)
        .verdict
        .map(|v| v.signature);
    assert_eq!(signature, Some(SignatureStatus::Valid), "{name}: the token must verify");
    c.bench_function(name, |b| {
        b.iter(|| analyse(black_box(token), Some(material), &expect, NOW))
    });
}

fn verify_hs256(c: &mut Criterion) {
    let secret = "Zm9vYmFyYmF6cXV4LXNlY3JldC1mb3ItaHMyNTYtYmVuY2g";
    let token = hmac_token(Algorithm::HS256, secret.as_bytes(), &rich_id_token_claims());
    let material = parse_key(KeyInput::SecretText(secret)).expect("secret");
    bench_verify(c, "verify_hs256", &token, &material);
}

fn verify_rs256(c: &mut Criterion) {
    let alg = Algorithm::RS256;
    let token = key(KeyKind::Rsa, 0).sign(alg, Some("current"), &rich_id_token_claims());
    let set = jwks(&[
        key(KeyKind::Rsa, 1).jwk(Some("previous"), Some(alg)),
        key(KeyKind::Rsa, 0).jwk(Some("current"), Some(alg)),
    ]);
    let material = parse_key(KeyInput::KeyText(&set)).expect("JWKS");
    bench_verify(c, "verify_rs256", &token, &material);
}

/// aws-lc-rs alone on the token of `verify_rs256`: the base64url decoding of the signature and of the JWK's
/// `n` and `e` is done once, outside the timed closure; the key import inside `verify` is timed, as it is in
/// jsonwebtoken's verifier.
fn rs256_raw_aws_lc(c: &mut Criterion) {
    let token = key(KeyKind::Rsa, 0).sign(Algorithm::RS256, Some("current"), &rich_id_token_claims());
    let (message, signature) = token.rsplit_once('.').expect("three segments");
    let signature = URL_SAFE_NO_PAD.decode(signature).expect("base64url signature");
    let jwk = key(KeyKind::Rsa, 0).jwk(None, None);
    let member = |name: &str| {
        URL_SAFE_NO_PAD
            .decode(jwk[name].as_str().expect("n and e"))
            .expect("base64url")
    };
    let (n, e) = (member("n"), member("e"));
    let public = RsaPublicKeyComponents { n: &n, e: &e };
    let alg = &RSA_PKCS1_2048_8192_SHA256;
    public
        .verify(alg, message.as_bytes(), &signature)
        .expect("the raw signature must verify");
    c.bench_function("rs256_raw_aws_lc", |b| {
        b.iter(|| public.verify(alg, black_box(message.as_bytes()), black_box(&signature)))
    });
    // The key parsed once, as `inspect --lines` keeps it: the most any verifier on aws-lc-rs can do per token,
    // hashing the message included (`openssl speed rsa2048` verifies a ready digest).
    let parsed = public.to_parsed_public_key(alg).expect("an RSA public key");
    c.bench_function("rs256_parsed_aws_lc", |b| {
        b.iter(|| parsed.verify_sig(black_box(message.as_bytes()), black_box(&signature)))
    });
}

fn verify_es256(c: &mut Criterion) {
    let token = key(KeyKind::P256, 0).sign(Algorithm::ES256, None, &rich_id_token_claims());
    let material = parse_key(KeyInput::KeyText(&key(KeyKind::P256, 0).public_pem())).expect("PEM");
    bench_verify(c, "verify_es256", &token, &material);
}

criterion_group!(
    benches,
    decode_and_explain,
    verify_hs256,
    verify_rs256,
    rs256_raw_aws_lc,
    verify_es256
);
criterion_main!(benches);
