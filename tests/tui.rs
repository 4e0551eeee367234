//! The TUI driven through the real `update`, drawn to ratatui's `TestBackend`.

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use postern::engine::{Command, Event};
use postern::mime::{Attachment, Rendered};
use postern::store::{
    AccountId, AccountRow, EnvelopeRow, Flags, FolderId, FolderRole, FolderRow, MessageId,
};
use postern::tui::keymap::{self, BINDINGS};
use postern::tui::model::{Focus, Status};
use postern::tui::view::text;
use postern::tui::{Clock, Effect, Model, Msg, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

// ---------- helpers ----------

/// 2026-03-10 14:00:00 UTC.
const NOW: i64 = 1_773_151_200;
const CLOCK: Clock = Clock {
    now: NOW,
    utc_offset: 0,
};
const WORK: AccountId = AccountId(1);
const HOME: AccountId = AccountId(2);
const WORK_ARCHIVE: FolderId = FolderId(10);
const WORK_INBOX: FolderId = FolderId(11);
const WORK_SENT: FolderId = FolderId(12);
const HOME_INBOX: FolderId = FolderId(20);

/// "jj<Enter><C-d>" as key events. Upper-case letters carry SHIFT, as terminals send them.
fn keys(script: &str) -> Vec<KeyEvent> {
    let mut out = Vec::new();
    let mut chars = script.chars();
    while let Some(c) = chars.next() {
        if c != '<' {
            let modifiers = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            out.push(KeyEvent::new(KeyCode::Char(c), modifiers));
            continue;
        }
        let name: String = chars.by_ref().take_while(|&c| c != '>').collect();
        let event = match name.as_str() {
            "Enter" => KeyEvent::from(KeyCode::Enter),
            "Esc" => KeyEvent::from(KeyCode::Esc),
            "Tab" => KeyEvent::from(KeyCode::Tab),
            "Up" => KeyEvent::from(KeyCode::Up),
            "Down" => KeyEvent::from(KeyCode::Down),
            "Left" => KeyEvent::from(KeyCode::Left),
            "Right" => KeyEvent::from(KeyCode::Right),
            "Home" => KeyEvent::from(KeyCode::Home),
            "End" => KeyEvent::from(KeyCode::End),
            "PgUp" => KeyEvent::from(KeyCode::PageUp),
            "PgDn" => KeyEvent::from(KeyCode::PageDown),
            "lt" => KeyEvent::from(KeyCode::Char('<')),
            ctrl if ctrl.starts_with("C-") => {
                let c = ctrl.chars().nth(2).expect("C-x");
                KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
            }
            other => panic!("unknown key <{other}>"),
        };
        out.push(event);
    }
    out
}

fn press(model: &mut Model, script: &str) -> Vec<Effect> {
    keys(script)
        .into_iter()
        .flat_map(|k| update(model, Msg::Key(k)))
        .collect()
}

fn engine(model: &mut Model, event: Event) -> Vec<Effect> {
    update(model, Msg::Engine(event))
}

fn cmd(command: Command) -> Effect {
    Effect::Engine(command)
}

fn accounts() -> Vec<AccountRow> {
    vec![
        AccountRow {
            id: WORK,
            name: "work".into(),
            email: "me@work.example".into(),
        },
        AccountRow {
            id: HOME,
            name: "home".into(),
            email: "me@home.example".into(),
        },
    ]
}

fn folder(
    id: FolderId,
    account: AccountId,
    name: &str,
    role: Option<FolderRole>,
    unread: u32,
) -> FolderRow {
    FolderRow {
        id,
        account,
        name: name.into(),
        role,
        total: 340,
        unread,
    }
}

fn work_folders() -> Vec<FolderRow> {
    vec![
        // Not first: the inbox must still be what opens.
        folder(WORK_ARCHIVE, WORK, "Archive", Some(FolderRole::Archive), 0),
        folder(WORK_INBOX, WORK, "INBOX", Some(FolderRole::Inbox), 3),
        folder(WORK_SENT, WORK, "Gesendet", Some(FolderRole::Sent), 0),
        folder(FolderId(13), WORK, "Projects", None, 0),
        folder(FolderId(14), WORK, "Projects/postern", None, 1),
        folder(FolderId(15), WORK, "Lists/rust", None, 0),
    ]
}

fn home_folders() -> Vec<FolderRow> {
    vec![folder(
        HOME_INBOX,
        HOME,
        "INBOX",
        Some(FolderRole::Inbox),
        2,
    )]
}

/// Envelope number `n` (0 = newest) of a folder: one every 7 hours back from NOW.
fn envelope(folder: FolderId, n: usize) -> EnvelopeRow {
    EnvelopeRow {
        id: MessageId(folder.0 * 10_000 + n as i64),
        folder,
        date: NOW - 7 * 3600 * n as i64 - 600,
        from: format!("Sender {n} <sender{n}@example.org>"),
        subject: format!("Subject number {n} in folder {}", folder.0),
        flags: Flags {
            seen: n >= 3,
            flagged: n == 1,
            answered: n == 2,
            ..Flags::default()
        },
        size: 1000 + n as u64,
        has_attachments: n.is_multiple_of(5),
    }
}

fn page(folder: FolderId, offset: usize, count: usize, total: usize) -> Event {
    Event::Envelopes {
        folder,
        offset,
        total,
        rows: (offset..offset + count)
            .map(|n| envelope(folder, n))
            .collect(),
    }
}

fn rendered(subject: &str) -> Box<Rendered> {
    let headers = vec![
        (
            "From".to_string(),
            "Sender 2 <sender2@example.org>".to_string(),
        ),
        ("To".to_string(), "me@work.example".to_string()),
        (
            "Date".to_string(),
            "Tue, 10 Mar 2026 00:50:00 +0000".to_string(),
        ),
        ("Subject".to_string(), subject.to_string()),
    ];
    let mut all_headers = vec![
        (
            "Received".to_string(),
            "from mx.example.org by mail.work.example".to_string(),
        ),
        ("Message-ID".to_string(), "<abc@example.org>".to_string()),
    ];
    all_headers.extend(headers.clone());
    Box::new(Rendered {
        headers,
        all_headers,
        body: (1..=60)
            .map(|i| format!("Body line {i} of the message."))
            .collect(),
        attachments: vec![
            Attachment {
                name: "report.pdf".into(),
                mime_type: "application/pdf".into(),
                size: 245_760,
            },
            Attachment {
                name: "photo.jpg".into(),
                mime_type: "image/jpeg".into(),
                size: 812,
            },
        ],
    })
}

/// A model that has loaded the accounts, work's folders and its inbox's first page.
fn loaded(size: (u16, u16)) -> Model {
    let mut model = Model::new(size, CLOCK);
    // Every account's folders are asked for, so every tab can show its unread count.
    assert_eq!(
        engine(&mut model, Event::Accounts(accounts())),
        vec![
            cmd(Command::LoadFolders { account: WORK }),
            cmd(Command::LoadFolders { account: HOME })
        ]
    );
    assert_eq!(
        engine(
            &mut model,
            Event::Folders {
                account: WORK,
                folders: work_folders()
            }
        ),
        vec![cmd(Command::LoadEnvelopes {
            folder: WORK_INBOX,
            offset: 0,
            limit: 200
        })]
    );
    assert!(engine(&mut model, page(WORK_INBOX, 0, 200, 340)).is_empty());
    model
}

/// The screen as text, one line per row (wide characters take one entry).
fn screen(model: &Model) -> String {
    let (w, h) = model.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| view(model, f)).expect("draw");
    buffer_text(terminal.backend())
}

