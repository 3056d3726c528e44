//! The burst tool: send N copies of the current Delegation request at a chosen rate and watch the rate-limit
//! gauge and timeline fill. Up to 200 to the local issuer (loopback); up to 20 to a remote tenant, and only after
//! a confirmation that names it. Stop ends it at once.

use crate::core::auth0::answer::{Endpoint, read};
use crate::core::auth0::delegation::DelegationForm;
use crate::core::history::HistoryEntry;
use crate::core::history::RequestForm;
use crate::core::http::{HttpAnswer, HttpError, HttpRequest, is_loopback};
use crate::ui::command::{Command, HttpCommand, HttpOwner, RequestId, next_request_id};
use crate::ui::widgets::a11y::announce;
use crate::ui::widgets::fields::{inline_error, labelled_line};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Most copies to the local issuer.
pub const LOOPBACK_LIMIT: u32 = 200;
/// Most copies to a remote tenant.
pub const REMOTE_LIMIT: u32 = 20;

/// The burst's state.
pub struct Burst {
    count: String,
    rate: String,
    running: Option<Run>,
    confirm: Option<(String, u32, f64)>,
    /// Answers by status (0: no answer), for the summary.
    pub statuses: BTreeMap<u16, u32>,
    /// Copies awaiting an answer, each with what was sent.
    in_flight: HashMap<RequestId, Rc<Sent>>,
    pending_request: Option<Rc<Sent>>,
    /// Open the tool on the next frame (the guided demo prepared it).
    reveal: bool,
    /// Start as soon as the plan is valid, as a click on Start burst would.
    start_pending: bool,
}

impl Default for Burst {
    fn default() -> Self {
        Self {
            count: "15".to_owned(),
            rate: "5".to_owned(),
            running: None,
            confirm: None,
            statuses: BTreeMap::new(),
            in_flight: HashMap::new(),
            pending_request: None,
            reveal: false,
            start_pending: false,
        }
    }
}

/// What a burst sends, as it was when it started: later edits of the form do not change its history.
#[derive(Debug)]
pub struct Sent {
    /// The request each copy repeats.
    pub request: HttpRequest,
    /// The form that made it (with its token, taken out when the history records the entry).
    pub form: DelegationForm,
    /// The environment's name.
    pub environment: String,
}

/// One copy's answer, for the history and the rate-limit view.
pub struct CopyAnswer {
    /// Its history entry (no id yet), with the form as sent.
    pub entry: HistoryEntry,
    /// What the copy was sent as.
    pub sent: Rc<Sent>,
    /// The answer, if one came.
    pub answer: Option<HttpAnswer>,
}

struct Run {
    sent: Rc<Sent>,
    left: u32,
    interval: Duration,
    next: Instant,
}

impl Burst {
    /// Whether copies are still being sent.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Sets the copies and the rate, and opens the tool on the next frame.
    pub fn prepare(&mut self, count: u32, per_second: u32) {
        self.count = count.to_string();
        self.rate = per_second.to_string();
        self.reveal = true;
    }

    /// Starts on the next frame the tool is drawn in, as a click on Start burst would, if the plan is valid.
    pub fn press_start(&mut self) {
        self.reveal = true;
        self.start_pending = true;
    }

    /// Whether every copy was sent and answered (or given up on).
    pub fn is_done(&self) -> bool {
        self.running.is_none() && self.in_flight.is_empty()
    }

    /// Takes an answer to one of the copies, received at `now`; returns what the history and the rate-limit
    /// view need when it was ours.
    pub fn apply(&mut self, id: RequestId, result: Result<HttpAnswer, HttpError>, now: i64) -> Option<CopyAnswer> {
        let sent = self.in_flight.remove(&id)?;
        let status = result.as_ref().map_or(0, |a| a.status);
        *self.statuses.entry(status).or_default() += 1;
        let read = result.map(|answer| {
            let read = read(&answer, Endpoint::Delegation);
            (answer, read)
        });
        let mut entry = super::request::history_entry(&sent.request, &read, now);
        entry.summary = format!("burst: {}", entry.summary);
        entry.form = Some(RequestForm::Delegation(sent.form.clone()));
        Some(CopyAnswer {
            entry,
            sent,
            answer: read.ok().map(|(answer, _)| answer),
        })
    }

