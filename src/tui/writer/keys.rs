//! The writer's key table: a crossterm key event turned into what it asks for.
//!
//! postern maps the keys itself instead of passing them to the text area's
//! defaults: those are emacs-flavoured (Ctrl-u undo, Ctrl-y yank, Ctrl-x cut,
//! Ctrl-c copy) where a person writing mail expects Ctrl-u to delete to the
//! start of the line, Ctrl-z / Ctrl-y to undo and redo, Ctrl-x to finish (as in
//! nano, and pine before it) and Ctrl-c to belong to the caller. Keys not in the
//! table are left to the caller (`WriterReply::Ignored`), so it can bind its own
//! (address completion, say) without clashing.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::{CursorMove, Scrolling};

/// What a key asks the writer to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    /// Ctrl-x or Esc: the user is done writing.
    Done,
    NextField,
    PreviousField,
    /// The next field in a header, a line break in the body.
    Enter,
    /// The field above / below in a header, the line above / below in the body.
    Up,
    Down,
    Insert(char),
    Edit(Edit),
    Move(CursorMove),
    /// Body only: a page of the view.
    Page(Scrolling),
}

/// A change to the text at the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Edit {
    Backspace,
    Delete,
    WordBack,
    WordForward,
    ToLineStart,
    ToLineEnd,
    Undo,
    Redo,
}

/// The action `key` asks for; `None` for a key the writer does not use (a key
/// release, Ctrl-c, function keys, unbound Ctrl and Alt chords).
pub(super) fn action(key: &KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    let action = match (key.code, ctrl, alt) {
        (KeyCode::Esc, false, false) => Action::Done,
        (KeyCode::Tab, false, false) if shift => Action::PreviousField,
        (KeyCode::Tab, false, false) => Action::NextField,
        (KeyCode::BackTab, false, false) => Action::PreviousField,
        (KeyCode::Enter, false, false) => Action::Enter,
        (KeyCode::Up, false, false) => Action::Up,
        (KeyCode::Down, false, false) => Action::Down,
        (KeyCode::Left, false, false) => Action::Move(CursorMove::Back),
        (KeyCode::Right, false, false) => Action::Move(CursorMove::Forward),
        (KeyCode::Left, true, false) => Action::Move(CursorMove::WordBack),
        (KeyCode::Right, true, false) => Action::Move(CursorMove::WordForward),
        (KeyCode::Home, false, false) => Action::Move(CursorMove::Head),
        (KeyCode::End, false, false) => Action::Move(CursorMove::End),
        (KeyCode::Home, true, false) => Action::Move(CursorMove::Top),
        (KeyCode::End, true, false) => Action::Move(CursorMove::Bottom),
        (KeyCode::PageUp, false, false) => Action::Page(Scrolling::PageUp),
        (KeyCode::PageDown, false, false) => Action::Page(Scrolling::PageDown),
        (KeyCode::Backspace, false, false) => Action::Edit(Edit::Backspace),
        (KeyCode::Backspace, false, true) => Action::Edit(Edit::WordBack),
        (KeyCode::Delete, false, false) => Action::Edit(Edit::Delete),
        (KeyCode::Delete, false, true) => Action::Edit(Edit::WordForward),
        (KeyCode::Char(c), true, false) => return control(c),
        (KeyCode::Char(c), false, true) => return alt_chord(c),
        // A control character is no text (a terminal sends them as Ctrl chords;
        // one arriving as a char must not end up in the mail or on the screen).
        (KeyCode::Char(c), false, false) if !c.is_control() => Action::Insert(c),
        _ => return None,
    };
    Some(action)
}

/// Ctrl-letter chords; terminals send some upper-case, so case does not count.
fn control(c: char) -> Option<Action> {
    let action = match c.to_ascii_lowercase() {
        'x' => Action::Done,
        'a' => Action::Move(CursorMove::Head),
        'e' => Action::Move(CursorMove::End),
        'b' => Action::Move(CursorMove::Back),
        'f' => Action::Move(CursorMove::Forward),
        'p' => Action::Up,
        'n' => Action::Down,
        'h' => Action::Edit(Edit::Backspace),
        'd' => Action::Edit(Edit::Delete),
        'w' => Action::Edit(Edit::WordBack),
        'u' => Action::Edit(Edit::ToLineStart),
        'k' => Action::Edit(Edit::ToLineEnd),
        'z' => Action::Edit(Edit::Undo),
        'y' => Action::Edit(Edit::Redo),
        _ => return None,
    };
    Some(action)
}

/// Alt-letter chords: the readline word keys.
fn alt_chord(c: char) -> Option<Action> {
    let action = match c {
        'b' => Action::Move(CursorMove::WordBack),
        'f' => Action::Move(CursorMove::WordForward),
        'd' => Action::Edit(Edit::WordForward),
        _ => return None,
    };
    Some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> Option<Action> {
        action(&KeyEvent::new(code, modifiers))
    }

    #[test]
    fn the_keys_of_a_text_editor() {
        let ctrl = KeyModifiers::CONTROL;
        assert_eq!(press(KeyCode::Char('x'), ctrl), Some(Action::Done));
        assert_eq!(press(KeyCode::Char('X'), ctrl), Some(Action::Done));
        assert_eq!(press(KeyCode::Esc, KeyModifiers::NONE), Some(Action::Done));
        assert_eq!(
            press(KeyCode::Char('c'), ctrl),
            None,
            "Ctrl-c is the caller's"
        );
        assert_eq!(
            press(KeyCode::Char('z'), ctrl),
            Some(Action::Edit(Edit::Undo))
        );
        assert_eq!(
            press(KeyCode::Char('u'), ctrl),
            Some(Action::Edit(Edit::ToLineStart))
        );
        assert_eq!(
            press(KeyCode::Tab, KeyModifiers::SHIFT),
            Some(Action::PreviousField)
        );
        assert_eq!(
            press(KeyCode::BackTab, KeyModifiers::SHIFT),
            Some(Action::PreviousField)
        );
        assert_eq!(
            press(KeyCode::Char('Ä'), KeyModifiers::SHIFT),
            Some(Action::Insert('Ä'))
        );
        assert_eq!(press(KeyCode::Char('\u{1b}'), KeyModifiers::NONE), None);
        assert_eq!(press(KeyCode::F(2), KeyModifiers::NONE), None);
        let mut release = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(action(&release), None);
    }
}
