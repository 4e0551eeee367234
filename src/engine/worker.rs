//! One worker per account: the only place an account's slow work happens.
//!
//! For Maildir accounts that is indexing the tree at start, on request and on a
//! timer (mbsync and friends write to it behind our back). Network accounts get
//! their sync here in a later issue.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;

use super::Event;
use crate::config::{Account, Receive};
use crate::store::{AccountId, Store, maildir};

/// How often a Maildir account is rescanned when nobody asks.
const RESCAN_EVERY: Duration = Duration::from_secs(60);

pub(super) struct Handle {
    refresh: mpsc::Sender<()>,
    task: JoinHandle<()>,
}

impl Handle {
    /// Ask for a refresh; one already queued is enough.
    pub fn refresh(&self) {
        let _ = self.refresh.try_send(());
    }

    pub async fn stop(self) {
        drop(self.refresh);
        let _ = self.task.await;
    }
}

pub(super) fn spawn(
    id: AccountId,
    account: Account,
    store_path: PathBuf,
    events: UnboundedSender<Event>,
) -> Handle {
    let (refresh, mut requests) = mpsc::channel(1);
    let task = tokio::spawn(async move {
        let mut store: Option<Store> = None;
        let mut timer = tokio::time::interval(RESCAN_EVERY);
        loop {
            // The first tick fires at once: index at start.
            tokio::select! {
                _ = timer.tick() => {}
                request = requests.recv() => if request.is_none() { break },
            }
            store = refresh_account(id, &account, &store_path, store, &events).await;
        }
    });
    Handle { refresh, task }
}

/// One refresh. The store connection is opened lazily and kept between runs.
async fn refresh_account(
    id: AccountId,
    account: &Account,
    store_path: &std::path::Path,
    store: Option<Store>,
    events: &UnboundedSender<Event>,
) -> Option<Store> {
    match account.receive {
        Receive::Maildir => {}
        // Network receive arrives with the mail engine.
        Receive::Imap | Receive::Pop3 => return store,
    }
    let Some(root) = account.maildir.clone() else {
        return store;
    };
    let path = store_path.to_path_buf();
    let name = account.name.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut store = match store {
            Some(store) => store,
            None => Store::open(&path)?,
        };
        let report = maildir::index_maildir(&mut store, id, &root)?;
        Ok::<_, crate::store::StoreError>((store, report))
    })
    .await;
    match outcome {
        Ok(Ok((store, report))) => {
            for (path, problem) in &report.errors {
                tracing::warn!(account = %name, file = %path.display(), "skipped: {problem}");
            }
            if report.added + report.removed + report.updated > 0 {
                let _ = events.send(Event::Changed { account: id });
            }
            Some(store)
        }
        Ok(Err(err)) => {
            let _ = events.send(Event::error(format!("scanning {name}"), err));
            None
        }
        Err(join) => {
            let _ = events.send(Event::error(format!("scanning {name}"), join));
            None
        }
    }
}
