//! What the request forms share: the environment picker, Send with spinner, elapsed time and Cancel (stale
//! answers dropped by id), and the response view — status, timing, headers with the rate-limit ones
//! highlighted, the body pretty or raw, the error explained, and buttons on every token in the body.

use crate::core::auth0::FieldError;
use crate::core::auth0::answer::{Endpoint, RATE_LIMIT_HEADERS, ReadAnswer, read};
use crate::core::auth0::curl::{self, SecretValue};
use crate::core::auth0::curl_parse::{ParsedCurl, Unmapped};
use crate::core::history::HistoryEntry;
use crate::core::http::{DEFAULT_TIMEOUT, HttpAnswer, HttpError, HttpRequest};
use crate::core::workspace::{Environment, Workspace};
use crate::ui::command::{
    AppCommand, Command, HttpCommand, HttpOwner, KeyringItems, Owner, RequestId, SecretsCommand, TokenOrigin,
    next_request_id,
};
use crate::ui::forms::timeout::TimeoutField;
use crate::ui::panel::PanelContext;
use crate::ui::theme;
use crate::ui::widgets::a11y::{announce, choice};
use crate::ui::widgets::fields::{code_block, copy_button, inline_error, inline_warning};
use crate::ui::widgets::time::{clock_time, distance};
use std::time::{Duration, Instant};

/// Which environment a form sends to: the local issuer (following its address) or a workspace environment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    /// The embedded issuer.
    #[default]
    LocalIssuer,
    /// A workspace environment, by name.
    Named(String),
}

impl Target {
    /// The environment's name as the picker shows it.
    pub fn title(&self) -> &str {
        match self {
            Self::LocalIssuer => "Local issuer",
            Self::Named(name) => name,
        }
    }
}

/// A line under "Paste a curl command".
#[derive(Debug, Clone)]
enum PasteNote {
    /// What was done (the form filled, an environment added).
    Done(String),
    /// A part of the command the form has no field for: worth knowing, not an error.
    NotUsed(String),
    /// Why the command could not be read.
    Failed(String),
}

/// Sending state and the last answer of one form.
#[derive(Default)]
pub struct Sender {
    /// Where requests go.
    pub target: Target,
    running: Option<(RequestId, Instant)>,
    /// The last request sent (for curl and re-sending), without what the backend adds from the keyring.
    pub last_request: Option<HttpRequest>,
    /// The keyring item the backend read the last request's client secret from, if any.
    pub last_client_secret: Option<String>,
    /// The last answer, or why there was none.
    pub last: Option<Result<(HttpAnswer, ReadAnswer), HttpError>>,
    /// Send as soon as the form is valid, as if Send were clicked (the demo playing itself).
    send_pending: bool,
    raw: bool,
    include_secrets: bool,
    paste: String,
    paste_notes: Vec<PasteNote>,
    /// What "Copy as curl" copied, said next to it until the next request.
    curl_note: Option<String>,
    /// Who a "Copy as curl" with the client secret answers to, learnt at the first Send.
    curl_owner: Option<Owner>,
}

impl Sender {
    /// Whether a request is under way.
    pub fn is_sending(&self) -> bool {
        self.running.is_some()
    }

    /// Takes the end of "Copy as curl" with the client secret read in the backend.
    pub fn curl_copied(&mut self, result: Result<String, String>) {
        self.curl_note = Some(result.unwrap_or_else(|e| format!("Not copied: {e}")));
    }

    /// The base URL for the chosen target, or why there is none.
    pub fn base_url(&self, local_issuer: Option<&str>, workspace: &Workspace) -> Result<String, String> {
        match &self.target {
            Target::LocalIssuer => local_issuer
                .map(str::to_owned)
                .ok_or_else(|| "the local issuer is not running (yet): it starts with the window, or start it in the Local issuer tab".to_owned()),
            Target::Named(name) => workspace
                .environments
                .iter()
                .find(|e| &e.name == name)
                .and_then(|e| e.base_url.clone().or_else(|| local_issuer.map(str::to_owned)))
                .ok_or_else(|| format!("the environment {name} has no URL: edit it in the Secrets tab")),
        }
    }

