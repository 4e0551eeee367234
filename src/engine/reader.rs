//! The store reader: one thread that owns a connection and answers the UI's reads
//! in order. Reads take milliseconds, so one thread keeps them ordered without
//! locking; it never waits for a network: a message whose body is not stored yet is
//! handed to its account's worker to fetch. Its one write is small: before
//! completing an address it counts the few messages stored since the address
//! counter last caught up (see [`CATCH_UP_BEFORE_COMPLETING`]).

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender};

use tokio::sync::mpsc::UnboundedSender;

use super::complete::{self, Completer};
use super::worker::Job;
use super::{Command, Event};
use crate::mime;
use crate::store::{AccountId, MessageId, MessageSource, Page, Store, StoreError};

/// Each account's job queue.
pub(super) type Workers = HashMap<AccountId, UnboundedSender<Job>>;

pub(super) fn spawn(
    store: Store,
    accounts: Vec<AccountId>,
    workers: Workers,
    completer: Completer,
    events: UnboundedSender<Event>,
) -> std::io::Result<Sender<Command>> {
    let (tx, rx) = std::sync::mpsc::channel();
    // Address book commands run as tasks on the engine's runtime.
    let runtime = tokio::runtime::Handle::current();
    let serving = Serving {
        accounts,
        workers,
        completer,
        runtime,
    };
    std::thread::Builder::new()
        .name("store-reader".into())
        .spawn(move || serve(store, serving, rx, events))?;
    Ok(tx)
}

/// What the reader thread holds besides its store.
struct Serving {
    accounts: Vec<AccountId>,
    workers: Workers,
    completer: Completer,
    runtime: tokio::runtime::Handle,
}

fn serve(
    mut store: Store,
    serving: Serving,
    commands: Receiver<Command>,
    events: UnboundedSender<Event>,
) {
    let Serving {
        accounts,
        workers,
        completer,
        runtime,
    } = serving;
    for command in commands {
        let answer = match command {
            Command::CompleteAddress {
                request,
                account,
                prefix,
            } => {
                catch_up_before_completing(&mut store);
                complete::answer(
                    &completer,
                    &store,
                    &runtime,
                    &events,
                    (request, account, prefix),
                );
                Vec::new()
            }
            Command::LoadAccounts => vec![load_accounts(&store, &accounts)],
            Command::OpenMessage { id, width } => match open_message(&store, id, width) {
                Ok(Opened::Rendered(event)) => vec![event],
                Ok(Opened::NotFetched { account }) => {
                    match workers
                        .get(&account)
                        .map(|w| w.send(Job::Open { id, width }))
                    {
                        Some(Ok(())) => Vec::new(),
                        _ => vec![Event::error(
                            "opening message",
                            format!("account {} is not running", account.0),
                        )],
                    }
                }
                Err(err) => vec![Event::error("opening message", err)],
            },
            other => answer_read(&mut store, other).unwrap_or_default(),
        };
        for event in answer {
            if events.send(event).is_err() {
                return; // the front end is gone
            }
        }
    }
}

/// Most messages the reader counts itself before completing an address: what was
/// stored since the counter's last catch-up (a message just sent, a copy, mail a
/// `postern sync` brought in meanwhile), a few milliseconds' work. When more wait,
/// a sync's mail is being counted by the engine's counter: the answer does not wait
/// for it, it knows the mail counted so far.
pub const CATCH_UP_BEFORE_COMPLETING: usize = 1_000;

fn catch_up_before_completing(store: &mut Store) {
    let behind = store.addresses_behind(CATCH_UP_BEFORE_COMPLETING + 1);
    let counted = match behind {
        Ok(behind) if (1..=CATCH_UP_BEFORE_COMPLETING).contains(&behind) => store
            .catch_up_addresses(CATCH_UP_BEFORE_COMPLETING)
            .map(drop),
        other => other.map(drop),
    };
    if let Err(err) = counted {
        // Completed from what is counted; the counter tries again after the next sync.
        tracing::warn!("counting the addresses of new mail before completing: {err}");
    }
}

/// The configured accounts, in the order the config lists them.
fn load_accounts(store: &Store, accounts: &[AccountId]) -> Event {
    match store.accounts() {
        Ok(rows) => Event::Accounts(
            accounts
                .iter()
                .filter_map(|id| rows.iter().find(|row| row.id == *id).cloned())
                .collect(),
        ),
        Err(err) => Event::error("loading accounts", err),
    }
}

/// The answer to a read of folders, envelopes or ids straight from `store`; `None`
/// for anything else. The reader thread's work, public so that benchmarks measure
/// the same code.
pub fn answer_read(store: &mut Store, command: Command) -> Option<Vec<Event>> {
    let event = match command {
        Command::LoadFolders { account } => match store.folders(account) {
            Ok(folders) => Event::Folders { account, folders },
            Err(err) => Event::error("loading folders", err),
        },
        Command::LoadEnvelopes {
            folder,
            page,
            limit,
        } => match envelopes(store, folder, page, limit) {
            Ok(event) => event,
            Err(err) => page_failed(folder, err),
        },
        Command::LoadIds { folder } => match store.folder_messages(folder) {
            Ok(messages) => Event::Ids { folder, messages },
            Err(err) => page_failed(folder, err),
        },
        _ => return None,
    };
    Some(vec![event])
}

fn page_failed(folder: crate::store::FolderId, err: StoreError) -> Event {
    Event::PageFailed {
        folder,
        problem: super::Problem::plain(err.to_string()),
    }
}

fn envelopes(
    store: &Store,
    folder: crate::store::FolderId,
    page: Page,
    limit: usize,
) -> Result<Event, StoreError> {
    let total = store.envelope_count(folder)?;
    let rows = store.envelope_page(folder, page, limit)?;
    let index = match page {
        Page::First => Some(0),
        Page::Last => Some(total.saturating_sub(rows.len())),
        // A reload deep in a list: counted, once (walks that many index entries).
        Page::From(key) => Some(store.position(folder, key)?),
        // The front end knows where its key row is.
        Page::After(_) | Page::Before(_) => None,
    };
    Ok(Event::Envelopes {
        folder,
        page,
        total,
        index,
        rows,
    })
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
}

enum Opened {
    Rendered(Event),
    /// Only the envelope is stored: the account's worker fetches the body.
    NotFetched {
        account: AccountId,
    },
}

fn open_message(store: &Store, id: MessageId, width: u16) -> Result<Opened, OpenError> {
    let raw = match store.message_source(id)? {
        MessageSource::File(path) => std::fs::read(&path).map_err(|source| OpenError::Read {
            path: path.clone(),
            source,
        })?,
        MessageSource::Cached(bytes) => bytes,
        MessageSource::NotFetched => {
            let account = store.folder(store.envelope(id)?.folder)?.account;
            return Ok(Opened::NotFetched { account });
        }
    };
    let rendered = mime::render(&raw, usize::from(width));
    Ok(Opened::Rendered(Event::Message {
        id,
        rendered: Box::new(rendered),
    }))
}
