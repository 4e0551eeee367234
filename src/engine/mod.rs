//! The engine: owns accounts and performs what front ends ask for.
//!
//! Front ends send [`Command`]s and receive [`Event`]s; they never touch a socket
//! or the database themselves.

use crate::mime::Rendered;
use crate::store::{AccountId, AccountRow, EnvelopeRow, FolderId, FolderRow, MessageId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    LoadAccounts,
    LoadFolders {
        account: AccountId,
    },
    /// A page of a folder's envelopes, newest first.
    LoadEnvelopes {
        folder: FolderId,
        offset: usize,
        limit: usize,
    },
    /// Render a message for a pane `width` columns wide (marks it seen).
    OpenMessage {
        id: MessageId,
        width: u16,
    },
    /// Look for new mail (Maildir rescan now; network sync later).
    Refresh {
        account: AccountId,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Accounts(Vec<AccountRow>),
    Folders {
        account: AccountId,
        folders: Vec<FolderRow>,
    },
    Envelopes {
        folder: FolderId,
        offset: usize,
        total: usize,
        rows: Vec<EnvelopeRow>,
    },
    Message {
        id: MessageId,
        rendered: Box<Rendered>,
    },
    /// Something changed in the store for this account: reload what is shown.
    Changed {
        account: AccountId,
    },
    Error {
        context: String,
        message: String,
    },
}
