//! Verification through the public API, for every supported algorithm and every way of giving a key, against
//! published RFC vectors, and the checklist's explanations and findings for the usual mistakes.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{
    ASYMMETRIC_ALGORITHMS, CLIENT_ID, HMAC_ALGORITHMS, ISSUER, NOW, auth0_claims, b64url, header, hmac_token, jwks,
    key, key_for, other_key_for, raw_token, sign, tamper_one_payload_character,
};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};
use tokenbench::core::jwt::analysis::{Analysis, analyse};
use tokenbench::core::jwt::key::{KeyInput, KeyMaterial, parse_key};
use tokenbench::core::jwt::sas::SasKind;
use tokenbench::core::jwt::{Check, CheckStatus, Expectations, Inspection, SignatureStatus, Verdict};

/// A 64-byte HMAC secret, long enough for HS512.
const SECRET: &str = "sJ3p9ZvR7xQ2mW8kT4nY6bH1cF5gD0aLeUoIiPzXyVwMqNrStBuCjEhKlGfAdOs";

// --- RFC vectors, copied from the RFCs -------------------------------------------------------------------

/// RFC 7515 Appendix A.1: the HS256 JWS (`{"typ":"JWT",\r\n "alg":"HS256"}`).
const RFC7515_A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\
eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// RFC 7515 Appendix A.1: the symmetric key, as a JWK.
const RFC7515_A1_JWK: &str = r#"{"kty":"oct",
 "k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
}"#;

/// RFC 7515 Appendix A.2: the RS256 JWS (`{"alg":"RS256"}`, same payload as A.1).
const RFC7515_A2_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.\
eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7\
AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4\
BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K\
0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv\
hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB\
p0igcN_IoypGlUPQGe77Rw";

/// RFC 7515 Appendix A.2: the public part of the RSA key (only `n` and `e`).
const RFC7515_A2_JWK: &str = r#"{"kty":"RSA",
 "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
 "e":"AQAB"
}"#;

/// RFC 7519 section 3.1: the JOSE header and claims set of the example, exactly as printed (CRLF line breaks).
const RFC7519_HEADER: &str = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
const RFC7519_CLAIMS: &str = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

/// RFC 7519 section 3.1: the resulting JWT.
const RFC7519_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9\
.\
eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ\
.\
dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The RFC examples' `exp`; they are verified a little before it.
const RFC_EXP: i64 = 1_300_819_380;

// --- helpers ----------------------------------------------------------------------------------------------

fn key_text(text: &str) -> KeyMaterial {
    parse_key(KeyInput::KeyText(text)).unwrap_or_else(|e| panic!("key should parse: {e}\n{text}"))
}

fn secret_text(text: &str) -> KeyMaterial {
    parse_key(KeyInput::SecretText(text)).expect("a secret")
}

fn auth0_expectations() -> Expectations {
    Expectations {
        issuer: Some(ISSUER.to_owned()),
        audience: Some(CLIENT_ID.to_owned()),
        ..Expectations::default()
    }
}

fn run(token: &str, key: Option<&KeyMaterial>) -> Analysis {
    analyse(token, key, &Expectations::default(), NOW)
}

fn run_expecting(token: &str, key: Option<&KeyMaterial>, expect: &Expectations) -> Analysis {
    analyse(token, key, expect, NOW)
}

fn verdict(analysis: &Analysis) -> &Verdict {
    analysis
        .verdict
        .as_ref()
        .unwrap_or_else(|| panic!("a JWT verdict, got {:?}", analysis.inspection))
}

fn check<'a>(analysis: &'a Analysis, name: &str) -> &'a Check {
    verdict(analysis)
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} check"))
}

fn first_failure(analysis: &Analysis) -> Option<&Check> {
    verdict(analysis).first_failure()
}

/// The first failing step, which must exist.
fn failed_at<'a>(analysis: &'a Analysis, context: &str) -> &'a Check {
    first_failure(analysis).unwrap_or_else(|| panic!("{context}: expected a failure, got {:#?}", verdict(analysis)))
}

fn assert_valid(analysis: &Analysis, context: &str) {
    let verdict = verdict(analysis);
    assert_eq!(
        verdict.signature,
        SignatureStatus::Valid,
        "{context}: {:#?}",
        verdict.checks
    );
    assert!(analysis.passed(), "{context}: {:#?}", verdict.checks);
    assert_eq!(check(analysis, "signature").status, CheckStatus::Pass, "{context}");
}

fn assert_signature_fails(analysis: &Analysis, context: &str) {
    let verdict = verdict(analysis);
    assert_eq!(
        verdict.signature,
        SignatureStatus::Invalid,
        "{context}: {:#?}",
        verdict.checks
    );
    assert_eq!(failed_at(analysis, context).name, "signature", "{context}");
    assert_eq!(check(analysis, "key").status, CheckStatus::Pass, "{context}");
    assert_eq!(check(analysis, "signature").status, CheckStatus::Fail, "{context}");
}

