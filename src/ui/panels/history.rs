//! The History tab: every request the forms sent, newest first, searchable, with status, timing and the
//! rate-limit headers; a form can be loaded back, with its token when the user chose to keep tokens in the
//! keyring (never in the history file). Rows are drawn only when visible.

use crate::core::history::{History, HistoryEntry, RequestForm};
use crate::ui::command::{AppCommand, Command};
use crate::ui::theme;
use crate::ui::widgets::fields::labelled_line;
use egui::RichText;

/// The panel's state: the search text and whether Clear waits for confirmation.
#[derive(Default)]
pub struct HistoryPanel {
    /// Filters by URL, method, status or summary.
    pub query: String,
    confirm_clear: bool,
}

impl HistoryPanel {
    /// Draws the history; `keep_tokens` is the setting that keeps each request's token in the keyring.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        history: &History,
        keep_tokens: &mut bool,
        zone: &jiff::tz::TimeZone,
        commands: &mut Vec<Command>,
    ) {
        ui.heading("History");
        ui.checkbox(keep_tokens, "Keep the tokens of each request in the keyring")
            .on_hover_text(
                "Off: tokens are never kept. On: each request's token goes to a keyring item named after its \
                 entry (history/ID/token), so Load into form brings it back; the item is deleted with the entry",
            );
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
        ui.horizontal(|ui| {
            ui.label(format!("{} of {} requests", shown.len(), history.entries.len()));
            self.clear_ui(ui, commands);
        });
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

impl HistoryPanel {
    /// "Clear history", then a confirmation that says kept tokens go too.
    fn clear_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        if !self.confirm_clear {
            self.confirm_clear = ui.button("Clear history").clicked();
            return;
        }
        ui.label("Drop every entry and delete the tokens kept for them?");
        if ui.button("Clear").clicked() {
            commands.push(Command::App(AppCommand::ClearHistory));
            self.confirm_clear = false;
        }
        if ui.button("Cancel").clicked() {
            self.confirm_clear = false;
        }
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
        let hint = match &entry.token {
            Some(item) => format!("The token is read back from {} in the keyring", item.keyring),
            None => "The token was not kept: paste it again".to_owned(),
        };
        if let Some(form) = &entry.form
            && ui.small_button("Load into form").on_hover_text(hint).clicked()
        {
            commands.push(Command::App(AppCommand::LoadForm {
                form: Box::new(form.clone()),
                token: entry.token.clone(),
            }));
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
