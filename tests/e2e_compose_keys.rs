//! The rest of writing mail with the real binary in a real terminal (tmux, 120x40)
//! against the test mail stack, one scenario per key: reply to a list (`L`), edit a
//! sent message as new (`e`), send from another identity (`f` in the review), switch
//! a forward to an attached one (`A` in the review), complete an address from the
//! store in postern's own editor, and act on the outbox (explain, send again, edit,
//! delete, and a message that may have gone). Every effect is checked on the server
//! with another IMAP client, or in what the SMTP relay saw.

mod e2e_support;
mod editor_support;
mod gate_support;
mod mail_support;
mod tmux_support;
mod tui_support;

use e2e_support::*;
use editor_support::ScriptEditor;
use gate_support::{Gate, Mode};
use mail_parser::{MimeHeaders, PartType};
use mail_support::*;
use postern_test_stack::Stack;
use tmux_support::Tmux;
use tui_support::live::eventually;

/// A plain-text message from `from` to `to` with these headers and text, CRLF ends.
fn plain(from: &str, to: &str, subject: &str, headers: &str, text: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {DATE}\r\n{headers}\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    )
}

/// What the SMTP relay was given whose text carries this subject line.
fn relayed(subject: &str) -> Vec<postern_test_stack::SunkMessage> {
    Stack::shared()
        .sink()
        .messages()
        .into_iter()
        .filter(|m| m.text().contains(&format!("Subject: {subject}\r\n")))
        .collect()
}

/// `L` on a message that came through a list (List-Post names the list's address):
/// the list gets the reply, threaded under the original; its sender does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_reply_list_reaches_the_list_and_not_the_sender() {
    let mut a = person("e2e-keys-list-a").await;
    let b = person("e2e-keys-list-b").await;
    let mut list = person("e2e-keys-list-l").await;
    let original = plain(
        &format!("Bea Baker <{}>", b.user.name),
        &format!("Team <{}>", list.user.name),
        "[team] Offsite",
        &format!(
            "Message-ID: <offsite.1@example.test>\r\nList-Id: Team <team.example.test>\r\n\
             List-Post: <mailto:{}>\r\n",
            list.user.name
        ),
        "Who is coming to the offsite?",
    );
    a.server.append_raw("INBOX", &original, "").await;
    let profile = Profile::new(&a.user, 0);
    let editor = ScriptEditor::typing(profile.home.path(), "list", "Count me in.");
    let tmux = profile.start(Some(&editor));
    tmux.wait_for("[team] Offsite");

    tmux.keys(&["L"]);
    let review = tmux.wait_until("the review with the editor's line", |s| {
        s.contains("Review before sending") && s.contains("Count me in.")
    });
    assert!(
        review.contains(&format!("To: {}", list.user.name)),
        "{review}"
    );
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");

    let raw = arrived(&mut list.server, "INBOX", "Re: [team] Offsite").await;
    let reply = parse(&raw);
    assert_addressed(&reply, &a.user.name, &[&list.user.name]);
    assert_eq!(header(&reply, "In-Reply-To"), "<offsite.1@example.test>");
    let body = text(&reply);
    assert!(body.contains("> Who is coming to the offsite?"), "{body}");
    assert!(body.contains("Count me in."), "{body}");
    // The relay was given it once, for the list alone: Bea is not written to.
    let sent = relayed("Re: [team] Offsite");
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(
        sent[0].rcpt_to,
        vec![list.user.name.clone()],
        "{:#?}",
        sent[0]
    );
    a.server
        .eventually("the reply in Sent, the original answered", |s| {
            !exactly(s, "Sent", "Re: [team] Offsite").is_empty()
                && s.has_flag("[team] Offsite", "\\Answered")
        })
        .await;
}

