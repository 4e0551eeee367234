//! The sending side: drafts being written and messages waiting to be sent.

use rusqlite::{OptionalExtension, Row, params};

use super::{AccountId, DraftId, MessageId, Store, StoreError, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutboxId(pub i64);

/// Where a queued message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting for (another) attempt.
    Queued,
    /// The server accepted it.
    Sent,
    /// The last attempt failed; `last_error` says why. Retried on request.
    Failed,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
        }
    }

    fn from_db(state: &str) -> OutboxState {
        match state {
            "sent" => OutboxState::Sent,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Queued,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: OutboxId,
    pub account: AccountId,
    pub raw: Vec<u8>,
    pub created_at: i64,
    pub attempts: u32,
    pub state: OutboxState,
    pub last_error: Option<String>,
    /// The server's answer to the last attempt (e.g. "250 2.0.0 Ok: queued as 1234").
    pub server_reply: Option<String>,
    pub sent_at: Option<i64>,
    /// Held back until then (Unix seconds): the time to take it back (undo send).
    pub not_before: Option<i64>,
    /// The message it answers (`\Answered` once sent), or forwards.
    pub answers: Option<MessageId>,
    pub forwards: Option<MessageId>,
}

// The raw message is the user's mail: keep it out of logs, show its size only.
impl std::fmt::Debug for OutboxRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxRow")
            .field("id", &self.id)
            .field("account", &self.account)
            .field("raw_len", &self.raw.len())
            .field("created_at", &self.created_at)
            .field("attempts", &self.attempts)
            .field("state", &self.state)
            .field("last_error", &self.last_error)
            .field("server_reply", &self.server_reply)
            .field("sent_at", &self.sent_at)
            .field("not_before", &self.not_before)
            .field("answers", &self.answers)
            .field("forwards", &self.forwards)
            .finish()
    }
}

fn outbox_row(row: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    let state: String = row.get(5)?;
    Ok(OutboxRow {
        id: OutboxId(row.get(0)?),
        account: AccountId(row.get(1)?),
        raw: row.get(2)?,
        created_at: row.get(3)?,
        attempts: row.get::<_, i64>(4)?.clamp(0, u32::MAX as i64) as u32,
        state: OutboxState::from_db(&state),
        last_error: row.get(6)?,
        server_reply: row.get(7)?,
        sent_at: row.get(8)?,
        not_before: row.get(9)?,
        answers: row.get::<_, Option<i64>>(10)?.map(MessageId),
        forwards: row.get::<_, Option<i64>>(11)?.map(MessageId),
    })
}

const OUTBOX_COLUMNS: &str = "id, account_id, raw, created_at, attempts, state, last_error, \
     server_reply, sent_at, not_before, answers, forwards";

/// What a message in the outbox is, besides its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Queued {
    /// Held back until then (Unix seconds).
    pub not_before: Option<i64>,
    pub answers: Option<MessageId>,
    pub forwards: Option<MessageId>,
}

impl Store {
    /// Queue a fully built message for sending.
    pub fn enqueue_outgoing(&self, account: AccountId, raw: &[u8]) -> Result<OutboxId, StoreError> {
        self.enqueue_held(account, raw, Queued::default())
    }

