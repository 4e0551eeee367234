//! Writing mail in the TUI, driven through `update` as the event loop drives it:
//! keys in, the engine's answers played back, the effects and the screen checked.
//! The same flows run against Dovecot in `tui_compose_stack.rs`.

mod tui_support;

use postern::engine::{
    Command, DraftOp, Event, OutboxEntry, OutboxOp, OutboxStatus, Outcome, RequestId, Start,
};
use postern::mime::compose::Written;
use postern::store::{DraftId, DraftRow, MessageId, NewDraft, OutboxId};
use postern::tui::layer::Layer;
use postern::tui::model::Status;
use postern::tui::{Effect, Model, Msg, Settings, Writing, update};
use tui_support::*;

const DRAFT: DraftId = DraftId(7);

/// A model on the loaded inbox whose editor is `editor` (`None`: postern's own).
fn writing_with(editor: Option<&str>) -> Model {
    let settings = Settings {
        writing: Writing {
            editor: editor.map(str::to_owned),
            ..Writing::default()
        },
        ..Settings::default()
    };
    loaded_into(Model::with_settings((120, 40), CLOCK, settings))
}

fn draft_row(written: Written) -> DraftRow {
    DraftRow {
        id: DRAFT,
        account: WORK,
        updated_at: NOW,
        draft: NewDraft {
            written,
            ..NewDraft::default()
        },
        outbox: None,
        postponed: false,
    }
}

fn ada() -> Written {
    Written {
        from: "Ada <ada@example.org>".into(),
        ..Written::default()
    }
}

/// The one draft request among `effects`.
fn draft_request(effects: &[Effect]) -> (RequestId, DraftOp) {
    let asked: Vec<(RequestId, DraftOp)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(Command::Draft { request, op, .. }) => Some((*request, (**op).clone())),
            _ => None,
        })
        .collect();
    assert_eq!(asked.len(), 1, "one draft request in {effects:?}");
    asked.into_iter().next().unwrap()
}

fn done(model: &mut Model, request: RequestId, outcome: Outcome) -> Vec<Effect> {
    engine(model, Event::Done { request, outcome })
}

/// `m`, and the engine's new draft: the effects that follow.
fn compose(model: &mut Model, written: Written) -> Vec<Effect> {
    let (request, op) = draft_request(&press(model, "m"));
    assert!(matches!(op, DraftOp::Start { from: None, .. }), "{op:?}");
    done(
        model,
        request,
        Outcome::Draft {
            draft: Box::new(draft_row(written)),
            notes: Vec::new(),
        },
    )
}

fn saved_written(op: &DraftOp) -> Written {
    match op {
        DraftOp::Save { id, draft } => {
            assert_eq!(*id, DRAFT);
            draft.written.clone()
        }
        other => panic!("not a save: {other:?}"),
    }
}

#[test]
fn the_editor_gets_the_headers_and_the_review_shows_what_came_back() {
    let mut model = writing_with(Some("vi"));
    let effects = compose(&mut model, ada());
    let [Effect::Edit { draft, text }] = effects.as_slice() else {
        panic!("the editor is asked for: {effects:?}");
    };
    assert_eq!(*draft, DRAFT);
    for header in [
        "From: Ada <ada@example.org>",
        "To:",
        "Cc:",
        "Bcc:",
        "Subject:",
    ] {
        assert!(text.contains(header), "{header} in\n{text}");
    }
    let edited = text
        .replace("To: ", "To: bob@example.org")
        .replace("Subject: ", "Subject: Lunch")
        + "Thursday?\n";
    let file = postern::compose::EditedText {
        text: edited,
        not_utf8: Vec::new(),
    };
    let effects = update(
        &mut model,
        Msg::Edited {
            draft: DRAFT,
            outcome: Ok((file, None)),
        },
    );
    let (_, op) = draft_request(&effects);
    let written = saved_written(&op);
    assert_eq!(written.to, "bob@example.org");
    assert_eq!(written.subject, "Lunch");
    assert_eq!(written.body.trim(), "Thursday?");
    let shot = screen(&model);
    assert!(shot.contains("Review before sending"), "{shot}");
    assert!(shot.contains("bob@example.org"), "{shot}");
    assert!(shot.contains("Thursday?"), "{shot}");
}

