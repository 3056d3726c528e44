//! The Secrets panel: tokenbench's keyring items (names, kinds, where used — never values unless revealed on a
//! click), add, replace, delete with confirmation, generate, import keys, environments and workspace files.

pub mod workspace_import;

use crate::core::secret::{KeyKind, SecretKind, SecretString, item_name, validate_item_name};
use crate::core::workspace::{Environment, FieldError, Workspace, parse_client_ids};
use crate::ui::command::{Command, FilesCommand, Owner, SecretPurpose, SecretsCommand, WorkspaceImport};
use crate::ui::panel::{Panel, PanelContext};
use crate::ui::theme;
use crate::ui::widgets::a11y::choice;
use crate::ui::widgets::fields::{forget_typing, inline_error, inline_warning, labelled_line, secret_line};
use egui::RichText;
use std::collections::BTreeMap;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// The environment form, exactly as typed.
struct EnvironmentForm {
    name: String,
    local_issuer: bool,
    base_url: String,
    client_id: String,
    client_ids: String,
    client_secret: Zeroizing<String>,
    show_secret: bool,
    verify_tls: bool,
    errors: Vec<FieldError>,
}

impl Default for EnvironmentForm {
    fn default() -> Self {
        Self {
            name: String::new(),
            local_issuer: false,
            base_url: String::new(),
            client_id: String::new(),
            client_ids: String::new(),
            client_secret: Zeroizing::default(),
            show_secret: false,
            verify_tls: true,
            errors: Vec::new(),
        }
    }
}

/// The Secrets panel's state. Revealed values are dropped (and wiped) when the panel is left. The items drawn
/// are the app's `keyring_names` ([`PanelContext`]), asked for again each time the panel is shown: the local
/// issuer writes its tenant's secrets after the listing made at start.
#[derive(Default)]
pub struct SecretsPanel {
    /// The frame the panel was last drawn in: a panel not drawn in the frame before was hidden until now.
    drawn_in_frame: Option<u64>,
    /// Why the last listing failed.
    pub list_error: Option<String>,
    /// The last result message (saved, deleted, imported…).
    pub message: Option<Result<String, String>>,
    revealed: Option<(String, SecretString)>,
    replacing: Option<(String, Zeroizing<String>)>,
    show_replacement: bool,
    confirm_replace: bool,
    confirm_delete: Option<String>,
    new_name: String,
    new_value: Zeroizing<String>,
    show_new: bool,
    generate_name: String,
    generate_kind: Option<KeyKind>,
    path: String,
    environment: EnvironmentForm,
    /// The other client IDs of an environment as typed, while its field has focus.
    client_ids_typed: BTreeMap<String, String>,
    pending_import: Option<WorkspaceImport>,
}

impl SecretsPanel {
    /// Shows a revealed value.
    pub fn reveal(&mut self, name: String, value: SecretString) {
        self.revealed = Some((name, value));
    }

    /// Refuses a name that already exists: replacing is a separate, deliberate action.
    fn not_taken(names: &[String], name: &str) -> Result<(), String> {
        if names.iter().any(|n| n == name) {
            Err(format!(
                "{name} already exists: use Replace… on it, or choose another name"
            ))
        } else {
            Ok(())
        }
    }

    /// Holds a read workspace until the user confirms or cancels its import.
    pub fn confirm_import(&mut self, import: WorkspaceImport) {
        self.message = None;
        self.pending_import = Some(import);
    }

    /// Hides any revealed value (the panel lost focus).
    pub fn hide(&mut self) {
        self.revealed = None;
    }

    /// Asks for the item list when the panel comes into view (first frame, or after another tab).
    fn list_when_shown(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let frame = ctx.cumulative_frame_nr();
        let shown_before = self.drawn_in_frame.is_some_and(|drawn| drawn + 1 >= frame);
        self.drawn_in_frame = Some(frame);
        if !shown_before {
            commands.push(Command::Secrets(SecretsCommand::List));
        }
    }
}

/// What comes back to the Secrets panel.
#[derive(Debug)]
pub enum SecretsPanelEvent {
    /// The keyring was listed (the names are the app's, in the panel context), or why it could not be.
    Listed(Result<(), String>),
    /// A value to reveal, read after an explicit click, or why it could not be read.
    Revealed {
        /// The item.
        name: String,
        /// Its value or the error.
        result: Result<SecretString, String>,
    },
    /// A copy or a change finished: a message for the user, or the error.
    Done(Result<String, String>),
    /// A workspace was exported (`Ok(None)`: no file chosen).
    WorkspaceExported(Result<Option<PathBuf>, String>),
    /// A workspace file was read and waits for confirmation (`Ok(None)`: no file chosen).
    WorkspaceImportReady(Result<Option<WorkspaceImport>, String>),
}

