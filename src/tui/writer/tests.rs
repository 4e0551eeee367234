//! The writer driven by keys, as the caller will drive it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

fn press(writer: &mut Writer, code: KeyCode) -> WriterReply {
    writer.on_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(writer: &mut Writer, c: char) -> WriterReply {
    writer.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(writer: &mut Writer, text: &str) {
    for c in text.chars() {
        assert_eq!(
            press(writer, KeyCode::Char(c)),
            WriterReply::Edited,
            "{c:?}"
        );
    }
}

fn reply() -> Written {
    Written {
        from: "Jürgen Müller <jm@work.example>".into(),
        to: "Ann <ann@example.org>".into(),
        cc: String::new(),
        bcc: String::new(),
        subject: "Re: Plans 🙂".into(),
        body: "\n\nOn Tue, Ann wrote:\n> Shall we?\r\n> 日本語\n".into(),
    }
}

#[test]
fn what_goes_in_comes_out() {
    for written in [
        reply(),
        Written::default(),
        Written {
            body: "no trailing newline".into(),
            ..Written::default()
        },
        Written {
            subject: "  spaced  ".into(),
            body: "\n".into(),
            ..Written::default()
        },
    ] {
        let writer = Writer::new(&written);
        assert_eq!(writer.written(), written);
    }
}

#[test]
fn a_line_break_in_a_header_becomes_a_space() {
    let written = Written {
        subject: "hi\r\nBcc: everyone@example.org".into(),
        ..reply()
    };
    let writer = Writer::new(&written);
    assert_eq!(writer.written().subject, "hi Bcc: everyone@example.org");
    assert_eq!(writer.written().bcc, "");
}

#[test]
fn focus_starts_at_what_is_left_to_write() {
    assert_eq!(Writer::new(&Written::default()).focused_field(), Field::To);
    let no_subject = Written {
        subject: String::new(),
        ..reply()
    };
    assert_eq!(Writer::new(&no_subject).focused_field(), Field::Subject);
    assert_eq!(Writer::new(&reply()).focused_field(), Field::Body);
}

#[test]
fn typing_into_to_then_tab_to_subject() {
    let mut writer = Writer::new(&Written::default());
    typed(&mut writer, "ann@example.org");
    for _ in 0..3 {
        assert_eq!(press(&mut writer, KeyCode::Tab), WriterReply::Moved);
    }
    assert_eq!(writer.focused_field(), Field::Subject);
    typed(&mut writer, "Plans");
    let written = writer.written();
    assert_eq!(written.to, "ann@example.org");
    assert_eq!(written.subject, "Plans");
    assert_eq!(written.cc, "");
    press(&mut writer, KeyCode::Tab);
    assert_eq!(writer.focused_field(), Field::Body);
    press(&mut writer, KeyCode::Tab);
    assert_eq!(writer.focused_field(), Field::From, "Tab wraps round");
    press(&mut writer, KeyCode::BackTab);
    assert_eq!(writer.focused_field(), Field::Body);
    writer.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT));
    assert_eq!(writer.focused_field(), Field::Subject);
}

#[test]
fn enter_moves_on_in_a_header_and_breaks_the_line_in_the_body() {
    let mut writer = Writer::new(&Written::default());
    writer.focus(Field::Subject);
    typed(&mut writer, "Hi");
    assert_eq!(press(&mut writer, KeyCode::Enter), WriterReply::Moved);
    assert_eq!(writer.focused_field(), Field::Body);
    assert_eq!(writer.written().subject, "Hi", "no line break in a header");
    typed(&mut writer, "one");
    assert_eq!(press(&mut writer, KeyCode::Enter), WriterReply::Edited);
    typed(&mut writer, "two");
    assert_eq!(writer.written().body, "one\ntwo");
    assert_eq!(writer.cursor_in_field(), 7);
}

#[test]
fn up_and_down_walk_the_headers() {
    let mut writer = Writer::new(&Written::default());
    press(&mut writer, KeyCode::Up);
    assert_eq!(writer.focused_field(), Field::From);
    press(&mut writer, KeyCode::Up);
    assert_eq!(writer.focused_field(), Field::From, "nothing above From");
    for _ in 0..5 {
        press(&mut writer, KeyCode::Down);
    }
    assert_eq!(writer.focused_field(), Field::Body);
    typed(&mut writer, "a");
    press(&mut writer, KeyCode::Enter);
    typed(&mut writer, "b");
    press(&mut writer, KeyCode::Up);
    assert_eq!(
        (writer.focused_field(), writer.cursor_in_field()),
        (Field::Body, 1)
    );
    press(&mut writer, KeyCode::Up);
    assert_eq!(writer.focused_field(), Field::Subject);
}

