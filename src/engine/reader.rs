//! The store reader: one thread that owns a connection and answers the UI's
//! reads in order. Reads take milliseconds, so one thread keeps them ordered
//! without locking; slow work belongs to account workers.

use std::sync::mpsc::{Receiver, Sender};

use tokio::sync::mpsc::UnboundedSender;

use super::{Command, Event};
use crate::mime;
use crate::store::{AccountId, Flags, MessageId, MessageSource, Store, StoreError, maildir};

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

fn serve(
    mut store: Store,
    accounts: Vec<AccountId>,
    commands: Receiver<Command>,
    events: UnboundedSender<Event>,
) {
    for command in commands {
        for event in answer(&mut store, &accounts, command) {
            if events.send(event).is_err() {
                return; // the front end is gone
            }
        }
    }
}

fn answer(store: &mut Store, accounts: &[AccountId], command: Command) -> Vec<Event> {
    let event = match command {
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
        Command::LoadEnvelopes {
            folder,
            offset,
            limit,
        } => {
            let page = store
                .envelope_count(folder)
                .and_then(|total| Ok((total, store.envelopes(folder, offset, limit)?)));
            match page {
                Ok((total, rows)) => Event::Envelopes {
                    folder,
                    offset,
                    total,
                    rows,
                },
                Err(err) => Event::error("loading messages", err),
            }
        }
        Command::OpenMessage { id, width } => {
            return match open_message(store, id, width) {
                Ok(events) => events,
                Err(err) => vec![Event::error("opening message", err)],
            };
        }
        // Routed to account workers by the dispatcher; never reaches here.
        Command::Refresh { .. } => Event::error("store", "refresh sent to the reader"),
    };
    vec![event]
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
/// When that changed an unread count, the account's folders follow the message.
fn open_message(store: &mut Store, id: MessageId, width: u16) -> Result<Vec<Event>, OpenError> {
    let raw = match store.message_source(id)? {
        MessageSource::File(path) => std::fs::read(&path).map_err(|source| OpenError::Read {
            path: path.clone(),
            source,
        })?,
        MessageSource::Cached(bytes) => bytes,
        MessageSource::NotFetched => return Err(OpenError::NotFetched),
    };
    let rendered = mime::render(&raw, usize::from(width));
    let mut events = vec![Event::Message {
        id,
        rendered: Box::new(rendered),
    }];
    if let Some(account) = mark_seen(store, id)? {
        events.push(Event::Folders {
            account,
            folders: store.folders(account)?,
        });
    }
    Ok(events)
}

/// Set the seen flag; returns the account whose counts changed, if any.
fn mark_seen(store: &mut Store, id: MessageId) -> Result<Option<AccountId>, StoreError> {
    let envelope = store.envelope(id)?;
    if envelope.flags.seen {
        return Ok(None);
    }
    let flags = Flags {
        seen: true,
        ..envelope.flags
    };
    match store.message_source(id)? {
        MessageSource::File(_) => {
            maildir::set_message_flags(store, id, flags)?;
        }
        MessageSource::Cached(_) | MessageSource::NotFetched => store.set_flags(id, flags)?,
    }
    Ok(Some(store.folder(envelope.folder)?.account))
}
