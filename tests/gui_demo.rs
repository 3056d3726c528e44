//! The guided demo on the real app and the real local issuer: every step's button fills the real forms, the
//! presenter's clicks (Send, Start burst, +1 min) do the rest, and each step is ticked when it has happened.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{App, launch_with_issuer, run_until};
use std::sync::Arc;
use tokenbench::core::jwt::{Inspection, inspect};
use tokenbench::services::secrets::MemoryStore;
use tokenbench::ui::Tab;
use tokenbench::ui::backend::BackendPaths;
use tokenbench::ui::demo::Step;

fn app_with_issuer() -> App {
    app_playing(None, Some(Tab::LocalIssuer))
}

/// The app playing `demo` steps by itself, then showing `then`.
fn app_playing(demo: Option<usize>, then: Option<Tab>) -> App {
    let store = Arc::new(MemoryStore::default());
    let mut options = gui_support::options(Tab::LocalIssuer, store, None, BackendPaths::default());
    options.demo = demo;
    options.tab = then;
    let mut harness = launch_with_issuer(options);
    if demo.is_none() {
        harness.run();
    }
    harness
}

/// Clicks step `n`'s button in the demo window and waits until the app has finished preparing it.
fn prepare(harness: &mut App, step: Step, ready: impl Fn(&App) -> bool) {
    let n = Step::ALL.iter().position(|s| *s == step).unwrap() + 1;
    harness
        .get_by_role_and_label(Role::Button, &format!("{n}. {}", step.title()))
        .click();
    run_until(harness, step.title(), ready);
    harness.run();
}

fn send_until(harness: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    harness.get_by_role_and_label(Role::Button, "Send").click();
    run_until(harness, what, done);
    harness.run();
}

fn status(answer: &Option<Result<(tokenbench::core::http::HttpAnswer, impl Sized), impl Sized>>) -> Option<u16> {
    answer.as_ref().and_then(|a| a.as_ref().ok()).map(|(a, _)| a.status)
}

#[test]
fn the_guided_demo_walks_the_whole_story_on_the_real_forms() {
    let mut harness = app_with_issuer();
    harness.get_by_role_and_label(Role::Button, "Demo").click();
    harness.run();
    assert!(harness.state().demo.open);

    prepare(&mut harness, Step::SignIn, |h| {
        !h.state().delegation.form.token.is_empty()
    });
    assert_eq!(harness.state().settings.tab, Tab::Delegation);
    assert!(harness.state().demo.is_done(Step::SignIn));

    prepare(&mut harness, Step::ExchangeApple, |h| {
        h.state().exchange.form.subject_token.starts_with('c')
    });
    assert_eq!(harness.state().settings.tab, Tab::TokenExchange);
    assert!(
        !harness.state().demo.is_done(Step::ExchangeApple),
        "ticked only once the answer comes"
    );
    send_until(&mut harness, "the exchange", |h| {
        h.state().exchange.sender.last.is_some()
    });
    assert_eq!(status(&harness.state().exchange.sender.last), Some(200));
    assert!(harness.state().demo.is_done(Step::ExchangeApple));

    prepare(&mut harness, Step::DelegateFirebase, |h| {
        h.state().delegation.form.target == "demo-firebase"
    });
    send_until(&mut harness, "the Firebase delegation", |h| {
        h.state().delegation.sender.last.is_some()
    });
    assert_eq!(status(&harness.state().delegation.sender.last), Some(200));
    assert!(harness.state().demo.is_done(Step::DelegateFirebase));

    prepare(&mut harness, Step::InspectAndDiff, |h| {
        h.state().inspector.pinned.is_some()
    });
    assert_eq!(harness.state().settings.tab, Tab::Inspector);
    let Inspection::Jwt(pinned) = inspect(&harness.state().delegation.form.token) else {
        panic!("alice's ID token is a JWT")
    };
    assert_eq!(
        harness.state().inspector.pinned.as_ref().unwrap().payload,
        pinned.payload,
        "the pinned token is alice's ID token"
    );

    prepare(&mut harness, Step::DelegateAzure, |h| {
        h.state().delegation.form.target == "demo-azure-blob"
    });
    send_until(&mut harness, "the Azure delegation", |h| {
        h.state().demo.is_done(Step::DelegateAzure)
    });

    prepare(&mut harness, Step::HitTheLimit, |h| {
        h.state().delegation.form.api_type == "app"
    });
    harness.get_by_role_and_label(Role::Button, "Start burst").click();
    run_until(&mut harness, "the burst", |h| {
        h.state().delegation.burst.is_done() && h.state().delegation.burst.statuses.values().sum::<u32>() == 15
    });
    harness.run();
    // Two of the ten were spent on Firebase and Azure.
    let statuses = harness.state().delegation.burst.statuses.clone();
    assert_eq!(
        (statuses.get(&200), statuses.get(&429)),
        (Some(&8), Some(&7)),
        "{statuses:?}"
    );
    assert!(harness.state().demo.is_done(Step::HitTheLimit));
    assert!(!harness.state().demo.is_done(Step::FastForward));

    prepare(&mut harness, Step::FastForward, |h| {
        h.state().settings.tab == Tab::RateLimits
    });
    harness.get_by_label_contains("Throttled: the next request passes at");
    harness.get_by_role_and_label(Role::Button, "+1 min").click();
    harness.run();
    harness.get_by_label_contains("The next request would pass now");
    assert!(harness.state().demo.is_done(Step::FastForward));
}

