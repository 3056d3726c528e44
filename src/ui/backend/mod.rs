//! The backend: owns the async runtime and runs every command off the UI thread. Each answer is sent as an
//! event first, then a repaint is requested, so the next frame sees it.

mod captures;
mod issuer;
mod keyed;
mod lane;
mod login;
mod secrets;

use lane::Lane;

pub use secrets::StoreSlot;

use super::command::NO_FILE_CHOSEN;

use super::command::{
    AppEvent, CaptureEvent, Event, FilesCommand, FilesEvent, HttpCommand, HttpEvent, HttpOwner, IssuerCommand, Owner,
    RequestId, SecretsCommand, SecretsEvent,
};
use crate::core::http::{HttpError, HttpRequest};
use crate::services::clock::Clock;
use crate::services::secrets::SecretStore;
use crate::services::{http, storage};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};
use tokio::task::AbortHandle;

/// How long closing the window waits for queued keyring writes and saves.
const EXIT_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Sends an event and wakes the UI.
#[derive(Clone)]
pub struct Outbox {
    sender: Sender<Event>,
    ctx: egui::Context,
}

impl Outbox {
    /// Sends the event, then requests a repaint.
    pub fn send(&self, event: Event) {
        // The receiver lives as long as the app; a failed send means the window is closing.
        let _ = self.sender.send(event);
        self.ctx.request_repaint();
    }
}

/// Runs commands in the background.
pub struct Backend {
    /// `None` only while dropping (see `Drop`).
    runtime: Option<tokio::runtime::Runtime>,
    keyring_lane: Lane,
    file_lane: Lane,
    outbox: Outbox,
    events: Receiver<Event>,
    running: HashMap<RequestId, AbortHandle>,
    /// The HTTP clients, built on first use (they load the root certificates).
    clients: Arc<http::Clients>,
    paths: BackendPaths,
    secrets: StoreSlot,
    issuer: issuer::IssuerSlot,
    clock: Arc<dyn Clock>,
    /// The cancel flag of the capture read under way (a new read cancels the previous one).
    capture_cancel: captures::CancelSlot,
}

/// Where the backend saves things; `None` keeps them in memory (tests).
#[derive(Debug, Clone, Default)]
pub struct BackendPaths {
    /// settings.json.
    pub settings: Option<PathBuf>,
    /// workspace.json.
    pub workspace: Option<PathBuf>,
    /// history.json.
    pub history: Option<PathBuf>,
}

impl Backend {
    /// Starts the runtime. `store`, when given, replaces the OS keyring (tests, and the keyring-unavailable case);
    /// `clock` drives the local issuer.
    pub fn new(
        ctx: egui::Context,
        paths: BackendPaths,
        store: Option<(Arc<dyn SecretStore>, Option<String>)>,
        clock: Arc<dyn Clock>,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("tokenbench-backend")
            .enable_all()
            .build()?;
        let (sender, events) = channel();
        Ok(Self {
            runtime: Some(runtime),
            keyring_lane: Lane::start("tokenbench-keyring")?,
            file_lane: Lane::start("tokenbench-files")?,
            outbox: Outbox { sender, ctx },
            events,
            running: HashMap::new(),
            clients: Arc::default(),
            paths,
            secrets: Arc::new(store.map(OnceLock::from).unwrap_or_default()),
            issuer: Arc::default(),
            clock,
            capture_cancel: Arc::default(),
        })
    }

    /// Events that arrived since the last call.
    pub fn drain(&mut self) -> Vec<Event> {
        let events: Vec<Event> = self.events.try_iter().collect();
        for event in &events {
            if let Event::Http(HttpEvent::Answered { id, .. } | HttpEvent::SignInFinished { id, .. }) = event {
                self.running.remove(id);
            }
        }
        events
    }

