//! The server's time: the system clock plus an offset that only `--test-clock` can move.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use hongbao_engine::Timestamp;

/// Where handlers, the sweeper and the engine get the time from.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Timestamp;
    /// Moves this clock forward by `secs` (the test clock).
    fn advance(&self, secs: i64);
}

/// The system clock plus a test offset (zero unless advanced).
#[derive(Debug, Default)]
pub struct SystemClock {
    offset_ms: AtomicI64,
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp::from_millis(ms.saturating_add(self.offset_ms.load(Ordering::Relaxed)))
    }

    fn advance(&self, secs: i64) {
        self.offset_ms
            .fetch_add(secs.saturating_mul(1000), Ordering::Relaxed);
    }
}
