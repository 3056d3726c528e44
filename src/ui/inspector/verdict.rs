//! The verdict: a one-line summary, the ordered checklist, and the findings.

use crate::core::jwt::CheckStatus;
use crate::core::jwt::analysis::Analysis;
use crate::core::jwt::findings::Severity;
use crate::core::jwt::verify::Outcome;
use crate::ui::{theme, widgets};
use egui::RichText;

/// The one-line verdict under the token.
pub fn summary_ui(ui: &mut egui::Ui, analysis: &Analysis) {
    let Some(verdict) = &analysis.verdict else { return };
    let dark = ui.visuals().dark_mode;
    let (text, colour) = match verdict.outcome() {
        Outcome::Failed(fail) => (format!("Invalid: {} — {}", fail.name, fail.detail), theme::error(dark)),
        Outcome::Valid => ("Signature valid: every check passed".to_owned(), theme::valid(dark)),
        Outcome::Unchecked => (
            "Decoded: signature not checked (give a key below)".to_owned(),
            theme::muted(dark),
        ),
    };
    widgets::a11y::announce(widgets::fields::badge(ui, &text, colour));
}

/// The checklist, in order.
pub fn checks_ui(ui: &mut egui::Ui, analysis: &Analysis) {
    let Some(verdict) = &analysis.verdict else { return };
    let dark = ui.visuals().dark_mode;
    ui.add_space(theme::SECTION_GAP);
    egui::Grid::new("checks")
        .num_columns(3)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            for check in &verdict.checks {
                let (mark, colour) = match check.status {
                    CheckStatus::Pass => ("PASS", theme::valid(dark)),
                    CheckStatus::Fail => ("FAIL", theme::error(dark)),
                    CheckStatus::Skip => ("skip", theme::muted(dark)),
                };
                ui.label(RichText::new(mark).color(colour));
                ui.monospace(check.name);
                ui.add(egui::Label::new(check.detail.as_ref()).wrap());
                ui.end_row();
            }
        });
}

/// Findings that need no key.
pub fn findings_ui(ui: &mut egui::Ui, analysis: &Analysis) {
    if analysis.findings.is_empty() {
        return;
    }
    let dark = ui.visuals().dark_mode;
    ui.add_space(theme::SECTION_GAP);
    ui.strong("Findings");
    for finding in &analysis.findings {
        let colour = match finding.severity {
            Severity::Error => theme::error(dark),
            Severity::Warning => theme::warning(dark),
            Severity::Info => theme::muted(dark),
        };
        ui.horizontal_wrapped(|ui| {
            widgets::fields::badge(ui, finding.code, colour);
            ui.label(&finding.message);
        });
    }
}
