//! Text to read: what a piped command printed.

use super::{Reply, scrolled};
use crate::keys::Action;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub title: String,
    /// As the command printed them; sanitized when drawn.
    pub lines: Vec<String>,
    pub scroll: usize,
}

impl Output {
    pub fn new(title: String, text: &str) -> Output {
        Output {
            title,
            lines: text.lines().map(str::to_owned).collect(),
            scroll: 0,
        }
    }

    pub(super) fn on_key(&mut self, action: Option<Action>, page: usize) -> Reply {
        match action {
            Some(Action::Close) => Reply::Closed,
            Some(action) => {
                let max = self.lines.len().saturating_sub(page.max(1));
                match scrolled(self.scroll, action, page, max) {
                    Some(to) => {
                        self.scroll = to;
                        Reply::Consumed
                    }
                    None => Reply::Ignored,
                }
            }
            None => Reply::Ignored,
        }
    }
}
