//! The Delegation form (Auth0's legacy `POST /delegation`): client, id_token or refresh_token (typed, or from
//! "Sign in with browser"), target, scope, api_type from the catalogue, free-form add-on parameters, JSON or
//! form body; every field error inline, Send off with the reason while invalid, and the answer with its tokens
//! one click from the inspector.

use super::browser_sign_in::BrowserSignIn;
use super::browser_sign_in::SignInEvent;
use super::known_clients;
use super::request::Sender;
use crate::core::auth0::FieldError;
use crate::core::auth0::answer::Endpoint;
use crate::core::auth0::delegation::{DelegationForm, InputToken, SCOPE_PRESETS};
use crate::core::auth0::login::{DEFAULT_SCOPE, LoginRequest};
use crate::core::auth0::{BodyEncoding, curl::SecretValue};
use crate::core::history::RequestForm;
use crate::core::http::{HttpAnswer, HttpError, HttpRequest};
use crate::core::jwt::input::{Inspection, inspect};
use crate::core::protocol::api_type::{API_TYPES, api_type};
use crate::ui::command::{Command, HttpOwner, RequestId, SignInOwner};
use crate::ui::panel::PanelContext;
use crate::ui::panel::{Counted, Panel};
use crate::ui::widgets::fields::{inline_error, labelled_line};

/// The panel's state: the form as typed and its sender.
#[derive(Default)]
pub struct DelegationPanel {
    /// The form.
    pub form: DelegationForm,
    /// Sending and the last answer.
    pub sender: Sender,
    /// N copies at a rate.
    pub burst: super::burst::Burst,
    /// What the last Send sent (the form and environment as they were then).
    pub sent: Option<super::burst::Sent>,
    /// "Sign in with browser": fills the id_token field.
    pub browser: BrowserSignIn,
    /// The last browser sign-in's ID token and refresh token, to switch the input between them.
    sign_in_tokens: Option<(String, String)>,
    /// Sign-ins that filled the form.
    sign_ins: u64,
    /// Set when a token was put in the token field: the field takes the keyboard focus on the next frame.
    focus_token: bool,
}

impl DelegationPanel {
    /// Takes an HTTP answer meant for this form and records it in the history and the rate book.
    fn answered(
        &mut self,
        id: RequestId,
        result: Result<HttpAnswer, HttpError>,
        cx: &mut PanelContext<'_>,
        commands: &mut Vec<Command>,
    ) {
        let Some(mut entry) = self.sender.apply(id, result, Endpoint::Delegation, cx.now) else {
            return;
        };
        // The form as sent, not as edited since; the history takes the token out when it records the entry
        // (and keeps it only in the keyring).
        let form = self.sent.as_ref().map_or(&self.form, |sent| &sent.form);
        entry.form = Some(RequestForm::Delegation(form.clone()));
        let (Some((url, answer)), Some(sent)) = (self.sender.last_answer(), &self.sent) else {
            cx.record(entry, None, true, commands);
            return;
        };
        let user = token_user(&sent.form.token);
        let counted = Counted {
            environment: &sent.environment,
            url,
            user: &user,
            answer,
        };
        cx.record(entry, Some(counted), true, commands);
    }

    /// Takes the answer to one copy of a burst; the history is saved once, when the burst ends, and tokens of
    /// copies are never kept.
    fn burst_answered(
        &mut self,
        id: RequestId,
        result: Result<HttpAnswer, HttpError>,
        cx: &mut PanelContext<'_>,
        commands: &mut Vec<Command>,
    ) {
        let Some(copy) = self.burst.apply(id, result, cx.now) else {
            return;
        };
        let user = token_user(&copy.sent.form.token);
        let mut entry = copy.entry;
        entry.form = entry.form.map(RequestForm::without_tokens);
        let counted = copy.answer.as_ref().map(|answer| Counted {
            environment: &copy.sent.environment,
            url: &answer.final_url,
            user: &user,
            answer,
        });
        cx.record(entry, counted, false, commands);
    }

