//! Mail postern keeps itself: a Maildir tree (the files are the authority, the store
//! follows each rename) or a POP3 account's downloads (the store is all there is).
//! One implementation for both: a message with a Maildir file has its file moved,
//! copied or removed first; one without is only a row.

use std::path::PathBuf;

use super::drafts::{
    self, DRAFT_FLAGS, DRAFTS, DraftCopy, PreviousCopy, draft_location, previous_copy,
};
use super::maildir::{self, IndexReport};
use super::{
    BackendError, FolderSynced, Pop3Download, SyncObserver, SyncTotals, folders_of, own_folder,
};
use crate::mime::parse_envelope;
use crate::store::{
    AccountId, Flags, FolderId, FolderRole, FolderRow, MessageId, MessageSource, NewEnvelope,
    Store, StoreError,
};
use crate::sync::FlagChange;

/// The name of the Trash folder postern makes when an account has none.
const TRASH: &str = "Trash";

pub struct Local {
    account: AccountId,
    kind: Kind,
}

/// Where the mail comes from.
enum Kind {
    /// A Maildir tree: the files are the mail.
    Maildir(PathBuf),
    /// POP3 downloads: rows of the store, and how to download more (boxed: an
    /// account's whole configuration).
    Pop3(Box<Pop3Download>),
}

impl Local {
    pub fn maildir(account: AccountId, root: PathBuf) -> Local {
        Local {
            account,
            kind: Kind::Maildir(root),
        }
    }

    pub fn pop3(account: AccountId, download: Pop3Download) -> Local {
        Local {
            account,
            kind: Kind::Pop3(Box::new(download)),
        }
    }

    /// The Maildir tree, for a Maildir account.
    fn root(&self) -> Option<&PathBuf> {
        match &self.kind {
            Kind::Maildir(root) => Some(root),
            Kind::Pop3(_) => None,
        }
    }

    pub fn account(&self) -> AccountId {
        self.account
    }

    /// The POP3 download settings, to give them new credentials.
    pub fn download_mut(&mut self) -> Option<&mut Pop3Download> {
        match &mut self.kind {
            Kind::Pop3(download) => Some(download.as_mut()),
            Kind::Maildir(_) => None,
        }
    }

    /// Maildir: index the tree; POP3: download what is new.
    pub(super) async fn sync(
        &mut self,
        store: &mut Store,
        observer: &mut dyn SyncObserver,
    ) -> Result<SyncTotals, BackendError> {
        let root = match &self.kind {
            Kind::Pop3(download) => return download.run(self.account, store, observer).await,
            Kind::Maildir(root) => root,
        };
        // Reading a tree of files blocks: on a thread of its own, through a
        // connection of its own (an in-memory store is indexed here).
        let report = match store.reopen()? {
            Some(mut own) => {
                let (account, root) = (self.account, root.clone());
                tokio::task::spawn_blocking(move || {
                    maildir::index_maildir(&mut own, account, &root)
                })
                .await
                .map_err(|error| BackendError::Worker(error.to_string()))??
            }
            None => maildir::index_maildir(store, self.account, root)?,
        };
        let folders = store.folders(self.account)?;
        observer.folders_listed(&folders);
        for folder in folders.iter().filter(|f| report.changed.contains(&f.id)) {
            let new_mail = report
                .arrived
                .iter()
                .find(|(f, _)| *f == folder.id)
                .map_or(0, |(_, n)| *n);
            observer.synced(FolderSynced {
                folder: folder.id,
                name: folder.name.clone(),
                changed: true,
                new_mail,
            });
        }
        Ok(totals(report))
    }

    pub(super) fn set_flags(
        &self,
        store: &mut Store,
        ids: &[MessageId],
        change: FlagChange,
    ) -> Result<Vec<FolderId>, BackendError> {
        folders_of(store, self.account, ids)?;
        let mut changed = Vec::new();
        for id in ids {
            if maildir::change_local_flags(store, *id, change.add, change.remove)? {
                let folder = store.imap_location(*id)?.folder;
                if !changed.contains(&folder) {
                    changed.push(folder);
                }
            }
        }
        Ok(changed)
    }

    pub(super) fn move_to(
        &self,
        store: &mut Store,
        ids: &[MessageId],
        target: FolderId,
    ) -> Result<Vec<FolderId>, BackendError> {
        let dir = self.folder_dir(store, target)?;
        let mut folders = folders_of(store, self.account, ids)?;
        for id in ids {
            if store.imap_location(*id)?.folder == target {
                continue;
            }
            let moved = match (store.maildir_path(*id)?, &dir) {
                (Some(path), Some(dir)) => Some(maildir::move_file(&path, dir)?),
                _ => None,
            };
            store.relocate_local(*id, target, moved.as_deref())?;
        }
        folders.push(target);
        Ok(folders)
    }

