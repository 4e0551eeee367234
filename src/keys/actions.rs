//! What a key can do, and where: actions by their config names, and the contexts
//! (screens and layers) that have a key table of their own.

/// A screen or layer with its own key table (`[keys.<name>]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// The message list has focus.
    List,
    /// An open message has focus.
    Message,
    /// The folder pane has focus.
    Folders,
    /// The help overlay.
    Help,
    /// A list to choose from with a filter field (folders).
    Picker,
    /// A one-line text question (a command to pipe to, a path).
    Prompt,
    /// A yes/no question.
    Confirm,
    /// Text to read (the output of a pipe).
    Output,
    /// A message about to be sent: its headers, text and files.
    Review,
}

impl Context {
    pub const ALL: [Context; 9] = [
        Context::List,
        Context::Message,
        Context::Folders,
        Context::Help,
        Context::Picker,
        Context::Prompt,
        Context::Confirm,
        Context::Output,
        Context::Review,
    ];

    /// The name of its table in the config (`[keys.list]`).
    pub fn name(self) -> &'static str {
        match self {
            Context::List => "list",
            Context::Message => "message",
            Context::Folders => "folders",
            // Not "help": that is the action's name, and TOML cannot hold both a
            // `help = ...` line in [keys] and a [keys.help] table.
            Context::Help => "help-screen",
            Context::Picker => "picker",
            Context::Prompt => "prompt",
            Context::Confirm => "confirm",
            Context::Output => "output",
            Context::Review => "review",
        }
    }

    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The panes of the main screen: the top-level `[keys]` table applies to them.
    pub fn is_main(self) -> bool {
        matches!(self, Context::List | Context::Message | Context::Folders)
    }

    /// Plain characters typed here are text, never keys.
    pub fn takes_text(self) -> bool {
        matches!(self, Context::Picker | Context::Prompt)
    }

    /// The actions that may be bound here, in [`Action::all`] order.
    pub fn actions(self) -> Vec<Action> {
        Action::all()
            .into_iter()
            .filter(|a| a.valid_in(self))
            .collect()
    }
}

/// Everything a key can be bound to. [`Action::name`] is the name used in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    Open,
    /// The innermost thing first: tags, then the open message, then focus.
    Back,
    CycleFocus,
    /// Switch to account number `n` (0-based; `account-1` is 0).
    Account(u8),
    PrevAccount,
    NextAccount,
    NextFolder,
    PrevFolder,
    NextMessage,
    PrevMessage,
    ToggleHeaders,
    Refresh,
    Help,
    Quit,
    ForceQuit,
    /// Close the open message, or a layer.
    Close,
    Flag,
    ToggleRead,
    Delete,
    Archive,
    Move,
    Copy,
    Tag,
    TagAll,
    Pipe,
    SaveMessage,
    Undo,
    GoFolder,
    /// Take what the layer offers (the chosen item, the typed text).
    Submit,
    Cancel,
    Yes,
    No,
    /// Write a new message.
    Compose,
    Reply,
    ReplyAll,
    ReplyList,
    /// Forward inline, the original's files kept.
    Forward,
    /// Forward as an attached message (in the review: switch between the two).
    ForwardAttached,
    /// A copy of the message as a new draft (your sent mail, a draft).
    EditAsNew,
    /// Go on writing a draft from the Drafts folder.
    Recall,
    /// In the review: send it.
    Send,
    /// In the review: edit the text again.
    Edit,
    Attach,
    Detach,
    /// Keep the draft to finish later (in the Drafts folder too).
    Postpone,
    Discard,
    /// In the review: send from the account's next identity.
    ChangeFrom,
}

/// Where every main-screen action may be bound.
const MAIN: &[Context] = &[Context::List, Context::Message, Context::Folders];
/// Scrolling and moving: the main screen, every layer with a list or text, and
/// the review's list of files.
const MOVING: &[Context] = &[
    Context::List,
    Context::Message,
    Context::Folders,
    Context::Help,
    Context::Picker,
    Context::Output,
    Context::Review,
];
const EVERYWHERE: &[Context] = &Context::ALL;
const QUESTIONS: &[Context] = &[Context::Picker, Context::Prompt];

