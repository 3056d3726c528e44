//! `scripts/package` refuses clearly, with exit status 1, when there is nothing to package or no `dpkg-deb`
//! to package with. (Building, installing and removing the package runs in `scripts/package-check`, as root.)
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use std::path::Path;
use std::process::Command;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/package");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn without_a_release_build_it_says_which_command_builds_one() {
    let empty_target = tempfile::tempdir().unwrap();
    let output = Command::new(SCRIPT)
        .env("CARGO_TARGET_DIR", empty_target.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no release binary at"), "{stderr}");
    assert!(stderr.contains("cargo build --release --locked"), "{stderr}");
}

#[test]
fn without_dpkg_deb_it_says_what_to_install() {
    let target = tempfile::tempdir().unwrap();
    std::fs::create_dir(target.path().join("release")).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_tokenbench"),
        target.path().join("release/tokenbench"),
    )
    .unwrap();
    // A PATH with only what the script needs before its tool check: no dpkg-deb.
    let tools = tempfile::tempdir().unwrap();
    for tool in ["bash", "dirname"] {
        let found = ["/usr/bin", "/bin"]
            .iter()
            .map(|d| Path::new(d).join(tool))
            .find(|p| p.exists());
        std::os::unix::fs::symlink(found.expect("bash and dirname are installed"), tools.path().join(tool)).unwrap();
    }
    let output = Command::new(SCRIPT)
        .env("CARGO_TARGET_DIR", target.path())
        .env("PATH", tools.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("dpkg-deb not found: install it"), "{stderr}");
}

#[test]
fn an_unknown_option_is_refused_with_the_usage() {
    let output = Command::new(SCRIPT).arg("--fast").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("usage:"));
}
