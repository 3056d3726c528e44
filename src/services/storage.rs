//! Files: where tokenbench keeps its settings, atomic writes, and recovery from corrupt or newer files.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The format version written into every file tokenbench saves.
pub const FORMAT_VERSION: u64 = 1;

/// The largest file the user can point tokenbench at (a workspace, a key, a token): all are small text, so a
/// wrong pick (a video, a disk image, `/dev/zero`) is refused before it fills memory.
pub const MAX_USER_FILE_BYTES: u64 = 1024 * 1024;

/// Why a file could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No home or config directory could be determined.
    #[error("no configuration directory could be found: set XDG_CONFIG_HOME or HOME")]
    NoDirectory,
    /// An I/O failure, with the path.
    #[error("could not write {path}: {source}; check that its folder is writable and the disk has room")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// Serialisation failure (should not happen for plain data).
    #[error("could not encode {path}: {reason}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// The failure.
        reason: String,
    },
}

/// The platform directories tokenbench uses (XDG on Linux).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    /// Settings.
    pub config: PathBuf,
    /// Workspaces and history.
    pub data: PathBuf,
}

impl Dirs {
    /// The platform's directories for tokenbench.
    pub fn platform() -> Result<Self, StorageError> {
        let dirs =
            directories::ProjectDirs::from("dev", "tokenbench", "tokenbench").ok_or(StorageError::NoDirectory)?;
        Ok(Self {
            config: dirs.config_dir().to_path_buf(),
            data: dirs.data_dir().to_path_buf(),
        })
    }

    /// The settings file.
    pub fn settings_file(&self) -> PathBuf {
        self.config.join("settings.json")
    }

    /// The request history file.
    pub fn history_file(&self) -> PathBuf {
        self.data.join("history.json")
    }

    /// The workspace file (environments, saved forms, local tenant).
    pub fn workspace_file(&self) -> PathBuf {
        self.data.join("workspace.json")
    }
}

/// A loaded value and, when the file had to be set aside, a message for the user.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The value read, or the default.
    pub value: T,
    /// Set when a corrupt or newer-format file was moved aside.
    pub recovered: Option<String>,
}

/// Loads a JSON file written by [`save_json`]. A missing file gives the default; a corrupt or newer-format file
/// is renamed to `<name>.corrupt-<timestamp>` (never deleted) and the default is used.
pub fn load_json<T: DeserializeOwned + Default>(path: &Path, now: i64) -> Loaded<T> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Loaded {
                value: T::default(),
                recovered: None,
            };
        }
        // Unreadable (permissions, not UTF-8): set aside like a corrupt file, so a later save cannot overwrite it.
        Err(e) => return set_aside(path, now, format!("it could not be read ({e})")),
    };
    let problem = match serde_json::from_str::<serde_json::Value>(&text) {
        Err(e) => format!("it is not valid JSON ({e})"),
        Ok(v) if v.get("version").and_then(|v| v.as_u64()).unwrap_or(0) > FORMAT_VERSION => {
            "it was written by a newer tokenbench".to_owned()
        }
        Ok(v) => match serde_json::from_value::<T>(v) {
            Ok(value) => return Loaded { value, recovered: None },
            Err(e) => format!("it could not be read ({e})"),
        },
    };
    set_aside(path, now, problem)
}

/// Renames an unusable file to `<name>.corrupt-<now>` (never deletes it) and returns defaults with a message.
fn set_aside<T: Default>(path: &Path, now: i64, problem: String) -> Loaded<T> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = path.with_file_name(format!("{name}.corrupt-{now}"));
    let moved = std::fs::rename(path, &aside).is_ok();
    tracing::warn!(path = %path.display(), %problem, "set aside an unreadable file");
    let message = if moved {
        format!(
            "{} was set aside as {} because {problem}; defaults are in use",
            path.display(),
            aside.display()
        )
    } else {
        format!(
            "{} could not be read because {problem}, nor renamed; defaults are in use: fix the file's permissions",
            path.display()
        )
    };
    Loaded {
        value: T::default(),
        recovered: Some(message),
    }
}

/// Reads a file the user chose, at most [`MAX_USER_FILE_BYTES`]. `what` names what the file should be ("a
/// token file"), for the error.
pub fn read_user_file(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    // `take` bounds the read even for pipes and devices, whose size metadata says nothing.
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_USER_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_USER_FILE_BYTES {
        return Err(format!(
            "{} is larger than 1 MiB: {what} is small text; pick the right file",
            path.display()
        ));
    }
    Ok(bytes)
}

/// Reads a text file the user chose, capped like [`read_user_file`]; binary content is refused.
pub fn read_user_text(path: &Path, what: &str) -> Result<String, String> {
    let bytes = read_user_file(path, what)?;
    String::from_utf8(bytes).map_err(|_| {
        format!(
            "{} is not a text file: {what} is text; pick the right file",
            path.display()
        )
    })
}

/// Reads a JSON file the user chose (an imported workspace); errors name the file and what was expected.
pub fn read_json_file<T: DeserializeOwned>(path: &Path, expected: &str) -> Result<T, String> {
    let text = read_user_text(path, expected)?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not valid JSON ({e}): expected {expected}", path.display()))?;
    if value.get("version").and_then(|v| v.as_u64()).unwrap_or(0) > FORMAT_VERSION {
        return Err(format!(
            "{} was written by a newer tokenbench: update tokenbench to import it",
            path.display()
        ));
    }
    serde_json::from_value(value).map_err(|e| format!("{} is not {expected} ({e})", path.display()))
}

