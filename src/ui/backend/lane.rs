//! A lane: one background thread that runs jobs one at a time, in the order they were queued. Keyring calls
//! use one lane (a delete queued before an add runs before it); file saves use another (the latest write of a
//! file is the one that stays).

use std::sync::mpsc::{Sender, channel};

type Job = Box<dyn FnOnce() + Send>;

/// Queues jobs for a dedicated thread.
#[derive(Clone)]
pub struct Lane {
    jobs: Sender<Job>,
}

impl Lane {
    /// Starts the lane's thread. It ends when every `Lane` handle is dropped and the queue is empty.
    pub fn start(name: &str) -> std::io::Result<Self> {
        let (jobs, queue) = channel::<Job>();
        std::thread::Builder::new().name(name.to_owned()).spawn(move || {
            for job in queue {
                // A job that panics must not take the lane (and every later keyring call or save) with it.
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                    tracing::error!("a background job panicked; the lane goes on with the next one");
                }
            }
        })?;
        Ok(Self { jobs })
    }

    /// Waits until every job queued before this call has run, or `limit` has passed. Used only on exit.
    pub fn flush(&self, limit: std::time::Duration) {
        let (done, finished) = channel();
        self.run(move || {
            let _ = done.send(());
        });
        if finished.recv_timeout(limit).is_err() {
            tracing::warn!("background work still running after {limit:?}; closing anyway");
        }
    }

    /// Queues a job; never blocks.
    pub fn run(&self, job: impl FnOnce() + Send + 'static) {
        if self.jobs.send(Box::new(job)).is_err() {
            tracing::error!("a background lane stopped; the job was dropped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_panicking_job_does_not_stop_the_lane() {
        let lane = Lane::start("test-lane-panic").unwrap();
        let (done, finished) = channel();
        lane.run(|| panic!("a job fails"));
        lane.run(move || done.send(()).unwrap());
        finished.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn flush_waits_for_queued_jobs() {
        let lane = Lane::start("test-lane-flush").unwrap();
        let ran = Arc::new(Mutex::new(false));
        let flag = ran.clone();
        lane.run(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            *flag.lock().unwrap() = true;
        });
        lane.flush(std::time::Duration::from_secs(5));
        assert!(*ran.lock().unwrap());
    }

    #[test]
    fn jobs_run_in_the_order_they_were_queued() {
        let lane = Lane::start("test-lane").unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (done, finished) = channel();
        for i in 0..50 {
            let seen = seen.clone();
            lane.run(move || {
                std::thread::sleep(std::time::Duration::from_micros((50 - i) * 10));
                seen.lock().unwrap().push(i);
            });
        }
        lane.run(move || done.send(()).unwrap());
        finished.recv().unwrap();
        assert_eq!(*seen.lock().unwrap(), (0..50).collect::<Vec<_>>());
    }
}
