//! Where archived mail goes: one rule for the TUI, the CLI and every kind of account.

use crate::store::{FolderId, FolderRole, FolderRow};

/// The folder to archive to, or the name of one to create (after asking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveTarget {
    Folder(FolderId),
    Missing { name: String },
}

/// The name used when nothing says otherwise.
const DEFAULT_ARCHIVE: &str = "Archive";

/// In order: the account's `archive_folder`, when set (what the user named wins; it
/// is created, after asking, when missing); the folder marked \Archive (or named
/// Archive, which the folder sync marks too); as on Gmail, where `\All` is offered
/// and no `\Archive`, the All Mail folder (a MOVE there removes the INBOX label,
/// which is what archiving means on Gmail, never a new label); else a folder named
/// Archive, to be created. Names are compared as postern shows them ('/' between
/// levels), in any case.
pub fn archive_target(folders: &[FolderRow], configured: Option<&str>) -> ArchiveTarget {
    let with_role = |role| FolderRow::with_role(folders, role).map(|f| f.id);
    let named = |name: &str| {
        folders
            .iter()
            .find(|f| f.name == name)
            .or_else(|| folders.iter().find(|f| f.name.eq_ignore_ascii_case(name)))
            .map(|f| f.id)
    };
    if let Some(name) = configured {
        return named(name).map_or_else(
            || ArchiveTarget::Missing {
                name: name.to_owned(),
            },
            ArchiveTarget::Folder,
        );
    }
    match with_role(FolderRole::Archive)
        .or_else(|| with_role(FolderRole::All))
        .or_else(|| named(DEFAULT_ARCHIVE))
    {
        Some(folder) => ArchiveTarget::Folder(folder),
        None => ArchiveTarget::Missing {
            name: DEFAULT_ARCHIVE.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AccountId;

    fn folder(id: i64, name: &str, role: Option<FolderRole>) -> FolderRow {
        FolderRow {
            id: FolderId(id),
            account: AccountId(1),
            name: name.into(),
            role,
            total: 0,
            unread: 0,
        }
    }

    #[test]
    fn the_config_then_the_archive_role_then_all_mail_then_a_new_archive() {
        let inbox = folder(1, "INBOX", Some(FolderRole::Inbox));
        let marked = folder(2, "Kept", Some(FolderRole::Archive));
        let all = folder(3, "[Gmail]/All Mail", Some(FolderRole::All));
        let old = folder(4, "Old mail", None);
        let target = |folders: &[FolderRow], configured| archive_target(folders, configured);
        let everything = [inbox.clone(), marked, all.clone(), old.clone()];
        assert_eq!(
            target(&everything, None),
            ArchiveTarget::Folder(FolderId(2))
        );
        let gmail = [inbox.clone(), all, old.clone()];
        assert_eq!(target(&gmail, None), ArchiveTarget::Folder(FolderId(3)));
        assert_eq!(
            target(&gmail, Some("old MAIL")),
            ArchiveTarget::Folder(FolderId(4))
        );
        assert_eq!(
            target(&gmail, Some("Done")),
            ArchiveTarget::Missing {
                name: "Done".into()
            }
        );
        assert_eq!(
            target(&[inbox, old], None),
            ArchiveTarget::Missing {
                name: "Archive".into()
            }
        );
    }
}
