//! Message envelopes: inserting in batches, newest-first paging, flags, bodies.

use rusqlite::{CachedStatement, OptionalExtension, Row, params};
use std::path::{Path, PathBuf};

use super::{EnvelopeRow, Flags, FolderId, MessageId, MessageSource, Store, StoreError, now};
use crate::mime::{Address, Envelope};

/// A message to add to a folder: what the list shows plus where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewEnvelope {
    /// IMAP UID (unique per folder).
    pub uid: Option<u32>,
    /// Unique part of a Maildir file name (unique per folder).
    pub maildir_key: Option<String>,
    /// Full path of a Maildir file.
    pub maildir_path: Option<PathBuf>,
    pub pop3_uidl: Option<String>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    /// Unix seconds.
    pub date: i64,
    /// "Name <addr>" or "addr".
    pub from_display: String,
    pub from_addr: String,
    /// Comma-separated "Name <addr>" lists.
    pub to: String,
    pub cc: String,
    pub subject: String,
    pub flags: Flags,
    pub size: u64,
    pub has_attachments: bool,
    /// Unix seconds the message reached us (IMAP: its INTERNALDATE when fetched,
    /// else when it was stored).
    pub arrived: i64,
    /// `date` is only a stand-in (no usable Date header, and the server's
    /// INTERNALDATE not fetched yet): the IMAP sync fetches that and fills it in.
    pub needs_date: bool,
}

impl NewEnvelope {
    /// Build from a parsed envelope; the date falls back to `arrived`.
    pub fn from_envelope(envelope: Envelope, flags: Flags, size: u64, arrived: i64) -> Self {
        let (from_display, from_addr) = match envelope.from.into_iter().next() {
            Some(first) => {
                let mut display = String::with_capacity(display_len(&first));
                push_display(&mut display, &first);
                (display, first.email)
            }
            None => (String::new(), String::new()),
        };
        NewEnvelope {
            message_id: envelope.message_id,
            in_reply_to: envelope.in_reply_to,
            date: envelope.date.unwrap_or(arrived),
            from_display,
            from_addr,
            to: address_list(&envelope.to),
            cc: address_list(&envelope.cc),
            subject: envelope.subject,
            flags,
            size,
            has_attachments: envelope.has_attachments,
            arrived,
            ..NewEnvelope::default()
        }
    }
}

/// Appends "Name <addr>", or "addr" when there is no name.
fn push_display(out: &mut String, address: &Address) {
    match address.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => {
            out.push_str(name);
            out.push_str(" <");
            out.push_str(&address.email);
            out.push('>');
        }
        _ => out.push_str(&address.email),
    }
}

/// The length of [`push_display`]'s text: the strings are sized once, not regrown.
fn display_len(address: &Address) -> usize {
    address.name.as_deref().map_or(0, |name| name.len() + 3) + address.email.len()
}

/// "Name <addr>, addr, ..."
fn address_list(addresses: &[Address]) -> String {
    let len = addresses.iter().map(|a| display_len(a) + 2).sum();
    let mut list = String::with_capacity(len);
    for (i, address) in addresses.iter().enumerate() {
        if i > 0 {
            list.push_str(", ");
        }
        push_display(&mut list, address);
    }
    list
}

const ENVELOPE_COLUMNS: &str =
    "id, folder_id, date, from_display, to_addrs, subject, flags, size, has_attachments";

fn envelope_row(row: &Row<'_>) -> rusqlite::Result<EnvelopeRow> {
    Ok(EnvelopeRow {
        id: MessageId(row.get(0)?),
        folder: FolderId(row.get(1)?),
        date: row.get(2)?,
        from: row.get(3)?,
        to: row.get(4)?,
        subject: row.get(5)?,
        flags: Flags::from_bits(row.get(6)?),
        size: row.get::<_, i64>(7)?.max(0) as u64,
        has_attachments: row.get(8)?,
    })
}

/// A message's place in its folder's newest-first order: a page starts next to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub date: i64,
    pub id: MessageId,
}

impl PageKey {
    pub fn of(row: &EnvelopeRow) -> PageKey {
        PageKey {
            date: row.date,
            id: row.id,
        }
    }
}

/// Which page of a folder's newest-first list to read. Pages are found by key, not by
/// offset: the index walk starts at the key, so the last page of a million messages
/// costs what the first does (`OFFSET 900000` walks 900,000 rows first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    /// The newest messages.
    First,
    /// The oldest messages (still returned newest first).
    Last,
    /// The messages just older than the key.
    After(PageKey),
    /// The messages just newer than the key (returned newest first).
    Before(PageKey),
    /// The key's message and those older than it.
    From(PageKey),
}

