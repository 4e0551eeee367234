//! The help layer: every key of the effective tables (drawn by `view::help`).

use super::{Reply, scrolled};
use crate::keys::Action;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Help {
    /// First line shown; the view keeps it in range.
    pub scroll: usize,
}

impl Help {
    pub(super) fn on_key(&mut self, action: Option<Action>, page: usize) -> Reply {
        match action {
            Some(Action::Close) => Reply::Closed,
            Some(action) => match scrolled(self.scroll, action, page, usize::MAX / 2) {
                Some(to) => {
                    self.scroll = to;
                    Reply::Consumed
                }
                None => Reply::Ignored,
            },
            None => Reply::Ignored,
        }
    }
}
