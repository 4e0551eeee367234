//! Indexing a generated Maildir++ tree, rescans, and flag renames.

use postern::backend::maildir::{index_maildir, set_maildir_flags, set_message_flags};
use postern::store::{AccountId, Flags, FolderRole, FolderRow, MessageSource, Store};
use std::fs;
use std::path::{Path, PathBuf};

fn message(subject: &str, date: Option<&str>) -> String {
    let date = date.map(|d| format!("Date: {d}\r\n")).unwrap_or_default();
    format!(
        "From: Alice Example <alice@example.org>\r\nTo: bob@example.org\r\n\
         Subject: {subject}\r\nMessage-ID: <{subject}@example.org>\r\n{date}\r\nHello.\r\n"
    )
}

const WITH_ATTACHMENT: &str = "From: carol@example.org\r\nSubject: =?UTF-8?B?UmVwb3J0IMOpdMOp?=\r\n\
Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed;\r\n boundary=\"XYZ\"\r\n\r\n\
--XYZ\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
--XYZ\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XYZ--\r\n";

fn write(path: &Path, content: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

fn make_folder(dir: &Path) {
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(dir.join(sub)).unwrap();
    }
}

/// INBOX: 2 in cur (one seen+answered, one with attachment, unseen), 1 in new.
/// Sent, Drafts, "Deleted Items", Spam, Work, Work/Projects (one flagged+trashed).
fn build_tree(root: &Path) {
    make_folder(root);
    write(
        &root.join("cur/1000.M1.host:2,RS"),
        &message("replied", Some("Mon, 13 Nov 2023 10:00:00 +0000")),
    );
    write(&root.join("cur/1001.M2.host:2,"), WITH_ATTACHMENT);
    write(
        &root.join("new/1002.M3.host"),
        &message("fresh", Some("Wed, 15 Nov 2023 08:00:00 +0100")),
    );
    write(
        &root.join("tmp/1003.M4.host"),
        &message("in delivery", None),
    );
    for name in [".Sent", ".Drafts", ".Deleted Items", ".Spam", ".Work"] {
        make_folder(&root.join(name));
    }
    write(
        &root.join(".Sent/cur/2000.M1.host:2,S"),
        &message("sent one", Some("Sun, 12 Nov 2023 09:00:00 +0000")),
    );
    write(
        &root.join(".Drafts/cur/2001.M1.host:2,DS"),
        &message("a draft", None),
    );
    write(
        &root.join(".Work.Projects/cur/3000.M1.host:2,FST"),
        &message("project", Some("Thu, 16 Nov 2023 12:00:00 +0000")),
    );
    // Not folders: a dot-directory without cur/new, and a plain file.
    fs::create_dir_all(root.join(".git/objects")).unwrap();
    write(&root.join("dovecot-uidlist"), "3 V1 N1\n");
}

fn folder<'a>(folders: &'a [FolderRow], name: &str) -> &'a FolderRow {
    folders
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no folder {name} in {folders:?}"))
}

fn setup() -> (tempfile::TempDir, PathBuf, Store, AccountId) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Maildir");
    build_tree(&root);
    let store = Store::open(&dir.path().join("store.sqlite3")).unwrap();
    let account = store.upsert_account("local", "me@example.org").unwrap();
    (dir, root, store, account)
}

