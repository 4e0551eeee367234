//! More of writing mail with the real binary in a real terminal (tmux, 120x40)
//! against the test mail stack: postern's own editor with an attachment found by
//! Tab, reply-all, forward, postpone / recall / undo send, and a dropped SSH
//! session. Every effect is checked on the server with another IMAP client (or, for
//! what never goes, in what the SMTP relay saw).

mod e2e_support;
mod editor_support;
mod mail_support;
mod tmux_support;
mod tui_support;

use std::path::Path;

use e2e_support::*;
use editor_support::ScriptEditor;
use mail_parser::MimeHeaders;
use mail_support::*;
use postern_test_stack::Stack;
use tui_support::live::eventually;

/// 1. Postern's own editor (no EDITOR, no VISUAL, no `[compose] editor`): `m`, To,
/// Subject and text typed, Ctrl-x, `a` with the path found partly by Tab, `y`: B
/// gets the message with the file's bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_builtin_editor_with_a_tab_completed_attachment_reaches_b() {
    let a = person("e2e-more-builtin-a").await;
    let mut b = person("e2e-more-builtin-b").await;
    let profile = Profile::new(&a.user, 0);
    // `~` is the profile's home: the file is ~/shared/plan-for-bea.bin.
    let shared = profile.home.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    let bytes = binary(3000);
    std::fs::write(shared.join("plan-for-bea.bin"), &bytes).unwrap();

    let tmux = profile.start(None);
    tmux.wait_for("INBOX");
    tmux.keys(&["m"]);
    tmux.wait_for("Subject:");
    type_message(
        &tmux,
        &b.user.name,
        "Plan attached",
        &["Here is the plan.", "Bytes and all."],
    );
    finish(&tmux);
    tmux.keys(&["a"]);
    tmux.wait_for("Attach the file:");
    // The prompt starts with `~/`; Tab completes the file's name.
    type_text(&tmux, "shared/plan-f");
    tmux.keys(&["Tab"]);
    tmux.wait_for("~/shared/plan-for-bea.bin");
    tmux.keys(&["Enter"]);
    tmux.wait_until("the file in the review", |s| {
        s.contains("Review before sending")
            && s.contains("plan-for-bea.bin  application/octet-stream")
            && !s.contains("Attach the file:")
    });
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");

    let raw = arrived(&mut b.server, "INBOX", "Plan attached").await;
    let message = parse(&raw);
    assert_addressed(&message, &a.user.name, &[&b.user.name]);
    assert_text_starts(&message, "Here is the plan.\nBytes and all.");
    let files: Vec<_> = message.attachments().collect();
    assert_eq!(files.len(), 1, "{}", String::from_utf8_lossy(&raw));
    assert_eq!(files[0].attachment_name(), Some("plan-for-bea.bin"));
    assert!(
        files[0].contents() == bytes.as_slice(),
        "the file changed on the way"
    );
}

