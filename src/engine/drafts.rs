//! The drafts keeper: one thread with its own store connection that keeps what the
//! user writes. Saving must never wait behind an account's sync or a slow server
//! (an autosave every few seconds, the save after the editor), so drafts have their
//! own thread; only what needs the server (a body not fetched yet, the Drafts
//! folder's copy) is handed to the account's worker, which answers the request.
//!
//! Sending a draft puts its message in the outbox held back for `send_delay` (undo
//! send) and wakes the account's worker when it is due; a message held when
//! postern stopped goes out after the next start.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::explain::Problem;
use super::reader::Workers;
use super::worker::{DraftJob, Job};
use super::{DraftOp, Event, Outcome, RequestId};
use crate::compose::{self, Begin, DraftError};
use crate::config::{Account, ComposeSettings, Receive};
use crate::mime::reply::{ReplyError, Start};
use crate::store::{
    AccountId, DraftId, DraftRow, MessageId, MessageSource, NewDraft, Queued, Store, StoreError,
};

/// A request for the keeper.
pub(super) struct Request {
    pub request: RequestId,
    pub account: AccountId,
    pub op: DraftOp,
}

/// What the keeper works with.
pub(super) struct Keeper {
    pub store: Store,
    pub accounts: HashMap<AccountId, Account>,
    pub compose: ComposeSettings,
    pub workers: Workers,
    pub events: UnboundedSender<Event>,
    /// For the timers that wake a worker when a held message is due.
    pub runtime: tokio::runtime::Handle,
}

/// How the keeper dealt with a request.
enum Handled {
    Done(Outcome),
    /// Handed to the account's worker, which answers.
    Passed,
}

/// The keeper's thread: it serves until its sender is dropped, and the handle is
/// joined at shutdown so that the saves already asked for (on SIGHUP) are done.
pub(super) fn spawn(
    keeper: Keeper,
) -> std::io::Result<(Sender<Request>, std::thread::JoinHandle<()>)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("drafts".into())
        .spawn(move || serve(keeper, rx))?;
    Ok((tx, thread))
}

fn serve(mut keeper: Keeper, requests: Receiver<Request>) {
    keeper.wake_held();
    keeper.tell_interrupted();
    for Request {
        request,
        account,
        op,
    } in requests
    {
        let doing = label(&op);
        let event = match keeper.handle(request, account, op) {
            Ok(Handled::Done(outcome)) => Event::Done { request, outcome },
            Ok(Handled::Passed) => continue,
            Err(problem) => {
                let name = keeper
                    .accounts
                    .get(&account)
                    .map_or("postern", |a| a.name.as_str());
                let problem = problem.about(&format!("{name}: {doing}"));
                tracing::warn!(request = request.0, "{problem}");
                Event::Failed { request, problem }
            }
        };
        if keeper.events.send(event).is_err() {
            return; // the front end is gone
        }
    }
}

/// What a request is doing, for its explanation.
fn label(op: &DraftOp) -> &'static str {
    match op {
        DraftOp::Start { .. } => "starting a message",
        DraftOp::Recall { .. } => "opening the draft",
        DraftOp::Load { .. } => "opening the draft",
        DraftOp::Save { .. } => "saving the draft",
        DraftOp::Postpone { .. } => "postponing the draft",
        DraftOp::Discard { .. } => "discarding the draft",
        DraftOp::Send { .. } => "sending",
        DraftOp::TakeBack { .. } => "taking the message back",
        DraftOp::SendNow { .. } => "sending",
    }
}

