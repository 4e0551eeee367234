//! Moving about the main screen: accounts, folders, the list, the open message.

use super::super::layer::{Help, Layer, PickPurpose, Picker};
use super::super::layout;
use super::super::list::{MessageList, Motion, step};
use super::super::model::{AccountView, Focus, Model, OpenMessage, Status};
use super::super::msg::Effect;
use super::super::view::message;
use super::mail;
use crate::engine::Command;
use crate::keys::Action;
use crate::store::FolderRole;

/// Carries out a moving-about action; `None` when `action` is not one.
pub(super) fn act(model: &mut Model, action: Action) -> Option<Vec<Effect>> {
    let effects = match action {
        Action::Quit => super::compose::quit(model),
        Action::ForceQuit => vec![Effect::Quit],
        Action::Help => {
            let lines = super::super::view::help::line_count(model.keys());
            model.layers.push(Layer::Help(Help::new(lines)));
            Vec::new()
        }
        Action::Account(index) => switch_account(model, usize::from(index)),
        Action::PrevAccount | Action::NextAccount => {
            let n = model.main.accounts.len();
            match model.main.current {
                Some(i) if n > 0 => {
                    let next = if action == Action::NextAccount {
                        (i + 1) % n
                    } else {
                        (i + n - 1) % n
                    };
                    switch_account(model, next)
                }
                _ => Vec::new(),
            }
        }
        Action::NextFolder => step_folder(model, 1),
        Action::PrevFolder => step_folder(model, -1),
        Action::NextMessage => step_message(model, 1),
        Action::PrevMessage => step_message(model, -1),
        Action::ToggleHeaders => {
            model.main.full_headers = !model.main.full_headers;
            Vec::new()
        }
        Action::Refresh => match model.account() {
            Some(account) => {
                let (id, name) = (account.id, account.name.clone());
                model.status = Status::Busy(format!("checking {name} for new mail"));
                vec![Effect::Engine(Command::Refresh { account: id })]
            }
            None => Vec::new(),
        },
        Action::GoFolder => go_folder(model),
        Action::CycleFocus => {
            model.main.focus = match model.main.focus {
                Focus::Folders => Focus::List,
                Focus::List if model.open_message().is_some() => Focus::Message,
                Focus::List | Focus::Message => Focus::Folders,
            };
            Vec::new()
        }
        Action::Open => match model.main.focus {
            Focus::Folders if model.view().is_some_and(AccountView::on_outbox) => {
                super::outbox::open(model)
            }
            Focus::Folders => {
                model.main.focus = Focus::List;
                Vec::new()
            }
            // A draft opens to be written (recall), as in mutt's postponed list.
            Focus::List if super::compose::opens_as_draft(model) => {
                super::compose::recall_selected(model)
            }
            Focus::List => open_selected(model),
            Focus::Message => Vec::new(),
        },
        Action::Back => back(model),
        Action::Close => {
            close_message(model);
            Vec::new()
        }
        Action::PageDown if model.main.focus == Focus::Message && at_message_end(model) => {
            next_unread(model)
        }
        Action::Down
        | Action::Up
        | Action::Top
        | Action::Bottom
        | Action::PageDown
        | Action::PageUp
        | Action::HalfPageDown
        | Action::HalfPageUp => move_cursor(model, action),
        _ => return None,
    };
    Some(effects)
}

/// Esc acts on the innermost thing first: tags, then the open message, then focus.
fn back(model: &mut Model) -> Vec<Effect> {
    let focus = model.main.focus;
    if focus != Focus::Folders
        && let Some(list) = model.view_mut().and_then(AccountView::list_mut)
        && list.clear_tags()
    {
        model.status = Status::Info("tags cleared".into());
        return Vec::new();
    }
    match focus {
        Focus::Message => close_message(model),
        Focus::List => model.main.focus = Focus::Folders,
        Focus::Folders => {}
    }
    Vec::new()
}

fn close_message(model: &mut Model) {
    if let Some(view) = model.view_mut() {
        view.open = None;
    }
    model.main.focus = Focus::List;
}

