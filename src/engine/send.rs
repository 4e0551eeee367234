//! Sending: the message goes into the outbox first (durable), then the account's
//! due messages go out over one SMTP session logged in with its credentials. What
//! follows on the account's own server (the original marked answered, a copy in
//! Sent, the draft's copy out of Drafts) is [`follow_up`], done step by step so that
//! a retry after a reconnect repeats none.

use std::time::Duration;

use super::Event;
use super::explain;
use super::worker::Context;
use crate::auth::credentials::Credentials;
use crate::backend::{Backend, BackendError};
use crate::config::Receive;
use crate::proto::{ConnectOptions, smtp};
use crate::store::{Flags, FolderId, FolderRole, FolderRow, MessageId, OutboxId, Store};
use crate::sync::FlagChange;
use crate::sync::outbox::{
    FailedMessage, FailureKind, SentMessage, queue_message, retry_delay, send_outbox,
};

/// A message the server accepted, and what is still to do about it on the account's
/// server; each step is cleared once done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Accepted {
    pub outbox: OutboxId,
    /// As queued, Bcc included: the Sent copy.
    pub raw: Vec<u8>,
    /// To be marked `\Answered`.
    pub answers: Option<MessageId>,
    /// To be marked `$Forwarded`.
    pub forwards: Option<MessageId>,
    /// Keep a copy in the Sent folder (`save_sent`).
    pub file_copy: bool,
    /// The sent draft's copy in the Drafts folder, to remove.
    pub draft_copy: Option<MessageId>,
}

/// Queues `raw` (when given) and sends every due message of the account.
/// `credentials` are resolved here when the worker has none. Returns what the
/// server accepted, for [`follow_up`]; every outcome is also an event.
pub(super) async fn send_now(
    context: &Context,
    store: &mut Store,
    raw: Option<&[u8]>,
    credentials: Option<&Credentials>,
) -> Vec<Accepted> {
    if let Some(raw) = raw
        && let Err(err) = queue_message(store, context.id, raw)
    {
        send_failed(context, None, err.to_string(), None);
        return Vec::new();
    }
    if raw.is_none() && !has_due(context, store) {
        // Woken for nothing (taken back, or sent already): no login needed.
        return Vec::new();
    }
    let resolved;
    let credentials = match credentials {
        Some(credentials) => credentials,
        None => {
            match Credentials::of(
                &context.token_dir,
                &context.account,
                context.options.password_timeout,
            )
            .await
            {
                Ok(found) => {
                    resolved = found;
                    &resolved
                }
                Err(err) => {
                    // Queued: it goes out with the next send that can log in.
                    let why = explain::credentials_error(&err, &context.account);
                    send_failed(context, None, why.to_string(), None);
                    return Vec::new();
                }
            }
        }
    };
    send_queued(context, store, credentials).await
}

/// Whether anything of the account is due (an error counts as yes: the run says).
/// Only the unsent rows are read: the sent ones keep their bytes for good.
fn has_due(context: &Context, store: &Store) -> bool {
    store
        .outbox_unsent(context.id)
        .map_or(true, |rows| rows.iter().any(crate::sync::outbox::is_due))
}

/// A message that did not go: in the log (the text is the server's or postern's
/// explanation, never a credential) and to the front end.
fn send_failed(context: &Context, outbox: Option<OutboxId>, error: String, reply: Option<String>) {
    tracing::warn!(account = %context.account.name, outbox = outbox.map(|o| o.0), "sending: {error}");
    context.emit(Event::SendFailed {
        account: context.id,
        outbox,
        error,
        reply,
    });
}

/// Sends every due message of the account; events for each outcome.
async fn send_queued(
    context: &Context,
    store: &mut Store,
    credentials: &Credentials,
) -> Vec<Accepted> {
    let account = &context.account;
    let options = ConnectOptions::for_account(account);
    let options = &options;
    let connect = move || smtp::connect(account, credentials, options);
    let run = match send_outbox(store, context.id, connect).await {
        Ok(run) => run,
        Err(err) => {
            context.error("sending", err);
            return Vec::new();
        }
    };
    retry_temporary_failures(context, store, &run.failed);
    for failure in run.failed {
        send_failed(context, Some(failure.id), failure.error, failure.reply);
    }
    let mut accepted = Vec::with_capacity(run.sent.len());
    for sent in run.sent {
        context.emit(Event::Sent {
            account: context.id,
            outbox: sent.id,
            reply: sent.reply.text.clone(),
        });
        accepted.push(settle_draft(context, store, sent));
    }
    if let Some(event) = super::outbox::event(store, context.id) {
        context.emit(event);
    }
    wake_for_held(context, store);
    accepted
}

/// The next message held for undo send gets its own wake-up: after a restart
/// several may wait, each due at its own time.
fn wake_for_held(context: &Context, store: &Store) {
    match store.next_held(context.id) {
        Ok(Some(until)) => {
            let wait = until.saturating_sub(chrono::Utc::now().timestamp()).max(0);
            let wait = u64::try_from(wait).unwrap_or_default();
            context.retry.after(Duration::from_secs(wait + 1));
        }
        Ok(None) => {}
        Err(error) => tracing::warn!("looking for held messages: {error}"),
    }
}

