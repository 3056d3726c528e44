//! Architecture guard for the layers of the crate:
//!
//! - `src/core` is pure logic: no GUI, async runtime, network, keyring,
//!   dialogs, filesystem, environment or wall clock, and no upward imports.
//!   That keeps it testable without a display, a network or a fake clock.
//! - `src/services` does the effects but knows nothing about the GUI.
//! - the window's panels (`src/ui/forms`, `inspector`, `issuer`, …) and widgets draw; they reach the network and
//!   the keyring only through state handed to them, never directly.
//!
//! The checker is a small token scanner rather than a parser, and uses only
//! `std` on purpose: a rule about dependencies should not need any. It blanks
//! out `//` comments (including `///` and `//!`) and string literals, expands
//! `use` trees (`use std::{fs, env};` yields `std::fs` and `std::env`), and
//! compares every path it finds with the forbidden ones.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use std::fs;
use std::path::{Path, PathBuf};

/// What `src/core` must not name. A single segment is a crate and matches only
/// at the start of a path; longer entries match anywhere inside a path, so
/// `SystemTime::now` also catches `std::time::SystemTime::now`.
const CORE_FORBIDDEN: &[&str] = &[
    "egui",
    "eframe",
    "tokio",
    "reqwest",
    "axum",
    "keyring",
    "keyring_core",
    "zbus_secret_service_keyring_store",
    "rfd",
    "directories",
    "std::fs",
    "std::net",
    "std::env",
    "std::time::SystemTime",
    "SystemTime::now",
    "Timestamp::now",
    "Zoned::now",
    "crate::services",
    "crate::ui",
];

const SERVICES_FORBIDDEN: &[&str] = &["egui", "eframe", "crate::ui"];

/// The client side (`src/core/auth0`) must not name the simulated server: what both share lives in
/// `core::protocol`. `core::issuer` matches anywhere in a path, so `tokenbench::core::issuer` counts too.
const CLIENT_SIDE_FORBIDDEN: &[&str] = &["core::issuer", "super::super::issuer"];

/// Panels and widgets send commands: no network, keyring, dialogs or files of their own (they would block
/// the UI thread), and no reaching into the backend.
const UI_LEAF_FORBIDDEN: &[&str] = &[
    "reqwest",
    "axum",
    "keyring",
    "keyring_core",
    "zbus_secret_service_keyring_store",
    "rfd",
    "tokio",
    "std::fs",
    "std::net",
    "crate::services",
    "crate::ui::backend",
];

#[test]
fn core_does_not_import_effect_crates_or_upper_layers() {
    assert_layer_is_clean("src/core", CORE_FORBIDDEN, Presence::Required);
}

#[test]
fn the_client_side_does_not_import_the_simulated_server() {
    assert_layer_is_clean("src/core/auth0", CLIENT_SIDE_FORBIDDEN, Presence::Required);
}

#[test]
fn services_do_not_depend_on_the_ui() {
    assert_layer_is_clean("src/services", SERVICES_FORBIDDEN, Presence::Required);
}

/// Every file of the window but the app (which owns the backend), the backend itself and the settings (whose
/// file format version is the storage service's): the panels in their feature folders, the widgets, the commands.
#[test]
fn panels_and_widgets_do_not_reach_the_network_or_keyring_directly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ui = root.join("src/ui");
    let owners = [ui.join("app"), ui.join("backend"), ui.join("settings.rs")];
    let files: Vec<PathBuf> = rust_files(&ui)
        .into_iter()
        .filter(|file| !owners.iter().any(|owner| file.starts_with(owner)))
        .collect();
    for folder in ["forms", "inspector", "issuer", "rate_limits", "secrets", "widgets"] {
        assert!(
            files.iter().any(|file| file.starts_with(ui.join(folder))),
            "no files under src/ui/{folder}: the rule would pass vacuously"
        );
    }
    assert_files_are_clean("src/ui (but app and backend)", &files, UI_LEAF_FORBIDDEN);
}

/// Matches over commands and events this crate has at least (19 when this was written); fewer means the
/// scanner no longer recognises them (the enums were renamed or moved), and a green run would mean nothing.
const DISPATCH_MATCH_FLOOR: usize = 15;