impl Keeper {
    fn handle(
        &mut self,
        request: RequestId,
        account: AccountId,
        op: DraftOp,
    ) -> Result<Handled, Problem> {
        let config = self
            .accounts
            .get(&account)
            .ok_or_else(|| Problem::plain(format!("no account with id {} runs", account.0)))?;
        match op {
            DraftOp::Start { from: None, known } => {
                let begun = compose::begin(config, &self.compose, Begin::New(&known))
                    .map_err(|e| start_problem(&e))?;
                let draft = keep(&mut self.store, account, begun.draft, begun.notes)?;
                Ok(Handled::Done(draft))
            }
            DraftOp::Start {
                from: Some((how, id)),
                ..
            } => {
                self.own_message(account, id)?;
                match self.source(id)? {
                    Some(raw) => {
                        let draft = started(
                            &mut self.store,
                            (account, config),
                            &self.compose,
                            (how, id),
                            &raw,
                        )?;
                        Ok(Handled::Done(draft))
                    }
                    None => self.pass(account, request, DraftJob::Start { how, id }),
                }
            }
            DraftOp::Recall { message } => {
                if let Some(kept) = self.store.draft_with_copy(message).map_err(store_error)? {
                    return Ok(Handled::Done(Outcome::Draft {
                        draft: Box::new(kept),
                        notes: Vec::new(),
                    }));
                }
                self.own_message(account, message)?;
                match self.source(message)? {
                    Some(raw) => {
                        let draft = recalled(&mut self.store, (account, config), message, &raw)?;
                        Ok(Handled::Done(draft))
                    }
                    None => self.pass(account, request, DraftJob::Recall { message }),
                }
            }
            DraftOp::Save { id, draft } => {
                self.writable(account, id)?;
                self.store
                    .save_draft(account, Some(id), &draft)
                    .map_err(store_error)?;
                Ok(Handled::Done(Outcome::Nothing))
            }
            DraftOp::Load { id } => {
                let row = self.writable(account, id)?;
                Ok(Handled::Done(Outcome::Draft {
                    draft: Box::new(row),
                    notes: Vec::new(),
                }))
            }
            DraftOp::Postpone { id, draft } => {
                self.writable(account, id)?;
                if let Some(draft) = &draft {
                    self.store
                        .save_draft(account, Some(id), draft)
                        .map_err(store_error)?;
                }
                self.store.postpone_draft(id).map_err(store_error)?;
                if has_server_drafts(config) {
                    self.pass(account, request, DraftJob::Postpone { id })
                } else {
                    Ok(Handled::Done(Outcome::Nothing))
                }
            }
            DraftOp::Discard { id } => {
                let row = self.writable(account, id)?;
                self.store.delete_draft(id).map_err(store_error)?;
                match row.draft.remote_copy {
                    Some(message) => self.pass(account, request, DraftJob::RemoveCopy { message }),
                    None => Ok(Handled::Done(Outcome::Nothing)),
                }
            }
            DraftOp::Send { id, draft } => self.send(account, id, &draft),
            DraftOp::TakeBack { outbox } => {
                let Some(id) = self.store.take_back_draft(outbox).map_err(store_error)? else {
                    return Err(Problem::with(
                        "it is too late to take the message back",
                        "the delay is over, so it is being sent or was sent",
                        "look in the outbox or the Sent folder; write a correction if needed",
                    ));
                };
                let row = self.store.draft(id).map_err(store_error)?.ok_or_else(|| {
                    Problem::plain("the message was taken back, but its draft is gone")
                })?;
                Ok(Handled::Done(Outcome::Draft {
                    draft: Box::new(row),
                    notes: Vec::new(),
                }))
            }
            DraftOp::SendNow { outbox } => {
                self.store.release_held(outbox).map_err(store_error)?;
                self.wake_after(account, Duration::ZERO);
                Ok(Handled::Done(Outcome::Nothing))
            }
        }
    }