    /// Loads a form from the history (its tokens were not kept: paste them again).
    pub fn load(&mut self, form: DelegationForm) {
        self.form = form;
    }

    /// Puts a token in the id_token field (from a response or the issuer panel).
    pub fn use_id_token(&mut self, token: String) {
        self.form.input = InputToken::IdToken;
        self.form.token = token;
        self.focus_token = true;
    }

    /// Takes the end of "Sign in with browser": the ID token goes in the id_token field, and a refresh token is
    /// kept one click away.
    fn browser_signed_in(&mut self, id: RequestId, result: Result<HttpAnswer, String>) {
        let Some(signed) = self.browser.finished(id, result) else {
            return;
        };
        self.sign_in_tokens = signed.refresh_token.map(|refresh| (signed.id_token.clone(), refresh));
        self.use_id_token(signed.id_token);
        self.sign_ins += 1;
    }

    /// Takes a "Sign in as" of the local issuer: a fresh delegation from that application with its ID token.
    fn signed_in_as(&mut self, client_id: String, id_token: String) {
        self.use_sign_in(client_id, id_token);
        self.sign_ins += 1;
    }

    /// Starts the form over for a fresh sign-in ("Sign in as alice"): the client and its ID token, scope
    /// `openid`, and the server's default api_type without add-on parameters, so nothing of an earlier request
    /// rides along. The target, body encoding and grant type are the user's and stay.
    pub fn use_sign_in(&mut self, client_id: String, id_token: String) {
        let defaults = DelegationForm::default();
        self.form.client_id = client_id;
        self.form.scope = defaults.scope;
        self.form.api_type = defaults.api_type;
        self.form.params = defaults.params;
        self.sign_in_tokens = None;
        self.use_id_token(id_token);
    }

    /// The add-ons of the form's target (the caller when no target is typed), when it is a client of the running
    /// local tenant and the form sends to the local issuer.
    fn target_addons(&self, cx: &PanelContext<'_>) -> Option<(String, Vec<String>)> {
        let base = self.sender.base_url(cx.local_issuer, cx.workspace).ok()?;
        let local = cx.local_issuer?;
        if local.trim_end_matches('/') != base.trim_end_matches('/') {
            return None;
        }
        let target = match self.form.target.trim() {
            "" => self.form.client_id.trim(),
            typed => typed,
        };
        let client = cx.local_tenant?.clients.iter().find(|c| c.client_id == target)?;
        let addons = client.addons.list.iter().map(|a| a.api_type().to_owned()).collect();
        Some((client.client_id.clone(), addons))
    }

    /// Sign-ins that filled this form (with the browser or "Sign in as"); the guided demo counts them.
    pub fn sign_ins(&self) -> u64 {
        self.sign_ins
    }

    /// Prepares a delegation from `client_id` with the form's ID token to `target` as `api_type`, at the local
    /// issuer, with scope `openid` and no add-on parameters.
    pub fn prepare_local(&mut self, client_id: &str, target: &str, api_type: &str) {
        let form = &mut self.form;
        form.input = InputToken::IdToken;
        client_id.clone_into(&mut form.client_id);
        target.clone_into(&mut form.target);
        api_type.clone_into(&mut form.api_type);
        "openid".clone_into(&mut form.scope);
        form.params.clear();
        self.sender.target = super::request::Target::LocalIssuer;
    }

    /// The first token of the last answer, when it answered a delegation to `target`.
    pub fn last_token_for(&self, target: &str) -> Option<String> {
        let (_, read) = self.sender.last.as_ref()?.as_ref().ok()?;
        let token = read.tokens.first().map(|(_, token)| token.clone());
        token.filter(|_| self.form.target == target)
    }

    /// The request the form makes now, or every field error.
    pub fn request(&self, cx: &PanelContext<'_>) -> Result<HttpRequest, Vec<FieldError>> {
        self.sender
            .validate_with(cx, cx.request_timeout, |base, limit| self.form.validate(base, limit))
    }

