//! Passwords: the rules a new password must meet (NIST SP 800-63B, OWASP
//! ASVS L2) and argon2id hashing with OWASP's parameters.
//!
//! Hashing is deliberately slow (~20 ms and 19 MiB each), so it runs on
//! background-priority threads of its own (`hashing.rs`: pages first, then
//! log-ins) behind a semaphore: at most `concurrency` hashes at once,
//! and at most `max_waiting` requests queued behind them; past that the
//! caller is told to come back (503) instead of piling up memory. A login
//! for an unknown address verifies against a dummy hash, so it takes the
//! same time as a wrong password.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::hashing::HashingThreads;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization;

/// OWASP's argon2id recommendation: m = 19 MiB, t = 2, p = 1.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// How long a request waits before it is told the hashing queue is full.
pub const BUSY_PAUSE: std::time::Duration = std::time::Duration::from_secs(1);

pub const MIN_CHARS: usize = 12;
/// Longer passwords are refused rather than silently cut: hashing cost
/// grows with length only slightly, but there must be a bound.
pub const MAX_CHARS: usize = 128;

/// Why a new password is refused; the message is shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("too short: at least {MIN_CHARS} characters")]
    TooShort,
    #[error("too long: at most {MAX_CHARS} characters")]
    TooLong,
    /// zxcvbn's score (0-4) is below 3; its warning when it gives one.
    #[error("too easy to guess")]
    Guessable { warning: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("too many password checks waiting; try again in a moment")]
    Busy,
    #[error("password hashing failed: {0}")]
    Internal(String),
}

/// NFKC, as NIST asks, so the same password typed on another keyboard matches.
pub fn normalize(password: &str) -> String {
    password.nfkc().collect()
}

/// Check a new password: length in characters, then guessability given
/// what the site knows about the user (address, name).
pub fn check_policy(password: &str, user_inputs: &[&str]) -> Result<(), PolicyError> {
    let password = normalize(password);
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PolicyError::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PolicyError::TooLong);
    }
    // zxcvbn also splits the inputs (an e-mail's local part counts too).
    let mut inputs: Vec<&str> = user_inputs.to_vec();
    for input in user_inputs {
        inputs.extend(
            input
                .split(['@', '.', ' ', '-', '_'])
                .filter(|p| p.len() > 2),
        );
    }
    let estimate = zxcvbn::zxcvbn(&password, &inputs);
    if estimate.score() < zxcvbn::Score::Three {
        return Err(PolicyError::Guessable {
            warning: estimate
                .feedback()
                .and_then(|f| f.warning())
                .map(|w| w.to_string()),
        });
    }
    Ok(())
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub ok: bool,
    /// The hash used other parameters: store a new one.
    pub needs_rehash: bool,
}

pub struct Passwords {
    threads: HashingThreads,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    params: Params,
    /// Verified against when the account does not exist.
    dummy: String,
}

impl Passwords {
    pub fn new(concurrency: usize, max_waiting: usize) -> Result<Self, HashError> {
        Self::with_params(
            concurrency,
            max_waiting,
            MEMORY_KIB,
            ITERATIONS,
            PARALLELISM,
        )
    }

