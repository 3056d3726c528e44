//! Reports of an analysis: JSON for `--json`, readable text for the terminal, Markdown for support tickets.
//! None of them contains the signature, so a report can never be replayed as a token.

use super::analysis::{Analysis, not_a_jwt_message};
use super::claims::display_value;
use super::claims::{explain_claim, explain_header, is_time_claim};
use super::decode::DecodedJwt;
use super::input::Inspection;
use super::report_json::JwtReport;
use super::time::time_view;
use super::verify::{CheckStatus, Outcome};
use crate::core::escape;
use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

/// The `--json` object: header, payload, signature status, checks and findings.
/// For a JWT it is [`JwtReport`], the type `inspect --lines` serialises directly.
pub fn json_report(analysis: &Analysis) -> Value {
    if let Some(report) = JwtReport::of(analysis) {
        // Borrowed maps, strings, numbers and enums: serialising them into a `Value` cannot fail.
        return serde_json::to_value(report).unwrap_or_default();
    }
    let mut report = json!({
        "kind": kind_name(&analysis.inspection),
        "error": not_a_jwt_message(&analysis.inspection),
        "valid": false,
    });
    match &analysis.inspection {
        Inspection::Jwe { header: Ok(header) } => report["header"] = Value::Object(header.clone()),
        Inspection::AzureSas(sas) => report["fields"] = sas_fields(sas),
        _ => {}
    }
    report
}

/// SAS fields as JSON, the signature left out so the output cannot be used as the SAS.
fn sas_fields(sas: &super::sas::SasToken) -> Value {
    let fields: Map<String, Value> = sas
        .fields
        .iter()
        .map(|f| {
            let value = if f.name == "sig" {
                "(removed)".to_owned()
            } else {
                f.value.clone()
            };
            (f.name.clone(), json!({ "value": value, "meaning": f.meaning }))
        })
        .collect();
    Value::Object(fields)
}

fn kind_name(inspection: &Inspection) -> &'static str {
    match inspection {
        Inspection::Empty => "empty",
        Inspection::Jwt(_) => "jwt",
        Inspection::Jwe { .. } => "jwe",
        Inspection::AzureSas(_) => "azure_sas",
        Inspection::Opaque { .. } => "opaque",
    }
}

/// Output flavour for [`text_report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain text for a terminal.
    Text,
    /// Markdown for a support ticket.
    Markdown,
}

/// A readable report. `zone` is the reader's local time zone.
pub fn text_report(analysis: &Analysis, zone: &TimeZone, style: Style) -> String {
    let lines = report_lines(analysis, zone, style);
    let texts: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
    texts.join("\n") + "\n"
}

/// What a line of [`report_lines`] is, so that a terminal can colour it without reading its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Anything not listed below, including every piece of the token's own text.
    Plain,
    /// A section title (and its underline or `##`).
    Heading,
    /// The one-line verdict.
    Verdict(VerdictKind),
    /// A row of the checks table; `mark` is the byte range of its "pass", "FAIL" or "skip".
    Check {
        /// How the step ended.
        status: CheckStatus,
        /// Where the mark is in the line's text.
        mark: std::ops::Range<usize>,
    },
}

/// How the verdict reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictKind {
    /// Every check passed.
    Valid,
    /// A step failed.
    Failed,
    /// Decoded, signature not checked.
    Unchecked,
}

/// One line (or block) of a readable report, with what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    /// What the line is.
    pub kind: LineKind,
    /// Its text; a heading or a JSON block spans several lines.
    pub text: String,
}

/// The report as [`text_report`] writes it, line by line with each line's kind.
pub fn report_lines(analysis: &Analysis, zone: &TimeZone, style: Style) -> Vec<ReportLine> {
    let mut out = Lines::default();
    let md = style == Style::Markdown;
    if md {
        out.push("# Token report\n".to_owned());
        out.push("The signature has been removed: this report cannot be used as a token.\n".to_owned());
    }
    let Inspection::Jwt(jwt) = &analysis.inspection else {
        out.push(untrusted(
            style,
            &not_a_jwt_message(&analysis.inspection).unwrap_or_default(),
        ));
        sas_lines(&analysis.inspection, style, &mut out);
        return out.0;
    };
    verdict_lines(analysis, style, &mut out);
    heading("Header", style, &mut out);
    json_block(jwt.header.as_ref().ok(), style, &mut out);
    member_lines(jwt.header.as_ref().ok(), explain_header, style, &mut out);
    heading("Claims", style, &mut out);
    json_block(jwt.payload.as_ref().ok(), style, &mut out);
    claim_lines(jwt, analysis.now, zone, style, &mut out);
    check_lines(analysis, style, &mut out);
    finding_lines(analysis, style, &mut out);
    out.0
}

