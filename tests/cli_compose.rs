//! `postern compose` and `postern drafts` as a person (or a script) uses them: the
//! real binary, an editor that is a small script, answers piped on stdin, and the
//! message checked where it arrives (Dovecot, through submission and the sink).

mod cli_support;

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use cli_support::{Kind, Profile, WAIT, text};
use postern::store::{DraftId, Store};
use postern_test_stack::Stack;

/// An editor for the tests: a script that copies what it was given to `seen`, then
/// runs `action` on the file (`$FILE`). `$EDITOR` carries an argument, as real ones do.
struct ScriptEditor {
    command: String,
    seen: PathBuf,
}

impl ScriptEditor {
    fn new(profile: &Profile, name: &str, action: &str) -> ScriptEditor {
        let dir = profile.dir.path().join("editors");
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join(format!("{name}.sh"));
        let seen = dir.join(format!("{name}.seen"));
        std::fs::write(
            &script,
            format!("#!/bin/sh\nSEEN=\"$1\"\nFILE=\"$2\"\ncp \"$FILE\" \"$SEEN\"\n{action}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
        ScriptEditor {
            command: format!("{} {}", script.display(), seen.display()),
            seen,
        }
    }

    /// Appends `body` below the headers (the file ends with the blank line).
    fn typing(profile: &Profile, name: &str, body: &str) -> ScriptEditor {
        ScriptEditor::new(
            profile,
            name,
            &format!("cat >> \"$FILE\" <<'TYPED'\n{body}\nTYPED"),
        )
    }

    fn env(&self) -> [(&str, &OsStr); 1] {
        [("EDITOR", OsStr::new(&self.command))]
    }

    /// What the editor was given, the last time it ran.
    fn seen(&self) -> String {
        std::fs::read_to_string(&self.seen).unwrap()
    }
}

/// A Maildir account: enough to write and postpone, nothing to send with.
fn local_account(profile: &Profile, name: &str, email: &str) -> String {
    let root = profile.dir.path().join(format!("Mail-{name}"));
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    format!(
        "[accounts.{name}]\nemail = \"{email}\"\ndisplay_name = \"Ada Local\"\nprovider = \"generic\"\n\
         receive = \"maildir\"\nmaildir = \"{}\"\n",
        root.display()
    )
}

async fn drafts_json(profile: &Profile) -> Vec<serde_json::Value> {
    let out = profile.ok(&["drafts", "--json"]).await;
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn store(profile: &Profile) -> Store {
    Store::open(&profile.data_dir().join("postern.sqlite3")).unwrap()
}

fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "failed ({:?}):\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[tokio::test]
async fn compose_sends_what_the_editor_wrote_with_a_file_and_leaves_no_draft() {
    let stack = Stack::shared();
    let alice = stack.new_user("compose-alice").unwrap();
    let bob = stack.new_user("compose-bob").unwrap();
    let profile = Profile::new();
    // Two accounts: the one marked default is written from.
    profile.write_config(&[
        local_account(&profile, "local", "ada@example.org"),
        profile.account(stack, "alice", &alice, &Kind::Imap, None) + "default = true\n",
    ]);
    let attachment = profile.dir.path().join("notes.txt");
    std::fs::write(&attachment, "the attached notes\n").unwrap();
    let editor = ScriptEditor::typing(&profile, "typing", "Hello Bob,\nwritten in the editor.");

    let out = profile
        .run_with_env(
            &[
                "compose",
                "--to",
                &bob.name,
                "--subject",
                "From the editor",
                "--attach",
                attachment.to_str().unwrap(),
            ],
            b"y\n",
            &editor.env(),
        )
        .await;
    assert_success(&out);
    assert!(text(&out.stdout).contains("250"), "{}", text(&out.stdout));
    let seen = editor.seen();
    assert_eq!(
        seen,
        format!(
            "From: Test alice <{}>\nTo: {}\nCc: \nBcc: \nSubject: From the editor\n\n",
            alice.name, bob.name
        )
    );

    let files = stack.wait_for_mail(&bob, "INBOX", 1, WAIT).await.unwrap();
    let raw = std::fs::read(&files[0]).unwrap();
    let envelope = postern::mime::parse_envelope(&raw);
    assert_eq!(envelope.subject, "From the editor");
    assert_eq!(envelope.from[0].email, alice.name);
    let rendered = postern::mime::render(&raw, 80);
    assert!(
        rendered
            .body
            .iter()
            .any(|line| line.contains("written in the editor.")),
        "{:?}",
        rendered.body
    );
    assert_eq!(rendered.attachments.len(), 1);
    assert_eq!(rendered.attachments[0].name, "notes.txt");

    // Sent, copied to Sent, and nothing left behind.
    stack.wait_for_mail(&alice, "Sent", 1, WAIT).await.unwrap();
    assert!(drafts_json(&profile).await.is_empty());
    assert_eq!(profile.ok(&["outbox", "alice"]).await, "");
    let drafts_dir = profile.data_dir().join("drafts");
    let left: Vec<_> = std::fs::read_dir(&drafts_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        std::fs::metadata(&drafts_dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
}

#[tokio::test]
async fn postponed_messages_are_listed_by_drafts() {
    let profile = Profile::new();
    profile.write_config(&[
        local_account(&profile, "home", "ada@example.org"),
        local_account(&profile, "work", "ada@work.example"),
    ]);
    let editor = ScriptEditor::typing(&profile, "typing", "To be finished.");

    let out = profile
        .run_with_env(
            &["compose", "--to", "bob@example.org", "--subject", "Later"],
            b"p\n",
            &editor.env(),
        )
        .await;
    assert_success(&out);
    assert!(
        text(&out.stderr).contains("`postern drafts` lists it"),
        "{}",
        text(&out.stderr)
    );
    // The end of input postpones too: nothing is lost.
    let out = profile
        .run_with_env(
            &["compose", "work", "--subject", "Quiet"],
            b"",
            &editor.env(),
        )
        .await;
    assert_success(&out);

    let items = drafts_json(&profile).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let later = items.iter().find(|i| i["subject"] == "Later").unwrap();
    assert_eq!(later["account"], "home");
    assert_eq!(later["to"], "bob@example.org");
    assert_eq!(later["from"], "Ada Local <ada@example.org>");
    assert_eq!(later["state"], "writing");
    assert!(later["outbox"].is_null());
    assert!(later["timestamp"].as_i64().unwrap() > 1_700_000_000);
    assert!(later["updated"].as_str().unwrap().contains('T'));
    let quiet = items.iter().find(|i| i["subject"] == "Quiet").unwrap();
    assert_eq!(quiet["account"], "work");

    // The text the editor wrote is in the store.
    let id = DraftId(later["id"].as_i64().unwrap());
    let row = store(&profile).draft(id).unwrap().unwrap();
    assert_eq!(row.draft.written.body, "To be finished.\n");

    let listed = profile.ok(&["drafts", "home"]).await;
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 1, "{listed}");
    let columns: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(columns[0], id.0.to_string());
    assert_eq!(columns[1], "home");
    assert_eq!(columns[2].len(), "2026-01-01 10:00".len(), "{}", columns[2]);
    assert_eq!(&columns[3..], ["bob@example.org", "Later", "writing"]);
    let work = profile.ok(&["drafts", "work"]).await;
    assert!(work.contains("\t-\tQuiet\twriting"), "{work}");
}

#[tokio::test]
async fn a_mailto_link_fills_the_headers_and_discard_removes_the_draft() {
    let profile = Profile::new();
    profile.write_config(&[local_account(&profile, "home", "ada@example.org")]);
    let editor = ScriptEditor::typing(&profile, "typing", "typed");
    let out = profile
        .run_with_env(
            &[
                "compose",
                "--mailto",
                "mailto:bob@example.org?subject=Hi%20there&body=x&from=boss@example.org",
                "--cc",
                "carol@example.org",
            ],
            b"q\ny\n",
            &editor.env(),
        )
        .await;
    assert_success(&out);
    assert_eq!(
        editor.seen(),
        "From: Ada Local <ada@example.org>\nTo: bob@example.org\nCc: carol@example.org\nBcc: \n\
         Subject: Hi there\n\nx"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("`from` is not used"), "{stderr}");
    assert!(stderr.contains("Discard this message?"), "{stderr}");
    assert!(drafts_json(&profile).await.is_empty());

    // Not confirmed: kept.
    let out = profile
        .run_with_env(
            &["compose", "--mailto", "mailto:bob@example.org?subject=Kept"],
            b"q\nn\n",
            &editor.env(),
        )
        .await;
    assert_success(&out);
    let items = drafts_json(&profile).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["subject"], "Kept");

    let out = profile
        .run_with_env(
            &["compose", "--mailto", "https://example.org"],
            b"",
            &editor.env(),
        )
        .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a mailto: link"));
}

#[tokio::test]
async fn an_editor_that_does_not_exist_is_named_and_the_draft_kept() {
    let profile = Profile::new();
    profile.write_config(&[local_account(&profile, "home", "ada@example.org")]);
    let out = profile
        .run_with_env(
            &[
                "compose",
                "--to",
                "bob@example.org",
                "--subject",
                "Unwritten",
            ],
            b"y\n",
            &[("EDITOR", OsStr::new("postern-no-such-editor --flag"))],
        )
        .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot start the editor `postern-no-such-editor --flag`"),
        "{stderr}"
    );
    assert!(stderr.contains("set by $EDITOR"), "{stderr}");
    assert!(
        stderr.contains("hint: install it, or set $EDITOR"),
        "{stderr}"
    );
    assert!(stderr.contains("`postern drafts` lists it"), "{stderr}");
    let items = drafts_json(&profile).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["subject"], "Unwritten");
    let listed = profile.ok(&["drafts"]).await;
    assert!(listed.contains("\tUnwritten\twriting"), "{listed}");

    // $VISUAL comes first, and is named when it is the one missing.
    let out = profile
        .run_with_env(
            &["compose"],
            b"",
            &[
                ("VISUAL", OsStr::new("postern-no-such-visual")),
                ("EDITOR", OsStr::new("true")),
            ],
        )
        .await;
    assert!(
        text(&out.stderr).contains("set by $VISUAL"),
        "{}",
        text(&out.stderr)
    );

    // No editor at all: the builtin one is the TUI's; nothing is started.
    let out = profile
        .run_with(&["compose", "--subject", "No editor"], b"")
        .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("built-in editor needs the TUI"), "{stderr}");
    assert!(stderr.contains("$EDITOR"), "{stderr}");
    assert_eq!(drafts_json(&profile).await.len(), 2);

