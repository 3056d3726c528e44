//! Commands (UI intent) and events (backend answers), nested by area. App commands are handled by the app
//! itself; every other command runs in the backend, off the UI thread. Every dispatch matches exhaustively,
//! so a new variant without a handler does not compile (`tests/layering.rs` forbids catch-all arms).

use super::settings::{Settings, Tab};
use crate::core::http::{HttpAnswer, HttpError, HttpRequest};
use crate::core::secret::{KeyKind, SecretString};
use crate::core::workspace::Workspace;
use std::path::PathBuf;

/// Says what to do when no file came back from a dialog.
pub const NO_FILE_CHOSEN: &str = "No file chosen. If no dialog appeared, this desktop has no file-chooser portal: \
                                  type the path in the field instead";

/// Identifies a cancellable background request; answers to an id nobody waits for are dropped.
pub type RequestId = u64;

/// A request id unique within this process, so answers can never be mistaken for another panel's.
pub fn next_request_id() -> RequestId {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Who asked for a keyring job, and for what; [`SecretsEvent::Done`] goes back there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The inspector's key form, saving its secret.
    Inspector,
    /// The Delegation form's "Copy as curl" with the client secret.
    DelegationCurl,
    /// The Token exchange form's "Copy as curl" with the client secret.
    ExchangeCurl,
    /// The Token exchange form's "Generate a DPoP key".
    ExchangeDpopKey,
    /// The Secrets tab, and the history's kept tokens (listed and deleted there).
    Secrets,
}

/// Something a panel or the app wants done.
#[derive(Debug)]
pub enum Command {
    /// Handled by the app within the frame: tabs, moving tokens between panels.
    App(AppCommand),
    /// Dialogs and files.
    Files(FilesCommand),
    /// The keyring and the workspace.
    Secrets(SecretsCommand),
    /// Network requests.
    Http(HttpCommand),
    /// The local issuer.
    Issuer(IssuerCommand),
}

/// Commands the app handles itself; they never reach the backend.
#[derive(Debug)]
pub enum AppCommand {
    /// Show a tab.
    SwitchTab(Tab),
    /// Load a token into the inspector and show it.
    OpenInInspector {
        /// The token text.
        token: String,
        /// Where it came from, so the inspector can show the chain.
        origin: TokenOrigin,
    },
    /// Pin `pinned` in the inspector and show `token` diffed against it.
    DiffInInspector {
        /// The token compared against (the request's input).
        pinned: String,
        /// The token shown.
        token: String,
    },
    /// Put a token in the Delegation form's id_token field and show the form.
    UseInDelegation(String),
    /// Put a sign-in's ID token in the Delegation form with the application it was issued to, and show the
    /// form (as "Sign in as" does).
    UseSignIn {
        /// The application signed in to.
        client_id: String,
        /// Its ID token.
        id_token: String,
    },
    /// Load a form from the history and show it; a token kept in the keyring is read back into it.
    LoadForm {
        /// The form, without its token.
        form: Box<crate::core::history::RequestForm>,
        /// The keyring item holding the token, when it was kept.
        token: Option<crate::core::secret::SecretRef>,
    },
    /// Drop every history entry and delete the tokens kept for them.
    ClearHistory,
    /// Show the History tab with this entry (by id) highlighted.
    ShowInHistory(u64),
    /// Show the Captures tab with this entry highlighted, when the capture shown is the file named.
    ShowInCaptures {
        /// The capture's file name ("capture.har").
        file: String,
        /// The entry, from 1.
        entry: usize,
    },
    /// Open the guided demo's step list.
    ShowDemo,
    /// Add an environment to the workspace (from a pasted curl command) and save it, unless it is invalid.
    AddEnvironment(crate::core::workspace::Environment),
}

