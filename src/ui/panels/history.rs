//! The History tab: every request the forms sent, newest first, searchable, with status, timing and the
//! rate-limit headers; a form can be loaded back (its tokens were never kept). Rows are drawn only when visible.

use crate::core::history::{History, HistoryEntry, RequestForm};
use crate::ui::command::{AppCommand, Command};
use crate::ui::theme;
use crate::ui::widgets::fields::labelled_line;
use egui::RichText;

/// The panel's state: the search text.
#[derive(Default)]
pub struct HistoryPanel {
    /// Filters by URL, method, status or summary.
    pub query: String,
}

impl HistoryPanel {
    /// Draws the history.
    pub fn ui(&mut self, ui: &mut egui::Ui, history: &History, zone: &jiff::tz::TimeZone, commands: &mut Vec<Command>) {
        ui.heading("History");
        ui.add_space(theme::SECTION_GAP);
        if history.entries.is_empty() {
            ui.label(
                RichText::new(
                    "No requests yet. Requests sent from Delegation and Token exchange are listed here, without \
                     tokens or secrets",
                )
                .color(theme::muted(ui.visuals().dark_mode)),
            );
            return;
        }
        labelled_line(ui, "Search history", &mut self.query, "URL, status, error code…");
        let shown: Vec<&HistoryEntry> = history
            .entries
            .iter()
            .rev()
            .filter(|e| e.matches(&self.query))
            .collect();
        ui.label(format!("{} of {} requests", shown.len(), history.entries.len()));
        let row_height = ui.spacing().interact_size.y + 4.0;
        egui::ScrollArea::vertical()
            .id_salt("history_rows")
            .max_height(600.0)
            .show_rows(ui, row_height, shown.len(), |ui, rows| {
                for entry in &shown[rows] {
                    row_ui(ui, entry, zone, commands);
                }
            });
    }
}

fn row_ui(ui: &mut egui::Ui, entry: &HistoryEntry, zone: &jiff::tz::TimeZone, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let when = jiff::Timestamp::from_second(entry.at)
            .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        ui.monospace(when);
        ui.monospace(&entry.method);
        ui.monospace(&entry.url);
        ui.label(entry.status.map_or("no response".to_owned(), |s| s.to_string()));
        if let Some(ms) = entry.elapsed_ms {
            ui.label(format!("{ms} ms"));
        }
        ui.label(&entry.summary);
        if let Some((limit, remaining, reset)) = &entry.rate_limit {
            ui.label(format!("rate limit {remaining}/{limit}, reset {reset}"));
        }
        if let Some(form) = &entry.form
            && ui
                .small_button("Load into form")
                .on_hover_text("Tokens were not kept: paste them again")
                .clicked()
        {
            commands.push(Command::App(AppCommand::LoadForm(Box::new(form.clone()))));
        }
    });
}

/// Where a loaded form goes.
pub fn form_tab(form: &RequestForm) -> crate::ui::Tab {
    match form {
        RequestForm::Delegation(_) => crate::ui::Tab::Delegation,
        RequestForm::Exchange(_) => crate::ui::Tab::TokenExchange,
    }
}
