//! `tokenbench secrets list|set|delete` against the real Secret Service (the private gnome-keyring that
//! `scripts/test` starts), and against no Secret Service at all.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn keyring_available() -> bool {
    let available = std::env::var_os("TOKENBENCH_TEST_KEYRING").is_some();
    if !available {
        eprintln!("skipped: run under scripts/test for a real Secret Service");
    }
    available
}

fn tokenbench(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenbench"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("stdin written");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("output")
}

#[test]
fn a_listing_into_a_closed_pipe_says_so_and_exits_2_without_a_panic() {
    if !keyring_available() {
        return;
    }
    let name = format!("client_secret/pipe-{}/abc", std::process::id());
    assert_eq!(
        tokenbench(&["secrets", "set", &name], Some("pipe-secret-value"))
            .status
            .code(),
        Some(0)
    );
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_tokenbench"))
        .args(["secrets", "list"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    assert_eq!(tokenbench(&["secrets", "delete", &name], None).status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("tokenbench secrets: could not write to standard output"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn set_list_and_delete_through_the_cli_never_print_the_value() {
    if !keyring_available() {
        return;
    }
    let name = format!("client_secret/cli-{}/abc", std::process::id());
    let set = tokenbench(&["secrets", "set", &name], Some("cli-secret-value\n"));
    assert_eq!(set.status.code(), Some(0), "{}", String::from_utf8_lossy(&set.stderr));
    let list = tokenbench(&["secrets", "list"], None);
    assert_eq!(list.status.code(), Some(0));
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains(&format!("{name}\tClient secret")), "{listed}");
    for output in [&set, &list] {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.contains("cli-secret-value"), "{all}");
    }
    assert_eq!(tokenbench(&["secrets", "delete", &name], None).status.code(), Some(0));
    let again = tokenbench(&["secrets", "delete", &name], None);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("secrets list"));
}

#[test]
fn an_empty_value_is_refused_with_advice() {
    if !keyring_available() {
        return;
    }
    let output = tokenbench(&["secrets", "set", "hmac_secret/empty"], Some(""));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("the value is empty"));
}

#[test]
fn an_empty_value_is_refused_before_the_keyring_is_asked() {
    let output = tokenbench_with_env(
        &["secrets", "set", "hmac_secret/empty"],
        "",
        ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"),
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the value is empty: pipe the secret on standard input")
            && stderr.contains("printf %s \"$SECRET\" | tokenbench secrets set NAME")
            && !stderr.contains("keyring"),
        "{stderr}"
    );
}

fn tokenbench_with_env(args: &[&str], stdin: &str, env: (&str, &str)) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenbench"))
        .args(args)
        .env(env.0, env.1)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("output")
}

#[test]
fn an_unreachable_keyring_exits_2_and_says_how_to_fix_it() {
    let output = Command::new(env!("CARGO_BIN_EXE_tokenbench"))
        .args(["secrets", "list"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("keyring is unavailable") && stderr.contains("gnome-keyring"),
        "{stderr}"
    );
}