    /// Queue a message, perhaps held back a while, with what it answers.
    pub fn enqueue_held(
        &self,
        account: AccountId,
        raw: &[u8],
        queued: Queued,
    ) -> Result<OutboxId, StoreError> {
        let id = self.conn.query_row(
            "INSERT INTO outbox (account_id, raw, created_at, not_before, answers, forwards)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            params![
                account.0,
                raw,
                now(),
                queued.not_before,
                queued.answers.map(|m| m.0),
                queued.forwards.map(|m| m.0)
            ],
            |row| row.get(0),
        )?;
        Ok(OutboxId(id))
    }

    /// A held message is due at once (postern is quitting); one a sender claimed
    /// already is left as it is.
    pub fn release_held(&self, id: OutboxId) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET not_before = NULL WHERE id = ?1 AND state = 'queued'",
            [id.0],
        )?;
        Ok(())
    }

    /// When the next held message of `account` is due (Unix seconds), if one waits.
    pub fn next_held(&self, account: AccountId) -> Result<Option<i64>, StoreError> {
        Ok(self.conn.query_row(
            "SELECT MIN(not_before) FROM outbox
             WHERE account_id = ?1 AND state = 'queued' AND not_before > ?2",
            params![account.0, now()],
            |row| row.get(0),
        )?)
    }

    /// The outbox of `account`, oldest first; `state` filters when given.
    pub fn outbox(
        &self,
        account: AccountId,
        state: Option<OutboxState>,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox
             WHERE account_id = ?1 AND (?2 IS NULL OR state = ?2) ORDER BY id"
        ))?;
        let rows = stmt.query_map(
            params![account.0, state.map(OutboxState::as_str)],
            outbox_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The account's messages not sent yet (queued or failed), oldest first.
    pub fn outbox_unsent(&self, account: AccountId) -> Result<Vec<OutboxRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox
             WHERE account_id = ?1 AND state != 'sent' ORDER BY id"
        ))?;
        let rows = stmt.query_map([account.0], outbox_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Takes a message out of the outbox before it is sent (to edit or delete it):
    /// `None` when it was sent meanwhile or is gone; else the draft it was written
    /// in, unlinked from it, if that is kept.
    pub fn withdraw_outgoing(
        &mut self,
        id: OutboxId,
    ) -> Result<Option<Option<DraftId>>, StoreError> {
        self.take_out_of_outbox(id, "state != 'sent'")
    }

    /// Deletes outbox row `id` if `state_is` (an SQL condition on its state) holds,
    /// and unlinks the draft it was written in, in one transaction: `None` when it
    /// did not hold; else that draft, if kept.
    pub(super) fn take_out_of_outbox(
        &mut self,
        id: OutboxId,
        state_is: &'static str,
    ) -> Result<Option<Option<DraftId>>, StoreError> {
        let tx = self.conn.transaction()?;
        let taken = tx.execute(
            &format!("DELETE FROM outbox WHERE id = ?1 AND {state_is}"),
            [id.0],
        )?;
        if taken == 0 {
            return Ok(None);
        }
        let draft: Option<i64> = tx
            .query_row(
                "UPDATE drafts SET outbox_id = NULL WHERE outbox_id = ?1 RETURNING id",
                [id.0],
                |row| row.get(0),
            )
            .optional()?;
        tx.commit()?;
        Ok(Some(draft.map(DraftId)))
    }

    pub fn outgoing(&self, id: OutboxId) -> Result<Option<OutboxRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?1"
        ))?;
        Ok(stmt.query_row([id.0], outbox_row).optional()?)
    }

    /// The server accepted the message; `reply` is its answer. Counts as an attempt.
    pub fn mark_sent(&self, id: OutboxId, reply: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1, server_reply = ?2,
                 last_error = NULL, sent_at = ?3 WHERE id = ?1",
            params![id.0, reply, now()],
        )?;
        Ok(())
    }

    /// An attempt failed; `error` is what the user should read (the server's
    /// answer when there was one).
    pub fn mark_failed(
        &self,
        id: OutboxId,
        error: &str,
        reply: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2,
                 server_reply = ?3 WHERE id = ?1",
            params![id.0, error, reply],
        )?;
        Ok(())
    }

    /// Takes `row` for one sending attempt, only if nobody changed it since it was
    /// read (same state, attempts and last error), so two senders (the TUI's engine
    /// and a `postern send`) never both send it. The row becomes `failed` with
    /// `note` as its error until the attempt is recorded: if postern stops between
    /// the server's acceptance and [`Store::mark_sent`], that note is what remains.
    /// Attempts are counted by `mark_sent` / `mark_failed`, not here.
    pub fn claim_outgoing(&self, row: &OutboxRow, note: &str) -> Result<bool, StoreError> {
        let changed = self.conn.execute(
            "UPDATE outbox SET state = 'failed', last_error = ?5, server_reply = NULL
             WHERE id = ?1 AND state = ?2 AND attempts = ?3 AND last_error IS ?4",
            params![
                row.id.0,
                row.state.as_str(),
                row.attempts,
                row.last_error,
                note
            ],
        )?;
        Ok(changed == 1)
    }

    /// Put a failed message back in the queue (the user asked to retry).
    pub fn requeue(&self, id: OutboxId) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET state = 'queued' WHERE id = ?1 AND state = 'failed'",
            [id.0],
        )?;
        Ok(())
    }

    pub fn delete_outgoing(&self, id: OutboxId) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM outbox WHERE id = ?1", [id.0])?;
        Ok(())
    }
}
