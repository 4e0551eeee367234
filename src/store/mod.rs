//! The local store: one SQLite database per installation.
//!
//! The UI renders from here, never from a socket. Row types below are what the
//! engine hands to front ends; their strings are decoded but not sanitized.

mod accounts;
mod addresses;
mod drafts;
mod envelopes;
mod folders;
mod imap;
mod outbox;
mod pop3;
pub mod schema;

pub use addresses::{CATCH_UP_BATCH, CaughtUp, Known};
pub use drafts::{DraftFile, DraftFileSource, DraftId, DraftRow, NewDraft};
pub use envelopes::{NewEnvelope, Page, PageKey};
pub use imap::ImapLocation;
pub use outbox::{OutboxId, OutboxRow, OutboxState, Queued};
pub use pop3::{Pop3Message, Pop3Uidl};

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FolderId(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub i64);

/// Special-use role of a folder (RFC 6154), or the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderRole {
    Inbox,
    Sent,
    Drafts,
    Trash,
    Archive,
    Junk,
    /// Every message of the account (Gmail's "All Mail", RFC 6154 `\All`).
    All,
}

/// Message flags as IMAP and Maildir know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub deleted: bool,
    pub draft: bool,
}

impl FolderRole {
    /// The name kept in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            FolderRole::Inbox => "inbox",
            FolderRole::Sent => "sent",
            FolderRole::Drafts => "drafts",
            FolderRole::Trash => "trash",
            FolderRole::Archive => "archive",
            FolderRole::Junk => "junk",
            FolderRole::All => "all",
        }
    }

    /// Inverse of [`FolderRole::as_str`]; unknown names (from a newer postern) give `None`.
    pub fn from_db(name: &str) -> Option<FolderRole> {
        Some(match name {
            "inbox" => FolderRole::Inbox,
            "sent" => FolderRole::Sent,
            "drafts" => FolderRole::Drafts,
            "trash" => FolderRole::Trash,
            "archive" => FolderRole::Archive,
            "junk" => FolderRole::Junk,
            "all" => FolderRole::All,
            _ => return None,
        })
    }
}

impl Flags {
    const SEEN: i64 = 1;
    const FLAGGED: i64 = 2;
    const ANSWERED: i64 = 4;
    const DELETED: i64 = 8;
    const DRAFT: i64 = 16;

    /// The bitmask stored in `messages.flags` (bit 0 = seen; the unread
    /// counters depend on that bit).
    pub fn to_bits(self) -> i64 {
        let mut bits = 0;
        for (on, bit) in [
            (self.seen, Self::SEEN),
            (self.flagged, Self::FLAGGED),
            (self.answered, Self::ANSWERED),
            (self.deleted, Self::DELETED),
            (self.draft, Self::DRAFT),
        ] {
            if on {
                bits |= bit;
            }
        }
        bits
    }

    pub fn from_bits(bits: i64) -> Flags {
        Flags {
            seen: bits & Self::SEEN != 0,
            flagged: bits & Self::FLAGGED != 0,
            answered: bits & Self::ANSWERED != 0,
            deleted: bits & Self::DELETED != 0,
            draft: bits & Self::DRAFT != 0,
        }
    }

    /// These flags with those in `add` set and those in `remove` cleared.
    pub fn changed(self, add: Flags, remove: Flags) -> Flags {
        Flags::from_bits((self.to_bits() | add.to_bits()) & !remove.to_bits())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: AccountId,
    /// The account's key in the config (`[accounts.<name>]`).
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRow {
    pub id: FolderId,
    pub account: AccountId,
    /// Display name, hierarchy separated by '/'.
    pub name: String,
    pub role: Option<FolderRole>,
    pub total: u32,
    pub unread: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeRow {
    pub id: MessageId,
    pub folder: FolderId,
    /// Seconds since the Unix epoch (Date header, else arrival time).
    pub date: i64,
    /// "Name <addr>" or "addr" of the first From.
    pub from: String,
    /// The To list, "Name <addr>, addr, ..." (shown instead of From in Sent and Drafts).
    pub to: String,
    pub subject: String,
    pub flags: Flags,
    pub size: u64,
    pub has_attachments: bool,
}

impl FolderRow {
    /// The folder that has `role` among `folders`: the first in the store's order
    /// (the INBOX first, then by name). One rule for every part of postern, so that
    /// with two folders guessed as the Trash, all agree on which one it is.
    pub fn with_role(folders: &[FolderRow], role: FolderRole) -> Option<&FolderRow> {
        folders.iter().find(|f| f.role == Some(role))
    }
}

/// Where a message's full source lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageSource {
    /// A Maildir file (bodies of Maildir accounts stay in their files).
    File(PathBuf),
    /// Bytes cached in the store.
    Cached(Vec<u8>),
    /// Only the envelope is known; the body must be fetched.
    NotFetched,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(
        "store database {path} has schema version {found}, newer than this postern ({supported}); upgrade postern"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no message with id {} in the store (it may have been deleted)", .0.0)]
    NoSuchMessage(MessageId),
    #[error("no folder with id {} in the store", .0.0)]
    NoSuchFolder(FolderId),
    #[error("message {} is not a Maildir message", .0.0)]
    NotMaildir(MessageId),
    #[error("folder {} has no Maildir directory recorded (rescan the account)", .0.0)]
    NoFolderDir(FolderId),
}

/// IMAP synchronisation state of one folder (all `None` until the first sync).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncState {
    pub uidvalidity: Option<u32>,
    pub uidnext: Option<u32>,
    pub highestmodseq: Option<u64>,
    /// Unix seconds of the last completed sync.
    pub last_sync: Option<i64>,
}

/// The local database. One connection; not shared between threads (each
/// worker opens its own: WAL lets readers and one writer work side by side).
pub struct Store {
    conn: Connection,
}

/// How long a writer waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Open (creating it and its parent directory if needed) and migrate the
    /// database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_error)?;
        // Migrate first: a database too new for us is left exactly as it was.
        let store = Store::setup(conn, path)?;
        // WAL: the UI can read while a worker writes. NORMAL sync is safe in WAL
        // (a power cut may lose the last commit, never corrupt the file).
        store
            .conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        store
            .conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        Ok(store)
    }

    /// A private database that vanishes when dropped (tests, demo mode).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Store::setup(conn, path)
    }

    fn setup(mut conn: Connection, path: &Path) -> Result<Store, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_error)?;
        schema::migrate(&mut conn, path)?;
        Ok(Store { conn })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }
}

/// Seconds since the Unix epoch, now.
fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
