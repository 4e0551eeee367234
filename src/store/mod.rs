//! The local store: one SQLite database per installation.
//!
//! The UI renders from here, never from a socket. Row types below are what the
//! engine hands to front ends; their strings are decoded but not sanitized.

pub mod maildir;

use std::path::{Path, PathBuf};

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
    pub subject: String,
    pub flags: Flags,
    pub size: u64,
    pub has_attachments: bool,
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
}

pub struct Store {
    _private: (),
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let _ = path;
        todo!("store helper")
    }
}
