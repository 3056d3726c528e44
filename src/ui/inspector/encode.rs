//! The inspector's Encode mode: header and payload JSON checked as typed, time helpers, an algorithm picker
//! and the key. A typed HMAC secret signs right here (it is fast and pure); a key in the keyring is used by
//! the backend, so a private key never reaches the UI thread.

use crate::core::encode::{Draft, parse_header, parse_payload, set_member, sign_draft};
use crate::core::secret::SecretString;
use crate::core::sign::{ALGORITHMS, is_hmac};
use crate::ui::command::{Command, RequestId, SecretsCommand, next_request_id};
use crate::ui::panel::PanelContext;
use crate::ui::theme;
use crate::ui::widgets::a11y::choice;
use crate::ui::widgets::fields::{inline_error, secret_line};
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};
use std::hash::{DefaultHasher, Hash, Hasher};
use zeroize::Zeroizing;

/// Where an HMAC secret comes from; private keys always come from the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HmacKeyFrom {
    /// Typed here, kept in memory only.
    #[default]
    Typed,
    /// Read from a keyring item by the backend.
    Keyring,
}

/// The header and payload checks, redone only when either text changes.
struct Checks {
    texts: u64,
    header: Result<(Algorithm, Map<String, Value>), String>,
    payload: Result<Map<String, Value>, String>,
}

impl Checks {
    fn of(header: &str, payload: &str) -> Self {
        Self {
            texts: texts_hash(header, payload),
            header: parse_header(header),
            payload: parse_payload(payload),
        }
    }

    fn alg(&self) -> Option<Algorithm> {
        self.header.as_ref().ok().map(|(alg, _)| *alg)
    }

    fn draft(&self) -> Option<Draft> {
        match (&self.header, &self.payload) {
            (Ok((alg, header)), Ok(claims)) => Some(Draft {
                alg: *alg,
                header: header.clone(),
                claims: claims.clone(),
            }),
            _ => None,
        }
    }
}

fn texts_hash(header: &str, payload: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    (header, payload).hash(&mut hasher);
    hasher.finish()
}

/// The Encode form. The typed secret is wiped when replaced or dropped and never saved.
pub struct EncodeForm {
    /// Header JSON as typed.
    pub header: String,
    /// Payload JSON as typed.
    pub payload: String,
    /// Where an HMAC secret comes from.
    pub hmac_from: HmacKeyFrom,
    /// The typed HMAC secret.
    pub secret: Zeroizing<String>,
    /// Whether the typed secret is shown in clear.
    pub show_secret: bool,
    /// The keyring item holding the key.
    pub item: String,
    /// Why the last signing failed, or why a pick could not be applied.
    pub message: Option<String>,
    signing: Option<RequestId>,
    checks: Option<Checks>,
}

impl Default for EncodeForm {
    fn default() -> Self {
        Self {
            header: "{\n  \"alg\": \"HS256\",\n  \"typ\": \"JWT\"\n}".to_owned(),
            payload: "{\n  \"sub\": \"auth0|42\",\n  \"name\": \"Ada Lovelace\"\n}".to_owned(),
            hmac_from: HmacKeyFrom::default(),
            secret: Zeroizing::default(),
            show_secret: false,
            item: String::new(),
            message: None,
            signing: None,
            checks: None,
        }
    }
}

impl EncodeForm {
    /// Whether a keyring signing is under way.
    pub fn is_signing(&self) -> bool {
        self.signing.is_some()
    }

    /// Takes a signing answer; returns the token when it answers the signing under way.
    pub fn signed(&mut self, id: RequestId, result: Result<String, String>) -> Option<String> {
        if self.signing != Some(id) {
            return None;
        }
        self.signing = None;
        result.map_err(|e| self.message = Some(e)).ok()
    }

