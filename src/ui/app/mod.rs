//! The application: drains backend events, handles global input (paste, drop, shortcuts), draws the
//! navigation and the selected panel, and runs the commands panels produced.

mod clock_bar;
mod demo;
mod demo_play;
mod events;

use super::backend::{Backend, BackendPaths};
use super::command::{Command, FilesCommand, SecretsCommand, TokenOrigin};
use super::inspector::InspectorPanel;
use super::secrets::SecretsPanel;
use super::settings::{Settings, Tab, ThemeChoice};
use super::theme;
use crate::core::history::History;
use crate::core::jwt::input::{Inspection, inspect};
use crate::core::workspace::Workspace;
use crate::services::clock::Clock;
use crate::services::secrets::SecretStore;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

/// How the window starts.
pub struct LaunchOptions {
    /// Settings loaded from disk (or defaults).
    pub settings: Settings,
    /// A message when the settings file had to be set aside.
    pub settings_notice: Option<String>,
    /// Where settings and the workspace are saved; `None` keeps them in memory (tests).
    pub paths: BackendPaths,
    /// The workspace loaded from disk (or empty).
    pub workspace: Workspace,
    /// The request history loaded from disk (or empty).
    pub history: History,
    /// A secret store to use instead of the OS keyring, with the reason the keyring is not used (tests).
    pub secrets: Option<(Arc<dyn SecretStore>, Option<String>)>,
    /// Tab from the command line, overriding the saved one.
    pub tab: Option<Tab>,
    /// Token from the command line.
    pub token: Option<String>,
    /// Save a screenshot here after the first frames, then close.
    pub screenshot: Option<PathBuf>,
    /// Open the guided demo and play its first N steps (0: only open it), then show `tab` if one was given.
    pub demo: Option<usize>,
    /// The clock for time checks, the issuer and countdowns.
    pub clock: Arc<dyn Clock>,
    /// The same clock's controls (freeze, advance, real time), when it can be moved.
    pub clock_control: Option<Arc<crate::services::clock::DemoClock>>,
    /// The local time zone for displayed times.
    pub zone: jiff::tz::TimeZone,
}

/// Screenshot state for `--screenshot`.
struct ScreenshotJob {
    path: PathBuf,
    frames_left: u32,
    started: std::time::Instant,
    images: Option<Receiver<Arc<egui::ColorImage>>>,
}

/// The tokenbench window.
pub struct TokenbenchApp {
    /// Persisted settings.
    pub settings: Settings,
    /// The inspector panel.
    pub inspector: InspectorPanel,
    /// The secrets panel.
    pub secrets: SecretsPanel,
    /// The local issuer panel.
    pub issuer: super::issuer::IssuerPanel,
    /// The Delegation form.
    pub delegation: super::forms::delegation::DelegationPanel,
    /// The Token exchange form.
    pub exchange: super::forms::exchange::ExchangePanel,
    /// The History tab.
    pub history_panel: super::history::HistoryPanel,
    /// The Rate limits tab.
    pub rate_limits: super::rate_limits::RateLimitsPanel,
    /// The Captures tab.
    pub captures: super::captures::CapturesPanel,
    /// What every answer's rate-limit headers said (the Rate limits tab and the forms' throttle line).
    pub rate_book: super::rate_limits::book::RateBook,
    /// The guided demo's window.
    pub demo: super::demo::DemoPanel,
    /// The request timeout both forms share, as typed; a valid value is the setting.
    pub request_timeout: super::forms::timeout::TimeoutField,
    demo_script: Option<demo_play::DemoScript>,
    /// Kept tokens of long-dropped entries were deleted this session (tried once).
    orphans_swept: bool,
    /// Environments, saved forms, local tenant.
    pub workspace: Workspace,
    /// Past requests.
    pub history: History,
    /// `Some(reason)` when secrets are kept in memory only.
    pub keyring_problem: Option<String>,
    /// tokenbench's keyring item names, for every panel that offers them.
    pub keyring_names: Vec<String>,
    show_keyring_details: bool,
    backend: Backend,
    clock: Arc<dyn Clock>,
    clock_control: Option<Arc<crate::services::clock::DemoClock>>,
    zone: jiff::tz::TimeZone,
    banner: Option<String>,
    /// The kept token being read back for a form loaded from the history: its item and the form's tab.
    awaiting_token: Option<(String, Tab)>,
    paste_offer: Option<String>,
    saved_settings: Settings,
    screenshot: Option<ScreenshotJob>,
    /// Entries recorded during a burst, saved when it ends.
    history_unsaved: bool,
}

