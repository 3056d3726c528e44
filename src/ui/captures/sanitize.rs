//! "Save sanitised copy…": first what sanitising would remove is listed (the backend runs it into a sink),
//! then Save asks where (or takes a typed path) and the backend writes the copy through a temporary file.

use crate::core::har::sanitize::SanitizeReport;
use crate::ui::command::{Command, FilesCommand, NO_FILE_CHOSEN};
use crate::ui::widgets::a11y::announce;
use crate::ui::widgets::fields::{inline_error, labelled_line};
use std::path::{Path, PathBuf};

/// Most removals listed (the count says how many there are).
const LISTED: usize = 500;

/// The preview and the save.
#[derive(Default)]
pub struct SanitizeState {
    /// The preview is being prepared.
    pub preparing: bool,
    /// What sanitising the capture would remove, or why it cannot be done.
    pub report: Option<(PathBuf, Result<SanitizeReport, String>)>,
    /// The path field for the copy (the save dialog's fallback).
    pub target: String,
    /// The copy is being written.
    pub saving: bool,
    /// Where the copy went, or why not.
    pub message: Option<Result<String, String>>,
}

impl SanitizeState {
    /// The preview arrived.
    pub fn previewed(&mut self, source: PathBuf, result: Result<SanitizeReport, String>) {
        self.preparing = false;
        self.report = Some((source, result));
    }

    /// The copy was written, or not.
    pub fn saved(&mut self, result: Result<Option<PathBuf>, String>) {
        self.saving = false;
        self.message = Some(match result {
            Ok(Some(path)) => Ok(format!("Sanitised copy saved to {}", path.display())),
            Ok(None) => Err(NO_FILE_CHOSEN.to_owned()),
            Err(e) => Err(e),
        });
    }

    /// Draws the button, the preview and the save controls.
    pub fn ui(&mut self, ui: &mut egui::Ui, file: &Path, reading: bool, commands: &mut Vec<Command>) {
        let fresh = self.report.as_ref().is_some_and(|(source, _)| source == file);
        ui.horizontal(|ui| {
            let button = egui::Button::new("Save sanitised copy…");
            if ui
                .add_enabled(!reading && !self.preparing, button)
                .on_hover_text("Lists what will be removed (signatures, secrets, cookies) before saving")
                .clicked()
            {
                self.preparing = true;
                self.message = None;
                commands.push(Command::Files(FilesCommand::PreviewSanitizeHar(file.to_path_buf())));
            }
            if self.preparing {
                ui.spinner();
                ui.label("Listing what will be removed…");
            }
        });
        if !fresh {
            return;
        }
        let Some((_, report)) = &self.report else { return };
        match report {
            Ok(report) => {
                report_ui(ui, report);
                self.save_ui(ui, file, commands);
            }
            Err(e) => inline_error(ui, &format!("No sanitised copy can be made: {e}")),
        }
    }

    fn save_ui(&mut self, ui: &mut egui::Ui, file: &Path, commands: &mut Vec<Command>) {
        let mut save = |target: Option<PathBuf>, state: &mut Self| {
            state.saving = true;
            state.message = None;
            commands.push(Command::Files(FilesCommand::SanitizeHar {
                source: file.to_path_buf(),
                target,
            }));
        };
        if ui.add_enabled(!self.saving, egui::Button::new("Save…")).clicked() {
            save(None, self);
        }
        labelled_line(
            ui,
            "Or save the copy to path",
            &mut self.target,
            "/home/me/capture-sanitised.har",
        );
        let typed = PathBuf::from(self.target.trim());
        let ready = typed.is_absolute() && !self.saving;
        if ui.add_enabled(ready, egui::Button::new("Save copy to path")).clicked() {
            save(Some(typed), self);
        }
        match &self.message {
            Some(Ok(message)) => {
                announce(ui.label(message.as_str()));
            }
            Some(Err(e)) => inline_error(ui, e),
            None => {}
        }
    }
}

/// How many values will go, and which.
fn report_ui(ui: &mut egui::Ui, report: &SanitizeReport) {
    announce(ui.label(format!(
        "The copy keeps {} entries; {} values will be removed (JWTs keep their header and payload):",
        report.entries,
        report.removed.len()
    )));
    egui::CollapsingHeader::new(format!("What will be removed ({})", report.removed.len()))
        .id_salt("sanitize_removed")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("sanitize_removed_list")
                .max_height(200.0)
                .show(ui, |ui| {
                    for removal in report.removed.iter().take(LISTED) {
                        ui.label(format!(
                            "entry {} · {}: {}, replaced by {}",
                            removal.entry, removal.place, removal.what, removal.replacement
                        ));
                    }
                    if report.removed.len() > LISTED {
                        ui.label(format!("… and {} more", report.removed.len() - LISTED));
                    }
                });
        });
}