    // A file that is not there is refused before anything starts.
    let missing = profile.dir.path().join("missing.pdf");
    let out = profile
        .run_with_env(
            &["compose", "--attach", missing.to_str().unwrap()],
            b"",
            &[("EDITOR", OsStr::new("true"))],
        )
        .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(&missing.display().to_string()),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(drafts_json(&profile).await.len(), 2);
}

#[tokio::test]
async fn errors_block_sending_and_warnings_ask_first() {
    let profile = Profile::new();
    profile.write_config(&[local_account(&profile, "home", "ada@example.org")]);
    // Exits 1 (vim's :cq): a note, and what it wrote is kept.
    let editor = ScriptEditor::new(
        &profile,
        "failing",
        "sed -i 's/^Subject: .*/Subject: Mended/' \"$FILE\"\nexit 1",
    );
    let out = profile
        .run_with_env(&["compose", "--subject", "Draft"], b"y\n", &editor.env())
        .await;
    assert_success(&out);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("exited with status 1"), "{stderr}");
    assert!(
        stderr.contains("cannot send: there is no recipient"),
        "{stderr}"
    );
    assert_eq!(drafts_json(&profile).await[0]["subject"], "Mended");

    // No subject, no text: asked; "no" goes back to the menu; then no SMTP: kept.
    let blank = ScriptEditor::new(&profile, "blank", "true");
    let out = profile
        .run_with_env(
            &["compose", "--to", "bob@example.org"],
            b"y\nn\ny\ny\n",
            &blank.env(),
        )
        .await;
    assert_success(&out);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("there is no subject"), "{stderr}");
    assert!(stderr.contains("the message has no text"), "{stderr}");
    assert_eq!(stderr.matches("Send anyway? [y/N]").count(), 2, "{stderr}");
    assert!(stderr.contains("has no SMTP server configured"), "{stderr}");
    assert!(stderr.contains("the draft is kept"), "{stderr}");
    assert_eq!(drafts_json(&profile).await.len(), 2);

    // `e` runs the editor again; problems in the text are named with their line.
    let odd = ScriptEditor::new(
        &profile,
        "odd",
        "printf 'From: ada@example.org\\nSubject: Odd\\nDear Bob\\n' > \"$FILE\"",
    );
    let out = profile
        .run_with_env(&["compose"], b"e\nwhat?\np\n", &odd.env())
        .await;
    assert_success(&out);
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.matches("line 3: \"Dear Bob\"").count(),
        2,
        "{stderr}"
    );
    assert!(stderr.contains("answer y, e, p or q"), "{stderr}");
}

