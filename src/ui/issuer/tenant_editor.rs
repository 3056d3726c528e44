//! Editing the local issuer's tenant in place: its JSON (Management API names; every secret a keyring, env or
//! generate reference, so no secret value is ever shown) checked as it is typed, with every error listed, and
//! applied by restarting the issuer with it. The backend saves it next to the workspace so it is served again
//! at the next start.

use crate::core::tenant::{Tenant, parse};
use crate::ui::command::{Command, IssuerCommand};
use crate::ui::theme;
use crate::ui::widgets::fields::inline_error;

/// Largest tenant text the editor takes (the same cap as a tenant file).
const MAX_TENANT_TEXT: usize = 1 << 20;

/// The editor's state while open.
#[derive(Debug, Default)]
pub struct TenantEditor {
    /// The JSON as typed.
    pub text: String,
    /// The text the verdict below is for (checked again only when the text changes).
    checked_text: String,
    /// Unknown keys (warnings), or every error.
    verdict: Option<Result<Vec<String>, Vec<String>>>,
    /// Sent to be applied; Apply waits for the answer.
    pub applying: bool,
}

/// What the user asked of the editor this frame.
#[derive(Debug, PartialEq, Eq)]
pub enum EditorAction {
    /// Nothing.
    None,
    /// Close it without applying.
    Cancel,
    /// The tenant was sent to be applied.
    Applied,
}

impl TenantEditor {
    /// An editor holding `tenant` as pretty JSON.
    pub fn of(tenant: &Tenant) -> Self {
        Self {
            text: serde_json::to_string_pretty(tenant).unwrap_or_default(),
            ..Self::default()
        }
    }

    /// Whether the text is a tenant the issuer can serve. Unknown keys block it too: they would be saved without
    /// doing anything (a misspelled secret field could even keep a value in the file).
    pub fn is_valid(&mut self) -> bool {
        self.check();
        matches!(&self.verdict, Some(Ok(unknown)) if unknown.is_empty())
    }

    fn check(&mut self) {
        if self.verdict.is_some() && self.checked_text == self.text {
            return;
        }
        self.checked_text.clone_from(&self.text);
        self.verdict = Some(match parse(&self.text) {
            Ok(loaded) => Ok(loaded.warnings),
            Err(errors) => Err(errors.0),
        });
    }

    /// Draws the editor; Apply sends the tenant to be served on `port` instead of `previous` (a tenant file, or
    /// the demo tenant).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        (port, previous): (u16, Option<std::path::PathBuf>),
        commands: &mut Vec<Command>,
    ) -> EditorAction {
        let label = ui.label("Tenant JSON");
        // A tenant runs to hundreds of lines: the editor scrolls inside the panel instead of growing with it.
        let area = egui::ScrollArea::vertical()
            .id_salt("tenant_json_scroll")
            .max_height(420.0)
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut self.text)
                        .id_salt("tenant_json")
                        .code_editor()
                        .char_limit(MAX_TENANT_TEXT)
                        .desired_rows(18)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            });
        crate::ui::widgets::a11y::name_scroll_bars(ui.ctx(), area.id, "the tenant JSON");
        let valid = self.is_valid();
        self.verdict_ui(ui);
        let mut action = EditorAction::None;
        ui.horizontal(|ui| {
            if self.applying {
                ui.spinner();
            }
            let apply = ui
                .add_enabled(
                    valid && !self.applying,
                    egui::Button::new("Apply and restart the issuer"),
                )
                .on_hover_text("Serve this tenant now and from the next start on; requests in flight finish first");
            if apply.clicked() {
                commands.push(Command::Issuer(IssuerCommand::ApplyTenant {
                    port,
                    text: self.text.clone(),
                    previous: previous.clone(),
                }));
                self.applying = true;
                action = EditorAction::Applied;
            }
            if ui.add_enabled(!self.applying, egui::Button::new("Cancel")).clicked() {
                action = EditorAction::Cancel;
            }
        });
        action
    }

    fn verdict_ui(&self, ui: &mut egui::Ui) {
        let dark = ui.visuals().dark_mode;
        match &self.verdict {
            Some(Ok(unknown)) if unknown.is_empty() => {
                ui.label(egui::RichText::new("The tenant is valid").color(theme::valid(dark)));
            }
            Some(Ok(unknown)) => {
                inline_error(
                    ui,
                    "Remove or correct the keys tokenbench does not know before applying:",
                );
                for warning in unknown {
                    ui.label(egui::RichText::new(warning).color(theme::warning(dark)));
                }
            }
            Some(Err(errors)) => {
                for error in errors {
                    inline_error(ui, error);
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_tenant_round_trips_and_a_broken_one_lists_its_errors() {
        let demo = parse(crate::core::tenant::DEMO_TENANT).unwrap().tenant;
        let mut editor = TenantEditor::of(&demo);
        assert!(editor.is_valid(), "{:?}", editor.verdict);
        assert_eq!(parse(&editor.text).unwrap().tenant, demo);
        editor.text.push('}');
        assert!(!editor.is_valid());
        assert!(matches!(&editor.verdict, Some(Err(errors)) if !errors.is_empty()));
        let misspelled = serde_json::to_string(&demo)
            .unwrap()
            .replacen("{", "{\"client_secert\":\"s3cret\",", 1);
        editor.text = misspelled;
        assert!(!editor.is_valid(), "an unknown key blocks Apply: {:?}", editor.verdict);
    }
}