    /// Runs a file or dialog command; never blocks.
    pub fn run_files(&mut self, command: FilesCommand) {
        let out = self.outbox.clone();
        match command {
            FilesCommand::OpenTokenFile => {
                self.blocking(
                    move || match rfd::FileDialog::new().set_title("Open a token").pick_file() {
                        Some(path) => out.send(read_token_file(&path)),
                        None => out.send(Event::Files(FilesEvent::NoFileChosen)),
                    },
                )
            }
            FilesCommand::ReadTokenFile(path) => self.read_dropped_file(path),
            FilesCommand::OpenHar(path) => self.open_har(path),
            FilesCommand::CancelHar => captures::cancel(&self.capture_cancel),
            FilesCommand::PreviewSanitizeHar(source) => {
                self.blocking(move || out.send(captures::preview_sanitize(source)));
            }
            FilesCommand::SanitizeHar { source, target } => {
                self.blocking(move || out.send(captures::write_sanitized(&source, target)));
            }
            FilesCommand::ExportReport {
                markdown,
                file_name,
                path,
            } => self.blocking(move || out.send(save_report(&markdown, &file_name, path))),
            FilesCommand::SaveSettings(settings) => {
                let Some(path) = self.paths.settings.clone() else {
                    return;
                };
                self.file_lane
                    .run(move || save_json_or_report(&path, &settings, "Settings", &out));
            }
            FilesCommand::SaveWorkspace(workspace) => {
                let Some(path) = self.paths.workspace.clone() else {
                    return;
                };
                self.file_lane
                    .run(move || save_json_or_report(&path, &workspace, "Workspace", &out));
            }
            FilesCommand::SaveHistory(history) => {
                let Some(path) = self.paths.history.clone() else {
                    return;
                };
                self.file_lane
                    .run(move || save_json_or_report(&path, &history, "History", &out));
            }
            FilesCommand::SaveScreenshot { path, image } => self.blocking(move || {
                out.send(Event::App(AppEvent::ScreenshotSaved(
                    save_png(&path, &image).map(|()| path),
                )));
            }),
        }
    }

    /// Runs a keyring or workspace command on the keyring lane (dialogs beside it); never blocks.
    pub fn run_secrets(&mut self, command: SecretsCommand) {
        let (out, slot) = (self.outbox.clone(), self.secrets.clone());
        let lane = &self.keyring_lane;
        match command {
            SecretsCommand::List => lane.run(move || secrets::list(&slot, &out)),
            SecretsCommand::Store { owner, name, value } => {
                lane.run(move || secrets::save(&slot, &out, owner, name, value))
            }
            SecretsCommand::Replace { name, value } => lane.run(move || secrets::replace(&slot, &out, name, value)),
            SecretsCommand::Fetch { name, purpose } => lane.run(move || secrets::fetch(&slot, &out, name, purpose)),
            SecretsCommand::Copy(name) => lane.run(move || secrets::copy(&slot, &out, name)),
            SecretsCommand::CopyCurl {
                owner,
                request,
                client_secret,
            } => lane.run(move || secrets::copy_curl(&slot, &out, owner, request, &client_secret)),
            SecretsCommand::Delete(name) => lane.run(move || secrets::delete(&slot, &out, name)),
            SecretsCommand::KeepToken { name, value } => {
                lane.run(move || secrets::keep_token(&slot, &out, name, value))
            }
            SecretsCommand::DeleteKeptTokens(names) => {
                lane.run(move || secrets::delete_kept_tokens(&slot, &out, names))
            }
            SecretsCommand::Generate { owner, name, kind } => {
                lane.run(move || secrets::generate(&slot, &out, owner, name, kind))
            }
            SecretsCommand::ImportKeyFile(Some(path)) => lane.run(move || secrets::import_key(&slot, &out, &path)),
            SecretsCommand::ImportKeyFile(None) => {
                // The dialog waits for the user, so it runs beside the lane; the import then joins the queue.
                let lane = lane.clone();
                self.blocking(move || match secrets::pick_key_file() {
                    Some(path) => lane.run(move || secrets::import_key(&slot, &out, &path)),
                    None => out.send(Event::Secrets(SecretsEvent::Done {
                        owner: Owner::Secrets,
                        result: Err(NO_FILE_CHOSEN.to_owned()),
                    })),
                });
            }
            SecretsCommand::SignJwt { id, item, draft } => {
                lane.run(move || secrets::sign_jwt(&slot, &out, id, &item, &draft));
            }
            SecretsCommand::ExportWorkspace { workspace, path } => {
                self.blocking(move || secrets::export_workspace(&out, &workspace, path));
            }
            SecretsCommand::ImportWorkspace(path) => {
                // The dialog and the file read run beside the lane; the keyring comparison joins its queue.
                let lane = lane.clone();
                self.blocking(move || match secrets::read_workspace(path) {
                    Ok(Some((source, workspace))) => {
                        lane.run(move || secrets::finish_workspace_import(&slot, &out, source, workspace))
                    }
                    Ok(None) => out.send(Event::Secrets(SecretsEvent::WorkspaceImportReady(Ok(None)))),
                    Err(e) => out.send(Event::Secrets(SecretsEvent::WorkspaceImportReady(Err(e)))),
                });
            }
        }
    }