/// `e` on a message in Sent, the editor changes its subject and a word: B gets the
/// changed copy as a new message (no In-Reply-To), and Sent keeps both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_edit_as_new_sends_a_changed_copy_of_a_sent_message() {
    let mut a = person("e2e-keys-again-a").await;
    let mut b = person("e2e-keys-again-b").await;
    let sent = plain(
        &format!("Ada Able <{}>", a.user.name),
        &format!("Bea Baker <{}>", b.user.name),
        "Quarterly numbers",
        "Message-ID: <numbers.1@example.test>\r\n",
        "Revenue is up four percent.",
    );
    a.server.append_raw("Sent", &sent, "\\Seen").await;
    let profile = Profile::new(&a.user, 0);
    let editor = ScriptEditor::new(
        profile.home.path(),
        "again",
        "sed -i -e 's/^Subject: .*/Subject: Quarterly numbers (corrected)/' \
         -e 's/four percent/five percent/' \"$FILE\"",
    );
    let tmux = profile.start(Some(&editor));
    tmux.wait_for("INBOX");
    change_folder(&tmux, "Sent", "Quarterly numbers");

    tmux.keys(&["e"]);
    let review = tmux.wait_until("the review of the changed copy", |s| {
        s.contains("Review before sending") && s.contains("five percent")
    });
    assert!(review.contains("Quarterly numbers (corrected)"), "{review}");
    assert!(review.contains(&b.user.name), "{review}");
    // The editor was given the copy: Ada's From, Bea's address, the old text.
    let seen = editor.seen();
    assert!(seen.contains("Revenue is up four percent."), "{seen}");
    assert!(seen.contains(&b.user.name), "{seen}");
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");

    let raw = arrived(&mut b.server, "INBOX", "Quarterly numbers (corrected)").await;
    let copy = parse(&raw);
    assert_addressed(&copy, &a.user.name, &[&b.user.name]);
    assert_text_starts(&copy, "Revenue is up five percent.");
    assert!(copy.header_raw("In-Reply-To").is_none(), "a new message");
    let mine = filed(&mut a.server, "Sent", "Quarterly numbers (corrected)").await;
    assert_eq!(
        exactly(&mine, "Sent", "Quarterly numbers").len(),
        1,
        "{mine:#?}"
    );
}

/// An account with a second identity: `f` in the review switches the From to it,
/// and B gets the message from that identity (the Sent copy says so too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_f_in_the_review_sends_from_the_next_identity() {
    let mut a = person("e2e-keys-from-a").await;
    let mut b = person("e2e-keys-from-b").await;
    let profile = Profile::edited(&a.user, 0, |account| {
        account
            + "identities = [{ name = \"Ada at the Helpdesk\", email = \"helpdesk@example.test\" }]\n"
    });
    let tmux = profile.start(None);
    tmux.wait_for("INBOX");
    tmux.keys(&["m"]);
    tmux.wait_for("Subject:");
    type_message(
        &tmux,
        &b.user.name,
        "Ticket 42",
        &["Your ticket is closed."],
    );
    let review = {
        tmux.keys(&["C-x"]);
        tmux.wait_for("Review before sending")
    };
    assert!(!review.contains("helpdesk@example.test"), "{review}");
    tmux.keys(&["f"]);
    tmux.wait_until("the review from the helpdesk", |s| {
        s.contains("Review before sending")
            && s.contains("Ada at the Helpdesk <helpdesk@example.test>")
    });
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");

    let raw = arrived(&mut b.server, "INBOX", "Ticket 42").await;
    let message = parse(&raw);
    assert_eq!(sender(&message), "helpdesk@example.test");
    assert_eq!(
        message
            .from()
            .and_then(|f| f.first())
            .and_then(|f| f.name()),
        Some("Ada at the Helpdesk")
    );
    let copy = arrived(&mut a.server, "Sent", "Ticket 42").await;
    assert_eq!(sender(&parse(&copy)), "helpdesk@example.test");
}

