//! The real binary in a real X window (Xvfb under `scripts/test`): it paints its first frame, saves a
//! screenshot of it and exits cleanly; without a display it says so and names the CLI.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

fn display_available() -> bool {
    let has = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
    if !has && std::env::var_os("TOKENBENCH_REQUIRE_DISPLAY").is_some() {
        panic!("TOKENBENCH_REQUIRE_DISPLAY is set but DISPLAY is not: scripts/test should have started Xvfb");
    }
    has
}

/// Runs the binary with a private config dir, killing it if it outlives `limit`.
fn run_with_timeout(command: &mut Command, limit: Duration) -> Output {
    let config = tempfile::tempdir().expect("temp dir");
    run_in(command, limit, config.path())
}

/// Runs the binary with `home` as its config and data dir.
fn run_in(command: &mut Command, limit: Duration, home: &Path) -> Output {
    let mut child = command
        .env("XDG_CONFIG_HOME", home)
        .env("XDG_DATA_HOME", home)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let started = Instant::now();
    while child.try_wait().expect("wait works").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("tokenbench did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output is collected")
}

fn assert_is_a_real_screenshot(path: &Path) {
    let image = image::open(path).expect("the screenshot is a PNG").to_rgba8();
    assert!(
        image.width() >= 640 && image.height() >= 420,
        "{}x{}",
        image.width(),
        image.height()
    );
    let first = *image.get_pixel(0, 0);
    let distinct = image.pixels().filter(|p| **p != first).count();
    assert!(distinct > 1000, "the screenshot is blank");
}

#[test]
fn window_opens_paints_the_inspector_and_exits_cleanly() {
    if !display_available() {
        eprintln!("skipped: no DISPLAY (scripts/test runs this under Xvfb)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let shot = dir.path().join("inspector.png");
    let output = run_with_timeout(
        Command::new(env!("CARGO_BIN_EXE_tokenbench"))
            .args(["--tab", "inspector", "--token", TOKEN, "--screenshot"])
            .arg(&shot)
            .env_remove("WAYLAND_DISPLAY"),
        Duration::from_secs(60),
    );
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_is_a_real_screenshot(&shot);
}

#[test]
fn without_a_display_the_window_explains_and_names_the_cli() {
    let output = run_with_timeout(
        Command::new(env!("CARGO_BIN_EXE_tokenbench"))
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY"),
        Duration::from_secs(20),
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no display") && stderr.contains("tokenbench inspect"),
        "{stderr}"
    );
}

#[test]
fn a_corrupt_settings_file_is_set_aside_and_the_window_still_opens() {
    if !display_available() {
        eprintln!("skipped: no DISPLAY (scripts/test runs this under Xvfb)");
        return;
    }
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("tokenbench");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("settings.json"), "{ this is not json").expect("write");
    let shot = home.path().join("shot.png");
    let output = run_in(
        Command::new(env!("CARGO_BIN_EXE_tokenbench"))
            .arg("--screenshot")
            .arg(&shot)
            .env_remove("WAYLAND_DISPLAY"),
        Duration::from_secs(60),
        home.path(),
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let aside: Vec<_> = std::fs::read_dir(&config)
        .expect("readable")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("settings.json.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "the corrupt file is kept under another name");
    assert_eq!(
        std::fs::read_to_string(aside[0].path()).expect("readable"),
        "{ this is not json"
    );
    let rewritten = std::fs::read_to_string(config.join("settings.json")).expect("settings saved on exit");
    assert!(
        serde_json::from_str::<serde_json::Value>(&rewritten).is_ok(),
        "{rewritten}"
    );
}

#[test]
fn without_a_keyring_the_window_still_opens_and_inspects() {
    if !display_available() {
        eprintln!("skipped: no DISPLAY (scripts/test runs this under Xvfb)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let shot = dir.path().join("no-keyring.png");
    let output = run_with_timeout(
        Command::new(env!("CARGO_BIN_EXE_tokenbench"))
            .args(["--tab", "inspector", "--token", TOKEN, "--screenshot"])
            .arg(&shot)
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env_remove("WAYLAND_DISPLAY"),
        Duration::from_secs(60),
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("keyring unavailable"), "{stderr}");
    assert_is_a_real_screenshot(&shot);
}
