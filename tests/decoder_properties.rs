//! Property tests for the decoder and the reports: no input makes `analyse`, `json_report` or `text_report`
//! panic, and no report ever contains a token's signature.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod common;

use common::{KeyKind, NOW, b64url, jwks, key};
use jiff::tz::TimeZone;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;
use tokenbench::core::jwt::analysis::{Analysis, analyse};
use tokenbench::core::jwt::diff::diff;
use tokenbench::core::jwt::key::{KeyInput, KeyMaterial, parse_key};
use tokenbench::core::jwt::report::{Style, json_report, text_report};
use tokenbench::core::jwt::{DecodedJwt, Expectations, Inspection};

/// Keys to verify with: none, a short secret, an RSA PEM, an EC JWK, a JWKS with RSA and oct keys.
fn keys() -> &'static [Option<KeyMaterial>] {
    static KEYS: OnceLock<Vec<Option<KeyMaterial>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let text = |t: &str| Some(parse_key(KeyInput::KeyText(t)).expect("a test key"));
        vec![
            None,
            Some(parse_key(KeyInput::SecretText("short")).expect("a secret")),
            text(&key(KeyKind::Rsa, 0).public_pem()),
            text(&key(KeyKind::P256, 0).jwk_json(Some("ec"), None)),
            text(&jwks(&[
                key(KeyKind::Rsa, 0).jwk(Some("rsa"), None),
                json!({"kty": "oct", "kid": "oct", "k": "c2VjcmV0"}),
                json!({"kty": "??", "kid": "odd"}),
            ])),
        ]
    })
}

/// Runs everything a user can trigger on one input and returns the analysis and the three reports.
fn analyse_and_report(raw: &str, key_index: usize, expect: &Expectations, now: i64) -> (Analysis, [String; 3]) {
    let keys = keys();
    let analysis = analyse(raw, keys[key_index % keys.len()].as_ref(), expect, now);
    let json = json_report(&analysis).to_string();
    let text = text_report(&analysis, &TimeZone::UTC, Style::Text);
    let markdown = text_report(&analysis, &TimeZone::UTC, Style::Markdown);
    (analysis, [json, text, markdown])
}

fn expectations() -> impl Strategy<Value = Expectations> {
    (
        prop::option::of(prop_oneof![
            Just("https://tenant.example.auth0.com/".to_owned()),
            Just("https://tenant.example.auth0.com".to_owned()),
            "\\PC{0,12}",
        ]),
        prop::option::of(prop_oneof![Just("client".to_owned()), "\\PC{0,12}"]),
        0i64..=86_400,
    )
        .prop_map(|(issuer, audience, leeway)| Expectations {
            issuer,
            audience,
            leeway,
        })
}

/// One to six segments of base64url characters joined by dots.
fn base64url_segments() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z0-9_-]{0,48}", 1..=6).prop_map(|segments| segments.join("."))
}

/// Random bytes made into text, replacing invalid UTF-8.
fn lossy_bytes() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..300).prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// The wrappers users paste tokens in.
fn wrapped(inner: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    let prefixes = prop::sample::select(vec![
        "",
        "Bearer ",
        "authorization: bearer ",
        "DPoP ",
        "\"",
        "https://app.example/cb#id_token=",
        "https://app.example/cb?code=x&access_token=",
        "SharedAccessSignature sig=",
        "?sv=1&sig=",
    ]);
    let suffixes = prop::sample::select(vec!["", "\n", "\"", "&state=1", " \t", "&se=2030"]);
    (prefixes, inner, suffixes).prop_map(|(prefix, inner, suffix)| format!("{prefix}{inner}{suffix}"))
}

/// Any JSON value, nested a little.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            i64::MIN,
            i64::MAX,
            -1,
            0,
            NOW,
            253_402_300_799,
            253_402_300_800,
            -377_705_116_800,
        ])
        .prop_map(Value::from),
        prop::sample::select(vec![1e300, -1e300, 1e19, -1e19, 0.5, -0.5, 1.7e9]).prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object with the names verifiers look at, holding any values.
