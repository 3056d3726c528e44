//! The History tab: every request the forms sent, newest first, searchable, with status, timing and the
//! rate-limit headers; a form can be loaded back (its tokens were never kept). Rows are drawn only when visible.

use crate::core::history::{History, HistoryEntry, RequestForm};
use crate::ui::command::{AppCommand, Command};
use crate::ui::theme;
use crate::ui::widgets::fields::labelled_line;
use egui::RichText;

/// The panel's state: the search text and the entry asked for from elsewhere.
#[derive(Default)]
pub struct HistoryPanel {
    /// Filters by URL, method, status or summary.
    pub query: String,
    /// The entry to highlight (from a click on the Rate limits timeline).
    pub focused: Option<u64>,
    /// Scroll to the focused entry on the next frame.
    scroll_to_focus: bool,
}

impl HistoryPanel {
    /// Highlights entry `id` and scrolls to it; the search is cleared so it is listed.
    pub fn focus(&mut self, id: u64) {
        self.focused = Some(id);
        self.scroll_to_focus = true;
        self.query.clear();
    }

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
