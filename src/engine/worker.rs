//! One worker per account: the only place an account's slow work happens.
//!
//! Maildir accounts index their tree at start, on request and on a timer (mbsync
//! and friends write to it behind our back). IMAP and POP3 accounts run their own
//! loops ([`super::imap_worker`], [`super::pop3_worker`]); this module holds what
//! they share: the job queue, the handle, and the context they report through.
//! Every job acts on the account's mail through [`crate::backend::Backend`].

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

use super::explain::{Problem, backend_error};
use super::observer::EventObserver;
use super::send::follow_up_all;
use super::{EngineOptions, Event, Operation, RequestId, Start};
use crate::backend::{Backend, BackendError};
use crate::config::{Account, Receive};
use crate::store::{AccountId, DraftId, FolderId, MessageId, Store};

/// How often a Maildir account is rescanned when nobody asks.
const RESCAN_EVERY: Duration = Duration::from_secs(60);

/// What an account's worker needs to know.
#[derive(Debug, Clone)]
pub(super) struct Context {
    pub id: AccountId,
    pub account: Account,
    pub store_path: PathBuf,
    pub token_dir: PathBuf,
    pub events: UnboundedSender<Event>,
    pub options: EngineOptions,
    /// Wakes this worker to send again later (set by [`spawn`]).
    pub retry: Retry,
    /// The address counter, told when mail was stored.
    pub addresses: super::counter::Poke,
}

/// A later `SendDue` for the worker's own queue. Weak, so that a timer never keeps
/// a stopped worker's queue open. The earliest asked for wins: a later one while it
/// waits starts no second timer.
#[derive(Debug, Clone, Default)]
pub(super) struct Retry {
    queue: Option<mpsc::WeakUnboundedSender<Job>>,
    due: Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
}

impl Retry {
    /// Sends `SendDue` to the worker after `delay`, unless one is due sooner.
    pub fn after(&self, delay: Duration) {
        let Some(queue) = self.queue.clone() else {
            return;
        };
        let at = tokio::time::Instant::now() + delay;
        {
            let Ok(mut due) = self.due.lock() else {
                return;
            };
            if due.is_some_and(|due| due <= at) {
                return;
            }
            *due = Some(at);
        }
        let due = Arc::clone(&self.due);
        tokio::spawn(async move {
            tokio::time::sleep_until(at).await;
            if let Ok(mut due) = due.lock()
                && *due == Some(at)
            {
                *due = None;
            }
            if let Some(queue) = queue.upgrade() {
                let _ = queue.send(Job::SendDue);
            }
        });
    }
}

impl Context {
    pub fn emit(&self, event: Event) {
        // The front end may be gone at shutdown; nothing to tell then.
        let _ = self.events.send(event);
    }

    /// Background work failed: `problem` is the explanation (in the log too).
    pub fn report(&self, doing: &str, problem: Problem) {
        tracing::warn!(account = %self.account.name, "{doing}: {problem}");
        self.emit(Event::Error {
            context: format!("{}: {doing}", self.account.name),
            problem,
        });
    }

    /// Background work failed with only the error's own words.
    pub fn error(&self, doing: &str, message: impl std::fmt::Display) {
        self.report(doing, Problem::plain(message.to_string()));
    }

    /// The store changed: the folder list, and the messages of `folders`.
    pub fn changed(&self, folders: Vec<FolderId>) {
        self.emit(Event::Changed {
            account: self.id,
            folders,
        });
    }

    /// A backend failure explained for this account.
    pub fn explain(&self, error: &BackendError) -> Problem {
        backend_error(error, &self.account)
    }

    /// A request that could not be carried out (in the log too).
    pub fn failed(&self, request: RequestId, doing: &str, problem: Problem) {
        let problem = problem.about(&format!("{}: {doing}", self.account.name));
        tracing::warn!(request = request.0, "{problem}");
        self.emit(Event::Failed { request, problem });
    }
}

