//! The TUI driven through the real `update`, drawn to ratatui's `TestBackend`: the
//! screens, moving about, paging, and the event loop. Acting on mail is in
//! `tui_actions.rs`.

mod tui_support;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use postern::engine::{Command, DraftOp, Event, Operation, Outcome, Problem, RequestId, Start};
use postern::keys::{Action, Context, Keymap};
use postern::store::{EnvelopeRow, Flags, MessageId, Page};
use postern::tui::keymap;
use postern::tui::layer::Layer;
use postern::tui::model::{Focus, Status};
use postern::tui::view::text;
use postern::tui::{Clock, Effect, Model, Msg, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::*;

// ---------- tests ----------

#[test]
fn first_screen() {
    for size in [(120, 40), (80, 24)] {
        let model = loaded(size);
        let shot = screen(&model);
        assert!(shot.contains("Subject number 0 in folder 11"));
        assert!(shot.contains("1/340"), "position in status line:\n{shot}");
        insta::assert_snapshot!(format!("first_screen_{}x{}", size.0, size.1), shot);
    }
}

#[test]
fn screen_before_anything_arrives() {
    let model = Model::new((80, 24), CLOCK);
    insta::assert_snapshot!("empty_80x24", screen(&model));
}

#[test]
fn opening_a_message_asks_for_it_at_the_pane_width() {
    // 120 wide: folders 24 columns, the message under the list in the other 96,
    // less its border.
    let mut model = loaded((120, 40));
    let effects = press(&mut model, "jj<Enter>");
    let id = envelope(WORK_INBOX, 2).id;
    let seen = Flags {
        seen: true,
        ..Flags::default()
    };
    // It is unread: opening also marks it read, on the server too.
    assert_eq!(
        effects,
        vec![
            cmd(Command::OpenMessage { id, width: 94 }),
            cmd(Command::Run {
                request: RequestId(1),
                account: WORK,
                op: Operation::SetFlags {
                    ids: vec![id],
                    add: seen,
                    remove: Flags::default()
                }
            })
        ]
    );
    assert_eq!(model.main.focus, Focus::Message);
    // Narrow: the message takes the whole width. A read message is only opened.
    let mut narrow = loaded((80, 24));
    assert_eq!(
        press(&mut narrow, "jjj<Right>"),
        vec![cmd(Command::OpenMessage {
            id: envelope(WORK_INBOX, 3).id,
            width: 78
        })]
    );
}

#[test]
fn message_open_and_scrolled() {
    for size in [(120, 40), (80, 24)] {
        let mut model = loaded(size);
        press(&mut model, "jj<Enter>");
        let loading = screen(&model);
        assert!(loading.contains("loading…"));
        let id = envelope(WORK_INBOX, 2).id;
        engine(
            &mut model,
            Event::Message {
                id,
                rendered: rendered("Quarterly report"),
            },
        );
        let shot = screen(&model);
        assert!(shot.contains("Subject: Quarterly report"));
        insta::assert_snapshot!(format!("message_open_{}x{}", size.0, size.1), shot);

        // Scrolling stops at the last line: the attachment list is then on screen.
        press(&mut model, "G");
        let bottom = screen(&model);
        assert!(
            bottom.contains("report.pdf application/pdf  240 KiB"),
            "{bottom}"
        );
        assert!(bottom.contains("photo.jpg"));
        assert!(!bottom.contains("Subject: Quarterly"));
        insta::assert_snapshot!(format!("message_bottom_{}x{}", size.0, size.1), bottom);
        let scrolled = model.open_message().expect("open").scroll;
        press(&mut model, "jjj<PgDn><C-d>");
        assert_eq!(model.open_message().expect("open").scroll, scrolled);
        press(&mut model, "g");
        assert_eq!(model.open_message().expect("open").scroll, 0);
        press(&mut model, "<C-d>");
        assert!(model.open_message().expect("open").scroll > 0);
    }
}

#[test]
fn opening_marks_seen_and_lowers_the_unread_count() {
    let mut model = loaded((120, 40));
    let inbox_unread = |m: &Model| m.view().expect("view").folders[1].unread;
    assert_eq!(inbox_unread(&model), 3);
    // Shown read at once, before the engine says anything.
    let effects = press(&mut model, "<Enter>");
    assert_eq!(runs(&effects).len(), 1);
    assert_eq!(inbox_unread(&model), 2);
    let list = model.view().and_then(|v| v.list()).expect("list");
    assert!(list.rows()[0].flags.seen);
    // Folder counts that arrive while the server is still being told show it too.
    engine(
        &mut model,
        Event::Folders {
            account: WORK,
            folders: work_folders(),
        },
    );
    assert_eq!(inbox_unread(&model), 2);
    // Done: kept. Opening a read message changes nothing.
    engine(
        &mut model,
        Event::Done {
            request: RequestId(1),
            outcome: Outcome::Nothing,
        },
    );
    press(&mut model, "<Esc>j<Enter>k<Enter>");
    assert_eq!(inbox_unread(&model), 1, "message 1 was unread too");
}

#[test]
fn full_headers_toggle() {
    let mut model = loaded((120, 40));
    press(&mut model, "<Enter>");
    engine(
        &mut model,
        Event::Message {
            id: envelope(WORK_INBOX, 0).id,
            rendered: rendered("x"),
        },
    );
    assert!(!screen(&model).contains("Message-ID"));
    press(&mut model, "H");
    assert!(screen(&model).contains("Message-ID: <abc@example.org>"));
    press(&mut model, "H");
    assert!(!screen(&model).contains("Message-ID"));
}

#[test]
fn next_page_is_asked_for_near_the_end_once() {
    let mut model = loaded((120, 40));
    // 200 loaded, margin 50: the cursor on row 149 does not ask yet, row 150 does,
    // by the key of the last row loaded.
    assert!(press(&mut model, &"j".repeat(149)).is_empty());
    let next = cmd(Command::LoadEnvelopes {
        folder: WORK_INBOX,
        page: after(WORK_INBOX, 200),
        limit: 200,
    });
    assert_eq!(press(&mut model, "j"), vec![next.clone()]);
    // In flight: not asked again.
    assert!(press(&mut model, "jj").is_empty());
    assert!(engine(&mut model, page_after(WORK_INBOX, 200, 140, 340)).is_empty());
    let list = model.view().and_then(|v| v.list()).expect("list");
    assert_eq!(
        (list.rows().len(), list.total, list.cursor),
        (340, 340, 152)
    );
    // Everything loaded: the end is one key away and asks for nothing.
    assert!(press(&mut model, "G").is_empty());
    let shot = screen(&model);
    assert!(shot.contains("340/340"), "{shot}");
    assert!(shot.contains("Subject number 339 in folder 11"));
}

#[test]
fn a_page_that_arrives_with_the_cursor_at_its_end_asks_for_the_next() {
    let mut model = Model::new((120, 40), CLOCK);
    engine(&mut model, Event::Accounts(accounts()));
    engine(
        &mut model,
        Event::Folders {
            account: WORK,
            folders: work_folders(),
        },
    );
    // A small first page (the engine may send fewer rows than asked).
    assert_eq!(
        engine(&mut model, first_page(WORK_INBOX, 10, 340)),
        vec![cmd(Command::LoadEnvelopes {
            folder: WORK_INBOX,
            page: after(WORK_INBOX, 10),
            limit: 200
        })]
    );
}

#[test]
fn account_switch_uses_the_cache() {
    let mut model = loaded((120, 40));
    // Its folders are still on their way: the switch waits for them (and refreshes).
    assert_eq!(
        press(&mut model, "2"),
        vec![cmd(Command::Refresh { account: HOME })]
    );
    let switching = screen(&model);
    assert!(switching.contains("loading…"));
    assert_eq!(
        engine(
            &mut model,
            Event::Folders {
                account: HOME,
                folders: home_folders()
            }
        ),
        vec![ask_first(HOME_INBOX)]
    );
    engine(&mut model, first_page(HOME_INBOX, 5, 5));
    insta::assert_snapshot!("account_home_120x40", screen(&model));

    // Back to work: shown at once from the cache, cursor where it was; only a refresh.
    press(&mut model, "1jjj");
    assert_eq!(
        press(&mut model, "2"),
        vec![cmd(Command::Refresh { account: HOME })]
    );
    assert_eq!(
        press(&mut model, "1"),
        vec![cmd(Command::Refresh { account: WORK })]
    );
    let shot = screen(&model);
    assert!(shot.contains("4/340"), "{shot}");
    insta::assert_snapshot!("account_back_to_work_120x40", shot);
    // [ and ] wrap around; the current account's number does nothing.
    assert_eq!(
        press(&mut model, "]"),
        vec![cmd(Command::Refresh { account: HOME })]
    );
    assert_eq!(
        press(&mut model, "]"),
        vec![cmd(Command::Refresh { account: WORK })]
    );
    assert_eq!(
        press(&mut model, "["),
        vec![cmd(Command::Refresh { account: HOME })]
    );
    assert!(press(&mut model, "2").is_empty());
    // No such account.
    assert!(press(&mut model, "9").is_empty());
    assert_eq!(model.account().map(|a| a.id), Some(HOME));
}

#[test]
fn account_tabs_show_unread_totals() {
    let model = loaded((120, 40));
    let top = screen(&model).lines().next().expect("line").to_string();
    assert!(top.contains("1 work (4)"), "{top}");
    assert!(top.contains("2 home"), "{top}");
}

#[test]
fn folders_switch_from_anywhere_and_stay_cached() {
    let mut model = loaded((120, 40));
    press(&mut model, "jjj<Enter><Tab><Tab>");
    assert_eq!(model.main.focus, Focus::List);
    assert!(model.open_message().is_some());
    // J from the list: next folder, message closed, its list asked for once.
    assert_eq!(press(&mut model, "J"), vec![ask_first(WORK_SENT)]);
    assert_eq!(model.main.focus, Focus::List);
    assert!(model.open_message().is_none());
    assert!(press(&mut model, "K").is_empty());
    // K past the first wraps to the last.
    assert_eq!(press(&mut model, "K"), vec![ask_first(WORK_ARCHIVE)]);
    assert_eq!(press(&mut model, "K"), vec![ask_first(WORK_TRASH)]);
    // Moving in the folder pane selects too.
    press(&mut model, "<Esc>");
    assert_eq!(model.main.focus, Focus::Folders);
    assert!(press(&mut model, "gj").is_empty());
    assert_eq!(
        model.view().and_then(|v| v.folder()).map(|f| f.id),
        Some(WORK_INBOX)
    );
    let shot = screen(&model);
    assert!(
        shot.contains("Gesendet (sent)"),
        "role shown when the name does not say it:\n{shot}"
    );
    assert!(shot.contains("│  postern"), "hierarchy indented:\n{shot}");
    assert!(
        shot.contains("│Lists/rust"),
        "no parent, full path:\n{shot}"
    );
}

/// Everything the help shows, scrolling it from top to bottom.
fn help_text(model: &mut Model) -> String {
    let mut seen = String::new();
    for _ in 0..40 {
        seen.push_str(&screen(model));
        press(model, "<PgDn>");
    }
    seen
}

#[test]
fn help_lists_every_key_of_the_effective_tables() {
    let mut model = loaded((120, 40));
    press(&mut model, "?");
    assert!(matches!(model.layers.last(), Some(Layer::Help(_))));
    insta::assert_snapshot!("help_120x40", screen(&model));
    let keys = Keymap::defaults();
    for size in [(120, 40), (80, 24), (100, 14)] {
        model.size = size;
        press(&mut model, "g");
        let shown = help_text(&mut model);
        for context in Context::ALL {
            for (action, chords) in keys.rows(context) {
                assert!(
                    shown.contains(action.description()),
                    "{} ({}) missing at {size:?}",
                    action.name(),
                    context.name()
                );
                for chord in chords {
                    assert!(shown.contains(&chord.label()), "{} missing", chord.label());
                }
            }
        }
    }
    model.size = (80, 24);
    // Keys under the help do nothing there; q and Esc close it rather than quit.
    assert!(press(&mut model, "jG<Enter>").is_empty());
    assert!(press(&mut model, "q").is_empty());
    assert!(model.layers.is_empty());
    press(&mut model, "?");
    press(&mut model, "<Esc>");
    assert!(model.layers.is_empty());
    assert_eq!(press(&mut model, "q"), vec![Effect::Quit]);
}

#[test]
fn the_help_shows_the_users_keys() {
    let text = "[accounts.a]\nemail = \"a@example.org\"\nreceive = \"maildir\"\nmaildir = \"/tmp/a\"\n\
                [keys]\nflag = [\"*\"]\nrefresh = \"F5\"\n";
    let config = postern::config::Config::parse_str(text, std::path::Path::new("c.toml")).unwrap();
    let settings = postern::tui::Settings {
        keys: config.keys,
        ..Default::default()
    };
    let mut model = loaded_into(Model::with_settings((120, 40), CLOCK, settings));
    press(&mut model, "?");
    let shown = help_text(&mut model);
    let row = |description: &str| {
        shown
            .lines()
            .find(|l| l.contains(description))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        row("flag / unflag").contains(" * "),
        "{}",
        row("flag / unflag")
    );
    assert!(
        !row("flag / unflag").contains(" F "),
        "{}",
        row("flag / unflag")
    );
    assert!(row("check for new mail").contains("F5"));
    // And the keys do what the help says.
    press(&mut model, "<Esc>");
    let effects = press(&mut model, "*");
    assert_eq!(runs(&effects).len(), 1, "* flags");
    assert!(press(&mut model, "F").is_empty(), "F does nothing now");
    assert!(
        status_line(&model).contains("F does nothing here"),
        "{}",
        status_line(&model)
    );
}

#[test]
fn every_default_key_reaches_its_action_as_terminals_send_it() {
    let keys = Keymap::defaults();
    for context in Context::ALL {
        for binding in keys.table(context) {
            let chord = keymap::chord(&event_for(binding.chord));
            assert_eq!(chord, Some(binding.chord), "{}", binding.chord.label());
            assert_eq!(keys.lookup(context, binding.chord), Some(binding.action));
        }
    }
    // Terminals that report Ctrl-letters upper-case, and SHIFT on capitals.
    let ctrl_c = KeyEvent::new(KeyCode::Char('C'), KeyModifiers::CONTROL);
    let chord = keymap::chord(&ctrl_c).unwrap();
    assert_eq!(keys.lookup(Context::List, chord), Some(Action::ForceQuit));
    let plain_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
    let chord = keymap::chord(&plain_c).unwrap();
    assert_eq!(keys.lookup(Context::List, chord), Some(Action::GoFolder));
}

#[test]
fn quitting() {
    let mut model = loaded((80, 24));
    press(&mut model, "jjj<Enter>");
    // Esc closes the message first, then moves left; it never quits. So does q in
    // the message view (as in NeoMutt and aerc).
    assert!(press(&mut model, "<Esc>").is_empty());
    assert!(model.open_message().is_none());
    assert_eq!(model.main.focus, Focus::List);
    press(&mut model, "<Enter>");
    assert!(press(&mut model, "q").is_empty());
    assert!(model.open_message().is_none());
    assert!(press(&mut model, "<Esc><Esc><Esc>").is_empty());
    assert_eq!(press(&mut model, "q"), vec![Effect::Quit]);
    // Ctrl-c quits even from the help overlay.
    press(&mut model, "?");
    assert_eq!(press(&mut model, "<C-c>"), vec![Effect::Quit]);
}

#[test]
fn error_shows_in_status_line_until_next_key() {
    let mut model = loaded((120, 40));
    engine(
        &mut model,
        Event::Error {
            context: "work".into(),
            problem: Problem::plain("IMAP login failed: token expired; run `postern login work`"),
        },
    );
    let shot = screen(&model);
    let status = shot.lines().last().expect("status");
    assert!(status.contains("IMAP login failed"), "{status}");
    insta::assert_snapshot!("error_120x40", shot);
    insta::assert_snapshot!("error_80x24", {
        model.size = (80, 24);
        screen(&model)
    });
    press(&mut model, "j");
    assert_eq!(model.status, Status::None);
}

#[test]
fn a_page_the_store_could_not_give_can_be_asked_again() {
    let mut model = loaded((120, 40));
    press(&mut model, &"j".repeat(150));
    engine(
        &mut model,
        Event::PageFailed {
            folder: WORK_INBOX,
            problem: Problem::plain("database is locked"),
        },
    );
    assert_eq!(
        press(&mut model, "j"),
        vec![cmd(Command::LoadEnvelopes {
            folder: WORK_INBOX,
            page: after(WORK_INBOX, 200),
            limit: 200
        })]
    );
}

/// The store changed: the shown INBOX is asked for again (the next page answers it).
fn reload_inbox(model: &mut Model) {
    let changed = Event::Changed {
        account: WORK,
        folders: vec![WORK_INBOX],
    };
    assert!(engine(model, changed).contains(&ask_first(WORK_INBOX)));
}

#[test]
fn escape_sequences_in_mail_are_drawn_harmlessly() {
    let mut model = loaded((120, 40));
    let mut row = envelope(WORK_INBOX, 0);
    row.subject = "\u{1b}[2J\u{1b}]0;owned\u{7}Invoice\u{1b}[31m due\r\n".into();
    row.from = "Evil\u{1b}[5m <evil@example.org>".into();
    let mut folders = work_folders();
    folders[1].name = "IN\u{1b}[8mBOX".into();
    engine(
        &mut model,
        Event::Folders {
            account: WORK,
            folders,
        },
    );
    reload_inbox(&mut model);
    engine(
        &mut model,
        Event::Envelopes {
            folder: WORK_INBOX,
            page: Page::First,
            total: 1,
            index: Some(0),
            rows: vec![row],
        },
    );
    let shot = screen(&model);
    assert!(
        !shot.chars().any(|c| c.is_control() && c != '\n'),
        "{shot:?}"
    );
    // The whole sequence goes, not just its ESC byte.
    assert!(shot.contains("Invoice due"), "{shot}");
    assert!(!shot.contains("[31m"), "{shot}");
    insta::assert_snapshot!("escape_subject_120x40", shot);
}

#[test]
fn resize_keeps_the_cursor_visible() {
    let mut model = loaded((120, 40));
    press(&mut model, &"j".repeat(30));
    assert!(update(&mut model, Msg::Resize(80, 24)).is_empty());
    let list = model.view().and_then(|v| v.list()).expect("list");
    assert!(list.cursor >= list.top && list.cursor < list.top + 20);
    let shot = screen(&model);
    assert!(shot.contains("31/340"));
    insta::assert_snapshot!("resized_80x24", shot);
    // Opening now uses the narrow layout's width.
    assert_eq!(
        press(&mut model, "<Enter>"),
        vec![cmd(Command::OpenMessage {
            id: envelope(WORK_INBOX, 30).id,
            width: 78
        })]
    );
    // In the narrow layout, focus away from the message shows the list again.
    press(&mut model, "<Tab>");
    assert_eq!(model.main.focus, Focus::Folders);
    assert!(screen(&model).contains("Folders"));
}

#[test]
fn changed_reloads_what_is_shown_and_keeps_the_selection() {
    let mut model = loaded((120, 40));
    press(&mut model, "jjj");
    let selected = envelope(WORK_INBOX, 3).id;
    assert_eq!(
        engine(
            &mut model,
            Event::Changed {
                account: WORK,
                folders: vec![WORK_INBOX]
            }
        ),
        vec![
            cmd(Command::LoadFolders { account: WORK }),
            ask_first(WORK_INBOX)
        ]
    );
    // Two new messages arrived on top: the same message stays selected.
    let mut rows: Vec<EnvelopeRow> = (0..198).map(|n| envelope(WORK_INBOX, n)).collect();
    let mut fresh = envelope(WORK_INBOX, 1000);
    fresh.id = MessageId(1);
    rows.insert(0, fresh.clone());
    fresh.id = MessageId(2);
    rows.insert(0, fresh);
    engine(
        &mut model,
        Event::Envelopes {
            folder: WORK_INBOX,
            page: Page::First,
            total: 342,
            index: Some(0),
            rows,
        },
    );
    let list = model.view().and_then(|v| v.list()).expect("list");
    assert_eq!(list.selected().map(|r| r.id), Some(selected));
    assert_eq!(list.cursor, 5);
}

#[test]
fn changed_elsewhere_marks_lists_stale_for_later() {
    let mut model = loaded((120, 40));
    press(&mut model, "2");
    engine(
        &mut model,
        Event::Folders {
            account: HOME,
            folders: home_folders(),
        },
    );
    assert_eq!(
        engine(
            &mut model,
            Event::Changed {
                account: WORK,
                folders: vec![WORK_INBOX, WORK_SENT]
            }
        ),
        vec![cmd(Command::LoadFolders { account: WORK })]
    );
    assert_eq!(
        press(&mut model, "1"),
        vec![
            ask_first(WORK_INBOX),
            cmd(Command::Refresh { account: WORK })
        ]
    );
}

#[test]
fn refresh_key() {
    let mut model = loaded((120, 40));
    assert_eq!(
        press(&mut model, "<C-r>"),
        vec![cmd(Command::Refresh { account: WORK })]
    );
    assert!(screen(&model).contains("checking work for new mail"));
    // r replies, as in mutt and aerc; it does not check for mail.
    let effects = press(&mut model, "r");
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Engine(Command::Draft { account: WORK, op, .. })]
                if matches!(op.as_ref(), DraftOp::Start { from: Some((Start::Reply, _)), .. })
        ),
        "{effects:?}"
    );
}

