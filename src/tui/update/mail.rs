//! Acting on mail from the main screen: flag, read, delete, archive, move, copy,
//! tag, pipe, save, undo. Each change shows at once; the engine's answer keeps it
//! (`Done`) or rolls it back (`Failed`, with the explanation).

use std::collections::{HashMap, HashSet};

use super::super::acting::{
    self, Change, FlagChange, Shown, Undo, apply_counts, difference, unread_counts,
};
use super::super::layer::{
    Answer, Confirm, ConfirmPurpose, Layer, Output, PickPurpose, Picker, Prompt, PromptPurpose,
    Selection, TextInput,
};
use super::super::model::{AccountView, Focus, Model, Status};
use super::super::msg::Effect;
use super::{compose, screen};
use crate::engine::{Command, Operation, Outcome, Problem, Remedy, RequestId};
use crate::keys::Action;
use crate::store::{AccountId, Flags, FolderId, FolderRole, FolderRow, MessageId};

/// Carries out a mail action (anything [`screen::act`] does not take).
pub(super) fn act(model: &mut Model, action: Action) -> Vec<Effect> {
    match action {
        Action::Tag => return tag(model),
        Action::TagAll => return tag_all(model),
        Action::Undo => return undo(model),
        _ => {}
    }
    if let Some(effects) = compose::act(model, action) {
        return effects;
    }
    let Some(selection) = selection(model) else {
        return Vec::new();
    };
    match action {
        Action::Flag => toggle(model, selection, Toggle::Flagged),
        Action::ToggleRead => toggle(model, selection, Toggle::Seen),
        Action::Delete => delete(model, selection),
        Action::Archive => archive(model, selection, false),
        Action::Move => pick(model, PickPurpose::MoveTo(selection), "Move"),
        Action::Copy => pick(model, PickPurpose::CopyTo(selection), "Copy"),
        Action::Pipe => {
            let label = format!("Pipe {} to the command:", selection.describe());
            ask(model, PromptPurpose::Pipe(selection), label, "")
        }
        Action::SaveMessage => {
            let label = format!("Save {} to:", selection.describe());
            ask(model, PromptPurpose::Save(selection), label, "~/")
        }
        _ => Vec::new(),
    }
}

