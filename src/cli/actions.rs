//! `postern flag`, `postern move` and `postern delete`: through the same backend the
//! engine's workers use (the server first for IMAP accounts, the files for Maildir,
//! the downloaded copies for POP3).

use std::process::ExitCode;

use crate::backend::Backend;
use crate::config::Account;
use crate::paths::Paths;
use crate::store::{AccountId, Flags, MessageId, Store};
use crate::sync::imap::FlagChange;

use super::{lookup, remote};
use crate::engine::explain::backend_error;

/// Flags to set and clear, from `--seen`, `--unseen`, `--flagged`, `--unflagged`
/// (at least one).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
#[group(id = "change", required = true, multiple = true)]
pub struct FlagArgs {
    #[arg(long, conflicts_with = "unseen")]
    pub seen: bool,
    #[arg(long)]
    pub unseen: bool,
    #[arg(long, conflicts_with = "unflagged")]
    pub flagged: bool,
    #[arg(long)]
    pub unflagged: bool,
}

impl FlagArgs {
    fn change(self) -> FlagChange {
        FlagChange {
            add: Flags {
                seen: self.seen,
                flagged: self.flagged,
                ..Flags::default()
            },
            remove: Flags {
                seen: self.unseen,
                flagged: self.unflagged,
                ..Flags::default()
            },
        }
    }
}

pub async fn flag(
    paths: &Paths,
    account: &Account,
    ids: &[i64],
    flags: FlagArgs,
) -> anyhow::Result<ExitCode> {
    let mut opened = open(paths, account, ids).await?;
    opened
        .backend
        .set_flags(&mut opened.store, &opened.messages, flags.change())
        .await
        .map_err(|error| backend_error(&error, account))?;
    let count = opened.messages.len();
    opened.backend.logout().await;
    say!("{}: {count} message(s) updated", account.name);
    Ok(ExitCode::SUCCESS)
}

pub async fn move_to(
    paths: &Paths,
    account: &Account,
    ids: &[i64],
    target: &str,
) -> anyhow::Result<ExitCode> {
    let mut opened = open(paths, account, ids).await?;
    let folder = lookup::folder(&opened.store, opened.id, account, Some(target))?;
    opened
        .backend
        .move_to(&mut opened.store, &opened.messages, folder.id)
        .await
        .map_err(|error| backend_error(&error, account))?;
    let count = opened.messages.len();
    opened.backend.logout().await;
    say!(
        "{}: {count} message(s) moved to {}",
        account.name,
        folder.name
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn delete(paths: &Paths, account: &Account, ids: &[i64]) -> anyhow::Result<ExitCode> {
    let mut opened = open(paths, account, ids).await?;
    opened
        .backend
        .delete(&mut opened.store, &opened.messages)
        .await
        .map_err(|error| backend_error(&error, account))?;
    let count = opened.messages.len();
    opened.backend.logout().await;
    say!("{}: {count} message(s) deleted", account.name);
    Ok(ExitCode::SUCCESS)
}

/// The account's store, the messages named (checked before anything changes) and
/// its backend, with the folder list fresh (a folder made elsewhere can be a target;
/// the Trash must be known).
struct Opened {
    store: Store,
    id: AccountId,
    messages: Vec<MessageId>,
    backend: Backend,
}

async fn open(paths: &Paths, account: &Account, ids: &[i64]) -> anyhow::Result<Opened> {
    let (mut store, id) = remote::open_store(paths, account)?;
    let messages = lookup::messages(&store, id, account, ids)?
        .iter()
        .map(|row| row.id)
        .collect();
    let mut backend = remote::backend(paths, account, id).await?;
    backend
        .refresh_folders(&mut store)
        .await
        .map_err(|error| backend_error(&error, account))?;
    Ok(Opened {
        store,
        id,
        messages,
        backend,
    })
}