#[test]
fn an_editor_that_fails_keeps_the_draft_as_it_was() {
    let mut model = writing_with(Some("false"));
    compose(&mut model, ada());
    let effects = update(
        &mut model,
        Msg::Edited {
            draft: DRAFT,
            outcome: Err("the editor `false` exited with status 1".into()),
        },
    );
    assert!(
        effects.is_empty(),
        "nothing saved over the draft: {effects:?}"
    );
    assert!(matches!(model.layers.last(), Some(Layer::Review(_))));
    assert!(
        matches!(&model.status, Status::Error(e) if e.contains("kept as it was")),
        "{:?}",
        model.status
    );
}

#[test]
fn without_an_editor_postern_s_own_opens_and_ctrl_x_shows_the_review() {
    let mut model = writing_with(None);
    assert!(compose(&mut model, ada()).is_empty());
    assert!(matches!(model.layers.last(), Some(Layer::Writer(_))));
    // The focus starts on To; plain letters are text, not keys (q does not quit).
    let effects = press(
        &mut model,
        "bob@example.org<Tab><Tab><Tab>quarterly<Tab>q and j",
    );
    // Only the address completions typing in To asks for.
    assert!(
        effects
            .iter()
            .all(|e| matches!(e, Effect::Engine(Command::CompleteAddress { .. }))),
        "{effects:?}"
    );
    let shot = screen(&model);
    assert!(shot.contains("bob@example.org"), "{shot}");
    let effects = press(&mut model, "<C-x>");
    let (_, op) = draft_request(&effects);
    let written = saved_written(&op);
    assert_eq!(written.to, "bob@example.org");
    assert_eq!(written.subject, "quarterly");
    assert_eq!(written.body, "q and j");
    assert!(matches!(model.layers.last(), Some(Layer::Review(_))));
    // `e` in the review writes again, in postern's editor, where it was left.
    assert!(press(&mut model, "e").is_empty());
    let Some(Layer::Writer(writing)) = model.layers.last() else {
        panic!("the writer again: {:?}", model.layers.last());
    };
    assert_eq!(writing.writer.written().subject, "quarterly");
}

#[test]
fn what_is_typed_in_postern_s_editor_is_saved_every_tick_it_changed() {
    let mut model = writing_with(None);
    compose(&mut model, ada());
    let tick = |model: &mut Model| update(model, Msg::Tick(CLOCK));
    assert!(tick(&mut model).is_empty(), "nothing typed, nothing saved");
    press(&mut model, "carol@example.org");
    let (_, op) = draft_request(&tick(&mut model));
    assert_eq!(saved_written(&op).to, "carol@example.org");
    assert!(tick(&mut model).is_empty(), "saved once");
    assert!(matches!(model.layers.last(), Some(Layer::Writer(_))));
}

#[test]
fn a_hangup_while_writing_saves_the_text_then_quits() {
    let mut model = writing_with(None);
    compose(&mut model, ada());
    press(&mut model, "dave@example.org");
    let effects = update(&mut model, Msg::Hangup);
    assert_eq!(effects.last(), Some(&Effect::Quit), "{effects:?}");
    let saves: Vec<Written> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(Command::Draft { op, .. }) => Some(saved_written(op)),
            _ => None,
        })
        .collect();
    assert_eq!(saves.len(), 1, "saved once: {effects:?}");
    assert_eq!(saves[0].to, "dave@example.org");
}

#[test]
fn ctrl_c_in_postern_s_editor_keeps_the_text_before_quitting() {
    let mut model = writing_with(None);
    compose(&mut model, ada());
    press(&mut model, "erin@example.org");
    let effects = press(&mut model, "<C-c>");
    assert_eq!(effects.last(), Some(&Effect::Quit), "{effects:?}");
    let (_, op) = draft_request(&effects[..effects.len() - 1]);
    assert_eq!(saved_written(&op).to, "erin@example.org");
}

#[test]
fn a_paste_goes_into_the_field_as_text_without_escape_sequences() {
    let mut model = writing_with(None);
    compose(&mut model, ada());
    update(
        &mut model,
        Msg::Paste("frank@example.org\u{1b}]52;c;cm0gLXJmIH4=\u{7}".into()),
    );
    let Some(Layer::Writer(writing)) = model.layers.last() else {
        panic!("the writer");
    };
    let to = writing.writer.written().to;
    assert!(to.starts_with("frank@example.org"), "{to:?}");
    assert!(!to.contains('\u{1b}') && !to.contains('\u{7}'), "{to:?}");
}

