//! Writing mail in the TUI against the real mail stack: the real loop on a real
//! engine (and, at the end, the real binary in tmux), keys in, and every effect
//! checked on the servers with another IMAP client: the message in the
//! recipient's INBOX as Dovecot delivered it, the original marked `\Answered`, the copy in
//! Sent, the copy in Drafts while postponed and gone once sent. The same flows
//! are driven through `update` alone in `tui_compose.rs`.

mod editor_support;
mod mail_support;
mod tmux_support;
mod tui_support;

use std::path::Path;

use editor_support::ScriptEditor;
use mail_parser::MimeHeaders;
use mail_support::*;
use postern_test_stack::{Stack, TestUser};
use tmux_support::{Tmux, assert_terminal_restored, shell_quote};
use tui_support::live::{Kind, Live, Server, account_config, eventually, parse_config};

const SIZE: (u16, u16) = (120, 40);

/// A (who writes, in the UI) and B (who gets the mail), each with a client on
/// the server.
struct People {
    a: TestUser,
    b: TestUser,
    a_server: Server,
    b_server: Server,
}

async fn people(prefix: &str) -> People {
    let stack = Stack::shared();
    let a = stack.new_user(&format!("{prefix}-a")).unwrap();
    let b = stack.new_user(&format!("{prefix}-b")).unwrap();
    let a_server = Server::login(&a).await;
    let b_server = Server::login(&b).await;
    People {
        a,
        b,
        a_server,
        b_server,
    }
}

/// The config of A's IMAP account (its password file under `dir`), messages held
/// back `send_delay` seconds.
fn config_text(dir: &Path, a: &TestUser, send_delay: u64) -> String {
    account_config(dir, "mail", a, &Kind::Imap)
        + &format!("\n[compose]\nsend_delay = {send_delay}\n")
}

/// The UI on A's account, writing with `editor` (`None`: postern's own).
fn a_ui(a: &TestUser, send_delay: u64, editor: Option<String>) -> (Live, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = parse_config(&config_text(dir.path(), a, send_delay));
    (Live::start_editing(&config, SIZE, editor), dir)
}

/// When the originals were written, as their Date header says.
const DATE: &str = "Tue, 01 Dec 2026 09:30:00 +0000";

/// A plain message from B to A.
fn from_b(people: &People, subject: &str, id: &str, body: &str) -> String {
    format!(
        "From: Bea Baker <{b}>\r\nTo: Ada Able <{a}>\r\nSubject: {subject}\r\nDate: {DATE}\r\n\
         Message-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         {body}\r\n",
        b = people.b.name,
        a = people.a.name,
    )
}

/// `r` on a message from B, the editor (a script) adds a line, `y` sends: B gets a
/// threaded reply with the quote and its attribution, the original is marked
/// answered and a copy is in A's Sent, all on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_written_in_the_editor_reaches_the_sender_threaded_and_quoted() {
    let mut people = people("tui-reply").await;
    let original = from_b(
        &people,
        "Lunch plans",
        "lunch.1@example.test",
        "Shall we meet at noon?\r\nThe usual place.",
    );
    people.a_server.append_raw("INBOX", &original, "").await;
    let home = tempfile::tempdir().unwrap();
    let editor = ScriptEditor::typing(home.path(), "reply", "Noon works for me.");
    let (ui, _dir) = a_ui(&people.a, 0, Some(editor.command.clone()));
    ui.wait_for("Lunch plans").await;

    ui.press("r");
    let review = ui
        .wait_until("the review with the editor's line", |s| {
            s.contains("Review before sending") && s.contains("Noon works for me.")
        })
        .await;
    assert!(review.contains("Re: Lunch plans"), "{review}");
    // Never the text as it was before the editor.
    for frame in ui.frames() {
        assert!(
            !frame.contains("Review before sending") || frame.contains("Noon works for me."),
            "a review without what the editor wrote:\n{frame}"
        );
    }
    let given = editor.seen();
    let attribution = format!("On {DATE}, Bea Baker <{}> wrote:", people.b.name);
    assert!(
        given.contains(&format!("To: Bea Baker <{}>\n", people.b.name)),
        "{given}"
    );
    assert!(given.contains("Subject: Re: Lunch plans\n"), "{given}");
    assert!(given.contains(&attribution), "{given}");
    ui.press("y");
    ui.wait_for("mail: sent (").await;

    let raw = arrived(&mut people.b_server, "INBOX", "Re: Lunch plans").await;
    let reply = parse(&raw);
    assert_eq!(header(&reply, "Subject"), "Re: Lunch plans");
    assert_eq!(header(&reply, "In-Reply-To"), "<lunch.1@example.test>");
    assert_eq!(header(&reply, "References"), "<lunch.1@example.test>");
    assert_eq!(sender(&reply), people.a.name);
    let body = text(&reply);
    assert!(
        body.contains(&format!(
            "{attribution}\n> Shall we meet at noon?\n> The usual place.\n"
        )),
        "{body}"
    );
    assert!(body.contains("Noon works for me."), "{body}");
    let id = header(&reply, "Message-ID");

    let a = people
        .a_server
        .eventually("the original answered, the reply in Sent", |s| {
            exactly(s, "INBOX", "Lunch plans")
                .iter()
                .any(|m| m.flags.iter().any(|f| f == "\\Answered"))
                && !exactly(s, "Sent", "Re: Lunch plans").is_empty()
        })
        .await;
    let sent = exactly(&a, "Sent", "Re: Lunch plans");
    assert_eq!(sent.len(), 1, "{a:#?}");
    assert!(sent[0].flags.iter().any(|f| f == "\\Seen"), "{a:#?}");
    let copy = people.a_server.raw("Sent", sent[0].uid).await;
    assert_eq!(
        header(&parse(&copy), "Message-ID"),
        id,
        "the copy is of what B got"
    );
    assert_eq!(a.count("INBOX"), 1, "{a:#?}");
    assert_eq!(a.count("Drafts"), 0, "{a:#?}");
    ui.quit().await;
}

