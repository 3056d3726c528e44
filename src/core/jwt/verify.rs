//! Verification as an ordered checklist: structure, alg, key, signature, exp, nbf, iss, aud, typ.
//! The first failing step is the answer to "why does my token not verify?", with a fix.

use super::decode::{DecodedJwt, SegmentPart, TimeClaim};
use super::key::KeyMaterial;
use super::select::{SelectedKey, select_key};
use super::time::human_duration;
use jsonwebtoken::Algorithm;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::str::FromStr;

/// Default clock-skew allowance, as Auth0's SDKs use.
pub const DEFAULT_LEEWAY_SECONDS: i64 = 60;

/// What the verifier expects beyond a valid signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// Expected `iss`, compared exactly.
    pub issuer: Option<String>,
    /// Expected audience (client ID or API identifier).
    pub audience: Option<String>,
    /// Clock skew allowed for `exp` and `nbf`, in seconds.
    pub leeway: i64,
}

impl Default for Expectations {
    fn default() -> Self {
        Self {
            issuer: None,
            audience: None,
            leeway: DEFAULT_LEEWAY_SECONDS,
        }
    }
}

/// Outcome of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The step passed.
    Pass,
    /// The step failed; `detail` says why and what to do.
    Fail,
    /// The step was not run (no key, no expectation, or an earlier step failed).
    Skip,
}

/// One step of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable step name: structure, alg, key, signature, exp, nbf, iat, iss, aud, typ.
    pub name: &'static str,
    /// `true` only when the step passed (a skipped step is not ok); `status` tells fail from skip.
    pub ok: bool,
    /// Pass, fail or skip.
    pub status: CheckStatus,
    /// What was checked, or why it failed and how to fix it. Fixed sentences are not copied per token.
    pub detail: Cow<'static, str>,
}

impl Check {
    fn new(name: &'static str, status: CheckStatus, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            name,
            ok: status == CheckStatus::Pass,
            status,
            detail: detail.into(),
        }
    }
}

/// Whether the signature was checked and held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureStatus {
    /// Checked with a key and valid.
    Valid,
    /// Checked and invalid, or could not be checked because of the token or key.
    Invalid,
    /// No key was given.
    Unchecked,
}

/// The result of running the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The token's `alg`, if readable.
    pub alg: Option<String>,
    /// The signature outcome.
    pub signature: SignatureStatus,
    /// One sentence on the signature outcome.
    pub reason: Cow<'static, str>,
    /// Every step in order.
    pub checks: Vec<Check>,
}

/// The verdict in one word, for headlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// A step failed: the first one is the one to fix.
    Failed(&'a Check),
    /// Signed with the given key and every check passed.
    Valid,
    /// Nothing failed, but the signature was not checked against a key.
    Unchecked,
}

impl Verdict {
    /// Failed (with the first failing step), valid, or unchecked.
    pub fn outcome(&self) -> Outcome<'_> {
        match (self.first_failure(), self.signature) {
            (Some(fail), _) => Outcome::Failed(fail),
            (None, SignatureStatus::Valid) => Outcome::Valid,
            (None, _) => Outcome::Unchecked,
        }
    }

    /// The first failing step, the one to fix first.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.status == CheckStatus::Fail)
    }

    /// True when no step failed.
    pub fn passed(&self) -> bool {
        self.first_failure().is_none()
    }
}

/// The names of the steps that depend on "now"; [`time_checks`] recomputes exactly these.
pub const TIME_CHECKS: [&str; 3] = ["exp", "nbf", "iat"];

/// What the signature step says when expectations were given but no key: the claims prove nothing then.
pub const EXPECTATIONS_WITHOUT_KEY: &str = "signature not checked: an expected issuer or audience proves nothing \
     without a key, because anyone can write those claims; give a key (secret, PEM, JWK, JWKS, JWKS URL, or \
     discovery from an issuer you name)";

/// Runs the checklist. `key` may be `None`: the signature is then checked with the header's `x5c` when
/// present, or left unchecked (a failure when an issuer or audience is expected).
pub fn verify(jwt: &DecodedJwt, key: Option<&KeyMaterial>, expect: &Expectations, now: i64) -> Verdict {
    let mut checks = Vec::with_capacity(10);
    let structure = check_structure(jwt);
    let structure_ok = structure.status == CheckStatus::Pass;
    checks.push(structure);
    let alg = check_alg(jwt, key);
    let signature = match (&alg, structure_ok) {
        (Ok(alg), true) => signature_checks(jwt, *alg, key, &mut checks),
        (Err(failed), _) => {
            checks.push(failed.clone());
            skip_signature(&mut checks, "not checked: fix the alg step first")
        }
        (Ok(_), false) => skip_signature(&mut checks, "not checked: the token structure is broken"),
    };
    if signature == SignatureStatus::Unchecked && (expect.issuer.is_some() || expect.audience.is_some()) {
        fail_unchecked_signature(&mut checks);
    }
    checks.extend(time_checks(jwt, expect.leeway, now));
    checks.push(check_issuer(jwt, expect.issuer.as_deref()));
    checks.push(check_audience(jwt, expect.audience.as_deref()));
    checks.push(check_typ(jwt));
    let reason = checks
        .iter()
        .find(|c| c.name == "signature")
        .map(|c| c.detail.clone())
        .unwrap_or_default();
    Verdict {
        alg: jwt.alg().map(str::to_owned),
        signature,
        reason,
        checks,
    }
}