/// An edit under way when postern is killed: the editor's text is saved into the
/// draft by the next `postern drafts`, and a file without a draft is kept.
#[tokio::test]
async fn an_edit_left_by_a_killed_postern_is_recovered_by_drafts() {
    let profile = Profile::new();
    profile.write_config(&[local_account(&profile, "home", "ada@example.org")]);
    let marks = profile.dir.path().join("marks");
    std::fs::create_dir_all(&marks).unwrap();
    let editor = ScriptEditor::new(
        &profile,
        "killed",
        &format!(
            "sed -i 's/^Subject: .*/Subject: Typed before the crash/' \"$FILE\"\n\
             echo 'every word of it' >> \"$FILE\"\n\
             echo $$ > {marks}/pid\ntouch {marks}/ready\nexec sleep 60",
            marks = marks.display()
        ),
    );
    let mut child = profile
        .command(&["compose", "--to", "bob@example.org", "--subject", "Before"])
        .env("EDITOR", &editor.command)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !marks.join("ready").exists() {
        assert!(started.elapsed() < WAIT, "the editor never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let editor_pid = std::fs::read_to_string(marks.join("pid")).unwrap();
    let _ = std::process::Command::new("kill")
        .args(["-KILL", editor_pid.trim()])
        .status();

    let drafts_dir = profile.data_dir().join("drafts");
    let edit_files: Vec<PathBuf> = std::fs::read_dir(&drafts_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension() == Some(OsStr::new("txt")))
        .collect();
    assert_eq!(edit_files.len(), 1, "{edit_files:?}");
    let orphan = drafts_dir.join("999.txt");
    std::fs::write(&orphan, "Subject: from elsewhere\n\nkeep me\n").unwrap();

    let out = profile.run(&["drafts", "--json"]).await;
    assert_success(&out);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("(\"Typed before the crash\") was being edited when postern stopped"),
        "{stderr}"
    );
    assert!(stderr.contains("999.txt"), "{stderr}");
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["subject"], "Typed before the crash");
    let row = store(&profile)
        .draft(DraftId(items[0]["id"].as_i64().unwrap()))
        .unwrap()
        .unwrap();
    assert_eq!(row.draft.written.body, "every word of it\n");
    assert!(!edit_files[0].exists(), "recovered, then removed");
    assert!(orphan.exists(), "a file without its draft is never deleted");
    assert_eq!(
        std::fs::read_to_string(&orphan).unwrap(),
        "Subject: from elsewhere\n\nkeep me\n"
    );
    assert_path_private(&drafts_dir);
}

fn assert_path_private(dir: &Path) {
    let mode = std::fs::metadata(dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{}", dir.display());
}
