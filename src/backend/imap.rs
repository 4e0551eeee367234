//! An IMAP account: the server is the authority, the store follows its OKs.

use super::{BackendError, FolderSynced, SyncObserver, SyncTotals, folders_of, own_folder};
use crate::store::{AccountId, Flags, FolderId, FolderRole, FolderRow, MessageId, Store};
use crate::sync::{FlagChange, ImapSync, SyncReport};

/// A logged-in IMAP connection acting for one store account.
pub struct ImapBackend {
    sync: ImapSync,
}

impl ImapBackend {
    pub fn new(sync: ImapSync) -> ImapBackend {
        ImapBackend { sync }
    }

    pub fn account(&self) -> AccountId {
        self.sync.account()
    }

    pub fn connection_lost(&self) -> bool {
        self.sync.connection_lost()
    }

    pub(super) async fn sync(
        &mut self,
        store: &mut Store,
        observer: &mut dyn SyncObserver,
    ) -> Result<SyncTotals, BackendError> {
        let folders = self.sync.sync_folders(store).await?;
        observer.folders_listed(&folders);
        // The INBOX first: its first chunk is the first screen.
        let (inbox, others): (Vec<_>, Vec<_>) = folders
            .into_iter()
            .partition(|f| f.role == Some(FolderRole::Inbox));
        let mut totals = SyncTotals::default();
        for folder in inbox.iter().chain(&others) {
            match self.sync_one(store, folder, observer).await {
                Ok(report) => {
                    totals.new += report.fetched;
                    totals.flags_changed += report.flags_changed;
                    totals.removed += report.removed;
                }
                // A folder the server refuses does not stop the others; a broken
                // connection does (the caller reconnects and resumes).
                Err(error) if !error.is_connection_failure() => observer.failed(folder, error),
                Err(error) => return Err(error),
            }
        }
        Ok(totals)
    }

    pub(super) async fn refresh_folders(
        &mut self,
        store: &mut Store,
    ) -> Result<Vec<FolderRow>, BackendError> {
        Ok(self.sync.sync_folders(store).await?)
    }

    pub(super) async fn sync_folder(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        observer: &mut dyn SyncObserver,
    ) -> Result<(), BackendError> {
        let row = store.folder(folder)?;
        self.sync_one(store, &row, observer).await.map(|_| ())
    }

    async fn sync_one(
        &mut self,
        store: &mut Store,
        folder: &FolderRow,
        observer: &mut dyn SyncObserver,
    ) -> Result<SyncReport, BackendError> {
        let first = store.sync_state(folder.id)?.uidvalidity.is_none();
        let report = self
            .sync
            .sync_folder(store, folder.id, &mut |progress| {
                observer.progress(progress)
            })
            .await?;
        let fresh = first || report.uidvalidity_reset;
        observer.synced(FolderSynced {
            folder: folder.id,
            name: folder.name.clone(),
            changed: report.fetched + report.flags_changed + report.removed > 0
                || report.uidvalidity_reset,
            new_mail: if fresh { 0 } else { report.new_unseen },
        });
        Ok(report)
    }

    pub(super) async fn set_flags(
        &mut self,
        store: &mut Store,
        ids: &[MessageId],
        change: FlagChange,
    ) -> Result<Vec<FolderId>, BackendError> {
        let folders = folders_of(store, self.account(), ids)?;
        self.sync.set_flags(store, ids, change).await?;
        Ok(folders)
    }

    pub(super) async fn move_to(
        &mut self,
        store: &mut Store,
        ids: &[MessageId],
        target: FolderId,
    ) -> Result<Vec<FolderId>, BackendError> {
        own_folder(store, self.account(), target)?;
        let mut folders = folders_of(store, self.account(), ids)?;
        self.sync.move_messages(store, ids, target).await?;
        folders.push(target);
        Ok(folders)
    }

    pub(super) async fn copy_to(
        &mut self,
        store: &mut Store,
        ids: &[MessageId],
        target: FolderId,
    ) -> Result<Vec<FolderId>, BackendError> {
        own_folder(store, self.account(), target)?;
        folders_of(store, self.account(), ids)?;
        self.sync.copy_messages(store, ids, target).await?;
        // The copies enter the store with the target's sync: now, so they show.
        self.settle(store, target).await;
        Ok(vec![target])
    }

    pub(super) async fn delete(
        &mut self,
        store: &mut Store,
        ids: &[MessageId],
    ) -> Result<Vec<FolderId>, BackendError> {
        let mut folders = folders_of(store, self.account(), ids)?;
        self.sync.delete_messages(store, ids).await?;
        let all = store.folders(self.account())?;
        folders.extend(FolderRow::with_role(&all, FolderRole::Trash).map(|f| f.id));
        Ok(folders)
    }

    pub(super) async fn expunge(
        &mut self,
        store: &mut Store,
        folder: FolderId,
    ) -> Result<Vec<FolderId>, BackendError> {
        own_folder(store, self.account(), folder)?;
        self.sync.expunge(store, folder).await?;
        Ok(vec![folder])
    }

    pub(super) async fn fetch_body(
        &mut self,
        store: &mut Store,
        id: MessageId,
    ) -> Result<Vec<u8>, BackendError> {
        folders_of(store, self.account(), &[id])?;
        Ok(self.sync.fetch_body(store, id).await?)
    }

    pub(super) async fn append(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        raw: &[u8],
        flags: Flags,
    ) -> Result<Vec<FolderId>, BackendError> {
        own_folder(store, self.account(), folder)?;
        self.sync.append(store, folder, raw, flags).await?;
        // The copy enters the store with the folder's sync.
        self.settle(store, folder).await;
        Ok(vec![folder])
    }

    /// Brings `folder` in step after a command the server said OK to. A failure here
    /// does not undo the OK (doing the command again would copy twice): it is logged,
    /// and the next sync settles the store.
    async fn settle(&mut self, store: &mut Store, folder: FolderId) {
        if let Err(error) = self.sync.sync_folder(store, folder, &mut |_| {}).await {
            tracing::warn!(
                "resync after the server's OK failed; the next sync settles it: {error}"
            );
        }
    }

    pub(super) async fn create_folder(
        &mut self,
        store: &mut Store,
        name: &str,
    ) -> Result<FolderId, BackendError> {
        Ok(self.sync.create_folder(store, name).await?)
    }

    pub(super) async fn logout(self) {
        self.sync.logout().await;
    }
}
