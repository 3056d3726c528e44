//! Terminal conventions of the real binary: colour on a terminal (a real pty through util-linux `script`),
//! never into a pipe or with `NO_COLOR`, `--color` overriding both; completions and man pages generated from
//! the parser; every option explained; bad shells and closed pipes answered with a message and exit 2.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod process;

use clap::CommandFactory;
use process::{BIN, tokenbench};
use std::process::{Command, Output, Stdio};
use tokenbench::cli::Cli;

/// An HS256 token and its secret, minted by the binary itself.
fn token_and_secret() -> (String, &'static str) {
    const SECRET: &str = "a-test-secret-of-at-least-32-bytes!!";
    let output = tokenbench()
        .args(["mint", "jwt", "--alg", "HS256", "--secret-env", "TB_SECRET"])
        .args(["--claims", r#"{"sub":"u","iss":"https://t.example/"}"#])
        .env("TB_SECRET", SECRET)
        .output()
        .expect("mint runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (String::from_utf8_lossy(&output.stdout).trim().to_owned(), SECRET)
}

/// Runs `tokenbench ARGS` on a real pseudo-terminal (`script -qec`), with `env` set, and returns what the
/// terminal showed.
fn on_a_terminal(args: &[&str], env: &[(&str, &str)]) -> String {
    let line = std::iter::once(BIN)
        .chain(args.iter().copied())
        .map(|word| shlex::try_quote(word).expect("no NUL in the words").into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let mut command = process::without_proxies("script");
    command.args(["-qec", &line, "/dev/null"]).env_remove("NO_COLOR");
    command.env_remove("CLICOLOR_FORCE").env("TERM", "xterm-256color");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("util-linux `script` runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn piped(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = tokenbench();
    command.args(args).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the binary runs")
}

const GREEN_BOLD: &str = "\u{1b}[1m\u{1b}[32m";

#[test]
fn inspect_colours_its_verdict_and_marks_on_a_terminal_only() {
    let (token, secret) = token_and_secret();
    let args = ["inspect", token.as_str(), "--secret", secret];
    let shown = on_a_terminal(&args, &[]);
    assert!(
        shown.contains(&format!("{GREEN_BOLD}VALID: every check passed")),
        "{shown:?}"
    );
    assert!(shown.contains(&format!("{GREEN_BOLD}pass\u{1b}[0m")), "{shown:?}");

    let plain = piped(&args, &[]);
    let text = String::from_utf8_lossy(&plain.stdout);
    assert!(text.contains("VALID: every check passed"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour into a pipe: {text:?}");

    let no_color = on_a_terminal(&args, &[("NO_COLOR", "1")]);
    assert!(no_color.contains("VALID"), "{no_color:?}");
    assert!(!no_color.contains('\u{1b}'), "NO_COLOR is honoured: {no_color:?}");

    let never = on_a_terminal(&[&args[..], &["--color", "never"]].concat(), &[]);
    assert!(never.contains("VALID") && !never.contains('\u{1b}'), "{never:?}");

    let always = piped(&[&args[..], &["--color", "always"]].concat(), &[("NO_COLOR", "1")]);
    let text = String::from_utf8_lossy(&always.stdout);
    assert!(
        text.contains(GREEN_BOLD),
        "--color always wins over NO_COLOR and a pipe: {text:?}"
    );
}

#[test]
fn a_failing_check_is_red_and_the_exit_status_is_unchanged() {
    let (token, _) = token_and_secret();
    let args = [
        "inspect",
        token.as_str(),
        "--secret",
        "not-the-secret-but-32-bytes-long!!!",
    ];
    let shown = on_a_terminal(&args, &[]);
    assert!(shown.contains("\u{1b}[1m\u{1b}[31mFAILED at step"), "{shown:?}");
    assert!(shown.contains("\u{1b}[31mFAIL\u{1b}[0m"), "{shown:?}");
    assert_eq!(piped(&args, &[]).status.code(), Some(1));
}

#[test]
fn delegate_colours_the_status_of_an_error_answer_on_a_terminal_only() {
    let served = process::serve(|_| {});
    let not_signed = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl";
    let args = [
        "delegate",
        "--env",
        &served.url,
        "--client-id",
        "demo-spa",
        "--id-token",
        not_signed,
    ];
    let shown = on_a_terminal(&args, &[]);
    assert!(
        shown.contains("\u{1b}[1m\u{1b}[31mHTTP 400 Bad Request in "),
        "{shown:?}"
    );
    let output = piped(&args, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("HTTP 400 Bad Request in ") && !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );
}

#[test]
fn bash_completes_ins_to_inspect_from_the_generated_script() {
    let script = r#"source <("$0" completions bash)
COMP_WORDS=(tokenbench ins); COMP_CWORD=1; COMP_LINE="tokenbench ins"; COMP_POINT=${#COMP_LINE}
_tokenbench tokenbench ins tokenbench
echo "${COMPREPLY[@]}""#;
    let output = Command::new("bash")
        .args(["-c", script, BIN])
        .output()
        .expect("bash runs");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "inspect");
}

#[test]
fn every_shell_gets_a_completion_script_and_an_unknown_one_is_refused() {
    for (shell, marker) in [
        ("bash", "complete -F _tokenbench"),
        ("zsh", "#compdef tokenbench"),
        ("fish", "complete -c tokenbench"),
        ("elvish", "edit:completion:arg-completer[tokenbench]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let output = piped(&["completions", shell], &[]);
        assert!(output.status.success(), "{shell}");
        assert!(String::from_utf8_lossy(&output.stdout).contains(marker), "{shell}");
    }
    let output = piped(&["completions", "tcsh"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("possible values: bash, elvish, fish, powershell, zsh"),
        "{stderr}"
    );
}

#[test]
fn man_renders_with_man_and_lists_the_exit_status() {
    let output = piped(&["man"], &[]);
    assert!(output.status.success());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let page = dir.path().join("tokenbench.1");
    std::fs::write(&page, &output.stdout).expect("the page is written");
    let rendered = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man runs (Debian package man-db)");
    let text = String::from_utf8_lossy(&rendered.stdout);
    for expected in [
        "SYNOPSIS",
        "--color",
        "EXIT STATUS",
        "tokenbench-inspect(1)",
        "not a JWT",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[test]
fn man_dir_writes_one_page_per_subcommand_and_an_unknown_subcommand_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = piped(&["man", "--dir", &dir.path().display().to_string()], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for page in [
        "tokenbench.1",
        "tokenbench-inspect.1",
        "tokenbench-secrets-list.1",
        "tokenbench-man.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
    let page = piped(&["man", "secrets", "list"], &[]);
    let page = String::from_utf8_lossy(&page.stdout).into_owned();
    assert!(page.contains("tokenbench\\-secrets\\-list"), "{page}");
    assert!(
        page.contains("the item does not exist"),
        "secrets' exit status, inherited: {page}"
    );
    let written = std::fs::read_to_string(dir.path().join("tokenbench-secrets-list.1")).unwrap();
    assert_eq!(written, page, "--dir writes the same page");
    let unknown = piped(&["man", "nope"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("\"nope\" is not a subcommand"));
}

#[test]
fn man_into_a_closed_pipe_says_so_and_exits_2() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = tokenbench()
        .arg("man")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("tokenbench man: could not write to standard output"),
        "{stderr}"
    );
}

#[test]
fn inspect_and_mint_into_a_closed_pipe_say_so_and_exit_2_without_a_panic() {
    let (token, secret) = token_and_secret();
    for extra in [&[][..], &["--json"][..]] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let output = tokenbench()
            .args(["inspect", &token, "--secret", secret])
            .args(extra)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(
            stderr.contains("tokenbench inspect: could not write to standard output"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let minted = tokenbench()
        .args([
            "mint",
            "jwt",
            "--alg",
            "HS256",
            "--secret-env",
            "TB_SECRET",
            "--claims",
            "{}",
        ])
        .env("TB_SECRET", secret)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&minted.stderr);
    assert_eq!(minted.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("tokenbench mint: could not write to standard output"),
        "{stderr}"
    );
}

#[test]
fn each_subcommand_help_ends_with_its_own_exit_status() {
    for (args, expected) in [
        (
            &["inspect", "--help"][..],
            "2  not a JWT, unreadable input or wrong arguments",
        ),
        (
            &["delegate", "--help"][..],
            "1  the server answered with an OAuth error",
        ),
        (&["har", "--help"][..], "1  some entries were skipped"),
        (&["--help"][..], "Exit status:\n  0  success"),
    ] {
        let help = String::from_utf8_lossy(&piped(args, &[]).stdout).into_owned();
        assert!(help.contains(expected), "{args:?}: {help}");
    }
}

#[test]
fn every_option_and_subcommand_has_help_text() {
    let mut command = Cli::command();
    command.build();
    let mut pending = vec![command];
    let mut missing = Vec::new();
    let mut seen = 0;
    while let Some(command) = pending.pop() {
        let name = command.get_name().to_owned();
        for arg in command.get_arguments() {
            seen += 1;
            if arg.get_help().is_none() && !["help", "version"].contains(&arg.get_id().as_str()) {
                missing.push(format!("{name} {}", arg.get_id()));
            }
        }
        for sub in command.get_subcommands() {
            if sub.get_about().is_none() && sub.get_name() != "help" {
                missing.push(format!("{name} {}", sub.get_name()));
            }
        }
        pending.extend(command.get_subcommands().cloned());
    }
    assert!(seen > 100, "the walk reached the subcommands' options ({seen})");
    assert!(missing.is_empty(), "no help text: {missing:?}");
}

#[test]
fn the_version_names_its_commit_inside_a_git_checkout() {
    let output = piped(&["--version"], &[]);
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(
        version.starts_with(&format!("tokenbench {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let head = Command::new("git").args(["rev-parse", "--short=12", "HEAD"]).output();
    match head {
        Ok(head) if head.status.success() => {
            let commit = String::from_utf8_lossy(&head.stdout).trim().to_owned();
            assert!(version.contains(&format!("(commit {commit})")), "{version} vs {commit}");
        }
        _ => eprintln!("not a git checkout: the version names no commit"),
    }
}
