//! The server's folder list with special-use roles (RFC 6154), falling back to
//! well-known names when the server marks none.

use async_imap::imap_proto::{MailboxDatum, NameAttribute, Response};

use super::conn::{Handled, ImapConn};
use super::error::ImapError;
use crate::store::FolderRole;

/// One mailbox as LIST described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFolder {
    /// The server's name, used in commands.
    pub path: String,
    pub delimiter: Option<char>,
    /// The name shown, hierarchy separated by '/'.
    pub display_name: String,
    pub role: Option<FolderRole>,
    /// False for `\Noselect` / `\NonExistent` containers.
    pub selectable: bool,
}

impl ImapConn {
    /// Every mailbox of the account. Roles come from special-use attributes when
    /// the server gives them, else from the usual names ("Sent Items", "Spam", ...).
    pub async fn list_folders(&mut self) -> Result<Vec<RemoteFolder>, ImapError> {
        let command = if self.capabilities().has("SPECIAL-USE") {
            r#"LIST "" "*" RETURN (SPECIAL-USE)"#
        } else {
            r#"LIST "" "*""#
        };
        let mut folders = Vec::new();
        self.run(command, |response| match response {
            Response::MailboxData(MailboxDatum::List(data)) => {
                folders.push(remote_folder(
                    &data.name,
                    data.delimiter.as_deref(),
                    &data.name_attributes,
                ));
                Handled::Taken
            }
            _ => Handled::Pass,
        })
        .await?;
        // One folder per role: a special-use mark beats a guess from the name.
        let marked: Vec<FolderRole> = folders
            .iter()
            .filter(|f| f.role.is_some())
            .filter_map(|f| f.role)
            .collect();
        for folder in &mut folders {
            if folder.role.is_none() {
                folder.role = role_from_name(&folder.path, folder.delimiter)
                    .filter(|role| !marked.contains(role));
            }
        }
        Ok(folders)
    }
}

fn remote_folder(
    name: &str,
    delimiter: Option<&str>,
    attributes: &[NameAttribute<'_>],
) -> RemoteFolder {
    let delimiter = delimiter.and_then(|d| d.chars().next());
    let display_name = match delimiter {
        Some(d) if d != '/' => name.replace(d, "/"),
        _ => name.to_owned(),
    };
    let mut role = None;
    let mut selectable = true;
    for attribute in attributes {
        match attribute {
            NameAttribute::Sent => role = Some(FolderRole::Sent),
            NameAttribute::Drafts => role = Some(FolderRole::Drafts),
            NameAttribute::Trash => role = Some(FolderRole::Trash),
            NameAttribute::Archive => role = Some(FolderRole::Archive),
            NameAttribute::Junk => role = Some(FolderRole::Junk),
            NameAttribute::All => role = Some(FolderRole::All),
            NameAttribute::NoSelect => selectable = false,
            NameAttribute::Extension(name) if name.eq_ignore_ascii_case("\\NonExistent") => {
                selectable = false
            }
            _ => {}
        }
    }
    if name.eq_ignore_ascii_case("INBOX") {
        role = Some(FolderRole::Inbox);
    }
    RemoteFolder {
        path: name.to_owned(),
        delimiter,
        display_name,
        role,
        selectable,
    }
}

/// A role guessed from a top-level folder's usual names (or INBOX's children).
pub fn role_from_name(path: &str, delimiter: Option<char>) -> Option<FolderRole> {
    let leaf = match delimiter {
        Some(d) => {
            let parts: Vec<&str> = path.split(d).collect();
            match parts.as_slice() {
                [only] => *only,
                [inbox, leaf] if inbox.eq_ignore_ascii_case("INBOX") => *leaf,
                _ => return None,
            }
        }
        None => path,
    };
    let leaf = leaf.to_ascii_lowercase();
    Some(match leaf.as_str() {
        "inbox" => FolderRole::Inbox,
        "sent" | "sent items" | "sent mail" | "sent messages" => FolderRole::Sent,
        "drafts" | "draft" => FolderRole::Drafts,
        "trash" | "deleted items" | "deleted messages" | "bin" => FolderRole::Trash,
        "junk" | "spam" | "junk e-mail" | "junk email" => FolderRole::Junk,
        "archive" | "archives" => FolderRole::Archive,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_use_and_delimiter() {
        let folder = remote_folder("Work.Sent", Some("."), &[NameAttribute::Sent]);
        assert_eq!(folder.display_name, "Work/Sent");
        assert_eq!(folder.role, Some(FolderRole::Sent));
        assert_eq!(folder.delimiter, Some('.'));
        let container = remote_folder("Lists", Some("/"), &[NameAttribute::NoSelect]);
        assert!(!container.selectable);
    }

    #[test]
    fn roles_from_names() {
        assert_eq!(
            role_from_name("Sent Items", Some('/')),
            Some(FolderRole::Sent)
        );
        assert_eq!(
            role_from_name("INBOX.Spam", Some('.')),
            Some(FolderRole::Junk)
        );
        assert_eq!(role_from_name("Projects/Trash", Some('/')), None);
        assert_eq!(role_from_name("Notes", None), None);
    }
}
