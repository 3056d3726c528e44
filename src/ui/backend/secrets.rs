//! Backend jobs for the keyring and the workspace. They run on blocking threads: keyring calls can wait on
//! D-Bus or on an unlock prompt.

use super::Outbox;
use crate::core::encode::{Draft, sign_draft};
use crate::core::keyimport::parse_key_file;
use crate::core::secret::{KeyKind, SecretString};
use crate::core::workspace::Workspace;
use crate::services::secrets::{self as store_ops, SecretError, SecretStore, open_store};
use crate::services::{clipboard, keygen, storage};
use crate::ui::command::{Event, Owner, RequestId, SecretPurpose, SecretsEvent, WorkspaceImport};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The secret store, opened on first use (on a background thread), with the reason it is memory-only.
pub type StoreSlot = Arc<OnceLock<(Arc<dyn SecretStore>, Option<String>)>>;

/// The store, opening the OS keyring if this is the first use.
pub(super) fn store(slot: &StoreSlot) -> &(Arc<dyn SecretStore>, Option<String>) {
    slot.get_or_init(|| {
        let (store, problem) = open_store();
        (store, problem.map(|e| e.to_string()))
    })
}

/// Lists item names and reports whether they persist.
pub fn list(slot: &StoreSlot, out: &Outbox) {
    let (store, problem) = store(slot);
    out.send(Event::Secrets(SecretsEvent::Listed {
        names: store.list().map_err(|e| e.to_string()),
        persistent: store.is_persistent(),
        problem: problem.clone(),
    }));
}

/// Reads one value.
pub fn fetch(slot: &StoreSlot, out: &Outbox, name: String, purpose: SecretPurpose) {
    let result = store(slot).0.get(&name).map_err(|e| e.to_string());
    out.send(Event::Secrets(SecretsEvent::Fetched { name, purpose, result }));
}

/// Signs a draft with the key in a keyring item; only the token (or the error) leaves the backend.
pub fn sign_jwt(slot: &StoreSlot, out: &Outbox, id: RequestId, item: &str, draft: &Draft) {
    let result = store(slot)
        .0
        .get(item)
        .map_err(|e| format!("{item} could not be read: {e}"))
        .and_then(|key| sign_draft(draft, &key).map_err(|e| format!("not signed with {item}: {e}")));
    out.send(Event::Secrets(SecretsEvent::Signed { id, result }));
}

/// Copies one value to the clipboard without sending it to the UI; it is cleared after [`clipboard::CLEAR_AFTER`].
pub fn copy(slot: &StoreSlot, out: &Outbox, name: String) {
    let result = store(slot)
        .0
        .get(&name)
        .map_err(|e| e.to_string())
        .and_then(|value| clipboard::copy_secret(value, clipboard::CLEAR_AFTER))
        .map(|()| {
            format!(
                "Copied {name} to the clipboard; it is cleared in {} s unless you copy something else",
                clipboard::CLEAR_AFTER.as_secs()
            )
        });
    out.send(Event::Secrets(SecretsEvent::Done {
        owner: Owner::Secrets,
        result,
    }));
}

/// Copies a request as curl with its client secret read from `item`; like [`copy`], the text never reaches
/// the UI and is cleared from the clipboard later.
pub fn copy_curl(
    slot: &StoreSlot,
    out: &Outbox,
    owner: Owner,
    mut request: crate::core::http::HttpRequest,
    item: &str,
) {
    let result = store(slot)
        .0
        .get(item)
        .map_err(|e| format!("the client secret {item} could not be read ({e}); nothing was copied"))
        .and_then(|secret| crate::core::auth0::body::add_param(&mut request, "client_secret", secret.expose()))
        .map(|()| SecretString::new(crate::core::auth0::curl::command(&request, &[], true)))
        .and_then(|text| clipboard::copy_secret(text, clipboard::CLEAR_AFTER))
        .map(|()| {
            format!(
                "Copied the curl command with the client secret from {item}; it is cleared from the clipboard in \
                 {} s",
                clipboard::CLEAR_AFTER.as_secs()
            )
        });
    out.send(Event::Secrets(SecretsEvent::Done { owner, result }));
}