/// The lines of a report being written.
#[derive(Default)]
struct Lines(Vec<ReportLine>);

impl Lines {
    fn push(&mut self, text: String) {
        self.push_kind(LineKind::Plain, text);
    }

    fn push_kind(&mut self, kind: LineKind, text: String) {
        self.0.push(ReportLine { kind, text });
    }
}

fn heading(title: &str, style: Style, out: &mut Lines) {
    out.push_kind(
        LineKind::Heading,
        match style {
            Style::Markdown => format!("\n## {title}\n"),
            Style::Text => format!("\n{title}\n{}", "-".repeat(title.len())),
        },
    );
}

fn verdict_lines(analysis: &Analysis, style: Style, out: &mut Lines) {
    heading("Verdict", style, out);
    let Some(verdict) = &analysis.verdict else { return };
    let (kind, line) = match verdict.outcome() {
        Outcome::Failed(fail) => (
            VerdictKind::Failed,
            format!("FAILED at step \"{}\": {}", fail.name, untrusted(style, &fail.detail)),
        ),
        Outcome::Valid => (VerdictKind::Valid, "VALID: every check passed".to_owned()),
        Outcome::Unchecked => (
            VerdictKind::Unchecked,
            "DECODED: signature not checked (no key given)".to_owned(),
        ),
    };
    out.push_kind(LineKind::Verdict(kind), line);
}

/// Pretty JSON: serde escapes C0 controls inside strings but not DEL, C1 or bidi controls, so each line is
/// escaped again; in Markdown the fence is longer than any backtick run inside.
fn json_block(map: Option<&Map<String, Value>>, style: Style, out: &mut Lines) {
    let Some(map) = map else {
        out.push("(could not be decoded)".to_owned());
        return;
    };
    let pretty = serde_json::to_string_pretty(map).unwrap_or_default();
    out.push(match style {
        Style::Markdown => escape::markdown_block("json", &pretty) + "\n",
        Style::Text => pretty.lines().map(escape::terminal).collect::<Vec<_>>().join("\n"),
    });
}

/// Untrusted text as one cell or phrase: visible escapes for a terminal, an unbreakable code span for
/// Markdown.
fn untrusted(style: Style, text: &str) -> String {
    match style {
        Style::Text => escape::terminal(text).into_owned(),
        Style::Markdown => escape::markdown_cell(text),
    }
}

/// tokenbench's own text for a cell: only table pipes need escaping.
fn fixed(style: Style, text: &str) -> String {
    match style {
        Style::Text => text.to_owned(),
        Style::Markdown => text.replace('|', "\\|"),
    }
}

fn member_lines(
    map: Option<&Map<String, Value>>,
    explain: fn(&str) -> Option<&'static str>,
    style: Style,
    out: &mut Lines,
) {
    for (name, _) in map.into_iter().flatten() {
        if let Some(meaning) = explain(name) {
            out.push(row(style, &[untrusted(style, name), fixed(style, meaning)]));
        }
    }
}

fn claim_lines(jwt: &DecodedJwt, now: i64, zone: &TimeZone, style: Style, out: &mut Lines) {
    let Ok(payload) = &jwt.payload else { return };
    if style == Style::Markdown {
        out.push("| Claim | Value | Meaning |\n|---|---|---|".to_owned());
    }
    for (name, value) in payload {
        let shown = display_value(value);
        let shown = match value
            .as_i64()
            .filter(|_| is_time_claim(name))
            .and_then(|s| time_view(name, s, now, zone))
        {
            Some(t) => format!("{shown} = {}", t.one_line()),
            None => shown,
        };
        let meaning = fixed(style, explain_claim(name).unwrap_or(""));
        out.push(row(style, &[untrusted(style, name), untrusted(style, &shown), meaning]));
    }
}

