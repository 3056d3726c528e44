//! The Token exchange form (native social, `POST /oauth/token` with the token-exchange grant): subject token
//! type presets (Apple, Facebook, Google, custom URI), `user_profile` built from Apple's name fields or typed as
//! JSON, audience or resource, scope, `auth0-forwarded-for`, an optional client secret from the keyring, and
//! DPoP; errors inline, the answer with its tokens. "Sign in with browser" signs in at the form's environment
//! and client (with its audience) and shows the code exchange's answer, tokens included, in the answer area.

use super::browser_sign_in::BrowserSignIn;
use super::browser_sign_in::SignInEvent;
use super::client_secret::ClientSecretChoice;
use super::delegation::field_errors;
use super::known_clients;
use super::request::{Sender, Target};
use crate::core::auth0::FieldError;
use crate::core::auth0::answer::Endpoint;
use crate::core::auth0::curl::SecretValue;
use crate::core::auth0::exchange::{ExchangeForm, SubjectType};
use crate::core::auth0::login::{DEFAULT_SCOPE, LoginRequest};
use crate::core::history::RequestForm;
use crate::core::http::{HttpAnswer, HttpError, HttpRequest};
use crate::core::protocol::SubjectTokenType as Provider;
use crate::core::secret::KeyKind;
use crate::ui::command::{
    AppCommand, Command, HttpOwner, IssuerCommand, KeyringItems, Owner, RequestId, SecretsCommand, SignInOwner,
    TokenOrigin,
};
use crate::ui::panel::Panel;
use crate::ui::panel::PanelContext;
use crate::ui::widgets::a11y::choice;
use crate::ui::widgets::fields::{inline_error, labelled_line};

/// The panel's state: the form as typed and its sender.
#[derive(Default)]
pub struct ExchangePanel {
    /// The form.
    pub form: ExchangeForm,
    /// Sending and the last answer.
    pub sender: Sender,
    custom_uri: String,
    /// Send a DPoP proof with each request.
    pub use_dpop: bool,
    /// The keyring item with the DPoP key (P-256).
    pub dpop_key: String,
    /// The proof the last request carried.
    pub last_proof: Option<String>,
    /// The form the last Send sent, as it was then.
    sent_form: Option<ExchangeForm>,
    /// A subject token asked of the local issuer: waiting (`Ok(())`) or why it failed.
    minting: Option<Result<(), String>>,
    /// Where the client secret comes from (the backend reads it; the panel only names the item).
    pub client_secret: ClientSecretChoice,
    /// The environment the client secret was chosen for: another environment starts again from none, so a
    /// secret never follows the form to a host it was not chosen for.
    secret_chosen_for: Target,
    /// "Sign in with browser": its answer goes to the answer area.
    pub browser: BrowserSignIn,
    /// What the last "Generate a DPoP key" did.
    key_generated: Option<Result<String, String>>,
}

/// Where the DPoP key is kept unless the user names another item.
pub const DEFAULT_DPOP_KEY: &str = "dpop_key/default";

impl ExchangePanel {
    /// Takes an HTTP answer meant for this form (with the DPoP proof it was sent with) and records it in the
    /// history.
    fn answered(
        &mut self,
        (id, result, proof): (RequestId, Result<HttpAnswer, HttpError>, Option<String>),
        cx: &mut PanelContext<'_>,
        commands: &mut Vec<Command>,
    ) {
        if proof.is_some() && self.sender.running_id() == Some(id) {
            self.last_proof = proof;
        }
        let Some(mut entry) = self.sender.apply(id, result, Endpoint::Token, cx.now) else {
            return;
        };
        // The form as sent, not as edited since; the history takes the token out when it records the entry
        // (and keeps it only in the keyring).
        let form = self.sent_form.as_ref().unwrap_or(&self.form);
        entry.form = Some(RequestForm::Exchange(form.clone()));
        entry.secrets = self
            .sender
            .last_client_secret
            .iter()
            .map(crate::core::secret::SecretRef::new)
            .collect();
        cx.record(entry, None, true, commands);
    }

    /// Loads a form from the history (its tokens were not kept: paste them again).
    pub fn load(&mut self, form: ExchangeForm) {
        self.form = form;
    }