/// 2. `R` on a message from B to A and C, the editor adds a line, `y`: B and C get
/// the reply; A's own address is not among its recipients (nor in A's INBOX).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_reply_all_reaches_everyone_but_oneself() {
    let mut a = person("e2e-more-all-a").await;
    let mut b = person("e2e-more-all-b").await;
    let mut c = person("e2e-more-all-c").await;
    let original = format!(
        "From: Bea Baker <{b}>\r\nTo: Ada Able <{a}>, Cy Cole <{c}>\r\nSubject: Team dinner\r\n\
         Date: {DATE}\r\nMessage-ID: <dinner.1@example.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nFriday at eight?\r\n",
        a = a.user.name,
        b = b.user.name,
        c = c.user.name,
    );
    a.server.append_raw("INBOX", &original, "").await;
    let profile = Profile::new(&a.user, 0);
    let editor = ScriptEditor::typing(profile.home.path(), "all", "Friday suits me.");
    let tmux = profile.start(Some(&editor));
    tmux.wait_for("Team dinner");

    tmux.keys(&["R"]);
    tmux.wait_until("the review with the editor's line", |s| {
        s.contains("Review before sending") && s.contains("Friday suits me.")
    });
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");

    let to_b = arrived(&mut b.server, "INBOX", "Re: Team dinner").await;
    let to_c = arrived(&mut c.server, "INBOX", "Re: Team dinner").await;
    for raw in [&to_b, &to_c] {
        let reply = parse(raw);
        assert_eq!(sender(&reply), a.user.name);
        let mut to = recipients(&reply);
        to.sort();
        let mut expected = vec![b.user.name.clone(), c.user.name.clone()];
        expected.sort();
        assert_eq!(to, expected, "{}", String::from_utf8_lossy(raw));
        let body = text(&reply);
        assert!(body.contains("> Friday at eight?"), "{body}");
        assert!(body.contains("Friday suits me."), "{body}");
    }
    // Not sent to A either (no Bcc to oneself): the envelope Dovecot relayed names
    // B and C only, and once the copy is in Sent, A's INBOX holds the original alone.
    let relayed: Vec<_> = Stack::shared()
        .sink()
        .messages_to(&b.user.name)
        .into_iter()
        .filter(|m| m.text().contains("Subject: Re: Team dinner"))
        .collect();
    assert_eq!(relayed.len(), 1, "{relayed:#?}");
    let mut envelope: Vec<String> = relayed[0]
        .rcpt_to
        .iter()
        .map(|to| to.to_ascii_lowercase())
        .collect();
    envelope.sort();
    let mut expected = vec![
        b.user.name.to_ascii_lowercase(),
        c.user.name.to_ascii_lowercase(),
    ];
    expected.sort();
    assert_eq!(envelope, expected);
    let mine = a
        .server
        .eventually("the reply in Sent, the original answered", |s| {
            !exactly(s, "Sent", "Re: Team dinner").is_empty()
                && s.has_flag("Team dinner", "\\Answered")
        })
        .await;
    assert_eq!(mine.count("INBOX"), 1, "{mine:#?}");
}

/// 3. `f` on a message with a file, the editor sets To: C, `y`: C gets the forward
/// with the original's file byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_forward_to_c_carries_the_attachment() {
    use base64::Engine as _;
    let mut a = person("e2e-more-fwd-a").await;
    let b = person("e2e-more-fwd-b").await;
    let mut c = person("e2e-more-fwd-c").await;
    let file = binary(5000);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&file);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    let original = format!(
        "From: Bea Baker <{b}>\r\nTo: {a}\r\nSubject: Floor plan\r\nDate: {DATE}\r\n\
         Message-ID: <plan.2@example.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"cut\"\r\n\r\n\
         --cut\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe plan is attached.\r\n\
         --cut\r\nContent-Type: image/png; name=\"floor.png\"\r\n\
         Content-Disposition: attachment; filename=\"floor.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{body}\r\n--cut--\r\n",
        a = a.user.name,
        b = b.user.name,
        body = lines.join("\r\n"),
    );
    a.server.append_raw("INBOX", &original, "").await;
    let profile = Profile::new(&a.user, 0);
    let editor =
        ScriptEditor::addressing(profile.home.path(), "forward", &c.user.name, "For you, Cy.");
    let tmux = profile.start(Some(&editor));
    tmux.wait_for("Floor plan");

    tmux.keys(&["f"]);
    let review = tmux.wait_until("the review with the editor's To", |s| {
        s.contains("Review before sending") && s.contains(&format!("To: {}", c.user.name))
    });
    assert!(review.contains("floor.png"), "{review}");
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");

    let raw = arrived(&mut c.server, "INBOX", "Fwd: Floor plan").await;
    let forward = parse(&raw);
    assert_addressed(&forward, &a.user.name, &[&c.user.name]);
    let body = text(&forward);
    assert!(body.contains("The plan is attached."), "{body}");
    assert!(body.contains("For you, Cy."), "{body}");
    let files: Vec<_> = forward.attachments().collect();
    assert_eq!(files.len(), 1, "{}", String::from_utf8_lossy(&raw));
    assert_eq!(files[0].attachment_name(), Some("floor.png"));
    assert!(
        files[0].contents() == file.as_slice(),
        "the file changed on the way"
    );
    filed(&mut a.server, "Sent", "Fwd: Floor plan").await;
}