#[test]
fn the_editing_keys() {
    let mut writer = Writer::new(&Written::default());
    writer.focus(Field::Body);
    typed(&mut writer, "hello big world");
    assert_eq!(ctrl(&mut writer, 'w'), WriterReply::Edited);
    assert_eq!(writer.written().body, "hello big ");
    ctrl(&mut writer, 'a');
    assert_eq!(writer.cursor_in_field(), 0);
    assert_eq!(press(&mut writer, KeyCode::Backspace), WriterReply::Moved);
    press(&mut writer, KeyCode::Delete);
    assert_eq!(writer.written().body, "ello big ");
    press(&mut writer, KeyCode::Right);
    ctrl(&mut writer, 'k');
    assert_eq!(writer.written().body, "e");
    ctrl(&mut writer, 'e');
    typed(&mut writer, "nd");
    press(&mut writer, KeyCode::Left);
    ctrl(&mut writer, 'u');
    assert_eq!(
        (writer.written().body.as_str(), writer.cursor_in_field()),
        ("d", 0)
    );
    press(&mut writer, KeyCode::End);
    assert_eq!(writer.cursor_in_field(), 1);
    assert_eq!(ctrl(&mut writer, 'z'), WriterReply::Edited);
    assert_eq!(writer.written().body, "end");
    assert_eq!(ctrl(&mut writer, 'y'), WriterReply::Edited);
    assert_eq!(writer.written().body, "d");
}

#[test]
fn done_and_the_keys_left_to_the_caller() {
    let mut writer = Writer::new(&reply());
    assert_eq!(ctrl(&mut writer, 'x'), WriterReply::Done);
    assert_eq!(press(&mut writer, KeyCode::Esc), WriterReply::Done);
    assert_eq!(ctrl(&mut writer, 'c'), WriterReply::Ignored);
    assert_eq!(ctrl(&mut writer, 't'), WriterReply::Ignored);
    assert_eq!(press(&mut writer, KeyCode::F(1)), WriterReply::Ignored);
    assert_eq!(writer.written(), reply(), "none of them edited");
    assert!(!writer.take_changed());
}

#[test]
fn paste_is_cleaned_and_a_header_takes_it_as_one_line() {
    let mut writer = Writer::new(&Written::default());
    assert_eq!(
        writer.paste("ann@example.org,\nbob@example.org\n"),
        WriterReply::Edited
    );
    assert_eq!(writer.written().to, "ann@example.org, bob@example.org");
    writer.focus(Field::Body);
    writer.paste("\u{1b}[31mred\u{1b}[0m\r\nsecond line\n");
    typed(&mut writer, "x");
    assert_eq!(writer.written().body, "red\nsecond line\nx");
    assert_eq!(
        writer.paste("\u{1b}[2J"),
        WriterReply::Moved,
        "nothing left"
    );
}

#[test]
fn take_changed_says_once_per_batch_of_edits() {
    let mut writer = Writer::new(&Written::default());
    assert!(!writer.take_changed(), "nothing typed yet");
    assert_eq!(writer.generation(), 0);
    typed(&mut writer, "ab");
    press(&mut writer, KeyCode::Tab);
    assert_eq!(writer.generation(), 2);
    assert!(writer.take_changed());
    assert!(!writer.take_changed(), "taken");
    press(&mut writer, KeyCode::Tab);
    press(&mut writer, KeyCode::Left);
    assert!(!writer.take_changed(), "moving is no edit");
    writer.paste("x");
    assert!(writer.take_changed());
    assert_eq!(writer.generation(), 3);
}

#[test]
fn completion_replaces_a_field_with_the_cursor_where_asked() {
    let mut writer = Writer::new(&Written::default());
    typed(&mut writer, "bob@example.org, an");
    assert_eq!(writer.focused_field(), Field::To);
    assert_eq!(writer.cursor_in_field(), 19);
    let done = "bob@example.org, Ann <ann@example.org>, ";
    writer.replace_field_text(Field::To, done, done.chars().count());
    assert_eq!(writer.written().to, done);
    assert_eq!(writer.cursor_in_field(), done.chars().count());
    typed(&mut writer, "c");
    assert_eq!(writer.written().to, format!("{done}c"));
    let before = writer.generation();
    writer.replace_field_text(Field::To, &writer.field_text(Field::To), 0);
    assert_eq!(writer.generation(), before, "the same text is no edit");
    assert_eq!(writer.cursor_in_field(), 0);
    writer.replace_field_text(Field::Cc, "a\nb", 99);
    assert_eq!(writer.written().cc, "a b");
    writer.replace_field_text(Field::Body, "one\ntwo", 5);
    writer.focus(Field::Body);
    assert_eq!(writer.cursor_in_field(), 5);
}

#[test]
fn fits_in_the_model() {
    fn model_like<T: Clone + fmt::Debug + Eq + Send>() {}
    model_like::<Writer>();
    let writer = Writer::new(&reply());
    let mut other = writer.clone();
    assert_eq!(writer, other);
    other.focus(Field::To);
    assert_ne!(writer, other);
}
