//! Per-address login throttle. It counts failures only: a whole exam room
//! behind one NAT address logging in at 9:00 is never slowed, while one
//! address guessing passwords gets 429 after `limit` failures in `window`.
//! Lock-outs that stop guessing one account live with the account (core).
//! Kept in memory: each server instance slows the failures it sees.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Addresses remembered at most; the oldest are dropped beyond it.
const MAX_ADDRESSES: usize = 100_000;

pub struct Throttle {
    limit: usize,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Throttle {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit: limit.max(1) as usize, window, failures: Mutex::default() }
    }

    /// If `ip` is over the limit: how long until it may try again.
    pub fn retry_after(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let list = map.get_mut(&ip)?;
        while list.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            list.pop_front();
        }
        if list.len() >= self.limit {
            list.front().map(|first| {
                self.window.saturating_sub(now.duration_since(*first)).max(Duration::from_secs(1))
            })
        } else {
            None
        }
    }

    /// Counts one failed login from `ip`.
    pub fn record_failure(&self, ip: IpAddr, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&ip) {
            let window = self.window;
            map.retain(|_, list| list.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let list = map.entry(ip).or_default();
        list.push_back(now);
        while list.len() > self.limit {
            list.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_count_and_they_expire() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let now = Instant::now();
        assert_eq!(t.retry_after(ip, now), None);
        t.record_failure(ip, now);
        t.record_failure(ip, now);
        assert_eq!(t.retry_after(ip, now), None);
        t.record_failure(ip, now + Duration::from_secs(10));
        let wait = t.retry_after(ip, now + Duration::from_secs(10)).expect("blocked");
        assert_eq!(wait, Duration::from_secs(50));
        assert_eq!(t.retry_after(other, now), None, "other addresses are not affected");
        assert_eq!(t.retry_after(ip, now + Duration::from_secs(61)), None, "failures expire");
    }
}