#[test]
fn indexes_folders_roles_flags_and_envelopes() {
    let (_dir, root, mut store, account) = setup();
    let report = index_maildir(&mut store, account, &root).unwrap();
    assert_eq!(report.errors, []);
    assert_eq!((report.added, report.removed, report.updated), (6, 0, 0));

    let folders = store.folders(account).unwrap();
    let names: Vec<_> = folders.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "INBOX",
            "Deleted Items",
            "Drafts",
            "Sent",
            "Spam",
            "Work",
            "Work/Projects"
        ]
    );
    let roles: Vec<_> = folders.iter().map(|f| f.role).collect();
    assert_eq!(
        roles,
        [
            Some(FolderRole::Inbox),
            Some(FolderRole::Trash),
            Some(FolderRole::Drafts),
            Some(FolderRole::Sent),
            Some(FolderRole::Junk),
            None,
            None
        ]
    );
    let inbox = folder(&folders, "INBOX");
    // tmp/ is not indexed; "fresh" (new/) and the attachment one are unread.
    assert_eq!((inbox.total, inbox.unread), (3, 2));
    assert_eq!(
        (
            folder(&folders, "Sent").total,
            folder(&folders, "Sent").unread
        ),
        (1, 0)
    );
    assert_eq!(folder(&folders, "Spam").total, 0);

    let rows = store.envelopes(inbox.id, 0, 10).unwrap();
    let subjects: Vec<_> = rows.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["fresh", "Report été", "replied"]);
    let fresh = &rows[0];
    assert_eq!(fresh.date, 1_700_031_600); // 08:00 +0100 = 07:00 UTC
    assert_eq!(fresh.flags, Flags::default());
    assert_eq!(fresh.from, "Alice Example <alice@example.org>");
    assert!(!fresh.has_attachments);
    assert!(rows[1].has_attachments);
    assert_eq!(rows[1].from, "carol@example.org");
    assert_eq!(rows[1].size, WITH_ATTACHMENT.len() as u64);
    assert_eq!(
        rows[2].flags,
        Flags {
            seen: true,
            answered: true,
            ..Flags::default()
        }
    );
    assert_eq!(
        store.message_source(fresh.id).unwrap(),
        MessageSource::File(root.join("new/1002.M3.host"))
    );

    let project = &store
        .envelopes(folder(&folders, "Work/Projects").id, 0, 10)
        .unwrap()[0];
    assert_eq!(
        project.flags,
        Flags {
            seen: true,
            flagged: true,
            deleted: true,
            ..Flags::default()
        }
    );
    let draft_folder = folder(&folders, "Drafts");
    let draft = &store.envelopes(draft_folder.id, 0, 10).unwrap()[0];
    assert!(draft.flags.draft);
    // No Date header: the file's modification time stands in.
    let mtime = fs::metadata(root.join(".Drafts/cur/2001.M1.host:2,DS"))
        .unwrap()
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(draft.date, mtime);
}

#[test]
fn rescan_adds_removes_renames_and_skips_unchanged() {
    let (_dir, root, mut store, account) = setup();
    index_maildir(&mut store, account, &root).unwrap();
    // Nothing changed: nothing to do.
    let again = index_maildir(&mut store, account, &root).unwrap();
    assert_eq!((again.added, again.removed, again.updated), (0, 0, 0));

    // Unchanged name, changed content: not re-read (files are identified by name).
    write(
        &root.join("cur/1000.M1.host:2,RS"),
        &message("rewritten", None),
    );
    // New mail, a deletion, a flag change in cur/, and new/ -> cur/ (read).
    write(
        &root.join("new/1004.M5.host"),
        &message("newer", Some("Fri, 17 Nov 2023 12:00:00 +0000")),
    );
    fs::remove_file(root.join(".Sent/cur/2000.M1.host:2,S")).unwrap();
    fs::rename(
        root.join("cur/1001.M2.host:2,"),
        root.join("cur/1001.M2.host:2,FS"),
    )
    .unwrap();
    fs::rename(
        root.join("new/1002.M3.host"),
        root.join("cur/1002.M3.host:2,S"),
    )
    .unwrap();

    let report = index_maildir(&mut store, account, &root).unwrap();
    assert_eq!(report.errors, []);
    assert_eq!((report.added, report.removed, report.updated), (1, 1, 2));

    let folders = store.folders(account).unwrap();
    let inbox = folder(&folders, "INBOX");
    assert_eq!((inbox.total, inbox.unread), (4, 1));
    assert_eq!(folder(&folders, "Sent").total, 0);
    let rows = store.envelopes(inbox.id, 0, 10).unwrap();
    let subjects: Vec<_> = rows.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["newer", "fresh", "Report été", "replied"]);
    assert!(rows[2].flags.flagged && rows[2].flags.seen);
    assert!(rows[1].flags.seen);
    assert_eq!(
        store.message_source(rows[1].id).unwrap(),
        MessageSource::File(root.join("cur/1002.M3.host:2,S"))
    );
}

#[test]
fn vanished_folder_is_removed() {
    let (_dir, root, mut store, account) = setup();
    index_maildir(&mut store, account, &root).unwrap();
    fs::remove_dir_all(root.join(".Work.Projects")).unwrap();
    let report = index_maildir(&mut store, account, &root).unwrap();
    assert_eq!(report.removed, 1);
    let folders = store.folders(account).unwrap();
    assert!(folders.iter().all(|f| f.name != "Work/Projects"));
    assert!(folders.iter().any(|f| f.name == "Work"));
}

