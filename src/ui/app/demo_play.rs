//! The guided demo playing itself (`--demo N`, for screenshots and rehearsals): each step is prepared, the
//! presenter's click is made once the form is ready, and the next step waits until this one has happened. A
//! step that does not happen in time stops the play with a banner instead of waiting forever.

use super::TokenbenchApp;
use crate::ui::Tab;
use crate::ui::command::Command;
use crate::ui::demo::Step;
use std::time::{Duration, Instant};

/// How long one step may take before the play gives up.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a playing demo stands.
#[derive(Debug)]
pub struct DemoScript {
    /// How many steps to play.
    through: usize,
    /// The step under way.
    next: usize,
    /// When the step under way was prepared.
    prepared: Option<Instant>,
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
            prepared: None,
            acted: false,
            then,
        }
    }
}

impl TokenbenchApp {
    /// Moves a playing demo on by one action, if it has one to make.
    pub(super) fn play(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
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
        ctx.request_repaint_after(Duration::from_millis(50));
        let (done, ready) = (self.demo.is_done(step), self.ready_for(step));
        let Some(script) = &mut self.demo_script else { return };
        match script.prepared {
            _ if done && script.prepared.is_some() => {
                script.next += 1;
                script.prepared = None;
                script.acted = false;
            }
            None => {
                script.prepared = Some(Instant::now());
                self.prepare(step, commands);
            }
            Some(at) if at.elapsed() > STEP_TIMEOUT => {
                self.demo_script = None;
                self.banner = Some(format!(
                    "The demo stopped at \"{}\": it did not happen within {} s; see the form for why",
                    step.title(),
                    STEP_TIMEOUT.as_secs()
                ));
            }
            Some(_) if !script.acted && ready => {
                script.acted = true;
                self.act(step);
            }
            Some(_) => {}
        }
    }

    /// Whether the presenter's click for `step` can be made: the tokens it sends have arrived.
    fn ready_for(&self, step: Step) -> bool {
        match step {
            Step::ExchangeApple => !self.exchange.form.subject_token.trim().is_empty(),
            Step::DelegateFirebase | Step::DelegateAzure | Step::HitTheLimit => {
                !self.delegation.form.token.trim().is_empty()
            }
            Step::SignIn | Step::InspectAndDiff | Step::FastForward => true,
        }
    }

    /// The presenter's click once `step` is prepared and ready.
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
}
