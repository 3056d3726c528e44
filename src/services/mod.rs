//! Effects: the clock, HTTP, files. Never egui; the window reaches these through `ui::backend`.

pub mod clock;
pub mod http;
pub mod issuer;
pub mod keygen;
pub mod secrets;
pub mod storage;
