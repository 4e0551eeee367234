//! End to end: the real `postern demo` binary in a real terminal (tmux), driven by
//! keys and read back from the screen, then checked for a restored terminal.

mod tmux_support;

use std::process::Command;

use tmux_support::{Tmux, assert_terminal_restored};

/// The README's first command, as a newcomer would run it: two accounts, folders and a
/// message list; an HTML message rendered as text; the hostile sample drawn harmlessly;
/// `q` closes the message, `q` again quits, and the terminal is back as it was (main screen, cursor, cooked mode).
#[test]
fn demo_in_a_real_terminal() {
    let postern = env!("CARGO_BIN_EXE_postern");
    // After postern exits, `stty -a` prints the line discipline it left behind.
    // The shell then stays, so tmux still reports on a live pane.
    let command = format!("{postern} demo; echo \"exit=$?\"; stty -a; sleep 60");
    let tmux = Tmux::start(&command, 120, 40);

    // The inbox can be listed before every folder is: wait for both.
    let first = tmux.wait_until("the inbox and the folders", |s| {
        s.contains("Grace Okafor") && ["Archive", "Sent"].iter().all(|f| s.contains(f))
    });
    assert!(first.contains("1 work"), "{first}");
    assert!(first.contains("2 personal"), "{first}");
    for folder in ["INBOX", "Archive", "Sent"] {
        assert!(first.contains(folder), "{folder} missing:\n{first}");
    }
    assert!(first.contains("Engineering Weekly #142"), "{first}");

    // The HTML-only newsletter is the 9th message of work's INBOX.
    tmux.keys(&["j", "j", "j", "j", "j", "j", "j", "j", "Enter"]);
    let html = tmux.wait_for("## Rust at Contoso: one year in");
    assert!(
        !html.contains("<h2>"),
        "HTML tags reached the screen:\n{html}"
    );
    assert!(html.contains("From: Contoso Engineering Weekly"), "{html}");

    // The personal account's hostile sample: its subject is drawn, its escapes are not.
    tmux.keys(&["Escape", "2"]);
    let personal = tmux.wait_for("URGENT mailbox full");
    assert!(personal.contains("Привет из Москвы!"), "{personal}");
    tmux.keys(&["j", "j", "j", "j", "Enter"]);
    tmux.wait_for("Right-to-left override");
    let raw = tmux.screen_with_escapes();
    assert!(
        !raw.contains("\u{1b}]"),
        "an OSC sequence from mail reached the terminal"
    );
    assert!(
        !raw.contains("\u{1b}[2J"),
        "a clear-screen from mail reached the terminal"
    );
    assert!(
        !tmux.format("#{pane_title}").contains("hacked"),
        "mail set the window title"
    );

    // q closes the message (as in NeoMutt and aerc), q again quits.
    tmux.keys(&["q"]);
    tmux.wait_for("Привет из Москвы!");
    tmux.keys(&["q"]);
    tmux.wait_for("icanon");
    assert_terminal_restored(&tmux);
}

/// `kill` (SIGTERM) ends postern like `q` does: the terminal is put back.
#[test]
fn terminal_restored_after_sigterm() {
    let postern = env!("CARGO_BIN_EXE_postern");
    let command = format!("{postern} demo; echo \"exit=$?\"; stty -a; sleep 60");
    let tmux = Tmux::start(&command, 100, 30);
    tmux.wait_for("Grace Okafor");
    let shell = tmux.format("#{pane_pid}");
    let out = Command::new("pkill")
        .args(["-TERM", "-P", &shell, "-x", "postern"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "no postern child of pane shell {shell}"
    );
    tmux.wait_for("icanon");
    assert_terminal_restored(&tmux);
}