/// `f` on a message with a file, the editor fills in B, `y` sends: B gets the
/// forward with the file byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_carries_the_original_s_attachment_intact() {
    use base64::Engine as _;
    let mut people = people("tui-forward").await;
    let pdf = binary(48 * 1024);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&pdf);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    let original = format!(
        "From: Bea Baker <{b}>\r\nTo: {a}\r\nSubject: Quarterly report\r\nDate: {DATE}\r\n\
         Message-ID: <report.1@example.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"cut-here\"\r\n\r\n\
         --cut-here\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe report is attached.\r\n\
         --cut-here\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"report.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{body}\r\n--cut-here--\r\n",
        b = people.b.name,
        a = people.a.name,
        body = lines.join("\r\n"),
    );
    people.a_server.append_raw("INBOX", &original, "").await;
    let home = tempfile::tempdir().unwrap();
    let editor = ScriptEditor::new(
        home.path(),
        "forward",
        &format!(
            "sed -i '1,/^$/s/^To:.*/To: {}/' \"$FILE\"\necho 'See the report below.' >> \"$FILE\"",
            people.b.name
        ),
    );
    let (ui, _dir) = a_ui(&people.a, 0, Some(editor.command.clone()));
    ui.wait_for("Quarterly report").await;

    ui.press("f");
    let review = ui
        .wait_until("the review with the editor's To", |s| {
            s.contains("Review before sending") && s.contains(&format!("To: {}", people.b.name))
        })
        .await;
    assert!(
        review.contains("report.pdf  application/pdf  48 KiB"),
        "{review}"
    );
    ui.press("y");
    ui.wait_for("mail: sent (").await;

    let raw = arrived(&mut people.b_server, "INBOX", "Fwd: Quarterly report").await;
    let forward = parse(&raw);
    assert_eq!(sender(&forward), people.a.name);
    let body = text(&forward);
    assert!(
        body.contains("---------- Forwarded message ----------"),
        "{body}"
    );
    assert!(body.contains("The report is attached."), "{body}");
    // The forwarded header block is as the original had it.
    assert!(body.contains(&format!("To: {}\n", people.a.name)), "{body}");
    assert!(body.contains("See the report below."), "{body}");
    let files: Vec<_> = forward.attachments().collect();
    assert_eq!(files.len(), 1, "{}", String::from_utf8_lossy(&raw));
    assert_eq!(files[0].attachment_name(), Some("report.pdf"));
    let kind = files[0].content_type().expect("a Content-Type");
    assert_eq!((kind.ctype(), kind.subtype()), ("application", Some("pdf")));
    assert!(
        files[0].contents() == pdf.as_slice(),
        "the file changed on the way"
    );
    ui.quit().await;
}

