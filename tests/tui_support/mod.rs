//! Shared by the TUI tests: key scripts, fixtures for a two-account model, the
//! model driven through `update`, and screens drawn to `TestBackend`. [`live`] runs
//! the real loop on a real engine against the test mail stack.

#![allow(dead_code)]

pub mod live;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postern::engine::{Command, Event, Operation, RequestId};
use postern::keys::{Chord, Key};
use postern::mime::{Attachment, Rendered};
use postern::store::{
    AccountId, AccountRow, EnvelopeRow, Flags, FolderId, FolderRole, FolderRow, MessageId, Page,
    PageKey,
};
use postern::tui::view::text;
use postern::tui::{Clock, Effect, Model, Msg, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 2026-03-10 14:00:00 UTC.
pub const NOW: i64 = 1_773_151_200;
pub const CLOCK: Clock = Clock {
    now: NOW,
    utc_offset: 0,
};
pub const WORK: AccountId = AccountId(1);
pub const HOME: AccountId = AccountId(2);
pub const WORK_ARCHIVE: FolderId = FolderId(10);
pub const WORK_INBOX: FolderId = FolderId(11);
pub const WORK_SENT: FolderId = FolderId(12);
pub const WORK_TRASH: FolderId = FolderId(16);
pub const HOME_INBOX: FolderId = FolderId(20);

/// "jj<Enter><C-d>" as key events. Upper-case letters carry SHIFT, as terminals send them.
pub fn keys(script: &str) -> Vec<KeyEvent> {
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
            "BS" => KeyEvent::from(KeyCode::Backspace),
            "Space" => KeyEvent::from(KeyCode::Char(' ')),
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

/// The key event a terminal sends for `chord`.
pub fn event_for(chord: Chord) -> KeyEvent {
    let code = match chord.key {
        Key::Char(c) => KeyCode::Char(c),
        Key::F(n) => KeyCode::F(n),
        Key::Enter => KeyCode::Enter,
        Key::Esc => KeyCode::Esc,
        Key::Tab => KeyCode::Tab,
        Key::BackTab => KeyCode::BackTab,
        Key::Backspace => KeyCode::Backspace,
        Key::Delete => KeyCode::Delete,
        Key::Insert => KeyCode::Insert,
        Key::Up => KeyCode::Up,
        Key::Down => KeyCode::Down,
        Key::Left => KeyCode::Left,
        Key::Right => KeyCode::Right,
        Key::PageUp => KeyCode::PageUp,
        Key::PageDown => KeyCode::PageDown,
        Key::Home => KeyCode::Home,
        Key::End => KeyCode::End,
    };
    let mut modifiers = KeyModifiers::NONE;
    if chord.ctrl {
        modifiers |= KeyModifiers::CONTROL;
    }
    if chord.alt {
        modifiers |= KeyModifiers::ALT;
    }
    if matches!(chord.key, Key::Char(c) if c.is_uppercase()) || chord.key == Key::BackTab {
        modifiers |= KeyModifiers::SHIFT;
    }
    KeyEvent::new(code, modifiers)
}

pub fn press(model: &mut Model, script: &str) -> Vec<Effect> {
    keys(script)
        .into_iter()
        .flat_map(|k| update(model, Msg::Key(k)))
        .collect()
}

pub fn engine(model: &mut Model, event: Event) -> Vec<Effect> {
    update(model, Msg::Engine(event))
}

pub fn cmd(command: Command) -> Effect {
    Effect::Engine(command)
}

/// The `Run` effects among `effects`: (request, account, operation).
pub fn runs(effects: &[Effect]) -> Vec<(RequestId, AccountId, Operation)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(Command::Run {
                request,
                account,
                op,
            }) => Some((*request, *account, op.clone())),
            _ => None,
        })
        .collect()
}

pub fn accounts() -> Vec<AccountRow> {
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

pub fn folder(
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

pub fn work_folders() -> Vec<FolderRow> {
    vec![
        // Not first: the inbox must still be what opens.
        folder(WORK_ARCHIVE, WORK, "Archive", Some(FolderRole::Archive), 0),
        folder(WORK_INBOX, WORK, "INBOX", Some(FolderRole::Inbox), 3),
        folder(WORK_SENT, WORK, "Gesendet", Some(FolderRole::Sent), 0),
        folder(FolderId(13), WORK, "Projects", None, 0),
        folder(FolderId(14), WORK, "Projects/postern", None, 1),
        folder(FolderId(15), WORK, "Lists/rust", None, 0),
        folder(WORK_TRASH, WORK, "Trash", Some(FolderRole::Trash), 0),
    ]
}

pub fn home_folders() -> Vec<FolderRow> {
    vec![folder(
        HOME_INBOX,
        HOME,
        "INBOX",
        Some(FolderRole::Inbox),
        2,
    )]
}

/// Envelope number `n` (0 = newest) of a folder: one every 7 hours back from NOW.
pub fn envelope(folder: FolderId, n: usize) -> EnvelopeRow {
    EnvelopeRow {
        id: MessageId(folder.0 * 10_000 + n as i64),
        folder,
        date: NOW - 7 * 3600 * n as i64 - 600,
        from: format!("Sender {n} <sender{n}@example.org>"),
        to: format!("Recipient {n} <rcpt{n}@example.org>, other@example.org"),
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

/// The first page of a folder: envelopes `0..count` of `total`.
pub fn first_page(folder: FolderId, count: usize, total: usize) -> Event {
    Event::Envelopes {
        folder,
        page: Page::First,
        total,
        index: Some(0),
        rows: (0..count).map(|n| envelope(folder, n)).collect(),
    }
}

/// The page after envelope `from - 1`: envelopes `from..from + count`.
pub fn page_after(folder: FolderId, from: usize, count: usize, total: usize) -> Event {
    Event::Envelopes {
        folder,
        page: after(folder, from),
        total,
        index: None,
        rows: (from..from + count).map(|n| envelope(folder, n)).collect(),
    }
}

/// The key of the page that starts at envelope `from`.
pub fn after(folder: FolderId, from: usize) -> Page {
    Page::After(PageKey::of(&envelope(folder, from - 1)))
}

/// The first page asked for.
pub fn ask_first(folder: FolderId) -> Effect {
    cmd(Command::LoadEnvelopes {
        folder,
        page: Page::First,
        limit: 200,
    })
}

pub fn rendered(subject: &str) -> Box<Rendered> {
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
pub fn loaded(size: (u16, u16)) -> Model {
    loaded_into(Model::new(size, CLOCK))
}

/// [`loaded`], starting from `model` (other settings).
pub fn loaded_into(mut model: Model) -> Model {
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
        vec![ask_first(WORK_INBOX)]
    );
    assert!(engine(&mut model, first_page(WORK_INBOX, 200, 340)).is_empty());
    model
}

/// The screen as text, one line per row (wide characters take one entry).
pub fn screen(model: &Model) -> String {
    let (w, h) = model.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| view(model, f)).expect("draw");
    buffer_text(terminal.backend())
}

pub fn buffer_text(backend: &TestBackend) -> String {
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

/// The last line of the screen.
pub fn status_line(model: &Model) -> String {
    screen(model).lines().last().unwrap_or_default().to_owned()
}
