//! What can go wrong acting on an account's mail.

use crate::proto::imap::ImapError;
use crate::store::{FolderId, MessageId, StoreError};
use crate::sync::SyncError;
use crate::sync::pop3::DownloadError;

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("message {} belongs to another account", .0.0)]
    OtherAccountMessage(MessageId),
    #[error("folder {} belongs to another account", .0.0)]
    OtherAccountFolder(FolderId),
    #[error("the account has no folder \"{name}\" to archive to")]
    NoArchive { name: String },
    #[error("message {}'s body has not been downloaded", .0.0)]
    NotDownloaded(MessageId),
    #[error("the account has no credentials to download with (sign in first)")]
    NoCredentials,
    #[error("a POP3 download needs a store file, not an in-memory store")]
    InMemoryStore,
    #[error("the store's worker thread failed: {0}")]
    Worker(String),
    #[error("\"{0}\" is not a folder name")]
    FolderName(String),
    /// A POP3 account has no folders on the server: its drafts stay in postern.
    #[error("a POP3 account has no Drafts folder on the server; the draft is kept in postern only")]
    NoServerDrafts,
    /// Removing a draft names a message that is not in the account's Drafts folder:
    /// refused, so that removing a draft never deletes other mail.
    #[error("message {} is not in the account's Drafts folder, so it was not removed", .0.0)]
    NotADraft(MessageId),
}

impl BackendError {
    /// True when the server connection must be opened again before the next command.
    pub fn is_connection_failure(&self) -> bool {
        match self {
            BackendError::Sync(error) => error.is_connection_failure(),
            _ => false,
        }
    }

    /// True when the server refused the credentials: resolve them again (run the
    /// password command, renew the token) before the next try.
    pub fn is_login_refused(&self) -> bool {
        match self {
            BackendError::Sync(SyncError::Imap(ImapError::Connect(proto)))
            | BackendError::Download(DownloadError::Proto(proto)) => proto.is_login_refused(),
            _ => false,
        }
    }
}