/// Where a token shown in the inspector came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOrigin {
    /// Pasted or typed by the user.
    Pasted,
    /// Read from a file.
    File(PathBuf),
    /// Given on the command line.
    CommandLine,
    /// Signed in the inspector's Encode mode.
    Encoded,
    /// A member of a response body.
    Response {
        /// The member, e.g. `id_token`.
        field: String,
        /// The token the request carried, if any.
        input: Option<String>,
    },
    /// Seen in a HAR capture.
    Capture {
        /// The capture file.
        file: PathBuf,
        /// The entry, from 1.
        entry: usize,
        /// Where in the entry: "response body · id_token".
        place: String,
    },
}

impl TokenOrigin {
    /// One line for the inspector: where this token came from.
    pub fn describe(&self) -> String {
        match self {
            Self::Pasted => "Pasted".to_owned(),
            Self::File(path) => format!("Read from {}", path.display()),
            Self::CommandLine => "Given on the command line".to_owned(),
            Self::Encoded => "Encoded here".to_owned(),
            Self::Response {
                field,
                input: Some(input),
            } => format!(
                "The {field} of a response to a request that carried {}…",
                input.chars().take(24).collect::<String>()
            ),
            Self::Response { field, input: None } => format!("The {field} of a response"),
            Self::Capture { file, entry, place } => {
                let name = file.file_name().unwrap_or(file.as_os_str()).to_string_lossy();
                format!("entry {entry} · {place} of {name}")
            }
        }
    }
}

/// Dialogs and file work.
#[derive(Debug)]
pub enum FilesCommand {
    /// Show an open dialog and read the chosen file as a token.
    OpenTokenFile,
    /// Read a dropped file as a token, or as a capture when its JSON starts with `{"log"`.
    ReadTokenFile(PathBuf),
    /// Read a HAR capture (`None`: ask with an open dialog), answered by [`CaptureEvent`]s; a read under way
    /// is cancelled first.
    OpenHar(Option<PathBuf>),
    /// Stop the capture read under way (checked between entries).
    CancelHar,
    /// List what sanitising `source` would remove, without writing anything ([`CaptureEvent::SanitizePreview`]).
    PreviewSanitizeHar(PathBuf),
    /// Write a sanitised copy of `source` (`target: None` asks where with a save dialog), through a temporary
    /// file renamed into place ([`CaptureEvent::Sanitized`]).
    SanitizeHar {
        /// The capture.
        source: PathBuf,
        /// Where the copy goes.
        target: Option<PathBuf>,
    },
    /// Write the Markdown report.
    ExportReport {
        /// The report text (already without signature).
        markdown: String,
        /// Suggested file name.
        file_name: String,
        /// Where to write it; `None` asks with a save dialog.
        path: Option<PathBuf>,
    },
    /// Persist settings.
    SaveSettings(Settings),
    /// Save the workspace to the data directory.
    SaveWorkspace(Workspace),
    /// Save the request history to the data directory.
    SaveHistory(crate::core::history::History),
    /// Write a screenshot PNG, then report back.
    SaveScreenshot {
        /// Where.
        path: PathBuf,
        /// The pixels.
        image: std::sync::Arc<egui::ColorImage>,
    },
}

/// Why a secret value is being fetched from the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretPurpose {
    /// Show it in the Secrets panel after an explicit click.
    Reveal,
    /// Use it as the inspector's verification secret.
    Inspector,
    /// Put it back into a form loaded from the history (a kept token).
    HistoryToken,
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

