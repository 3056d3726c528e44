//! The window: the only place egui lives. Panels push commands; the backend runs them off the UI thread and
//! answers with events.

pub mod app;
pub mod backend;
pub mod command;
pub mod panels;
pub mod settings;
pub mod theme;
pub mod widgets;

pub use app::{LaunchOptions, TokenbenchApp, run};
pub use settings::{Settings, Tab};
