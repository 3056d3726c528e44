//! One call that does everything the inspector and `tokenbench inspect` show: classify, decode, verify,
//! list findings. The window and the CLI both use it, so they always agree.

use super::decode::HeaderCache;
use super::findings::{Finding, KEY_FINDINGS, findings, sort, token_findings};
use super::input::{Inspection, inspect_with};
use super::key::KeyMaterial;
use super::verify::{Expectations, TIME_CHECKS, Verdict, time_checks, verify};

/// Everything known about one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// What the input is, decoded.
    pub inspection: Inspection,
    /// The checklist, for JWTs.
    pub verdict: Option<Verdict>,
    /// Key-less findings (plus `weak_hmac_secret` when a secret is given), for JWTs.
    pub findings: Vec<Finding>,
    /// The moment the time checks used.
    pub now: i64,
    /// The clock skew the time checks allowed, in seconds.
    pub leeway: i64,
}

impl Analysis {
    /// Whether the input is a JWT whose checks all passed.
    pub fn passed(&self) -> bool {
        self.verdict.as_ref().is_some_and(Verdict::passed)
    }

    /// Moves the analysis to another `now`: only the exp, nbf and iat steps and the token's findings are
    /// recomputed; the key and signature work is kept, so this is cheap enough for every frame.
    pub fn retime(&mut self, now: i64) {
        self.now = now;
        let Inspection::Jwt(jwt) = &self.inspection else { return };
        if let Some(verdict) = self.verdict.as_mut() {
            for check in time_checks(jwt, self.leeway, now) {
                if let Some(slot) = verdict.checks.iter_mut().find(|c| c.name == check.name) {
                    *slot = check;
                }
            }
        }
        self.findings.retain(|f| KEY_FINDINGS.contains(&f.code));
        self.findings.extend(token_findings(jwt, self.leeway, now));
        sort(&mut self.findings);
    }

    /// A copy of the analysis moved to `now` (see [`Analysis::retime`]).
    pub fn at(&self, now: i64) -> Analysis {
        let mut moved = self.clone();
        moved.retime(now);
        moved
    }
}

/// Whether a step depends on "now".
pub fn is_time_check(name: &str) -> bool {
    TIME_CHECKS.contains(&name)
}

/// Analyses `raw` at `now`.
pub fn analyse(raw: &str, key: Option<&KeyMaterial>, expect: &Expectations, now: i64) -> Analysis {
    analyse_with(raw, key, expect, now, None)
}

/// [`analyse`], with a JWT's header taken from `headers` when it is the one decoded last (bulk input).
pub fn analyse_with(
    raw: &str,
    key: Option<&KeyMaterial>,
    expect: &Expectations,
    now: i64,
    headers: Option<&mut HeaderCache>,
) -> Analysis {
    let inspection = inspect_with(raw, headers);
    let (verdict, found) = match &inspection {
        Inspection::Jwt(jwt) => (
            Some(verify(jwt, key, expect, now)),
            findings(jwt, key, expect.leeway, now),
        ),
        _ => (None, Vec::new()),
    };
    Analysis {
        inspection,
        verdict,
        findings: found,
        now,
        leeway: expect.leeway,
    }
}

/// A one-line description of a non-JWT input, saying what it looks like and what to do.
pub fn not_a_jwt_message(inspection: &Inspection) -> Option<String> {
    Some(match inspection {
        Inspection::Jwt(_) => return None,
        Inspection::Empty => "no input: there is no token to inspect".to_owned(),
        Inspection::Jwe { header } => match header {
            Ok(h) => format!(
                "this is a JWE (encrypted token, 5 segments) with header {}: only the holder of the decryption key \
                 can read its claims",
                serde_json::Value::Object(h.clone())
            ),
            Err(e) => format!("this has 5 segments like a JWE, but its header cannot be read: {e}"),
        },
        Inspection::AzureSas(sas) => format!(
            "this is an Azure {} shared access signature, not a JWT: its fields are shown below",
            match sas.kind {
                super::sas::SasKind::StorageBlob => "Storage",
                super::sas::SasKind::ServiceBus => "Service Bus",
            }
        ),
        Inspection::Opaque { looks_like, length } => format!("{length} characters: {looks_like}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::jwt::key::{KeyInput, parse_key};
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    const SECRET: &str = "a-forty-byte-secret-for-hs256-tests-only";
    const NOW: i64 = 1_750_000_000;

    fn analysis_at(now: i64) -> Analysis {
        let claims = json!({"iss": "https://t/", "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 3600, "sub": "u"});
        let token = encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        let key = parse_key(KeyInput::SecretText("short")).unwrap();
        let expect = Expectations {
            issuer: Some("https://t/".into()),
            ..Expectations::default()
        };
        analyse(&token, Some(&key), &expect, now)
    }

    #[test]
    fn a_retimed_analysis_equals_a_fresh_analysis_at_that_time() {
        let base = analysis_at(NOW);
        for later in [
            NOW + 30,
            NOW + 3_700,
            NOW - 3_600,
            NOW + 86_400 * 400,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(base.at(later), analysis_at(later), "at {later}");
            assert_eq!(base.at(later).at(NOW), base, "back from {later}");
        }
    }

    #[test]
    fn retime_changes_only_the_time_checks_and_never_verifies_again() {
        let mut moved = analysis_at(NOW);
        let signature = |a: &Analysis| {
            a.verdict
                .as_ref()
                .unwrap()
                .checks
                .iter()
                .position(|c| c.name == "signature")
        };
        let index = signature(&moved).unwrap();
        // A marker a second verification would overwrite.
        moved.verdict.as_mut().unwrap().checks[index].detail = "verified once".into();
        let before = moved.clone();
        moved.retime(NOW + 7_200);
        let (old, new) = (&before.verdict.unwrap().checks, &moved.verdict.as_ref().unwrap().checks);
        assert_eq!(new[index].detail, "verified once");
        assert_eq!(old.len(), new.len());
        for (old, new) in old.iter().zip(new) {
            assert_eq!(old.name, new.name);
            if !is_time_check(old.name) {
                assert_eq!(old, new);
            }
        }
        let exp = new.iter().find(|c| c.name == "exp").unwrap();
        assert_eq!(exp.status, super::super::CheckStatus::Fail, "{exp:?}");
        assert!(moved.findings.iter().any(|f| f.code == "weak_hmac_secret"));
        assert!(moved.findings.iter().any(|f| f.code == "expired"));
    }
}