/// Keyring items and workspace files.
#[derive(Debug)]
pub enum SecretsCommand {
    /// List tokenbench's keyring items (opens the keyring on first use).
    List,
    /// Create a keyring item; refused (with advice) when an item with that name exists.
    Store {
        /// Who asked.
        owner: Owner,
        /// Item name.
        name: String,
        /// The value.
        value: SecretString,
    },
    /// Replace an existing item's value: only from the Secrets panel's Replace… action, after confirmation.
    Replace {
        /// Item name.
        name: String,
        /// The new value.
        value: SecretString,
    },
    /// Copy an item's value to the clipboard; the value stays in the backend and is cleared from the
    /// clipboard after a while.
    Copy(String),
    /// Copy a request as a curl command with its client secret read from a keyring item into the body (the
    /// user asked to include secrets); the text stays in the backend and is cleared from the clipboard later.
    CopyCurl {
        /// The form it was copied from.
        owner: Owner,
        /// The request as sent by the UI, without the secret.
        request: HttpRequest,
        /// The item holding the client secret.
        client_secret: String,
    },
    /// Read a keyring item for a purpose.
    Fetch {
        /// Item name.
        name: String,
        /// What the value is for.
        purpose: SecretPurpose,
    },
    /// Delete a keyring item (the UI has asked for confirmation).
    Delete(String),
    /// Write a request's token into its history entry's item, replacing one left from an older history.
    KeepToken {
        /// Item name (`history/<id>/token`).
        name: String,
        /// The token.
        value: SecretString,
    },
    /// Delete the items of dropped history entries; items already gone are no error.
    DeleteKeptTokens(Vec<String>),
    /// Generate a key or HMAC secret straight into the keyring.
    Generate {
        /// Who asked.
        owner: Owner,
        /// Item name.
        name: String,
        /// What to generate.
        kind: KeyKind,
    },
    /// Import a key file into the keyring (`None`: ask with a dialog).
    ImportKeyFile(Option<PathBuf>),
    /// Export the workspace (`None`: ask where with a dialog).
    ExportWorkspace {
        /// What to export (secrets are references already).
        workspace: Workspace,
        /// Target file.
        path: Option<PathBuf>,
    },
    /// Import a workspace file (`None`: ask with a dialog).
    ImportWorkspace(Option<PathBuf>),
    /// Sign a checked header and payload with the private key or HMAC secret in a keyring item; the key is
    /// read and used in the backend and never reaches the UI. Answered by [`SecretsEvent::Signed`].
    SignJwt {
        /// Request id, for matching the answer (a newer request makes an older answer stale).
        id: RequestId,
        /// The keyring item holding the key.
        item: String,
        /// What to sign; its `alg` says how.
        draft: crate::core::encode::Draft,
    },
}

/// Which part of the window a request belongs to; its answer goes back there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpOwner {
    /// The inspector's key form (JWKS URL, discovery).
    InspectorKeys,
    /// The Delegation form.
    Delegation,
    /// The Delegation form's burst tool.
    DelegationBurst,
    /// The Token exchange form.
    Exchange,
}

impl HttpOwner {
    /// Who a "Copy as curl" of this part's requests answers to (the inspector's key form has none).
    pub fn curl_owner(self) -> Option<Owner> {
        match self {
            Self::InspectorKeys => None,
            Self::Delegation | Self::DelegationBurst => Some(Owner::DelegationCurl),
            Self::Exchange => Some(Owner::ExchangeCurl),
        }
    }
}

/// Which part of the window a browser sign-in belongs to; its answer goes back there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOwner {
    /// The Local issuer panel's "Open the login page".
    LocalIssuer,
    /// The Delegation form's "Sign in with browser".
    Delegation,
    /// The Token exchange form's "Sign in with browser".
    Exchange,
}

/// The keyring items a request is completed with in the backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyringItems {
    /// The item whose value is added to the body as `client_secret`.
    pub client_secret: Option<String>,
    /// The item holding the P-256 private key that signs a DPoP proof.
    pub dpop_key: Option<String>,
}

impl KeyringItems {
    /// Whether no item is used.
    pub fn is_empty(&self) -> bool {
        self.client_secret.is_none() && self.dpop_key.is_none()
    }
}

