//! The Local issuer panel: the offline Auth0-like tenant's address (with copy), start/stop, the port, key
//! rotation, browser sign-in and the live sessions, the tenant's clients, users and APIs (editable in place),
//! its live rate-limit buckets, injected faults, and a live log of the requests it answered.

pub mod browser;
pub mod limits;
pub mod tenant_editor;

use crate::core::issuer::buckets::LiveBucket;
use crate::core::issuer::record::RequestRecord;
use crate::core::tenant::{Faults, Tenant};
use crate::ui::command::{AppCommand, Command, IssuerCommand, IssuerEvent};
use crate::ui::forms::browser_sign_in::SignInEvent;
use crate::ui::panel::{Panel, PanelContext};
use crate::ui::settings::Settings;
use crate::ui::widgets::a11y::choice;
use crate::ui::widgets::fields::{code_block, copy_button, inline_error, labelled_line};
use crate::ui::{theme, widgets};
use std::collections::VecDeque;

/// Most requests kept in the log; the oldest go first.
const LOG_CAPACITY: usize = 500;

/// Where the issuer stands.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum IssuerStatus {
    /// Not running.
    #[default]
    Stopped,
    /// Asked to start or stop; waiting for the answer.
    Busy,
    /// Listening at this base URL.
    Running(String),
}

/// The panel's state.
#[derive(Default)]
pub struct IssuerPanel {
    /// Running, stopped, or busy.
    pub status: IssuerStatus,
    /// Why it could not start, or a note about the port it fell back to.
    pub notice: Option<Result<String, String>>,
    /// The served tenant (secrets as references).
    pub tenant: Option<std::sync::Arc<Tenant>>,
    /// Key ids the JWKS publishes.
    pub kids: Vec<String>,
    /// Answered requests, newest last.
    pub log: VecDeque<RequestRecord>,
    /// The live rate-limit buckets, as last listed.
    pub buckets: Vec<LiveBucket>,
    /// The running issuer's injected faults (sent to it on every change).
    pub faults: Faults,
    /// A request arrived since the buckets were last listed.
    buckets_stale: bool,
    /// A listing is on its way; no second one is asked for meanwhile.
    listing_buckets: bool,
    port_text: String,
    sign_in_client: String,
    /// One line per secret kept in memory only, behind "Details".
    notes: Vec<String>,
    show_notes: bool,
    /// The tenant being edited, while the editor is open.
    pub editor: Option<tenant_editor::TenantEditor>,
    /// Browser sign-in and the live sessions.
    pub browser: browser::BrowserSection,
}

/// What comes back to the Local issuer panel.
#[derive(Debug)]
pub enum IssuerPanelEvent {
    /// The issuer started, stopped, rotated keys, answered a request…
    Issuer(IssuerEvent),
    /// "Open the login page" progressed.
    SignIn(SignInEvent),
    /// A "Sign in as" finished: its token went to the Delegation form, or why there is none.
    SignedInAs(Result<(), String>),
}

impl IssuerPanel {
    /// Shows the issuer as starting (it starts with the window).
    pub fn starting(&mut self) {
        self.status = IssuerStatus::Busy;
    }

    /// Takes an event of the running issuer; an edited tenant now served is kept in `settings` so the next
    /// start serves it again.
    fn issuer_event(&mut self, event: IssuerEvent, settings: &mut Settings) {
        match event {
            IssuerEvent::Started {
                base_url,
                fallback,
                notes,
                tenant,
                kids,
            } => {
                self.status = IssuerStatus::Running(base_url);
                self.notice = fallback.map(Ok).or_else(|| memory_note(&notes).map(Ok));
                self.notes = notes;
                self.faults = tenant.settings.faults.clone();
                self.tenant = Some(std::sync::Arc::from(tenant));
                self.kids = kids;
                self.buckets.clear();
                self.buckets_stale = true;
                self.browser.started();
            }
            IssuerEvent::StartFailed(e) => {
                self.status = IssuerStatus::Stopped;
                self.notice = Some(Err(e));
            }
            IssuerEvent::Stopped => {
                self.status = IssuerStatus::Stopped;
                self.buckets.clear();
                self.browser.stopped();
            }
            IssuerEvent::Sessions(sessions) => self.browser.listed(sessions),
            IssuerEvent::Buckets(buckets) => {
                self.buckets = buckets;
                self.listing_buckets = false;
            }
            IssuerEvent::KeysChanged(kids) => self.kids = kids,
            IssuerEvent::KeysNotChanged(e) => self.notice = Some(Err(e)),
            // `Started` came first; the editor's work is done.
            IssuerEvent::TenantApplied(Ok(file)) => {
                if let Some(file) = file {
                    // Served again from this file at the next start.
                    settings.issuer_tenant_file = Some(file);
                }
                self.editor = None;
            }
            IssuerEvent::TenantApplied(Err(e)) => {
                if let Some(editor) = &mut self.editor {
                    editor.applying = false;
                }
                self.notice = Some(Err(e));
            }
            IssuerEvent::Request(record) => {
                if self.log.len() == LOG_CAPACITY {
                    self.log.pop_front();
                }
                self.browser.observe(&record);
                self.log.push_back(*record);
                self.buckets_stale = true;
            }
        }
    }

