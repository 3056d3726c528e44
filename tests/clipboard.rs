//! Copying a secret through the real clipboard (the X server `scripts/test` starts): the value can be pasted
//! by another client, it is cleared after the (injected) delay, and something copied since is left alone.
//! Without a display these tests skip, unless TOKENBENCH_REQUIRE_DISPLAY says one must be there.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{launch, run_until};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokenbench::core::secret::SecretString;
use tokenbench::services::clipboard::copy_secret;
use tokenbench::services::secrets::{MemoryStore, SecretStore};
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

/// The clipboard is one per display: these tests take turns.
static CLIPBOARD: Mutex<()> = Mutex::new(());

/// The turn at the clipboard, or `None` when there is no display to test against.
fn clipboard_turn() -> Option<MutexGuard<'static, ()>> {
    let has_display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
    if !has_display {
        assert!(
            std::env::var_os("TOKENBENCH_REQUIRE_DISPLAY").is_none(),
            "TOKENBENCH_REQUIRE_DISPLAY is set but DISPLAY is not: scripts/test should have started Xvfb"
        );
        eprintln!("skipped: no display; run under scripts/test");
        return None;
    }
    Some(CLIPBOARD.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// Retries `attempt` for up to five seconds: a new X connection can be refused for a moment while the
/// machine is busy with the other test binaries, which is not what these tests are about.
fn retry_connecting<T, E: std::fmt::Debug>(what: &str, mut attempt: impl FnMut() -> Result<T, E>) -> T {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match attempt() {
            Ok(value) => return value,
            Err(error) if Instant::now() > deadline => panic!("{what}: {error:?}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Another client of the X clipboard.
fn other_client() -> arboard::Clipboard {
    retry_connecting("the X clipboard", arboard::Clipboard::new)
}

/// Copies `value` through tokenbench, to be cleared after `delay`.
fn copy(value: &str, delay: Duration) {
    retry_connecting("copy_secret", || copy_secret(SecretString::new(value), delay));
}

/// What another client pasting now would get (`None`: the clipboard is empty).
fn paste() -> Option<String> {
    other_client().get_text().ok()
}

/// Polls the clipboard until it holds `expected`, for up to five seconds.
fn wait_for_clipboard(expected: Option<&str>) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = paste();
        if now.as_deref() == expected || Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_copied_secret_can_be_pasted_until_it_is_cleared() {
    let Some(_turn) = clipboard_turn() else { return };
    copy("clip-secret-1", Duration::from_millis(800));
    assert_eq!(paste().as_deref(), Some("clip-secret-1"));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        paste().as_deref(),
        Some("clip-secret-1"),
        "still there before the delay"
    );
    let after = wait_for_clipboard(None);
    assert!(
        after.as_deref().is_none_or(str::is_empty),
        "cleared after the delay: {after:?}"
    );
}

#[test]
fn something_copied_since_is_not_cleared() {
    let Some(_turn) = clipboard_turn() else { return };
    copy("clip-secret-2", Duration::from_millis(300));
    let mut other = other_client();
    other.set_text("the user's own text").expect("set");
    std::thread::sleep(Duration::from_millis(900));
    assert_eq!(paste().as_deref(), Some("the user's own text"));
}

#[test]
fn copy_in_the_secrets_panel_puts_the_value_on_the_clipboard() {
    let Some(_turn) = clipboard_turn() else { return };
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    store
        .set("hmac_secret/to-copy", &"clip-secret-3".into())
        .expect("memory store works");
    let options = gui_support::options(Tab::Secrets, store, None, BackendPaths::default());
    let mut harness = launch(options);
    run_until(&mut harness, "the listing", |h| !h.state().keyring_names.is_empty());
    harness
        .get_by_role_and_label(Role::Button, "Copy hmac_secret/to-copy")
        .click();
    run_until(&mut harness, "the copy", |h| h.state().secrets.message.is_some());
    let message = harness.state().secrets.message.clone().expect("a message");
    assert!(
        message.as_ref().is_ok_and(|m| m.contains("cleared in 30 s")),
        "{message:?}"
    );
    assert_eq!(
        wait_for_clipboard(Some("clip-secret-3")).as_deref(),
        Some("clip-secret-3")
    );
    assert!(harness.query_by_label("clip-secret-3").is_none(), "never shown");
}
