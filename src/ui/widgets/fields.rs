//! Labelled inputs (every input has an accessible name), secret fields with show/hide, copy buttons, badges.

use egui::{Color32, RichText};

/// A single-line input with a visible label that is also its accessible name.
pub fn labelled_line(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str) -> egui::Response {
    ui.horizontal(|ui| {
        let (text, label) = (label, ui.label(label));
        // An id from the label, not the layout position: a message appearing above must not move focus
        // (and the user's typing) away from the field.
        ui.add(
            egui::TextEdit::singleline(value)
                .id_salt(text)
                .hint_text(hint)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id)
    })
    .inner
}

/// A masked single-line input with a show/hide toggle, marked "memory only" when the keyring is unavailable.
pub fn secret_line(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    shown: &mut bool,
    memory_only: bool,
) -> egui::Response {
    ui.horizontal(|ui| {
        let (text, label) = (label, ui.label(label));
        let toggle = if *shown { "Hide" } else { "Show" };
        let width = ui.available_width() - if memory_only { 150.0 } else { 60.0 };
        let response = ui
            .add(
                egui::TextEdit::singleline(value)
                    .id_salt(text)
                    .password(!*shown)
                    .desired_width(width),
            )
            .labelled_by(label.id);
        if memory_only {
            ui.label(RichText::new("memory only").color(crate::ui::theme::warning(ui.visuals().dark_mode)))
                .on_hover_text("The OS keyring is unavailable: this secret is lost when tokenbench closes");
        }
        if ui.button(toggle).on_hover_text("Show or hide the secret").clicked() {
            *shown = !*shown;
        }
        response
    })
    .inner
}

/// Drops a text field's undo history, so Ctrl+Z cannot bring back a secret that was saved and cleared.
pub fn forget_typing(ctx: &egui::Context, id: egui::Id) {
    if let Some(mut state) = egui::text_edit::TextEditState::load(ctx, id) {
        state.clear_undoer();
        state.store(ctx, id);
    }
}

/// A small "Copy" button that puts `text` on the clipboard.
pub fn copy_button(ui: &mut egui::Ui, what: &str, text: &str) {
    if ui
        .small_button(format!("Copy {what}"))
        .on_hover_text("Copy to the clipboard")
        .clicked()
    {
        ui.ctx().copy_text(text.to_owned());
    }
}

/// A coloured, strong label used for verdicts and severities.
pub fn badge(ui: &mut egui::Ui, text: &str, colour: Color32) -> egui::Response {
    ui.label(RichText::new(text).strong().color(colour))
}

/// An inline error message next to a field, announced by screen readers when it appears or changes.
pub fn inline_error(ui: &mut egui::Ui, message: &str) {
    let colour = crate::ui::theme::error(ui.visuals().dark_mode);
    super::a11y::announce(ui.label(RichText::new(message).color(colour)));
}

/// A warning that stays while its cause does (e.g. TLS verification turned off).
pub fn inline_warning(ui: &mut egui::Ui, message: &str) {
    let colour = crate::ui::theme::warning(ui.visuals().dark_mode);
    ui.label(RichText::new(message).color(colour));
}

/// Selectable monospace text that keeps its indentation (pretty JSON). Each line is its own label, its
/// leading spaces turned into a left margin: a long value then wraps under its own indentation instead of at
/// column 0, where it would read as a new key. A justified layout, as inside `ui.columns`, would strip
/// leading spaces anyway, so the indentation is never text.
pub fn code_block(ui: &mut egui::Ui, text: &str) -> egui::Response {
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let space_width = ui.fonts_mut(|fonts| fonts.glyph_width(&font, ' '));
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing = egui::Vec2::ZERO;
        for line in text.lines() {
            code_line(ui, line, space_width);
        }
    })
    .response
}

/// One line of a [`code_block`]: a margin as wide as its leading spaces, then the rest, wrapped in the width
/// left.
fn code_line(ui: &mut egui::Ui, line: &str, space_width: f32) -> egui::Response {
    let rest = line.trim_start_matches(' ');
    let spaces = line.len() - rest.len();
    ui.horizontal_top(|ui| {
        ui.add_space(space_width * spaces as f32);
        let galley = code_galley(ui, rest);
        ui.add(egui::Label::new(galley).selectable(true))
    })
    .inner
}

fn code_galley(ui: &egui::Ui, text: &str) -> std::sync::Arc<egui::Galley> {
    let mut job = egui::text::LayoutJob::simple(
        text.to_owned(),
        egui::TextStyle::Monospace.resolve(ui.style()),
        ui.visuals().text_color(),
        ui.available_width(),
    );
    job.halign = egui::Align::LEFT;
    job.justify = false;
    ui.fonts_mut(|fonts| fonts.layout_job(job))
}

#[cfg(test)]
mod tests {
    use super::code_line;

    #[test]
    fn a_long_value_wraps_under_its_own_indentation_inside_justified_columns() {
        let long_value = format!("  \"aud\": \"{}\",", "firebase-project-".repeat(20));
        let ctx = egui::Context::default();
        let mut rects = Vec::new();
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(400.0, 800.0))),
            ..Default::default()
        };
        let mut output = ctx.run_ui(input, |ui| {
            ui.columns(2, |columns| {
                let ui = &mut columns[0];
                ui.spacing_mut().item_spacing = egui::Vec2::ZERO;
                for line in ["{", "  \"sub\": \"auth0|42\",", &long_value, "}"] {
                    rects.push(code_line(ui, line, 7.0).rect);
                }
            });
        });
        output.textures_delta.clear();
        let [brace, key, value, _] = rects[..] else {
            panic!("four lines: {rects:?}");
        };
        assert!((key.left() - brace.left() - 14.0).abs() < 0.5, "{rects:?}");
        assert!(
            value.height() > 2.0 * key.height(),
            "the long value wraps onto several rows: {rects:?}"
        );
        // Every row of a left-aligned label starts at its left edge: the wrapped rows stay indented.
        assert!((value.left() - key.left()).abs() < 0.5, "{rects:?}");
        assert!(
            value.right() <= brace.left() + 200.0 + 0.5,
            "wrapped within the column: {rects:?}"
        );
    }
}
