//! The user's `[keys]` tables applied to the defaults.
//!
//! The rule, in one sentence: what the user wrote beats every default, and a context
//! table the user wrote (`[keys.message]`) beats the user's `[keys]` in that context.
//! Binding an action replaces its default keys (in `[keys]`: on the whole main screen;
//! in `[keys.<context>]`: there); a key the user binds is taken from whatever default
//! action had it; `action = []` unbinds.

use super::defaults::{self, Tables};
use super::{Action, Binding, Chord, Context, Keymap};

/// One line of a `[keys]` table: `context` is `None` for the top-level `[keys]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub context: Option<Context>,
    pub action: Action,
    pub chords: Vec<Chord>,
}

/// Why an override cannot be applied; `index` is its place in the list given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideError {
    /// The action means nothing in that context.
    NotValidHere { index: usize },
    /// A plain character in a context where typing is text (a prompt, a picker).
    TextKey { index: usize, chord: Chord },
    /// The same key bound to two actions in one table; `first` had it first.
    Conflict {
        index: usize,
        first: usize,
        chord: Chord,
    },
}

impl OverrideError {
    pub fn index(&self) -> usize {
        match self {
            OverrideError::NotValidHere { index }
            | OverrideError::TextKey { index, .. }
            | OverrideError::Conflict { index, .. } => *index,
        }
    }
}

/// Where an action may be bound from the table `context` (`None`: `[keys]`).
fn allowed(action: Action, context: Option<Context>) -> bool {
    match context {
        Some(context) => action.valid_in(context),
        None => action.contexts().iter().any(|c| c.is_main()),
    }
}

impl Keymap {
    /// The defaults with `overrides` applied, or every reason some cannot be.
    pub fn with_overrides(overrides: &[Override]) -> Result<Keymap, Vec<OverrideError>> {
        let errors = check(overrides);
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tables = defaults::tables();
        for o in overrides.iter().filter(|o| o.context.is_none()) {
            apply_everywhere(&mut tables, o);
        }
        let mut keymap = Keymap::from_tables(&tables);
        for o in overrides.iter().filter(|o| o.context.is_some()) {
            if let Some((_, table)) = keymap
                .tables
                .iter_mut()
                .find(|(c, _)| Some(*c) == o.context)
            {
                replace(table, o);
                // The user's keys first: they win over anything left of the defaults.
                let mine = o.chords.iter().map(|&chord| Binding {
                    chord,
                    action: o.action,
                });
                table.splice(0..0, mine);
            }
        }
        Ok(keymap)
    }
}

fn check(overrides: &[Override]) -> Vec<OverrideError> {
    let mut errors = Vec::new();
    for (index, o) in overrides.iter().enumerate() {
        if !allowed(o.action, o.context) {
            errors.push(OverrideError::NotValidHere { index });
            continue;
        }
        if o.context.is_some_and(Context::takes_text)
            && let Some(&chord) = o.chords.iter().find(|c| c.is_text())
        {
            errors.push(OverrideError::TextKey { index, chord });
            continue;
        }
        let earlier = overrides[..index]
            .iter()
            .enumerate()
            .find_map(|(first, other)| {
                let same_table = other.context == o.context && other.action != o.action;
                let clash = o
                    .chords
                    .iter()
                    .find(|c| same_table && other.chords.contains(c));
                clash.map(|chord| (first, *chord))
            });
        if let Some((first, chord)) = earlier {
            errors.push(OverrideError::Conflict {
                index,
                first,
                chord,
            });
        }
    }
    errors
}

/// A `[keys]` line: the action loses its keys and the keys their actions on the whole
/// main screen, then the keys are bound to it there.
fn apply_everywhere(tables: &mut Tables, o: &Override) {
    for context in
        std::iter::once(None).chain(Context::ALL.into_iter().filter(|c| c.is_main()).map(Some))
    {
        replace(tables.of_mut(context), o);
    }
    tables
        .of_mut(None)
        .extend(o.chords.iter().map(|&chord| Binding {
            chord,
            action: o.action,
        }));
}