fn codes(analysis: &Analysis) -> Vec<&'static str> {
    analysis.findings.iter().map(|f| f.code).collect()
}

fn has_finding(analysis: &Analysis, code: &str) -> bool {
    codes(analysis).contains(&code)
}

fn kid_for(alg: Algorithm) -> String {
    format!("key-{alg:?}").to_lowercase()
}

fn with_claim(name: &str, value: Value) -> Value {
    let mut claims = auth0_claims();
    claims[name] = value;
    claims
}

fn without_claim(name: &str) -> Value {
    let mut claims = auth0_claims();
    claims.as_object_mut().expect("an object").remove(name);
    claims
}

fn hs256(claims: &Value) -> String {
    hmac_token(Algorithm::HS256, SECRET.as_bytes(), claims)
}

// --- every algorithm --------------------------------------------------------------------------------------

#[test]
fn every_hmac_algorithm_verifies_with_its_secret_and_fails_when_changed_or_with_another_secret() {
    let right = secret_text(SECRET);
    let wrong = secret_text("another-secret-of-a-decent-length-for-hmac-sha-512-keys-0123456789");
    for alg in HMAC_ALGORITHMS {
        let token = hmac_token(alg, SECRET.as_bytes(), &auth0_claims());
        let good = run_expecting(&token, Some(&right), &auth0_expectations());
        assert_valid(&good, &format!("{alg:?} with its secret"));
        assert_eq!(verdict(&good).alg.as_deref(), Some(format!("{alg:?}").as_str()));

        let tampered = tamper_one_payload_character(&token);
        assert_signature_fails(
            &run(&tampered, Some(&right)),
            &format!("{alg:?} with a changed payload"),
        );
        assert_signature_fails(&run(&token, Some(&wrong)), &format!("{alg:?} with another secret"));
    }
}

#[test]
fn every_asymmetric_algorithm_verifies_with_the_pem_public_key() {
    for alg in ASYMMETRIC_ALGORITHMS {
        let token = key_for(alg).sign(alg, None, &auth0_claims());
        let pem = key_text(&key_for(alg).public_pem());
        let analysis = run_expecting(&token, Some(&pem), &auth0_expectations());
        assert_valid(&analysis, &format!("{alg:?} with the PEM public key"));
        assert!(check(&analysis, "key").detail.contains("PEM public key"));
    }
}

#[test]
fn every_asymmetric_algorithm_verifies_with_the_jwk() {
    for alg in ASYMMETRIC_ALGORITHMS {
        let kid = kid_for(alg);
        let token = key_for(alg).sign(alg, Some(&kid), &auth0_claims());
        let bare = key_text(&key_for(alg).jwk_json(None, None));
        assert_valid(&run(&token, Some(&bare)), &format!("{alg:?} with a bare JWK"));
        let published = key_text(&key_for(alg).jwk_json(Some(&kid), Some(alg)));
        assert_valid(
            &run(&token, Some(&published)),
            &format!("{alg:?} with a JWK carrying kid, alg and use"),
        );
    }
}

#[test]
fn every_asymmetric_algorithm_verifies_with_a_jwks_selected_by_kid() {
    for alg in ASYMMETRIC_ALGORITHMS {
        let kid = kid_for(alg);
        // The other key comes first, so only the kid can pick the right one.
        let set = jwks(&[
            other_key_for(alg).jwk(Some("rotated-out"), Some(alg)),
            key_for(alg).jwk(Some(&kid), Some(alg)),
        ]);
        let token = key_for(alg).sign(alg, Some(&kid), &auth0_claims());
        let analysis = run(&token, Some(&key_text(&set)));
        assert_valid(&analysis, &format!("{alg:?} with a JWKS"));
        assert!(
            check(&analysis, "key").detail.contains(&format!("kid={kid}")),
            "{:?}",
            check(&analysis, "key")
        );
    }
}

#[test]
fn every_asymmetric_signature_fails_when_one_payload_character_changes() {
    for alg in ASYMMETRIC_ALGORITHMS {
        let kid = kid_for(alg);
        let token = key_for(alg).sign(alg, Some(&kid), &auth0_claims());
        let tampered = tamper_one_payload_character(&token);
        let pem = key_text(&key_for(alg).public_pem());
        assert_signature_fails(&run(&tampered, Some(&pem)), &format!("{alg:?} changed, PEM"));
        let jwk = key_text(&key_for(alg).jwk_json(Some(&kid), Some(alg)));
        assert_signature_fails(&run(&tampered, Some(&jwk)), &format!("{alg:?} changed, JWK"));
    }
}

