//! Request history: what was sent where and what came back, for the History tab. Entries name secrets by
//! reference only, so the history file can never hold a secret value.

use crate::core::auth0::delegation::DelegationForm;
use crate::core::auth0::exchange::ExchangeForm;
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
    /// A number unique within the history, given by [`History::record`] (0 in files from before numbering).
    pub id: u64,
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
    /// Time to the answer, in milliseconds.
    pub elapsed_ms: Option<u64>,
    /// `X-RateLimit-Limit`, `-Remaining`, `-Reset` as received.
    pub rate_limit: Option<(String, String, String)>,
    /// The form that made the request, with its tokens removed, to load it back.
    pub form: Option<RequestForm>,
}

/// A form as saved in the history: every field but the tokens, which are bearer credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestForm {
    /// A `/delegation` form.
    Delegation(DelegationForm),
    /// A token-exchange form.
    Exchange(ExchangeForm),
}

impl RequestForm {
    /// The form without its tokens (the client secret is never serialized anyway).
    pub fn without_tokens(mut self) -> Self {
        match &mut self {
            Self::Delegation(form) => form.token.clear(),
            Self::Exchange(form) => form.subject_token.clear(),
        }
        self
    }
}

impl HistoryEntry {
    /// Whether the entry matches a search (case-insensitive, over URL, method, status and summary).
    pub fn matches(&self, query: &str) -> bool {
        let query = query.trim().to_lowercase();
        query.is_empty()
            || [&self.url, &self.method, &self.summary]
                .iter()
                .any(|text| text.to_lowercase().contains(&query))
            || self.status.is_some_and(|s| s.to_string() == query)
    }
}

impl History {
    /// Appends an entry under a new id, dropping the oldest beyond [`HISTORY_LIMIT`]; returns the id.
    pub fn record(&mut self, mut entry: HistoryEntry) -> u64 {
        entry.id = self.entries.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        let id = entry.id;
        self.entries.push(entry);
        if self.entries.len() > HISTORY_LIMIT {
            let excess = self.entries.len() - HISTORY_LIMIT;
            self.entries.drain(..excess);
        }
        id
    }

    /// The entry with this id, if it is still kept.
    pub fn entry(&self, id: u64) -> Option<&HistoryEntry> {
        self.entries.iter().find(|e| e.id == id)
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

    #[test]
    fn ids_are_unique_and_keep_growing_after_the_oldest_are_dropped() {
        let mut history = History::default();
        let ids: Vec<u64> = (0..(HISTORY_LIMIT + 2))
            .map(|_| history.record(HistoryEntry::default()))
            .collect();
        assert_eq!(ids[0], 1);
        assert_eq!(ids[HISTORY_LIMIT + 1], HISTORY_LIMIT as u64 + 2);
        assert!(history.entry(1).is_none(), "dropped with the oldest");
        assert_eq!(history.entry(3).map(|e| e.id), Some(3));
    }

    #[test]
    fn saved_forms_drop_their_tokens_and_search_finds_by_status_or_text() {
        let form = DelegationForm {
            token: "eyJ.secret.token".into(),
            client_id: "spa".into(),
            ..DelegationForm::default()
        };
        let entry = HistoryEntry {
            url: "http://127.0.0.1:4000/delegation".into(),
            status: Some(429),
            summary: "too_many_requests".into(),
            form: Some(RequestForm::Delegation(form).without_tokens()),
            ..HistoryEntry::default()
        };
        let json = serde_json::to_string(&entry).unwrap();
        assert!(!json.contains("eyJ.secret.token"));
        assert!(json.contains("\"spa\""));
        assert!(entry.matches("429") && entry.matches("DELEGATION") && entry.matches(""));
        assert!(!entry.matches("oauth/token"));
    }
}
