//! postern's own message editor, for when no `$VISUAL` / `$EDITOR` is set or
//! `[compose] editor = "builtin"`: the headers a person writes (From, To, Cc,
//! Bcc, Subject) as one-line inputs over the body, soft-wrapped at the pane's
//! width.
//!
//! A self-contained component: it takes keys and pastes, says what they did
//! ([`WriterReply`]), draws itself, and hands back a [`Written`]. It does no IO
//! and knows no layer: the caller decides what finishing means (a review
//! screen), when to autosave ([`Writer::take_changed`]) and how to complete an
//! address ([`Writer::focused_field`], [`Writer::cursor_in_field`],
//! [`Writer::replace_field_text`] on a key of its own: the writer leaves every
//! key it does not use to the caller).
//!
//! The text editing is the `ratatui-textarea` crate's: one text area per field
//! gives every field the same editing, undo and redo, and the body soft wrap at
//! word boundaries without a line break being written into the mail. postern
//! maps the keys itself (`keys`), and scrubs what the text areas draw
//! (`render`), since a body may hold anything the user was sent.
//!
//! Finishing is **Ctrl-x** (nano's, and pine's before it; the hint says so) and
//! also **Esc**, which leaves every other postern layer: nothing is lost by it,
//! since the caller's review screen can go back to writing.

mod field;
mod keys;
mod render;
mod text;

use std::fmt;

use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::mime::compose::Written;

pub use field::Field;
use keys::{Action, Edit};

/// The key hint drawn under the writer unless the caller sets its own.
pub const HINT: &str =
    "Ctrl-x done · Tab next field · Shift-Tab previous · Ctrl-z undo · Ctrl-y redo";

/// What a key (or a paste) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriterReply {
    /// The text changed (autosave has something to save).
    Edited,
    /// The key was the writer's but the text is as it was: the cursor or the
    /// focus moved (or could not: a Backspace at the very start).
    Moved,
    /// The user is done writing (Ctrl-x or Esc): show them the review.
    Done,
    /// Not a key of the writer (Ctrl-c among them): the caller may use it.
    Ignored,
}

/// The message being written: a text area per field, which one has focus, and
/// how many edits there have been (for autosave).
///
/// The text areas keep their scroll position in cells they update while drawing
/// (the crate's design: its widget draws from `&self`); that is display state
/// only, and is not compared by `==`.
#[derive(Clone)]
pub struct Writer {
    /// In [`Field::ALL`] order.
    areas: [TextArea<'static>; 6],
    focus: Field,
    /// Edits so far; every edit adds one.
    generation: u64,
    /// `generation` when [`Writer::take_changed`] last looked.
    taken: u64,
    hint: String,
}

impl Writer {
    /// A writer holding `written`, its header cursors at the ends of their text,
    /// the body's at its start, the focus on the first thing left to write: To
    /// when it is empty, else Subject when it is empty, else the body.
    pub fn new(written: &Written) -> Writer {
        let header = |value: &str| {
            let mut area = text::area(vec![text::header_line(value)], WrapMode::None);
            area.move_cursor(CursorMove::End);
            area
        };
        let focus = if written.to.trim().is_empty() {
            Field::To
        } else if written.subject.trim().is_empty() {
            Field::Subject
        } else {
            Field::Body
        };
        Writer {
            areas: [
                header(&written.from),
                header(&written.to),
                header(&written.cc),
                header(&written.bcc),
                header(&written.subject),
                text::area(text::body_lines(&written.body), WrapMode::WordOrGlyph),
            ],
            focus,
            generation: 0,
            taken: 0,
            hint: HINT.to_owned(),
        }
    }

    /// The message as it is now. What [`Writer::new`] was given comes back
    /// unchanged when nothing was edited, except a line break in a header
    /// value, which became a space.
    pub fn written(&self) -> Written {
        Written {
            from: self.field_text(Field::From),
            to: self.field_text(Field::To),
            cc: self.field_text(Field::Cc),
            bcc: self.field_text(Field::Bcc),
            subject: self.field_text(Field::Subject),
            body: self.field_text(Field::Body),
        }
    }

    /// One field's text.
    pub fn field_text(&self, field: Field) -> String {
        text::joined(self.area(field).lines())
    }

    pub fn focused_field(&self) -> Field {
        self.focus
    }

    /// Puts the focus on `field` (its cursor where it was left).
    pub fn focus(&mut self, field: Field) {
        self.focus = field;
    }

    /// The cursor in the focused field, as a character offset into
    /// [`Writer::field_text`] (a line break of the body counts as one).
    pub fn cursor_in_field(&self) -> usize {
        let area = self.area(self.focus);
        let cursor = area.cursor();
        text::offset(area.lines(), (cursor.0, cursor.1))
    }

    /// Replaces a field's text (an address completed, a signature swapped) and
    /// puts its cursor at the character offset `cursor` (clamped to the text).
    /// A header's line breaks become spaces. One undo step in the field takes
    /// the replacement back (two, when the text was not empty).
    pub fn replace_field_text(&mut self, field: Field, text: &str, cursor: usize) {
        let text = if field.is_header() {
            text::header_line(text)
        } else {
            text.to_owned()
        };
        let changed = self.field_text(field) != text;
        let area = self.area_mut(field);
        if changed {
            area.select_all();
            area.insert_str(&text);
            area.cancel_selection();
        }
        text::jump(area, text::position(&text, cursor));
        self.edited(changed);
    }