#[test]
fn every_asymmetric_signature_fails_with_another_key_of_the_same_kind() {
    for alg in ASYMMETRIC_ALGORITHMS {
        let kid = kid_for(alg);
        let token = key_for(alg).sign(alg, Some(&kid), &auth0_claims());
        let other = other_key_for(alg);
        let pem = key_text(&other.public_pem());
        assert_signature_fails(&run(&token, Some(&pem)), &format!("{alg:?}, other PEM"));
        let jwk = key_text(&other.jwk_json(None, Some(alg)));
        assert_signature_fails(&run(&token, Some(&jwk)), &format!("{alg:?}, other JWK"));
        // A JWKS whose key has the token's kid but is another key (a reused kid).
        let set = key_text(&jwks(&[other.jwk(Some(&kid), Some(alg))]));
        assert_signature_fails(
            &run(&token, Some(&set)),
            &format!("{alg:?}, other key under the same kid"),
        );
    }
}

#[test]
fn signature_failure_explains_that_the_token_changed_or_the_key_is_another() {
    let token = key_for(Algorithm::RS256).sign(Algorithm::RS256, None, &auth0_claims());
    let other = key_text(&other_key_for(Algorithm::RS256).public_pem());
    let analysis = run(&token, Some(&other));
    let detail = &failed_at(&analysis, "another key").detail;
    assert!(detail.contains("does not match"), "{detail}");
    assert_eq!(verdict(&analysis).reason, *detail);
}

// --- certificates -----------------------------------------------------------------------------------------

#[test]
fn x509_certificate_pem_verifies_rs256_and_es256() {
    for alg in [Algorithm::RS256, Algorithm::PS256, Algorithm::ES256] {
        let token = key_for(alg).sign(alg, None, &auth0_claims());
        let certificate = key_text(&key_for(alg).certificate_pem());
        assert!(matches!(&certificate, KeyMaterial::Pem { label, .. } if label == "CERTIFICATE"));
        let analysis = run(&token, Some(&certificate));
        assert_valid(&analysis, &format!("{alg:?} with the certificate"));
        assert!(check(&analysis, "key").detail.contains("certificate"));

        let other = key_text(&other_key_for(alg).certificate_pem());
        assert_signature_fails(&run(&token, Some(&other)), &format!("{alg:?} with another certificate"));
    }
}

#[test]
fn token_matching_its_own_x5c_is_reported_as_self_asserted_never_as_valid() {
    for alg in [Algorithm::RS256, Algorithm::ES256] {
        let mut jws_header = header(alg, Some("x5c-key"));
        jws_header.x5c = Some(vec![key_for(alg).x5c()]);
        let token = sign(&jws_header, &auth0_claims(), &key_for(alg).encoding_key());
        let analysis = run(&token, None);
        assert_eq!(
            verdict(&analysis).signature,
            SignatureStatus::Unchecked,
            "{alg:?} with its own x5c"
        );
        assert_eq!(check(&analysis, "signature").status, CheckStatus::Skip);
        let key_check = check(&analysis, "key");
        assert!(key_check.detail.contains("self-asserted"), "{key_check:?}");
        assert!(key_check.detail.contains("x5c"), "{key_check:?}");
    }
}

#[test]
fn token_whose_x5c_holds_another_certificate_fails_at_signature() {
    let alg = Algorithm::RS256;
    let mut jws_header = header(alg, None);
    jws_header.x5c = Some(vec![other_key_for(alg).x5c()]);
    let token = sign(&jws_header, &auth0_claims(), &key_for(alg).encoding_key());
    assert_signature_fails(&run(&token, None), "x5c of another key");
}

#[test]
fn token_without_key_or_x5c_is_decoded_but_its_signature_left_unchecked() {
    let token = key_for(Algorithm::RS256).sign(Algorithm::RS256, Some("k"), &auth0_claims());
    let analysis = run(&token, None);
    assert_eq!(verdict(&analysis).signature, SignatureStatus::Unchecked);
    assert_eq!(check(&analysis, "key").status, CheckStatus::Skip);
    assert_eq!(check(&analysis, "signature").status, CheckStatus::Skip);
    assert!(analysis.passed(), "skipped steps are not failures");
}

// --- published vectors ------------------------------------------------------------------------------------

#[test]
fn rfc7515_a1_hs256_vector_verifies_with_its_oct_jwk() {
    let key = key_text(RFC7515_A1_JWK);
    let analysis = analyse(RFC7515_A1_TOKEN, Some(&key), &Expectations::default(), RFC_EXP - 100);
    assert_valid(&analysis, "RFC 7515 A.1");
    let Inspection::Jwt(jwt) = &analysis.inspection else {
        panic!("a JWT");
    };
    assert_eq!(jwt.claim_str("iss"), Some("joe"));
    assert_eq!(jwt.claim_seconds("exp"), Some(RFC_EXP));

    // The same vector, verified now: the signature still holds, the token has expired.
    let later = analyse(RFC7515_A1_TOKEN, Some(&key), &Expectations::default(), NOW);
    assert_eq!(verdict(&later).signature, SignatureStatus::Valid);
    assert_eq!(failed_at(&later, "RFC 7515 A.1 today").name, "exp");
    assert!(has_finding(&later, "expired"));

    let tampered = tamper_one_payload_character(RFC7515_A1_TOKEN);
    let analysis = analyse(&tampered, Some(&key), &Expectations::default(), RFC_EXP - 100);
    assert_signature_fails(&analysis, "RFC 7515 A.1 changed");
}

