//! Accounts: one row per `[accounts.<name>]` in the config.

use rusqlite::params;

use super::{AccountId, AccountRow, Store, StoreError};

impl Store {
    /// Create the account `name`, or update its address; returns its id either way.
    pub fn upsert_account(&self, name: &str, email: &str) -> Result<AccountId, StoreError> {
        let id = self.conn.query_row(
            "INSERT INTO accounts (name, email) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET email = excluded.email
             RETURNING id",
            params![name, email],
            |row| row.get(0),
        )?;
        Ok(AccountId(id))
    }

    /// All accounts, by name.
    pub fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, email FROM accounts ORDER BY name")?;
        let rows = stmt.query_map([], |row| {
            Ok(AccountRow {
                id: AccountId(row.get(0)?),
                name: row.get(1)?,
                email: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Remove an account and everything stored for it (folders, messages,
    /// drafts, outbox). The config is not touched.
    pub fn delete_account(&self, account: AccountId) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM accounts WHERE id = ?1", [account.0])?;
        Ok(())
    }
}