impl TokenbenchApp {
    /// Builds the app for a context (the window's, or a test harness's).
    pub fn new(ctx: &egui::Context, options: LaunchOptions) -> std::io::Result<Self> {
        let mut settings = options.settings;
        if let Some(tab) = options.tab {
            settings.tab = tab;
        }
        if options.token.is_some() && options.tab.is_none() {
            settings.tab = Tab::Inspector;
        }
        apply_theme(ctx, settings.theme);
        super::widgets::a11y::install(ctx);
        let mut app = Self {
            inspector: InspectorPanel::new(settings.leeway_seconds, options.token),
            backend: Backend::new(ctx.clone(), options.paths, options.secrets, options.clock.clone())?,
            secrets: SecretsPanel::default(),
            issuer: Default::default(),
            delegation: Default::default(),
            exchange: Default::default(),
            history_panel: Default::default(),
            rate_limits: Default::default(),
            captures: Default::default(),
            rate_book: Default::default(),
            workspace: options.workspace,
            history: options.history,
            keyring_problem: None,
            keyring_names: Vec::new(),
            show_keyring_details: false,
            request_timeout: super::forms::timeout::TimeoutField::new(settings.request_timeout_seconds),
            saved_settings: settings.clone(),
            settings,
            clock: options.clock,
            clock_control: options.clock_control,
            zone: options.zone,
            banner: options.settings_notice,
            awaiting_token: None,
            paste_offer: None,
            screenshot: options.screenshot.map(|path| ScreenshotJob {
                path,
                frames_left: 3,
                started: std::time::Instant::now(),
                images: None,
            }),
            history_unsaved: false,
            demo: Default::default(),
            demo_script: options.demo.map(|steps| demo_play::DemoScript::new(steps, options.tab)),
            orphans_swept: false,
        };
        if options.demo.is_some() {
            app.demo.show();
        }
        // Opens the keyring in the background and learns whether it is available.
        app.backend.run_secrets(SecretsCommand::List);
        if app.settings.issuer_autostart {
            // A fresh machine demos offline: the issuer starts with the window.
            app.issuer.starting();
            let port = app.settings.issuer_port;
            let tenant_file = app.settings.issuer_tenant_file.clone();
            app.backend
                .run_issuer(super::command::IssuerCommand::Start { port, tenant_file });
        }
        Ok(app)
    }

    fn handle_input(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let nothing_focused = ctx.memory(|m| m.focused().is_none());
        let (pasted, dropped) = ctx.input(|i| {
            let pasted = i.events.iter().find_map(|e| match e {
                egui::Event::Paste(text) => Some(text.clone()),
                _ => None,
            });
            (pasted, i.raw.dropped_files.clone())
        });
        if let Some(text) = pasted.filter(|_| nothing_focused) {
            self.offer_paste(text);
        }
        for file in dropped {
            commands.push(dropped_file_command(file.path()));
        }
        self.shortcuts(ctx, commands);
    }

