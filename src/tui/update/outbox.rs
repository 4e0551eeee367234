//! The outbox in the TUI: the "Outbox" entry of the folder pane while an account
//! has messages not sent yet, the layer listing them, and what can be done to one
//! (explain, send again, edit, delete). The engine tells each account's outbox
//! whenever it changes ([`Event::Outbox`](crate::engine::Event)).

use super::super::composer::Asked;
use super::super::layer::{Confirm, ConfirmPurpose, Layer, OutboxChoice, OutboxList, Output};
use super::super::model::{Model, Status};
use super::super::msg::Effect;
use super::compose::ask_outbox;
use crate::engine::{OutboxEntry, OutboxOp, OutboxStatus};
use crate::keys::{Action, Context, Keymap};
use crate::store::{AccountId, OutboxId};

/// The engine's word on an account's outbox.
pub(super) fn told(
    model: &mut Model,
    account: AccountId,
    entries: Vec<OutboxEntry>,
) -> Vec<Effect> {
    for layer in &mut model.layers {
        if let Layer::Outbox(list) = layer
            && list.account == account
        {
            list.replace(entries.clone());
        }
    }
    // A held send no longer waiting (taken back, edited, deleted, or gone) stops
    // counting down.
    let waiting = |id: OutboxId| {
        entries
            .iter()
            .any(|e| e.id == id && matches!(e.status, OutboxStatus::Waiting { .. }))
    };
    model
        .composer
        .held
        .retain(|held| held.account != account || waiting(held.outbox));
    let mut effects = Vec::new();
    let shown = model.account().map(|a| a.id) == Some(account);
    let mut fallen_off = None;
    // Kept even when it comes before the account's folders (the view is made).
    let view = model.main.views.entry(account).or_default();
    view.outbox = entries;
    let rows = view.folder_rows();
    if view.folders_loaded && view.folder_cursor >= rows {
        fallen_off = Some(rows.saturating_sub(1));
    }
    // The entry went with the last message: the cursor goes to the last folder, and
    // its list with it.
    if let Some(last) = fallen_off {
        if shown {
            effects = super::screen::select_folder(model, last);
        } else if let Some(view) = model.main.views.get_mut(&account) {
            view.folder_cursor = last;
        }
    }
    if model.composer.quitting && model.composer.held.is_empty() {
        effects.push(Effect::Quit);
    }
    effects
}

/// Enter on the folder pane's Outbox entry.
pub(super) fn open(model: &mut Model) -> Vec<Effect> {
    let Some(account) = model.account().map(|a| a.id) else {
        return Vec::new();
    };
    let entries = model
        .main
        .views
        .get(&account)
        .map(|v| v.outbox.clone())
        .unwrap_or_default();
    model.layers.push(Layer::Outbox(OutboxList {
        account,
        entries,
        cursor: 0,
    }));
    Vec::new()
}

fn entry(model: &Model, account: AccountId, id: OutboxId) -> Option<OutboxEntry> {
    model
        .main
        .views
        .get(&account)?
        .outbox
        .iter()
        .find(|e| e.id == id)
        .cloned()
}

