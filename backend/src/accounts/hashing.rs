//! The threads that hash passwords: a fixed number of dedicated threads
//! (one, as `auth/mod.rs` builds it) at the OS's background priority (Linux `SCHED_IDLE`), fed over a channel.
//!
//! Why not tokio's blocking pool: on two cores an argon2id hash (about
//! 20 ms of CPU over 19 MiB of memory) competes with the threads that serve
//! every page. The home map's p99 while a second client sends log-ins
//! (`tests/bench/auth.sh`, docs/BENCHMARKS.md section e, paired runs) was
//! 3.1-4.1 x its p99 alone with two hashing threads at normal priority,
//! 2.2-2.5 x with one, 2.0-2.4 x with two `SCHED_IDLE` threads and
//! 1.1-1.8 x with one. Such a thread runs only on a core nobody else wants
//! and gives it up the moment a page request wakes a worker (nice 10 did
//! not: the fair scheduler lets it finish its slice). Log-ins use the idle
//! CPU, so on a quiet server they are as fast as one core allows; on a
//! server saturated by page views they slow down (bounded by the queue in
//! `password.rs`) instead of the pages.
//!
//! A thread cannot leave `SCHED_IDLE` without privileges, which is why
//! these threads are the pool's own and never run anything else. Where the
//! policy is not available (other systems) they run at normal priority.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::Mutex;

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of background-priority threads; they end when it is dropped.
pub struct HashingThreads {
    jobs: mpsc::Sender<Job>,
}

impl HashingThreads {
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("ow-hash-{i}"))
                .spawn(move || {
                    if !background_priority() {
                        tracing::debug!("password hashing runs at normal priority here");
                    }
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panicking job drops its reply (the caller
                            // gets `Gone`); the thread lives on.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                            }
                            Err(_) => return, // the pool was dropped
                        }
                    }
                })?;
        }
        Ok(HashingThreads { jobs })
    }

    /// Run `work` on one of the threads and wait for its result. The
    /// caller bounds how many run at once (`password.rs` holds a permit per
    /// thread), so a job starts at once.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Gone> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller may have gone away: nothing to tell then.
            let _ = reply.send(work());
        });
        self.jobs.send(job).map_err(|_| Gone)?;
        answer.await.map_err(|_| Gone)
    }
}

/// No result: the job panicked, or the threads have stopped (the pool is
/// being dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("password hashing gave no result (the job panicked or the hashing threads stopped)")]
pub struct Gone;

/// Put this thread in the background scheduling class; false where that
/// is not possible.
#[cfg(target_os = "linux")]
fn background_priority() -> bool {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: pid 0 is the calling thread; `param` is a valid sched_param
    // (priority 0, as SCHED_IDLE requires) that the kernel only reads.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) == 0 }
}

#[cfg(not(target_os = "linux"))]
fn background_priority() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_pools_threads_and_answer() {
        let pool = HashingThreads::new(2).unwrap();
        let name = pool
            .run(|| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert!(name.is_some_and(|n| n.starts_with("ow-hash-")));
        let sum = pool.run(|| (1..=10).sum::<i32>()).await.unwrap();
        assert_eq!(sum, 55);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_threads_run_in_the_background_class() {
        let pool = HashingThreads::new(1).unwrap();
        // SAFETY: pid 0 is the calling thread; no memory is passed.
        let policy = pool
            .run(|| unsafe { libc::sched_getscheduler(0) })
            .await
            .unwrap();
        assert_eq!(policy, libc::SCHED_IDLE);
        // The caller's own thread is untouched.
        // SAFETY: as above.
        assert_eq!(unsafe { libc::sched_getscheduler(0) }, libc::SCHED_OTHER);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_a_hang() {
        let pool = HashingThreads::new(1).unwrap();
        let result = pool.run(|| -> i32 { panic!("boom") }).await;
        assert_eq!(result, Err(Gone));
        // The one thread survived it.
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }
}
