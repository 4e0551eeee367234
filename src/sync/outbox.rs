//! The outbox runner: every outgoing message is first stored in the outbox
//! (durable), then sent in order; it stays there until the server accepts it.
//!
//! Outcomes, as the row's state and error text (`last_error` starts with one of the
//! prefixes below, so the next run and the UI know which kind it was):
//! - accepted (250): `sent`, with the server's answer in `server_reply`;
//! - temporary (4xx, connection trouble): `failed`, retried on the next run;
//! - permanent (5xx, or a message postern cannot send): `failed`, retried only on
//!   request (`Store::requeue`) after the user changed something;
//! - maybe sent: `failed`, never retried by itself; see below.
//!
//! Never twice for one enqueue: before an attempt the row is claimed (a conditional
//! update, so two senders cannot both take it) and marked "maybe sent" in the store.
//! Only then does the message go out; the server's 250 is written right after.
//! If postern dies between the server's 250 and that write, or the connection
//! breaks after the data went out but before the answer came, the row stays "maybe
//! sent": the server may have it, so postern does not send it again by itself; the
//! user looks (Sent folder, recipient) and requeues or deletes it. A crash before
//! the data went out leaves the same note although nothing was sent: the price of
//! never sending twice.

use std::future::Future;

use crate::mime::compose::{ComposeError, prepare_for_sending};
use crate::proto::ProtoError;
use crate::proto::smtp::{self, SmtpReply, SmtpSession};
use crate::store::{AccountId, MessageId, OutboxId, OutboxRow, OutboxState, Store, StoreError};

/// `last_error` prefix of a failure retried on the next run.
pub const TEMPORARY: &str = "temporary failure: ";
/// `last_error` prefix of a failure retried only on request.
pub const PERMANENT: &str = "permanent failure: ";
/// `last_error` prefix when the server may have accepted the message.
pub const MAYBE_SENT: &str = "maybe sent: ";

/// What a crash in the middle of an attempt leaves in `last_error`.
const IN_FLIGHT_NOTE: &str = "maybe sent: postern stopped while sending this message, so the server may have accepted it\n  hint: check your Sent folder or ask a recipient, then retry or delete it";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Retried on the next run.
    Temporary,
    /// Retried only when the user asks (`Store::requeue`).
    Permanent,
    /// The server may have it: never retried by itself.
    MaybeSent,
}

impl FailureKind {
    fn prefix(self) -> &'static str {
        match self {
            FailureKind::Temporary => TEMPORARY,
            FailureKind::Permanent => PERMANENT,
            FailureKind::MaybeSent => MAYBE_SENT,
        }
    }
}

/// How long a running postern waits before it tries a temporarily failed message
/// again, after its `attempts`-th try: `first` (30 s), doubling, at most 30 times
/// that (15 minutes): a server down for the night is not hammered, and one back in
/// a minute is soon used.
pub fn retry_delay(attempts: u32, first: std::time::Duration) -> std::time::Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    (first * (1 << doublings)).min(first * 30)
}

/// How a failed row failed; `None` for rows that are not failed.
pub fn failure_kind(row: &OutboxRow) -> Option<FailureKind> {
    if row.state != OutboxState::Failed {
        return None;
    }
    let error = row.last_error.as_deref().unwrap_or_default();
    Some(if error.starts_with(MAYBE_SENT) {
        FailureKind::MaybeSent
    } else if error.starts_with(PERMANENT) {
        FailureKind::Permanent
    } else {
        FailureKind::Temporary
    })
}

/// Whether the next run sends this row.
pub fn is_due(row: &OutboxRow) -> bool {
    // Held back for a while (undo send): not yet.
    if row
        .not_before
        .is_some_and(|held| held > chrono::Utc::now().timestamp())
    {
        return false;
    }
    match row.state {
        OutboxState::Queued => true,
        OutboxState::Sent => false,
        OutboxState::Failed => failure_kind(row) == Some(FailureKind::Temporary),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the message was not queued: {0}")]
    Invalid(#[from] ComposeError),
}

/// A message the server accepted.
#[derive(Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub id: OutboxId,
    /// The message as queued, Bcc header included: the copy for the Sent folder
    /// (the sender keeps a record of who got a blind copy, as mutt and Thunderbird do).
    pub raw: Vec<u8>,
    pub reply: SmtpReply,
    /// The messages it answers and forwards (to be flagged so).
    pub answers: Option<MessageId>,
    pub forwards: Option<MessageId>,
}

impl std::fmt::Debug for SentMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentMessage")
            .field("id", &self.id)
            .field("raw_len", &self.raw.len())
            .field("reply", &self.reply)
            .field("answers", &self.answers)
            .field("forwards", &self.forwards)
            .finish()
    }
}

/// A message this run could not send; the row holds the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedMessage {
    pub id: OutboxId,
    pub kind: FailureKind,
    /// What the user reads (also in the row's `last_error`, with the kind's prefix).
    pub error: String,
    /// The server's answer, when it gave one.
    pub reply: Option<String>,
    /// The login was refused (a password, a token): trying again by itself would
    /// only fail the same way, and repeated failed logins can lock the account.
    pub login_refused: bool,
}

/// What one run did, in outbox order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxRun {
    pub sent: Vec<SentMessage>,
    pub failed: Vec<FailedMessage>,
}