    /// The running tenant's applications, as (client ID, name); none while stopped.
    pub fn clients(&self) -> Vec<(String, String)> {
        let running = self.tenant.as_ref().filter(|_| self.base_url().is_some());
        running
            .map(|tenant| {
                let clients = tenant.clients.iter();
                clients.map(|c| (c.client_id.clone(), c.name.clone())).collect()
            })
            .unwrap_or_default()
    }

    /// The base URL while running.
    pub fn base_url(&self) -> Option<&str> {
        match &self.status {
            IssuerStatus::Running(url) => Some(url),
            IssuerStatus::Stopped | IssuerStatus::Busy => None,
        }
    }
}

impl Panel for IssuerPanel {
    type Event = IssuerPanelEvent;

    fn apply(&mut self, event: IssuerPanelEvent, cx: &mut PanelContext<'_>, _commands: &mut Vec<Command>) {
        match event {
            IssuerPanelEvent::Issuer(event) => self.issuer_event(event, cx.settings),
            IssuerPanelEvent::SignIn(SignInEvent::Opened { id, url, browser }) => {
                self.browser.sign_in.opened(id, url, browser);
            }
            IssuerPanelEvent::SignIn(SignInEvent::Finished { id, result }) => self.browser.finished(id, result),
            IssuerPanelEvent::SignedInAs(result) => self.notice = result.err().map(Err),
        }
    }

    /// Draws the panel; the port and the autostart switch live in the settings.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        ui.heading("Local issuer");
        ui.horizontal_wrapped(|ui| {
            ui.label(
                "An offline Auth0-like tenant on this machine: /delegation, /oauth/token, discovery and JWKS, with \
                 Auth0's rate limit",
            );
            if ui
                .button("Demo")
                .on_hover_text("A step list that walks the whole story offline, filling the real forms")
                .clicked()
            {
                commands.push(Command::App(AppCommand::ShowDemo));
            }
        });
        self.controls_ui(ui, cx.settings, commands);
        ui.add_space(theme::SECTION_GAP);
        if self.base_url().is_some() {
            self.keys_ui(ui, commands);
        }
        if self.base_url().is_some() {
            self.sign_in_ui(ui, commands);
        }
        if let (IssuerStatus::Running(url), Some(tenant)) = (&self.status, &self.tenant) {
            egui::CollapsingHeader::new("Browser sign-in")
                .default_open(true)
                .show(ui, |ui| {
                    self.browser.ui(ui, (url, tenant), (cx.now, cx.zone), commands);
                });
        }
        if self.base_url().is_some() {
            self.limits_ui(ui, (cx.now, cx.zone), commands);
        }
        let port = self.running_port().unwrap_or(cx.settings.issuer_port);
        self.tenant_ui(ui, (port, cx.settings.issuer_tenant_file.clone()), commands);
        egui::CollapsingHeader::new(format!("Requests ({})", self.log.len()))
            .default_open(true)
            .show(ui, |ui| log_ui(ui, &self.log, cx.zone));
    }
}