    /// Takes the end of "Sign in with browser": the code exchange's answer, with its tokens one click from the
    /// inspector and the Delegation form, goes to the answer area.
    fn signed_in(&mut self, id: RequestId, result: Result<HttpAnswer, String>) {
        if let Some(signed) = self.browser.finished(id, result) {
            self.browser.outcome = Some(Ok(format!(
                "Signed in as {} at {}: the tokens are in the answer below",
                signed.user, signed.client_id
            )));
            self.sender.show_answer(signed.answer, Endpoint::Token);
        }
    }

    /// Takes a subject token the local issuer minted, if the form still asks for that kind.
    fn minted(&mut self, kind: Provider, result: Result<String, String>) {
        match result {
            Ok(token) if self.form.subject_type.provider() == Some(kind) => {
                self.form.subject_token = token;
                self.minting = None;
            }
            Ok(_) => self.minting = None,
            Err(e) => self.minting = Some(Err(e)),
        }
    }

    /// Asks the local issuer for a subject token of the form's kind (an Apple code, a Facebook token, a Google
    /// ID token), which fills the field when it comes.
    pub fn mint_subject_token(&mut self, commands: &mut Vec<Command>) {
        if let Some(kind) = self.form.subject_type.provider() {
            self.minting = Some(Ok(()));
            commands.push(Command::Issuer(IssuerCommand::MintSubjectToken(kind)));
        }
    }

    /// Prepares an exchange of a fresh Apple authorization code minted by the local issuer for `client_id`,
    /// without DPoP or client secret; `first_name`/`last_name` go in `user_profile`.
    pub fn prepare_local_apple(
        &mut self,
        client_id: &str,
        (first_name, last_name): (&str, &str),
        commands: &mut Vec<Command>,
    ) {
        self.form = ExchangeForm {
            client_id: client_id.to_owned(),
            subject_type: SubjectType::AppleCode,
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            ..ExchangeForm::default()
        };
        self.sender.target = Target::LocalIssuer;
        self.use_dpop = false;
        self.client_secret = ClientSecretChoice::default();
        self.mint_subject_token(commands);
    }

    /// The request the form makes now, or every field error.
    pub fn request(&self, cx: &PanelContext<'_>) -> Result<HttpRequest, Vec<FieldError>> {
        self.sender.validate_with(cx, cx.request_timeout, |base, limit| {
            self.form.validate(base, limit, None)
        })
    }
}

/// What comes back to the Token exchange form.
#[derive(Debug)]
pub enum ExchangeEvent {
    /// The answer to Send.
    Answered {
        /// The request.
        id: RequestId,
        /// The answer, or why there is none.
        result: Result<HttpAnswer, HttpError>,
        /// The DPoP proof it was sent with.
        dpop_proof: Option<String>,
    },
    /// "Sign in with browser" progressed.
    SignIn(SignInEvent),
    /// The local issuer minted a subject token of this kind, or could not.
    SubjectToken {
        /// The kind asked for.
        kind: Provider,
        /// The token or the error.
        result: Result<String, String>,
    },
    /// The token of a form loaded from the history, read back from the keyring.
    KeptToken(String),
    /// "Copy as curl" with the client secret finished.
    CurlCopied(Result<String, String>),
    /// "Generate a DPoP key" finished.
    KeyGenerated(Result<String, String>),
}

impl Panel for ExchangePanel {
    type Event = ExchangeEvent;