    /// When the next request would pass, if the last answer of its bucket (the endpoint and the input
    /// token's user: Auth0 limits `/delegation` per IP and user) said it would not pass now.
    fn throttled_until(&self, cx: &PanelContext<'_>) -> Option<i64> {
        let base = self.sender.base_url(cx.local_issuer, cx.workspace).ok()?;
        let url = crate::core::auth0::endpoint(&base, "/delegation").ok()?;
        let user = token_user(&self.form.token);
        let environment = self.sender.target.title();
        cx.rate_book.throttled_until((environment, &url, &user), cx.now)
    }

    /// Whether the field an error is about is still empty (a required field not filled in yet).
    fn is_blank(&self, field: &str) -> bool {
        match field {
            "client_id" => self.form.client_id.trim().is_empty(),
            "token" => self.form.token.trim().is_empty(),
            "grant_type" => self.form.grant_type.trim().is_empty(),
            _ => false,
        }
    }
}

/// What comes back to the Delegation form.
#[derive(Debug)]
pub enum DelegationEvent {
    /// The answer to Send.
    Answered {
        /// The request.
        id: RequestId,
        /// The answer, or why there is none.
        result: Result<HttpAnswer, HttpError>,
    },
    /// The answer to one copy of a burst.
    BurstAnswered {
        /// The copy.
        id: RequestId,
        /// The answer, or why there is none.
        result: Result<HttpAnswer, HttpError>,
    },
    /// "Sign in with browser" progressed.
    SignIn(SignInEvent),
    /// The local issuer's "Sign in as" gave an ID token for this form.
    SignedInAs {
        /// The application signed in to.
        client_id: String,
        /// Its ID token.
        id_token: String,
    },
    /// The token of a form loaded from the history, read back from the keyring.
    KeptToken(String),
    /// "Copy as curl" with the client secret finished.
    CurlCopied(Result<String, String>),
}

impl Panel for DelegationPanel {
    type Event = DelegationEvent;

