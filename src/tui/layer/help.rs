//! The help layer: every key of the effective tables (drawn by `view::help`).

use super::{Reply, scrolled};
use crate::keys::Action;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Help {
    /// First line shown.
    pub scroll: usize,
    /// How many lines the help has (it is built from the keymap, fixed for a run).
    lines: usize,
}

impl Help {
    pub fn new(lines: usize) -> Help {
        Help { scroll: 0, lines }
    }

    pub(super) fn on_key(&mut self, action: Option<Action>, page: usize) -> Reply {
        let max = self.lines.saturating_sub(page);
        match action {
            Some(Action::Close) => Reply::Closed,
            Some(action) => match scrolled(self.scroll, action, page, max) {
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
