//! The browser login of `tokenbench serve` end to end, driven by the Node scripts in tests/browser: Auth0's SPA
//! SDK in headless Chromium (login page, callback, silent token through the web_message iframe, logout), and
//! openid-client's authorization code flow with PKCE, and jose's remote JWKS across a signing-key rotation and
//! revocation through the admin routes. Each script starts its own issuer from this build.
//! Without node, `npm ci --prefix tests/browser` or Chromium the tests skip, unless
//! `TOKENBENCH_REQUIRE_BROWSER=1` (set by scripts/test once it has installed them) makes that a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod process;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Longer than any script needs: each of its steps has its own shorter limit and names itself on timeout.
const DEADLINE: Duration = Duration::from_secs(300);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("browser")
}

/// The browser the SPA script launches (it reads the same variable).
fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What is missing to run a script, if anything.
fn missing(needs_chromium: bool) -> Option<String> {
    let node = process::without_proxies("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("node is not on PATH".to_owned());
    }
    let modules = browser_dir().join("node_modules");
    if !modules.is_dir() {
        return Some(format!(
            "{} is missing (run `npm ci --prefix tests/browser`)",
            modules.display()
        ));
    }
    if needs_chromium && !chromium().is_file() {
        return Some(format!(
            "{} is missing (apt-get install chromium)",
            chromium().display()
        ));
    }
    None
}

/// True when the test may run; otherwise skips with a note, or fails under `TOKENBENCH_REQUIRE_BROWSER=1`.
fn prerequisites(needs_chromium: bool) -> bool {
    let Some(reason) = missing(needs_chromium) else {
        return true;
    };
    assert!(
        std::env::var("TOKENBENCH_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "TOKENBENCH_REQUIRE_BROWSER=1 but {reason}"
    );
    eprintln!("skipping: {reason}");
    false
}

fn drain(mut from: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        process::text(&bytes)
    })
}

/// Ends the script the way its own signal handler expects (it then stops its issuer and browser), and kills
/// it if it does not end soon after.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let grace = Instant::now() + Duration::from_secs(10);
    while Instant::now() < grace {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `node tests/browser/<script>` against this build's binary; fails with its output unless it exits 0.
fn run_script(script: &str) {
    let path = browser_dir().join(script);
    let mut child = process::without_proxies("node")
        .arg(&path)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TOKENBENCH_BIN", process::BIN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let deadline = Instant::now() + DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for node") {
            break Some(status);
        }
        if Instant::now() > deadline {
            terminate(&mut child);
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = stdout.join().expect("stdout reader");
    let err = stderr.join().expect("stderr reader");
    println!("{out}");
    let report = format!("--- stdout ---\n{out}\n--- stderr ---\n{err}");
    match status {
        None => panic!("{script} did not finish within {} s\n{report}", DEADLINE.as_secs()),
        Some(status) => assert!(status.success(), "{script} failed ({status})\n{report}"),
    }
}

#[test]
fn spa_sdk_logs_in_gets_a_silent_token_and_logs_out_in_chromium() {
    if prerequisites(true) {
        run_script("spa-login.mjs");
    }
}

#[test]
fn openid_client_runs_the_code_flow_with_pkce() {
    if prerequisites(false) {
        run_script("openid-client-flow.mjs");
    }
}

#[test]
fn jose_follows_a_key_rotation_and_refuses_a_token_of_the_revoked_key() {
    if prerequisites(false) {
        run_script("jose-rotation.mjs");
    }
}
