//! Drafts: messages being written, kept in the store so that nothing typed is lost
//! (autosaved while writing; recovered after a crash; a postponed one waits here and
//! in the server's Drafts folder).

use std::path::PathBuf;

use rusqlite::{OptionalExtension, params};

use super::envelopes::{blob_to_path, path_to_blob};
use super::{AccountId, MessageId, OutboxId, Queued, Store, StoreError, now};
use crate::mime::compose::Written;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DraftId(pub i64);

/// A file that goes with a draft.
#[derive(Clone, PartialEq, Eq)]
pub struct DraftFile {
    pub filename: String,
    pub mime_type: String,
    pub source: DraftFileSource,
}

/// Where a draft's file is: read from disk when the message is built, or kept in the
/// store (the attachments of a message forwarded).
#[derive(Clone, PartialEq, Eq)]
pub enum DraftFileSource {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

// A file's bytes are the user's mail: their size only.
impl std::fmt::Debug for DraftFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            DraftFileSource::Path(path) => path.display().to_string(),
            DraftFileSource::Bytes(bytes) => format!("{} bytes", bytes.len()),
        };
        f.debug_struct("DraftFile")
            .field("filename", &self.filename)
            .field("mime_type", &self.mime_type)
            .field("source", &source)
            .finish()
    }
}

/// A draft as the composer edits it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewDraft {
    /// What the person writes: From, To, Cc, Bcc, Subject and the body, as text.
    pub written: Written,
    /// Message-ID of the message answered, without `<>`.
    pub in_reply_to: Option<String>,
    /// The thread, oldest first.
    pub references: Vec<String>,
    /// The message this answers (`\Answered` once sent) or forwards.
    pub answers: Option<MessageId>,
    pub forwards: Option<MessageId>,
    pub files: Vec<DraftFile>,
    /// Its copy in the server's Drafts folder, replaced when it is saved again.
    pub remote_copy: Option<MessageId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    pub id: DraftId,
    pub account: AccountId,
    /// Unix seconds.
    pub updated_at: i64,
    pub draft: NewDraft,
    /// Queued to be sent (held back while it can still be taken back).
    pub outbox: Option<OutboxId>,
    /// Put aside on purpose; a draft neither postponed nor queued was being written
    /// when postern last stopped.
    pub postponed: bool,
}

impl DraftRow {
    /// Being written when postern stopped: offered back at the next start.
    pub fn interrupted(&self) -> bool {
        !self.postponed && self.outbox.is_none()
    }
}

const DRAFT_COLUMNS: &str = "id, account_id, updated_at, from_addr, to_addrs, cc_addrs, \
     bcc_addrs, subject, body, in_reply_to, refs, answers, forwards, remote_copy, outbox_id, postponed";

