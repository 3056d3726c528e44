//! Request history: what was sent where and what came back, for the History tab. Entries name secrets by
//! reference only, so the history file can never hold a secret value.

use crate::core::secret::SecretRef;
use serde::{Deserialize, Serialize};

/// The most entries kept; older ones are dropped first.
pub const HISTORY_LIMIT: usize = 500;

/// The saved history (`history.json` in the data directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct History {
    /// File format version.
    pub version: u64,
    /// Oldest first.
    pub entries: Vec<HistoryEntry>,
}

impl Default for History {
    fn default() -> Self {
        Self {
            version: 1,
            entries: Vec::new(),
        }
    }
}

/// One request and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct HistoryEntry {
    /// When it was sent (Unix seconds).
    pub at: i64,
    /// HTTP method.
    pub method: String,
    /// The URL, without query secrets.
    pub url: String,
    /// The response status, if a response came.
    pub status: Option<u16>,
    /// One line: the error code, or what was issued.
    pub summary: String,
    /// Secrets the request used, by reference.
    pub secrets: Vec<SecretRef>,
}

impl History {
    /// Appends an entry, dropping the oldest beyond [`HISTORY_LIMIT`].
    pub fn record(&mut self, entry: HistoryEntry) {
        self.entries.push(entry);
        if self.entries.len() > HISTORY_LIMIT {
            let excess = self.entries.len() - HISTORY_LIMIT;
            self.entries.drain(..excess);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_entries_are_dropped_beyond_the_limit() {
        let mut history = History::default();
        for at in 0..(HISTORY_LIMIT as i64 + 3) {
            history.record(HistoryEntry {
                at,
                ..HistoryEntry::default()
            });
        }
        assert_eq!(history.entries.len(), HISTORY_LIMIT);
        assert_eq!(history.entries[0].at, 3);
    }
}
