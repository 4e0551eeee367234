//! Changes made here and pushed to the server: flags, move, copy, delete, expunge.
//! The store follows only once the server said OK.

use std::collections::BTreeMap;

use super::append::flag_list;
use super::{ImapSync, SyncError, uid_set};
use crate::proto::imap::{Handled, quote};
use crate::store::{Flags, FolderId, FolderRole, FolderRow, MessageId, Store};

/// Flags to add and to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlagChange {
    pub add: Flags,
    pub remove: Flags,
}

impl FlagChange {
    /// `flags` after this change.
    pub fn apply(self, flags: Flags) -> Flags {
        flags.changed(self.add, self.remove)
    }
}

/// What removing messages for good did on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// UID EXPUNGE took them away.
    Expunged,
    /// The server expunged nothing: it no longer had them (removed elsewhere).
    AlreadyGone,
    /// The server has no UIDPLUS: they are marked \Deleted and stay until the folder
    /// is expunged (shown as deleted meanwhile).
    MarkedDeleted,
}

/// Warns once per run that a server without UIDPLUS keeps removed messages.
static NO_UIDPLUS_WARNING: std::sync::Once = std::sync::Once::new();

/// Messages grouped by folder: folder -> [(message, uid)], UIDs ascending.
type ByFolder = BTreeMap<FolderId, Vec<(MessageId, u32)>>;

impl ImapSync {
    /// Sets and clears flags on the server (UID STORE ... .SILENT), then in the store.
    pub async fn set_flags(
        &mut self,
        store: &mut Store,
        messages: &[MessageId],
        change: FlagChange,
    ) -> Result<(), SyncError> {
        for (folder, items) in self.group(store, messages)? {
            let path = self.imap_path(store, folder)?;
            self.ensure_selected(&path).await?;
            let uids = uids_of(&items);
            for (sign, flags) in [('+', change.add), ('-', change.remove)] {
                let list = flag_list(flags);
                if !list.is_empty() {
                    let command = format!("UID STORE {uids} {sign}FLAGS.SILENT ({list})");
                    self.conn.run(&command, |_| Handled::Pass).await?;
                }
            }
            for (id, _) in &items {
                let old = store.imap_location(*id)?.flags;
                store.set_flags(*id, change.apply(old))?;
            }
        }
        Ok(())
    }

    /// Adds `keyword` (`$Forwarded`) to messages in the folders that keep keywords;
    /// where a folder does not (Exchange), it is left out, which is no error.
    /// Returns how many messages got it. The store does not keep keywords.
    pub async fn add_keyword(
        &mut self,
        store: &mut Store,
        messages: &[MessageId],
        keyword: &str,
    ) -> Result<usize, SyncError> {
        let mut marked = 0;
        for (folder, items) in self.group(store, messages)? {
            let path = self.imap_path(store, folder)?;
            self.ensure_selected(&path).await?;
            let keeps = self
                .conn
                .selected()
                .is_some_and(|selected| selected.keeps_keyword(keyword));
            if !keeps {
                tracing::debug!(folder = %path, "{keyword} is not kept here; left out");
                continue;
            }
            let command = format!("UID STORE {} +FLAGS.SILENT ({keyword})", uids_of(&items));
            self.conn.run(&command, |_| Handled::Pass).await?;
            marked += items.len();
        }
        Ok(marked)
    }

    /// Moves messages to `target` (MOVE when offered, else COPY, \Deleted and
    /// expunge). A message keeps its store id and cached body: its row follows it to
    /// the new UID the server reports (COPYUID), or, without one, to the row the
    /// target's sync brings for it (found by Message-ID).
    pub async fn move_messages(
        &mut self,
        store: &mut Store,
        messages: &[MessageId],
        target: FolderId,
    ) -> Result<(), SyncError> {
        let target_path = self.imap_path(store, target)?;
        let mut unmapped = Vec::new();
        for (folder, items) in self.group(store, messages)? {
            if folder == target {
                continue;
            }
            let path = self.imap_path(store, folder)?;
            self.ensure_selected(&path).await?;
            let uids = uids_of(&items);
            let mapping = if self.conn.capabilities().has("MOVE") {
                let command = format!("UID MOVE {uids} {}", quote(&target_path));
                self.conn.run(&command, |_| Handled::Pass).await?.copy_uid
            } else {
                let command = format!("UID COPY {uids} {}", quote(&target_path));
                let copied = self.conn.run(&command, |_| Handled::Pass).await?.copy_uid;
                self.expunge_uids(&uids).await?;
                copied
            };
            for (id, uid) in &items {
                let moved = mapping
                    .iter()
                    .find(|(from, _)| from == uid)
                    .map(|(_, to)| *to);
                match moved {
                    Some(new_uid) if store.message_by_uid(target, new_uid)?.is_none() => {
                        store.relocate_message(*id, target, new_uid)?
                    }
                    _ => unmapped.push(*id),
                }
            }
            // What the server reported about the source folder is applied now.
            self.conn.take_events();
        }
        if !unmapped.is_empty() {
            self.follow_moved(store, &unmapped, target).await?;
        }
        Ok(())
    }

