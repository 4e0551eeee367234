//! A yes/no question before something that cannot be undone, or that makes
//! something new.

use super::{Reply, Selection};
use crate::keys::Action;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmPurpose {
    /// Delete messages in the Trash for good.
    DeleteForGood(Selection),
    /// Create the archive folder `name`, then archive there.
    CreateArchive { selection: Selection, name: String },
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
            Some(Action::No) => Reply::Closed,
            _ => Reply::Ignored,
        }
    }
}
