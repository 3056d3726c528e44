//! One call that does everything the inspector and `tokenbench inspect` show: classify, decode, verify,
//! list findings. The window and the CLI both use it, so they always agree.

use super::findings::{Finding, findings};
use super::input::{Inspection, inspect};
use super::key::KeyMaterial;
use super::verify::{Expectations, Verdict, verify};

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
}

impl Analysis {
    /// Whether the input is a JWT whose checks all passed.
    pub fn passed(&self) -> bool {
        self.verdict.as_ref().is_some_and(Verdict::passed)
    }
}

/// Analyses `raw` at `now`.
pub fn analyse(raw: &str, key: Option<&KeyMaterial>, expect: &Expectations, now: i64) -> Analysis {
    let inspection = inspect(raw);
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
