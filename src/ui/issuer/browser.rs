//! The Local issuer panel's "Browser sign-in" section: the authorize URL for an application (an SPA by
//! default), "Open the login page" (a real sign-in through the system browser, whose ID token can go to the
//! Delegation form), and the live browser sessions, each with its own Sign out button. The sessions are
//! listed again when the tab is opened, after login and logout requests, after a sign-out, and on Refresh;
//! never on a timer.

use crate::core::auth0::login::{DEFAULT_SCOPE, LoginRequest};
use crate::core::http::HttpAnswer;
use crate::core::issuer::record::RequestRecord;
use crate::core::issuer::session::Session;
use crate::core::jwt::time::time_view;
use crate::core::tenant::client::{AppType, GRANT_AUTHORIZATION_CODE};
use crate::core::tenant::{Client, Tenant};
use crate::ui::command::{AppCommand, Command, IssuerCommand, RequestId, SignInOwner};
use crate::ui::forms::browser_sign_in::BrowserSignIn;
use crate::ui::widgets::a11y::choice;
use crate::ui::widgets::fields::{code_block, copy_button};

/// The section's state.
#[derive(Default)]
pub struct BrowserSection {
    /// The application "Open the login page" signs in at.
    pub client: String,
    /// The sign-in under way, its URL and its outcome.
    pub sign_in: BrowserSignIn,
    /// The last sign-in's application and ID token, for "Use in Delegation".
    signed_in: Option<(String, String)>,
    /// The live sessions as last listed, newest first, by public handle.
    pub sessions: Vec<(String, Session)>,
    /// Something may have changed the sessions since they were listed.
    stale: bool,
    /// A listing is on its way; no second one is asked for meanwhile.
    listing: bool,
    /// The frame the section was last drawn in: a gap means the tab was just opened again.
    drawn_frame: u64,
}

impl BrowserSection {
    /// The issuer (re)started: its sessions are new.
    pub fn started(&mut self) {
        self.sessions.clear();
        self.stale = true;
    }

    /// The issuer stopped: no session is live.
    pub fn stopped(&mut self) {
        self.sessions.clear();
    }

    /// Takes a listing of the live sessions.
    pub fn listed(&mut self, sessions: Vec<(String, Session)>) {
        self.sessions = sessions;
        self.listing = false;
    }

    /// Notes a request the issuer answered: logins and logouts change the sessions.
    pub fn observe(&mut self, record: &RequestRecord) {
        let path = record.path.as_str();
        if matches!(path, "/authorize" | "/v2/logout" | "/oidc/logout") || path.starts_with("/u/") {
            self.stale = true;
        }
    }

    /// Takes the end of "Open the login page".
    pub fn finished(&mut self, id: RequestId, result: Result<HttpAnswer, String>) {
        if let Some(signed) = self.sign_in.finished(id, result) {
            self.signed_in = Some((signed.client_id, signed.id_token));
            self.stale = true;
        }
    }

    /// Draws the section for the issuer at `base_url` serving `tenant`; `now` and `zone` for the times.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        (base_url, tenant): (&str, &Tenant),
        (now, zone): (i64, &jiff::tz::TimeZone),
        commands: &mut Vec<Command>,
    ) {
        self.refresh(ui.ctx().cumulative_frame_nr(), commands);
        if !tenant.clients.iter().any(|c| c.client_id == self.client) {
            self.client = default_client(tenant).unwrap_or_default();
        }
        client_picker_ui(ui, &mut self.client, tenant);
        self.url_ui(ui, base_url);
        let request = || {
            Ok(LoginRequest {
                base_url: base_url.to_owned(),
                client_id: self.client.clone(),
                audience: None,
                scope: DEFAULT_SCOPE.to_owned(),
            })
        };
        let button = (SignInOwner::LocalIssuer, "Open the login page");
        self.sign_in.ui(ui, button, request, commands);
        if let Some((client_id, id_token)) = &self.signed_in
            && matches!(self.sign_in.outcome, Some(Ok(_)))
            && ui
                .button("Use in Delegation")
                .on_hover_text("Put this ID token and its application in the Delegation form")
                .clicked()
        {
            commands.push(Command::App(AppCommand::UseSignIn {
                client_id: client_id.clone(),
                id_token: id_token.clone(),
            }));
        }
        ui.add_space(crate::ui::theme::SECTION_GAP);
        self.sessions_ui(ui, (now, zone), commands);
    }

    /// Asks for the sessions when they may have changed, or when the tab was just opened (the section was not
    /// drawn in the frame before), one listing at a time.
    fn refresh(&mut self, frame: u64, commands: &mut Vec<Command>) {
        if frame > self.drawn_frame.saturating_add(1) {
            self.stale = true;
        }
        self.drawn_frame = frame;
        if self.stale && !self.listing {
            (self.stale, self.listing) = (false, true);
            commands.push(Command::Issuer(IssuerCommand::ListSessions));
        }
    }

    /// The authorize URL of the running or last sign-in, or the one the next sign-in starts from.
    fn url_ui(&self, ui: &mut egui::Ui, base_url: &str) {
        let (title, url) = match &self.sign_in.url {
            Some(url) => ("Authorize URL of the last sign-in", url.clone()),
            None => (
                "Authorize URL (each sign-in adds a fresh state, nonce, PKCE challenge and loopback port)",
                authorize_preview(base_url, &self.client),
            ),
        };
        ui.label(title);
        code_block(ui, &url);
        copy_button(ui, "authorize URL", &url);
    }

    fn sessions_ui(&mut self, ui: &mut egui::Ui, (now, zone): (i64, &jiff::tz::TimeZone), commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.strong(format!("Live sessions ({})", self.sessions.len()));
            if ui
                .small_button("Refresh sessions")
                .on_hover_text("List the signed-in browsers again")
                .clicked()
            {
                self.stale = true;
            }
        });
        if self.sessions.is_empty() {
            ui.label("No browser is signed in");
            return;
        }
        let labels = sign_out_labels(&self.sessions);
        egui::Grid::new("issuer_sessions")
            .striped(true)
            .num_columns(4)
            .show(ui, |ui| {
                for ((handle, session), label) in self.sessions.iter().zip(labels) {
                    ui.monospace(&session.user_id);
                    ui.label(format!("at {}", session.clients.join(", ")));
                    ui.label(format!(
                        "signed in {} · last seen {}",
                        when(session.auth_time, now, zone),
                        when(session.last_seen, now, zone)
                    ));
                    if ui
                        .button(label)
                        .on_hover_text("End this browser session: the next silent sign-in needs a login")
                        .clicked()
                    {
                        self.listing = true;
                        commands.push(Command::Issuer(IssuerCommand::EndSession(handle.clone())));
                    }
                    ui.end_row();
                }
            });
    }
}