/// `f` on a message, the editor sets To: C, then `A` in the review: C gets the
/// original attached whole (message/rfc822), and the original is marked forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_a_in_the_review_forwards_the_original_attached() {
    let mut a = person("e2e-keys-attached-a").await;
    let b = person("e2e-keys-attached-b").await;
    let mut c = person("e2e-keys-attached-c").await;
    let original = plain(
        &format!("Bea Baker <{}>", b.user.name),
        &a.user.name,
        "Site photos",
        "Message-ID: <photos.3@example.test>\r\n",
        "Photos from the site visit.",
    );
    a.server.append_raw("INBOX", &original, "").await;
    let profile = Profile::new(&a.user, 0);
    let editor = ScriptEditor::addressing(
        profile.home.path(),
        "forward",
        &c.user.name,
        "Attached whole, Cy.",
    );
    let tmux = profile.start(Some(&editor));
    tmux.wait_for("Site photos");

    tmux.keys(&["f"]);
    let inline = tmux.wait_until("the review of the inline forward", |s| {
        s.contains("Review before sending") && s.contains(&format!("To: {}", c.user.name))
    });
    assert!(!inline.contains("message/rfc822"), "{inline}");
    tmux.keys(&["A"]);
    let attached = tmux.wait_until("the review of the attached forward", |s| {
        s.contains("Review before sending") && s.contains("message/rfc822")
    });
    assert!(attached.contains("Site photos.eml"), "{attached}");
    assert!(
        attached.contains(&format!("To: {}", c.user.name)),
        "what was written is kept:\n{attached}"
    );
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");

    let raw = arrived(&mut c.server, "INBOX", "Fwd: Site photos").await;
    let forward = parse(&raw);
    assert_eq!(recipients(&forward), vec![c.user.name.clone()]);
    let parts: Vec<_> = forward.attachments().collect();
    assert_eq!(parts.len(), 1, "{}", String::from_utf8_lossy(&raw));
    let kind = parts[0].content_type().expect("a content type");
    assert_eq!(
        (kind.ctype(), kind.subtype()),
        ("message", Some("rfc822")),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    let PartType::Message(inner) = &parts[0].body else {
        panic!("not a message part: {}", String::from_utf8_lossy(&raw));
    };
    assert_eq!(inner.subject(), Some("Site photos"));
    assert_eq!(sender(inner), b.user.name);
    assert!(text(inner).contains("Photos from the site visit."));
    a.server
        .eventually("the original marked forwarded", |s| {
            s.has_flag("Site photos", "$Forwarded")
        })
        .await;
}

/// The popup's keys, in its bottom border.
const POPUP: &str = "Tab next · Enter take · Esc close";

/// In postern's own editor, typing part of a name in To lists the address postern
/// knows from the mail in its store; Esc closes the list and leaves the editor
/// open; Down and Enter write the address; B gets the message with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_an_address_completed_from_the_store_reaches_b() {
    let mut a = person("e2e-keys-complete-a").await;
    let mut b = person("e2e-keys-complete-b").await;
    let bea = format!("Bea Baker <{}>", b.user.name);
    let hello = plain(
        &bea,
        &a.user.name,
        "Hello from Bea",
        "Message-ID: <hello.4@example.test>\r\n",
        "Write any time.",
    );
    a.server.append_raw("INBOX", &hello, "").await;
    let profile = Profile::new(&a.user, 0);
    let tmux = profile.start(None);
    tmux.wait_for("Hello from Bea");
    tmux.keys(&["m"]);
    tmux.wait_for("Subject:");

    type_text(&tmux, "Be");
    let popup = tmux.wait_for(POPUP);
    assert!(popup.contains(&bea), "{popup}");
    tmux.keys(&["Escape"]);
    let closed = tmux.wait_until("the list closed", |s| !s.contains(POPUP));
    assert!(closed.contains("Subject:"), "the editor stays:\n{closed}");
    assert!(!closed.contains("Review before sending"), "{closed}");
    // Another letter asks again; Down picks, Enter writes it in To.
    type_text(&tmux, "a");
    tmux.wait_for(POPUP);
    tmux.keys(&["Down", "Enter"]);
    tmux.wait_until("the address written in To", |s| {
        !s.contains(POPUP) && s.contains(&format!("To:      {bea},"))
    });
    tmux.keys(&["Tab", "Tab", "Tab"]);
    type_text(&tmux, "Completed");
    tmux.keys(&["Tab"]);
    type_text(&tmux, "Found you in my mail.");
    tmux.wait_for("Found you in my mail.");
    finish(&tmux);
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");

    let raw = arrived(&mut b.server, "INBOX", "Completed").await;
    let message = parse(&raw);
    assert_eq!(recipients(&message), vec![b.user.name.clone()]);
    let to = message.to().and_then(|to| to.first()).unwrap();
    assert_eq!(to.name(), Some("Bea Baker"), "{}", header(&message, "To"));
}