/// A draft written to bob, in its review.
fn reviewing(model: &mut Model) {
    compose(
        model,
        Written {
            to: "bob@example.org".into(),
            subject: "Lunch".into(),
            body: "Thursday?\n".into(),
            ..ada()
        },
    );
    press(model, "<C-x>");
    assert!(matches!(model.layers.last(), Some(Layer::Review(_))));
}

#[test]
fn y_sends_and_u_takes_it_back_while_it_is_held() {
    let mut model = writing_with(None);
    reviewing(&mut model);
    let (request, op) = draft_request(&press(&mut model, "y"));
    let DraftOp::Send { id, draft } = op else {
        panic!("a send: {op:?}");
    };
    assert_eq!(id, DRAFT);
    assert_eq!(draft.written.to, "bob@example.org");
    let until = NOW + 10;
    done(
        &mut model,
        request,
        Outcome::Held {
            outbox: OutboxId(3),
            draft: DRAFT,
            until,
        },
    );
    assert!(model.layers.is_empty(), "{:?}", model.layers);
    let shot = screen(&model);
    assert!(
        shot.contains("sending \"Lunch\" in 10 s — u takes it back"),
        "{shot}"
    );
    // The engine tells the outbox: it waits there.
    let waiting = OutboxEntry {
        status: OutboxStatus::Waiting { until },
        ..outbox_entry(3, "Lunch", OutboxStatus::Queued)
    };
    engine(
        &mut model,
        Event::Outbox {
            account: WORK,
            entries: vec![waiting],
        },
    );
    assert_eq!(model.composer.held.len(), 1);
    let (request, op) = draft_request(&press(&mut model, "u"));
    assert_eq!(
        op,
        DraftOp::TakeBack {
            outbox: OutboxId(3)
        }
    );
    // Taken back: the outbox is empty, and nothing counts down any more.
    engine(
        &mut model,
        Event::Outbox {
            account: WORK,
            entries: Vec::new(),
        },
    );
    assert!(model.composer.held.is_empty());
    assert!(!screen(&model).contains("sending \"Lunch\""));
    // Taken back: the draft comes back to the review, to mend.
    done(
        &mut model,
        request,
        Outcome::Draft {
            draft: Box::new(draft_row(draft.written.clone())),
            notes: Vec::new(),
        },
    );
    assert!(
        model
            .layers
            .iter()
            .any(|l| matches!(l, Layer::Review(r) if r.id == DRAFT)),
        "{:?}",
        model.layers
    );
}

#[test]
fn a_message_without_recipients_is_not_sent_and_says_why() {
    let mut model = writing_with(None);
    compose(&mut model, ada());
    press(&mut model, "<C-x>");
    let effects = press(&mut model, "y");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(
        matches!(&model.status, Status::Error(e) if e.starts_with("not sent:")),
        "{:?}",
        model.status
    );
}

#[test]
fn q_in_the_review_asks_postpone_or_discard() {
    let mut model = writing_with(None);
    reviewing(&mut model);
    assert!(press(&mut model, "q").is_empty());
    let shot = screen(&model);
    assert!(
        shot.contains("postpone") || shot.contains("Postpone"),
        "{shot}"
    );
    let (_, op) = draft_request(&press(&mut model, "p"));
    let DraftOp::Postpone {
        id,
        draft: Some(kept),
    } = op
    else {
        panic!("a postpone with the text: {op:?}");
    };
    assert_eq!(id, DRAFT);
    assert_eq!(kept.written.subject, "Lunch");
    assert!(model.layers.is_empty(), "{:?}", model.layers);
}

#[test]
fn r_asks_for_a_reply_to_the_selected_message() {
    let mut model = writing_with(None);
    let (_, op) = draft_request(&press(&mut model, "r"));
    let DraftOp::Start {
        from: Some((Start::Reply, id)),
        ..
    } = op
    else {
        panic!("a reply: {op:?}");
    };
    let (_, op) = draft_request(&press(&mut model, "R"));
    assert!(
        matches!(op, DraftOp::Start { from: Some((Start::ReplyAll, other)), .. } if other == id),
        "{op:?}"
    );
    let (_, op) = draft_request(&press(&mut model, "f"));
    assert!(
        matches!(op, DraftOp::Start { from: Some((Start::Forward, other)), .. } if other == id),
        "{op:?}"
    );
    assert_ne!(id, MessageId(0));
}

