//! postern's own key tables. Letters follow NeoMutt and aerc, so fingers that know
//! them already know postern: `d` deletes, `s` saves to a folder, `F` flags, `t` tags.

use super::{Action, Binding, Chord, Context, Key};

/// The tables before the user's `[keys]` are applied: one for keys that work on the
/// whole main screen (`None`), one per context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tables {
    pub(super) tables: Vec<(Option<Context>, Vec<Binding>)>,
}

impl Tables {
    pub(super) fn of(&self, context: Option<Context>) -> &[Binding] {
        self.tables
            .iter()
            .find(|(c, _)| *c == context)
            .map_or(&[], |(_, table)| table.as_slice())
    }

    pub(super) fn of_mut(&mut self, context: Option<Context>) -> &mut Vec<Binding> {
        let at = match self.tables.iter().position(|(c, _)| *c == context) {
            Some(at) => at,
            None => {
                self.tables.push((context, Vec::new()));
                self.tables.len() - 1
            }
        };
        &mut self.tables[at].1
    }
}

fn bind(chord: Chord, action: Action) -> Binding {
    Binding { chord, action }
}

fn ch(c: char, action: Action) -> Binding {
    bind(Chord::plain(Key::Char(c)), action)
}

fn key(key: Key, action: Action) -> Binding {
    bind(Chord::plain(key), action)
}

fn ctrl(c: char, action: Action) -> Binding {
    bind(Chord::ctrl(c), action)
}

/// Moving in a list or in text: the main screen and the layers that scroll.
fn moving() -> Vec<Binding> {
    vec![
        ch('j', Action::Down),
        key(Key::Down, Action::Down),
        ch('k', Action::Up),
        key(Key::Up, Action::Up),
        ch('g', Action::Top),
        key(Key::Home, Action::Top),
        ch('G', Action::Bottom),
        key(Key::End, Action::Bottom),
        key(Key::PageDown, Action::PageDown),
        ch(' ', Action::PageDown),
        key(Key::PageUp, Action::PageUp),
        ctrl('d', Action::HalfPageDown),
        ctrl('u', Action::HalfPageUp),
    ]
}

pub(super) fn tables() -> Tables {
    let mut main = moving();
    main.extend([
        key(Key::Enter, Action::Open),
        ch('l', Action::Open),
        key(Key::Right, Action::Open),
        key(Key::Esc, Action::Back),
        ch('h', Action::Back),
        key(Key::Left, Action::Back),
        key(Key::Tab, Action::CycleFocus),
    ]);
    for n in 0..9u8 {
        main.push(ch(char::from(b'1' + n), Action::Account(n)));
    }
    main.extend([
        ch('[', Action::PrevAccount),
        ch(']', Action::NextAccount),
        ch('J', Action::NextFolder),
        ch('K', Action::PrevFolder),
        ch('c', Action::GoFolder),
        ch('H', Action::ToggleHeaders),
        ctrl('r', Action::Refresh),
        ch('F', Action::Flag),
        ch('U', Action::ToggleRead),
        ch('d', Action::Delete),
        ch('a', Action::Archive),
        ch('s', Action::Move),
        ch('C', Action::Copy),
        ch('t', Action::Tag),
        ctrl('a', Action::TagAll),
        ch('|', Action::Pipe),
        ch('S', Action::SaveMessage),
        ch('u', Action::Undo),
        ch('m', Action::Compose),
        ch('r', Action::Reply),
        ch('R', Action::ReplyAll),
        ch('L', Action::ReplyList),
        ch('f', Action::Forward),
        ch('e', Action::EditAsNew),
        ch('?', Action::Help),
        ch('q', Action::Quit),
        ctrl('c', Action::ForceQuit),
    ]);
    let message = vec![
        ch('J', Action::NextMessage),
        ch('K', Action::PrevMessage),
        ch('q', Action::Close),
    ];
    let mut help = vec![
        ch('?', Action::Close),
        ch('q', Action::Close),
        key(Key::Esc, Action::Close),
        ctrl('c', Action::ForceQuit),
    ];
    help.extend(moving());
    let mut output = vec![
        ch('q', Action::Close),
        key(Key::Esc, Action::Close),
        key(Key::Enter, Action::Close),
        ctrl('c', Action::ForceQuit),
    ];
    output.extend(moving());
    let picker = vec![
        key(Key::Enter, Action::Submit),
        key(Key::Esc, Action::Cancel),
        key(Key::Down, Action::Down),
        ctrl('n', Action::Down),
        key(Key::Tab, Action::Down),
        key(Key::Up, Action::Up),
        ctrl('p', Action::Up),
        key(Key::BackTab, Action::Up),
        key(Key::PageDown, Action::PageDown),
        key(Key::PageUp, Action::PageUp),
        ctrl('c', Action::ForceQuit),
    ];
    let prompt = vec![
        key(Key::Enter, Action::Submit),
        key(Key::Esc, Action::Cancel),
        ctrl('c', Action::ForceQuit),
    ];
    // Enter is not "yes": a question such as "delete for good?" needs a deliberate key.
    let confirm = vec![
        ch('y', Action::Yes),
        ch('n', Action::No),
        key(Key::Esc, Action::No),
        ch('q', Action::No),
        ctrl('c', Action::ForceQuit),
    ];
    // mutt's compose menu: y sends, e edits, a attaches, D detaches, p postpones.
    let review = vec![
        ch('y', Action::Send),
        ch('e', Action::Edit),
        ch('a', Action::Attach),
        ch('D', Action::Detach),
        ch('p', Action::Postpone),
        ch('d', Action::Discard),
        ch('f', Action::ChangeFrom),
        ch('A', Action::ForwardAttached),
        ch('q', Action::Quit),
        ch('j', Action::Down),
        key(Key::Down, Action::Down),
        ch('k', Action::Up),
        key(Key::Up, Action::Up),
        ctrl('c', Action::ForceQuit),
    ];
    Tables {
        tables: vec![
            (None, main),
            (Some(Context::List), Vec::new()),
            (Some(Context::Message), message),
            (Some(Context::Folders), Vec::new()),
            (Some(Context::Help), help),
            (Some(Context::Picker), picker),
            (Some(Context::Prompt), prompt),
            (Some(Context::Confirm), confirm),
            (Some(Context::Output), output),
            (Some(Context::Review), review),
        ],
    }
}
