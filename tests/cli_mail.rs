//! The headless mail subcommands as a script runs them: the real binary against
//! Dovecot (IMAP, POP3, submission relaying to the recording sink).

mod cli_support;

use std::path::{Path, PathBuf};

use cli_support::{Kind, Profile, WAIT, text};
use postern_test_stack::{SeedSpec, Stack, TestUser};

/// Subjects of the message files in a Maildir folder directory.
fn subjects_in(dir: &Path) -> Vec<String> {
    let mut subjects: Vec<String> = ["cur", "new"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
        .flatten()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .map(|raw| postern::mime::parse_envelope(&raw).subject)
        .collect();
    subjects.sort();
    subjects
}

fn subjects_of(items: &[serde_json::Value]) -> Vec<String> {
    let mut subjects: Vec<String> = items
        .iter()
        .map(|item| item["subject"].as_str().unwrap().to_owned())
        .collect();
    subjects.sort();
    subjects
}

fn id_of(item: &serde_json::Value) -> String {
    item["id"].as_i64().unwrap().to_string()
}

/// Flag letters of the message files of a server folder (`:2,FS` -> "FS").
fn server_flags(dir: &Path) -> Vec<String> {
    ["cur", "new"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
        .flatten()
        .map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            name.rsplit_once(":2,")
                .map(|(_, f)| f.to_owned())
                .unwrap_or_default()
        })
        .collect()
}

fn folder_dir(user: &TestUser, folder: &str) -> PathBuf {
    postern_test_stack::seed::folder_dir(&user.maildir, folder).unwrap()
}

/// A folder the server cannot open (its Maildir unreadable) is reported and the
/// exit code says so, but the other folders still sync.
#[tokio::test]
async fn a_folder_the_server_refuses_does_not_stop_the_others() {
    use std::os::unix::fs::PermissionsExt;
    let stack = Stack::shared();
    let user = stack.new_user("cli-broken").unwrap();
    stack.seed(&user, &SeedSpec::inbox(3)).unwrap();
    stack.seed(&user, &SeedSpec::folder("Broken", 1)).unwrap();
    let cur = folder_dir(&user, "Broken").join("cur");
    std::fs::set_permissions(&cur, std::fs::Permissions::from_mode(0o000)).unwrap();
    let profile = Profile::new();
    profile.write_config(&[profile.account(stack, "ada", &user, &Kind::Imap, None)]);
    let out = profile.run(&["sync", "ada"]).await;
    std::fs::set_permissions(&cur, std::fs::Permissions::from_mode(0o700)).unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("ada: 3 new"), "{stdout}{stderr}");
    assert!(stderr.contains("syncing folder Broken"), "{stderr}");
}

