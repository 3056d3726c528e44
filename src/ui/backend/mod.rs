//! The backend: owns the async runtime and runs every command off the UI thread. Each answer is sent as an
//! event first, then a repaint is requested, so the next frame sees it.

mod lane;
mod secrets;

use lane::Lane;

pub use secrets::{NO_FILE_CHOSEN, StoreSlot};

use super::command::{Command, Event, RequestId};
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
    paths: BackendPaths,
    secrets: StoreSlot,
}

/// Where the backend saves things; `None` keeps them in memory (tests).
#[derive(Debug, Clone, Default)]
pub struct BackendPaths {
    /// settings.json.
    pub settings: Option<PathBuf>,
    /// workspace.json.
    pub workspace: Option<PathBuf>,
}

impl Backend {
    /// Starts the runtime. `store`, when given, replaces the OS keyring (tests, and the keyring-unavailable case).
    pub fn new(
        ctx: egui::Context,
        paths: BackendPaths,
        store: Option<(Arc<dyn SecretStore>, Option<String>)>,
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
            paths,
            secrets: Arc::new(store.map(OnceLock::from).unwrap_or_default()),
        })
    }

    /// Events that arrived since the last call.
    pub fn drain(&mut self) -> Vec<Event> {
        let events: Vec<Event> = self.events.try_iter().collect();
        for event in &events {
            if let Event::KeysFetched { id, .. } = event {
                self.running.remove(id);
            }
        }
        events
    }

    /// Starts a command; never blocks.
    pub fn run(&mut self, command: Command) {
        let out = self.outbox.clone();
        match command {
            Command::FetchJwks { id, url } => self.spawn_fetch(id, async move {
                let client = http::client()?;
                http::fetch_jwks(&client, &url).await.map(|jwks| (url, jwks))
            }),
            Command::DiscoverJwks { id, issuer } => self.spawn_fetch(id, async move {
                let client = http::client()?;
                http::discover_jwks(&client, &issuer).await
            }),
            Command::Cancel(id) => {
                if let Some(handle) = self.running.remove(&id) {
                    handle.abort();
                }
            }
            Command::OpenTokenFile => {
                self.blocking(
                    move || match rfd::FileDialog::new().set_title("Open a token").pick_file() {
                        Some(path) => out.send(read_token_file(&path)),
                        None => out.send(Event::NoFileChosen),
                    },
                )
            }
            Command::ReadTokenFile(path) => self.blocking(move || out.send(read_token_file(&path))),
            Command::ExportReport {
                markdown,
                file_name,
                path,
            } => self.blocking(move || out.send(save_report(&markdown, &file_name, path))),
            Command::SaveSettings(settings) => {
                let Some(path) = self.paths.settings.clone() else {
                    return;
                };
                self.file_lane.run(move || {
                    if let Err(e) = storage::save_json(&path, &settings) {
                        out.send(Event::SettingsNotSaved(e.to_string()));
                    }
                });
            }
            Command::SaveScreenshot { path, image } => self.blocking(move || {
                out.send(Event::ScreenshotSaved(save_png(&path, &image).map(|()| path)));
            }),
            other => self.run_secret_command(other),
        }
    }

    fn run_secret_command(&mut self, command: Command) {
        let (out, slot) = (self.outbox.clone(), self.secrets.clone());
        let lane = &self.keyring_lane;
        match command {
            Command::ListSecrets => lane.run(move || secrets::list(&slot, &out)),
            Command::StoreSecret { name, value } => lane.run(move || secrets::save(&slot, &out, name, value)),
            Command::ReplaceSecret { name, value } => lane.run(move || secrets::replace(&slot, &out, name, value)),
            Command::FetchSecret { name, purpose } => lane.run(move || secrets::fetch(&slot, &out, name, purpose)),
            Command::CopySecret(name) => lane.run(move || secrets::copy(&slot, &out, name)),
            Command::DeleteSecret(name) => lane.run(move || secrets::delete(&slot, &out, name)),
            Command::GenerateKey { name, kind } => lane.run(move || secrets::generate(&slot, &out, name, kind)),
            Command::ImportKeyFile(Some(path)) => lane.run(move || secrets::import_key(&slot, &out, &path)),
            Command::ImportKeyFile(None) => {
                // The dialog waits for the user, so it runs beside the lane; the import then joins the queue.
                let lane = lane.clone();
                self.blocking(move || match secrets::pick_key_file() {
                    Some(path) => lane.run(move || secrets::import_key(&slot, &out, &path)),
                    None => out.send(Event::SecretsChanged(Err(NO_FILE_CHOSEN.to_owned()))),
                });
            }
            Command::SaveWorkspace(workspace) => {
                let path = self.paths.workspace.clone();
                self.file_lane
                    .run(move || secrets::save_workspace(path.as_deref(), &workspace, &out));
            }
            Command::ExportWorkspace { workspace, path } => {
                self.blocking(move || secrets::export_workspace(&out, &workspace, path));
            }
            Command::ImportWorkspace(path) => {
                // The dialog and the file read run beside the lane; the keyring comparison joins its queue.
                let lane = lane.clone();
                self.blocking(move || match secrets::read_workspace(path) {
                    Ok(Some((source, workspace))) => {
                        lane.run(move || secrets::finish_workspace_import(&slot, &out, source, workspace))
                    }
                    Ok(None) => out.send(Event::WorkspaceImportReady(Ok(None))),
                    Err(e) => out.send(Event::WorkspaceImportReady(Err(e))),
                });
            }
            other => tracing::error!("command {other:?} reached the secrets dispatcher"),
        }
    }

    fn spawn_fetch(
        &mut self,
        id: RequestId,
        fetch: impl Future<Output = Result<(String, String), http::FetchError>> + Send + 'static,
    ) {
        let out = self.outbox.clone();
        let Some(runtime) = &self.runtime else { return };
        let task = runtime.spawn(async move {
            let result = fetch.await.map_err(|e| e.to_string());
            out.send(Event::KeysFetched { id, result });
        });
        self.running.insert(id, task.abort_handle());
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
    Event::TokenFileLoaded {
        path: path.to_path_buf(),
        result: storage::read_user_text(path, "a token file"),
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
        return Event::ReportSaved(Ok(None));
    };
    Event::ReportSaved(
        storage::write_atomic(&path, markdown.as_bytes())
            .map(|()| Some(path))
            .map_err(|e| e.to_string()),
    )
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
