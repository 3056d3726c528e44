//! The inspector: paste, type, drop or open a token; decode, explain, verify, diff and export a report.

mod decoded;
mod diff;
mod encode;
mod found;
mod keys;
mod verdict;

use crate::core::jwt::analysis::{Analysis, analyse, not_a_jwt_message};
use crate::core::jwt::input::normalize;
use crate::core::jwt::report::{Style, text_report};
use crate::core::jwt::{Expectations, Inspection};
use crate::ui::command::{AppCommand, Command, FilesCommand, FilesEvent, TokenOrigin};
use crate::ui::panel::{Panel, PanelContext};
use crate::ui::{theme, widgets};
pub use encode::{EncodeForm, HmacKeyFrom};
pub use keys::{KeyBinding, KeyForm, KeySource};
use std::time::Duration;

/// Inputs that determine the analysis; when they are unchanged, the cached analysis is reused.
#[derive(Clone, PartialEq)]
/// What the expensive part of an analysis (decoding, key parsing, signature) depends on; "now" is left out,
/// because a new second only needs [`Analysis::retime`].
struct AnalysisInputs {
    token: String,
    key: keys::KeyFingerprint,
    issuer: String,
    audience: String,
    leeway: i64,
}

/// What the inspector shows: a token taken apart, or the form that makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Decode, explain and verify a token.
    #[default]
    Decode,
    /// Write a header and payload and sign them.
    Encode,
}

/// The inspector's state.
#[derive(Default)]
pub struct InspectorPanel {
    /// Decode or Encode.
    pub mode: Mode,
    /// The Encode form.
    pub encode: EncodeForm,
    /// The token text exactly as typed or pasted.
    pub token: String,
    /// A token pinned for comparison, decoded once.
    pub pinned: Option<Box<crate::core::jwt::DecodedJwt>>,
    /// The verification key form.
    pub keys: KeyForm,
    /// Expected issuer.
    pub issuer: String,
    /// Expected audience.
    pub audience: String,
    /// Leeway as typed.
    pub leeway: String,
    /// A message about loading or saving (file errors, report saved…).
    pub notice: Option<String>,
    /// Shown after a save dialog gave nothing back: a path field for the report instead.
    pub offer_report_path: bool,
    /// The report path typed there.
    pub report_path: String,
    /// Where the token came from (a response, a file…), shown above it.
    pub origin: Option<TokenOrigin>,
    cache: Option<(AnalysisInputs, Analysis)>,
    /// The token the key form was last set up for (see [`InspectorPanel::set_up_keys`]).
    keys_set_up_for: String,
    /// Set when a token was loaded: the Token field takes the keyboard focus on the next frame.
    focus_token: bool,
    /// The tokens found in a text that is not one token (a log, a ticket).
    found: found::FoundTokens,
    /// The text a found token was picked from, and where that text came from: "Back to the pasted text".
    pasted: Option<(String, Option<TokenOrigin>)>,
}

impl InspectorPanel {
    /// A panel with the given leeway and token.
    pub fn new(leeway: i64, token: Option<String>) -> Self {
        Self {
            token: token.unwrap_or_default(),
            leeway: leeway.to_string(),
            ..Self::default()
        }
    }

    /// Replaces the token (from a paste, a file or the command line) and shows it decoded.
    pub fn load(&mut self, text: &str) {
        self.mode = Mode::Decode;
        self.origin = None;
        self.token = match crate::core::jwt::inspect(text) {
            Inspection::Jwt(jwt) => jwt.raw,
            _ => text.trim().to_owned(),
        };
        self.notice = None;
        self.focus_token = true;
        self.pasted = None;
    }

    /// Shows one token found in the text, keeping the text one click away.
    fn inspect_found(&mut self, token: &str) {
        let pasted = (std::mem::take(&mut self.token), self.origin.take());
        self.load(token);
        self.pasted = Some(pasted);
    }

