//! Writing mail from the TUI: starting a message (new, reply, forward, recall), the
//! editor and the review screen, sending with undo, and drafts kept through
//! anything (saved after every edit and on SIGHUP/SIGTERM, recovered at start).
//! The drafts live in the engine's store; this keeps track of the requests.

use super::super::acting::Undo;
use super::super::composer::{Asked, Held};
use super::super::editing::EditOutcome;
use super::super::layer::{
    Confirm, ConfirmPurpose, Layer, Prompt, PromptPurpose, Review, ReviewChoice, ReviewMode,
    TextInput, Writing,
};
use super::super::model::{Focus, Model, Status};
use super::super::msg::Effect;
use super::super::writer::{Writer, WriterReply};
use crate::compose::switch_forward;
use crate::engine::{Command, DraftOp, Outcome, Problem, RequestId, Start};
use crate::keys::Action;
use crate::mime::compose::{Written, guess_mime_type};
use crate::store::{
    AccountId, DraftFile, DraftFileSource, DraftId, DraftRow, FolderRole, MessageId,
};

/// Starts a message for a compose action; `None` for other actions.
pub(super) fn act(model: &mut Model, action: Action) -> Option<Vec<Effect>> {
    let how = match action {
        Action::Compose => return Some(start(model, None)),
        Action::Reply => Start::Reply,
        Action::ReplyAll => Start::ReplyAll,
        Action::ReplyList => Start::ReplyList,
        Action::Forward => Start::Forward,
        Action::ForwardAttached => Start::ForwardAttached,
        Action::EditAsNew => Start::EditAsNew,
        Action::Recall => return Some(recall_selected(model)),
        _ => return None,
    };
    let Some(id) = one_message(model) else {
        return Some(Vec::new());
    };
    Some(start(model, Some((how, id))))
}

/// Enter on a message of a Drafts folder goes on writing it.
pub(super) fn opens_as_draft(model: &Model) -> bool {
    model.main.focus == Focus::List
        && model
            .view()
            .and_then(|v| v.folder())
            .is_some_and(|f| f.role == Some(FolderRole::Drafts))
}

pub(super) fn recall_selected(model: &mut Model) -> Vec<Effect> {
    let Some(message) = one_message(model) else {
        return Vec::new();
    };
    let Some(account) = model.account().map(|a| a.id) else {
        return Vec::new();
    };
    model.status = Status::Busy("opening the draft…".into());
    vec![ask(
        model,
        account,
        DraftOp::Recall { message },
        Asked::Open,
    )]
}

/// The message a reply or forward starts from: the open one, else the selected one.
fn one_message(model: &mut Model) -> Option<MessageId> {
    let view = model.view()?;
    if model.main.focus == Focus::Message
        && let Some(open) = &view.open
    {
        return Some(open.id);
    }
    let list = view.list()?;
    if list.tag_count() > 1 {
        model.status = Status::Info("this works on one message: clear the tags (Esc)".into());
        return None;
    }
    let id = list.selection().first().map(|(id, _)| *id);
    if id.is_none() {
        model.status = Status::Info("no message selected".into());
    }
    id
}

fn start(model: &mut Model, from: Option<(Start, MessageId)>) -> Vec<Effect> {
    let Some(account) = model.account().map(|a| a.id) else {
        model.status = Status::Info("no account to write from".into());
        return Vec::new();
    };
    model.status = Status::Busy("starting the message…".into());
    let op = DraftOp::Start {
        from,
        known: Written::default(),
    };
    vec![ask(model, account, op, Asked::Open)]
}

/// An outbox request, remembered like a draft request.
pub(super) fn ask_outbox(
    model: &mut Model,
    account: AccountId,
    op: crate::engine::OutboxOp,
    asked: Asked,
) -> Effect {
    let request = model.acting.next_request();
    model.composer.ask(request, asked);
    Effect::Engine(Command::Outbox {
        request,
        account,
        op,
    })
}

/// A draft request, remembered so that its answer is put to use.
fn ask(model: &mut Model, account: AccountId, op: DraftOp, asked: Asked) -> Effect {
    let request = model.acting.next_request();
    model.composer.ask(request, asked);
    Effect::Engine(Command::Draft {
        request,
        account,
        op: Box::new(op),
    })
}