/// Checks a complete message (From, recipients) and stores it in the outbox. Bad
/// input is refused here, before anything is queued.
pub fn queue_message(
    store: &Store,
    account: AccountId,
    raw: &[u8],
) -> Result<OutboxId, OutboxError> {
    prepare_for_sending(raw)?;
    Ok(store.enqueue_outgoing(account, raw)?)
}

/// Sends every due message of `account` (queued ones, and those that failed
/// temporarily), oldest first, over one session from `connect` (called only when
/// there is something to send, and again after a connection broke). A store error
/// stops the run; everything else is recorded per message.
///
/// `store` is `&mut` so the future is `Send` (a `Store` is not `Sync`).
pub async fn send_outbox<C, F>(
    store: &mut Store,
    account: AccountId,
    mut connect: C,
) -> Result<OutboxRun, OutboxError>
where
    C: FnMut() -> F,
    F: Future<Output = Result<SmtpSession, ProtoError>>,
{
    let due: Vec<OutboxRow> = store
        .outbox(account, None)?
        .into_iter()
        .filter(is_due)
        .collect();
    let mut run = OutboxRun::default();
    let mut link = Link {
        session: None,
        connect_error: None,
    };
    for row in due {
        if !store.claim_outgoing(&row, IN_FLIGHT_NOTE)? {
            // Another sender took it (or it changed) since we listed it.
            continue;
        }
        match attempt(&row, &mut link, &mut connect).await {
            Ok(reply) => {
                store.mark_sent(row.id, &reply.text)?;
                run.sent.push(SentMessage {
                    id: row.id,
                    raw: row.raw,
                    reply,
                    answers: row.answers,
                    forwards: row.forwards,
                });
            }
            Err(failure) => {
                let text = format!("{}{}", failure.kind.prefix(), failure.error);
                store.mark_failed(row.id, &text, failure.reply.as_deref())?;
                run.failed.push(FailedMessage {
                    id: row.id,
                    ..failure
                });
            }
        }
    }
    if let Some(session) = link.session {
        // The messages are recorded; a failed QUIT changes nothing.
        let _ = session.quit().await;
    }
    Ok(run)
}

/// The run's connection: opened on first use, dropped when it breaks; a failed
/// connect is not retried for every message of the same run.
struct Link {
    session: Option<SmtpSession>,
    /// Why connecting failed, and whether it was the login that was refused.
    connect_error: Option<(String, bool)>,
}

async fn attempt<C, F>(
    row: &OutboxRow,
    link: &mut Link,
    connect: &mut C,
) -> Result<SmtpReply, FailedMessage>
where
    C: FnMut() -> F,
    F: Future<Output = Result<SmtpSession, ProtoError>>,
{
    let failed = |kind, error: String, reply| FailedMessage {
        id: row.id,
        kind,
        error,
        reply,
        login_refused: false,
    };
    let outgoing = prepare_for_sending(&row.raw)
        .map_err(|error| failed(FailureKind::Permanent, error.to_string(), None))?;
    if let Some((error, login_refused)) = &link.connect_error {
        return Err(FailedMessage {
            login_refused: *login_refused,
            ..failed(FailureKind::Temporary, error.clone(), None)
        });
    }
    if link.session.is_none() {
        match connect().await {
            Ok(session) => link.session = Some(session),
            Err(error) => {
                let text = error.to_string();
                let login_refused = error.is_login_refused();
                link.connect_error = Some((text.clone(), login_refused));
                return Err(FailedMessage {
                    login_refused,
                    ..failed(FailureKind::Temporary, text, None)
                });
            }
        }
    }
    let Some(session) = link.session.as_mut() else {
        return Err(failed(
            FailureKind::Temporary,
            "no connection".to_owned(),
            None,
        ));
    };
    let outcome = smtp::send(
        session,
        &outgoing.envelope_from,
        &outgoing.recipients,
        &outgoing.message,
    )
    .await;
    outcome.map_err(|error| {
        let kind = match &error {
            ProtoError::SmtpOutcomeUnknown { .. } => FailureKind::MaybeSent,
            error if error.is_permanent_send_failure() => FailureKind::Permanent,
            _ => FailureKind::Temporary,
        };
        let session_usable = matches!(
            error,
            ProtoError::SmtpRefused { .. }
                | ProtoError::RecipientsRefused { .. }
                | ProtoError::SmtpCannotSend { .. }
        );
        if !session_usable {
            // Reconnect for the next message.
            link.session = None;
        }
        failed(kind, error.to_string(), error.smtp_reply())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_half_a_minute_to_a_quarter_hour() {
        let secs = |attempts| retry_delay(attempts, std::time::Duration::from_secs(30)).as_secs();
        assert_eq!(
            [
                secs(0),
                secs(1),
                secs(2),
                secs(3),
                secs(5),
                secs(6),
                secs(40)
            ],
            [30, 30, 60, 120, 480, 900, 900]
        );
    }
    use crate::store::{AccountId, OutboxId};

    fn row(not_before: Option<i64>) -> OutboxRow {
        OutboxRow {
            id: OutboxId(1),
            account: AccountId(1),
            raw: Vec::new(),
            created_at: 0,
            attempts: 0,
            state: OutboxState::Queued,
            last_error: None,
            server_reply: None,
            sent_at: None,
            not_before,
            answers: None,
            forwards: None,
        }
    }

    #[test]
    fn a_held_message_is_not_due_before_its_time() {
        let now = chrono::Utc::now().timestamp();
        assert!(is_due(&row(None)));
        assert!(is_due(&row(Some(now - 1))));
        assert!(!is_due(&row(Some(now + 30))));
    }
}
