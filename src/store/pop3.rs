//! POP3 bookkeeping: which UIDLs were downloaded, and which the server
//! has since been asked to delete (so a "leave on server" account does not
//! download the same message twice).

use rusqlite::params;

use super::{AccountId, Store, StoreError, now};

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
