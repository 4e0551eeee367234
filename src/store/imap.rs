//! IMAP bookkeeping: messages by UID, flag and expunge updates from the server, and
//! the folders that mirror server mailboxes. Every bulk change is one transaction.

use std::ops::RangeInclusive;

use rusqlite::{OptionalExtension, params};

use super::envelopes::NewRows;
use super::{AccountId, Flags, FolderId, MessageId, NewEnvelope, Store, StoreError};

/// Where a message lives on an IMAP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImapLocation {
    pub folder: FolderId,
    pub uid: Option<u32>,
    pub flags: Flags,
}

impl Store {
    /// Folders of `account` that mirror a server mailbox: (id, server name).
    pub fn imap_folders(&self, account: AccountId) -> Result<Vec<(FolderId, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, imap_path FROM folders WHERE account_id = ?1 AND imap_path IS NOT NULL",
        )?;
        let rows = stmt.query_map([account.0], |row| Ok((FolderId(row.get(0)?), row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The folder of `account` with the server name `path`.
    pub fn folder_by_imap_path(
        &self,
        account: AccountId,
        path: &str,
    ) -> Result<Option<FolderId>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM folders WHERE account_id = ?1 AND imap_path = ?2",
                params![account.0, path],
                |row| row.get(0).map(FolderId),
            )
            .optional()?)
    }