#[tokio::test]
async fn imap_sync_then_list_and_read_show_the_seeded_mail() {
    let stack = Stack::shared();
    let user = stack.new_user("cli-ada").unwrap();
    stack.seed(&user, &SeedSpec::inbox(12)).unwrap();
    let profile = Profile::new();
    profile.write_config(&[profile.account(stack, "ada", &user, &Kind::Imap, None)]);

    let out = profile.ok(&["sync", "ada"]).await;
    assert!(out.contains("ada: 12 new"), "{out}");
    // A second sync finds nothing new.
    let out = profile.ok(&["sync"]).await;
    assert!(out.contains("ada: 0 new"), "{out}");

    let folders = profile.ok(&["folders", "ada"]).await;
    let inbox = folders
        .lines()
        .find(|line| line.starts_with("INBOX\t"))
        .unwrap_or_else(|| panic!("no INBOX in:\n{folders}"));
    let columns: Vec<&str> = inbox.split('\t').collect();
    assert_eq!(columns[1], "inbox");
    assert_eq!(columns[2], "12");
    assert!(
        folders.lines().any(|l| l.starts_with("Sent\tsent\t")),
        "{folders}"
    );

    let items = profile.list_json("ada", "INBOX").await;
    assert_eq!(items.len(), 12);
    assert_eq!(
        subjects_of(&items),
        subjects_in(&folder_dir(&user, "INBOX"))
    );
    let dates: Vec<i64> = items
        .iter()
        .map(|i| i["timestamp"].as_i64().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "not newest first: {dates:?}"
    );
    let unread = items
        .iter()
        .filter(|i| !i["flags"].as_array().unwrap().iter().any(|f| f == "seen"))
        .count();
    assert_eq!(columns[3], unread.to_string());

    // Text output: one tab-separated line per message, --limit respected.
    let list = profile.ok(&["list", "ada", "--limit", "5"]).await;
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 5);
    for (line, item) in lines.iter().zip(&items) {
        let columns: Vec<&str> = line.split('\t').collect();
        assert_eq!(columns[0], id_of(item));
        assert_eq!(columns[3], item["subject"].as_str().unwrap());
    }

    // Bodies were never fetched: read fetches one, and --raw is the server's copy.
    let first = &items[0];
    let subject = first["subject"].as_str().unwrap();
    let rendered = profile.ok(&["read", "ada", &id_of(first)]).await;
    assert!(
        rendered.contains(&format!("Subject: {subject}")),
        "{rendered}"
    );
    let raw = profile.run(&["read", "ada", &id_of(first), "--raw"]).await;
    assert!(raw.status.success());
    let raw = text(&raw.stdout).replace("\r\n", "\n");
    let body = raw.split_once("\n\n").unwrap().1;
    let file = ["cur", "new"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(folder_dir(&user, "INBOX").join(sub)).ok())
        .flatten()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|content| postern::mime::parse_envelope(content.as_bytes()).subject == subject)
        .unwrap();
    assert!(
        file.ends_with(body),
        "raw body differs from the server's file"
    );
    // A text line of the body is in the rendered output.
    let line = body
        .lines()
        .find(|l| l.len() > 20 && !l.contains(':') && !l.contains('<') && !l.starts_with("--"))
        .unwrap();
    assert!(
        rendered.contains(line.trim()),
        "body line {line:?} not in:\n{rendered}"
    );
}

#[tokio::test]
async fn send_delivers_with_attachment_and_keeps_a_copy_in_sent() {
    let stack = Stack::shared();
    let alice = stack.new_user("cli-alice").unwrap();
    let bob = stack.new_user("cli-bob").unwrap();
    let profile = Profile::new();
    profile.write_config(&[profile.account(stack, "alice", &alice, &Kind::Imap, None)]);
    let attachment = profile.dir.path().join("report.pdf");
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&attachment, &bytes).unwrap();

    let out = profile
        .run_with(
            &[
                "send",
                "alice",
                "--to",
                &bob.name,
                "--subject",
                "Quarterly figures",
                "--attach",
                attachment.to_str().unwrap(),
            ],
            b"Hello Bob,\nthe figures are attached.\n",
        )
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("250"),
        "the server's answer is shown: {stdout}"
    );

    let files = stack.wait_for_mail(&bob, "INBOX", 1, WAIT).await.unwrap();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read(&files[0]).unwrap();
    let envelope = postern::mime::parse_envelope(&raw);
    assert_eq!(envelope.subject, "Quarterly figures");
    assert_eq!(envelope.from[0].email, alice.name);
    assert_eq!(envelope.from[0].name.as_deref(), Some("Test alice"));
    assert_eq!(envelope.to[0].email, bob.name);
    assert!(envelope.message_id.is_some());
    let rendered = postern::mime::render(&raw, 80);
    assert!(
        rendered
            .body
            .iter()
            .any(|l| l.contains("the figures are attached"))
    );
    assert_eq!(rendered.attachments.len(), 1);
    assert_eq!(rendered.attachments[0].name, "report.pdf");
    assert_eq!(rendered.attachments[0].size, bytes.len());

    // The copy in Sent: on the server, and in the store for `list`.
    let sent = stack.wait_for_mail(&alice, "Sent", 1, WAIT).await.unwrap();
    assert_eq!(sent.len(), 1);
    let items = profile.list_json("alice", "Sent").await;
    assert_eq!(subjects_of(&items), vec!["Quarterly figures".to_owned()]);
    // Nothing is left in the outbox.
    assert_eq!(profile.ok(&["outbox", "alice"]).await, "");
}

