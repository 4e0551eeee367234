//! The real TUI loop (`run_loop`, keys in, screen out) on a real engine against
//! Dovecot: every action a key starts is checked where the mail lives, on the
//! server with another IMAP client (or on disk for a Maildir tree), and so is its
//! undo; a change the server refuses is rolled back on screen and explained.

mod tui_support;

use postern_test_stack::{SeedSpec, Stack, TestUser};
use tui_support::live::{
    Kind, Live, LocalTree, Server, account_config, eventually, flags_shown, folder_row,
    parse_config,
};

const SIZE: (u16, u16) = (120, 40);

/// A new stack user whose INBOX holds `inbox` (newest first), plus the empty
/// folders `folders`; another client logged in on it.
async fn mailbox(prefix: &str, inbox: &[&str], folders: &[&str]) -> (TestUser, Server) {
    let stack = Stack::shared();
    let user = stack.new_user(prefix).unwrap();
    for folder in folders {
        stack.seed(&user, &SeedSpec::folder(folder, 0)).unwrap();
    }
    let mut server = Server::login(&user).await;
    server.fill("INBOX", inbox).await;
    (user, server)
}

/// The UI on one IMAP account of `user` (extra config text after it).
fn imap_ui(user: &TestUser, extra: &str, size: (u16, u16)) -> (Live, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let text = account_config(dir.path(), "mail", user, &Kind::Imap) + extra;
    (Live::start(&parse_config(&text), size), dir)
}