    /// A paste outside any text field: a JWT, or text holding JWTs (a log), goes straight into the inspector
    /// when it is open, otherwise it is offered in a banner.
    fn offer_paste(&mut self, text: String) {
        if !matches!(inspect(&text), Inspection::Jwt(_)) && crate::core::jwt::scan::find_jwts(&text).is_empty() {
            return;
        }
        if self.settings.tab == Tab::Inspector {
            self.open_token(text, TokenOrigin::Pasted);
        } else {
            self.paste_offer = Some(text);
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        use egui::{Key, KeyboardShortcut, Modifiers};
        let pressed = |key| ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, key)));
        if pressed(Key::O) {
            commands.push(Command::Files(FilesCommand::OpenTokenFile));
        }
        if pressed(Key::S) && !self.inspector.token.is_empty() {
            commands.push(self.inspector.export_command(self.clock.now(), &self.zone, None));
        }
        if pressed(Key::D) {
            self.inspector.pin();
        }
        let digits = [
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
            Key::Num6,
            Key::Num7,
            Key::Num8,
        ];
        for (key, tab) in digits.into_iter().zip(Tab::ALL) {
            if pressed(key) {
                self.settings.tab = tab;
            }
        }
    }

    fn top_bar_ui(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        ui.horizontal(|ui| {
            ui.heading("tokenbench");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let before = self.settings.theme;
                for (choice, name) in [
                    (ThemeChoice::Light, "Light"),
                    (ThemeChoice::Dark, "Dark"),
                    (ThemeChoice::System, "System"),
                ] {
                    ui.selectable_value(&mut self.settings.theme, choice, name);
                }
                ui.label("Theme");
                if before != self.settings.theme {
                    apply_theme(ctx, self.settings.theme);
                }
            });
        });
    }

    fn banners_ui(&mut self, ui: &mut egui::Ui) {
        let dark = ui.visuals().dark_mode;
        if let Some(message) = self.banner.clone() {
            ui.horizontal_wrapped(|ui| {
                ui.label(egui::RichText::new(message).color(theme::warning(dark)));
                if ui.button("Dismiss").clicked() {
                    self.banner = None;
                }
            });
        }
        if let Some(problem) = &self.keyring_problem {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    egui::RichText::new(
                        "The OS keyring is unavailable, so secrets are kept in memory until tokenbench closes: \
                         start or unlock it (on Linux, a Secret Service such as gnome-keyring) and restart tokenbench",
                    )
                    .color(theme::warning(dark)),
                );
                if !problem.is_empty() {
                    ui.toggle_value(&mut self.show_keyring_details, "Details");
                }
            });
            if self.show_keyring_details {
                ui.label(egui::RichText::new(problem.as_str()).small());
            }
        }
        if let Some(text) = self.paste_offer.clone() {
            ui.horizontal(|ui| {
                let holds = if matches!(inspect(&text), Inspection::Jwt(_)) {
                    "The clipboard holds a JWT"
                } else {
                    "The clipboard holds a text with JWTs in it"
                };
                ui.label(holds);
                if ui.button("Inspect it").clicked() {
                    self.open_token(text.clone(), TokenOrigin::Pasted);
                    self.paste_offer = None;
                }
                if ui.button("Dismiss").clicked() {
                    self.paste_offer = None;
                }
            });
        }
    }

    fn navigation_ui(&mut self, ui: &mut egui::Ui) {
        for tab in Tab::ALL {
            let selected = self.settings.tab == tab;
            if ui.selectable_label(selected, tab.title()).clicked() {
                self.settings.tab = tab;
            }
        }
    }

    fn persist_if_changed(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        if let Some(rect) = ctx.input(|i| i.viewport().inner_rect) {
            self.settings.window_size = Some([rect.width().round(), rect.height().round()]);
        }
        self.settings.leeway_seconds = self.inspector.leeway_seconds().unwrap_or(self.settings.leeway_seconds);
        if let Ok(timeout) = self.request_timeout.value() {
            self.settings.request_timeout_seconds = timeout.as_secs();
        }
        // Window size changes continuously while resizing; it is saved with the next other change or on exit.
        let mut comparable = self.settings.clone();
        comparable.window_size = self.saved_settings.window_size;
        if comparable != self.saved_settings {
            self.saved_settings = self.settings.clone();
            commands.push(Command::Files(FilesCommand::SaveSettings(self.settings.clone())));
        }
    }

    fn screenshot_step(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let Some(job) = &mut self.screenshot else { return };
        // The picture waits (up to a bound) for the issuer that starts with the window, so it shows it running,
        // and for a demo playing its steps.
        let starting = self.issuer.status == super::issuer::IssuerStatus::Busy || self.demo_script.is_some();
        if starting && job.started.elapsed() < std::time::Duration::from_secs(30) {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
            return;
        }
        if job.frames_left > 0 {
            job.frames_left -= 1;
            ctx.request_repaint();
            return;
        }
        match &job.images {
            None => {
                let (sender, receiver) = channel();
                let waker = ctx.clone();
                ctx.request_screenshot(move |image| {
                    let _ = sender.send(image);
                    waker.request_repaint();
                });
                job.images = Some(receiver);
            }
            Some(receiver) => {
                if let Ok(image) = receiver.try_recv() {
                    commands.push(Command::Files(FilesCommand::SaveScreenshot {
                        path: job.path.clone(),
                        image,
                    }));
                    self.screenshot = None;
                }
            }
        }
    }

    /// Draws one frame into `ui` and runs the resulting commands. Events are applied in [`eframe::App::logic`]
    /// (which runs also while the window is hidden).
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        ctx.accesskit_node_builder(egui::accesskit_root_id(), |node| node.set_label("tokenbench"));
        if self.settings.tab != Tab::Secrets || !ctx.input(|i| i.focused) {
            // A revealed secret is hidden again as soon as the Secrets panel loses focus.
            self.secrets.hide();
        }
        let mut commands = Vec::new();
        self.handle_input(&ctx, &mut commands);
        self.delegation.burst.tick(&ctx, &mut commands);
        if self.history_unsaved && self.delegation.burst.is_done() {
            self.history_unsaved = false;
            commands.push(Command::Files(FilesCommand::SaveHistory(self.history.clone())));
        }
        egui::Panel::top("top_bar").show(ui, |ui| {
            self.top_bar_ui(ui, &ctx);
            self.banners_ui(ui);
        });
        if let Some(control) = &self.clock_control {
            egui::Panel::bottom("status_bar").show(ui, |ui| {
                clock_bar::clock_bar_ui(ui, control, &self.zone);
            });
        }
        egui::Panel::left("navigation")
            .exact_size(theme::NAV_WIDTH)
            .show(ui, |ui| self.navigation_ui(ui));
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| self.panel_ui(ui, &mut commands));
        });
        self.demo_ui(&ctx, &mut commands);
        self.persist_if_changed(&ctx, &mut commands);
        self.screenshot_step(&ctx, &mut commands);
        self.run_commands(commands);
    }

    /// Draws the selected tab's panel: the one place tabs meet panels.
    fn panel_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        use super::panel::Panel;
        let local = self.local_issuer();
        let mut cx = events::panel_context!(self, local);
        match cx.settings.tab {
            Tab::Inspector => self.inspector.ui(ui, &mut cx, commands),
            Tab::History => self.history_panel.ui(ui, &mut cx, commands),
            Tab::Secrets => self.secrets.ui(ui, &mut cx, commands),
            Tab::LocalIssuer => self.issuer.ui(ui, &mut cx, commands),
            Tab::Delegation => self.delegation.ui(ui, &mut cx, commands),
            Tab::TokenExchange => self.exchange.ui(ui, &mut cx, commands),
            Tab::RateLimits => self.rate_limits.ui(ui, &mut cx, commands),
            Tab::Captures => self.captures.ui(ui, &mut cx, commands),
        }
    }
}