/// Every match that dispatches commands or events names each variant, so a new variant without a handler
/// does not compile. A catch-all arm (`_ =>` or `other =>`) would let it compile and silently drop it, and so
/// does an arm that names a variant only to ignore it (`Event::Variant(_) => {}`).
#[test]
fn command_and_event_dispatch_has_no_catch_all_arm() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut report = Vec::new();
    let mut matches = 0;
    for file in rust_files(&root.join("src")) {
        let source = fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let shown = file.strip_prefix(root).unwrap_or(&file).display().to_string();
        let dispatch = dispatch_matches(&source);
        matches += dispatch.len();
        for arm in dispatch.iter().flatten() {
            if is_catch_all(&arm.pattern) {
                report.push(format!(
                    "{shown}:{}: `{} =>` is a catch-all in a match over commands or events",
                    arm.line, arm.pattern
                ));
            } else if drops_a_variant(arm) {
                report.push(format!(
                    "{shown}:{}: `{} => {{}}` silently drops the variant: handle it",
                    arm.line, arm.pattern
                ));
            }
        }
    }
    if let Some(problem) = too_few_dispatch_matches(matches) {
        report.push(problem);
    }
    assert!(
        report.is_empty(),
        "name and handle every variant in command and event dispatch:\n{}",
        report.join("\n")
    );
}

/// A problem when fewer dispatch matches were found than [`DISPATCH_MATCH_FLOOR`].
fn too_few_dispatch_matches(found: usize) -> Option<String> {
    (found < DISPATCH_MATCH_FLOOR).then(|| {
        format!(
            "only {found} matches over commands or events were found (at least {DISPATCH_MATCH_FLOOR} expected): \
             the checker no longer recognises them; update names_command_or_event or the floor"
        )
    })
}

/// Proves the dispatch checker can fail.
mod the_dispatch_checker {
    use super::{
        DISPATCH_MATCH_FLOOR, catch_all_dispatch_arms, dispatch_matches, dropped_variants, too_few_dispatch_matches,
    };

    #[test]
    fn flags_an_arm_that_names_a_variant_only_to_ignore_it() {
        let source = "fn f(e: Event) {\n    match e {\n        Event::A(_) => {}\n        Event::B { .. } => {},\n        Event::C(_, _x) => (),\n        Event::D(x) => g(x),\n        Event::E(_) => { log(); }\n        Event::F => {}\n    }\n}\n";
        let found = dropped_variants(source);
        assert_eq!(
            found,
            [
                (3, "Event::A(_)".to_owned()),
                (4, "Event::B { .. }".to_owned()),
                (5, "Event::C(_, _x)".to_owned())
            ]
        );
    }

    #[test]
    fn ignores_empty_arms_over_other_types_and_guarded_ones() {
        let source = "fn f() {\n    match n { Some(_) => {}, None => {} }\n    match e { Event::A(_) if quiet => {}, Event::A(x) => g(x) }\n}\n";
        assert!(dropped_variants(source).is_empty());
    }

    #[test]
    fn counts_dispatch_matches_and_fails_under_the_floor() {
        let source = "fn f() {\n    match e { MyEvent::A => 1, MyEvent::B => 2 }\n    match c { HttpCommand::Send { .. } => 1 }\n    match n { 1 => 2, _ => 3 }\n}\n";
        assert_eq!(dispatch_matches(source).len(), 2);
        assert!(too_few_dispatch_matches(0).is_some_and(|p| p.contains("only 0 matches")));
        assert!(too_few_dispatch_matches(DISPATCH_MATCH_FLOOR).is_none());
    }

    #[test]
    fn flags_a_wildcard_and_a_binding_arm_over_events() {
        let source = "fn f(e: Event) {\n    match e {\n        Event::A(x) => g(x, 1),\n        other => h(other),\n    }\n    match c {\n        Command::B { .. } => { if a { b } else { c } }\n        _ => {}\n    }\n}\n";
        let found = catch_all_dispatch_arms(source);
        assert_eq!(found, [(4, "other".to_owned()), (8, "_".to_owned())]);
    }

