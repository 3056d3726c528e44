//! The [`Panel`] trait every tab implements, and the [`PanelContext`] each is handed: what panels read, and
//! the state the app keeps for all of them.

use crate::core::history::{History, HistoryEntry};
use crate::core::http::HttpAnswer;
use crate::core::workspace::Workspace;
use crate::ui::Settings;
use crate::ui::command::{Command, FilesCommand, SecretsCommand};
use crate::ui::forms::timeout::TimeoutField;
use crate::ui::rate_limits::book::{RateBook, Source};

/// A tab of the window: it draws itself from its own state and the [`PanelContext`], and takes the events
/// that answer the commands it sent (the app routes them by owner; the panel decides what they mean).
pub trait Panel {
    /// What comes back to this panel.
    type Event;

    /// Draws the panel; what it wants done goes to `commands`.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>);

    /// Takes an event addressed to this panel.
    fn apply(&mut self, event: Self::Event, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>);
}

/// What every panel may read, and the state the app keeps for all of them (settings, workspace, history,
/// rate limits), handed over once per frame or event instead of a growing parameter list.
pub struct PanelContext<'a> {
    /// The clock's current time (simulated in tests and demos).
    pub now: i64,
    /// The local time zone for displayed times.
    pub zone: &'a jiff::tz::TimeZone,
    /// Environments, saved forms, local tenant.
    pub workspace: &'a mut Workspace,
    /// Persisted settings: the issuer's port and tenant, whether the history keeps tokens…
    pub settings: &'a mut Settings,
    /// tokenbench's keyring item names.
    pub keyring_names: &'a [String],
    /// True when the keyring is unavailable and secrets live in memory until the window closes.
    pub memory_only: bool,
    /// The local issuer's base URL while it runs.
    pub local_issuer: Option<&'a str>,
    /// The running local tenant's applications, as (client ID, name).
    pub local_clients: &'a [(String, String)],
    /// The running local tenant (secrets as references).
    pub local_tenant: Option<&'a crate::core::tenant::Tenant>,
    /// The request timeout both forms share, as typed.
    pub request_timeout: &'a mut TimeoutField,
    /// Past requests.
    pub history: &'a mut History,
    /// Entries recorded during a burst wait to be saved when it ends.
    pub history_unsaved: &'a mut bool,
    /// What the rate-limit headers of every answer said.
    pub rate_book: &'a mut RateBook,
}

/// Where an answer's rate-limit headers count: the environment, endpoint and user of its request.
pub struct Counted<'a> {
    /// The environment's name (e.g. "Local issuer").
    pub environment: &'a str,
    /// The endpoint URL.
    pub url: &'a str,
    /// The user the request was for.
    pub user: &'a str,
    /// The answer.
    pub answer: &'a HttpAnswer,
}

impl PanelContext<'_> {
    /// Keeps an answered request in the history and its rate-limit headers in the rate book. The history is
    /// saved now when `save`, else when the burst it belongs to ends; its token goes to the keyring when the
    /// user chose to keep tokens, and the items of entries dropped from the history are deleted. Returns the
    /// entry's id.
    pub fn record(
        &mut self,
        entry: HistoryEntry,
        counted: Option<Counted<'_>>,
        save: bool,
        commands: &mut Vec<Command>,
    ) -> u64 {
        let recorded = self.history.record(entry, self.settings.keep_history_tokens);
        if let Some((name, value)) = recorded.keep {
            commands.push(Command::Secrets(SecretsCommand::KeepToken { name, value }));
        }
        if !recorded.drop.is_empty() {
            commands.push(Command::Secrets(SecretsCommand::DeleteKeptTokens(recorded.drop)));
        }
        if save {
            commands.push(Command::Files(FilesCommand::SaveHistory(self.history.clone())));
        }
        *self.history_unsaved = !save;
        if let Some(counted) = counted {
            let source = Source {
                environment: counted.environment,
                url: counted.url,
                user: counted.user,
                now: self.now,
                entry: Some(recorded.id),
            };
            self.rate_book.observe(source, counted.answer);
        }
        recorded.id
    }
}