    /// Messages moved without their new UID: the target's sync stores them as new
    /// rows; each original row takes the place of the one with its Message-ID. One
    /// that cannot be told apart (no Message-ID, or several) is dropped, and the new
    /// row stays.
    async fn follow_moved(
        &mut self,
        store: &mut Store,
        moved: &[MessageId],
        target: FolderId,
    ) -> Result<(), SyncError> {
        let headers = moved
            .iter()
            .map(|id| Ok((*id, store.message_id_header(*id)?)))
            .collect::<Result<Vec<_>, SyncError>>()?;
        if let Err(error) = self.sync_folder(store, target, &mut |_| {}).await {
            // The server moved them: the store must not keep them where they were.
            // Their copies in the target come with its next sync.
            tracing::warn!("resync after a MOVE failed; the next sync settles it: {error}");
            let ids: Vec<MessageId> = headers.iter().map(|(id, _)| *id).collect();
            store.delete_messages(&ids)?;
            return Ok(());
        }
        for (id, header) in headers {
            let found = match &header {
                Some(header) => store.find_by_message_id(target, header)?,
                None => Vec::new(),
            };
            let found: Vec<_> = found.into_iter().filter(|(row, _)| *row != id).collect();
            match found.as_slice() {
                [(row, Some(uid))] => {
                    store.delete_messages(&[*row])?;
                    store.relocate_message(id, target, *uid)?;
                }
                _ => {
                    store.delete_messages(&[id])?;
                }
            }
        }
        Ok(())
    }

