//! The History tab: every request the forms sent, newest first, searchable, with status, timing and the
//! rate-limit headers; a form can be loaded back, with its token when the user chose to keep tokens in the
//! keyring (never in the history file). Rows are drawn only when visible.

use crate::core::history::{History, HistoryEntry, RequestForm};
use crate::ui::command::{AppCommand, Command};
use crate::ui::theme;
use crate::ui::widgets::fields::labelled_line;
use egui::RichText;

/// The panel's state: the search text, the entry asked for from elsewhere, and whether Clear waits for
/// confirmation.
#[derive(Default)]
pub struct HistoryPanel {
    /// Filters by URL, method, status or summary.
    pub query: String,
    /// The entry to highlight (from a click on the Rate limits timeline).
    pub focused: Option<u64>,
    /// Scroll to the focused entry on the next frame.
    scroll_to_focus: bool,
    confirm_clear: bool,
}

impl HistoryPanel {
    /// Highlights entry `id` and scrolls to it; the search is cleared so it is listed.
    pub fn focus(&mut self, id: u64) {
        self.focused = Some(id);
        self.scroll_to_focus = true;
        self.query.clear();
    }

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
        self.focus_ui(ui, history);
        let row_height = ui.spacing().interact_size.y + 4.0;
        let mut area = egui::ScrollArea::vertical().id_salt("history_rows").max_height(600.0);
        if std::mem::take(&mut self.scroll_to_focus)
            && let Some(index) = shown.iter().position(|e| Some(e.id) == self.focused)
        {
            let spacing = ui.spacing().item_spacing.y;
            area = area.vertical_scroll_offset(index as f32 * (row_height + spacing));
        }
        area.show_rows(ui, row_height, shown.len(), |ui, rows| {
            for entry in &shown[rows] {
                row_ui(ui, entry, Some(entry.id) == self.focused, zone, commands);
            }
        });
    }

    /// Names the highlighted entry, or says it is gone.
    fn focus_ui(&mut self, ui: &mut egui::Ui, history: &History) {
        let Some(id) = self.focused else { return };
        ui.horizontal(|ui| {
            match history.entry(id) {
                Some(entry) => ui.label(format!(
                    "Request #{id} from the Rate limits timeline is highlighted: {} {}",
                    entry.status.map_or("no response".to_owned(), |s| s.to_string()),
                    entry.summary
                )),
                None => ui.label(format!(
                    "Request #{id} is no longer in the history (the oldest are dropped first)"
                )),
            };
            if ui.small_button("Clear highlight").clicked() {
                self.focused = None;
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

fn row_ui(
    ui: &mut egui::Ui,
    entry: &HistoryEntry,
    focused: bool,
    zone: &jiff::tz::TimeZone,
    commands: &mut Vec<Command>,
) {
    let fill = if focused {
        ui.visuals().selection.bg_fill
    } else {
        egui::Color32::TRANSPARENT
    };
    egui::Frame::new().fill(fill).show(ui, |ui| {
        row_fields_ui(ui, entry, zone, commands);
    });
}

fn row_fields_ui(ui: &mut egui::Ui, entry: &HistoryEntry, zone: &jiff::tz::TimeZone, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let when = jiff::Timestamp::from_second(entry.at)
            .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        ui.monospace(format!("#{}", entry.id));
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
