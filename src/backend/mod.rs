//! One interface over the three places an account's mail can live: an IMAP server,
//! the local copies of a POP3 account, a Maildir tree. The engine's account workers
//! and the CLI subcommands both act through it, so a rule (what deleting in the
//! Trash means, where archived mail goes, what a folder the server refuses does to a
//! sync) lives here once.
//!
//! Every change follows the same order: the authority first (the server, the files),
//! the store after it said yes. A process killed in between leaves the store behind
//! the authority, never ahead, and the next sync settles it.

mod drafts;
mod error;
mod imap;
mod local;
pub mod maildir;
mod pop3;
mod targets;

pub use drafts::{DraftCopy, PreviousCopy};
pub use error::BackendError;
pub use imap::ImapBackend;
pub use local::Local;
pub use pop3::Pop3Download;
pub use targets::{ArchiveTarget, archive_target};

use std::path::PathBuf;

use crate::store::{AccountId, Flags, FolderId, FolderRole, FolderRow, MessageId, Store};
use crate::sync::{FlagChange, SyncProgress};

/// What a sync tells as it goes: the engine turns it into events, the CLI into a
/// summary.
pub trait SyncObserver: Send {
    /// The account's folder list is fresh in the store.
    fn folders_listed(&mut self, _folders: &[FolderRow]) {}
    /// Envelopes stored so far in one folder.
    fn progress(&mut self, _progress: SyncProgress) {}
    /// One folder is in step.
    fn synced(&mut self, _synced: FolderSynced) {}
    /// One folder failed; the others are still synced.
    fn failed(&mut self, _folder: &FolderRow, _error: BackendError) {}
}

/// An observer that wants to know nothing.
pub struct Quiet;

impl SyncObserver for Quiet {}

/// What a sync did to one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderSynced {
    pub folder: FolderId,
    /// Its display name.
    pub name: String,
    /// Anything in the folder changed (its list must be drawn again).
    pub changed: bool,
    /// Messages that count as new mail: unread, and stored into a folder that was
    /// in step before (a first sync of a folder brings old mail, not new; a copy
    /// postern filed in Sent is read).
    pub new_mail: usize,
}

/// The totals of a sync of every folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncTotals {
    pub new: usize,
    pub flags_changed: usize,
    pub removed: usize,
    /// Things worth a line (files a Maildir index skipped, messages deleted from a
    /// POP3 server).
    pub notes: Vec<String>,
}

/// The folders `ids` are in, each once, in the order first met; refused unless every
/// message belongs to `account`.
pub(crate) fn folders_of(
    store: &Store,
    account: AccountId,
    ids: &[MessageId],
) -> Result<Vec<FolderId>, BackendError> {
    let mut folders: Vec<FolderId> = Vec::new();
    for id in ids {
        let folder = store.imap_location(*id)?.folder;
        if !folders.contains(&folder) {
            if store.folder(folder)?.account != account {
                return Err(BackendError::OtherAccountMessage(*id));
            }
            folders.push(folder);
        }
    }
    Ok(folders)
}

/// `folder`, refused unless it belongs to `account`.
pub(crate) fn own_folder(
    store: &Store,
    account: AccountId,
    folder: FolderId,
) -> Result<FolderRow, BackendError> {
    let row = store.folder(folder)?;
    if row.account != account {
        return Err(BackendError::OtherAccountFolder(folder));
    }
    Ok(row)
}

/// An account's mail, wherever it lives.
pub enum Backend {
    /// Boxed: a connection is much bigger than a tree's path.
    Imap(Box<ImapBackend>),
    /// Maildir files or POP3 downloads: mail postern keeps itself.
    Local(Local),
}

impl Backend {
    /// An IMAP account over a logged-in connection.
    pub fn imap(sync: crate::sync::ImapSync) -> Backend {
        Backend::Imap(Box::new(ImapBackend::new(sync)))
    }

    /// A Maildir account whose tree is at `root`.
    pub fn maildir(account: AccountId, root: PathBuf) -> Backend {
        Backend::Local(Local::maildir(account, root))
    }

    /// A POP3 account: its downloads are kept in the store; a sync downloads with the
    /// credentials `download` holds (local changes need none).
    pub fn pop3(account: AccountId, download: Pop3Download) -> Backend {
        Backend::Local(Local::pop3(account, download))
    }

    /// The store account this backend acts for.
    pub fn account(&self) -> AccountId {
        match self {
            Backend::Imap(imap) => imap.account(),
            Backend::Local(local) => local.account(),
        }
    }

