//! The builtin message editor drawn to ratatui's `TestBackend`: the headers, the
//! body soft-wrapped at the width, the hint, the terminal cursor in the focused
//! field, and nothing from the text that could drive the terminal.

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postern::mime::compose::Written;
use postern::tui::theme::Theme;
use postern::tui::writer::{Field, Writer, WriterReply};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Position;
use tui_support::buffer_text;

const LONG: &str =
    "This first line of the answer is too long for an eighty column terminal: it wraps at a word.";

fn written() -> Written {
    Written {
        from: "Me <me@work.example>".into(),
        to: "Ann <ann@example.org>".into(),
        cc: String::new(),
        bcc: String::new(),
        subject: "Re: Plans for Friday".into(),
        body: format!("{LONG}\n\nOn Tue, Ann wrote:\n> Shall we meet?\n"),
    }
}

/// The writer drawn over the whole terminal: the screen as text, and where the
/// terminal cursor was put.
fn draw(writer: &Writer, (w, h): (u16, u16)) -> (String, Position, Terminal<TestBackend>) {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|frame| writer.render(frame, frame.area(), &Theme::default()))
        .expect("draw");
    let cursor = terminal.get_cursor_position().expect("cursor");
    (buffer_text(terminal.backend()), cursor, terminal)
}

