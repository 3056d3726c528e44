//! The Delegation form (Auth0's legacy `POST /delegation`): client, id_token or refresh_token (typed, or from
//! "Sign in with browser"), target, scope, api_type from the catalogue, free-form add-on parameters, JSON or
//! form body; every field error inline, Send off with the reason while invalid, and the answer with its tokens
//! one click from the inspector.

use super::browser_sign_in::BrowserSignIn;
use super::known_clients;
use super::request::Sender;
use super::timeout::TimeoutField;
use crate::core::auth0::FieldError;
use crate::core::auth0::answer::Endpoint;
use crate::core::auth0::delegation::{API_TYPES, DelegationForm, InputToken, SCOPE_PRESETS, api_type};
use crate::core::auth0::login::{DEFAULT_SCOPE, LoginRequest};
use crate::core::auth0::{BodyEncoding, curl::SecretValue};
use crate::core::history::{HistoryEntry, RequestForm};
use crate::core::http::{HttpAnswer, HttpError, HttpRequest};
use crate::core::jwt::input::{Inspection, inspect};
use crate::ui::command::{Command, HttpOwner, RequestId, SignInOwner};
use crate::ui::panels::PanelContext;
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
}

impl DelegationPanel {
    /// Takes an HTTP answer meant for this form.
    pub fn apply_answer(
        &mut self,
        id: RequestId,
        result: Result<HttpAnswer, HttpError>,
        now: i64,
    ) -> Option<HistoryEntry> {
        let mut entry = self.sender.apply(id, result, Endpoint::Delegation, now)?;
        // The form as sent, not as edited since; the history takes the token out when it records the entry
        // (and keeps it only in the keyring).
        let form = self.sent.as_ref().map_or(&self.form, |sent| &sent.form);
        entry.form = Some(RequestForm::Delegation(form.clone()));
        Some(entry)
    }

    /// Loads a form from the history (its tokens were not kept: paste them again).
    pub fn load(&mut self, form: DelegationForm) {
        self.form = form;
    }

    /// Puts a token in the id_token field (from a response or the issuer panel).
    pub fn use_id_token(&mut self, token: String) {
        self.form.input = InputToken::IdToken;
        self.form.token = token;
    }

    /// Takes the end of "Sign in with browser": the ID token goes in the id_token field, and a refresh token is
    /// kept one click away. True when the field was filled.
    pub fn signed_in(&mut self, id: RequestId, result: Result<HttpAnswer, String>) -> bool {
        let Some(signed) = self.browser.finished(id, result) else {
            return false;
        };
        self.sign_in_tokens = signed.refresh_token.map(|refresh| (signed.id_token.clone(), refresh));
        self.use_id_token(signed.id_token);
        true
    }

    /// The request the form makes now, or every field error.
    pub fn request(&self, cx: &PanelContext<'_>, timeout: &TimeoutField) -> Result<HttpRequest, Vec<FieldError>> {
        self.sender
            .validate_with(cx, timeout, |base, limit| self.form.validate(base, limit))
    }

    /// The rate-limit bucket the next request counts against: the endpoint and the input token's user
    /// (Auth0 limits `/delegation` per IP and user).
    pub fn rate_key(
        &self,
        cx_local_issuer: Option<&str>,
        workspace: &crate::core::workspace::Workspace,
    ) -> Option<(String, String)> {
        let base = self.sender.base_url(cx_local_issuer, workspace).ok()?;
        let url = crate::core::auth0::endpoint(&base, "/delegation").ok()?;
        Some((url, token_user(&self.form.token)))
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

    /// Draws the panel. `throttle`: `(until, now)` when the last answer said the next request would be refused;
    /// `timeout`: the field both forms share.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        cx: &PanelContext<'_>,
        throttle: Option<(i64, i64)>,
        timeout: &mut TimeoutField,
        commands: &mut Vec<Command>,
    ) {
        ui.heading("Delegation");
        ui.label("Auth0's legacy POST /delegation: exchange an id_token or refresh_token for a token of another application or add-on");
        let request = self.request(cx, timeout);
        let errors = request.as_ref().err().cloned().unwrap_or_default();
        super::form_source::source_ui(ui, (&mut self.sender, &mut self.form), cx, commands);
        let known = known_clients::known_clients(&self.sender.target, cx);
        // A field left empty is not shouted at: the Send line says what is missing; what is typed wrong is
        // shown next to it.
        let shown: Vec<FieldError> = errors.iter().filter(|e| !self.is_blank(e.field)).cloned().collect();
        field_errors(ui, &shown, "environment");
        self.fields_ui(ui, (&shown, &known), cx, timeout, commands);
        let blocker = errors.first().map(|e| format!("{}: {}", e.field, e.message));
        if self
            .sender
            .send_ui(ui, HttpOwner::Delegation, blocker.as_deref(), throttle, commands)
            && let Ok(request) = &request
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
            value: &input,
        }];
        self.sender.answer_ui(ui, &secrets, Some(&input), commands);
    }

    fn fields_ui(
        &mut self,
        ui: &mut egui::Ui,
        (errors, known): (&[FieldError], &[(String, String)]),
        cx: &PanelContext<'_>,
        timeout: &mut TimeoutField,
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
        field_errors(ui, errors, "api_type");
        params_ui(ui, form);
        field_errors(ui, errors, "params");
        egui::CollapsingHeader::new("Advanced").show(ui, |ui| {
            labelled_line(
                ui,
                "Grant type",
                &mut self.form.grant_type,
                crate::core::auth0::delegation::JWT_BEARER,
            );
            field_errors(ui, errors, "grant_type");
            ui.horizontal(|ui| {
                ui.label("Body");
                ui.selectable_value(&mut self.form.encoding, BodyEncoding::Json, "JSON");
                ui.selectable_value(&mut self.form.encoding, BodyEncoding::Form, "Form");
            });
            timeout.ui(ui);
        });
    }

    /// The input token: which kind, the token, and its errors.
    fn token_ui(&mut self, ui: &mut egui::Ui, errors: &[FieldError]) {
        let form = &mut self.form;
        ui.horizontal(|ui| {
            ui.label("Input token");
            ui.selectable_value(&mut form.input, InputToken::IdToken, "id_token");
            ui.selectable_value(&mut form.input, InputToken::RefreshToken, "refresh_token");
        });
        let label = ui.label(form.input.param());
        ui.add(
            egui::TextEdit::multiline(&mut form.token)
                .id_salt("delegation_token")
                .font(egui::TextStyle::Monospace)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("eyJ… (exactly one token is sent)"),
        )
        .labelled_by(label.id);
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
