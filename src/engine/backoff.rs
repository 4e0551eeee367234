//! Reconnect delays: exponential, capped and jittered, so a dead server is retried
//! less and less often and many clients do not retry in step.

use std::time::Duration;

/// How long to wait before reconnecting: `initial`, doubling up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(5 * 60),
        }
    }
}

/// The delays of one account. Each delay lies in `[base / 2, base]` where `base`
/// doubles per failure up to the cap; a delay is never shorter than the one before.
#[derive(Debug)]
pub(super) struct Backoff {
    policy: BackoffPolicy,
    base: Duration,
    attempt: u32,
    last: Duration,
    rng: u64,
}

impl Backoff {
    pub fn new(policy: BackoffPolicy, seed: u64) -> Backoff {
        let clock = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        Backoff {
            policy,
            base: policy.initial,
            attempt: 0,
            last: Duration::ZERO,
            // xorshift must not start at zero.
            rng: (seed ^ u64::from(clock)) | 1,
        }
    }

    /// The delay before the next attempt; the one after will be about twice as long.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.base.min(self.policy.max);
        self.base = base.saturating_mul(2).min(self.policy.max);
        self.attempt = self.attempt.saturating_add(1);
        let fraction = (self.next_random() >> 11) as f64 / (1u64 << 53) as f64;
        self.last = base.mul_f64(0.5 + fraction / 2.0).max(self.last);
        self.last
    }

    /// How many delays were handed out since the last success.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// After a success: start again from the initial delay.
    pub fn reset(&mut self) {
        self.base = self.policy.initial;
        self.attempt = 0;
        self.last = Duration::ZERO;
    }

    fn next_random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> BackoffPolicy {
        BackoffPolicy {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(300),
        }
    }

    #[test]
    fn delays_grow_within_their_jitter_band_and_stop_at_the_cap() {
        let mut backoff = Backoff::new(policy(), 7);
        let mut previous = Duration::ZERO;
        for n in 0..20 {
            let base = Duration::from_secs(1u64 << n.min(9)).min(Duration::from_secs(300));
            let delay = backoff.next_delay();
            assert!(
                delay >= base / 2 && delay <= base,
                "{n}: {delay:?} vs {base:?}"
            );
            assert!(delay >= previous, "{n}: {delay:?} < {previous:?}");
            previous = delay;
        }
        assert_eq!(backoff.attempt(), 20);
    }

    #[test]
    fn reset_starts_from_the_initial_delay() {
        let mut backoff = Backoff::new(policy(), 1);
        for _ in 0..5 {
            backoff.next_delay();
        }
        backoff.reset();
        assert_eq!(backoff.attempt(), 0);
        assert!(backoff.next_delay() <= Duration::from_secs(1));
    }

    #[test]
    fn jitter_differs_between_accounts() {
        let delays: Vec<Duration> = (0..8)
            .map(|seed| Backoff::new(policy(), seed * 7919).next_delay())
            .collect();
        assert!(delays.iter().any(|d| *d != delays[0]), "{delays:?}");
    }
}
