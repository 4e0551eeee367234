//! Acting on mail through the real `update`, with no IO: every action shows at once,
//! asks the engine with a request, is kept on `Done`, rolled back on `Failed`, and
//! can be undone. The same actions against Dovecot are in `tui_stack.rs`.

mod tui_support;

use postern::engine::{Command, Event, Operation, Outcome, Problem, Remedy, RequestId};
use postern::store::{Flags, FolderId, MessageId, Page};
use postern::tui::layer::{ConfirmPurpose, Layer};
use postern::tui::model::{Focus, Model, Status};
use postern::tui::{Effect, Settings};
use tui_support::*;

fn flagged() -> Flags {
    Flags {
        flagged: true,
        ..Flags::default()
    }
}

fn seen() -> Flags {
    Flags {
        seen: true,
        ..Flags::default()
    }
}

fn none() -> Flags {
    Flags::default()
}

fn id(n: usize) -> MessageId {
    envelope(WORK_INBOX, n).id
}

/// The one `Run` among `effects`.
fn run(effects: &[Effect]) -> (RequestId, Operation) {
    let runs = runs(effects);
    assert_eq!(runs.len(), 1, "{effects:?}");
    let (request, account, op) = runs.into_iter().next().unwrap();
    assert_eq!(account, WORK);
    (request, op)
}

fn done(model: &mut Model, request: RequestId) -> Vec<Effect> {
    engine(
        model,
        Event::Done {
            request,
            outcome: Outcome::Nothing,
        },
    )
}

fn failed(model: &mut Model, request: RequestId, problem: Problem) -> Vec<Effect> {
    engine(model, Event::Failed { request, problem })
}

fn row_flags(model: &Model, n: usize) -> Flags {
    let list = model.view().and_then(|v| v.list()).expect("list");
    list.flags_of(id(n)).expect("row loaded")
}

fn shown_ids(model: &Model) -> Vec<MessageId> {
    let list = model.view().and_then(|v| v.list()).expect("list");
    list.rows().iter().map(|r| r.id).collect()
}

fn counts(model: &Model, folder: FolderId) -> (u32, u32) {
    let view = model.view().expect("view");
    let f = view
        .folders
        .iter()
        .find(|f| f.id == folder)
        .expect("folder");
    (f.total, f.unread)
}

fn info(model: &Model) -> String {
    match &model.status {
        Status::Info(text) | Status::Busy(text) | Status::Error(text) => text.clone(),
        Status::None => String::new(),
    }
}

fn refused() -> Problem {
    Problem {
        what: "mail.work.example:993 refused UID MOVE: NO [OVERQUOTA] Quota exceeded".into(),
        cause: Some("the mailbox is over its storage quota".into()),
        fix: Some("delete or archive old mail and empty the Trash, then try again".into()),
        remedy: None,
    }
}

#[test]
fn flag_shows_at_once_is_kept_on_done_and_undone_after_it() {
    let mut model = loaded((120, 40));
    // Message 0 is not flagged: F flags it, drawn in the same frame.
    let effects = press(&mut model, "F");
    let (request, op) = run(&effects);
    assert_eq!(
        op,
        Operation::SetFlags {
            ids: vec![id(0)],
            add: flagged(),
            remove: none()
        }
    );
    assert!(row_flags(&model, 0).flagged);
    assert!(screen(&model).contains(" NF"), "{}", screen(&model));
    assert_eq!(info(&model), "flagged 1 message");
    done(&mut model, request);
    assert!(row_flags(&model, 0).flagged);

    // Undone even after the server said yes: the flags as they were.
    let (_, op) = run(&press(&mut model, "u"));
    assert_eq!(
        op,
        Operation::SetFlags {
            ids: vec![id(0)],
            add: none(),
            remove: flagged()
        }
    );
    assert!(!row_flags(&model, 0).flagged);
    assert_eq!(info(&model), "undone: flagged 1 message");
    assert!(press(&mut model, "u").is_empty());
    assert_eq!(info(&model), "nothing to undo");
}

