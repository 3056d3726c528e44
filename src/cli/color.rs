//! Colour on the command line: on when the output is a terminal, off when it is piped or redirected, and
//! `NO_COLOR`, `CLICOLOR_FORCE`, `TERM=dumb` and `--color auto|always|never` honoured (through `anstream`).
//!
//! Only tokenbench's own words are coloured (verdicts, pass/FAIL, headings, the HTTP status): text from a
//! token or an answer is escaped first and never carries colour of its own.

use crate::core::escape::{self, Output};
use crate::core::jwt::report::{LineKind, ReportLine, VerdictKind};
use crate::core::jwt::verify::CheckStatus;
use anstyle::{AnsiColor, Style};
use clap::ValueEnum;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorWhen {
    /// Colour when the output is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour, even into a pipe.
    Always,
    /// Never colour.
    Never,
}

/// Makes `choice` the rule for every later write through [`anstream`].
pub fn apply(choice: ColorWhen) {
    let global = match choice {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    global.write_global();
}

/// Section headings.
const HEADING: Style = Style::new().bold();
/// Passed, valid, 2xx.
const GOOD: Style = AnsiColor::Green.on_default().bold();
/// Failed, invalid, errors.
const BAD: Style = AnsiColor::Red.on_default().bold();
/// Not checked, skipped, redirects.
const NOTE: Style = AnsiColor::Yellow.on_default();

/// `text` between `style`'s start and reset codes; the codes are dropped later where colour is off.
fn paint(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// A report line escaped for the terminal, with its own words coloured.
pub fn report_line(line: &ReportLine) -> String {
    let escaped = |text: &str| escape::for_output(text, Output::Lines).into_owned();
    match &line.kind {
        LineKind::Plain => escaped(&line.text),
        LineKind::Heading => paint(HEADING, &escaped(&line.text)),
        LineKind::Verdict(kind) => paint(verdict_style(*kind), &escaped(&line.text)),
        LineKind::Check { status, mark } => match (
            line.text.get(..mark.start),
            line.text.get(mark.clone()),
            line.text.get(mark.end..),
        ) {
            (Some(before), Some(word), Some(after)) if !word.is_empty() => format!(
                "{}{}{}",
                escaped(before),
                paint(check_style(*status), word),
                escaped(after)
            ),
            _ => escaped(&line.text),
        },
    }
}

fn verdict_style(kind: VerdictKind) -> Style {
    match kind {
        VerdictKind::Valid => GOOD,
        VerdictKind::Failed => BAD,
        VerdictKind::Unchecked => NOTE,
    }
}

fn check_style(status: CheckStatus) -> Style {
    match status {
        CheckStatus::Pass => GOOD,
        CheckStatus::Fail => BAD,
        CheckStatus::Skip => NOTE,
    }
}

/// An HTTP status line, coloured by its class.
pub fn status_line(status: u16, line: &str) -> String {
    let style = match status {
        200..=299 => GOOD,
        300..=399 => NOTE,
        _ => BAD,
    };
    paint(style, line)
}

/// A header name, in bold.
pub fn header_name(name: &str) -> String {
    paint(HEADING, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_mark_of_a_check_row_is_coloured_and_the_rest_is_escaped() {
        let line = ReportLine {
            kind: LineKind::Check {
                status: CheckStatus::Fail,
                mark: 17..21,
            },
            text: "  signature      FAIL  — bad\u{1b}[31m".to_owned(),
        };
        let shown = report_line(&line);
        assert!(shown.starts_with("  signature      \u{1b}["), "{shown:?}");
        assert!(shown.contains("FAIL\u{1b}[0m"), "{shown:?}");
        assert!(
            !shown.contains("bad\u{1b}"),
            "the row's own text stays escaped: {shown:?}"
        );
    }

    #[test]
    fn a_mark_outside_the_text_leaves_the_line_plain() {
        let line = ReportLine {
            kind: LineKind::Check {
                status: CheckStatus::Pass,
                mark: 40..44,
            },
            text: "  exp  pass".to_owned(),
        };
        assert_eq!(report_line(&line), "  exp  pass");
    }
}