/// A key in the outbox layer chose `choice` for message `id`.
pub(super) fn choice(
    model: &mut Model,
    account: AccountId,
    id: OutboxId,
    choice: OutboxChoice,
) -> Vec<Effect> {
    let Some(entry) = entry(model, account, id) else {
        model.status = Status::Info("that message is no longer in the outbox".into());
        return Vec::new();
    };
    // A message that may have been delivered is acted on only after the question;
    // the engine checks again on the row as it is then.
    let maybe_sent = entry.status == OutboxStatus::MaybeSent;
    let even_if_maybe_sent = maybe_sent;
    let what = describe(&entry);
    let (op, question) = match choice {
        OutboxChoice::Explain => {
            model.layers.push(Layer::Output(Output::new(
                format!("Outbox: {what}"),
                &explain(&entry, &model.settings.keys),
            )));
            return Vec::new();
        }
        OutboxChoice::Retry if maybe_sent => (
            OutboxOp::Retry {
                id,
                even_if_maybe_sent,
            },
            Some(format!(
                "{what} may have been delivered already (the connection broke, or postern \
                 stopped, while it was being sent). Send it again anyway?"
            )),
        ),
        OutboxChoice::Retry => (
            OutboxOp::Retry {
                id,
                even_if_maybe_sent,
            },
            None,
        ),
        OutboxChoice::Edit if maybe_sent => (
            OutboxOp::Edit {
                id,
                even_if_maybe_sent,
            },
            Some(format!(
                "{what} may have been delivered already. Take it back to edit anyway?"
            )),
        ),
        OutboxChoice::Edit => (
            OutboxOp::Edit {
                id,
                even_if_maybe_sent,
            },
            None,
        ),
        OutboxChoice::Delete => (
            OutboxOp::Delete {
                id,
                even_if_maybe_sent,
            },
            Some(format!(
                "Delete {what} from the outbox? It will not be sent."
            )),
        ),
    };
    match question {
        Some(question) => {
            model.layers.push(Layer::Confirm(Confirm {
                question,
                purpose: ConfirmPurpose::Outbox { account, op },
            }));
            Vec::new()
        }
        None => act(model, account, op),
    }
}

/// Asks the engine for `op` (after the question, when there was one).
pub(super) fn act(model: &mut Model, account: AccountId, op: OutboxOp) -> Vec<Effect> {
    let asked = match op {
        OutboxOp::Retry { .. } => {
            model.status = Status::Busy("sending again…".into());
            Asked::Outbox("queued to be sent again".into())
        }
        OutboxOp::Delete { .. } => Asked::Outbox("deleted from the outbox".into()),
        OutboxOp::Edit { .. } => {
            // The review opens over the main screen, where the draft goes on.
            model.layers.retain(|l| !matches!(l, Layer::Outbox(_)));
            Asked::Open
        }
    };
    vec![ask_outbox(model, account, op, asked)]
}

/// `"Lunch" to bob@example.org`, for questions and titles.
fn describe(entry: &OutboxEntry) -> String {
    let subject = entry.subject.trim();
    let subject = if subject.is_empty() {
        "(no subject)".to_owned()
    } else {
        format!("\"{subject}\"")
    };
    if entry.to.is_empty() {
        subject
    } else {
        format!("{subject} to {}", entry.to)
    }
}

/// Everything known about a message's sending, for the explanation layer; the
/// keys named are the ones in effect.
fn explain(entry: &OutboxEntry, keys: &Keymap) -> String {
    let key = |action| {
        keys.first_key(Context::Outbox, action)
            .unwrap_or_else(|| action.name().to_owned())
    };
    let (retry, edit) = (key(Action::Refresh), key(Action::Edit));
    let mut text = vec![
        format!("To: {}", entry.to),
        format!("Subject: {}", entry.subject),
        format!("State: {}", entry.status.label()),
        format!("Attempts: {}", entry.attempts),
    ];
    let meaning = match entry.status {
        OutboxStatus::Waiting { .. } => {
            "It waits for the undo-send delay, then goes by itself (undo takes it back).".to_owned()
        }
        OutboxStatus::Queued => "It goes with the account's next send.".to_owned(),
        OutboxStatus::Retrying => format!(
            "It failed for now and is tried again by itself, less often each time; {retry} tries now."
        ),
        OutboxStatus::Failed => format!(
            "The server refused it for good: mend it ({edit}) or its cause, then send it again ({retry})."
        ),
        OutboxStatus::MaybeSent => "The connection broke, or postern stopped, while it was being \
             sent: it may have been delivered, so it is never sent again by itself. Check the \
             Sent folder or ask a recipient first."
            .to_owned(),
    };
    text.push(String::new());
    text.push(meaning);
    if let Some(error) = &entry.error {
        text.push(String::new());
        text.extend(error.lines().map(str::to_owned));
    }
    if let Some(reply) = &entry.reply {
        text.push(String::new());
        text.push(format!("The server said: {reply}"));
    }
    text.join("\n")
}