#[test]
fn a_refused_change_rolls_back_with_its_explanation() {
    let mut model = loaded((120, 40));
    assert_eq!(counts(&model, WORK_INBOX), (340, 3));
    // Mark read: message 0 is unread, the INBOX count drops at once.
    let (request, op) = run(&press(&mut model, "U"));
    assert_eq!(
        op,
        Operation::SetFlags {
            ids: vec![id(0)],
            add: seen(),
            remove: none()
        }
    );
    assert_eq!(counts(&model, WORK_INBOX), (340, 2));
    failed(&mut model, request, refused());
    assert!(!row_flags(&model, 0).seen, "rolled back");
    assert_eq!(counts(&model, WORK_INBOX), (340, 3));
    // What happened, the likely cause and the fix, each on its own line over the
    // bottom of the screen (the status line alone would cut them at 120 columns).
    let shot = screen(&model);
    let bottom: Vec<&str> = shot.lines().rev().take(3).collect();
    assert!(
        bottom[2].contains("refused UID MOVE: NO [OVERQUOTA]"),
        "{shot}"
    );
    assert!(
        bottom[1].contains("likely cause: the mailbox is over its storage quota"),
        "{shot}"
    );
    assert!(
        bottom[0].contains("fix: delete or archive old mail"),
        "{shot}"
    );
    // The next key puts the screen back.
    press(&mut model, "j");
    assert!(!screen(&model).contains("likely cause"));
    // A refused change is nothing to undo.
    press(&mut model, "u");
    assert_eq!(info(&model), "nothing to undo");
}

#[test]
fn delete_takes_the_row_out_at_once_and_undo_moves_it_back() {
    let mut model = loaded((120, 40));
    press(&mut model, "jj");
    let (request, op) = run(&press(&mut model, "d"));
    assert_eq!(op, Operation::Delete { ids: vec![id(2)] });
    assert!(!shown_ids(&model).contains(&id(2)));
    // The cursor stays in place: now on the next message.
    let list = model.view().and_then(|v| v.list()).unwrap();
    assert_eq!(list.selected().map(|r| r.id), Some(id(3)));
    assert_eq!(list.total, 339);
    // Message 2 was unread: INBOX loses it from both counts, the Trash gains it.
    assert_eq!(counts(&model, WORK_INBOX), (339, 2));
    assert_eq!(counts(&model, WORK_TRASH), (341, 1));
    assert!(
        status_line(&model).contains("3/339"),
        "{}",
        status_line(&model)
    );
    // The store's answer to a reload still has it (the engine has not said Done):
    // it stays out of the list.
    let changed = Event::Changed {
        account: WORK,
        folders: vec![WORK_INBOX],
    };
    assert!(engine(&mut model, changed).contains(&ask_first(WORK_INBOX)));
    engine(&mut model, first_page(WORK_INBOX, 200, 340));
    assert!(!shown_ids(&model).contains(&id(2)));
    assert_eq!(model.view().and_then(|v| v.list()).unwrap().total, 339);
    done(&mut model, request);

    let (_, op) = run(&press(&mut model, "u"));
    assert_eq!(
        op,
        Operation::Move {
            ids: vec![id(2)],
            to: WORK_INBOX
        }
    );
    // The counts move back at once; the row comes back with the reload that follows.
    assert_eq!(counts(&model, WORK_INBOX), (340, 3));
    assert_eq!(counts(&model, WORK_TRASH), (340, 0));
}

