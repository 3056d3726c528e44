//! The token shown in three coloured segments: header, payload, signature.

use crate::ui::theme;
use egui::text::LayoutJob;
use egui::{FontId, TextFormat};

/// Draws `token` wrapped, each segment in its colour; a broken segment count is drawn in one colour.
pub fn token_view_ui(ui: &mut egui::Ui, token: &str) {
    let dark = ui.visuals().dark_mode;
    let colours = [
        theme::header_colour(dark),
        theme::payload_colour(dark),
        theme::signature_colour(dark),
    ];
    let font = FontId::monospace(13.0);
    let mut job = LayoutJob::default();
    job.wrap.break_anywhere = true;
    job.wrap.max_width = ui.available_width();
    for (index, segment) in token.split('.').enumerate() {
        if index > 0 {
            job.append(".", 0.0, TextFormat::simple(font.clone(), ui.visuals().text_color()));
        }
        let colour = colours.get(index).copied().unwrap_or(theme::muted(dark));
        job.append(segment, 0.0, TextFormat::simple(font.clone(), colour));
    }
    ui.add(egui::Label::new(job).selectable(true))
        .on_hover_text("Header (red) · Payload (purple) · Signature (blue)");
}