/// The engine's answer to a draft request of ours; `None` when it is not one.
pub(super) fn done(
    model: &mut Model,
    request: RequestId,
    outcome: &Outcome,
) -> Option<Vec<Effect>> {
    let asked = model.composer.answered(request)?;
    let effects = match (asked, outcome) {
        (Asked::Open, Outcome::Draft { draft, notes }) => {
            model.status = match notes.first() {
                Some(note) => Status::Error(note.clone()),
                None => Status::None,
            };
            open(model, draft)
        }
        (Asked::Switch { old }, Outcome::Draft { draft, .. }) => switched(model, old, draft),
        // Taken back (undo send): the review, to mend what made you take it back.
        (Asked::Review, Outcome::Draft { draft, .. }) => {
            model.status = Status::Info("taken back: not sent".into());
            model
                .layers
                .retain(|l| !matches!(l, Layer::Review(r) if r.id == draft.id));
            model
                .layers
                .push(Layer::Review(Box::new(Review::new(draft))));
            Vec::new()
        }
        (
            Asked::Save {
                draft,
                edited: true,
            },
            _,
        ) => vec![Effect::ForgetEdit(draft)],
        (Asked::Save { .. }, _) => Vec::new(),
        (Asked::Postpone, _) => {
            model.status = Status::Info("postponed: the draft is kept in Drafts".into());
            Vec::new()
        }
        (Asked::Discard, _) => {
            model.status = Status::Info("draft discarded".into());
            Vec::new()
        }
        (
            Asked::Send { .. },
            Outcome::Held {
                outbox,
                draft,
                until,
            },
        ) => held(model, request, *outbox, *draft, *until),
        (Asked::SendNow, _) => Vec::new(),
        (Asked::Outbox(done), _) => {
            model.status = Status::Info(done);
            Vec::new()
        }
        _ => Vec::new(),
    };
    Some(effects)
}

/// A draft request of ours failed; `None` when it is not one.
pub(super) fn failed(
    model: &mut Model,
    request: RequestId,
    problem: &Problem,
) -> Option<Vec<Effect>> {
    let asked = model.composer.answered(request)?;
    model.status = Status::Error(problem.to_string());
    match asked {
        Asked::Send { draft } => {
            if let Some(review) = review_mut(model, draft) {
                review.mode = ReviewMode::Keys;
            }
        }
        Asked::SendNow => {
            // It stays queued; it goes at the next start.
            model.composer.quitting = false;
        }
        _ => {}
    }
    Some(Vec::new())
}

/// A message to write came: the review, and the editor over it.
fn open(model: &mut Model, row: &DraftRow) -> Vec<Effect> {
    model
        .layers
        .retain(|l| !matches!(l, Layer::Review(r) if r.id == row.id));
    model.layers.push(Layer::Review(Box::new(Review::new(row))));
    write(model, row.id)
}

/// Hands the draft to the editor: the user's (the terminal lent to it), or
/// postern's own as a layer over the review when none is set.
fn write(model: &mut Model, draft: DraftId) -> Vec<Effect> {
    let builtin = model.settings.writing.editor.is_none();
    let Some(review) = review_mut(model, draft) else {
        return Vec::new();
    };
    if builtin {
        let writer = Writer::new(&review.draft.written);
        let account = review.account;
        model.layers.push(Layer::Writer(Box::new(Writing {
            draft,
            account,
            writer,
            completion: Default::default(),
        })));
        return Vec::new();
    }
    let text = review.draft.written.to_text();
    vec![Effect::Edit { draft, text }]
}

/// A key for postern's own editor (on top). Ctrl-x or Esc shows the review; the
/// force-quit key keeps the text, then quits.
pub(super) fn writer_key(model: &mut Model, key: crossterm::event::KeyEvent) -> Vec<Effect> {
    let Some(Layer::Writer(writing)) = model.layers.last_mut() else {
        return Vec::new();
    };
    if let Some(effects) = super::complete::popup_key(writing, key) {
        return effects;
    }
    let field = writing.writer.focused_field();
    match writing.writer.on_key(key) {
        reply @ (WriterReply::Edited | WriterReply::Moved) => {
            super::complete::after_key(model, field, reply)
        }
        WriterReply::Done => finish_writing(model),
        WriterReply::Ignored => {
            let quits = super::super::keymap::chord(&key).is_some_and(|chord| {
                model
                    .settings
                    .keys
                    .lookup(crate::keys::Context::Prompt, chord)
                    == Some(Action::ForceQuit)
            });
            if quits {
                return hangup(model);
            }
            model.status = Status::Info("Ctrl-x finishes writing and shows the review".into());
            Vec::new()
        }
    }
}

