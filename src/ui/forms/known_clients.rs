//! The "Known clients" picker both forms show under Client ID: for the Local issuer, the running tenant's
//! applications; for a workspace environment, its default client and the others listed in the Secrets panel.
//! Picking one fills the field; any other ID can still be typed.

use super::request::Target;
use crate::ui::panel::PanelContext;
use crate::ui::widgets::a11y::choice;

/// The clients a target knows, as (client ID, note). An environment that uses the local issuer also offers
/// the tenant's applications.
pub fn known_clients(target: &Target, cx: &PanelContext<'_>) -> Vec<(String, String)> {
    let Target::Named(name) = target else {
        return cx.local_clients.to_vec();
    };
    let Some(env) = cx.workspace.environment(name) else {
        return Vec::new();
    };
    let mut known = env.known_clients();
    if env.base_url.is_none() {
        for client in cx.local_clients {
            if !known.iter().any(|(id, _)| *id == client.0) {
                known.push(client.clone());
            }
        }
    }
    known
}

/// After the environment changed: an empty Client ID gets the environment's default client.
pub fn fill_default(target: &Target, cx: &PanelContext<'_>, client_id: &mut String) {
    if !client_id.trim().is_empty() {
        return;
    }
    if let Target::Named(name) = target
        && let Some(env) = cx.workspace.environment(name)
    {
        client_id.clone_from(&env.client_id);
    }
}

/// The picker; nothing when the target knows no client. Picking one puts its ID in `client_id`.
pub fn picker_ui(ui: &mut egui::Ui, id: &str, client_id: &mut String, known: &[(String, String)]) {
    if known.is_empty() {
        return;
    }
    ui.horizontal(|ui| {
        let current = known.iter().find(|(known_id, _)| known_id == client_id);
        let chosen = current.map_or("Pick one to fill Client ID".to_owned(), title);
        choice(ui, egui::ComboBox::from_id_salt(id), "Known clients", &chosen, |ui| {
            for client in known {
                if ui.selectable_label(*client_id == client.0, title(client)).clicked() {
                    client_id.clone_from(&client.0);
                }
            }
        });
    });
}

/// `demo-native · Demo native app`, or the ID alone.
fn title((id, note): &(String, String)) -> String {
    if note.is_empty() {
        id.clone()
    } else {
        format!("{id} · {note}")
    }
}
