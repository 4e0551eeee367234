//! What the engine says: data to show, and the answers to what was asked.

use super::super::list::PAGE_SIZE;
use super::super::model::{Model, Status};
use super::super::msg::Effect;
use super::{complete, compose, mail, outbox, screen};
use crate::engine::{Command, Event, Problem};
use crate::store::{AccountId, FolderId};

pub(super) fn on_event(model: &mut Model, event: Event) -> Vec<Effect> {
    match event {
        Event::Accounts(accounts) => accounts_arrived(model, accounts),
        Event::Folders { account, folders } => folders_arrived(model, account, folders),
        Event::Envelopes {
            folder,
            page,
            total,
            index,
            mut rows,
        } => {
            let current_folder = model.view().and_then(|v| v.folder()).map(|f| f.id);
            // Fewer rows than a page, as the store had them: the folder's edge.
            let edge = rows.len() < PAGE_SIZE;
            // What is in flight is shown on top of what the store says.
            let hidden = model.acting.overlay_rows(&mut rows);
            let total = total.saturating_sub(hidden.max(model.acting.hidden_in(folder)));
            let Some(list) = model
                .main
                .views
                .values_mut()
                .find_map(|v| v.lists.get_mut(&folder))
            else {
                return Vec::new();
            };
            if !list.apply(page, total, index, rows, edge) {
                return Vec::new();
            }
            if current_folder != Some(folder) {
                list.defer_follow_up();
                return Vec::new();
            }
            list.follow_up().map(Effect::Engine).into_iter().collect()
        }
        Event::PageFailed { folder, problem } => {
            model.status = Status::Error(format!("loading messages: {problem}"));
            for view in model.main.views.values_mut() {
                if let Some(list) = view.lists.get_mut(&folder) {
                    list.forget_pending();
                }
            }
            Vec::new()
        }
        Event::Completions {
            request,
            addresses,
            problem,
        } => {
            complete::answered(model, request, addresses, problem);
            Vec::new()
        }
        Event::Ids { folder, messages } => {
            mail::tag_ids(model, folder, messages);
            Vec::new()
        }
        Event::Message { id, rendered } => {
            for view in model.main.views.values_mut() {
                if let Some(open) = view.open.as_mut().filter(|o| o.id == id) {
                    open.rendered = Some(rendered.clone());
                    open.layout = None;
                }
            }
            Vec::new()
        }
        Event::Changed { account, folders } => changed(model, account, &folders),
        Event::Interrupted(drafts) => compose::offer_recovered(model, &drafts),
        Event::Outbox { account, entries } => outbox::told(model, account, entries),
        Event::Done { request, outcome } => {
            if let Some(effects) = compose::done(model, request, &outcome) {
                return effects;
            }
            mail::done(model, request, outcome);
            Vec::new()
        }
        Event::Failed { request, problem } => match compose::failed(model, request, &problem) {
            Some(effects) => effects,
            None => mail::failed(model, request, problem),
        },
        Event::Error { context, problem } => {
            model.status = Status::Error(format!("{context}: {problem}"));
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
                model.main.account_name(account)
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
                model.main.account_name(account),
                delay.as_secs().max(1)
            );
            inform(model, text);
            Vec::new()
        }
        Event::Sent {
            account,
            reply,
            outbox,
        } => {
            let text = format!("{}: sent ({reply})", model.main.account_name(account));
            model.status = Status::Info(text);
            compose::settled(model, outbox)
        }
        Event::SendFailed {
            account,
            error,
            outbox,
            ..
        } => {
            let problem = Problem::plain(format!("not sent, kept in the outbox: {error}"));
            let text = format!("{}: {problem}", model.main.account_name(account));
            model.status = Status::Error(text);
            match outbox {
                Some(outbox) => compose::settled(model, outbox),
                None => Vec::new(),
            }
        }
    }
}

fn accounts_arrived(model: &mut Model, accounts: Vec<crate::store::AccountRow>) -> Vec<Effect> {
    let previous = model.account().map(|a| a.id);
    model.main.accounts = accounts;
    let main = &mut model.main;
    main.views
        .retain(|id, _| main.accounts.iter().any(|a| a.id == *id));
    main.current = None;
    let keep = previous
        .and_then(|id| main.accounts.iter().position(|a| a.id == id))
        .unwrap_or(0);
    if keep >= main.accounts.len() {
        return Vec::new();
    }
    let mut effects = screen::switch_account(model, keep);
    // A first load of accounts is not a switch: no refresh needed.
    effects.retain(|e| !matches!(e, Effect::Engine(Command::Refresh { .. })));
    // Every tab shows its unread count, so every account's folders are loaded.
    for account in &model.main.accounts {
        let view = model.main.views.entry(account.id).or_default();
        if !view.folders_asked {
            view.folders_asked = true;
            effects.push(Effect::Engine(Command::LoadFolders {
                account: account.id,
            }));
        }
    }
    effects
}

fn folders_arrived(
    model: &mut Model,
    account: AccountId,
    mut folders: Vec<crate::store::FolderRow>,
) -> Vec<Effect> {
    model.acting.overlay_folders(&mut folders);
    let is_current = model.account().map(|a| a.id) == Some(account);
    let view = model.main.views.entry(account).or_default();
    let previous = view.folder().map(|f| f.id);
    let first_load = !view.folders_loaded;
    view.folders = folders;
    view.folders_loaded = true;
    let by_id = previous.and_then(|id| view.folders.iter().position(|f| f.id == id));
    view.folder_cursor = by_id
        .or_else(|| first_load.then(|| screen::first_folder(view)))
        .unwrap_or(0)
        .min(view.folders.len().saturating_sub(1));
    let folders = &view.folders;
    view.lists
        .retain(|id, _| folders.iter().any(|f| f.id == *id));
    if previous.is_some() && view.folder().map(|f| f.id) != previous {
        view.open = None;
    }
    if is_current {
        screen::ensure_list(view).into_iter().collect()
    } else {
        Vec::new()
    }
}

/// The store changed: the folder list always, and the lists of `folders` (the shown
/// one now, the others when next shown).
fn changed(model: &mut Model, account: AccountId, folders: &[FolderId]) -> Vec<Effect> {
    if matches!(model.status, Status::Busy(_)) && model.acting.in_flight() == 0 {
        model.status = Status::None;
    }
    let is_current = model.account().map(|a| a.id) == Some(account);
    let Some(view) = model.main.views.get_mut(&account) else {
        return Vec::new();
    };
    let mut effects = vec![Effect::Engine(Command::LoadFolders { account })];
    let shown = view.folder().map(|f| f.id);
    for folder in folders {
        if let Some(list) = view.lists.get_mut(folder) {
            if is_current && Some(*folder) == shown {
                effects.extend(list.reload().map(Effect::Engine));
            } else {
                list.stale = true;
            }
        }
    }
    effects
}

/// Show `text` unless an error is on show (errors stay until the next key).
/// Says what background work is doing, never over an error.
fn inform(model: &mut Model, text: String) {
    if !matches!(model.status, Status::Error(_)) {
        model.status = Status::Busy(text);
    }
}

fn folder_name(model: &Model, account: AccountId, folder: FolderId) -> String {
    model
        .main
        .views
        .get(&account)
        .and_then(|view| view.folders.iter().find(|f| f.id == folder))
        .map_or_else(|| "a folder".to_owned(), |f| f.name.clone())
}
