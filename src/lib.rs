//! tokenbench: a native desktop workbench for Auth0 tokens, and a CLI over the same core.
//!
//! Layers: [`core`] is pure, [`services`] performs effects, [`ui`] is the only place egui lives.

#![warn(missing_docs)]

pub mod cli;
pub mod core;
pub mod services;
pub mod ui;
