//! Choosing a folder: type to filter (every word must appear in the name, in any
//! case), move with the arrows, Enter to choose.

use super::{Answer, Reply, Selection, TextInput, scrolled};
use crate::keys::{Action, Chord};
use crate::store::{AccountId, FolderId, FolderRow};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickPurpose {
    MoveTo(Selection),
    CopyTo(Selection),
    GoTo { account: AccountId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub purpose: PickPurpose,
    pub title: String,
    items: Vec<(FolderId, String)>,
    pub filter: TextInput,
    /// Among the matches.
    pub cursor: usize,
}

impl Picker {
    pub fn new(purpose: PickPurpose, title: String, folders: &[FolderRow]) -> Picker {
        Picker {
            purpose,
            title,
            items: folders.iter().map(|f| (f.id, f.name.clone())).collect(),
            filter: TextInput::default(),
            cursor: 0,
        }
    }

    /// The folders the filter lets through, in list order.
    pub fn matches(&self) -> Vec<(FolderId, &str)> {
        let words: Vec<String> = self
            .filter
            .text()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.items
            .iter()
            .filter(|(_, name)| {
                let name = name.to_lowercase();
                words.iter().all(|w| name.contains(w.as_str()))
            })
            .map(|(id, name)| (*id, name.as_str()))
            .collect()
    }

    pub(super) fn on_key(&mut self, action: Option<Action>, chord: Chord, page: usize) -> Reply {
        let count = self.matches().len();
        match action {
            Some(Action::Submit) => match self.matches().get(self.cursor) {
                Some((folder, _)) => Reply::Answer(Answer::Folder {
                    purpose: self.purpose.clone(),
                    folder: *folder,
                }),
                None => Reply::Consumed,
            },
            Some(Action::Cancel) => Reply::Closed,
            Some(action) => match scrolled(self.cursor, action, page, count.saturating_sub(1)) {
                Some(to) => {
                    self.cursor = to;
                    Reply::Consumed
                }
                None => Reply::Ignored,
            },
            None if self.filter.edit(chord) => {
                self.cursor = 0;
                Reply::Consumed
            }
            None => Reply::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{Key, Keymap};
    use crate::tui::layer::Layer;

    fn folder(id: i64, name: &str) -> FolderRow {
        FolderRow {
            id: FolderId(id),
            account: AccountId(1),
            name: name.into(),
            role: None,
            total: 0,
            unread: 0,
        }
    }

    #[test]
    fn typing_filters_and_enter_chooses() {
        let folders = [
            folder(1, "INBOX"),
            folder(2, "Projects/postern"),
            folder(3, "Lists/rust"),
        ];
        let mut layer = Layer::Picker(Picker::new(
            PickPurpose::GoTo {
                account: AccountId(1),
            },
            "Go to".into(),
            &folders,
        ));
        let keys = Keymap::defaults();
        for c in "jPOS".chars() {
            // `j` is text here, not "down".
            assert_eq!(
                layer.on_key(Chord::plain(Key::Char(c)), &keys, 10),
                Reply::Consumed
            );
        }
        let Layer::Picker(picker) = &layer else {
            unreachable!()
        };
        assert!(picker.matches().is_empty(), "no folder has \"jpos\"");
        assert_eq!(
            layer.on_key(Chord::plain(Key::Enter), &keys, 10),
            Reply::Consumed
        );
        layer.on_key(Chord::ctrl('u'), &keys, 10);
        for c in "ST".chars() {
            layer.on_key(Chord::plain(Key::Char(c)), &keys, 10);
        }
        // "st" is in "Projects/postern" and in "Lists/rust"; Down takes the second.
        assert_eq!(
            layer.on_key(Chord::plain(Key::Down), &keys, 10),
            Reply::Consumed
        );
        assert_eq!(
            layer.on_key(Chord::plain(Key::Enter), &keys, 10),
            Reply::Answer(Answer::Folder {
                purpose: PickPurpose::GoTo {
                    account: AccountId(1)
                },
                folder: FolderId(3)
            })
        );
        assert_eq!(
            layer.on_key(Chord::plain(Key::Esc), &keys, 10),
            Reply::Closed
        );
        assert_eq!(layer.on_key(Chord::ctrl('c'), &keys, 10), Reply::Quit);
        assert_eq!(
            layer.on_key(Chord::plain(Key::F(5)), &keys, 10),
            Reply::Ignored
        );
    }
}
