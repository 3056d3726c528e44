//! The engine under bulk rendering: the calling thread reads small parts of the input in order and hands
//! them to one worker per core; whichever worker is free takes the next part, and the calling thread writes
//! the finished parts in input order as they come back. No worker waits for another (there is no barrier
//! between blocks), so every core stays busy to the end, and at most a few parts are held at once.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

/// Parts handed out but not yet written, per worker: enough that no worker waits for the calling thread.
const PARTS_IN_FLIGHT_PER_CORE: usize = 4;

/// A part of the input after a worker rendered it.
pub struct Rendered<I> {
    /// The part, handed back so that its buffer can be reused.
    pub input: I,
    /// What `render` appended for the part.
    pub text: Vec<u8>,
    /// What `render` returned (e.g. the number of lines in the part).
    pub count: usize,
}

/// A part on its way to a worker: its position, the part, and an empty buffer for its text.
type Job<I> = (usize, I, Vec<u8>);

/// A part rendered, with its position; or the panic of the worker that rendered it.
type Done<I> = Result<(usize, Rendered<I>), Box<dyn std::any::Any + Send>>;

/// Renders every part `next_part` yields, on `workers` threads, and passes each result to `deliver` in the
/// order the parts were read. `next_part` gets a part `deliver` is done with, for reuse, and returns
/// `Ok(None)` at the end; the first error of either stops the pipeline and is returned.
pub fn render_parts_in_order<I: Send, E>(
    workers: usize,
    mut next_part: impl FnMut(Option<I>) -> Result<Option<I>, E>,
    render: impl Fn(&I, &mut Vec<u8>) -> usize + Sync,
    mut deliver: impl FnMut(&Rendered<I>) -> Result<(), E>,
) -> Result<(), E> {
    let (job_sender, jobs) = channel::<Job<I>>();
    let jobs = Arc::new(Mutex::new(jobs));
    let (result_sender, results) = channel::<Done<I>>();
    std::thread::scope(|scope| {
        // Owned by this closure: however it returns, the sender is dropped before the scope waits for the
        // workers, which then stop.
        let job_sender = job_sender;
        for _ in 0..workers.max(1) {
            let (jobs, results, render) = (Arc::clone(&jobs), result_sender.clone(), &render);
            scope.spawn(move || work(&jobs, &results, render));
        }
        // Only the workers hold result senders: when they are all gone, `results` says so instead of waiting.
        drop(result_sender);
        let mut order = Order::default();
        let limit = workers.max(1) * PARTS_IN_FLIGHT_PER_CORE;
        let mut ended = false;
        loop {
            while !ended && order.in_flight() < limit {
                match next_part(order.inputs.pop())? {
                    Some(part) => order.send(&job_sender, part),
                    None => ended = true,
                }
            }
            if order.in_flight() == 0 {
                return Ok(());
            }
            match results.recv() {
                Ok(Ok((position, rendered))) => order.finish(position, rendered, &mut deliver)?,
                // Unwinding drops `job_sender`, so the other workers stop and the scope can end.
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                Err(_) => return Ok(()),
            }
        }
    })
}

/// A worker: renders parts until the calling thread stops handing them out.
fn work<I>(jobs: &Mutex<Receiver<Job<I>>>, results: &Sender<Done<I>>, render: &impl Fn(&I, &mut Vec<u8>) -> usize) {
    loop {
        let job = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok((position, input, mut text)) = job else { return };
        text.clear();
        // A panic is handed to the calling thread, which would otherwise wait for this part for ever.
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(&input, &mut text)))
            .map(|count| (position, Rendered { input, text, count }));
        let panicked = rendered.is_err();
        if results.send(rendered).is_err() || panicked {
            return;
        }
    }
}

/// Positions handed out and written, the parts that came back ahead of their turn, and the inputs and text
/// buffers of written parts, to reuse: no more of either are ever made than parts are in flight.
struct Order<I> {
    sent: usize,
    written: usize,
    waiting: BTreeMap<usize, Rendered<I>>,
    inputs: Vec<I>,
    buffers: Vec<Vec<u8>>,
}