impl IssuerPanel {
    fn controls_ui(&mut self, ui: &mut egui::Ui, settings: &mut Settings, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| match self.status.clone() {
            IssuerStatus::Running(url) => {
                ui.label(format!("Listening at {url}"));
                copy_button(ui, "URL", &url);
                if ui.button("Stop").clicked() {
                    self.status = IssuerStatus::Busy;
                    commands.push(Command::Issuer(IssuerCommand::Stop));
                }
            }
            IssuerStatus::Busy => {
                ui.spinner();
                ui.label("Working…");
            }
            IssuerStatus::Stopped => {
                ui.label("Stopped");
                let port = self.port(settings);
                if ui.add_enabled(port.is_ok(), egui::Button::new("Start")).clicked()
                    && let Ok(port) = port
                {
                    settings.issuer_port = port;
                    self.status = IssuerStatus::Busy;
                    let tenant_file = settings.issuer_tenant_file.clone();
                    commands.push(Command::Issuer(IssuerCommand::Start { port, tenant_file }));
                }
            }
        });
        if self.port_text.is_empty() {
            self.port_text = settings.issuer_port.to_string();
        }
        let hint = crate::core::protocol::DEFAULT_ISSUER_PORT.to_string();
        labelled_line(ui, "Port", &mut self.port_text, &hint);
        if let Err(e) = self.port(settings) {
            inline_error(ui, &e);
        }
        self.tenant_file_ui(ui, settings);
        ui.checkbox(&mut settings.issuer_autostart, "Start with tokenbench");
        match &self.notice {
            Some(Ok(note)) => {
                ui.label(egui::RichText::new(note).color(theme::warning(ui.visuals().dark_mode)));
            }
            Some(Err(e)) => inline_error(ui, e),
            None => {}
        }
        if !self.notes.is_empty() {
            ui.toggle_value(&mut self.show_notes, "Details");
            if self.show_notes {
                for note in &self.notes {
                    ui.label(egui::RichText::new(note).small());
                }
            }
        }
    }

    /// The buckets (listed again after new requests, one listing at a time) and the fault switches.
    fn limits_ui(&mut self, ui: &mut egui::Ui, clock: (i64, &jiff::tz::TimeZone), commands: &mut Vec<Command>) {
        if self.buckets_stale && !self.listing_buckets {
            self.buckets_stale = false;
            self.listing_buckets = true;
            commands.push(Command::Issuer(IssuerCommand::ListBuckets));
        }
        egui::CollapsingHeader::new(format!("Rate-limit buckets ({})", self.buckets.len()))
            .default_open(true)
            .show(ui, |ui| limits::buckets_ui(ui, &self.buckets, clock, commands));
        egui::CollapsingHeader::new("Faults").show(ui, |ui| {
            if limits::faults_ui(ui, &mut self.faults) {
                commands.push(Command::Issuer(IssuerCommand::SetFaults(Box::new(self.faults.clone()))));
            }
        });
    }

    /// The running issuer's port, so an applied tenant is served at the same address.
    fn running_port(&self) -> Option<u16> {
        url::Url::parse(self.base_url()?).ok()?.port()
    }

    /// The served tenant, and its editor while open (Edit tenant).
    fn tenant_ui(&mut self, ui: &mut egui::Ui, serve: (u16, Option<std::path::PathBuf>), commands: &mut Vec<Command>) {
        let Some(tenant) = &self.tenant else { return };
        let open = self.editor.is_some().then_some(true);
        egui::CollapsingHeader::new("Tenant").open(open).show(ui, |ui| {
            let Some(editor) = &mut self.editor else {
                tenant_ui(ui, tenant);
                if ui
                    .button("Edit tenant")
                    .on_hover_text(
                        "Change clients, users, APIs, add-ons and settings, then restart the issuer with them",
                    )
                    .clicked()
                {
                    self.editor = Some(tenant_editor::TenantEditor::of(tenant));
                }
                return;
            };
            // After Apply the editor stays until the backend says the tenant was saved (or why not).
            match editor.ui(ui, serve, commands) {
                tenant_editor::EditorAction::Cancel => self.editor = None,
                tenant_editor::EditorAction::Applied => self.status = IssuerStatus::Busy,
                tenant_editor::EditorAction::None => {}
            }
        });
    }

    /// The tenant file served from the next start on; empty serves the demo tenant.
    fn tenant_file_ui(&mut self, ui: &mut egui::Ui, settings: &mut Settings) {
        let mut text = settings
            .issuer_tenant_file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        labelled_line(
            ui,
            "Tenant file",
            &mut text,
            "empty: the demo tenant (assets/demo-tenant.json)",
        );
        let chosen = Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(std::path::PathBuf::from);
        if chosen != settings.issuer_tenant_file {
            settings.issuer_tenant_file = chosen;
        }
        if self.base_url().is_some() {
            ui.label(egui::RichText::new("A new tenant file is served after Stop and Start").small());
        }
    }

    fn port(&self, settings: &Settings) -> Result<u16, String> {
        if self.port_text.trim().is_empty() {
            return Ok(settings.issuer_port);
        }
        self.port_text
            .trim()
            .parse::<u16>()
            .map_err(|_| "the port is a whole number from 0 to 65535 (0: any free port)".to_owned())
    }

    /// "Sign in as …": the ID token a tenant user would get at a client, straight into the Delegation form.
    fn sign_in_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some(tenant) = &self.tenant else { return };
        if self.sign_in_client.is_empty()
            && let Some(first) = tenant
                .clients
                .iter()
                .find(|c| c.grant_types.iter().any(|g| g.contains("delegation")))
        {
            self.sign_in_client = first.client_id.clone();
        }
        ui.horizontal_wrapped(|ui| {
            let chosen = self.sign_in_client.clone();
            let combo = egui::ComboBox::from_id_salt("sign_in_client");
            choice(ui, combo, "Sign in at", &chosen, |ui| {
                for client in &tenant.clients {
                    ui.selectable_value(&mut self.sign_in_client, client.client_id.clone(), &client.client_id);
                }
            });
            for user in &tenant.users {
                let name = user.user_id.rsplit('|').next().unwrap_or(&user.user_id);
                if ui
                    .button(format!("Sign in as {name}"))
                    .on_hover_text("Put this user's ID token for the client in the Delegation form")
                    .clicked()
                {
                    commands.push(Command::Issuer(IssuerCommand::SignIn {
                        client_id: self.sign_in_client.clone(),
                        user_id: user.user_id.clone(),
                    }));
                }
            }
        });
    }

    fn keys_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("Signing keys published: {}", kid_roles(&self.kids)));
            if ui
                .button("Rotate")
                .on_hover_text(
                    "The next key signs from now on; the old one stays published until revoked. A generated key's \
                     rotation is kept in the keyring across restarts; a key the tenant names is not overwritten",
                )
                .clicked()
            {
                commands.push(Command::Issuer(IssuerCommand::RotateKey));
            }
            if ui
                .add_enabled(self.kids.len() > 2, egui::Button::new("Revoke previous"))
                .on_hover_text("Stop publishing the previous key: tokens it signed no longer verify")
                .clicked()
            {
                commands.push(Command::Issuer(IssuerCommand::RevokePreviousKey));
            }
        });
    }
}

