//! The real binary in a real X window (Xvfb under `scripts/test`): it paints its first frame, saves a
//! screenshot of it and exits cleanly; without a display it says so and names the CLI.

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
    let mut child = command
        .env("XDG_CONFIG_HOME", config.path())
        .env("XDG_DATA_HOME", config.path())
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
