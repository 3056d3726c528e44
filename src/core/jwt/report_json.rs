//! The `--json` report of a JWT as a serde type that borrows from the analysis: [`super::report::json_report`]
//! turns it into a `Value`, and `inspect --lines` serialises it straight into its output buffer
//! (`serde_json::to_writer`), so both give the same bytes without building or copying a tree per token.
//! In bulk, the parts that repeat from one token to the next (the header, the signature outcome, each
//! check) are serialised once by serde_json and reused while they stay equal: see [`LineCache`].

use super::analysis::Analysis;
use super::decode::SegmentPart;
use super::findings::Finding;
use super::input::Inspection;
use super::report::json_report;
use super::verify::{Check, SignatureStatus};
use crate::core::escape;
use serde::Serialize;
use serde_json::value::{RawValue, to_raw_value};
use serde_json::{Map, Value};

/// The `--json` object of a JWT, member for member in the order printed.
#[derive(Serialize)]
pub struct JwtReport<'a> {
    kind: &'static str,
    header: Option<&'a Map<String, Value>>,
    payload: Option<&'a Map<String, Value>>,
    signature: SignatureReport<'a>,
    checks: &'a [Check],
    findings: &'a [Finding],
    valid: bool,
}

/// `signature`: the token's `alg`, and the outcome of the signature step.
#[derive(Serialize)]
struct SignatureReport<'a> {
    alg: Option<&'a str>,
    status: Option<SignatureStatus>,
    reason: Option<&'a str>,
}

impl<'a> JwtReport<'a> {
    /// The report of a JWT's analysis; `None` for any other input.
    pub fn of(analysis: &'a Analysis) -> Option<Self> {
        let Inspection::Jwt(jwt) = &analysis.inspection else {
            return None;
        };
        let verdict = analysis.verdict.as_ref();
        Some(Self {
            kind: "jwt",
            header: jwt.header.as_ref().ok(),
            payload: jwt.payload.as_ref().ok(),
            signature: SignatureReport {
                alg: jwt.alg(),
                status: verdict.map(|v| v.signature),
                reason: verdict.map(|v| v.reason.as_ref()),
            },
            checks: verdict.map_or(&[], |v| v.checks.as_slice()),
            findings: &analysis.findings,
            valid: analysis.passed() && verdict.is_some_and(|v| v.signature == SignatureStatus::Valid),
        })
    }
}

/// Appends the compact `--json` report of `analysis` and a `\n` to `out`, escaped like every JSON output
/// ([`escape::json_text`]): the bytes `inspect --json` prints, without the whitespace between JSON tokens.
/// `cache` holds what the previous lines serialised; the bytes are the same with a new one.
pub fn push_json_line(analysis: &Analysis, out: &mut Vec<u8>, cache: &mut LineCache) {
    let Some(report) = JwtReport::of(analysis) else {
        return push_compact(&json_report(analysis), out);
    };
    let Inspection::Jwt(jwt) = &analysis.inspection else {
        return push_compact(&report, out);
    };
    match cache.reuse(&report, jwt.segment(SegmentPart::Header)) {
        Some(cached) => push_compact(&cached, out),
        None => push_compact(&report, out),
    }
}

/// What a `signature` member is made from: the alg, the status and the reason.
type SignatureKey = (Option<String>, Option<SignatureStatus>, Option<String>);

/// The serialised parts of the last reports written, each kept with what it was made from: a part is
/// reused only while that is equal, so a line is byte for byte what serialising it afresh gives.
#[derive(Default)]
pub struct LineCache {
    /// The header object, made from this header segment.
    header: Option<(String, Box<RawValue>)>,
    /// The `signature` member, made from this alg, status and reason.
    signature: Option<(SignatureKey, Box<RawValue>)>,
    /// Each check by position, made from that check.
    checks: Vec<(Check, Box<RawValue>)>,
}

impl LineCache {
    /// `report` with its repeated parts taken from (or put in) the cache; `None` if serde_json refuses one
    /// (it cannot: no part has a map with non-string keys), and then the report is written as it is.
    fn reuse<'c>(&'c mut self, report: &JwtReport<'c>, header_segment: &str) -> Option<CachedReport<'c>> {
        if let Some(header) = report.header {
            self.keep_header(header, header_segment)?;
        }
        self.keep_signature(&report.signature)?;
        self.keep_checks(report.checks)?;
        Some(CachedReport {
            kind: report.kind,
            header: report.header.and(self.header.as_ref().map(|(_, raw)| &**raw)),
            payload: report.payload,
            signature: self.signature.as_ref().map(|(_, raw)| &**raw)?,
            checks: CachedChecks(&self.checks),
            findings: report.findings,
            valid: report.valid,
        })
    }

    /// Serialises `header` unless it was made from the same segment.
    fn keep_header(&mut self, header: &Map<String, Value>, segment: &str) -> Option<()> {
        if self.header.as_ref().is_none_or(|(kept, _)| kept != segment) {
            self.header = Some((segment.to_owned(), to_raw_value(header).ok()?));
        }
        Some(())
    }

