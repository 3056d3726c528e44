//! The pure core: values in, values out.
//!
//! Nothing here may touch egui, tokio, reqwest, axum, the keyring, the file system, the network or the
//! system clock; `tests/layering.rs` enforces it. Time is always passed in as a Unix timestamp.

pub mod auth0;
pub mod der;
pub mod encode;
pub mod escape;
pub mod har;
pub mod history;
pub mod http;
pub mod issuer;
pub mod jwt;
pub mod keyimport;
pub mod oidc;
pub mod protocol;
pub mod ratelimit;
pub mod secret;
pub mod sign;
pub mod tenant;
pub mod workspace;
