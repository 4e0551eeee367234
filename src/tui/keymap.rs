//! Key bindings as data: one table drives both dispatch and the help overlay,
//! so the help can never drift from what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    HalfPageDown,
    HalfPageUp,
    /// Open the selection / move focus right.
    Forward,
    /// Close / move focus left.
    Back,
    CycleFocus,
    /// Switch to the account with this 0-based index.
    Account(usize),
    PrevAccount,
    NextAccount,
    NextFolder,
    PrevFolder,
    ToggleHeaders,
    Refresh,
    Help,
    Quit,
    ForceQuit,
}

impl Action {
    pub fn description(self) -> &'static str {
        match self {
            Action::Down => "move down / scroll down",
            Action::Up => "move up / scroll up",
            Action::Top => "go to first",
            Action::Bottom => "go to last",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::HalfPageDown => "half page down",
            Action::HalfPageUp => "half page up",
            Action::Forward => "open / focus right",
            Action::Back => "back / close message",
            Action::CycleFocus => "cycle focus",
            Action::Account(_) => "switch to account 1-9",
            Action::PrevAccount => "previous account",
            Action::NextAccount => "next account",
            Action::NextFolder => "next folder",
            Action::PrevFolder => "previous folder",
            Action::ToggleHeaders => "toggle full headers",
            Action::Refresh => "check for new mail",
            Action::Help => "this help",
            Action::Quit => "quit (closes help first)",
            Action::ForceQuit => "quit at once",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub code: KeyCode,
    /// Only CONTROL and ALT count; SHIFT is part of the character.
    pub modifiers: KeyModifiers,
    pub action: Action,
}

const fn key(code: KeyCode, action: Action) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
        action,
    }
}

const fn ctrl(c: char, action: Action) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        action,
    }
}

const fn ch(c: char, action: Action) -> Binding {
    key(KeyCode::Char(c), action)
}

pub const BINDINGS: &[Binding] = &[
    ch('j', Action::Down),
    key(KeyCode::Down, Action::Down),
    ch('k', Action::Up),
    key(KeyCode::Up, Action::Up),
    ch('g', Action::Top),
    key(KeyCode::Home, Action::Top),
    ch('G', Action::Bottom),
    key(KeyCode::End, Action::Bottom),
    key(KeyCode::PageDown, Action::PageDown),
    key(KeyCode::PageUp, Action::PageUp),
    ctrl('d', Action::HalfPageDown),
    ctrl('u', Action::HalfPageUp),
    key(KeyCode::Enter, Action::Forward),
    ch('l', Action::Forward),
    key(KeyCode::Right, Action::Forward),
    key(KeyCode::Esc, Action::Back),
    ch('h', Action::Back),
    key(KeyCode::Left, Action::Back),
    key(KeyCode::Tab, Action::CycleFocus),
    ch('1', Action::Account(0)),
    ch('2', Action::Account(1)),
    ch('3', Action::Account(2)),
    ch('4', Action::Account(3)),
    ch('5', Action::Account(4)),
    ch('6', Action::Account(5)),
    ch('7', Action::Account(6)),
    ch('8', Action::Account(7)),
    ch('9', Action::Account(8)),
    ch('[', Action::PrevAccount),
    ch(']', Action::NextAccount),
    ch('J', Action::NextFolder),
    ch('K', Action::PrevFolder),
    ch('H', Action::ToggleHeaders),
    ch('r', Action::Refresh),
    ch('?', Action::Help),
    ch('q', Action::Quit),
    ctrl('c', Action::ForceQuit),
];

/// The action bound to a key press, if any. Releases are ignored.
pub fn lookup(event: &KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let significant = KeyModifiers::CONTROL | KeyModifiers::ALT;
    let modifiers = event.modifiers & significant;
    // Terminals disagree on whether an upper-case letter also reports SHIFT,
    // and whether Ctrl-letters arrive upper- or lower-case.
    let code = match event.code {
        KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
            KeyCode::Char(c.to_ascii_lowercase())
        }
        KeyCode::BackTab => KeyCode::Tab,
        other => other,
    };
    BINDINGS
        .iter()
        .find(|b| b.code == code && b.modifiers == modifiers)
        .map(|b| b.action)
}

/// A key as the help overlay shows it.
pub fn key_label(binding: &Binding) -> String {
    let base = match binding.code {
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::Up => "Up".into(),
        KeyCode::Down => "Down".into(),
        KeyCode::Left => "Left".into(),
        KeyCode::Right => "Right".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        other => format!("{other:?}"),
    };
    if binding.modifiers.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// The first key bound to `action`, as labelled in the help.
pub fn first_key(action: Action) -> Option<String> {
    BINDINGS.iter().find(|b| b.action == action).map(key_label)
}

/// Help rows: every binding, grouped by what it does, in table order.
pub fn help_rows() -> Vec<(String, &'static str)> {
    let mut rows: Vec<(Vec<String>, &'static str)> = Vec::new();
    for binding in BINDINGS {
        let description = binding.action.description();
        let label = key_label(binding);
        match rows.iter_mut().find(|(_, d)| *d == description) {
            Some((labels, _)) => labels.push(label),
            None => rows.push((vec![label], description)),
        }
    }
    rows.into_iter()
        .map(|(labels, d)| (labels.join(" "), d))
        .collect()
}
