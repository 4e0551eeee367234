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
use super::explain::{self, Problem};
use super::observer::EventObserver;
use super::send::{Accepted, follow_up_all, send_now};
use super::worker::{Context, Job, Jobs, open_store, sync};
use crate::auth::credentials::Credentials;
use crate::backend::{Backend, BackendError};
use crate::mime;
use crate::proto::ConnectOptions;
use crate::store::{FolderId, FolderRole, FolderRow, MessageId, Store};
use crate::sync::{IdleOutcome, ImapSync, SyncError};

/// Longest single wait of the IDLE connection before it checks in again.
const IDLE_WAIT: Duration = Duration::from_secs(25 * 60);
/// How long a goodbye (LOGOUT) may take at shutdown.
const LOGOUT_WAIT: Duration = Duration::from_secs(2);

/// How a connection attempt ended.
enum Ended {
    Shutdown,
    Failed,
}

/// The session's connection broke; what broke it was reported where it happened.
struct Broken;

/// What the worker keeps between sessions.
struct State {
    store: Option<Store>,
    credentials: Option<Arc<Credentials>>,
    /// Jobs that arrived while disconnected: they wait for the next session.
    pending: VecDeque<Job>,
    /// Sent messages with steps left on the server (Sent copy, flags, Drafts).
    unfiled: Vec<Accepted>,
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
            unreachable_now(&context, job);
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
                    Some(job @ (Job::Send { .. } | Job::SendDue)) => match open_store(&context, &mut state.store) {
                        Some(store) => {
                            let raw = match &job {
                                Job::Send { raw } => Some(raw.as_slice()),
                                _ => None,
                            };
                            let sent = send_now(&context, store, raw, state.credentials.as_deref()).await;
                            state.unfiled.extend(sent);
                        }
                        None => super::worker::refuse(&context, job),
                    },
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

/// A job the server was needed for, while it could not be reached.
fn unreachable_now(context: &Context, job: Job) {
    let problem = || {
        Problem::with(
            "the server cannot be reached, so nothing was done",
            "the last connection attempt failed (the error before this one says why)",
            "postern keeps trying to connect; do it again once the account is back",
        )
        .passing()
    };
    match job {
        Job::Run { request, op } => {
            context.failed(request, super::perform::label(&op), problem());
        }
        Job::Draft { request, job } => {
            context.failed(request, super::draft_jobs::label(&job), problem());
        }
        Job::Open { .. } => context.report("opening message", problem()),
        Job::Refresh | Job::Send { .. } | Job::SendDue => {}
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
                    context.report(
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
    let mut backend = match connect(context, &credentials).await {
        Ok(sync) => Backend::imap(sync),
        Err(err) => {
            let err = BackendError::from(err);
            if err.is_login_refused() {
                // Resolved again next time: the password command may print the
                // right one by then, a token may be renewed.
                state.credentials = None;
            }
            context.report("connecting", context.explain(&err));
            state.store = Some(store);
            return Ended::Failed;
        }
    };
    let ended = session(context, state, &mut store, &credentials, &mut backend, jobs).await;
    state.store = Some(store);
    match ended {
        Ok(()) => {
            let _ = tokio::time::timeout(LOGOUT_WAIT, backend.logout()).await;
            Ended::Shutdown
        }
        Err(Broken) => Ended::Failed,
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
/// (`Ok`) or a connection failure.
async fn session(
    context: &Context,
    state: &mut State,
    store: &mut Store,
    credentials: &Arc<Credentials>,
    backend: &mut Backend,
    jobs: &mut Jobs,
) -> Result<(), Broken> {
    keep_connection(sync(context, backend, store).await)?;
    state.backoff.reset();
    keep_connection(follow_up_all(context, store, backend, &mut state.unfiled).await)?;
    let inbox = match folder_with_role(store, context, FolderRole::Inbox) {
        Ok(inbox) => inbox,
        Err(err) => {
            context.report("syncing", context.explain(&err));
            return Err(Broken);
        }
    };
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
        handle(
            context,
            store,
            backend,
            credentials,
            &mut state.unfiled,
            job,
        )
        .await?;
    }
    loop {
        tokio::select! {
            job = jobs.recv() => match job {
                None => return Ok(()),
                Some(job) => handle(context, store, backend, credentials, &mut state.unfiled, job).await?,
            },
            // `notices_tx` lives here, so this never yields None.
            Some(()) = notices.recv() => {
                // A burst of notices is one resync.
                while notices.try_recv().is_ok() {}
                if let Some(inbox) = inbox {
                    let mut observer = EventObserver::new(context);
                    let synced = backend.sync_folder(store, inbox, &mut observer).await;
                    context.addresses.count();
                    if let Err(err) = &synced {
                        context.report("syncing INBOX", context.explain(err));
                    }
                    keep_connection(synced)?;
                }
            }
        }
    }
}

/// A failure (reported where it happened) that leaves the connection usable is done
/// with; a broken connection ends the session.
fn keep_connection(outcome: Result<(), BackendError>) -> Result<(), Broken> {
    match outcome {
        Err(err) if err.is_connection_failure() => Err(Broken),
        _ => Ok(()),
    }
}

/// Runs one job; only a broken connection is returned.
async fn handle(
    context: &Context,
    store: &mut Store,
    backend: &mut Backend,
    credentials: &Credentials,
    unfiled: &mut Vec<Accepted>,
    job: Job,
) -> Result<(), Broken> {
    match job {
        Job::Refresh => keep_connection(sync(context, backend, store).await),
        Job::Open { id, width } => {
            let opened = open(context, store, backend, id, width).await;
            if let Err(err) = &opened {
                context.report("opening message", context.explain(err));
            }
            keep_connection(opened)
        }
        Job::Run { request, op } => {
            let broke = super::perform::run(context, backend, store, request, op).await;
            // A step after the server's OK (a resync) can find the connection gone
            // without failing the request: reconnect before the next job too.
            if broke.is_some() || backend.connection_lost() {
                return Err(Broken);
            }
            Ok(())
        }
        Job::Send { .. } | Job::SendDue => {
            let raw = match &job {
                Job::Send { raw } => Some(raw.as_slice()),
                _ => None,
            };
            // Earlier temporary failures go out with this run too.
            unfiled.extend(send_now(context, store, raw, Some(credentials)).await);
            keep_connection(follow_up_all(context, store, backend, unfiled).await)
        }
        Job::Draft { request, job } => {
            let broke = super::draft_jobs::run(context, backend, store, request, job).await;
            if broke.is_some() || backend.connection_lost() {
                return Err(Broken);
            }
            Ok(())
        }
    }
}

/// The body fetched (and cached), then rendered.
async fn open(
    context: &Context,
    store: &mut Store,
    backend: &mut Backend,
    id: MessageId,
    width: u16,
) -> Result<(), BackendError> {
    let raw = backend.fetch_body(store, id).await?;
    let rendered = mime::render(&raw, usize::from(width));
    context.emit(super::Event::Message {
        id,
        rendered: Box::new(rendered),
    });
    Ok(())
}

fn folder_with_role(
    store: &Store,
    context: &Context,
    role: FolderRole,
) -> Result<Option<FolderId>, BackendError> {
    let folders = store.folders(context.id)?;
    Ok(FolderRow::with_role(&folders, role).map(|f| f.id))
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
        context.report(
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
