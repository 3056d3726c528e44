//! What each step of the guided demo does to the real forms, and how the app sees that a step has happened.

use super::TokenbenchApp;
use crate::core::history::RequestForm;
use crate::ui::Tab;
use crate::ui::command::{AppCommand, Command, IssuerCommand};
use crate::ui::demo::Step;

/// The SPA alice signs in at; it may delegate to every add-on of the demo tenant.
const SPA: &str = "demo-spa";
/// The demo tenant's first user.
const ALICE: &str = "auth0|alice";

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

    /// Fills the forms for `step`, shows its tab and marks where the app stands, so that only what happens
    /// from here on ticks the step.
    pub(super) fn prepare(&mut self, step: Step, commands: &mut Vec<Command>) {
        let mark = match step {
            Step::SignIn => i64::try_from(self.delegation.sign_ins()).unwrap_or(i64::MAX),
            Step::FastForward => self.clock_control.as_ref().map_or(0, |c| c.skew()),
            Step::ExchangeApple
            | Step::DelegateFirebase
            | Step::InspectAndDiff
            | Step::DelegateAzure
            | Step::HitTheLimit => i64::try_from(self.history.next_free_id()).unwrap_or(i64::MAX),
        };
        self.demo.mark(step, mark);
        match step {
            Step::SignIn => sign_in(commands),
            Step::ExchangeApple => {
                self.exchange
                    .prepare_local_apple("demo-native", ("Ada", "Lovelace"), commands);
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
        self.delegation.prepare_local(SPA, target, api_type);
        self.settings.tab = Tab::Delegation;
    }

    /// The Firebase answer's token diffed against alice's ID token, or a banner saying what to send first.
    fn diff_firebase_token(&mut self) {
        match self.delegation.last_token_for("demo-firebase") {
            Some(token) => {
                self.run_app_command(AppCommand::DiffInInspector {
                    pinned: self.delegation.form.token.clone(),
                    token,
                });
                self.demo.tick(Step::InspectAndDiff);
            }
            None => {
                self.banner = Some("Demo: send the Firebase delegation first (step 3), then diff its token".to_owned());
            }
        }
    }

    /// Whether a request the history kept from `mark` on answered `status` and its form passes `form`.
    fn answered_since(&self, mark: i64, status: u16, form: impl Fn(&RequestForm, &str) -> bool) -> bool {
        let since = u64::try_from(mark).unwrap_or(0);
        self.history
            .entries
            .iter()
            .rev()
            .take_while(|e| e.id >= since)
            .any(|e| e.status == Some(status) && e.form.as_ref().is_some_and(|f| form(f, &e.summary)))
    }

    fn delegated_since(&self, mark: i64, target: &str) -> bool {
        self.answered_since(
            mark,
            200,
            |f, _| matches!(f, RequestForm::Delegation(d) if d.target == target),
        )
    }

    /// Whether `step` has happened since it was prepared (never, for a step not prepared).
    pub(super) fn has_happened(&self, step: Step) -> bool {
        let Some(mark) = self.demo.mark_of(step) else {
            return false;
        };
        match step {
            Step::SignIn => i64::try_from(self.delegation.sign_ins()).is_ok_and(|n| n > mark),
            Step::ExchangeApple => self.answered_since(mark, 200, |f, _| matches!(f, RequestForm::Exchange(_))),
            Step::DelegateFirebase => self.delegated_since(mark, "demo-firebase"),
            // Ticked when the diff is shown (see `diff_firebase_token`).
            Step::InspectAndDiff => false,
            Step::DelegateAzure => self.delegated_since(mark, "demo-azure-blob"),
            Step::HitTheLimit => {
                self.delegation.burst.is_done()
                    && self.answered_since(mark, 429, |_, summary| summary.starts_with("burst:"))
            }
            Step::FastForward => {
                let now = self.clock.now();
                self.demo.is_done(Step::HitTheLimit)
                    && self.clock_control.as_ref().is_some_and(|c| c.skew() > mark)
                    && self
                        .rate_book
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
