//! An IMAP account's worker: one connection for sync and commands, a second one
//! that only IDLEs on the INBOX and says when it changed, so commands never wait
//! for an IDLE to end. A failure of the first connection ends the session; the
//! worker then reconnects with backoff and resumes (the store keeps what was
//! synced). The IDLE connection reconnects on its own: without it, only push stops.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;

use super::backoff::Backoff;
use super::explain;
use super::send::send_now;
use super::worker::{Context, Job, Jobs, open_store};
use crate::auth::credentials::Credentials;
use crate::mime;
use crate::proto::ConnectOptions;
use crate::proto::imap::ImapError;
use crate::store::{Flags, FolderId, FolderRole, Store};
use crate::sync::{FlagChange, IdleOutcome, ImapSync, SyncError, SyncProgress};

/// Longest single wait of the IDLE connection before it checks in again.
const IDLE_WAIT: Duration = Duration::from_secs(25 * 60);
/// How long a goodbye (LOGOUT) may take at shutdown.
const LOGOUT_WAIT: Duration = Duration::from_secs(2);

/// How a connection attempt ended.
enum Ended {
    Shutdown,
    Failed,
}

/// What the worker keeps between sessions.
struct State {
    store: Option<Store>,
    credentials: Option<Arc<Credentials>>,
    /// Jobs that arrived while disconnected: they wait for the next session.
    pending: VecDeque<Job>,
    /// Sent messages whose copy is not in the Sent folder yet.
    unfiled: Vec<Vec<u8>>,
    backoff: Backoff,
}

pub(super) async fn run(context: Context, mut jobs: Jobs) {
    let mut state = State {
        store: None,
        credentials: None,
        pending: VecDeque::new(),
        unfiled: Vec::new(),
        backoff: Backoff::new(context.options.backoff, context.id.0.unsigned_abs()),
    };
    loop {
        if let Ended::Shutdown = attempt(&context, &mut state, &mut jobs).await {
            return;
        }
        for job in state.pending.drain(..) {
            if job != Job::Refresh {
                context.error(label(&job), "the server cannot be reached; try again later");
            }
        }
        let delay = state.backoff.next_delay();
        context.emit(super::Event::Retrying {
            account: context.id,
            attempt: state.backoff.attempt(),
            delay,
        });
        let deadline = tokio::time::Instant::now() + delay;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                job = jobs.recv() => match job {
                    None => return,
                    // Sending needs SMTP, not IMAP: it goes now, its copy is
                    // filed after the next connect.
                    Some(Job::Send { raw }) => {
                        if let Some(store) = open_store(&context, &mut state.store) {
                            let sent = send_now(&context, store, &raw, state.credentials.as_deref()).await;
                            state.unfiled.extend(sent);
                        }
                    }
                    // Someone wants the server now: try at once.
                    Some(job) => {
                        state.pending.push_back(job);
                        break;
                    }
                },
            }
        }
    }
}

fn label(job: &Job) -> &'static str {
    match job {
        Job::Refresh => "syncing",
        Job::Open { .. } => "opening message",
        Job::SetFlags { .. } => "changing flags",
        Job::Move { .. } => "moving",
        Job::Delete { .. } => "deleting",
        Job::Send { .. } => "sending",
    }
}

/// Credentials (once), connect, then serve until shutdown or a failure.
async fn attempt(context: &Context, state: &mut State, jobs: &mut Jobs) -> Ended {
    let credentials = match &state.credentials {
        Some(credentials) => credentials.clone(),
        None => {
            let resolved = Credentials::of(
                &context.token_dir,
                &context.account,
                context.options.password_timeout,
            )
            .await;
            match resolved {
                Ok(credentials) => {
                    let credentials = Arc::new(credentials);
                    state.credentials = Some(credentials.clone());
                    credentials
                }
                Err(err) => {
                    context.error(
                        "logging in",
                        explain::credentials_error(&err, &context.account),
                    );
                    return Ended::Failed;
                }
            }
        }
    };
    // Out of the state for the session, back in after it: the session needs both.
    if open_store(context, &mut state.store).is_none() {
        return Ended::Failed;
    }
    let Some(mut store) = state.store.take() else {
        return Ended::Failed;
    };
    let mut sync = match connect(context, &credentials).await {
        Ok(sync) => sync,
        Err(err) => {
            if let SyncError::Imap(ImapError::Connect(proto)) = &err
                && proto.is_login_refused()
            {
                // Resolved again next time: the password command may print the
                // right one by then, a token may be renewed.
                state.credentials = None;
            }
            context.error("connecting", explain::sync_error(&err, &context.account));
            state.store = Some(store);
            return Ended::Failed;
        }
    };
    let ended = session(context, state, &mut store, &credentials, &mut sync, jobs).await;
    state.store = Some(store);
    match ended {
        Ok(()) => {
            let _ = tokio::time::timeout(LOGOUT_WAIT, sync.logout()).await;
            Ended::Shutdown
        }
        Err(err) => {
            context.error("syncing", explain::sync_error(&err, &context.account));
            Ended::Failed
        }
    }
}

