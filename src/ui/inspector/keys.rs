//! The verification key form: secret (text or base64), PEM/JWK/JWKS text, JWKS URL, or discovery from `iss`.

use crate::core::http::{HttpAnswer, HttpError, trusted_url};
use crate::core::jwt::key::{KeyInput, KeyMaterial, parse_key};
use crate::core::oidc;
use crate::core::oidc::key_fetch::{KeyFetch, KeyFetchError, Progress};
use crate::core::secret::{SecretString, validate_item_name};
use crate::ui::command::{Command, HttpCommand, HttpOwner, RequestId, SecretPurpose, SecretsCommand, next_request_id};
use crate::ui::widgets::a11y::choice;
use crate::ui::widgets::fields::{inline_error, labelled_line, secret_line};
use std::hash::{DefaultHasher, Hash, Hasher};
use zeroize::Zeroizing;

/// Where the verification key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeySource {
    /// HMAC secret typed as text.
    #[default]
    Secret,
    /// HMAC secret in base64 (Auth0 `secret_encoded`).
    SecretBase64,
    /// PEM public key or certificate, JWK or JWKS pasted as text.
    KeyText,
    /// JWKS fetched from a URL.
    JwksUrl,
    /// JWKS discovered from the token's `iss`.
    Discover,
}

impl KeySource {
    const ALL: [KeySource; 5] = [
        Self::Secret,
        Self::SecretBase64,
        Self::KeyText,
        Self::JwksUrl,
        Self::Discover,
    ];

    fn title(self) -> &'static str {
        match self {
            Self::Secret => "Secret (text)",
            Self::SecretBase64 => "Secret (base64)",
            Self::KeyText => "PEM, certificate, JWK or JWKS",
            Self::JwksUrl => "JWKS URL",
            Self::Discover => "Discover from the expected issuer",
        }
    }
}

/// What fetched keys are valid for: the source, the address asked, the token and the expected issuer.
/// When any of these changes, the keys are dropped; a token never keeps keys fetched for another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    /// JWKS URL or discovery.
    pub source: KeySource,
    /// The JWKS URL or the issuer, as asked.
    pub address: String,
    /// The token text.
    pub token: String,
    /// The expected issuer.
    pub expected_issuer: String,
}

/// Keys fetched for one binding.
#[derive(Clone, PartialEq, Eq, Hash)]
struct FetchedKeys {
    binding: KeyBinding,
    /// The address that answered, after redirects.
    final_url: String,
    jwks: String,
}

/// A running fetch.
struct Running {
    id: RequestId,
    fetch: KeyFetch,
    binding: KeyBinding,
}

/// A hash standing for the key inputs, so the analysis cache notices changes without copying secrets.
pub type KeyFingerprint = u64;

/// The key form's state. Secrets typed here stay in memory only.
#[derive(Default)]
pub struct KeyForm {
    /// The selected source.
    pub source: KeySource,
    /// HMAC secret (text or base64), wiped when replaced or dropped.
    pub secret: Zeroizing<String>,
    /// Whether the secret is shown in clear.
    pub show_secret: bool,
    /// Pasted PEM, JWK or JWKS (an oct JWK holds a secret), wiped when dropped.
    pub key_text: Zeroizing<String>,
    /// JWKS URL.
    pub jwks_url: String,
    /// The result of the last keyring change, shown next to the secret field.
    pub keyring_message: Option<Result<String, String>>,
    save_as: String,
    fetched: Option<FetchedKeys>,
    parsed: Option<(KeyFingerprint, Result<Option<KeyMaterial>, String>)>,
    fetching: Option<Running>,
    fetch_error: Option<String>,
}

impl KeyForm {
    /// A hash of everything that determines the key.
    pub fn fingerprint(&self) -> KeyFingerprint {
        let mut hasher = DefaultHasher::new();
        (self.source, self.secret.as_str(), self.key_text.as_str(), &self.fetched).hash(&mut hasher);
        hasher.finish()
    }

    /// The key to verify with: `Ok(None)` when none is given, `Err` (shown next to the field) when unreadable.
    /// Parsed once per change of the key inputs, not once per frame.
    pub fn material(&mut self) -> Result<Option<KeyMaterial>, String> {
        let fingerprint = self.fingerprint();
        if let Some((cached, result)) = &self.parsed
            && *cached == fingerprint
        {
            return result.clone();
        }
        let result = self.parse_material();
        self.parsed = Some((fingerprint, result.clone()));
        result
    }

