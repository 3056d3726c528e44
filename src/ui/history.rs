//! The History tab: every request the forms sent, newest first, searchable, with status, timing and the
//! rate-limit headers; a form can be loaded back, with its token when the user chose to keep tokens in the
//! keyring (never in the history file). Rows are drawn only when visible.

use crate::core::history::{History, HistoryEntry, RequestForm};
use crate::ui::command::{AppCommand, Command};
use crate::ui::panel::{Panel, PanelContext};
use crate::ui::theme;
use crate::ui::widgets::fields::labelled_line;
use crate::ui::widgets::time::time_after;
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
}

impl Panel for HistoryPanel {
    /// Nothing comes back to the history: the forms record their answers in it.
    type Event = std::convert::Infallible;

    fn apply(&mut self, event: Self::Event, _cx: &mut PanelContext<'_>, _commands: &mut Vec<Command>) {
        match event {}
    }

    /// Draws the history and the setting that keeps each request's token in the keyring.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        let (history, zone) = (&*cx.history, cx.zone);
        let keep_tokens = &mut cx.settings.keep_history_tokens;
        ui.heading("History");
        ui.checkbox(keep_tokens, "Keep the tokens of each request in the keyring")
            .on_hover_text(
                "Off: tokens are never kept. On: each request's token goes to a keyring item named after its \
                 entry (history/ID/token), so \"Load request … into the form\" brings it back; the item is deleted with \
                 the entry",
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
        let row_height = row_height(ui);
        let mut area = egui::ScrollArea::vertical().id_salt("history_rows").max_height(600.0);
        if std::mem::take(&mut self.scroll_to_focus)
            && let Some(index) = shown.iter().position(|e| Some(e.id) == self.focused)
        {
            let spacing = ui.spacing().item_spacing.y;
            area = area.vertical_scroll_offset(index as f32 * (row_height + spacing));
        }
        let rows = area.show_rows(ui, row_height, shown.len(), |ui, rows| {
            for entry in &shown[rows] {
                row_ui(ui, entry, Some(entry.id) == self.focused, zone, commands);
            }
        });
        crate::ui::widgets::a11y::name_scroll_bars(ui.ctx(), rows.id, "the history");
    }
}

impl HistoryPanel {
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
        row_details_ui(ui, entry, zone);
    });
}

/// How tall a row is: its short first line (with the button) and its details line.
fn row_height(ui: &egui::Ui) -> f32 {
    ui.spacing().interact_size.y * 2.0 + ui.spacing().item_spacing.y + 4.0
}

/// The first line: short fields only, so it and its button fit in a narrow window.
fn row_fields_ui(ui: &mut egui::Ui, entry: &HistoryEntry, zone: &jiff::tz::TimeZone, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let when = jiff::Timestamp::from_second(entry.at)
            .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        ui.monospace(format!("#{}", entry.id));
        ui.monospace(when);
        ui.monospace(&entry.method);
        ui.label(entry.status.map_or("no response".to_owned(), |s| s.to_string()));
        if let Some(ms) = entry.elapsed_ms {
            ui.label(format!("{ms} ms"));
        }
        let hint = match &entry.token {
            Some(item) => format!("The token is read back from {} in the keyring", item.keyring),
            None => "The token was not kept: paste it again".to_owned(),
        };
        if let Some(form) = &entry.form
            && ui
                .small_button(load_button_text(entry.id))
                .on_hover_text(hint)
                .clicked()
        {
            commands.push(Command::App(AppCommand::LoadForm {
                form: Box::new(form.clone()),
                token: entry.token.clone(),
            }));
        }
    });
}

/// The second line: URL, summary and rate limit, cut at the window's edge; the whole line on hover and as
/// its accessible name.
fn row_details_ui(ui: &mut egui::Ui, entry: &HistoryEntry, zone: &jiff::tz::TimeZone) {
    let mut details = vec![entry.url.clone(), entry.summary.clone()];
    if let Some((limit, remaining, reset)) = &entry.rate_limit {
        let reset = match reset.trim().parse::<i64>() {
            Ok(at) => format!("reset at {}", time_after(at, entry.at, "the request", zone)),
            Err(_) => format!("reset {reset} (not a time)"),
        };
        details.push(format!("rate limit {remaining}/{limit}, {reset}"));
    }
    let line = details.join("  ·  ");
    let shown = ui.add(egui::Label::new(RichText::new(&line).monospace()).truncate());
    shown.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &line));
    shown.on_hover_text(line);
}

/// The Load button's text, unique per row so each has its own accessible name.
fn load_button_text(id: u64) -> String {
    format!("Load request {id} into the form")
}

/// Where a loaded form goes.
pub fn form_tab(form: &RequestForm) -> crate::ui::Tab {
    match form {
        RequestForm::Delegation(_) => crate::ui::Tab::Delegation,
        RequestForm::Exchange(_) => crate::ui::Tab::TokenExchange,
    }
}
