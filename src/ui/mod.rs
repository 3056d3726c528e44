//! The window: the only place egui lives. One folder or file per feature (the request forms, the inspector,
//! the local issuer, rate limits, secrets, history, the guided demo), each tab a [`panel::Panel`]. Panels push
//! commands; the backend runs them off the UI thread and answers with events, which the app routes back to the
//! panel that asked.

pub mod app;
pub mod backend;
pub mod captures;
pub mod command;
pub mod demo;
pub mod forms;
pub mod history;
pub mod inspector;
pub mod issuer;
pub mod panel;
pub mod rate_limits;
pub mod secrets;
pub mod settings;
pub mod theme;
pub mod widgets;

pub use app::{LaunchOptions, TokenbenchApp, run};
pub use settings::{Settings, Tab};