fn move_cursor(model: &mut Model, action: Action) -> Vec<Effect> {
    let Some(motion) = Motion::of(action) else {
        return Vec::new();
    };
    match model.main.focus {
        Focus::Folders => {
            let Some(view) = model.view() else {
                return Vec::new();
            };
            let page = layout::Panes::of(model)
                .folders
                .map_or(1, |r| usize::from(layout::inner(r).height));
            let to = target(view.folder_cursor, view.folder_rows(), motion, page);
            select_folder(model, to)
        }
        Focus::List => {
            let page = layout::list_rows(model);
            model
                .view_mut()
                .and_then(AccountView::list_mut)
                .and_then(|list| list.move_cursor(motion, page))
                .map(Effect::Engine)
                .into_iter()
                .collect()
        }
        Focus::Message => {
            let (height, width) = layout::message_area(model);
            let full = model.main.full_headers;
            if let Some(open) = model.view_mut().and_then(|v| v.open.as_mut()) {
                let max = message_lines(open, full, width).saturating_sub(height);
                open.scroll = target(open.scroll, max + 1, motion, height);
            }
            Vec::new()
        }
    }
}

/// Where a cursor at `at` in `len` items goes, `page` items to a screen.
fn target(at: usize, len: usize, motion: Motion, page: usize) -> usize {
    step(at, motion, page, len.saturating_sub(1))
}

/// Whether the open message is scrolled to its last screen.
fn at_message_end(model: &mut Model) -> bool {
    let (height, width) = layout::message_area(model);
    let full = model.main.full_headers;
    match model.view_mut().and_then(|v| v.open.as_mut()) {
        Some(open) if open.rendered.is_some() => {
            let max = message_lines(open, full, width).saturating_sub(height);
            open.scroll >= max
        }
        _ => false,
    }
}

/// Space at the end of a message: the next unread one, as in NeoMutt's pager.
fn next_unread(model: &mut Model) -> Vec<Effect> {
    let next = model
        .view()
        .and_then(|v| v.list())
        .and_then(MessageList::next_unread);
    match next {
        Some(index) => open_at(model, index),
        None => {
            model.status = Status::Info("no unread message after this one".into());
            Vec::new()
        }
    }
}

/// `J`/`K` in the message view: the next or previous message, without the list.
fn step_message(model: &mut Model, delta: isize) -> Vec<Effect> {
    let Some(list) = model.view().and_then(|v| v.list()) else {
        return Vec::new();
    };
    let to = list.cursor.checked_add_signed(delta);
    match to.filter(|to| list.row(*to).is_some()) {
        Some(to) => open_at(model, to),
        None => {
            let edge = if delta > 0 { "last" } else { "first" };
            model.status = Status::Info(format!("this is the {edge} message loaded"));
            Vec::new()
        }
    }
}

/// Puts the list cursor on `index` and opens that message.
pub(super) fn open_at(model: &mut Model, index: usize) -> Vec<Effect> {
    let mut effects: Vec<Effect> = model
        .view_mut()
        .and_then(AccountView::list_mut)
        .and_then(|list| list.select(index))
        .map(Effect::Engine)
        .into_iter()
        .collect();
    effects.extend(open_selected(model));
    effects
}

pub(super) fn select_folder(model: &mut Model, index: usize) -> Vec<Effect> {
    let Some(view) = model.view_mut() else {
        return Vec::new();
    };
    if index >= view.folder_rows() {
        return Vec::new();
    }
    if index == view.folders.len() {
        // The Outbox entry: no list of its own; Enter opens it.
        view.folder_cursor = index;
        view.open = None;
        if model.main.focus == Focus::Message {
            model.main.focus = Focus::List;
        }
        return Vec::new();
    }
    if index != view.folder_cursor {
        view.folder_cursor = index;
        // The open message belongs to the folder left behind.
        view.open = None;
        if model.main.focus == Focus::Message {
            model.main.focus = Focus::List;
        }
    }
    model.view_mut().and_then(ensure_list).into_iter().collect()
}

/// Makes the selected folder's list present: cached, or asked for.
pub(super) fn ensure_list(view: &mut AccountView) -> Option<Effect> {
    let folder = view.folder()?.id;
    let list = view
        .lists
        .entry(folder)
        .or_insert_with(|| MessageList::new(folder));
    list.refresh_if_stale().map(Effect::Engine)
}