/// Expectations were given but the signature was not checked: "iss matches" means nothing then.
fn fail_unchecked_signature(checks: &mut [Check]) {
    if let Some(check) = checks.iter_mut().find(|c| c.name == "signature") {
        *check = Check::new("signature", CheckStatus::Fail, EXPECTATIONS_WITHOUT_KEY);
    }
}

fn skip_signature(checks: &mut Vec<Check>, why: &'static str) -> SignatureStatus {
    checks.push(Check::new("key", CheckStatus::Skip, why));
    checks.push(Check::new("signature", CheckStatus::Skip, why));
    SignatureStatus::Invalid
}

fn check_structure(jwt: &DecodedJwt) -> Check {
    match jwt.first_error() {
        Some(error) => Check::new(
            "structure",
            CheckStatus::Fail,
            format!("{error}. Copy the whole token again: it may have been cut or changed"),
        ),
        None => Check::new(
            "structure",
            CheckStatus::Pass,
            "three base64url segments; header and payload are JSON objects",
        ),
    }
}

fn check_alg(jwt: &DecodedJwt, key: Option<&KeyMaterial>) -> Result<Algorithm, Check> {
    let fail = |detail: String| Check::new("alg", CheckStatus::Fail, detail);
    let Some(name) = jwt.alg() else {
        return Err(fail(
            "the header has no \"alg\": the token cannot be verified".to_owned(),
        ));
    };
    if name.eq_ignore_ascii_case("none") {
        return Err(fail(
            "alg is \"none\": the token is unsigned and anyone could have written it. Never accept it".to_owned(),
        ));
    }
    let alg = Algorithm::from_str(name).map_err(|_| {
        fail(format!(
            "alg \"{name}\" is not supported; supported: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384, EdDSA"
        ))
    })?;
    if let Some(problem) = key.and_then(|k| super::select::family_mismatch(alg, k)) {
        return Err(fail(problem));
    }
    if let Some(crit) = jwt.header_member("crit") {
        // RFC 7515 §4.1.11: a verifier must reject extensions it does not understand; tokenbench knows none.
        return Err(fail(format!(
            "the header marks extensions as critical (crit: {crit}) that tokenbench does not implement: a \
             conforming verifier must reject this token"
        )));
    }
    Ok(alg)
}

fn signature_checks(
    jwt: &DecodedJwt,
    alg: Algorithm,
    key: Option<&KeyMaterial>,
    checks: &mut Vec<Check>,
) -> SignatureStatus {
    checks.push(Check::new("alg", CheckStatus::Pass, format!("{alg:?}")));
    let selected = match select_key(jwt, alg, key) {
        Ok(Some(selected)) => selected,
        Ok(None) => {
            let why = "not checked: no key given (secret, PEM, JWK, JWKS, JWKS URL or discovery from iss)";
            checks.push(Check::new("key", CheckStatus::Skip, why));
            checks.push(Check::new("signature", CheckStatus::Skip, why));
            return SignatureStatus::Unchecked;
        }
        Err(problem) => {
            checks.push(Check::new("key", CheckStatus::Fail, problem));
            checks.push(Check::new("signature", CheckStatus::Skip, "not checked: no usable key"));
            return SignatureStatus::Invalid;
        }
    };
    if selected.self_asserted {
        return self_asserted_checks(jwt, alg, &selected, checks);
    }
    checks.push(Check::new("key", CheckStatus::Pass, selected.description.clone()));
    let check = check_signature(jwt, alg, &selected);
    let status = if check.status == CheckStatus::Pass {
        SignatureStatus::Valid
    } else {
        SignatureStatus::Invalid
    };
    checks.push(check);
    status
}

