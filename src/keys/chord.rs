//! A key with its modifiers, spelled as the config writes it: `F`, `Ctrl-r`, `Alt-x`,
//! `Shift-Tab`, `Enter`, `Space`, `PageDown`, `F5`.

use std::fmt;

/// A key as terminals report it. Shift is part of the character (`F`, `|`); the one
/// shifted key that is not a character, Shift-Tab, is [`Key::BackTab`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    /// F1 to F12.
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

/// A key and the modifiers that count (Ctrl, Alt). Ctrl-letters are kept lower-case:
/// terminals disagree on whether Ctrl-A arrives as `a` or `A`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    pub key: Key,
    pub ctrl: bool,
    pub alt: bool,
}

/// Named keys, as written in the config (matched case-insensitively).
const NAMED: &[(&str, Key)] = &[
    ("Enter", Key::Enter),
    ("Esc", Key::Esc),
    ("Tab", Key::Tab),
    ("Space", Key::Char(' ')),
    ("Backspace", Key::Backspace),
    ("Delete", Key::Delete),
    ("Insert", Key::Insert),
    ("Up", Key::Up),
    ("Down", Key::Down),
    ("Left", Key::Left),
    ("Right", Key::Right),
    ("PageUp", Key::PageUp),
    ("PageDown", Key::PageDown),
    ("Home", Key::Home),
    ("End", Key::End),
];

/// Other spellings people write, and the one to use instead.
const ALIASES: &[(&str, &str)] = &[
    ("return", "Enter"),
    ("ret", "Enter"),
    ("cr", "Enter"),
    ("escape", "Esc"),
    ("del", "Delete"),
    ("ins", "Insert"),
    ("bs", "Backspace"),
    ("pgup", "PageUp"),
    ("pgdn", "PageDown"),
    ("pgdown", "PageDown"),
    ("page-up", "PageUp"),
    ("page-down", "PageDown"),
    ("backtab", "Shift-Tab"),
    ("spc", "Space"),
];