#[test]
fn in_the_trash_delete_asks_first_and_cannot_be_undone() {
    let mut model = loaded((120, 40));
    // The Trash is the last folder: K twice from the INBOX (past the first, Archive).
    assert_eq!(
        press(&mut model, "KK"),
        vec![ask_first(WORK_ARCHIVE), ask_first(WORK_TRASH)]
    );
    engine(
        &mut model,
        Event::Envelopes {
            folder: WORK_TRASH,
            page: Page::First,
            total: 3,
            index: Some(0),
            rows: (0..3).map(|n| envelope(WORK_TRASH, n)).collect(),
        },
    );
    assert!(press(&mut model, "d").is_empty());
    assert!(matches!(
        model.layers.last(),
        Some(Layer::Confirm(c)) if matches!(c.purpose, ConfirmPurpose::DeleteForGood(_))
    ));
    assert!(screen(&model).contains("Delete 1 message for good? This cannot be undone."));
    // Enter is not yes; a key that means nothing says what does.
    assert!(press(&mut model, "<Enter>").is_empty());
    assert!(
        info(&model).contains("y for yes, n for no"),
        "{}",
        info(&model)
    );
    assert!(press(&mut model, "n").is_empty());
    assert!(model.layers.is_empty());
    press(&mut model, "d");
    let (_, op) = run(&press(&mut model, "y"));
    assert_eq!(
        op,
        Operation::Delete {
            ids: vec![envelope(WORK_TRASH, 0).id]
        }
    );
    assert!(model.layers.is_empty());
    press(&mut model, "u");
    assert_eq!(info(&model), "nothing to undo");
}

#[test]
fn move_goes_through_a_folder_picker_that_takes_typed_text() {
    let mut model = loaded((120, 40));
    assert!(press(&mut model, "s").is_empty());
    let shot = screen(&model);
    assert!(shot.contains("Move 1 message to"), "{shot}");
    assert!(
        !shot.contains("│INBOX │"),
        "the folder it is in is not offered"
    );
    // `j` and `k` are text here, not moves.
    press(&mut model, "prjk");
    assert!(screen(&model).contains("no folder matches"));
    press(&mut model, "<BS><BS>");
    let Some(Layer::Picker(picker)) = model.layers.last() else {
        panic!("no picker")
    };
    let names: Vec<&str> = picker.matches().into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["Projects", "Projects/postern"]);
    assert!(
        status_line(&model).contains("Enter chooses, Esc cancels"),
        "{}",
        status_line(&model)
    );
    let effects = press(&mut model, "<Down><Enter>");
    let (request, op) = run(&effects);
    assert_eq!(
        op,
        Operation::Move {
            ids: vec![id(0)],
            to: FolderId(14)
        }
    );
    assert!(model.layers.is_empty());
    assert!(!shown_ids(&model).contains(&id(0)));
    assert_eq!(info(&model), "moved 1 message to Projects/postern");
    // Refused: it comes back (the list is asked for again) and says why.
    let effects = failed(&mut model, request, refused());
    assert!(effects.contains(&cmd(Command::LoadFolders { account: WORK })));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Engine(Command::LoadEnvelopes { folder, page: Page::First, .. }) if *folder == WORK_INBOX
    )));
    engine(&mut model, first_page(WORK_INBOX, 200, 340));
    assert!(shown_ids(&model).contains(&id(0)));
    // Esc leaves the picker without moving anything.
    press(&mut model, "s");
    assert!(press(&mut model, "<Esc>").is_empty());
    assert!(model.layers.is_empty());
}

#[test]
fn copy_leaves_the_list_as_it_is() {
    let mut model = loaded((120, 40));
    press(&mut model, "C");
    press(&mut model, "arch");
    let (_, op) = run(&press(&mut model, "<Enter>"));
    assert_eq!(
        op,
        Operation::Copy {
            ids: vec![id(0)],
            to: WORK_ARCHIVE
        }
    );
    assert!(shown_ids(&model).contains(&id(0)));
    assert_eq!(info(&model), "copied 1 message to Archive");
}