#[test]
fn malformed_files_are_reported_not_fatal() {
    let (_dir, root, mut store, account) = setup();
    write(&root.join("cur/2000.empty.host:2,S"), "");
    fs::create_dir_all(root.join("cur/2001.adir.host:2,")).unwrap();
    // Binary junk is not a valid message, but it must not stop anything.
    fs::write(
        root.join("new/2002.junk.host"),
        [0u8, 159, 146, 150, 255, b'\n', 0],
    )
    .unwrap();
    let report = index_maildir(&mut store, account, &root).unwrap();
    let mut bad: Vec<_> = report
        .errors
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    bad.sort();
    assert_eq!(bad, ["2000.empty.host:2,S", "2001.adir.host:2,"]);
    assert!(report.errors.iter().all(|(_, why)| !why.is_empty()));
    // Everything else still went in (6 good + the junk file).
    assert_eq!(report.added, 7);
    let inbox = &store.folders(account).unwrap()[0];
    assert_eq!(inbox.total, 4);
}

#[test]
fn missing_root_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("local", "me@example.org").unwrap();
    let err = index_maildir(&mut store, account, &dir.path().join("nope")).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn set_maildir_flags_renames_and_moves_new_to_cur() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_folder(root);
    let fresh = root.join("new/1.M1.host");
    write(&fresh, "Subject: x\r\n\r\n");
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    let moved = set_maildir_flags(&fresh, seen).unwrap();
    assert_eq!(moved, root.join("cur/1.M1.host:2,S"));
    assert!(moved.exists() && !fresh.exists());

    // Letters this program does not model (P, keywords) survive; order is ASCII.
    let odd = root.join("cur/2.M2.host:2,Pa");
    write(&odd, "Subject: y\r\n\r\n");
    let all = Flags {
        seen: true,
        flagged: true,
        answered: true,
        deleted: true,
        draft: true,
    };
    let renamed = set_maildir_flags(&odd, all).unwrap();
    assert_eq!(renamed, root.join("cur/2.M2.host:2,DFPRSTa"));
    let cleared = set_maildir_flags(&renamed, Flags::default()).unwrap();
    assert_eq!(cleared, root.join("cur/2.M2.host:2,Pa"));
    // Same flags: same name, no error.
    assert_eq!(
        set_maildir_flags(&cleared, Flags::default()).unwrap(),
        cleared
    );
    assert!(set_maildir_flags(&root.join("cur/gone:2,"), seen).is_err());
}

#[test]
fn set_message_flags_updates_file_and_store() {
    let (_dir, root, mut store, account) = setup();
    index_maildir(&mut store, account, &root).unwrap();
    let inbox = store.folders(account).unwrap()[0].clone();
    let fresh = store.envelopes(inbox.id, 0, 1).unwrap().remove(0);
    assert_eq!(fresh.subject, "fresh");
    let flags = Flags {
        seen: true,
        ..Flags::default()
    };
    let path = set_message_flags(&mut store, fresh.id, flags).unwrap();
    assert_eq!(path, root.join("cur/1002.M3.host:2,S"));
    assert!(path.exists());
    assert_eq!(
        store.message_source(fresh.id).unwrap(),
        MessageSource::File(path)
    );
    assert_eq!(store.envelope(fresh.id).unwrap().flags, flags);
    assert_eq!(store.folders(account).unwrap()[0].unread, inbox.unread - 1);
    // The store already knows the new name: a rescan finds nothing to do.
    let report = index_maildir(&mut store, account, &root).unwrap();
    assert_eq!((report.added, report.removed, report.updated), (0, 0, 0));
}

#[test]
fn folder_names_in_modified_utf7_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_folder(root);
    for name in [
        ".Entw&APw-rfe",
        ".Caf&AOk-.&ZeVnLIqe-",
        ".Tom &- Jerry",
        ".Bad&Zm9v",
    ] {
        make_folder(&root.join(name));
    }
    let mut store = Store::open_in_memory().unwrap();
    let account = store.upsert_account("local", "me@example.org").unwrap();
    index_maildir(&mut store, account, root).unwrap();
    let mut names: Vec<_> = store
        .folders(account)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    names.sort();
    // The last one is not valid modified UTF-7 and is kept as written.
    assert_eq!(
        names,
        [
            "Bad&Zm9v",
            "Café/日本語",
            "Entwürfe",
            "INBOX",
            "Tom & Jerry"
        ]
    );
}