impl Panel for SecretsPanel {
    type Event = SecretsPanelEvent;

    /// A read workspace waits for the user's confirmation.
    fn apply(&mut self, event: SecretsPanelEvent, _cx: &mut PanelContext<'_>, _commands: &mut Vec<Command>) {
        match event {
            SecretsPanelEvent::Listed(Ok(())) => self.list_error = None,
            SecretsPanelEvent::Listed(Err(e)) => self.list_error = Some(e),
            SecretsPanelEvent::Revealed {
                name,
                result: Ok(value),
            } => self.reveal(name, value),
            SecretsPanelEvent::Revealed { result: Err(e), .. } => self.message = Some(Err(e)),
            SecretsPanelEvent::Done(result) => self.message = Some(result),
            SecretsPanelEvent::WorkspaceExported(result) => self.message = Some(workspace_exported_message(result)),
            SecretsPanelEvent::WorkspaceImportReady(Ok(Some(import))) => self.confirm_import(import),
            SecretsPanelEvent::WorkspaceImportReady(Ok(None)) => {
                self.message = Some(Err(crate::ui::command::NO_FILE_CHOSEN.to_owned()));
            }
            SecretsPanelEvent::WorkspaceImportReady(Err(e)) => self.message = Some(Err(e)),
        }
    }

    /// Draws the panel.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        self.list_when_shown(ui.ctx(), commands);
        let (workspace, memory_only, names) = (&mut *cx.workspace, cx.memory_only, cx.keyring_names);
        ui.heading("Secrets");
        ui.label(if memory_only {
            "Secrets are kept in memory only until tokenbench closes (the OS keyring is unavailable)"
        } else {
            "Each secret is its own item in the OS keyring (service \"tokenbench\"); none is written to disk"
        });
        // Messages and the item list change when the keyring answers; in their own id scopes, the widgets
        // below keep their ids, so a click or focus in flight is not lost when an answer arrives.
        ui.push_id("message", |ui| self.message_ui(ui));
        ui.add_space(theme::SECTION_GAP);
        ui.push_id("items", |ui| {
            self.items_ui(ui, (names, &*workspace), memory_only, commands)
        });
        ui.add_space(theme::SECTION_GAP);
        egui::CollapsingHeader::new("Add a secret")
            .default_open(true)
            .show(ui, |ui| self.add_ui(ui, names, memory_only, commands));
        egui::CollapsingHeader::new("Generate a key").show(ui, |ui| self.generate_ui(ui, names, commands));
        egui::CollapsingHeader::new("Environments")
            .default_open(true)
            .show(ui, |ui| {
                self.environments_ui(ui, (names, workspace), memory_only, commands);
            });
        egui::CollapsingHeader::new("Files")
            .default_open(true)
            .show(ui, |ui| self.files_ui(ui, workspace, commands));
        self.delete_modal_ui(ui, commands);
        self.replace_modal_ui(ui, commands);
        if let Some(message) = workspace_import::confirm_ui(ui, &mut self.pending_import, workspace, commands) {
            self.message = Some(message);
        }
    }
}

impl SecretsPanel {
    fn message_ui(&self, ui: &mut egui::Ui) {
        let dark = ui.visuals().dark_mode;
        match &self.message {
            Some(Ok(text)) => ui.label(RichText::new(text).color(theme::valid(dark))),
            Some(Err(text)) => ui.label(RichText::new(text).color(theme::error(dark))),
            None => return,
        };
    }

    /// One block per item: its name, kind and uses, then its buttons on a line that wraps in a narrow window.
    fn items_ui(
        &mut self,
        ui: &mut egui::Ui,
        (names, workspace): (&[String], &Workspace),
        memory_only: bool,
        commands: &mut Vec<Command>,
    ) {
        ui.horizontal(|ui| {
            ui.strong(format!("Items ({})", names.len()));
            if ui.button("Refresh").clicked() {
                commands.push(Command::Secrets(SecretsCommand::List));
            }
        });
        if let Some(e) = &self.list_error {
            inline_error(ui, e);
        }
        if names.is_empty() {
            ui.label(RichText::new("No secrets yet").color(theme::muted(ui.visuals().dark_mode)));
            return;
        }
        for name in names {
            ui.separator();
            ui.horizontal_wrapped(|ui| {
                ui.monospace(RichText::new(name).strong());
                ui.label(SecretKind::of(name).title());
                let uses = workspace.uses_of(name);
                ui.label(if uses.is_empty() {
                    "not used".to_owned()
                } else {
                    format!("used by {}", uses.join(", "))
                });
            });
            ui.horizontal_wrapped(|ui| self.item_actions_ui(ui, name, commands));
        }
        self.revealed_ui(ui);
        self.replace_ui(ui, memory_only);
    }