    /// Draws the tool and sends the copies that are due. `form`: the form's request when valid, the form and its
    /// environment's name.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        form: (Option<&HttpRequest>, &DelegationForm, &str),
        commands: &mut Vec<Command>,
    ) {
        let (request, form, environment) = form;
        let reveal = std::mem::take(&mut self.reveal).then_some(true);
        egui::CollapsingHeader::new("Burst").open(reveal).show(ui, |ui| {
            self.tick(ui.ctx(), commands);
            if let Some(left) = self.running.as_ref().map(|run| run.left) {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Sending: {left} copies left"));
                    if ui.button("Stop").clicked() {
                        self.running = None;
                    }
                });
            } else {
                self.setup_ui(ui, (request, form, environment));
            }
            self.confirm_ui(ui);
            if !self.statuses.is_empty() {
                let summary: Vec<String> = self
                    .statuses
                    .iter()
                    .map(|(status, n)| {
                        if *status == 0 {
                            format!("{n} without answer")
                        } else {
                            format!("{n} × {status}")
                        }
                    })
                    .collect();
                announce(ui.label(format!("Answers: {}", summary.join(", "))));
            }
        });
    }

    fn setup_ui(&mut self, ui: &mut egui::Ui, form: (Option<&HttpRequest>, &DelegationForm, &str)) {
        let (request, form, environment) = form;
        labelled_line(ui, "Copies", &mut self.count, "15");
        labelled_line(ui, "Requests per second", &mut self.rate, "5");
        let plan = self.plan(request);
        if let Err(e) = &plan {
            inline_error(ui, e);
        }
        let clicked = ui.add_enabled(plan.is_ok(), egui::Button::new("Start burst")).clicked();
        // A press from the demo counts for this frame only, like a click.
        let pressed = std::mem::take(&mut self.start_pending);
        if (clicked || (plan.is_ok() && pressed))
            && let (Ok((count, rate)), Some(request)) = (plan, request)
        {
            let url = url::Url::parse(&request.url).ok();
            let sent = Rc::new(Sent {
                request: request.clone(),
                form: form.clone(),
                environment: environment.to_owned(),
            });
            if url.as_ref().is_some_and(is_loopback) {
                self.start(sent, count, rate);
            } else {
                let host = url.and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
                self.confirm = Some((host, count, rate));
                self.pending_request = Some(sent);
            }
        }
    }

    /// Asks before sending a burst to a remote tenant, naming it.
    fn confirm_ui(&mut self, ui: &mut egui::Ui) {
        let Some((host, count, _)) = self.confirm.clone() else {
            return;
        };
        ui.label(format!(
            "Send {count} requests to the real tenant {host}? They count against its rate limits"
        ));
        ui.horizontal(|ui| {
            if ui.button(format!("Send to {host}")).clicked()
                && let Some((_, count, rate)) = self.confirm.take()
                && let Some(request) = self.pending_request.take()
            {
                self.start(request, count, rate);
            }
            if ui.button("Cancel").clicked() {
                self.confirm = None;
            }
        });
    }

    fn plan(&self, request: Option<&HttpRequest>) -> Result<(u32, f64), String> {
        let request = request.ok_or("fix the form first: the burst sends copies of its request")?;
        let loopback = url::Url::parse(&request.url).ok().as_ref().is_some_and(is_loopback);
        let limit = if loopback { LOOPBACK_LIMIT } else { REMOTE_LIMIT };
        let count = self
            .count
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=limit).contains(n))
            .ok_or_else(|| {
                format!(
                    "copies: a whole number from 1 to {limit} ({})",
                    if loopback { "local issuer" } else { "remote tenant" }
                )
            })?;
        let rate = self
            .rate
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|r| (0.1..=200.0).contains(r))
            .ok_or("requests per second: from 0.1 to 200")?;
        Ok((count, rate))
    }

    fn start(&mut self, sent: Rc<Sent>, count: u32, rate: f64) {
        self.statuses.clear();
        self.running = Some(Run {
            sent,
            left: count,
            interval: Duration::from_secs_f64(1.0 / rate),
            next: Instant::now(),
        });
    }

    /// Sends the copies that are due and asks for a frame when the next one is (called every frame, whichever
    /// tab is shown).
    pub fn tick(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let Some(run) = &mut self.running else { return };
        while run.left > 0 && run.next <= Instant::now() {
            let id = next_request_id();
            self.in_flight.insert(id, run.sent.clone());
            commands.push(Command::Http(HttpCommand::Send {
                id,
                owner: HttpOwner::DelegationBurst,
                request: run.sent.request.clone(),
            }));
            run.left -= 1;
            run.next += run.interval;
        }
        if run.left == 0 {
            self.running = None;
        } else {
            ctx.request_repaint_after(run.next.saturating_duration_since(Instant::now()));
        }
    }
}
