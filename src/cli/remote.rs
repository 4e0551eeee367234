//! Opening what a mail subcommand works on: the store with the account's row, the
//! account's credentials, and its IMAP, POP3 or SMTP connection. Every failure comes
//! back explained (see [`super::explain`]).

use anyhow::Context;

use crate::auth::credentials::Credentials;
use crate::auth::password::DEFAULT_COMMAND_TIMEOUT;
use crate::config::{Account, Receive};
use crate::paths::Paths;
use crate::proto::pop3::Pop3Session;
use crate::proto::smtp::SmtpSession;
use crate::proto::{self, ConnectOptions, ProtoError};
use crate::store::{AccountId, Store};
use crate::sync::imap::{ImapSync, SyncOptions};

use crate::engine::explain::{Problem, credentials_error, proto_error, sync_error};

/// The local store and the account's row in it (created on first use).
pub fn open_store(paths: &Paths, account: &Account) -> anyhow::Result<(Store, AccountId)> {
    // Store::open creates the data directory.
    let path = paths.store_db();
    let store =
        Store::open(&path).with_context(|| format!("opening the store {}", path.display()))?;
    let id = store.upsert_account(&account.name, &account.email)?;
    Ok((store, id))
}

/// The account's credentials (running its password command, or its token cache).
pub async fn credentials(paths: &Paths, account: &Account) -> Result<Credentials, Problem> {
    Credentials::of(&paths.token_dir(), account, DEFAULT_COMMAND_TIMEOUT)
        .await
        .map_err(|error| credentials_error(&error, account))
}

/// A logged-in IMAP connection syncing into `id`.
pub async fn imap(
    account: &Account,
    credentials: &Credentials,
    id: AccountId,
) -> Result<ImapSync, Problem> {
    let options = ConnectOptions::for_account(account);
    ImapSync::connect(account, credentials, &options, id, SyncOptions::default())
        .await
        .map_err(|error| sync_error(&error, account))
}

/// A logged-in POP3 session.
pub async fn pop3(account: &Account, credentials: &Credentials) -> Result<Pop3Session, Problem> {
    let options = ConnectOptions::for_account(account);
    proto::pop3::connect(account, credentials, &options)
        .await
        .map_err(|error| proto_error(&error, account))
}

/// A logged-in SMTP session; the raw error, because the outbox records it per message.
pub async fn smtp(account: &Account, credentials: &Credentials) -> Result<SmtpSession, ProtoError> {
    proto::smtp::connect(account, credentials, &ConnectOptions::for_account(account)).await
}

/// Whether the account keeps its mail on an IMAP server (flags, moves and deletes
/// go to the server too).
pub fn is_imap(account: &Account) -> bool {
    account.receive == Receive::Imap
}
