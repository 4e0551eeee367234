//! The engine: owns accounts and performs what front ends ask for.
//!
//! Front ends send [`Command`]s and receive [`Event`]s; they never touch a socket
//! or the database themselves. Reads from the store are served by one reader
//! thread (cheap, ordered); each account has its own worker task for slow work
//! (Maildir rescans, IMAP sync and IDLE, POP3 downloads, sending), so a slow or
//! dead server never blocks another account or the reader.

mod backoff;
pub mod complete;
mod counter;
mod draft_jobs;
mod drafts;
pub mod explain;
mod imap_worker;
mod notify;
mod observer;
mod outbox;
mod perform;
mod pipe;
mod pop3_worker;
mod reader;
mod save;
mod send;
mod worker;

pub use backoff::BackoffPolicy;
pub use explain::{Problem, Remedy};
pub use outbox::{OutboxEntry, OutboxStatus, entries as outbox_entries};
pub use reader::answer_read;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::config::{Account, ComposeSettings};
use crate::mime::Rendered;
use crate::mime::compose::Written;
pub use crate::mime::reply::Start;
use crate::store::{
    AccountId, AccountRow, DraftId, DraftRow, EnvelopeRow, Flags, FolderId, FolderRow, MessageId,
    NewDraft, OutboxId, Page, Store, StoreError,
};
use crate::sync::SyncOptions;

/// Names one request, so its answer ([`Event::Done`] or [`Event::Failed`]) can be
/// told from the answers to others. Front ends choose them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    LoadAccounts,
    LoadFolders {
        account: AccountId,
    },
    /// A page of a folder's envelopes, newest first.
    LoadEnvelopes {
        folder: FolderId,
        page: Page,
        limit: usize,
    },
    /// Every message of a folder, newest first (to tag them all).
    LoadIds {
        folder: FolderId,
    },
    /// Render a message for a pane `width` columns wide (fetching its body when
    /// only the envelope is stored). Opening marks nothing: a front end that wants
    /// it seen says so with [`Operation::SetFlags`].
    OpenMessage {
        id: MessageId,
        width: u16,
    },
    /// Look for new mail now (Maildir rescan, IMAP resync, POP3 download).
    Refresh {
        account: AccountId,
    },
    /// Act on the account's mail; answered with `Done` or `Failed` for `request`.
    Run {
        request: RequestId,
        account: AccountId,
        op: Operation,
    },
    /// Work on the account's drafts; answered with `Done` or `Failed` for `request`.
    Draft {
        request: RequestId,
        account: AccountId,
        // Boxed: a draft is large, and every other command small.
        op: Box<DraftOp>,
    },
    /// Queue a complete message in the outbox and send it; IMAP accounts keep a
    /// copy in their Sent folder.
    Send {
        account: AccountId,
        raw: Vec<u8>,
    },
    /// Act on a message waiting in the account's outbox; answered with `Done` or
    /// `Failed` for `request`.
    Outbox {
        request: RequestId,
        account: AccountId,
        op: OutboxOp,
    },
    /// The addresses that `prefix` (what is typed of one in To, Cc or Bcc) begins,
    /// for `account`'s draft; answered with [`Event::Completions`] for `request` by
    /// the store reader, then again when `[compose] address_book_command` answered.
    CompleteAddress {
        request: RequestId,
        account: AccountId,
        prefix: String,
    },
}

/// What [`Command::Outbox`] does to a message not sent yet. A message that may
/// have been delivered ("maybe sent") is refused unless `even_if_maybe_sent`: the
/// user was told and said so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxOp {
    /// Send it again now.
    Retry {
        id: OutboxId,
        even_if_maybe_sent: bool,
    },
    /// Take it out to write again: answered with [`Outcome::Draft`].
    Edit {
        id: OutboxId,
        even_if_maybe_sent: bool,
    },
    /// Throw it away, and the draft it was written in.
    Delete {
        id: OutboxId,
        even_if_maybe_sent: bool,
    },
}

impl OutboxOp {
    pub fn even_if_maybe_sent(self) -> bool {
        match self {
            OutboxOp::Retry {
                even_if_maybe_sent, ..
            }
            | OutboxOp::Edit {
                even_if_maybe_sent, ..
            }
            | OutboxOp::Delete {
                even_if_maybe_sent, ..
            } => even_if_maybe_sent,
        }
    }
}