impl Action {
    /// Every action once, `account-1`..`account-9` included, in help order.
    pub fn all() -> Vec<Action> {
        let mut all = vec![
            Action::Down,
            Action::Up,
            Action::Top,
            Action::Bottom,
            Action::PageDown,
            Action::PageUp,
            Action::HalfPageDown,
            Action::HalfPageUp,
            Action::Open,
            Action::Back,
            Action::CycleFocus,
        ];
        all.extend((0..9).map(Action::Account));
        all.extend([
            Action::PrevAccount,
            Action::NextAccount,
            Action::NextFolder,
            Action::PrevFolder,
            Action::NextMessage,
            Action::PrevMessage,
            Action::ToggleHeaders,
            Action::Refresh,
            Action::GoFolder,
            Action::Flag,
            Action::ToggleRead,
            Action::Delete,
            Action::Archive,
            Action::Move,
            Action::Copy,
            Action::Tag,
            Action::TagAll,
            Action::Pipe,
            Action::SaveMessage,
            Action::Undo,
            Action::Compose,
            Action::Reply,
            Action::ReplyAll,
            Action::ReplyList,
            Action::Forward,
            Action::ForwardAttached,
            Action::EditAsNew,
            Action::Recall,
            Action::Send,
            Action::Edit,
            Action::Attach,
            Action::Detach,
            Action::Postpone,
            Action::Discard,
            Action::ChangeFrom,
            Action::Help,
            Action::Close,
            Action::Quit,
            Action::ForceQuit,
            Action::Submit,
            Action::Cancel,
            Action::Yes,
            Action::No,
        ]);
        all
    }