fn buffer_text(backend: &TestBackend) -> String {
    let buffer = backend.buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut skip = 0;
        let mut line = String::new();
        for x in 0..buffer.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = text::width(symbol).saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

// ---------- tests ----------

#[test]
fn first_screen() {
    for size in [(120, 40), (80, 24)] {
        let model = loaded(size);
        let shot = screen(&model);
        assert!(shot.contains("Subject number 0 in folder 11"));
        assert!(shot.contains("1/340"), "position in status line:\n{shot}");
        insta::assert_snapshot!(format!("first_screen_{}x{}", size.0, size.1), shot);
    }
}

#[test]
fn screen_before_anything_arrives() {
    let model = Model::new((80, 24), CLOCK);
    insta::assert_snapshot!("empty_80x24", screen(&model));
}

#[test]
fn opening_a_message_asks_for_it_at_the_pane_width() {
    // 120 wide: folders 24 columns, the message under the list in the other 96,
    // less its border.
    let mut model = loaded((120, 40));
    let effects = press(&mut model, "jj<Enter>");
    assert_eq!(
        effects,
        vec![cmd(Command::OpenMessage {
            id: envelope(WORK_INBOX, 2).id,
            width: 94
        })]
    );
    assert_eq!(model.focus, Focus::Message);
    // Narrow: the message takes the whole width.
    let mut narrow = loaded((80, 24));
    assert_eq!(
        press(&mut narrow, "jj<Right>"),
        vec![cmd(Command::OpenMessage {
            id: envelope(WORK_INBOX, 2).id,
            width: 78
        })]
    );
}

#[test]
fn message_open_and_scrolled() {
    for size in [(120, 40), (80, 24)] {
        let mut model = loaded(size);
        press(&mut model, "jj<Enter>");
        let loading = screen(&model);
        assert!(loading.contains("loading…"));
        let id = envelope(WORK_INBOX, 2).id;
        engine(
            &mut model,
            Event::Message {
                id,
                rendered: rendered("Quarterly report"),
            },
        );
        let shot = screen(&model);
        assert!(shot.contains("Subject: Quarterly report"));
        insta::assert_snapshot!(format!("message_open_{}x{}", size.0, size.1), shot);

        // Scrolling stops at the last line: the attachment list is then on screen.
        press(&mut model, "G");
        let bottom = screen(&model);
        assert!(
            bottom.contains("report.pdf application/pdf  240 KiB"),
            "{bottom}"
        );
        assert!(bottom.contains("photo.jpg"));
        assert!(!bottom.contains("Subject: Quarterly"));
        insta::assert_snapshot!(format!("message_bottom_{}x{}", size.0, size.1), bottom);
        let scrolled = model.open_message().expect("open").scroll;
        press(&mut model, "jjj<PgDn><C-d>");
        assert_eq!(model.open_message().expect("open").scroll, scrolled);
        press(&mut model, "g");
        assert_eq!(model.open_message().expect("open").scroll, 0);
        press(&mut model, "<C-d>");
        assert!(model.open_message().expect("open").scroll > 0);
    }
}

#[test]
fn opening_marks_seen_and_lowers_the_unread_count() {
    let mut model = loaded((120, 40));
    let inbox_unread = |m: &Model| m.view().expect("view").folders[1].unread;
    assert_eq!(inbox_unread(&model), 3);
    press(&mut model, "<Enter>");
    let id = envelope(WORK_INBOX, 0).id;
    engine(
        &mut model,
        Event::Message {
            id,
            rendered: rendered("x"),
        },
    );
    assert_eq!(inbox_unread(&model), 2);
    let list = model.view().and_then(|v| v.list()).expect("list");
    assert!(list.rows[0].flags.seen);
    // Already seen: opening again changes nothing.
    engine(
        &mut model,
        Event::Message {
            id,
            rendered: rendered("x"),
        },
    );
    assert_eq!(inbox_unread(&model), 2);
}

#[test]
fn full_headers_toggle() {
    let mut model = loaded((120, 40));
    press(&mut model, "<Enter>");
    engine(
        &mut model,
        Event::Message {
            id: envelope(WORK_INBOX, 0).id,
            rendered: rendered("x"),
        },
    );
    assert!(!screen(&model).contains("Message-ID"));
    press(&mut model, "H");
    assert!(screen(&model).contains("Message-ID: <abc@example.org>"));
    press(&mut model, "H");
    assert!(!screen(&model).contains("Message-ID"));
}

#[test]
fn next_page_is_asked_for_near_the_end_once() {
    let mut model = loaded((120, 40));
    // 200 loaded, margin 50: the cursor on row 149 does not ask yet, row 150 does.
    assert!(press(&mut model, &"j".repeat(149)).is_empty());
    let next = cmd(Command::LoadEnvelopes {
        folder: WORK_INBOX,
        offset: 200,
        limit: 200,
    });
    assert_eq!(press(&mut model, "j"), vec![next.clone()]);
    // In flight: not asked again.
    assert!(press(&mut model, "jjG").is_empty());
    assert!(engine(&mut model, page(WORK_INBOX, 200, 140, 340)).is_empty());
    let list = model.view().and_then(|v| v.list()).expect("list");
    assert_eq!((list.rows.len(), list.total, list.cursor), (340, 340, 199));
    // Everything loaded: the end asks for nothing.
    assert!(press(&mut model, "G").is_empty());
    let shot = screen(&model);
    assert!(shot.contains("340/340"), "{shot}");
    assert!(shot.contains("Subject number 339 in folder 11"));
}

#[test]
fn a_page_that_arrives_with_the_cursor_at_its_end_asks_for_the_next() {
    let mut model = Model::new((120, 40), CLOCK);
    engine(&mut model, Event::Accounts(accounts()));
    engine(
        &mut model,
        Event::Folders {
            account: WORK,
            folders: work_folders(),
        },
    );
    // A small first page (the engine may send fewer rows than asked).
    assert_eq!(
        engine(&mut model, page(WORK_INBOX, 0, 10, 340)),
        vec![cmd(Command::LoadEnvelopes {
            folder: WORK_INBOX,
            offset: 10,
            limit: 200
        })]
    );
}

#[test]
fn account_switch_uses_the_cache() {
    let mut model = loaded((120, 40));
    // Its folders are still on their way: the switch waits for them (and refreshes).
    assert_eq!(
        press(&mut model, "2"),
        vec![cmd(Command::Refresh { account: HOME })]
    );
    let switching = screen(&model);
    assert!(switching.contains("loading…"));
    assert_eq!(
        engine(
            &mut model,
            Event::Folders {
                account: HOME,
                folders: home_folders()
            }
        ),
        vec![cmd(Command::LoadEnvelopes {
            folder: HOME_INBOX,
            offset: 0,
            limit: 200
        })]
    );
    engine(&mut model, page(HOME_INBOX, 0, 5, 5));
    insta::assert_snapshot!("account_home_120x40", screen(&model));

    // Back to work: shown at once from the cache, cursor where it was; only a refresh.
    press(&mut model, "1jjj");
    assert_eq!(
        press(&mut model, "2"),
        vec![cmd(Command::Refresh { account: HOME })]
    );
    assert_eq!(
        press(&mut model, "1"),
        vec![cmd(Command::Refresh { account: WORK })]
    );
    let shot = screen(&model);
    assert!(shot.contains("4/340"), "{shot}");
    insta::assert_snapshot!("account_back_to_work_120x40", shot);
    // [ and ] wrap around; the current account's number does nothing.
    assert_eq!(
        press(&mut model, "]"),
        vec![cmd(Command::Refresh { account: HOME })]
    );
    assert_eq!(
        press(&mut model, "]"),
        vec![cmd(Command::Refresh { account: WORK })]
    );
    assert_eq!(
        press(&mut model, "["),
        vec![cmd(Command::Refresh { account: HOME })]
    );
    assert!(press(&mut model, "2").is_empty());
    // No such account.
    assert!(press(&mut model, "9").is_empty());
    assert_eq!(model.account().map(|a| a.id), Some(HOME));
}

#[test]
fn account_tabs_show_unread_totals() {
    let model = loaded((120, 40));
    let top = screen(&model).lines().next().expect("line").to_string();
    assert!(top.contains("1 work (4)"), "{top}");
    assert!(top.contains("2 home"), "{top}");
}

#[test]
fn folders_switch_from_anywhere_and_stay_cached() {
    let mut model = loaded((120, 40));
    press(&mut model, "<Enter>");
    assert_eq!(model.focus, Focus::Message);
    // J from the message: next folder, message closed, its list asked for once.
    assert_eq!(
        press(&mut model, "J"),
        vec![cmd(Command::LoadEnvelopes {
            folder: WORK_SENT,
            offset: 0,
            limit: 200
        })]
    );
    assert_eq!(model.focus, Focus::List);
    assert!(model.open_message().is_none());
    assert!(press(&mut model, "K").is_empty());
    // K past the first wraps to the last.
    assert_eq!(
        press(&mut model, "K"),
        vec![cmd(Command::LoadEnvelopes {
            folder: WORK_ARCHIVE,
            offset: 0,
            limit: 200
        })]
    );
    assert_eq!(
        press(&mut model, "K"),
        vec![cmd(Command::LoadEnvelopes {
            folder: FolderId(15),
            offset: 0,
            limit: 200
        })]
    );
    // Moving in the folder pane selects too.
    press(&mut model, "<Esc>");
    assert_eq!(model.focus, Focus::Folders);
    assert!(press(&mut model, "gj").is_empty());
    assert_eq!(
        model.view().and_then(|v| v.folder()).map(|f| f.id),
        Some(WORK_INBOX)
    );
    let shot = screen(&model);
    assert!(
        shot.contains("Gesendet (sent)"),
        "role shown when the name does not say it:\n{shot}"
    );
    assert!(shot.contains("│  postern"), "hierarchy indented:\n{shot}");
    assert!(
        shot.contains("│Lists/rust"),
        "no parent, full path:\n{shot}"
    );
}

#[test]
fn help_overlay_lists_every_key() {
    let mut model = loaded((120, 40));
    press(&mut model, "?");
    let shot = screen(&model);
    for binding in BINDINGS {
        assert!(
            shot.contains(&keymap::key_label(binding)),
            "{:?} missing from help",
            binding
        );
        assert!(shot.contains(binding.action.description()));
    }
    insta::assert_snapshot!("help_120x40", shot);
    // It fits a small terminal too.
    model.size = (80, 24);
    let small = screen(&model);
    for binding in BINDINGS {
        assert!(small.contains(binding.action.description()), "{small}");
    }
    insta::assert_snapshot!("help_80x24", small);
    // A short terminal gets two columns, so every key is still there.
    model.size = (100, 14);
    let short = screen(&model);
    for binding in BINDINGS {
        assert!(short.contains(binding.action.description()), "{short}");
    }
    insta::assert_snapshot!("help_100x14", short);
    model.size = (80, 24);
    // Keys under the overlay do nothing; q and Esc close it rather than quit.
    assert!(press(&mut model, "jG<Enter>").is_empty());
    assert!(press(&mut model, "q").is_empty());
    assert!(!model.help);
    press(&mut model, "?");
    press(&mut model, "<Esc>");
    assert!(!model.help);
    assert_eq!(press(&mut model, "q"), vec![Effect::Quit]);
}

#[test]
fn every_binding_dispatches_to_its_action() {
    for binding in BINDINGS {
        let event = KeyEvent::new(binding.code, binding.modifiers);
        assert_eq!(keymap::lookup(&event), Some(binding.action));
    }
    // Terminals that report Ctrl-letters upper-case, and SHIFT on capitals.
    let ctrl_c = KeyEvent::new(KeyCode::Char('C'), KeyModifiers::CONTROL);
    assert_eq!(keymap::lookup(&ctrl_c), Some(keymap::Action::ForceQuit));
    let plain_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
    assert_eq!(keymap::lookup(&plain_c), None);
}

#[test]
fn quitting() {
    let mut model = loaded((80, 24));
    press(&mut model, "<Enter>");
    // Esc closes the message first, then moves left; it never quits.
    assert!(press(&mut model, "<Esc>").is_empty());
    assert!(model.open_message().is_none());
    assert_eq!(model.focus, Focus::List);
    assert!(press(&mut model, "<Esc><Esc><Esc>").is_empty());
    assert_eq!(press(&mut model, "q"), vec![Effect::Quit]);
    // Ctrl-c quits even from the help overlay.
    press(&mut model, "?");
    assert_eq!(press(&mut model, "<C-c>"), vec![Effect::Quit]);
}

#[test]
fn error_shows_in_status_line_until_next_key() {
    let mut model = loaded((120, 40));
    engine(
        &mut model,
        Event::Error {
            context: "work".into(),
            message: "IMAP login failed: token expired; run `postern login work`".into(),
        },
    );
    let shot = screen(&model);
    let status = shot.lines().last().expect("status");
    assert!(status.contains("IMAP login failed"), "{status}");
    insta::assert_snapshot!("error_120x40", shot);
    insta::assert_snapshot!("error_80x24", {
        model.size = (80, 24);
        screen(&model)
    });
    press(&mut model, "j");
    assert_eq!(model.status, Status::None);
}

#[test]
fn an_error_lets_a_lost_page_be_asked_again() {
    let mut model = loaded((120, 40));
    press(&mut model, &"j".repeat(150));
    engine(
        &mut model,
        Event::Error {
            context: "store".into(),
            message: "database is locked".into(),
        },
    );
    assert_eq!(
        press(&mut model, "j"),
        vec![cmd(Command::LoadEnvelopes {
            folder: WORK_INBOX,
            offset: 200,
            limit: 200
        })]
    );
}

#[test]
fn escape_sequences_in_mail_are_drawn_harmlessly() {
    let mut model = loaded((120, 40));
    let mut row = envelope(WORK_INBOX, 0);
    row.subject = "\u{1b}[2J\u{1b}]0;owned\u{7}Invoice\u{1b}[31m due\r\n".into();
    row.from = "Evil\u{1b}[5m <evil@example.org>".into();
    let mut folders = work_folders();
    folders[1].name = "IN\u{1b}[8mBOX".into();
    engine(
        &mut model,
        Event::Folders {
            account: WORK,
            folders,
        },
    );
    engine(
        &mut model,
        Event::Envelopes {
            folder: WORK_INBOX,
            offset: 0,
            total: 1,
            rows: vec![row],
        },
    );
    let shot = screen(&model);
    assert!(
        !shot.chars().any(|c| c.is_control() && c != '\n'),
        "{shot:?}"
    );
    // The whole sequence goes, not just its ESC byte.
    assert!(shot.contains("Invoice due"), "{shot}");
    assert!(!shot.contains("[31m"), "{shot}");
    insta::assert_snapshot!("escape_subject_120x40", shot);
}

#[test]
fn resize_keeps_the_cursor_visible() {
    let mut model = loaded((120, 40));
    press(&mut model, &"j".repeat(30));
    assert!(update(&mut model, Msg::Resize(80, 24)).is_empty());
    let list = model.view().and_then(|v| v.list()).expect("list");
    assert!(list.cursor >= list.top && list.cursor < list.top + 20);
    let shot = screen(&model);
    assert!(shot.contains("31/340"));
    insta::assert_snapshot!("resized_80x24", shot);
    // Opening now uses the narrow layout's width.
    assert_eq!(
        press(&mut model, "<Enter>"),
        vec![cmd(Command::OpenMessage {
            id: envelope(WORK_INBOX, 30).id,
            width: 78
        })]
    );
    // In the narrow layout, focus away from the message shows the list again.
    press(&mut model, "<Tab>");
    assert_eq!(model.focus, Focus::Folders);
    assert!(screen(&model).contains("Folders"));
}

#[test]
fn changed_reloads_what_is_shown_and_keeps_the_selection() {
    let mut model = loaded((120, 40));
    press(&mut model, "jjj");
    let selected = envelope(WORK_INBOX, 3).id;
    assert_eq!(
        engine(&mut model, Event::Changed { account: WORK }),
        vec![
            cmd(Command::LoadFolders { account: WORK }),
            cmd(Command::LoadEnvelopes {
                folder: WORK_INBOX,
                offset: 0,
                limit: 200
            })
        ]
    );
    // Two new messages arrived on top: the same message stays selected.
    let mut rows: Vec<EnvelopeRow> = (0..198).map(|n| envelope(WORK_INBOX, n)).collect();
    let mut fresh = envelope(WORK_INBOX, 1000);
    fresh.id = MessageId(1);
    rows.insert(0, fresh.clone());
    fresh.id = MessageId(2);
    rows.insert(0, fresh);
    engine(
        &mut model,
        Event::Envelopes {
            folder: WORK_INBOX,
            offset: 0,
            total: 342,
            rows,
        },
    );
    let list = model.view().and_then(|v| v.list()).expect("list");
    assert_eq!(list.selected().map(|r| r.id), Some(selected));
    assert_eq!(list.cursor, 5);
}

#[test]
fn changed_elsewhere_marks_lists_stale_for_later() {
    let mut model = loaded((120, 40));
    press(&mut model, "2");
    engine(
        &mut model,
        Event::Folders {
            account: HOME,
            folders: home_folders(),
        },
    );
    assert_eq!(
        engine(&mut model, Event::Changed { account: WORK }),
        vec![cmd(Command::LoadFolders { account: WORK })]
    );
    assert_eq!(
        press(&mut model, "1"),
        vec![
            cmd(Command::LoadEnvelopes {
                folder: WORK_INBOX,
                offset: 0,
                limit: 200
            }),
            cmd(Command::Refresh { account: WORK })
        ]
    );
}

#[test]
fn refresh_key() {
    let mut model = loaded((120, 40));
    assert_eq!(
        press(&mut model, "r"),
        vec![cmd(Command::Refresh { account: WORK })]
    );
    assert!(screen(&model).contains("checking work for new mail"));
}

#[test]
fn tick_redraws_only_when_the_minute_changes() {
    let mut model = loaded((120, 40));
    model.take_dirty();
    update(
        &mut model,
        Msg::Tick(Clock {
            now: NOW + 30,
            utc_offset: 0,
        }),
    );
    assert!(!model.take_dirty());
    update(
        &mut model,
        Msg::Tick(Clock {
            now: NOW + 60,
            utc_offset: 0,
        }),
    );
    assert!(model.take_dirty());
    // An unbound key changes nothing either.
    press(&mut model, "z");
    assert!(!model.take_dirty());
}

#[test]
fn dates_in_the_list() {
    let day = 86_400;
    assert_eq!(text::short_date(NOW - 3600, CLOCK), "13:00");
    assert_eq!(text::short_date(NOW - day, CLOCK), "Mar  9");
    assert_eq!(text::short_date(NOW - 30 * day, CLOCK), "Feb  8");
    assert_eq!(text::short_date(NOW - 100 * day, CLOCK), "2025-11-30");
    assert_eq!(text::short_date(NOW - 400 * day, CLOCK), "2025-02-03");
    // 23:30 UTC yesterday is today at 00:30 one hour east.
    let east = Clock {
        now: NOW,
        utc_offset: 3600,
    };
    assert_eq!(text::short_date(NOW - 14 * 3600 - 1800, east), "00:30");
    assert_eq!(text::short_date(i64::MAX, CLOCK), "?");
}

#[test]
fn truncation_counts_columns_not_bytes() {
    assert_eq!(text::fit("日本語テキスト", 5), "日本…");
    assert_eq!(text::width(&text::fit("日本語テキスト", 6)), 6);
    assert_eq!(text::fit("abc", 5), "abc  ");
    assert_eq!(text::truncate("abcdef", 0), "");
    assert_eq!(
        text::display_from("\"Ann Example\" <ann@example.org>"),
        "Ann Example"
    );
    assert_eq!(text::display_from("<ann@example.org>"), "ann@example.org");
    assert_eq!(text::human_size(812), "812 B");
    assert_eq!(text::human_size(245_760), "240 KiB");
    assert_eq!(text::human_size(1_572_864), "1.5 MiB");
}

#[test]
fn wide_subjects_are_cut_to_the_column() {
    let mut model = loaded((80, 24));
    let mut row = envelope(WORK_INBOX, 0);
    row.subject = "会議の議事録と来週の予定についてのお知らせ、確認をお願いします".into();
    engine(
        &mut model,
        Event::Envelopes {
            folder: WORK_INBOX,
            offset: 0,
            total: 1,
            rows: vec![row],
        },
    );
    let shot = screen(&model);
    for line in shot.lines() {
        assert!(text::width(line) <= 80, "{line}");
    }
    insta::assert_snapshot!("wide_subject_80x24", shot);
}

#[test]
fn tiny_terminals_do_not_panic() {
    for size in [(0, 0), (1, 1), (10, 3), (20, 5), (99, 10), (100, 4)] {
        let mut model = loaded(size);
        press(&mut model, "jj<Enter>?");
        engine(
            &mut model,
            Event::Message {
                id: envelope(WORK_INBOX, 2).id,
                rendered: rendered("x"),
            },
        );
        let _ = screen(&model);
        press(&mut model, "<Esc>GH<C-d>");
        let _ = screen(&model);
    }
}

// ---------- the real event loop ----------

fn term_keys(script: &str) -> Vec<std::io::Result<TermEvent>> {
    keys(script)
        .into_iter()
        .map(|k| Ok(TermEvent::Key(k)))
        .collect()
}

#[tokio::test]
async fn event_loop_sends_effects_and_draws() {
    let (cmd_tx, mut cmd_rx) = tokio::sync::mpsc::unbounded_channel();
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel();
    ev_tx.send(Event::Accounts(accounts())).expect("send");
    ev_tx
        .send(Event::Folders {
            account: WORK,
            folders: work_folders(),
        })
        .expect("send");
    ev_tx.send(page(WORK_INBOX, 0, 200, 340)).expect("send");
    let input = futures_util::stream::iter(term_keys("jj<Enter>q"));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let result = postern::tui::run_loop(
        &mut terminal,
        input,
        cmd_tx,
        ev_rx,
        std::time::Duration::from_secs(3600),
        || CLOCK,
    )
    .await;
    assert!(result.is_ok(), "{result:?}");
    let mut sent = Vec::new();
    while let Ok(c) = cmd_rx.try_recv() {
        sent.push(c);
    }
    assert_eq!(
        sent,
        vec![
            Command::LoadAccounts,
            Command::LoadFolders { account: WORK },
            Command::LoadFolders { account: HOME },
            Command::LoadEnvelopes {
                folder: WORK_INBOX,
                offset: 0,
                limit: 200
            },
            Command::OpenMessage {
                id: envelope(WORK_INBOX, 2).id,
                width: 94
            },
        ]
    );
    let shot = buffer_text(terminal.backend());
    assert!(shot.contains("Subject number 2 in folder 11"));
    assert!(shot.contains("loading…"));
    drop(ev_tx);
}

#[tokio::test]
async fn event_loop_reports_a_vanished_engine() {
    let (cmd_tx, _cmd_rx) = tokio::sync::mpsc::unbounded_channel();
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    drop(ev_tx);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let input = futures_util::stream::pending();
    let result = postern::tui::run_loop(
        &mut terminal,
        input,
        cmd_tx,
        ev_rx,
        std::time::Duration::from_secs(3600),
        || CLOCK,
    )
    .await;
    let error = result.expect_err("engine gone");
    assert!(error.to_string().contains("engine stopped"));
}

#[test]
fn selection_is_reversed_and_unread_bold() {
    use ratatui::style::Modifier;
    let mut model = loaded((120, 40));
    press(&mut model, "jjj");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal.draw(|f| view(&model, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    // List rows start at y = 2, x = 25 (inside both borders).
    let at = |row: u16| buffer[(40, 2 + row)].modifier;
    assert!(at(3).contains(Modifier::REVERSED), "cursor row");
    assert!(!at(4).contains(Modifier::REVERSED));
    assert!(at(0).contains(Modifier::BOLD), "unread row");
    assert!(!at(4).contains(Modifier::BOLD), "read row");
    // Focus on the folders: the list selection is no longer reversed.
    press(&mut model, "<Esc>");
    terminal.draw(|f| view(&model, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    assert!(!buffer[(40, 5)].modifier.contains(Modifier::REVERSED));
    assert!(
        buffer[(3, 3)].modifier.contains(Modifier::REVERSED),
        "folder cursor"
    );
}

#[test]
fn message_window_matches_the_whole_message_at_every_scroll() {
    use postern::tui::view::message;
    let mut r = rendered("A subject long enough to wrap in a narrow pane, surely it is");
    r.body = vec![
        String::new(),
        "short".into(),
        "x".repeat(95),
        "全角文字が続く長い行です。全角文字が続く長い行です。".into(),
        String::new(),
        "tail".into(),
    ];
    for columns in [1, 7, 20, 33] {
        let layout = message::layout(&r, true, columns);
        let whole: Vec<String> = message::visible_lines(&r, &layout, 0, usize::MAX)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(layout.total(), whole.len(), "columns {columns}");
        // (Narrower than a header name, the pane clips the label instead.)
        if columns >= 20 {
            for line in &whole {
                assert!(text::width(line) <= columns, "{line:?} at {columns}");
            }
        }
        for scroll in 0..whole.len() {
            for height in [1, 3, 10] {
                let window: Vec<String> = message::visible_lines(&r, &layout, scroll, height)
                    .iter()
                    .map(|l| l.to_string())
                    .collect();
                let expected: Vec<String> =
                    whole.iter().skip(scroll).take(height).cloned().collect();
                assert_eq!(window, expected, "columns {columns} scroll {scroll}");
            }
        }
    }
}

/// "Sent" is a result to read: the store changes that follow it (the copy filed in
/// Sent, its resync) do not wipe it, as they wipe progress.
#[test]
fn a_sent_notice_outlives_the_changes_that_follow_it() {
    let mut model = loaded((120, 40));
    engine(
        &mut model,
        Event::Sent {
            account: WORK,
            outbox: postern::store::OutboxId(1),
            reply: "250 2.0.0 Ok: queued".into(),
        },
    );
    engine(&mut model, Event::Changed { account: WORK });
    engine(&mut model, Event::Synced { account: WORK });
    assert!(screen(&model).contains("work: sent (250 2.0.0 Ok: queued)"));
}

#[test]
fn background_work_shows_in_the_status_line() {
    let mut model = loaded((120, 40));
    engine(
        &mut model,
        Event::Progress {
            account: WORK,
            folder: WORK_INBOX,
            fetched: 100,
            to_fetch: 340,
        },
    );
    assert!(screen(&model).contains("work: syncing INBOX 100/340"));
    engine(&mut model, Event::Synced { account: WORK });
    assert!(!screen(&model).contains("syncing"));

    // A failure stays on show while the worker waits to try again.
    engine(
        &mut model,
        Event::Error {
            context: "work: IMAP".into(),
            message: "connection refused".into(),
        },
    );
    engine(
        &mut model,
        Event::Retrying {
            account: WORK,
            attempt: 2,
            delay: std::time::Duration::from_secs(4),
        },
    );
    assert!(screen(&model).contains("connection refused"));
    press(&mut model, "j");
    engine(
        &mut model,
        Event::Retrying {
            account: WORK,
            attempt: 3,
            delay: std::time::Duration::from_secs(8),
        },
    );
    assert!(screen(&model).contains("work: connecting again in 8 s (attempt 3)"));

    engine(
        &mut model,
        Event::SendFailed {
            account: WORK,
            outbox: None,
            error: "550 5.1.1 no such user".into(),
            reply: None,
        },
    );
    assert!(screen(&model).contains("work: not sent, kept in the outbox: 550 5.1.1"));
}