    /// Queues the draft's message, held back for the send delay, and wakes the
    /// worker when it is due.
    fn send(
        &mut self,
        account: AccountId,
        id: DraftId,
        draft: &NewDraft,
    ) -> Result<Handled, Problem> {
        self.writable(account, id)?;
        self.store
            .save_draft(account, Some(id), draft)
            .map_err(store_error)?;
        let raw = compose::outgoing_message(draft).map_err(|e| not_sent(&e))?;
        let delay = self.compose.send_delay;
        let until = chrono::Utc::now().timestamp() + delay.as_secs() as i64;
        let queued = Queued {
            not_before: (!delay.is_zero()).then_some(until),
            answers: draft.answers,
            forwards: draft.forwards,
        };
        let outbox = self
            .store
            .queue_draft(id, &raw, queued)
            .map_err(store_error)?;
        self.wake_after(account, delay);
        Ok(Handled::Done(Outcome::Held {
            outbox,
            draft: id,
            until,
        }))
    }

    /// Asks the account's worker to send what is due after `delay` (a second more:
    /// the outbox counts in whole seconds).
    fn wake_after(&self, account: AccountId, delay: Duration) {
        let Some(worker) = self.workers.get(&account).cloned() else {
            return;
        };
        if delay.is_zero() {
            let _ = worker.send(Job::SendDue);
            return;
        }
        self.runtime.spawn(async move {
            tokio::time::sleep(delay + Duration::from_secs(1)).await;
            let _ = worker.send(Job::SendDue);
        });
    }

    /// At start: what was held when postern stopped goes out when due (at once
    /// when its time has passed; the worker finds nothing to do when none waits).
    /// Tells the front end of the drafts being written when postern last stopped.
    fn tell_interrupted(&self) {
        let mut interrupted = Vec::new();
        for account in self.accounts.keys() {
            match self.store.drafts(*account) {
                Ok(rows) => interrupted.extend(rows.into_iter().filter(DraftRow::interrupted)),
                Err(error) => tracing::warn!("looking for interrupted drafts: {error}"),
            }
        }
        if interrupted.is_empty() {
            return;
        }
        interrupted.sort_by_key(|row| std::cmp::Reverse((row.updated_at, row.id.0)));
        let _ = self.events.send(Event::Interrupted(interrupted));
    }

    fn wake_held(&self) {
        for &account in self.accounts.keys() {
            let now = chrono::Utc::now().timestamp();
            match self.store.next_held(account) {
                Ok(Some(until)) => {
                    self.wake_after(account, Duration::from_secs((until - now).max(0) as u64));
                }
                Ok(None) => {}
                Err(error) => tracing::warn!("reading the outbox: {error}"),
            }
            self.wake_after(account, Duration::ZERO);
        }
    }

    fn pass(
        &self,
        account: AccountId,
        request: RequestId,
        job: DraftJob,
    ) -> Result<Handled, Problem> {
        let sent = self
            .workers
            .get(&account)
            .map(|worker| worker.send(Job::Draft { request, job }));
        match sent {
            Some(Ok(())) => Ok(Handled::Passed),
            _ => Err(Problem::plain("the account's worker is not running")),
        }
    }

    /// The message's source when the store has it; `None` when it must be fetched.
    fn source(&self, id: MessageId) -> Result<Option<Vec<u8>>, Problem> {
        match self.store.message_source(id).map_err(store_error)? {
            MessageSource::File(path) => std::fs::read(&path).map(Some).map_err(|error| {
                Problem::with(
                    format!("cannot read {}: {error}", path.display()),
                    "the message's file was moved or deleted by another program",
                    "refresh the folder (the index follows the files), then try again",
                )
            }),
            MessageSource::Cached(bytes) => Ok(Some(bytes)),
            MessageSource::NotFetched => Ok(None),
        }
    }

    /// Refuses a message of another account: a reply must go out from the
    /// account the message is in.
    fn own_message(&self, account: AccountId, id: MessageId) -> Result<(), Problem> {
        let folder = self.store.envelope(id).map_err(store_error)?.folder;
        if self.store.folder(folder).map_err(store_error)?.account == account {
            Ok(())
        } else {
            Err(Problem::plain(format!(
                "message {} is not in this account",
                id.0
            )))
        }
    }