/// The statement [`Store::envelope_page`] runs for `page` (parameters: folder, limit,
/// and the key's date and id), and whether it reads oldest first (then the rows are
/// reversed). Every variant walks `messages_by_date` from one end or from the key.
fn page_sql(page: Page) -> (String, bool) {
    let (condition, ascending) = match page {
        Page::First => ("", false),
        Page::Last => ("", true),
        Page::After(_) => ("AND (date, id) < (?3, ?4)", false),
        Page::Before(_) => ("AND (date, id) > (?3, ?4)", true),
        Page::From(_) => ("AND (date, id) <= (?3, ?4)", false),
    };
    let order = if ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {ENVELOPE_COLUMNS} FROM messages WHERE folder_id = ?1 {condition}
         ORDER BY date {order}, id {order} LIMIT ?2"
    );
    (sql, ascending)
}

impl Store {
    /// Add messages to `folder` in one transaction; returns their ids in order.
    /// A UID or Maildir key already present in the folder fails the whole batch.
    pub fn insert_envelopes(
        &mut self,
        folder: FolderId,
        envelopes: &[NewEnvelope],
    ) -> Result<Vec<MessageId>, StoreError> {
        let tx = self.conn.transaction()?;
        let ids = {
            let mut rows = NewRows::new(&tx, folder);
            let ids = envelopes
                .iter()
                .map(|envelope| rows.insert(envelope))
                .collect::<Result<Vec<_>, _>>()?;
            rows.finish()?;
            ids
        };
        tx.commit()?;
        Ok(ids)
    }