fn json_object(names: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((prop::sample::select(names), json_value()), 0..8)
        .prop_map(|members| members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

const HEADER_NAMES: &[&str] = &["alg", "typ", "kid", "x5c", "jku", "cty", "crit", "other"];
const CLAIM_NAMES: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "azp",
    "exp",
    "nbf",
    "iat",
    "auth_time",
    "updated_at",
    "nonce",
    "https://example.com/roles",
    "x",
];
const ALGORITHMS: &[&str] = &[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "none",
    "NONE", "", "HS1024",
];

/// A NumericDate-ish value: ordinary, extreme, fractional, out of range for `i64` or of the wrong type.
fn time_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (NOW - 400_000..NOW + 400_000).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![i64::MIN, i64::MIN + 1, i64::MAX, -1, 0]).prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::num::f64::NORMAL.prop_map(Value::from),
        prop::sample::select(vec![1e300, -1e300, 1e19, -1e19, -0.5, 1.7e9]).prop_map(Value::from),
        json_value(),
    ]
}

/// Claims with any values, and the time claims set (or not) to [`time_value`]s.
fn claims_with_times() -> impl Strategy<Value = Map<String, Value>> {
    (
        json_object(CLAIM_NAMES),
        prop::collection::vec(
            (
                prop::sample::select(vec!["exp", "nbf", "iat", "auth_time", "updated_at"]),
                time_value(),
            ),
            0..5,
        ),
    )
        .prop_map(|(mut claims, times)| {
            for (name, value) in times {
                claims.insert(name.to_owned(), value);
            }
            claims
        })
}

/// Three segments whose header and payload are base64url JSON objects with any values in the claims that
/// matter (huge, negative and fractional times, wrong types), and any signature segment.
fn json_shaped_token() -> impl Strategy<Value = String> {
    (
        json_object(HEADER_NAMES),
        prop::sample::select(ALGORITHMS),
        claims_with_times(),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| b64url(&b)),
            "[A-Za-z0-9_+/=-]{0,64}",
        ],
    )
        .prop_map(|(mut header, alg, claims, signature)| {
            header.entry("alg").or_insert_with(|| alg.into());
            format!(
                "{}.{}.{signature}",
                b64url(Value::Object(header).to_string().as_bytes()),
                b64url(Value::Object(claims).to_string().as_bytes())
            )
        })
}

/// A well-formed token: readable header and payload, and a base64url signature of at least 20 characters.
fn well_formed_token() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(ALGORITHMS),
        prop::option::of("[A-Za-z0-9_-]{1,16}"),
        prop::collection::btree_map(
            prop::sample::select(CLAIM_NAMES),
            prop_oneof![
                "[A-Za-z0-9 ._:/|-]{0,40}".prop_map(Value::from),
                (NOW - 400_000..NOW + 400_000).prop_map(Value::from),
                any::<bool>().prop_map(Value::from),
            ],
            0..10,
        ),
        prop::collection::vec(any::<u8>(), 15..=512),
    )
        .prop_map(|(alg, kid, claims, signature)| {
            let mut header = json!({"alg": alg, "typ": "JWT"});
            if let Some(kid) = kid {
                header["kid"] = kid.into();
            }
            let payload: Map<String, Value> = claims.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let signature = b64url(&signature);
            let token = format!(
                "{}.{}.{signature}",
                b64url(header.to_string().as_bytes()),
                b64url(Value::Object(payload).to_string().as_bytes())
            );
            (token, signature)
        })
}