/// Network requests, all on one shared client.
#[derive(Debug)]
pub enum HttpCommand {
    /// Send a request; the answer arrives as [`HttpEvent::Answered`] with the same id.
    Send {
        /// Request id, for cancel and for matching the answer.
        id: RequestId,
        /// Who gets the answer.
        owner: HttpOwner,
        /// The request.
        request: HttpRequest,
    },
    /// Send a request that needs keyring items, read in the backend just before sending and never shown: a
    /// client secret added to the body, and/or a fresh DPoP proof (sent once more with the server's nonce
    /// when it answers `use_dpop_nonce`).
    SendWithKeyring {
        /// Request id.
        id: RequestId,
        /// Who gets the answer.
        owner: HttpOwner,
        /// The request, without the client secret and the `DPoP` header.
        request: HttpRequest,
        /// Which keyring items to use.
        items: KeyringItems,
    },
    /// Stop a running request; it is answered with [`HttpError::Cancelled`].
    Cancel {
        /// The request.
        id: RequestId,
        /// Who sent it.
        owner: HttpOwner,
    },
    /// Sign in through the system browser: the authorization code flow with PKCE on a loopback redirect (a
    /// free port). Reported by [`HttpEvent::SignInOpened`] once the browser was asked to open the authorize
    /// URL, then by [`HttpEvent::SignInFinished`].
    SignIn {
        /// Request id, for cancel and for matching the answer.
        id: RequestId,
        /// Who gets the answer.
        owner: SignInOwner,
        /// The checked request: tenant, application, audience, scope.
        login: Box<crate::core::auth0::login::Login>,
        /// How long to wait for the browser to come back.
        wait: std::time::Duration,
    },
    /// Stop a sign-in: the task is dropped, which frees its loopback port; no answer follows.
    CancelSignIn(RequestId),
}

/// Something the backend reports back.
#[derive(Debug)]
pub enum Event {
    /// About the window as a whole.
    App(AppEvent),
    /// Dialogs and files.
    Files(FilesEvent),
    /// The keyring and the workspace.
    Secrets(SecretsEvent),
    /// Network answers.
    Http(HttpEvent),
    /// The local issuer.
    Issuer(IssuerEvent),
    /// Tokens the local issuer minted for a form.
    Minted(MintedEvent),
    /// HAR captures being read or sanitised.
    Capture(CaptureEvent),
}

/// One entry of a capture as the Captures tab shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CapturedEntry {
    /// The entry made compact.
    pub entry: crate::core::har::Entry,
    /// The value of each of `entry.tokens` that is a JWT (to open it in the inspector), in the same order.
    pub values: Vec<Option<String>>,
}

/// How a capture read ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOutcome {
    /// Every entry was read (single entries may have been skipped).
    Complete,
    /// The user stopped it.
    Cancelled,
    /// The file is unreadable, not HAR, or truncated: why (the entries before were kept).
    Failed(String),
}

/// Answers about HAR captures. `read` is the read they belong to; answers of an older read are stale.
#[derive(Debug)]
pub enum CaptureEvent {
    /// The open dialog gave no file back.
    NoFileChosen,
    /// A read started.
    Started {
        /// The read.
        read: RequestId,
        /// The file.
        path: PathBuf,
    },
    /// Entries read so far, sent early and then every few hundred entries.
    Progress {
        /// The read.
        read: RequestId,
        /// Entries read so far, skipped ones included.
        entries_read: usize,
        /// New rows.
        rows: Vec<CapturedEntry>,
        /// New skipped entries.
        errors: Vec<crate::core::har::EntryError>,
    },
    /// The read ended.
    Finished {
        /// The read.
        read: RequestId,
        /// Entries read, skipped ones included.
        entries_read: usize,
        /// Problems across the rows read.
        findings: Vec<crate::core::har::findings::HarFinding>,
        /// How it ended.
        outcome: ReadOutcome,
    },
    /// What sanitising would remove, or why the file cannot be sanitised.
    SanitizePreview {
        /// The capture.
        source: PathBuf,
        /// The report or the error.
        result: Result<crate::core::har::sanitize::SanitizeReport, String>,
    },
    /// The sanitised copy was written (`Ok(None)`: no file chosen), or why not.
    Sanitized(Result<Option<PathBuf>, String>),
}