    /// Inserts pasted text (crossterm's `Event::Paste`, from bracketed paste) at
    /// the cursor of the focused field, cleaned first: no escape sequence or
    /// control character gets in, and a header takes it as one line.
    pub fn paste(&mut self, pasted: &str) -> WriterReply {
        let clean = if self.focus.is_header() {
            text::pasted_header(pasted)
        } else {
            text::pasted_body(pasted)
        };
        let changed = !clean.is_empty() && self.area_mut(self.focus).insert_str(&clean);
        self.edited(changed)
    }

    /// Whether the text was edited since the last call (false on the first call
    /// after [`Writer::new`] when nothing was typed). The caller autosaves when
    /// this says so: every few seconds, and whenever a layer changes.
    pub fn take_changed(&mut self) -> bool {
        let changed = self.taken != self.generation;
        self.taken = self.generation;
        changed
    }

    /// How many edits there have been: it grows by one with each, so a saved
    /// draft can be told from a newer text.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Replaces the key hint drawn at the bottom (to name a key the caller
    /// added, say); [`HINT`] is the default.
    pub fn set_hint(&mut self, hint: &str) {
        hint.clone_into(&mut self.hint);
    }

    /// Acts on a key. Tab / Shift-Tab cycle the fields, Enter in a header goes
    /// to the next field and in the body breaks the line, Up / Down in a header
    /// go to the field above / below (Up on the body's first line to Subject),
    /// the rest edit as in a text editor. Ctrl-c and every key not listed in
    /// `keys` are [`WriterReply::Ignored`].
    pub fn on_key(&mut self, key: KeyEvent) -> WriterReply {
        let Some(action) = keys::action(&key) else {
            return WriterReply::Ignored;
        };
        let in_body = self.focus == Field::Body;
        match action {
            Action::Done => return WriterReply::Done,
            Action::NextField => self.focus = self.focus.next(),
            Action::PreviousField => self.focus = self.focus.previous(),
            Action::Enter if in_body => {
                self.area_mut(Field::Body).insert_newline();
                return self.edited(true);
            }
            Action::Enter | Action::Down if !in_body => self.focus = self.focus.next(),
            Action::Up if !in_body => {
                if self.focus != Field::From {
                    self.focus = self.focus.previous();
                }
            }
            Action::Up => {
                let body = self.area_mut(Field::Body);
                if body.screen_cursor().row == 0 {
                    self.focus = Field::Subject;
                } else {
                    body.move_cursor(CursorMove::Up);
                }
            }
            Action::Enter | Action::Down => {
                self.area_mut(Field::Body).move_cursor(CursorMove::Down);
            }
            Action::Insert(c) => {
                self.area_mut(self.focus).insert_char(c);
                return self.edited(true);
            }
            Action::Edit(edit) => {
                let changed = apply(self.area_mut(self.focus), edit);
                return self.edited(changed);
            }
            Action::Move(motion) => self.area_mut(self.focus).move_cursor(motion),
            Action::Page(page) if in_body => self.area_mut(Field::Body).scroll(page),
            Action::Page(_) => {}
        }
        WriterReply::Moved
    }

    fn area(&self, field: Field) -> &TextArea<'static> {
        &self.areas[field.index()]
    }

    fn area_mut(&mut self, field: Field) -> &mut TextArea<'static> {
        &mut self.areas[field.index()]
    }

    /// Counts an edit when there was one.
    fn edited(&mut self, changed: bool) -> WriterReply {
        if changed {
            self.generation += 1;
            WriterReply::Edited
        } else {
            WriterReply::Moved
        }
    }
}

/// Applies an edit to a text area; true when its text changed.
fn apply(area: &mut TextArea<'_>, edit: Edit) -> bool {
    match edit {
        Edit::Backspace => area.delete_char(),
        Edit::Delete => area.delete_next_char(),
        Edit::WordBack => area.delete_word(),
        Edit::WordForward => area.delete_next_word(),
        Edit::ToLineStart => area.delete_line_by_head(),
        Edit::ToLineEnd => area.delete_line_by_end(),
        Edit::Undo => area.undo(),
        Edit::Redo => area.redo(),
    }
}

/// Equal when they hold the same text with the same cursors, focus, edit count
/// and hint; scroll positions and undo history are not compared.
impl PartialEq for Writer {
    fn eq(&self, other: &Writer) -> bool {
        self.focus == other.focus
            && self.generation == other.generation
            && self.taken == other.taken
            && self.hint == other.hint
            && self
                .areas
                .iter()
                .zip(&other.areas)
                .all(|(a, b)| a.lines() == b.lines() && a.cursor() == b.cursor())
    }
}

impl Eq for Writer {}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer")
            .field("written", &self.written())
            .field("focus", &self.focus)
            .field("cursor", &self.cursor_in_field())
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
