//! One worker per account: the only place an account's slow work happens.
//!
//! Maildir accounts index their tree at start, on request and on a timer (mbsync
//! and friends write to it behind our back). IMAP and POP3 accounts run their own
//! loops ([`super::imap_worker`], [`super::pop3_worker`]); this module holds what
//! they share: the job queue, the handle and the local (store-only) operations.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

use super::{EngineOptions, Event};
use crate::config::{Account, Receive};
use crate::store::{AccountId, Flags, FolderId, MessageId, Store, maildir};

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
}

impl Context {
    pub fn emit(&self, event: Event) {
        // The front end may be gone at shutdown; nothing to tell then.
        let _ = self.events.send(event);
    }

    pub fn error(&self, doing: &str, message: impl std::fmt::Display) {
        self.emit(Event::error(
            format!("{}: {doing}", self.account.name),
            message,
        ));
    }

    pub fn changed(&self) {
        self.emit(Event::Changed { account: self.id });
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
    SetFlags {
        ids: Vec<MessageId>,
        add: Flags,
        remove: Flags,
    },
    Move {
        ids: Vec<MessageId>,
        to: FolderId,
    },
    Delete {
        ids: Vec<MessageId>,
    },
    Send {
        raw: Vec<u8>,
    },
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

pub(super) fn spawn(context: Context) -> Handle {
    let (jobs, queue) = mpsc::unbounded_channel();
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
        match job {
            Job::Refresh => store = rescan(&context, store).await,
            Job::Send { raw } => {
                if let Some(store) = open_store(&context, &mut store) {
                    super::send::send_now(&context, store, &raw, None).await;
                }
            }
            other => {
                if let Some(store) = open_store(&context, &mut store) {
                    local_job(&context, store, other);
                }
            }
        }
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

/// Jobs that only touch the store (Maildir and POP3 accounts: nothing to tell a
/// server). Flags of Maildir messages follow in their file names.
pub(super) fn local_job(context: &Context, store: &mut Store, job: Job) {
    match job {
        Job::SetFlags { ids, add, remove } => {
            let mut changed = false;
            for id in ids {
                match maildir::change_local_flags(store, id, add, remove) {
                    Ok(did) => changed |= did,
                    Err(err) => context.error("changing flags", err),
                }
            }
            if changed {
                context.changed();
            }
        }
        Job::Delete { ids } if context.account.receive == Receive::Pop3 => {
            match store.delete_messages(&ids) {
                Ok(0) => {}
                Ok(_) => context.changed(),
                Err(err) => context.error("deleting", err),
            }
        }
        Job::Delete { .. } => context.error(
            "deleting",
            "deleting is not supported for Maildir accounts yet",
        ),
        Job::Move { .. } => context.error("moving", "moving is only supported for IMAP accounts"),
        Job::Open { .. } => context.error(
            "opening message",
            "this message's body has not been downloaded yet",
        ),
        Job::Refresh | Job::Send { .. } => {}
    }
}

/// One Maildir rescan. The store connection is kept between runs.
async fn rescan(context: &Context, store: Option<Store>) -> Option<Store> {
    let Some(root) = context.account.maildir.clone() else {
        return store;
    };
    let path = context.store_path.clone();
    let id = context.id;
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
                tracing::warn!(account = %context.account.name, file = %path.display(), "skipped: {problem}");
            }
            if report.added + report.removed + report.updated > 0 {
                context.changed();
            }
            Some(store)
        }
        Ok(Err(err)) => {
            context.error("scanning", err);
            None
        }
        Err(join) => {
            context.error("scanning", join);
            None
        }
    }
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
        let delete = Job::Delete { ids: Vec::new() };
        handle.send(Job::Refresh);
        handle.send(Job::Refresh);
        handle.send(delete.clone());
        handle.send(Job::Refresh);
        assert_eq!(queue.recv().await, Some(Job::Refresh));
        assert_eq!(queue.recv().await, Some(delete));
        // Taken: the next request may see changes the running one missed.
        handle.send(Job::Refresh);
        assert_eq!(queue.recv().await, Some(Job::Refresh));
        handle.stop().await;
        assert_eq!(queue.recv().await, None);
    }
}