proptest! {
    // 256 cases unless PROPTEST_CASES says otherwise: CI runs the default, scripts/fuzz runs millions.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn arbitrary_strings_never_panic(raw in "\\PC*", key_index in 0usize..8, expect in expectations()) {
        analyse_and_report(&raw, key_index, &expect, NOW);
    }

    #[test]
    fn arbitrary_unicode_including_controls_never_panics(raw in ".*", key_index in 0usize..8) {
        analyse_and_report(&raw, key_index, &Expectations::default(), NOW);
    }

    #[test]
    fn dot_joined_base64url_segments_never_panic(
        raw in wrapped(base64url_segments()),
        key_index in 0usize..8,
        expect in expectations(),
        now in 0i64..4_000_000_000,
    ) {
        analyse_and_report(&raw, key_index, &expect, now);
    }

    #[test]
    fn lossy_utf8_from_random_bytes_never_panics(raw in wrapped(lossy_bytes()), key_index in 0usize..8) {
        analyse_and_report(&raw, key_index, &Expectations::default(), NOW);
    }

    #[test]
    fn json_shaped_tokens_with_any_claim_values_never_panic(
        raw in wrapped(json_shaped_token()),
        key_index in 0usize..8,
        expect in expectations(),
        now in 0i64..4_000_000_000,
    ) {
        let (analysis, _) = analyse_and_report(&raw, key_index, &expect, now);
        prop_assert!(analysis.verdict.is_some() == matches!(analysis.inspection, Inspection::Jwt(_)));
    }

    #[test]
    fn reports_never_contain_the_signature_of_a_well_formed_token(
        (token, signature) in well_formed_token(),
        key_index in 0usize..8,
        expect in expectations(),
    ) {
        prop_assert!(signature.len() >= 20);
        let (analysis, [json, text, markdown]) = analyse_and_report(&token, key_index, &expect, NOW);
        prop_assert!(matches!(analysis.inspection, Inspection::Jwt(_)));
        prop_assert!(analysis.verdict.as_ref().is_some_and(|v| v.checks[0].ok), "structure must pass");
        prop_assert!(!markdown.contains(&signature), "the Markdown report contains the signature:\n{}", markdown);
        prop_assert!(!text.contains(&signature), "the text report contains the signature:\n{}", text);
        prop_assert!(!json.contains(&signature), "the JSON report contains the signature:\n{}", json);
    }
}

/// Characters that must never reach a terminal raw.
fn is_terminal_control(c: char) -> bool {
    let n = u32::from(c);
    (n < 0x20 && c != '\n')
        || (0x7f..=0x9f).contains(&n)
        || matches!(n, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c)
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn reports_never_print_raw_control_or_bidi_characters(
        name in ".{0,12}",
        value in ".{0,24}",
        header_value in ".{0,12}",
        key_index in 0usize..8,
    ) {
        let token = common::raw_token(
            &json!({"alg": "HS256", "kid": header_value}),
            &json!({name.clone(): value.clone(), "iss": value}),
            "c2ln",
        );
        let expect = Expectations { issuer: Some(name), ..Expectations::default() };
        let (_, [_, text, markdown]) = analyse_and_report(&token, key_index, &expect, NOW);
        prop_assert!(!text.chars().any(is_terminal_control), "{:?}", text);
        prop_assert!(!markdown.chars().any(is_terminal_control), "{:?}", markdown);
    }
}

/// Regression: times far outside the `i64` range of differences (`-1e300` saturates to `i64::MIN`) used to
/// overflow when the checklist and findings computed "expired … ago" and the lifetime.
#[test]
fn extreme_time_claims_and_leeways_are_explained_without_overflow() {
    let token = |claims: Value| common::raw_token(&json!({"alg": "HS256"}), &claims, "");
    let cases = [
        json!({"exp": -1e300}),
        json!({"exp": i64::MIN}),
        json!({"exp": 1e300, "iat": -1e300}),
        json!({"exp": i64::MAX, "iat": i64::MIN, "nbf": i64::MAX}),
        json!({"nbf": -1e300, "iat": 1e300}),
    ];
    for claims in cases {
        let raw = token(claims.clone());
        for leeway in [0, 60, i64::MAX, i64::MIN] {
            let expect = Expectations {
                leeway,
                ..Expectations::default()
            };
            for now in [NOW, 0] {
                analyse_and_report(&raw, 0, &expect, now);
            }
        }
        let decoded = DecodedJwt::decode(&raw);
        let _ = diff(
            &decoded,
            &DecodedJwt::decode(&token(json!({"exp": NOW, "iat": NOW - 60}))),
        )
        .summary();
        let _ = diff(&decoded, &decoded).summary();
    }

    let (analysis, _) = analyse_and_report(&token(json!({"exp": -1e300})), 0, &Expectations::default(), NOW);
    let failure = analysis
        .verdict
        .as_ref()
        .and_then(|v| v.first_failure())
        .expect("a failure");
    assert_eq!(failure.name, "exp");
    assert!(analysis.findings.iter().any(|f| f.code == "expired"));

    let (analysis, _) = analyse_and_report(
        &token(json!({"exp": 1e300, "iat": -1e300})),
        0,
        &Expectations::default(),
        NOW,
    );
    assert!(analysis.findings.iter().any(|f| f.code == "lifetime_over_24h"));
}