#[test]
fn a_draft_interrupted_last_time_is_offered_back() {
    let mut model = writing_with(None);
    let mut row = draft_row(Written {
        subject: "Half written".into(),
        ..ada()
    });
    row.updated_at = NOW - 60;
    assert!(engine(&mut model, Event::Interrupted(vec![row])).is_empty());
    let shot = screen(&model);
    assert!(
        shot.contains("\"Half written\" was being written"),
        "{shot}"
    );
    let (_, op) = draft_request(&press(&mut model, "y"));
    assert_eq!(op, DraftOp::Load { id: DRAFT });
}

fn outbox_entry(id: i64, subject: &str, status: OutboxStatus) -> OutboxEntry {
    OutboxEntry {
        id: OutboxId(id),
        to: "bob@example.org".into(),
        subject: subject.into(),
        queued_at: NOW - 600,
        attempts: 2,
        status,
        error: match status {
            OutboxStatus::Failed => Some("554 5.7.1 Rejected: looks like spam".into()),
            _ => None,
        },
        reply: None,
        draft: None,
    }
}

/// The inbox with an outbox of three, the folder pane's cursor on "Outbox", opened.
fn in_the_outbox() -> Model {
    let mut model = writing_with(None);
    let entries = vec![
        outbox_entry(1, "Refused", OutboxStatus::Failed),
        outbox_entry(2, "Later", OutboxStatus::Retrying),
        outbox_entry(3, "Unsure", OutboxStatus::MaybeSent),
    ];
    told_outbox(&mut model, entries);
    // To the folder pane, then past the last folder.
    press(&mut model, "hGj");
    let shot = screen(&model);
    assert!(shot.contains("Outbox (failed)"), "{shot}");
    assert!(press(&mut model, "<Enter>").is_empty());
    assert!(matches!(model.layers.last(), Some(Layer::Outbox(_))));
    model
}

fn outbox_request(effects: &[Effect]) -> OutboxOp {
    match effects {
        [
            Effect::Engine(Command::Outbox {
                account: WORK, op, ..
            }),
        ] => *op,
        other => panic!("one outbox request: {other:?}"),
    }
}

/// The engine tells WORK's outbox; the UI has nothing to do about it.
fn told_outbox(model: &mut Model, entries: Vec<OutboxEntry>) {
    let effects = engine(
        model,
        Event::Outbox {
            account: WORK,
            entries,
        },
    );
    assert!(effects.is_empty(), "{effects:?}");
}

/// At start the drafts keeper may tell an account's outbox before the accounts
/// are even loaded: it is kept, and shown once the folders are.
#[test]
fn an_outbox_told_before_the_accounts_is_shown_with_the_folders() {
    let mut model = Model::new((120, 40), CLOCK);
    let entries = vec![outbox_entry(1, "Unsure", OutboxStatus::MaybeSent)];
    told_outbox(&mut model, entries);
    let model = loaded_into(model);
    let shot = screen(&model);
    assert!(shot.contains("Outbox (failed)"), "{shot}");
    assert!(shot.contains("INBOX"), "{shot}");
}

#[test]
fn the_outbox_lists_each_message_with_its_state_and_explains_it() {
    let mut model = in_the_outbox();
    let shot = screen(&model);
    for line in [
        "failed",
        "will retry",
        "maybe sent",
        "Refused",
        "Later",
        "Unsure",
    ] {
        assert!(shot.contains(line), "{line} in\n{shot}");
    }
    assert!(
        shot.contains("554 5.7.1 Rejected"),
        "the selected one's failure:\n{shot}"
    );
    press(&mut model, "<Enter>");
    let shot = screen(&model);
    assert!(shot.contains("refused it for good"), "{shot}");
    press(&mut model, "q");
    assert!(matches!(model.layers.last(), Some(Layer::Outbox(_))));
}

