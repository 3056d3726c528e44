//! Two sections of the Local issuer panel: the live rate-limit buckets (who has how many tokens left, when
//! the next one comes, Reset bucket) and the injected faults per endpoint. Both only push commands; the
//! backend changes the running issuer's state.

use crate::core::issuer::buckets::LiveBucket;
use crate::core::tenant::faults::MAX_LATENCY_MS;
use crate::core::tenant::{Failure, Fault, FaultEndpoint, Faults};
use crate::ui::command::{Command, IssuerCommand};
use crate::ui::widgets::a11y::choice;
use crate::ui::widgets::time::readable_time;

/// Lists the buckets with a Reset button each, named after its bucket; `now` is the window's clock, times are
/// said in `zone`.
pub fn buckets_ui(
    ui: &mut egui::Ui,
    buckets: &[LiveBucket],
    (now, zone): (i64, &jiff::tz::TimeZone),
    commands: &mut Vec<Command>,
) {
    if buckets.is_empty() {
        ui.label("No live buckets: every caller has its full allowance");
        return;
    }
    egui::Grid::new("issuer_buckets")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            for bucket in buckets {
                ui.monospace(bucket.key.label());
                ui.label(format!("{} of {} tokens left", bucket.tokens, bucket.capacity));
                ui.label(next_refill_text(bucket.next_refill, now, zone));
                if ui
                    .button(format!("Reset bucket {}", bucket.key.label()))
                    .on_hover_text(format!("Refill {} now", bucket.key.label()))
                    .clicked()
                {
                    commands.push(Command::Issuer(IssuerCommand::ResetBucket(Some(bucket.key.clone()))));
                }
                ui.end_row();
            }
        });
    if ui.button("Reset all buckets").clicked() {
        commands.push(Command::Issuer(IssuerCommand::ResetBucket(None)));
    }
}

fn next_refill_text(next: Option<i64>, now: i64, zone: &jiff::tz::TimeZone) -> String {
    match next {
        None => "full".to_owned(),
        Some(at) if at <= now => "next token now".to_owned(),
        Some(at) => format!("next token at {}", readable_time(at, now, zone)),
    }
}

/// Draws the fault switches; true when one changed (the caller sends them to the issuer).
pub fn faults_ui(ui: &mut egui::Ui, faults: &mut Faults) -> bool {
    ui.label("Make the local issuer misbehave, to try a client's retries and error handling. Off by default");
    let mut changed = false;
    for endpoint in FaultEndpoint::ALL {
        ui.add_space(crate::ui::theme::SECTION_GAP / 2.0);
        ui.strong(endpoint.name());
        changed |= fault_ui(ui, endpoint, faults.of_mut(endpoint));
    }
    changed
}

fn fault_ui(ui: &mut egui::Ui, endpoint: FaultEndpoint, fault: &mut Fault) -> bool {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(format!("Latency for {}", endpoint.name()));
        changed |= ui
            .add(
                egui::DragValue::new(&mut fault.latency_ms)
                    .range(0..=MAX_LATENCY_MS)
                    .speed(10)
                    .suffix(" ms"),
            )
            .labelled_by(label.id)
            .changed();
        let combo = egui::ComboBox::from_id_salt(("fault_failure", endpoint.key()));
        let label = format!("Failure for {}", endpoint.name());
        choice(ui, combo, &label, fault.failure.label(), |ui| {
            for failure in Failure::ALL {
                changed |= ui
                    .selectable_value(&mut fault.failure, failure, failure.label())
                    .changed();
            }
        });
        if fault.failure == Failure::TooManyRequests {
            let label = ui.label(format!("Retry-After for {}", endpoint.name()));
            changed |= ui
                .add(
                    egui::DragValue::new(&mut fault.retry_after)
                        .range(0..=3600)
                        .suffix(" s"),
                )
                .labelled_by(label.id)
                .changed();
        }
    });
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_refill_is_said_relative_to_the_clock() {
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(next_refill_text(None, 100, &utc), "full");
        assert_eq!(
            next_refill_text(Some(106), 100, &utc),
            "next token at 00:01:46 (in 6 s)"
        );
        assert_eq!(next_refill_text(Some(99), 100, &utc), "next token now");
    }
}
