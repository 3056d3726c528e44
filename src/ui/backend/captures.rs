//! HAR captures in the backend: read entry by entry in a blocking task (rows sent early, then every few hundred
//! entries, stoppable between entries), a dropped file sniffed for `{"log"`, and sanitised copies listed
//! first (into a sink) and then written through a temporary file renamed into place.

use super::Outbox;
use crate::core::har::findings::findings;
use crate::core::har::sanitize::sanitize;
use crate::core::har::{HarError, HarEvent, read_har};
use crate::services::storage;
use crate::ui::captures::values::read_entry;
use crate::ui::command::{CaptureEvent, CapturedEntry, Event, ReadOutcome, RequestId};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Entries in the first batch of rows, so the table fills before a big file is read.
const FIRST_ROWS: usize = 50;
/// Entries between two progress events.
const PROGRESS_EVERY: usize = 500;
/// What the reader is told when the user cancels.
const CANCELLED: &str = "cancelled";

/// Whether the file holds JSON starting with `{"log"` (whitespace and a byte-order mark allowed).
pub fn looks_like_har(path: &Path) -> bool {
    let mut head = [0u8; 256];
    let Ok(read) = File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    let text = String::from_utf8_lossy(&head[..read]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"log\""))
}

/// The cancel flag of the read under way, shared by the backend and its tasks.
pub type CancelSlot = Arc<Mutex<Arc<AtomicBool>>>;

/// Stops the read under way, if any.
pub fn cancel(slot: &CancelSlot) {
    if let Ok(flag) = slot.lock() {
        flag.store(true, Ordering::Relaxed);
    }
}

/// A capture read: its id, file, cancel flag and where its events go.
pub struct CaptureRead {
    /// The read's id.
    pub read: RequestId,
    /// The file.
    pub path: PathBuf,
    /// Set to stop between entries.
    pub cancel: Arc<AtomicBool>,
    /// Where the events go.
    pub out: Outbox,
}

impl CaptureRead {
    /// A new read of `path`: the one under way is cancelled, and this one gets its own flag.
    pub fn begin(slot: &CancelSlot, path: PathBuf, out: Outbox) -> Self {
        let cancel = Arc::new(AtomicBool::new(false));
        if let Ok(mut flag) = slot.lock() {
            flag.store(true, Ordering::Relaxed);
            *flag = cancel.clone();
        }
        Self {
            read: crate::ui::command::next_request_id(),
            path,
            cancel,
            out,
        }
    }
}

/// Rows and skipped entries waiting to be sent.
#[derive(Default)]
struct Batch {
    entries_read: usize,
    rows: Vec<CapturedEntry>,
    errors: Vec<crate::core::har::EntryError>,
    all: Vec<crate::core::har::Entry>,
}

impl Batch {
    fn take(&mut self, read: RequestId) -> Event {
        Event::Capture(CaptureEvent::Progress {
            read,
            entries_read: self.entries_read,
            rows: std::mem::take(&mut self.rows),
            errors: std::mem::take(&mut self.errors),
        })
    }
}

/// Reads the capture, sending its rows as they come; runs in a blocking task.
pub fn read_capture(job: &CaptureRead) {
    let (read, out) = (job.read, &job.out);
    out.send(Event::Capture(CaptureEvent::Started {
        read,
        path: job.path.clone(),
    }));
    let mut batch = Batch::default();
    let result = File::open(&job.path)
        .map_err(|e| HarError::Io(format!("{}: {e}", job.path.display())))
        .and_then(|file| {
            read_har(BufReader::new(file), |event| {
                if job.cancel.load(Ordering::Relaxed) {
                    return Err(CANCELLED.to_owned());
                }
                if let HarEvent::Entry(index, value) = event {
                    take_entry(&mut batch, index, value);
                    if batch.entries_read == FIRST_ROWS || batch.entries_read % PROGRESS_EVERY == 0 {
                        out.send(batch.take(read));
                    }
                }
                Ok(())
            })
        });
    out.send(batch.take(read));
    let outcome = match result {
        Ok(()) => ReadOutcome::Complete,
        Err(HarError::Stopped(message)) if message == CANCELLED => ReadOutcome::Cancelled,
        Err(e) => ReadOutcome::Failed(e.to_string()),
    };
    out.send(Event::Capture(CaptureEvent::Finished {
        read,
        entries_read: batch.entries_read,
        findings: findings(&batch.all),
        outcome,
    }));
}

fn take_entry(batch: &mut Batch, index: usize, value: serde_json::Value) {
    batch.entries_read += 1;
    match read_entry(index, value) {
        Ok(row) => {
            batch.all.push(row.entry.clone());
            batch.rows.push(row);
        }
        Err(e) => batch.errors.push(e),
    }
}

/// What sanitising `source` would remove, written nowhere.
pub fn preview_sanitize(source: PathBuf) -> Event {
    let result = File::open(&source)
        .map_err(|e| format!("{}: {e}", source.display()))
        .and_then(|file| sanitize(BufReader::new(file), std::io::sink()).map_err(|e| e.to_string()));
    Event::Capture(CaptureEvent::SanitizePreview { source, result })
}

/// Writes the sanitised copy of `source` to `target` (asked with a dialog when `None`).
pub fn write_sanitized(source: &Path, target: Option<PathBuf>) -> Event {
    let picked = target.or_else(|| {
        let name = source.file_stem().map(|s| s.to_string_lossy().into_owned());
        rfd::FileDialog::new()
            .set_title("Save a sanitised copy")
            .set_file_name(format!(
                "{}-sanitised.har",
                name.unwrap_or_else(|| "capture".to_owned())
            ))
            .add_filter("HAR", &["har"])
            .save_file()
    });
    let Some(target) = picked else {
        return Event::Capture(CaptureEvent::Sanitized(Ok(None)));
    };
    let written = File::open(source)
        .map_err(|e| anyhow::anyhow!("{}: {e}", source.display()))
        .and_then(|file| {
            storage::write_atomic_with(&target, |out| -> anyhow::Result<_> {
                Ok(sanitize(BufReader::new(file), BufWriter::new(out))?)
            })
        });
    Event::Capture(CaptureEvent::Sanitized(
        written
            .map(|_| Some(target.clone()))
            .map_err(|e| format!("nothing was written to {}: {e:#}", target.display())),
    ))
}
