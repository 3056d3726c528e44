//! The top of both request forms: "Paste a curl command" (mapped onto the form; its environment is picked, or
//! added when it is new) and the environment picker (a newly chosen environment fills an empty client ID
//! with its default).

use super::known_clients;
use super::request::Sender;
use crate::core::auth0::curl_parse::{self, ParsedCurl, Unmapped};
use crate::core::auth0::delegation::DelegationForm;
use crate::core::auth0::exchange::ExchangeForm;
use crate::ui::command::Command;
use crate::ui::panel::PanelContext;

/// A form a curl command can fill.
pub trait CurlForm: Sized {
    /// Names the form's widgets apart from the other form's.
    const ID: &'static str;
    /// The form the command fills, its base URL, and what the form cannot hold.
    fn from_curl(parsed: &ParsedCurl) -> (Self, String, Vec<Unmapped>);
    /// The client ID field.
    fn client_id(&mut self) -> &mut String;
}

impl CurlForm for DelegationForm {
    const ID: &'static str = "delegation";
    fn from_curl(parsed: &ParsedCurl) -> (Self, String, Vec<Unmapped>) {
        curl_parse::to_delegation(parsed)
    }
    fn client_id(&mut self) -> &mut String {
        &mut self.client_id
    }
}

impl CurlForm for ExchangeForm {
    const ID: &'static str = "exchange";
    fn from_curl(parsed: &ParsedCurl) -> (Self, String, Vec<Unmapped>) {
        curl_parse::to_exchange(parsed)
    }
    fn client_id(&mut self) -> &mut String {
        &mut self.client_id
    }
}

/// Draws the paste box and the environment picker of `form`'s sender.
pub fn source_ui<F: CurlForm>(
    ui: &mut egui::Ui,
    (sender, form): (&mut Sender, &mut F),
    cx: &PanelContext<'_>,
    commands: &mut Vec<Command>,
) {
    if let Some(parsed) = sender.paste_ui(ui, &format!("{}_paste", F::ID)) {
        let (filled, base, unmapped) = F::from_curl(&parsed);
        *form = filled;
        sender.adopt_paste(&base, &unmapped, cx.local_issuer, cx.workspace, commands);
    }
    if sender.target_ui(ui, &format!("{}_environment", F::ID), cx.workspace) {
        known_clients::fill_default(&sender.target, cx, form.client_id());
    }
}