    /// Other parameters: for proving that old hashes are upgraded.
    pub fn with_params(
        concurrency: usize,
        max_waiting: usize,
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<Self, HashError> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| HashError::Internal(e.to_string()))?;
        let dummy = hash_with(&params, "dummy password for unknown accounts")?;
        Ok(Passwords {
            threads: HashingThreads::new(concurrency.max(1)).map_err(|e| {
                HashError::Internal(format!("cannot start the hashing threads: {e}"))
            })?,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
            params,
            dummy,
        })
    }

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let params = self.params.clone();
        let password = normalize(password);
        self.run(move || hash_with(&params, &password)).await?
    }

    /// Check `password` against `stored`; with no stored hash (unknown
    /// account, no password set) the dummy is checked and the answer is no.
    pub async fn verify(
        &self,
        stored: Option<&str>,
        password: &str,
    ) -> Result<Verified, HashError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy).to_string();
        let password = normalize(password);
        let params = self.params.clone();
        let outcome = self
            .run(move || {
                let Ok(parsed) = PasswordHash::new(&stored) else {
                    return Verified {
                        ok: false,
                        needs_rehash: false,
                    };
                };
                let ok = argon2(&params)
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok();
                let current = Params::try_from(&parsed).ok();
                let needs_rehash = parsed.algorithm != argon2::ARGON2ID_IDENT
                    || current.is_none_or(|p| {
                        p.m_cost() != params.m_cost()
                            || p.t_cost() != params.t_cost()
                            || p.p_cost() != params.p_cost()
                    });
                Verified { ok, needs_rehash }
            })
            .await?;
        Ok(Verified {
            ok: known && outcome.ok,
            needs_rehash: known && outcome.ok && outcome.needs_rehash,
        })
    }

    /// Run `work` on a hashing thread once a permit (one per thread) is
    /// free, unless too many are already waiting.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            // A client that retries at once (a script, a flood) would
            // otherwise get thousands of cheap refusals a second, and those
            // take the CPU from pages: measured, 0.25 x the map's
            // throughput under 128 flooding connections. Waiting costs a
            // timer, and holds no queue place.
            tokio::time::sleep(BUSY_PAUSE).await;
            return Err(HashError::Busy);
        }
        // The place in the queue is given back however the wait ends, also
        // when the request is dropped while waiting (the client went away):
        // otherwise dropped requests would fill the queue for good.
        let place = QueuePlace(&self.waiting);
        let permit = self.permits.clone().acquire_owned().await;
        drop(place);
        let permit = permit.map_err(|e| HashError::Internal(e.to_string()))?;
        // The permit goes with the job, not with this future: a request
        // dropped mid-hash (the client went away) must not free its thread's
        // permit while the hash still runs, or cancelled requests would
        // pile jobs up behind it without bound.
        self.threads
            .run(move || {
                let out = work();
                drop(permit);
                out
            })
            .await
            .map_err(|e| HashError::Internal(e.to_string()))
    }
}

