//! Request history: what was sent where and what came back, for the History tab. Entries name secrets by
//! reference only, so the history file can never hold a secret value: recording an entry always takes the
//! token out of its form, and hands it back only to be kept in the keyring when the user opted in.

use crate::core::auth0::delegation::DelegationForm;
use crate::core::auth0::exchange::ExchangeForm;
use crate::core::secret::{SecretRef, SecretString, item_name};
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
    /// The id the next entry gets; ids are never reused, so neither are their keyring items.
    pub next_id: u64,
}

impl Default for History {
    fn default() -> Self {
        Self {
            version: 1,
            entries: Vec::new(),
            next_id: 0,
        }
    }
}

/// One request and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct HistoryEntry {
    /// Unique in the history; names the entry's keyring item.
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
    /// The keyring item holding the request's token, when the user chose to keep tokens.
    pub token: Option<SecretRef>,
}

/// The keyring item that keeps the token of the entry `id`: `history/<id>/token`.
pub fn token_item(id: u64) -> String {
    item_name("history", &[&id.to_string(), "token"])
}

/// The new entry's id, and what recording it asks of the keyring.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The id the entry got.
    pub id: u64,
    /// The item to write and the token to write into it (only when tokens are kept).
    pub keep: Option<(String, SecretString)>,
    /// The items of the entries dropped to stay within [`HISTORY_LIMIT`], to delete.
    pub drop: Vec<String>,
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
        self.take_token();
        self
    }

    /// Takes the token out of the form (the id_token or refresh_token, or the subject token); `None` when
    /// there was none.
    pub fn take_token(&mut self) -> Option<SecretString> {
        let token = match self {
            Self::Delegation(form) => std::mem::take(&mut form.token),
            Self::Exchange(form) => std::mem::take(&mut form.subject_token),
        };
        let token = token.trim();
        (!token.is_empty()).then(|| SecretString::new(token))
    }

    /// Puts a token read back from the keyring into the form.
    pub fn set_token(&mut self, token: &str) {
        match self {
            Self::Delegation(form) => token.clone_into(&mut form.token),
            Self::Exchange(form) => token.clone_into(&mut form.subject_token),
        }
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
    /// Appends an entry with the next id, its form's token taken out (and returned to be kept in the keyring
    /// when `keep_token`), dropping the oldest entries beyond [`HISTORY_LIMIT`].
    pub fn record(&mut self, mut entry: HistoryEntry, keep_token: bool) -> Recorded {
        entry.id = self.next_free_id();
        self.next_id = entry.id.saturating_add(1);
        let id = entry.id;
        let token = entry.form.as_mut().and_then(RequestForm::take_token);
        let keep = token.filter(|_| keep_token).map(|value| (token_item(entry.id), value));
        entry.token = keep.as_ref().map(|(item, _)| SecretRef::new(item));
        self.entries.push(entry);
        let excess = self.entries.len().saturating_sub(HISTORY_LIMIT);
        let dropped = self.entries.drain(..excess);
        Recorded {
            id,
            keep,
            drop: dropped.filter_map(|e| e.token).map(|r| r.keyring).collect(),
        }
    }

    /// The entry with this id, if it is still kept.
    pub fn entry(&self, id: u64) -> Option<&HistoryEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Kept-token items among `names` (exactly `history/<id>/token`) of entries older than the oldest one kept:
    /// dropped by the size bound while their deletion failed. Nothing when the history is empty (a recovered or
    /// missing file says nothing about which tokens are still wanted), and never an id this history or another
    /// window's could still use.
    pub fn orphaned_tokens(&self, names: &[String]) -> Vec<String> {
        let Some(oldest) = self.entries.iter().map(|e| e.id).min() else {
            return Vec::new();
        };
        names
            .iter()
            .filter(|name| {
                let id = name
                    .strip_prefix("history/")
                    .and_then(|rest| rest.strip_suffix("/token"));
                id.and_then(|id| id.parse::<u64>().ok()).is_some_and(|id| id < oldest)
            })
            .cloned()
            .collect()
    }

    /// The id the next entry gets: past every id in the history (files from before numbering hold only 0s).
    pub fn next_free_id(&self) -> u64 {
        let past = self.entries.iter().map(|e| e.id.saturating_add(1)).max().unwrap_or(0);
        self.next_id.max(past)
    }

    /// Drops every entry; returns the keyring items they kept tokens in, to delete.
    pub fn clear(&mut self) -> Vec<String> {
        self.entries
            .drain(..)
            .filter_map(|e| e.token)
            .map(|r| r.keyring)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_entries_are_dropped_beyond_the_limit() {
        let mut history = History::default();
        for at in 0..(HISTORY_LIMIT as i64 + 3) {
            history.record(
                HistoryEntry {
                    at,
                    ..HistoryEntry::default()
                },
                false,
            );
        }
        assert_eq!(history.entries.len(), HISTORY_LIMIT);
        assert_eq!(history.entries[0].at, 3);
    }

    #[test]
    fn only_tokens_of_entries_older_than_the_oldest_kept_are_orphans() {
        let mut history = History::default();
        assert!(
            history.orphaned_tokens(&["history/0/token".to_owned()]).is_empty(),
            "empty: nothing is known"
        );
        for _ in 0..3 {
            history.record(exchange_entry("c.code"), true);
        }
        history.entries.remove(0);
        let names = [
            "history/0/token",
            "history/1/token",
            "history/9/token",
            "history/x/token",
            "client_secret/dev/x",
            "history/0/token/more",
        ]
        .map(String::from);
        assert_eq!(history.orphaned_tokens(&names), ["history/0/token"]);
    }

    #[test]
    fn ids_are_unique_keep_growing_after_the_oldest_are_dropped_and_start_past_unnumbered_files() {
        let mut history = History::default();
        let ids: Vec<u64> = (0..(HISTORY_LIMIT + 2))
            .map(|_| history.record(HistoryEntry::default(), false).id)
            .collect();
        assert_eq!((ids[0], ids[HISTORY_LIMIT + 1]), (0, HISTORY_LIMIT as u64 + 1));
        assert!(history.entry(0).is_none(), "dropped with the oldest");
        assert_eq!(history.entry(3).map(|e| e.id), Some(3));
        let mut old = History {
            entries: vec![HistoryEntry::default(), HistoryEntry::default()],
            ..History::default()
        };
        assert_eq!(old.record(HistoryEntry::default(), false).id, 1);
    }

    fn exchange_entry(token: &str) -> HistoryEntry {
        let form = ExchangeForm {
            subject_token: token.into(),
            client_id: "native".into(),
            ..ExchangeForm::default()
        };
        HistoryEntry {
            form: Some(RequestForm::Exchange(form)),
            ..HistoryEntry::default()
        }
    }

    #[test]
    fn a_recorded_token_is_never_in_the_entry_and_is_handed_back_only_when_kept() {
        let mut history = History::default();
        let recorded = history.record(exchange_entry("c.apple.code"), false);
        assert!(recorded.keep.is_none());
        let recorded = history.record(exchange_entry("c.other.code"), true);
        let (item, value) = recorded.keep.unwrap();
        assert_eq!((item.as_str(), value.expose()), ("history/1/token", "c.other.code"));
        assert_eq!(history.entries[1].token, Some(SecretRef::new("history/1/token")));
        assert_eq!(history.entries[0].token, None);
        let json = serde_json::to_string(&history).unwrap();
        assert!(!json.contains(".code"), "{json}");
        let mut form = history.entries[1].form.clone().unwrap();
        form.set_token("c.other.code");
        assert_eq!(form.take_token().unwrap().expose(), "c.other.code");
    }

    #[test]
    fn dropped_and_cleared_entries_give_back_their_items_and_ids_are_not_reused() {
        let mut history = History::default();
        let mut dropped = Vec::new();
        for _ in 0..(HISTORY_LIMIT + 2) {
            dropped.extend(history.record(exchange_entry("t"), true).drop);
        }
        assert_eq!(dropped, ["history/0/token", "history/1/token"]);
        let cleared = history.clear();
        assert_eq!(cleared.len(), HISTORY_LIMIT);
        assert!(history.entries.is_empty());
        history.record(exchange_entry("t"), true);
        assert_eq!(history.entries[0].id, HISTORY_LIMIT as u64 + 2);
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