/// 4. Postern's own editor, `p`: the draft is in A's Drafts on the server. From the
/// Drafts folder, Enter recalls it; `y` (held 5 s) then `u`: the review is back and
/// nothing reaches B. A second message, sent after it and held as long, does arrive:
/// by then the first one's time was over (one worker sends an account's mail, in
/// order), so it is known not to be on its way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_postponed_recalled_and_taken_back_never_reaches_b() {
    let mut a = person("e2e-more-undo-a").await;
    let mut b = person("e2e-more-undo-b").await;
    let profile = Profile::new(&a.user, 5);
    let tmux = profile.start(None);
    tmux.wait_for("INBOX");

    tmux.keys(&["m"]);
    tmux.wait_for("Subject:");
    type_message(&tmux, &b.user.name, "Second thoughts", &["Maybe not."]);
    finish(&tmux);
    tmux.keys(&["p"]);
    tmux.wait_for("postponed");
    let raw = arrived(&mut a.server, "Drafts", "Second thoughts").await;
    assert!(text(&parse(&raw)).contains("Maybe not."));
    let drafts = a.server.snapshot().await;
    assert!(drafts.has_flag("Second thoughts", "\\Draft"), "{drafts:#?}");

    change_folder(&tmux, "Drafts", "Second thoughts");
    tmux.keys(&["Enter"]);
    let writing = tmux.wait_for("Maybe not.");
    assert!(writing.contains(&b.user.name), "{writing}");
    finish(&tmux);
    tmux.keys(&["y"]);
    // While it waits, the folder pane ends with the Outbox entry.
    tmux.wait_until("the countdown and the Outbox entry", |s| {
        s.contains("sending \"Second thoughts\" in")
            && tui_support::live::folder_row(s, "Outbox").is_some()
    });
    tmux.keys(&["u"]);
    let review = tmux.wait_until("the review back with the draft", |s| {
        s.contains("Review before sending") && s.contains("Maybe not.")
    });
    assert!(review.contains("Second thoughts"), "{review}");
    assert!(review.contains(&b.user.name), "{review}");

    // Out of the review (kept), then a message that does go.
    tmux.keys(&["p"]);
    // Taken back, it is no longer waiting: the Outbox entry is gone.
    tmux.wait_until("the review and the Outbox entry gone", |s| {
        !s.contains("Review before sending") && tui_support::live::folder_row(s, "Outbox").is_none()
    });
    tmux.keys(&["m"]);
    tmux.wait_for("Subject:");
    type_message(&tmux, &b.user.name, "Sent instead", &["This one goes."]);
    finish(&tmux);
    tmux.keys(&["y"]);
    tmux.wait_for("sending \"Sent instead\" in");
    arrived(&mut b.server, "INBOX", "Sent instead").await;

    let at_b = b.server.snapshot().await;
    assert_eq!(
        at_b.folders_of("Second thoughts"),
        Vec::<&str>::new(),
        "{at_b:#?}"
    );
    assert_eq!(at_b.count("INBOX"), 1, "{at_b:#?}");
    let relayed: Vec<String> = Stack::shared()
        .sink()
        .messages_to(&b.user.name)
        .iter()
        .map(|m| m.text())
        .collect();
    assert!(
        relayed.iter().all(|m| !m.contains("Second thoughts")),
        "{relayed:#?}"
    );
    let mine = filed(&mut a.server, "Sent", "Sent instead").await;
    assert!(
        exactly(&mine, "Sent", "Second thoughts").is_empty(),
        "{mine:#?}"
    );
    assert_eq!(
        exactly(&mine, "Drafts", "Second thoughts").len(),
        1,
        "{mine:#?}"
    );
}