#[test]
fn tags_gather_what_an_action_works_on_and_esc_clears_them() {
    let mut model = loaded((120, 40));
    press(&mut model, "tt");
    assert_eq!(info(&model), "2 tagged");
    let list = model.view().and_then(|v| v.list()).unwrap();
    assert_eq!(list.cursor, 2, "tag moves down");
    let shot = screen(&model);
    assert!(shot.contains("INBOX — 2 tagged"), "{shot}");
    assert!(shot.contains("│*N  @"), "tagged rows are marked:\n{shot}");
    // Message 1 is flagged, message 0 is not: F flags both.
    let (request, op) = run(&press(&mut model, "F"));
    assert_eq!(
        op,
        Operation::SetFlags {
            ids: vec![id(0)],
            add: flagged(),
            remove: none()
        }
    );
    done(&mut model, request);
    assert!(row_flags(&model, 0).flagged && row_flags(&model, 1).flagged);
    // F again: all flagged now, so both are unflagged.
    let (_, op) = run(&press(&mut model, "F"));
    assert_eq!(
        op,
        Operation::SetFlags {
            ids: vec![id(0), id(1)],
            add: none(),
            remove: flagged()
        }
    );
    // Esc: the tags first, then the focus.
    press(&mut model, "<Esc>");
    assert_eq!(info(&model), "tags cleared");
    assert_eq!(model.main.focus, Focus::List);
    press(&mut model, "<Esc>");
    assert_eq!(model.main.focus, Focus::Folders);
}

#[test]
fn tag_all_takes_every_message_of_the_folder_loaded_or_not() {
    let mut model = loaded((120, 40));
    assert_eq!(
        press(&mut model, "<C-a>"),
        vec![cmd(Command::LoadIds { folder: WORK_INBOX })]
    );
    let messages: Vec<(MessageId, Flags)> = (0..340)
        .map(|n| (id(n), envelope(WORK_INBOX, n).flags))
        .collect();
    engine(
        &mut model,
        Event::Ids {
            folder: WORK_INBOX,
            messages,
        },
    );
    assert_eq!(info(&model), "340 tagged");
    let (_, op) = run(&press(&mut model, "d"));
    let Operation::Delete { ids } = op else {
        panic!("{op:?}")
    };
    assert_eq!(ids.len(), 340);
    assert!(shown_ids(&model).is_empty());
    assert_eq!(counts(&model, WORK_INBOX), (0, 0));
}

#[test]
fn archive_without_an_archive_folder_asks_to_create_one() {
    let mut model = loaded((120, 40));
    let (request, op) = run(&press(&mut model, "a"));
    assert_eq!(
        op,
        Operation::Archive {
            ids: vec![id(0)],
            create: false
        }
    );
    assert!(!shown_ids(&model).contains(&id(0)));
    let problem = Problem {
        what: "work has no folder \"Archive\" to archive to".into(),
        cause: None,
        fix: None,
        remedy: Some(Remedy::CreateFolder {
            name: "Archive".into(),
        }),
    };
    failed(&mut model, request, problem);
    engine(&mut model, first_page(WORK_INBOX, 200, 340));
    assert!(shown_ids(&model).contains(&id(0)), "back while it asks");
    assert!(
        screen(&model)
            .contains("work has no folder \"Archive\". Create it and archive 1 message there?")
    );
    let (_, op) = run(&press(&mut model, "y"));
    assert_eq!(
        op,
        Operation::Archive {
            ids: vec![id(0)],
            create: true
        }
    );
    assert!(!shown_ids(&model).contains(&id(0)));
}

#[test]
fn pipe_asks_for_a_command_and_shows_what_it_printed() {
    let mut model = loaded((120, 40));
    press(&mut model, "|");
    assert!(screen(&model).contains("Pipe 1 message to the command:"));
    // Every character is text in a prompt: j, q and ? included.
    let (request, op) = run(&press(&mut model, "jq -r .?<Enter>"));
    assert_eq!(
        op,
        Operation::Pipe {
            ids: vec![id(0)],
            command: "jq -r .?".into()
        }
    );
    engine(
        &mut model,
        Event::Done {
            request,
            outcome: Outcome::Text("line one\nline two\n".into()),
        },
    );
    let shot = screen(&model);
    assert!(shot.contains("Output of `jq -r .?`"), "{shot}");
    assert!(shot.contains("line two"), "{shot}");
    press(&mut model, "q");
    assert!(model.layers.is_empty());
    // An empty command is no command.
    press(&mut model, "|<Enter>");
    assert!(model.layers.is_empty());
}

