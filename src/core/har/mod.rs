//! HAR 1.2 captures (a browser's "Save all as HAR"), read for support: the entries one at a time
//! ([`stream`]), each made compact with the tokens it carried ([`entry`], [`tokens`]), problems across entries
//! ([`findings`]), and a copy safe to share ([`sanitize`]).
//!
//! What the three browsers write differently, as this reader handles it (the fixtures made by
//! `tests/support/make-har.py` imitate each shape; they are hand-made, never real captures):
//!
//! - Chrome (and Edge) add underscore members everywhere (`_initiator`, `_priority`, `_resourceType`,
//!   `_transferSize`, `_fromCache`, `_webSocketMessages`); they are skipped. Bodies of binary or compressed
//!   answers come as `content.text` with `"encoding": "base64"`, which is decoded. HTTP/2 pseudo-headers
//!   (`:authority`, `:path`) may appear among the request headers. A failed or blocked request has status 0.
//!   Form bodies come as `postData.text` only.
//! - Firefox fills `postData.params` for form bodies (and may leave `postData.text` out), writes
//!   `startedDateTime` with the local offset (`+02:00` rather than `Z`), keeps header names as sent
//!   (`Authorization`), and joins repeated `Set-Cookie` headers with line breaks in one header.
//! - Safari (Web Inspector) leaves out what it does not know: `queryString`, `cookies`, `postData.params`,
//!   `content.text`, `redirectURL` and `time` may all be missing, and header names are often capitalised
//!   differently (`X-Ratelimit-Remaining`).
//!
//! So every field of the model is optional, unknown members are skipped, header names are compared without
//! regard to case and repeated headers are all kept.

pub mod entry;
pub mod findings;
pub mod hash;
pub mod lossy;
pub mod model;
pub mod redact;
pub mod sanitize;
pub mod stream;
pub mod tokens;

pub use entry::{Entry, EntryError};
pub use stream::{HarError, HarEvent, read_har};

#[cfg(test)]
mod tests;