    fn apply(&mut self, event: ExchangeEvent, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        match event {
            ExchangeEvent::Answered { id, result, dpop_proof } => self.answered((id, result, dpop_proof), cx, commands),
            ExchangeEvent::SignIn(SignInEvent::Opened { id, url, browser }) => self.browser.opened(id, url, browser),
            ExchangeEvent::SignIn(SignInEvent::Finished { id, result }) => self.signed_in(id, result),
            ExchangeEvent::SubjectToken { kind, result } => self.minted(kind, result),
            ExchangeEvent::KeptToken(token) => self.form.subject_token = token,
            ExchangeEvent::CurlCopied(result) => self.sender.curl_copied(result),
            ExchangeEvent::KeyGenerated(result) => self.key_generated = Some(result),
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        ui.heading("Token exchange");
        ui.label(
            "Native social login: exchange an Apple, Facebook or Google artifact for Auth0 tokens at POST /oauth/token",
        );
        let request = self.request(cx);
        let errors = request.as_ref().err().cloned().unwrap_or_default();
        super::form_source::source_ui(ui, (&mut self.sender, &mut self.form), cx, commands);
        // A field left empty is not shouted at: the Send line says what is missing.
        let shown: Vec<FieldError> = errors
            .iter()
            .filter(|e| !matches!(e.field, "client_id" | "subject_token"))
            .cloned()
            .collect();
        field_errors(ui, &shown, "environment");
        self.fields_ui(ui, &shown, cx, commands);
        if self.secret_chosen_for != self.sender.target {
            self.client_secret = ClientSecretChoice::default();
            self.secret_chosen_for = self.sender.target.clone();
        }
        self.client_secret.ui(ui, &self.sender.target, cx);
        self.dpop_ui(ui, cx.keyring_names, commands);
        egui::CollapsingHeader::new("Advanced")
            .id_salt("exchange_advanced")
            .show(ui, |ui| cx.request_timeout.ui(ui));
        let secret_item = self.client_secret.chosen_item(&self.sender.target, cx);
        let blocker = match (errors.first(), &secret_item) {
            (Some(e), _) => Some(format!("{}: {}", e.field, e.message)),
            (None, Err(reason)) => Some(format!("client secret: {reason}")),
            (None, Ok(_)) => None,
        };
        if self
            .sender
            .send_ui(ui, HttpOwner::Exchange, blocker.as_deref(), None, cx.zone, commands)
            && let (Ok(request), Ok(client_secret)) = (request, secret_item)
        {
            let items = KeyringItems {
                client_secret,
                dpop_key: self.use_dpop.then(|| self.dpop_key_item()),
            };
            self.last_proof = None;
            self.sent_form = Some(self.form.clone());
            self.sender.send_with(HttpOwner::Exchange, request, items, commands);
        }
        let subject = self.form.subject_token.trim().to_owned();
        let secrets = [SecretValue {
            variable: "SUBJECT_TOKEN",
            meaning: "the subject token",
            value: &subject,
        }];
        let input = matches!(self.form.subject_type, SubjectType::GoogleIdToken).then_some(subject.as_str());
        self.sender.answer_ui(ui, &secrets, input, (cx.now, cx.zone), commands);
    }
}

impl ExchangePanel {
    fn fields_ui(
        &mut self,
        ui: &mut egui::Ui,
        errors: &[FieldError],
        cx: &PanelContext<'_>,
        commands: &mut Vec<Command>,
    ) {
        labelled_line(
            ui,
            "Client ID",
            &mut self.form.client_id,
            "the native application, e.g. demo-native",
        );
        let known = known_clients::known_clients(&self.sender.target, cx);
        known_clients::picker_ui(ui, "exchange_known_clients", &mut self.form.client_id, &known);
        field_errors(ui, errors, "client_id");
        self.subject_type_ui(ui);
        field_errors(ui, errors, "subject_token_type");
        let label = ui.label("Subject token");
        ui.add(
            egui::TextEdit::multiline(&mut self.form.subject_token)
                .id_salt("exchange_subject_token")
                .font(egui::TextStyle::Monospace)
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        field_errors(ui, errors, "subject_token");
        self.mint_ui(ui, cx, commands);
        self.sign_in_ui(ui, cx, commands);
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.form.use_resource, false, "audience");
            ui.selectable_value(&mut self.form.use_resource, true, "resource");
        });
        labelled_line(
            ui,
            "Audience",
            &mut self.form.audience,
            "API identifier, e.g. https://api.demo.local/",
        );
        labelled_line(
            ui,
            "Scope",
            &mut self.form.scope,
            crate::core::auth0::exchange::DEFAULT_SCOPE,
        );
        self.profile_ui(ui);
        field_errors(ui, errors, "user_profile");
        labelled_line(
            ui,
            "auth0-forwarded-for",
            &mut self.form.forwarded_for,
            "end-user IP (optional)",
        );
        field_errors(ui, errors, "forwarded_for");
    }

    /// "Sign in with browser" at the form's environment, client and audience (not a resource indicator).
    fn sign_in_ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>, commands: &mut Vec<Command>) {
        let request = || {
            let base_url = self.sender.base_url(cx.local_issuer, cx.workspace)?;
            let audience = self.form.audience.trim();
            Ok(LoginRequest {
                base_url,
                client_id: self.form.client_id.clone(),
                audience: (!self.form.use_resource && !audience.is_empty()).then(|| audience.to_owned()),
                scope: DEFAULT_SCOPE.to_owned(),
            })
        };
        let button = (SignInOwner::Exchange, "Sign in with browser");
        self.browser.ui(ui, button, request, commands);
    }

    /// "Get one from the local issuer": offered while the form sends to the running local issuer and the type
    /// is a provider the issuer simulates.
    fn mint_ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>, commands: &mut Vec<Command>) {
        let local = self.sender.target == Target::LocalIssuer && cx.local_issuer.is_some();
        if !local || self.form.subject_type.provider().is_none() {
            return;
        }
        ui.horizontal(|ui| {
            if matches!(self.minting, Some(Ok(()))) {
                ui.spinner();
                ui.label("Asking the local issuer…");
            } else if ui
                .button("Get one from the local issuer")
                .on_hover_text(format!(
                    "A simulated {} for the provider's demo user, which only this local issuer accepts",
                    self.form.subject_type.title()
                ))
                .clicked()
            {
                self.mint_subject_token(commands);
            }
            if let Some(Err(e)) = &self.minting {
                inline_error(ui, e);
            }
        });
    }

    fn dpop_key_item(&self) -> String {
        match self.dpop_key.trim() {
            "" => DEFAULT_DPOP_KEY.to_owned(),
            name => name.to_owned(),
        }
    }

    /// DPoP: on or off, the key's keyring item (generated on request), and the last proof for the inspector.
    fn dpop_ui(&mut self, ui: &mut egui::Ui, keyring_names: &[String], commands: &mut Vec<Command>) {
        ui.checkbox(
            &mut self.use_dpop,
            "DPoP: bind the tokens to a key (a fresh ES256 proof per request)",
        );
        if !self.use_dpop {
            return;
        }
        labelled_line(ui, "DPoP key item", &mut self.dpop_key, DEFAULT_DPOP_KEY);
        let item = self.dpop_key_item();
        if keyring_names.contains(&item) {
            ui.label(format!("The proof is signed with {item} from the keyring"));
        } else {
            ui.horizontal(|ui| {
                ui.label(format!("There is no {item} in the keyring yet"));
                if ui.button("Generate a DPoP key").clicked() {
                    commands.push(Command::Secrets(SecretsCommand::Generate {
                        owner: Owner::ExchangeDpopKey,
                        name: item.clone(),
                        kind: KeyKind::P256,
                    }));
                }
            });
        }
        match &self.key_generated {
            Some(Ok(message)) => {
                ui.label(message.as_str());
            }
            Some(Err(e)) => inline_error(ui, e),
            None => {}
        }
        if let Some(proof) = &self.last_proof {
            ui.horizontal(|ui| {
                ui.label("The last request's proof");
                if ui.button("Inspect DPoP proof").clicked() {
                    commands.push(Command::App(AppCommand::OpenInInspector {
                        token: proof.clone(),
                        origin: TokenOrigin::Response {
                            field: "DPoP proof".to_owned(),
                            input: None,
                        },
                    }));
                }
            });
        }
    }

    fn subject_type_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            let combo = egui::ComboBox::from_id_salt("subject_token_type");
            let chosen = self.form.subject_type.title().to_owned();
            choice(ui, combo, "Subject token type", &chosen, |ui| {
                for preset in SubjectType::PRESETS {
                    let title = preset.title().to_owned();
                    ui.selectable_value(&mut self.form.subject_type, preset, title);
                }
                let custom = SubjectType::Custom(self.custom_uri.clone());
                ui.selectable_value(&mut self.form.subject_type, custom, "Custom URI");
            });
        });
        if let SubjectType::Custom(uri) = &mut self.form.subject_type {
            labelled_line(ui, "Custom type URI", uri, "urn:…");
            self.custom_uri.clone_from(uri);
        } else {
            ui.monospace(self.form.subject_type.uri());
        }
    }

    fn profile_ui(&mut self, ui: &mut egui::Ui) {
        egui::CollapsingHeader::new("user_profile (sent as a JSON string)").show(ui, |ui| {
            if self.form.subject_type == SubjectType::AppleCode {
                labelled_line(
                    ui,
                    "First name",
                    &mut self.form.first_name,
                    "Apple sends the name only once",
                );
                labelled_line(ui, "Last name", &mut self.form.last_name, "");
            }
            let label = ui.label("Profile JSON");
            ui.add(
                egui::TextEdit::multiline(&mut self.form.profile_json)
                    .id_salt("exchange_profile_json")
                    .font(egui::TextStyle::Monospace)
                    .desired_rows(3)
                    .hint_text("{\"email\":\"alice@example.com\",\"name\":\"Alice\"}"),
            )
            .labelled_by(label.id);
            if let Ok(Some(profile)) = self.form.user_profile() {
                ui.label(format!("Sent as: {profile}"));
            }
        });
    }
}
