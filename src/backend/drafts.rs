//! Drafts kept in the account's Drafts folder: a postponed message saved there (a new
//! version replacing the one saved before), and removed for good once it was sent.
//! The rules shared by IMAP and Maildir live here: which folder is the Drafts folder,
//! which messages may be removed as drafts (only those in it: this must never delete
//! other mail), and what the caller is told.

use super::BackendError;
use crate::store::{
    AccountId, Flags, FolderId, FolderRole, FolderRow, ImapLocation, MessageId, Store, StoreError,
};

/// The name of the Drafts folder postern makes when an account has none (as every
/// mail client does).
pub(super) const DRAFTS: &str = "Drafts";

/// A saved draft is one: `\Draft`, and read (it is the user's own text).
pub(super) const DRAFT_FLAGS: Flags = Flags {
    seen: true,
    flagged: false,
    answered: false,
    deleted: false,
    draft: true,
};

/// Where [`super::Backend::replace_draft`] saved a draft, and what became of the copy
/// it replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftCopy {
    /// The account's Drafts folder, which holds the new copy.
    pub folder: FolderId,
    /// The new copy's store id, when postern can tell which message it is: IMAP from
    /// the UID the server reported (UIDPLUS APPENDUID) once the folder is synced
    /// again, or else by its Message-ID when exactly one message has it; Maildir the
    /// file it wrote. `None`: the copy shows with the folder's next sync, and cannot
    /// be named as `old` to a later replace (so keep the store's draft as the truth).
    pub message: Option<MessageId>,
    /// Folders whose message lists changed (to draw again).
    pub changed: Vec<FolderId>,
    /// What became of the copy named as `old`.
    pub previous: PreviousCopy,
    /// The account had no Drafts folder, and one named "Drafts" was made (the folder
    /// list changed too).
    pub created_folder: bool,
}

/// What [`super::Backend::replace_draft`] did with the copy it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviousCopy {
    /// No previous copy was named.
    None,
    /// Removed for good (IMAP: REPLACE, or UID EXPUNGE of it alone).
    Removed,
    /// Already gone (deleted from another machine, or no longer in the store):
    /// nothing to remove, and not an error.
    AlreadyGone,
    /// The server has no UIDPLUS, so the old copy is only marked `\Deleted` (shown as
    /// deleted) and stays on the server until its Drafts folder is expunged: a plain
    /// EXPUNGE would also remove whatever else anyone marked `\Deleted` there.
    MarkedDeleted,
    /// Not in this account's Drafts folder (moved elsewhere, or another account's),
    /// so it was left alone: only drafts are ever removed.
    LeftAlone,
    /// Removing it failed after the new copy was saved (the reason is logged): both
    /// are on the server. [`super::Backend::remove_draft`] can remove it later.
    Kept,
}

/// The account's Drafts folder in the store (the one rule: [`FolderRow::with_role`]).
pub(super) fn drafts_folder(
    store: &Store,
    account: AccountId,
) -> Result<Option<FolderId>, BackendError> {
    let folders = store.folders(account)?;
    Ok(FolderRow::with_role(&folders, FolderRole::Drafts).map(|f| f.id))
}

/// Where the draft `id` is. `None` when the store no longer has it (it was removed
/// and the folder synced since): gone, which is no error. Refused unless it is in
/// this account's Drafts folder.
pub(super) fn draft_location(
    store: &Store,
    account: AccountId,
    id: MessageId,
) -> Result<Option<ImapLocation>, BackendError> {
    let location = match store.imap_location(id) {
        Ok(location) => location,
        Err(StoreError::NoSuchMessage(_)) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    if store.folder(location.folder)?.account != account {
        return Err(BackendError::OtherAccountMessage(id));
    }
    if drafts_folder(store, account)? != Some(location.folder) {
        return Err(BackendError::NotADraft(id));
    }
    Ok(Some(location))
}

/// The previous copy `old` to remove, with where it is: `Ok(Err(outcome))` when
/// there is nothing to remove and `outcome` says why (none named, gone, not a draft:
/// left alone).
pub(super) fn previous_copy(
    store: &Store,
    account: AccountId,
    old: Option<MessageId>,
) -> Result<Result<(MessageId, ImapLocation), PreviousCopy>, BackendError> {
    let Some(id) = old else {
        return Ok(Err(PreviousCopy::None));
    };
    match draft_location(store, account, id) {
        Ok(Some(location)) => Ok(Ok((id, location))),
        Ok(None) => {
            tracing::info!(
                "the draft's previous copy (message {}) is already gone",
                id.0
            );
            Ok(Err(PreviousCopy::AlreadyGone))
        }
        Err(BackendError::NotADraft(_) | BackendError::OtherAccountMessage(_)) => {
            tracing::warn!(
                "the draft's previous copy (message {}) is not in the Drafts folder; left alone",
                id.0
            );
            Ok(Err(PreviousCopy::LeftAlone))
        }
        Err(error) => Err(error),
    }
}
