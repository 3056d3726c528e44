//! The Captures tab: a browser's HAR capture read in the backend (rows arrive while it is read, Cancel stops
//! it), listed with the tokens each entry carried and its rate-limit headers, filtered to Auth0 endpoints or
//! by a search; findings across entries above the table, each pointing at its entries; tokens open in the
//! inspector with their place in the capture; a sanitised copy lists what it removes before it is saved. The
//! last few captures read stay a click away, and a capture timeline's point lists its capture again.

mod report;
mod sanitize;
mod table;
pub mod values;

use crate::core::har::EntryError;
use crate::core::har::findings::HarFinding;
use crate::ui::Tab;
use crate::ui::command::{AppCommand, CaptureEvent, CapturedEntry, Command, FilesCommand, ReadOutcome, RequestId};
use crate::ui::panel::{Panel, PanelContext};
use crate::ui::theme;
use crate::ui::widgets::a11y::announce;
use crate::ui::widgets::fields::{inline_error, labelled_line};
use std::path::{Path, PathBuf};

pub use table::Filter;

/// Captures kept besides the one listed: each holds its rows, so a support session of many large captures
/// does not grow without bound.
const EARLIER_KEPT: usize = 4;

/// The Captures tab's state.
#[derive(Default)]
pub struct CapturesPanel {
    /// The path field (the file dialog's fallback).
    pub path: String,
    /// A message about the last dialog.
    pub notice: Option<String>,
    /// The capture shown.
    pub file: Option<PathBuf>,
    read: Option<RequestId>,
    /// A read is under way.
    pub reading: bool,
    /// Entries read so far, skipped ones included.
    pub entries_read: usize,
    /// The entries read, in file order.
    pub rows: Vec<CapturedEntry>,
    /// Entries that could not be read.
    pub errors: Vec<EntryError>,
    /// Problems across the entries, once the read ended.
    pub findings: Vec<HarFinding>,
    /// How the read ended.
    pub outcome: Option<ReadOutcome>,
    /// The Auth0 filter and the search.
    pub filter: Filter,
    /// The entry highlighted (from a finding), from 1.
    pub focused: Option<usize>,
    scroll_to_focus: bool,
    /// The sanitised copy's preview and save.
    pub sanitize: sanitize::SanitizeState,
    /// Captures read before the one listed, most recent last, to switch back to.
    pub earlier: Vec<EarlierCapture>,
}

/// A capture read before the one listed: what the Captures tab shows of it, kept to switch back to.
pub struct EarlierCapture {
    /// The capture's file.
    pub file: PathBuf,
    entries_read: usize,
    rows: Vec<CapturedEntry>,
    errors: Vec<EntryError>,
    findings: Vec<HarFinding>,
    outcome: Option<ReadOutcome>,
}

/// The file name a capture is known by ("capture.har").
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

impl CapturesPanel {
    /// Highlights entry `index` (from 1) and scrolls to it; the filter is lifted when it hides the entry.
    pub fn focus(&mut self, index: usize) {
        self.focused = Some(index);
        self.scroll_to_focus = true;
        if let Some(row) = self.rows.iter().find(|r| r.entry.index == index)
            && !self.filter.shows(&row.entry)
        {
            self.filter.clear();
        }
    }

    /// Highlights entry `index` (from 1) of the capture `file`, listing that capture first when it was read
    /// earlier; says how to see it when it is not kept.
    pub fn show_entry(&mut self, file: &str, index: usize) {
        let listed = |panel: &Self| panel.file.as_deref().map(file_name).as_deref() == Some(file);
        if !listed(self)
            && let Some(position) = self.earlier.iter().position(|c| file_name(&c.file) == file)
        {
            self.switch_to(position);
        }
        if listed(self) {
            self.notice = None;
            return self.focus(index);
        }
        self.notice = Some(format!(
            "Entry {index} belongs to {file}, which is not open here: open {file} again to see its entries (its \
             timelines stay on the Rate limits tab)"
        ));
    }