    /// Sends or cancels a request on the shared client; never blocks.
    pub fn run_http(&mut self, command: HttpCommand) {
        match command {
            HttpCommand::Send { id, owner, request } => self.send(id, owner, request),
            HttpCommand::SendWithKeyring {
                id,
                owner,
                request,
                items,
            } => self.send_with_keyring(keyed::KeyedSend {
                id,
                owner,
                request,
                items,
            }),
            HttpCommand::Cancel { id, owner } => {
                if let Some(handle) = self.running.remove(&id) {
                    handle.abort();
                    self.outbox.send(Event::Http(HttpEvent::Answered {
                        id,
                        owner,
                        result: Err(HttpError::Cancelled),
                        dpop_proof: None,
                    }));
                }
            }
            HttpCommand::SignIn { id, owner, login, wait } => {
                let out = self.outbox.clone();
                let Some(runtime) = &self.runtime else { return };
                let job = login::SignInJob {
                    id,
                    owner,
                    login: *login,
                    wait,
                };
                let task = runtime.spawn(login::sign_in(job, out));
                self.running.insert(id, task.abort_handle());
            }
            HttpCommand::CancelSignIn(id) => {
                // Aborting drops the sign-in, and with it the loopback listener.
                if let Some(handle) = self.running.remove(&id) {
                    handle.abort();
                }
            }
        }
    }

    /// Starts, stops or rotates the local issuer; never blocks.
    pub fn run_issuer(&mut self, command: IssuerCommand) {
        let (out, slot) = (self.outbox.clone(), self.issuer.clone());
        let Some(runtime) = &self.runtime else { return };
        match command {
            IssuerCommand::Start { port, tenant_file } => {
                let (store, clock) = (self.secrets.clone(), self.clock.clone());
                let task = issuer::start_issuer(slot, store, clock, (port, tenant_file.into()), out);
                drop(runtime.spawn(task));
            }
            IssuerCommand::ApplyTenant { port, text, previous } => {
                let (store, clock) = (self.secrets.clone(), self.clock.clone());
                let edit = issuer::TenantEdit {
                    port,
                    text,
                    // Saved beside the workspace, so it is served again at the next start.
                    file: self.paths.workspace.as_ref().map(|p| p.with_file_name("tenant.json")),
                    previous: previous.into(),
                };
                drop(runtime.spawn(issuer::apply_tenant(slot, store, clock, edit, out)));
            }
            IssuerCommand::Stop => drop(runtime.spawn(issuer::stop_issuer(slot, out))),
            IssuerCommand::RotateKey => self.blocking(move || issuer::change_keys(&slot, &out, true)),
            IssuerCommand::RevokePreviousKey => self.blocking(move || issuer::change_keys(&slot, &out, false)),
            IssuerCommand::SignIn { client_id, user_id } => {
                self.blocking(move || issuer::sign_in(&slot, &out, client_id, &user_id));
            }
            IssuerCommand::MintSubjectToken(kind) => {
                self.blocking(move || issuer::mint_subject_token(&slot, &out, kind));
            }
            IssuerCommand::ListBuckets => self.blocking(move || issuer::list_buckets(&slot, &out)),
            IssuerCommand::ResetBucket(key) => {
                self.blocking(move || issuer::reset_bucket(&slot, &out, key.as_ref()));
            }
            IssuerCommand::SetFaults(faults) => self.blocking(move || issuer::set_faults(&slot, *faults)),
            IssuerCommand::ListSessions => self.blocking(move || issuer::list_sessions(&slot, &out)),
            IssuerCommand::EndSession(handle) => {
                self.blocking(move || issuer::end_session(&slot, &out, &handle));
            }
        }
    }

    fn send_with_keyring(&mut self, job: keyed::KeyedSend) {
        let (out, clients) = (self.outbox.clone(), self.clients.clone());
        let (store, clock, id) = (self.secrets.clone(), self.clock.clone(), job.id);
        let Some(runtime) = &self.runtime else { return };
        let task = runtime.spawn(async move {
            match clients.for_request(&job.request) {
                Ok(client) => keyed::send(job, client, store, clock, &out).await,
                Err(e) => out.send(Event::Http(HttpEvent::Answered {
                    id: job.id,
                    owner: job.owner,
                    result: Err(e),
                    dpop_proof: None,
                })),
            }
        });
        self.running.insert(id, task.abort_handle());
    }

