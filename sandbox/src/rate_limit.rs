//! The server-side rate limit: a fixed one-minute window per token, as simple servers do.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// Counts requests per token and minute.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Allows `per_minute` requests per token and minute; 0 means no limit.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `token`; `Err(seconds)` when over the limit, with how long until
    /// the window ends (at least 1, as `Retry-After` wants whole seconds).
    pub fn admit(&self, token: &str, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let (start, count) = windows.entry(token.to_owned()).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            let left = WINDOW.saturating_sub(now.duration_since(*start));
            return Err(left.as_secs_f64().ceil().max(1.0) as u64);
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limit_per_token_then_says_how_long_to_wait() {
        let limiter = RateLimiter::new(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.admit("a", t0), Ok(()));
        }
        assert_eq!(limiter.admit("a", t0 + Duration::from_secs(20)), Err(40));
        assert_eq!(limiter.admit("b", t0), Ok(()), "tokens are counted apart");
        assert_eq!(
            limiter.admit("a", t0 + WINDOW),
            Ok(()),
            "a new window starts"
        );
    }

    #[test]
    fn zero_means_unlimited() {
        let limiter = RateLimiter::new(0);
        assert!((0..10_000).all(|_| limiter.admit("a", Instant::now()).is_ok()));
    }
}