#[test]
fn tick_redraws_only_when_the_minute_changes() {
    let mut model = loaded((120, 40));
    model.take_dirty();
    update(
        &mut model,
        Msg::Tick(Clock {
            now: NOW + 30,
            utc_offset: 0,
        }),
    );
    assert!(!model.take_dirty());
    update(
        &mut model,
        Msg::Tick(Clock {
            now: NOW + 60,
            utc_offset: 0,
        }),
    );
    assert!(model.take_dirty());
    // An unbound key says so.
    press(&mut model, "z");
    assert!(model.take_dirty());
    assert_eq!(
        model.status,
        Status::Info("z does nothing here — ? lists the keys".into())
    );
}

#[test]
fn dates_in_the_list() {
    let day = 86_400;
    assert_eq!(text::short_date(NOW - 3600, CLOCK), "13:00");
    assert_eq!(text::short_date(NOW - day, CLOCK), "Mar  9");
    assert_eq!(text::short_date(NOW - 30 * day, CLOCK), "Feb  8");
    assert_eq!(text::short_date(NOW - 100 * day, CLOCK), "2025-11-30");
    assert_eq!(text::short_date(NOW - 400 * day, CLOCK), "2025-02-03");
    // 23:30 UTC yesterday is today at 00:30 one hour east.
    let east = Clock {
        now: NOW,
        utc_offset: 3600,
    };
    assert_eq!(text::short_date(NOW - 14 * 3600 - 1800, east), "00:30");
    assert_eq!(text::short_date(i64::MAX, CLOCK), "?");
}