    fn send(&mut self, id: RequestId, owner: HttpOwner, request: HttpRequest) {
        let (out, clients) = (self.outbox.clone(), self.clients.clone());
        let Some(runtime) = &self.runtime else { return };
        let task = runtime.spawn(async move {
            let result = match clients.for_request(&request) {
                Ok(client) => http::send(client, &request).await,
                Err(e) => Err(e),
            };
            out.send(Event::Http(HttpEvent::Answered {
                id,
                owner,
                result,
                dpop_proof: None,
            }));
        });
        self.running.insert(id, task.abort_handle());
    }

    /// A dropped file: a capture when its JSON starts with `{"log"`, else a token.
    fn read_dropped_file(&self, path: PathBuf) {
        let (out, slot) = (self.outbox.clone(), self.capture_cancel.clone());
        self.blocking(move || {
            if captures::looks_like_har(&path) {
                captures::read_capture(&captures::CaptureRead::begin(&slot, path, out));
            } else {
                out.send(read_token_file(&path));
            }
        });
    }

    /// Reads a capture (`None`: asks with an open dialog first).
    fn open_har(&self, path: Option<PathBuf>) {
        let (out, slot) = (self.outbox.clone(), self.capture_cancel.clone());
        self.blocking(move || {
            let picked = path.or_else(|| {
                rfd::FileDialog::new()
                    .set_title("Open a HAR capture")
                    .add_filter("HAR", &["har", "json"])
                    .pick_file()
            });
            match picked {
                Some(path) => captures::read_capture(&captures::CaptureRead::begin(&slot, path, out)),
                None => out.send(Event::Capture(CaptureEvent::NoFileChosen)),
            }
        });
    }

    fn blocking(&self, job: impl FnOnce() + Send + 'static) {
        if let Some(runtime) = &self.runtime {
            drop(runtime.spawn_blocking(job));
        }
    }

    /// Saves settings synchronously; used once when the window closes.
    pub fn save_settings_now(&self, settings: &super::Settings) {
        let Some(path) = self.paths.settings.clone() else {
            return;
        };
        let settings = settings.clone();
        // Behind any save still queued, so the last settings win.
        self.file_lane.run(move || {
            if let Err(e) = storage::save_json(&path, &settings) {
                tracing::warn!("settings not saved: {e}");
            }
        });
        self.file_lane.flush(EXIT_WAIT);
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        // Queued keyring writes and saves finish first (briefly bounded); then an open file dialog or keyring
        // prompt must not keep the closing window alive.
        self.keyring_lane.flush(EXIT_WAIT);
        self.file_lane.flush(EXIT_WAIT);
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn read_token_file(path: &Path) -> Event {
    Event::Files(FilesEvent::TokenFileLoaded {
        path: path.to_path_buf(),
        result: storage::read_user_text(path, "a token file"),
    })
}

fn save_json_or_report(path: &Path, value: &impl serde::Serialize, what: &'static str, out: &Outbox) {
    if let Err(e) = storage::save_json(path, value) {
        out.send(Event::App(AppEvent::NotSaved {
            what,
            error: e.to_string(),
        }));
    }
}

fn save_report(markdown: &str, file_name: &str, path: Option<PathBuf>) -> Event {
    let picked = path.or_else(|| {
        rfd::FileDialog::new()
            .set_title("Export report")
            .set_file_name(file_name)
            .add_filter("Markdown", &["md"])
            .save_file()
    });
    let Some(path) = picked else {
        return Event::Files(FilesEvent::ReportSaved(Ok(None)));
    };
    Event::Files(FilesEvent::ReportSaved(
        storage::write_atomic(&path, markdown.as_bytes())
            .map(|()| Some(path))
            .map_err(|e| e.to_string()),
    ))
}

fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [width, height] = image.size;
    let pixels: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let buffer = image::RgbaImage::from_raw(width as u32, height as u32, pixels)
        .ok_or_else(|| "the screenshot has an unexpected size".to_owned())?;
    let mut png = std::io::Cursor::new(Vec::new());
    buffer
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| format!("could not encode the screenshot: {e}"))?;
    storage::write_atomic(path, png.get_ref()).map_err(|e| e.to_string())
}
