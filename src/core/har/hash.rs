//! Short fingerprints of secret values: the first 4 bytes of their SHA-256, so that equal values stay
//! recognisable (in listings and in sanitised files) without being shown.

use aws_lc_rs::digest::{SHA256, digest};
use std::fmt::Write;

/// Eight hex digits of the SHA-256 of `value`.
pub fn short_hash(value: &str) -> String {
    let hash = digest(&SHA256, value.as_bytes());
    hash.as_ref()
        .iter()
        .take(4)
        .fold(String::with_capacity(8), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// What a sanitised file holds instead of a secret: `[redacted:sha256:1a2b3c4d]`.
pub fn marker(value: &str) -> String {
    format!("[redacted:sha256:{}]", short_hash(value))
}

/// Whether `text` is a marker written by [`marker`] (sanitising twice changes nothing).
pub fn is_marker(text: &str) -> bool {
    text.starts_with("[redacted:sha256:") && text.ends_with(']')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_give_equal_markers() {
        assert_eq!(short_hash("abc"), "ba7816bf");
        assert_eq!(marker("abc"), "[redacted:sha256:ba7816bf]");
        assert!(is_marker(&marker("x")));
        assert_ne!(marker("a"), marker("b"));
    }
}