fn type_text(writer: &mut Writer, text: &str) {
    for c in text.chars() {
        writer.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

#[test]
fn the_writer_at_80x24_and_120x40() {
    for size in [(80, 24), (120, 40)] {
        let writer = Writer::new(&written());
        let (shot, cursor, _) = draw(&writer, size);
        let lines: Vec<&str> = shot.lines().collect();
        assert_eq!(lines[0], "From:    Me <me@work.example>");
        assert_eq!(lines[1], "To:      Ann <ann@example.org>");
        assert_eq!(lines[2], "Cc:");
        assert_eq!(lines[3], "Bcc:");
        assert_eq!(lines[4], "Subject: Re: Plans for Friday");
        assert!(lines[5].starts_with("────"), "the rule:\n{shot}");
        assert!(
            lines[lines.len() - 1].starts_with("Ctrl-x done · Tab next field"),
            "{shot}"
        );
        // The body starts under the rule, with the cursor at its start.
        assert_eq!(cursor, Position::new(0, 6));
        assert!(lines[6].starts_with("This first line"), "{shot}");
        insta::assert_snapshot!(format!("writer_{}x{}", size.0, size.1), shot);
    }
}

#[test]
fn a_long_line_wraps_at_a_word_and_stays_one_line() {
    let writer = Writer::new(&written());
    let (shot, _, _) = draw(&writer, (80, 24));
    let lines: Vec<&str> = shot.lines().collect();
    assert!(lines[6].len() <= 80);
    let first: Vec<&str> = lines[6].split_whitespace().collect();
    let second: Vec<&str> = lines[7].split_whitespace().collect();
    let words: Vec<&str> = LONG.split_whitespace().collect();
    assert_eq!(
        [first.clone(), second.clone()].concat(),
        words,
        "two rows, split between words:\n{shot}"
    );
    assert!(second.len() > 1, "{shot}");
    assert_eq!(lines[8], "", "then the blank line of the text");
    assert_eq!(lines[9], "On Tue, Ann wrote:");
    // At 120 columns it fits on one row.
    let (wide, _, _) = draw(&writer, (120, 40));
    assert_eq!(wide.lines().nth(6), Some(LONG));
    assert_eq!(writer.written().body, written().body, "no line break added");
}

#[test]
fn the_cursor_follows_the_focus_and_the_typing() {
    let mut writer = Writer::new(&Written::default());
    type_text(&mut writer, "ann@example.org");
    let (_, cursor, _) = draw(&writer, (80, 24));
    assert_eq!(cursor, Position::new(9 + 15, 1), "at the end of To");
    for _ in 0..3 {
        writer.on_key(KeyEvent::from(KeyCode::Tab));
    }
    type_text(&mut writer, "Hi");
    assert_eq!(writer.focused_field(), Field::Subject);
    let (shot, cursor, terminal) = draw(&writer, (80, 24));
    assert_eq!(cursor, Position::new(11, 4));
    assert!(shot.lines().nth(4) == Some("Subject: Hi"), "{shot}");
    // The focused field's name is drawn in the cursor style, the others not.
    let buffer = terminal.backend().buffer();
    let theme = Theme::default();
    assert_eq!(buffer[(0, 4)].modifier, theme.cursor.add_modifier);
    assert_ne!(buffer[(0, 1)].modifier, theme.cursor.add_modifier);
    writer.on_key(KeyEvent::from(KeyCode::Enter));
    type_text(&mut writer, &"word ".repeat(40));
    let (_, cursor, _) = draw(&writer, (80, 24));
    assert_eq!(cursor.y, 8, "the third row of the wrapped body");
}

#[test]
fn a_body_longer_than_the_pane_scrolls_to_the_cursor() {
    let body: String = (1..=50).map(|n| format!("line {n}\n")).collect();
    let mut writer = Writer::new(&Written { body, ..written() });
    for _ in 0..30 {
        writer.on_key(KeyEvent::from(KeyCode::Down));
    }
    let (shot, cursor, _) = draw(&writer, (80, 24));
    // Rows 6..=22 are the body (17 rows); line 31 is on the last of them.
    assert_eq!(cursor, Position::new(0, 22), "{shot}");
    assert_eq!(shot.lines().nth(22), Some("line 31"));
    assert_eq!(
        writer.on_key(KeyEvent::from(KeyCode::PageDown)),
        WriterReply::Moved
    );
    let (shot, _, _) = draw(&writer, (80, 24));
    assert!(shot.contains("line 40"), "{shot}");
}

#[test]
fn no_escape_reaches_the_screen() {
    let mut writer = Writer::new(&Written {
        subject: "\u{1b}]0;pwned\u{7}Hello".into(),
        body: "quoted \u{1b}[2J\u{9b}31m \u{202e}txt.exe\r\nend\n".into(),
        ..written()
    });
    writer.paste("\u{1b}[31mred\u{1b}[0m");
    let (shot, _, terminal) = draw(&writer, (80, 24));
    assert!(shot.contains("red"), "{shot}");
    assert!(!shot.contains("[31m"), "a paste is cleaned:\n{shot}");
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        let symbol = cell.symbol();
        assert!(
            !symbol.contains(|c: char| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{symbol:?} drawn:\n{shot}"
        );
    }
}

#[test]
fn a_long_header_scrolls_sideways_with_the_cursor() {
    let mut writer = Writer::new(&Written::default());
    let many: Vec<String> = (0..8).map(|n| format!("person{n}@example.org")).collect();
    type_text(&mut writer, &many.join(", "));
    let (shot, cursor, _) = draw(&writer, (80, 24));
    let to = shot.lines().nth(1).unwrap_or_default();
    assert!(to.starts_with("To:"), "{shot}");
    assert!(
        to.ends_with("person7@example.org"),
        "the end is in view:\n{shot}"
    );
    assert_eq!(cursor.y, 1);
    assert!(cursor.x < 80);
    assert!(shot.lines().all(|line| line.chars().count() <= 80));
}

#[test]
fn a_tiny_pane_draws_what_fits() {
    let mut writer = Writer::new(&written());
    for size in [(1, 1), (5, 2), (12, 7), (9, 24)] {
        for field in [Field::From, Field::Subject, Field::Body] {
            writer.focus(field);
            let (shot, _, _) = draw(&writer, size);
            assert_eq!(shot.lines().count(), usize::from(size.1));
        }
    }
}

#[test]
fn drawn_inside_a_pane_the_cursor_is_in_the_pane() {
    let writer = Writer::new(&written());
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let pane = ratatui::layout::Rect::new(3, 2, 60, 20);
    terminal
        .draw(|frame| writer.render(frame, pane, &Theme::default()))
        .expect("draw");
    assert_eq!(
        terminal.get_cursor_position().expect("cursor"),
        Position::new(3, 8)
    );
    let shot = buffer_text(terminal.backend());
    assert_eq!(
        shot.lines().nth(2),
        Some("   From:    Me <me@work.example>")
    );
    assert_eq!(shot.lines().next(), Some(""), "nothing drawn outside");
}
