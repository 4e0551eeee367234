//! Folders with their counters and IMAP sync state.

use rusqlite::{OptionalExtension, params};

use super::{AccountId, FolderId, FolderRole, FolderRow, Store, StoreError, SyncState};

impl Store {
    /// Create the folder `name` ('/'-separated display name) of `account`, or
    /// update its role; returns its id either way.
    pub fn upsert_folder(
        &self,
        account: AccountId,
        name: &str,
        role: Option<FolderRole>,
    ) -> Result<FolderId, StoreError> {
        let id = self.conn.query_row(
            "INSERT INTO folders (account_id, name, role) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id, name) DO UPDATE SET role = excluded.role
             RETURNING id",
            params![account.0, name, role.map(FolderRole::as_str)],
            |row| row.get(0),
        )?;
        Ok(FolderId(id))
    }

    /// The folders of `account` with their message and unread counts: the
    /// inbox first, then by name. Counts come from counters kept by triggers,
    /// so this costs the same for 10 or 100,000 messages.
    pub fn folders(&self, account: AccountId) -> Result<Vec<FolderRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, account_id, name, role, total, unread FROM folders
             WHERE account_id = ?1
             ORDER BY role IS NOT 'inbox', name",
        )?;
        let rows = stmt.query_map([account.0], folder_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One folder with its counts.
    pub fn folder(&self, folder: FolderId) -> Result<FolderRow, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, account_id, name, role, total, unread FROM folders WHERE id = ?1",
            )?
            .query_row([folder.0], folder_row)
            .optional()?
            .ok_or(StoreError::NoSuchFolder(folder))
    }

    /// Delete a folder and its messages.
    pub fn delete_folder(&self, folder: FolderId) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM folders WHERE id = ?1", [folder.0])?;
        Ok(())
    }

    /// Count a folder's messages the slow way and reset its counters to the
    /// result; returns `(total, unread)`. A repair tool: the counters are kept
    /// right by the insert path and triggers, this exists for `postern doctor`-style checks.
    pub fn recount_folder(&self, folder: FolderId) -> Result<(u32, u32), StoreError> {
        let (total, unread): (i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE flags & 1 = 0)
             FROM messages WHERE folder_id = ?1",
            [folder.0],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let changed = self.conn.execute(
            "UPDATE folders SET total = ?2, unread = ?3 WHERE id = ?1",
            params![folder.0, total, unread],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchFolder(folder));
        }
        Ok((count(total), count(unread)))
    }

    /// Record the directory of a Maildir folder.
    pub fn set_local_dir(&self, folder: FolderId, dir: &std::path::Path) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE folders SET local_dir = ?2 WHERE id = ?1",
            params![folder.0, super::envelopes::path_to_blob(dir)],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchFolder(folder));
        }
        Ok(())
    }

    /// The directory of a Maildir folder, if the index recorded one.
    pub fn local_dir(&self, folder: FolderId) -> Result<Option<std::path::PathBuf>, StoreError> {
        let dir: Option<Option<Vec<u8>>> = self
            .conn
            .query_row(
                "SELECT local_dir FROM folders WHERE id = ?1",
                [folder.0],
                |row| row.get(0),
            )
            .optional()?;
        Ok(dir
            .ok_or(StoreError::NoSuchFolder(folder))?
            .map(super::envelopes::blob_to_path))
    }

    /// Record the server's mailbox name and hierarchy delimiter for a folder.
    pub fn set_imap_path(
        &self,
        folder: FolderId,
        path: &str,
        delimiter: Option<char>,
    ) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE folders SET imap_path = ?2, imap_delimiter = ?3 WHERE id = ?1",
            params![folder.0, path, delimiter.map(String::from)],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchFolder(folder));
        }
        Ok(())
    }

    /// The server's mailbox name of a folder, if it was recorded.
    pub fn imap_path(&self, folder: FolderId) -> Result<Option<String>, StoreError> {
        let path: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT imap_path FROM folders WHERE id = ?1",
                [folder.0],
                |row| row.get(0),
            )
            .optional()?;
        path.ok_or(StoreError::NoSuchFolder(folder))
    }

    pub fn sync_state(&self, folder: FolderId) -> Result<SyncState, StoreError> {
        let state = self
            .conn
            .query_row(
                "SELECT uidvalidity, uidnext, highestmodseq, last_sync FROM folders WHERE id = ?1",
                [folder.0],
                |row| {
                    Ok(SyncState {
                        uidvalidity: row.get(0)?,
                        uidnext: row.get(1)?,
                        highestmodseq: row.get::<_, Option<i64>>(2)?.map(|v| v as u64),
                        last_sync: row.get(3)?,
                    })
                },
            )
            .optional()?;
        state.ok_or(StoreError::NoSuchFolder(folder))
    }

    pub fn set_sync_state(&self, folder: FolderId, state: &SyncState) -> Result<(), StoreError> {
        // MODSEQ is a 63-bit value (RFC 7162), so it fits an i64.
        let modseq = state.highestmodseq.map(|v| v as i64);
        let changed = self.conn.execute(
            "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4, last_sync = ?5
             WHERE id = ?1",
            params![
                folder.0,
                state.uidvalidity,
                state.uidnext,
                modseq,
                state.last_sync
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchFolder(folder));
        }
        Ok(())
    }
}

/// Counters are never negative and never near 4 billion; clamp rather than panic.
fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

fn folder_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<FolderRow> {
    let role: Option<String> = row.get(3)?;
    Ok(FolderRow {
        id: FolderId(row.get(0)?),
        account: AccountId(row.get(1)?),
        name: row.get(2)?,
        role: role.as_deref().and_then(FolderRole::from_db),
        total: count(row.get(4)?),
        unread: count(row.get(5)?),
    })
}
