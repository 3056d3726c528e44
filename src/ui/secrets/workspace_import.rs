//! The confirmation before an imported workspace replaces the current one: what the file holds, which keyring
//! items it refers to already exist and which are missing, then "Import" or "Cancel". Nothing is replaced or
//! saved before "Import".

use crate::core::workspace::Workspace;
use crate::ui::command::{Command, FilesCommand, WorkspaceImport};

/// Shows the confirmation while an import is pending. Returns the message for the panel once the user has
/// answered; on "Import" the workspace is replaced and a save is queued.
pub fn confirm_ui(
    ui: &mut egui::Ui,
    pending: &mut Option<WorkspaceImport>,
    workspace: &mut Workspace,
    commands: &mut Vec<Command>,
) -> Option<Result<String, String>> {
    let import = pending.as_ref()?;
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("confirm_import")).show(ui.ctx(), |ui| {
        summary_ui(ui, import, workspace);
        ui.horizontal(|ui| {
            if ui.button("Import").clicked() {
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
    let import = pending.take_if(|_| answer.is_some())?;
    Some(if answer == Some(true) {
        Ok(replace(import, workspace, commands))
    } else {
        Ok("Import cancelled; the workspace is unchanged".to_owned())
    })
}

/// Replaces the workspace, queues its save, and says which referenced secrets are still missing.
fn replace(import: WorkspaceImport, workspace: &mut Workspace, commands: &mut Vec<Command>) -> String {
    *workspace = import.workspace;
    commands.push(Command::Files(FilesCommand::SaveWorkspace(workspace.clone())));
    let source = import.source.display();
    if import.missing.is_empty() {
        format!("Workspace imported from {source}; every referenced secret is in the keyring")
    } else {
        format!(
            "Workspace imported from {source}. These referenced secrets are not in the keyring; add them under \
             \"Add a secret\": {}",
            import.missing.join(", ")
        )
    }
}

/// What an import would do: the file, what it replaces, and which keyring items it refers to.
fn summary_ui(ui: &mut egui::Ui, import: &WorkspaceImport, current: &Workspace) {
    let new = &import.workspace;
    ui.label(format!(
        "Import {}? It replaces the current workspace ({} environments, {} forms) with {} environments and {} forms",
        import.source.display(),
        current.environments.len(),
        current.forms.len(),
        new.environments.len(),
        new.forms.len()
    ));
    let area = egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
        names_ui(
            ui,
            "These keyring items exist and will be used as they are:",
            &import.present,
        );
        names_ui(
            ui,
            "These keyring items do not exist yet; add them under \"Add a secret\" after importing:",
            &import.missing,
        );
        if import.present.is_empty() && import.missing.is_empty() {
            ui.label("It refers to no keyring items");
        }
        let unverified: Vec<String> = new
            .environments
            .iter()
            .filter(|e| !e.verify_tls)
            .map(|e| e.name.clone())
            .collect();
        if !unverified.is_empty() {
            ui.label(
                egui::RichText::new(
                    "These environments do not verify TLS certificates: anyone on the network path can read and \
                     change their requests. Import only if you expected that:",
                )
                .strong()
                .color(crate::ui::theme::warning(ui.visuals().dark_mode)),
            );
            for name in &unverified {
                ui.monospace(name);
            }
        }
    });
    crate::ui::widgets::a11y::name_scroll_bars(ui.ctx(), area.id, "the import summary");
}

fn names_ui(ui: &mut egui::Ui, title: &str, names: &[String]) {
    if names.is_empty() {
        return;
    }
    ui.strong(title);
    for name in names {
        ui.monospace(name);
    }
}
