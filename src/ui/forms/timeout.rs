//! The request timeout both forms share: one field, kept as typed and checked every frame. A valid value
//! becomes the setting (saved with the others); an invalid one is shown inline and keeps Send off.

use crate::core::auth0::FieldError;
use crate::core::http::timeout_from_text;
use crate::ui::widgets::fields::{inline_error, labelled_line};
use std::time::Duration;

/// The timeout exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutField {
    text: String,
}

impl TimeoutField {
    /// The field showing a timeout from the settings.
    pub fn new(seconds: u64) -> Self {
        Self {
            text: seconds.to_string(),
        }
    }

    /// The timeout, or the field error that keeps the form from sending.
    pub fn value(&self) -> Result<Duration, FieldError> {
        timeout_from_text(&self.text).map_err(|message| FieldError {
            field: "timeout",
            message,
        })
    }

    /// The field with its error, if any.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        labelled_line(ui, "Timeout (seconds)", &mut self.text, "30");
        if let Err(error) = self.value() {
            inline_error(ui, &error.message);
        }
    }
}
