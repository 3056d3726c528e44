//! Comparing the current token with the pinned one.

use crate::core::jwt::DecodedJwt;
use crate::core::jwt::diff::{Change, describe_change, diff};
use crate::ui::theme;
use egui::RichText;

/// Draws the diff against `pinned`. Returns true when the user unpins.
pub fn diff_ui(ui: &mut egui::Ui, pinned: &DecodedJwt, current: &DecodedJwt) -> bool {
    ui.add_space(theme::SECTION_GAP);
    let mut unpin = false;
    ui.horizontal(|ui| {
        ui.strong("Diff with pinned token");
        unpin = ui.button("Unpin").clicked();
    });
    let d = diff(pinned, current);
    if d.is_empty() {
        ui.label("Identical header and claims");
        return unpin;
    }
    ui.label(RichText::new(d.summary()).strong());
    let dark = ui.visuals().dark_mode;
    egui::Grid::new("diff").striped(true).num_columns(3).show(ui, |ui| {
        let rows = d
            .header
            .iter()
            .map(|m| ("header", m))
            .chain(d.claims.iter().map(|m| ("claim", m)));
        for (part, member) in rows {
            let colour = match member.change {
                Change::Added(_) => theme::valid(dark),
                Change::Removed(_) => theme::error(dark),
                Change::Changed { .. } => theme::warning(dark),
            };
            ui.label(part);
            ui.monospace(&member.name);
            ui.label(RichText::new(describe_change(&member.change)).color(colour));
            ui.end_row();
        }
    });
    unpin
}