/// Tokens minted by the local issuer, for whoever asked.
#[derive(Debug)]
pub enum MintedEvent {
    /// A "Sign in as" finished: the ID token (it goes to the Delegation form), or why not.
    SignedIn {
        /// The application signed in to.
        client_id: String,
        /// The token or the error.
        result: Result<String, String>,
    },
    /// A subject token for the exchange form was minted, or why not.
    SubjectToken {
        /// What was asked for.
        kind: crate::core::protocol::SubjectTokenType,
        /// The token or the error.
        result: Result<String, String>,
    },
}

/// Events for the app itself.
#[derive(Debug)]
pub enum AppEvent {
    /// A file could not be saved.
    NotSaved {
        /// What was being saved: "Settings", "Workspace".
        what: &'static str,
        /// Why, and what to do.
        error: String,
    },
    /// The screenshot was written (or not).
    ScreenshotSaved(Result<PathBuf, String>),
}

/// Answers about token files and reports.
#[derive(Debug)]
pub enum FilesEvent {
    /// An open dialog gave no file back (cancelled, or no desktop portal).
    NoFileChosen,
    /// A token file was read (or not).
    TokenFileLoaded {
        /// The file.
        path: PathBuf,
        /// Its text, or why it could not be read (the message names the file).
        result: Result<String, String>,
    },
    /// The report was written to a path, the dialog was cancelled (`Ok(None)`), or writing failed.
    ReportSaved(Result<Option<PathBuf>, String>),
}

/// Answers about keyring items and workspaces.
#[derive(Debug)]
pub enum SecretsEvent {
    /// The keyring's item names, and whether secrets persist.
    Listed {
        /// Names, or why they could not be listed.
        names: Result<Vec<String>, String>,
        /// True for the OS keyring, false for the in-memory fallback.
        persistent: bool,
        /// Why the keyring is unavailable, when it is.
        problem: Option<String>,
    },
    /// A secret value was read (or not).
    Fetched {
        /// Item name.
        name: String,
        /// Why it was read.
        purpose: SecretPurpose,
        /// The value or the error.
        result: Result<SecretString, String>,
    },
    /// A copy to the clipboard or a change to the keyring finished: a message for the user, or the error.
    Done {
        /// Who asked.
        owner: Owner,
        /// The message or the error.
        result: Result<String, String>,
    },
    /// A workspace was exported (`Ok(None)`: no file chosen).
    WorkspaceExported(Result<Option<PathBuf>, String>),
    /// A workspace file was read, validated and compared with the keyring, and waits for the user's
    /// confirmation (`Ok(None)`: no file chosen; `Err`: unreadable or invalid, nothing changes).
    WorkspaceImportReady(Result<Option<WorkspaceImport>, String>),
    /// A [`SecretsCommand::SignJwt`] finished: the token, or why it could not be signed.
    Signed {
        /// The request.
        id: RequestId,
        /// The token or the error.
        result: Result<String, String>,
    },
}

/// Network answers.
#[derive(Debug)]
pub enum HttpEvent {
    /// A request finished: any status with its body, or why there is no answer.
    Answered {
        /// The request.
        id: RequestId,
        /// Who sent it.
        owner: HttpOwner,
        /// The answer.
        result: Result<HttpAnswer, HttpError>,
        /// The DPoP proof it was sent with (the last one, when it was sent again with a nonce); public: it
        /// carries no secret and is bound to one request.
        dpop_proof: Option<String>,
    },
    /// A sign-in listens for the browser: its authorize URL (public: the PKCE verifier is not in it), and
    /// whether a browser could be opened on it (if not, the user opens the URL; the sign-in keeps waiting).
    SignInOpened {
        /// The sign-in.
        id: RequestId,
        /// Who started it.
        owner: SignInOwner,
        /// The authorize URL.
        url: String,
        /// Why no browser opened, when none did.
        browser: Result<(), String>,
    },
    /// A sign-in ended: the code exchange's answer (any status, tokens in its body), or why there is none
    /// (refused at the tenant, no answer in time, no code).
    SignInFinished {
        /// The sign-in.
        id: RequestId,
        /// Who started it.
        owner: SignInOwner,
        /// The answer or the reason.
        result: Result<HttpAnswer, String>,
    },
}

