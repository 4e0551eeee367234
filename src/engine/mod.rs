//! The engine: owns accounts and performs what front ends ask for.
//!
//! Front ends send [`Command`]s and receive [`Event`]s; they never touch a socket
//! or the database themselves. Reads from the store are served by one reader
//! thread (cheap, ordered); each account has its own worker task for slow work
//! (rescans now, network sync later), so a slow account never blocks another.

mod reader;
mod worker;

use std::collections::HashMap;
use std::path::Path;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::config::Account;
use crate::mime::Rendered;
use crate::store::{
    AccountId, AccountRow, EnvelopeRow, FolderId, FolderRow, MessageId, Store, StoreError,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    LoadAccounts,
    LoadFolders {
        account: AccountId,
    },
    /// A page of a folder's envelopes, newest first.
    LoadEnvelopes {
        folder: FolderId,
        offset: usize,
        limit: usize,
    },
    /// Render a message for a pane `width` columns wide (marks it seen).
    OpenMessage {
        id: MessageId,
        width: u16,
    },
    /// Look for new mail (Maildir rescan now; network sync later).
    Refresh {
        account: AccountId,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Accounts(Vec<AccountRow>),
    Folders {
        account: AccountId,
        folders: Vec<FolderRow>,
    },
    Envelopes {
        folder: FolderId,
        offset: usize,
        total: usize,
        rows: Vec<EnvelopeRow>,
    },
    Message {
        id: MessageId,
        rendered: Box<Rendered>,
    },
    /// Something changed in the store for this account: reload what is shown.
    Changed {
        account: AccountId,
    },
    Error {
        context: String,
        message: String,
    },
}

impl Event {
    fn error(context: impl Into<String>, err: impl std::fmt::Display) -> Event {
        Event::Error {
            context: context.into(),
            message: err.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("starting the store reader thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// A running engine. Dropping the command sender (or calling [`Engine::shutdown`])
/// stops it.
pub struct Engine {
    commands: UnboundedSender<Command>,
    dispatcher: tokio::task::JoinHandle<()>,
}

impl Engine {
    /// Open the store at `store_path`, register `accounts` in it and start serving
    /// commands. Must be called inside a tokio runtime.
    pub fn start(
        store_path: &Path,
        accounts: &[Account],
    ) -> Result<(Engine, UnboundedReceiver<Event>), EngineError> {
        let store = Store::open(store_path)?;
        let mut ids = Vec::with_capacity(accounts.len());
        for account in accounts {
            ids.push(store.upsert_account(&account.name, &account.email)?);
        }
        let (event_tx, event_rx) = mpsc::unbounded_channel();
        let reader =
            reader::spawn(store, ids.clone(), event_tx.clone()).map_err(EngineError::Thread)?;
        let mut workers = HashMap::new();
        for (id, account) in ids.iter().zip(accounts) {
            let worker = worker::spawn(
                *id,
                account.clone(),
                store_path.to_path_buf(),
                event_tx.clone(),
            );
            workers.insert(*id, worker);
        }
        let (command_tx, command_rx) = mpsc::unbounded_channel();
        let dispatcher = tokio::spawn(dispatch(command_rx, reader, workers, event_tx));
        Ok((
            Engine {
                commands: command_tx,
                dispatcher,
            },
            event_rx,
        ))
    }

    /// A sender for front ends.
    pub fn commands(&self) -> UnboundedSender<Command> {
        self.commands.clone()
    }

    /// Stop serving: close the command channel and wait for the dispatcher.
    pub async fn shutdown(self) {
        drop(self.commands);
        let _ = self.dispatcher.await;
    }
}

/// Route each command to the reader or to the account's worker.
async fn dispatch(
    mut commands: UnboundedReceiver<Command>,
    reader: std::sync::mpsc::Sender<Command>,
    workers: HashMap<AccountId, worker::Handle>,
    events: UnboundedSender<Event>,
) {
    while let Some(command) = commands.recv().await {
        match command {
            Command::Refresh { account } => match workers.get(&account) {
                Some(worker) => worker.refresh(),
                None => {
                    let _ = events.send(Event::error(
                        "refresh",
                        format!("no account with id {}", account.0),
                    ));
                }
            },
            other => {
                if reader.send(other).is_err() {
                    let _ = events.send(Event::error("store", "the store reader stopped"));
                    break;
                }
            }
        }
    }
    for worker in workers.into_values() {
        worker.stop().await;
    }
}