/// Runs a change, reports it to `owner`, then sends the new list.
fn change(slot: &StoreSlot, out: &Outbox, owner: Owner, job: impl FnOnce(&dyn SecretStore) -> Result<String, String>) {
    let result = { job(store(slot).0.as_ref()) };
    out.send(Event::Secrets(SecretsEvent::Done { owner, result }));
    list(slot, out);
}

/// Creates an item; refused when one with that name exists.
pub fn save(slot: &StoreSlot, out: &Outbox, owner: Owner, name: String, value: SecretString) {
    change(slot, out, owner, |s| {
        store_ops::create(s, &name, &value)
            .map(|()| format!("Saved {name}"))
            .map_err(|e| e.to_string())
    });
}

/// Replaces an item's value (the user asked for it with Replace… and confirmed).
pub fn replace(slot: &StoreSlot, out: &Outbox, name: String, value: SecretString) {
    change(slot, out, Owner::Secrets, |s| {
        s.set(&name, &value)
            .map(|()| format!("Replaced the value of {name}"))
            .map_err(|e| e.to_string())
    });
}

/// Deletes an item.
pub fn delete(slot: &StoreSlot, out: &Outbox, name: String) {
    change(slot, out, Owner::Secrets, |s| {
        s.delete(&name)
            .map(|()| format!("Deleted {name}"))
            .map_err(|e| e.to_string())
    });
}

/// Writes a request's token into its history entry's item (an item of that name left behind is replaced).
/// Bookkeeping: only a failure is reported.
pub fn keep_token(slot: &StoreSlot, out: &Outbox, name: String, value: SecretString) {
    let result = store(slot).0.set(&name, &value);
    if let Err(e) = result {
        out.send(Event::Secrets(SecretsEvent::Done {
            owner: Owner::Secrets,
            result: Err(format!("the request's token was not kept in {name}: {e}")),
        }));
    }
    list(slot, out);
}

/// Deletes the items of dropped history entries; one already gone counts as deleted. Only a failure is
/// reported.
pub fn delete_kept_tokens(slot: &StoreSlot, out: &Outbox, names: Vec<String>) {
    let store = store(slot).0.as_ref();
    for name in &names {
        match store.delete(name) {
            Ok(()) | Err(SecretError::NotFound(_)) => {}
            Err(e) => out.send(Event::Secrets(SecretsEvent::Done {
                owner: Owner::Secrets,
                result: Err(format!(
                    "the kept token {name} was not deleted: {e}; delete it in the Secrets tab"
                )),
            })),
        }
    }
    list(slot, out);
}

/// Generates a key into the keyring.
pub fn generate(slot: &StoreSlot, out: &Outbox, owner: Owner, name: String, kind: KeyKind) {
    change(slot, out, owner, |s| {
        // Checked before generating too: an RSA key takes a moment, and the answer would be the same.
        store_ops::ensure_absent(s, &name).map_err(|e| format!("nothing was generated: {e}"))?;
        let value = keygen::generate(kind).map_err(|e| e.to_string())?;
        store_ops::create(s, &name, &value).map_err(|e| format!("nothing was generated: {e}"))?;
        Ok(format!("Generated {} into {name}", kind.title()))
    });
}

/// Shows the open dialog for a key file.
pub fn pick_key_file() -> Option<PathBuf> {
    rfd::FileDialog::new().set_title("Import key").pick_file()
}

/// Imports a key file: every item is validated before any is stored, so nothing is half-imported.
pub fn import_key(slot: &StoreSlot, out: &Outbox, path: &Path) {
    change(slot, out, Owner::Secrets, |s| import_key_file(s, path));
}

