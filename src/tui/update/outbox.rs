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
use crate::store::{AccountId, OutboxId};

/// The engine's word on an account's outbox.
pub(super) fn told(model: &mut Model, account: AccountId, entries: Vec<OutboxEntry>) {
    for layer in &mut model.layers {
        if let Layer::Outbox(list) = layer
            && list.account == account
        {
            list.replace(entries.clone());
        }
    }
    if let Some(view) = model.main.views.get_mut(&account) {
        view.outbox = entries;
        // The entry goes with the last message: the cursor stays in the pane.
        let rows = view.folder_rows();
        if view.folder_cursor >= rows {
            view.folder_cursor = rows.saturating_sub(1);
        }
    }
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
    let maybe_sent = entry.status == OutboxStatus::MaybeSent;
    let what = describe(&entry);
    let (op, question) = match choice {
        OutboxChoice::Explain => {
            model.layers.push(Layer::Output(Output::new(
                format!("Outbox: {what}"),
                &explain(&entry),
            )));
            return Vec::new();
        }
        OutboxChoice::Retry if maybe_sent => (
            OutboxOp::Retry { id },
            Some(format!(
                "{what} may have been delivered already (the connection broke after the \
                 server had it). Send it again anyway?"
            )),
        ),
        OutboxChoice::Retry => (OutboxOp::Retry { id }, None),
        OutboxChoice::Edit if maybe_sent => (
            OutboxOp::Edit { id },
            Some(format!(
                "{what} may have been delivered already. Take it back to edit anyway?"
            )),
        ),
        OutboxChoice::Edit => (OutboxOp::Edit { id }, None),
        OutboxChoice::Delete => (
            OutboxOp::Delete { id },
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
            Asked::Outbox("sent to the server again".into())
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

/// Everything known about a message's sending, for the explanation layer.
fn explain(entry: &OutboxEntry) -> String {
    let mut text = vec![
        format!("To: {}", entry.to),
        format!("Subject: {}", entry.subject),
        format!("State: {}", entry.status.label()),
        format!("Attempts: {}", entry.attempts),
    ];
    let meaning = match entry.status {
        OutboxStatus::Waiting { .. } => {
            "It waits for the undo-send delay, then goes by itself (u takes it back)."
        }
        OutboxStatus::Queued => "It goes with the account's next send.",
        OutboxStatus::Retrying => {
            "It failed for now and is tried again by itself, less often each time; Ctrl-r tries now."
        }
        OutboxStatus::Failed => {
            "The server refused it for good: mend it (e) or its cause, then send it again (Ctrl-r)."
        }
        OutboxStatus::MaybeSent => {
            "The connection broke after the server had it: it may have been delivered, so it is \
             never sent again by itself. Check the Sent folder or ask a recipient first."
        }
    };
    text.push(String::new());
    text.push(meaning.to_owned());
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