fn check_lines(analysis: &Analysis, style: Style, out: &mut Lines) {
    let Some(verdict) = &analysis.verdict else { return };
    heading("Checks", style, out);
    if style == Style::Markdown {
        out.push("| Step | Result | Detail |\n|---|---|---|".to_owned());
    }
    for check in &verdict.checks {
        let mark = match check.status {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Skip => "skip",
        };
        let name = fixed(style, check.name);
        let text = row(
            style,
            &[name.clone(), fixed(style, mark), untrusted(style, &check.detail)],
        );
        // The mark follows the step's name, which is tokenbench's own text.
        let start = text.find(&name).unwrap_or(0) + name.len();
        let mark_at = text[start..]
            .find(mark)
            .map_or(0..0, |at| start + at..start + at + mark.len());
        out.push_kind(
            LineKind::Check {
                status: check.status,
                mark: mark_at,
            },
            text,
        );
    }
}

fn finding_lines(analysis: &Analysis, style: Style, out: &mut Lines) {
    heading("Findings", style, out);
    if analysis.findings.is_empty() {
        out.push("none".to_owned());
    }
    for f in &analysis.findings {
        let severity = serde_json::to_value(f.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let message = match style {
            Style::Markdown => escape::markdown_code(&f.message),
            Style::Text => escape::terminal(&f.message).into_owned(),
        };
        out.push(match style {
            Style::Markdown => format!("- **{}** ({severity}): {message}", f.code),
            Style::Text => format!("[{severity}] {}: {message}", f.code),
        });
    }
}

fn sas_lines(inspection: &Inspection, style: Style, out: &mut Lines) {
    if let Inspection::AzureSas(sas) = inspection {
        for field in &sas.fields {
            // The signature would make the report usable as the SAS itself.
            let shown = if field.name == "sig" {
                "(removed)".to_owned()
            } else {
                untrusted(style, &field.value)
            };
            let name = untrusted(style, &field.name);
            out.push(format!("  {name} = {shown}  {}", field.meaning.unwrap_or("")));
        }
    }
}

/// One table row of cells already escaped with [`untrusted`] or [`fixed`].
fn row(style: Style, cells: &[String]) -> String {
    match style {
        Style::Markdown => format!("| {} |", cells.join(" | ")),
        Style::Text => match cells {
            [first, rest @ ..] => format!(
                "  {first:<14} {}",
                rest.iter()
                    .filter(|c| !c.is_empty())
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join("  — ")
            ),
            [] => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::jwt::analysis::analyse;
    use crate::core::jwt::verify::Expectations;

    #[test]
    fn a_sas_report_never_carries_its_signature() {
        let sas = "sv=2014-02-14&sr=b&se=2015-01-08T18%3A50%3A14Z&sp=r&sig=c2VjcmV0LXNpZw%3D%3D";
        let analysis = analyse(sas, None, &Expectations::default(), 0);
        let report = text_report(&analysis, &TimeZone::UTC, Style::Markdown);
        assert!(report.contains("(removed)"), "{report}");
        assert!(!report.contains("c2VjcmV0LXNpZw"), "{report}");
    }

    #[test]
    fn json_for_a_sas_lists_its_fields_without_the_signature() {
        let sas = "sv=2014-02-14&sr=b&se=2015-01-08T18%3A50%3A14Z&sp=r&sig=c2VjcmV0LXNpZw%3D%3D";
        let report = json_report(&analyse(sas, None, &Expectations::default(), 0));
        assert_eq!(report["kind"], "azure_sas");
        assert_eq!(report["fields"]["se"]["value"], "2015-01-08T18:50:14Z");
        assert_eq!(report["fields"]["sig"]["value"], "(removed)");
    }

    #[test]
    fn json_valid_is_false_when_the_signature_was_not_checked() {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";
        let analysis = analyse(token, None, &Expectations::default(), 0);
        assert!(analysis.passed());
        assert_eq!(json_report(&analysis)["valid"], false);
    }
}