impl<I> Default for Order<I> {
    fn default() -> Self {
        Self {
            sent: 0,
            written: 0,
            waiting: BTreeMap::new(),
            inputs: Vec::new(),
            buffers: Vec::new(),
        }
    }
}

impl<I> Order<I> {
    fn in_flight(&self) -> usize {
        self.sent - self.written
    }

    fn send(&mut self, jobs: &Sender<Job<I>>, part: I) {
        let buffer = self.buffers.pop().unwrap_or_default();
        // The workers outlive every send: they stop only when this sender is dropped.
        if jobs.send((self.sent, part, buffer)).is_ok() {
            self.sent += 1;
        }
    }

    /// Takes a rendered part and delivers every part whose turn has come, keeping their buffers for reuse.
    fn finish<E>(
        &mut self,
        position: usize,
        rendered: Rendered<I>,
        deliver: &mut impl FnMut(&Rendered<I>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.waiting.insert(position, rendered);
        while let Some(next) = self.waiting.remove(&self.written) {
            deliver(&next)?;
            self.written += 1;
            self.buffers.push(next.text);
            self.inputs.push(next.input);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_delivered_once_in_order_whatever_the_rendering_time() {
        for workers in [1, 2, 5] {
            let mut next = 0_u64;
            let mut delivered = Vec::new();
            let result: Result<(), ()> = render_parts_in_order(
                workers,
                |_| {
                    next += 1;
                    Ok((next <= 300).then_some(next))
                },
                |n, text| {
                    // Later parts often finish first.
                    std::thread::sleep(std::time::Duration::from_micros((n * 7919) % 500));
                    text.extend_from_slice(n.to_string().as_bytes());
                    1
                },
                |done| {
                    delivered.push(String::from_utf8(done.text.clone()).map_err(|_| ())?);
                    assert_eq!(done.count, 1);
                    Ok(())
                },
            );
            assert_eq!(result, Ok(()));
            let expected: Vec<String> = (1..=300).map(|n| n.to_string()).collect();
            assert_eq!(delivered, expected, "{workers} workers");
        }
    }

    #[test]
    fn an_error_of_either_side_stops_the_pipeline() {
        let mut reads = 0;
        let result = render_parts_in_order(
            2,
            |_| {
                reads += 1;
                if reads > 50 { Err("read") } else { Ok(Some(reads)) }
            },
            |_, _| 0,
            |_| Ok(()),
        );
        assert_eq!(result, Err("read"));
        let mut delivered = 0;
        let result = render_parts_in_order(
            2,
            |_| Ok(Some(1)),
            |_, _| 0,
            |_| {
                delivered += 1;
                if delivered == 20 { Err("write") } else { Ok(()) }
            },
        );
        assert_eq!(result, Err("write"));
        assert_eq!(delivered, 20);
    }

    #[test]
    fn a_panic_while_rendering_reaches_the_caller_instead_of_a_wait_for_ever() {
        let mut next = 0;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            render_parts_in_order(
                2,
                |_| -> Result<Option<usize>, ()> {
                    next += 1;
                    Ok((next <= 1_000).then_some(next))
                },
                |&n, _| {
                    assert!(n != 5, "part 5 cannot be rendered");
                    1
                },
                |_| Ok(()),
            )
        }));
        let panic = outcome.expect_err("the panic is passed on");
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"part 5 cannot be rendered"));
    }

    #[test]
    fn no_more_inputs_are_made_than_parts_are_in_flight() {
        for workers in [1, 2, 3] {
            let (mut fresh, mut count) = (0, 0);
            let result: Result<(), ()> = render_parts_in_order(
                workers,
                |spare: Option<Vec<u8>>| {
                    count += 1;
                    if count > 100 {
                        return Ok(None);
                    }
                    fresh += usize::from(spare.is_none());
                    Ok(Some(spare.unwrap_or_default()))
                },
                |_, _| 0,
                |_| Ok(()),
            );
            assert_eq!(result, Ok(()));
            let in_flight = workers * PARTS_IN_FLIGHT_PER_CORE;
            assert_eq!(fresh, in_flight, "{workers} workers: {fresh} inputs made for 100 parts");
        }
    }
}