impl Chord {
    pub const fn plain(key: Key) -> Chord {
        Chord {
            key,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn ctrl(c: char) -> Chord {
        Chord {
            key: Key::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// A chord from a terminal's report, normalised as the config spells it.
    pub fn new(key: Key, ctrl: bool, alt: bool) -> Chord {
        let key = match key {
            Key::Char(c) if ctrl => Key::Char(c.to_ascii_lowercase()),
            other => other,
        };
        Chord { key, ctrl, alt }
    }

    /// A printable character with no Ctrl or Alt: text in a prompt, never a key there.
    pub fn is_text(self) -> bool {
        matches!(self.key, Key::Char(_)) && !self.ctrl && !self.alt
    }

    /// Parses a key as the config writes it; the error says what to write instead.
    pub fn parse(text: &str) -> Result<Chord, String> {
        if text.is_empty() {
            return Err("an empty key; write a character or a key name such as \"Enter\"".into());
        }
        // A lone character, `-` included, is itself.
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return if unprintable(c) {
                Err(format!(
                    "{text:?} is a control or formatting character; write it as \"Ctrl-x\" or by name"
                ))
            } else {
                Ok(Chord::plain(Key::Char(c)))
            };
        }
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = text;
        while let Some((prefix, after)) = rest.split_once('-') {
            if after.is_empty() {
                // `Ctrl--`: the key is '-' itself.
                break;
            }
            match prefix.to_ascii_lowercase().as_str() {
                "ctrl" => ctrl = true,
                "alt" => alt = true,
                "shift" => shift = true,
                other => {
                    let hint = match other {
                        "c" | "control" | "ctl" => " (write \"Ctrl-\")".to_owned(),
                        "m" | "meta" | "a" | "option" => " (write \"Alt-\")".to_owned(),
                        "s" => " (write \"Shift-\")".to_owned(),
                        _ => String::new(),
                    };
                    return Err(format!(
                        "`{prefix}` is not a modifier{hint}; modifiers are Ctrl-, Alt- and Shift-"
                    ));
                }
            }
            rest = after;
        }
        if rest.contains('+') && rest.chars().count() > 1 {
            let suggestion = rest.replace('+', "-");
            return Err(format!(
                "modifiers are joined with '-', not '+': write \"{suggestion}\""
            ));
        }
        let key = parse_key(rest)?;
        let key = match (key, shift) {
            (Key::Tab, true) => Key::BackTab,
            (Key::Char(c), true) if c.is_alphabetic() => {
                return Err(format!(
                    "write the upper-case letter \"{}\" instead of Shift-{c}",
                    c.to_uppercase()
                ));
            }
            (_, true) => {
                return Err(
                    "Shift- only goes with Tab (\"Shift-Tab\"); a shifted character is written as itself (\"F\", \"|\")"
                        .into(),
                );
            }
            (key, false) => key,
        };
        if ctrl
            && let Key::Char(c) = key
            && !c.is_ascii_graphic()
        {
            return Err(format!("Ctrl-{c:?} cannot be typed on a terminal"));
        }
        Ok(Chord::new(key, ctrl, alt))
    }

    /// How the config, the help and the status line write it; parses back to itself.
    pub fn label(self) -> String {
        let base = match self.key {
            Key::Char(' ') => "Space".to_owned(),
            Key::Char(c) => c.to_string(),
            Key::F(n) => format!("F{n}"),
            Key::BackTab => "Shift-Tab".to_owned(),
            other => NAMED
                .iter()
                .find(|(_, k)| *k == other)
                .map_or_else(|| format!("{other:?}"), |(name, _)| (*name).to_owned()),
        };
        let mut label = String::new();
        if self.ctrl {
            label.push_str("Ctrl-");
        }
        if self.alt {
            label.push_str("Alt-");
        }
        label.push_str(&base);
        label
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A character no terminal types as a key, and that would do harm drawn in the
/// help (controls, bidi overrides, zero-width characters).
fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// The key part of a chord (after any modifiers).
fn parse_key(text: &str) -> Result<Key, String> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if unprintable(c) {
            return Err(format!(
                "{text:?} is a control or formatting character, not a key"
            ));
        }
        return Ok(Key::Char(c));
    }
    if let Some((_, key)) = NAMED
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
    {
        return Ok(*key);
    }
    if let Some(n) = text
        .strip_prefix(['F', 'f'])
        .and_then(|n| n.parse::<u8>().ok())
    {
        return if (1..=12).contains(&n) {
            Ok(Key::F(n))
        } else {
            Err(format!("\"{text}\": function keys are F1 to F12"))
        };
    }
    let lower = text.to_ascii_lowercase();
    if let Some((_, instead)) = ALIASES.iter().find(|(alias, _)| *alias == lower) {
        return Err(format!(
            "unknown key \"{text}\", did you mean \"{instead}\"?"
        ));
    }
    let names: Vec<&str> = NAMED.iter().map(|(name, _)| *name).collect();
    let closest = names
        .iter()
        .map(|name| {
            (
                *name,
                strsim::damerau_levenshtein(&lower, &name.to_ascii_lowercase()),
            )
        })
        .min_by_key(|(_, d)| *d)
        .filter(|(_, d)| *d <= 2);
    Err(match closest {
        Some((name, _)) => format!("unknown key \"{text}\", did you mean \"{name}\"?"),
        None => format!(
            "unknown key \"{text}\"; a key is one character, F1-F12 or one of {}, with Ctrl-, Alt- or Shift- (Tab only) in front",
            names.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_in_the_docs_parses_and_labels_back() {
        for text in [
            "F",
            "*",
            "|",
            "-",
            "Ctrl-r",
            "Alt-x",
            "Ctrl-Alt-d",
            "Shift-Tab",
            "Enter",
            "Esc",
            "Space",
            "Tab",
            "Backspace",
            "Up",
            "Down",
            "Left",
            "Right",
            "PageUp",
            "PageDown",
            "Home",
            "End",
            "F1",
            "F12",
            "Delete",
            "Ctrl--",
        ] {
            let chord = Chord::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(chord.label(), text);
            assert_eq!(Chord::parse(&chord.label()), Ok(chord));
        }
    }

    #[test]
    fn names_are_not_case_sensitive_but_letters_are() {
        assert_eq!(Chord::parse("enter"), Chord::parse("Enter"));
        assert_eq!(Chord::parse("ctrl-R"), Ok(Chord::ctrl('r')));
        assert_ne!(Chord::parse("f"), Chord::parse("F"));
    }

    #[test]
    fn mistakes_get_the_right_spelling() {
        let error = |text: &str| Chord::parse(text).unwrap_err();
        assert!(
            error("Ctrl+r").contains("\"Ctrl-r\""),
            "{}",
            error("Ctrl+r")
        );
        assert!(error("C-r").contains("Ctrl-"), "{}", error("C-r"));
        assert!(error("Return").contains("\"Enter\""));
        assert!(error("PgDn").contains("\"PageDown\""));
        assert!(error("Entr").contains("\"Enter\""));
        assert!(error("Shift-f").contains("\"F\""));
        assert!(error("F13").contains("F1 to F12"));
        assert!(error("").contains("empty"));
        assert!(error("Hyper-x").contains("not a modifier"));
        assert!(error("Alt-\u{1b}").contains("control"));
        assert!(error("\u{202e}").contains("formatting"));
    }
}
