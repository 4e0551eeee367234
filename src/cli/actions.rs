//! `postern flag`, `postern move` and `postern delete`: on the server first for
//! IMAP accounts (the store follows once it said OK), in the files for Maildir.

use std::process::ExitCode;

use crate::config::{Account, Receive};
use crate::paths::Paths;
use crate::store::maildir::change_local_flags;
use crate::store::{AccountId, Flags, MessageId, Store};
use crate::sync::imap::{FlagChange, ImapSync};

use super::{lookup, remote};
use crate::engine::explain::sync_error;

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
    let (mut store, id) = remote::open_store(paths, account)?;
    let rows = lookup::messages(&store, id, account, ids)?;
    let change = flags.change();
    match account.receive {
        Receive::Imap => {
            let credentials = remote::credentials(paths, account).await?;
            let mut imap = remote::imap(account, &credentials, id).await?;
            let messages: Vec<MessageId> = rows.iter().map(|row| row.id).collect();
            imap.set_flags(&mut store, &messages, change)
                .await
                .map_err(|error| sync_error(&error, account))?;
            imap.logout().await;
        }
        // Maildir files and downloaded mail: the flags are postern's own.
        Receive::Maildir | Receive::Pop3 => {
            for row in &rows {
                change_local_flags(&mut store, row.id, change.add, change.remove)?;
            }
        }
    }
    say!("{}: {} message(s) updated", account.name, rows.len());
    Ok(ExitCode::SUCCESS)
}

pub async fn move_to(
    paths: &Paths,
    account: &Account,
    ids: &[i64],
    target: &str,
) -> anyhow::Result<ExitCode> {
    refuse_unless_imap(account, "move")?;
    let Connected {
        mut store,
        id,
        messages,
        mut imap,
    } = connect_with_folders(paths, account, ids).await?;
    let folder = lookup::folder(&store, id, account, Some(target))?;
    imap.move_messages(&mut store, &messages, folder.id)
        .await
        .map_err(|error| sync_error(&error, account))?;
    // Moved messages the server did not map keep coming back only with a sync.
    imap.sync_folder(&mut store, folder.id, &mut |_| {})
        .await
        .map_err(|error| sync_error(&error, account))?;
    imap.logout().await;
    say!(
        "{}: {} message(s) moved to {}",
        account.name,
        messages.len(),
        folder.name
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn delete(paths: &Paths, account: &Account, ids: &[i64]) -> anyhow::Result<ExitCode> {
    refuse_unless_imap(account, "delete")?;
    let Connected {
        mut store,
        messages,
        mut imap,
        ..
    } = connect_with_folders(paths, account, ids).await?;
    imap.delete_messages(&mut store, &messages)
        .await
        .map_err(|error| sync_error(&error, account))?;
    imap.logout().await;
    say!("{}: {} message(s) deleted", account.name, messages.len());
    Ok(ExitCode::SUCCESS)
}

/// An IMAP account's store and logged-in connection, its folder list fresh from the
/// server (a folder made elsewhere can be a target; Trash must be known).
struct Connected {
    store: Store,
    id: AccountId,
    messages: Vec<MessageId>,
    imap: ImapSync,
}

async fn connect_with_folders(
    paths: &Paths,
    account: &Account,
    ids: &[i64],
) -> anyhow::Result<Connected> {
    let (mut store, id) = remote::open_store(paths, account)?;
    let messages = lookup::messages(&store, id, account, ids)?
        .iter()
        .map(|row| row.id)
        .collect();
    let credentials = remote::credentials(paths, account).await?;
    let mut imap = remote::imap(account, &credentials, id).await?;
    imap.sync_folders(&mut store)
        .await
        .map_err(|error| sync_error(&error, account))?;
    Ok(Connected {
        store,
        id,
        messages,
        imap,
    })
}

fn refuse_unless_imap(account: &Account, what: &str) -> anyhow::Result<()> {
    match account.receive {
        Receive::Imap => Ok(()),
        Receive::Maildir => anyhow::bail!(
            "account `{}` is a local Maildir account; `postern {what}` works on IMAP accounts only (use your mail tools on the Maildir directly)",
            account.name
        ),
        Receive::Pop3 => anyhow::bail!(
            "account `{}` is a POP3 account; `postern {what}` works on IMAP accounts only (POP3 has no folders)",
            account.name
        ),
    }
}
