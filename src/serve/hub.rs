//! The fan-out of live-reload events to every open page's event stream
//! (`livereload::stream`), and the format of one event.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Mutex;

/// Fans events out to every connected client.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Sender<String>>>,
}

impl Hub {
    pub fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = mpsc::channel();
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        rx
    }

    /// Sends one event to all clients, forgetting those that went away.
    pub fn broadcast(&self, name: &str, data: &serde_json::Value) {
        self.broadcast_raw(event(name, data));
    }

    /// Sends an already formatted event.
    pub fn broadcast_raw(&self, msg: String) {
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|c| c.send(msg.clone()).is_ok());
    }
}

/// One SSE message. `data` is JSON on a single line.
pub fn event(name: &str, data: &serde_json::Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}
