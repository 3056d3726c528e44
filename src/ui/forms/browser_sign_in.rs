//! "Sign in with browser", shared by the Local issuer panel and both request forms: the authorization code
//! flow with PKCE through the system browser and a loopback redirect, run by the backend. This draws the
//! button, then the spinner with the time waited and the limit, and Cancel (the backend drops the task, which
//! frees the loopback port); the authorize URL when no browser opened; the outcome or the error beside it.

use super::delegation::token_user;
use crate::core::auth0::answer::{Endpoint, read};
use crate::core::auth0::login::LoginRequest;
use crate::core::http::HttpAnswer;
use crate::ui::command::{Command, HttpCommand, RequestId, SignInOwner, next_request_id};
use crate::ui::widgets::fields::{code_block, copy_button, inline_error, inline_warning};
use std::time::{Duration, Instant};

/// How long a sign-in waits for the browser to come back, as `tokenbench login` does by default.
pub const SIGN_IN_WAIT: Duration = Duration::from_secs(300);

/// How a sign-in the backend runs for a panel goes on.
#[derive(Debug)]
pub enum SignInEvent {
    /// It listens for the browser: the authorize URL, and whether a browser could be opened on it.
    Opened {
        /// The sign-in.
        id: RequestId,
        /// The authorize URL.
        url: String,
        /// Why no browser opened, when none did.
        browser: Result<(), String>,
    },
    /// It ended: the code exchange's answer, or why there is none.
    Finished {
        /// The sign-in.
        id: RequestId,
        /// The answer or the reason.
        result: Result<HttpAnswer, String>,
    },
}

/// What a sign-in brought back.
pub struct SignedIn {
    /// The application signed in to.
    pub client_id: String,
    /// The user: the ID token's `sub`.
    pub user: String,
    /// The ID token.
    pub id_token: String,
    /// The refresh token, when the tenant gave one (`offline_access`).
    pub refresh_token: Option<String>,
    /// The code exchange's answer, for a form's answer area.
    pub answer: HttpAnswer,
}

/// A sign-in under way.
struct Running {
    id: RequestId,
    started: Instant,
    client_id: String,
    /// Why no browser opened, once the backend tried.
    browser: Option<String>,
}

/// The state of one "Sign in with browser" button.
#[derive(Default)]
pub struct BrowserSignIn {
    running: Option<Running>,
    /// The authorize URL of the running or the last sign-in.
    pub url: Option<String>,
    /// Who signed in last (a sentence), or why the last sign-in did not.
    pub outcome: Option<Result<String, String>>,
}

impl BrowserSignIn {
    /// Whether a sign-in waits for the browser.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Starts signing in with `request` as `owner`, or says which fields are wrong.
    pub fn start(&mut self, owner: SignInOwner, request: &LoginRequest, commands: &mut Vec<Command>) {
        let login = match request.validate() {
            Ok(login) => login,
            Err(errors) => {
                let problems: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                self.outcome = Some(Err(format!("Cannot sign in: {}", problems.join("; "))));
                return;
            }
        };
        let id = next_request_id();
        self.running = Some(Running {
            id,
            started: Instant::now(),
            client_id: request.client_id.trim().to_owned(),
            browser: None,
        });
        (self.url, self.outcome) = (None, None);
        commands.push(Command::Http(HttpCommand::SignIn {
            id,
            owner,
            login: Box::new(login),
            wait: SIGN_IN_WAIT,
        }));
    }

    /// Takes the authorize URL of a sign-in of ours, and whether a browser opened on it.
    pub fn opened(&mut self, id: RequestId, url: String, browser: Result<(), String>) {
        let Some(running) = self.running.as_mut().filter(|r| r.id == id) else {
            return;
        };
        self.url = Some(url);
        running.browser = browser.err();
    }

    /// Takes the end of a sign-in of ours: the tokens, or `None` when it failed (the reason is shown beside the
    /// button) or was not ours (cancelled, or an older one).
    pub fn finished(&mut self, id: RequestId, result: Result<HttpAnswer, String>) -> Option<SignedIn> {
        let running = self.running.take_if(|r| r.id == id)?;
        match signed_in(running.client_id, result) {
            Ok(signed) => {
                self.outcome = Some(Ok(format!("Signed in as {} at {}", signed.user, signed.client_id)));
                Some(signed)
            }
            Err(e) => {
                self.outcome = Some(Err(e));
                None
            }
        }
    }

