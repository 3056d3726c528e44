//! Running the real binary in tests: commands without the developer's proxy or log settings, and `tokenbench
//! serve` on a free port with a tenant file, read up to its one "listening" line and stopped when dropped.
#![allow(dead_code)]

use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_tokenbench");

/// `program` without proxy variables (loopback requests must not go through a proxy) or `RUST_LOG`, with
/// standard input closed.
pub fn without_proxies(program: &str) -> Command {
    let mut command = Command::new(program);
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        command.env_remove(var);
    }
    command.env_remove("RUST_LOG").stdin(Stdio::null());
    command
}

/// The binary under test, as [`without_proxies`].
pub fn tokenbench() -> Command {
    without_proxies(BIN)
}

/// `tokenbench inspect ARGS`, as [`tokenbench`], with times shown in UTC.
pub fn inspect(args: &[&str]) -> Command {
    let mut command = tokenbench();
    command.arg("inspect").args(args).env("TZ", "UTC");
    command
}

/// Runs `tokenbench inspect ARGS` with standard input closed.
pub fn inspect_output(args: &[&str]) -> std::process::Output {
    inspect(args).output().expect("the tokenbench binary runs")
}

/// Runs `command` with `input` on its standard input, written from another thread (the output may fill its
/// pipe before the input is all read).
pub fn output_with_stdin(mut command: Command, input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tokenbench binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).expect("the input is written"));
    let output = child.wait_with_output().expect("the tokenbench binary finishes");
    writer.join().expect("the input writer ends");
    output
}

/// The demo tenant changed by `edit`, written to `dir/tenant.json`.
pub fn tenant_file(dir: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut tenant: Value = serde_json::from_str(tokenbench::core::tenant::DEMO_TENANT).unwrap();
    edit(&mut tenant);
    let path = dir.join("tenant.json");
    std::fs::write(&path, tenant.to_string()).unwrap();
    path
}

/// The demo tenant's `demo-spa` client.
pub fn spa(tenant: &mut Value) -> &mut Value {
    let clients = tenant["clients"].as_array_mut().unwrap();
    clients.iter_mut().find(|c| c["client_id"] == "demo-spa").unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A JWT's payload, unverified.
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// A running `tokenbench serve`; killed when dropped.
pub struct Served {
    /// The process (its standard output is read up to the first line; standard error as configured).
    pub child: Child,
    /// The base URL it printed.
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `tokenbench serve --port 0`, after `configure` adds arguments and environment (standard error is
/// discarded unless it says otherwise). Generated secrets stay in memory: no keyring is reachable.
pub fn serve(configure: impl FnOnce(&mut Command)) -> Served {
    let mut command = tokenbench();
    command
        .args(["serve", "--port", "0"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    configure(&mut command);
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("tokenbench issuer listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    Served { child, url }
}
