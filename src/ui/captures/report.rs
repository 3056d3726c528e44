//! Above the table: the findings across entries, each with a button per entry it names (which highlights and
//! scrolls to that entry), and the entries that could not be read, with their index.

use crate::core::har::EntryError;
use crate::core::har::findings::HarFinding;
use crate::ui::theme;
use egui::RichText;

/// Draws the findings; returns the entry whose button was clicked.
pub fn findings_ui(ui: &mut egui::Ui, findings: &[HarFinding]) -> Option<usize> {
    if findings.is_empty() {
        return None;
    }
    let mut picked = None;
    let dark = ui.visuals().dark_mode;
    egui::CollapsingHeader::new(format!("Findings ({})", findings.len()))
        .id_salt("capture_findings")
        .default_open(true)
        .show(ui, |ui| {
            for (number, finding) in findings.iter().enumerate() {
                ui.label(RichText::new(finding.kind.code()).strong().color(theme::warning(dark)));
                ui.label(finding.message.as_str());
                ui.horizontal_wrapped(|ui| {
                    for &entry in &finding.entries {
                        let button = ui
                            .small_button(format!("Entry {entry}"))
                            .on_hover_text("Highlight this entry in the table")
                            .accessible_name(format!(
                                "Show entry {entry} (finding {}, {})",
                                number + 1,
                                finding.kind.code()
                            ));
                        if button.clicked() {
                            picked = Some(entry);
                        }
                    }
                });
                ui.add_space(4.0);
            }
        });
    picked
}

/// Lists the entries that were skipped, with why.
pub fn errors_ui(ui: &mut egui::Ui, errors: &[EntryError]) {
    if errors.is_empty() {
        return;
    }
    let colour = theme::warning(ui.visuals().dark_mode);
    egui::CollapsingHeader::new(format!("Skipped entries ({})", errors.len()))
        .id_salt("capture_errors")
        .default_open(true)
        .show(ui, |ui| {
            for error in errors {
                ui.label(RichText::new(error.to_string()).color(colour));
            }
        });
}