impl Store {
    /// Saves a draft: a new one when `id` is `None`, else over that draft (its files
    /// too). One transaction. A saved draft is being written again (not postponed).
    /// Its `remote_copy` is taken only for a new draft: afterwards it changes only
    /// with [`Store::set_draft_remote_copy`], when the server's copy changed, so a
    /// front end saving what it has cannot put back a copy that is gone.
    pub fn save_draft(
        &mut self,
        account: AccountId,
        id: Option<DraftId>,
        draft: &NewDraft,
    ) -> Result<DraftId, StoreError> {
        let tx = self.conn.transaction()?;
        let written = &draft.written;
        let id: i64 = tx.query_row(
            "INSERT INTO drafts (id, account_id, updated_at, from_addr, to_addrs, cc_addrs,
                 bcc_addrs, subject, body, in_reply_to, refs, answers, forwards, remote_copy)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at,
                 from_addr = excluded.from_addr, to_addrs = excluded.to_addrs,
                 cc_addrs = excluded.cc_addrs, bcc_addrs = excluded.bcc_addrs,
                 subject = excluded.subject, body = excluded.body,
                 in_reply_to = excluded.in_reply_to, refs = excluded.refs,
                 answers = excluded.answers, forwards = excluded.forwards, postponed = 0
             RETURNING id",
            params![
                id.map(|d| d.0),
                account.0,
                now(),
                written.from,
                written.to,
                written.cc,
                written.bcc,
                written.subject,
                written.body,
                draft.in_reply_to,
                draft.references.join(" "),
                draft.answers.map(|m| m.0),
                draft.forwards.map(|m| m.0),
                draft.remote_copy.map(|m| m.0),
            ],
            |row| row.get(0),
        )?;
        tx.execute("DELETE FROM draft_attachments WHERE draft_id = ?1", [id])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO draft_attachments (draft_id, position, filename, mime_type, path, bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (position, file) in draft.files.iter().enumerate() {
                let (path, bytes) = match &file.source {
                    DraftFileSource::Path(path) => (Some(path_to_blob(path)), None),
                    DraftFileSource::Bytes(bytes) => (None, Some(bytes.as_slice())),
                };
                insert.execute(params![
                    id,
                    position as i64,
                    file.filename,
                    file.mime_type,
                    path,
                    bytes
                ])?;
            }
        }
        tx.commit()?;
        Ok(DraftId(id))
    }

    /// One draft, if it is still there.
    pub fn draft(&self, id: DraftId) -> Result<Option<DraftRow>, StoreError> {
        let row = self
            .conn
            .prepare_cached(&format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = ?1"))?
            .query_row([id.0], draft_row)
            .optional()?;
        row.map(|row| self.with_files(row)).transpose()
    }

    /// The drafts of `account`, most recently edited first.
    pub fn drafts(&self, account: AccountId) -> Result<Vec<DraftRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE account_id = ?1
             ORDER BY updated_at DESC, id DESC"
        ))?;
        let rows = stmt
            .query_map([account.0], draft_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(|row| self.with_files(row)).collect()
    }

    fn with_files(&self, mut row: DraftRow) -> Result<DraftRow, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT filename, mime_type, path, bytes FROM draft_attachments
             WHERE draft_id = ?1 ORDER BY position",
        )?;
        let files = stmt.query_map([row.id.0], |r| {
            let path: Option<Vec<u8>> = r.get(2)?;
            let bytes: Option<Vec<u8>> = r.get(3)?;
            let source = match (path, bytes) {
                (Some(path), _) => DraftFileSource::Path(blob_to_path(path)),
                (None, bytes) => DraftFileSource::Bytes(bytes.unwrap_or_default()),
            };
            Ok(DraftFile {
                filename: r.get(0)?,
                mime_type: r.get(1)?,
                source,
            })
        })?;
        row.draft.files = files.collect::<Result<_, _>>()?;
        Ok(row)
    }

    /// The draft's copy in the Drafts folder is now `copy`.
    pub fn set_draft_remote_copy(
        &self,
        id: DraftId,
        copy: Option<MessageId>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE drafts SET remote_copy = ?2 WHERE id = ?1",
            params![id.0, copy.map(|m| m.0)],
        )?;
        Ok(())
    }

    /// The draft whose Drafts folder copy is `message`.
    pub fn draft_with_copy(&self, message: MessageId) -> Result<Option<DraftRow>, StoreError> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {DRAFT_COLUMNS} FROM drafts WHERE remote_copy = ?1"
            ))?
            .query_row([message.0], draft_row)
            .optional()?;
        row.map(|row| self.with_files(row)).transpose()
    }

    /// Puts a draft aside on purpose (not offered back as interrupted).
    pub fn postpone_draft(&self, id: DraftId) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE drafts SET postponed = 1 WHERE id = ?1", [id.0])?;
        Ok(())
    }

    /// Queues a draft's message in the outbox and marks the draft as queued, in one
    /// transaction: a crash can never leave a queued message whose draft looks
    /// unsent (and would be sent a second time).
    pub fn queue_draft(
        &mut self,
        id: DraftId,
        raw: &[u8],
        queued: Queued,
    ) -> Result<OutboxId, StoreError> {
        let tx = self.conn.transaction()?;
        let account: i64 =
            tx.query_row("SELECT account_id FROM drafts WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })?;
        let outbox: i64 = tx.query_row(
            "INSERT INTO outbox (account_id, raw, created_at, not_before, answers, forwards)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            params![
                account,
                raw,
                now(),
                queued.not_before,
                queued.answers.map(|m| m.0),
                queued.forwards.map(|m| m.0)
            ],
            |row| row.get(0),
        )?;
        tx.execute(
            "UPDATE drafts SET outbox_id = ?2 WHERE id = ?1",
            params![id.0, outbox],
        )?;
        tx.commit()?;
        Ok(OutboxId(outbox))
    }

    /// Undo send: takes a held message out of the outbox and gives its draft back
    /// to be written, in one transaction; only while it waits, never once a sender
    /// claimed it. The draft taken back, or `None` when it is too late.
    pub fn take_back_draft(&mut self, outbox: OutboxId) -> Result<Option<DraftId>, StoreError> {
        // Only while no sender has claimed it (a claim marks it `failed`).
        Ok(self
            .take_out_of_outbox(outbox, "state = 'queued'")?
            .flatten())
    }

    /// The draft whose message is `outbox`, if it is still kept.
    pub fn draft_for_outbox(&self, outbox: OutboxId) -> Result<Option<DraftRow>, StoreError> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {DRAFT_COLUMNS} FROM drafts WHERE outbox_id = ?1"
            ))?
            .query_row([outbox.0], draft_row)
            .optional()?;
        row.map(|row| self.with_files(row)).transpose()
    }

    pub fn delete_draft(&self, id: DraftId) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM drafts WHERE id = ?1", [id.0])?;
        Ok(())
    }
}

fn draft_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DraftRow> {
    let refs: String = row.get(10)?;
    Ok(DraftRow {
        id: DraftId(row.get(0)?),
        account: AccountId(row.get(1)?),
        updated_at: row.get(2)?,
        draft: NewDraft {
            written: Written {
                from: row.get(3)?,
                to: row.get(4)?,
                cc: row.get(5)?,
                bcc: row.get(6)?,
                subject: row.get(7)?,
                body: row.get(8)?,
            },
            in_reply_to: row.get(9)?,
            references: refs.split_whitespace().map(str::to_owned).collect(),
            answers: row.get::<_, Option<i64>>(11)?.map(MessageId),
            forwards: row.get::<_, Option<i64>>(12)?.map(MessageId),
            files: Vec::new(),
            remote_copy: row.get::<_, Option<i64>>(13)?.map(MessageId),
        },
        outbox: row.get::<_, Option<i64>>(14)?.map(OutboxId),
        postponed: row.get(15)?,
    })
}