    #[test]
    fn ignores_exhaustive_dispatch_and_catch_alls_elsewhere() {
        let source = "fn f() {\n    match e {\n        SecretsEvent::A | SecretsEvent::B(_) => {}\n        SecretsEvent::C { x, .. } => match x { Ok(v) => v, _ => 0 },\n    }\n    match i.event { egui::Event::Paste(t) => 1, _ => 2 }\n    match n { 1 => 'a', _ => 'b' }\n}\n";
        let found = catch_all_dispatch_arms(source);
        assert!(found.is_empty(), "{found:?}");
    }
}

/// One match arm: the line its pattern starts on, the pattern and the body, as written.
#[derive(Debug)]
struct Arm {
    line: usize,
    pattern: String,
    body: String,
}

/// The arms of every match whose arms name a `…Command` or `…Event` variant of this crate, one list per match.
fn dispatch_matches(source: &str) -> Vec<Vec<Arm>> {
    let code: Vec<char> = blank_comments_and_strings(source).chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(start) = find_word(&code, i, "match") {
        i = start + 5;
        let Some(open) = code[i..].iter().position(|&c| c == '{').map(|p| i + p) else {
            break;
        };
        let arms = match_arms(&code, open);
        if arms.iter().any(|arm| names_command_or_event(&arm.pattern)) {
            found.push(arms);
        }
    }
    found
}

/// Catch-all arms (`_` or a bare binding, unguarded) of matches whose other arms name a `…Command` or
/// `…Event` variant of this crate: `(line, pattern)`.
fn catch_all_dispatch_arms(source: &str) -> Vec<(usize, String)> {
    let arms = dispatch_matches(source).into_iter().flatten();
    arms.filter(|arm| is_catch_all(&arm.pattern))
        .map(|arm| (arm.line, arm.pattern))
        .collect()
}

/// Arms of dispatch matches that name one variant with only wildcards inside and do nothing: `(line, pattern)`.
fn dropped_variants(source: &str) -> Vec<(usize, String)> {
    let arms = dispatch_matches(source).into_iter().flatten();
    arms.filter(drops_a_variant)
        .map(|arm| (arm.line, arm.pattern))
        .collect()
}

/// `Event::Variant(_) => {}`, `Command::Variant { .. } => ()`: one variant (no guard) of a command or event
/// whose fields are all wildcards, and an empty body. An or-pattern (`A(_) | B { .. } => {}`) is left alone:
/// it is the explicit list of what a partial consumer (one form reading shared events) does not use.
fn drops_a_variant(arm: &Arm) -> bool {
    let body: String = arm.body.chars().filter(|c| !c.is_whitespace()).collect();
    let pattern = arm.pattern.as_str();
    let single = !pattern.contains('|') && !pattern.contains(" if ");
    let Some(open) = pattern.find(['(', '{']) else {
        return false;
    };
    let fields = pattern[open + 1..].trim_end().trim_end_matches([')', '}']);
    (body == "{}" || body == "()")
        && single
        && names_command_or_event(&pattern[..open])
        && fields.split(',').all(is_wildcard_field)
}

/// `_`, `_name`, `..`, `field: _` or `field: _name`.
fn is_wildcard_field(field: &str) -> bool {
    let value = field.rsplit(':').next().unwrap_or(field).trim();
    value == ".." || value.starts_with('_')
}

fn find_word(code: &[char], from: usize, word: &str) -> Option<usize> {
    let word: Vec<char> = word.chars().collect();
    let ident = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric() || *c == '_');
    (from..code.len().saturating_sub(word.len() - 1)).find(|&at| {
        code[at..at + word.len()] == word[..]
            && !ident(at.checked_sub(1).and_then(|b| code.get(b)))
            && !ident(code.get(at + word.len()))
    })
}

/// The arms of the match body opening at `open`, each with the line its pattern starts on.
fn match_arms(code: &[char], open: usize) -> Vec<Arm> {
    let mut arms: Vec<Arm> = Vec::new();
    let (mut depth, mut pattern, mut in_pattern) = (0usize, String::new(), true);
    let mut i = open + 1;
    while i < code.len() {
        let c = code[i];
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 && c == '}' && !in_pattern {
                    arms.last_mut().into_iter().for_each(|arm| arm.body.push(c));
                    (in_pattern, pattern) = (true, String::new());
                    i += 1;
                    continue;
                }
            }
            ',' if depth == 0 => {
                (in_pattern, pattern) = (true, String::new());
                i += 1;
                continue;
            }
            '=' if depth == 0 && in_pattern && code.get(i + 1) == Some(&'>') => {
                let line = 1 + code[..i].iter().filter(|&&c| c == '\n').count();
                let pattern = pattern.trim().trim_start_matches('|').trim().to_owned();
                arms.push(Arm {
                    line,
                    pattern,
                    body: String::new(),
                });
                in_pattern = false;
                i += 2;
                continue;
            }
            _ => {}
        }
        if in_pattern {
            pattern.push(c);
        } else if let Some(arm) = arms.last_mut() {
            arm.body.push(c);
        }
        i += 1;
    }
    arms
}