/// Work for an account's worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Job {
    Refresh,
    /// Open a message whose body is not in the store yet.
    Open {
        id: MessageId,
        width: u16,
    },
    Run {
        request: RequestId,
        op: Operation,
    },
    Send {
        raw: Vec<u8>,
    },
    /// Send what is due in the outbox (a held message's time came).
    SendDue,
    /// Draft work that needs the server; answered for `request`.
    Draft {
        request: RequestId,
        job: DraftJob,
    },
}

/// The part of a [`super::DraftOp`] the drafts keeper cannot do alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum DraftJob {
    /// Start from a message whose body is not in the store yet.
    Start { how: Start, id: MessageId },
    /// Go on writing a Drafts folder message whose body is not in the store yet.
    Recall { message: MessageId },
    /// Put the draft's copy in the Drafts folder, replacing the one before.
    Postpone { id: DraftId },
    /// Remove a discarded draft's copy from the Drafts folder.
    RemoveCopy { message: MessageId },
}

pub(super) struct Handle {
    jobs: UnboundedSender<Job>,
    /// A Refresh is queued and not taken yet: another would only repeat it.
    refresh_queued: Arc<AtomicBool>,
    task: JoinHandle<()>,
    grace: Duration,
}

/// The worker's end of its queue.
pub(super) struct Jobs {
    queue: UnboundedReceiver<Job>,
    refresh_queued: Arc<AtomicBool>,
}

impl Jobs {
    /// The next job; `None` once the engine closed the queue.
    pub async fn recv(&mut self) -> Option<Job> {
        let job = self.queue.recv().await;
        if job == Some(Job::Refresh) {
            // From now on a new request means something may have changed since.
            self.refresh_queued.store(false, Ordering::SeqCst);
        }
        job
    }
}

impl Handle {
    /// Queues `job`; a Refresh while one is still queued is merged into it (an
    /// account switch in the UI asks for one each time).
    pub fn send(&self, job: Job) {
        if job == Job::Refresh && self.refresh_queued.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = self.jobs.send(job);
    }

    pub fn jobs(&self) -> UnboundedSender<Job> {
        self.jobs.clone()
    }

    /// Close the queue and let the worker say goodbye; cut it off after the grace
    /// period (a connect to a dead server must not hold up the exit).
    pub async fn stop(self) {
        drop(self.jobs);
        let mut task = self.task;
        if tokio::time::timeout(self.grace, &mut task).await.is_err() {
            task.abort();
            let _ = task.await;
        }
    }
}

pub(super) fn spawn(mut context: Context) -> Handle {
    let (jobs, queue) = mpsc::unbounded_channel();
    context.retry.queue = Some(jobs.downgrade());
    let refresh_queued = Arc::new(AtomicBool::new(false));
    let queue = Jobs {
        queue,
        refresh_queued: refresh_queued.clone(),
    };
    let grace = context.options.shutdown_grace;
    let task = match context.account.receive {
        Receive::Imap => tokio::spawn(super::imap_worker::run(context, queue)),
        Receive::Pop3 => tokio::spawn(super::pop3_worker::run(context, queue)),
        Receive::Maildir => tokio::spawn(run_maildir(context, queue)),
    };
    Handle {
        jobs,
        refresh_queued,
        task,
        grace,
    }
}

async fn run_maildir(context: Context, mut jobs: Jobs) {
    let Some(root) = context.account.maildir.clone() else {
        context.error("starting", "the account has no `maildir` path configured");
        return;
    };
    let mut backend = Backend::maildir(context.id, root);
    let mut store: Option<Store> = None;
    let mut timer = tokio::time::interval(RESCAN_EVERY);
    loop {
        // The first tick fires at once: index at start.
        let job = tokio::select! {
            _ = timer.tick() => Job::Refresh,
            job = jobs.recv() => match job {
                Some(job) => job,
                None => break,
            },
        };
        let Some(store) = open_store(&context, &mut store) else {
            refuse(&context, job);
            continue;
        };
        match job {
            Job::Refresh => {
                // Reported by `sync`; the timer tries again.
                let _ = sync(&context, &mut backend, store).await;
            }
            Job::Send { raw } => {
                let mut sent = super::send::send_now(&context, store, Some(&raw), None).await;
                // Nothing here breaks a connection; failures are reported inside.
                let _ = follow_up_all(&context, store, &mut backend, &mut sent).await;
            }
            Job::SendDue => {
                let mut sent = super::send::send_now(&context, store, None, None).await;
                let _ = follow_up_all(&context, store, &mut backend, &mut sent).await;
            }
            Job::Run { request, op } => {
                super::perform::run(&context, &mut backend, store, request, op).await;
            }
            Job::Draft { request, job } => {
                super::draft_jobs::run(&context, &mut backend, store, request, job).await;
            }
            Job::Open { .. } => context.error(
                "opening message",
                "this message's body has not been downloaded yet",
            ),
        }
    }
}