    /// The chosen workspace environment, if the target is one.
    pub fn environment<'w>(&self, workspace: &'w Workspace) -> Option<&'w Environment> {
        match &self.target {
            Target::LocalIssuer => None,
            Target::Named(name) => workspace.environment(name),
        }
    }

    /// Validates a form against the chosen environment's base URL and the shared timeout: the environment's
    /// problem (the issuer not running, an environment without URL) comes first, then the form's own field
    /// errors, then the timeout's. The request checks certificates unless the environment's user turned that
    /// off.
    pub fn validate_with(
        &self,
        cx: &PanelContext<'_>,
        timeout: &TimeoutField,
        validate: impl FnOnce(&str, Duration) -> Result<HttpRequest, Vec<FieldError>>,
    ) -> Result<HttpRequest, Vec<FieldError>> {
        let base = self.base_url(cx.local_issuer, cx.workspace);
        let limit = timeout.value();
        let result = validate(
            base.as_deref().unwrap_or("https://unset.invalid"),
            limit.as_ref().map_or(DEFAULT_TIMEOUT, |l| *l),
        );
        let mut errors = Vec::new();
        if let Err(message) = base {
            errors.push(FieldError {
                field: "environment",
                message,
            });
        }
        // The form's own complaint about an unset URL is the environment's problem, already named.
        let unset = !errors.is_empty();
        let own = result.as_ref().err().into_iter().flatten();
        errors.extend(own.filter(|f| !unset || f.field != "environment").cloned());
        errors.extend(limit.err());
        match result {
            Ok(request) if errors.is_empty() => {
                let verify_tls = self.environment(cx.workspace).is_none_or(|e| e.verify_tls);
                Ok(HttpRequest { verify_tls, ..request })
            }
            Ok(_) | Err(_) => Err(errors),
        }
    }

    /// "Paste a curl command": returns the parsed command when the user asks to fill the form.
    pub fn paste_ui(&mut self, ui: &mut egui::Ui, id: &str) -> Option<ParsedCurl> {
        let mut parsed = None;
        egui::CollapsingHeader::new("Paste a curl command")
            .id_salt(id)
            .show(ui, |ui| {
                let label = ui.label("curl command");
                ui.add(
                    egui::TextEdit::multiline(&mut self.paste)
                        .id_salt((id, "text"))
                        .font(egui::TextStyle::Monospace)
                        .desired_rows(3)
                        .desired_width(f32::INFINITY)
                        .hint_text("curl --request POST --url https://TENANT.auth0.com/delegation --data '{…}'"),
                )
                .labelled_by(label.id);
                if ui
                    .add_enabled(!self.paste.trim().is_empty(), egui::Button::new("Fill the form"))
                    .clicked()
                {
                    match crate::core::auth0::curl_parse::parse(&self.paste) {
                        Ok(command) => parsed = Some(command),
                        Err(e) => self.paste_notes = vec![PasteNote::Failed(e.to_string())],
                    }
                }
                let dark = ui.visuals().dark_mode;
                for note in &self.paste_notes {
                    match note {
                        PasteNote::Done(text) => ui.label(text),
                        PasteNote::NotUsed(text) => ui.label(egui::RichText::new(text).color(theme::muted(dark))),
                        PasteNote::Failed(text) => ui.label(egui::RichText::new(text).color(theme::error(dark))),
                    };
                }
            });
        parsed
    }

    /// After a paste: points the form at the pasted base URL (the local issuer, a known environment, or a new
    /// one), and lists what the form could not hold.
    pub fn adopt_paste(
        &mut self,
        base: &str,
        unmapped: &[Unmapped],
        local_issuer: Option<&str>,
        workspace: &Workspace,
        commands: &mut Vec<Command>,
    ) {
        let trimmed = base.trim_end_matches('/');
        self.paste_notes = vec![PasteNote::Done("The form was filled from the command".to_owned())];
        if local_issuer.is_some_and(|url| url.trim_end_matches('/') == trimmed) {
            self.target = Target::LocalIssuer;
        } else if let Some(env) = workspace.environments.iter().find(|e| {
            e.base_url
                .as_deref()
                .is_some_and(|u| u.trim_end_matches('/') == trimmed)
        }) {
            self.target = Target::Named(env.name.clone());
        } else {
            let name = url::Url::parse(trimmed)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| trimmed.to_owned());
            commands.push(Command::App(AppCommand::AddEnvironment(Environment {
                name: name.clone(),
                base_url: Some(trimmed.to_owned()),
                ..Environment::default()
            })));
            self.target = Target::Named(name.clone());
            self.paste_notes
                .push(PasteNote::Done(format!("Added the environment {name} ({trimmed})")));
        }
        for item in unmapped {
            self.paste_notes.push(PasteNote::NotUsed(format!(
                "Not used: {} {:?}: {}",
                item.name, item.kind, item.reason
            )));
        }
    }

    /// The last answer and the URL it was for.
    pub fn last_answer(&self) -> Option<(&str, &HttpAnswer)> {
        let request = self.last_request.as_ref()?;
        match &self.last {
            Some(Ok((answer, _))) => Some((request.url.as_str(), answer)),
            Some(Err(_)) | None => None,
        }
    }

    /// Sends a request as `owner`.
    pub fn send(&mut self, owner: HttpOwner, request: HttpRequest, commands: &mut Vec<Command>) {
        self.send_with(owner, request, KeyringItems::default(), commands);
    }

    /// Sends a request as `owner`, completed in the backend with the keyring `items` (client secret, DPoP key).
    pub fn send_with(
        &mut self,
        owner: HttpOwner,
        request: HttpRequest,
        items: KeyringItems,
        commands: &mut Vec<Command>,
    ) {
        self.curl_owner = owner.curl_owner();
        let id = next_request_id();
        self.running = Some((id, Instant::now()));
        self.curl_note = None;
        self.last_request = Some(request.clone());
        self.last_client_secret.clone_from(&items.client_secret);
        commands.push(Command::Http(if items.is_empty() {
            HttpCommand::Send { id, owner, request }
        } else {
            HttpCommand::SendWithKeyring {
                id,
                owner,
                request,
                items,
            }
        }));
    }

    /// The id of the request under way.
    pub fn running_id(&self) -> Option<RequestId> {
        self.running.map(|(id, _)| id)
    }

    /// Takes an answer if it is for the running request (a cancelled or older one is dropped) and returns
    /// its history entry (without the form, which the panel adds).
    pub fn apply(
        &mut self,
        id: RequestId,
        result: Result<HttpAnswer, HttpError>,
        endpoint: Endpoint,
        now: i64,
    ) -> Option<HistoryEntry> {
        if self.running.is_none_or(|(running, _)| running != id) {
            return None;
        }
        self.running = None;
        let last = result.map(|answer| {
            let read = read(&answer, endpoint);
            (answer, read)
        });
        let entry = self
            .last_request
            .as_ref()
            .map(|request| history_entry(request, &last, now));
        self.last = Some(last);
        entry
    }

    /// Shows an answer no Send of this form asked for (a browser sign-in's code exchange) in the answer area,
    /// tokens included. There is no request to copy as curl: it held a one-time code and the PKCE verifier.
    pub fn show_answer(&mut self, answer: HttpAnswer, endpoint: Endpoint) {
        if self.running.is_none() {
            // A Send under way keeps its request: its answer, and its history entry, come next.
            (self.last_request, self.last_client_secret) = (None, None);
        }
        let read = read(&answer, endpoint);
        self.last = Some(Ok((answer, read)));
    }

    /// Sends on the next frame the form is drawn in, as a click on Send would, if it is valid then.
    pub fn press_send(&mut self) {
        self.send_pending = true;
    }

    /// The environment picker, with the warning while the chosen one does not verify TLS. Returns true when
    /// the user chose another environment.
    pub fn target_ui(&mut self, ui: &mut egui::Ui, id: &str, workspace: &Workspace) -> bool {
        let before = self.target.clone();
        ui.horizontal(|ui| {
            let title = self.target.title().to_owned();
            choice(ui, egui::ComboBox::from_id_salt(id), "Environment", &title, |ui| {
                ui.selectable_value(&mut self.target, Target::LocalIssuer, "Local issuer");
                for env in &workspace.environments {
                    ui.selectable_value(&mut self.target, Target::Named(env.name.clone()), &env.name);
                }
            });
        });
        if let Some(warning) = self.environment(workspace).and_then(Environment::tls_warning) {
            inline_warning(ui, &warning);
        }
        self.target != before
    }

    /// Send (disabled with the reason while the form is invalid), or the spinner with elapsed time and Cancel.
    /// `throttle`: `(until, now)` while the rate limit refuses requests, said in `zone`'s local time.
    /// Returns true when the user asked to send (button or Ctrl+Enter).
    pub fn send_ui(
        &mut self,
        ui: &mut egui::Ui,
        owner: HttpOwner,
        blocker: Option<&str>,
        throttle: Option<(i64, i64)>,
        zone: &jiff::tz::TimeZone,
        commands: &mut Vec<Command>,
    ) -> bool {
        if let Some((until, now)) = throttle {
            // Announced once: its text holds the time, not the countdown, which ticks in a label of its own.
            let text = format!(
                "Rate limit reached: the last answer left no requests; the next one passes at {} (sending now \
                 gets a 429)",
                clock_time(until, now, zone)
            );
            ui.horizontal_wrapped(|ui| {
                announce(ui.label(egui::RichText::new(text).color(theme::warning(ui.visuals().dark_mode))));
                ui.label(distance(until, now));
            });
            ui.ctx().request_repaint_after(Duration::from_secs(1));
        }
        let mut send = false;
        // A press from the demo counts for this frame only: an invalid form must not send later by itself.
        let pressed = std::mem::take(&mut self.send_pending);
        ui.horizontal(|ui| {
            if let Some((id, started)) = self.running {
                ui.spinner();
                ui.label(format!("Sending… {:.1} s", started.elapsed().as_secs_f32()));
                if ui.button("Cancel").clicked() {
                    commands.push(Command::Http(HttpCommand::Cancel { id, owner }));
                    self.running = None;
                }
                // The elapsed time ticks while a request is under way, and only then.
                ui.ctx().request_repaint_after(Duration::from_millis(100));
                return;
            }
            let shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Enter);
            let button = ui
                .add_enabled(blocker.is_none(), egui::Button::new("Send"))
                .on_hover_text("Send the request (Ctrl+Enter)");
            send =
                button.clicked() || (blocker.is_none() && (pressed || ui.input_mut(|i| i.consume_shortcut(&shortcut))));
            if let Some(reason) = blocker {
                ui.label(
                    egui::RichText::new(format!("Send is off: {reason}")).color(theme::muted(ui.visuals().dark_mode)),
                );
            }
        });
        send
    }

    /// The last answer, with buttons on its tokens. `input`: the token the request carried, for Diff; `clock`:
    /// now and the local zone, for the rate-limit reset beside its header.
    pub fn answer_ui(
        &mut self,
        ui: &mut egui::Ui,
        secrets: &[SecretValue<'_>],
        input: Option<&str>,
        clock: (i64, &jiff::tz::TimeZone),
        commands: &mut Vec<Command>,
    ) {
        self.curl_ui(ui, secrets, commands);
        let Some(last) = &self.last else { return };
        ui.add_space(theme::SECTION_GAP);
        match last {
            Err(e) => inline_error(ui, &e.to_string()),
            Ok((answer, read)) => {
                status_ui(ui, answer, clock);
                if let Some(explanation) = &read.explanation {
                    inline_error(ui, explanation);
                }
                tokens_ui(ui, read, input, commands);
                egui::CollapsingHeader::new("Response headers").show(ui, |ui| headers_ui(ui, answer, clock));
                ui.checkbox(&mut self.raw, "Raw body");
                let body = match (&read.json, self.raw) {
                    (Some(json), false) => serde_json::to_string_pretty(json).unwrap_or_default(),
                    _ => String::from_utf8_lossy(&answer.body).into_owned(),
                };
                code_block(ui, &body);
            }
        }
    }

    /// The last request as a curl command with every secret as a `$VARIABLE` (a client secret the backend
    /// added from the keyring is `$CLIENT_SECRET`).
    pub fn redacted_curl(&self, secrets: &[SecretValue<'_>]) -> Option<String> {
        let mut request = self.last_request.clone()?;
        let mut secrets: Vec<SecretValue<'_>> = secrets.iter().map(|s| SecretValue { ..*s }).collect();
        if self.last_client_secret.is_some()
            && crate::core::auth0::body::add_param(&mut request, "client_secret", KEYRING_SECRET_STAND_IN).is_ok()
        {
            secrets.push(SecretValue {
                variable: "CLIENT_SECRET",
                meaning: "the client secret",
                value: KEYRING_SECRET_STAND_IN,
            });
        }
        Some(curl::command(&request, &secrets, false))
    }

    fn curl_ui(&mut self, ui: &mut egui::Ui, secrets: &[SecretValue<'_>], commands: &mut Vec<Command>) {
        let Some(request) = self.last_request.clone() else {
            return;
        };
        ui.horizontal_wrapped(|ui| {
            match (self.last_client_secret.clone(), self.include_secrets) {
                // The UI never holds the keyring secret: the backend builds and copies this command.
                (Some(item), true) => {
                    if ui
                        .small_button("Copy as curl")
                        .on_hover_text(format!("Copy to the clipboard, with the client secret from {item}"))
                        .clicked()
                    {
                        commands.push(Command::Secrets(SecretsCommand::CopyCurl {
                            owner: self.curl_owner.unwrap_or(Owner::DelegationCurl),
                            request: request.clone(),
                            client_secret: item.clone(),
                        }));
                        self.curl_note = Some(format!(
                            "Copying as curl with every secret in clear, the client secret read from {item}"
                        ));
                    }
                }
                (Some(_), false) => {
                    let text = self.redacted_curl(secrets).unwrap_or_default();
                    let mut variables = left_out(secrets);
                    variables.push("CLIENT_SECRET");
                    self.copy_curl_ui(ui, &text, &variables);
                }
                (None, include) => {
                    let text = curl::command(&request, secrets, include);
                    let variables = if include { Vec::new() } else { left_out(secrets) };
                    self.copy_curl_ui(ui, &text, &variables);
                }
            }
            ui.checkbox(&mut self.include_secrets, "Include secrets in the curl command");
            if let Some(note) = &self.curl_note {
                ui.label(egui::RichText::new(note).color(theme::valid(ui.visuals().dark_mode)));
            }
        });
        if self.include_secrets {
            inline_error(
                ui,
                "The curl command will hold secrets in clear: do not paste it into tickets or chats",
            );
        }
    }
}

impl Sender {
    /// "Copy as curl", then a note saying what was left out and what to set before running it.
    fn copy_curl_ui(&mut self, ui: &mut egui::Ui, text: &str, left_out: &[&str]) {
        if ui
            .small_button("Copy as curl")
            .on_hover_text("Copy to the clipboard")
            .clicked()
        {
            ui.ctx().copy_text(text.to_owned());
            self.curl_note = Some(copied_note(left_out));
        }
    }
}

/// The variables a redacted command expects: one per secret the request carried.
fn left_out(secrets: &[SecretValue<'_>]) -> Vec<&'static str> {
    secrets
        .iter()
        .filter(|s| !s.value.is_empty())
        .map(|s| s.variable)
        .collect()
}

/// "Copied as curl — the token is left out: set INPUT_TOKEN=… before running it".
fn copied_note(left_out: &[&str]) -> String {
    match left_out {
        [] => "Copied as curl".to_owned(),
        variables => {
            let settings: Vec<String> = variables.iter().map(|v| format!("{v}=…")).collect();
            format!(
                "Copied as curl — secrets are left out: set {} before running it",
                settings.join(" and ")
            )
        }
    }
}

/// What stands for a keyring client secret in a redacted curl command before it becomes `$CLIENT_SECRET`.
const KEYRING_SECRET_STAND_IN: &str = "tokenbench-client-secret-from-the-keyring";

/// What the history keeps of a request and its answer: no body, no token, no secret.
pub(super) fn history_entry(
    request: &HttpRequest,
    last: &Result<(HttpAnswer, ReadAnswer), HttpError>,
    now: i64,
) -> HistoryEntry {
    let (status, summary, elapsed_ms, rate_limit) = match last {
        Ok((answer, read)) => (
            Some(answer.status),
            summary(read),
            Some(u64::try_from(answer.elapsed.as_millis()).unwrap_or(u64::MAX)),
            rate_limit(answer),
        ),
        Err(e) => (None, e.to_string(), None, None),
    };
    HistoryEntry {
        at: now,
        method: request.method.as_str().to_owned(),
        url: request.url.clone(),
        status,
        summary,
        elapsed_ms,
        rate_limit,
        ..HistoryEntry::default()
    }
}

fn summary(read: &ReadAnswer) -> String {
    if let Some(error) = read
        .json
        .as_ref()
        .and_then(|j| j.get("error"))
        .and_then(serde_json::Value::as_str)
    {
        return error.to_owned();
    }
    let issued: Vec<&str> = read.tokens.iter().map(|(field, _)| field.as_str()).collect();
    if issued.is_empty() {
        "answered".to_owned()
    } else {
        format!("issued {}", issued.join(", "))
    }
}

fn rate_limit(answer: &HttpAnswer) -> Option<(String, String, String)> {
    crate::core::ratelimit::headers::x_ratelimit_values(&answer.headers)
}

fn status_ui(ui: &mut egui::Ui, answer: &HttpAnswer, clock: (i64, &jiff::tz::TimeZone)) {
    let dark = ui.visuals().dark_mode;
    let colour = if answer.is_success() {
        theme::valid(dark)
    } else {
        theme::error(dark)
    };
    // One label, so a screen reader announces the whole line after each Send (the timing changes every time).
    let mut line = egui::text::LayoutJob::default();
    let (style, font, align) = (ui.style(), || egui::FontSelection::Default, egui::Align::Center);
    let status = egui::RichText::new(format!("HTTP {}", answer.status));
    status.strong().color(colour).append_to(&mut line, style, font(), align);
    let elapsed = format!(" in {} ms from {}", answer.elapsed.as_millis(), answer.final_url);
    egui::RichText::new(elapsed).append_to(&mut line, style, font(), align);
    announce(ui.label(line));
    let limits: Vec<String> = answer
        .headers
        .iter()
        .filter(|(n, _)| RATE_LIMIT_HEADERS.contains(&n.to_ascii_lowercase().as_str()))
        .map(|(n, v)| match header_time(n, v, clock) {
            Some(time) => format!("{n}: {v} ({time})"),
            None => format!("{n}: {v}"),
        })
        .collect();
    if !limits.is_empty() {
        ui.label(egui::RichText::new(limits.join("  ·  ")).color(theme::warning(dark)));
    }
}

fn headers_ui(ui: &mut egui::Ui, answer: &HttpAnswer, clock: (i64, &jiff::tz::TimeZone)) {
    egui::Grid::new("response_headers")
        .striped(true)
        .num_columns(2)
        .show(ui, |ui| {
            for (name, value) in &answer.headers {
                let highlighted = RATE_LIMIT_HEADERS.contains(&name.to_ascii_lowercase().as_str());
                let shown = egui::RichText::new(name).monospace();
                ui.label(if highlighted { shown.strong() } else { shown });
                match header_time(name, value, clock) {
                    Some(time) => ui.monospace(format!("{value} ({time})")),
                    None => ui.monospace(value),
                };
                ui.end_row();
            }
        });
}

/// The moment a time header names, readable: `X-RateLimit-Reset` is an epoch second, `Retry-After` counts
/// from now (or is a date). Read by the one rate-limit header parser; the raw value stays beside it.
fn header_time(name: &str, value: &str, (now, zone): (i64, &jiff::tz::TimeZone)) -> Option<String> {
    let state = crate::core::ratelimit::headers::read(&[(name, value)], now);
    let at = state.reset_at.value().or(state.retry_at.value())?;
    Some(format!("{}, {}", clock_time(at, now, zone), distance(at, now)))
}

fn tokens_ui(ui: &mut egui::Ui, read: &ReadAnswer, input: Option<&str>, commands: &mut Vec<Command>) {
    for (field, token) in &read.tokens {
        ui.horizontal_wrapped(|ui| {
            ui.strong(field);
            let shown: String = token.chars().take(48).collect();
            ui.monospace(format!("{shown}…"));
            if ui.button(format!("Inspect {field}")).clicked() {
                commands.push(Command::App(AppCommand::OpenInInspector {
                    token: token.clone(),
                    origin: TokenOrigin::Response {
                        field: field.clone(),
                        input: input.map(str::to_owned),
                    },
                }));
            }
            if let Some(input) = input.filter(|_| field != "azure_blob_sas" && field != "azure_sb_sas")
                && ui.button(format!("Diff {field} with the input")).clicked()
            {
                commands.push(Command::App(AppCommand::DiffInInspector {
                    pinned: input.to_owned(),
                    token: token.clone(),
                }));
            }
            if field == "id_token" && ui.button("Use as id_token in Delegation").clicked() {
                commands.push(Command::App(AppCommand::UseInDelegation(token.clone())));
            }
            copy_button(ui, field, token);
        });
    }
}
