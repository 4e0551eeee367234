//! A one-line text field: typed characters are text (a prompt can take `j`), and the
//! readline keys edit it.

use crate::keys::{Chord, Key};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextInput {
    text: String,
    /// In characters, 0..=len.
    cursor: usize,
}

impl TextInput {
    pub fn with_text(text: &str) -> TextInput {
        TextInput {
            text: text.to_owned(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(at, _)| at)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Inserts pasted text at the cursor, as one line: control characters (escape
    /// sequences among them) are dropped, line breaks and tabs become spaces.
    pub fn insert(&mut self, pasted: &str) {
        let clean: String = pasted
            .chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Applies an editing key; false when `chord` is not one.
    pub fn edit(&mut self, chord: Chord) -> bool {
        match (chord.key, chord.ctrl, chord.alt) {
            (Key::Char(c), false, false) => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            (Key::Backspace, _, _) | (Key::Char('h'), true, false) => {
                if self.cursor > 0 {
                    self.cursor -= 1;
                    let at = self.byte_at(self.cursor);
                    self.text.remove(at);
                }
            }
            (Key::Delete, _, _) | (Key::Char('d'), true, false) => {
                if self.cursor < self.len() {
                    let at = self.byte_at(self.cursor);
                    self.text.remove(at);
                }
            }
            (Key::Left, _, _) | (Key::Char('b'), true, false) => {
                self.cursor = self.cursor.saturating_sub(1);
            }
            (Key::Right, _, _) | (Key::Char('f'), true, false) => {
                self.cursor = (self.cursor + 1).min(self.len());
            }
            (Key::Home, _, _) | (Key::Char('a'), true, false) => self.cursor = 0,
            (Key::End, _, _) | (Key::Char('e'), true, false) => self.cursor = self.len(),
            (Key::Char('u'), true, false) => {
                let at = self.byte_at(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            (Key::Char('k'), true, false) => {
                let at = self.byte_at(self.cursor);
                self.text.truncate(at);
            }
            (Key::Char('w'), true, false) => {
                let end = self.byte_at(self.cursor);
                let before = self.text[..end].trim_end();
                let start = before.rfind(' ').map_or(0, |at| at + 1);
                self.cursor -= self.text[start..end].chars().count();
                self.text.replace_range(start..end, "");
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(input: &mut TextInput, text: &str) {
        for c in text.chars() {
            assert!(input.edit(Chord::plain(Key::Char(c))));
        }
    }

    #[test]
    fn letters_are_text_and_readline_keys_edit() {
        let mut input = TextInput::default();
        typed(&mut input, "git am -3");
        assert_eq!(input.text(), "git am -3");
        input.edit(Chord::ctrl('w'));
        assert_eq!(input.text(), "git am ");
        input.edit(Chord::plain(Key::Backspace));
        input.edit(Chord::plain(Key::Home));
        typed(&mut input, "j");
        assert_eq!((input.text(), input.cursor()), ("jgit am", 1));
        input.edit(Chord::plain(Key::Delete));
        input.edit(Chord::ctrl('k'));
        assert_eq!(input.text(), "j");
        typed(&mut input, "ö");
        input.edit(Chord::plain(Key::Left));
        input.edit(Chord::ctrl('u'));
        assert_eq!((input.text(), input.cursor()), ("ö", 0));
        assert!(!input.edit(Chord::plain(Key::Enter)));
    }
}