/// Text pasted into the terminal (bracketed paste): into the editor or the text
/// field on top.
pub(super) fn paste(model: &mut Model, text: &str) -> Vec<Effect> {
    model.dirty = true;
    match model.layers.last_mut() {
        Some(Layer::Writer(writing)) => {
            writing.writer.paste(text);
        }
        Some(Layer::Prompt(prompt)) => prompt.input.insert(text),
        _ => {}
    }
    Vec::new()
}

/// postern's own editor is done: its text goes to the review under it, and is kept.
fn finish_writing(model: &mut Model) -> Vec<Effect> {
    let Some(Layer::Writer(writing)) = model.layers.pop() else {
        return Vec::new();
    };
    keep_written(model, writing.draft, &writing.writer)
}

/// The writer's text into its review, saved.
fn keep_written(model: &mut Model, draft: DraftId, writer: &Writer) -> Vec<Effect> {
    let Some(review) = review_mut(model, draft) else {
        return Vec::new();
    };
    review.edited(writer.written(), Vec::new());
    save(model, draft, false)
}

/// Every few seconds: what was typed in postern's own editor since the last save
/// is kept, so a dropped connection loses at most that much.
pub(super) fn autosave(model: &mut Model) -> Vec<Effect> {
    let mut changed = Vec::new();
    for layer in &mut model.layers {
        if let Layer::Writer(writing) = layer
            && writing.writer.take_changed()
        {
            changed.push((writing.draft, writing.writer.clone()));
        }
    }
    changed
        .into_iter()
        .flat_map(|(draft, writer)| keep_written(model, draft, &writer))
        .collect()
}

fn review_mut(model: &mut Model, draft: DraftId) -> Option<&mut Review> {
    model.layers.iter_mut().rev().find_map(|layer| match layer {
        Layer::Review(review) if review.id == draft => Some(review.as_mut()),
        _ => None,
    })
}

/// Takes the review of `draft` away.
fn close_review(model: &mut Model, draft: DraftId) -> Option<Review> {
    let at = model
        .layers
        .iter()
        .position(|l| matches!(l, Layer::Review(r) if r.id == draft))?;
    match model.layers.remove(at) {
        Layer::Review(review) => Some(*review),
        _ => None,
    }
}

/// Keeps the review's draft as it is now.
fn save(model: &mut Model, draft: DraftId, edited: bool) -> Vec<Effect> {
    let Some(review) = review_mut(model, draft) else {
        return Vec::new();
    };
    let (account, op) = (
        review.account,
        DraftOp::Save {
            id: draft,
            draft: review.draft.clone(),
        },
    );
    vec![ask(model, account, op, Asked::Save { draft, edited })]
}

/// The editor ended.
pub(super) fn edited(model: &mut Model, draft: DraftId, outcome: EditOutcome) -> Vec<Effect> {
    model.dirty = true;
    let (text, note) = match outcome {
        Ok(edited) => edited,
        Err(why) => {
            model.status = Status::Error(format!("{why} — the draft is kept as it was"));
            return Vec::new();
        }
    };
    if let Some(note) = note {
        model.status = Status::Info(note);
    }
    let Some(review) = review_mut(model, draft) else {
        return Vec::new();
    };
    let (written, problems) = text.written();
    review.edited(written, problems);
    save(model, draft, true)
}

/// A file to attach was looked at.
pub(super) fn attached(
    model: &mut Model,
    draft: DraftId,
    file: Result<(std::path::PathBuf, u64), String>,
) -> Vec<Effect> {
    model.dirty = true;
    let (path, size) = match file {
        Ok(found) => found,
        Err(why) => {
            model.status = Status::Error(why);
            return Vec::new();
        }
    };
    let Some(review) = review_mut(model, draft) else {
        return Vec::new();
    };
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "attachment".into());
    review.draft.files.push(DraftFile {
        mime_type: guess_mime_type(&filename),
        filename: filename.clone(),
        source: DraftFileSource::Path(path),
    });
    review.sizes.push(Some(size));
    review.changed();
    review.file = review.draft.files.len() - 1;
    model.status = Status::Info(format!("attached {filename}"));
    save(model, draft, false)
}

