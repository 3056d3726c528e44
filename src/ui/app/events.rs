//! Applying backend events to the app's state: fetched keys, loaded files, keyring results, workspaces.

use super::TokenbenchApp;
use crate::ui::Tab;
use crate::ui::command::{Event, SecretPurpose};
use std::path::PathBuf;

impl TokenbenchApp {
    pub(super) fn apply_events(&mut self, ctx: &egui::Context) {
        for event in self.backend.drain() {
            match event {
                Event::KeysFetched { id, result } => self.inspector.keys_fetched(id, result),
                Event::TokenFileLoaded { path, result } => match result {
                    Ok(text) => {
                        self.inspector.load(&text);
                        self.settings.tab = Tab::Inspector;
                    }
                    Err(e) => self.inspector.notice = Some(format!("{e} ({})", path.display())),
                },
                Event::ReportSaved(Ok(Some(path))) => {
                    self.inspector.notice = Some(format!("Report saved to {}", path.display()));
                    self.inspector.offer_report_path = false;
                }
                Event::NoFileChosen => {
                    self.inspector.notice = Some(
                        "No file chosen. If no dialog appeared, this desktop has no file-chooser portal: paste the \
                         token or drop the file on the window instead"
                            .to_owned(),
                    );
                }
                Event::ReportSaved(Ok(None)) => {
                    self.inspector.notice = Some(crate::ui::backend::NO_FILE_CHOSEN.to_owned());
                    self.inspector.offer_report_path = true;
                }
                Event::ReportSaved(Err(e)) => self.inspector.notice = Some(format!("Report not saved: {e}")),
                Event::SettingsNotSaved(e) => self.banner = Some(format!("Settings not saved: {e}")),
                Event::ScreenshotSaved(result) => {
                    self.screenshot_saved(ctx, result);
                }
                other => self.apply_secret_event(other),
            }
        }
    }

    fn screenshot_saved(&mut self, ctx: &egui::Context, result: Result<PathBuf, String>) {
        match result {
            Ok(path) => eprintln!("screenshot saved to {}", path.display()),
            Err(e) => eprintln!("screenshot failed: {e}"),
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    fn apply_secret_event(&mut self, event: Event) {
        match event {
            Event::SecretsListed {
                names,
                persistent,
                problem,
            } => {
                self.keyring_problem = if persistent {
                    None
                } else {
                    problem.or(Some(String::new()))
                };
                match names {
                    Ok(names) => {
                        self.inspector.keys.keyring_names = names.clone();
                        self.secrets.names = names;
                        self.secrets.list_error = None;
                    }
                    Err(e) => self.secrets.list_error = Some(e),
                }
            }
            Event::SecretFetched { name, purpose, result } => match (purpose, result) {
                (SecretPurpose::Reveal, Ok(value)) => self.secrets.reveal(name, value),
                (SecretPurpose::Inspector, Ok(value)) => {
                    self.inspector.keys.secret = zeroize::Zeroizing::new(value.expose().to_owned())
                }
                (SecretPurpose::Inspector, Err(e)) => self.inspector.keys.keyring_message = Some(Err(e)),
                (_, Err(e)) => self.secrets.message = Some(Err(e)),
            },
            Event::SecretCopied(result) => self.secrets.message = Some(result),
            Event::SecretsChanged(result) => {
                self.inspector.keys.keyring_message = Some(result.clone());
                self.secrets.message = Some(result);
            }
            Event::WorkspaceExported(result) => self.secrets.message = workspace_exported_message(result),
            Event::WorkspaceImportReady(Ok(Some(import))) => self.secrets.confirm_import(import),
            Event::WorkspaceImportReady(Ok(None)) => {
                self.secrets.message = Some(Err(crate::ui::backend::NO_FILE_CHOSEN.to_owned()))
            }
            Event::WorkspaceImportReady(Err(e)) => self.secrets.message = Some(Err(e)),
            _ => {}
        }
    }
}

fn workspace_exported_message(result: Result<Option<PathBuf>, String>) -> Option<Result<String, String>> {
    Some(match result {
        Ok(Some(path)) => Ok(format!(
            "Workspace exported to {} (secrets as keyring references only)",
            path.display()
        )),
        Ok(None) => Err(crate::ui::backend::NO_FILE_CHOSEN.to_owned()),
        Err(e) => Err(e),
    })
}