    fn apply(&mut self, event: DelegationEvent, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        match event {
            DelegationEvent::Answered { id, result } => self.answered(id, result, cx, commands),
            DelegationEvent::BurstAnswered { id, result } => self.burst_answered(id, result, cx, commands),
            DelegationEvent::SignIn(SignInEvent::Opened { id, url, browser }) => self.browser.opened(id, url, browser),
            DelegationEvent::SignIn(SignInEvent::Finished { id, result }) => self.browser_signed_in(id, result),
            DelegationEvent::SignedInAs { client_id, id_token } => self.signed_in_as(client_id, id_token),
            DelegationEvent::KeptToken(token) => self.form.token = token,
            DelegationEvent::CurlCopied(result) => self.sender.curl_copied(result),
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        let throttle = self.throttled_until(cx).map(|until| (until, cx.now));
        ui.heading("Delegation");
        ui.label("Auth0's legacy POST /delegation: exchange an id_token or refresh_token for a token of another application or add-on");
        let request = self.request(cx);
        let errors = request.as_ref().err().cloned().unwrap_or_default();
        super::form_source::source_ui(ui, (&mut self.sender, &mut self.form), cx, commands);
        let known = known_clients::known_clients(&self.sender.target, cx);
        // A field left empty is not shouted at: the Send line says what is missing; what is typed wrong is
        // shown next to it.
        let shown: Vec<FieldError> = errors.iter().filter(|e| !self.is_blank(e.field)).cloned().collect();
        field_errors(ui, &shown, "environment");
        self.fields_ui(ui, (&shown, &known), cx, commands);
        let blocker = errors.first().map(|e| format!("{}: {}", e.field, e.message));
        if self.sender.send_ui(
            ui,
            HttpOwner::Delegation,
            blocker.as_deref(),
            throttle,
            cx.zone,
            commands,
        ) && let Ok(request) = &request
        {
            self.sent = Some(super::burst::Sent {
                request: request.clone(),
                form: self.form.clone(),
                environment: self.sender.target.title().to_owned(),
            });
            self.sender.send(HttpOwner::Delegation, request.clone(), commands);
        }
        let environment = self.sender.target.title().to_owned();
        self.burst
            .ui(ui, (request.as_ref().ok(), &self.form, &environment), commands);
        let input = crate::core::jwt::input::normalize(&self.form.token);
        let secrets = [SecretValue {
            variable: "INPUT_TOKEN",
            meaning: match self.form.input {
                InputToken::IdToken => "the id_token",
                InputToken::RefreshToken => "the refresh_token",
            },
            value: &input,
        }];
        self.sender
            .answer_ui(ui, &secrets, Some(&input), (cx.now, cx.zone), commands);
    }
}

impl DelegationPanel {
    fn fields_ui(
        &mut self,
        ui: &mut egui::Ui,
        (errors, known): (&[FieldError], &[(String, String)]),
        cx: &mut PanelContext<'_>,
        commands: &mut Vec<Command>,
    ) {
        labelled_line(
            ui,
            "Client ID",
            &mut self.form.client_id,
            "the calling application, e.g. demo-spa",
        );
        known_clients::picker_ui(ui, "delegation_known_clients", &mut self.form.client_id, known);
        field_errors(ui, errors, "client_id");
        self.token_ui(ui, errors);
        self.sign_in_ui(ui, cx, commands);
        let form = &mut self.form;
        labelled_line(ui, "Target", &mut form.target, "target client ID (empty: the caller)");
        scope_ui(ui, &mut form.scope);
        api_type_ui(ui, &mut form.api_type);
        if let Some((target, addons)) = self.target_addons(cx) {
            target_addons_ui(ui, &target, &addons);
        }
        field_errors(ui, errors, "api_type");
        params_ui(ui, &mut self.form);
        field_errors(ui, errors, "params");
        egui::CollapsingHeader::new("Advanced").show(ui, |ui| {
            labelled_line(
                ui,
                "Grant type",
                &mut self.form.grant_type,
                crate::core::protocol::grant::JWT_BEARER,
            );
            field_errors(ui, errors, "grant_type");
            ui.horizontal(|ui| {
                ui.label("Body");
                ui.selectable_value(&mut self.form.encoding, BodyEncoding::Json, "JSON");
                ui.selectable_value(&mut self.form.encoding, BodyEncoding::Form, "Form");
            });
            cx.request_timeout.ui(ui);
        });
    }

    /// The input token: which kind, the token, and its errors.
    fn token_ui(&mut self, ui: &mut egui::Ui, errors: &[FieldError]) {
        let focus = std::mem::take(&mut self.focus_token);
        let form = &mut self.form;
        ui.horizontal(|ui| {
            ui.label("Input token");
            ui.selectable_value(&mut form.input, InputToken::IdToken, "id_token");
            ui.selectable_value(&mut form.input, InputToken::RefreshToken, "refresh_token");
        });
        let label = ui.label(form.input.param());
        let field = ui
            .add(
                egui::TextEdit::multiline(&mut form.token)
                    .id_salt("delegation_token")
                    .font(egui::TextStyle::Monospace)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY)
                    .hint_text("eyJ… (exactly one token is sent)"),
            )
            .labelled_by(label.id);
        if focus {
            field.request_focus();
        }
        field_errors(ui, errors, "token");
        if form.input == InputToken::IdToken
            && !form.token.trim().is_empty()
            && !matches!(inspect(&form.token), Inspection::Jwt(_))
        {
            inline_error(
                ui,
                "This does not look like a JWT; it is sent anyway and the server decides",
            );
        }
    }

