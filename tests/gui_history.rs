//! The History tab's opt-in token keeping, on the real app with the real keyring (under `scripts/test`) and the
//! real local issuer: with the setting on, each request's token goes to `history/<id>/token` and never into the
//! history file, "Load request N into the form" reads it back (or says it is gone), and the items of entries dropped by the
//! size bound or by Clear are deleted.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{App, KeyringRestorer, launch_with_issuer, real_or_memory_store, run_until};
use std::sync::Arc;
use tokenbench::core::history::{HISTORY_LIMIT, History, HistoryEntry, token_item};
use tokenbench::core::secret::SecretRef;
use tokenbench::services::secrets::SecretStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;

/// A full history whose oldest entry kept its token in the keyring.
fn full_history(store: &dyn SecretStore) -> History {
    let entries = (0..HISTORY_LIMIT as u64).map(|id| HistoryEntry {
        id,
        url: format!("http://127.0.0.1:9/old/{id}"),
        summary: "answered".into(),
        token: (id == 0).then(|| SecretRef::new(token_item(0))),
        ..HistoryEntry::default()
    });
    store.set(&token_item(0), &"an-old-kept-token".into()).unwrap();
    History {
        entries: entries.collect(),
        next_id: HISTORY_LIMIT as u64,
        ..History::default()
    }
}

fn app(store: Arc<dyn SecretStore>, history_file: std::path::PathBuf) -> App {
    let paths = BackendPaths {
        history: Some(history_file),
        ..BackendPaths::default()
    };
    let mut options = gui_support::options(Tab::History, store.clone(), None, paths);
    options.history = full_history(store.as_ref());
    launch_with_issuer(options)
}

/// Signs in as alice (which fills the Delegation form's id_token) and sends; returns the token sent.
fn send_as_alice(harness: &mut App) -> String {
    harness.get_by_label("Local issuer").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Sign in as alice").click();
    run_until(harness, "the sign-in", |h| h.state().settings.tab == Tab::Delegation);
    harness.run();
    let next = harness.state().history.next_id;
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(harness, "the answer", |h| {
        h.state().history.next_id > next && !h.state().delegation.sender.is_sending()
    });
    assert_eq!(harness.state().history.entries.last().unwrap().status, Some(200));
    harness.state().delegation.form.token.clone()
}

/// Clicks "Load request N into the form" on the newest entry.
fn load_newest(harness: &mut App) {
    harness.get_by_label("History").click();
    harness.run();
    let newest = harness.state().history.entries.last().unwrap().id;
    harness
        .get_by_role_and_label(Role::Button, &format!("Load request {newest} into the form"))
        .click();
    harness.run();
}

fn wait_for_store(harness: &mut App, what: &str, store: &dyn SecretStore, name: &str, present: bool) {
    run_until(harness, what, |_| store.get(name).is_ok() == present);
}

#[test]
fn kept_tokens_live_in_the_keyring_come_back_into_the_form_and_go_with_their_entries() {
    let store = real_or_memory_store();
    let _restorer = KeyringRestorer::new(store.clone());
    let dir = tempfile::tempdir().unwrap();
    let history_file = dir.path().join("history.json");
    let mut harness = app(store.clone(), history_file.clone());
    harness
        .get_by_label("Keep the tokens of each request in the keyring")
        .click();
    harness.run();
    assert!(harness.state().settings.keep_history_tokens);

    let first = send_as_alice(&mut harness);
    let (kept, newest) = (token_item(HISTORY_LIMIT as u64), token_item(HISTORY_LIMIT as u64 + 1));
    wait_for_store(&mut harness, "the first kept token", store.as_ref(), &kept, true);
    assert_eq!(store.get(&kept).unwrap().expose(), first);
    // The size bound dropped the oldest entry, and its item with it.
    wait_for_store(
        &mut harness,
        "the dropped entry's item to go",
        store.as_ref(),
        &token_item(0),
        false,
    );
    // Six seconds later on the simulated clock, so the second sign-in's token differs from the first and "the
    // newest" can only be read back from the newest entry's item.
    harness.get_by_role_and_label(Role::Button, "+6 s").click();
    harness.run();
    let second = send_as_alice(&mut harness);
    assert_ne!(first, second, "two different tokens");
    wait_for_store(&mut harness, "the second kept token", store.as_ref(), &newest, true);
    run_until(&mut harness, "the history file", |_| {
        std::fs::read_to_string(&history_file).is_ok_and(|t| t.contains(&newest))
    });
    let saved = std::fs::read_to_string(&history_file).unwrap();
    assert!(
        !saved.contains(&first) && !saved.contains(&second),
        "no token in the history file"
    );

    harness.state_mut().delegation.form.token.clear();
    load_newest(&mut harness);
    run_until(&mut harness, "the token read back", |h| {
        h.state().delegation.form.token == second
    });
    assert_eq!(harness.state().settings.tab, Tab::Delegation);

    store.delete(&newest).unwrap();
    harness.state_mut().delegation.form.token.clear();
    load_newest(&mut harness);
    run_until(&mut harness, "the missing item to be told", |h| {
        h.query_by_label_contains("no longer in the keyring").is_some()
    });
    assert!(harness.state().delegation.form.token.is_empty());

    harness.get_by_label("History").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Clear history").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Clear").click();
    harness.run();
    assert!(harness.state().history.entries.is_empty());
    wait_for_store(
        &mut harness,
        "Clear to delete the kept token",
        store.as_ref(),
        &kept,
        false,
    );
}