/// Whether the list shows a row for `subject`.
fn listed(screen: &str, subject: &str) -> bool {
    flags_shown(screen, subject).is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flag_and_read_reach_the_server_and_undo_puts_them_back() {
    let (user, mut server) = mailbox("tui-flag", &["Alpha note", "Bravo note"], &[]).await;
    let (ui, _dir) = imap_ui(&user, "", SIZE);
    let screen = ui.wait_for("Bravo note").await;
    assert_eq!(flags_shown(&screen, "Alpha note").as_deref(), Some(" N   "));

    // Shown at once; then on the server.
    ui.press("F");
    ui.wait_until("Alpha shown flagged", |s| {
        flags_shown(s, "Alpha note").as_deref() == Some(" NF  ")
    })
    .await;
    server
        .eventually("Alpha flagged", |s| s.has_flag("Alpha note", "\\Flagged"))
        .await;

    ui.press("jU");
    server
        .eventually("Bravo read", |s| s.has_flag("Bravo note", "\\Seen"))
        .await;
    ui.wait_until("Bravo shown read", |s| {
        flags_shown(s, "Bravo note").as_deref() == Some("     ")
    })
    .await;

    // Undo, newest first: Bravo unread again, then Alpha unflagged.
    ui.press("u");
    let after = server
        .eventually("Bravo unread again", |s| {
            !s.has_flag("Bravo note", "\\Seen")
        })
        .await;
    assert!(after.has_flag("Alpha note", "\\Flagged"), "{after:#?}");
    ui.press("u");
    let after = server
        .eventually("Alpha unflagged again", |s| {
            !s.has_flag("Alpha note", "\\Flagged")
        })
        .await;
    for subject in ["Alpha note", "Bravo note"] {
        assert!(after.mail(subject).unwrap().flags.is_empty(), "{after:#?}");
    }
    ui.wait_until("both shown unread and unflagged", |s| {
        flags_shown(s, "Alpha note").as_deref() == Some(" N   ")
            && flags_shown(s, "Bravo note").as_deref() == Some(" N   ")
    })
    .await;
    ui.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_moves_to_the_trash_and_undo_brings_it_back() {
    let inbox = ["Alpha memo", "Bravo memo", "Charlie memo"];
    let (user, mut server) = mailbox("tui-delete", &inbox, &[]).await;
    let (ui, _dir) = imap_ui(&user, "", SIZE);
    ui.wait_for("Charlie memo").await;

    ui.press("jd");
    ui.wait_until("Bravo gone from the list", |s| !listed(s, "Bravo memo"))
        .await;
    server
        .eventually("Bravo in the Trash", |s| {
            s.folders_of("Bravo memo") == ["Trash"]
        })
        .await;

    ui.press("u");
    ui.wait_until("Bravo listed again", |s| listed(s, "Bravo memo"))
        .await;
    let after = server
        .eventually("Bravo back in INBOX", |s| {
            s.folders_of("Bravo memo") == ["INBOX"]
        })
        .await;
    assert_eq!(after.count("INBOX"), 3, "{after:#?}");
    assert_eq!(after.count("Trash"), 0, "{after:#?}");

    // In the Trash, delete asks first, and is for good. (The cursor followed
    // Charlie when Bravo came back: up to Bravo first.)
    ui.press("kd");
    server
        .eventually("Bravo in the Trash again", |s| {
            s.folders_of("Bravo memo") == ["Trash"]
        })
        .await;
    ui.press("cTrash<Enter>");
    ui.wait_until("Bravo listed in the Trash", |s| listed(s, "Bravo memo"))
        .await;
    ui.press("d");
    ui.wait_for("for good? This cannot be undone.").await;
    ui.press("y");
    let after = server
        .eventually("Bravo gone for good", |s| s.mail("Bravo memo").is_none())
        .await;
    assert_eq!(after.count("INBOX"), 2, "{after:#?}");
    ui.wait_until("the Trash empty", |s| s.contains("no messages"))
        .await;
    ui.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_moves_to_the_archive_folder_and_undo_brings_it_back() {
    let (user, mut server) =
        mailbox("tui-archive", &["Alpha log", "Bravo log"], &["Archive"]).await;
    let (ui, _dir) = imap_ui(&user, "", SIZE);
    ui.wait_for("Bravo log").await;

    ui.press("a");
    ui.wait_until("Alpha gone from the list", |s| !listed(s, "Alpha log"))
        .await;
    server
        .eventually("Alpha archived", |s| {
            s.folders_of("Alpha log") == ["Archive"]
        })
        .await;

    ui.press("u");
    ui.wait_until("Alpha listed again", |s| listed(s, "Alpha log"))
        .await;
    let after = server
        .eventually("Alpha back in INBOX", |s| {
            s.folders_of("Alpha log") == ["INBOX"]
        })
        .await;
    assert_eq!(after.count("Archive"), 0, "{after:#?}");
    ui.quit().await;
}

/// No Archive folder: the server's answer becomes a question, and yes creates it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_without_an_archive_folder_asks_and_creates_it() {
    let (user, mut server) = mailbox("tui-archive-new", &["Alpha item", "Bravo item"], &[]).await;
    assert!(!server.folders().await.iter().any(|f| f == "Archive"));
    let (ui, _dir) = imap_ui(&user, "", SIZE);
    ui.wait_for("Bravo item").await;

    ui.press("a");
    let question = ui.wait_for("Create it and archive").await;
    assert!(question.contains("no folder \"Archive\""), "{question}");
    ui.press("y");
    let after = server
        .eventually("Alpha in a new Archive", |s| {
            s.folders_of("Alpha item") == ["Archive"]
        })
        .await;
    assert_eq!(after.count("INBOX"), 1, "{after:#?}");
    let screen = ui
        .wait_until("Archive listed, Alpha gone", |s| {
            folder_row(s, "Archive").is_some()
                && !listed(s, "Alpha item")
                && listed(s, "Bravo item")
        })
        .await;
    assert!(!screen.contains("Create it"), "{screen}");

    ui.press("u");
    let after = server
        .eventually("Alpha back in INBOX", |s| {
            s.folders_of("Alpha item") == ["INBOX"]
        })
        .await;
    assert!(after.has_folder("Archive"), "the folder stays: {after:#?}");
    ui.wait_until("Alpha listed again", |s| listed(s, "Alpha item"))
        .await;
    ui.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_through_the_picker_and_undo_moves_it_back() {
    let inbox = ["Alpha plan", "Bravo plan", "Charlie plan"];
    let (user, mut server) = mailbox("tui-move", &inbox, &["Projects", "Lists"]).await;
    let (ui, _dir) = imap_ui(&user, "", SIZE);
    ui.wait_for("Charlie plan").await;
    ui.wait_until("Projects listed", |s| folder_row(s, "Projects").is_some())
        .await;

    ui.press("js");
    ui.wait_for("Move 1 message to").await;
    ui.press("proj<Enter>");
    ui.wait_until("Bravo gone from the list", |s| !listed(s, "Bravo plan"))
        .await;
    server
        .eventually("Bravo in Projects", |s| {
            s.folders_of("Bravo plan") == ["Projects"]
        })
        .await;

    ui.press("u");
    ui.wait_until("Bravo listed again", |s| listed(s, "Bravo plan"))
        .await;
    let after = server
        .eventually("Bravo back in INBOX", |s| {
            s.folders_of("Bravo plan") == ["INBOX"]
        })
        .await;
    assert_eq!(after.count("Projects"), 0, "{after:#?}");
    assert_eq!(after.count("Lists"), 0, "{after:#?}");
    ui.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_through_the_picker_leaves_the_original() {
    let (user, mut server) =
        mailbox("tui-copy", &["Alpha draft", "Bravo draft"], &["Projects"]).await;
    let (ui, _dir) = imap_ui(&user, "", SIZE);
    ui.wait_for("Bravo draft").await;
    ui.wait_until("Projects listed", |s| folder_row(s, "Projects").is_some())
        .await;

    ui.press("C");
    ui.wait_for("Copy 1 message to").await;
    ui.press("proj<Enter>");
    let after = server
        .eventually("Alpha in INBOX and Projects", |s| {
            s.folders_of("Alpha draft") == ["INBOX", "Projects"]
        })
        .await;
    assert_eq!(after.count("INBOX"), 2, "{after:#?}");
    assert_eq!(after.count("Projects"), 1, "{after:#?}");
    let screen = ui.wait_for("copied 1 message to Projects").await;
    assert!(listed(&screen, "Alpha draft"), "{screen}");
    ui.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_tagged_messages_are_deleted_together() {
    let inbox = [
        "Alpha one",
        "Bravo two",
        "Charlie three",
        "Delta four",
        "Echo five",
    ];
    let (user, mut server) = mailbox("tui-tag", &inbox, &[]).await;
    let (ui, _dir) = imap_ui(&user, "", SIZE);
    ui.wait_for("Echo five").await;

    ui.press("ttt");
    let screen = ui.wait_for("3 tagged").await;
    for subject in &inbox[..3] {
        assert!(
            flags_shown(&screen, subject).is_some_and(|f| f.starts_with('*')),
            "{subject} tagged:\n{screen}"
        );
    }
    ui.press("d");
    ui.wait_until("the three gone from the list", |s| {
        inbox[..3].iter().all(|subject| !listed(s, subject))
    })
    .await;
    server
        .eventually("the three in the Trash, the others in INBOX", |s| {
            inbox[..3].iter().all(|m| s.folders_of(m) == ["Trash"])
                && inbox[3..].iter().all(|m| s.folders_of(m) == ["INBOX"])
        })
        .await;

    // One undo brings all three back.
    ui.press("u");
    server
        .eventually("all five in INBOX, the Trash empty", |s| {
            s.count("INBOX") == 5 && s.count("Trash") == 0
        })
        .await;
    ui.wait_until("all five listed", |s| {
        inbox.iter().all(|subject| listed(s, subject))
    })
    .await;
    ui.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_all_then_flag_flags_every_message() {
    let inbox = ["Alpha all", "Bravo all", "Charlie all"];
    let (user, mut server) = mailbox("tui-tagall", &inbox, &[]).await;
    let (ui, _dir) = imap_ui(&user, "", SIZE);
    ui.wait_for("Charlie all").await;

    ui.press("<C-a>");
    ui.wait_for("3 tagged").await;
    ui.press("F");
    let after = server
        .eventually("all three flagged", |s| {
            inbox.iter().all(|subject| s.has_flag(subject, "\\Flagged"))
        })
        .await;
    assert_eq!(after.count("INBOX"), 3, "{after:#?}");

    ui.press("u");
    server
        .eventually("none flagged", |s| {
            inbox
                .iter()
                .all(|subject| !s.has_flag(subject, "\\Flagged"))
        })
        .await;
    ui.quit().await;
}

/// Opening a message marks it read on the server; deleting the open message opens
/// the next one (read in its turn), and undo brings the deleted one back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acting_on_the_open_message() {
    let inbox = ["Alpha open", "Bravo open", "Charlie open"];
    let (user, mut server) = mailbox("tui-open", &inbox, &[]).await;
    let (ui, _dir) = imap_ui(&user, "", SIZE);
    ui.wait_for("Charlie open").await;

    ui.press("<Enter>");
    ui.wait_for("The body of Alpha open.").await;
    server
        .eventually("Alpha read", |s| s.has_flag("Alpha open", "\\Seen"))
        .await;

    ui.press("d");
    ui.wait_for("The body of Bravo open.").await;
    let after = server
        .eventually("Alpha in the Trash, Bravo read", |s| {
            s.folders_of("Alpha open") == ["Trash"] && s.has_flag("Bravo open", "\\Seen")
        })
        .await;
    assert!(!after.has_flag("Charlie open", "\\Seen"), "{after:#?}");

    ui.press("u");
    let after = server
        .eventually("Alpha back in INBOX", |s| {
            s.folders_of("Alpha open") == ["INBOX"]
        })
        .await;
    assert!(after.has_flag("Alpha open", "\\Seen"), "{after:#?}");
    ui.press("q");
    ui.wait_until("the list with all three", |s| {
        inbox.iter().all(|subject| listed(s, subject))
    })
    .await;
    ui.quit().await;
}

/// A move whose target another client deleted after postern listed it: Dovecot
/// refuses it ("NO Mailbox doesn't exist", without TRYCREATE); the message comes
/// back on screen, the status line says what happened, why and what to do, and the
/// server is as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_the_server_refuses_is_rolled_back_and_explained() {
    let stack = Stack::shared();
    let user = stack.new_user("tui-refused").unwrap();
    // One unread message in Projects: its count on screen says its sync is done.
    stack
        .seed(
            &user,
            &SeedSpec {
                seen_percent: 0,
                ..SeedSpec::folder("Projects", 1)
            },
        )
        .unwrap();
    let mut server = Server::login(&user).await;
    server.fill("INBOX", &["Alpha case", "Bravo case"]).await;
    // Wide enough for the whole explanation on the status line.
    let (ui, _dir) = imap_ui(&user, "", (320, 30));
    ui.wait_until("Projects synced", |s| {
        folder_row(s, "Projects").is_some_and(|row| row.ends_with(" 1"))
    })
    .await;
    ui.wait_for("Bravo case").await;
    server.run("DELETE Projects").await;

    ui.press("s");
    ui.wait_for("Move 1 message to").await;
    ui.press("proj<Enter>");
    let status = ui
        .wait_until("the refusal explained", |s| {
            s.lines().last().is_some_and(|l| l.contains("likely cause"))
        })
        .await;
    let status = status.lines().last().unwrap_or_default().to_owned();
    assert!(status.contains("mail: moving"), "{status}");
    assert!(
        status.contains("Mailbox doesn't exist: Projects"),
        "{status}"
    );
    assert!(
        status.contains("likely cause: the folder does not exist on the server"),
        "{status}"
    );
    assert!(status.contains("fix: refresh the account"), "{status}");
    let screen = ui
        .wait_until("Alpha listed again", |s| listed(s, "Alpha case"))
        .await;
    assert!(listed(&screen, "Bravo case"), "{screen}");
    let after = server.snapshot().await;
    assert!(!after.has_folder("Projects"), "{after:#?}");
    assert_eq!(after.folders_of("Alpha case"), ["INBOX"], "{after:#?}");
    assert_eq!(after.count("INBOX"), 2, "{after:#?}");
    ui.quit().await;
}

/// A POP3 account acts on its local copies: the server keeps every message,
/// unflagged, and a message deleted here is not downloaded again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_actions_change_the_local_copies_only() {
    let inbox = ["Alpha post", "Bravo post", "Charlie post"];
    let (user, mut server) = mailbox("tui-pop3", &inbox, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let text = account_config(dir.path(), "pop", &user, &Kind::Pop3);
    let ui = Live::start(&parse_config(&text), SIZE);
    ui.wait_for("Charlie post").await;

    ui.press("F");
    let screen = ui
        .wait_until("Alpha flagged", |s| {
            flags_shown(s, "Alpha post").is_some_and(|f| f.contains('F'))
        })
        .await;
    assert!(listed(&screen, "Bravo post"), "{screen}");

    // Delete: to a local Trash, made for it; undo brings it back.
    ui.press("jd");
    ui.wait_until("Bravo gone, a Trash made", |s| {
        !listed(s, "Bravo post") && folder_row(s, "Trash").is_some()
    })
    .await;
    ui.press("u");
    ui.wait_until("Bravo back", |s| listed(s, "Bravo post"))
        .await;

    // Deleted again (the cursor followed Charlie: back to Bravo first); new mail
    // arrives and a refresh downloads it, but not the deleted one.
    ui.press("gjd");
    ui.wait_until("Bravo gone", |s| !listed(s, "Bravo post"))
        .await;
    server.append("INBOX", "Delta post", 0, "").await;
    ui.press("<C-r>");
    let screen = ui.wait_for("Delta post").await;
    assert!(
        !listed(&screen, "Bravo post"),
        "downloaded again:\n{screen}"
    );
    assert!(
        flags_shown(&screen, "Alpha post").is_some_and(|f| f.contains('F')),
        "the local flag survives a download:\n{screen}"
    );
    ui.press("cTrash<Enter>");
    let trash = ui
        .wait_until("Bravo in the local Trash", |s| listed(s, "Bravo post"))
        .await;
    assert!(!listed(&trash, "Alpha post"), "{trash}");

    let after = server.snapshot().await;
    assert_eq!(after.count("INBOX"), 4, "every copy stays: {after:#?}");
    assert_eq!(after.count("Trash"), 0, "{after:#?}");
    for subject in inbox {
        assert!(!after.has_flag(subject, "\\Flagged"), "{after:#?}");
        assert!(!after.has_flag(subject, "\\Deleted"), "{after:#?}");
    }
    ui.quit().await;
}

/// A Maildir tree: flag, delete, move and undo rename and move its files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maildir_actions_move_and_rename_files() {
    let stack = Stack::shared();
    let user = stack.new_user("tui-maildir").unwrap();
    let tree = LocalTree::new(&["Projects"]);
    tree.fill(&["Alpha file", "Bravo file", "Charlie file"]);
    let dir = tempfile::tempdir().unwrap();
    let text = account_config(
        dir.path(),
        "local",
        &user,
        &Kind::Maildir(tree.root.clone()),
    );
    let ui = Live::start(&parse_config(&text), SIZE);
    ui.wait_for("Charlie file").await;

    ui.press("F");
    eventually("Alpha's file flagged", || {
        tree.files_of("INBOX", "Alpha file") == ["FS"]
    })
    .await;

    ui.press("jd");
    eventually("Bravo's file in .Trash/cur", || {
        tree.in_cur("Trash", "Bravo file") && tree.files_of("INBOX", "Bravo file").is_empty()
    })
    .await;

    ui.press("s");
    ui.wait_for("Move 1 message to").await;
    ui.press("proj<Enter>");
    eventually("Charlie's file in .Projects/cur", || {
        tree.in_cur("Projects", "Charlie file") && tree.files_of("INBOX", "Charlie file").is_empty()
    })
    .await;

    // Undo, newest first: the move, the delete, the flag.
    ui.press("u");
    eventually("Charlie's file back", || {
        tree.files_of("INBOX", "Charlie file") == ["S"]
            && tree.files_of("Projects", "Charlie file").is_empty()
    })
    .await;
    ui.press("u");
    eventually("Bravo's file back", || {
        tree.files_of("INBOX", "Bravo file") == ["S"]
            && tree.files_of("Trash", "Bravo file").is_empty()
    })
    .await;
    ui.press("u");
    eventually("Alpha's file unflagged", || {
        tree.files_of("INBOX", "Alpha file") == ["S"]
    })
    .await;
    ui.wait_until("all three listed", |s| {
        ["Alpha file", "Bravo file", "Charlie file"]
            .iter()
            .all(|subject| listed(s, subject))
    })
    .await;
    ui.quit().await;
}

/// `[keys] flag = "*"` reaches the real loop: `*` flags, and `F` no longer does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keys_override_takes_effect_in_the_real_loop() {
    let (user, mut server) = mailbox("tui-keys", &["Alpha key", "Bravo key"], &[]).await;
    let (ui, _dir) = imap_ui(&user, "\n[keys]\nflag = \"*\"\n", SIZE);
    ui.wait_for("Bravo key").await;

    // F on Bravo first, then * on Alpha: were F still bound, its change would reach
    // the server before Alpha's (one worker, in order).
    ui.press("jFk*");
    let after = server
        .eventually("Alpha flagged", |s| s.has_flag("Alpha key", "\\Flagged"))
        .await;
    assert!(!after.has_flag("Bravo key", "\\Flagged"), "{after:#?}");
    let screen = ui.screen();
    assert!(
        flags_shown(&screen, "Bravo key").is_some_and(|f| !f.contains('F')),
        "{screen}"
    );
    ui.quit().await;
}