/// Types a message to `to` in postern's own editor (focus starts on To) and
/// finishes it: the review.
async fn type_message(ui: &Live, to: &str, subject: &str, body: &str) {
    ui.press(&format!("{to}<Tab><Tab><Tab>{subject}<Tab>{body}"));
    ui.wait_for(subject).await;
    ui.press("<C-x>");
    ui.wait_for("Review before sending").await;
}

/// `m`, everything typed in postern's own editor, Ctrl-x, `y`: it arrives at B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_typed_in_postern_s_own_editor_arrives() {
    let mut people = people("tui-builtin").await;
    let (ui, _dir) = a_ui(&people.a, 0, None);
    ui.wait_for("INBOX").await;

    ui.press("m");
    ui.wait_for("Subject:").await;
    type_message(
        &ui,
        &people.b.name,
        "Typed here",
        "First line.<Enter>Second line, q and j are text.",
    )
    .await;
    ui.press("y");
    ui.wait_for("mail: sent (").await;

    let raw = arrived(&mut people.b_server, "INBOX", "Typed here").await;
    let message = parse(&raw);
    assert_eq!(sender(&message), people.a.name);
    let to = message
        .to()
        .and_then(|to| to.first())
        .and_then(|a| a.address());
    assert_eq!(to, Some(people.b.name.as_str()));
    assert!(
        text(&message).starts_with("First line.\nSecond line, q and j are text."),
        "{}",
        text(&message)
    );
    let a = people
        .a_server
        .eventually("the copy in Sent", |s| {
            !exactly(s, "Sent", "Typed here").is_empty()
        })
        .await;
    assert_eq!(a.count("Drafts"), 0, "{a:#?}");
    ui.quit().await;
}

/// A send held for 5 s and taken back with `u`: it never reaches B, and the draft
/// is back in the review. A second message sent after it, held as long, arrives:
/// by then the first one's time was long over, so it is known not to be on its
/// way (one worker sends an account's mail, in order).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_send_takes_the_message_back_before_it_goes() {
    let mut people = people("tui-undo").await;
    let (ui, _dir) = a_ui(&people.a, 5, None);
    ui.wait_for("INBOX").await;

    ui.press("m");
    ui.wait_for("Subject:").await;
    type_message(&ui, &people.b.name, "Taken back", "Not meant to go.").await;
    ui.press("y");
    ui.wait_for("sending \"Taken back\" in").await;
    ui.press("u");
    // Back to be mended: its review, as it was sent.
    let review = ui
        .wait_until("the review back with the draft", |s| {
            s.contains("Review before sending") && s.contains("Not meant to go.")
        })
        .await;
    assert!(review.contains("Taken back"), "{review}");
    assert!(review.contains(&people.b.name), "{review}");

    // Kept in Drafts (on the server too), then another message goes.
    ui.press("p");
    let a = people
        .a_server
        .eventually("the draft in Drafts", |s| {
            !exactly(s, "Drafts", "Taken back").is_empty()
        })
        .await;
    assert_eq!(a.count("Sent"), 0, "{a:#?}");
    ui.press("m");
    ui.wait_for("Subject:").await;
    type_message(&ui, &people.b.name, "Sent after", "This one goes.").await;
    ui.press("y");
    ui.wait_for("sending \"Sent after\" in").await;
    arrived(&mut people.b_server, "INBOX", "Sent after").await;

    let b = people.b_server.snapshot().await;
    assert_eq!(b.folders_of("Taken back"), Vec::<&str>::new(), "{b:#?}");
    assert_eq!(b.count("INBOX"), 1, "{b:#?}");
    let relayed: Vec<String> = Stack::shared()
        .sink()
        .messages_to(&people.b.name)
        .iter()
        .map(|m| m.text())
        .collect();
    assert_eq!(relayed.len(), 1, "{relayed:#?}");
    assert!(!relayed[0].contains("Taken back"), "{relayed:#?}");
    let a = people
        .a_server
        .eventually("only the second in Sent", |s| {
            !exactly(s, "Sent", "Sent after").is_empty()
        })
        .await;
    assert_eq!(a.count("Sent"), 1, "{a:#?}");
    assert_eq!(exactly(&a, "Drafts", "Taken back").len(), 1, "{a:#?}");
    ui.quit().await;
}