    /// The button labelled `label` (or the spinner and Cancel while waiting) and the outcome beside it.
    /// `request` is asked for only when the button is pressed: the request, or why the form's environment
    /// has no address.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        (owner, label): (SignInOwner, &str),
        request: impl FnOnce() -> Result<LoginRequest, String>,
        commands: &mut Vec<Command>,
    ) {
        ui.horizontal_wrapped(|ui| {
            if let Some(running) = &self.running {
                ui.spinner();
                let waited = running.started.elapsed().as_secs();
                ui.label(format!(
                    "Waiting for the browser… {waited} s (gives up after {} s)",
                    SIGN_IN_WAIT.as_secs()
                ));
                if ui.button("Cancel sign-in").clicked() {
                    commands.push(Command::Http(HttpCommand::CancelSignIn(running.id)));
                    self.running = None;
                }
                // The seconds tick while the browser is out, and only then.
                ui.ctx().request_repaint_after(Duration::from_secs(1));
            } else if ui
                .button(label)
                .on_hover_text(
                    "Sign in through the system browser (authorization code with PKCE, answered on a free \
                     127.0.0.1 port)",
                )
                .clicked()
            {
                match request() {
                    Ok(request) => self.start(owner, &request, commands),
                    Err(e) => self.outcome = Some(Err(format!("Cannot sign in: environment: {e}"))),
                }
            }
            match &self.outcome {
                Some(Ok(text)) => {
                    ui.label(text);
                }
                Some(Err(e)) => inline_error(ui, e),
                None => {}
            }
        });
        if let (Some(problem), Some(url)) = (self.running.as_ref().and_then(|r| r.browser.as_ref()), &self.url) {
            inline_warning(
                ui,
                &format!(
                    "No browser opened ({problem}): open the authorize URL in a browser yourself, the sign-in waits"
                ),
            );
            // The Local issuer panel shows the URL, with its copy button, above its button already.
            if owner != SignInOwner::LocalIssuer {
                code_block(ui, url);
                copy_button(ui, "authorize URL", url);
            }
        }
    }
}

/// The tokens of a code exchange's answer, or what went wrong, saying what to do.
fn signed_in(client_id: String, result: Result<HttpAnswer, String>) -> Result<SignedIn, String> {
    let answer = result?;
    let read = read(&answer, Endpoint::Token);
    if let Some(explanation) = read.explanation {
        return Err(format!("The code exchange was refused: {explanation}"));
    }
    let token = |name: &str| read.tokens.iter().find(|(f, _)| f == name).map(|(_, t)| t.clone());
    let Some(id_token) = token("id_token") else {
        return Err("The tenant answered without an id_token: the scope must contain openid".to_owned());
    };
    Ok(SignedIn {
        user: token_user(&id_token),
        refresh_token: token("refresh_token"),
        client_id,
        id_token,
        answer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            final_url: "http://127.0.0.1:4000/oauth/token".to_owned(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn a_refused_code_exchange_is_explained() {
        let body = r#"{"error":"invalid_grant","error_description":"the code was used"}"#;
        let Err(e) = signed_in("demo-spa".into(), Ok(answer(403, body))) else {
            panic!("refused");
        };
        assert!(e.contains("invalid_grant: the code was used"), "{e}");
    }

    #[test]
    fn an_answer_without_an_id_token_says_to_ask_for_openid() {
        let Err(e) = signed_in("demo-spa".into(), Ok(answer(200, r#"{"access_token":"x"}"#))) else {
            panic!("no id_token");
        };
        assert!(e.contains("openid"), "{e}");
    }

    #[test]
    fn a_stale_answer_is_dropped_and_a_wrong_field_is_named() {
        let mut sign_in = BrowserSignIn::default();
        let mut commands = Vec::new();
        let request = LoginRequest {
            base_url: "http://127.0.0.1:4000".into(),
            client_id: " ".into(),
            audience: None,
            scope: crate::core::auth0::login::DEFAULT_SCOPE.into(),
        };
        sign_in.start(SignInOwner::Delegation, &request, &mut commands);
        assert!(commands.is_empty());
        assert!(matches!(&sign_in.outcome, Some(Err(e)) if e.contains("client_id")));
        assert!(sign_in.finished(7, Err("late".into())).is_none());
        assert!(matches!(&sign_in.outcome, Some(Err(e)) if e.contains("client_id")));
    }
}
