//! `postern flag`, `postern move` and `postern delete`: on the server first for
//! IMAP accounts (the store follows once it said OK), in the files for Maildir.

use std::process::ExitCode;

use crate::config::{Account, Receive};
use crate::paths::Paths;
use crate::store::maildir::set_message_flags;
use crate::store::{Flags, MessageId};
use crate::sync::imap::FlagChange;

use super::explain::sync_error;
use super::{lookup, remote};

/// Flags to set and clear, from `--seen`, `--unseen`, `--flagged`, `--unflagged`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FlagArgs {
    pub seen: bool,
    pub unseen: bool,
    pub flagged: bool,
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

fn apply(change: FlagChange, flags: Flags) -> Flags {
    Flags::from_bits((flags.to_bits() | change.add.to_bits()) & !change.remove.to_bits())
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
        Receive::Maildir => {
            for row in &rows {
                set_message_flags(&mut store, row.id, apply(change, row.flags))?;
            }
        }
        // Downloaded mail lives only here: the flags are postern's own.
        Receive::Pop3 => {
            for row in &rows {
                store.set_flags(row.id, apply(change, row.flags))?;
            }
        }
    }
    eprintln!("{}: {} message(s) updated", account.name, rows.len());
    Ok(ExitCode::SUCCESS)
}

pub async fn move_to(
    paths: &Paths,
    account: &Account,
    ids: &[i64],
    target: &str,
) -> anyhow::Result<ExitCode> {
    refuse_unless_imap(account, "move")?;
    let (mut store, id) = remote::open_store(paths, account)?;
    let rows = lookup::messages(&store, id, account, ids)?;
    let credentials = remote::credentials(paths, account).await?;
    let mut imap = remote::imap(account, &credentials, id).await?;
    // The server's folder list, so a folder made elsewhere can be the target.
    imap.sync_folders(&mut store)
        .await
        .map_err(|error| sync_error(&error, account))?;
    let folder = lookup::folder(&store, id, account, Some(target))?;
    let messages: Vec<MessageId> = rows.iter().map(|row| row.id).collect();
    imap.move_messages(&mut store, &messages, folder.id)
        .await
        .map_err(|error| sync_error(&error, account))?;
    // Moved messages the server did not map keep coming back only with a sync.
    imap.sync_folder(&mut store, folder.id, &mut |_| {})
        .await
        .map_err(|error| sync_error(&error, account))?;
    imap.logout().await;
    eprintln!(
        "{}: {} message(s) moved to {}",
        account.name,
        rows.len(),
        folder.name
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn delete(paths: &Paths, account: &Account, ids: &[i64]) -> anyhow::Result<ExitCode> {
    refuse_unless_imap(account, "delete")?;
    let (mut store, id) = remote::open_store(paths, account)?;
    let rows = lookup::messages(&store, id, account, ids)?;
    let credentials = remote::credentials(paths, account).await?;
    let mut imap = remote::imap(account, &credentials, id).await?;
    imap.sync_folders(&mut store)
        .await
        .map_err(|error| sync_error(&error, account))?;
    let messages: Vec<MessageId> = rows.iter().map(|row| row.id).collect();
    imap.delete_messages(&mut store, &messages)
        .await
        .map_err(|error| sync_error(&error, account))?;
    imap.logout().await;
    eprintln!("{}: {} message(s) deleted", account.name, rows.len());
    Ok(ExitCode::SUCCESS)
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