    fn item_actions_ui(&mut self, ui: &mut egui::Ui, name: &str, commands: &mut Vec<Command>) {
        let shown = self.revealed.as_ref().is_some_and(|(n, _)| n == name);
        if shown {
            if ui.button(format!("Hide {name}")).clicked() {
                self.revealed = None;
            }
        } else if ui.button(format!("Reveal {name}")).clicked() {
            commands.push(Command::Secrets(SecretsCommand::Fetch {
                name: name.to_owned(),
                purpose: SecretPurpose::Reveal,
            }));
        }
        if ui
            .button(format!("Copy {name}"))
            .on_hover_text("Copy the value to the clipboard; it is cleared after 30 s")
            .clicked()
        {
            commands.push(Command::Secrets(SecretsCommand::Copy(name.to_owned())));
        }
        if ui.button(format!("Replace {name}…")).clicked() {
            self.replacing = Some((name.to_owned(), Zeroizing::default()));
        }
        if ui.button(format!("Delete {name}…")).clicked() {
            self.confirm_delete = Some(name.to_owned());
        }
    }

    fn revealed_ui(&mut self, ui: &mut egui::Ui) {
        let Some((name, value)) = &self.revealed else { return };
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{name}:"));
            ui.add(egui::Label::new(RichText::new(value.expose()).monospace()).selectable(true));
        });
    }

    fn replace_ui(&mut self, ui: &mut egui::Ui, memory_only: bool) {
        let Some((name, value)) = &mut self.replacing else {
            return;
        };
        ui.label(format!("New value for {name}"));
        let field = secret_line(ui, "New value", value, &mut self.show_replacement, memory_only);
        let mut close = false;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!value.is_empty(), egui::Button::new("Save new value…"))
                .clicked()
            {
                forget_typing(ui.ctx(), field.id);
                self.confirm_replace = true;
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
        if close {
            forget_typing(ui.ctx(), field.id);
            self.replacing = None;
            self.confirm_replace = false;
        }
    }

    /// Asks before a value is replaced: the old one cannot be recovered.
    fn replace_modal_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some((name, _)) = self.replacing.as_ref().filter(|_| self.confirm_replace) else {
            return;
        };
        let name = name.clone();
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("confirm_replace")).show(ui.ctx(), |ui| {
            ui.label(format!(
                "Replace the value of {name}? The old value cannot be recovered"
            ));
            ui.horizontal(|ui| {
                if ui.button("Replace").clicked() {
                    answer = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(false);
                }
            });
        });
        if modal.should_close() && answer.is_none() {
            answer = Some(false);
        }
        match answer {
            Some(true) => {
                if let Some((name, value)) = self.replacing.take() {
                    let value = SecretString::new(value.as_str());
                    commands.push(Command::Secrets(SecretsCommand::Replace { name, value }));
                }
                self.confirm_replace = false;
            }
            Some(false) => self.confirm_replace = false,
            None => {}
        }
    }

    fn delete_modal_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some(name) = self.confirm_delete.clone() else {
            return;
        };
        let modal = egui::Modal::new(egui::Id::unique("confirm_delete")).show(ui.ctx(), |ui| {
            ui.label(format!("Delete {name} from the keyring? This cannot be undone"));
            ui.horizontal(|ui| {
                if ui.button("Delete").clicked() {
                    commands.push(Command::Secrets(SecretsCommand::Delete(name.clone())));
                    self.confirm_delete = None;
                    if self.revealed.as_ref().is_some_and(|(n, _)| *n == name) {
                        self.revealed = None;
                    }
                }
                if ui.button("Cancel").clicked() {
                    self.confirm_delete = None;
                }
            });
        });
        if modal.should_close() {
            self.confirm_delete = None;
        }
    }

    fn add_ui(&mut self, ui: &mut egui::Ui, names: &[String], memory_only: bool, commands: &mut Vec<Command>) {
        labelled_line(ui, "Name", &mut self.new_name, "client_secret/dev/CLIENT_ID");
        let field = secret_line(ui, "Value", &mut self.new_value, &mut self.show_new, memory_only);
        let name_check = validate_item_name(&self.new_name).and_then(|()| Self::not_taken(names, &self.new_name));
        if let (Err(e), false) = (&name_check, self.new_name.is_empty()) {
            inline_error(ui, e);
        }
        let ready = name_check.is_ok() && !self.new_value.is_empty();
        if ui.add_enabled(ready, egui::Button::new("Save to keyring")).clicked() {
            let value = SecretString::new(std::mem::take(&mut *self.new_value));
            forget_typing(ui.ctx(), field.id);
            commands.push(Command::Secrets(SecretsCommand::Store {
                owner: Owner::Secrets,
                name: std::mem::take(&mut self.new_name),
                value,
            }));
        }
    }

    fn generate_ui(&mut self, ui: &mut egui::Ui, names: &[String], commands: &mut Vec<Command>) {
        let kind = *self.generate_kind.get_or_insert(KeyKind::Rsa2048);
        ui.horizontal(|ui| {
            let combo = egui::ComboBox::from_id_salt("generate_kind");
            choice(ui, combo, "Kind", kind.title(), |ui| {
                for option in KeyKind::ALL {
                    ui.selectable_value(&mut self.generate_kind, Some(option), option.title());
                }
            });
        });
        labelled_line(ui, "Key name", &mut self.generate_name, "local");
        let name = item_name(kind.prefix(), &[self.generate_name.trim()]);
        let taken = Self::not_taken(names, &name);
        if let Err(e) = &taken {
            inline_error(ui, e);
        }
        let ready = !self.generate_name.trim().is_empty() && taken.is_ok();
        if ui
            .add_enabled(ready, egui::Button::new(format!("Generate {name}")))
            .clicked()
        {
            commands.push(Command::Secrets(SecretsCommand::Generate {
                owner: Owner::Secrets,
                name,
                kind,
            }));
            self.generate_name.clear();
        }
    }

    fn environments_ui(
        &mut self,
        ui: &mut egui::Ui,
        (names, workspace): (&[String], &mut Workspace),
        memory_only: bool,
        commands: &mut Vec<Command>,
    ) {
        if existing_environments_ui(ui, &mut workspace.environments, &mut self.client_ids_typed) {
            commands.push(Command::Files(FilesCommand::SaveWorkspace(workspace.clone())));
        }
        let form = &mut self.environment;
        labelled_line(ui, "Environment name", &mut form.name, "dev");
        ui.checkbox(&mut form.local_issuer, "Use the local issuer");
        if !form.local_issuer {
            labelled_line(ui, "Tenant URL", &mut form.base_url, "https://TENANT.auth0.com");
            tls_switch_ui(
                ui,
                &mut form.verify_tls,
                "Verify TLS certificates",
                "the new environment",
            );
        }
        labelled_line(ui, "Client ID", &mut form.client_id, "default client for requests");
        labelled_line(ui, "Other client IDs", &mut form.client_ids, CLIENT_IDS_HINT);
        let secret_field = secret_line(
            ui,
            "Client secret",
            &mut form.client_secret,
            &mut form.show_secret,
            memory_only,
        );
        for error in &form.errors {
            inline_error(ui, &format!("{}: {}", error.field, error.message));
        }
        if ui.button("Add environment").clicked() {
            self.add_environment(names, workspace, commands);
            if self.environment.errors.is_empty() {
                forget_typing(ui.ctx(), secret_field.id);
            }
        }
    }

    fn add_environment(&mut self, names: &[String], workspace: &mut Workspace, commands: &mut Vec<Command>) {
        let form = &self.environment;
        let secret_name = item_name("client_secret", &[form.name.trim(), form.client_id.trim()]);
        let has_secret = !form.client_secret.is_empty();
        let env = Environment {
            name: form.name.trim().to_owned(),
            base_url: (!form.local_issuer).then(|| form.base_url.trim().to_owned()),
            client_id: form.client_id.trim().to_owned(),
            client_ids: parse_client_ids(&form.client_ids),
            client_secret: has_secret.then(|| crate::core::secret::SecretRef::new(&secret_name)),
            verify_tls: form.verify_tls || form.local_issuer,
        };
        let mut errors = env.validate(&workspace.environments);
        if let (true, Err(message)) = (has_secret, Self::not_taken(names, &secret_name)) {
            errors.push(FieldError {
                field: "client_secret",
                message,
            });
        }
        self.environment.errors = errors;
        if !self.environment.errors.is_empty() {
            return;
        }
        if has_secret {
            let value = SecretString::new(std::mem::take(&mut *self.environment.client_secret));
            commands.push(Command::Secrets(SecretsCommand::Store {
                owner: Owner::Secrets,
                name: secret_name,
                value,
            }));
        }
        workspace.environments.push(env);
        commands.push(Command::Files(FilesCommand::SaveWorkspace(workspace.clone())));
        self.environment = EnvironmentForm::default();
    }

    fn files_ui(&mut self, ui: &mut egui::Ui, workspace: &Workspace, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Import key…")
                .on_hover_text("PEM private key, JWK/JWKS or Firebase service account")
                .clicked()
            {
                commands.push(Command::Secrets(SecretsCommand::ImportKeyFile(None)));
            }
            if ui.button("Export workspace…").clicked() {
                commands.push(Command::Secrets(SecretsCommand::ExportWorkspace {
                    workspace: workspace.clone(),
                    path: None,
                }));
            }
            if ui.button("Import workspace…").clicked() {
                commands.push(Command::Secrets(SecretsCommand::ImportWorkspace(None)));
            }
        });
        labelled_line(ui, "Or a file path", &mut self.path, "/home/me/key.pem");
        let path = PathBuf::from(self.path.trim());
        let ready = !self.path.trim().is_empty();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(ready, egui::Button::new("Import key from path"))
                .clicked()
            {
                commands.push(Command::Secrets(SecretsCommand::ImportKeyFile(Some(path.clone()))));
            }
            if ui
                .add_enabled(ready, egui::Button::new("Export workspace to path"))
                .clicked()
            {
                commands.push(Command::Secrets(SecretsCommand::ExportWorkspace {
                    workspace: workspace.clone(),
                    path: Some(path.clone()),
                }));
            }
            if ui
                .add_enabled(ready, egui::Button::new("Import workspace from path"))
                .clicked()
            {
                commands.push(Command::Secrets(SecretsCommand::ImportWorkspace(Some(path.clone()))));
            }
        });
    }
}