    /// Shows again the text a found token was picked from.
    fn back_to_pasted(&mut self) {
        if let Some((text, origin)) = self.pasted.take() {
            self.token = text;
            self.origin = origin;
            self.notice = None;
            self.focus_token = true;
        }
    }

    /// Shows a token signed in Encode mode in the decoder.
    pub fn show_encoded(&mut self, token: &str) {
        self.load(token);
        self.origin = Some(TokenOrigin::Encoded);
        self.mode = Mode::Decode;
    }

    /// Loads a token and says where it came from.
    pub fn open(&mut self, token: &str, origin: TokenOrigin) {
        self.load(token);
        self.origin = Some(origin);
    }

    /// Pins `pinned` and shows `token` diffed against it.
    pub fn diff(&mut self, pinned: &str, token: &str) {
        self.load(pinned);
        self.pin();
        self.load(token);
    }

    /// Applies a file event: a token file goes to the app to be opened here; report and dialog outcomes
    /// are shown in the toolbar.
    fn apply_files(&mut self, event: FilesEvent, commands: &mut Vec<Command>) {
        match event {
            FilesEvent::TokenFileLoaded { path, result } => match result {
                Ok(token) => commands.push(Command::App(AppCommand::OpenInInspector {
                    token,
                    origin: TokenOrigin::File(path),
                })),
                // The message names the file already.
                Err(e) => self.notice = Some(e),
            },
            FilesEvent::NoFileChosen => {
                self.notice = Some(
                    "No file chosen. If no dialog appeared, this desktop has no file-chooser portal: paste the \
                     token or drop the file on the window instead"
                        .to_owned(),
                );
            }
            FilesEvent::ReportSaved(Ok(Some(path))) => {
                self.notice = Some(format!("Report saved to {}", path.display()));
                self.offer_report_path = false;
            }
            FilesEvent::ReportSaved(Ok(None)) => {
                self.notice = Some(crate::ui::command::NO_FILE_CHOSEN.to_owned());
                self.offer_report_path = true;
            }
            FilesEvent::ReportSaved(Err(e)) => self.notice = Some(format!("Report not saved: {e}")),
        }
    }

    /// The leeway, or why the typed text is not one.
    pub fn leeway_seconds(&self) -> Result<i64, String> {
        match self.leeway.trim().parse::<i64>() {
            Ok(seconds) if (0..=86_400).contains(&seconds) => Ok(seconds),
            _ => Err("leeway must be a whole number of seconds between 0 and 86400".to_owned()),
        }
    }

    /// The current analysis at `now`, recomputed only when an input changed.
    pub fn analysis(&mut self, now: i64) -> &Analysis {
        let binding = self.keys.binding(&self.token, &self.issuer);
        self.keys.forget_unless(&binding);
        let inputs = AnalysisInputs {
            token: self.token.clone(),
            key: self.keys.fingerprint(),
            issuer: self.issuer.trim().to_owned(),
            audience: self.audience.trim().to_owned(),
            leeway: self
                .leeway_seconds()
                .unwrap_or(crate::core::jwt::verify::DEFAULT_LEEWAY_SECONDS),
        };
        if self.cache.as_ref().is_some_and(|(cached, _)| *cached != inputs) {
            self.cache = None;
        }
        if let Some((_, analysis)) = self.cache.as_mut()
            && analysis.now != now
        {
            analysis.retime(now);
        }
        let key = if self.cache.is_none() {
            self.keys.material().ok().flatten()
        } else {
            None
        };
        let (_, analysis) = self.cache.get_or_insert_with(|| {
            let expect = Expectations {
                issuer: Some(inputs.issuer.clone()).filter(|s| !s.is_empty()),
                audience: Some(inputs.audience.clone()).filter(|s| !s.is_empty()),
                leeway: inputs.leeway,
            };
            let analysis = analyse(&inputs.token, key.as_ref(), &expect, now);
            (inputs, analysis)
        });
        analysis
    }

    /// The Markdown report of the current token.
    pub fn report(&mut self, now: i64, zone: &jiff::tz::TimeZone) -> String {
        text_report(self.analysis(now), zone, Style::Markdown)
    }
}