/// A profile on `a`'s account whose SMTP goes through `gate`.
fn gated(a: &postern_test_stack::TestUser, gate: &Gate) -> Profile {
    let submissions = Stack::shared().ports().submissions;
    Profile::edited(a, 0, |account| {
        let smtp = format!("port = {submissions}, tls");
        assert!(account.contains(&smtp), "{account}");
        account.replace(&smtp, &format!("port = {}, tls", gate.port))
    })
}

/// Composes and queues a message to `to` in postern's own editor.
fn queue(tmux: &Tmux, to: &str, subject: &str, line: &str) {
    tmux.keys(&["m"]);
    tmux.wait_for("Subject:");
    type_message(tmux, to, subject, &[line]);
    finish(tmux);
    tmux.keys(&["y"]);
    tmux.wait_until("the review gone", |s| !s.contains("Review before sending"));
}

/// Enter on the outbox's selected message, then `q`: its explanation, and the
/// attempts it counts.
fn explained(tmux: &Tmux) -> (String, u32) {
    tmux.keys(&["Enter"]);
    let told = tmux.wait_for("Attempts: ");
    tmux.keys(&["q"]);
    tmux.wait_until("the explanation closed", |s| !s.contains("Attempts: "));
    let (_, rest) = told.split_once("Attempts: ").unwrap();
    let attempts = rest.split_whitespace().next().unwrap().parse().unwrap();
    (told, attempts)
}

/// The SMTP server away (connections closed at once): three messages wait in the
/// outbox to be tried again. In the outbox layer, Enter explains the first; Ctrl-r
/// tries it again at once (still away); `d` deletes the third after asking; `e`
/// takes the second back to be written again, and it is postponed. With the server
/// back, Ctrl-r sends the first, and the mended second goes from Drafts: B gets each
/// once, the relay never saw the third, and the Outbox entry goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_the_outbox_sends_again_edits_and_deletes() {
    let a = person("e2e-keys-outbox-a").await;
    let mut b = person("e2e-keys-outbox-b").await;
    let gate = Gate::start(Stack::shared().ports().submissions, Mode::Shut).await;
    let profile = gated(&a.user, &gate);
    let tmux = profile.start(None);
    tmux.wait_for("INBOX");
    for (subject, line) in [
        ("Try again", "First of three."),
        ("Mend me", "Second of three."),
        ("Never mind", "Third of three."),
    ] {
        queue(&tmux, &b.user.name, subject, line);
    }
    tmux.wait_until("three waiting in the Outbox entry", |s| {
        tui_support::live::folder_row(s, "Outbox").is_some_and(|row| row.ends_with(" 3"))
    });
    open_outbox(&tmux);
    let list = tmux.wait_until("all three to be tried again", |s| {
        s.matches("will retry").count() == 3
    });
    for subject in ["Try again", "Mend me", "Never mind"] {
        assert!(list.contains(subject), "{subject} in\n{list}");
    }

    // Each send tries again what failed for now, so the first was tried more than
    // once by the time the third was queued.
    let (told, tried) = explained(&tmux);
    assert!(tried >= 1, "{told}");
    let before = gate.connections();
    tmux.keys(&["C-r"]);
    eventually("another connection for Ctrl-r", || {
        gate.connections() > before
    })
    .await;
    assert!(told.contains("Subject: Try again"), "{told}");
    assert!(told.contains("tried again by itself"), "{told}");
    assert!(
        told.contains("closed the connection before TLS"),
        "the cause named:\n{told}"
    );
    eventually("the attempt recorded", || explained(&tmux).1 == tried + 1).await;

    tmux.keys(&["j", "j", "d"]);
    tmux.wait_for("from the outbox? It");
    tmux.keys(&["y"]);
    tmux.wait_until("the third gone from the outbox", |s| {
        s.contains("Outbox: not sent yet") && !s.contains("Never mind")
    });
    // The cursor stays on the last one left, the second: `e` opens it in the
    // editor, where a line is added, and Ctrl-x shows the review.
    tmux.keys(&["e"]);
    let writing = tmux.wait_for("Second of three.");
    assert!(writing.contains("Subject: Mend me"), "{writing}");
    tmux.keys(&["End", "Enter"]);
    type_text(&tmux, "Mended.");
    tmux.wait_for("Mended.");
    finish(&tmux);
    // Postponed: out of the outbox, in Drafts (every send also tries again what
    // failed for now, so it would go with the first one's Ctrl-r).
    tmux.keys(&["p"]);
    tmux.wait_for("postponed");

    gate.set(Mode::Open);
    open_outbox(&tmux);
    let left = tmux.wait_for("Try again");
    assert!(!left.contains("Mend me"), "{left}");
    tmux.keys(&["C-r"]);
    tmux.wait_for("nothing waits to be sent");
    arrived(&mut b.server, "INBOX", "Try again").await;
    tmux.keys(&["q"]);
    tmux.wait_until("the Outbox entry gone", |s| {
        !s.contains("Outbox: not sent yet") && tui_support::live::folder_row(s, "Outbox").is_none()
    });

    // The mended one, recalled from Drafts and sent.
    change_folder(&tmux, "Drafts", "Mend me");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Mended.");
    finish(&tmux);
    tmux.keys(&["y"]);
    tmux.wait_for("mail: sent (");
    let mended = arrived(&mut b.server, "INBOX", "Mend me").await;
    assert_text_starts(&parse(&mended), "Second of three.\nMended.");

    assert_eq!(b.server.snapshot().await.count("INBOX"), 2);
    assert!(relayed("Never mind").is_empty());
    assert_eq!(relayed("Try again").len(), 1);
    assert_eq!(relayed("Mend me").len(), 1);
    let unsent = profile.run(&["outbox"]);
    assert!(!unsent.contains("Never mind"), "{unsent}");
}