/// What the forms' Client ID picker is fed from.
const CLIENT_IDS_HINT: &str = "more clients to pick in the forms, separated by commas or spaces";

/// One line per environment, with its other clients and its TLS switch (tenants only: the local issuer is
/// plain loopback http). Returns true when the user changed one.
fn existing_environments_ui(
    ui: &mut egui::Ui,
    environments: &mut [Environment],
    typed: &mut BTreeMap<String, String>,
) -> bool {
    let mut changed = false;
    for env in environments {
        let target = env.base_url.as_deref().unwrap_or("local issuer");
        let secret = env
            .client_secret
            .as_ref()
            .map_or("no secret".to_owned(), |r| format!("secret {}", r.keyring));
        ui.label(format!("{}: {target}, client {}, {secret}", env.name, env.client_id));
        changed |= client_ids_ui(ui, env, typed);
        if env.base_url.is_some() {
            let label = format!("Verify TLS certificates of {}", env.name);
            changed |= tls_switch_ui(ui, &mut env.verify_tls, &label, &env.name);
        }
        if let Some(warning) = env.tls_warning() {
            inline_warning(ui, &warning);
        }
    }
    changed
}

/// An environment's other client IDs, kept as typed while the field has focus; returns true on a change.
fn client_ids_ui(ui: &mut egui::Ui, env: &mut Environment, typed: &mut BTreeMap<String, String>) -> bool {
    let label = format!("Other client IDs of {}", env.name);
    let mut text = typed
        .get(&env.name)
        .cloned()
        .unwrap_or_else(|| env.client_ids.join(", "));
    let field = labelled_line(ui, &label, &mut text, CLIENT_IDS_HINT);
    if field.changed() {
        env.client_ids = parse_client_ids(&text);
    }
    if field.has_focus() {
        typed.insert(env.name.clone(), text);
    } else {
        typed.remove(&env.name);
    }
    field.changed()
}

/// The switch that turns certificate checks off for one environment; returns true when it was flipped.
fn tls_switch_ui(ui: &mut egui::Ui, verify_tls: &mut bool, label: &str, whose: &str) -> bool {
    ui.checkbox(verify_tls, label)
        .on_hover_text(format!(
            "Off only for a test tenant behind a self-signed certificate: requests to {whose} then accept any \
             certificate"
        ))
        .changed()
}

fn workspace_exported_message(result: Result<Option<PathBuf>, String>) -> Result<String, String> {
    match result {
        Ok(Some(path)) => Ok(format!(
            "Workspace exported to {} (secrets as keyring references only)",
            path.display()
        )),
        Ok(None) => Err(crate::ui::command::NO_FILE_CHOSEN.to_owned()),
        Err(e) => Err(e),
    }
}