/// What comes back to the inspector.
#[derive(Debug)]
pub enum InspectorEvent {
    /// A token file was read, a report saved, or a dialog gave nothing back.
    File(FilesEvent),
    /// The key form's verification secret read from the keyring, or why not.
    SecretRead(Result<crate::core::secret::SecretString, String>),
    /// The key form saved its secret to the keyring, or why not.
    SecretSaved(Result<String, String>),
    /// Encode mode's token signed with a keyring key, or why not.
    Signed {
        /// The request.
        id: crate::ui::command::RequestId,
        /// The token or the error.
        result: Result<String, String>,
    },
    /// The key form's discovery document or JWKS answered.
    KeysAnswered {
        /// The request.
        id: crate::ui::command::RequestId,
        /// The answer, or why there is none.
        result: Result<crate::core::http::HttpAnswer, crate::core::http::HttpError>,
    },
}

impl Panel for InspectorPanel {
    type Event = InspectorEvent;

    fn apply(&mut self, event: InspectorEvent, _cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        match event {
            InspectorEvent::File(event) => self.apply_files(event, commands),
            InspectorEvent::SecretRead(result) => self.keys.secret_read(result),
            InspectorEvent::SecretSaved(result) => self.keys.keyring_changed(result),
            InspectorEvent::Signed { id, result } => {
                if let Some(token) = self.encode.signed(id, result) {
                    self.show_encoded(&token);
                }
            }
            InspectorEvent::KeysAnswered { id, result } => self.keys.apply_answer(id, result, commands),
        }
    }

    /// Draws the panel.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut PanelContext<'_>, commands: &mut Vec<Command>) {
        mode_ui(ui, &mut self.mode);
        if self.mode == Mode::Encode {
            if let Some(token) = self.encode.ui(ui, cx, commands) {
                self.show_encoded(&token);
            }
            return;
        }
        self.decode_ui(ui, cx, commands);
    }
}