/// A message that failed for now (the server away, a 4xx answer) is tried again
/// by itself while postern runs, backing off with its attempts.
fn retry_temporary_failures(context: &Context, store: &Store, failed: &[FailedMessage]) {
    let attempts = failed
        .iter()
        // A refused login is not tried again by itself: repeated failed logins
        // can lock the account. It goes with the next send or start, after a
        // new sign-in or a mended config.
        .filter(|f| f.kind == FailureKind::Temporary && !f.login_refused)
        .filter_map(|f| store.outgoing(f.id).ok().flatten())
        .map(|row| row.attempts)
        .min();
    if let Some(attempts) = attempts {
        let delay = retry_delay(attempts, context.options.send_retry);
        tracing::info!(account = %context.account.name, "sending again in {} s", delay.as_secs());
        context.retry.after(delay);
    }
}

/// The sent message's draft is done with: deleted here, its server copy to remove.
fn settle_draft(context: &Context, store: &Store, sent: SentMessage) -> Accepted {
    let draft = store.draft_for_outbox(sent.id).unwrap_or_else(|error| {
        tracing::warn!("finding the draft of a sent message: {error}");
        None
    });
    if let Some(draft) = &draft
        && let Err(error) = store.delete_draft(draft.id)
    {
        // The outbox says it was sent, so it is never offered to be sent again.
        tracing::warn!("deleting the draft of a sent message: {error}");
    }
    Accepted {
        outbox: sent.id,
        raw: sent.raw,
        answers: sent.answers,
        forwards: sent.forwards,
        file_copy: context.account.receive == Receive::Imap && context.account.keeps_sent_copy(),
        draft_copy: draft.and_then(|d| d.draft.remote_copy),
    }
}

/// Does what is left of `accepted` on the account's server. Failures are reported;
/// only a broken connection is returned (the rest is kept in `accepted` to do after
/// the reconnect). A step refused for good is not tried again.
pub(super) async fn follow_up(
    context: &Context,
    store: &mut Store,
    backend: &mut Backend,
    accepted: &mut Accepted,
) -> Result<(), BackendError> {
    if let Some(original) = accepted.answers {
        let answered = FlagChange {
            add: Flags {
                answered: true,
                ..Flags::default()
            },
            remove: Flags::default(),
        };
        let done = backend.set_flags(store, &[original], answered).await;
        step(context, "marking the original answered", done)?;
        accepted.answers = None;
    }
    if let Some(original) = accepted.forwards {
        let done = backend
            .mark_forwarded(store, original)
            .await
            .map(|_| Vec::new());
        step(context, "marking the original forwarded", done)?;
        accepted.forwards = None;
    }
    if accepted.file_copy {
        let done = file_sent(context, store, backend, &accepted.raw).await;
        step(context, "saving to Sent", done)?;
        accepted.file_copy = false;
    }
    if let Some(copy) = accepted.draft_copy {
        let done = backend.remove_draft(store, copy).await;
        step(context, "removing the sent draft from Drafts", done)?;
        accepted.draft_copy = None;
    }
    Ok(())
}

/// [`follow_up`] for each of `pending`, in order; a broken connection stops it and
/// leaves the rest in `pending` for the next session.
pub(super) async fn follow_up_all(
    context: &Context,
    store: &mut Store,
    backend: &mut Backend,
    pending: &mut Vec<Accepted>,
) -> Result<(), BackendError> {
    while let Some(mut accepted) = pending.pop() {
        if let Err(error) = follow_up(context, store, backend, &mut accepted).await {
            pending.push(accepted);
            return Err(error);
        }
    }
    Ok(())
}

/// One step's outcome: the folders it changed told, a failure reported; only a
/// broken connection stops the rest.
fn step(
    context: &Context,
    doing: &str,
    done: Result<Vec<FolderId>, BackendError>,
) -> Result<(), BackendError> {
    match done {
        Ok(folders) => {
            if !folders.is_empty() {
                context.changed(folders);
            }
            Ok(())
        }
        Err(error) => {
            context.report(doing, context.explain(&error));
            if error.is_connection_failure() {
                Err(error)
            } else {
                Ok(())
            }
        }
    }
}

/// A copy of a sent message into the Sent folder.
async fn file_sent(
    context: &Context,
    store: &mut Store,
    backend: &mut Backend,
    raw: &[u8],
) -> Result<Vec<FolderId>, BackendError> {
    let folders = store.folders(context.id)?;
    let Some(sent) = FolderRow::with_role(&folders, FolderRole::Sent).map(|f| f.id) else {
        context.error(
            "saving to Sent",
            "the account has no Sent folder, so no copy of the sent message was kept",
        );
        return Ok(Vec::new());
    };
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    backend.append(store, sent, raw, seen).await
}
