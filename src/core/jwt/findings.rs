//! Findings: unsigned, expired, not yet valid, no expiry, malformed times, issuer without the trailing slash,
//! issued in the future, lifetime over a day; and, from the key, a weak HMAC secret or a JWKS that publishes
//! private keys.

use super::decode::{DecodedJwt, TimeClaim};
use super::key::KeyMaterial;
use super::time::human_duration;
use serde::Serialize;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Likely to cause trouble.
    Warning,
    /// The token will be (or should be) rejected.
    Error,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `expired`.
    pub code: &'static str,
    /// How much it matters.
    pub severity: Severity,
    /// One sentence saying what and why.
    pub message: String,
}

fn finding(code: &'static str, severity: Severity, message: String) -> Finding {
    Finding {
        code,
        severity,
        message,
    }
}

/// Codes of the findings that come from the key; every other finding depends only on the token and "now".
pub const KEY_FINDINGS: [&str; 2] = ["weak_hmac_secret", "jwks_exposes_private_key"];

/// Lists findings for a token at `now`, allowing `leeway` seconds of clock skew. A key, when given, adds
/// `weak_hmac_secret` for short HS secrets and `jwks_exposes_private_key`.
pub fn findings(jwt: &DecodedJwt, key: Option<&KeyMaterial>, leeway: i64, now: i64) -> Vec<Finding> {
    let mut out = key_findings(jwt, key);
    out.extend(token_findings(jwt, leeway, now));
    sort(&mut out);
    out
}

/// Findings from the key only (codes in [`KEY_FINDINGS`]).
pub fn key_findings(jwt: &DecodedJwt, key: Option<&KeyMaterial>) -> Vec<Finding> {
    let mut out = Vec::new();
    hmac_findings(jwt, key, &mut out);
    if let Some(KeyMaterial::Jwks { exposed, .. }) = key
        && !exposed.is_empty()
    {
        out.push(finding(
            "jwks_exposes_private_key",
            Severity::Warning,
            format!(
                "the JWKS publishes private or symmetric key material (kid {}): anyone who fetched it can sign \
                 tokens. A JWKS must hold public keys only; rotate these keys",
                exposed.join(", ")
            ),
        ));
    }
    out
}

/// Findings from the token and "now" only.
pub fn token_findings(jwt: &DecodedJwt, leeway: i64, now: i64) -> Vec<Finding> {
    let mut out = Vec::new();
    if jwt.alg().unwrap_or_default().eq_ignore_ascii_case("none") {
        out.push(finding(
            "alg_none",
            Severity::Error,
            "alg is \"none\": the token is unsigned; never accept it".into(),
        ));
    }
    time_findings(jwt, leeway, now, &mut out);
    issuer_findings(jwt, &mut out);
    out
}

/// Most severe first, keeping the order of equal ones.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
}

fn hmac_findings(jwt: &DecodedJwt, key: Option<&KeyMaterial>, out: &mut Vec<Finding>) {
    let alg = jwt.alg().unwrap_or_default();
    let hash_bytes = match alg {
        "HS256" => 32,
        "HS384" => 48,
        "HS512" => 64,
        _ => return,
    };
    if let Some(KeyMaterial::Secret(secret)) = key
        && secret.len() < hash_bytes
    {
        out.push(finding(
            "weak_hmac_secret",
            Severity::Warning,
            format!(
                "the {alg} secret is {} bytes, shorter than the {hash_bytes}-byte hash output (RFC 7518 §3.2); \
                 short secrets can be brute-forced offline from any token",
                secret.len()
            ),
        ));
    }
}

fn time_findings(jwt: &DecodedJwt, leeway: i64, now: i64, out: &mut Vec<Finding>) {
    // Each claim is looked up once: this runs for every line of `inspect --lines`.
    let [exp, nbf, iat] = ["exp", "nbf", "iat"].map(|claim| jwt.claim_time(claim));
    for (claim, time) in [("exp", exp), ("nbf", nbf), ("iat", iat)] {
        if let TimeClaim::Malformed(kind) = time {
            out.push(finding(
                "malformed_time_claim",
                Severity::Error,
                super::verify::not_a_numeric_date(claim, kind),
            ));
        }
    }
    let seconds = |time: TimeClaim| match time {
        TimeClaim::Seconds(seconds) => Some(seconds),
        TimeClaim::Absent | TimeClaim::Malformed(_) => None,
    };
    match exp {
        TimeClaim::Malformed(_) => {}
        TimeClaim::Absent => out.push(finding(
            "missing_exp",
            Severity::Warning,
            "no exp claim: the token never expires".into(),
        )),
        TimeClaim::Seconds(exp) if exp <= now.saturating_sub(leeway) => out.push(finding(
            "expired",
            Severity::Error,
            format!("expired {} ago", human_duration(now.abs_diff(exp))),
        )),
        TimeClaim::Seconds(_) => {}
    }
    if let Some(nbf) = seconds(nbf).filter(|nbf| *nbf > now.saturating_add(leeway)) {
        out.push(finding(
            "not_yet_valid",
            Severity::Error,
            format!("not valid for another {}", human_duration(nbf.abs_diff(now))),
        ));
    }
    let iat = seconds(iat);
    if let Some(iat) = iat.filter(|iat| *iat > now.saturating_add(leeway)) {
        out.push(finding(
            "issued_in_future",
            Severity::Warning,
            format!(
                "issued {} in the future: the issuer's clock is ahead of this machine's",
                human_duration(iat.abs_diff(now))
            ),
        ));
    }
    if let (Some(iat), Some(exp)) = (iat, seconds(exp))
        && exp.saturating_sub(iat) > 86_400
    {
        out.push(finding(
            "lifetime_over_24h",
            Severity::Info,
            format!(
                "lives {} (over 24 h): a stolen copy stays useful for long",
                human_duration(exp.abs_diff(iat))
            ),
        ));
    }
}

fn issuer_findings(jwt: &DecodedJwt, out: &mut Vec<Finding>) {
    let Some(iss) = jwt.claim_str("iss") else { return };
    let is_url_without_slash =
        iss.starts_with("https://") && !iss.ends_with('/') && !iss["https://".len()..].contains('/');
    if is_url_without_slash {
        out.push(finding(
            "iss_without_trailing_slash",
            Severity::Info,
            format!("iss \"{iss}\" has no trailing slash: Auth0 issuers are https://TENANT/, so an Auth0 SDK expecting \"{iss}/\" rejects it"),
        ));
    }
}