#[test]
fn rfc7515_a1_key_given_as_base64url_secret_verifies_the_same_vector() {
    let k = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    let key = parse_key(KeyInput::SecretBase64(k)).expect("base64url secret");
    let analysis = analyse(RFC7515_A1_TOKEN, Some(&key), &Expectations::default(), RFC_EXP - 100);
    assert_valid(&analysis, "RFC 7515 A.1 with the base64url secret");
}

#[test]
fn rfc7515_a2_rs256_vector_verifies_with_its_rsa_modulus_and_exponent() {
    let key = key_text(RFC7515_A2_JWK);
    let analysis = analyse(RFC7515_A2_TOKEN, Some(&key), &Expectations::default(), RFC_EXP - 100);
    assert_valid(&analysis, "RFC 7515 A.2");
    assert_eq!(verdict(&analysis).alg.as_deref(), Some("RS256"));

    let tampered = tamper_one_payload_character(RFC7515_A2_TOKEN);
    let analysis = analyse(&tampered, Some(&key), &Expectations::default(), RFC_EXP - 100);
    assert_signature_fails(&analysis, "RFC 7515 A.2 changed");

    // The A.1 symmetric key must not be accepted for the RS256 vector.
    let hmac = key_text(RFC7515_A1_JWK);
    let analysis = analyse(RFC7515_A2_TOKEN, Some(&hmac), &Expectations::default(), RFC_EXP - 100);
    assert_eq!(failed_at(&analysis, "RS256 with an oct JWK").name, "alg");
}

#[test]
fn rfc7519_example_verifies_with_the_rfc7515_a1_key() {
    // The published segments are the base64url of the published JSON, CRLFs included.
    let segments: Vec<&str> = RFC7519_TOKEN.split('.').collect();
    assert_eq!(segments[0], b64url(RFC7519_HEADER.as_bytes()));
    assert_eq!(segments[1], b64url(RFC7519_CLAIMS.as_bytes()));
    let key = key_text(RFC7515_A1_JWK);
    let analysis = analyse(RFC7519_TOKEN, Some(&key), &Expectations::default(), RFC_EXP - 1);
    assert_valid(&analysis, "RFC 7519 3.1");
    let Inspection::Jwt(jwt) = &analysis.inspection else {
        panic!("a JWT");
    };
    assert_eq!(
        jwt.payload.as_ref().expect("claims")["http://example.com/is_root"],
        true
    );
    assert_eq!(jwt.header_str("typ"), Some("JWT"));
}

// --- the checklist's explanations -------------------------------------------------------------------------

#[test]
fn alg_none_fails_at_alg() {
    let token = raw_token(&json!({"alg": "none", "typ": "JWT"}), &auth0_claims(), "");
    for key in [None, Some(secret_text(SECRET))] {
        let analysis = run(&token, key.as_ref());
        let failure = failed_at(&analysis, "alg none");
        assert_eq!(failure.name, "alg");
        assert!(failure.detail.contains("none"), "{failure:?}");
        assert_eq!(verdict(&analysis).signature, SignatureStatus::Invalid);
    }
}

#[test]
fn hs256_token_verified_with_an_rsa_public_key_fails_at_alg_as_hs_rs_confusion() {
    let token = hs256(&auth0_claims());
    let rsa = key(common::KeyKind::Rsa, 0);
    for material in [
        key_text(&rsa.public_pem()),
        key_text(&rsa.jwk_json(None, None)),
        key_text(&rsa.certificate_pem()),
    ] {
        let analysis = run(&token, Some(&material));
        let failure = failed_at(&analysis, "HS256 with an RSA key");
        assert_eq!(failure.name, "alg", "{material:?}");
        assert!(failure.detail.contains("HS/RS confusion"), "{failure:?}");
        assert_eq!(check(&analysis, "signature").status, CheckStatus::Skip);
    }
}

#[test]
fn rs256_token_verified_with_a_secret_fails_at_alg() {
    let token = key_for(Algorithm::RS256).sign(Algorithm::RS256, None, &auth0_claims());
    let analysis = run(&token, Some(&secret_text(SECRET)));
    let failure = failed_at(&analysis, "RS256 with a secret");
    assert_eq!(failure.name, "alg");
    assert!(failure.detail.contains("shared secret"), "{failure:?}");
}

