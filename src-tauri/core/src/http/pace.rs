//! A per-connection request pace for long runs (a bulk job): a token bucket every request of the
//! run waits on, which slows down when the vendor answers 429 and honours its `Retry-After`, then
//! climbs back towards the configured rate. No vendor publishes its limits (`vendors.md`, "Limits
//! and update semantics"), so the rate is a conservative default per vendor that a person can
//! raise, and the 429s teach the rest.
//!
//! The pace is task-local (like the retry observer): `paced(pace, work)` makes every request sent
//! inside `work` — reads, updates, retries — wait its turn, whatever vendor client sends it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
// Tokio's clock, so that tests can run it paused.
use tokio::time::Instant;

/// After a 429 the rate drops to this share of what it was.
const SLOW_DOWN: f64 = 0.7;
/// Never slower than this, however many 429s.
const MIN_RATE: f64 = 0.2;
/// Successful requests in a row before the rate climbs back by one step.
const RECOVER_AFTER: u32 = 20;
/// How far one recovery step climbs, as a share of the configured rate.
const RECOVER_STEP: f64 = 0.05;

/// A token bucket with a ceiling of `max_rate` requests per second and no burst beyond one
/// request: requests leave evenly spaced, so a vendor counting per second never sees more than
/// the rate.
pub struct Pace {
    max_rate: f64,
    state: Mutex<PaceState>,
    sent: AtomicU64,
    throttled: AtomicU64,
}

struct PaceState {
    rate: f64,
    /// When the next request may leave.
    next_slot: Instant,
    /// Successes since the last slow-down or recovery step.
    calm: u32,
}

/// What a pace has seen, for a run's progress and report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaceStats {
    pub sent: u64,
    pub throttled: u64,
    /// The rate it runs at now, requests per second.
    pub rate: f64,
}

impl Pace {
    /// A pace of at most `max_rate` requests per second (at least [`MIN_RATE`]).
    pub fn new(max_rate: f64) -> Arc<Pace> {
        let max_rate = if max_rate.is_finite() { max_rate.max(MIN_RATE) } else { MIN_RATE };
        Arc::new(Pace {
            max_rate,
            state: Mutex::new(PaceState { rate: max_rate, next_slot: Instant::now(), calm: 0 }),
            sent: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for this request's slot.
    pub async fn wait_turn(&self) {
        let slot = {
            let mut state = self.lock();
            let now = Instant::now();
            let slot = state.next_slot.max(now);
            state.next_slot = slot + Duration::from_secs_f64(1.0 / state.rate);
            slot
        };
        self.sent.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep_until(slot).await;
    }

    /// The vendor said "too many": slow down, and send nothing before `retry_after` has passed.
    pub fn throttled(&self, retry_after: Option<Duration>) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
        let mut state = self.lock();
        state.rate = (state.rate * SLOW_DOWN).max(MIN_RATE);
        state.calm = 0;
        if let Some(wait) = retry_after {
            state.next_slot = state.next_slot.max(Instant::now() + wait);
        }
    }

    /// An answer that was not a 429: after enough of them, climb back towards the ceiling.
    pub fn answered(&self) {
        let mut state = self.lock();
        if state.rate >= self.max_rate {
            return;
        }
        state.calm += 1;
        if state.calm >= RECOVER_AFTER {
            state.calm = 0;
            state.rate = (state.rate + self.max_rate * RECOVER_STEP).min(self.max_rate);
        }
    }

    pub fn stats(&self) -> PaceStats {
        PaceStats {
            sent: self.sent.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            rate: self.lock().rate,
        }
    }
}

tokio::task_local! {
    static PACE: Arc<Pace>;
}

/// Runs `work` with every request inside it paced by `pace`.
pub async fn paced<T>(pace: Arc<Pace>, work: impl std::future::Future<Output = T>) -> T {
    PACE.scope(pace, work).await
}

/// The pace of the run this request belongs to, if any.
pub(crate) fn current() -> Option<Arc<Pace>> {
    PACE.try_with(Arc::clone).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_leave_evenly_spaced_at_the_rate() {
        let pace = Pace::new(10.0);
        let started = tokio::time::Instant::now();
        for _ in 0..21 {
            pace.wait_turn().await;
        }
        // 21 requests at 10/s: the first at once, the last 2 s later.
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        assert_eq!(pace.stats().sent, 21);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_slows_down_and_waits_out_retry_after_then_recovers() {
        let pace = Pace::new(10.0);
        pace.wait_turn().await;
        pace.throttled(Some(Duration::from_secs(3)));
        let stats = pace.stats();
        assert_eq!(stats.throttled, 1);
        assert!((stats.rate - 7.0).abs() < 1e-9, "{stats:?}");
        let before = tokio::time::Instant::now();
        pace.wait_turn().await;
        assert!(before.elapsed() >= Duration::from_secs(3) - Duration::from_millis(150), "{:?}", before.elapsed());
        for _ in 0..RECOVER_AFTER * 6 {
            pace.answered();
        }
        assert_eq!(pace.stats().rate, 10.0, "back at the ceiling, never above it");
    }

    #[test]
    fn a_rate_below_the_floor_or_not_a_number_is_the_floor() {
        assert_eq!(Pace::new(0.0).stats().rate, MIN_RATE);
        assert_eq!(Pace::new(f64::NAN).stats().rate, MIN_RATE);
    }
}