#[test]
fn truncation_counts_columns_not_bytes() {
    assert_eq!(text::fit("日本語テキスト", 5), "日本…");
    assert_eq!(text::width(&text::fit("日本語テキスト", 6)), 6);
    assert_eq!(text::fit("abc", 5), "abc  ");
    assert_eq!(text::truncate("abcdef", 0), "");
    assert_eq!(
        text::display_from("\"Ann Example\" <ann@example.org>"),
        "Ann Example"
    );
    assert_eq!(text::display_from("<ann@example.org>"), "ann@example.org");
    assert_eq!(text::human_size(812), "812 B");
    assert_eq!(text::human_size(245_760), "240 KiB");
    assert_eq!(text::human_size(1_572_864), "1.5 MiB");
}

#[test]
fn wide_subjects_are_cut_to_the_column() {
    let mut model = loaded((80, 24));
    let mut row = envelope(WORK_INBOX, 0);
    row.subject = "会議の議事録と来週の予定についてのお知らせ、確認をお願いします".into();
    reload_inbox(&mut model);
    engine(
        &mut model,
        Event::Envelopes {
            folder: WORK_INBOX,
            page: Page::First,
            total: 1,
            index: Some(0),
            rows: vec![row],
        },
    );
    let shot = screen(&model);
    for line in shot.lines() {
        assert!(text::width(line) <= 80, "{line}");
    }
    insta::assert_snapshot!("wide_subject_80x24", shot);
}