fn names_command_or_event(pattern: &str) -> bool {
    !pattern.contains("egui::")
        && pattern
            .split("::")
            .next()
            .and_then(|first| first.rsplit(|c: char| !c.is_alphanumeric() && c != '_').next())
            .is_some_and(|ty| ty.ends_with("Command") || ty.ends_with("Event"))
}

fn is_catch_all(pattern: &str) -> bool {
    let bare = pattern.trim_start_matches("ref ").trim_start_matches("mut ").trim();
    !bare.is_empty()
        && bare
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !bare.starts_with(|c: char| c.is_ascii_digit())
}

/// These prove the checker can fail, so a green run above means something.
mod the_checker {
    use super::{CORE_FORBIDDEN, check_source};

    #[test]
    fn flags_a_use_statement_of_a_forbidden_crate() {
        let found = check_source("use tokio::sync;\n", CORE_FORBIDDEN);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].line, 1);
        assert_eq!(found[0].rule, "tokio");
    }

    #[test]
    fn ignores_a_forbidden_path_in_a_comment() {
        let source = "// tokio:: in a comment\n/// egui::Ui\n//! use std::fs;\nfn f() {} // reqwest::get\n";
        let found = check_source(source, CORE_FORBIDDEN);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn ignores_a_forbidden_path_in_a_string() {
        let source = "const A: &str = \"tokio::spawn // x\";\nconst B: &str = r#\"use std::fs;\"#;\n";
        let found = check_source(source, CORE_FORBIDDEN);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn flags_members_of_a_use_group_on_their_own_lines() {
        let source = "use std::{\n    collections::HashMap,\n    fs,\n    time::{Duration, SystemTime},\n};\n";
        let found = check_source(source, CORE_FORBIDDEN);
        let lines: Vec<(usize, &str)> = found.iter().map(|v| (v.line, v.rule)).collect();
        assert_eq!(lines, [(3, "std::fs"), (4, "std::time::SystemTime")]);
    }

    #[test]
    fn flags_qualified_paths_in_expressions_and_attributes() {
        let source = "#[tokio::test]\nasync fn t() { let _ = jiff::Timestamp::now(); }\n";
        let rules: Vec<&str> = check_source(source, CORE_FORBIDDEN).iter().map(|v| v.rule).collect();
        assert_eq!(rules, ["tokio", "Timestamp::now"]);
    }

    #[test]
    fn ignores_a_local_name_that_equals_a_crate_name() {
        let source = "fn f(keyring: &Store) { keyring.get(); let rfd = 1; }\nuse crate::core::keyring_view;\n";
        let found = check_source(source, CORE_FORBIDDEN);
        assert!(found.is_empty(), "{found:?}");
    }
}

/// Proves the client-side rule can fail, and does not fire on the shared protocol names.
mod the_client_side_rule {
    use super::{CLIENT_SIDE_FORBIDDEN, check_source};

    #[test]
    fn flags_an_import_or_a_qualified_use_of_the_simulated_server() {
        let source = "use crate::core::issuer::social::SubjectType;\nfn f() { crate::core::issuer::dpop::verify(); }\n\
                      use super::super::issuer::x;\n";
        let lines: Vec<usize> = check_source(source, CLIENT_SIDE_FORBIDDEN)
            .iter()
            .map(|v| v.line)
            .collect();
        assert_eq!(lines, [1, 2, 3]);
    }

    #[test]
    fn ignores_the_shared_protocol_module_and_the_word_in_text() {
        let source =
            "use crate::core::protocol::grant::JWT_BEARER;\n// core::issuer\nconst A: &str = \"core::issuer\";\n";
        let found = check_source(source, CLIENT_SIDE_FORBIDDEN);
        assert!(found.is_empty(), "{found:?}");
    }
}

// ---------------------------------------------------------------------------
// Walking the tree

#[derive(Clone, Copy, PartialEq)]
enum Presence {
    /// The layer is part of the design; its absence means the test is
    /// looking in the wrong place and would pass vacuously.
    Required,
    /// The layer may not have been written yet.
    Optional,
}

fn assert_layer_is_clean(layer: &str, forbidden: &[&'static str], presence: Presence) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join(layer);
    if !dir.is_dir() {
        assert!(
            presence == Presence::Optional,
            "{layer} does not exist; the layering rules expect it"
        );
        return;
    }
    assert_files_are_clean(layer, &rust_files(&dir), forbidden);
}

fn assert_files_are_clean(layer: &str, files: &[PathBuf], forbidden: &[&'static str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut report = Vec::new();
    for file in files {
        let source = fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let lines: Vec<&str> = source.lines().collect();
        for v in check_source(&source, forbidden) {
            let text = lines.get(v.line - 1).map_or("", |l| l.trim());
            let shown = file.strip_prefix(root).unwrap_or(file).display();
            report.push(format!(
                "{shown}:{}: `{text}` uses `{}` (forbidden: `{}`)",
                v.line, v.path, v.rule
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{layer} breaks the layering rules:\n{}",
        report.join("\n")
    );
}

/// All `.rs` files under `dir`, sorted so failures are reported stably.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

// ---------------------------------------------------------------------------
// The checker

#[derive(Debug, PartialEq)]
struct Violation {
    /// 1-based line of the offending path (for a multi-line `use`, the line
    /// of the item that breaks the rule).
    line: usize,
    /// The path as found, e.g. `std::time::SystemTime`.
    path: String,
    /// The forbidden entry it matched.
    rule: &'static str,
}

fn check_source(source: &str, forbidden: &[&'static str]) -> Vec<Violation> {
    let tokens = tokenize(&blank_comments_and_strings(source));
    let mut violations = Vec::new();
    for found in find_paths(&tokens) {
        // One report per path is enough, even if several rules match it.
        if let Some(&rule) = forbidden.iter().find(|rule| matches_rule(rule, &found)) {
            violations.push(Violation {
                line: found.line,
                path: found.segments.join("::"),
                rule,
            });
        }
    }
    violations
}

struct FoundPath {
    segments: Vec<String>,
    line: usize,
    /// `use egui;` names the crate with a single segment, while a lone `rfd`
    /// in an expression is just a local variable.
    in_use: bool,
}

fn matches_rule(rule: &str, found: &FoundPath) -> bool {
    let rule: Vec<&str> = rule.split("::").collect();
    let segments = &found.segments;
    if let [krate] = rule[..] {
        return segments.first().is_some_and(|first| first == krate) && (found.in_use || segments.len() > 1);
    }
    segments
        .windows(rule.len())
        .any(|window| window.iter().zip(&rule).all(|(seg, want)| seg == want))
}

/// Replaces `//` comments and the contents of string and char literals with
/// spaces, keeping newlines so line numbers stay right. Without the string
/// handling, `"https://…"` would start a comment and hide the rest of a line.
/// Block comments are left alone.
fn blank_comments_and_strings(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    // Inside blanked text keep only the newlines.
    let blank = |out: &mut String, text: &[char]| {
        out.extend(text.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '"' => {
                // `r"…"` / `r#"…"#`: the `r` and hashes are already in `out`.
                let before = chars[..i].iter().rev().take_while(|&&c| c == '#').count();
                let raw = i > before && chars[i - before - 1] == 'r';
                let hashes = if raw { before } else { 0 };
                let start = i;
                i += 1;
                while i < chars.len() {
                    if !raw && chars[i] == '\\' {
                        i += 2;
                    } else if chars[i] == '"' && chars[i + 1..].iter().take_while(|&&c| c == '#').count() >= hashes {
                        i += 1 + hashes;
                        break;
                    } else {
                        i += 1;
                    }
                }
                let end = i.min(chars.len());
                blank(&mut out, &chars[start..end]);
                i = end;
            }
            // A char literal such as '"' or '\'' (but not a lifetime like 'a).
            '\'' if chars.get(i + 1) == Some(&'\\') => {
                let close = chars
                    .get(i + 3..)
                    .unwrap_or_default()
                    .iter()
                    .position(|&c| c == '\'')
                    .map_or(chars.len(), |p| i + 3 + p + 1);
                blank(&mut out, &chars[i..close.min(chars.len())]);
                i = close;
            }
            '\'' if chars.get(i + 2) == Some(&'\'') => {
                out.push_str("   ");
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

/// Identifiers, `::` and single punctuation characters, each with its line.
fn tokenize(code: &str) -> Vec<(Token, usize)> {
    let is_ident_char = |c: char| c == '_' || c.is_alphanumeric();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        } else if is_ident_char(c) {
            let mut ident = String::from(c);
            while let Some(&next) = chars.peek().filter(|&&n| is_ident_char(n)) {
                ident.push(next);
                chars.next();
            }
            tokens.push((Token::Ident(ident), line));
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            tokens.push((Token::PathSep, line));
        } else if !c.is_whitespace() {
            tokens.push((Token::Punct(c), line));
        }
    }
    tokens
}

fn is_ident(token: Option<&(Token, usize)>, name: &str) -> bool {
    matches!(token, Some((Token::Ident(ident), _)) if ident == name)
}

/// Every path in the file: `a::b::c` runs in code, and each leaf of each `use`
/// tree with its full prefix.
fn find_paths(tokens: &[(Token, usize)]) -> Vec<FoundPath> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if is_ident(tokens.get(i), "use") {
            // Also `impl Trait + use<'a>`, which parses as nothing and moves on.
            i = parse_use_tree(tokens, i + 1, &[], &mut found).max(i + 1);
            continue;
        }
        let start = i;
        if tokens[i].0 == Token::PathSep {
            i += 1; // `::std::fs` is the same as `std::fs`
        }
        let mut segments = Vec::new();
        while let Some((Token::Ident(ident), _)) = tokens.get(i) {
            segments.push(ident.clone());
            i += 1;
            if tokens.get(i).map(|t| &t.0) == Some(&Token::PathSep) {
                i += 1;
            } else {
                break;
            }
        }
        if segments.is_empty() {
            i = start + 1;
        } else {
            let line = tokens[start].1;
            found.push(FoundPath {
                segments,
                line,
                in_use: false,
            });
        }
    }
    found
}

/// Parses one use tree starting at `i` (after `use`, or inside `{ … }`) and
/// records its leaves prefixed by `prefix`. Returns the index after the tree.
fn parse_use_tree(tokens: &[(Token, usize)], mut i: usize, prefix: &[String], found: &mut Vec<FoundPath>) -> usize {
    let mut path = prefix.to_vec();
    if tokens.get(i).map(|t| &t.0) == Some(&Token::PathSep) {
        i += 1;
    }
    loop {
        match tokens.get(i) {
            Some((Token::Ident(ident), line)) => {
                i += 1;
                let continues = tokens.get(i).map(|t| &t.0) == Some(&Token::PathSep);
                // `use std::{self, …}` names `std` itself; a leading `self::`
                // stays, so `self::keyring::X` does not look like the crate.
                if continues || ident != "self" || path.is_empty() {
                    path.push(ident.clone());
                }
                if continues {
                    i += 1;
                    continue;
                }
                if is_ident(tokens.get(i), "as") {
                    i += 2; // `as alias` or `as _`
                }
                found.push(FoundPath {
                    segments: path,
                    line: *line,
                    in_use: true,
                });
                return i;
            }
            Some((Token::Punct('*'), line)) => {
                found.push(FoundPath {
                    segments: path,
                    line: *line,
                    in_use: true,
                });
                return i + 1;
            }
            Some((Token::Punct('{'), _)) => {
                i += 1;
                loop {
                    match tokens.get(i) {
                        Some((Token::Punct('}'), _)) => return i + 1,
                        Some((Token::Punct(','), _)) => i += 1,
                        Some(_) => {
                            let next = parse_use_tree(tokens, i, &path, found);
                            if next == i {
                                return i; // not a use tree after all; stop here
                            }
                            i = next;
                        }
                        None => return i,
                    }
                }
            }
            _ => return i,
        }
    }
}
