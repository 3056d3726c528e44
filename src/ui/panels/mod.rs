//! One panel per navigation tab.

pub mod history;
pub mod inspector;
pub mod placeholder;
pub mod secrets;
pub mod workspace_import;
