//! Live updates: broadcast channels per process, one of the chats' events and one of the
//! lab's stored events (the researcher's console). With PostgreSQL every process LISTENs
//! on two channels and the events of every process (its own included) arrive through
//! them; with SQLite the writer publishes after each commit.

use std::sync::Arc;

use hongbao_api::ChatEvent;
use tokio::sync::broadcast;

/// The PostgreSQL NOTIFY channel of the chats' events (payload: a `ChatEvent`'s JSON).
pub const PG_CHANNEL: &str = "hongbao_events";

/// The PostgreSQL NOTIFY channel of stored lab events (payload: how many one request
/// stored, in decimal).
pub const PG_LAB_CHANNEL: &str = "hongbao_lab_events";

/// Events buffered per subscriber before it starts missing some (it is then told to
/// refetch, see the SSE handlers).
const CAPACITY: usize = 8192;

/// This process's live updates.
#[derive(Debug)]
pub struct Hub {
    tx: broadcast::Sender<Arc<ChatEvent>>,
    /// How many lab events each request stored.
    lab: broadcast::Sender<u64>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            tx: broadcast::channel(CAPACITY).0,
            lab: broadcast::channel(CAPACITY).0,
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

    /// `stored` lab events were stored (by one request, committed).
    pub fn publish_lab(&self, stored: u64) {
        let _ = self.lab.send(stored);
    }

    pub fn subscribe_lab(&self) -> broadcast::Receiver<u64> {
        self.lab.subscribe()
    }
}