/// What an action works on: in the list the tagged messages, else the selected one;
/// in the message view the open message.
fn selection(model: &mut Model) -> Option<Selection> {
    let focus = model.main.focus;
    if focus == Focus::Folders {
        model.status = Status::Info("select a message in the list first".into());
        return None;
    }
    let account = model.account()?.id;
    let view = model.view()?;
    let list = view.list()?;
    let messages = match (focus, &view.open) {
        (Focus::Message, Some(open)) => list
            .flags_of(open.id)
            .map(|flags| vec![(open.id, flags)])
            .unwrap_or_default(),
        _ => list.selection(),
    };
    if messages.is_empty() {
        model.status = Status::Info("no message selected".into());
        return None;
    }
    Some(Selection {
        account,
        folder: list.folder,
        messages,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toggle {
    Flagged,
    Seen,
}

impl Toggle {
    fn of(self, flags: Flags) -> bool {
        match self {
            Toggle::Flagged => flags.flagged,
            Toggle::Seen => flags.seen,
        }
    }

    fn flags(self) -> Flags {
        match self {
            Toggle::Flagged => Flags {
                flagged: true,
                ..Flags::default()
            },
            Toggle::Seen => Flags {
                seen: true,
                ..Flags::default()
            },
        }
    }

    fn label(self, on: bool) -> &'static str {
        match (self, on) {
            (Toggle::Flagged, true) => "flagged",
            (Toggle::Flagged, false) => "unflagged",
            (Toggle::Seen, true) => "marked read",
            (Toggle::Seen, false) => "marked unread",
        }
    }
}

/// On for all of them when any is off, else off for all (as NeoMutt toggles tags).
fn toggle(model: &mut Model, selection: Selection, toggle: Toggle) -> Vec<Effect> {
    let on = !selection.messages.iter().all(|(_, f)| toggle.of(*f));
    let label = format!("{} {}", toggle.label(on), selection.describe());
    let command = set_flags(model, &selection, toggle.flags(), on, label.clone(), true);
    model.status = Status::Info(label);
    command.map(Effect::Engine).into_iter().collect()
}

/// Opening an unread message marks it read (not an undoable change of its own).
pub(super) fn mark_read_on_open(model: &mut Model) -> Vec<Effect> {
    let Some(selection) = selection(model) else {
        return Vec::new();
    };
    let seen = Toggle::Seen.flags();
    set_flags(model, &selection, seen, true, "marked read".into(), false)
        .map(Effect::Engine)
        .into_iter()
        .collect()
}

/// Sets (`on`) or clears `flags` on the selection: shown now, then asked for.
fn set_flags(
    model: &mut Model,
    selection: &Selection,
    flags: Flags,
    on: bool,
    label: String,
    undoable: bool,
) -> Option<Command> {
    let (add, remove) = if on {
        (flags, Flags::default())
    } else {
        (Flags::default(), flags)
    };
    let changes: Vec<FlagChange> = selection
        .messages
        .iter()
        .map(|(id, old)| FlagChange {
            id: *id,
            folder: selection.folder,
            old: *old,
            new: old.changed(add, remove),
        })
        .filter(|c| c.old != c.new)
        .collect();
    if changes.is_empty() {
        return None;
    }
    let counts = unread_counts(&changes);
    show_flags(model, selection.account, &changes, &counts);
    let op = Operation::SetFlags {
        ids: changes.iter().map(|c| c.id).collect(),
        add,
        remove,
    };
    Some(model.acting.start(Change {
        shown: Shown::Flags(changes.clone()),
        counts,
        undo: undoable.then_some(Undo::Flags(changes)),
        ..Change::new(selection.account, label, op)
    }))
}

/// Shows flag changes in the lists and counts.
fn show_flags(
    model: &mut Model,
    account: AccountId,
    changes: &[FlagChange],
    counts: &HashMap<FolderId, (i64, i64)>,
) {
    let Some(view) = model.main.views.get_mut(&account) else {
        return;
    };
    for change in changes {
        if let Some(list) = view.lists.get_mut(&change.folder) {
            list.set_flags(change.id, change.new);
        }
    }
    apply_counts(&mut view.folders, counts, 1);
}

/// Takes back what a refused flag change did, bit by bit: a later change to the
/// same message keeps its own bits, and the counts follow what really flips back.
fn revert_flags(model: &mut Model, account: AccountId, changes: &[FlagChange]) {
    let Some(view) = model.main.views.get_mut(&account) else {
        return;
    };
    let mut counts: HashMap<FolderId, (i64, i64)> = HashMap::new();
    for change in changes {
        let list = view.lists.get_mut(&change.folder);
        let current = list
            .as_ref()
            .and_then(|l| l.flags_of(change.id))
            .unwrap_or(change.new);
        let (added, removed) = difference(change.old, change.new);
        let reverted = current.changed(removed, added);
        if let Some(list) = list {
            list.set_flags(change.id, reverted);
        }
        let delta = i64::from(!reverted.seen) - i64::from(!current.seen);
        if delta != 0 {
            counts.entry(change.folder).or_default().1 += delta;
        }
    }
    apply_counts(&mut view.folders, &counts, 1);
}

fn delete(model: &mut Model, selection: Selection) -> Vec<Effect> {
    let trash = model
        .main
        .views
        .get(&selection.account)
        .and_then(|v| FolderRow::with_role(&v.folders, FolderRole::Trash))
        .map(|f| f.id);
    if trash == Some(selection.folder) {
        let question = format!(
            "Delete {} for good? This cannot be undone.",
            selection.describe()
        );
        model.layers.push(Layer::Confirm(Confirm {
            purpose: ConfirmPurpose::DeleteForGood(selection),
            question,
        }));
        return Vec::new();
    }
    let label = format!("deleted {} (to the Trash)", selection.describe());
    let op = Operation::Delete {
        ids: selection.ids(),
    };
    remove(model, selection, op, trash, label, true)
}

fn archive(model: &mut Model, selection: Selection, create: bool) -> Vec<Effect> {
    let label = format!("archived {}", selection.describe());
    let op = Operation::Archive {
        ids: selection.ids(),
        create,
    };
    remove(model, selection, op, None, label, true)
}

/// Takes the selection out of the lists now and asks the engine to move it
/// (`to`, when known, gets the counts); undone by moving it back.
fn remove(
    model: &mut Model,
    selection: Selection,
    op: Operation,
    to: Option<FolderId>,
    label: String,
    undoable: bool,
) -> Vec<Effect> {
    let ids: HashSet<MessageId> = selection.messages.iter().map(|(id, _)| *id).collect();
    let unread = selection.messages.iter().filter(|(_, f)| !f.seen).count();
    let (moved, unread) = (count(ids.len()), count(unread));
    let mut counts = HashMap::from([(selection.folder, (-moved, -unread))]);
    if let Some(to) = to.filter(|to| *to != selection.folder) {
        counts.insert(to, (moved, unread));
    }
    let retry = matches!(op, Operation::Archive { create: false, .. }).then(|| selection.clone());
    let mut effects = take_out(model, selection.account, &ids);
    if let Some(view) = model.main.views.get_mut(&selection.account) {
        apply_counts(&mut view.folders, &counts, 1);
    }
    let command = model.acting.start(Change {
        shown: Shown::Removed { ids, to },
        counts,
        undo: undoable.then(|| Undo::MoveBack {
            now_in: to,
            back_to: selection.folder,
            messages: selection.messages.clone(),
        }),
        retry,
        ..Change::new(selection.account, label.clone(), op)
    });
    model.status = Status::Info(label);
    effects.insert(0, Effect::Engine(command));
    effects
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Removes messages from every loaded list of the account. An open message among
/// them gives way to the next one (as in NeoMutt's pager), or closes.
fn take_out(model: &mut Model, account: AccountId, ids: &HashSet<MessageId>) -> Vec<Effect> {
    let Some(view) = model.main.views.get_mut(&account) else {
        return Vec::new();
    };
    for list in view.lists.values_mut() {
        list.remove(ids);
    }
    let open_gone = view
        .open
        .as_ref()
        .is_some_and(|open| ids.contains(&open.id));
    if !open_gone {
        return Vec::new();
    }
    view.open = None;
    let shown = model.account().map(|a| a.id) == Some(account);
    if !shown || model.main.focus != Focus::Message {
        return Vec::new();
    }
    let has_next = model
        .view()
        .and_then(|v| v.list())
        .and_then(|l| l.selected())
        .is_some();
    if has_next {
        screen::open_selected(model)
    } else {
        model.main.focus = Focus::List;
        Vec::new()
    }
}

fn pick(model: &mut Model, purpose: PickPurpose, verb: &str) -> Vec<Effect> {
    let (account, from, what) = match &purpose {
        PickPurpose::MoveTo(s) | PickPurpose::CopyTo(s) => (s.account, s.folder, s.describe()),
        PickPurpose::GoTo { .. } => return Vec::new(),
    };
    let folders: Vec<_> = model
        .main
        .views
        .get(&account)
        .map(|v| v.folders.iter().filter(|f| f.id != from).cloned().collect())
        .unwrap_or_default();
    model.layers.push(Layer::Picker(Picker::new(
        purpose,
        format!("{verb} {what} to"),
        &folders,
    )));
    Vec::new()
}

fn ask(model: &mut Model, purpose: PromptPurpose, label: String, text: &str) -> Vec<Effect> {
    model.layers.push(Layer::Prompt(Prompt {
        purpose,
        label,
        input: TextInput::with_text(text),
    }));
    Vec::new()
}

fn tag(model: &mut Model) -> Vec<Effect> {
    if model.main.focus != Focus::List {
        model.status = Status::Info("tag messages in the list".into());
        return Vec::new();
    }
    let page = super::super::layout::list_rows(model);
    let Some(list) = model.view_mut().and_then(AccountView::list_mut) else {
        return Vec::new();
    };
    if list.toggle_tag().is_none() {
        return Vec::new();
    }
    let tagged = list.tag_count();
    let next = list.move_cursor(super::super::list::Motion::Down, page);
    model.status = Status::Info(format!("{tagged} tagged"));
    next.map(Effect::Engine).into_iter().collect()
}

fn tag_all(model: &mut Model) -> Vec<Effect> {
    match model.view().and_then(|v| v.list()) {
        Some(list) if model.main.focus != Focus::Folders => {
            let folder = list.folder;
            model.status = Status::Busy("tagging every message…".into());
            vec![Effect::Engine(Command::LoadIds { folder })]
        }
        _ => {
            model.status = Status::Info("tag messages in the list".into());
            Vec::new()
        }
    }
}

/// Every message of the folder came: tag them all.
pub(super) fn tag_ids(model: &mut Model, folder: FolderId, ids: Vec<(MessageId, Flags)>) {
    for view in model.main.views.values_mut() {
        if let Some(list) = view.lists.get_mut(&folder) {
            list.tag_all(ids);
            model.status = Status::Info(format!("{} tagged", list.tag_count()));
            return;
        }
    }
}

fn undo(model: &mut Model) -> Vec<Effect> {
    let entry = loop {
        let Some(entry) = model.acting.pop_undo() else {
            model.status = Status::Info("nothing to undo".into());
            return Vec::new();
        };
        match entry.undo {
            // A send is undone while it waits; after that, the change before it.
            Undo::Send { outbox, until } if model.clock.now < until => {
                return compose::take_back(model, entry.account, outbox);
            }
            Undo::Send { .. } => continue,
            _ => break entry,
        }
    };
    let mut commands = Vec::new();
    let mut effects = Vec::new();
    for (op, shown, counts) in acting::undo_operations(&entry.undo) {
        match &shown {
            Shown::Flags(changes) => show_flags(model, entry.account, changes, &counts),
            Shown::Removed { ids, .. } => {
                effects.extend(take_out(model, entry.account, ids));
                if let Some(view) = model.main.views.get_mut(&entry.account) {
                    apply_counts(&mut view.folders, &counts, 1);
                }
            }
            Shown::Nothing => {}
        }
        let label = format!("undoing \"{}\"", entry.label);
        let command = model.acting.start(Change {
            shown,
            counts,
            undoing: Some(entry.clone()),
            ..Change::new(entry.account, label, op)
        });
        commands.push(Effect::Engine(command));
    }
    commands.extend(effects);
    let left = match model.acting.undo_depth() {
        0 => String::new(),
        n => format!(" ({n} more to undo)"),
    };
    model.status = Status::Info(format!("undone: {}{left}", entry.label));
    commands
}

/// A layer's answer.
pub(super) fn answer(model: &mut Model, answer: Answer) -> Vec<Effect> {
    match answer {
        Answer::Folder {
            purpose: PickPurpose::GoTo { account },
            folder,
        } => go_to(model, account, folder),
        Answer::Folder {
            purpose: PickPurpose::MoveTo(selection),
            folder,
        } => {
            let label = format!(
                "moved {} to {}",
                selection.describe(),
                folder_name(model, folder)
            );
            let op = Operation::Move {
                ids: selection.ids(),
                to: folder,
            };
            remove(model, selection, op, Some(folder), label, true)
        }
        Answer::Folder {
            purpose: PickPurpose::CopyTo(selection),
            folder,
        } => {
            let label = format!(
                "copied {} to {}",
                selection.describe(),
                folder_name(model, folder)
            );
            let op = Operation::Copy {
                ids: selection.ids(),
                to: folder,
            };
            let command = model
                .acting
                .start(Change::new(selection.account, label.clone(), op));
            model.status = Status::Info(label);
            vec![Effect::Engine(command)]
        }
        Answer::Text {
            purpose: PromptPurpose::Pipe(selection),
            text,
        } => {
            let label = format!("piping {} to `{text}`", selection.describe());
            let op = Operation::Pipe {
                ids: selection.ids(),
                command: text.clone(),
            };
            let command = model.acting.start(Change {
                output_title: Some(format!("`{text}`")),
                ..Change::new(selection.account, label, op)
            });
            model.status = Status::Busy(format!("running `{text}`…"));
            vec![Effect::Engine(command)]
        }
        Answer::Text {
            purpose: PromptPurpose::Save(selection),
            text,
        } => {
            let label = format!("saving {}", selection.describe());
            let op = Operation::Save {
                ids: selection.ids(),
                path: text,
            };
            let command = model
                .acting
                .start(Change::new(selection.account, label, op));
            vec![Effect::Engine(command)]
        }
        Answer::Yes(ConfirmPurpose::DeleteForGood(selection)) => {
            let label = format!("deleted {} for good", selection.describe());
            let op = Operation::Delete {
                ids: selection.ids(),
            };
            remove(model, selection, op, None, label, false)
        }
        Answer::Yes(ConfirmPurpose::CreateArchive { selection, .. }) => {
            archive(model, selection, true)
        }
        Answer::Text {
            purpose: PromptPurpose::Attach(draft),
            text,
        } => vec![Effect::Attach { draft, path: text }],
        Answer::Review { draft, choice } => compose::choice(model, draft, choice),
        Answer::Yes(ConfirmPurpose::SendAnyway { draft }) => compose::send(model, draft),
        Answer::Yes(ConfirmPurpose::OpenRecovered { account, draft }) => {
            compose::recovered(model, account, draft, true)
        }
        Answer::No(ConfirmPurpose::OpenRecovered { account, draft }) => {
            compose::recovered(model, account, draft, false)
        }
        Answer::Yes(ConfirmPurpose::SendHeldAndQuit) => compose::send_held_and_quit(model),
        Answer::No(ConfirmPurpose::SendHeldAndQuit) => vec![Effect::Quit],
        // Saying no to the others is saying nothing.
        Answer::No(_) => Vec::new(),
    }
}

fn go_to(model: &mut Model, account: AccountId, folder: FolderId) -> Vec<Effect> {
    if model.account().map(|a| a.id) != Some(account) {
        return Vec::new();
    }
    let index = model
        .view()
        .and_then(|v| v.folders.iter().position(|f| f.id == folder));
    match index {
        Some(index) => {
            model.main.focus = Focus::List;
            screen::select_folder(model, index)
        }
        None => Vec::new(),
    }
}

fn folder_name(model: &Model, folder: FolderId) -> String {
    model
        .main
        .views
        .values()
        .flat_map(|v| v.folders.iter())
        .find(|f| f.id == folder)
        .map_or_else(|| "the folder".to_owned(), |f| f.name.clone())
}

/// The engine carried out a request.
pub(super) fn done(model: &mut Model, request: RequestId, outcome: Outcome) {
    let Some(change) = model.acting.done(request) else {
        return;
    };
    let output = match outcome {
        Outcome::Text(text) => Some(text),
        _ => None,
    };
    match (output, change.output_title) {
        (Some(output), Some(title)) => {
            let title = format!("Output of {title}");
            if output.trim().is_empty() {
                model.status = Status::Info(format!("{title}: nothing"));
            } else {
                offer(model, Layer::Output(Output::new(title, &output)));
                model.status = Status::None;
            }
        }
        (Some(output), None) => model.status = Status::Info(output),
        (None, _) => {}
    }
}

/// The engine could not carry out a request: what it showed goes back, and the
/// explanation is shown; a remedy it can offer is asked.
pub(super) fn failed(model: &mut Model, request: RequestId, problem: Problem) -> Vec<Effect> {
    let retry = problem.remedy == Some(Remedy::TryAgain);
    let Some(change) = model.acting.failed(request, retry) else {
        model.status = Status::Error(problem.to_string());
        return Vec::new();
    };
    let account = change.account;
    let mut effects = Vec::new();
    match &change.shown {
        Shown::Flags(changes) => revert_flags(model, account, changes),
        Shown::Removed { .. } => {
            if let Some(view) = model.main.views.get_mut(&account) {
                apply_counts(&mut view.folders, &change.counts, -1);
            }
            // The store still has them where they were (it follows the server):
            // reload what is loaded, and they are back.
            effects.extend(reload_account(model, account));
        }
        Shown::Nothing => {}
    }
    model.status = Status::Error(problem.to_string());
    if let (Some(Remedy::CreateFolder { name }), Some(selection)) = (&problem.remedy, change.retry)
    {
        offer(
            model,
            Layer::Confirm(Confirm {
                question: format!(
                    "{} has no folder \"{name}\". Create it and archive {} there?",
                    model.main.account_name(account),
                    selection.describe()
                ),
                purpose: ConfirmPurpose::CreateArchive {
                    selection,
                    name: name.clone(),
                },
            }),
        );
    }
    effects
}

/// Shows a layer that comes with an engine answer, not with a key: under a layer
/// the user is typing in, so the next key still goes where they meant it.
fn offer(model: &mut Model, layer: Layer) {
    let below_top = model.layers.len().saturating_sub(1);
    model.layers.insert(below_top, layer);
}

/// Reloads the account's shown list and folder counts; its other lists are reloaded
/// when next shown.
fn reload_account(model: &mut Model, account: AccountId) -> Vec<Effect> {
    let shown = model.account().map(|a| a.id) == Some(account);
    let Some(view) = model.main.views.get_mut(&account) else {
        return Vec::new();
    };
    let current = view.folder().map(|f| f.id);
    let mut effects = vec![Effect::Engine(Command::LoadFolders { account })];
    for (folder, list) in view.lists.iter_mut() {
        if shown && Some(*folder) == current {
            effects.extend(list.reload().map(Effect::Engine));
        } else {
            list.stale = true;
        }
    }
    effects
}
