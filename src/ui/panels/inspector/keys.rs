//! The verification key form: secret (text or base64), PEM/JWK/JWKS text, JWKS URL, or discovery from `iss`.

use crate::core::jwt::key::{KeyInput, KeyMaterial, parse_key};
use crate::core::secret::{SecretString, validate_item_name};
use crate::ui::command::{Command, RequestId, SecretPurpose};
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
            Self::Discover => "Discover from iss",
        }
    }
}

/// Which issuer discovery would ask, and whether that issuer is only what the token says about itself.
pub struct Discovery {
    /// The issuer to discover from.
    pub issuer: Option<String>,
    /// True when it is the token's own `iss` (no expected issuer was given).
    pub from_token: bool,
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
    /// Keyring item names, for "load from keyring".
    pub keyring_names: Vec<String>,
    /// The result of the last keyring change, shown next to the secret field.
    pub keyring_message: Option<Result<String, String>>,
    save_as: String,
    fetched: Option<(String, String)>,
    parsed: Option<(KeyFingerprint, Result<Option<KeyMaterial>, String>)>,
    fetching: Option<RequestId>,
    fetch_error: Option<String>,
    next_id: RequestId,
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
                Some((_, jwks)) => parse_key(KeyInput::KeyText(jwks)),
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        parsed.map(Some).map_err(|e| e.to_string())
    }

    /// Applies a fetch result if it answers the running request.
    pub fn fetched(&mut self, id: RequestId, result: Result<(String, String), String>) {
        if self.fetching != Some(id) {
            return;
        }
        self.fetching = None;
        match result {
            Ok(keys) => {
                self.fetched = Some(keys);
                self.fetch_error = None;
            }
            Err(e) => self.fetch_error = Some(e),
        }
    }

    /// Whether a fetch is running.
    pub fn is_fetching(&self) -> bool {
        self.fetching.is_some()
    }

    /// Draws the form. `issuer` is the token's `iss`, for discovery.
    pub fn ui(&mut self, ui: &mut egui::Ui, discovery: &Discovery, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let label = ui.label("Key");
            egui::ComboBox::from_id_salt("key_source")
                .selected_text(self.source.title())
                .show_ui(ui, |ui| {
                    for source in KeySource::ALL {
                        ui.selectable_value(&mut self.source, source, source.title());
                    }
                })
                .response
                .labelled_by(label.id);
        });
        match self.source {
            KeySource::Secret | KeySource::SecretBase64 => {
                secret_line(ui, "Secret", &mut self.secret, &mut self.show_secret);
                self.keyring_ui(ui, commands);
            }
            KeySource::KeyText => self.key_text_ui(ui),
            KeySource::JwksUrl => self.fetch_ui(ui, None, commands),
            KeySource::Discover => {
                if discovery.from_token && discovery.issuer.is_some() {
                    inline_error(
                        ui,
                        "Keys come from the issuer the token names itself, so a forged token can bring its own \
                         keys: set the expected issuer below",
                    );
                }
                self.fetch_ui(ui, discovery.issuer.as_deref(), commands);
            }
        }
        if let Err(e) = self.material() {
            inline_error(ui, &e);
        }
    }

    /// "Save to keyring" and "Load from keyring" for the secret field; nothing here is kept otherwise.
    fn keyring_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
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
                commands.push(Command::StoreSecret {
                    name: self.save_as.clone(),
                    value,
                });
            }
            if !self.keyring_names.is_empty() {
                ui.menu_button("Load from keyring", |ui| {
                    for name in &self.keyring_names {
                        if ui.button(name).clicked() {
                            commands.push(Command::FetchSecret {
                                name: name.clone(),
                                purpose: SecretPurpose::Inspector,
                            });
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

    fn fetch_ui(&mut self, ui: &mut egui::Ui, issuer: Option<&str>, commands: &mut Vec<Command>) {
        let discover = self.source == KeySource::Discover;
        if discover {
            match issuer {
                Some(iss) => ui.label(format!("JWKS from {}", crate::core::oidc::discovery_url(iss))),
                None => ui.label("The token has no iss claim: use a JWKS URL instead"),
            };
        } else {
            labelled_line(
                ui,
                "JWKS URL",
                &mut self.jwks_url,
                "https://TENANT.auth0.com/.well-known/jwks.json",
            );
        }
        ui.horizontal(|ui| {
            if let Some(id) = self.fetching {
                ui.spinner();
                ui.label("Fetching keys…");
                if ui.button("Cancel").clicked() {
                    commands.push(Command::Cancel(id));
                    self.fetching = None;
                }
                return;
            }
            let ready = if discover {
                issuer.is_some()
            } else {
                !self.jwks_url.trim().is_empty()
            };
            let title = if discover { "Discover" } else { "Fetch" };
            if ui.add_enabled(ready, egui::Button::new(title)).clicked() {
                self.next_id += 1;
                self.fetching = Some(self.next_id);
                self.fetch_error = None;
                commands.push(match (discover, issuer) {
                    (true, Some(iss)) => Command::DiscoverJwks {
                        id: self.next_id,
                        issuer: iss.to_owned(),
                    },
                    _ => Command::FetchJwks {
                        id: self.next_id,
                        url: self.jwks_url.trim().to_owned(),
                    },
                });
            }
            if let Some((origin, _)) = &self.fetched {
                ui.label(format!("Keys from {origin}"));
            }
        });
        if let Some(e) = &self.fetch_error {
            inline_error(ui, e);
        }
    }
}
