//! What each step of the guided demo does to the real forms, and how the app sees that a step has happened.

use super::TokenbenchApp;
use crate::core::auth0::exchange::{ExchangeForm, SubjectType};
use crate::core::history::RequestForm;
use crate::ui::Tab;
use crate::ui::command::{AppCommand, Command, IssuerCommand};
use crate::ui::panels::demo::Step;
use crate::ui::panels::request::Target;

/// The SPA alice signs in at; it may delegate to every add-on of the demo tenant.
const SPA: &str = "demo-spa";
/// The demo tenant's first user.
const ALICE: &str = "auth0|alice";

/// The demo playing its first steps by itself (`--demo N`, for screenshots and rehearsals): each step is
/// prepared, then the presenter's click is made, then the next waits until the step has happened.
#[derive(Debug)]
pub struct DemoScript {
    /// How many steps to play.
    through: usize,
    /// The step under way.
    next: usize,
    prepared: bool,
    acted: bool,
    /// The tab to show once the steps are played.
    then: Option<Tab>,
}

impl DemoScript {
    /// Plays the first `through` steps, then shows `then`.
    pub fn new(through: usize, then: Option<Tab>) -> Self {
        Self {
            through: through.min(Step::ALL.len()),
            next: 0,
            prepared: false,
            acted: false,
            then,
        }
    }
}

impl TokenbenchApp {
    /// Draws the demo window (when open), prepares a clicked step and ticks the steps that have happened.
    pub(super) fn demo_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        if !self.demo.open {
            return;
        }
        if let Some(step) = self.demo.ui(ctx) {
            self.prepare(step, commands);
        }
        for step in Step::ALL {
            if self.has_happened(step) {
                self.demo.tick(step);
            }
        }
        self.play(ctx, commands);
    }

    /// Moves a playing demo on by one action, if it has one to make.
    fn play(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        if self.issuer.base_url().is_none() {
            // Every step needs the local issuer; the window starts it.
            return;
        }
        let Some(script) = &mut self.demo_script else { return };
        let Some(step) = Step::ALL
            .get(script.next)
            .copied()
            .filter(|_| script.next < script.through)
        else {
            if let Some(tab) = script.then {
                self.settings.tab = tab;
            }
            self.demo_script = None;
            return;
        };
        // Answers arrive as events, which wake the window; the poll covers the steps that wait on the clock.
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
        if self.demo.is_done(step) {
            *script = DemoScript {
                next: script.next + 1,
                ..DemoScript::new(script.through, script.then)
            };
        } else if !script.prepared {
            script.prepared = true;
            self.prepare(step, commands);
        } else if !script.acted {
            script.acted = true;
            self.act(step);
        }
    }

    /// The presenter's click once `step` is prepared.
    fn act(&mut self, step: Step) {
        match step {
            Step::SignIn | Step::InspectAndDiff => {}
            Step::ExchangeApple => self.exchange.sender.press_send(),
            Step::DelegateFirebase | Step::DelegateAzure => self.delegation.sender.press_send(),
            Step::HitTheLimit => self.delegation.burst.press_start(),
            Step::FastForward => {
                if let Some(clock) = &self.clock_control {
                    clock.advance(60);
                }
            }
        }
    }

    /// Fills the forms for `step` and shows its tab.
    fn prepare(&mut self, step: Step, commands: &mut Vec<Command>) {
        match step {
            Step::SignIn => sign_in(commands),
            Step::ExchangeApple => {
                self.exchange.form = ExchangeForm {
                    client_id: "demo-native".to_owned(),
                    subject_type: SubjectType::AppleCode,
                    first_name: "Ada".to_owned(),
                    last_name: "Lovelace".to_owned(),
                    ..ExchangeForm::default()
                };
                self.exchange.sender.target = Target::LocalIssuer;
                self.exchange.use_dpop = false;
                self.exchange.mint_subject_token(commands);
                self.settings.tab = Tab::TokenExchange;
            }
            Step::DelegateFirebase => self.delegate("demo-firebase", "firebase", commands),
            Step::InspectAndDiff => self.diff_firebase_token(),
            Step::DelegateAzure => self.delegate("demo-azure-blob", "azure_blob", commands),
            Step::HitTheLimit => {
                self.delegate(SPA, "app", commands);
                self.delegation.burst.prepare(15, 50);
            }
            Step::FastForward => self.settings.tab = Tab::RateLimits,
        }
    }

    /// Alice's delegation to `target` as `api_type`; she signs in first when the form has no token yet.
    fn delegate(&mut self, target: &str, api_type: &str, commands: &mut Vec<Command>) {
        if self.delegation.form.token.trim().is_empty() {
            sign_in(commands);
        }
        let form = &mut self.delegation.form;
        form.client_id = SPA.to_owned();
        target.clone_into(&mut form.target);
        api_type.clone_into(&mut form.api_type);
        "openid".clone_into(&mut form.scope);
        form.params.clear();
        self.delegation.sender.target = Target::LocalIssuer;
        self.settings.tab = Tab::Delegation;
    }

    /// The Firebase answer's token diffed against alice's ID token, or a banner saying what to send first.
    fn diff_firebase_token(&mut self) {
        let token = (self.delegation.form.target == "demo-firebase")
            .then_some(self.delegation.sender.last.as_ref())
            .flatten()
            .and_then(|last| last.as_ref().ok())
            .and_then(|(_, read)| read.tokens.first().map(|(_, token)| token.clone()));
        match token {
            Some(token) => self.run_app_command(AppCommand::DiffInInspector {
                pinned: self.delegation.form.token.clone(),
                token,
            }),
            None => {
                self.banner = Some("Demo: send the Firebase delegation first (step 3), then diff its token".to_owned());
            }
        }
    }

    /// Whether a delegation to `target` has succeeded (by the history, which keeps each request's form).
    fn delegated_to(&self, target: &str) -> bool {
        self.history.entries.iter().any(|entry| {
            entry.status == Some(200) && matches!(&entry.form, Some(RequestForm::Delegation(f)) if f.target == target)
        })
    }

    fn has_happened(&self, step: Step) -> bool {
        match step {
            Step::SignIn => !self.delegation.form.token.trim().is_empty(),
            Step::ExchangeApple => matches!(&self.exchange.sender.last, Some(Ok((a, _))) if a.status == 200),
            Step::DelegateFirebase => self.delegated_to("demo-firebase"),
            Step::InspectAndDiff => self.inspector.pinned.is_some(),
            Step::DelegateAzure => self.delegated_to("demo-azure-blob"),
            Step::HitTheLimit => {
                self.delegation.burst.is_done() && self.rate_limits.buckets.values().any(|b| b.last_throttled.is_some())
            }
            Step::FastForward => {
                let now = self.clock.now();
                self.demo.is_done(Step::HitTheLimit)
                    && self.clock_control.as_ref().is_some_and(|c| c.skew() > 0)
                    && self
                        .rate_limits
                        .buckets
                        .values()
                        .all(|b| b.state.next_allowed(now).is_none_or(|at| at <= now))
            }
        }
    }
}

/// Alice signs in at the SPA; her token lands in the Delegation form.
fn sign_in(commands: &mut Vec<Command>) {
    commands.push(Command::Issuer(IssuerCommand::SignIn {
        client_id: SPA.to_owned(),
        user_id: ALICE.to_owned(),
    }));
}