/// One place in the hashing queue, released on drop.
struct QueuePlace<'a>(&'a AtomicUsize);

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_with(params: &Params, password: &str) -> Result<String, HashError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| HashError::Internal(e.to_string()))?;
    argon2(params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_are_length_and_guessability_not_composition() {
        assert_eq!(check_policy("short", &[]), Err(PolicyError::TooShort));
        assert_eq!(
            check_policy(&"a".repeat(129), &[]),
            Err(PolicyError::TooLong)
        );
        assert!(matches!(
            check_policy("password1234", &[]),
            Err(PolicyError::Guessable { .. })
        ));
        assert!(matches!(
            check_policy(
                "mario.rossi@example.org",
                &["mario.rossi@example.org", "Mario Rossi"]
            ),
            Err(PolicyError::Guessable { .. })
        ));
        // No digits, symbols or capitals needed: a long phrase with spaces is fine.
        assert_eq!(check_policy("tortellini sotto le due torri", &[]), Ok(()));
        // Any characters, including emoji and accents.
        assert_eq!(check_policy("perché è già 🚲 sull'argine", &[]), Ok(()));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let passwords = Passwords::new(1, 8).unwrap();
        let hash = passwords
            .hash("tortellini sotto le due torri")
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let ok = passwords
            .verify(Some(&hash), "tortellini sotto le due torri")
            .await
            .unwrap();
        assert_eq!(
            ok,
            Verified {
                ok: true,
                needs_rehash: false
            }
        );
        let wrong = passwords
            .verify(Some(&hash), "tortellini sotto le tre torri")
            .await
            .unwrap();
        assert!(!wrong.ok);
        let unknown = passwords
            .verify(None, "anything at all here")
            .await
            .unwrap();
        assert!(!unknown.ok);
        // NFKC: the full-width form of the same text matches.
        let hash = passwords
            .hash("ｐａｓｓｗｏｒｄ ｐｈｒａｓｅ ｌｏｎｇ")
            .await
            .unwrap();
        assert!(
            passwords
                .verify(Some(&hash), "password phrase long")
                .await
                .unwrap()
                .ok
        );
    }

    #[tokio::test]
    async fn old_parameters_ask_for_a_rehash() {
        let old = Passwords::with_params(1, 8, 8 * 1024, 1, 1).unwrap();
        let hash = old.hash("tortellini sotto le due torri").await.unwrap();
        let current = Passwords::new(1, 8).unwrap();
        let v = current
            .verify(Some(&hash), "tortellini sotto le due torri")
            .await
            .unwrap();
        assert_eq!(
            v,
            Verified {
                ok: true,
                needs_rehash: true
            }
        );
        let v = current
            .verify(Some(&hash), "wrong wrong wrong wrong")
            .await
            .unwrap();
        assert_eq!(
            v,
            Verified {
                ok: false,
                needs_rehash: false
            }
        );
    }

    #[tokio::test]
    async fn a_request_dropped_while_waiting_gives_its_place_back() {
        let passwords = Arc::new(Passwords::new(1, 2).unwrap());
        // One hash running, two waiting; then the two waiters go away.
        let running = {
            let p = passwords.clone();
            tokio::spawn(async move { p.hash("tortellini sotto le due torri").await })
        };
        tokio::task::yield_now().await;
        let mut waiters = Vec::new();
        for _ in 0..2 {
            let p = passwords.clone();
            waiters.push(tokio::spawn(async move {
                p.hash("tortellini sotto le due torri").await
            }));
        }
        tokio::task::yield_now().await;
        for w in &waiters {
            w.abort();
        }
        for w in waiters {
            let _ = w.await;
        }
        assert_eq!(
            passwords.waiting.load(Ordering::SeqCst),
            0,
            "aborted waiters released their places"
        );
        running.await.unwrap().unwrap();
        assert!(
            passwords
                .hash("tortellini sotto le due torri")
                .await
                .is_ok(),
            "and the queue still takes work"
        );
    }

    #[tokio::test]
    async fn a_request_dropped_while_hashing_holds_its_permit_until_the_hash_ends() {
        let passwords = Arc::new(Passwords::new(1, 8).unwrap());
        let p = passwords.clone();
        let hashing = tokio::spawn(async move { p.hash("tortellini sotto le due torri").await });
        let started = std::time::Instant::now();
        while passwords.permits.available_permits() != 0 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "the hash never started"
            );
            tokio::task::yield_now().await;
        }
        hashing.abort();
        assert!(hashing.await.unwrap_err().is_cancelled());
        // The hash still runs on its thread, so its permit is still taken.
        assert_eq!(passwords.permits.available_permits(), 0);
        let started = std::time::Instant::now();
        while passwords.permits.available_permits() != 1 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the permit never came back"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(passwords
            .hash("tortellini sotto le due torri")
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn a_full_queue_says_busy_after_a_pause_instead_of_queueing() {
        let passwords = Arc::new(Passwords::new(1, 1).unwrap());
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let p = passwords.clone();
            tasks.push(tokio::spawn(async move {
                let started = std::time::Instant::now();
                let outcome = p.hash("tortellini sotto le due torri").await;
                (outcome, started.elapsed())
            }));
        }
        let mut busy = 0;
        for t in tasks {
            let (outcome, took) = t.await.unwrap();
            if matches!(outcome, Err(HashError::Busy)) {
                busy += 1;
                assert!(took >= BUSY_PAUSE, "a refusal came after {took:?}");
            }
        }
        assert!(
            busy >= 1,
            "with one permit and room for one waiter, some of six must be turned away"
        );
        // The refused ones held no place: the queue takes work at once.
        assert!(passwords
            .hash("tortellini sotto le due torri")
            .await
            .is_ok());
    }
}
