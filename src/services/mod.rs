//! Effects: the clock, HTTP, files, the keyring, the clipboard. Never egui; the window reaches these through `ui::backend`.

pub mod clipboard;
pub mod clock;
pub mod dpop;
pub mod http;
pub mod issuer;
pub mod keygen;
pub mod login;
pub mod secrets;
pub mod storage;
