//! Live updates: a broadcast channel per process. With PostgreSQL every process LISTENs on
//! one channel and the events of every process (its own included) arrive through it; with
//! SQLite the writer publishes after each commit.

use std::sync::Arc;

use hongbao_api::ChatEvent;
use tokio::sync::broadcast;

/// The PostgreSQL NOTIFY channel.
pub const PG_CHANNEL: &str = "hongbao_events";

/// Events buffered per subscriber before it starts missing some (it is then told to
/// refetch, see the SSE handler).
const CAPACITY: usize = 8192;

/// This process's live updates.
#[derive(Debug)]
pub struct Hub {
    tx: broadcast::Sender<Arc<ChatEvent>>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            tx: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Hub {
    pub fn publish(&self, event: ChatEvent) {
        // No subscribers is fine.
        let _ = self.tx.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChatEvent>> {
        self.tx.subscribe()
    }
}