/// 5. Typing in postern's own editor when the SSH session drops (the tmux session
/// killed: postern gets SIGHUP). postern started again on the same profile offers
/// the draft back, `y` opens it with what was typed; `postern drafts` lists it; sent
/// from there, B gets it with that text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_a_dropped_session_keeps_what_was_typed() {
    let a = person("e2e-more-drop-a").await;
    let mut b = person("e2e-more-drop-b").await;
    let profile = Profile::new(&a.user, 0);
    let tmux = profile.start(None);
    tmux.wait_for("INBOX");
    tmux.keys(&["m"]);
    tmux.wait_for("Subject:");
    type_message(
        &tmux,
        &b.user.name,
        "Lost connection",
        &["Typed before the drop.", "Second line too."],
    );
    let pid = tmux.format("#{pane_pid}");
    let proc = Path::new("/proc").join(&pid);
    assert!(proc.exists(), "postern is not running as {pid}");
    tmux.run(&["kill-session", "-t", "e2e"]);
    eventually("postern gone after the hangup", || !proc.exists()).await;
    drop(tmux);

    let tmux = profile.start(None);
    let offer = tmux.wait_for("was being written when postern stopped");
    assert!(offer.contains("\"Lost connection\""), "{offer}");
    tmux.keys(&["y"]);
    let writing = tmux.wait_until("the draft open with its text", |s| {
        s.contains("Typed before the drop.") && s.contains("Second line too.")
    });
    assert!(writing.contains(&b.user.name), "{writing}");

    let listed = profile.run(&["drafts"]);
    let line = listed
        .lines()
        .find(|line| line.contains("Lost connection"))
        .unwrap_or_else(|| panic!("not listed:\n{listed}"));
    let columns: Vec<&str> = line.split('\t').collect();
    assert_eq!(columns[1], "mail", "{listed}");
    assert_eq!(
        &columns[3..],
        [b.user.name.as_str(), "Lost connection", "writing"]
    );

    finish(&tmux);
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");
    let raw = arrived(&mut b.server, "INBOX", "Lost connection").await;
    assert_text_starts(&parse(&raw), "Typed before the drop.\nSecond line too.");
}

/// postern killed outright (`kill -9`) while its own editor is open: what the
/// autosave kept (every second while the text changes) is offered back at the
/// next start, and sent as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_a_kill_while_writing_keeps_the_last_autosave() {
    let a = person("e2e-more-kill-a").await;
    let mut b = person("e2e-more-kill-b").await;
    let profile = Profile::new(&a.user, 0);
    let tmux = profile.start(None);
    tmux.wait_for("INBOX");
    tmux.keys(&["m"]);
    tmux.wait_for("Subject:");
    // The text first, the subject last: once a listing shows the subject, the
    // autosave that kept it kept the text as well.
    type_text(&tmux, &b.user.name);
    tmux.keys(&["Tab", "Tab", "Tab", "Tab"]);
    type_text(&tmux, "Saved every second.");
    tmux.wait_for("Saved every second.");
    tmux.keys(&["BTab"]);
    type_text(&tmux, "Killed mid-word");
    tmux.wait_for("Killed mid-word");
    eventually("the autosave in the store", || {
        profile.run(&["drafts"]).contains("Killed mid-word")
    })
    .await;
    kill_hard(tmux).await;

    let tmux = profile.start(None);
    let offer = tmux.wait_for("was being written when postern stopped");
    assert!(offer.contains("\"Killed mid-word\""), "{offer}");
    tmux.keys(&["y"]);
    tmux.wait_for("Saved every second.");
    finish(&tmux);
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");
    let raw = arrived(&mut b.server, "INBOX", "Killed mid-word").await;
    assert_text_starts(&parse(&raw), "Saved every second.");
}
