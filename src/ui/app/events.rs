//! Routing: backend events to the panel that owns them, and commands to the app or the backend. Every
//! match here is exhaustive, so a new event or command without a destination does not compile.

use super::TokenbenchApp;
use crate::core::history::{HistoryEntry, RequestForm};
use crate::ui::Tab;
use crate::ui::command::{
    AppCommand, AppEvent, Command, Event, FilesCommand, HttpEvent, HttpOwner, IssuerEvent, SecretPurpose,
    SecretsCommand, SecretsEvent, SignInOwner, TokenOrigin,
};
use crate::ui::panels::rate_limits::Source;
use std::path::PathBuf;

impl TokenbenchApp {
    /// Applies every event that arrived, then runs the commands they led to.
    pub(super) fn apply_events(&mut self, ctx: &egui::Context) {
        let mut commands = Vec::new();
        for event in self.backend.drain() {
            self.apply_event(ctx, event, &mut commands);
        }
        self.run_commands(commands);
    }

    fn apply_event(&mut self, ctx: &egui::Context, event: Event, commands: &mut Vec<Command>) {
        match event {
            Event::App(event) => self.apply_app_event(ctx, event),
            Event::Files(event) => self.inspector.apply_files(event, commands),
            Event::Secrets(event) => self.apply_secrets_event(event, commands),
            Event::Issuer(IssuerEvent::SignedIn {
                client_id,
                result: Ok(token),
            }) => {
                self.run_app_command(AppCommand::UseSignIn {
                    client_id,
                    id_token: token,
                });
                self.issuer.apply(IssuerEvent::SignedIn {
                    client_id: String::new(),
                    result: Ok(String::new()),
                });
            }
            Event::Issuer(IssuerEvent::SubjectTokenMinted { kind, result }) => self.exchange.minted(kind, result),
            Event::Issuer(IssuerEvent::TenantApplied(result)) => {
                if let Ok(Some(file)) = &result {
                    // Served again from this file at the next start.
                    self.settings.issuer_tenant_file = Some(file.clone());
                }
                self.issuer.apply(IssuerEvent::TenantApplied(result));
            }
            Event::Issuer(event) => self.issuer.apply(event),
            Event::Http(HttpEvent::SignInOpened {
                id,
                owner,
                url,
                browser,
            }) => {
                let sign_in = match owner {
                    SignInOwner::LocalIssuer => &mut self.issuer.browser.sign_in,
                    SignInOwner::Delegation => &mut self.delegation.browser,
                    SignInOwner::Exchange => &mut self.exchange.browser,
                };
                sign_in.opened(id, url, browser);
            }
            Event::Http(HttpEvent::SignInFinished { id, owner, result }) => match owner {
                SignInOwner::LocalIssuer => self.issuer.browser.finished(id, result),
                SignInOwner::Delegation => {
                    if self.delegation.signed_in(id, result) {
                        // A sign-in that filled the form, as "Sign in as" does (the demo's first step counts it).
                        self.sign_ins += 1;
                    }
                }
                SignInOwner::Exchange => self.exchange.signed_in(id, result),
            },
            Event::Http(HttpEvent::DpopProof { id, owner, proof }) => match owner {
                HttpOwner::Exchange => self.exchange.dpop_proof(id, proof),
                HttpOwner::InspectorKeys | HttpOwner::Delegation | HttpOwner::DelegationBurst => {}
            },
            Event::Http(HttpEvent::Answered { id, owner, result }) => match owner {
                HttpOwner::InspectorKeys => self.inspector.keys.apply_answer(id, result, commands),
                HttpOwner::Delegation => {
                    let now = self.clock.now();
                    let entry = self.delegation.apply_answer(id, result, now);
                    let id = self.record(entry, true, commands);
                    if id.is_some()
                        && let Some((url, answer)) = self.delegation.sender.last_answer()
                        && let Some(sent) = &self.delegation.sent
                    {
                        let user = crate::ui::panels::delegation::token_user(&sent.form.token);
                        let source = Source {
                            environment: &sent.environment,
                            url,
                            user: &user,
                            now,
                            entry: id,
                        };
                        self.rate_limits.observe(source, answer);
                    }
                }
                HttpOwner::DelegationBurst => {
                    let now = self.clock.now();
                    if let Some(copy) = self.delegation.burst.apply(id, result, now) {
                        let user = crate::ui::panels::delegation::token_user(&copy.sent.form.token);
                        // Saved once when the burst ends (see `frame_ui`), not once per copy; tokens of copies
                        // are never kept.
                        let mut entry = copy.entry;
                        entry.form = entry.form.map(RequestForm::without_tokens);
                        let id = self.record(Some(entry), false, commands);
                        if let Some(answer) = &copy.answer {
                            let source = Source {
                                environment: &copy.sent.environment,
                                url: &answer.final_url,
                                user: &user,
                                now,
                                entry: id,
                            };
                            self.rate_limits.observe(source, answer);
                        }
                    }
                }
                HttpOwner::Exchange => {
                    let entry = self.exchange.apply_answer(id, result, self.clock.now());
                    self.record(entry, true, commands);
                }
            },
        }
    }

