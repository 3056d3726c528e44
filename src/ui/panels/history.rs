//! The History tab: past requests from the saved history, newest first. Requests are recorded by the Delegation
//! and Token exchange forms; until those exist the list stays empty and says so.

use crate::core::history::History;
use crate::ui::theme;
use egui::RichText;

/// Draws the history.
pub fn history_ui(ui: &mut egui::Ui, history: &History, zone: &jiff::tz::TimeZone) {
    ui.heading("History");
    ui.add_space(theme::SECTION_GAP);
    if history.entries.is_empty() {
        ui.label(
            RichText::new(
                "No requests yet. Requests sent from Delegation and Token exchange will be listed here, with secrets \
                 shown only by their keyring names",
            )
            .color(theme::muted(ui.visuals().dark_mode)),
        );
        return;
    }
    egui::Grid::new("history").striped(true).num_columns(5).show(ui, |ui| {
        for entry in history.entries.iter().rev() {
            let when = jiff::Timestamp::from_second(entry.at)
                .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default();
            ui.monospace(when);
            ui.monospace(&entry.method);
            ui.monospace(&entry.url);
            ui.label(entry.status.map_or("no response".to_owned(), |s| s.to_string()));
            ui.label(&entry.summary);
            ui.end_row();
        }
    });
}
