//! Address completion in postern's own editor, driven through `update`: what is
//! typed in To/Cc/Bcc asks the engine, its answers fill the popup (stale ones
//! dropped), the popup's keys pick and accept, Esc closes only the popup.

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postern::engine::{Command, DraftOp, Event, Outcome, Problem, RequestId};
use postern::mime::Address;
use postern::mime::compose::Written;
use postern::store::{DraftId, DraftRow, NewDraft};
use postern::tui::completion::Completion;
use postern::tui::layer::Layer;
use postern::tui::model::Status;
use postern::tui::writer::Field;
use postern::tui::{Effect, Model, Msg, Settings, Writing, update};
use tui_support::*;

/// A model with postern's own editor open on a new draft of `work`, focus in To.
fn writing() -> Model {
    let settings = Settings {
        writing: Writing {
            editor: None,
            ..Writing::default()
        },
        ..Settings::default()
    };
    let mut model = loaded_into(Model::with_settings((100, 30), CLOCK, settings));
    let effects = press(&mut model, "m");
    let [Effect::Engine(Command::Draft { request, op, .. })] = effects.as_slice() else {
        panic!("a draft is started: {effects:?}");
    };
    assert!(matches!(**op, DraftOp::Start { .. }));
    let row = DraftRow {
        id: DraftId(7),
        account: WORK,
        updated_at: NOW,
        draft: NewDraft {
            written: Written {
                from: "Ada <ada@example.org>".into(),
                ..Written::default()
            },
            ..NewDraft::default()
        },
        outbox: None,
        postponed: false,
    };
    let request = *request;
    engine(
        &mut model,
        Event::Done {
            request,
            outcome: Outcome::Draft {
                draft: Box::new(row),
                notes: Vec::new(),
            },
        },
    );
    assert_eq!(writer(&model).writer.focused_field(), Field::To);
    model
}

fn writer(model: &Model) -> &postern::tui::layer::Writing {
    match model.layers.last() {
        Some(Layer::Writer(writing)) => writing,
        other => panic!("the writer on top, not {other:?}"),
    }
}

fn popup(model: &Model) -> &Completion {
    &writer(model).completion
}

fn to(model: &Model) -> String {
    writer(model).writer.field_text(Field::To)
}

/// The completion requests among `effects`: id and prefix.
fn asked(effects: &[Effect]) -> Vec<(RequestId, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(Command::CompleteAddress {
                request,
                account,
                prefix,
            }) => {
                assert_eq!(*account, WORK);
                Some((*request, prefix.clone()))
            }
            _ => None,
        })
        .collect()
}

fn person(name: &str, email: &str) -> Address {
    Address {
        name: Some(name.into()),
        email: email.into(),
    }
}

fn grace() -> Address {
    person("Grace Okafor", "grace@contoso.com")
}

fn greta() -> Address {
    person("Greta Olsen", "greta@fabrikam.com")
}

fn answer(model: &mut Model, request: RequestId, addresses: Vec<Address>) -> Vec<Effect> {
    engine(
        model,
        Event::Completions {
            request,
            addresses,
            problem: None,
        },
    )
}

/// Types `text` and answers its last request with `addresses`.
fn type_and_answer(model: &mut Model, text: &str, addresses: Vec<Address>) {
    let requests = asked(&press(model, text));
    let (last, _) = requests.last().cloned().expect("a request");
    assert!(answer(model, last, addresses).is_empty());
}

fn send_key(model: &mut Model, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    update(model, Msg::Key(KeyEvent::new(code, modifiers)))
}