#[test]
fn ctrl_r_sends_again_and_asks_first_when_it_may_have_been_sent() {
    let mut model = in_the_outbox();
    assert_eq!(
        outbox_request(&press(&mut model, "<C-r>")),
        OutboxOp::Retry {
            id: OutboxId(1),
            even_if_maybe_sent: false
        }
    );
    assert!(press(&mut model, "jj<C-r>").is_empty(), "a question first");
    assert!(screen(&model).contains("may have been delivered already"));
    assert_eq!(
        outbox_request(&press(&mut model, "y")),
        OutboxOp::Retry {
            id: OutboxId(3),
            even_if_maybe_sent: true
        }
    );
}

#[test]
fn d_deletes_after_asking_and_e_takes_it_back_into_the_review() {
    let mut model = in_the_outbox();
    assert!(press(&mut model, "jd").is_empty());
    assert!(screen(&model).contains("It will not be sent"));
    assert_eq!(
        outbox_request(&press(&mut model, "y")),
        OutboxOp::Delete {
            id: OutboxId(2),
            even_if_maybe_sent: false
        }
    );
    let effects = press(&mut model, "ke");
    assert_eq!(
        outbox_request(&effects),
        OutboxOp::Edit {
            id: OutboxId(1),
            even_if_maybe_sent: false
        }
    );
    assert!(!model.layers.iter().any(|l| matches!(l, Layer::Outbox(_))));
    let Effect::Engine(Command::Outbox { request, .. }) = &effects[0] else {
        unreachable!()
    };
    done(
        &mut model,
        *request,
        Outcome::Draft {
            draft: Box::new(draft_row(Written {
                to: "bob@example.org".into(),
                subject: "Refused".into(),
                ..ada()
            })),
            notes: Vec::new(),
        },
    );
    assert!(
        model.layers.iter().any(|l| matches!(l, Layer::Review(_))),
        "{:?}",
        model.layers
    );
}

#[test]
fn the_outbox_entry_goes_when_the_last_message_is_sent() {
    let mut model = in_the_outbox();
    press(&mut model, "q");
    engine(
        &mut model,
        Event::Outbox {
            account: WORK,
            entries: Vec::new(),
        },
    );
    let shot = screen(&model);
    assert!(!shot.contains("Outbox"), "{shot}");
    let view = model.view().unwrap();
    assert!(
        view.folder_cursor < view.folders.len(),
        "the cursor is on a folder"
    );
}

/// The text inside the box titled `title` on `screen`, its lines joined by spaces.
fn boxed_text(screen: &str, title: &str) -> String {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let top = lines
        .iter()
        .position(|l| l.iter().collect::<String>().contains(title))
        .unwrap_or_else(|| panic!("no box {title:?} on\n{screen}"));
    let left = lines[top]
        .iter()
        .rposition(|&c| c == '┌')
        .expect("the box's corner");
    let right = left
        + lines[top][left..]
            .iter()
            .position(|&c| c == '┐')
            .expect("the box's other corner");
    let mut inside = Vec::new();
    for line in &lines[top + 1..] {
        if line.get(left) == Some(&'└') {
            break;
        }
        let text: String = line[left + 1..right.min(line.len())].iter().collect();
        inside.push(text.trim().to_owned());
    }
    inside.join(" ")
}

#[test]
fn a_long_question_is_shown_whole_with_its_keys() {
    let mut model = writing_with(None);
    let mut row = draft_row(Written {
        subject: "Minutes of the planning meeting of the platform team, with the open questions"
            .into(),
        ..ada()
    });
    row.updated_at = NOW - 60;
    engine(&mut model, Event::Interrupted(vec![row]));
    let text = boxed_text(&screen(&model), "Are you sure?");
    assert!(
        text.contains(
            "\"Minutes of the planning meeting of the platform team, with the open questions\" \
             was being written when postern stopped. Open it now? (n keeps it in Drafts)"
        ),
        "{text}"
    );
    assert!(text.ends_with("y for yes, n for no"), "{text}");
}

