//! Address completion in postern's own editor: what is typed in To, Cc or Bcc asks
//! the engine for addresses (every edit; the store answers in a millisecond, so
//! there is no debounce), the answers fill the popup under the field, and its keys
//! pick and accept. aerc's keys: Tab / Ctrl-n / Down the next candidate, Shift-Tab /
//! Ctrl-p / Up the previous, Enter takes the picked one (Tab takes a lone one), Esc
//! closes the popup and leaves the writer open. With no popup every key is the
//! writer's (Tab goes to the next field).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::super::completion::{self, Completion};
use super::super::layer::{Layer, Writing};
use super::super::model::{Model, Status};
use super::super::msg::Effect;
use super::super::writer::{Field, WriterReply};
use crate::engine::{Command, Problem, RequestId};
use crate::mime::Address;

/// A key for the popup, when it is shown and the key is one of its own; `None`
/// leaves the key to the writer.
pub(super) fn popup_key(writing: &mut Writing, key: KeyEvent) -> Option<Vec<Effect>> {
    if !writing.completion.is_shown() || key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    let popup = &mut writing.completion;
    match key.code {
        KeyCode::Esc => popup.close(),
        KeyCode::Tab if shift => popup.previous(),
        KeyCode::Tab if popup.candidates.len() == 1 => {
            let only = popup.candidates[0].clone();
            take(writing, &only);
        }
        KeyCode::Tab | KeyCode::Down => popup.next(),
        KeyCode::BackTab | KeyCode::Up => popup.previous(),
        KeyCode::Char(c) if ctrl && c.eq_ignore_ascii_case(&'n') => popup.next(),
        KeyCode::Char(c) if ctrl && c.eq_ignore_ascii_case(&'p') => popup.previous(),
        KeyCode::Enter => {
            let picked = popup.picked().cloned();
            match picked {
                Some(address) => take(writing, &address),
                // Nothing picked: Enter is the writer's (the next field).
                None => {
                    popup.close();
                    return None;
                }
            }
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// After the writer took a key: an edit in To, Cc or Bcc asks for the addresses
/// that what is typed begins; anything else (a move, another field) closes the
/// popup.
pub(super) fn after_key(model: &mut Model, field: Field, reply: WriterReply) -> Vec<Effect> {
    let Some(Layer::Writer(writing)) = model.layers.last() else {
        return Vec::new();
    };
    let now = writing.writer.focused_field();
    let typed = (reply == WriterReply::Edited && now == field && completion::completes(now))
        .then(|| {
            completion::typed_at(
                &writing.writer.field_text(now),
                writing.writer.cursor_in_field(),
            )
        })
        .flatten();
    let account = writing.account;
    // A cursor moved elsewhere is no longer on what the list was for.
    let Some(prefix) = typed else {
        close(model);
        return Vec::new();
    };
    let request = model.acting.next_request();
    let Some(Layer::Writer(writing)) = model.layers.last_mut() else {
        return Vec::new();
    };
    writing.completion.ask(request, now, prefix.clone());
    vec![Effect::Engine(Command::CompleteAddress {
        request,
        account,
        prefix,
    })]
}

/// The engine's answer: shown when it is for the latest request of the editor on
/// top, dropped when stale. An address book failure is said on the status line;
/// the store's addresses are shown all the same.
pub(super) fn answered(
    model: &mut Model,
    request: RequestId,
    addresses: Vec<Address>,
    problem: Option<Problem>,
) {
    let Some(Layer::Writer(writing)) = model.layers.last_mut() else {
        return;
    };
    if writing.completion.answered(request, addresses) {
        model.dirty = true;
        if let Some(problem) = problem {
            model.status = Status::Error(format!("completing addresses: {problem}"));
        }
    }
}

fn close(model: &mut Model) {
    if let Some(Layer::Writer(writing)) = model.layers.last_mut() {
        writing.completion.close();
    }
}

/// Writes `address` in place of what is typed, and closes the popup.
fn take(writing: &mut Writing, address: &Address) {
    let Completion { field, .. } = writing.completion;
    let field = field.unwrap_or(writing.writer.focused_field());
    if writing.writer.focused_field() == field {
        let (text, cursor) = completion::accept(
            &writing.writer.field_text(field),
            writing.writer.cursor_in_field(),
            address,
        );
        writing.writer.replace_field_text(field, &text, cursor);
    }
    writing.completion.close();
}