#[test]
fn save_asks_for_a_path_starting_at_home() {
    let mut model = loaded((120, 40));
    press(&mut model, "tt");
    press(&mut model, "S");
    assert!(screen(&model).contains("Save 2 messages to:"));
    let (request, op) = run(&press(&mut model, "mail<Enter>"));
    assert_eq!(
        op,
        Operation::Save {
            ids: vec![id(0), id(1)],
            path: "~/mail".into()
        }
    );
    engine(
        &mut model,
        Event::Done {
            request,
            outcome: Outcome::Text("saved 2 messages in /home/me/mail".into()),
        },
    );
    assert_eq!(info(&model), "saved 2 messages in /home/me/mail");
}

#[test]
fn undo_goes_back_several_levels_newest_first() {
    let mut model = loaded((120, 40));
    for (keys, request) in [("F", 1), ("jU", 2), ("jd", 3)] {
        let effects = press(&mut model, keys);
        assert_eq!(run(&effects).0, RequestId(request));
        done(&mut model, RequestId(request));
    }
    let (_, op) = run(&press(&mut model, "u"));
    assert!(
        matches!(op, Operation::Move { ref ids, to } if ids == &vec![id(2)] && to == WORK_INBOX)
    );
    assert_eq!(
        info(&model),
        "undone: deleted 1 message (to the Trash) (2 more to undo)"
    );
    let (_, op) = run(&press(&mut model, "u"));
    assert_eq!(
        op,
        Operation::SetFlags {
            ids: vec![id(1)],
            add: none(),
            remove: seen()
        }
    );
    let (_, op) = run(&press(&mut model, "u"));
    assert!(
        matches!(op, Operation::SetFlags { ref ids, remove, .. } if ids == &vec![id(0)] && remove == flagged())
    );
}

#[test]
fn an_undo_that_fails_for_a_passing_reason_can_be_tried_again() {
    let mut model = loaded((120, 40));
    let (request, _) = run(&press(&mut model, "d"));
    done(&mut model, request);
    let (undo, _) = run(&press(&mut model, "u"));
    let lost = Problem {
        remedy: Some(Remedy::TryAgain),
        ..Problem::plain("the connection to mail.work.example:993 was lost during UID MOVE")
    };
    failed(&mut model, undo, lost);
    assert!(status_line(&model).contains("was lost"));
    // After the reconnect, u again.
    let (undo, op) = run(&press(&mut model, "u"));
    assert_eq!(
        op,
        Operation::Move {
            ids: vec![id(0)],
            to: WORK_INBOX
        }
    );
    // For good this time (the message was deleted elsewhere): gone from the history,
    // so the older changes can still be undone.
    failed(
        &mut model,
        undo,
        Problem::plain("no message with id 110000 in the store"),
    );
    press(&mut model, "u");
    assert_eq!(info(&model), "nothing to undo");
}

#[test]
fn a_refused_flag_change_takes_back_only_its_own_bits() {
    let mut model = loaded((120, 40));
    // Opening message 0 marks it read (request 1); F then flags it (request 2).
    let effects = press(&mut model, "<Enter>F");
    let requests: Vec<RequestId> = runs(&effects).into_iter().map(|(r, _, _)| r).collect();
    assert_eq!(requests, [RequestId(1), RequestId(2)]);
    assert_eq!(counts(&model, WORK_INBOX), (340, 2));
    failed(&mut model, RequestId(1), refused());
    let flags = row_flags(&model, 0);
    assert!(!flags.seen, "the refused read is taken back");
    assert!(flags.flagged, "the flag, a change of its own, stays");
    assert_eq!(counts(&model, WORK_INBOX), (340, 3));
}

