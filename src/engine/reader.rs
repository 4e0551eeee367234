//! The store reader: one thread that owns a connection and answers the UI's
//! reads in order. Reads take milliseconds, so one thread keeps them ordered
//! without locking; slow work belongs to account workers. Commands on messages
//! are handed to the owning account's worker (found here, from the store) so
//! the reader never waits for a network.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{Receiver, Sender};

use tokio::sync::mpsc::UnboundedSender;

use super::worker::Job;
use super::{Command, Event};
use crate::mime;
use crate::store::{
    AccountId, Flags, FolderId, MessageId, MessageSource, Store, StoreError, maildir,
};

/// Each account's job queue.
pub(super) type Workers = HashMap<AccountId, UnboundedSender<Job>>;

pub(super) fn spawn(
    store: Store,
    accounts: Vec<AccountId>,
    workers: Workers,
    events: UnboundedSender<Event>,
) -> std::io::Result<Sender<Command>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("store-reader".into())
        .spawn(move || serve(store, accounts, workers, rx, events))?;
    Ok(tx)
}

fn serve(
    mut store: Store,
    accounts: Vec<AccountId>,
    workers: Workers,
    commands: Receiver<Command>,
    events: UnboundedSender<Event>,
) {
    for command in commands {
        for event in answer(&mut store, &accounts, &workers, command) {
            if events.send(event).is_err() {
                return; // the front end is gone
            }
        }
    }
}

fn answer(
    store: &mut Store,
    accounts: &[AccountId],
    workers: &Workers,
    command: Command,
) -> Vec<Event> {
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
            return match open_message(store, workers, id, width) {
                Ok(events) => events,
                Err(err) => vec![Event::error("opening message", err)],
            };
        }
        Command::SetFlags { ids, add, remove } => {
            return route(store, workers, "changing flags", &ids, |ids| {
                Job::SetFlags { ids, add, remove }
            });
        }
        Command::Move { ids, to } => {
            // Only within one account: the target must belong to the messages' owner.
            let owner = store.folder(to).map(|f| f.account);
            return match (owner, by_account(store, &ids)) {
                (Ok(owner), Ok(groups)) if groups.keys().all(|a| *a == owner) => {
                    route(store, workers, "moving", &ids, |ids| Job::Move { ids, to })
                }
                (Ok(_), Ok(_)) => vec![Event::error(
                    "moving",
                    "messages can only be moved to a folder of their own account",
                )],
                (Err(err), _) | (_, Err(err)) => vec![Event::error("moving", err)],
            };
        }
        Command::Delete { ids } => {
            return route(store, workers, "deleting", &ids, |ids| Job::Delete { ids });
        }
        // Routed to account workers by the dispatcher; never reach here.
        Command::Refresh { .. } | Command::Send { .. } => {
            Event::error("store", "an account command was sent to the reader")
        }
    };
    vec![event]
}

/// Messages grouped by the account that owns them.
fn by_account(
    store: &Store,
    ids: &[MessageId],
) -> Result<BTreeMap<AccountId, Vec<MessageId>>, StoreError> {
    let mut folders: HashMap<FolderId, AccountId> = HashMap::new();
    let mut groups: BTreeMap<AccountId, Vec<MessageId>> = BTreeMap::new();
    for id in ids {
        let folder = store.envelope(*id)?.folder;
        let account = match folders.get(&folder) {
            Some(account) => *account,
            None => {
                let account = store.folder(folder)?.account;
                folders.insert(folder, account);
                account
            }
        };
        groups.entry(account).or_default().push(*id);
    }
    Ok(groups)
}

/// Hands each account's share of `ids` to its worker.
fn route(
    store: &Store,
    workers: &Workers,
    doing: &str,
    ids: &[MessageId],
    job: impl Fn(Vec<MessageId>) -> Job,
) -> Vec<Event> {
    let groups = match by_account(store, ids) {
        Ok(groups) => groups,
        Err(err) => return vec![Event::error(doing, err)],
    };
    let mut events = Vec::new();
    for (account, ids) in groups {
        if let Err(err) = forward(workers, account, job(ids)) {
            events.push(Event::error(doing, err));
        }
    }
    events
}

fn forward(workers: &Workers, account: AccountId, job: Job) -> Result<(), OpenError> {
    workers
        .get(&account)
        .and_then(|worker| worker.send(job).ok())
        .ok_or(OpenError::NoWorker(account))
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
    #[error("account {} is not running (not in the configuration?)", .0.0)]
    NoWorker(AccountId),
}

/// Render a message and mark it seen: in the store and its Maildir file name here
/// (the account's folders follow the message, for the unread count), on the IMAP
/// server through the account's worker (the store follows the server's OK). A body
/// not downloaded yet is the account worker's to fetch.
fn open_message(
    store: &mut Store,
    workers: &Workers,
    id: MessageId,
    width: u16,
) -> Result<Vec<Event>, OpenError> {
    let raw = match store.message_source(id)? {
        MessageSource::File(path) => std::fs::read(&path).map_err(|source| OpenError::Read {
            path: path.clone(),
            source,
        })?,
        MessageSource::Cached(bytes) => bytes,
        MessageSource::NotFetched => {
            let account = store.folder(store.envelope(id)?.folder)?.account;
            forward(workers, account, Job::Open { id, width })?;
            return Ok(Vec::new());
        }
    };
    let rendered = mime::render(&raw, usize::from(width));
    let mut events = vec![Event::Message {
        id,
        rendered: Box::new(rendered),
    }];
    let envelope = store.envelope(id)?;
    if !envelope.flags.seen {
        let account = store.folder(envelope.folder)?.account;
        let seen = Flags {
            seen: true,
            ..Flags::default()
        };
        if store.imap_location(id)?.uid.is_some() {
            // The server first, the store after its OK (as for every IMAP flag
            // change): the worker does both, off this thread, and says Changed.
            forward(
                workers,
                account,
                Job::SetFlags {
                    ids: vec![id],
                    add: seen,
                    remove: Flags::default(),
                },
            )?;
        } else if maildir::change_local_flags(store, id, seen, Flags::default())? {
            events.push(Event::Folders {
                account,
                folders: store.folders(account)?,
            });
        }
    }
    Ok(events)
}