#[test]
fn es256_token_verified_with_an_rsa_jwk_fails_at_alg_naming_both_kinds() {
    let token = key_for(Algorithm::ES256).sign(Algorithm::ES256, None, &auth0_claims());
    let rsa = key_text(&key(common::KeyKind::Rsa, 0).jwk_json(None, None));
    let failure = failed_at(&run(&token, Some(&rsa)), "ES256 with an RSA JWK").clone();
    assert_eq!(failure.name, "alg");
    assert!(failure.detail.contains("EC public key"), "{failure:?}");
    assert!(failure.detail.contains("RSA public key"), "{failure:?}");
}

#[test]
fn jwks_without_the_token_kid_fails_at_key_naming_both_kids() {
    let alg = Algorithm::RS256;
    let token = key_for(alg).sign(alg, Some("abc"), &auth0_claims());
    let set = key_text(&jwks(&[key_for(alg).jwk(Some("def"), Some(alg))]));
    let analysis = run(&token, Some(&set));
    let failure = failed_at(&analysis, "kid not in JWKS");
    assert_eq!(failure.name, "key");
    assert!(failure.detail.contains("kid=abc"), "{failure:?}");
    assert!(failure.detail.contains("kid=def"), "{failure:?}");
    assert_eq!(check(&analysis, "signature").status, CheckStatus::Skip);
    assert_eq!(verdict(&analysis).signature, SignatureStatus::Invalid);
}

#[test]
fn jwk_meant_for_another_algorithm_fails_at_key() {
    let token = key_for(Algorithm::PS256).sign(Algorithm::PS256, None, &auth0_claims());
    let jwk = key_text(&key_for(Algorithm::RS256).jwk_json(None, Some(Algorithm::RS256)));
    let failure = failed_at(&run(&token, Some(&jwk)), "RS256 JWK for a PS256 token").clone();
    assert_eq!(failure.name, "key");
    assert!(
        failure.detail.contains("RS256") && failure.detail.contains("PS256"),
        "{failure:?}"
    );
}

#[test]
fn expired_token_fails_at_exp_only_beyond_the_leeway() {
    let key = secret_text(SECRET);
    let expect = Expectations {
        leeway: 60,
        ..auth0_expectations()
    };
    let within = hs256(&with_claim("exp", json!(NOW - 30)));
    assert_valid(
        &run_expecting(&within, Some(&key), &expect),
        "exp 30 s ago, leeway 60 s",
    );

    let beyond = hs256(&with_claim("exp", json!(NOW - 61)));
    let analysis = run_expecting(&beyond, Some(&key), &expect);
    assert_eq!(verdict(&analysis).signature, SignatureStatus::Valid);
    let failure = failed_at(&analysis, "exp 61 s ago");
    assert_eq!(failure.name, "exp");
    assert!(failure.detail.contains("expired 1 min 1 s ago"), "{failure:?}");

    let strict = Expectations {
        leeway: 0,
        ..auth0_expectations()
    };
    let analysis = run_expecting(&within, Some(&key), &strict);
    assert_eq!(failed_at(&analysis, "exp 30 s ago, no leeway").name, "exp");
}

#[test]
fn token_not_yet_valid_fails_at_nbf_beyond_the_leeway() {
    let key = secret_text(SECRET);
    let future = hs256(&with_claim("nbf", json!(NOW + 120)));
    let analysis = run_expecting(&future, Some(&key), &auth0_expectations());
    assert_eq!(verdict(&analysis).signature, SignatureStatus::Valid);
    let failure = failed_at(&analysis, "nbf in two minutes");
    assert_eq!(failure.name, "nbf");
    assert!(failure.detail.contains("not valid for another 2 min"), "{failure:?}");

    let skewed = hs256(&with_claim("nbf", json!(NOW + 30)));
    assert_valid(
        &run_expecting(&skewed, Some(&key), &auth0_expectations()),
        "nbf within leeway",
    );
}

#[test]
fn issuer_differing_only_by_the_trailing_slash_fails_at_iss_mentioning_the_slash() {
    let key = secret_text(SECRET);
    let token = hs256(&auth0_claims());
    let expect = Expectations {
        issuer: Some(ISSUER.trim_end_matches('/').to_owned()),
        ..auth0_expectations()
    };
    let analysis = run_expecting(&token, Some(&key), &expect);
    let failure = failed_at(&analysis, "iss without slash expected");
    assert_eq!(failure.name, "iss");
    assert!(failure.detail.contains("trailing slash"), "{failure:?}");

    let other_tenant = Expectations {
        issuer: Some("https://other-tenant.eu.auth0.com/".to_owned()),
        ..auth0_expectations()
    };
    let failure = failed_at(&run_expecting(&token, Some(&key), &other_tenant), "other tenant").clone();
    assert_eq!(failure.name, "iss");
    assert!(!failure.detail.contains("trailing slash"), "{failure:?}");
}

