//! The `[keys]` tables: `action = "key"` or `action = ["key", ...]` lines, in `[keys]`
//! for the whole main screen and in `[keys.<context>]` for one context, applied to the
//! defaults by `keys::Keymap::with_overrides`. Its refusals are mapped back to the
//! lines that caused them.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Problems, join, line_col, quote_key, suggest};
use crate::keys::{Action, Chord, Context, Key, Keymap, Override, OverrideError};

/// Where one override was written, so its problems can point at it.
struct Written {
    /// `keys.flag`, `keys.message.next-message`.
    path: String,
    /// The action's name.
    key: Range<usize>,
    /// Each key string, parallel to the override's chords.
    chords: Vec<Range<usize>>,
}

struct KeysReader<'p, 't> {
    problems: &'p mut Problems<'t>,
    overrides: Vec<Override>,
    written: Vec<Written>,
}

/// The keymap the `[keys]` value describes; the defaults if it has problems (they are
/// reported, so the config is refused anyway).
pub(super) fn keymap(problems: &mut Problems<'_>, value: &Spanned<DeValue<'_>>) -> Keymap {
    let Some(table) = value.get_ref().as_table() else {
        problems.at(
            value.span(),
            "keys",
            format!(
                "expected a [keys] table of action = \"key\" lines, found {}",
                value.get_ref().type_str()
            ),
        );
        return Keymap::defaults();
    };
    let mut reader = KeysReader {
        problems,
        overrides: Vec::new(),
        written: Vec::new(),
    };
    reader.top_table(table);
    match Keymap::with_overrides(&reader.overrides) {
        Ok(keymap) => keymap,
        Err(errors) => {
            for error in errors {
                reader.refused(&error);
            }
            Keymap::defaults()
        }
    }
}

