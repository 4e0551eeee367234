//! An IMAP account: the server is the authority, the store follows its OKs.

use super::drafts::{
    self, DRAFT_FLAGS, DRAFTS, DraftCopy, PreviousCopy, draft_location, previous_copy,
};
use super::{BackendError, FolderSynced, SyncObserver, SyncTotals, folders_of, own_folder};
use crate::mime::parse_envelope;
use crate::proto::imap::ImapError;
use crate::store::{AccountId, Flags, FolderId, FolderRole, FolderRow, MessageId, Store};
use crate::sync::{FlagChange, ImapSync, Removal, SyncError, SyncReport};

/// The keyword of a forwarded message (RFC 5788's registry; mutt and Thunderbird
/// set it too).
const FORWARDED: &str = "$Forwarded";

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

    pub(super) async fn mark_forwarded(
        &mut self,
        store: &mut Store,
        id: MessageId,
    ) -> Result<bool, BackendError> {
        folders_of(store, self.account(), &[id])?;
        Ok(self.sync.add_keyword(store, &[id], FORWARDED).await? > 0)
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

    /// Saves `raw` into the Drafts folder (made when missing) and removes `old`:
    /// REPLACE when the server offers it, else APPEND first (so a broken connection
    /// loses nothing) and then UID EXPUNGE of the old copy alone.
    pub(super) async fn replace_draft(
        &mut self,
        store: &mut Store,
        raw: &[u8],
        old: Option<MessageId>,
    ) -> Result<DraftCopy, BackendError> {
        let (folder, created_folder) = self.drafts_folder(store).await?;
        let (uid, previous) = match previous_copy(store, self.account(), old)? {
            Ok((old_id, location)) => {
                let old_uid = location.uid.ok_or(SyncError::NotImapMessage(old_id))?;
                self.save_over(store, folder, raw, old_id, old_uid).await?
            }
            Err(previous) => (
                self.sync.append(store, folder, raw, DRAFT_FLAGS).await?,
                previous,
            ),
        };
        self.settle(store, folder).await;
        // The draft is saved: failing now would have the caller save it twice.
        let message = new_copy(store, folder, uid, raw, old).unwrap_or_else(|error| {
            tracing::warn!("the draft is saved, but its copy is not found in the store: {error}");
            None
        });
        Ok(DraftCopy {
            folder,
            message,
            changed: vec![folder],
            previous,
            created_folder,
        })
    }

    /// Saves `raw` into `folder` over the old copy `old_uid` (store id `old_id`) of
    /// the same folder. A REPLACE the server refuses (the old copy was expunged
    /// meanwhile, or the server dislikes it) falls back to APPEND and removal.
    async fn save_over(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        raw: &[u8],
        old_id: MessageId,
        old_uid: u32,
    ) -> Result<(Option<u32>, PreviousCopy), BackendError> {
        if self.sync.conn().capabilities().has("REPLACE") {
            match self
                .sync
                .replace(store, folder, old_uid, folder, raw, DRAFT_FLAGS)
                .await
            {
                Ok(uid) => {
                    // The server replaced it; a store that fails to follow is
                    // settled by the folder's resync.
                    if let Err(error) = store.delete_messages(&[old_id]) {
                        tracing::warn!(
                            "the replaced draft stays in the store until the next sync: {error}"
                        );
                    }
                    return Ok((uid, PreviousCopy::Removed));
                }
                Err(SyncError::Imap(refused @ ImapError::Refused { .. })) => {
                    tracing::info!("REPLACE refused, saving the draft with APPEND: {refused}");
                }
                Err(error) => return Err(error.into()),
            }
        }
        let uid = self.sync.append(store, folder, raw, DRAFT_FLAGS).await?;
        let previous = self.remove_previous(store, folder, old_id, old_uid).await;
        Ok((uid, previous))
    }

    /// Removes the draft's previous copy once the new one is saved. A failure here
    /// does not fail the save (the new copy is on the server): it is logged, and the
    /// caller is told the old copy was kept.
    async fn remove_previous(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        old_id: MessageId,
        old_uid: u32,
    ) -> PreviousCopy {
        match self.remove_one(store, folder, old_id, old_uid).await {
            Ok(Removal::Expunged) => PreviousCopy::Removed,
            Ok(Removal::AlreadyGone) => {
                tracing::info!("the draft's previous copy was already gone from the server");
                PreviousCopy::AlreadyGone
            }
            Ok(Removal::MarkedDeleted) => PreviousCopy::MarkedDeleted,
            Err(error) => {
                tracing::warn!(
                    "the draft is saved, but its previous copy could not be removed: {error}"
                );
                PreviousCopy::Kept
            }
        }
    }

    /// Removes the message `uid` (store id `id`) of `folder` for good, and only it;
    /// once the server says it is gone, the store forgets it too.
    async fn remove_one(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        id: MessageId,
        uid: u32,
    ) -> Result<Removal, BackendError> {
        let removal = self.sync.remove_uids(store, folder, &[uid]).await?;
        if removal != Removal::MarkedDeleted {
            store.delete_messages(&[id])?;
        }
        Ok(removal)
    }

    /// Removes the draft `id` from the Drafts folder for good (it was sent). A draft
    /// already gone is no error; a message outside the Drafts folder is refused.
    pub(super) async fn remove_draft(
        &mut self,
        store: &mut Store,
        id: MessageId,
    ) -> Result<Vec<FolderId>, BackendError> {
        let Some(location) = draft_location(store, self.account(), id)? else {
            return Ok(Vec::new());
        };
        let uid = location.uid.ok_or(SyncError::NotImapMessage(id))?;
        self.remove_one(store, location.folder, id, uid).await?;
        self.settle(store, location.folder).await;
        Ok(vec![location.folder])
    }

    /// The account's Drafts folder, and whether it had to be made. The store may be
    /// behind the server, so the folders are listed again before one is made.
    async fn drafts_folder(&mut self, store: &mut Store) -> Result<(FolderId, bool), BackendError> {
        if let Some(folder) = drafts::drafts_folder(store, self.account())? {
            return Ok((folder, false));
        }
        self.sync.sync_folders(store).await?;
        if let Some(folder) = drafts::drafts_folder(store, self.account())? {
            return Ok((folder, false));
        }
        tracing::warn!("the account has no Drafts folder: creating \"{DRAFTS}\" on the server");
        Ok((self.sync.create_folder(store, DRAFTS).await?, true))
    }

    pub(super) async fn logout(self) {
        self.sync.logout().await;
    }
}

/// The store id of the copy just saved in `folder`: by the UID the server reported,
/// else by its Message-ID when exactly one live message (not `old`, not marked
/// \Deleted) has it.
fn new_copy(
    store: &Store,
    folder: FolderId,
    uid: Option<u32>,
    raw: &[u8],
    old: Option<MessageId>,
) -> Result<Option<MessageId>, BackendError> {
    if let Some(uid) = uid {
        return Ok(store.message_by_uid(folder, uid)?);
    }
    let Some(header) = parse_envelope(raw).message_id else {
        return Ok(None);
    };
    let mut live = Vec::new();
    for (id, _) in store.find_by_message_id(folder, &header)? {
        if Some(id) != old && !store.imap_location(id)?.flags.deleted {
            live.push(id);
        }
    }
    Ok(match live.as_slice() {
        [id] => Some(*id),
        _ => None,
    })
}
