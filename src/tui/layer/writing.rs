//! postern's own editor as a layer over a draft's review: used when no editor is
//! set. Its keys are the writer's own (nano's Ctrl-x finishes; see `tui::writer`),
//! not a `[keys]` table: every plain key is text there.

use crate::store::{AccountId, DraftId};
use crate::tui::completion::Completion;
use crate::tui::writer::Writer;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writing {
    /// The draft written, whose review is under this layer.
    pub draft: DraftId,
    /// The draft's account: whose known addresses complete To, Cc and Bcc.
    pub account: AccountId,
    pub writer: Writer,
    /// The address completion popup under To, Cc or Bcc.
    pub completion: Completion,
}
