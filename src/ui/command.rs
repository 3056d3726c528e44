//! Commands (UI intent → backend) and events (backend → UI). Every effect the window needs goes through here.

use crate::core::secret::{KeyKind, SecretString};
use crate::core::workspace::Workspace;
use std::path::PathBuf;

/// Why a secret value is being fetched from the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretPurpose {
    /// Show it in the Secrets panel after an explicit click.
    Reveal,
    /// Use it as the inspector's verification secret.
    Inspector,
}

/// A workspace file that was read and validated, waiting for the user to confirm before it replaces the
/// current workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceImport {
    /// The file it was read from.
    pub source: PathBuf,
    /// What it holds.
    pub workspace: Workspace,
    /// Keyring items it refers to that already exist: the import uses them as they are.
    pub present: Vec<String>,
    /// Keyring items it refers to that do not exist yet.
    pub missing: Vec<String>,
}

/// Identifies a cancellable background request.
pub type RequestId = u64;

/// Something the UI asks the backend to do.
#[derive(Debug)]
pub enum Command {
    /// Fetch a JWKS from a URL.
    FetchJwks {
        /// Request id, for cancel and for matching the answer.
        id: RequestId,
        /// The JWKS URL.
        url: String,
    },
    /// Discover the JWKS from an issuer's OpenID configuration.
    DiscoverJwks {
        /// Request id.
        id: RequestId,
        /// The `iss` value.
        issuer: String,
    },
    /// Stop a running request; its answer is dropped.
    Cancel(RequestId),
    /// Show an open dialog and read the chosen file as a token.
    OpenTokenFile,
    /// Read a dropped file as a token.
    ReadTokenFile(PathBuf),
    /// Show a save dialog and write the Markdown report.
    ExportReport {
        /// The report text (already without signature).
        markdown: String,
        /// Suggested file name.
        file_name: String,
        /// Where to write it; `None` asks with a save dialog.
        path: Option<PathBuf>,
    },
    /// Persist settings.
    SaveSettings(super::Settings),
    /// List tokenbench's keyring items (opens the keyring on first use).
    ListSecrets,
    /// Create a keyring item; refused (with advice) when an item with that name exists.
    StoreSecret {
        /// Item name.
        name: String,
        /// The value.
        value: SecretString,
    },
    /// Replace an existing item's value: only from the Secrets panel's Replace… action, after confirmation.
    ReplaceSecret {
        /// Item name.
        name: String,
        /// The new value.
        value: SecretString,
    },
    /// Read a keyring item for a purpose.
    FetchSecret {
        /// Item name.
        name: String,
        /// What the value is for.
        purpose: SecretPurpose,
    },
    /// Copy a keyring item's value to the clipboard; the value stays in the backend and is cleared from the
    /// clipboard after a while.
    CopySecret(String),
    /// Delete a keyring item (the UI has asked for confirmation).
    DeleteSecret(String),
    /// Generate a key or HMAC secret straight into the keyring.
    GenerateKey {
        /// Item name.
        name: String,
        /// What to generate.
        kind: KeyKind,
    },
    /// Import a key file into the keyring (`None`: ask with a dialog).
    ImportKeyFile(Option<PathBuf>),
    /// Save the workspace to the data directory.
    SaveWorkspace(Workspace),
    /// Export the workspace (`None`: ask where with a dialog).
    ExportWorkspace {
        /// What to export (secrets are references already).
        workspace: Workspace,
        /// Target file.
        path: Option<PathBuf>,
    },
    /// Import a workspace file (`None`: ask with a dialog).
    ImportWorkspace(Option<PathBuf>),
    /// Write a screenshot PNG, then report back.
    SaveScreenshot {
        /// Where.
        path: PathBuf,
        /// The pixels.
        image: std::sync::Arc<egui::ColorImage>,
    },
}

/// Something the backend reports back.
#[derive(Debug)]
pub enum Event {
    /// Keys fetched (or not) for a request.
    KeysFetched {
        /// The request.
        id: RequestId,
        /// `(where the keys came from, JWKS text)` or an error message saying what to do.
        result: Result<(String, String), String>,
    },
    /// An open dialog gave no file back (cancelled, or no desktop portal).
    NoFileChosen,
    /// A token file was read (or not).
    TokenFileLoaded {
        /// The file.
        path: PathBuf,
        /// Its text, or why it could not be read.
        result: Result<String, String>,
    },
    /// The report was written to a path, the dialog was cancelled (`Ok(None)`), or writing failed.
    ReportSaved(Result<Option<PathBuf>, String>),
    /// Saving settings failed.
    SettingsNotSaved(String),
    /// The keyring's item names, and whether secrets persist (false: memory only, with the reason).
    SecretsListed {
        /// Names, or why they could not be listed.
        names: Result<Vec<String>, String>,
        /// True for the OS keyring, false for the in-memory fallback.
        persistent: bool,
        /// Why the keyring is unavailable, when it is.
        problem: Option<String>,
    },
    /// A secret value was read (or not).
    SecretFetched {
        /// Item name.
        name: String,
        /// Why it was read.
        purpose: SecretPurpose,
        /// The value or the error.
        result: Result<SecretString, String>,
    },
    /// A secret was copied to the clipboard (or not): a message for the user, or the error.
    SecretCopied(Result<String, String>),
    /// A change to the keyring finished: a message for the user, or the error.
    SecretsChanged(Result<String, String>),
    /// A workspace was exported (`Ok(None)`: no file chosen).
    WorkspaceExported(Result<Option<PathBuf>, String>),
    /// A workspace file was read, validated and compared with the keyring, and waits for the user's
    /// confirmation (`Ok(None)`: no file chosen; `Err`: unreadable or invalid, nothing changes).
    WorkspaceImportReady(Result<Option<WorkspaceImport>, String>),
    /// The screenshot was written (or not).
    ScreenshotSaved(Result<PathBuf, String>),
}