    pub(super) fn copy_to(
        &self,
        store: &mut Store,
        ids: &[MessageId],
        target: FolderId,
    ) -> Result<Vec<FolderId>, BackendError> {
        let dir = self.folder_dir(store, target)?;
        folders_of(store, self.account, ids)?;
        for id in ids {
            let file = match (store.maildir_path(*id)?, &dir) {
                (Some(path), Some(dir)) => Some(maildir::copy_file(&path, dir)?),
                _ => None,
            };
            let maildir = file
                .as_ref()
                .map(|(key, path)| (key.as_str(), path.as_path()));
            store.copy_message(*id, target, maildir)?;
        }
        Ok(vec![target])
    }

    pub(super) fn delete(
        &self,
        store: &mut Store,
        ids: &[MessageId],
    ) -> Result<Vec<FolderId>, BackendError> {
        let trash = self.trash(store)?;
        let mut in_trash = Vec::new();
        let mut elsewhere = Vec::new();
        for id in ids {
            if store.imap_location(*id)?.folder == trash {
                in_trash.push(*id);
            } else {
                elsewhere.push(*id);
            }
        }
        let mut folders = folders_of(store, self.account, ids)?;
        self.remove_for_good(store, &in_trash)?;
        if !elsewhere.is_empty() {
            self.move_to(store, &elsewhere, trash)?;
            if !folders.contains(&trash) {
                folders.push(trash);
            }
        }
        Ok(folders)
    }

    pub(super) fn expunge(
        &self,
        store: &mut Store,
        folder: FolderId,
    ) -> Result<Vec<FolderId>, BackendError> {
        own_folder(store, self.account, folder)?;
        let deleted: Vec<MessageId> = store
            .folder_messages(folder)?
            .into_iter()
            .filter(|(_, flags)| flags.deleted)
            .map(|(id, _)| id)
            .collect();
        self.remove_for_good(store, &deleted)?;
        Ok(vec![folder])
    }

    pub(super) fn fetch_body(&self, store: &Store, id: MessageId) -> Result<Vec<u8>, BackendError> {
        folders_of(store, self.account, &[id])?;
        match store.message_source(id)? {
            MessageSource::Cached(raw) => Ok(raw),
            MessageSource::File(path) => std::fs::read(&path).map_err(|source| {
                BackendError::Store(StoreError::Io {
                    path: path.clone(),
                    source,
                })
            }),
            MessageSource::NotFetched => Err(BackendError::NotDownloaded(id)),
        }
    }

    pub(super) fn append(
        &self,
        store: &mut Store,
        folder: FolderId,
        raw: &[u8],
        flags: Flags,
    ) -> Result<Vec<FolderId>, BackendError> {
        self.deliver(store, folder, raw, flags)?;
        Ok(vec![folder])
    }

    /// Saves `raw` into `folder` (Maildir: a new file; POP3: a row with the body
    /// cached) and returns its store id.
    fn deliver(
        &self,
        store: &mut Store,
        folder: FolderId,
        raw: &[u8],
        flags: Flags,
    ) -> Result<Option<MessageId>, BackendError> {
        let dir = self.folder_dir(store, folder)?;
        let now = chrono::Utc::now().timestamp();
        let mut envelope =
            NewEnvelope::from_envelope(parse_envelope(raw), flags, raw.len() as u64, now);
        if let Some(dir) = &dir {
            let (key, path) = maildir::deliver(dir, raw, flags)?;
            envelope.maildir_key = Some(key);
            envelope.maildir_path = Some(path);
        }
        let ids = store.insert_envelopes(folder, &[envelope])?;
        if dir.is_none() {
            for id in &ids {
                store.cache_body(*id, raw)?;
            }
        }
        Ok(ids.first().copied())
    }

    /// Maildir: writes `raw` into the Drafts folder (made when missing) as a new
    /// file, then removes the file of `old`. POP3: refused
    /// ([`BackendError::NoServerDrafts`]): the server has no folders, so the store's
    /// draft is all there is.
    pub(super) fn replace_draft(
        &self,
        store: &mut Store,
        raw: &[u8],
        old: Option<MessageId>,
    ) -> Result<DraftCopy, BackendError> {
        if self.root().is_none() {
            return Err(BackendError::NoServerDrafts);
        }
        let (folder, created_folder) = self.drafts_folder(store)?;
        let previous = previous_copy(store, self.account, old)?;
        // The new file first: a crash in between leaves two copies, never none.
        let message = self.deliver(store, folder, raw, DRAFT_FLAGS)?;
        let previous = match previous {
            Ok((id, _)) => self.remove_previous(store, id),
            Err(outcome) => outcome,
        };
        Ok(DraftCopy {
            folder,
            message,
            changed: vec![folder],
            previous,
            created_folder,
        })
    }