    fn apply_app_event(&mut self, ctx: &egui::Context, event: AppEvent) {
        match event {
            AppEvent::NotSaved { what, error } => self.banner = Some(format!("{what} not saved: {error}")),
            AppEvent::ScreenshotSaved(result) => screenshot_saved(ctx, result),
        }
    }

    /// The app keeps what every panel reads (item names, whether the keyring works); each panel applies
    /// the rest itself.
    fn apply_secrets_event(&mut self, event: SecretsEvent, commands: &mut Vec<Command>) {
        match &event {
            SecretsEvent::Listed {
                names,
                persistent,
                problem,
            } => {
                self.keyring_problem = (!persistent).then(|| problem.clone().unwrap_or_default());
                if let Ok(names) = names {
                    self.keyring_names.clone_from(names);
                    // Once per session: a deletion that fails is not retried on every listing it leads to.
                    let orphans = self.history.orphaned_tokens(names);
                    if !self.orphans_swept && !orphans.is_empty() {
                        self.orphans_swept = true;
                        commands.push(Command::Secrets(SecretsCommand::DeleteKeptTokens(orphans)));
                    }
                }
            }
            SecretsEvent::Fetched {
                name,
                purpose: SecretPurpose::HistoryToken,
                result,
            } => self.fill_kept_token(name, result.as_ref().map_err(String::as_str)),
            SecretsEvent::Fetched { .. }
            | SecretsEvent::Copied(_)
            | SecretsEvent::Changed(_)
            | SecretsEvent::WorkspaceExported(_)
            | SecretsEvent::WorkspaceImportReady(_)
            | SecretsEvent::Signed { .. } => {}
        }
        self.inspector.apply_secrets(&event);
        self.secrets.apply(event);
    }

    /// Runs commands: app commands here, within the frame; the others in the backend.
    pub(super) fn run_commands(&mut self, commands: Vec<Command>) {
        for command in commands {
            match command {
                Command::App(command) => self.run_app_command(command),
                Command::Files(command) => self.backend.run_files(command),
                Command::Secrets(command) => self.backend.run_secrets(command),
                Command::Http(command) => self.backend.run_http(command),
                Command::Issuer(command) => self.backend.run_issuer(command),
            }
        }
    }

