//! The `--json` report of a JWT as a serde type that borrows from the analysis: [`super::report::json_report`]
//! turns it into a `Value`, and `inspect --lines` serialises it straight into its output buffer
//! (`serde_json::to_writer`), so both give the same bytes without building or copying a tree per token.

use super::analysis::Analysis;
use super::findings::Finding;
use super::input::Inspection;
use super::report::json_report;
use super::verify::{Check, SignatureStatus};
use crate::core::escape;
use serde::Serialize;
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
pub fn push_json_line(analysis: &Analysis, out: &mut Vec<u8>) {
    let Some(report) = JwtReport::of(analysis) else {
        return push_compact(&json_report(analysis), out);
    };
    push_compact(&report, out);
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
        for input in &inputs {
            for key in [None, Some(&secret)] {
                let analysis = analyse(input, key, &expect, 1_750_000_000);
                let mut line = b"earlier line\n".to_vec();
                push_json_line(&analysis, &mut line);
                let line = String::from_utf8(line).unwrap();
                assert_eq!(line, format!("earlier line\n{}", through_value(&analysis)), "{input}");
            }
        }
    }
}