    fn parse_material(&self) -> Result<Option<KeyMaterial>, String> {
        let parsed = match self.source {
            KeySource::Secret if !self.secret.is_empty() => parse_key(KeyInput::SecretText(&self.secret)),
            KeySource::SecretBase64 if !self.secret.trim().is_empty() => {
                parse_key(KeyInput::SecretBase64(&self.secret))
            }
            KeySource::KeyText if !self.key_text.trim().is_empty() => parse_key(KeyInput::KeyText(&self.key_text)),
            KeySource::JwksUrl | KeySource::Discover => match &self.fetched {
                Some(keys) => parse_key(KeyInput::KeyText(&keys.jwks)).map(|m| m.fetched_from(&keys.final_url)),
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        parsed.map(Some).map_err(|e| e.to_string())
    }

    /// What fetched keys would be bound to right now.
    pub fn binding(&self, token: &str, expected_issuer: &str) -> KeyBinding {
        KeyBinding {
            source: self.source,
            address: match self.source {
                KeySource::Discover => expected_issuer.trim().to_owned(),
                _ => self.jwks_url.trim().to_owned(),
            },
            token: token.to_owned(),
            expected_issuer: expected_issuer.trim().to_owned(),
        }
    }

    /// Drops fetched keys (and forgets a running fetch) that were asked for another binding.
    pub fn forget_unless(&mut self, binding: &KeyBinding) {
        if self.fetched.as_ref().is_some_and(|keys| keys.binding != *binding) {
            self.fetched = None;
        }
        if self.fetching.as_ref().is_some_and(|run| run.binding != *binding) {
            self.fetching = None;
        }
    }

    /// Where the keys in use came from (the final URL, after redirects).
    pub fn key_origin(&self) -> Option<&str> {
        match self.source {
            KeySource::JwksUrl | KeySource::Discover => self.fetched.as_ref().map(|k| k.final_url.as_str()),
            _ => None,
        }
    }

    /// Applies an HTTP answer if it answers the running fetch; a discovery answer starts the JWKS fetch.
    pub fn apply_answer(&mut self, id: RequestId, result: Result<HttpAnswer, HttpError>, commands: &mut Vec<Command>) {
        let Some(running) = self.fetching.take_if(|run| run.id == id) else {
            return;
        };
        match running.fetch.answer(result) {
            Ok(Progress::Keys(keys)) => {
                self.fetched = Some(FetchedKeys {
                    binding: running.binding,
                    final_url: keys.final_url,
                    jwks: keys.jwks,
                });
                self.fetch_error = None;
            }
            Ok(Progress::Next(fetch)) => self.start_fetch(fetch, running.binding, commands),
            Err(KeyFetchError::Cancelled) => {}
            Err(e) => self.fetch_error = Some(e.to_string()),
        }
    }

    /// Takes the verification secret read from the keyring, or why it could not be read.
    pub fn secret_read(&mut self, result: Result<crate::core::secret::SecretString, String>) {
        match result {
            Ok(value) => self.secret = Zeroizing::new(value.expose().to_owned()),
            Err(e) => self.keyring_message = Some(Err(e)),
        }
    }

    /// Takes the outcome of saving the secret to the keyring.
    pub fn keyring_changed(&mut self, result: Result<String, String>) {
        self.keyring_message = Some(result);
    }

    /// Sends the request the fetch asks for next and remembers the fetch until its answer arrives.
    fn start_fetch(&mut self, fetch: KeyFetch, binding: KeyBinding, commands: &mut Vec<Command>) {
        let id = next_request_id();
        commands.push(Command::Http(HttpCommand::Send {
            id,
            owner: HttpOwner::InspectorKeys,
            request: fetch.request(),
        }));
        self.fetching = Some(Running { id, fetch, binding });
        self.fetch_error = None;
    }

    /// Whether a fetch is running.
    pub fn is_fetching(&self) -> bool {
        self.fetching.is_some()
    }

    /// Draws the form. Returns the issuer to put in the expected-issuer field when the user asks to trust
    /// the token's own `iss`.
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &KeyView<'_>, commands: &mut Vec<Command>) -> Option<String> {
        ui.horizontal(|ui| {
            let chosen = self.source.title();
            choice(ui, egui::ComboBox::from_id_salt("key_source"), "Key", chosen, |ui| {
                for source in KeySource::ALL {
                    ui.selectable_value(&mut self.source, source, source.title());
                }
            });
        });
        let mut trust_iss = None;
        match self.source {
            KeySource::Secret | KeySource::SecretBase64 => {
                secret_line(ui, "Secret", &mut self.secret, &mut self.show_secret, view.memory_only);
                self.keyring_ui(ui, view.keyring_names, commands);
            }
            KeySource::KeyText => self.key_text_ui(ui),
            KeySource::JwksUrl => {
                labelled_line(
                    ui,
                    "JWKS URL",
                    &mut self.jwks_url,
                    "https://TENANT.auth0.com/.well-known/jwks.json",
                );
                let url = self.jwks_url.trim();
                let ready = (!url.is_empty()).then(|| trusted_url(url)).transpose();
                self.fetch_ui(ui, ready.map(|u| u.map(|u| u.to_string())), view, commands);
            }
            KeySource::Discover => trust_iss = self.discover_ui(ui, view, commands),
        }
        if let Err(e) = self.material() {
            inline_error(ui, &e);
        }
        trust_iss
    }

    /// Discovery asks only an issuer the user typed: the token's own `iss` is offered, never used silently.
    fn discover_ui(&mut self, ui: &mut egui::Ui, view: &KeyView<'_>, commands: &mut Vec<Command>) -> Option<String> {
        let issuer = view.binding.expected_issuer.as_str();
        let mut trust_iss = None;
        let ready = if issuer.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    "Type the expected issuer below first: keys are fetched only from an issuer you name, never \
                     from the one a token names itself",
                );
                if let Some(iss) = view.token_iss
                    && ui
                        .button("Use the token's iss")
                        .on_hover_text(format!("Trust {iss} as the expected issuer"))
                        .clicked()
                {
                    trust_iss = Some(iss.to_owned());
                }
            });
            Ok(None)
        } else {
            let url = oidc::discovery_url(issuer);
            ui.label(format!("JWKS from {url}"));
            trusted_url(&url).map(|u| Some(u.to_string()))
        };
        self.fetch_ui(ui, ready, view, commands);
        trust_iss
    }

    /// "Save to keyring" and "Load from keyring" for the secret field; nothing here is kept otherwise.
    fn keyring_ui(&mut self, ui: &mut egui::Ui, keyring_names: &[String], commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let label = ui.label("Save to keyring as");
            ui.add(
                egui::TextEdit::singleline(&mut self.save_as)
                    .hint_text("hmac_secret/my-app")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            let valid = validate_item_name(&self.save_as).is_ok() && !self.secret.is_empty();
            if ui.add_enabled(valid, egui::Button::new("Save secret")).clicked() {
                let value = SecretString::new(self.secret.as_str());
                commands.push(Command::Secrets(SecretsCommand::Store {
                    owner: crate::ui::command::Owner::Inspector,
                    name: self.save_as.clone(),
                    value,
                }));
            }
            if !keyring_names.is_empty() {
                ui.menu_button("Load from keyring", |ui| {
                    for name in keyring_names {
                        if ui.button(name).clicked() {
                            commands.push(Command::Secrets(SecretsCommand::Fetch {
                                name: name.clone(),
                                purpose: SecretPurpose::Inspector,
                            }));
                        }
                    }
                });
            }
        });
        if let Some(Err(e)) = &self.keyring_message {
            inline_error(ui, e);
        }
    }

    fn key_text_ui(&mut self, ui: &mut egui::Ui) {
        let label = ui.label("Public key");
        ui.add(
            egui::TextEdit::multiline(&mut *self.key_text)
                .hint_text("-----BEGIN PUBLIC KEY----- … , a certificate, {\"kty\":…} or {\"keys\":[…]}")
                .font(egui::TextStyle::Monospace)
                .desired_rows(4)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    }

    /// The Fetch/Discover button with spinner and Cancel. `target`: the first URL to ask, `Ok(None)` when
    /// nothing is typed yet, `Err` when the address is not trusted (shown inline).
    fn fetch_ui(
        &mut self,
        ui: &mut egui::Ui,
        target: Result<Option<String>, String>,
        view: &KeyView<'_>,
        commands: &mut Vec<Command>,
    ) {
        let discover = self.source == KeySource::Discover;
        ui.horizontal(|ui| {
            if let Some(running) = &self.fetching {
                ui.spinner();
                ui.label("Fetching keys…");
                if ui.button("Cancel").clicked() {
                    commands.push(Command::Http(HttpCommand::Cancel {
                        id: running.id,
                        owner: HttpOwner::InspectorKeys,
                    }));
                    self.fetching = None;
                }
                return;
            }
            let title = if discover { "Discover" } else { "Fetch" };
            let url = target.as_ref().ok().and_then(Option::as_deref);
            if ui.add_enabled(url.is_some(), egui::Button::new(title)).clicked()
                && let Some(url) = url
            {
                let fetch = if discover {
                    KeyFetch::discover(&view.binding.expected_issuer)
                } else {
                    KeyFetch::jwks(url)
                };
                match fetch {
                    Ok(fetch) => self.start_fetch(fetch, view.binding.clone(), commands),
                    Err(e) => self.fetch_error = Some(e.to_string()),
                }
            }
            if let Some(origin) = self.key_origin() {
                ui.label(format!("Keys from {origin}"));
            }
        });
        if let Err(e) = &target {
            inline_error(ui, e);
        }
        if let Some(e) = &self.fetch_error {
            inline_error(ui, e);
        }
    }
}

/// What the key form needs to know from the rest of the window.
pub struct KeyView<'a> {
    /// What keys fetched now would be bound to.
    pub binding: KeyBinding,
    /// The token's own `iss`, offered (never used silently) for discovery.
    pub token_iss: Option<&'a str>,
    /// Keyring item names, for "Load from keyring".
    pub keyring_names: &'a [String],
    /// Secrets are kept in memory only.
    pub memory_only: bool,
}
