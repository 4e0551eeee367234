//! The database schema as an ordered list of migrations.
//!
//! `PRAGMA user_version` holds how many migrations a database has had. Opening
//! applies the missing ones in order, each in its own transaction; a database
//! with a higher version than this code knows is refused (an older postern
//! must not write to a newer layout).

use rusqlite::Connection;
use std::path::Path;

use super::StoreError;

/// Migration `i` takes a database from version `i` to version `i + 1`.
/// Append only: never edit a migration that has shipped.
pub const MIGRATIONS: &[&str] = &[
    // v1: accounts, folders, message envelopes, cached bodies, POP3 bookkeeping.
    r#"
    CREATE TABLE accounts (
        id    INTEGER PRIMARY KEY,
        name  TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL
    );
    CREATE TABLE folders (
        id            INTEGER PRIMARY KEY,
        account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name          TEXT NOT NULL,          -- display name, '/'-separated
        role          TEXT,                   -- inbox, sent, drafts, trash, archive, junk
        imap_path     TEXT,                   -- the server's mailbox name
        imap_delimiter TEXT,
        uidvalidity   INTEGER,
        uidnext       INTEGER,
        highestmodseq INTEGER,
        last_sync     INTEGER,                -- unix seconds
        UNIQUE (account_id, name)
    );
    CREATE TABLE messages (
        id              INTEGER PRIMARY KEY,
        folder_id       INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        uid             INTEGER,              -- IMAP UID
        maildir_key     TEXT,                 -- unique part of a Maildir file name
        maildir_path    BLOB,                 -- full path of the Maildir file
        pop3_uidl       TEXT,
        message_id      TEXT,
        in_reply_to     TEXT,
        date            INTEGER NOT NULL,     -- unix seconds (Date header, else arrival)
        from_display    TEXT NOT NULL,
        from_addr       TEXT NOT NULL,
        to_addrs        TEXT NOT NULL,
        cc_addrs        TEXT NOT NULL,
        subject         TEXT NOT NULL,
        flags           INTEGER NOT NULL DEFAULT 0,   -- Flags::to_bits
        size            INTEGER NOT NULL,
        has_attachments INTEGER NOT NULL DEFAULT 0,
        arrived         INTEGER NOT NULL      -- unix seconds
    );
    -- Newest-first paging of one folder walks this index; no sort, no scan.
    CREATE INDEX messages_by_date ON messages (folder_id, date DESC, id DESC);
    CREATE UNIQUE INDEX messages_by_uid ON messages (folder_id, uid) WHERE uid IS NOT NULL;
    CREATE UNIQUE INDEX messages_by_maildir_key ON messages (folder_id, maildir_key)
        WHERE maildir_key IS NOT NULL;
    CREATE INDEX messages_by_message_id ON messages (message_id) WHERE message_id IS NOT NULL;
    CREATE TABLE bodies (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        raw        BLOB NOT NULL,
        fetched_at INTEGER NOT NULL
    );
    CREATE TABLE pop3_uidls (
        account_id        INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        uidl              TEXT NOT NULL,
        downloaded_at     INTEGER NOT NULL,
        deleted_on_server INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, uidl)
    ) WITHOUT ROWID;
    "#,
    // v2: per-folder counters kept by triggers (the folder list must not count
    // 100,000 rows per folder), and the sending side: drafts and the outbox.
    r#"
    ALTER TABLE folders ADD COLUMN total INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE folders ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
    UPDATE folders SET
        total  = (SELECT COUNT(*) FROM messages m WHERE m.folder_id = folders.id),
        unread = (SELECT COUNT(*) FROM messages m WHERE m.folder_id = folders.id AND m.flags & 1 = 0);
    CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
        UPDATE folders SET total = total + 1, unread = unread + (NEW.flags & 1 = 0)
        WHERE id = NEW.folder_id;
    END;
    CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
        UPDATE folders SET total = total - 1, unread = unread - (OLD.flags & 1 = 0)
        WHERE id = OLD.folder_id;
    END;
    CREATE TRIGGER messages_count_update AFTER UPDATE OF flags, folder_id ON messages
    WHEN OLD.flags & 1 != NEW.flags & 1 OR OLD.folder_id != NEW.folder_id BEGIN
        UPDATE folders SET total = total - 1, unread = unread - (OLD.flags & 1 = 0)
        WHERE id = OLD.folder_id;
        UPDATE folders SET total = total + 1, unread = unread + (NEW.flags & 1 = 0)
        WHERE id = NEW.folder_id;
    END;
    CREATE TABLE drafts (
        id          INTEGER PRIMARY KEY,
        account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        updated_at  INTEGER NOT NULL,
        to_addrs    TEXT NOT NULL DEFAULT '',
        cc_addrs    TEXT NOT NULL DEFAULT '',
        subject     TEXT NOT NULL DEFAULT '',
        body        TEXT NOT NULL DEFAULT '',
        in_reply_to TEXT,
        raw         BLOB                      -- set when composed from a full message
    );
    CREATE TABLE outbox (
        id           INTEGER PRIMARY KEY,
        account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        raw          BLOB NOT NULL,
        created_at   INTEGER NOT NULL,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        server_reply TEXT,                    -- the server's answer to the last attempt
        state        TEXT NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'sent', 'failed')),
        sent_at      INTEGER
    );
    CREATE INDEX outbox_by_account ON outbox (account_id, state);
    "#,
    // v3: cheaper bulk inserts (a 100,000-message sync writes 100,000 rows). No query
    // looks messages up by Message-ID, so that index only cost inserts. And the insert
    // counter leaves its per-row trigger for the insert path (`store::NewRows`), one
    // folder update per batch: a trigger makes SQLite keep a statement journal for
    // every INSERT, which was a third of the insert time.
    r#"
    DROP INDEX messages_by_message_id;
    DROP TRIGGER messages_count_insert;
    "#,
    // v4: an IMAP sync no longer asks for every message's INTERNALDATE (Dovecot on
    // Maildir answers it with a stat() per message file). A message without a usable
    // Date header is stored dated by the sync and marked; the sync then fetches its
    // INTERNALDATE. The mark outlives an interrupted sync, and the partial index finds
    // the few marked rows without a scan.
    r#"
    ALTER TABLE messages ADD COLUMN needs_date INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX messages_needing_date ON messages (folder_id, uid) WHERE needs_date = 1;
    "#,
    // v5: the directory of a Maildir folder, recorded by the index, so that moving a
    // message into an empty folder (or one whose name needed encoding) finds its files.
    r#"
    ALTER TABLE folders ADD COLUMN local_dir BLOB;
    "#,
    // v6: drafts as the composer writes them (all the headers a person edits, the
    // thread, the message answered or forwarded, the files), and an outbox that can
    // hold a message back for a while (undo send) and say what it answers.
    r#"
    ALTER TABLE drafts ADD COLUMN from_addr TEXT NOT NULL DEFAULT '';
    ALTER TABLE drafts ADD COLUMN bcc_addrs TEXT NOT NULL DEFAULT '';
    ALTER TABLE drafts ADD COLUMN refs TEXT NOT NULL DEFAULT '';      -- Message-IDs, space-separated
    ALTER TABLE drafts ADD COLUMN answers INTEGER;                    -- a message id; may be gone
    ALTER TABLE drafts ADD COLUMN forwards INTEGER;
    ALTER TABLE drafts ADD COLUMN remote_copy INTEGER;                -- its copy in the Drafts folder
    ALTER TABLE drafts ADD COLUMN outbox_id INTEGER;                  -- queued to be sent
    CREATE TABLE draft_attachments (
        draft_id  INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        filename  TEXT NOT NULL,
        mime_type TEXT NOT NULL,
        path      BLOB,                                               -- read when sent
        bytes     BLOB,                                               -- or kept here
        PRIMARY KEY (draft_id, position)
    ) WITHOUT ROWID;
    ALTER TABLE outbox ADD COLUMN not_before INTEGER;                 -- held until (unix seconds)
    ALTER TABLE outbox ADD COLUMN answers INTEGER;
    ALTER TABLE outbox ADD COLUMN forwards INTEGER;
    "#,
    // v7: whether a draft was put aside on purpose (postponed) or was being written
    // when postern stopped (offered back at the next start). SQLite hands a deleted
    // message's id to the next message when it was the highest, so what drafts and
    // the outbox say about a message (its copy in Drafts, the message answered) is
    // forgotten with it: it must never name another message later. The partial
    // indexes keep the trigger to a few index probes per deleted message, so that
    // expunging a large folder stays fast.
    r#"
    ALTER TABLE drafts ADD COLUMN postponed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX drafts_by_remote_copy ON drafts (remote_copy) WHERE remote_copy IS NOT NULL;
    CREATE INDEX drafts_by_answers ON drafts (answers) WHERE answers IS NOT NULL;
    CREATE INDEX drafts_by_forwards ON drafts (forwards) WHERE forwards IS NOT NULL;
    CREATE INDEX outbox_by_answers ON outbox (answers) WHERE answers IS NOT NULL;
    CREATE INDEX outbox_by_forwards ON outbox (forwards) WHERE forwards IS NOT NULL;
    CREATE TRIGGER messages_forgotten AFTER DELETE ON messages BEGIN
        UPDATE drafts SET remote_copy = NULL WHERE remote_copy = old.id;
        UPDATE drafts SET answers = NULL WHERE answers = old.id;
        UPDATE drafts SET forwards = NULL WHERE forwards = old.id;
        UPDATE outbox SET answers = NULL WHERE answers = old.id;
        UPDATE outbox SET forwards = NULL WHERE forwards = old.id;
    END;
    "#,
    // v8: the addresses the user knows, for completing To/Cc/Bcc: one row per address
    // and account (`store::addresses`), and the keys a typed prefix is looked up by
    // (the address, the name, each word of the name; lowercase). Messages are counted
    // after they are stored, not as they are (that cost a sync a third of its insert
    // rate): `address_watermark` is the highest message id counted, and a catch-up
    // counts the messages above it, moving it in the same transaction. It starts at 0,
    // so the messages a v7 database already has are counted by the first catch-up.
    // SQLite gives a new row the highest id + 1: when the highest ids are deleted, the
    // trigger brings the watermark down to the highest id left, so that the ids handed
    // out again are above it (and counted) rather than below (and never counted).
    r#"
    CREATE TABLE addresses (
        id             INTEGER PRIMARY KEY,
        account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        email          TEXT NOT NULL COLLATE NOCASE,
        name           TEXT,
        name_rank      INTEGER NOT NULL DEFAULT 0,    -- 2: their From or your To; 1: a Cc
        name_date      INTEGER NOT NULL DEFAULT 0,    -- date of the message the name is from
        sent_count     INTEGER NOT NULL DEFAULT 0,    -- in To/Cc of messages in Sent
        last_sent      INTEGER,
        received_count INTEGER NOT NULL DEFAULT 0,    -- in From of messages elsewhere
        last_received  INTEGER,
        seen_count     INTEGER NOT NULL DEFAULT 0,    -- in To/Cc of messages elsewhere
        last_seen      INTEGER,
        UNIQUE (email, account_id)
    );
    CREATE TABLE address_keys (
        key        TEXT NOT NULL,
        address_id INTEGER NOT NULL REFERENCES addresses(id) ON DELETE CASCADE,
        PRIMARY KEY (key, address_id)
    ) WITHOUT ROWID;
    CREATE INDEX address_keys_by_address ON address_keys (address_id);
    CREATE TABLE address_watermark (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        counted INTEGER NOT NULL               -- every message with an id up to this is counted
    );
    INSERT INTO address_watermark (id, counted) VALUES (1, 0);
    CREATE TRIGGER address_watermark_below_new_ids AFTER DELETE ON messages
    WHEN old.id > coalesce((SELECT max(id) FROM messages), 0) BEGIN
        UPDATE address_watermark SET counted = coalesce((SELECT max(id) FROM messages), 0)
        WHERE counted > coalesce((SELECT max(id) FROM messages), 0);
    END;
    "#,
];

/// The schema version this code writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring `conn` up to [`SCHEMA_VERSION`]. `path` is only used in error messages.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        tx.commit()?;
    }
    Ok(())
}