    /// The checks of the current texts: the cached ones when the texts are unchanged.
    fn take_checks(&mut self) -> Checks {
        let texts = texts_hash(&self.header, &self.payload);
        match self.checks.take() {
            Some(checks) if checks.texts == texts => checks,
            _ => Checks::of(&self.header, &self.payload),
        }
    }

    /// Draws the form. Returns a token signed right here (typed HMAC secret); keyring signing answers later
    /// through [`Self::apply_secrets`].
    pub fn ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>, commands: &mut Vec<Command>) -> Option<String> {
        let checks = self.take_checks();
        json_editor_ui(ui, "Header JSON", &mut self.header, checks.header.as_ref().err());
        self.algorithm_ui(ui, checks.header.as_ref().ok().map(|(_, h)| h));
        ui.add_space(theme::SECTION_GAP);
        json_editor_ui(ui, "Payload JSON", &mut self.payload, checks.payload.as_ref().err());
        self.time_helpers_ui(ui, checks.payload.is_ok(), cx.now);
        ui.add_space(theme::SECTION_GAP);
        if let Some(alg) = checks.alg() {
            self.key_ui(ui, alg, cx);
        }
        let signed = self.sign_ui(ui, &checks, cx.keyring_names, commands);
        // Kept only if the texts are unchanged; otherwise the next frame checks them again.
        self.checks = Some(checks);
        signed
    }

    fn algorithm_ui(&mut self, ui: &mut egui::Ui, header: Option<&Map<String, Value>>) {
        let current = header
            .and_then(|h| h.get("alg"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut picked = None;
        ui.horizontal(|ui| {
            let combo = egui::ComboBox::from_id_salt("encode_alg").height(theme::ALG_MENU_HEIGHT);
            choice(ui, combo, "Algorithm", current.as_deref().unwrap_or("Choose…"), |ui| {
                for name in ALGORITHMS {
                    if ui.selectable_label(current.as_deref() == Some(name), name).clicked() {
                        picked = Some(name);
                    }
                }
            });
        });
        if let Some(name) = picked {
            match set_member(&self.header, "alg", Value::from(name)) {
                Some(text) => {
                    self.header = text;
                    self.message = None;
                }
                None => {
                    self.message = Some(format!(
                        "{name} was not set: the header is not a JSON object yet; fix it, then pick again"
                    ))
                }
            }
        }
    }

    fn time_helpers_ui(&mut self, ui: &mut egui::Ui, payload_ok: bool, now: i64) {
        let helpers = [
            ("iat = now", "iat", now),
            ("exp = now + 1 h", "exp", now + 3600),
            ("nbf = now", "nbf", now),
        ];
        ui.horizontal(|ui| {
            for (title, claim, value) in helpers {
                let button = ui
                    .add_enabled(payload_ok, egui::Button::new(title))
                    .on_disabled_hover_text("Fix the payload JSON first");
                if button.clicked()
                    && let Some(text) = set_member(&self.payload, claim, Value::from(value))
                {
                    self.payload = text;
                }
            }
        });
    }

    fn key_ui(&mut self, ui: &mut egui::Ui, alg: Algorithm, cx: &PanelContext<'_>) {
        if !is_hmac(alg) {
            item_picker_ui(
                ui,
                &mut self.item,
                cx.keyring_names,
                "a PEM private key for this algorithm",
            );
            return;
        }
        ui.horizontal(|ui| {
            // Each choice is named by its own text; a shared label would give both the same name.
            ui.label("Signing key");
            ui.selectable_value(&mut self.hmac_from, HmacKeyFrom::Typed, "Type a secret");
            ui.selectable_value(&mut self.hmac_from, HmacKeyFrom::Keyring, "From the keyring");
        });
        match self.hmac_from {
            HmacKeyFrom::Typed => {
                secret_line(
                    ui,
                    "Signing secret",
                    &mut self.secret,
                    &mut self.show_secret,
                    cx.memory_only,
                );
            }
            HmacKeyFrom::Keyring => item_picker_ui(ui, &mut self.item, cx.keyring_names, "the HMAC secret"),
        }
    }

    /// Whether the keyring signs (rather than this panel with the typed secret).
    fn uses_keyring(&self, alg: Algorithm) -> bool {
        !is_hmac(alg) || self.hmac_from == HmacKeyFrom::Keyring
    }

    /// Why Sign is disabled, if it is.
    fn blocker(&self, checks: &Checks, keyring_names: &[String]) -> Option<&'static str> {
        let Some(alg) = checks.alg() else {
            return Some("fix the header JSON first");
        };
        if checks.payload.is_err() {
            return Some("fix the payload JSON first");
        }
        if self.uses_keyring(alg) && !keyring_names.contains(&self.item) {
            return Some("choose the keyring item holding the key");
        }
        if !self.uses_keyring(alg) && self.secret.is_empty() {
            return Some("type the signing secret");
        }
        None
    }

    fn sign_ui(
        &mut self,
        ui: &mut egui::Ui,
        checks: &Checks,
        keyring_names: &[String],
        commands: &mut Vec<Command>,
    ) -> Option<String> {
        let mut signed = None;
        ui.horizontal_wrapped(|ui| {
            if self.signing.is_some() {
                ui.spinner();
                ui.label("Signing with the keyring item…");
                if ui.button("Cancel").clicked() {
                    self.signing = None;
                }
                return;
            }
            let blocker = self.blocker(checks, keyring_names);
            let sign = ui.add_enabled(blocker.is_none(), egui::Button::new("Sign"));
            if let Some(reason) = blocker {
                ui.label(
                    egui::RichText::new(format!("Sign is disabled: {reason}"))
                        .color(theme::muted(ui.visuals().dark_mode)),
                );
            }
            if sign.clicked()
                && let Some(draft) = checks.draft()
            {
                signed = self.sign(draft, commands);
            }
        });
        if let Some(message) = &self.message {
            inline_error(ui, message);
        }
        signed
    }

    /// Signs with the typed secret here, or asks the backend to sign with the keyring item.
    fn sign(&mut self, draft: Draft, commands: &mut Vec<Command>) -> Option<String> {
        self.message = None;
        if self.uses_keyring(draft.alg) {
            let id = next_request_id();
            commands.push(Command::Secrets(SecretsCommand::SignJwt {
                id,
                item: self.item.clone(),
                draft,
            }));
            self.signing = Some(id);
            return None;
        }
        let key = SecretString::new(self.secret.as_str());
        sign_draft(&draft, &key)
            .map_err(|e| self.message = Some(e.to_string()))
            .ok()
    }
}