/// The paths that begin with what was typed in a path prompt: one fills it in;
/// several fill in what they share and are listed on the status line.
pub(super) fn paths_found(model: &mut Model, partial: &str, found: &[String]) -> Vec<Effect> {
    model.dirty = true;
    let Some(Layer::Prompt(prompt)) = model.layers.last_mut() else {
        return Vec::new();
    };
    // Typed on meanwhile: this answer is for a text no longer there.
    if prompt.input.text() != partial {
        return Vec::new();
    }
    match found {
        [] => model.status = Status::Info(format!("no file begins with {partial}")),
        [one] => {
            prompt.input.set_text(one);
            model.status = Status::None;
        }
        many => {
            let shared = shared_prefix(many);
            if shared.len() > partial.len() {
                prompt.input.set_text(&shared);
            }
            let names: Vec<&str> = many
                .iter()
                .map(|p| p.trim_end_matches('/').rsplit('/').next().unwrap_or(p))
                .collect();
            model.status = Status::Info(format!("{} files: {}", many.len(), names.join("  ")));
        }
    }
    Vec::new()
}

/// The longest start all of `texts` share, cut at a character boundary.
fn shared_prefix(texts: &[String]) -> String {
    let Some(first) = texts.first() else {
        return String::new();
    };
    let mut end = first.len();
    for text in &texts[1..] {
        end = first
            .char_indices()
            .zip(text.chars())
            .find(|((_, a), b)| a != b)
            .map_or(end.min(text.len()), |((at, _), _)| at.min(end));
    }
    first[..end].to_owned()
}