/// Only the token's own `x5c` is available: a match is reported, but the signature stays unchecked, because
/// anyone can sign a token with a key of their own and attach its certificate.
fn self_asserted_checks(
    jwt: &DecodedJwt,
    alg: Algorithm,
    key: &SelectedKey,
    checks: &mut Vec<Check>,
) -> SignatureStatus {
    let check = check_signature(jwt, alg, key);
    if check.status != CheckStatus::Pass {
        checks.push(Check::new("key", CheckStatus::Pass, key.description.clone()));
        checks.push(check);
        return SignatureStatus::Invalid;
    }
    let why = "not checked: no key given. The signature matches the certificate in the token's own x5c header, \
               which anyone can attach (self-asserted); give the issuer's key or JWKS to verify";
    checks.push(Check::new("key", CheckStatus::Skip, why));
    checks.push(Check::new("signature", CheckStatus::Skip, why));
    SignatureStatus::Unchecked
}

fn check_signature(jwt: &DecodedJwt, alg: Algorithm, key: &SelectedKey) -> Check {
    let signature = jwt.segment(SegmentPart::Signature);
    match key.verify(signature, jwt.strict_signature(), jwt.signing_input().as_bytes(), alg) {
        Ok(true) => Check::new("signature", CheckStatus::Pass, format!("valid {alg:?} signature")),
        Ok(false) => Check::new("signature", CheckStatus::Fail, signature_hint(alg, key)),
        Err(e) => Check::new(
            "signature",
            CheckStatus::Fail,
            format!("the key cannot verify {alg:?} signatures ({e}): check that it is the right kind of key"),
        ),
    }
}

fn signature_hint(alg: Algorithm, key: &SelectedKey) -> String {
    let mut hint = format!(
        "the signature does not match: the token was changed after signing, or it was signed with another key than {}",
        key.description
    );
    if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        hint.push_str(
            ". If the secret is base64-encoded (Auth0 \"secret_encoded\"), switch the secret encoding to base64; \
             Auth0 signs HS256 ID tokens with the application's client secret",
        );
    }
    hint
}

/// The exp, nbf and iat steps at `now`: the only steps that change when time passes.
pub fn time_checks(jwt: &DecodedJwt, leeway: i64, now: i64) -> [Check; 3] {
    [
        check_exp(jwt.claim_time("exp"), leeway, now),
        check_nbf(jwt.claim_time("nbf"), leeway, now),
        check_iat(jwt.claim_time("iat"), now),
    ]
}

/// The failure for a time claim that is present but not a number.
pub fn not_a_numeric_date(claim: &str, kind: &str) -> String {
    format!(
        "{claim} is not a NumericDate: it is {kind}, not a number of seconds since 1970. A verifier must reject \
         the token; the issuer must send {claim} as a JSON number"
    )
}

fn check_exp(exp: TimeClaim, leeway: i64, now: i64) -> Check {
    let exp = match exp {
        TimeClaim::Absent => return Check::new("exp", CheckStatus::Skip, "no exp claim: the token never expires"),
        TimeClaim::Malformed(kind) => return Check::new("exp", CheckStatus::Fail, not_a_numeric_date("exp", kind)),
        TimeClaim::Seconds(exp) => exp,
    };
    let ago = human_duration(now.abs_diff(exp));
    if now.saturating_sub(leeway) >= exp {
        Check::new(
            "exp",
            CheckStatus::Fail,
            format!(
                "expired {ago} ago (exp {exp}, now {now}, leeway {leeway} s): get a new token; if the clocks of \
                 issuer and verifier disagree, raise the leeway"
            ),
        )
    } else if exp <= now {
        Check::new(
            "exp",
            CheckStatus::Pass,
            format!("expired {ago} ago, but within the leeway of {leeway} s"),
        )
    } else {
        Check::new(
            "exp",
            CheckStatus::Pass,
            format!("expires in {ago} (leeway {leeway} s)"),
        )
    }
}

fn check_nbf(nbf: TimeClaim, leeway: i64, now: i64) -> Check {
    match nbf {
        TimeClaim::Absent => Check::new("nbf", CheckStatus::Skip, "no nbf claim"),
        TimeClaim::Malformed(kind) => Check::new("nbf", CheckStatus::Fail, not_a_numeric_date("nbf", kind)),
        TimeClaim::Seconds(nbf) if nbf > now.saturating_add(leeway) => Check::new(
            "nbf",
            CheckStatus::Fail,
            format!(
                "not valid for another {} (nbf {nbf}, now {now}, leeway {leeway} s): the issuer's clock runs \
                 ahead of this machine's, or the token is meant for later",
                human_duration(nbf.abs_diff(now))
            ),
        ),
        TimeClaim::Seconds(nbf) => Check::new("nbf", CheckStatus::Pass, format!("valid since {nbf}")),
    }
}