/// `p` in the review puts the draft in A's Drafts on the server; Enter on it there
/// goes on writing it; `y` sends it, and its Drafts copy goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postponed_draft_is_in_drafts_on_the_server_and_recalled_from_there() {
    let mut people = people("tui-postpone").await;
    let (ui, _dir) = a_ui(&people.a, 0, None);
    ui.wait_for("INBOX").await;

    ui.press("m");
    ui.wait_for("Subject:").await;
    type_message(&ui, &people.b.name, "Finish later", "Half of a thought.").await;
    ui.press("p");
    ui.wait_for("postponed").await;
    let raw = arrived(&mut people.a_server, "Drafts", "Finish later").await;
    let kept = parse(&raw);
    assert!(
        text(&kept).contains("Half of a thought."),
        "{}",
        text(&kept)
    );
    let to = kept
        .to()
        .and_then(|to| to.first())
        .and_then(|a| a.address());
    assert_eq!(to, Some(people.b.name.as_str()));
    let a = people.a_server.snapshot().await;
    assert!(
        exactly(&a, "Drafts", "Finish later")[0]
            .flags
            .iter()
            .any(|f| f == "\\Draft"),
        "{a:#?}"
    );

    ui.press("cDrafts<Enter>");
    ui.wait_until("the draft listed in Drafts", |s| {
        tui_support::live::row(s, "Finish later").is_some()
    })
    .await;
    ui.press("<Enter>");
    let writing = ui.wait_for("Half of a thought.").await;
    assert!(writing.contains(&people.b.name), "{writing}");
    ui.press("<C-x>");
    ui.wait_for("Review before sending").await;
    ui.press("y");
    ui.wait_for("mail: sent (").await;

    let raw = arrived(&mut people.b_server, "INBOX", "Finish later").await;
    assert!(text(&parse(&raw)).contains("Half of a thought."));
    let a = people
        .a_server
        .eventually("the Drafts copy gone, a copy in Sent", |s| {
            exactly(s, "Drafts", "Finish later").is_empty()
                && !exactly(s, "Sent", "Finish later").is_empty()
        })
        .await;
    assert_eq!(a.count("Drafts"), 0, "{a:#?}");
    ui.quit().await;
}

/// A 10 MiB file attached with `a` and a path typed in the prompt reaches B whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_megabyte_attachment_arrives_whole() {
    let mut people = people("tui-big").await;
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("big.bin");
    let bytes = binary(10 * 1024 * 1024);
    std::fs::write(&path, &bytes).unwrap();
    let (ui, _dir) = a_ui(&people.a, 0, None);
    ui.wait_for("INBOX").await;

    ui.press("m");
    ui.wait_for("Subject:").await;
    type_message(&ui, &people.b.name, "Big file", "The file is attached.").await;
    ui.press("a");
    ui.wait_for("Attach the file:").await;
    // The prompt starts with `~/`.
    ui.press(&format!("<BS><BS>{}<Enter>", path.display()));
    // The file in the review (not only its path typed in the prompt).
    ui.wait_for("big.bin  application/octet-stream  10 MiB")
        .await;
    ui.press("y");
    ui.wait_for("mail: sent (").await;

    let raw = arrived(&mut people.b_server, "INBOX", "Big file").await;
    let message = parse(&raw);
    let attached: Vec<_> = message.attachments().collect();
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0].attachment_name(), Some("big.bin"));
    assert_eq!(attached[0].contents().len(), bytes.len());
    assert!(
        attached[0].contents() == bytes.as_slice(),
        "the bytes changed on the way"
    );
    people
        .a_server
        .eventually("the copy in Sent", |s| {
            !exactly(s, "Sent", "Big file").is_empty()
        })
        .await;
    ui.quit().await;
}

