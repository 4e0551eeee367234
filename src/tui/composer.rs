//! Writing mail, as the UI keeps track of it: what each draft request asked for
//! (so its answer is put to use), and the sent messages still held back in the
//! outbox, which undo can take back while their time runs.

use std::collections::HashMap;

use crate::engine::RequestId;
use crate::store::{AccountId, DraftId, OutboxId};

/// What a draft request was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// A message to write: open it when it comes (started, recalled, taken back).
    Open,
    /// A save; `edited`: of the editor's text, whose file goes once it is kept.
    Save {
        draft: DraftId,
        edited: bool,
    },
    Postpone,
    Discard,
    Send {
        draft: DraftId,
    },
    /// Held messages sent at once, before quitting.
    SendNow,
    /// The other kind of forward, to take the place of draft `old`.
    Switch {
        old: DraftId,
    },
}

/// A sent message waiting in the outbox until `until` (undo send).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub account: AccountId,
    pub outbox: OutboxId,
    pub draft: DraftId,
    /// Unix seconds.
    pub until: i64,
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Composer {
    asked: HashMap<RequestId, Asked>,
    /// Oldest first.
    pub held: Vec<Held>,
    /// Interrupted drafts beyond the one offered: kept in Drafts once answered.
    pub recovered: Vec<(AccountId, DraftId)>,
    /// Quit when the held messages are sent.
    pub quitting: bool,
}

impl Composer {
    pub fn ask(&mut self, request: RequestId, asked: Asked) {
        self.asked.insert(request, asked);
    }

    /// What `request` was for, if it was a draft request of ours (taken: it is
    /// answered once).
    pub fn answered(&mut self, request: RequestId) -> Option<Asked> {
        self.asked.remove(&request)
    }

    /// A held message was sent, failed or taken back: it no longer counts down.
    pub fn settled(&mut self, outbox: OutboxId) -> Option<Held> {
        let at = self.held.iter().position(|h| h.outbox == outbox)?;
        Some(self.held.remove(at))
    }

    /// Whether anything waits for an answer (a save, a send), for the quit question.
    pub fn busy(&self) -> bool {
        self.asked
            .values()
            .any(|a| matches!(a, Asked::Save { .. } | Asked::Send { .. } | Asked::Postpone))
    }
}
