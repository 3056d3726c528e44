//! The HAR fixtures of `tests/support/make-har.py` (a sign-in, a delegation, a burst ending in 429s, a refresh
//! token spent twice, a token in a query string, the three browsers' shapes, broken files), written once per
//! test binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The folder holding every fixture.
pub fn fixtures() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/make-har.py");
        let status = std::process::Command::new("python3")
            .arg(script)
            .arg(dir.path())
            .status()
            .expect("python3 runs the fixture generator");
        assert!(status.success());
        dir
    })
    .path()
}

/// One fixture by file name.
pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(name)
}