/// A dropped `.har` file is read as a capture; any other file as a token, unless its JSON starts with
/// `{"log"` (the backend looks, and reads it as a capture then).
fn dropped_file_command(path: &std::path::Path) -> Command {
    let path = path.to_path_buf();
    let is_har = path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("har"));
    if is_har {
        Command::Files(FilesCommand::OpenHar(Some(path)))
    } else {
        Command::Files(FilesCommand::ReadTokenFile(path))
    }
}

fn apply_theme(ctx: &egui::Context, choice: ThemeChoice) {
    ctx.set_theme(match choice {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
        ThemeChoice::Light => egui::ThemePreference::Light,
    });
}

impl eframe::App for TokenbenchApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.apply_events(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if self.history_unsaved {
            // A burst still under way: its entries are saved with the settings below, before the window goes.
            self.backend.run_files(FilesCommand::SaveHistory(self.history.clone()));
        }
        self.backend.save_settings_now(&self.settings);
    }
}

/// The task-bar icon: the token's three coloured segments (`assets/icon.png`).
fn window_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!("../../../assets/icon.png")).unwrap_or_default()
}

/// Opens the window and blocks until it closes.
pub fn run(options: LaunchOptions) -> Result<(), eframe::Error> {
    let size = options.settings.window_size.unwrap_or([1100.0, 760.0]);
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("tokenbench")
            .with_app_id("tokenbench")
            .with_inner_size(size)
            .with_min_inner_size([640.0, 420.0])
            .with_drag_and_drop(true)
            .with_icon(window_icon()),
        ..Default::default()
    };
    eframe::run_native(
        "tokenbench",
        native,
        Box::new(|cc| Ok(Box::new(TokenbenchApp::new(&cc.egui_ctx, options)?))),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_decodes_to_a_64_pixel_image() {
        let icon = super::window_icon();
        assert_eq!((icon.width, icon.height), (64, 64));
        assert_eq!(icon.rgba.len(), 64 * 64 * 4);
    }
}