/// What [`Command::Draft`] does. A draft is in the store from the moment it starts,
/// so nothing typed is lost; the answers carry it back ([`Outcome::Draft`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftOp {
    /// Start a message: a new one from what is known of it (`known`: a `mailto:`
    /// link's fields), or, with `from`, a reply, forward or copy of a stored message.
    Start {
        from: Option<(Start, MessageId)>,
        known: Written,
    },
    /// Continue the draft kept as `message` in a Drafts folder (put there by this
    /// postern or by another client).
    Recall { message: MessageId },
    /// A stored draft, to go on writing.
    Load { id: DraftId },
    /// Keep what is written (autosave; after the editor).
    Save { id: DraftId, draft: NewDraft },
    /// Put it aside: kept (as `draft`, or as stored when `None`), and copied to the
    /// server's Drafts folder (replacing its previous copy).
    Postpone {
        id: DraftId,
        draft: Option<NewDraft>,
    },
    /// Throw it away (its Drafts folder copy too).
    Discard { id: DraftId },
    /// Send it: into the outbox, held back for `[compose] send_delay` so that it can
    /// be taken back, then sent by the account's worker.
    Send { id: DraftId, draft: NewDraft },
    /// Undo send: a held message back into its draft, while it still waits.
    TakeBack { outbox: OutboxId },
    /// A held message goes now (postern is quitting).
    SendNow { outbox: OutboxId },
}

/// What a carried-out request gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Nothing,
    /// Something to show (a pipe's output, where messages were saved).
    Text(String),
    /// A draft to write: started, recalled or taken back. `notes` are what went
    /// wrong on the way without stopping it (a signature that could not be read).
    Draft {
        draft: Box<DraftRow>,
        notes: Vec<String>,
    },
    /// Queued to be sent; it waits until `until` (Unix seconds) and can be taken
    /// back with [`DraftOp::TakeBack`] until then.
    Held {
        outbox: OutboxId,
        draft: DraftId,
        until: i64,
    },
}

/// What [`Command::Run`] can do to an account's mail. Every message named must
/// belong to the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Set the flags in `add` and clear those in `remove` (on the server too).
    SetFlags {
        ids: Vec<MessageId>,
        add: Flags,
        remove: Flags,
    },
    /// Move to another folder of the account; the messages keep their ids.
    Move {
        ids: Vec<MessageId>,
        to: FolderId,
    },
    Copy {
        ids: Vec<MessageId>,
        to: FolderId,
    },
    /// To the Trash; messages in the Trash for good.
    Delete {
        ids: Vec<MessageId>,
    },
    /// To the archive folder; `create`: make it when missing (the user agreed).
    Archive {
        ids: Vec<MessageId>,
        create: bool,
    },
    /// Each message's source, oldest first, on the standard input of its own run of
    /// `sh -c command`; the output comes back in `Done`.
    Pipe {
        ids: Vec<MessageId>,
        command: String,
    },
    /// Each message's source to a file: `path` is the file for one message, a
    /// directory for several (or for one, when it is a directory). Never overwrites.
    Save {
        ids: Vec<MessageId>,
        path: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Accounts(Vec<AccountRow>),
    Folders {
        account: AccountId,
        folders: Vec<FolderRow>,
    },
    /// A page of envelopes; `index` is the place of its first row in the folder when
    /// the reader knows it without counting (`First`, `Last`) or counted it (`From`).
    Envelopes {
        folder: FolderId,
        page: Page,
        total: usize,
        index: Option<usize>,
        rows: Vec<EnvelopeRow>,
    },
    /// A folder's envelopes (or ids) could not be read.
    PageFailed {
        folder: FolderId,
        problem: Problem,
    },
    /// Every message of a folder, with its flags.
    Ids {
        folder: FolderId,
        messages: Vec<(MessageId, Flags)>,
    },
    Message {
        id: MessageId,
        rendered: Box<Rendered>,
    },
    /// The store changed for this account: its folder list, and the messages of
    /// `folders` (reload what is shown of them).
    Changed {
        account: AccountId,
        folders: Vec<FolderId>,
    },
    /// The account's messages not sent yet, whenever that changes (and at start).
    Outbox {
        account: AccountId,
        entries: Vec<OutboxEntry>,
    },
    /// Once, at start: drafts that were being written when postern last stopped
    /// (neither postponed nor sent), newest first, to offer back.
    Interrupted(Vec<DraftRow>),
    /// A [`Command::Run`] or [`Command::Draft`] was carried out.
    Done {
        request: RequestId,
        outcome: Outcome,
    },
    /// A [`Command::Run`] or [`Command::Draft`] was not carried out (or only partly: the store says how far).
    Failed {
        request: RequestId,
        problem: Problem,
    },
    /// Addresses for a [`Command::CompleteAddress`], best first (at most
    /// [`complete::LIMIT`]). The store's come at once; with an address book command,
    /// a second answer for the same request has its addresses first, then the
    /// store's, and `problem` says why it has none when the command failed.
    Completions {
        request: RequestId,
        addresses: Vec<crate::mime::Address>,
        problem: Option<Problem>,
    },
    /// Background work failed (a sync, a login, opening a message).
    Error {
        context: String,
        problem: Problem,
    },
    /// A folder sync or download is under way: `fetched` of `to_fetch` stored.
    Progress {
        account: AccountId,
        folder: FolderId,
        fetched: usize,
        to_fetch: usize,
    },
    /// A full sync (or download) of the account finished.
    Synced {
        account: AccountId,
    },
    /// The account's server failed; the worker tries again after `delay`
    /// (`attempt` counts failures since the last success).
    Retrying {
        account: AccountId,
        attempt: u32,
        delay: Duration,
    },
    /// The server accepted an outgoing message; `reply` is its answer.
    Sent {
        account: AccountId,
        outbox: OutboxId,
        reply: String,
    },
    /// An outgoing message was not sent (`outbox` is None when it was refused
    /// before being queued). A queued one stays in the outbox.
    SendFailed {
        account: AccountId,
        outbox: Option<OutboxId>,
        error: String,
        /// The server's answer, when it gave one.
        reply: Option<String>,
    },
}