/// What was chosen in the review.
pub(super) fn choice(model: &mut Model, draft: DraftId, choice: ReviewChoice) -> Vec<Effect> {
    let Some(review) = review_mut(model, draft) else {
        return Vec::new();
    };
    match choice {
        ReviewChoice::Send => {
            if !review.checked.errors.is_empty() {
                let errors = review.checked.errors.join("; ");
                model.status = Status::Error(format!("not sent: {errors}"));
                return Vec::new();
            }
            if review.checked.warnings.is_empty() {
                return send(model, draft);
            }
            let question = format!(
                "{}. Send it anyway?",
                capitalised(&review.checked.warnings.join("; "))
            );
            model.layers.push(Layer::Confirm(Confirm {
                question,
                purpose: ConfirmPurpose::SendAnyway { draft },
            }));
            Vec::new()
        }
        ReviewChoice::Edit => write(model, draft),
        ReviewChoice::Attach => {
            model.layers.push(Layer::Prompt(Prompt {
                purpose: PromptPurpose::Attach(draft),
                label: "Attach the file:".into(),
                input: TextInput::with_text("~/"),
            }));
            Vec::new()
        }
        ReviewChoice::Detach(at) => {
            if at < review.draft.files.len() {
                let file = review.draft.files.remove(at);
                review.sizes.remove(at);
                review.changed();
                model.status = Status::Info(format!("removed {}", file.filename));
            }
            save(model, draft, false)
        }
        ReviewChoice::Postpone => {
            let Some(review) = close_review(model, draft) else {
                return Vec::new();
            };
            model.status = Status::Busy("postponing…".into());
            let op = DraftOp::Postpone {
                id: draft,
                draft: Some(review.draft),
            };
            vec![ask(model, review.account, op, Asked::Postpone)]
        }
        ReviewChoice::Discard => {
            let Some(review) = close_review(model, draft) else {
                return Vec::new();
            };
            vec![ask(
                model,
                review.account,
                DraftOp::Discard { id: draft },
                Asked::Discard,
            )]
        }
        ReviewChoice::ChangeFrom => change_from(model, draft),
        ReviewChoice::ForwardAttached => {
            let Some(original) = review.draft.forwards else {
                model.status = Status::Info("this message forwards nothing".into());
                return Vec::new();
            };
            let attached = review
                .draft
                .files
                .iter()
                .any(|f| f.mime_type == "message/rfc822");
            let how = if attached {
                Start::Forward
            } else {
                Start::ForwardAttached
            };
            let account = review.account;
            let op = DraftOp::Start {
                from: Some((how, original)),
                known: Written::default(),
            };
            vec![ask(model, account, op, Asked::Switch { old: draft })]
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The other kind of forward came: it takes the old one's place, with what was
/// written in it.
fn switched(model: &mut Model, old: DraftId, new: &DraftRow) -> Vec<Effect> {
    let Some(review) = close_review(model, old) else {
        return Vec::new();
    };
    let mut row = new.clone();
    row.draft = switch_forward(&review.draft, &new.draft);
    model
        .layers
        .push(Layer::Review(Box::new(Review::new(&row))));
    model.status = Status::Info(
        if row
            .draft
            .files
            .iter()
            .any(|f| f.mime_type == "message/rfc822")
        {
            "forwarding as an attached message".into()
        } else {
            "forwarding inline".into()
        },
    );
    let mut effects = save(model, row.id, false);
    effects.push(ask(
        model,
        review.account,
        DraftOp::Discard { id: old },
        Asked::Save {
            draft: old,
            edited: false,
        },
    ));
    effects
}

/// From the account's next identity.
fn change_from(model: &mut Model, draft: DraftId) -> Vec<Effect> {
    let Some(review) = review_mut(model, draft) else {
        return Vec::new();
    };
    let account = review.account;
    let name = model.main.account_name(account);
    let identities = model
        .settings
        .writing
        .identities
        .get(&name)
        .cloned()
        .unwrap_or_default();
    let Some(review) = review_mut(model, draft) else {
        return Vec::new();
    };
    if identities.len() < 2 {
        model.status = Status::Info(format!(
            "{name} has one identity; add `identities` to the account to send as another"
        ));
        return Vec::new();
    }
    let now = identities
        .iter()
        .position(|i| i == review.draft.written.from.trim())
        .map_or(0, |at| (at + 1) % identities.len());
    review.draft.written.from = identities[now].clone();
    review.changed();
    model.status = Status::Info(format!("from {}", identities[now]));
    save(model, draft, false)
}

/// Sends the review's draft (the user saw the warnings, if any).
pub(super) fn send(model: &mut Model, draft: DraftId) -> Vec<Effect> {
    let Some(review) = review_mut(model, draft) else {
        return Vec::new();
    };
    review.mode = ReviewMode::Sending;
    let (account, op) = (
        review.account,
        DraftOp::Send {
            id: draft,
            draft: review.draft.clone(),
        },
    );
    model.status = Status::Busy("queueing the message…".into());
    vec![ask(model, account, op, Asked::Send { draft })]
}

/// The message waits in the outbox: the review goes, and undo can take it back.
fn held(
    model: &mut Model,
    request: RequestId,
    outbox: crate::store::OutboxId,
    draft: DraftId,
    until: i64,
) -> Vec<Effect> {
    let Some(review) = close_review(model, draft) else {
        return Vec::new();
    };
    let subject = review.draft.written.subject.trim().to_owned();
    let label = if subject.is_empty() {
        "sent a message".to_owned()
    } else {
        format!("sent \"{subject}\"")
    };
    model
        .acting
        .push_undo(review.account, label, Undo::Send { outbox, until }, request);
    model.composer.held.push(Held {
        account: review.account,
        outbox,
        draft,
        until,
        subject,
    });
    model.status = Status::None;
    Vec::new()
}

/// Undo of a send: take it back while it waits.
pub(super) fn take_back(
    model: &mut Model,
    account: AccountId,
    outbox: crate::store::OutboxId,
) -> Vec<Effect> {
    model.status = Status::Busy("taking the message back…".into());
    vec![ask(
        model,
        account,
        DraftOp::TakeBack { outbox },
        Asked::Review,
    )]
}

/// What the status line says while messages are held: the newest one's countdown.
pub fn countdown(model: &Model, undo_key: &str) -> Option<String> {
    let held = model.composer.held.last()?;
    let left = held.until - model.clock.now;
    let what = if held.subject.is_empty() {
        "the message".to_owned()
    } else {
        format!("\"{}\"", held.subject)
    };
    Some(if left > 0 {
        format!("sending {what} in {left} s — {undo_key} takes it back")
    } else {
        format!("sending {what}…")
    })
}

/// The outbox said what became of a held message.
pub(super) fn settled(model: &mut Model, outbox: crate::store::OutboxId) -> Vec<Effect> {
    model.composer.settled(outbox);
    if model.composer.quitting && model.composer.held.is_empty() {
        return vec![Effect::Quit];
    }
    Vec::new()
}

/// Quitting while messages wait to be sent asks first: they go now, or at the next
/// start.
pub(super) fn quit(model: &mut Model) -> Vec<Effect> {
    let waiting = model.composer.held.len();
    if waiting == 0 {
        return vec![Effect::Quit];
    }
    let question = match waiting {
        1 => "1 message waits to be sent (undo send). Send it now, then quit? (n: quit; it goes at the next start)".to_owned(),
        n => format!("{n} messages wait to be sent (undo send). Send them now, then quit? (n: quit; they go at the next start)"),
    };
    model.layers.push(Layer::Confirm(Confirm {
        question,
        purpose: ConfirmPurpose::SendHeldAndQuit,
    }));
    Vec::new()
}

/// Sends what is held at once and quits when the outbox says it went.
pub(super) fn send_held_and_quit(model: &mut Model) -> Vec<Effect> {
    model.composer.quitting = true;
    model.status = Status::Busy("sending before quitting…".into());
    let held: Vec<(AccountId, crate::store::OutboxId)> = model
        .composer
        .held
        .iter()
        .map(|h| (h.account, h.outbox))
        .collect();
    held.into_iter()
        .map(|(account, outbox)| ask(model, account, DraftOp::SendNow { outbox }, Asked::SendNow))
        .collect()
}

/// Drafts being written when postern last stopped (the engine says so once, at
/// start): offer the newest back; the others are kept in Drafts.
pub(super) fn offer_recovered(model: &mut Model, rows: &[DraftRow]) -> Vec<Effect> {
    let interrupted: Vec<&DraftRow> = rows.iter().filter(|r| r.interrupted()).collect();
    let Some(newest) = interrupted.first() else {
        return Vec::new();
    };
    let subject = newest.draft.written.subject.trim();
    let what = if subject.is_empty() {
        "(no subject)".to_owned()
    } else {
        format!("\"{subject}\"")
    };
    let count = match interrupted.len() {
        1 => "1 draft recovered".to_owned(),
        n => format!("{n} drafts recovered"),
    };
    model.layers.push(Layer::Confirm(Confirm {
        question: format!(
            "{count}: {what} was being written when postern stopped. Open it now? (n keeps it in Drafts)"
        ),
        purpose: ConfirmPurpose::OpenRecovered {
            account: newest.account,
            draft: newest.id,
        },
    }));
    let rest: Vec<(AccountId, DraftId)> =
        interrupted[1..].iter().map(|r| (r.account, r.id)).collect();
    model.composer.recovered.extend(rest);
    Vec::new()
}

/// The answer to "open the recovered draft?": open it, or keep it in Drafts.
pub(super) fn recovered(
    model: &mut Model,
    account: AccountId,
    draft: DraftId,
    open: bool,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if open {
        model.status = Status::Busy("opening the draft…".into());
        effects.push(ask(
            model,
            account,
            DraftOp::Load { id: draft },
            Asked::Open,
        ));
    } else {
        effects.push(postpone_kept(model, account, draft));
    }
    // The others are kept in Drafts, where they can be recalled.
    let rest = std::mem::take(&mut model.composer.recovered);
    for (account, draft) in rest {
        effects.push(postpone_kept(model, account, draft));
    }
    effects
}

fn postpone_kept(model: &mut Model, account: AccountId, draft: DraftId) -> Effect {
    let op = DraftOp::Postpone {
        id: draft,
        draft: None,
    };
    ask(model, account, op, Asked::Postpone)
}

/// The terminal went away or postern must stop: keep every draft open here.
pub(super) fn hangup(model: &mut Model) -> Vec<Effect> {
    let mut effects = Vec::new();
    while let Some(Layer::Writer(_)) = model.layers.last() {
        effects.extend(finish_writing(model));
    }
    let open: Vec<DraftId> = model
        .layers
        .iter()
        .filter_map(|l| match l {
            Layer::Review(r) => Some(r.id),
            _ => None,
        })
        .collect();
    for draft in open {
        // A draft just kept from the writer is saved once.
        if !effects.iter().any(|e| saves(e, draft)) {
            effects.extend(save(model, draft, false));
        }
    }
    effects.push(Effect::Quit);
    effects
}

fn saves(effect: &Effect, draft: DraftId) -> bool {
    matches!(effect, Effect::Engine(Command::Draft { op, .. })
        if matches!(op.as_ref(), DraftOp::Save { id, .. } if *id == draft))
}