    /// The name in the config file.
    pub fn name(self) -> &'static str {
        const ACCOUNTS: [&str; 9] = [
            "account-1",
            "account-2",
            "account-3",
            "account-4",
            "account-5",
            "account-6",
            "account-7",
            "account-8",
            "account-9",
        ];
        match self {
            Action::Down => "down",
            Action::Up => "up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageDown => "page-down",
            Action::PageUp => "page-up",
            Action::HalfPageDown => "half-page-down",
            Action::HalfPageUp => "half-page-up",
            Action::Open => "open",
            Action::Back => "back",
            Action::CycleFocus => "cycle-focus",
            Action::Account(n) => ACCOUNTS.get(usize::from(n)).copied().unwrap_or("account-9"),
            Action::PrevAccount => "prev-account",
            Action::NextAccount => "next-account",
            Action::NextFolder => "next-folder",
            Action::PrevFolder => "prev-folder",
            Action::NextMessage => "next-message",
            Action::PrevMessage => "prev-message",
            Action::ToggleHeaders => "toggle-headers",
            Action::Refresh => "refresh",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::ForceQuit => "force-quit",
            Action::Close => "close",
            Action::Flag => "flag",
            Action::ToggleRead => "toggle-read",
            Action::Delete => "delete",
            Action::Archive => "archive",
            Action::Move => "move",
            Action::Copy => "copy",
            Action::Tag => "tag",
            Action::TagAll => "tag-all",
            Action::Pipe => "pipe",
            Action::SaveMessage => "save-message",
            Action::Undo => "undo",
            Action::GoFolder => "go-folder",
            Action::Submit => "submit",
            Action::Cancel => "cancel",
            Action::Yes => "yes",
            Action::No => "no",
            Action::Compose => "compose",
            Action::Reply => "reply",
            Action::ReplyAll => "reply-all",
            Action::ReplyList => "reply-list",
            Action::Forward => "forward",
            Action::ForwardAttached => "forward-attached",
            Action::EditAsNew => "edit-as-new",
            Action::Recall => "recall",
            Action::Send => "send",
            Action::Edit => "edit",
            Action::Attach => "attach",
            Action::Detach => "detach",
            Action::Postpone => "postpone",
            Action::Discard => "discard",
            Action::ChangeFrom => "change-from",
        }
    }

    /// The action with config name `name`.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::all().into_iter().find(|a| a.name() == name)
    }

    /// What it does, for the help overlay and docs/keys.md.
    pub fn description(self) -> &'static str {
        match self {
            Action::Down => "move down / scroll down",
            Action::Up => "move up / scroll up",
            Action::Top => "go to the first",
            Action::Bottom => "go to the last",
            Action::PageDown => "page down (in a message: at its end, the next unread)",
            Action::PageUp => "page up",
            Action::HalfPageDown => "half a page down",
            Action::HalfPageUp => "half a page up",
            Action::Open => "open / focus right",
            Action::Back => "back: clear tags, close the message, focus left",
            Action::CycleFocus => "cycle focus",
            Action::Account(_) => "switch to account 1-9",
            Action::PrevAccount => "previous account",
            Action::NextAccount => "next account",
            Action::NextFolder => "next folder",
            Action::PrevFolder => "previous folder",
            Action::NextMessage => "open the next message",
            Action::PrevMessage => "open the previous message",
            Action::ToggleHeaders => "toggle full headers",
            Action::Refresh => "check for new mail now",
            Action::Help => "this help",
            Action::Quit => "quit",
            Action::ForceQuit => "quit at once",
            Action::Close => "close",
            Action::Flag => "flag / unflag",
            Action::ToggleRead => "mark read / unread",
            Action::Delete => "delete (to Trash; in Trash: for good, after asking)",
            Action::Archive => "archive",
            Action::Move => "move to a folder",
            Action::Copy => "copy to a folder",
            Action::Tag => "tag / untag and move down",
            Action::TagAll => "tag every message of the list",
            Action::Pipe => "pipe the message to a command",
            Action::SaveMessage => "save the message as an .eml file",
            Action::Undo => "undo the last change",
            Action::GoFolder => "go to a folder",
            Action::Submit => "choose / confirm",
            Action::Cancel => "cancel",
            Action::Yes => "yes",
            Action::No => "no",
            Action::Compose => "write a new message",
            Action::Reply => "reply to the sender",
            Action::ReplyAll => "reply to the sender and all recipients",
            Action::ReplyList => "reply to the mailing list",
            Action::Forward => "forward (the original's files kept)",
            Action::ForwardAttached => "forward as an attached message (review: switch)",
            Action::EditAsNew => "a copy as a new message",
            Action::Recall => "go on writing a draft (Enter in Drafts)",
            Action::Send => "send",
            Action::Edit => "edit the message again",
            Action::Attach => "attach a file",
            Action::Detach => "remove the selected file",
            Action::Postpone => "postpone: keep it in Drafts to finish later",
            Action::Discard => "throw the draft away",
            Action::ChangeFrom => "send from the next identity",
        }
    }

    /// The contexts where binding this action means something.
    pub fn contexts(self) -> &'static [Context] {
        match self {
            Action::Down
            | Action::Up
            | Action::Top
            | Action::Bottom
            | Action::PageDown
            | Action::PageUp
            | Action::HalfPageDown
            | Action::HalfPageUp => MOVING,
            Action::ForceQuit => EVERYWHERE,
            Action::Quit => &[
                Context::List,
                Context::Message,
                Context::Folders,
                Context::Review,
            ],
            Action::Close => &[Context::Message, Context::Help, Context::Output],
            Action::Submit | Action::Cancel => QUESTIONS,
            Action::Yes | Action::No => &[Context::Confirm],
            Action::ForwardAttached => &[
                Context::List,
                Context::Message,
                Context::Folders,
                Context::Review,
            ],
            Action::Send
            | Action::Edit
            | Action::Attach
            | Action::Detach
            | Action::Postpone
            | Action::Discard
            | Action::ChangeFrom => &[Context::Review],
            _ => MAIN,
        }
    }

    pub fn valid_in(self, context: Context) -> bool {
        self.contexts().contains(&context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let all = Action::all();
        for (i, action) in all.iter().enumerate() {
            assert_eq!(Action::from_name(action.name()), Some(*action));
            assert!(!all[..i].contains(action));
        }
        for context in Context::ALL {
            assert_eq!(Context::from_name(context.name()), Some(context));
        }
    }
}