#[test]
fn audience_array_with_several_values_fails_at_aud_when_azp_is_another_client() {
    let key = secret_text(SECRET);
    let api = "https://api.example.com/";
    let mut claims = with_claim("aud", json!([CLIENT_ID, api]));
    claims["azp"] = json!("another-client-id");
    let analysis = run_expecting(&hs256(&claims), Some(&key), &auth0_expectations());
    let failure = failed_at(&analysis, "azp differs");
    assert_eq!(failure.name, "aud");
    assert!(failure.detail.contains("azp"), "{failure:?}");

    claims["azp"] = json!(CLIENT_ID);
    assert_valid(
        &run_expecting(&hs256(&claims), Some(&key), &auth0_expectations()),
        "azp is the client",
    );

    let wrong_audience = Expectations {
        audience: Some("https://unrelated.example.com/".to_owned()),
        ..auth0_expectations()
    };
    let analysis = run_expecting(&hs256(&claims), Some(&key), &wrong_audience);
    assert_eq!(failed_at(&analysis, "audience not in aud").name, "aud");
}

#[test]
fn auth0_access_token_for_an_api_passes_aud_although_azp_names_the_client() {
    let key = secret_text(SECRET);
    let api = "https://api.example.com/";
    let mut claims = with_claim("aud", json!([api, "https://tenant.example.auth0.com/userinfo"]));
    claims["azp"] = json!(CLIENT_ID);
    claims["scope"] = json!("openid profile read:things");
    let expect = Expectations {
        audience: Some(api.to_owned()),
        ..auth0_expectations()
    };
    let analysis = run_expecting(&hs256(&claims), Some(&key), &expect);
    assert_valid(&analysis, "access token with API and userinfo audiences");
    assert!(check(&analysis, "aud").detail.contains(CLIENT_ID));
}

#[test]
fn critical_header_extensions_fail_at_alg() {
    let header = json!({"alg": "HS256", "crit": ["exp"], "exp": 1});
    let token = raw_token(&header, &auth0_claims(), "c2ln");
    let analysis = run(&token, Some(&secret_text(SECRET)));
    let failure = failed_at(&analysis, "crit");
    assert_eq!(failure.name, "alg");
    assert!(failure.detail.contains("crit"), "{failure:?}");
}

#[test]
fn dpop_proof_fails_at_typ() {
    let mut jws_header = header(Algorithm::HS256, None);
    jws_header.typ = Some("dpop+jwt".to_owned());
    let token = sign(
        &jws_header,
        &auth0_claims(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    );
    let analysis = run(&token, Some(&secret_text(SECRET)));
    assert_eq!(verdict(&analysis).signature, SignatureStatus::Valid);
    let failure = failed_at(&analysis, "DPoP proof");
    assert_eq!(failure.name, "typ");
    assert!(failure.detail.contains("DPoP"), "{failure:?}");

    let mut access_token_header = header(Algorithm::HS256, None);
    access_token_header.typ = Some("at+jwt".to_owned());
    let token = sign(
        &access_token_header,
        &auth0_claims(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    );
    assert_valid(&run(&token, Some(&secret_text(SECRET))), "at+jwt");
}

#[test]
fn base64_secret_verifies_a_token_signed_with_the_decoded_bytes() {
    // Bytes chosen so that standard base64 contains '+' and '/' and base64url '-' and '_'.
    let bytes: Vec<u8> = (0u8..32).map(|i| 0xf8 ^ i.wrapping_mul(37)).collect();
    let standard = STANDARD.encode(&bytes);
    let url_safe = URL_SAFE_NO_PAD.encode(&bytes);
    assert!(standard.contains('+') || standard.contains('/'), "{standard}");
    let token = hmac_token(Algorithm::HS256, &bytes, &auth0_claims());
    for encoded in [&standard, &url_safe] {
        let key = parse_key(KeyInput::SecretBase64(encoded)).expect("base64 secret");
        let analysis = run_expecting(&token, Some(&key), &auth0_expectations());
        assert_valid(&analysis, &format!("base64 secret {encoded}"));
        assert!(
            !has_finding(&analysis, "weak_hmac_secret"),
            "32 decoded bytes are enough"
        );
    }
    // The same text used as a plain secret is another key, and the hint says to switch to base64.
    let analysis = run(&token, Some(&secret_text(&standard)));
    assert_signature_fails(&analysis, "base64 text used as UTF-8 secret");
    assert!(failed_at(&analysis, "hint").detail.contains("base64"));
}

#[test]
fn fully_valid_auth0_token_passes_every_step_with_no_findings() {
    let alg = Algorithm::RS256;
    let token = key_for(alg).sign(alg, Some("k1"), &auth0_claims());
    let set = key_text(&jwks(&[key_for(alg).jwk(Some("k1"), Some(alg))]));
    let analysis = run_expecting(&token, Some(&set), &auth0_expectations());
    assert_valid(&analysis, "Auth0 token");
    let names: Vec<&str> = verdict(&analysis).checks.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "structure",
            "alg",
            "key",
            "signature",
            "exp",
            "nbf",
            "iat",
            "iss",
            "aud",
            "typ"
        ]
    );
    assert_eq!(codes(&analysis), Vec::<&str>::new());
}