/// A sync of the whole account, told as events (a failure is reported, and
/// returned for the worker to decide what comes next). What it stored, even when
/// it failed half-way, is then counted for address completion by the engine's
/// counter, on its own thread: the sync is not held up by it.
pub(super) async fn sync(
    context: &Context,
    backend: &mut Backend,
    store: &mut Store,
) -> Result<(), BackendError> {
    let mut observer = EventObserver::new(context);
    let synced = backend.sync(store, &mut observer).await;
    context.addresses.count();
    match synced {
        Ok(totals) => {
            for note in totals.notes {
                tracing::warn!(account = %context.account.name, "{note}");
            }
            context.emit(Event::Synced {
                account: context.id,
            });
            Ok(())
        }
        Err(error) => {
            context.report("syncing", context.explain(&error));
            Err(error)
        }
    }
}

/// A job that cannot be done because the store cannot be opened (already reported):
/// a request is answered, a message to send is said not to be sent.
pub(super) fn refuse(context: &Context, job: Job) {
    let problem = || {
        Problem::with(
            "postern's store cannot be opened, so nothing was done",
            "the error before this one says why (a full disk, a locked or damaged file)",
            "mend that, then do it again",
        )
    };
    match job {
        Job::Run { request, op } => {
            context.failed(request, super::perform::label(&op), problem());
        }
        Job::Send { .. } => context.emit(Event::SendFailed {
            account: context.id,
            outbox: None,
            error: problem().to_string(),
            reply: None,
        }),
        Job::Draft { request, job } => {
            context.failed(request, super::draft_jobs::label(&job), problem());
        }
        // Queued: sent when the store opens again.
        Job::SendDue => context.report("sending", problem()),
        Job::Open { .. } => context.report("opening message", problem()),
        Job::Refresh => {}
    }
}

/// The worker's store connection, opened on first use (an error is reported).
pub(super) fn open_store<'a>(
    context: &Context,
    store: &'a mut Option<Store>,
) -> Option<&'a mut Store> {
    if store.is_none() {
        match Store::open(&context.store_path) {
            Ok(opened) => *store = Some(opened),
            Err(err) => {
                context.error("opening the store", err);
                return None;
            }
        }
    }
    store.as_mut()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refresh_asked_for_while_one_waits_is_merged_into_it() {
        let (jobs, queue) = mpsc::unbounded_channel();
        let refresh_queued = Arc::new(AtomicBool::new(false));
        let handle = Handle {
            jobs,
            refresh_queued: refresh_queued.clone(),
            task: tokio::spawn(async {}),
            grace: Duration::ZERO,
        };
        let mut queue = Jobs {
            queue,
            refresh_queued,
        };
        let open = Job::Open {
            id: MessageId(1),
            width: 80,
        };
        handle.send(Job::Refresh);
        handle.send(Job::Refresh);
        handle.send(open.clone());
        handle.send(Job::Refresh);
        assert_eq!(queue.recv().await, Some(Job::Refresh));
        assert_eq!(queue.recv().await, Some(open));
        // Taken: the next request may see changes the running one missed.
        handle.send(Job::Refresh);
        assert_eq!(queue.recv().await, Some(Job::Refresh));
        handle.stop().await;
        assert_eq!(queue.recv().await, None);
    }
}
