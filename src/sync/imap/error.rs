//! Errors of IMAP synchronisation: the network's, the store's, and the few that
//! come from what the store and the server disagree on.

use crate::proto::imap::ImapError;
use crate::store::{FolderId, MessageId, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("folder {} is not an IMAP folder of this account (run a folder sync first)", .0.0)]
    NotImapFolder(FolderId),
    #[error("message {} has no IMAP UID in this account", .0.0)]
    NotImapMessage(MessageId),
    #[error("message {} is no longer on the server (it was moved or deleted elsewhere)", .0.0)]
    MessageGone(MessageId),
    #[error(
        "the account has no Trash folder, so nothing was deleted\n  hint: create a folder named Trash on the server, or expunge explicitly"
    )]
    NoTrash,
    #[error("the store writer stopped unexpectedly; chunks stored so far are kept")]
    WriterStopped,
}

impl SyncError {
    /// True when the connection must be reopened before the next command; what was
    /// committed to the store so far stays, and the next sync resumes from it.
    pub fn is_connection_failure(&self) -> bool {
        matches!(self, SyncError::Imap(error) if error.is_connection_failure())
    }
}