    /// Creates the folder `name` ('/' between levels) on the server, then lists the
    /// folders again; returns the new folder.
    pub async fn create_folder(
        &mut self,
        store: &mut Store,
        name: &str,
    ) -> Result<FolderId, SyncError> {
        // `name` is written as postern shows names: '/' between levels. The server
        // may use another separator.
        let delimiter = self
            .conn
            .list_folders()
            .await?
            .iter()
            .find_map(|f| f.delimiter)
            .filter(|d| *d != '/');
        let path = match delimiter {
            Some(d) => name.replace('/', &d.to_string()),
            None => name.to_owned(),
        };
        self.conn
            .run(&format!("CREATE {}", quote(&path)), |_| Handled::Pass)
            .await?;
        let folders = self.sync_folders(store).await?;
        folders
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.id)
            .ok_or_else(|| {
                self.conn
                    .unexpected("CREATE", "the new folder is not in the folder list")
                    .into()
            })
    }

    /// Copies messages to `target`; the copies enter the store with the target's
    /// next sync.
    pub async fn copy_messages(
        &mut self,
        store: &mut Store,
        messages: &[MessageId],
        target: FolderId,
    ) -> Result<(), SyncError> {
        let target_path = self.imap_path(store, target)?;
        for (folder, items) in self.group(store, messages)? {
            let path = self.imap_path(store, folder)?;
            self.ensure_selected(&path).await?;
            let command = format!("UID COPY {} {}", uids_of(&items), quote(&target_path));
            self.conn.run(&command, |_| Handled::Pass).await?;
        }
        Ok(())
    }

    /// Deletes messages the way users expect: moved to the Trash folder, or, for
    /// messages already in the Trash, removed for good.
    pub async fn delete_messages(
        &mut self,
        store: &mut Store,
        messages: &[MessageId],
    ) -> Result<(), SyncError> {
        let folders = store.folders(self.account)?;
        let trash = FolderRow::with_role(&folders, FolderRole::Trash)
            .filter(|f| store.imap_path(f.id).ok().flatten().is_some())
            .map(|f| f.id)
            .ok_or(SyncError::NoTrash)?;
        let groups = self.group(store, messages)?;
        let (in_trash, elsewhere): (Vec<_>, Vec<_>) =
            groups.into_iter().partition(|(folder, _)| *folder == trash);
        for (_, items) in in_trash {
            let path = self.imap_path(store, trash)?;
            self.ensure_selected(&path).await?;
            self.expunge_uids(&uids_of(&items)).await?;
            let ids: Vec<MessageId> = items.iter().map(|(id, _)| *id).collect();
            store.delete_messages(&ids)?;
        }
        let ids: Vec<MessageId> = elsewhere
            .into_iter()
            .flat_map(|(_, items)| items.into_iter().map(|(id, _)| id))
            .collect();
        if !ids.is_empty() {
            self.move_messages(store, &ids, trash).await?;
        }
        Ok(())
    }

    /// Expunges every \Deleted message of `folder`, then resyncs it so the store
    /// drops them too.
    pub async fn expunge(&mut self, store: &mut Store, folder: FolderId) -> Result<(), SyncError> {
        let path = self.imap_path(store, folder)?;
        self.ensure_selected(&path).await?;
        self.conn.run("EXPUNGE", |_| Handled::Pass).await?;
        self.sync_folder(store, folder, &mut |_| {}).await?;
        Ok(())
    }

    /// Removes the messages `uids` of `folder` for good, and only them: UID STORE
    /// +FLAGS.SILENT (\Deleted), then UID EXPUNGE (UIDPLUS). Never a plain EXPUNGE:
    /// it would take with them every message of the folder anyone marked \Deleted.
    /// So without UIDPLUS they are only marked \Deleted and stay on the server until
    /// the folder is expunged (a warning is logged, once). The store follows with
    /// the folder's next sync. (`store` is `&mut` so the future is `Send`.)
    pub async fn remove_uids(
        &mut self,
        store: &mut Store,
        folder: FolderId,
        uids: &[u32],
    ) -> Result<Removal, SyncError> {
        let path = self.imap_path(store, folder)?;
        self.ensure_selected(&path).await?;
        let set = uid_set(uids);
        let command = format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)");
        self.conn.run(&command, |_| Handled::Pass).await?;
        if !self.conn.capabilities().has("UIDPLUS") {
            NO_UIDPLUS_WARNING.call_once(|| {
                tracing::warn!(
                    "{} has no UIDPLUS: messages postern removes one by one (old drafts) are only marked \\Deleted, and stay until the folder is expunged",
                    self.conn.host()
                );
            });
            return Ok(Removal::MarkedDeleted);
        }
        let before = self.expunges_heard(uids);
        self.conn
            .run(&format!("UID EXPUNGE {set}"), |_| Handled::Pass)
            .await?;
        Ok(if self.expunges_heard(uids) > before {
            Removal::Expunged
        } else {
            Removal::AlreadyGone
        })
    }

    /// How many expunges the server reported so far (EXPUNGE, or VANISHED of one
    /// of `uids`): more after a UID EXPUNGE means it removed something.
    fn expunges_heard(&self, uids: &[u32]) -> usize {
        let events = self.conn.events();
        let vanished = events
            .vanished
            .iter()
            .filter(|range| uids.iter().any(|uid| range.contains(uid)))
            .count();
        events.expunged.len() + vanished
    }

    /// Marks `uids` \Deleted and expunges them: only them with UIDPLUS, else the
    /// whole folder's \Deleted messages (plain EXPUNGE).
    async fn expunge_uids(&mut self, uids: &str) -> Result<(), SyncError> {
        let command = format!("UID STORE {uids} +FLAGS.SILENT (\\Deleted)");
        self.conn.run(&command, |_| Handled::Pass).await?;
        let expunge = if self.conn.capabilities().has("UIDPLUS") {
            format!("UID EXPUNGE {uids}")
        } else {
            "EXPUNGE".to_owned()
        };
        self.conn.run(&expunge, |_| Handled::Pass).await?;
        Ok(())
    }

    /// Messages by folder, each with its UID; messages of other accounts or without
    /// UID are refused.
    fn group(&self, store: &Store, messages: &[MessageId]) -> Result<ByFolder, SyncError> {
        let mut groups = ByFolder::new();
        for id in messages {
            let location = store.imap_location(*id)?;
            let uid = location.uid.ok_or(SyncError::NotImapMessage(*id))?;
            if store.folder(location.folder)?.account != self.account {
                return Err(SyncError::NotImapMessage(*id));
            }
            groups.entry(location.folder).or_default().push((*id, uid));
        }
        for items in groups.values_mut() {
            items.sort_by_key(|(_, uid)| *uid);
            items.dedup_by_key(|(_, uid)| *uid);
        }
        Ok(groups)
    }
}

fn uids_of(items: &[(MessageId, u32)]) -> String {
    let uids: Vec<u32> = items.iter().map(|(_, uid)| *uid).collect();
    uid_set(&uids)
}