fn import_key_file(store: &dyn SecretStore, path: &Path) -> Result<String, String> {
    let text = storage::read_user_text(path, "a key file (PEM or JSON)")?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "imported".to_owned());
    let items = parse_key_file(&stem, &text).map_err(|e| format!("{} {e}", path.display()))?;
    let mut names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(format!(
            "{} holds two keys named {}: give each key its own kid",
            path.display(),
            pair[0]
        ));
    }
    for item in &items {
        store_ops::ensure_absent(store, &item.name).map_err(|e| refused_import(path, &item.name, e))?;
    }
    let mut stored: Vec<String> = Vec::new();
    for item in &items {
        if let Err(e) = store_ops::create(store, &item.name, &item.value) {
            // Roll back what this import stored so far: all or nothing.
            for name in &stored {
                let _ = store.delete(name);
            }
            return Err(describe_store_error(&item.name, e));
        }
        stored.push(item.name.clone());
    }
    let described: Vec<String> = items
        .iter()
        .map(|i| format!("{} ({})", i.name, i.description))
        .collect();
    Ok(format!("Imported {}", described.join(", ")))
}

fn refused_import(path: &Path, name: &str, error: SecretError) -> String {
    match error {
        SecretError::Exists(_) => format!(
            "{} would replace the existing item {name}: delete or rename that item first; nothing was imported",
            path.display()
        ),
        other => format!("{}: {other}; nothing was imported", path.display()),
    }
}

fn describe_store_error(name: &str, error: SecretError) -> String {
    format!("{name} could not be stored, nothing was imported: {error}")
}

/// Exports the workspace to a chosen file.
pub fn export_workspace(out: &Outbox, workspace: &Workspace, path: Option<PathBuf>) {
    let path = path.or_else(|| {
        rfd::FileDialog::new()
            .set_title("Export workspace")
            .set_file_name("tokenbench-workspace.json")
            .add_filter("JSON", &["json"])
            .save_file()
    });
    let Some(path) = path else {
        out.send(Event::Secrets(SecretsEvent::WorkspaceExported(Ok(None))));
        return;
    };
    let result = storage::save_json(&path, workspace)
        .map(|()| Some(path))
        .map_err(|e| e.to_string());
    out.send(Event::Secrets(SecretsEvent::WorkspaceExported(result)));
}

/// Reads and validates a workspace file (asking with a dialog when no path is given). `Ok(None)`: no file was
/// chosen. A workspace with any invalid environment or reference is refused with every problem listed.
pub fn read_workspace(path: Option<PathBuf>) -> Result<Option<(PathBuf, Workspace)>, String> {
    let path = path.or_else(|| {
        rfd::FileDialog::new()
            .set_title("Import workspace")
            .add_filter("JSON", &["json"])
            .pick_file()
    });
    let Some(path) = path else { return Ok(None) };
    let workspace = storage::read_json_file::<Workspace>(&path, "a tokenbench workspace")?;
    let problems = workspace.validate();
    if !problems.is_empty() {
        return Err(format!(
            "{} was not imported; fix these in the file and import it again: {}",
            path.display(),
            problems.join("; ")
        ));
    }
    Ok(Some((path, workspace)))
}

/// Compares a read workspace with the keyring and hands it to the UI for confirmation (runs on the keyring
/// lane, so secrets queued before the import are counted). Nothing is replaced here.
pub fn finish_workspace_import(slot: &StoreSlot, out: &Outbox, source: PathBuf, workspace: Workspace) {
    let result = store(slot)
        .0
        .list()
        .map(|existing| WorkspaceImport {
            present: workspace.present_secrets(&existing),
            missing: workspace.missing_secrets(&existing),
            source,
            workspace,
        })
        .map(Some)
        .map_err(|e| format!("the workspace was not imported: its secrets could not be checked ({e})"));
    out.send(Event::Secrets(SecretsEvent::WorkspaceImportReady(result)));
}