    /// Removes the draft's previous copy once the new one is written; a failure is
    /// logged, not returned (the new copy is saved).
    fn remove_previous(&self, store: &mut Store, id: MessageId) -> PreviousCopy {
        match self.remove_draft_file(store, id) {
            Ok(true) => PreviousCopy::Removed,
            Ok(false) => {
                tracing::info!("the draft's previous copy was already gone from the Maildir");
                PreviousCopy::AlreadyGone
            }
            Err(error) => {
                tracing::warn!(
                    "the draft is saved, but its previous copy could not be removed: {error}"
                );
                PreviousCopy::Kept
            }
        }
    }

    /// Removes the draft `id` for good (it was sent): its file, then its row. One
    /// already gone is no error; a message outside the Drafts folder is refused.
    /// POP3: refused, as it keeps no drafts on the server.
    pub(super) fn remove_draft(
        &self,
        store: &mut Store,
        id: MessageId,
    ) -> Result<Vec<FolderId>, BackendError> {
        if self.root().is_none() {
            return Err(BackendError::NoServerDrafts);
        }
        let Some(location) = draft_location(store, self.account, id)? else {
            return Ok(Vec::new());
        };
        self.remove_draft_file(store, id)?;
        Ok(vec![location.folder])
    }

    /// Removes a draft's file (found again if another program renamed it) and its
    /// row; false when the file was already gone.
    fn remove_draft_file(&self, store: &mut Store, id: MessageId) -> Result<bool, BackendError> {
        let file = store
            .maildir_path(id)?
            .and_then(|path| maildir::current_file(&path));
        if let Some(path) = &file {
            maildir::remove_file(path)?;
        }
        store.delete_messages(&[id])?;
        Ok(file.is_some())
    }

    /// The account's Drafts folder, and whether it had to be made (as for the
    /// Trash: every client makes one when there is none).
    fn drafts_folder(&self, store: &mut Store) -> Result<(FolderId, bool), BackendError> {
        if let Some(folder) = drafts::drafts_folder(store, self.account)? {
            return Ok((folder, false));
        }
        tracing::warn!("the Maildir has no Drafts folder: creating \"{DRAFTS}\"");
        let folder = self.create_folder(store, DRAFTS, Some(FolderRole::Drafts))?;
        Ok((folder, true))
    }

    pub(super) fn create_folder(
        &self,
        store: &mut Store,
        name: &str,
        role: Option<FolderRole>,
    ) -> Result<FolderId, BackendError> {
        // As the index will read it back from the directory: no empty levels.
        let levels: Vec<&str> = name
            .split('/')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if levels.is_empty() {
            return Err(BackendError::FolderName(name.to_owned()));
        }
        let name = levels.join("/");
        let folder = store.upsert_folder(self.account, &name, role)?;
        if let Some(root) = self.root() {
            let dir = maildir::create_folder_dir(root, &name)?;
            store.set_local_dir(folder, &dir)?;
        }
        Ok(folder)
    }

    /// The account's Trash, made when it has none.
    fn trash(&self, store: &mut Store) -> Result<FolderId, BackendError> {
        let folders = store.folders(self.account)?;
        match FolderRow::with_role(&folders, FolderRole::Trash) {
            Some(trash) => Ok(trash.id),
            None => self.create_folder(store, TRASH, Some(FolderRole::Trash)),
        }
    }

    /// Files first, then rows: a crash in between leaves a row whose file is gone,
    /// which the next index removes.
    fn remove_for_good(&self, store: &mut Store, ids: &[MessageId]) -> Result<(), BackendError> {
        for id in ids {
            if let Some(path) = store.maildir_path(*id)? {
                maildir::remove_file(&path)?;
            }
        }
        store.delete_messages(ids)?;
        Ok(())
    }

    /// A Maildir folder's directory (`None` for POP3: no files), refused unless the
    /// folder is this account's.
    fn folder_dir(&self, store: &Store, folder: FolderId) -> Result<Option<PathBuf>, BackendError> {
        let row = own_folder(store, self.account, folder)?;
        let Some(root) = self.root() else {
            return Ok(None);
        };
        if let Some(dir) = store.local_dir(folder)? {
            return Ok(Some(dir));
        }
        // Indexed before postern recorded directories: the name says where it is.
        Ok(Some(if row.role == Some(FolderRole::Inbox) {
            root.clone()
        } else {
            maildir::create_folder_dir(root, &row.name)?
        }))
    }
}

fn totals(report: IndexReport) -> SyncTotals {
    SyncTotals {
        new: report.added,
        flags_changed: report.updated,
        removed: report.removed,
        notes: report
            .errors
            .iter()
            .map(|(path, why)| format!("skipped {}: {why}", path.display()))
            .collect(),
    }
}
