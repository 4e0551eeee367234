//! Keeping the local store and the servers in step: IMAP sync, POP3 downloads and the
//! outbox. The engine's account workers drive these; the CLI calls them directly.

pub mod imap;
pub mod outbox;
pub mod pop3;

pub use imap::{
    FlagChange, IdleOutcome, ImapSync, Removal, SearchQuery, SyncError, SyncOptions, SyncProgress,
    SyncReport, uid_set,
};
