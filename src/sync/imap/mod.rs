//! Keeping the local store in step with an IMAP account: folders, envelopes (newest
//! first, in chunks), incremental resync (QRESYNC when offered), bodies on demand,
//! flags, moves and deletes, search, IDLE and APPEND.
//!
//! [`ImapSync`] owns one logged-in connection; the store is passed to each call, so
//! the caller (the engine's account worker) keeps ownership of its database.

mod actions;
mod append;
mod body;
mod envelopes;
pub mod error;
mod folders;
mod idle;
mod search;
mod uidset;
mod writer;

use std::time::Duration;

pub use actions::{FlagChange, Removal};
pub use error::SyncError;
pub use idle::IdleOutcome;
pub use search::SearchQuery;
pub use uidset::uid_set;

use crate::auth::credentials::Credentials;
use crate::config::Account;
use crate::proto::imap::{self, ImapConn, ImapError};
use crate::proto::{ConnectOptions, ProtoError};
use crate::store::{AccountId, FolderId};

/// Tuning of a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    /// Messages in the first chunk of a fresh folder: the first screen.
    pub first_chunk: usize,
    /// Messages per later chunk (one store transaction each).
    pub chunk: usize,
    /// Use QRESYNC when the server offers it (off: the UID/FLAGS comparison).
    pub use_qresync: bool,
    /// Longest single IDLE before it is renewed (RFC 2177: under 30 minutes).
    pub idle_renew: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            first_chunk: 100,
            chunk: 2000,
            use_qresync: true,
            idle_renew: Duration::from_secs(29 * 60),
        }
    }
}

/// How far a folder sync has come, for progress events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncProgress {
    pub folder: FolderId,
    /// Envelopes stored by this sync so far.
    pub fetched: usize,
    /// Envelopes this sync means to fetch.
    pub to_fetch: usize,
}

/// What a folder sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncReport {
    /// New envelopes stored.
    pub fetched: usize,
    /// Of those, the unread ones that arrived since the folder's last sync (a first
    /// sync brings old mail, not new).
    pub new_unseen: usize,
    /// Messages whose flags changed on the server.
    pub flags_changed: usize,
    /// Messages gone from the server and removed locally.
    pub removed: usize,
    /// The server's UIDVALIDITY changed: the folder was emptied and fetched again.
    pub uidvalidity_reset: bool,
    /// QRESYNC was used (only changes were transferred).
    pub used_qresync: bool,
}

/// One IMAP account's connection, synchronising into a store.
#[derive(Debug)]
pub struct ImapSync {
    conn: ImapConn,
    account: AccountId,
    options: SyncOptions,
}

impl ImapSync {
    /// Connects with whichever credentials the account has, for the store's
    /// `account`.
    pub async fn connect(
        config: &Account,
        credentials: &Credentials,
        connect: &ConnectOptions,
        account: AccountId,
        options: SyncOptions,
    ) -> Result<ImapSync, SyncError> {
        let session = imap::connect(config, credentials, connect)
            .await
            .map_err(ImapError::from)?;
        ImapSync::from_session(config, session, connect, account, options).await
    }

    async fn from_session(
        config: &Account,
        session: imap::ImapSession,
        connect: &ConnectOptions,
        account: AccountId,
        options: SyncOptions,
    ) -> Result<ImapSync, SyncError> {
        let (host, port) = match &config.imap {
            Some(endpoint) => (endpoint.host.as_str(), endpoint.port),
            None => {
                return Err(ImapError::Connect(ProtoError::NotConfigured {
                    protocol: crate::auth::sasl::Protocol::Imap,
                })
                .into());
            }
        };
        let conn = ImapConn::new(session, host, port, connect.timeouts.command).await?;
        Ok(ImapSync::new(conn, account, options))
    }

    /// Wraps an existing connection.
    pub fn new(conn: ImapConn, account: AccountId, options: SyncOptions) -> ImapSync {
        ImapSync {
            conn,
            account,
            options,
        }
    }

    /// The store account this connection syncs into.
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// Whether the connection broke: open a new one.
    pub fn connection_lost(&self) -> bool {
        self.conn.is_broken()
    }

    /// The connection, for commands this module does not wrap.
    pub fn conn(&mut self) -> &mut ImapConn {
        &mut self.conn
    }

    /// Logs out (errors ignored: the connection is closing anyway).
    pub async fn logout(self) {
        self.conn.logout().await;
    }

    /// The server name of a store folder of this account.
    fn imap_path(
        &self,
        store: &crate::store::Store,
        folder: FolderId,
    ) -> Result<String, SyncError> {
        let row = store.folder(folder)?;
        if row.account != self.account {
            return Err(SyncError::NotImapFolder(folder));
        }
        store
            .imap_path(folder)?
            .ok_or(SyncError::NotImapFolder(folder))
    }

    /// SELECTs the folder unless it is already selected.
    async fn ensure_selected(&mut self, path: &str) -> Result<(), SyncError> {
        if self.conn.selected().map(|s| s.mailbox.as_str()) != Some(path) {
            self.conn.select(path, None).await?;
        }
        Ok(())
    }
}
