//! The outbox as front ends show it: each message not sent yet, with its state
//! worded once here (waiting for undo send, queued, failed for now, failed for
//! good, maybe sent) and the explanation of its last failure. The engine sends
//! [`Event::Outbox`] for an account whenever its outbox changes.

use super::Event;
use crate::mime::parse_envelope;
use crate::store::{AccountId, DraftId, OutboxId, OutboxRow, OutboxState, Store, StoreError};
use crate::sync::outbox::{FailureKind, failure_kind};

/// One message of the outbox, not sent yet. Its strings are decoded from the
/// message, not sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: OutboxId,
    pub to: String,
    pub subject: String,
    /// Unix seconds.
    pub queued_at: i64,
    pub attempts: u32,
    pub status: OutboxStatus,
    /// What went wrong last time (what, cause, fix), when it failed.
    pub error: Option<String>,
    /// The server's answer to the last attempt.
    pub reply: Option<String>,
    /// The draft it was written in, while kept (it can be edited again).
    pub draft: Option<DraftId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Held back for undo send until then (Unix seconds).
    Waiting { until: i64 },
    /// Goes with the account's next send.
    Queued,
    /// Failed for now (server away, a 4xx): tried again by itself.
    Retrying,
    /// Refused for good (a 5xx, a message too large): sent only when retried.
    Failed,
    /// The connection broke after the server had the message: it may have been
    /// delivered, so it is never sent again by itself.
    MaybeSent,
}

impl OutboxStatus {
    /// The word the TUI shows.
    pub fn label(self) -> &'static str {
        match self {
            OutboxStatus::Waiting { .. } => "waiting",
            OutboxStatus::Queued => "queued",
            OutboxStatus::Retrying => "will retry",
            OutboxStatus::Failed => "failed",
            OutboxStatus::MaybeSent => "maybe sent",
        }
    }
}

/// The account's unsent messages, oldest first.
pub fn entries(
    store: &Store,
    account: AccountId,
    now: i64,
) -> Result<Vec<OutboxEntry>, StoreError> {
    store
        .outbox_unsent(account)?
        .into_iter()
        .map(|row| {
            let draft = store.draft_for_outbox(row.id)?.map(|d| d.id);
            Ok(entry(&row, draft, now))
        })
        .collect()
}

fn entry(row: &OutboxRow, draft: Option<DraftId>, now: i64) -> OutboxEntry {
    let envelope = parse_envelope(&row.raw);
    let to = envelope
        .to
        .iter()
        .chain(&envelope.cc)
        .map(|a| a.email.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let status = match (row.state, failure_kind(row)) {
        (OutboxState::Queued, _) => match row.not_before {
            Some(until) if until > now => OutboxStatus::Waiting { until },
            _ => OutboxStatus::Queued,
        },
        (_, Some(FailureKind::Temporary)) => OutboxStatus::Retrying,
        (_, Some(FailureKind::Permanent)) => OutboxStatus::Failed,
        (_, Some(FailureKind::MaybeSent)) => OutboxStatus::MaybeSent,
        (_, None) => OutboxStatus::Queued,
    };
    let error = row
        .last_error
        .as_deref()
        .filter(|_| row.state == OutboxState::Failed)
        .map(|error| {
            // The stored text starts with its kind ("temporary failure: ...").
            error
                .split_once(": ")
                .map_or(error, |(_, rest)| rest)
                .to_owned()
        });
    OutboxEntry {
        id: row.id,
        to,
        subject: envelope.subject,
        queued_at: row.created_at,
        attempts: row.attempts,
        status,
        error,
        reply: row.server_reply.clone(),
        draft,
    }
}

/// The account's outbox as an event; a store that cannot be read is logged (the
/// outbox shown stays as it was).
pub(super) fn event(store: &Store, account: AccountId) -> Option<Event> {
    let now = chrono::Utc::now().timestamp();
    match entries(store, account, now) {
        Ok(entries) => Some(Event::Outbox { account, entries }),
        Err(error) => {
            tracing::warn!("reading the outbox: {error}");
            None
        }
    }
}