#[test]
fn a_question_that_comes_with_an_answer_waits_under_what_is_being_typed() {
    let mut model = loaded((120, 40));
    let (request, _) = run(&press(&mut model, "a"));
    // The user starts a pipe command before the engine answers.
    press(&mut model, "|ye");
    let problem = Problem {
        remedy: Some(Remedy::CreateFolder {
            name: "Archive".into(),
        }),
        ..Problem::plain("work has no folder \"Archive\" to archive to")
    };
    failed(&mut model, request, problem);
    // `y` went on as text into the prompt, not as yes to the new question.
    press(&mut model, "s");
    let Some(Layer::Prompt(prompt)) = model.layers.last() else {
        panic!("the prompt is still on top")
    };
    assert_eq!(prompt.input.text(), "yes");
    press(&mut model, "<Esc>");
    assert!(matches!(model.layers.last(), Some(Layer::Confirm(_))));
}

#[test]
fn the_store_failing_to_give_a_page_lets_it_be_asked_again() {
    let mut model = loaded((120, 40));
    let asked = press(&mut model, &"j".repeat(150));
    assert_eq!(asked.len(), 1);
    engine(
        &mut model,
        Event::PageFailed {
            folder: WORK_INBOX,
            problem: Problem::plain("store: database is locked"),
        },
    );
    assert!(status_line(&model).contains("database is locked"));
    assert_eq!(press(&mut model, "j"), asked, "asked again");
    // An unrelated failure elsewhere does not forget the page on its way.
    engine(
        &mut model,
        Event::Error {
            context: "home: watching the INBOX for new mail".into(),
            problem: Problem::plain("connection refused"),
        },
    );
    assert!(press(&mut model, "j").is_empty(), "still on its way");
    engine(&mut model, page_after(WORK_INBOX, 200, 140, 340));
    assert_eq!(
        model.view().and_then(|v| v.list()).unwrap().rows().len(),
        340
    );
}

#[test]
fn mail_text_in_the_layers_is_drawn_harmlessly() {
    let mut model = loaded((120, 40));
    let mut folders = work_folders();
    folders[3].name = "Evil\u{1b}]0;owned\u{7}Folder\u{202e}".into();
    engine(
        &mut model,
        Event::Folders {
            account: WORK,
            folders,
        },
    );
    press(&mut model, "s");
    let shot = screen(&model);
    assert!(shot.contains("EvilFolder"), "{shot}");
    press(&mut model, "<Esc>|cat<Enter>");
    engine(
        &mut model,
        Event::Done {
            request: RequestId(1),
            outcome: Outcome::Text("plain \u{1b}[2J\u{1b}]52;c;cm0gLXJmIH4=\u{7}text\n".into()),
        },
    );
    let shot = screen(&model);
    assert!(shot.contains("plain text"), "{shot}");
    assert!(
        !shot.chars().any(|c| c.is_control() && c != '\n'),
        "{shot:?}"
    );
    assert!(!shot.contains("52;c"), "{shot}");
}