#[test]
fn the_demo_plays_itself_through_every_step_for_screenshots_and_rehearsals() {
    let mut harness = app_playing(Some(Step::ALL.len()), Some(Tab::History));
    run_until(&mut harness, "every step, then the tab asked for", |h| {
        Step::ALL.iter().all(|step| h.state().demo.is_done(*step)) && h.state().settings.tab == Tab::History
    });
    let statuses = harness.state().delegation.burst.statuses.clone();
    assert_eq!(
        (statuses.get(&200), statuses.get(&429)),
        (Some(&8), Some(&7)),
        "{statuses:?}"
    );
    let history = &harness.state().history.entries;
    assert_eq!(history.len(), 1 + 2 + 15, "the exchange, two delegations and the burst");
}

#[test]
fn a_demo_played_through_two_steps_stops_there() {
    let mut harness = app_playing(Some(2), None);
    run_until(&mut harness, "two steps", |h| {
        h.state().demo.is_done(Step::ExchangeApple)
    });
    for _ in 0..20 {
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!harness.state().demo.is_done(Step::DelegateFirebase));
    assert_eq!(harness.state().settings.tab, Tab::TokenExchange);
}

#[test]
fn a_step_is_ticked_only_by_what_happens_after_its_button_not_by_an_earlier_run() {
    use tokenbench::core::auth0::delegation::DelegationForm;
    use tokenbench::core::history::{History, HistoryEntry, RequestForm};
    let store = Arc::new(MemoryStore::default());
    let mut options = gui_support::options(Tab::LocalIssuer, store, None, BackendPaths::default());
    let mut history = History::default();
    let earlier = DelegationForm {
        target: "demo-firebase".into(),
        ..DelegationForm::default()
    };
    history.record(
        HistoryEntry {
            status: Some(200),
            form: Some(RequestForm::Delegation(earlier)),
            ..HistoryEntry::default()
        },
        false,
    );
    options.history = history;
    let mut harness = launch_with_issuer(options);
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Demo").click();
    harness.run();
    prepare(&mut harness, Step::SignIn, |h| h.state().demo.is_done(Step::SignIn));
    prepare(&mut harness, Step::DelegateFirebase, |h| {
        h.state().delegation.form.target == "demo-firebase"
    });
    assert!(
        !harness.state().demo.is_done(Step::DelegateFirebase),
        "the earlier run's answer does not count"
    );
    send_until(&mut harness, "this run's answer", |h| {
        h.state().demo.is_done(Step::DelegateFirebase)
    });
    harness.get_by_role_and_label(Role::Button, "Start over").click();
    harness.run();
    assert!(
        Step::ALL.iter().all(|s| !harness.state().demo.is_done(*s)),
        "Start over clears every step"
    );
}