// --- findings ---------------------------------------------------------------------------------------------

#[test]
fn alg_none_finding_appears_only_for_unsigned_tokens() {
    let unsigned = raw_token(&json!({"alg": "none"}), &auth0_claims(), "");
    assert!(has_finding(&run(&unsigned, None), "alg_none"));
    let unsigned_upper = raw_token(&json!({"alg": "None"}), &auth0_claims(), "");
    assert!(has_finding(&run(&unsigned_upper, None), "alg_none"));
    assert!(!has_finding(&run(&hs256(&auth0_claims()), None), "alg_none"));
}

#[test]
fn expired_finding_appears_only_beyond_the_leeway() {
    assert!(has_finding(
        &run(&hs256(&with_claim("exp", json!(NOW - 61))), None),
        "expired"
    ));
    assert!(!has_finding(
        &run(&hs256(&with_claim("exp", json!(NOW - 30))), None),
        "expired"
    ));
    assert!(!has_finding(&run(&hs256(&auth0_claims()), None), "expired"));
}

#[test]
fn not_yet_valid_finding_appears_only_beyond_the_leeway() {
    assert!(has_finding(
        &run(&hs256(&with_claim("nbf", json!(NOW + 61))), None),
        "not_yet_valid"
    ));
    assert!(!has_finding(
        &run(&hs256(&with_claim("nbf", json!(NOW + 30))), None),
        "not_yet_valid"
    ));
    assert!(!has_finding(
        &run(&hs256(&with_claim("nbf", json!(NOW - 600))), None),
        "not_yet_valid"
    ));
}

#[test]
fn missing_exp_finding_appears_only_without_exp() {
    let analysis = run(&hs256(&without_claim("exp")), None);
    assert!(has_finding(&analysis, "missing_exp"));
    assert_eq!(check(&analysis, "exp").status, CheckStatus::Skip);
    assert!(!has_finding(&run(&hs256(&auth0_claims()), None), "missing_exp"));
}

#[test]
fn weak_hmac_secret_finding_appears_only_for_short_secrets() {
    let short = "0123456789";
    let long = "0123456789abcdefghijklmnopqrstuv";
    assert_eq!((short.len(), long.len()), (10, 32));

    let weak = hmac_token(Algorithm::HS256, short.as_bytes(), &auth0_claims());
    let analysis = run(&weak, Some(&secret_text(short)));
    assert_valid(&analysis, "short secret still verifies");
    assert!(has_finding(&analysis, "weak_hmac_secret"));
    assert!(
        !has_finding(&run(&weak, None), "weak_hmac_secret"),
        "no key, nothing to judge"
    );

    let strong = hmac_token(Algorithm::HS256, long.as_bytes(), &auth0_claims());
    assert!(!has_finding(
        &run(&strong, Some(&secret_text(long))),
        "weak_hmac_secret"
    ));

    // 32 bytes is short for HS512, whose hash is 64 bytes.
    let hs512 = hmac_token(Algorithm::HS512, long.as_bytes(), &auth0_claims());
    assert!(has_finding(&run(&hs512, Some(&secret_text(long))), "weak_hmac_secret"));
}

#[test]
fn iss_without_trailing_slash_finding_appears_only_for_bare_https_hosts() {
    let bare = hs256(&with_claim("iss", json!(ISSUER.trim_end_matches('/'))));
    assert!(has_finding(&run(&bare, None), "iss_without_trailing_slash"));
    assert!(!has_finding(
        &run(&hs256(&auth0_claims()), None),
        "iss_without_trailing_slash"
    ));
    let with_path = hs256(&with_claim("iss", json!("https://login.example.com/realms/main")));
    assert!(!has_finding(&run(&with_path, None), "iss_without_trailing_slash"));
}

#[test]
fn issued_in_future_finding_appears_only_beyond_the_leeway() {
    assert!(has_finding(
        &run(&hs256(&with_claim("iat", json!(NOW + 61))), None),
        "issued_in_future"
    ));
    assert!(!has_finding(
        &run(&hs256(&with_claim("iat", json!(NOW + 60))), None),
        "issued_in_future"
    ));
    assert!(!has_finding(&run(&hs256(&auth0_claims()), None), "issued_in_future"));
}

#[test]
fn lifetime_over_24h_finding_appears_only_for_lifetimes_over_a_day() {
    let iat = NOW - 10;
    let mut claims = with_claim("iat", json!(iat));
    claims["exp"] = json!(iat + 86_401);
    assert!(has_finding(&run(&hs256(&claims), None), "lifetime_over_24h"));
    claims["exp"] = json!(iat + 86_400);
    assert!(!has_finding(&run(&hs256(&claims), None), "lifetime_over_24h"));
    assert!(!has_finding(
        &run(&hs256(&without_claim("iat")), None),
        "lifetime_over_24h"
    ));
}

