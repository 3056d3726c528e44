//! The app routes and panels decide: no file of `src/ui/app` writes a field of a panel (an assignment such as
//! `self.delegation.form.token = …`, a compound assignment, or a `&mut` borrow of a panel's field handed
//! elsewhere). A panel changes its own state in its methods and its `Panel::apply`.
//!
//! A text scan (std only, like `tests/layering.rs`): comments and string literals are blanked first, so prose
//! about panels does not count.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use std::fs;
use std::path::Path;

/// The app's fields that hold panels.
const PANELS: &[&str] = &[
    "inspector",
    "delegation",
    "exchange",
    "issuer",
    "secrets",
    "history_panel",
    "rate_limits",
    "demo",
];

#[test]
fn the_app_writes_no_panel_field() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui/app");
    let mut report = Vec::new();
    let mut files = 0;
    for entry in fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        files += 1;
        let source = fs::read_to_string(&path).unwrap();
        for (line, write) in panel_field_writes(&source) {
            report.push(format!("{}:{line}: {write}", path.display()));
        }
    }
    assert!(
        files >= 4,
        "expected the app's files in {}, found {files}",
        root.display()
    );
    assert!(
        report.is_empty(),
        "the app writes panel fields; give the panel a method or an event instead:\n{}",
        report.join("\n")
    );
}

/// Proves the scanner can fail, and that reads, method calls, comments and strings do not count.
mod the_scanner {
    use super::panel_field_writes;

    #[test]
    fn flags_assignments_compound_assignments_and_mutable_borrows() {
        let source = "fn f(&mut self) {\n    self.delegation.form.token = t;\n    self.demo.open = true;\n    \
                      self.issuer.count += 1;\n    g(&mut self.exchange.form);\n}\n";
        let lines: Vec<usize> = panel_field_writes(source).into_iter().map(|(line, _)| line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
    }

    #[test]
    fn ignores_reads_calls_comparisons_comments_and_strings() {
        let source = "fn f(&mut self) {\n    let t = self.delegation.form.token.clone();\n    \
                      self.delegation.use_id_token(t);\n    if self.issuer.status == Busy {}\n    \
                      // self.demo.open = true;\n    let s = \"self.exchange.form = x\";\n    \
                      self.settings.tab = Tab::Inspector;\n}\n";
        assert!(panel_field_writes(source).is_empty());
    }
}

/// `(line, text)` of every write to a panel field in `source`.
fn panel_field_writes(source: &str) -> Vec<(usize, String)> {
    let code = blank_comments_and_strings(source);
    let mut found = Vec::new();
    for (index, line) in code.lines().enumerate() {
        for panel in PANELS {
            let field = format!("self.{panel}.");
            let mut from = 0;
            while let Some(at) = line[from..].find(&field).map(|i| i + from) {
                from = at + field.len();
                let borrowed = line[..at].trim_end().ends_with("&mut");
                if borrowed || assigns(&line[from..]) {
                    found.push((index + 1, line.trim().to_owned()));
                }
            }
        }
    }
    found
}

/// Whether the text after `self.panel.` is a field path followed by `=`, `+=` or `-=` (not `==`), with no
/// method call on the way.
fn assigns(rest: &str) -> bool {
    let path_end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(rest.len());
    let after = rest[path_end..].trim_start();
    if after.starts_with('(') {
        return false;
    }
    let op = after.trim_start_matches(['+', '-']);
    op.starts_with('=') && !op.starts_with("==") && !after.starts_with("=>")
}

/// `source` with `//` comments and string literals replaced by spaces (line structure kept).
fn blank_comments_and_strings(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    let (mut in_string, mut in_comment) = (false, false);
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                in_comment = false;
                out.push('\n');
            }
            _ if in_comment => out.push(' '),
            '\\' if in_string => {
                out.push(' ');
                match chars.next() {
                    Some('\n') => out.push('\n'),
                    Some(_) => out.push(' '),
                    None => {}
                }
            }
            '"' => {
                in_string = !in_string;
                out.push(' ');
            }
            _ if in_string => out.push(' '),
            '/' if chars.peek() == Some(&'/') => {
                in_comment = true;
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}
