//! A one-line question: a command to pipe to, a path to save to.

use super::{Answer, Reply, Selection, TextInput};
use crate::keys::{Action, Chord};
use crate::store::DraftId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    Pipe(Selection),
    Save(Selection),
    /// A file to attach to the draft.
    Attach(DraftId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub purpose: PromptPurpose,
    pub label: String,
    pub input: TextInput,
}

impl Prompt {
    pub(super) fn on_key(&mut self, action: Option<Action>, chord: Chord) -> Reply {
        match action {
            Some(Action::Submit) => {
                let text = self.input.text().trim();
                if text.is_empty() {
                    Reply::Closed
                } else {
                    Reply::Answer(Answer::Text {
                        purpose: self.purpose.clone(),
                        text: text.to_owned(),
                    })
                }
            }
            Some(Action::Cancel) => Reply::Closed,
            _ if self.input.edit(chord) => Reply::Consumed,
            _ => Reply::Ignored,
        }
    }
}
