//! Routing: each backend event goes back to the panel that asked for it (its owner), and commands to the app
//! or the backend. The app routes; panels decide what an event means. Every match here is exhaustive, so a
//! new event or command without a destination does not compile.

use super::TokenbenchApp;
use crate::core::history::RequestForm;
use crate::ui::Tab;
use crate::ui::command::{
    AppCommand, AppEvent, Command, Event, FilesCommand, HttpEvent, HttpOwner, MintedEvent, Owner, SecretPurpose,
    SecretsCommand, SecretsEvent, SignInOwner, TokenOrigin,
};
use crate::ui::forms::browser_sign_in::SignInEvent;
use crate::ui::forms::delegation::DelegationEvent;
use crate::ui::forms::exchange::ExchangeEvent;
use crate::ui::inspector::InspectorEvent;
use crate::ui::issuer::IssuerPanelEvent;
use crate::ui::panel::Panel;
use crate::ui::secrets::SecretsPanelEvent;
use std::path::PathBuf;
use std::sync::Arc;

/// The running local issuer as the panels see it: base URL, applications, tenant.
pub(super) type LocalIssuer = (
    Option<String>,
    Vec<(String, String)>,
    Option<Arc<crate::core::tenant::Tenant>>,
);

/// The [`PanelContext`](crate::ui::panel::PanelContext) built from the app's fields one by one, so that a
/// panel (another field) can be borrowed beside it.
macro_rules! panel_context {
    ($app:ident, $local:ident) => {
        crate::ui::panel::PanelContext {
            now: $app.clock.now(),
            zone: &$app.zone,
            workspace: &mut $app.workspace,
            settings: &mut $app.settings,
            keyring_names: &$app.keyring_names,
            memory_only: $app.keyring_problem.is_some(),
            local_issuer: $local.0.as_deref(),
            local_clients: &$local.1,
            local_tenant: $local.2.as_deref(),
            request_timeout: &mut $app.request_timeout,
            history: &mut $app.history,
            history_unsaved: &mut $app.history_unsaved,
            rate_book: &mut $app.rate_book,
        }
    };
}
pub(super) use panel_context;

/// Hands `event` to the panel in field `$panel` of the app, with the panel context.
macro_rules! deliver {
    ($app:ident . $panel:ident, $event:expr, $commands:expr) => {{
        let local = $app.local_issuer();
        let mut cx = panel_context!($app, local);
        $app.$panel.apply($event, &mut cx, $commands);
    }};
}

impl TokenbenchApp {
    /// Applies every event that arrived, then runs the commands they led to.
    pub(super) fn apply_events(&mut self, ctx: &egui::Context) {
        let mut commands = Vec::new();
        for event in self.backend.drain() {
            self.route(ctx, event, &mut commands);
        }
        self.run_commands(commands);
    }

    /// The running local issuer's base URL, applications and tenant, as the panels see them.
    pub(super) fn local_issuer(&self) -> LocalIssuer {
        let tenant = self.issuer.base_url().and(self.issuer.tenant.clone());
        (self.issuer.base_url().map(str::to_owned), self.issuer.clients(), tenant)
    }

    fn route(&mut self, ctx: &egui::Context, event: Event, commands: &mut Vec<Command>) {
        match event {
            Event::App(event) => self.apply_app_event(ctx, event),
            Event::Files(event) => deliver!(self.inspector, InspectorEvent::File(event), commands),
            Event::Secrets(event) => self.route_secrets(event, commands),
            Event::Http(event) => self.route_http(event, commands),
            Event::Issuer(event) => deliver!(self.issuer, IssuerPanelEvent::Issuer(event), commands),
            Event::Minted(event) => self.route_minted(event, commands),
            Event::Capture(event) => deliver!(self.captures, event, commands),
        }
    }