    /// How a POP3 account downloads (to give it new credentials).
    pub fn pop3_download(&mut self) -> Option<&mut Pop3Download> {
        match self {
            Backend::Imap(_) => None,
            Backend::Local(local) => local.download_mut(),
        }
    }

    /// Brings every folder in step: the INBOX first (the first screen), then the
    /// rest. A folder that fails is told to `observer` and the others go on; a
    /// broken connection ends the sync (the store keeps what was done).
    pub async fn sync(
        &mut self,
        store: &mut Store,
        observer: &mut dyn SyncObserver,
    ) -> Result<SyncTotals, BackendError> {
        match self {
            Backend::Imap(imap) => imap.sync(store, observer).await,
            Backend::Local(local) => local.sync(store, observer).await,
        }
    }

    /// The account's folders, fresh from the server (IMAP: LIST), else as stored.
    pub async fn refresh_folders(
        &mut self,
        store: &mut Store,
    ) -> Result<Vec<FolderRow>, BackendError> {
        match self {
            Backend::Imap(imap) => imap.refresh_folders(store).await,
            Backend::Local(local) => Ok(store.folders(local.account())?),
        }
    }

    /// Brings one folder in step (POP3 and Maildir: the whole account, it is cheap).
    pub async fn sync_folder(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        observer: &mut dyn SyncObserver,
    ) -> Result<(), BackendError> {
        match self {
            Backend::Imap(imap) => imap.sync_folder(store, folder, observer).await,
            Backend::Local(local) => local.sync(store, observer).await.map(|_| ()),
        }
    }

    /// Sets and clears flags. Returns the folders that changed.
    pub async fn set_flags(
        &mut self,
        store: &mut Store,
        ids: &[MessageId],
        change: FlagChange,
    ) -> Result<Vec<FolderId>, BackendError> {
        match self {
            Backend::Imap(imap) => imap.set_flags(store, ids, change).await,
            Backend::Local(local) => local.set_flags(store, ids, change),
        }
    }

    /// Moves messages to `target`, a folder of the same account. Messages keep their
    /// store ids (so an undo can move them back). Returns the folders that changed.
    pub async fn move_to(
        &mut self,
        store: &mut Store,
        ids: &[MessageId],
        target: FolderId,
    ) -> Result<Vec<FolderId>, BackendError> {
        match self {
            Backend::Imap(imap) => imap.move_to(store, ids, target).await,
            Backend::Local(local) => local.move_to(store, ids, target),
        }
    }

    /// Copies messages to `target`. Returns the folders that changed.
    pub async fn copy_to(
        &mut self,
        store: &mut Store,
        ids: &[MessageId],
        target: FolderId,
    ) -> Result<Vec<FolderId>, BackendError> {
        match self {
            Backend::Imap(imap) => imap.copy_to(store, ids, target).await,
            Backend::Local(local) => local.copy_to(store, ids, target),
        }
    }

    /// Deletes the way users expect: to the account's Trash; messages already in the
    /// Trash for good. A POP3 account's server copy is not touched here: it follows
    /// `pop3_delete`, and a deleted message is never downloaded again. Returns the
    /// folders that changed.
    pub async fn delete(
        &mut self,
        store: &mut Store,
        ids: &[MessageId],
    ) -> Result<Vec<FolderId>, BackendError> {
        match self {
            Backend::Imap(imap) => imap.delete(store, ids).await,
            Backend::Local(local) => local.delete(store, ids),
        }
    }

    /// Moves messages to the account's archive (see [`archive_target`]); a folder
    /// that does not exist yet is created only when `create` says so (the user was
    /// asked), else the error carries its name.
    pub async fn archive(
        &mut self,
        store: &mut Store,
        ids: &[MessageId],
        configured: Option<&str>,
        create: bool,
    ) -> Result<Vec<FolderId>, BackendError> {
        let folders = store.folders(self.account())?;
        let target = match archive_target(&folders, configured) {
            ArchiveTarget::Folder(folder) => folder,
            ArchiveTarget::Missing { name } if create => {
                self.create_folder(store, &name, Some(FolderRole::Archive))
                    .await?
            }
            ArchiveTarget::Missing { name } => return Err(BackendError::NoArchive { name }),
        };
        self.move_to(store, ids, target).await
    }

    /// Removes for good the messages of `folder` marked \Deleted.
    pub async fn expunge(
        &mut self,
        store: &mut Store,
        folder: FolderId,
    ) -> Result<Vec<FolderId>, BackendError> {
        match self {
            Backend::Imap(imap) => imap.expunge(store, folder).await,
            Backend::Local(local) => local.expunge(store, folder),
        }
    }