#[test]
fn acting_from_the_open_message_works_on_it_and_deleting_it_shows_the_next() {
    let mut model = loaded((120, 40));
    press(&mut model, "jjjtt");
    press(&mut model, "k<Enter>");
    engine(
        &mut model,
        Event::Message {
            id: id(4),
            rendered: rendered("x"),
        },
    );
    // In the message view the tags do not count: F flags the open message.
    let (_, op) = run(&press(&mut model, "F"));
    assert_eq!(
        op,
        Operation::SetFlags {
            ids: vec![id(4)],
            add: flagged(),
            remove: none()
        }
    );
    let effects = press(&mut model, "d");
    assert_eq!(run(&effects).1, Operation::Delete { ids: vec![id(4)] });
    assert!(
        effects.contains(&cmd(Command::OpenMessage {
            id: id(5),
            width: 94
        })),
        "the next message opens: {effects:?}"
    );
    assert_eq!(model.open_message().map(|o| o.id), Some(id(5)));
    // J and K open the next and the previous message.
    let effects = press(&mut model, "J");
    assert!(effects.contains(&cmd(Command::OpenMessage {
        id: id(6),
        width: 94
    })));
    let effects = press(&mut model, "KK");
    assert!(effects.contains(&cmd(Command::OpenMessage {
        id: id(3),
        width: 94
    })));
}

#[test]
fn space_at_the_end_of_a_message_opens_the_next_unread_one() {
    let mut model = loaded((120, 40));
    press(&mut model, "<Enter>");
    engine(
        &mut model,
        Event::Message {
            id: id(0),
            rendered: rendered("x"),
        },
    );
    // Not at the end yet: Space pages.
    assert!(press(&mut model, "<Space>").is_empty());
    assert!(model.open_message().unwrap().scroll > 0);
    let effects = press(&mut model, "G<Space>");
    assert!(
        effects.contains(&cmd(Command::OpenMessage {
            id: id(1),
            width: 94
        })),
        "{effects:?}"
    );
}

#[test]
fn actions_from_the_folder_pane_say_where_to_go() {
    let mut model = loaded((120, 40));
    press(&mut model, "<Esc>");
    assert_eq!(model.main.focus, Focus::Folders);
    assert!(press(&mut model, "d").is_empty());
    assert_eq!(info(&model), "select a message in the list first");
    // go-folder works anywhere.
    press(&mut model, "cpost<Enter>");
    assert_eq!(model.main.focus, Focus::List);
    assert_eq!(
        model.view().and_then(|v| v.folder()).map(|f| f.id),
        Some(FolderId(14))
    );
}

#[test]
fn sent_shows_who_the_mail_went_to() {
    let mut model = loaded((120, 40));
    assert_eq!(press(&mut model, "J"), vec![ask_first(WORK_SENT)]);
    engine(
        &mut model,
        Event::Envelopes {
            folder: WORK_SENT,
            page: Page::First,
            total: 2,
            index: Some(0),
            rows: (0..2).map(|n| envelope(WORK_SENT, n)).collect(),
        },
    );
    let shot = screen(&model);
    assert!(shot.contains("To: Recipient 0"), "{shot}");
    assert!(!shot.contains("Sender 0"), "{shot}");
}

#[test]
fn the_theme_colours_what_it_names_and_no_color_drops_colours() {
    use ratatui::style::{Color, Modifier};
    let cell_at = |model: &Model, text: &str| {
        let shot = screen(model);
        let y = shot.lines().position(|l| l.contains(text)).expect("row") as u16;
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        terminal.draw(|f| postern::tui::view(model, f)).unwrap();
        terminal.backend().buffer()[(60, y)].clone()
    };
    let mut model = loaded((120, 40));
    press(&mut model, "t");
    let tagged = cell_at(&model, "Subject number 0 ");
    assert_eq!(tagged.fg, Color::Cyan);
    assert!(tagged.modifier.contains(Modifier::BOLD));
    let flagged = cell_at(&model, "Subject number 1 ");
    assert!(flagged.modifier.contains(Modifier::REVERSED), "cursor row");

    let settings = Settings {
        theme: postern::tui::theme::Theme::new(&Default::default(), true),
        ..Default::default()
    };
    let mut plain = loaded_into(Model::with_settings((120, 40), CLOCK, settings));
    press(&mut plain, "t");
    let tagged = cell_at(&plain, "Subject number 0 ");
    assert_eq!(tagged.fg, Color::Reset);
    assert!(tagged.modifier.contains(Modifier::BOLD));
}