#[test]
fn each_letter_typed_asks_and_only_the_latest_answer_is_shown() {
    let mut model = writing();
    let requests = asked(&press(&mut model, "gr"));
    let prefixes: Vec<&str> = requests.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(prefixes, ["g", "gr"]);
    let (stale, latest) = (requests[0].0, requests[1].0);
    assert_ne!(stale, latest);
    answer(&mut model, stale, vec![person("Gus", "gus@x.org")]);
    assert!(!popup(&model).is_shown(), "a stale answer is dropped");
    answer(&mut model, latest, vec![grace(), greta()]);
    assert!(popup(&model).is_shown());
    let shot = screen(&model);
    let rows: Vec<&str> = shot.lines().collect();
    // Under the To field, in its column.
    assert!(rows[1].contains("To:") && rows[1].contains("gr"), "{shot}");
    assert!(
        rows[3].contains("Grace Okafor <grace@contoso.com>"),
        "{shot}"
    );
    assert!(
        rows[4].contains("Greta Olsen <greta@fabrikam.com>"),
        "{shot}"
    );
    assert_eq!(rows[2].chars().nth(9), Some('┌'), "{shot}");
}

#[test]
fn tab_picks_and_enter_writes_the_address_in_place_of_what_was_typed() {
    let mut model = writing();
    press(&mut model, "bob@example.org, ");
    type_and_answer(&mut model, "gr", vec![grace(), greta()]);
    assert!(press(&mut model, "<Tab>").is_empty());
    assert_eq!(popup(&model).selected, Some(0));
    press(&mut model, "<Tab>");
    assert_eq!(popup(&model).selected, Some(1));
    press(&mut model, "<Tab>");
    assert_eq!(popup(&model).selected, Some(0), "round again");
    send_key(&mut model, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(popup(&model).selected, Some(1));
    press(&mut model, "<Enter>");
    assert_eq!(
        to(&model),
        "bob@example.org, Greta Olsen <greta@fabrikam.com>, "
    );
    assert!(!popup(&model).is_shown());
    let w = &writer(&model).writer;
    assert_eq!(
        w.focused_field(),
        Field::To,
        "still in To, for the next one"
    );
    assert_eq!(w.cursor_in_field(), to(&model).chars().count());
    // What was accepted is saved with the rest.
    let saved = update(&mut model, Msg::Tick(CLOCK));
    assert!(
        saved.iter().any(|e| matches!(e,
            Effect::Engine(Command::Draft { op, .. })
                if matches!(&**op, DraftOp::Save { draft, .. }
                    if draft.written.to.ends_with("<greta@fabrikam.com>, ")))),
        "{saved:?}"
    );
}

#[test]
fn ctrl_n_ctrl_p_down_and_up_move_the_pick() {
    let mut model = writing();
    type_and_answer(
        &mut model,
        "gr",
        vec![grace(), greta(), person("Gro", "gro@x.org")],
    );
    press(&mut model, "<C-n>");
    assert_eq!(popup(&model).selected, Some(0));
    press(&mut model, "<Down>");
    assert_eq!(popup(&model).selected, Some(1));
    press(&mut model, "<C-p>");
    assert_eq!(popup(&model).selected, Some(0));
    press(&mut model, "<Up>");
    assert_eq!(popup(&model).selected, Some(2));
    assert_eq!(writer(&model).writer.focused_field(), Field::To);
}

#[test]
fn tab_takes_a_lone_candidate_and_without_a_popup_goes_to_the_next_field() {
    let mut model = writing();
    type_and_answer(&mut model, "gre", vec![greta()]);
    press(&mut model, "<Tab>");
    assert_eq!(to(&model), "Greta Olsen <greta@fabrikam.com>, ");
    assert!(!popup(&model).is_shown());
    press(&mut model, "<Tab>");
    assert_eq!(writer(&model).writer.focused_field(), Field::Cc);
}

#[test]
fn esc_closes_the_popup_only_and_late_answers_stay_closed() {
    let mut model = writing();
    let requests = asked(&press(&mut model, "gr"));
    let latest = requests[1].0;
    answer(&mut model, latest, vec![grace()]);
    press(&mut model, "<Esc>");
    assert!(!popup(&model).is_shown());
    assert_eq!(to(&model), "gr", "nothing written");
    // The address book's answer to the same request comes after: not reopened.
    answer(&mut model, latest, vec![grace(), greta()]);
    assert!(!popup(&model).is_shown());
    // A second Esc is the writer's: done writing, the review shows.
    press(&mut model, "<Esc>");
    assert!(matches!(model.layers.last(), Some(Layer::Review(_))));
}

#[test]
fn enter_with_nothing_picked_is_the_writer_s() {
    let mut model = writing();
    type_and_answer(&mut model, "gr", vec![grace()]);
    press(&mut model, "<Enter>");
    assert_eq!(to(&model), "gr");
    assert!(!popup(&model).is_shown());
    assert_eq!(writer(&model).writer.focused_field(), Field::Cc);
}

#[test]
fn a_second_answer_reorders_and_the_pick_stays_on_its_address() {
    let mut model = writing();
    let requests = asked(&press(&mut model, "gr"));
    let latest = requests[1].0;
    answer(&mut model, latest, vec![grace(), greta()]);
    press(&mut model, "<Tab><Tab>");
    assert_eq!(popup(&model).picked(), Some(&greta()));
    // The address book's answer: its own first, then the store's.
    engine(
        &mut model,
        Event::Completions {
            request: latest,
            addresses: vec![person("Gray", "gray@x.org"), grace(), greta()],
            problem: None,
        },
    );
    assert_eq!(popup(&model).candidates.len(), 3);
    assert_eq!(popup(&model).picked(), Some(&greta()));
}

#[test]
fn an_address_book_failure_is_said_and_the_store_s_addresses_shown() {
    let mut model = writing();
    let requests = asked(&press(&mut model, "gr"));
    let latest = requests[1].0;
    engine(
        &mut model,
        Event::Completions {
            request: latest,
            addresses: vec![grace()],
            problem: Some(Problem {
                cause: Some("it exited with status 3".into()),
                ..Problem::plain("the address book command `abook` failed")
            }),
        },
    );
    assert!(popup(&model).is_shown());
    assert!(
        matches!(&model.status, Status::Error(e) if e.contains("abook") && e.contains("status 3")),
        "{:?}",
        model.status
    );
    assert!(matches!(model.layers.last(), Some(Layer::Writer(_))));
}

#[test]
fn names_from_mail_are_cleaned_in_the_popup_and_in_the_field() {
    let mut model = writing();
    let hostile = person("Mallory\u{1b}]0;pwned\u{7} \u{202e}Boss", "m@evil.example");
    type_and_answer(&mut model, "ma", vec![hostile]);
    let shot = screen(&model);
    assert!(
        !shot.contains('\u{1b}') && !shot.contains('\u{202e}'),
        "{shot:?}"
    );
    assert!(shot.contains("<m@evil.example>"), "{shot}");
    press(&mut model, "<Tab>");
    let text = to(&model);
    assert!(text.ends_with("<m@evil.example>, "), "{text:?}");
    assert!(
        !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{text:?}"
    );
}

#[test]
fn only_to_cc_and_bcc_complete_and_the_word_after_the_last_comma_is_asked() {
    let mut model = writing();
    press(&mut model, "<Tab>");
    let requests = asked(&press(&mut model, "bob@x.org, gr"));
    assert_eq!(requests.last().map(|(_, p)| p.as_str()), Some("gr"));
    assert!(
        asked(&press(&mut model, ", ")).is_empty(),
        "nothing typed after the comma"
    );
    press(&mut model, "<Tab><Tab>");
    assert_eq!(writer(&model).writer.focused_field(), Field::Subject);
    assert!(asked(&press(&mut model, "greetings")).is_empty());
}

#[test]
fn moving_the_cursor_closes_the_popup() {
    let mut model = writing();
    type_and_answer(&mut model, "gr", vec![grace()]);
    let shot = screen(&model);
    assert!(shot.contains("Tab next · Enter take · Esc close"), "{shot}");
    assert!(asked(&press(&mut model, "<Left>")).is_empty());
    assert!(!popup(&model).is_shown());
    assert_eq!(to(&model), "gr");
}