/// Starting, stopping and rotating the local issuer.
#[derive(Debug)]
pub enum IssuerCommand {
    /// Start on this port on 127.0.0.1; when it is taken, on any free port.
    Start {
        /// The preferred port.
        port: u16,
        /// A tenant file (Auth0 Management API names); `None` serves the demo tenant.
        tenant_file: Option<PathBuf>,
    },
    /// Stop, letting requests in flight finish.
    Stop,
    /// Make the next signing key current; the previous one stays published until revoked.
    RotateKey,
    /// Stop publishing the previous signing key.
    RevokePreviousKey,
    /// Serve an edited tenant: save it next to the workspace (when the window keeps files), stop the running
    /// issuer and start it again on `port` with this tenant.
    ApplyTenant {
        /// The running issuer's port.
        port: u16,
        /// The tenant's JSON, already checked by the editor (the backend checks it again).
        text: String,
        /// The tenant file served now (`None`: the demo tenant), served again if the edited tenant cannot start.
        previous: Option<PathBuf>,
    },
    /// Mint a subject token the local issuer's exchange accepts (an Apple code, a Facebook token, a Google ID
    /// token) for the provider's demo user.
    MintSubjectToken(crate::core::protocol::SubjectTokenType),
    /// Mint the ID token a sign-in of a tenant user at a client would give.
    SignIn {
        /// The application.
        client_id: String,
        /// The user.
        user_id: String,
    },
    /// Report the live rate-limit buckets ([`IssuerEvent::Buckets`]).
    ListBuckets,
    /// Refill one bucket (or every bucket with `None`), then report the buckets.
    ResetBucket(Option<crate::core::issuer::buckets::BucketKey>),
    /// Replace the running issuer's injected faults; the next request sees them.
    SetFaults(Box<crate::core::tenant::Faults>),
    /// Report the live browser sessions ([`IssuerEvent::Sessions`]).
    ListSessions,
    /// Sign one browser session out, by its public handle (never its cookie), then report the sessions.
    EndSession(String),
}

/// What the local issuer reports.
#[derive(Debug)]
pub enum IssuerEvent {
    /// It listens.
    Started {
        /// `http://127.0.0.1:PORT`.
        base_url: String,
        /// Said when the preferred port was taken and another is used.
        fallback: Option<String>,
        /// Notes about secrets kept in memory only.
        notes: Vec<String>,
        /// The tenant it serves (secrets as references).
        tenant: Box<crate::core::tenant::Tenant>,
        /// The published key ids.
        kids: Vec<String>,
    },
    /// It could not start: why, and what to do.
    StartFailed(String),
    /// It stopped.
    Stopped,
    /// The published key ids after a rotation or revocation.
    KeysChanged(Vec<String>),
    /// A rotation or revocation failed; the issuer keeps serving its keys.
    KeysNotChanged(String),
    /// A request was answered (secrets redacted).
    Request(Box<crate::core::issuer::record::RequestRecord>),
    /// The live rate-limit buckets.
    Buckets(Vec<crate::core::issuer::buckets::LiveBucket>),
    /// The live browser sessions, newest first, each with its public handle (none while stopped).
    Sessions(Vec<(String, crate::core::issuer::session::Session)>),
    /// An edited tenant is served (and was saved to this file, when the window keeps files), or why not.
    TenantApplied(Result<Option<PathBuf>, String>),
}
