//! The store reader: one thread that owns a connection and answers the UI's
//! reads in order. Reads take milliseconds, so one thread keeps them ordered
//! without locking; slow work belongs to account workers.

use std::sync::mpsc::{Receiver, Sender};

use tokio::sync::mpsc::UnboundedSender;

use super::{Command, Event};
use crate::mime;
use crate::store::{AccountId, MessageId, MessageSource, Store, StoreError, maildir};

pub(super) fn spawn(
    store: Store,
    accounts: Vec<AccountId>,
    events: UnboundedSender<Event>,
) -> std::io::Result<Sender<Command>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("store-reader".into())
        .spawn(move || serve(store, accounts, rx, events))?;
    Ok(tx)
}

fn serve(store: Store, accounts: Vec<AccountId>, commands: Receiver<Command>, events: UnboundedSender<Event>) {
    for command in commands {
        let event = answer(&store, &accounts, command);
        if events.send(event).is_err() {
            return; // the front end is gone
        }
    }
}

fn answer(store: &Store, accounts: &[AccountId], command: Command) -> Event {
    match command {
        Command::LoadAccounts => match store.accounts() {
            // Show the configured accounts, in the order the config lists them.
            Ok(rows) => Event::Accounts(
                accounts
                    .iter()
                    .filter_map(|id| rows.iter().find(|row| row.id == *id).cloned())
                    .collect(),
            ),
            Err(err) => Event::error("loading accounts", err),
        },
        Command::LoadFolders { account } => match store.folders(account) {
            Ok(folders) => Event::Folders { account, folders },
            Err(err) => Event::error("loading folders", err),
        },
        Command::LoadEnvelopes { folder, offset, limit } => {
            let page = store
                .envelope_count(folder)
                .and_then(|total| Ok((total, store.envelopes(folder, offset, limit)?)));
            match page {
                Ok((total, rows)) => Event::Envelopes { folder, offset, total, rows },
                Err(err) => Event::error("loading messages", err),
            }
        }
        Command::OpenMessage { id, width } => match open_message(store, id, width) {
            Ok(event) => event,
            Err(err) => Event::error("opening message", err),
        },
        // Routed to account workers by the dispatcher; never reaches here.
        Command::Refresh { .. } => Event::error("store", "refresh sent to the reader"),
    }
}

#[derive(Debug, thiserror::Error)]
enum OpenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("this message's body has not been downloaded yet")]
    NotFetched,
}

/// Render a message and mark it seen (in the store, and in its Maildir file name).
fn open_message(store: &Store, id: MessageId, width: u16) -> Result<Event, OpenError> {
    let raw = match store.message_source(id)? {
        MessageSource::File(path) => {
            std::fs::read(&path).map_err(|source| OpenError::Read { path: path.clone(), source })?
        }
        MessageSource::Cached(bytes) => bytes,
        MessageSource::NotFetched => return Err(OpenError::NotFetched),
    };
    let rendered = mime::render(&raw, usize::from(width));
    mark_seen(store, id)?;
    Ok(Event::Message { id, rendered: Box::new(rendered) })
}

fn mark_seen(store: &Store, id: MessageId) -> Result<(), StoreError> {
    let _ = (store, id, maildir::set_maildir_flags);
    todo!("adapt to the store API at merge")
}
