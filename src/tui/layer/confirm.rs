//! A yes/no question before something that cannot be undone, or that makes
//! something new.

use super::{Reply, Selection};
use crate::keys::Action;
use crate::store::{AccountId, DraftId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmPurpose {
    /// Delete messages in the Trash for good.
    DeleteForGood(Selection),
    /// Create the archive folder `name`, then archive there.
    CreateArchive { selection: Selection, name: String },
    /// Send the draft in spite of the review's warnings.
    SendAnyway { draft: DraftId },
    /// A draft was being written when postern stopped: open it (no: keep it in
    /// Drafts).
    OpenRecovered { account: AccountId, draft: DraftId },
    /// Messages are held back (undo send): send them now and quit.
    SendHeldAndQuit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub purpose: ConfirmPurpose,
    pub question: String,
}

impl Confirm {
    pub(super) fn on_key(&mut self, action: Option<Action>) -> super::Reply {
        match action {
            Some(Action::Yes) => Reply::Answer(super::Answer::Yes(self.purpose.clone())),
            Some(Action::No) => Reply::Answer(super::Answer::No(self.purpose.clone())),
            _ => Reply::Ignored,
        }
    }
}
