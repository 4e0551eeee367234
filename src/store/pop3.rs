//! POP3 bookkeeping: which UIDLs were downloaded, and which the server
//! has since been asked to delete (so a "leave on server" account does not
//! download the same message twice).

use rusqlite::params;

use super::envelopes::NewRows;
use super::{AccountId, FolderId, MessageId, NewEnvelope, Store, StoreError, now};

/// A message downloaded over POP3, ready to be stored with its UIDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pop3Message {
    pub uidl: String,
    /// The envelope to list (its `pop3_uidl` is set from `uidl` when stored).
    pub envelope: NewEnvelope,
    /// The full source as the server sent it.
    pub raw: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pop3Uidl {
    pub uidl: String,
    /// Unix seconds.
    pub downloaded_at: i64,
    pub deleted_on_server: bool,
}

impl Store {
    /// Remember that the message `uidl` of `account` was downloaded (again is fine).
    pub fn record_pop3_uidl(&self, account: AccountId, uidl: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO pop3_uidls (account_id, uidl, downloaded_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id, uidl) DO NOTHING",
            params![account.0, uidl, now()],
        )?;
        Ok(())
    }

    /// Stores downloaded messages in `folder` (envelope, body and UIDL of each) in ONE
    /// transaction: once this returns, every one of them is durable and may be deleted
    /// from the server. A UIDL already recorded is skipped (never a duplicate);
    /// returns, in order, the new id of each message or `None` for a skipped one.
    pub fn store_pop3_messages(
        &mut self,
        account: AccountId,
        folder: FolderId,
        messages: &[Pop3Message],
        downloaded_at: i64,
    ) -> Result<Vec<Option<MessageId>>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut ids = Vec::with_capacity(messages.len());
        {
            let mut record = tx.prepare_cached(
                "INSERT INTO pop3_uidls (account_id, uidl, downloaded_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account_id, uidl) DO NOTHING",
            )?;
            let mut body = tx.prepare_cached(
                "INSERT INTO bodies (message_id, raw, fetched_at) VALUES (?1, ?2, ?3)",
            )?;
            let mut rows = NewRows::new(&tx, folder);
            for message in messages {
                if record.execute(params![account.0, message.uidl, downloaded_at])? == 0 {
                    ids.push(None);
                    continue;
                }
                let envelope = NewEnvelope {
                    pop3_uidl: Some(message.uidl.clone()),
                    ..message.envelope.clone()
                };
                let id = rows.insert(&envelope)?;
                body.execute(params![id.0, message.raw, downloaded_at])?;
                ids.push(Some(id));
            }
            rows.finish()?;
        }
        tx.commit()?;
        Ok(ids)
    }

    /// [`Store::mark_pop3_deleted`] for many UIDLs in one transaction (after a QUIT
    /// that committed their deletion).
    pub fn mark_pop3_deleted_all(
        &mut self,
        account: AccountId,
        uidls: &[&str],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE pop3_uidls SET deleted_on_server = 1 WHERE account_id = ?1 AND uidl = ?2",
            )?;
            for uidl in uidls {
                stmt.execute(params![account.0, uidl])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn mark_pop3_deleted(&self, account: AccountId, uidl: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE pop3_uidls SET deleted_on_server = 1 WHERE account_id = ?1 AND uidl = ?2",
            params![account.0, uidl],
        )?;
        Ok(())
    }

    /// Every UIDL recorded for `account`, sorted by UIDL.
    pub fn pop3_uidls(&self, account: AccountId) -> Result<Vec<Pop3Uidl>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uidl, downloaded_at, deleted_on_server FROM pop3_uidls
             WHERE account_id = ?1 ORDER BY uidl",
        )?;
        let rows = stmt.query_map([account.0], |row| {
            Ok(Pop3Uidl {
                uidl: row.get(0)?,
                downloaded_at: row.get(1)?,
                deleted_on_server: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forget UIDLs the server no longer lists (they can never come back).
    pub fn forget_pop3_uidls_except(
        &mut self,
        account: AccountId,
        still_on_server: &[&str],
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS listed (uidl TEXT PRIMARY KEY)")?;
        tx.execute("DELETE FROM temp.listed", [])?;
        {
            let mut insert = tx.prepare_cached("INSERT OR IGNORE INTO temp.listed VALUES (?1)")?;
            for uidl in still_on_server {
                insert.execute([uidl])?;
            }
        }
        let removed = tx.execute(
            "DELETE FROM pop3_uidls WHERE account_id = ?1
             AND uidl NOT IN (SELECT uidl FROM temp.listed)",
            [account.0],
        )?;
        tx.execute("DELETE FROM temp.listed", [])?;
        tx.commit()?;
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FolderRole, MessageSource};

    fn message(uidl: &str) -> Pop3Message {
        Pop3Message {
            uidl: uidl.to_owned(),
            envelope: NewEnvelope {
                subject: format!("about {uidl}"),
                ..NewEnvelope::default()
            },
            raw: format!("Subject: about {uidl}\r\n\r\nhi\r\n").into_bytes(),
        }
    }

    #[test]
    fn a_message_its_body_and_its_uidl_are_stored_together_and_only_once() {
        let mut store = Store::open_in_memory().unwrap();
        let account = store.upsert_account("p", "p@example.org").unwrap();
        let inbox = store
            .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
            .unwrap();
        let ids = store
            .store_pop3_messages(account, inbox, &[message("a"), message("b")], 1000)
            .unwrap();
        let first = ids[0].unwrap();
        assert!(ids[1].is_some());
        assert_eq!(
            store.message_source(first).unwrap(),
            MessageSource::Cached(message("a").raw)
        );
        let again = store
            .store_pop3_messages(account, inbox, &[message("b"), message("c")], 2000)
            .unwrap();
        assert_eq!(again[0], None, "a recorded UIDL is never stored twice");
        assert!(again[1].is_some());
        assert_eq!(store.envelope_count(inbox).unwrap(), 3);
        let uidls = store.pop3_uidls(account).unwrap();
        assert_eq!(uidls.len(), 3);
        assert_eq!(
            uidls[1].downloaded_at, 1000,
            "b keeps its first download time"
        );
    }

    #[test]
    fn a_failed_batch_records_no_uidl() {
        let mut store = Store::open_in_memory().unwrap();
        let account = store.upsert_account("p", "p@example.org").unwrap();
        let missing = FolderId(999);
        let result = store.store_pop3_messages(account, missing, &[message("a")], 1000);
        assert!(
            matches!(result, Err(StoreError::NoSuchFolder(_))),
            "{result:?}"
        );
        assert!(store.pop3_uidls(account).unwrap().is_empty());
    }
}