/// Typing in postern's own editor when the terminal goes away (SIGHUP): what was
/// typed is kept, offered back at the next start, and can be sent from there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hangup_while_typing_keeps_the_draft_for_the_next_start() {
    let mut people = people("tui-hangup").await;
    let config_dir = tempfile::tempdir().unwrap();
    let config = parse_config(&config_text(config_dir.path(), &people.a, 0));
    let ui = Live::start_editing(&config, SIZE, None);
    ui.wait_for("INBOX").await;

    ui.press("m");
    ui.wait_for("Subject:").await;
    ui.press(&format!(
        "{}<Tab><Tab><Tab>Cut off<Tab>Typed before the hangup.",
        people.b.name
    ));
    ui.wait_for("Typed before the hangup.").await;
    let store = ui.hang_up().await;

    let ui = Live::start_in(store, &config, SIZE, None);
    let offer = ui.wait_for("was being written").await;
    assert!(offer.contains("1 draft recovered: \"Cut off\""), "{offer}");
    ui.press("y");
    let writing = ui.wait_for("Typed before the hangup.").await;
    assert!(writing.contains(&people.b.name), "{writing}");
    ui.press("<C-x>");
    ui.wait_for("Review before sending").await;
    ui.press("y");
    ui.wait_for("mail: sent (").await;

    let raw = arrived(&mut people.b_server, "INBOX", "Cut off").await;
    assert!(text(&parse(&raw)).contains("Typed before the hangup."));
    ui.quit().await;
}

// ---------- the real binary in a real terminal ----------

/// A profile for the real binary: its config file (A's account) and directories.
struct Profile {
    home: tempfile::TempDir,
    config: std::path::PathBuf,
}

impl Profile {
    fn new(a: &TestUser, send_delay: u64) -> Profile {
        let home = tempfile::tempdir().unwrap();
        let text = config_text(home.path(), a, send_delay);
        parse_config(&text); // the binary reads the same text: it must be valid
        let config = home.path().join("postern.toml");
        std::fs::write(&config, &text).unwrap();
        Profile { home, config }
    }

    /// postern in tmux at 120x40 on this profile, writing with `editor`. With
    /// `then`, the pane's shell runs it after postern (else postern is the pane).
    fn start(&self, editor: &ScriptEditor, then: Option<&str>) -> Tmux {
        let env: Vec<String> = postern_test_stack::profile_env(self.home.path())
            .iter()
            .map(|(name, value)| format!("{name}={}", shell_quote(&value.to_string_lossy())))
            .collect();
        let postern = format!(
            "env -u POSTERN_CONFIG -u VISUAL {} EDITOR={} {} --config {}",
            env.join(" "),
            shell_quote(&editor.command),
            shell_quote(env!("CARGO_BIN_EXE_postern")),
            shell_quote(&self.config.to_string_lossy()),
        );
        let command = match then {
            Some(then) => format!("{postern}; {then}"),
            None => format!("exec {postern}"),
        };
        Tmux::start(&command, 120, 40)
    }
}

/// The reply flow with the real binary: `r`, the editor, `y`, `q`; the reply is in
/// B's INBOX, threaded, its subject's `RE:` kept as it was, the original answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_reply_in_a_real_terminal_reaches_the_sender() {
    let mut people = people("e2e-reply").await;
    let original = from_b(
        &people,
        "RE: Quarterly numbers",
        "numbers.7@example.test",
        "Are the numbers final?",
    );
    people.a_server.append_raw("INBOX", &original, "").await;
    let profile = Profile::new(&people.a, 0);
    let editor = ScriptEditor::typing(profile.home.path(), "reply", "Yes, final.");
    let tmux = profile.start(&editor, Some("echo \"exit=$?\"; stty -a; sleep 60"));
    tmux.wait_for("Quarterly numbers");

    tmux.keys(&["r"]);
    tmux.wait_until("the review with the editor's line", |s| {
        s.contains("Review before sending") && s.contains("Yes, final.")
    });
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");
    let raw = arrived(&mut people.b_server, "INBOX", "RE: Quarterly numbers").await;
    let reply = parse(&raw);
    assert_eq!(header(&reply, "In-Reply-To"), "<numbers.7@example.test>");
    assert_eq!(sender(&reply), people.a.name);
    let body = text(&reply);
    assert!(body.contains("> Are the numbers final?"), "{body}");
    assert!(body.contains("Yes, final."), "{body}");

    tmux.keys(&["q"]);
    tmux.wait_for("icanon");
    assert_terminal_restored(&tmux);
    let a = people
        .a_server
        .eventually("the original answered, the reply in Sent", |s| {
            exactly(s, "INBOX", "RE: Quarterly numbers")
                .iter()
                .any(|m| m.flags.iter().any(|f| f == "\\Answered"))
                && !exactly(s, "Sent", "RE: Quarterly numbers").is_empty()
        })
        .await;
    assert_eq!(
        exactly(&a, "Sent", "RE: Quarterly numbers").len(),
        1,
        "{a:#?}"
    );
}