fn step_folder(model: &mut Model, delta: isize) -> Vec<Effect> {
    let Some(view) = model.view() else {
        return Vec::new();
    };
    let n = view.folders.len();
    if n == 0 {
        return Vec::new();
    }
    let to = (view.folder_cursor as isize + delta).rem_euclid(n as isize) as usize;
    select_folder(model, to)
}

/// `c`: a folder picker over the account's folders.
fn go_folder(model: &mut Model) -> Vec<Effect> {
    let Some(account) = model.account().map(|a| a.id) else {
        return Vec::new();
    };
    let folders = model.view().map(|v| v.folders.clone()).unwrap_or_default();
    model.layers.push(Layer::Picker(Picker::new(
        PickPurpose::GoTo { account },
        "Go to folder".into(),
        &folders,
    )));
    Vec::new()
}

/// Opens the selected message: asks the engine for it rendered at the pane's
/// width, and marks it read at once (the server is told in the background).
pub(super) fn open_selected(model: &mut Model) -> Vec<Effect> {
    let (_, width) = layout::message_area(model);
    let Some(row) = model
        .view()
        .and_then(|v| v.list())
        .and_then(|l| l.selected())
    else {
        return Vec::new();
    };
    let (id, seen) = (row.id, row.flags.seen);
    model.main.focus = Focus::Message;
    let Some(view) = model.view_mut() else {
        return Vec::new();
    };
    if view.open.as_ref().is_some_and(|open| open.id == id) {
        return Vec::new();
    }
    view.open = Some(OpenMessage {
        id,
        rendered: None,
        scroll: 0,
        layout: None,
    });
    let mut effects = vec![Effect::Engine(Command::OpenMessage { id, width })];
    if !seen {
        effects.extend(mail::mark_read_on_open(model));
    }
    effects
}

pub(super) fn switch_account(model: &mut Model, index: usize) -> Vec<Effect> {
    let Some(account) = model.main.accounts.get(index) else {
        return Vec::new();
    };
    let id = account.id;
    if model.main.current == Some(index) {
        return Vec::new();
    }
    model.main.current = Some(index);
    let mut effects = Vec::new();
    let view = model.main.views.entry(id).or_default();
    if view.folders_asked {
        // Cached: drawn at once from what we have, refreshed behind it.
        effects.extend(ensure_list(view));
        effects.push(Effect::Engine(Command::Refresh { account: id }));
    } else {
        view.folders_asked = true;
        effects.push(Effect::Engine(Command::LoadFolders { account: id }));
    }
    if model.main.focus == Focus::Message && model.open_message().is_none() {
        model.main.focus = Focus::List;
    }
    effects
}

/// The folder a new account view opens on: the inbox, else the first.
pub(super) fn first_folder(view: &AccountView) -> usize {
    view.folders
        .iter()
        .position(|f| f.role == Some(FolderRole::Inbox))
        .unwrap_or(0)
}

/// Keep cursors on screen and scroll offsets in range after anything that
/// moves them or changes the pane sizes.
pub(super) fn keep_in_view(model: &mut Model) {
    if model.main.focus == Focus::Message && model.open_message().is_none() {
        model.main.focus = Focus::List;
    }
    let rows = layout::list_rows(model);
    let (height, width) = layout::message_area(model);
    let full = model.main.full_headers;
    let Some(view) = model.view_mut() else {
        return;
    };
    for list in view.lists.values_mut() {
        list.keep_in_view(rows);
    }
    if let Some(open) = view.open.as_mut() {
        let max = message_lines(open, full, width).saturating_sub(height);
        open.scroll = open.scroll.min(max);
    }
}

/// Screen lines of the open message at `width`, laying it out again only
/// when the width or the header mode changed.
fn message_lines(open: &mut OpenMessage, full_headers: bool, width: u16) -> usize {
    let Some(rendered) = open.rendered.as_deref() else {
        return 0;
    };
    let columns = usize::from(width);
    match &open.layout {
        Some(l) if l.fits(columns, full_headers) => l.total(),
        _ => {
            let fresh = message::layout(rendered, full_headers, columns);
            let total = fresh.total();
            open.layout = Some(fresh);
            total
        }
    }
}