/// postern killed (`kill -9`) in the middle of writing a message to the SMTP server
/// (the connection held after 40 kB of the message's 100: the server never gets
/// its end). At the next start the message is "maybe sent" and is not sent by
/// itself; Ctrl-r in the outbox asks first, and `y` sends it: B gets it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_a_message_that_may_have_gone_is_sent_again_only_when_asked() {
    let a = person("e2e-keys-maybe-a").await;
    let mut b = person("e2e-keys-maybe-b").await;
    let gate = Gate::start(Stack::shared().ports().submissions, Mode::HoldAfter(40_000)).await;
    let profile = gated(&a.user, &gate);
    let editor = ScriptEditor::new(
        profile.home.path(),
        "long",
        &format!(
            "sed -i -e '1,/^$/s/^To:.*/To: {}/' -e '1,/^$/s/^Subject:.*/Subject: Did it go/' \
             \"$FILE\"\necho 'Cut off mid-send.' >> \"$FILE\"\n\
             seq -f 'line %05g of a long message' 1 4000 >> \"$FILE\"",
            b.user.name
        ),
    );
    let tmux = profile.start(Some(&editor));
    tmux.wait_for("INBOX");
    tmux.keys(&["m"]);
    tmux.wait_until("the review of the long message", |s| {
        s.contains("Review before sending") && s.contains("Cut off mid-send.")
    });
    tmux.keys(&["y"]);
    eventually("the send held mid-message", || gate.holding()).await;
    kill_hard(tmux).await;
    let listed = profile.run(&["outbox"]);
    assert!(listed.contains("maybe sent"), "{listed}");

    gate.set(Mode::Open);
    let tmux = profile.start(None);
    tmux.wait_until("the Outbox entry asking for attention", |s| {
        tui_support::live::folder_row(s, "Outbox (failed)").is_some()
    });
    open_outbox(&tmux);
    tmux.wait_for("maybe sent");
    // Nothing was sent by itself meanwhile, nor reached the relay before.
    assert_eq!(gate.connections(), 1);
    assert!(relayed("Did it go").is_empty());
    tmux.keys(&["C-r"]);
    tmux.wait_for("may have been delivered already");
    tmux.keys(&["y"]);
    tmux.wait_for("nothing waits to be sent");
    let raw = arrived(&mut b.server, "INBOX", "Did it go").await;
    let body = text(&parse(&raw));
    assert!(body.starts_with("Cut off mid-send.\nline 00001"), "{body}");
    assert!(body.contains("line 04000 of a long message"));
    assert_eq!(relayed("Did it go").len(), 1);
}