    /// The UIDs of a folder's messages, ascending.
    pub fn folder_uids(&self, folder: FolderId) -> Result<Vec<u32>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uid FROM messages WHERE folder_id = ?1 AND uid IS NOT NULL ORDER BY uid",
        )?;
        let rows = stmt.query_map([folder.0], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// (UID, flags) of a folder's messages, ascending by UID.
    pub fn folder_uid_flags(&self, folder: FolderId) -> Result<Vec<(u32, Flags)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uid, flags FROM messages WHERE folder_id = ?1 AND uid IS NOT NULL ORDER BY uid",
        )?;
        let rows = stmt.query_map([folder.0], |row| {
            Ok((row.get(0)?, Flags::from_bits(row.get(1)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The highest UID stored for a folder.
    pub fn max_uid(&self, folder: FolderId) -> Result<Option<u32>, StoreError> {
        Ok(self.conn.query_row(
            "SELECT MAX(uid) FROM messages WHERE folder_id = ?1",
            [folder.0],
            |row| row.get(0),
        )?)
    }

    /// The message with `uid` in `folder`.
    pub fn message_by_uid(
        &self,
        folder: FolderId,
        uid: u32,
    ) -> Result<Option<MessageId>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM messages WHERE folder_id = ?1 AND uid = ?2")?
            .query_row(params![folder.0, uid], |row| row.get(0).map(MessageId))
            .optional()?)
    }

    /// The messages of `folder` with these UIDs (UIDs not stored are skipped),
    /// newest first.
    pub fn messages_by_uids(
        &self,
        folder: FolderId,
        uids: &[u32],
    ) -> Result<Vec<MessageId>, StoreError> {
        let mut found = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, date FROM messages WHERE folder_id = ?1 AND uid = ?2")?;
        for uid in uids {
            if let Some(row) = stmt
                .query_row(params![folder.0, uid], |row| {
                    Ok((MessageId(row.get(0)?), row.get::<_, i64>(1)?))
                })
                .optional()?
            {
                found.push(row);
            }
        }
        found.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        Ok(found.into_iter().map(|(id, _)| id).collect())
    }

    /// The Message-ID header of a message, if it had one.
    pub fn message_id_header(&self, id: MessageId) -> Result<Option<String>, StoreError> {
        let found: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT message_id FROM messages WHERE id = ?1")?
            .query_row([id.0], |row| row.get(0))
            .optional()?;
        found.ok_or(StoreError::NoSuchMessage(id))
    }

    /// The messages of `folder` whose Message-ID header is `message_id`, with their UIDs.
    /// No index serves this (it cost every insert): it reads the folder's rows, and is
    /// only used to find a moved message again when the server did not say its new UID.
    pub fn find_by_message_id(
        &self,
        folder: FolderId,
        message_id: &str,
    ) -> Result<Vec<(MessageId, Option<u32>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, uid FROM messages WHERE folder_id = ?1 AND message_id = ?2",
        )?;
        let rows = stmt.query_map(params![folder.0, message_id], |row| {
            Ok((MessageId(row.get(0)?), row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Folder, UID and flags of a message.
    pub fn imap_location(&self, id: MessageId) -> Result<ImapLocation, StoreError> {
        self.conn
            .prepare_cached("SELECT folder_id, uid, flags FROM messages WHERE id = ?1")?
            .query_row([id.0], |row| {
                Ok(ImapLocation {
                    folder: FolderId(row.get(0)?),
                    uid: row.get(1)?,
                    flags: Flags::from_bits(row.get(2)?),
                })
            })
            .optional()?
            .ok_or(StoreError::NoSuchMessage(id))
    }

    /// Adds fetched messages to `folder` in one transaction. A UID already stored
    /// (a resumed sync fetching a chunk again) only has its flags updated. Returns
    /// how many envelopes were stored (added or brought up to date).
    pub fn upsert_imap_envelopes(
        &mut self,
        folder: FolderId,
        envelopes: &[NewEnvelope],
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut rows = NewRows::new(&tx, folder);
            for e in envelopes {
                rows.insert_or_update_flags(e)?;
            }
            rows.finish()?;
        }
        tx.commit()?;
        Ok(envelopes.len())
    }

    /// Sets the flags of messages by UID in one transaction; UIDs not stored are
    /// ignored. Returns how many messages changed.
    pub fn set_flags_by_uid(
        &mut self,
        folder: FolderId,
        updates: &[(u32, Flags)],
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE messages SET flags = ?3 WHERE folder_id = ?1 AND uid = ?2 AND flags != ?3",
            )?;
            for (uid, flags) in updates {
                changed += stmt.execute(params![folder.0, uid, flags.to_bits()])?;
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// UIDs of the messages of `folder` still dated by a stand-in
    /// ([`NewEnvelope::needs_date`]), ascending.
    pub fn uids_needing_date(&self, folder: FolderId) -> Result<Vec<u32>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uid FROM messages WHERE folder_id = ?1 AND needs_date = 1 AND uid IS NOT NULL
             ORDER BY uid",
        )?;
        let rows = stmt.query_map([folder.0], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Takes the server's dates `(uid, Unix seconds)` as date and arrival of those
    /// messages, and clears the mark of every UID in `asked`: one the server gave no
    /// date for keeps its stand-in rather than being asked about at every sync. One
    /// transaction; returns how many messages were dated.
    pub fn settle_dates(
        &mut self,
        folder: FolderId,
        asked: &[u32],
        dates: &[(u32, i64)],
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut dated = 0;
        {
            // One statement: a UID without a date keeps its stand-in (NULL).
            let mut settle = tx.prepare_cached(
                "UPDATE messages SET date = COALESCE(?3, date), arrived = COALESCE(?3, arrived),
                     needs_date = 0
                 WHERE folder_id = ?1 AND uid = ?2 AND needs_date = 1",
            )?;
            let given: std::collections::HashMap<u32, i64> = dates.iter().copied().collect();
            for uid in asked {
                let date = given.get(uid);
                let changed = settle.execute(params![folder.0, uid, date])?;
                if date.is_some() {
                    dated += changed;
                }
            }
        }
        tx.commit()?;
        Ok(dated)
    }

    /// Removes the messages whose UIDs fall in `ranges`, in one transaction.
    pub fn delete_uid_ranges(
        &mut self,
        folder: FolderId,
        ranges: &[RangeInclusive<u32>],
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut removed = 0;
        {
            let mut stmt = tx.prepare_cached(
                "DELETE FROM messages WHERE folder_id = ?1 AND uid BETWEEN ?2 AND ?3",
            )?;
            for range in ranges {
                removed += stmt.execute(params![folder.0, range.start(), range.end()])?;
            }
        }
        tx.commit()?;
        Ok(removed)
    }

    /// Removes every message of a folder (its UIDVALIDITY changed) and forgets its
    /// sync state, in one transaction.
    pub fn reset_imap_folder(&mut self, folder: FolderId) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let removed = tx.execute("DELETE FROM messages WHERE folder_id = ?1", [folder.0])?;
        tx.execute(
            "UPDATE folders SET uidvalidity = NULL, uidnext = NULL, highestmodseq = NULL
             WHERE id = ?1",
            [folder.0],
        )?;
        tx.commit()?;
        Ok(removed)
    }

    /// A message moved on the server: now `uid` in `folder` (its cached body stays).
    pub fn relocate_message(
        &self,
        id: MessageId,
        folder: FolderId,
        uid: u32,
    ) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE messages SET folder_id = ?2, uid = ?3 WHERE id = ?1",
            params![id.0, folder.0, uid],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchMessage(id));
        }
        Ok(())
    }
}

impl Store {
    /// A second connection to the same database file, for a writer thread (WAL lets
    /// it write while this one reads). `None` for an in-memory store.
    pub fn reopen(&self) -> Result<Option<Store>, StoreError> {
        match self.conn.path() {
            Some(path) if !path.is_empty() => Store::open(std::path::Path::new(path)).map(Some),
            _ => Ok(None),
        }
    }
}