    fn route_http(&mut self, event: HttpEvent, commands: &mut Vec<Command>) {
        match event {
            HttpEvent::Answered {
                id,
                owner,
                result,
                dpop_proof,
            } => match owner {
                HttpOwner::InspectorKeys => {
                    deliver!(self.inspector, InspectorEvent::KeysAnswered { id, result }, commands)
                }
                HttpOwner::Delegation => deliver!(self.delegation, DelegationEvent::Answered { id, result }, commands),
                HttpOwner::DelegationBurst => {
                    deliver!(self.delegation, DelegationEvent::BurstAnswered { id, result }, commands);
                }
                HttpOwner::Exchange => {
                    let event = ExchangeEvent::Answered { id, result, dpop_proof };
                    deliver!(self.exchange, event, commands);
                }
            },
            HttpEvent::SignInOpened {
                id,
                owner,
                url,
                browser,
            } => {
                self.route_sign_in(owner, SignInEvent::Opened { id, url, browser }, commands);
            }
            HttpEvent::SignInFinished { id, owner, result } => {
                self.route_sign_in(owner, SignInEvent::Finished { id, result }, commands);
            }
        }
    }

    fn route_sign_in(&mut self, owner: SignInOwner, event: SignInEvent, commands: &mut Vec<Command>) {
        match owner {
            SignInOwner::LocalIssuer => deliver!(self.issuer, IssuerPanelEvent::SignIn(event), commands),
            SignInOwner::Delegation => deliver!(self.delegation, DelegationEvent::SignIn(event), commands),
            SignInOwner::Exchange => deliver!(self.exchange, ExchangeEvent::SignIn(event), commands),
        }
    }

    /// A "Sign in as" fills the Delegation form and shows it; a minted subject token fills the exchange form.
    fn route_minted(&mut self, event: MintedEvent, commands: &mut Vec<Command>) {
        match event {
            MintedEvent::SignedIn {
                client_id,
                result: Ok(id_token),
            } => {
                deliver!(self.issuer, IssuerPanelEvent::SignedInAs(Ok(())), commands);
                commands.push(Command::App(AppCommand::UseSignIn { client_id, id_token }));
            }
            MintedEvent::SignedIn { result: Err(e), .. } => {
                deliver!(self.issuer, IssuerPanelEvent::SignedInAs(Err(e)), commands);
            }
            MintedEvent::SubjectToken { kind, result } => {
                deliver!(self.exchange, ExchangeEvent::SubjectToken { kind, result }, commands);
            }
        }
    }

    fn route_secrets(&mut self, event: SecretsEvent, commands: &mut Vec<Command>) {
        match event {
            SecretsEvent::Listed {
                names,
                persistent,
                problem,
            } => {
                self.keyring_listed(names.as_deref().ok(), persistent, problem, commands);
                deliver!(self.secrets, SecretsPanelEvent::Listed(names.map(drop)), commands);
            }
            SecretsEvent::Fetched { name, purpose, result } => match purpose {
                SecretPurpose::Reveal => deliver!(self.secrets, SecretsPanelEvent::Revealed { name, result }, commands),
                SecretPurpose::Inspector => deliver!(self.inspector, InspectorEvent::SecretRead(result), commands),
                SecretPurpose::HistoryToken => {
                    let token = result.map(|token| token.expose().to_owned());
                    self.fill_kept_token(&name, token, commands);
                }
            },
            SecretsEvent::Signed { id, result } => {
                deliver!(self.inspector, InspectorEvent::Signed { id, result }, commands)
            }
            SecretsEvent::Done { owner, result } => self.route_keyring_done(owner, result, commands),
            SecretsEvent::WorkspaceExported(result) => {
                deliver!(self.secrets, SecretsPanelEvent::WorkspaceExported(result), commands);
            }
            SecretsEvent::WorkspaceImportReady(result) => {
                deliver!(self.secrets, SecretsPanelEvent::WorkspaceImportReady(result), commands);
            }
        }
    }

    fn route_keyring_done(&mut self, owner: Owner, result: Result<String, String>, commands: &mut Vec<Command>) {
        match owner {
            Owner::Inspector => deliver!(self.inspector, InspectorEvent::SecretSaved(result), commands),
            Owner::DelegationCurl => deliver!(self.delegation, DelegationEvent::CurlCopied(result), commands),
            Owner::ExchangeCurl => deliver!(self.exchange, ExchangeEvent::CurlCopied(result), commands),
            Owner::ExchangeDpopKey => deliver!(self.exchange, ExchangeEvent::KeyGenerated(result), commands),
            Owner::Secrets => deliver!(self.secrets, SecretsPanelEvent::Done(result), commands),
        }
    }