#[test]
fn tiny_terminals_do_not_panic() {
    for size in [(0, 0), (1, 1), (10, 3), (20, 5), (99, 10), (100, 4)] {
        let mut model = loaded(size);
        press(&mut model, "jj<Enter>?");
        engine(
            &mut model,
            Event::Message {
                id: envelope(WORK_INBOX, 2).id,
                rendered: rendered("x"),
            },
        );
        let _ = screen(&model);
        press(&mut model, "<Esc>GH<C-d>");
        let _ = screen(&model);
    }
}

// ---------- the real event loop ----------

fn term_keys(script: &str) -> Vec<std::io::Result<TermEvent>> {
    keys(script)
        .into_iter()
        .map(|k| Ok(TermEvent::Key(k)))
        .collect()
}

#[tokio::test]
async fn event_loop_sends_effects_and_draws() {
    let (cmd_tx, mut cmd_rx) = tokio::sync::mpsc::unbounded_channel();
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel();
    ev_tx.send(Event::Accounts(accounts())).expect("send");
    ev_tx
        .send(Event::Folders {
            account: WORK,
            folders: work_folders(),
        })
        .expect("send");
    ev_tx.send(first_page(WORK_INBOX, 200, 340)).expect("send");
    let input = futures_util::stream::iter(term_keys("jj<Enter>"));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let result = postern::tui::run_loop(
        &mut terminal,
        input,
        cmd_tx,
        ev_rx,
        postern::tui::Loop {
            tick: std::time::Duration::from_secs(3600),
            clock: || CLOCK,
            settings: Default::default(),
            signals: None,
        },
    )
    .await;
    assert!(result.is_ok(), "{result:?}");
    let mut sent = Vec::new();
    while let Ok(c) = cmd_rx.try_recv() {
        sent.push(c);
    }
    assert_eq!(
        sent,
        vec![
            Command::LoadAccounts,
            Command::LoadFolders { account: WORK },
            Command::LoadFolders { account: HOME },
            Command::LoadEnvelopes {
                folder: WORK_INBOX,
                page: Page::First,
                limit: 200
            },
            Command::OpenMessage {
                id: envelope(WORK_INBOX, 2).id,
                width: 94
            },
            Command::Run {
                request: RequestId(1),
                account: WORK,
                op: Operation::SetFlags {
                    ids: vec![envelope(WORK_INBOX, 2).id],
                    add: Flags {
                        seen: true,
                        ..Flags::default()
                    },
                    remove: Flags::default()
                }
            },
        ]
    );
    let shot = buffer_text(terminal.backend());
    assert!(shot.contains("Subject number 2 in folder 11"));
    assert!(shot.contains("loading…"));
    drop(ev_tx);
}

