//! `update`: the only place the model changes. No IO here: anything that needs
//! the outside world is returned as an [`Effect`].

use crossterm::event::KeyEvent;

use crate::engine::{Command, Event};
use crate::store::{AccountId, EnvelopeRow, FolderId, FolderRole, MessageId};

use super::keymap::{self, Action};
use super::layout;
use super::model::{
    AccountView, Focus, MessageList, Model, OpenMessage, PAGE_SIZE, PREFETCH_MARGIN, Status,
};
use super::msg::{Effect, Msg};
use super::view::message;

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(model, key),
        Msg::Resize(w, h) => {
            model.size = (w, h);
            model.dirty = true;
            keep_in_view(model);
            Vec::new()
        }
        Msg::Engine(event) => {
            model.dirty = true;
            let effects = on_event(model, event);
            keep_in_view(model);
            effects
        }
        Msg::Tick(clock) => {
            // Dates are drawn to the minute: redraw only when that changes.
            if clock.now.div_euclid(60) != model.clock.now.div_euclid(60)
                || clock.utc_offset != model.clock.utc_offset
            {
                model.dirty = true;
            }
            model.clock = clock;
            Vec::new()
        }
    }
}

fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(action) = keymap::lookup(&key) else {
        return Vec::new();
    };
    model.dirty = true;
    if action == Action::ForceQuit {
        return vec![Effect::Quit];
    }
    if model.help {
        if matches!(action, Action::Help | Action::Quit | Action::Back) {
            model.help = false;
        }
        return Vec::new();
    }
    model.status = Status::None;
    let effects = match action {
        Action::ForceQuit | Action::Quit => vec![Effect::Quit],
        Action::Help => {
            model.help = true;
            Vec::new()
        }
        Action::Account(index) => switch_account(model, index),
        Action::PrevAccount | Action::NextAccount => {
            let n = model.accounts.len();
            match model.current {
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
        Action::ToggleHeaders => {
            model.full_headers = !model.full_headers;
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
        Action::CycleFocus => {
            model.focus = match model.focus {
                Focus::Folders => Focus::List,
                Focus::List if model.open_message().is_some() => Focus::Message,
                Focus::List | Focus::Message => Focus::Folders,
            };
            Vec::new()
        }
        Action::Forward => match model.focus {
            Focus::Folders => {
                model.focus = Focus::List;
                Vec::new()
            }
            Focus::List => open_selected(model),
            Focus::Message => Vec::new(),
        },
        Action::Back => {
            match model.focus {
                Focus::Message => {
                    if let Some(view) = model.view_mut() {
                        view.open = None;
                    }
                    model.focus = Focus::List;
                }
                Focus::List => model.focus = Focus::Folders,
                Focus::Folders => {}
            }
            Vec::new()
        }
        Action::Down
        | Action::Up
        | Action::Top
        | Action::Bottom
        | Action::PageDown
        | Action::PageUp
        | Action::HalfPageDown
        | Action::HalfPageUp => move_cursor(model, action),
    };
    keep_in_view(model);
    effects
}

/// Where a cursor at `at` in `len` items goes, `page` items to a screen.
fn target(at: usize, len: usize, action: Action, page: usize) -> usize {
    let last = len.saturating_sub(1);
    let page = page.max(1);
    let half = (page / 2).max(1);
    let to = match action {
        Action::Down => at.saturating_add(1),
        Action::Up => at.saturating_sub(1),
        Action::Top => 0,
        Action::Bottom => last,
        Action::PageDown => at.saturating_add(page),
        Action::PageUp => at.saturating_sub(page),
        Action::HalfPageDown => at.saturating_add(half),
        Action::HalfPageUp => at.saturating_sub(half),
        _ => at,
    };
    to.min(last)
}

fn move_cursor(model: &mut Model, action: Action) -> Vec<Effect> {
    match model.focus {
        Focus::Folders => {
            let Some(view) = model.view() else {
                return Vec::new();
            };
            let page = layout::Panes::of(model)
                .folders
                .map_or(1, |r| usize::from(layout::inner(r).height));
            let to = target(view.folder_cursor, view.folders.len(), action, page);
            select_folder(model, to)
        }
        Focus::List => {
            let page = layout::list_rows(model);
            let Some((folder, list)) = current_list_mut(model) else {
                return Vec::new();
            };
            list.cursor = target(list.cursor, list.rows.len(), action, page);
            prefetch(folder, list).into_iter().collect()
        }
        Focus::Message => {
            let (height, width) = layout::message_area(model);
            let full = model.full_headers;
            if let Some(open) = model.view_mut().and_then(|v| v.open.as_mut()) {
                let max = message_lines(open, full, width).saturating_sub(height);
                let to = target(open.scroll, max + 1, action, height);
                open.scroll = to;
            }
            Vec::new()
        }
    }
}

fn current_list_mut(model: &mut Model) -> Option<(FolderId, &mut MessageList)> {
    let view = model.view_mut()?;
    let folder = view.folder()?.id;
    Some((folder, view.lists.get_mut(&folder)?))
}

/// Ask for the next page when the cursor nears the end of what is loaded.
fn prefetch(folder: FolderId, list: &mut MessageList) -> Option<Effect> {
    let loaded = list.rows.len();
    if !list.loaded
        || list.pending.is_some()
        || loaded >= list.total
        || list.cursor + PREFETCH_MARGIN < loaded
    {
        return None;
    }
    list.pending = Some(loaded);
    Some(Effect::Engine(Command::LoadEnvelopes {
        folder,
        offset: loaded,
        limit: PAGE_SIZE,
    }))
}

/// Ask for a folder's first window again (keeping as many rows as are loaded).
fn reload(folder: FolderId, list: &mut MessageList) -> Effect {
    list.pending = Some(0);
    list.stale = false;
    Effect::Engine(Command::LoadEnvelopes {
        folder,
        offset: 0,
        limit: list.rows.len().max(PAGE_SIZE),
    })
}

/// Make the selected folder's list present: cached, or asked for.
fn ensure_list(view: &mut AccountView) -> Option<Effect> {
    let folder = view.folder()?.id;
    let list = view.lists.entry(folder).or_default();
    if !list.loaded && list.pending.is_none() {
        list.pending = Some(0);
        return Some(Effect::Engine(Command::LoadEnvelopes {
            folder,
            offset: 0,
            limit: PAGE_SIZE,
        }));
    }
    if list.stale && list.pending.is_none() {
        return Some(reload(folder, list));
    }
    None
}

fn select_folder(model: &mut Model, index: usize) -> Vec<Effect> {
    let Some(view) = model.view_mut() else {
        return Vec::new();
    };
    if index >= view.folders.len() {
        return Vec::new();
    }
    if index != view.folder_cursor {
        view.folder_cursor = index;
        // The open message belongs to the folder left behind.
        view.open = None;
        if model.focus == Focus::Message {
            model.focus = Focus::List;
        }
    }
    model.view_mut().and_then(ensure_list).into_iter().collect()
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

fn open_selected(model: &mut Model) -> Vec<Effect> {
    let (_, width) = layout::message_area(model);
    let Some(id) = model
        .view()
        .and_then(|v| v.list())
        .and_then(|l| l.selected())
        .map(|row| row.id)
    else {
        return Vec::new();
    };
    model.focus = Focus::Message;
    let Some(view) = model.view_mut() else {
        return Vec::new();
    };
    if let Some(open) = &view.open
        && open.id == id
    {
        return Vec::new();
    }
    view.open = Some(OpenMessage {
        id,
        rendered: None,
        scroll: 0,
        layout: None,
    });
    vec![Effect::Engine(Command::OpenMessage { id, width })]
}

fn switch_account(model: &mut Model, index: usize) -> Vec<Effect> {
    let Some(account) = model.accounts.get(index) else {
        return Vec::new();
    };
    let id = account.id;
    if model.current == Some(index) {
        return Vec::new();
    }
    model.current = Some(index);
    let mut effects = Vec::new();
    match model.views.get_mut(&id) {
        Some(view) => {
            // Cached: drawn at once from what we have, refreshed behind it.
            effects.extend(ensure_list(view));
            effects.push(Effect::Engine(Command::Refresh { account: id }));
        }
        None => {
            model.views.insert(id, AccountView::default());
            effects.push(Effect::Engine(Command::LoadFolders { account: id }));
        }
    }
    if model.focus == Focus::Message && model.open_message().is_none() {
        model.focus = Focus::List;
    }
    effects
}

fn on_event(model: &mut Model, event: Event) -> Vec<Effect> {
    match event {
        Event::Accounts(accounts) => {
            let previous = model.account().map(|a| a.id);
            model.accounts = accounts;
            model
                .views
                .retain(|id, _| model.accounts.iter().any(|a| a.id == *id));
            model.current = None;
            let keep = previous
                .and_then(|id| model.accounts.iter().position(|a| a.id == id))
                .unwrap_or(0);
            if keep >= model.accounts.len() {
                return Vec::new();
            }
            let mut effects = switch_account(model, keep);
            // A first load of accounts is not a switch: no refresh needed.
            effects.retain(|e| !matches!(e, Effect::Engine(Command::Refresh { .. })));
            // Every tab shows its unread count, so every account's folders are loaded.
            for account in &model.accounts {
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    model.views.entry(account.id)
                {
                    slot.insert(AccountView::default());
                    effects.push(Effect::Engine(Command::LoadFolders {
                        account: account.id,
                    }));
                }
            }
            effects
        }
        Event::Folders { account, folders } => {
            let is_current = model.account().map(|a| a.id) == Some(account);
            let view = model.views.entry(account).or_default();
            let previous = view.folder().map(|f| f.id);
            let first_load = !view.folders_loaded;
            view.folders = folders;
            view.folders_loaded = true;
            let folders = &view.folders;
            view.folder_cursor = previous
                .and_then(|id| folders.iter().position(|f| f.id == id))
                .or_else(|| {
                    first_load
                        .then(|| {
                            folders
                                .iter()
                                .position(|f| f.role == Some(FolderRole::Inbox))
                        })
                        .flatten()
                })
                .unwrap_or(0)
                .min(folders.len().saturating_sub(1));
            view.lists
                .retain(|id, _| view.folders.iter().any(|f| f.id == *id));
            if previous.is_some() && view.folder().map(|f| f.id) != previous {
                view.open = None;
            }
            if is_current {
                ensure_list(view).into_iter().collect()
            } else {
                Vec::new()
            }
        }
        Event::Envelopes {
            folder,
            offset,
            total,
            rows,
        } => {
            let current_folder = model.view().and_then(|v| v.folder()).map(|f| f.id);
            let Some(list) = model
                .views
                .values_mut()
                .find_map(|v| v.lists.get_mut(&folder))
            else {
                return Vec::new();
            };
            apply_page(list, offset, total, rows);
            if current_folder == Some(folder) {
                prefetch(folder, list).into_iter().collect()
            } else {
                Vec::new()
            }
        }
        Event::Message { id, rendered } => {
            for view in model.views.values_mut() {
                if let Some(open) = view.open.as_mut().filter(|o| o.id == id) {
                    open.rendered = Some(rendered.clone());
                    open.layout = None;
                    mark_seen(view, id);
                }
            }
            Vec::new()
        }
        Event::Changed { account } => {
            if matches!(model.status, Status::Busy(_)) {
                model.status = Status::None;
            }
            let is_current = model.account().map(|a| a.id) == Some(account);
            let Some(view) = model.views.get_mut(&account) else {
                return Vec::new();
            };
            let mut effects = vec![Effect::Engine(Command::LoadFolders { account })];
            let shown = view.folder().map(|f| f.id);
            for (id, list) in view.lists.iter_mut() {
                if is_current && Some(*id) == shown {
                    effects.push(reload(*id, list));
                } else {
                    list.stale = true;
                }
            }
            effects
        }
        Event::Error { context, message } => {
            model.status = Status::Error(format!("{context}: {message}"));
            // Whatever was in flight may never come: let the user ask again.
            for view in model.views.values_mut() {
                for list in view.lists.values_mut() {
                    list.pending = None;
                }
            }
            Vec::new()
        }
        // Background work of network accounts: said in the status line, never over an error.
        Event::Progress {
            account,
            folder,
            fetched,
            to_fetch,
        } => {
            let folder = folder_name(model, account, folder);
            let text = format!(
                "{}: syncing {folder} {fetched}/{to_fetch}",
                account_name(model, account)
            );
            inform(model, text);
            Vec::new()
        }
        Event::Synced { .. } => {
            if matches!(model.status, Status::Busy(_)) {
                model.status = Status::None;
            }
            Vec::new()
        }
        Event::Retrying {
            account,
            attempt,
            delay,
        } => {
            // The error that caused the retry is already on show; keep it there.
            let text = format!(
                "{}: connecting again in {} s (attempt {attempt})",
                account_name(model, account),
                delay.as_secs().max(1)
            );
            inform(model, text);
            Vec::new()
        }
        Event::Sent { account, reply, .. } => {
            let text = format!("{}: sent ({reply})", account_name(model, account));
            model.status = Status::Info(text);
            Vec::new()
        }
        Event::SendFailed { account, error, .. } => {
            let text = format!(
                "{}: not sent, kept in the outbox: {error}",
                account_name(model, account)
            );
            model.status = Status::Error(text);
            Vec::new()
        }
    }
}

/// Show `text` unless an error is on show (errors stay until the next key).
/// Says what background work is doing, never over an error.
fn inform(model: &mut Model, text: String) {
    if !matches!(model.status, Status::Error(_)) {
        model.status = Status::Busy(text);
    }
}

fn account_name(model: &Model, account: AccountId) -> String {
    model
        .accounts
        .iter()
        .find(|a| a.id == account)
        .map_or_else(|| format!("account {}", account.0), |a| a.name.clone())
}

fn folder_name(model: &Model, account: AccountId, folder: FolderId) -> String {
    model
        .views
        .get(&account)
        .and_then(|view| view.folders.iter().find(|f| f.id == folder))
        .map_or_else(|| "a folder".to_owned(), |f| f.name.clone())
}

fn apply_page(list: &mut MessageList, offset: usize, total: usize, rows: Vec<EnvelopeRow>) {
    let selected = list.selected().map(|r| r.id);
    if list.pending == Some(offset) {
        list.pending = None;
    }
    if offset == 0 {
        // A first page or a reload: it replaces the window.
        list.rows = rows;
        if let Some(at) = selected.and_then(|id| list.rows.iter().position(|r| r.id == id)) {
            list.cursor = at;
        }
    } else if offset <= list.rows.len() {
        let end = (offset + rows.len()).min(list.rows.len());
        list.rows.splice(offset..end, rows);
    } else {
        // A page past a gap (an answer to a request since superseded): drop it.
        return;
    }
    list.total = total.max(list.rows.len());
    list.loaded = true;
    list.cursor = list.cursor.min(list.rows.len().saturating_sub(1));
}

/// Opening a message marks it seen: show that before the engine says so.
fn mark_seen(view: &mut AccountView, id: MessageId) {
    let mut folder_of_unseen = None;
    for list in view.lists.values_mut() {
        if let Some(row) = list.rows.iter_mut().find(|r| r.id == id)
            && !row.flags.seen
        {
            row.flags.seen = true;
            folder_of_unseen = Some(row.folder);
        }
    }
    if let Some(folder) = folder_of_unseen
        && let Some(f) = view.folders.iter_mut().find(|f| f.id == folder)
    {
        f.unread = f.unread.saturating_sub(1);
    }
}

/// Keep cursors on screen and scroll offsets in range after anything that
/// moves them or changes the pane sizes.
fn keep_in_view(model: &mut Model) {
    if model.focus == Focus::Message && model.open_message().is_none() {
        model.focus = Focus::List;
    }
    let rows = layout::list_rows(model);
    let (height, width) = layout::message_area(model);
    let full = model.full_headers;
    let Some(view) = model.view_mut() else {
        return;
    };
    for list in view.lists.values_mut() {
        if list.cursor < list.top {
            list.top = list.cursor;
        } else if list.cursor >= list.top + rows {
            list.top = list.cursor + 1 - rows;
        }
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