    /// The app keeps what every panel reads: the item names and whether the keyring works. Kept tokens of
    /// long-dropped history entries are deleted once a session (a deletion that fails is not retried on every
    /// listing it leads to).
    fn keyring_listed(
        &mut self,
        names: Option<&[String]>,
        persistent: bool,
        problem: Option<String>,
        commands: &mut Vec<Command>,
    ) {
        self.keyring_problem = (!persistent).then(|| problem.unwrap_or_default());
        let Some(names) = names else { return };
        names.clone_into(&mut self.keyring_names);
        let orphans = self.history.orphaned_tokens(names);
        if !self.orphans_swept && !orphans.is_empty() {
            self.orphans_swept = true;
            commands.push(Command::Secrets(SecretsCommand::DeleteKeptTokens(orphans)));
        }
    }

    fn apply_app_event(&mut self, ctx: &egui::Context, event: AppEvent) {
        match event {
            AppEvent::NotSaved { what, error } => self.banner = Some(format!("{what} not saved: {error}")),
            AppEvent::ScreenshotSaved(result) => screenshot_saved(ctx, result),
        }
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
                self.inspector.open(&token, origin);
                self.settings.tab = Tab::Inspector;
            }
            AppCommand::DiffInInspector { pinned, token } => {
                self.inspector.diff(&pinned, &token);
                self.settings.tab = Tab::Inspector;
            }
            AppCommand::UseInDelegation(token) => {
                self.delegation.use_id_token(token);
                self.settings.tab = Tab::Delegation;
            }
            AppCommand::UseSignIn { client_id, id_token } => {
                let mut commands = Vec::new();
                deliver!(
                    self.delegation,
                    DelegationEvent::SignedInAs { client_id, id_token },
                    &mut commands
                );
                self.settings.tab = Tab::Delegation;
                self.run_commands(commands);
            }
            AppCommand::AddEnvironment(environment) => self.add_environment(environment),
            AppCommand::ShowDemo => self.demo.show(),
            AppCommand::ShowInHistory(id) => {
                self.history_panel.focus(id);
                self.settings.tab = Tab::History;
            }
            AppCommand::ShowInCaptures { file, entry } => {
                self.captures.show_entry(&file, entry);
                self.settings.tab = Tab::Captures;
            }
            AppCommand::LoadForm { form, token } => self.load_form(*form, token),
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

    /// Adds an environment (from a pasted curl command) and saves the workspace, or says why not.
    fn add_environment(&mut self, environment: crate::core::workspace::Environment) {
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

    /// Loads a form from the history and shows it; a token kept in the keyring is read back into it.
    fn load_form(&mut self, form: RequestForm, token: Option<crate::core::secret::SecretRef>) {
        let tab = crate::ui::history::form_tab(&form);
        self.settings.tab = tab;
        match form {
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

    /// Puts a kept token read back from the keyring into the form that was loaded from the history, or says
    /// why it cannot.
    fn fill_kept_token(&mut self, name: &str, result: Result<String, String>, commands: &mut Vec<Command>) {
        let Some((_, tab)) = self.awaiting_token.take_if(|(item, _)| item == name) else {
            return;
        };
        let token = match result {
            Ok(token) => token,
            Err(e) => {
                self.banner = Some(format!(
                    "The token of this request is no longer in the keyring ({e}): paste it into the form again"
                ));
                return;
            }
        };
        match tab {
            Tab::Delegation => deliver!(self.delegation, DelegationEvent::KeptToken(token), commands),
            Tab::TokenExchange => deliver!(self.exchange, ExchangeEvent::KeptToken(token), commands),
            Tab::LocalIssuer | Tab::Inspector | Tab::RateLimits | Tab::Secrets | Tab::History | Tab::Captures => {}
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
