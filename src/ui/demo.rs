//! The guided demo: a small window, over whichever tab is shown, listing the offline story step by step. Each
//! step's button fills the real forms (or moves the clock) and shows the tab, so the presenter only clicks Send;
//! a step is ticked once what it shows has happened after its button was clicked.

use crate::ui::theme;

/// One step of the story, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// "Sign in as alice" at the SPA: her ID token goes into the Delegation form.
    SignIn,
    /// A simulated Apple code from the local issuer, in the Token exchange form.
    ExchangeApple,
    /// Delegation to the Firebase add-on.
    DelegateFirebase,
    /// The Firebase token against alice's ID token in the inspector.
    InspectAndDiff,
    /// Delegation to the Azure Blob add-on: a SAS instead of a JWT.
    DelegateAzure,
    /// A burst past the bucket: 429s and the countdown.
    HitTheLimit,
    /// The simulated clock moves a minute: the bucket is full again.
    FastForward,
}

impl Step {
    /// Every step, in the order of the story.
    pub const ALL: [Self; 7] = [
        Self::SignIn,
        Self::ExchangeApple,
        Self::DelegateFirebase,
        Self::InspectAndDiff,
        Self::DelegateAzure,
        Self::HitTheLimit,
        Self::FastForward,
    ];

    /// The step's button.
    pub fn title(self) -> &'static str {
        match self {
            Self::SignIn => "Sign in as alice",
            Self::ExchangeApple => "Exchange an Apple code for tokens",
            Self::DelegateFirebase => "Delegate to the Firebase add-on",
            Self::InspectAndDiff => "Inspect and diff the Firebase token",
            Self::DelegateAzure => "Delegate to the Azure Blob add-on",
            Self::HitTheLimit => "Hit the rate limit",
            Self::FastForward => "Fast-forward the clock",
        }
    }

    /// What the presenter does once the step is prepared, and what to point at.
    pub fn hint(self) -> &'static str {
        match self {
            Self::SignIn => "The local issuer signs alice in at demo-spa; her ID token fills the Delegation form",
            Self::ExchangeApple => {
                "A simulated Apple code fills the Token exchange form: press Send, then open the id_token"
            }
            Self::DelegateFirebase => "target demo-firebase, api_type firebase: press Send",
            Self::InspectAndDiff => "The inspector shows the Firebase token diffed against alice's ID token",
            Self::DelegateAzure => "target demo-azure-blob, api_type azure_blob: press Send; the answer is a SAS URL",
            Self::HitTheLimit => "Burst: 15 copies at 50 per second: press Start burst, then open Rate limits",
            Self::FastForward => "Press +1 min in the status bar: the bucket refills and the countdown ends",
        }
    }
}

/// The demo window's state.
#[derive(Debug, Default)]
pub struct DemoPanel {
    /// Whether the window is shown.
    pub open: bool,
    /// Steps whose outcome has been seen (sticky until Start over).
    pub done: [bool; Step::ALL.len()],
    /// For each prepared step, where the app stood when its button was clicked (a history id, a counter or the
    /// clock's offset): only what happens after that ticks the step, never what an earlier run left behind.
    pub marks: [Option<i64>; Step::ALL.len()],
}

impl DemoPanel {
    /// Opens the window.
    pub fn show(&mut self) {
        self.open = true;
    }

    /// Marks a step as having happened.
    pub fn tick(&mut self, step: Step) {
        if let Some(done) = self.done.get_mut(step as usize) {
            *done = true;
        }
    }

    /// Remembers where the app stood when `step` was prepared; the step is no longer done.
    pub fn mark(&mut self, step: Step, at: i64) {
        if let (Some(mark), Some(done)) = (self.marks.get_mut(step as usize), self.done.get_mut(step as usize)) {
            *mark = Some(at);
            *done = false;
        }
    }

    /// Where the app stood when `step` was prepared, if it was.
    pub fn mark_of(&self, step: Step) -> Option<i64> {
        self.marks.get(step as usize).copied().flatten()
    }

    /// Whether a step has happened.
    pub fn is_done(&self, step: Step) -> bool {
        self.done.get(step as usize).copied().unwrap_or(false)
    }

    /// Draws the window while open; returns the step whose button was clicked.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Step> {
        let mut open = self.open;
        let mut clicked = None;
        egui::Window::new("Demo")
            .open(&mut open)
            .default_width(340.0)
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -48.0))
            .resizable(false)
            // Anchored: nothing to gain from folding it, and its fold handle would be one more control to name.
            .collapsible(false)
            .show(ctx, |ui| clicked = self.steps_ui(ui));
        self.open = open;
        clicked
    }

    fn steps_ui(&mut self, ui: &mut egui::Ui) -> Option<Step> {
        ui.label("The whole story offline, on the local issuer. Each button fills the real forms; you press Send.");
        let dark = ui.visuals().dark_mode;
        let mut clicked = None;
        let next = self.done.iter().position(|done| !done);
        for (n, (step, done)) in Step::ALL.into_iter().zip(self.done).enumerate() {
            ui.add_space(theme::SECTION_GAP / 2.0);
            ui.horizontal(|ui| {
                let (mark, color) = match (done, next == Some(n)) {
                    (true, _) => ("done", theme::valid(dark)),
                    (false, true) => ("next", theme::warning(dark)),
                    (false, false) => ("", theme::muted(dark)),
                };
                if mark.is_empty() {
                    // No label at all rather than an empty one, which a screen reader would offer as a blank.
                    ui.allocate_space(egui::vec2(36.0, 18.0));
                } else {
                    ui.add_sized(
                        [36.0, 18.0],
                        egui::Label::new(egui::RichText::new(mark).color(color).small()),
                    );
                }
                if ui.button(format!("{}. {}", n + 1, step.title())).clicked() {
                    clicked = Some(step);
                }
            });
            ui.label(egui::RichText::new(step.hint()).small());
        }
        if ui.button("Start over").clicked() {
            self.done = Default::default();
            self.marks = Default::default();
        }
        clicked
    }
}