/// iat never fails on its value (the `issued_in_future` finding covers clock skew), only on its type.
fn check_iat(iat: TimeClaim, now: i64) -> Check {
    match iat {
        TimeClaim::Absent => Check::new("iat", CheckStatus::Skip, "no iat claim"),
        TimeClaim::Malformed(kind) => Check::new("iat", CheckStatus::Fail, not_a_numeric_date("iat", kind)),
        TimeClaim::Seconds(iat) if iat > now => Check::new(
            "iat",
            CheckStatus::Pass,
            format!("issued at {iat}, {} in the future", human_duration(iat.abs_diff(now))),
        ),
        TimeClaim::Seconds(iat) => Check::new(
            "iat",
            CheckStatus::Pass,
            format!("issued at {iat}, {} ago", human_duration(now.abs_diff(iat))),
        ),
    }
}

fn check_issuer(jwt: &DecodedJwt, expected: Option<&str>) -> Check {
    let actual = jwt.claim_str("iss");
    let Some(expected) = expected else {
        return Check::new("iss", CheckStatus::Skip, "not checked: no expected issuer given");
    };
    match actual {
        Some(iss) if iss == expected => Check::new("iss", CheckStatus::Pass, format!("iss is {iss}")),
        Some(iss) if iss.trim_end_matches('/') == expected.trim_end_matches('/') => Check::new(
            "iss",
            CheckStatus::Fail,
            format!(
                "iss is \"{iss}\" but \"{expected}\" was expected: they differ only by the trailing slash. \
                 Auth0 issuers always end with \"/\" (https://TENANT/)"
            ),
        ),
        Some(iss) => Check::new(
            "iss",
            CheckStatus::Fail,
            format!("iss is \"{iss}\" but \"{expected}\" was expected: the token comes from another tenant or issuer"),
        ),
        None => Check::new(
            "iss",
            CheckStatus::Fail,
            format!("the token has no iss claim; \"{expected}\" was expected"),
        ),
    }
}

fn check_audience(jwt: &DecodedJwt, expected: Option<&str>) -> Check {
    let Some(expected) = expected else {
        return Check::new("aud", CheckStatus::Skip, "not checked: no expected audience given");
    };
    let audiences: Vec<&str> = match jwt.claim("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.contains(&expected) {
        return Check::new(
            "aud",
            CheckStatus::Fail,
            format!(
                "aud is [{}] but \"{expected}\" was expected: ID tokens carry the client ID, access tokens the API \
                 identifier; request the token with audience={expected}",
                audiences.join(", ")
            ),
        );
    }
    let azp = jwt.claim_str("azp");
    match azp {
        Some(azp) if audiences.len() > 1 && looks_like_id_token(jwt) && azp != expected => Check::new(
            "aud",
            CheckStatus::Fail,
            format!(
                "this ID token has several audiences and azp is \"{azp}\", not \"{expected}\": OIDC requires azp to \
                 be the client that requested it, so it was issued to another client"
            ),
        ),
        Some(azp) if audiences.len() > 1 => Check::new(
            "aud",
            CheckStatus::Pass,
            format!("aud contains {expected}; issued to client {azp} (azp)"),
        ),
        _ => Check::new("aud", CheckStatus::Pass, format!("aud contains {expected}")),
    }
}

/// Access tokens carry several audiences by design (Auth0: the API and `/userinfo`) with `azp` naming the
/// client; only for ID tokens must `azp` equal the expected audience.
fn looks_like_id_token(jwt: &DecodedJwt) -> bool {
    let is_access_token = jwt.claim_str("scope").is_some()
        || jwt
            .header_str("typ")
            .is_some_and(|t| t.to_ascii_lowercase().ends_with("at+jwt"))
        || jwt
            .claim("aud")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().filter_map(Value::as_str).any(|aud| aud.ends_with("/userinfo")));
    !is_access_token
}

fn check_typ(jwt: &DecodedJwt) -> Check {
    match jwt.header_str("typ") {
        None => Check::new("typ", CheckStatus::Pass, "no typ header (allowed)"),
        Some(typ) => {
            let bare = typ.to_ascii_lowercase();
            let bare = bare.strip_prefix("application/").unwrap_or(&bare);
            match bare {
                "jwt" | "at+jwt" => Check::new("typ", CheckStatus::Pass, format!("typ is {typ}")),
                "dpop+jwt" => Check::new(
                    "typ",
                    CheckStatus::Fail,
                    "typ is dpop+jwt: this is a DPoP proof, sent in the DPoP header, not a token to accept",
                ),
                _ => Check::new(
                    "typ",
                    CheckStatus::Fail,
                    format!("typ is \"{typ}\": expected JWT or at+jwt; this token is meant for another use"),
                ),
            }
        }
    }
}
