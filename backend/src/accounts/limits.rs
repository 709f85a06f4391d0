//! Rate limits on the doors of the account system (GCRA, by `governor`):
//! per client IP and per account, each per minute with a burst of the same
//! size. A rejection costs a hash-map lookup, made before any password is
//! hashed, and answers 429 with Retry-After. Buckets refill on their own,
//! so a stranger can slow an account's log-ins down but never lock it.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Which door: each has its own buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Door {
    LogIn,
    SignUp,
    /// Verification, reset and address-change mails.
    Mail,
    /// Second-factor codes.
    Code,
    /// Annotations, posts, reactions: per account.
    Write,
    /// Reports: per IP (anyone may report) and per account.
    Report,
}

pub struct Limits {
    per_ip: DefaultKeyedRateLimiter<(Door, IpAddr)>,
    per_account: DefaultKeyedRateLimiter<(Door, String)>,
    clock: DefaultClock,
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl Limits {
    pub fn new(per_ip_per_minute: u32, per_account_per_minute: u32) -> Self {
        Limits {
            per_ip: RateLimiter::keyed(quota(per_ip_per_minute)),
            per_account: RateLimiter::keyed(quota(per_account_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// Ok, or how long to wait.
    pub fn ip(&self, door: Door, ip: IpAddr) -> Result<(), Duration> {
        self.check(&self.per_ip, &(door, ip))
    }

    /// `account`: the lower-cased address, or the user id as text.
    pub fn account(&self, door: Door, account: &str) -> Result<(), Duration> {
        self.check(&self.per_account, &(door, account.to_lowercase()))
    }

    fn check<K: Clone + Hash + Eq>(
        &self,
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
    ) -> Result<(), Duration> {
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forget full buckets, so the maps do not grow without bound.
    pub fn forget_idle(&self) {
        self.per_ip.retain_recent();
        self.per_ip.shrink_to_fit();
        self.per_account.retain_recent();
        self.per_account.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_wait_per_key() {
        let limits = Limits::new(3, 2);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            assert!(limits.ip(Door::LogIn, ip).is_ok());
        }
        let wait = limits.ip(Door::LogIn, ip).unwrap_err();
        assert!(
            wait > Duration::from_secs(1) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        // Another door and another IP have their own buckets.
        assert!(limits.ip(Door::SignUp, ip).is_ok());
        assert!(limits.ip(Door::LogIn, "192.0.2.2".parse().unwrap()).is_ok());
        assert!(limits.account(Door::LogIn, "A@example.org").is_ok());
        assert!(limits.account(Door::LogIn, "a@example.org").is_ok());
        assert!(limits.account(Door::LogIn, "a@EXAMPLE.org").is_err());
    }
}