    pub(super) fn run_app_command(&mut self, command: AppCommand) {
        match command {
            AppCommand::SwitchTab(tab) => self.settings.tab = tab,
            AppCommand::OpenInInspector { token, origin } => {
                self.inspector.load(&token);
                self.inspector.origin = Some(origin);
                self.settings.tab = Tab::Inspector;
            }
            AppCommand::DiffInInspector { pinned, token } => {
                self.inspector.load(&pinned);
                self.inspector.pin();
                self.inspector.load(&token);
                self.settings.tab = Tab::Inspector;
            }
            AppCommand::UseInDelegation(token) => {
                self.delegation.use_id_token(token);
                self.settings.tab = Tab::Delegation;
            }
            AppCommand::UseSignIn { client_id, id_token } => {
                self.sign_ins += 1;
                self.delegation.form.client_id = client_id;
                self.run_app_command(AppCommand::UseInDelegation(id_token));
            }
            AppCommand::AddEnvironment(environment) => {
                let errors = environment.validate(&self.workspace.environments);
                if errors.is_empty() {
                    self.workspace.environments.push(environment);
                    let save = FilesCommand::SaveWorkspace(self.workspace.clone());
                    self.run_commands(vec![Command::Files(save)]);
                } else {
                    let problems: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
                    self.banner = Some(format!("The pasted address was not added: {}", problems.join("; ")));
                }
            }
            AppCommand::ShowDemo => self.demo.open = true,
            AppCommand::ShowInHistory(id) => {
                self.history_panel.focus(id);
                self.settings.tab = Tab::History;
            }
            AppCommand::LoadForm { form, token } => {
                let tab = crate::ui::panels::history::form_tab(&form);
                self.settings.tab = tab;
                match *form {
                    RequestForm::Delegation(form) => self.delegation.load(form),
                    RequestForm::Exchange(form) => self.exchange.load(form),
                }
                self.awaiting_token = token.map(|item| (item.keyring, tab));
                if let Some((name, _)) = &self.awaiting_token {
                    let fetch = SecretsCommand::Fetch {
                        name: name.clone(),
                        purpose: SecretPurpose::HistoryToken,
                    };
                    self.run_commands(vec![Command::Secrets(fetch)]);
                }
            }
            AppCommand::ClearHistory => {
                let items = self.history.clear();
                let mut commands = vec![Command::Files(FilesCommand::SaveHistory(self.history.clone()))];
                if !items.is_empty() {
                    commands.push(Command::Secrets(SecretsCommand::DeleteKeptTokens(items)));
                }
                self.run_commands(commands);
            }
        }
    }

    /// Keeps a sent request in the history, and saves the history when `save` (a burst saves once, when it
    /// ends); its token goes to the keyring when the user chose to keep tokens, and the items of entries
    /// dropped from the history are deleted. Returns the entry's id.
    fn record(&mut self, entry: Option<HistoryEntry>, save: bool, commands: &mut Vec<Command>) -> Option<u64> {
        let recorded = self.history.record(entry?, self.settings.keep_history_tokens);
        if let Some((name, value)) = recorded.keep {
            commands.push(Command::Secrets(SecretsCommand::KeepToken { name, value }));
        }
        if !recorded.drop.is_empty() {
            commands.push(Command::Secrets(SecretsCommand::DeleteKeptTokens(recorded.drop)));
        }
        if save {
            commands.push(Command::Files(FilesCommand::SaveHistory(self.history.clone())));
        }
        self.history_unsaved = !save;
        Some(recorded.id)
    }

    /// Puts a kept token read back from the keyring into the form that was loaded from the history, or says
    /// why it cannot.
    fn fill_kept_token(&mut self, name: &str, result: Result<&crate::core::secret::SecretString, &str>) {
        let Some((_, tab)) = self.awaiting_token.take_if(|(item, _)| item == name) else {
            return;
        };
        let token = match result {
            Ok(token) => token.expose().to_owned(),
            Err(e) => {
                self.banner = Some(format!(
                    "The token of this request is no longer in the keyring ({e}): paste it into the form again"
                ));
                return;
            }
        };
        match tab {
            Tab::Delegation => self.delegation.form.token = token,
            Tab::TokenExchange => self.exchange.form.subject_token = token,
            Tab::LocalIssuer | Tab::Inspector | Tab::RateLimits | Tab::Secrets | Tab::History => {}
        }
    }

    /// Offers a token from a paste outside any field, or from the command line.
    pub(super) fn open_token(&mut self, token: String, origin: TokenOrigin) {
        self.run_app_command(AppCommand::OpenInInspector { token, origin });
    }
}

fn screenshot_saved(ctx: &egui::Context, result: Result<PathBuf, String>) {
    match result {
        Ok(path) => eprintln!("screenshot saved to {}", path.display()),
        Err(e) => eprintln!("screenshot failed: {e}"),
    }
    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
}