impl Event {
    fn error(context: impl Into<String>, err: impl std::fmt::Display) -> Event {
        Event::Error {
            context: context.into(),
            problem: Problem::plain(err.to_string()),
        }
    }
}

/// Tuning of the engine; [`Default`] is what the application uses (with the
/// config's `[compose]`), tests shorten it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineOptions {
    /// Reconnect delays after a failure.
    pub backoff: BackoffPolicy,
    /// How often a POP3 account downloads when nobody asks.
    pub pop3_interval: Duration,
    /// How long a password command may run.
    pub password_timeout: Duration,
    /// Longest wait for a worker to finish at shutdown before it is cut off.
    pub shutdown_grace: Duration,
    pub sync: SyncOptions,
    /// How messages are written and sent (`send_delay`, the attribution line).
    pub compose: ComposeSettings,
    /// The first wait before a message that failed for now is sent again; it
    /// doubles with each attempt, up to 30 times this.
    pub send_retry: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            backoff: BackoffPolicy::default(),
            pop3_interval: Duration::from_secs(5 * 60),
            password_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(3),
            sync: SyncOptions::default(),
            compose: ComposeSettings::default(),
            send_retry: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("starting the store reader or another engine thread: {0}")]
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
    /// commands; OAuth2 tokens are cached under `token_dir`. Must be called inside
    /// a tokio runtime.
    pub fn start(
        store_path: &Path,
        token_dir: &Path,
        accounts: &[Account],
    ) -> Result<(Engine, UnboundedReceiver<Event>), EngineError> {
        Engine::start_with(store_path, token_dir, accounts, EngineOptions::default())
    }

    /// [`Engine::start`] with explicit tuning.
    pub fn start_with(
        store_path: &Path,
        token_dir: &Path,
        accounts: &[Account],
        options: EngineOptions,
    ) -> Result<(Engine, UnboundedReceiver<Event>), EngineError> {
        let store = Store::open(store_path)?;
        let mut ids = Vec::with_capacity(accounts.len());
        for account in accounts {
            ids.push(store.upsert_account(&account.name, &account.email)?);
        }
        let (event_tx, event_rx) = mpsc::unbounded_channel();
        let counter =
            counter::Counter::spawn(Store::open(store_path)?).map_err(EngineError::Thread)?;
        let mut workers = HashMap::new();
        for (id, account) in ids.iter().zip(accounts) {
            let context = worker::Context {
                id: *id,
                account: account.clone(),
                store_path: store_path.to_path_buf(),
                token_dir: PathBuf::from(token_dir),
                events: event_tx.clone(),
                options: options.clone(),
                retry: worker::Retry::default(),
                addresses: counter.poke(),
            };
            workers.insert(*id, worker::spawn(context));
        }
        let jobs: reader::Workers = workers.iter().map(|(id, w)| (*id, w.jobs())).collect();
        let completer = complete::Completer::new(
            ids.iter().copied().zip(accounts.iter().cloned()).collect(),
            &options.compose,
        );
        let (keeper, keeper_thread) = drafts::spawn(drafts::Keeper {
            store: Store::open(store_path)?,
            accounts: ids.iter().copied().zip(accounts.iter().cloned()).collect(),
            compose: options.compose,
            workers: jobs.clone(),
            events: event_tx.clone(),
            runtime: tokio::runtime::Handle::current(),
        })
        .map_err(EngineError::Thread)?;
        let reader = reader::spawn(store, ids.clone(), jobs, completer, event_tx.clone())
            .map_err(EngineError::Thread)?;
        let (command_tx, command_rx) = mpsc::unbounded_channel();
        let routes = Routes {
            reader,
            keeper,
            keeper_thread,
            workers,
            counter,
        };
        let dispatcher = tokio::spawn(dispatch(command_rx, routes, event_tx));
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

/// Where commands go.
struct Routes {
    reader: std::sync::mpsc::Sender<Command>,
    keeper: std::sync::mpsc::Sender<drafts::Request>,
    keeper_thread: std::thread::JoinHandle<()>,
    workers: HashMap<AccountId, worker::Handle>,
    counter: counter::Counter,
}

/// Hands a request to the drafts keeper; one it cannot take fails at once.
fn to_keeper(
    keeper: &std::sync::mpsc::Sender<drafts::Request>,
    events: &UnboundedSender<Event>,
    (request, account): (RequestId, AccountId),
    op: drafts::Op,
) {
    let sent = keeper.send(drafts::Request {
        request,
        account,
        op,
    });
    if sent.is_err() {
        let problem = Problem::plain("the drafts keeper stopped");
        let _ = events.send(Event::Failed { request, problem });
    }
}

/// Route each command to the reader, the drafts keeper or the account's worker.
async fn dispatch(
    mut commands: UnboundedReceiver<Command>,
    routes: Routes,
    events: UnboundedSender<Event>,
) {
    let Routes {
        reader,
        keeper,
        keeper_thread,
        workers,
        counter,
    } = routes;
    while let Some(command) = commands.recv().await {
        let (account, job) = match command {
            Command::Refresh { account } => (account, worker::Job::Refresh),
            Command::Send { account, raw } => (account, worker::Job::Send { raw }),
            Command::Run {
                request,
                account,
                op,
            } => (account, worker::Job::Run { request, op }),
            Command::Draft {
                request,
                account,
                op,
            } => {
                to_keeper(&keeper, &events, (request, account), drafts::Op::Draft(op));
                continue;
            }
            Command::Outbox {
                request,
                account,
                op,
            } => {
                to_keeper(&keeper, &events, (request, account), drafts::Op::Outbox(op));
                continue;
            }
            read => {
                if reader.send(read).is_err() {
                    let _ = events.send(Event::error("store", "the store reader stopped"));
                    break;
                }
                continue;
            }
        };
        match workers.get(&account) {
            Some(worker) => worker.send(job),
            None => {
                let problem = Problem::plain(format!(
                    "no account with id {} is running (is it still in the configuration?)",
                    account.0
                ));
                let _ = events.send(match job {
                    worker::Job::Run { request, .. } => Event::Failed { request, problem },
                    _ => Event::Error {
                        context: "postern".into(),
                        problem,
                    },
                });
            }
        }
    }
    drop(reader);
    // The keeper finishes what it was asked (the saves of a hangup) before the
    // workers, which it may hand server work to, are stopped.
    drop(keeper);
    let joined = tokio::task::spawn_blocking(move || keeper_thread.join()).await;
    if !matches!(joined, Ok(Ok(()))) {
        tracing::warn!("the drafts keeper did not end cleanly");
    }
    // Stop every worker at once: one slow goodbye must not delay the others.
    let stops: Vec<_> = workers
        .into_values()
        .map(|w| tokio::spawn(w.stop()))
        .collect();
    for stop in stops {
        let _ = stop.await;
    }
    let stopped = tokio::task::spawn_blocking(move || counter.stop()).await;
    if !matches!(stopped, Ok(Ok(()))) {
        tracing::warn!("the address counter did not end cleanly");
    }
}