#[tokio::test]
async fn send_with_smtp_down_keeps_the_message_and_retry_sends_it_once() {
    let stack = Stack::shared();
    let alice = stack.new_user("cli-carol").unwrap();
    let bob = stack.new_user("cli-dave").unwrap();
    let dead_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let profile = Profile::new();
    profile.write_config(&[profile.account(stack, "carol", &alice, &Kind::Imap, Some(dead_port))]);

    let out = profile
        .run_with(
            &["send", "carol", "--to", &bob.name, "--subject", "Retry me"],
            b"body\n",
        )
        .await;
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("outbox carol --retry"), "{stderr}");
    assert_eq!(text(&out.stdout), "");

    let outbox = profile.ok(&["outbox", "carol"]).await;
    let rows: Vec<&str> = outbox.lines().collect();
    assert_eq!(rows.len(), 1, "{outbox}");
    let columns: Vec<&str> = rows[0].split('\t').collect();
    assert_eq!(columns[2], "failed");
    assert_eq!(columns[3], "1");
    assert_eq!(columns[5], "Retry me");
    assert!(
        columns[6].contains(&dead_port.to_string()),
        "the error names the server: {}",
        columns[6]
    );

    // Fixed: the real submission port.
    profile.write_config(&[profile.account(stack, "carol", &alice, &Kind::Imap, None)]);
    let out = profile.run(&["outbox", "carol", "--retry"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    stack
        .sink()
        .wait_for(WAIT, |m| m.rcpt_to.iter().any(|r| r == &bob.name))
        .await
        .unwrap();
    assert_eq!(profile.ok(&["outbox", "carol"]).await, "");
    // Another retry has nothing to send.
    profile.ok(&["outbox", "carol", "--retry"]).await;
    assert_eq!(stack.sink().messages_to(&bob.name).len(), 1);
    stack.wait_for_mail(&alice, "Sent", 1, WAIT).await.unwrap();
}

#[tokio::test]
async fn pop3_sync_downloads_each_message_once() {
    let stack = Stack::shared();
    let user = stack.new_user("cli-pop").unwrap();
    stack.seed(&user, &SeedSpec::inbox(7)).unwrap();
    let profile = Profile::new();
    profile.write_config(&[profile.account(stack, "pop", &user, &Kind::Pop3, None)]);

    let out = profile.ok(&["sync", "pop"]).await;
    assert!(out.contains("pop: 7 new"), "{out}");
    let out = profile.ok(&["sync", "pop"]).await;
    assert!(out.contains("pop: 0 new"), "{out}");
    let items = profile.list_json("pop", "INBOX").await;
    assert_eq!(
        subjects_of(&items),
        subjects_in(&folder_dir(&user, "INBOX"))
    );
    let rendered = profile.ok(&["read", "pop", &id_of(&items[0])]).await;
    assert!(rendered.contains(items[0]["subject"].as_str().unwrap()));

    // Delete acts on the downloaded copy: into a local Trash, as in the TUI. The
    // server copy stays (`pop3_delete` decides about it) and is not downloaded again.
    let gone = items[0]["subject"].as_str().unwrap().to_owned();
    let out = profile.run(&["delete", "pop", &id_of(&items[0])]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let trash = profile.list_json("pop", "Trash").await;
    assert_eq!(subjects_of(&trash), vec![gone.clone()]);
    assert_eq!(
        subjects_in(&folder_dir(&user, "INBOX")).len(),
        7,
        "the server keeps it"
    );
    let out = profile.ok(&["sync", "pop"]).await;
    assert!(out.contains("pop: 0 new"), "{out}");
    let inbox = profile.list_json("pop", "INBOX").await;
    assert_eq!(inbox.len(), 6);
    assert!(!subjects_of(&inbox).contains(&gone));
}

#[tokio::test]
async fn flag_move_and_delete_reach_the_server() {
    let stack = Stack::shared();
    let user = stack.new_user("cli-eve").unwrap();
    stack.seed(&user, &SeedSpec::inbox(4)).unwrap();
    stack.seed(&user, &SeedSpec::folder("Archive", 1)).unwrap();
    let profile = Profile::new();
    profile.write_config(&[profile.account(stack, "eve", &user, &Kind::Imap, None)]);
    profile.ok(&["sync", "eve"]).await;
    let items = profile.list_json("eve", "INBOX").await;
    let [a, b, c] = [&items[0], &items[1], &items[2]].map(id_of);

    // Flags: both ways, in the store and in the server's file names.
    profile
        .ok(&["flag", "eve", &a, &b, "--flagged", "--unseen"])
        .await;
    let after = profile.list_json("eve", "INBOX").await;
    for item in after.iter().filter(|i| id_of(i) == a || id_of(i) == b) {
        let flags = item["flags"].as_array().unwrap();
        assert!(flags.iter().any(|f| f == "flagged"), "{item}");
        assert!(!flags.iter().any(|f| f == "seen"), "{item}");
    }
    let flagged_on_server = server_flags(&folder_dir(&user, "INBOX"))
        .iter()
        .filter(|f| f.contains('F'))
        .count();
    let seeded_flagged = items
        .iter()
        .filter(|i| id_of(i) != a && id_of(i) != b)
        .filter(|i| {
            i["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "flagged")
        })
        .count();
    assert_eq!(flagged_on_server, 2 + seeded_flagged);

    // Move: gone from INBOX, in Archive, here and on the server.
    let subject_b = items[1]["subject"].as_str().unwrap().to_owned();
    profile.ok(&["move", "eve", &b, "--to", "Archive"]).await;
    let inbox = profile.list_json("eve", "INBOX").await;
    assert!(!inbox.iter().any(|i| i["subject"] == subject_b.as_str()));
    let archive = profile.list_json("eve", "Archive").await;
    assert!(archive.iter().any(|i| i["subject"] == subject_b.as_str()));
    assert!(subjects_in(&folder_dir(&user, "Archive")).contains(&subject_b));
    assert!(!subjects_in(&folder_dir(&user, "INBOX")).contains(&subject_b));

    // Delete: to Trash.
    let subject_c = items[2]["subject"].as_str().unwrap().to_owned();
    profile.ok(&["delete", "eve", &c]).await;
    let inbox = profile.list_json("eve", "INBOX").await;
    assert_eq!(inbox.len(), 2);
    assert!(!inbox.iter().any(|i| i["subject"] == subject_c.as_str()));
    assert_eq!(
        subjects_in(&folder_dir(&user, "Trash")),
        vec![subject_c.clone()]
    );
    assert_eq!(subjects_in(&folder_dir(&user, "INBOX")).len(), 2);
    // A fresh sync agrees with what the commands left in the store.
    profile.ok(&["sync", "eve"]).await;
    let trash = profile.list_json("eve", "Trash").await;
    assert_eq!(subjects_of(&trash), vec![subject_c]);
}

#[tokio::test]
async fn a_maildir_account_syncs_lists_reads_and_flags() {
    let stack = Stack::shared();
    let user = stack.new_user("cli-local").unwrap();
    let profile = Profile::new();
    let root = profile.dir.path().join("Mail");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(
        root.join("cur/1700000000.1.host:2,S"),
        "From: Ann <ann@example.org>\nTo: me@example.org\nSubject: Local one\nDate: Tue, 14 Nov 2023 22:13:20 +0000\n\nThe first local body.\n",
    )
    .unwrap();
    std::fs::write(
        root.join("new/1700000100.2.host"),
        "From: Ben <ben@example.org>\nTo: me@example.org\nSubject: Local two\nDate: Tue, 14 Nov 2023 22:15:00 +0000\n\nThe second local body.\n",
    )
    .unwrap();
    profile.write_config(&[profile.account(
        stack,
        "local",
        &user,
        &Kind::Maildir(root.clone()),
        None,
    )]);

    let out = profile.ok(&["sync", "local"]).await;
    assert!(out.contains("local: 2 new"), "{out}");
    let items = profile.list_json("local", "INBOX").await;
    assert_eq!(
        subjects_of(&items),
        vec!["Local one".to_owned(), "Local two".to_owned()]
    );
    assert_eq!(items[0]["subject"], "Local two", "newest first");
    let rendered = profile.ok(&["read", "local", &id_of(&items[0])]).await;
    assert!(rendered.contains("The second local body."), "{rendered}");

    profile
        .ok(&["flag", "local", &id_of(&items[1]), "--flagged"])
        .await;
    let flags = server_flags(&root);
    assert!(flags.iter().any(|f| f == "FS"), "{flags:?}");
    // Delete moves the file into the tree's Trash (made when missing), as the TUI does.
    let out = profile.run(&["delete", "local", &id_of(&items[1])]).await;
    let said = text(&out.stderr);
    assert!(
        out.status.success() && said.contains("1 message(s) deleted"),
        "{said}"
    );
    assert_eq!(
        subjects_in(&root.join(".Trash")),
        vec!["Local one".to_owned()]
    );
    assert_eq!(subjects_in(&root), vec!["Local two".to_owned()]);
    let trash = profile.list_json("local", "Trash").await;
    assert_eq!(subjects_of(&trash), vec!["Local one".to_owned()]);
    // In the Trash, delete is for good: the file goes.
    profile.ok(&["delete", "local", &id_of(&trash[0])]).await;
    assert!(subjects_in(&root.join(".Trash")).is_empty());
    assert!(profile.list_json("local", "Trash").await.is_empty());
}

#[tokio::test]
async fn unknown_names_and_a_failing_account_give_clear_errors() {
    let stack = Stack::shared();
    let user = stack.new_user("cli-err").unwrap();
    stack.seed(&user, &SeedSpec::inbox(2)).unwrap();
    let profile = Profile::new();
    let good = profile.account(stack, "good", &user, &Kind::Imap, None);
    let broken = profile.account(stack, "broken", &user, &Kind::Imap, None);
    // Its password command now gives a wrong password.
    std::fs::write(profile.dir.path().join("broken.secret"), "wrong").unwrap();
    profile.write_config(&[broken, good]);

    // One account failing does not stop the others.
    let out = profile.run(&["sync"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("good: 2 new"),
        "{}",
        text(&out.stdout)
    );
    assert!(!text(&out.stdout).contains("broken"));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("broken: sync failed"), "{stderr}");
    // Says what happened, and the password is never shown.
    assert!(stderr.contains("refused the password"), "{stderr}");
    assert!(!stderr.contains(&user.password), "{stderr}");

    let out = profile.run(&["list", "nobody"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no account named `nobody`"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");

    let out = profile.run(&["read", "good", "999999"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no message with id 999999"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");

    // An id of another account is not this account's.
    let id = id_of(&profile.list_json("good", "INBOX").await[0]);
    let out = profile.run(&["flag", "broken", &id, "--seen"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no message with id"),
        "{}",
        text(&out.stderr)
    );

    let out = profile.run(&["list", "good", "--folder", "Nope"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no folder named `Nope`"),
        "{}",
        text(&out.stderr)
    );
}
