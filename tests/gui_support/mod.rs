//! Shared set-up for the egui_kittest tests: the real app with a simulated clock, a chosen secret store and
//! optional save paths, plus helpers to type into labelled fields and to wait for backend jobs.
#![allow(dead_code)]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokenbench::core::history::History;
use tokenbench::core::workspace::Workspace;
use tokenbench::services::clock::{DemoClock, SimulatedClock};
use tokenbench::services::secrets::{KeyringStore, MemoryStore, SecretStore};
use tokenbench::ui::backend::BackendPaths;
use tokenbench::ui::{LaunchOptions, Settings, Tab, TokenbenchApp};

/// The app under test.
pub type App = Harness<'static, TokenbenchApp>;

/// "Now" for every GUI test: 2023-11-14 22:13:20 UTC.
pub const NOW: i64 = 1_700_000_000;

/// The real Secret Service under `scripts/test` (TOKENBENCH_TEST_KEYRING=1), memory elsewhere.
pub fn real_or_memory_store() -> Arc<dyn SecretStore> {
    if std::env::var_os("TOKENBENCH_TEST_KEYRING").is_some() {
        Arc::new(KeyringStore::open().expect("scripts/test starts an unlocked gnome-keyring"))
    } else {
        Arc::new(MemoryStore::default())
    }
}

/// Launch options for a test: defaults, UTC, the clock at [`NOW`], nothing saved unless `paths` say so.
pub fn options(tab: Tab, store: Arc<dyn SecretStore>, problem: Option<String>, paths: BackendPaths) -> LaunchOptions {
    let clock = DemoClock::following(SimulatedClock::at(NOW));
    LaunchOptions {
        // The issuer starts only in the tests about it, so tests do not compete for its port.
        settings: Settings {
            issuer_autostart: false,
            ..Settings::default()
        },
        settings_notice: None,
        paths,
        workspace: Workspace::default(),
        history: History::default(),
        secrets: Some((store, problem)),
        tab: Some(tab),
        token: None,
        screenshot: None,
        demo: None,
        clock: clock.clone(),
        clock_control: Some(clock),
        zone: jiff::tz::TimeZone::UTC,
    }
}

/// The app in a tall window, so every section is laid out without scrolling.
pub fn launch(options: LaunchOptions) -> App {
    Harness::builder()
        .with_size([1400.0, 2400.0])
        .with_max_steps(16)
        .build_eframe(move |cc| TokenbenchApp::new(&cc.egui_ctx, options).expect("the app starts"))
}

/// Focuses the input with this role and label and types `text` into it.
/// Launches the app with the local issuer starting with it on any free port (so parallel test runs never
/// collide), and waits until it listens.
pub fn launch_with_issuer(mut options: LaunchOptions) -> App {
    options.settings.issuer_autostart = true;
    options.settings.issuer_port = 0;
    let mut harness = launch(options);
    run_until(&mut harness, "the issuer to start", |h| {
        h.state().issuer.base_url().is_some()
    });
    harness
}

/// Clicks "Sign in as alice" in the Local issuer tab and waits for the app to show the Delegation form holding
/// her token.
pub fn sign_in_as_alice(harness: &mut App) {
    // Not through the navigation: "Local issuer" also names the forms' environment.
    harness.state_mut().settings.tab = Tab::LocalIssuer;
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Sign in as alice").click();
    run_until(harness, "the sign-in", |h| h.state().settings.tab == Tab::Delegation);
    harness.run();
}

/// The text the last frame put on the clipboard, if any.
pub fn copied_text(harness: &App) -> Option<String> {
    harness.output().platform_output.commands.iter().find_map(|c| match c {
        egui::OutputCommand::CopyText(text) => Some(text.clone()),
        _ => None,
    })
}

/// Typed text goes to whatever has focus, so the field must hold focus before anything is typed.
pub fn type_into(harness: &mut App, role: Role, label: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !harness.get_by_role_and_label(role, label).is_focused() {
        assert!(Instant::now() < deadline, "{label} never took focus");
        harness.get_by_role_and_label(role, label).focus();
        harness.run();
    }
    harness.get_by_role_and_label(role, label).type_text(text);
    harness.run();
}

/// Steps the app until `done` holds: backend jobs finish on other threads.
pub fn run_until(harness: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done(harness) {
        let message = &harness.state().secrets.message;
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last message {message:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
        // `step`, not `run`: a spinner repaints on every frame while a job is under way.
        harness.step();
    }
}

/// Deletes, when dropped, every item that appeared in the store after it was made. A test whose app starts
/// the local issuer on the real keyring makes the issuer generate its tenant's secrets there, and the later
/// test binaries of the same `scripts/test` run share that keyring: they must find it as it was.
pub struct KeyringRestorer {
    store: Arc<dyn SecretStore>,
    before: Vec<String>,
}

impl KeyringRestorer {
    /// Remembers the items the store holds now.
    pub fn new(store: Arc<dyn SecretStore>) -> Self {
        let before = store.list().expect("the store lists its items");
        Self { store, before }
    }
}

impl Drop for KeyringRestorer {
    fn drop(&mut self) {
        for name in self.store.list().unwrap_or_default() {
            if !self.before.contains(&name) {
                let _ = self.store.delete(&name);
            }
        }
    }
}

/// The stand-in for the system browser: follows the authorize URL, picks [`PICKED_USER`] on the login page and
/// comes back to the loopback callback.
pub const FAKE_BROWSER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/fake-browser");

/// The demo user the stand-in browser picks.
pub const PICKED_USER: &str = "auth0|bob";

/// Makes the stand-in browser this process's `$BROWSER` (once, before the calling test's app starts). False,
/// with a message, when python3 (which runs it) is missing: the caller skips, unless TOKENBENCH_REQUIRE_BROWSER=1
/// says the machine has everything, and then this fails.
pub fn use_fake_browser() -> bool {
    static SET: std::sync::Once = std::sync::Once::new();
    let python = std::process::Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|o| o.status.success()) {
        let required = std::env::var_os("TOKENBENCH_REQUIRE_BROWSER").is_some_and(|v| v == "1");
        assert!(
            !required,
            "python3 runs the stand-in browser and TOKENBENCH_REQUIRE_BROWSER=1"
        );
        eprintln!("skipped: python3 runs the stand-in browser (tests/support/fake-browser)");
        return false;
    }
    SET.call_once(|| {
        // SAFETY: set once and never changed again; nothing else in these test binaries reads or writes these
        // two variables, and the app reads BROWSER only when a sign-in starts, after this.
        unsafe {
            std::env::set_var("BROWSER", FAKE_BROWSER);
            std::env::set_var("FAKE_BROWSER_PICK", PICKED_USER);
        }
    });
    true
}

/// Every node a screen reader can focus or click that has no name, by role and value.
pub fn unnamed_controls(harness: &App) -> Vec<String> {
    use egui::accesskit::Action;
    use egui_kittest::kittest::NodeT;
    harness
        .root()
        .children_recursive()
        .filter(|node| {
            let data = node.accesskit_node().data();
            data.supports_action(Action::Focus) || data.supports_action(Action::Click)
        })
        .filter(|node| {
            let node = node.accesskit_node();
            let name = if node.label_comes_from_value() {
                node.value()
            } else {
                node.label()
            };
            name.unwrap_or_default().trim().is_empty()
        })
        .map(|node| {
            let node = node.accesskit_node();
            format!("{:?} (value {:?})", node.role(), node.value())
        })
        .collect()
}