    /// "Sign in with browser" at the form's environment and client; after a sign-in that gave a refresh token,
    /// a switch between it and the ID token.
    fn sign_in_ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>, commands: &mut Vec<Command>) {
        let request = || {
            let base_url = self.sender.base_url(cx.local_issuer, cx.workspace)?;
            Ok(LoginRequest {
                base_url,
                client_id: self.form.client_id.clone(),
                audience: None,
                scope: DEFAULT_SCOPE.to_owned(),
            })
        };
        let button = (SignInOwner::Delegation, "Sign in with browser");
        self.browser.ui(ui, button, request, commands);
        let Some((id_token, refresh)) = &self.sign_in_tokens else {
            return;
        };
        let form = &mut self.form;
        let (other, input, label) = match form.input {
            InputToken::IdToken if form.token == *id_token => {
                (refresh, InputToken::RefreshToken, "Use the refresh token")
            }
            InputToken::RefreshToken if form.token == *refresh => (id_token, InputToken::IdToken, "Use the ID token"),
            InputToken::IdToken | InputToken::RefreshToken => return,
        };
        if ui
            .small_button(label)
            .on_hover_text("Send the other token of this sign-in instead")
            .clicked()
        {
            form.input = input;
            form.token.clone_from(other);
        }
    }
}

/// Inline errors for one field.
pub fn field_errors(ui: &mut egui::Ui, errors: &[FieldError], field: &str) {
    for error in errors.iter().filter(|e| e.field == field) {
        inline_error(ui, &error.message);
    }
}

fn scope_ui(ui: &mut egui::Ui, scope: &mut String) {
    labelled_line(ui, "Scope", scope, "openid");
    ui.horizontal(|ui| {
        for preset in SCOPE_PRESETS {
            if ui.small_button(preset).clicked() {
                *scope = preset.to_owned();
            }
        }
    });
}

fn api_type_ui(ui: &mut egui::Ui, value: &mut String) {
    labelled_line(ui, "api_type", value, "empty: the target's first add-on, else app");
    ui.horizontal_wrapped(|ui| {
        for entry in &API_TYPES {
            if ui.small_button(entry.name).on_hover_text(entry.description).clicked() {
                *value = entry.name.to_owned();
            }
        }
    });
    if let Some(entry) = api_type(value) {
        ui.label(egui::RichText::new(entry.description).italics());
    }
}

/// Which add-ons a local-tenant target has, so the api_type is chosen without a round of 400s.
fn target_addons_ui(ui: &mut egui::Ui, target: &str, addons: &[String]) {
    let text = if addons.is_empty() {
        format!("Target {target} (local tenant) has no add-ons: only api_type app works")
    } else {
        format!(
            "Target {target} (local tenant) has the add-ons {}; app works too",
            addons.join(", ")
        )
    };
    ui.label(egui::RichText::new(text).color(crate::ui::theme::muted(ui.visuals().dark_mode)));
}

fn params_ui(ui: &mut egui::Ui, form: &mut DelegationForm) {
    ui.label("Add-on parameters");
    let mut remove = None;
    for (index, (name, value)) in form.params.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(name)
                    .id_salt(("param_name", index))
                    .hint_text("name")
                    .desired_width(140.0),
            );
            ui.add(
                egui::TextEdit::singleline(value)
                    .id_salt(("param_value", index))
                    .hint_text("value")
                    .desired_width(260.0),
            );
            if ui.small_button("Remove").clicked() {
                remove = Some(index);
            }
        });
    }
    if let Some(index) = remove {
        form.params.remove(index);
    }
    ui.horizontal_wrapped(|ui| {
        if ui.small_button("Add parameter").clicked() {
            form.params.push((String::new(), String::new()));
        }
        let suggested = api_type(&form.api_type).map(|a| a.suggested_params).unwrap_or_default();
        for name in suggested {
            if !form.params.iter().any(|(k, _)| k == name) && ui.small_button(format!("Add {name}")).clicked() {
                form.params.push(((*name).to_owned(), String::new()));
            }
        }
    });
}

/// The `sub` of a JWT, or a placeholder: the user a request is counted for.
pub fn token_user(token: &str) -> String {
    match inspect(token) {
        Inspection::Jwt(jwt) => jwt.claim_str("sub").unwrap_or("(no sub)").to_owned(),
        _ => "(not a JWT)".to_owned(),
    }
}
