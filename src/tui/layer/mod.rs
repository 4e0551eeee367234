//! Layers over the main screen: each has its own key table, takes the keys first
//! while it is on top, and answers what it did with them. What a layer is for is
//! data (`MoveTo` these messages), so the effects that follow stay comparable in
//! tests.

mod confirm;
mod help;
mod input;
mod output;
mod picker;
mod prompt;
mod review;
mod writing;

pub use confirm::{Confirm, ConfirmPurpose};
pub use help::Help;
pub use input::TextInput;
pub use output::Output;
pub use picker::{PickPurpose, Picker};
pub use prompt::{Prompt, PromptPurpose};
pub use review::{Review, ReviewChoice, ReviewMode};
pub use writing::Writing;

use super::list::{Motion, step};
use crate::keys::{Action, Chord, Context, Keymap};
use crate::store::{AccountId, DraftId, Flags, FolderId, MessageId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    Help(Help),
    Picker(Picker),
    Prompt(Prompt),
    Confirm(Confirm),
    Output(Output),
    Review(Box<Review>),
    /// postern's own editor; its keys go to it directly (see `update`).
    Writer(Box<Writing>),
}

/// What a layer did with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Consumed,
    /// Done with, nothing chosen: take the layer away.
    Closed,
    /// Done with an answer: take the layer away and act on it.
    Answer(Answer),
    /// Act on this answer and keep the layer (the review while it sends).
    Act(Answer),
    /// Not a key of this layer.
    Ignored,
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Folder {
        purpose: PickPurpose,
        folder: FolderId,
    },
    Text {
        purpose: PromptPurpose,
        text: String,
    },
    Yes(ConfirmPurpose),
    No(ConfirmPurpose),
    Review {
        draft: DraftId,
        choice: ReviewChoice,
    },
}

/// The messages an action works on, captured when its key was pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub account: AccountId,
    /// The folder they are in (an action works on one list).
    pub folder: FolderId,
    /// With their flags as known then.
    pub messages: Vec<(MessageId, Flags)>,
}

impl Selection {
    pub fn ids(&self) -> Vec<MessageId> {
        self.messages.iter().map(|(id, _)| *id).collect()
    }

    /// "1 message" or "3 messages", for questions and the status line.
    pub fn describe(&self) -> String {
        match self.messages.len() {
            1 => "1 message".to_owned(),
            n => format!("{n} messages"),
        }
    }
}

impl Layer {
    pub fn context(&self) -> Context {
        match self {
            Layer::Help(_) => Context::Help,
            Layer::Picker(_) => Context::Picker,
            Layer::Prompt(_) => Context::Prompt,
            Layer::Confirm(_) => Context::Confirm,
            Layer::Output(_) => Context::Output,
            Layer::Review(_) => Context::Review,
            // Only `force-quit` is looked up for it: the prompt's table is a text
            // field's, the closest there is.
            Layer::Writer(_) => Context::Prompt,
        }
    }

    /// Handles a key; `page` is how many lines the layer shows.
    pub fn on_key(&mut self, chord: Chord, keys: &Keymap, page: usize) -> Reply {
        let action = keys.lookup(self.context(), chord);
        if action == Some(Action::ForceQuit) {
            return Reply::Quit;
        }
        match self {
            Layer::Help(help) => help.on_key(action, page),
            Layer::Picker(picker) => picker.on_key(action, chord, page),
            Layer::Prompt(prompt) => prompt.on_key(action, chord),
            Layer::Confirm(confirm) => confirm.on_key(action),
            Layer::Output(output) => output.on_key(action, page),
            Layer::Review(review) => review.on_key(action),
            Layer::Writer(_) => Reply::Ignored,
        }
    }

    /// What to say when a key means nothing here.
    pub fn hint(&self, keys: &Keymap) -> String {
        let context = self.context();
        let key = |action| {
            keys.first_key(context, action)
                .unwrap_or_else(|| "?".into())
        };
        match self {
            Layer::Help(_) | Layer::Output(_) => format!("{} closes this", key(Action::Close)),
            Layer::Picker(_) | Layer::Prompt(_) => format!(
                "{} chooses, {} cancels",
                key(Action::Submit),
                key(Action::Cancel)
            ),
            Layer::Confirm(_) => {
                format!("{} for yes, {} for no", key(Action::Yes), key(Action::No))
            }
            Layer::Writer(_) => "Ctrl-x finishes writing".to_owned(),
            Layer::Review(_) => format!(
                "{} sends, {} edits, {} postpones, {} quits",
                key(Action::Send),
                key(Action::Edit),
                key(Action::Postpone),
                key(Action::Quit)
            ),
        }
    }
}

/// A scroll position after a moving action, kept in `0..=max`.
pub(crate) fn scrolled(at: usize, action: Action, page: usize, max: usize) -> Option<usize> {
    Motion::of(action).map(|motion| step(at, motion, page, max))
}