/// `[keys]` or `[keys.list]`, as the messages name it.
fn table_label(context: Option<Context>) -> String {
    match context {
        Some(context) => format!("[keys.{}]", context.name()),
        None => "[keys]".to_owned(),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn either(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The actions of a layer, those it binds by default first.
fn actions_here(context: Context) -> Vec<&'static str> {
    let mut actions: Vec<Action> = Keymap::defaults()
        .rows(context)
        .into_iter()
        .map(|(action, _)| action)
        .collect();
    for action in context.actions() {
        if !actions.contains(&action) {
            actions.push(action);
        }
    }
    actions.into_iter().map(Action::name).collect()
}

impl KeysReader<'_, '_> {
    /// `[keys]`: action lines for the main screen, and the context tables.
    fn top_table(&mut self, table: &DeTable<'_>) {
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let context = Context::from_name(name);
            let is_action = Action::from_name(name).is_some();
            match (value.get_ref(), context) {
                (DeValue::Table(inner), Some(context)) => self.context_table(context, inner),
                (DeValue::Table(_), None) if !is_action => self.unknown_context(key),
                (_, Some(context)) if !is_action => self.problems.at(
                    value.span(),
                    &join("keys", name),
                    format!(
                        "`{name}` is a context, not an action: write its keys in a {} table",
                        table_label(Some(context))
                    ),
                ),
                _ => self.entry(None, "keys", key, value),
            }
        }
    }

    fn unknown_context(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>) {
        let name = key.get_ref().as_ref();
        let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
        let shown = quote_key(name);
        let message = match suggest(name, &names) {
            Some(best) => format!("unknown table [keys.{shown}], did you mean [keys.{best}]?"),
            None => format!(
                "unknown table [keys.{shown}]; the contexts are {}, and actions go in [keys] \
                 itself",
                names.join(", ")
            ),
        };
        self.problems.at(key.span(), "keys", message);
    }

    fn context_table(&mut self, context: Context, table: &DeTable<'_>) {
        let path = join("keys", context.name());
        for (key, value) in table.iter() {
            self.entry(Some(context), &path, key, value);
        }
    }

    /// One `action = "key"` or `action = ["key", ...]` line.
    fn entry(
        &mut self,
        context: Option<Context>,
        table_path: &str,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) {
        let name = key.get_ref().as_ref();
        let Some(action) = Action::from_name(name) else {
            self.unknown_action(context, table_path, key);
            return;
        };
        let path = join(table_path, name);
        let (strings, mut ok) = self.key_strings(value, &path);
        let mut chords = Vec::new();
        let mut spans = Vec::new();
        for (text, span) in strings {
            match Chord::parse(text) {
                Ok(chord) if chords.contains(&chord) => {}
                Ok(chord) => {
                    chords.push(chord);
                    spans.push(span);
                }
                Err(message) => {
                    self.problems.at(span, &path, message);
                    ok = false;
                }
            }
        }
        if ok {
            self.overrides.push(Override {
                context,
                action,
                chords,
            });
            self.written.push(Written {
                path,
                key: key.span(),
                chords: spans,
            });
        }
    }

    fn unknown_action(
        &mut self,
        context: Option<Context>,
        table_path: &str,
        key: &Spanned<std::borrow::Cow<'_, str>>,
    ) {
        let name = key.get_ref().as_ref();
        let all: Vec<&str> = Action::all().into_iter().map(Action::name).collect();
        let shown = quote_key(name);
        let message = match (suggest(name, &all), context) {
            (Some(best), _) => format!("unknown action `{shown}`, did you mean `{best}`?"),
            (None, Some(layer)) if !layer.is_main() => format!(
                "unknown action `{shown}`; actions here: {}",
                actions_here(layer).join(", ")
            ),
            (None, _) => {
                format!("unknown action `{shown}`; docs/keys.md lists every action")
            }
        };
        self.problems.at(key.span(), table_path, message);
    }

    /// The key strings of a line with their spans, and whether that is all of it (what
    /// is not a string is reported).
    fn key_strings<'v>(
        &mut self,
        value: &'v Spanned<DeValue<'_>>,
        path: &str,
    ) -> (Vec<(&'v str, Range<usize>)>, bool) {
        match value.get_ref() {
            DeValue::String(text) => (vec![(text.as_ref(), value.span())], true),
            DeValue::Array(items) => {
                let mut strings = Vec::new();
                let mut ok = true;
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(text) => strings.push((text.as_ref(), item.span())),
                        other => {
                            self.problems.at(
                                item.span(),
                                path,
                                format!(
                                    "expected a key as a string, like \"F\", found {}",
                                    other.type_str()
                                ),
                            );
                            ok = false;
                        }
                    }
                }
                (strings, ok)
            }
            other => {
                self.problems.at(
                    value.span(),
                    path,
                    format!(
                        "expected a key like \"F\", a list of keys like [\"F\", \"*\"], or [] \
                         to unbind, found {}",
                        other.type_str()
                    ),
                );
                (Vec::new(), false)
            }
        }
    }

    /// Reports what `Keymap::with_overrides` refused, on the line that asked for it.
    fn refused(&mut self, error: &OverrideError) {
        let index = error.index();
        let (Some(o), Some(written)) = (self.overrides.get(index), self.written.get(index)) else {
            return;
        };
        let chord_span = |chord: &Chord| {
            o.chords
                .iter()
                .position(|c| c == chord)
                .and_then(|at| written.chords.get(at).cloned())
                .unwrap_or_else(|| written.key.clone())
        };
        let (span, message) = match error {
            OverrideError::NotValidHere { .. } => {
                (written.key.clone(), not_valid_here(o.action, o.context))
            }
            OverrideError::TextKey { chord, .. } => {
                let layer = o.context.map_or("prompt", Context::name);
                let message = if chord.key == Key::Char(' ') {
                    format!(
                        "key \"Space\" types a space in a {layer}; use Ctrl-, Alt- or \
                         another named key"
                    )
                } else {
                    format!(
                        "key \"{chord}\": plain characters are text in a {layer}; use Ctrl-, \
                         Alt- or a named key"
                    )
                };
                (chord_span(chord), message)
            }
            OverrideError::Conflict { first, chord, .. } => {
                let other = self.overrides.get(*first).map_or("", |f| f.action.name());
                let line = self
                    .written
                    .get(*first)
                    .map_or(0, |f| line_col(self.problems.text, f.key.start).0);
                (
                    chord_span(chord),
                    format!(
                        "key \"{chord}\" is already bound to `{other}` on line {line} in this \
                         table; pick another key or unbind one"
                    ),
                )
            }
        };
        let path = written.path.clone();
        self.problems.at(span, &path, message);
    }
}

/// Why `action` cannot be bound in the table of `context`, and where it can be.
fn not_valid_here(action: Action, context: Option<Context>) -> String {
    let elsewhere: Vec<String> = action
        .contexts()
        .iter()
        .map(|c| table_label(Some(*c)))
        .collect();
    let name = action.name();
    match context {
        None => format!(
            "`{name}` is not a key of the main screen; bind it in {}",
            either(&elsewhere)
        ),
        Some(context) if context.is_main() => format!(
            "`{name}` means nothing in {}; bind it in {}",
            table_label(Some(context)),
            either(&elsewhere)
        ),
        Some(context) => format!(
            "`{name}` means nothing in {}; actions here: {}",
            table_label(Some(context)),
            actions_here(context).join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_prose() {
        let items = |n: usize| -> Vec<String> {
            ["a", "b", "c"][..n].iter().map(|s| s.to_string()).collect()
        };
        assert_eq!(either(&items(1)), "a");
        assert_eq!(either(&items(2)), "a or b");
        assert_eq!(either(&items(3)), "a, b or c");
    }

    #[test]
    fn a_layer_lists_its_default_actions_first() {
        let picker = actions_here(Context::Picker);
        assert_eq!(picker[..3], ["submit", "cancel", "down"]);
        assert!(picker.contains(&"half-page-down"));
        assert!(!picker.contains(&"flag"));
    }
}