/// Saves a value as pretty JSON, atomically.
pub fn save_json<T: Serialize>(path: &Path, value: &T) -> Result<(), StorageError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| StorageError::Encode {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// Writes a file so that a crash leaves either the old or the new content, never a mix: the bytes go to a
/// temporary file in the same directory, are flushed to disk, and the temporary file is renamed over the target;
/// then the folder is flushed so the rename itself survives a crash. On unix the file is readable by its owner
/// only (0600), and folders created for it are 0700: settings and workspaces name tenants and keyring items.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    write_atomic_with(path, |file| {
        file.write_all(bytes).map_err(|source| StorageError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// [`write_atomic`] for content written piece by piece (a sanitised capture of 100 MiB is never held whole):
/// `write` fills the temporary file; when it fails, the temporary file is removed and the target left as it was.
pub fn write_atomic_with<T, E: From<StorageError>>(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<T, E>,
) -> Result<T, E> {
    let io = |source| StorageError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(io)?;
    let temp = temp_path(path);
    // `create_new`: never write into a file someone else is writing.
    let mut file = private_file_options().open(&temp).map_err(io)?;
    let written = write(&mut file);
    let finished = match written {
        Ok(value) => file
            .sync_all()
            .and_then(|()| std::fs::rename(&temp, path))
            .map(|()| value)
            .map_err(|e| E::from(io(e))),
        Err(e) => Err(e),
    };
    if finished.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    let value = finished?;
    sync_dir(dir).map_err(io)?;
    Ok(value)
}

/// Creates a folder and its missing parents, owner-only on unix (existing folders are left as they are).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options for a new file that only its owner can read or write (unix); fails if the file exists.
fn private_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Flushes a folder's entries (the rename) to disk; only unix can open a folder for this.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// A fresh temporary sibling for [`write_atomic`]: unique per process and per write, so two writes of one
/// file never share a temporary file.
pub fn temp_path(path: &Path) -> PathBuf {
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let serial = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}-{serial}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Sample {
        version: u64,
        name: String,
    }

    #[test]
    fn saved_value_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/s.json");
        let value = Sample {
            version: 1,
            name: "x".into(),
        };
        save_json(&path, &value).unwrap();
        assert_eq!(load_json::<Sample>(&path, 0).value, value);
    }

    #[test]
    fn corrupt_file_is_set_aside_not_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, "{not json").unwrap();
        let loaded = load_json::<Sample>(&path, 42);
        assert_eq!(loaded.value, Sample::default());
        assert!(loaded.recovered.unwrap().contains("s.json.corrupt-42"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("s.json.corrupt-42")).unwrap(),
            "{not json"
        );
    }

    #[test]
    fn a_file_that_is_not_utf8_is_set_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        let loaded = load_json::<Sample>(&path, 9);
        assert!(loaded.recovered.unwrap().contains("set aside"));
        assert_eq!(
            std::fs::read(dir.path().join("s.json.corrupt-9")).unwrap(),
            [0xff, 0xfe, 0x00]
        );
    }

    #[test]
    fn concurrent_saves_of_one_file_leave_a_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let writers: Vec<_> = (0..8)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for round in 0..20 {
                        let name = format!("writer {i} round {round} {}", "x".repeat(4096));
                        save_json(&path, &Sample { version: 1, name }).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let loaded = load_json::<Sample>(&path, 0);
        assert!(loaded.recovered.is_none(), "{:?}", loaded.recovered);
        assert!(loaded.value.name.starts_with("writer "));
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn saved_files_are_owner_only_and_so_are_the_folders_made_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config/tokenbench/settings.json");
        save_json(&path, &Sample::default()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("config/tokenbench")), 0o700);
        assert_eq!(mode(&dir.path().join("config")), 0o700);
        // A replaced file is owner-only too, even when the old one was not.
        let report = dir.path().join("report.md");
        std::fs::write(&report, "old").unwrap();
        write_atomic(&report, b"new").unwrap();
        assert_eq!(mode(&report), 0o600);
    }

    #[test]
    fn a_chosen_file_over_one_mebibyte_is_refused_with_advice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let padding = " ".repeat(MAX_USER_FILE_BYTES as usize);
        std::fs::write(&path, format!("{{\"version\": 1, \"name\": \"x\"}}{padding}")).unwrap();
        let error = read_json_file::<Sample>(&path, "a tokenbench workspace").unwrap_err();
        assert!(
            error.contains("big.json is larger than 1 MiB") && error.contains("pick the right file"),
            "{error}"
        );
        let exact = dir.path().join("exact.json");
        std::fs::write(&exact, vec![b' '; MAX_USER_FILE_BYTES as usize]).unwrap();
        assert_eq!(
            read_user_file(&exact, "a key").unwrap().len() as u64,
            MAX_USER_FILE_BYTES
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_without_an_end_is_read_only_up_to_the_cap() {
        let error = read_user_file(Path::new("/dev/zero"), "a token file").unwrap_err();
        assert!(error.contains("larger than 1 MiB"), "{error}");
    }

    #[test]
    fn newer_format_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, r#"{"version": 99, "name": "future"}"#).unwrap();
        assert!(load_json::<Sample>(&path, 7).recovered.unwrap().contains("newer"));
    }

    #[test]
    fn interrupted_write_leaves_the_old_file_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        save_json(
            &path,
            &Sample {
                version: 1,
                name: "old".into(),
            },
        )
        .unwrap();
        // A crash after the temporary file was written but before the rename.
        std::fs::write(temp_path(&path), "{\"version\":1,\"na").unwrap();
        assert_eq!(load_json::<Sample>(&path, 0).value.name, "old");
        save_json(
            &path,
            &Sample {
                version: 1,
                name: "new".into(),
            },
        )
        .unwrap();
        assert_eq!(load_json::<Sample>(&path, 0).value.name, "new");
    }
}
