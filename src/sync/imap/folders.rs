//! Mirroring the server's folder list into the store.

use super::{ImapSync, SyncError};
use crate::store::{FolderRow, Store};

impl ImapSync {
    /// Lists the server's folders into the store: new ones added (with their role,
    /// server name and delimiter), roles updated, folders gone from the server
    /// removed with their messages. Returns the account's folders.
    pub async fn sync_folders(&mut self, store: &mut Store) -> Result<Vec<FolderRow>, SyncError> {
        let remote = self.conn.list_folders().await?;
        let mut kept = Vec::new();
        for folder in remote.iter().filter(|f| f.selectable) {
            let id = store.upsert_folder(self.account, &folder.display_name, folder.role)?;
            store.set_imap_path(id, &folder.path, folder.delimiter)?;
            kept.push(id);
        }
        for (id, _) in store.imap_folders(self.account)? {
            if !kept.contains(&id) {
                store.delete_folder(id)?;
            }
        }
        Ok(store.folders(self.account)?)
    }
}