/// The published `kid`s with what each is for. The JWKS lists them current, next, previous (see
/// `Issuer::published_kids`): the first signs every token now.
fn kid_roles(kids: &[String]) -> String {
    let roles = [
        "signs now",
        "next, signs after the next rotation",
        "previous, until revoked",
    ];
    let named: Vec<String> = kids
        .iter()
        .enumerate()
        .map(|(index, kid)| match roles.get(index) {
            Some(role) => format!("{kid} ({role})"),
            None => kid.clone(),
        })
        .collect();
    named.join(", ")
}

fn tenant_ui(ui: &mut egui::Ui, tenant: &Tenant) {
    ui.label(format!(
        "Tenant \"{}\" (secrets are keyring items, never shown here)",
        tenant.name
    ));
    egui::Grid::new("issuer_clients")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for client in &tenant.clients {
                ui.monospace(&client.client_id);
                ui.label(&client.name);
                ui.label(format!("{:?}", client.jwt_configuration.alg));
                ui.end_row();
            }
        });
    ui.add_space(theme::SECTION_GAP);
    for user in &tenant.users {
        ui.label(format!("{} · {}", user.user_id, user.email));
    }
    for api in &tenant.resource_servers {
        ui.label(format!("API {} ({})", api.identifier, api.name));
    }
}

fn log_ui(ui: &mut egui::Ui, log: &VecDeque<RequestRecord>, zone: &jiff::tz::TimeZone) {
    if log.is_empty() {
        ui.label("No requests yet");
        return;
    }
    for (index, record) in log.iter().enumerate().rev() {
        let time = crate::core::jwt::time::time_view("iat", record.time, record.time, zone)
            .map_or_else(|| record.time.to_string(), |t| t.local);
        egui::CollapsingHeader::new(format!("{time}  {}", record.line()))
            .id_salt(("issuer_request", index))
            .show(ui, |ui| {
                ui.strong("Request (secrets redacted)");
                code_block(ui, &pretty(&record.request));
                ui.strong("Response (tokens redacted)");
                code_block(ui, &pretty(&record.response));
                widgets::fields::copy_button(ui, "response", &pretty(&record.response));
            });
    }
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// One sentence for secrets generated in memory (the keyring was unavailable), instead of one line each.
fn memory_note(notes: &[String]) -> Option<String> {
    (!notes.is_empty()).then(|| {
        format!(
            "{} tenant secrets were generated in memory for this run only, because the OS keyring is unavailable: \
             tokens from this issuer stop verifying after a restart, and `tokenbench mint` in another process will \
             not match",
            notes.len()
        )
    })
}