    /// Serialises `signature` unless the kept one has the same alg, status and reason.
    fn keep_signature(&mut self, signature: &SignatureReport<'_>) -> Option<()> {
        let key = (signature.alg, signature.status, signature.reason);
        let same = |(alg, status, reason): &SignatureKey| (alg.as_deref(), *status, reason.as_deref()) == key;
        if self.signature.as_ref().is_none_or(|(kept, _)| !same(kept)) {
            let owned = (key.0.map(str::to_owned), key.1, key.2.map(str::to_owned));
            self.signature = Some((owned, to_raw_value(signature).ok()?));
        }
        Some(())
    }

    /// Serialises each check that differs from the one kept at its position.
    fn keep_checks(&mut self, checks: &[Check]) -> Option<()> {
        self.checks.truncate(checks.len());
        for (index, check) in checks.iter().enumerate() {
            match self.checks.get_mut(index) {
                Some((kept, _)) if kept == check => {}
                Some(slot) => *slot = (check.clone(), to_raw_value(check).ok()?),
                None => self.checks.push((check.clone(), to_raw_value(check).ok()?)),
            }
        }
        Some(())
    }
}

/// A [`JwtReport`] whose repeated parts are already serialised.
#[derive(Serialize)]
struct CachedReport<'a> {
    kind: &'static str,
    header: Option<&'a RawValue>,
    payload: Option<&'a Map<String, Value>>,
    signature: &'a RawValue,
    checks: CachedChecks<'a>,
    findings: &'a [Finding],
    valid: bool,
}

/// The cached checks, serialised as the array of their JSON.
struct CachedChecks<'a>(&'a [(Check, Box<RawValue>)]);

impl Serialize for CachedChecks<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|(_, raw)| raw))
    }
}

/// Appends `value` as one compact, escaped JSON line.
pub fn push_compact(value: &impl Serialize, out: &mut Vec<u8>) {
    let start = out.len();
    if serde_json::to_writer(&mut *out, value).is_err() {
        // Writing to memory fails only on a map with non-string keys, which no report has.
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
    escape::json_escape_appended(out, start);
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::jwt::analysis::analyse;
    use crate::core::jwt::decode::base64url;
    use crate::core::jwt::key::{KeyInput, parse_key};
    use crate::core::jwt::verify::Expectations;

    fn token(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            base64url(header.as_bytes()),
            base64url(payload.as_bytes())
        )
    }

    /// What `inspect --json` prints, as one line: the `Value` report, escaped.
    fn through_value(analysis: &Analysis) -> String {
        format!("{}\n", escape::json_text(&json_report(analysis).to_string()))
    }

    #[test]
    fn the_direct_line_is_the_value_report_byte_for_byte() {
        let hostile = "\u{1b}[2J\u{202e}\u{9b}\u{7f}\u{61c}\u{2066}\"\\\n\t é 漢 😀";
        let payload = serde_json::json!({
            "iss": "https://t/", "sub": hostile, hostile: [1, -2, 3.5, 1e300, 18446744073709551615_u64],
            "exp": 1_750_003_600, "iat": "soon", "nbf": 1.5, "aud": ["a", "b"], "nested": {"z": null, "a": true},
        });
        let inputs = [
            token(r#"{"alg":"HS256","typ":"JWT"}"#, &payload.to_string()),
            token(r#"{"alg":"none"}"#, r#"{"b":1,"a":2}"#),
            token(r#"{"alg":"RS256","kid":"k"}"#, "not json"),
            token(r#"{"alg":"HS256","crit":["x"]}"#, "[1]"),
            "eyJhbGciOiJIUzI1NiJ9.*.x".to_owned(),
            String::new(),
            "not a token".to_owned(),
            "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d".to_owned(),
            "sv=2014-02-14&sr=b&se=2015-01-08T18%3A50%3A14Z&sp=r&sig=c2ln".to_owned(),
        ];
        let secret = parse_key(KeyInput::SecretText("a-forty-byte-secret-for-hs256-tests-only")).unwrap();
        let expect = Expectations {
            issuer: Some("https://t/".to_owned()),
            ..Expectations::default()
        };
        // One cache across every line, as a bulk thread keeps it: parts are reused between equal tokens and
        // replaced between different ones (and between times, which change the exp and iat checks).
        let mut shared = LineCache::default();
        for now in [1_750_000_000, 1_750_000_000, 1_760_000_000] {
            for input in &inputs {
                for key in [None, Some(&secret), None] {
                    let analysis = analyse(input, key, &expect, now);
                    let expected = format!("earlier line\n{}", through_value(&analysis));
                    for cache in [&mut shared, &mut LineCache::default()] {
                        let mut line = b"earlier line\n".to_vec();
                        push_json_line(&analysis, &mut line, cache);
                        assert_eq!(String::from_utf8(line).unwrap(), expected, "{input}");
                    }
                }
            }
        }
    }
}
