//! Terminal keys as the keymap knows them: crossterm's key events turned into
//! [`Chord`]s (the tables themselves are in `crate::keys`, shared with the config).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::keys::{Chord, Key};

/// The chord a key press means; releases and keys postern has no name for are none.
pub fn chord(event: &KeyEvent) -> Option<Chord> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let alt = event.modifiers.contains(KeyModifiers::ALT);
    let shift = event.modifiers.contains(KeyModifiers::SHIFT);
    let key = match event.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::F(n) => Key::F(n),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab if shift => Key::BackTab,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Insert => Key::Insert,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    };
    // Terminals disagree on whether an upper-case letter also reports SHIFT, and
    // whether Ctrl-letters arrive upper- or lower-case: `Chord::new` settles both.
    Some(Chord::new(key, ctrl, alt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_spellings_of_one_key_are_one_chord() {
        let press = |code, modifiers| chord(&KeyEvent::new(code, modifiers));
        assert_eq!(
            press(KeyCode::Char('F'), KeyModifiers::SHIFT),
            press(KeyCode::Char('F'), KeyModifiers::NONE)
        );
        assert_eq!(
            press(KeyCode::Char('R'), KeyModifiers::CONTROL),
            Some(Chord::ctrl('r'))
        );
        assert_eq!(
            press(KeyCode::Tab, KeyModifiers::SHIFT),
            press(KeyCode::BackTab, KeyModifiers::SHIFT)
        );
        let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(chord(&release), None);
    }
}