    /// Lists the earlier capture at `position`, keeping the one listed now among the earlier ones. Not while
    /// a read is under way: its answers belong to the capture being read.
    pub fn switch_to(&mut self, position: usize) {
        if self.reading || position >= self.earlier.len() {
            return;
        }
        let chosen = self.earlier.remove(position);
        self.keep_listed_capture();
        self.file = Some(chosen.file);
        self.entries_read = chosen.entries_read;
        self.rows = chosen.rows;
        self.errors = chosen.errors;
        self.findings = chosen.findings;
        self.outcome = chosen.outcome;
        self.read = None;
        self.focused = None;
        self.sanitize = sanitize::SanitizeState::default();
    }

    /// Moves the capture listed (if any) to the earlier ones, replacing an earlier copy of the same file.
    fn keep_listed_capture(&mut self) {
        let Some(file) = self.file.take() else { return };
        let name = file_name(&file);
        self.earlier.retain(|c| file_name(&c.file) != name);
        let outcome = if self.reading {
            Some(ReadOutcome::Cancelled)
        } else {
            self.outcome.take()
        };
        self.earlier.push(EarlierCapture {
            file,
            entries_read: self.entries_read,
            rows: std::mem::take(&mut self.rows),
            errors: std::mem::take(&mut self.errors),
            findings: std::mem::take(&mut self.findings),
            outcome,
        });
        if self.earlier.len() > EARLIER_KEPT {
            // The oldest table goes; its timelines stay on the Rate limits tab until removed there.
            self.earlier.remove(0);
        }
    }

    /// A new read lists a new capture; the one listed before is kept among the earlier ones, and its timelines
    /// stay on the Rate limits tab, side by side, until removed there. A file read again replaces its own.
    fn started(&mut self, read: RequestId, path: PathBuf, cx: &mut PanelContext<'_>) {
        let name = file_name(&path);
        cx.rate_book.remove_capture(&name);
        self.keep_listed_capture();
        self.earlier.retain(|c| file_name(&c.file) != name);
        let (search, auth0_only) = (std::mem::take(&mut self.filter.search), self.filter.auth0_only);
        *self = Self {
            path: self.path.clone(),
            earlier: std::mem::take(&mut self.earlier),
            file: Some(path),
            read: Some(read),
            reading: true,
            filter: Filter {
                search,
                auth0_only,
                ..Filter::default()
            },
            ..Self::default()
        };
    }

    fn progress(&mut self, rows: Vec<CapturedEntry>, errors: Vec<EntryError>, cx: &mut PanelContext<'_>) {
        if let Some(file) = &self.file {
            let name = file_name(file);
            for row in &rows {
                cx.rate_book.observe_capture(&name, &row.entry);
            }
        }
        self.rows.extend(rows);
        self.errors.extend(errors);
    }
}

impl Panel for CapturesPanel {
    type Event = CaptureEvent;