#[test]
fn tab_in_the_attach_prompt_completes_the_path() {
    let mut model = writing_with(None);
    reviewing(&mut model);
    press(&mut model, "a");
    assert!(matches!(model.layers.last(), Some(Layer::Prompt(_))));
    press(&mut model, "rep");
    assert_eq!(
        press(&mut model, "<Tab>"),
        vec![Effect::CompletePath {
            partial: "~/rep".into()
        }]
    );
    let prompt_text = |model: &Model| match model.layers.last() {
        Some(Layer::Prompt(prompt)) => prompt.input.text().to_owned(),
        other => panic!("the prompt: {other:?}"),
    };
    // Several: what they share, and their names on the status line.
    let found = vec!["~/report-draft.odt".to_owned(), "~/report.pdf".to_owned()];
    update(
        &mut model,
        Msg::PathsFound {
            partial: "~/rep".into(),
            found,
        },
    );
    assert_eq!(prompt_text(&model), "~/report");
    assert!(status_line(&model).contains("report-draft.odt  report.pdf"));
    // One: filled in. An answer for a text no longer typed is dropped.
    press(&mut model, ".");
    update(
        &mut model,
        Msg::PathsFound {
            partial: "~/rep".into(),
            found: vec!["~/repo/".into()],
        },
    );
    assert_eq!(prompt_text(&model), "~/report.");
    update(
        &mut model,
        Msg::PathsFound {
            partial: "~/report.".into(),
            found: vec!["~/report.pdf".into()],
        },
    );
    assert_eq!(prompt_text(&model), "~/report.pdf");
}

#[test]
fn l_replies_to_the_list_and_e_edits_a_copy_as_new() {
    let mut model = writing_with(None);
    let (_, op) = draft_request(&press(&mut model, "L"));
    assert!(
        matches!(
            op,
            DraftOp::Start {
                from: Some((Start::ReplyList, _)),
                ..
            }
        ),
        "{op:?}"
    );
    let (_, op) = draft_request(&press(&mut model, "e"));
    assert!(
        matches!(
            op,
            DraftOp::Start {
                from: Some((Start::EditAsNew, _)),
                ..
            }
        ),
        "{op:?}"
    );
}

#[test]
fn f_in_the_review_sends_from_the_account_s_next_identity() {
    let mut settings = Settings {
        writing: Writing::default(),
        ..Settings::default()
    };
    settings.writing.identities.insert(
        "work".into(),
        vec![
            "Ada <ada@example.org>".into(),
            "Helpdesk <help@example.org>".into(),
        ],
    );
    let mut model = loaded_into(Model::with_settings((120, 40), CLOCK, settings));
    reviewing(&mut model);
    let (_, op) = draft_request(&press(&mut model, "f"));
    assert_eq!(saved_written(&op).from, "Helpdesk <help@example.org>");
    assert!(screen(&model).contains("help@example.org"));
    let (_, op) = draft_request(&press(&mut model, "f"));
    assert_eq!(
        saved_written(&op).from,
        "Ada <ada@example.org>",
        "round again"
    );
}

#[test]
fn a_in_the_review_of_a_forward_switches_to_an_attached_forward() {
    let mut model = writing_with(None);
    let mut row = draft_row(Written {
        to: "bob@example.org".into(),
        subject: "Fwd: Plans".into(),
        ..ada()
    });
    row.draft.forwards = Some(MessageId(5));
    let (request, _) = draft_request(&press(&mut model, "m"));
    done(
        &mut model,
        request,
        Outcome::Draft {
            draft: Box::new(row),
            notes: Vec::new(),
        },
    );
    press(&mut model, "<C-x>");
    let (request, op) = draft_request(&press(&mut model, "A"));
    assert_eq!(
        op,
        DraftOp::Start {
            from: Some((Start::ForwardAttached, MessageId(5))),
            known: Written::default(),
        }
    );
    // The new draft takes the old one's place, keeping what was written.
    let mut attached = draft_row(Written {
        subject: "Fwd: Plans".into(),
        ..ada()
    });
    attached.id = DraftId(8);
    let effects = done(
        &mut model,
        request,
        Outcome::Draft {
            draft: Box::new(attached),
            notes: Vec::new(),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Engine(Command::Draft { op, .. })
            if **op == DraftOp::Discard { id: DRAFT })),
        "the old draft goes: {effects:?}"
    );
    let reviews: Vec<DraftId> = model
        .layers
        .iter()
        .filter_map(|l| match l {
            Layer::Review(r) => Some(r.id),
            _ => None,
        })
        .collect();
    assert_eq!(reviews, [DraftId(8)]);
    let Some(Layer::Review(review)) = model.layers.last() else {
        unreachable!()
    };
    assert_eq!(review.draft.written.to, "bob@example.org");
}