    /// A message's full source (fetched and cached when only its envelope is stored).
    pub async fn fetch_body(
        &mut self,
        store: &mut Store,
        id: MessageId,
    ) -> Result<Vec<u8>, BackendError> {
        match self {
            Backend::Imap(imap) => imap.fetch_body(store, id).await,
            Backend::Local(local) => local.fetch_body(store, id),
        }
    }

    /// Saves a complete message into `folder` with `flags`. Returns the folders that
    /// changed.
    pub async fn append(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        raw: &[u8],
        flags: Flags,
    ) -> Result<Vec<FolderId>, BackendError> {
        match self {
            Backend::Imap(imap) => imap.append(store, folder, raw, flags).await,
            Backend::Local(local) => local.append(store, folder, raw, flags),
        }
    }

    /// Saves the draft `raw` (a complete RFC 5322 message) into the account's Drafts
    /// folder with `\Draft` and `\Seen`, and removes its previous copy `old` (the
    /// `DraftCopy::message` an earlier call returned). An account without a Drafts
    /// folder gets one named "Drafts" (logged as a warning).
    ///
    /// IMAP: UID REPLACE when the server offers it (RFC 8508), else APPEND first (a
    /// connection lost in between loses nothing) and then UID STORE \Deleted and
    /// UID EXPUNGE of the old copy alone. Never a plain EXPUNGE, which would take
    /// every message anyone marked \Deleted with it: without UIDPLUS the old copy is
    /// only marked \Deleted and stays until the folder is expunged. Maildir: a new
    /// file, then the old one removed.
    ///
    /// An `old` already gone (deleted from another machine) is not an error, nor is
    /// one no longer in the Drafts folder (left alone, never removed): the result's
    /// `previous` says what became of it. POP3 accounts have no server folders:
    /// [`BackendError::NoServerDrafts`], and the caller keeps the draft in the store
    /// only.
    pub async fn replace_draft(
        &mut self,
        store: &mut Store,
        raw: &[u8],
        old: Option<MessageId>,
    ) -> Result<DraftCopy, BackendError> {
        match self {
            Backend::Imap(imap) => imap.replace_draft(store, raw, old).await,
            Backend::Local(local) => local.replace_draft(store, raw, old),
        }
    }

    /// Removes the draft `id` from the account's Drafts folder for good (once it was
    /// sent). IMAP: UID STORE \Deleted and UID EXPUNGE of it alone (without UIDPLUS
    /// it is only marked \Deleted); Maildir: its file and its row. A draft already
    /// gone is not an error (no folder changed). A message that is not in this
    /// account's Drafts folder is refused ([`BackendError::NotADraft`]): this never
    /// deletes other mail. POP3: [`BackendError::NoServerDrafts`]. Returns the
    /// folders that changed.
    pub async fn remove_draft(
        &mut self,
        store: &mut Store,
        id: MessageId,
    ) -> Result<Vec<FolderId>, BackendError> {
        match self {
            Backend::Imap(imap) => imap.remove_draft(store, id).await,
            Backend::Local(local) => local.remove_draft(store, id),
        }
    }

    /// Marks a message `$Forwarded` on the server where its folder keeps keywords
    /// (Exchange's do not: that is no error). True when it was marked. POP3 and
    /// Maildir keep no such mark here (Maildir's `P` flag is not in the store's
    /// flags), so they answer false.
    pub async fn mark_forwarded(
        &mut self,
        store: &mut Store,
        id: MessageId,
    ) -> Result<bool, BackendError> {
        match self {
            Backend::Imap(imap) => imap.mark_forwarded(store, id).await,
            Backend::Local(_) => Ok(false),
        }
    }

    /// Creates the folder `name` ('/'-separated) and returns it.
    pub async fn create_folder(
        &mut self,
        store: &mut Store,
        name: &str,
        role: Option<FolderRole>,
    ) -> Result<FolderId, BackendError> {
        match self {
            Backend::Imap(imap) => imap.create_folder(store, name).await,
            Backend::Local(local) => local.create_folder(store, name, role),
        }
    }

    /// Whether the server connection broke (a resync after a command's OK can find
    /// that out without failing the command): connect again before the next job.
    pub fn connection_lost(&self) -> bool {
        match self {
            Backend::Imap(imap) => imap.connection_lost(),
            Backend::Local(_) => false,
        }
    }

    /// Says goodbye to the server, if there is one.
    pub async fn logout(self) {
        if let Backend::Imap(imap) = self {
            imap.logout().await;
        }
    }
}
