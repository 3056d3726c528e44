//! The Token exchange form's optional client secret: none (a native app is public), the chosen environment's
//! keyring reference, or a keyring item typed by name. The panel only ever names the item; the backend reads
//! the value when it sends.

use super::request::Target;
use crate::ui::panel::PanelContext;
use crate::ui::theme;
use crate::ui::widgets::fields::labelled_line;

/// Where the client secret comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretSource {
    /// No secret: the client is public.
    #[default]
    None,
    /// The keyring item the chosen environment refers to.
    Environment,
    /// A keyring item typed by name.
    Item,
}

/// The choice as the user made it.
#[derive(Debug, Clone, Default)]
pub struct ClientSecretChoice {
    /// Where the secret comes from.
    pub source: SecretSource,
    /// The item typed for [`SecretSource::Item`].
    pub item: String,
}

impl ClientSecretChoice {
    /// The keyring item to send the secret from (`None`: send none), or why the choice cannot be sent.
    pub fn chosen_item(&self, target: &Target, cx: &PanelContext<'_>) -> Result<Option<String>, String> {
        match self.source {
            SecretSource::None => Ok(None),
            SecretSource::Environment => environment_item(target, cx).map(Some),
            SecretSource::Item => match self.item.trim() {
                "" => Err("type the keyring item that holds the client secret".to_owned()),
                name => Ok(Some(name.to_owned())),
            },
        }
    }

    /// The three choices; the environment's is off, with the reason, when it has no usable secret.
    pub fn ui(&mut self, ui: &mut egui::Ui, target: &Target, cx: &PanelContext<'_>) {
        let environment = environment_item(target, cx);
        ui.horizontal_wrapped(|ui| {
            ui.label("Client secret");
            ui.selectable_value(&mut self.source, SecretSource::None, "None (a native app is public)");
            let title = match &environment {
                Ok(item) => format!("The environment's secret ({item})"),
                Err(_) => "The environment's secret".to_owned(),
            };
            ui.add_enabled_ui(environment.is_ok(), |ui| {
                ui.selectable_value(&mut self.source, SecretSource::Environment, title);
            });
            ui.selectable_value(&mut self.source, SecretSource::Item, "A keyring item");
        });
        let muted = theme::muted(ui.visuals().dark_mode);
        if let Err(reason) = &environment {
            ui.label(egui::RichText::new(format!("The environment's secret is off: {reason}")).color(muted));
        }
        if self.source != SecretSource::Item {
            return;
        }
        labelled_line(ui, "Client secret item", &mut self.item, "client_secret/ENV/CLIENT_ID");
        let name = self.item.trim();
        if !name.is_empty() && !cx.keyring_names.iter().any(|n| n == name) {
            let text = format!("There is no {name} in the keyring: store it in the Secrets tab");
            ui.label(egui::RichText::new(text).color(theme::warning(ui.visuals().dark_mode)));
        }
    }
}

/// The chosen environment's client secret item, if it has one that is in the keyring.
fn environment_item(target: &Target, cx: &PanelContext<'_>) -> Result<String, String> {
    let Target::Named(name) = target else {
        return Err("the Local issuer environment keeps no client secret; choose a workspace environment".to_owned());
    };
    let environment = cx
        .workspace
        .environments
        .iter()
        .find(|e| &e.name == name)
        .ok_or_else(|| format!("there is no environment {name}"))?;
    let reference = environment
        .client_secret
        .as_ref()
        .ok_or_else(|| format!("the environment {name} has no client secret; add one in the Secrets tab"))?;
    if cx.keyring_names.contains(&reference.keyring) {
        Ok(reference.keyring.clone())
    } else {
        Err(format!(
            "{} (of the environment {name}) is not in the keyring; store it in the Secrets tab",
            reference.keyring
        ))
    }
}
