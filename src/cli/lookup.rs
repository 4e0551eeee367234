//! Finding what the user named on the command line: a folder by name, a message by
//! id, each checked to belong to the account.

use crate::config::Account;
use crate::store::{AccountId, EnvelopeRow, FolderRole, FolderRow, MessageId, Store, StoreError};

/// The folder called `name` (case-insensitively), or the Inbox when `name` is `None`.
pub fn folder(
    store: &Store,
    id: AccountId,
    account: &Account,
    name: Option<&str>,
) -> anyhow::Result<FolderRow> {
    let folders = store.folders(id)?;
    if folders.is_empty() {
        anyhow::bail!(
            "account `{}` has no folders in the store yet\n  hint: run `postern sync {}` first",
            account.name,
            account.name
        );
    }
    let found = match name {
        Some(name) => folders
            .iter()
            .find(|f| f.name == name)
            .or_else(|| folders.iter().find(|f| f.name.eq_ignore_ascii_case(name))),
        None => folders
            .iter()
            .find(|f| f.role == Some(FolderRole::Inbox))
            .or_else(|| {
                folders
                    .iter()
                    .find(|f| f.name.eq_ignore_ascii_case("INBOX"))
            }),
    };
    match found {
        Some(folder) => Ok(folder.clone()),
        None => {
            let names: Vec<&str> = folders.iter().map(|f| f.name.as_str()).collect();
            anyhow::bail!(
                "account `{}` has no folder named `{}`; it has: {}",
                account.name,
                name.unwrap_or("INBOX"),
                names.join(", ")
            )
        }
    }
}

/// The message with store id `message`, refused unless it is in one of the
/// account's folders.
pub fn message(
    store: &Store,
    id: AccountId,
    account: &Account,
    message: i64,
) -> anyhow::Result<EnvelopeRow> {
    let missing = || {
        anyhow::anyhow!(
            "account `{}` has no message with id {message}\n  hint: `postern list {}` shows the ids",
            account.name,
            account.name
        )
    };
    let row = match store.envelope(MessageId(message)) {
        Ok(row) => row,
        Err(StoreError::NoSuchMessage(_)) => return Err(missing()),
        Err(error) => return Err(error.into()),
    };
    if store.folder(row.folder)?.account != id {
        return Err(missing());
    }
    Ok(row)
}

/// Every message named, checked; the first unknown id stops the command before
/// anything changed.
pub fn messages(
    store: &Store,
    id: AccountId,
    account: &Account,
    ids: &[i64],
) -> anyhow::Result<Vec<EnvelopeRow>> {
    ids.iter()
        .map(|&m| message(store, id, account, m))
        .collect()
}