    /// A page of `folder`, newest first (date, then id, descending). An
    /// offset past the end gives an empty page.
    pub fn envelopes(
        &self,
        folder: FolderId,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<EnvelopeRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENVELOPE_COLUMNS} FROM messages WHERE folder_id = ?1
             ORDER BY date DESC, id DESC LIMIT ?2 OFFSET ?3"
        ))?;
        let rows = stmt.query_map(
            params![folder.0, clamp_i64(limit), clamp_i64(offset)],
            envelope_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A page of `folder` by key (see [`Page`]), newest first.
    pub fn envelope_page(
        &self,
        folder: FolderId,
        page: Page,
        limit: usize,
    ) -> Result<Vec<EnvelopeRow>, StoreError> {
        let (sql, ascending) = page_sql(page);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let key = match page {
            Page::After(key) | Page::Before(key) | Page::From(key) => Some(key),
            Page::First | Page::Last => None,
        };
        let rows = match key {
            Some(key) => stmt.query_map(
                params![folder.0, clamp_i64(limit), key.date, key.id.0],
                envelope_row,
            )?,
            None => stmt.query_map(params![folder.0, clamp_i64(limit)], envelope_row)?,
        };
        let mut rows: Vec<EnvelopeRow> = rows.collect::<Result<_, _>>()?;
        if ascending {
            rows.reverse();
        }
        Ok(rows)
    }

    /// How many messages of `folder` come before `key` in newest-first order. Counting
    /// walks that many index entries: for a reload deep in a big folder, not per key.
    pub fn position(&self, folder: FolderId, key: PageKey) -> Result<usize, StoreError> {
        let count: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM messages WHERE folder_id = ?1 AND (date, id) > (?2, ?3)",
            )?
            .query_row(params![folder.0, key.date, key.id.0], |row| row.get(0))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Every message of `folder` with its flags, newest first (tagging a whole folder).
    pub fn folder_messages(&self, folder: FolderId) -> Result<Vec<(MessageId, Flags)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, flags FROM messages WHERE folder_id = ?1 ORDER BY date DESC, id DESC",
        )?;
        let rows = stmt.query_map([folder.0], |row| {
            Ok((MessageId(row.get(0)?), Flags::from_bits(row.get(1)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One message's envelope.
    pub fn envelope(&self, id: MessageId) -> Result<EnvelopeRow, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENVELOPE_COLUMNS} FROM messages WHERE id = ?1"
        ))?;
        stmt.query_row([id.0], envelope_row)
            .optional()?
            .ok_or(StoreError::NoSuchMessage(id))
    }

    /// Number of messages in `folder` (from the folder's counter).
    pub fn envelope_count(&self, folder: FolderId) -> Result<usize, StoreError> {
        let total: Option<i64> = self
            .conn
            .query_row(
                "SELECT total FROM folders WHERE id = ?1",
                [folder.0],
                |row| row.get(0),
            )
            .optional()?;
        let total = total.ok_or(StoreError::NoSuchFolder(folder))?;
        Ok(usize::try_from(total).unwrap_or(0))
    }

    /// Where the full source of a message can be read: cached bytes win over a
    /// Maildir file.
    pub fn message_source(&self, id: MessageId) -> Result<MessageSource, StoreError> {
        let found: Option<(CachedBody, StoredPath)> = self
            .conn
            .query_row(
                "SELECT b.raw, m.maildir_path FROM messages m
                 LEFT JOIN bodies b ON b.message_id = m.id WHERE m.id = ?1",
                [id.0],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        Ok(match found.ok_or(StoreError::NoSuchMessage(id))? {
            (Some(raw), _) => MessageSource::Cached(raw),
            (None, Some(path)) => MessageSource::File(blob_to_path(path)),
            (None, None) => MessageSource::NotFetched,
        })
    }

    /// Keep the full source of a fetched message.
    pub fn cache_body(&self, id: MessageId, raw: &[u8]) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO bodies (message_id, raw, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw,
                     fetched_at = excluded.fetched_at",
                params![id.0, raw, now()],
            )
            .map_err(|err| match err.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::NoSuchMessage(id),
                _ => StoreError::Sql(err),
            })?;
        Ok(())
    }

    pub fn set_flags(&self, id: MessageId, flags: Flags) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE messages SET flags = ?2 WHERE id = ?1",
            params![id.0, flags.to_bits()],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchMessage(id));
        }
        Ok(())
    }

    /// Remove messages (and their cached bodies) in one transaction. Ids
    /// already gone are ignored; returns how many were removed.
    pub fn delete_messages(&mut self, ids: &[MessageId]) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut removed = 0;
        {
            let mut stmt = tx.prepare_cached("DELETE FROM messages WHERE id = ?1")?;
            for id in ids {
                removed += stmt.execute([id.0])?;
            }
        }
        tx.commit()?;
        Ok(removed)
    }

    /// Moves a message whose copy the store keeps (a POP3 download, a Maildir file) to
    /// another folder; `path` is the Maildir file's new place. The id, flags and cached
    /// body stay.
    pub fn relocate_local(
        &self,
        id: MessageId,
        folder: FolderId,
        path: Option<&Path>,
    ) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE messages SET folder_id = ?2, maildir_path = COALESCE(?3, maildir_path)
                 WHERE id = ?1",
                params![id.0, folder.0, path.map(path_to_blob)],
            )
            .map_err(|err| foreign_key_to_folder(err, folder))?;
        if changed == 0 {
            return Err(StoreError::NoSuchMessage(id));
        }
        Ok(())
    }

    /// A copy of message `id` in `folder`: its envelope and cached body, and for a
    /// Maildir copy the new file's key and path. One transaction.
    pub fn copy_message(
        &mut self,
        id: MessageId,
        folder: FolderId,
        maildir: Option<(&str, &Path)>,
    ) -> Result<MessageId, StoreError> {
        let tx = self.conn.transaction()?;
        let copy = {
            let original = tx
                .prepare_cached(
                    "SELECT message_id, in_reply_to, date, from_display, from_addr, to_addrs,
                        cc_addrs, subject, flags, size, has_attachments, arrived
                     FROM messages WHERE id = ?1",
                )?
                .query_row([id.0], |row| {
                    Ok(NewEnvelope {
                        message_id: row.get(0)?,
                        in_reply_to: row.get(1)?,
                        date: row.get(2)?,
                        from_display: row.get(3)?,
                        from_addr: row.get(4)?,
                        to: row.get(5)?,
                        cc: row.get(6)?,
                        subject: row.get(7)?,
                        flags: Flags::from_bits(row.get(8)?),
                        size: row.get::<_, i64>(9)?.max(0) as u64,
                        has_attachments: row.get(10)?,
                        arrived: row.get(11)?,
                        maildir_key: maildir.map(|(key, _)| key.to_owned()),
                        maildir_path: maildir.map(|(_, path)| path.to_path_buf()),
                        ..NewEnvelope::default()
                    })
                })
                .optional()?
                .ok_or(StoreError::NoSuchMessage(id))?;
            let mut rows = NewRows::new(&tx, folder);
            let copy = rows.insert(&original)?;
            rows.finish()?;
            tx.execute(
                "INSERT INTO bodies (message_id, raw, fetched_at)
                 SELECT ?2, raw, fetched_at FROM bodies WHERE message_id = ?1",
                params![id.0, copy.0],
            )?;
            copy
        };
        tx.commit()?;
        Ok(copy)
    }

    /// Maildir bookkeeping of a folder: unique key -> (id, current path).
    pub(crate) fn maildir_entries(
        &self,
        folder: FolderId,
    ) -> Result<Vec<(String, MessageId, PathBuf)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT maildir_key, id, maildir_path FROM messages
             WHERE folder_id = ?1 AND maildir_key IS NOT NULL",
        )?;
        let rows = stmt.query_map([folder.0], |row| {
            let path: Option<Vec<u8>> = row.get(2)?;
            Ok((
                row.get(0)?,
                MessageId(row.get(1)?),
                path.map(blob_to_path).unwrap_or_default(),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The Maildir file of a message, if it has one.
    pub(crate) fn maildir_path(&self, id: MessageId) -> Result<Option<PathBuf>, StoreError> {
        let path: Option<Option<Vec<u8>>> = self
            .conn
            .query_row(
                "SELECT maildir_path FROM messages WHERE id = ?1",
                [id.0],
                |row| row.get(0),
            )
            .optional()?;
        Ok(path.ok_or(StoreError::NoSuchMessage(id))?.map(blob_to_path))
    }

    /// Record a Maildir file's new name and the flags it carries, in one
    /// transaction for a whole rescan.
    pub(crate) fn update_maildir_files(
        &mut self,
        updates: &[(MessageId, PathBuf, Flags)],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE messages SET maildir_path = ?2, flags = ?3 WHERE id = ?1",
            )?;
            for (id, path, flags) in updates {
                stmt.execute(params![id.0, path_to_blob(path), flags.to_bits()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// The statement that adds a message row; a macro so that variants can extend it
/// with `concat!`.
macro_rules! insert_message {
    () => {
        "INSERT INTO messages (folder_id, uid, maildir_key, maildir_path, pop3_uidl,
            message_id, in_reply_to, date, from_display, from_addr, to_addrs, cc_addrs,
            subject, flags, size, has_attachments, arrived, needs_date)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18)"
    };
}

const INSERT_MESSAGE: &str = insert_message!();

/// [`INSERT_MESSAGE`] that adds nothing when the folder already has the UID.
const INSERT_MESSAGE_UNLESS_UID_STORED: &str = concat!(
    insert_message!(),
    " ON CONFLICT (folder_id, uid) WHERE uid IS NOT NULL DO NOTHING"
);

/// The values of a new message row, for [`INSERT_MESSAGE`]. A macro, not a function:
/// the parameters borrow values computed in the caller's statement.
macro_rules! message_row {
    ($folder:expr, $e:expr) => {
        rusqlite::params![
            $folder.0,
            $e.uid,
            $e.maildir_key,
            $e.maildir_path.as_deref().map($crate::store::envelopes::path_to_blob),
            $e.pop3_uidl,
            $e.message_id,
            $e.in_reply_to,
            $e.date,
            $e.from_display,
            $e.from_addr,
            $e.to,
            $e.cc,
            $e.subject,
            $e.flags.to_bits(),
            i64::try_from($e.size).unwrap_or(i64::MAX),
            $e.has_attachments,
            $e.arrived,
            $e.needs_date,
        ]
    };
}

/// Adds message rows to one folder inside the caller's transaction, and keeps the
/// folder's counters: inserts are counted here and applied once in [`NewRows::finish`]
/// (deletes and flag changes are counted by triggers). Every insert into `messages`
/// goes through this type; a batch that is not finished must not be committed.
pub(crate) struct NewRows<'tx> {
    tx: &'tx rusqlite::Transaction<'tx>,
    folder: FolderId,
    added: i64,
    unread: i64,
    /// The insert statements, each prepared once per batch: a sync inserts thousands
    /// of rows per batch, and looking one up in the statement cache per row showed.
    insert: Option<CachedStatement<'tx>>,
    insert_unless_stored: Option<CachedStatement<'tx>>,
}

impl<'tx> NewRows<'tx> {
    pub(crate) fn new(tx: &'tx rusqlite::Transaction<'tx>, folder: FolderId) -> NewRows<'tx> {
        NewRows {
            tx,
            folder,
            added: 0,
            unread: 0,
            insert: None,
            insert_unless_stored: None,
        }
    }

    /// Inserts a row; a UID or Maildir key already in the folder is an error.
    pub(crate) fn insert(&mut self, e: &NewEnvelope) -> Result<MessageId, StoreError> {
        let statement = match &mut self.insert {
            Some(statement) => statement,
            slot => slot.insert(self.tx.prepare_cached(INSERT_MESSAGE)?),
        };
        statement
            .execute(message_row!(self.folder, e))
            .map_err(|err| foreign_key_to_folder(err, self.folder))?;
        self.count(e);
        Ok(MessageId(self.tx.last_insert_rowid()))
    }

    /// Inserts a row unless its UID is already in the folder; then only the stored
    /// flags are brought up to date. Returns whether a row was added.
    pub(crate) fn insert_or_update_flags(&mut self, e: &NewEnvelope) -> Result<bool, StoreError> {
        let statement = match &mut self.insert_unless_stored {
            Some(statement) => statement,
            slot => slot.insert(self.tx.prepare_cached(INSERT_MESSAGE_UNLESS_UID_STORED)?),
        };
        let added = statement
            .execute(message_row!(self.folder, e))
            .map_err(|err| foreign_key_to_folder(err, self.folder))?;
        if added > 0 {
            self.count(e);
            return Ok(true);
        }
        self.tx
            .prepare_cached(
                "UPDATE messages SET flags = ?3 WHERE folder_id = ?1 AND uid = ?2 AND flags != ?3",
            )?
            .execute(params![self.folder.0, e.uid, e.flags.to_bits()])?;
        Ok(false)
    }

    fn count(&mut self, e: &NewEnvelope) {
        self.added += 1;
        self.unread += i64::from(!e.flags.seen);
    }

    /// Adds what was inserted to the folder's counters.
    pub(crate) fn finish(self) -> Result<(), StoreError> {
        if self.added > 0 {
            self.tx
                .prepare_cached(
                    "UPDATE folders SET total = total + ?2, unread = unread + ?3 WHERE id = ?1",
                )?
                .execute(params![self.folder.0, self.added, self.unread])?;
        }
        Ok(())
    }
}

/// A cached body and a Maildir path, as the columns hold them.
type CachedBody = Option<Vec<u8>>;
type StoredPath = Option<Vec<u8>>;

fn clamp_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn foreign_key_to_folder(err: rusqlite::Error, folder: FolderId) -> StoreError {
    // A missing folder shows up as a foreign-key failure; say which.
    match &err {
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
        {
            StoreError::NoSuchFolder(folder)
        }
        _ => StoreError::Sql(err),
    }
}

// Paths are kept as their raw bytes: file names need not be UTF-8.
#[cfg(unix)]
pub(crate) fn path_to_blob(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(unix)]
pub(crate) fn blob_to_path(blob: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(blob))
}

#[cfg(not(unix))]
pub(crate) fn path_to_blob(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(not(unix))]
pub(crate) fn blob_to_path(blob: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&blob).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FolderRole;

    /// `EXPLAIN QUERY PLAN` of the page statement, one line per step.
    fn plan(store: &Store, folder: FolderId, page: Page) -> Vec<String> {
        let (sql, _) = page_sql(page);
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let detail = |row: &Row<'_>| row.get::<_, String>(3);
        let rows = match page {
            Page::After(key) | Page::Before(key) | Page::From(key) => {
                stmt.query_map(params![folder.0, 200, key.date, key.id.0], detail)
            }
            Page::First | Page::Last => stmt.query_map(params![folder.0, 200], detail),
        };
        rows.unwrap().collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn every_page_walks_the_date_index_without_sorting() {
        let mut store = Store::open_in_memory().unwrap();
        let account = store.upsert_account("a", "a@example.org").unwrap();
        let folder = store
            .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
            .unwrap();
        let rows: Vec<NewEnvelope> = (0..2_000)
            .map(|i| NewEnvelope {
                uid: Some(i + 1),
                date: 1_700_000_000 + i64::from(i % 500) * 60,
                ..NewEnvelope::default()
            })
            .collect();
        store.insert_envelopes(folder, &rows).unwrap();
        let key = PageKey {
            date: 1_700_000_030,
            id: MessageId(5),
        };
        // As the store is (no statistics), then with statistics: a later ANALYZE or
        // `PRAGMA optimize` must not turn a page into a sort.
        for analyzed in [false, true] {
            if analyzed {
                store.conn.execute_batch("ANALYZE").unwrap();
            }
            for page in [
                Page::First,
                Page::Last,
                Page::After(key),
                Page::Before(key),
                Page::From(key),
            ] {
                let plan = plan(&store, folder, page).join(" | ");
                let context = format!("{page:?} (analyzed: {analyzed}): {plan}");
                assert!(
                    plan.starts_with("SEARCH messages USING INDEX messages_by_date (folder_id=?"),
                    "{context}"
                );
                assert!(!plan.contains("TEMP B-TREE"), "{context}");
            }
        }
    }
}