#[test]
fn a_good_token_has_no_findings_and_a_bad_one_lists_errors_first() {
    assert!(run(&hs256(&auth0_claims()), None).findings.is_empty());
    let mut claims = with_claim("exp", json!(NOW - 3600));
    claims["iss"] = json!("https://tenant.example.auth0.com");
    claims["iat"] = json!(NOW - 200_000);
    let analysis = run(&hs256(&claims), None);
    assert_eq!(
        codes(&analysis),
        vec!["expired", "lifetime_over_24h", "iss_without_trailing_slash"]
    );
}

// --- inputs that are not JWTs, and JWTs wrapped in something -----------------------------------------------

#[test]
fn five_segment_jwe_is_recognised_with_its_header() {
    let protected = b64url(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"enc-1"}"#);
    let jwe = format!(
        "{protected}.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ"
    );
    let analysis = run(&jwe, None);
    let Inspection::Jwe { header } = &analysis.inspection else {
        panic!("expected a JWE, got {:?}", analysis.inspection);
    };
    let header = header.as_ref().expect("a readable JWE header");
    assert_eq!(header["enc"], "A256GCM");
    assert_eq!(header["alg"], "RSA-OAEP-256");
    assert!(analysis.verdict.is_none());
    assert!(analysis.findings.is_empty());
    assert!(!analysis.passed());
}

#[test]
fn azure_blob_sas_is_recognised_with_its_fields() {
    let sas = "https://account.blob.core.windows.net/container/report.pdf?sv=2021-08-06&st=2025-06-15T14%3A00%3A00Z\
               &se=2025-06-15T16%3A00%3A00Z&sr=b&sp=r&sig=dGhpcyBpcyBub3QgYSByZWFsIHNpZw%2B%2F%3D";
    let analysis = run(sas, None);
    let Inspection::AzureSas(parsed) = &analysis.inspection else {
        panic!("expected an Azure SAS, got {:?}", analysis.inspection);
    };
    assert_eq!(parsed.kind, SasKind::StorageBlob);
    let field = |name: &str| {
        parsed
            .fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no {name} field"))
    };
    assert_eq!(field("sig").value, "dGhpcyBpcyBub3QgYSByZWFsIHNpZw+/=");
    assert!(field("sig").meaning.is_some());
    assert_eq!(field("se").value, "2025-06-15T16:00:00Z");
    assert!(field("se").meaning.is_some_and(|m| m.contains("expiry")));
    assert!(analysis.verdict.is_none());
}

#[test]
fn random_opaque_string_is_reported_as_opaque() {
    let opaque = "8xLOxBtZp8ZkLk3Yd9UrVf2Qm7NcHs4E";
    let analysis = run(opaque, None);
    let Inspection::Opaque { length, looks_like } = &analysis.inspection else {
        panic!("expected opaque, got {:?}", analysis.inspection);
    };
    assert_eq!(*length, opaque.len());
    assert!(looks_like.contains("opaque"), "{looks_like}");
    assert!(analysis.verdict.is_none());
}

#[test]
fn bearer_prefixed_jwt_is_decoded_as_the_jwt() {
    let token = hs256(&auth0_claims());
    let analysis = run(&format!("Bearer {token}"), Some(&secret_text(SECRET)));
    let Inspection::Jwt(jwt) = &analysis.inspection else {
        panic!("expected a JWT, got {:?}", analysis.inspection);
    };
    assert_eq!(jwt.raw, token);
    assert_valid(&analysis, "Bearer prefix");
    let header_line = run(&format!("Authorization: Bearer {token}\n"), Some(&secret_text(SECRET)));
    assert_valid(&header_line, "Authorization header line");
}

#[test]
fn jwt_in_a_callback_url_fragment_is_decoded_as_the_jwt() {
    let token = hs256(&auth0_claims());
    let analysis = run(
        &format!("https://x/cb#id_token={token}&state=1"),
        Some(&secret_text(SECRET)),
    );
    let Inspection::Jwt(jwt) = &analysis.inspection else {
        panic!("expected a JWT, got {:?}", analysis.inspection);
    };
    assert_eq!(jwt.raw, token);
    assert_valid(&analysis, "URL fragment");
}

#[test]
fn cut_off_token_fails_at_structure() {
    let token = hs256(&auth0_claims());
    // Five base64url characters cannot be a whole number of bytes.
    let cut = &token[..token.rfind('.').expect("three segments") + 6];
    let analysis = run(cut, Some(&secret_text(SECRET)));
    assert_eq!(failed_at(&analysis, "broken signature segment").name, "structure");
}