/// A labelled monospace JSON editor with its error right under it.
fn json_editor_ui(ui: &mut egui::Ui, label: &str, text: &mut String, error: Option<&String>) {
    let title = ui.label(label);
    ui.add(
        egui::TextEdit::multiline(text)
            .id_salt(label)
            .font(egui::TextStyle::Monospace)
            .desired_rows(5)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(title.id);
    if let Some(error) = error {
        inline_error(ui, error);
    }
}

/// Picks a keyring item by name; says how to get one when there are none.
fn item_picker_ui(ui: &mut egui::Ui, item: &mut String, names: &[String], holding: &str) {
    if names.is_empty() {
        inline_error(
            ui,
            "The keyring has no items yet: generate an RSA-2048 or EC P-256 key (or an HMAC secret) in the \
             Secrets tab, or import a PEM private key there",
        );
        return;
    }
    ui.horizontal(|ui| {
        let shown = if names.contains(item) {
            item.clone()
        } else {
            "Choose…".to_owned()
        };
        let combo = egui::ComboBox::from_id_salt("encode_item");
        choice(ui, combo, "Keyring item", &shown, |ui| {
            for name in names {
                ui.selectable_value(item, name.clone(), name);
            }
        })
        .response
        .on_hover_text(format!("The item holding {holding}"));
    });
}