#[tokio::test]
async fn event_loop_reports_a_vanished_engine() {
    let (cmd_tx, _cmd_rx) = tokio::sync::mpsc::unbounded_channel();
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    drop(ev_tx);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let input = futures_util::stream::pending();
    let result = postern::tui::run_loop(
        &mut terminal,
        input,
        cmd_tx,
        ev_rx,
        postern::tui::Loop {
            tick: std::time::Duration::from_secs(3600),
            clock: || CLOCK,
            settings: Default::default(),
            signals: None,
        },
    )
    .await;
    let error = result.expect_err("engine gone");
    assert!(error.to_string().contains("engine stopped"));
}

#[test]
fn selection_is_reversed_and_unread_bold() {
    use ratatui::style::Modifier;
    let mut model = loaded((120, 40));
    press(&mut model, "jjj");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal.draw(|f| view(&model, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    // List rows start at y = 2, x = 25 (inside both borders).
    let at = |row: u16| buffer[(40, 2 + row)].modifier;
    assert!(at(3).contains(Modifier::REVERSED), "cursor row");
    assert!(!at(4).contains(Modifier::REVERSED));
    assert!(at(0).contains(Modifier::BOLD), "unread row");
    assert!(!at(4).contains(Modifier::BOLD), "read row");
    // Focus on the folders: the list selection is no longer reversed.
    press(&mut model, "<Esc>");
    terminal.draw(|f| view(&model, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    assert!(!buffer[(40, 5)].modifier.contains(Modifier::REVERSED));
    assert!(
        buffer[(3, 3)].modifier.contains(Modifier::REVERSED),
        "folder cursor"
    );
}

#[test]
fn message_window_matches_the_whole_message_at_every_scroll() {
    use postern::tui::view::message;
    let mut r = rendered("A subject long enough to wrap in a narrow pane, surely it is");
    r.body = vec![
        String::new(),
        "short".into(),
        "x".repeat(95),
        "全角文字が続く長い行です。全角文字が続く長い行です。".into(),
        String::new(),
        "tail".into(),
    ];
    let theme = postern::tui::theme::Theme::default();
    for columns in [1, 7, 20, 33] {
        let layout = message::layout(&r, true, columns);
        let whole: Vec<String> = message::visible_lines(&theme, &r, &layout, 0, usize::MAX)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(layout.total(), whole.len(), "columns {columns}");
        // (Narrower than a header name, the pane clips the label instead.)
        if columns >= 20 {
            for line in &whole {
                assert!(text::width(line) <= columns, "{line:?} at {columns}");
            }
        }
        for scroll in 0..whole.len() {
            for height in [1, 3, 10] {
                let window: Vec<String> =
                    message::visible_lines(&theme, &r, &layout, scroll, height)
                        .iter()
                        .map(|l| l.to_string())
                        .collect();
                let expected: Vec<String> =
                    whole.iter().skip(scroll).take(height).cloned().collect();
                assert_eq!(window, expected, "columns {columns} scroll {scroll}");
            }
        }
    }
}

/// "Sent" is a result to read: the store changes that follow it (the copy filed in
/// Sent, its resync) do not wipe it, as they wipe progress.
#[test]
fn a_sent_notice_outlives_the_changes_that_follow_it() {
    let mut model = loaded((120, 40));
    engine(
        &mut model,
        Event::Sent {
            account: WORK,
            outbox: postern::store::OutboxId(1),
            reply: "250 2.0.0 Ok: queued".into(),
        },
    );
    engine(
        &mut model,
        Event::Changed {
            account: WORK,
            folders: vec![WORK_SENT],
        },
    );
    engine(&mut model, Event::Synced { account: WORK });
    assert!(screen(&model).contains("work: sent (250 2.0.0 Ok: queued)"));
}

#[test]
fn background_work_shows_in_the_status_line() {
    let mut model = loaded((120, 40));
    engine(
        &mut model,
        Event::Progress {
            account: WORK,
            folder: WORK_INBOX,
            fetched: 100,
            to_fetch: 340,
        },
    );
    assert!(screen(&model).contains("work: syncing INBOX 100/340"));
    engine(&mut model, Event::Synced { account: WORK });
    assert!(!screen(&model).contains("syncing"));

    // A failure stays on show while the worker waits to try again.
    engine(
        &mut model,
        Event::Error {
            context: "work: IMAP".into(),
            problem: Problem::plain("connection refused"),
        },
    );
    engine(
        &mut model,
        Event::Retrying {
            account: WORK,
            attempt: 2,
            delay: std::time::Duration::from_secs(4),
        },
    );
    assert!(screen(&model).contains("connection refused"));
    press(&mut model, "j");
    engine(
        &mut model,
        Event::Retrying {
            account: WORK,
            attempt: 3,
            delay: std::time::Duration::from_secs(8),
        },
    );
    assert!(screen(&model).contains("work: connecting again in 8 s (attempt 3)"));

    engine(
        &mut model,
        Event::SendFailed {
            account: WORK,
            outbox: None,
            error: "550 5.1.1 no such user".into(),
            reply: None,
        },
    );
    assert!(screen(&model).contains("work: not sent, kept in the outbox: 550 5.1.1"));
}