impl InspectorPanel {
    fn decode_ui(&mut self, ui: &mut egui::Ui, cx: &PanelContext<'_>, commands: &mut Vec<Command>) {
        let (now, zone) = (cx.now, cx.zone);
        self.set_up_keys(cx.local_issuer);
        self.toolbar_ui(ui, now, zone, commands);
        self.input_ui(ui);
        self.analysis(now);
        // Borrowed out of the cache while drawing (the panel is mutable meanwhile), then put back.
        let Some((inputs, analysis)) = self.cache.take() else {
            return;
        };
        let one_token = matches!(&analysis.inspection, Inspection::Jwt(jwt) if jwt.header.is_ok());
        if one_token || !self.found.holds_tokens(&self.token) {
            self.result_ui(ui, &analysis, cx, commands);
        } else {
            ui.add_space(theme::SECTION_GAP);
            if let Some(token) = self.found.ui(ui, now) {
                self.inspect_found(&token);
            }
        }
        let has_times = matches!(&analysis.inspection, Inspection::Jwt(jwt) if ["exp", "nbf", "iat"].iter().any(|c| jwt.claim_seconds(c).is_some()));
        self.cache = Some((inputs, analysis));
        if has_times {
            // Relative times ("expires in 3 min") tick once a second while the inspector is visible.
            ui.ctx().request_repaint_after(Duration::from_secs(1));
        }
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, now: i64, zone: &jiff::tz::TimeZone, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Open…")
                .on_hover_text("Open a file holding a token (Ctrl+O)")
                .clicked()
            {
                commands.push(Command::Files(FilesCommand::OpenTokenFile));
            }
            if ui
                .add_enabled(!self.token.is_empty(), egui::Button::new("Clear"))
                .clicked()
            {
                self.token.clear();
            }
            let pin = egui::Button::new("Pin for diff");
            if ui
                .add_enabled(!self.token.is_empty(), pin)
                .on_hover_text("Compare other tokens with this one (Ctrl+D)")
                .clicked()
            {
                self.pin();
            }
            let export = egui::Button::new("Export report…");
            if ui
                .add_enabled(!self.token.is_empty(), export)
                .on_hover_text("Markdown for a support ticket, without the signature (Ctrl+S)")
                .clicked()
            {
                commands.push(self.export_command(now, zone, None));
            }
            if !self.token.is_empty() {
                widgets::fields::copy_button(ui, "token", &normalize(&self.token));
            }
        });
        if let Some(notice) = &self.notice {
            ui.label(notice.as_str());
        }
        if self.offer_report_path {
            ui.horizontal(|ui| {
                let label = ui.label("Report path");
                ui.add(egui::TextEdit::singleline(&mut self.report_path).hint_text("/home/me/token-report.md"))
                    .labelled_by(label.id);
                let typed = std::path::PathBuf::from(self.report_path.trim());
                let ready = typed.is_absolute() && !self.token.is_empty();
                if ui.add_enabled(ready, egui::Button::new("Save report")).clicked() {
                    commands.push(self.export_command(now, zone, Some(typed)));
                }
            });
            if !self.report_path.trim().is_empty() && !std::path::Path::new(self.report_path.trim()).is_absolute() {
                widgets::fields::inline_error(ui, "give the full path, starting with / (or a drive letter on Windows)");
            }
        }
    }

    /// For a new token signed with a public key, verifies with a JWKS instead of the HMAC secret the form
    /// starts with (unless a secret was typed), and when the token's `iss` is the running local issuer, fills in
    /// its JWKS URL (unless another was typed): after a key rotation, checking a fresh token is one Fetch.
    fn set_up_keys(&mut self, local_issuer: Option<&str>) {
        if self.token == self.keys_set_up_for {
            return;
        }
        self.keys_set_up_for.clone_from(&self.token);
        let Inspection::Jwt(jwt) = crate::core::jwt::inspect(&self.token) else {
            return;
        };
        if !jwt.alg().is_some_and(signed_with_a_public_key) {
            return;
        }
        let secret_form = matches!(self.keys.source, KeySource::Secret | KeySource::SecretBase64);
        if secret_form && self.keys.secret.is_empty() {
            self.keys.source = KeySource::JwksUrl;
        }
        if let Some(url) = local_jwks_url(jwt.claim_str("iss"), local_issuer)
            && self.keys.source == KeySource::JwksUrl
            && self.keys.jwks_url.trim().is_empty()
        {
            self.keys.jwks_url = url;
        }
    }

    /// "Use the local issuer's JWKS" while the token comes from the running local issuer and the key form
    /// points elsewhere.
    fn local_jwks_offer_ui(&mut self, ui: &mut egui::Ui, token_iss: Option<&str>, local_issuer: Option<&str>) {
        let Some(url) = local_jwks_url(token_iss, local_issuer) else {
            return;
        };
        if self.keys.source == KeySource::JwksUrl && self.keys.jwks_url.trim() == url {
            return;
        }
        if ui
            .button("Use the local issuer's JWKS")
            .on_hover_text(format!(
                "This token comes from the running local issuer: verify it with {url}"
            ))
            .clicked()
        {
            self.keys.source = KeySource::JwksUrl;
            self.keys.jwks_url = url;
        }
    }

    /// Pins the current token for diffing.
    pub fn pin(&mut self) {
        if !self.token.is_empty() {
            self.pinned = match crate::core::jwt::inspect(&self.token) {
                Inspection::Jwt(jwt) => Some(jwt),
                _ => None,
            };
        }
    }

    /// The export command for the current token.
    /// `path`: where to write; `None` asks with a save dialog.
    pub fn export_command(&mut self, now: i64, zone: &jiff::tz::TimeZone, path: Option<std::path::PathBuf>) -> Command {
        Command::Files(FilesCommand::ExportReport {
            markdown: self.report(now, zone),
            file_name: "token-report.md".to_owned(),
            path,
        })
    }

    fn input_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(origin) = &self.origin {
            ui.label(egui::RichText::new(origin.describe()).italics());
        }
        if self.pasted.is_some() && found::back_ui(ui) {
            self.back_to_pasted();
        }
        let label = ui.label("Token");
        let field = ui
            .add(
                egui::TextEdit::multiline(&mut self.token)
                    .hint_text("Paste a JWT (Ctrl+V anywhere), drop a file, or use Open…")
                    .font(egui::TextStyle::Monospace)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if std::mem::take(&mut self.focus_token) {
            field.request_focus();
        }
    }

    fn result_ui(
        &mut self,
        ui: &mut egui::Ui,
        analysis: &Analysis,
        cx: &PanelContext<'_>,
        commands: &mut Vec<Command>,
    ) {
        ui.add_space(theme::SECTION_GAP);
        let Inspection::Jwt(jwt) = &analysis.inspection else {
            if let Some(message) = not_a_jwt_message(&analysis.inspection) {
                let colour = if matches!(analysis.inspection, Inspection::Empty) {
                    theme::muted(ui.visuals().dark_mode)
                } else {
                    theme::warning(ui.visuals().dark_mode)
                };
                widgets::a11y::announce(ui.label(egui::RichText::new(message).color(colour)));
            }
            decoded::other_input_ui(ui, &analysis.inspection);
            return;
        };
        widgets::token_view::token_view_ui(ui, &jwt.raw);
        verdict::summary_ui(ui, analysis);
        ui.add_space(theme::SECTION_GAP);
        decoded::decoded_ui(ui, jwt, analysis.now, cx.zone);
        ui.add_space(theme::SECTION_GAP);
        egui::CollapsingHeader::new("Verify").default_open(true).show(ui, |ui| {
            self.local_jwks_offer_ui(ui, jwt.claim_str("iss"), cx.local_issuer);
            let view = keys::KeyView {
                binding: self.keys.binding(&self.token, &self.issuer),
                token_iss: jwt.claim_str("iss"),
                keyring_names: cx.keyring_names,
                memory_only: cx.memory_only,
            };
            if let Some(issuer) = self.keys.ui(ui, &view, commands) {
                self.issuer = issuer;
            }
            self.expectations_ui(ui);
            verdict::checks_ui(ui, analysis);
        });
        verdict::findings_ui(ui, analysis);
        if let Some(pinned) = &self.pinned
            && diff::diff_ui(ui, pinned, jwt)
        {
            self.pinned = None;
        }
    }

    fn expectations_ui(&mut self, ui: &mut egui::Ui) {
        widgets::fields::labelled_line(ui, "Expected issuer", &mut self.issuer, "https://TENANT.auth0.com/");
        widgets::fields::labelled_line(
            ui,
            "Expected audience",
            &mut self.audience,
            "client ID or API identifier",
        );
        widgets::fields::labelled_line(ui, "Leeway (seconds)", &mut self.leeway, "60");
        if let Err(e) = self.leeway_seconds() {
            widgets::fields::inline_error(ui, &e);
        }
    }
}

/// Whether `alg` names a public-key signature (RS*, PS*, ES*, EdDSA), verified with a published key.
fn signed_with_a_public_key(alg: &str) -> bool {
    ["RS", "PS", "ES"].iter().any(|family| alg.starts_with(family)) || alg == "EdDSA"
}

/// The running local issuer's JWKS URL, when `iss` is that issuer.
fn local_jwks_url(iss: Option<&str>, local_issuer: Option<&str>) -> Option<String> {
    let (iss, local) = (iss?.trim_end_matches('/'), local_issuer?.trim_end_matches('/'));
    (iss == local).then(|| format!("{local}/.well-known/jwks.json"))
}

/// The Decode / Encode switch.
fn mode_ui(ui: &mut egui::Ui, mode: &mut Mode) {
    ui.horizontal(|ui| {
        ui.selectable_value(mode, Mode::Decode, "Decode")
            .on_hover_text("Take a token apart and verify it");
        ui.selectable_value(mode, Mode::Encode, "Encode")
            .on_hover_text("Write a header and payload and sign them");
    });
    ui.separator();
}
