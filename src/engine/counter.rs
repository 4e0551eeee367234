//! The address counter: one thread with its own store connection that counts the
//! addresses of the messages stored since it last did (`Store::catch_up_addresses`).
//! Inserts do nothing for addresses, so that a sync keeps its speed; the workers
//! poke the counter when a sync, download or rescan has finished, and it catches up
//! then, in bounded transactions, off every worker's and the reader's way. It also
//! catches up once at start (a database coming from before the addresses, or mail
//! stored by `postern sync` while the UI was not running).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::thread::JoinHandle;

use crate::store::{CATCH_UP_BATCH, Store};

/// What the engine keeps of the counter.
pub(super) struct Counter {
    pokes: Sender<()>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

/// Where the workers poke the counter: "mail was stored, count it".
#[derive(Debug, Clone)]
pub(super) struct Poke(Sender<()>);

impl Poke {
    pub fn count(&self) {
        // The counter is gone only at shutdown: nothing to count then.
        let _ = self.0.send(());
    }
}

impl Counter {
    pub fn spawn(store: Store) -> std::io::Result<Counter> {
        let (pokes, rx) = std::sync::mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("address-counter".into())
            .spawn(move || serve(store, &rx, &stopped))?;
        // At start: whatever was stored while no counter ran.
        let _ = pokes.send(());
        Ok(Counter {
            pokes,
            stop,
            thread,
        })
    }

    pub fn poke(&self) -> Poke {
        Poke(self.pokes.clone())
    }

    /// Stops after the batch under way (at most one transaction of
    /// [`CATCH_UP_BATCH`] messages; what is left is counted at the next start) and
    /// waits for the thread.
    pub fn stop(self) -> std::thread::Result<()> {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes it if it waits; workers' pokes may still keep the channel open.
        let _ = self.pokes.send(());
        drop(self.pokes);
        self.thread.join()
    }
}

fn serve(mut store: Store, pokes: &Receiver<()>, stop: &AtomicBool) {
    while pokes.recv().is_ok() {
        // A burst of pokes (several accounts done at once) is one catch-up.
        while pokes.try_recv().is_ok() {}
        while !stop.load(Ordering::SeqCst) {
            match store.catch_up_addresses(CATCH_UP_BATCH) {
                Ok(caught) if caught.done => break,
                Ok(_) => {}
                Err(err) => {
                    // Counted at the next poke; completion knows the mail counted so far.
                    tracing::warn!("counting the addresses of new mail: {err}");
                    break;
                }
            }
        }
        if stop.load(Ordering::SeqCst) {
            return;
        }
    }
}
