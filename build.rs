//! Build script: link flags for the release binary's start-up (measured with scripts/bench), and the commit
//! `tokenbench --version` names.
//!
//! The version is "0.1.0 (commit 1a2b3c4d5e6f)" when the commit is known: from git in a checkout of the
//! repository, or from the `.cargo_vcs_info.json` that `cargo package` writes into a crate. Otherwise (a
//! source tarball, no git) it is the bare package version.
// Link flags for the start-up of `tokenbench inspect` (measured with scripts/bench).
//
// `-z pack-relative-relocs` stores the ~40,000 relative relocations of this PIE (vtables, panic locations,
// string tables of eframe/winit/zbus/h2) as a RELR bitmap: .rela.dyn + .relr.dyn shrink from 1 MB to 15 KB,
// which the loader no longer reads (peak RSS 7.3 -> 6.4 MiB). Minor faults barely move: every relocated page
// of .data.rel.ro is still written, and so copied, at each start. Needs GNU ld >= 2.38 or lld >= 15 to link,
// and glibc >= 2.36 to run (older loaders refuse the binary: "GLIBC_ABI_DT_RELR not found").
//
// Not used: a non-PIE executable (`-C relocation-model=static`) has no relocations at all: minor faults
// 348 -> 184 (jwt-cli: 183) and CPU time 1.38 -> 0.93 ms (jwt-cli: 0.97). But it gives up ASLR for 18 MB of
// code, including the C of aws-lc that parses keys, certificates and fetched JWKS: not a trade for a tool
// that reads hostile input.
//
// Given here rather than as rustflags so that only the binary's link changes: dependencies keep their
// build hashes, and debug builds are untouched.

use std::path::Path;
use std::process::Command;

fn main() {
    link_flags();
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let shown = match head_commit() {
        Some(commit) => format!("{version} (commit {commit})"),
        None => version,
    };
    println!("cargo:rustc-env=TOKENBENCH_VERSION={shown}");
    println!("cargo:rerun-if-changed=build.rs");
    watch_git_head();
}

fn link_flags() {
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    let release = std::env::var("PROFILE").is_ok_and(|profile| profile == "release");
    if linux_gnu && release {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// The abbreviated commit this source comes from, or `None` when it cannot be known.
fn head_commit() -> Option<String> {
    // Only the package's own checkout: a crate unpacked inside another repository must not take its HEAD.
    if Path::new(".git").exists() {
        git_head()
    } else {
        packaged_commit()
    }
}

fn git_head() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}

/// `git.sha1` of `.cargo_vcs_info.json`, shortened like `git rev-parse --short=12`.
fn packaged_commit() -> Option<String> {
    println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    let text = std::fs::read_to_string(".cargo_vcs_info.json").ok()?;
    let info: serde_json::Value = serde_json::from_str(&text).ok()?;
    let sha1 = info.pointer("/git/sha1")?.as_str()?;
    sha1.get(..12).map(str::to_owned)
}

/// Reruns this script when `HEAD` moves: a checkout changes `.git/HEAD`, a commit changes the branch's ref.
fn watch_git_head() {
    let git = Path::new(".git");
    if !git.is_dir() {
        return;
    }
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/packed-refs");
    if let Ok(head) = std::fs::read_to_string(git.join("HEAD"))
        && let Some(reference) = head.strip_prefix("ref: ")
    {
        println!("cargo:rerun-if-changed=.git/{}", reference.trim());
    }
}