/// Drops the action's bindings and every binding of the override's keys.
fn replace(table: &mut Vec<Binding>, o: &Override) {
    table.retain(|b| b.action != o.action && !o.chords.contains(&b.chord));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Key;

    fn key(text: &str) -> Chord {
        Chord::parse(text).unwrap()
    }

    fn bind(context: Option<Context>, action: Action, keys: &[&str]) -> Override {
        Override {
            context,
            action,
            chords: keys.iter().map(|k| key(k)).collect(),
        }
    }

    #[test]
    fn an_action_bound_in_keys_loses_its_defaults_everywhere_on_the_main_screen() {
        let keymap = Keymap::with_overrides(&[bind(None, Action::Flag, &["*", "F"])]).unwrap();
        assert_eq!(keymap.lookup(Context::List, key("*")), Some(Action::Flag));
        assert_eq!(
            keymap.lookup(Context::Message, key("F")),
            Some(Action::Flag)
        );
        let keymap = Keymap::with_overrides(&[bind(None, Action::Flag, &["*"])]).unwrap();
        assert_eq!(keymap.lookup(Context::List, key("F")), None);
        assert_eq!(
            keymap.keys_for(Context::Folders, Action::Flag),
            vec![key("*")]
        );
    }

    #[test]
    fn a_key_the_user_binds_is_taken_from_the_default_action_even_in_a_context() {
        let keymap = Keymap::with_overrides(&[bind(None, Action::Flag, &["J"])]).unwrap();
        assert_eq!(
            keymap.lookup(Context::Message, key("J")),
            Some(Action::Flag)
        );
        assert_eq!(keymap.lookup(Context::List, key("J")), Some(Action::Flag));
        assert_eq!(keymap.keys_for(Context::List, Action::NextFolder), vec![]);
    }

    #[test]
    fn a_context_table_beats_keys_there_only() {
        let keymap = Keymap::with_overrides(&[
            bind(None, Action::Refresh, &["Ctrl-r"]),
            bind(Some(Context::Message), Action::NextMessage, &["n"]),
            bind(Some(Context::Message), Action::Refresh, &["R"]),
        ])
        .unwrap();
        assert_eq!(
            keymap.lookup(Context::Message, key("n")),
            Some(Action::NextMessage)
        );
        assert_eq!(keymap.lookup(Context::Message, key("J")), None);
        assert_eq!(
            keymap.lookup(Context::List, key("J")),
            Some(Action::NextFolder)
        );
        assert_eq!(
            keymap.keys_for(Context::Message, Action::Refresh),
            vec![key("R")]
        );
        assert_eq!(
            keymap.keys_for(Context::List, Action::Refresh),
            vec![key("Ctrl-r")]
        );
    }

    #[test]
    fn an_empty_list_unbinds() {
        let keymap = Keymap::with_overrides(&[bind(None, Action::Delete, &[])]).unwrap();
        assert_eq!(keymap.lookup(Context::List, key("d")), None);
        let keymap =
            Keymap::with_overrides(&[bind(Some(Context::Confirm), Action::No, &[])]).unwrap();
        assert_eq!(keymap.keys_for(Context::Confirm, Action::No), vec![]);
    }

    #[test]
    fn what_cannot_be_bound_is_refused_with_its_index() {
        let errors = Keymap::with_overrides(&[
            bind(None, Action::Flag, &["x"]),
            bind(None, Action::Delete, &["x"]),
            bind(Some(Context::Picker), Action::Flag, &["Ctrl-f"]),
            bind(Some(Context::Prompt), Action::Submit, &["y"]),
            bind(None, Action::Submit, &["Enter"]),
        ])
        .unwrap_err();
        assert_eq!(
            errors,
            vec![
                OverrideError::Conflict {
                    index: 1,
                    first: 0,
                    chord: key("x")
                },
                OverrideError::NotValidHere { index: 2 },
                OverrideError::TextKey {
                    index: 3,
                    chord: Chord::plain(Key::Char('y'))
                },
                OverrideError::NotValidHere { index: 4 },
            ]
        );
    }

    #[test]
    fn the_same_key_in_two_tables_is_an_override_not_a_conflict() {
        let keymap = Keymap::with_overrides(&[
            bind(None, Action::Flag, &["x"]),
            bind(Some(Context::List), Action::Delete, &["x"]),
        ])
        .unwrap();
        assert_eq!(keymap.lookup(Context::List, key("x")), Some(Action::Delete));
        assert_eq!(
            keymap.lookup(Context::Message, key("x")),
            Some(Action::Flag)
        );
    }
}
