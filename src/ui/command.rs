//! Commands (UI intent → backend) and events (backend → UI). Every effect the window needs goes through here.

use std::path::PathBuf;

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
    },
    /// Persist settings.
    SaveSettings(super::Settings),
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
    /// The screenshot was written (or not).
    ScreenshotSaved(Result<PathBuf, String>),
}
