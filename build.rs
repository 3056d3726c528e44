//! Build script: link flags for the release binary's start-up (measured with scripts/bench).
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

fn main() {
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    let release = std::env::var("PROFILE").is_ok_and(|profile| profile == "release");
    if linux_gnu && release {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