/// postern killed (SIGKILL) while the editor is open: the next start reads what the
/// editor had written into the draft and offers it back; sent from there, it
/// arrives with that text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_what_the_editor_wrote_survives_postern_being_killed() {
    let mut people = people("e2e-killed").await;
    let profile = Profile::new(&people.a, 0);
    let marks = profile.home.path().join("marks");
    std::fs::create_dir_all(&marks).unwrap();
    let writing = ScriptEditor::new(
        profile.home.path(),
        "writing",
        &format!(
            "sed -i -e 's/^To:.*/To: {to}/' -e 's/^Subject:.*/Subject: Before the kill/' \"$FILE\"\n\
             echo 'Every word survives.' >> \"$FILE\"\n\
             echo $$ > {marks}/pid\ntouch {marks}/ready\nexec sleep 300",
            to = people.b.name,
            marks = marks.display()
        ),
    );
    let tmux = profile.start(&writing, None);
    tmux.wait_for("INBOX");
    tmux.keys(&["m"]);
    eventually("the editor to have written", || {
        marks.join("ready").exists()
    })
    .await;
    let postern = tmux.format("#{pane_pid}");
    kill(&postern);
    // The editor may be gone already: the terminal hangs up on it when postern,
    // the pane's process, dies.
    let editor = std::fs::read_to_string(marks.join("pid")).unwrap();
    let _ = std::process::Command::new("kill")
        .args(["-KILL", editor.trim()])
        .status();
    let proc = Path::new("/proc").join(editor.trim());
    eventually("the editor gone", || !proc.exists()).await;
    tmux.wait_until("postern gone", |_| tmux.format("#{pane_dead}") == "1");
    drop(tmux);

    let looking = ScriptEditor::new(profile.home.path(), "looking", "true");
    let tmux = profile.start(&looking, None);
    let offer = tmux.wait_for("was being written");
    assert!(offer.contains("\"Before the kill\""), "{offer}");
    tmux.keys(&["y"]);
    tmux.wait_until("the review with the editor's text", |s| {
        s.contains("Review before sending") && s.contains("Every word survives.")
    });
    let given = looking.seen();
    assert!(given.contains("Subject: Before the kill\n"), "{given}");
    assert!(
        given.contains(&format!("To: {}\n", people.b.name)),
        "{given}"
    );
    assert!(given.ends_with("\nEvery word survives.\n"), "{given}");
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");

    let raw = arrived(&mut people.b_server, "INBOX", "Before the kill").await;
    assert!(text(&parse(&raw)).contains("Every word survives."));
}

/// SIGKILL to a process this test started, which must be running.
fn kill(pid: &str) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", pid])
        .status()
        .unwrap();
    assert!(status.success(), "kill -KILL {pid}");
}

/// The key pressed right after the editor ends counts, every time: the editor runs
/// seven times (`e`), each time adding a line, and the review's `a` straight after
/// it opens the prompt. What is sent has every line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_keys_after_the_editor_are_not_lost() {
    let mut people = people("e2e-rounds").await;
    let profile = Profile::new(&people.a, 0);
    let count = profile.home.path().join("edits");
    let editor = ScriptEditor::new(
        profile.home.path(),
        "rounds",
        &format!(
            "sed -i '1,/^$/s/^To:.*/To: {to}/; 1,/^$/s/^Subject:.*/Subject: Seven edits/' \"$FILE\"\n\
             echo x >> {count}\necho \"edit $(wc -l < {count})\" >> \"$FILE\"",
            to = people.b.name,
            count = count.display()
        ),
    );
    let tmux = profile.start(&editor, None);
    tmux.wait_for("INBOX");
    tmux.keys(&["m"]);
    for round in 1..=7 {
        tmux.wait_until(&format!("the review after edit {round}"), |s| {
            s.contains("Review before sending") && s.contains(&format!("edit {round}"))
        });
        tmux.keys(&["a"]);
        tmux.wait_for("Attach the file:");
        tmux.keys(&["Escape"]);
        tmux.wait_until("the prompt gone", |s| !s.contains("Attach the file:"));
        if round < 7 {
            tmux.keys(&["e"]);
        }
    }
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");
    let raw = arrived(&mut people.b_server, "INBOX", "Seven edits").await;
    let body = text(&parse(&raw));
    let lines: Vec<String> = (1..=7).map(|n| format!("edit {n}")).collect();
    assert!(body.starts_with(&lines.join("\n")), "{body}");
}