async fn connect(context: &Context, credentials: &Credentials) -> Result<ImapSync, SyncError> {
    let options = ConnectOptions::for_account(&context.account);
    ImapSync::connect(
        &context.account,
        credentials,
        &options,
        context.id,
        context.options.sync,
    )
    .await
}

/// Aborts the IDLE watcher when the session ends, however it ends.
struct Watcher(JoinHandle<()>);

impl Drop for Watcher {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One connected session: full sync, then jobs and IDLE notices until shutdown
/// (`Ok`) or a connection failure (`Err`).
async fn session(
    context: &Context,
    state: &mut State,
    store: &mut Store,
    credentials: &Arc<Credentials>,
    sync: &mut ImapSync,
    jobs: &mut Jobs,
) -> Result<(), SyncError> {
    sync_all(context, store, sync).await?;
    state.backoff.reset();
    while let Some(raw) = state.unfiled.pop() {
        match file_sent(context, store, sync, &raw).await {
            Ok(()) => {}
            Err(err) if err.is_connection_failure() => {
                state.unfiled.push(raw);
                return Err(err);
            }
            // Refused for good (quota, size): keeping it would fail every session.
            Err(err) => context.error(
                "saving to Sent",
                explain::sync_error(&err, &context.account),
            ),
        }
    }
    let inbox = folder_with_role(store, context, FolderRole::Inbox)?;
    let (notices_tx, mut notices) = mpsc::unbounded_channel();
    let _watcher = inbox.map(|inbox| {
        Watcher(tokio::spawn(watch(
            context.clone(),
            credentials.clone(),
            inbox,
            notices_tx.clone(),
        )))
    });
    while let Some(job) = state.pending.pop_front() {
        handle(context, store, sync, credentials, &mut state.unfiled, job).await?;
    }
    loop {
        tokio::select! {
            job = jobs.recv() => match job {
                None => return Ok(()),
                Some(job) => handle(context, store, sync, credentials, &mut state.unfiled, job).await?,
            },
            // `notices_tx` lives here, so this never yields None.
            Some(()) = notices.recv() => {
                // A burst of notices is one resync.
                while notices.try_recv().is_ok() {}
                if let Some(inbox) = inbox {
                    sync_one(context, store, sync, inbox).await?;
                }
            }
        }
    }
}

/// Runs one job; failures that leave the connection usable are reported and the
/// session goes on.
async fn handle(
    context: &Context,
    store: &mut Store,
    sync: &mut ImapSync,
    credentials: &Credentials,
    unfiled: &mut Vec<Vec<u8>>,
    job: Job,
) -> Result<(), SyncError> {
    let doing = label(&job);
    let outcome = match job {
        Job::Refresh => sync_all(context, store, sync).await,
        Job::Open { id, width } => open(context, store, sync, id, width).await,
        Job::SetFlags { ids, add, remove } => sync
            .set_flags(store, &ids, FlagChange { add, remove })
            .await
            .map(|()| context.changed()),
        Job::Move { ids, to } => sync
            .move_messages(store, &ids, to)
            .await
            .map(|()| context.changed()),
        Job::Delete { ids } => sync
            .delete_messages(store, &ids)
            .await
            .map(|()| context.changed()),
        Job::Send { raw } => {
            // Earlier temporary failures go out with this run too.
            let mut sent = send_now(context, store, &raw, Some(credentials)).await;
            let mut result = Ok(());
            while let Some(raw) = sent.pop() {
                if let Err(err) = file_sent(context, store, sync, &raw).await {
                    unfiled.push(raw);
                    unfiled.append(&mut sent);
                    result = Err(err);
                    break;
                }
            }
            result
        }
    };
    match outcome {
        Err(err) if err.is_connection_failure() => Err(err),
        Err(err) => {
            context.error(doing, explain::sync_error(&err, &context.account));
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}

/// The body fetched (and cached), rendered, then marked seen here and on the server.
async fn open(
    context: &Context,
    store: &mut Store,
    sync: &mut ImapSync,
    id: crate::store::MessageId,
    width: u16,
) -> Result<(), SyncError> {
    let raw = sync.fetch_body(store, id).await?;
    let rendered = mime::render(&raw, usize::from(width));
    context.emit(super::Event::Message {
        id,
        rendered: Box::new(rendered),
    });
    if !store.envelope(id)?.flags.seen {
        let seen = Flags {
            seen: true,
            ..Flags::default()
        };
        sync.set_flags(
            store,
            &[id],
            FlagChange {
                add: seen,
                remove: Flags::default(),
            },
        )
        .await?;
        context.emit(super::Event::Folders {
            account: context.id,
            folders: store.folders(context.id)?,
        });
    }
    Ok(())
}

/// Folders listed, then the INBOX (its first chunk is the first screen), then the rest.
async fn sync_all(
    context: &Context,
    store: &mut Store,
    sync: &mut ImapSync,
) -> Result<(), SyncError> {
    let folders = sync.sync_folders(store).await?;
    context.changed();
    let (inbox, others): (Vec<_>, Vec<_>) = folders
        .into_iter()
        .partition(|f| f.role == Some(FolderRole::Inbox));
    for folder in inbox {
        sync_one(context, store, sync, folder.id).await?;
    }
    for folder in others {
        match sync_one(context, store, sync, folder.id).await {
            Err(err) if !err.is_connection_failure() => context.error(
                &format!("syncing {}", folder.name),
                explain::sync_error(&err, &context.account),
            ),
            other => other?,
        }
    }
    context.emit(super::Event::Synced {
        account: context.id,
    });
    Ok(())
}

/// One folder; Changed as soon as the first chunk is stored, and at the end when
/// anything changed.
async fn sync_one(
    context: &Context,
    store: &mut Store,
    sync: &mut ImapSync,
    folder: FolderId,
) -> Result<(), SyncError> {
    let mut first_chunk = true;
    let mut progress = |p: SyncProgress| {
        context.emit(super::Event::Progress {
            account: context.id,
            folder: p.folder,
            fetched: p.fetched,
            to_fetch: p.to_fetch,
        });
        if first_chunk && p.fetched > 0 {
            first_chunk = false;
            context.changed();
        }
    };
    let report = sync.sync_folder(store, folder, &mut progress).await?;
    if report.fetched + report.flags_changed + report.removed > 0 || report.uidvalidity_reset {
        context.changed();
    }
    Ok(())
}

/// A copy of a sent message into the Sent folder, then that folder resynced.
async fn file_sent(
    context: &Context,
    store: &mut Store,
    sync: &mut ImapSync,
    raw: &[u8],
) -> Result<(), SyncError> {
    let Some(sent) = folder_with_role(store, context, FolderRole::Sent)? else {
        context.error(
            "saving to Sent",
            "the account has no Sent folder, so no copy of the sent message was kept",
        );
        return Ok(());
    };
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    sync.append(store, sent, raw, seen).await?;
    sync_one(context, store, sync, sent).await
}

fn folder_with_role(
    store: &Store,
    context: &Context,
    role: FolderRole,
) -> Result<Option<FolderId>, SyncError> {
    Ok(store
        .folders(context.id)?
        .into_iter()
        .find(|f| f.role == Some(role))
        .map(|f| f.id))
}

/// The IDLE connection: tells the session when the INBOX changed. Its failures are
/// reported and it reconnects on its own, with backoff: a server that refuses a
/// second connection costs push, not the session that serves the commands.
async fn watch(
    context: Context,
    credentials: Arc<Credentials>,
    inbox: FolderId,
    notices: UnboundedSender<()>,
) {
    let mut backoff = Backoff::new(context.options.backoff, context.id.0.unsigned_abs());
    loop {
        let failure =
            watch_until_failure(&context, &credentials, inbox, &notices, &mut backoff).await;
        context.error(
            "watching the INBOX for new mail",
            explain::sync_error(&failure, &context.account),
        );
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

async fn watch_until_failure(
    context: &Context,
    credentials: &Credentials,
    inbox: FolderId,
    notices: &UnboundedSender<()>,
    backoff: &mut Backoff,
) -> SyncError {
    let mut store = match Store::open(&context.store_path) {
        Ok(store) => store,
        Err(err) => return err.into(),
    };
    let mut sync = match connect(context, credentials).await {
        Ok(sync) => sync,
        Err(err) => return err,
    };
    // Select the INBOX; what arrived before this is caught by one resync.
    if let Err(err) = sync.idle(&mut store, inbox, Duration::ZERO).await {
        return err;
    }
    sync.conn().take_events();
    backoff.reset();
    let _ = notices.send(());
    loop {
        match sync.idle(&mut store, inbox, IDLE_WAIT).await {
            Ok(IdleOutcome::Changed) => {
                // The session resyncs; these reports are not needed here.
                sync.conn().take_events();
                let _ = notices.send(());
            }
            Ok(IdleOutcome::TimedOut) => {}
            Err(err) => return err,
        }
    }
}