    /// The draft, refused when it is another account's or already on its way.
    fn writable(&self, account: AccountId, id: DraftId) -> Result<DraftRow, Problem> {
        let row = self.stored(id)?;
        if row.account != account {
            return Err(Problem::plain(format!(
                "draft {} is not in this account",
                id.0
            )));
        }
        if row.outbox.is_some() {
            // Saving over it now could send one text and keep another.
            return Err(Problem::with(
                "this draft is already queued to be sent",
                "it was sent from another window, or this one sent it twice",
                "take it back first (u, undo send) while it still waits",
            ));
        }
        Ok(row)
    }

    fn stored(&self, id: DraftId) -> Result<DraftRow, Problem> {
        self.store.draft(id).map_err(store_error)?.ok_or_else(|| {
            Problem::with(
                format!("draft {} is gone", id.0),
                "it was sent or discarded, perhaps from another postern",
                "look in the Sent folder or start it again",
            )
        })
    }
}

/// Whether the account keeps drafts on a server (or in a Maildir others read).
fn has_server_drafts(account: &Account) -> bool {
    matches!(account.receive, Receive::Imap | Receive::Maildir)
}

/// A message started from `raw` (stored message `id`), kept for `owner`; shared
/// with the workers, which fetch what the store does not have.
pub(super) fn started(
    store: &mut Store,
    (owner, account): (AccountId, &Account),
    compose: &ComposeSettings,
    (how, id): (Start, MessageId),
    raw: &[u8],
) -> Result<Outcome, Problem> {
    let begun = compose::begin(account, compose, Begin::From { how, raw, id })
        .map_err(|e| start_problem(&e))?;
    keep(store, owner, begun.draft, begun.notes)
}

/// A draft kept in a Drafts folder as message `id`, kept here to go on writing.
pub(super) fn recalled(
    store: &mut Store,
    (owner, account): (AccountId, &Account),
    id: MessageId,
    raw: &[u8],
) -> Result<Outcome, Problem> {
    // Recalling uses none of the `[compose]` settings.
    let settings = ComposeSettings::default();
    let begun = compose::begin(account, &settings, Begin::Recall { raw, id })
        .map_err(|e| start_problem(&e))?;
    keep(store, owner, begun.draft, begun.notes)
}

fn keep(
    store: &mut Store,
    owner: AccountId,
    draft: NewDraft,
    notes: Vec<String>,
) -> Result<Outcome, Problem> {
    let id = store.save_draft(owner, None, &draft).map_err(store_error)?;
    let row = store
        .draft(id)
        .map_err(store_error)?
        .ok_or_else(|| Problem::plain("the new draft could not be read back"))?;
    Ok(Outcome::Draft {
        draft: Box::new(row),
        notes,
    })
}

fn start_problem(error: &ReplyError) -> Problem {
    match error {
        ReplyError::NoList => Problem::with(
            error.to_string(),
            "reply to the list works on mail a mailing list delivered",
            "use reply (r) or reply to all (R)",
        ),
        ReplyError::NotAMessage => Problem::with(
            error.to_string(),
            "the stored copy is damaged or is not a mail message",
            "open it (Enter) to see what it holds; reply from another client if needed",
        ),
    }
}

/// Why a draft's message could not be built; nothing was queued.
fn not_sent(error: &DraftError) -> Problem {
    let fix = match error {
        DraftError::Address { field, .. } => format!("mend the {field} field and send again"),
        DraftError::NoSender => "give a From address and send again".into(),
        DraftError::Compose(_) => "mend it and send again; the draft is kept".into(),
    };
    Problem {
        fix: Some(fix),
        ..Problem::plain(format!("the message was not sent: {error}"))
    }
}

pub(super) fn store_error(error: StoreError) -> Problem {
    Problem::with(
        format!("the store failed: {error}"),
        "a full disk, or a locked or damaged database file",
        "mend that and try again; what was saved before is kept",
    )
}
