//! The review screen: a message about to be sent, as it will go (headers, the first
//! lines of the text, the files with their sizes), what to mend or confirm first,
//! and mutt's compose keys: `y` send, `e` edit, `a` attach, `D` detach, `p`
//! postpone, `q` quit (which asks: postpone or discard).

use crate::compose::{Checked, check};
use crate::keys::Action;
use crate::mime::compose::{TextProblem, Written};
use crate::store::{AccountId, DraftFileSource, DraftId, DraftRow, NewDraft};

use super::{Answer, Reply};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub account: AccountId,
    pub id: DraftId,
    pub draft: NewDraft,
    /// What stops it from being sent, and the slips to confirm.
    pub checked: Checked,
    /// What the editor's text had wrong (a header postern does not edit there).
    pub text_problems: Vec<TextProblem>,
    /// Sizes of the files, in bytes, as far as known (a file added here was
    /// measured; one kept in the draft has its bytes).
    pub sizes: Vec<Option<u64>>,
    /// The selected file (for detach).
    pub file: usize,
    pub mode: ReviewMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewMode {
    Keys,
    /// `q` was pressed: postpone or discard?
    Quitting,
    /// Sent to the outbox, waiting for the engine to say it is queued.
    Sending,
}

/// What the user chose in the review; the layer stays until the choice is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewChoice {
    Send,
    Edit,
    Attach,
    Detach(usize),
    Postpone,
    Discard,
    ChangeFrom,
    ForwardAttached,
}

impl Review {
    pub fn new(row: &DraftRow) -> Review {
        let mut review = Review {
            account: row.account,
            id: row.id,
            draft: row.draft.clone(),
            checked: Checked::default(),
            text_problems: Vec::new(),
            sizes: Vec::new(),
            file: 0,
            mode: ReviewMode::Keys,
        };
        review.changed();
        review
    }

    /// The text came back from the editor.
    pub fn edited(&mut self, written: Written, problems: Vec<TextProblem>) {
        self.draft.written = written;
        self.text_problems = problems;
        self.changed();
    }

    /// The draft changed: check it again, and keep the sizes in step with the files.
    pub fn changed(&mut self) {
        self.checked = check(&self.draft);
        let sizes: Vec<Option<u64>> = self
            .draft
            .files
            .iter()
            .enumerate()
            .map(|(i, file)| match &file.source {
                DraftFileSource::Bytes(bytes) => Some(bytes.len() as u64),
                DraftFileSource::Path(_) => self.sizes.get(i).copied().flatten(),
            })
            .collect();
        self.sizes = sizes;
        self.file = self.file.min(self.draft.files.len().saturating_sub(1));
    }

    pub(super) fn on_key(&mut self, action: Option<Action>) -> Reply {
        let choose = |choice| {
            Reply::Act(Answer::Review {
                draft: self.id,
                choice,
            })
        };
        match self.mode {
            ReviewMode::Sending => Reply::Consumed,
            ReviewMode::Quitting => {
                self.mode = ReviewMode::Keys;
                match action {
                    Some(Action::Postpone) => choose(ReviewChoice::Postpone),
                    Some(Action::Discard) => choose(ReviewChoice::Discard),
                    // Anything else: go on writing.
                    _ => Reply::Consumed,
                }
            }
            ReviewMode::Keys => match action {
                Some(Action::Send) => choose(ReviewChoice::Send),
                Some(Action::Edit) => choose(ReviewChoice::Edit),
                Some(Action::Attach) => choose(ReviewChoice::Attach),
                Some(Action::Detach) if !self.draft.files.is_empty() => {
                    choose(ReviewChoice::Detach(self.file))
                }
                Some(Action::Detach) => Reply::Consumed,
                Some(Action::Postpone) => choose(ReviewChoice::Postpone),
                Some(Action::ChangeFrom) => choose(ReviewChoice::ChangeFrom),
                Some(Action::ForwardAttached) => choose(ReviewChoice::ForwardAttached),
                // Both ask first: a draft is thrown away only on purpose.
                Some(Action::Quit | Action::Discard) => {
                    self.mode = ReviewMode::Quitting;
                    Reply::Consumed
                }
                Some(Action::Down) => {
                    self.file = (self.file + 1).min(self.draft.files.len().saturating_sub(1));
                    Reply::Consumed
                }
                Some(Action::Up) => {
                    self.file = self.file.saturating_sub(1);
                    Reply::Consumed
                }
                _ => Reply::Ignored,
            },
        }
    }
}