/// The application picker; every client of the tenant is offered, an SPA is chosen first.
fn client_picker_ui(ui: &mut egui::Ui, client: &mut String, tenant: &Tenant) {
    ui.horizontal(|ui| {
        let chosen = client.clone();
        let combo = egui::ComboBox::from_id_salt("browser_sign_in_client");
        choice(ui, combo, "Application", &chosen, |ui| {
            for c in &tenant.clients {
                ui.selectable_value(client, c.client_id.clone(), &c.client_id);
            }
        });
    });
}

/// The first SPA that may use the authorization code grant, else the first client that may, else the first.
fn default_client(tenant: &Tenant) -> Option<String> {
    let code = |c: &&Client| c.grant_types.iter().any(|g| g == GRANT_AUTHORIZATION_CODE);
    let clients = &tenant.clients;
    clients
        .iter()
        .filter(code)
        .find(|c| c.app_type == Some(AppType::Spa))
        .or_else(|| clients.iter().find(code))
        .or_else(|| clients.first())
        .map(|c| c.client_id.clone())
}

/// The authorize URL without the values each sign-in makes fresh.
fn authorize_preview(base_url: &str, client_id: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", "http://127.0.0.1/callback")
        .append_pair("scope", DEFAULT_SCOPE)
        .append_pair("code_challenge_method", "S256")
        .finish();
    format!("{}/authorize?{query}", base_url.trim_end_matches('/'))
}

/// "3 min ago (2023-11-14 22:13:20 UTC)", as the request log and the inspector show times.
fn when(seconds: i64, now: i64, zone: &jiff::tz::TimeZone) -> String {
    time_view("iat", seconds, now, zone).map_or_else(
        || "at an unreadable time".to_owned(),
        |t| format!("{} ({})", t.relative, t.local),
    )
}

/// "Sign out alice" for each session; a user signed in more than once gets the session's handle too, so every
/// button has its own accessible name.
fn sign_out_labels(sessions: &[(String, Session)]) -> Vec<String> {
    let name = |user_id: &str| user_id.rsplit('|').next().unwrap_or(user_id).to_owned();
    sessions
        .iter()
        .map(|(handle, session)| {
            let twice = sessions.iter().filter(|(_, s)| s.user_id == session.user_id).count() > 1;
            let user = name(&session.user_id);
            if twice {
                format!("Sign out {user} (session {handle})")
            } else {
                format!("Sign out {user}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(user_id: &str) -> Session {
        Session {
            user_id: user_id.to_owned(),
            auth_time: 100,
            last_seen: 160,
            clients: vec!["demo-spa".to_owned()],
        }
    }

    #[test]
    fn every_sign_out_button_has_its_own_name() {
        let sessions = vec![
            ("h1".to_owned(), session("auth0|alice")),
            ("h2".to_owned(), session("auth0|bob")),
            ("h3".to_owned(), session("auth0|alice")),
        ];
        assert_eq!(
            sign_out_labels(&sessions),
            [
                "Sign out alice (session h1)",
                "Sign out bob",
                "Sign out alice (session h3)"
            ]
        );
    }

    #[test]
    fn times_are_relative_and_local_never_raw_seconds() {
        let text = when(1_700_000_000, 1_700_000_180, &jiff::tz::TimeZone::UTC);
        assert_eq!(text, "3 min ago (2023-11-14 22:13:20 UTC)");
    }

    #[test]
    fn the_demo_tenants_spa_is_the_default_application() {
        let tenant = crate::core::tenant::parse(crate::core::tenant::DEMO_TENANT)
            .unwrap()
            .tenant;
        assert_eq!(default_client(&tenant).as_deref(), Some("demo-spa"));
    }
}
