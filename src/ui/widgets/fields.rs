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

/// An inline error message next to a field.
pub fn inline_error(ui: &mut egui::Ui, message: &str) {
    let colour = crate::ui::theme::error(ui.visuals().dark_mode);
    ui.label(RichText::new(message).color(colour));
}

/// A warning that stays while its cause does (e.g. TLS verification turned off).
pub fn inline_warning(ui: &mut egui::Ui, message: &str) {
    let colour = crate::ui::theme::warning(ui.visuals().dark_mode);
    ui.label(RichText::new(message).color(colour));
}

/// Selectable monospace text that keeps its indentation (pretty JSON). A justified layout, as inside
/// `ui.columns`, would strip the leading spaces of every row, so the text is laid out left-aligned here.
pub fn code_block(ui: &mut egui::Ui, text: &str) -> egui::Response {
    let galley = code_galley(ui, text);
    ui.add(egui::Label::new(galley).selectable(true))
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
    use super::code_galley;

    #[test]
    fn pretty_json_keeps_its_indentation_inside_justified_columns() {
        let text = "{\n  \"a\": {\n    \"b\": 1\n  }\n}";
        let ctx = egui::Context::default();
        let mut indents = Vec::new();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            ui.columns(2, |columns| {
                let galley = code_galley(&columns[0], text);
                // Where each row's first visible character is drawn.
                indents = galley
                    .rows
                    .iter()
                    .filter_map(|row| row.glyphs.iter().find(|g| !g.chr.is_whitespace()))
                    .map(|glyph| glyph.pos.x)
                    .collect();
            });
        });
        output.textures_delta.clear();
        assert_eq!(indents.len(), 5, "{indents:?}");
        assert!(indents[1] > indents[0], "the second row is indented: {indents:?}");
        assert!(
            indents[2] > indents[1],
            "the third row is indented further: {indents:?}"
        );
    }
}