    fn apply(&mut self, event: CaptureEvent, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        let current = self.read;
        match event {
            CaptureEvent::NoFileChosen => {
                self.notice = Some(crate::ui::command::NO_FILE_CHOSEN.to_owned());
            }
            CaptureEvent::Started { read, path } => {
                self.started(read, path, cx);
                commands.push(Command::App(AppCommand::SwitchTab(Tab::Captures)));
            }
            CaptureEvent::Progress {
                read,
                entries_read,
                rows,
                errors,
            } if current == Some(read) => {
                self.entries_read = entries_read;
                self.progress(rows, errors, cx);
            }
            CaptureEvent::Finished {
                read,
                entries_read,
                findings,
                outcome,
            } if current == Some(read) => {
                self.entries_read = entries_read;
                self.findings = findings;
                self.outcome = Some(outcome);
                self.reading = false;
            }
            // Answers of a read that was replaced by a newer one.
            CaptureEvent::Progress { .. } | CaptureEvent::Finished { .. } => {}
            CaptureEvent::SanitizePreview { source, result } => self.sanitize.previewed(source, result),
            CaptureEvent::Sanitized(result) => self.sanitize.saved(result),
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        ui.heading("Captures");
        ui.label(
            "A browser's HAR capture (network panel: \"Save all as HAR\"), read for support: the tokens each \
             request carried, rate-limit headers and problems across requests. Drop a .har file on the window or open one",
        );
        self.open_ui(ui, commands);
        self.status_ui(ui, commands);
        self.earlier_ui(ui, cx);
        let Some(file) = self.file.clone() else { return };
        if !self.rows.is_empty() {
            self.sanitize.ui(ui, &file, self.reading, commands);
        }
        ui.add_space(theme::SECTION_GAP);
        if let Some(index) = report::findings_ui(ui, &self.findings) {
            self.focus(index);
        }
        report::errors_ui(ui, &self.errors);
        ui.add_space(theme::SECTION_GAP);
        let focus = (self.focused, std::mem::take(&mut self.scroll_to_focus));
        let view = table::TableView {
            rows: &self.rows,
            file: &file,
            focus,
            zone: cx.zone,
        };
        table::table_ui(ui, &mut self.filter, &view, commands);
    }
}

impl CapturesPanel {
    /// The captures read earlier, each a button that lists it again, and the captures whose timelines are
    /// still on the Rate limits tab.
    fn earlier_ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>) {
        let mut chosen = None;
        if !self.earlier.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label("Read earlier:");
                for (position, capture) in self.earlier.iter().enumerate().rev() {
                    let button = egui::Button::new(format!("Show {}", file_name(&capture.file)));
                    let hint = "List this capture again, as it was read (wait for the read under way to end)";
                    if ui.add_enabled(!self.reading, button).on_hover_text(hint).clicked() {
                        chosen = Some(position);
                    }
                }
            });
        }
        if let Some(position) = chosen {
            self.switch_to(position);
        }
        let shown = self.file.as_deref().map(file_name).unwrap_or_default();
        let timelines: Vec<&str> = cx
            .rate_book
            .captures
            .keys()
            .map(String::as_str)
            .filter(|name| *name != shown)
            .collect();
        if !timelines.is_empty() {
            ui.label(format!(
                "Also on the Rate limits tab, next to this capture's timelines: {} (remove them there)",
                timelines.join(", ")
            ));
        }
    }

    /// Open…, and the path field for desktops without a file-chooser portal.
    fn open_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            if ui
                .button("Open capture…")
                .on_hover_text("Open a HAR file saved from the browser's network panel")
                .clicked()
            {
                commands.push(Command::Files(FilesCommand::OpenHar(None)));
            }
        });
        ui.horizontal(|ui| {
            labelled_line(ui, "Or a capture path", &mut self.path, "/home/me/capture.har");
        });
        let typed = PathBuf::from(self.path.trim());
        if ui
            .add_enabled(typed.is_absolute(), egui::Button::new("Open capture from path"))
            .clicked()
        {
            commands.push(Command::Files(FilesCommand::OpenHar(Some(typed))));
        }
        if !self.path.trim().is_empty() && !Path::new(self.path.trim()).is_absolute() {
            inline_error(ui, "give the full path, starting with / (or a drive letter on Windows)");
        }
        if let Some(notice) = &self.notice {
            // Said aloud: it answers a click made elsewhere (a timeline's point, the file dialog).
            announce(ui.label(notice.as_str()));
        }
    }

    /// The spinner and Cancel while reading; how the read ended after.
    fn status_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some(file) = &self.file else { return };
        let name = file_name(file);
        if self.reading {
            ui.horizontal(|ui| {
                ui.spinner();
                announce(ui.label(format!("Reading {name}: {} entries so far", self.entries_read)));
                if ui
                    .button("Cancel")
                    .on_hover_text("Stop reading; the entries read are kept")
                    .clicked()
                {
                    commands.push(Command::Files(FilesCommand::CancelHar));
                }
            });
            return;
        }
        let summary = format!(
            "{name}: {} entries read, {} skipped",
            self.entries_read,
            self.errors.len()
        );
        match &self.outcome {
            Some(ReadOutcome::Complete) | None => {
                announce(ui.label(summary));
            }
            Some(ReadOutcome::Cancelled) => {
                announce(ui.label(format!("{summary}; cancelled: the entries read so far are listed")));
            }
            Some(ReadOutcome::Failed(why)) => {
                announce(ui.label(summary));
                inline_error(ui, &format!("{name} could not be read to the end: {why}"));
            }
        }
    }
}
