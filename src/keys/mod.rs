//! Key bindings as data, shared by the config parser and the TUI: the actions a user
//! can bind, the contexts they are bound in, key chords as config files spell them,
//! the default tables and the effective keymap (the defaults with the user's `[keys]`
//! tables applied).
//!
//! Nothing here knows a terminal: the TUI turns crossterm's key events into
//! [`Chord`]s, so `config` can check a `[keys]` table without importing crossterm.

mod actions;
mod chord;
mod defaults;
mod overrides;

pub use actions::{Action, Context};
pub use chord::{Chord, Key};
pub use overrides::{Override, OverrideError};

/// One key bound to one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub chord: Chord,
    pub action: Action,
}

/// The effective bindings of every context. A main context's table (list, message,
/// folders) already holds the keys that work everywhere, after its own: lookup is
/// one search of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    tables: Vec<(Context, Vec<Binding>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::defaults()
    }
}

impl Keymap {
    /// postern's own bindings (NeoMutt and aerc conventions).
    pub fn defaults() -> Keymap {
        Keymap::from_tables(&defaults::tables())
    }

    /// Flattens per-context tables: a main context gets its own bindings first, then
    /// the global ones that mean something there and whose key it does not bind itself.
    fn from_tables(tables: &defaults::Tables) -> Keymap {
        let tables = Context::ALL
            .iter()
            .map(|&context| {
                let mut table: Vec<Binding> = tables.of(Some(context)).to_vec();
                if context.is_main() {
                    for binding in tables.of(None) {
                        if binding.action.valid_in(context)
                            && !table.iter().any(|b| b.chord == binding.chord)
                        {
                            table.push(*binding);
                        }
                    }
                }
                (context, table)
            })
            .collect();
        Keymap { tables }
    }

    /// Every binding of `context`, in table order.
    pub fn table(&self, context: Context) -> &[Binding] {
        self.tables
            .iter()
            .find(|(c, _)| *c == context)
            .map_or(&[], |(_, table)| table.as_slice())
    }

    /// The action `chord` means in `context`.
    pub fn lookup(&self, context: Context, chord: Chord) -> Option<Action> {
        self.table(context)
            .iter()
            .find(|b| b.chord == chord)
            .map(|b| b.action)
    }

    /// The keys bound to `action` in `context`, in table order.
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<Chord> {
        self.table(context)
            .iter()
            .filter(|b| b.action == action)
            .map(|b| b.chord)
            .collect()
    }

    /// The first key of `action` in `context`, as the help and hints label it.
    pub fn first_key(&self, context: Context, action: Action) -> Option<String> {
        self.table(context)
            .iter()
            .find(|b| b.action == action)
            .map(|b| b.chord.label())
    }

    /// `context`'s actions with all their keys, in table order (one row per action).
    pub fn rows(&self, context: Context) -> Vec<(Action, Vec<Chord>)> {
        let mut rows: Vec<(Action, Vec<Chord>)> = Vec::new();
        for binding in self.table(context) {
            match rows.iter_mut().find(|(a, _)| *a == binding.action) {
                Some((_, chords)) => chords.push(binding.chord),
                None => rows.push((binding.action, vec![binding.chord])),
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(c: char) -> Chord {
        Chord::plain(Key::Char(c))
    }

    #[test]
    fn a_context_binding_beats_the_global_one() {
        let keys = Keymap::defaults();
        assert_eq!(keys.lookup(Context::List, ch('q')), Some(Action::Quit));
        assert_eq!(keys.lookup(Context::Message, ch('q')), Some(Action::Close));
        assert_eq!(
            keys.lookup(Context::Message, ch('J')),
            Some(Action::NextMessage)
        );
        assert_eq!(
            keys.lookup(Context::List, ch('J')),
            Some(Action::NextFolder)
        );
        assert_eq!(keys.lookup(Context::Folders, ch('F')), Some(Action::Flag));
    }

    #[test]
    fn layers_only_know_their_own_keys() {
        let keys = Keymap::defaults();
        assert_eq!(keys.lookup(Context::Picker, ch('F')), None);
        assert_eq!(keys.lookup(Context::Confirm, ch('y')), Some(Action::Yes));
        assert_eq!(
            keys.lookup(Context::Prompt, Chord::plain(Key::Enter)),
            Some(Action::Submit)
        );
    }

    #[test]
    fn every_default_binding_is_valid_where_it_is_and_unique_per_context() {
        let keys = Keymap::defaults();
        for context in Context::ALL {
            let table = keys.table(context);
            for (i, binding) in table.iter().enumerate() {
                assert!(
                    binding.action.valid_in(context),
                    "{} is bound in {} where it means nothing",
                    binding.action.name(),
                    context.name()
                );
                assert!(
                    !table[..i].iter().any(|b| b.chord == binding.chord),
                    "{} bound twice in {}",
                    binding.chord.label(),
                    context.name()
                );
                if context.takes_text() {
                    assert!(!binding.chord.is_text(), "{}", binding.chord.label());
                }
            }
        }
    }

    #[test]
    fn the_issue_keys_are_the_defaults() {
        let keys = Keymap::defaults();
        let bound = |c: Context, chord: &str| keys.lookup(c, Chord::parse(chord).unwrap());
        assert_eq!(bound(Context::List, "F"), Some(Action::Flag));
        assert_eq!(bound(Context::List, "U"), Some(Action::ToggleRead));
        assert_eq!(bound(Context::List, "d"), Some(Action::Delete));
        assert_eq!(bound(Context::List, "a"), Some(Action::Archive));
        assert_eq!(bound(Context::List, "s"), Some(Action::Move));
        assert_eq!(bound(Context::List, "C"), Some(Action::Copy));
        assert_eq!(bound(Context::List, "t"), Some(Action::Tag));
        assert_eq!(bound(Context::List, "Ctrl-a"), Some(Action::TagAll));
        assert_eq!(bound(Context::List, "|"), Some(Action::Pipe));
        assert_eq!(bound(Context::List, "S"), Some(Action::SaveMessage));
        assert_eq!(bound(Context::List, "u"), Some(Action::Undo));
        assert_eq!(bound(Context::List, "Ctrl-r"), Some(Action::Refresh));
        assert_eq!(bound(Context::List, "c"), Some(Action::GoFolder));
        assert_eq!(bound(Context::Message, "Space"), Some(Action::PageDown));
        assert_eq!(bound(Context::List, "r"), Some(Action::Reply));
        assert_eq!(bound(Context::List, "R"), Some(Action::ReplyAll));
        assert_eq!(bound(Context::List, "L"), Some(Action::ReplyList));
        assert_eq!(bound(Context::List, "m"), Some(Action::Compose));
        assert_eq!(bound(Context::List, "f"), Some(Action::Forward));
        assert_eq!(bound(Context::Review, "y"), Some(Action::Send));
    }
}
