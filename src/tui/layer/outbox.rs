//! The outbox of an account: its messages not sent yet, each with its state, and
//! the keys to act on one (explain, retry, edit, delete).

use super::{Answer, Reply, scrolled};
use crate::engine::OutboxEntry;
use crate::keys::Action;
use crate::store::{AccountId, OutboxId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxList {
    pub account: AccountId,
    /// As the engine last told them.
    pub entries: Vec<OutboxEntry>,
    pub cursor: usize,
}

/// What was chosen for the selected message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxChoice {
    Explain,
    Retry,
    Edit,
    Delete,
}

impl OutboxList {
    pub fn selected(&self) -> Option<&OutboxEntry> {
        self.entries.get(self.cursor)
    }

    /// The engine's newer list; the cursor stays on its message where it can.
    pub fn replace(&mut self, entries: Vec<OutboxEntry>) {
        let id = self.selected().map(|e| e.id);
        self.cursor = id
            .and_then(|id| entries.iter().position(|e| e.id == id))
            .unwrap_or(self.cursor)
            .min(entries.len().saturating_sub(1));
        self.entries = entries;
    }

    pub(super) fn on_key(&mut self, action: Option<Action>, page: usize) -> Reply {
        let choose = |id: OutboxId, choice| {
            let answer = Answer::Outbox {
                account: self.account,
                id,
                choice,
            };
            // Editing leaves the outbox for the review; the rest stays here.
            if choice == OutboxChoice::Edit {
                Reply::Answer(answer)
            } else {
                Reply::Act(answer)
            }
        };
        let choice = match action {
            Some(Action::Close | Action::Quit | Action::Back) => return Reply::Closed,
            Some(Action::Open) => OutboxChoice::Explain,
            Some(Action::Refresh) => OutboxChoice::Retry,
            Some(Action::Edit) => OutboxChoice::Edit,
            Some(Action::Delete) => OutboxChoice::Delete,
            Some(action) => {
                let max = self.entries.len().saturating_sub(1);
                return match scrolled(self.cursor, action, page, max) {
                    Some(to) => {
                        self.cursor = to;
                        Reply::Consumed
                    }
                    None => Reply::Ignored,
                };
            }
            None => return Reply::Ignored,
        };
        match self.selected() {
            Some(entry) => choose(entry.id, choice),
            None => Reply::Consumed,
        }
    }
}
