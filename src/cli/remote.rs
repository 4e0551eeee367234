//! Opening what a mail subcommand works on: the store with the account's row, the
//! account's credentials, and its IMAP, POP3 or SMTP connection. Every failure comes
//! back explained (see [`super::explain`]).

use anyhow::Context;

use crate::auth::credentials::Credentials;
use crate::auth::password::DEFAULT_COMMAND_TIMEOUT;
use crate::backend::{Backend, Pop3Download};
use crate::config::{Account, Receive};
use crate::paths::Paths;
use crate::proto::smtp::SmtpSession;
use crate::proto::{self, ConnectOptions, ProtoError};
use crate::store::{AccountId, Store};
use crate::sync::imap::{ImapSync, SyncOptions};

use crate::engine::explain::{Problem, credentials_error, sync_error};

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

/// A logged-in SMTP session; the raw error, because the outbox records it per message.
pub async fn smtp(account: &Account, credentials: &Credentials) -> Result<SmtpSession, ProtoError> {
    proto::smtp::connect(account, credentials, &ConnectOptions::for_account(account)).await
}

/// Whether the account keeps its mail on an IMAP server (flags, moves and deletes
/// go to the server too).
pub fn is_imap(account: &Account) -> bool {
    account.receive == Receive::Imap
}

/// The account's backend for store account `id`: an IMAP account logged in now; a
/// POP3 account without credentials yet (only a download needs them); a Maildir tree.
pub async fn backend(paths: &Paths, account: &Account, id: AccountId) -> Result<Backend, Problem> {
    match account.receive {
        Receive::Imap => {
            let credentials = credentials(paths, account).await?;
            let sync = imap(account, &credentials, id).await?;
            Ok(Backend::imap(sync))
        }
        Receive::Pop3 => Ok(Backend::pop3(id, Pop3Download::new(account.clone(), None))),
        Receive::Maildir => match &account.maildir {
            Some(root) => Ok(Backend::maildir(id, root.clone())),
            None => Err(Problem::plain(
                "the account has no `maildir` path configured",
            )),
        },
    }
}
