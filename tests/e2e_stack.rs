//! End to end against a real server: the `postern` binary in a real terminal (tmux)
//! on an IMAP account of the test mail stack, driven by keys; after it quits,
//! another IMAP client checks that the server has what the keys did, and the
//! terminal is checked for being restored.

mod tmux_support;
mod tui_support;

use postern_test_stack::{SeedSpec, Stack};
use tmux_support::{Tmux, assert_terminal_restored, shell_quote};
use tui_support::live::{Kind, Server, account_config, parse_config};

/// Flag one message, delete another and undo that, move a third through the
/// picker, quit: the server has the flag, the undone delete back in INBOX, the
/// move in the target folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flag_delete_undo_and_move_reach_the_server() {
    let stack = Stack::shared();
    let user = stack.new_user("e2e-stack").unwrap();
    stack.seed(&user, &SeedSpec::folder("Projects", 0)).unwrap();
    let mut server = Server::login(&user).await;
    let subjects = ["Alpha e2e", "Bravo e2e", "Charlie e2e", "Delta e2e"];
    server.fill("INBOX", &subjects).await;

    let home = tempfile::tempdir().unwrap();
    let text = account_config(home.path(), "mail", &user, &Kind::Imap);
    parse_config(&text); // the binary reads the same text: it must be valid
    let config = home.path().join("postern.toml");
    std::fs::write(&config, &text).unwrap();
    let env: Vec<String> = postern_test_stack::profile_env(home.path())
        .iter()
        .map(|(name, value)| format!("{name}={}", shell_quote(&value.to_string_lossy())))
        .collect();
    // After postern exits, `stty -a` prints the line discipline it left behind; the
    // shell then stays, so tmux still reports on a live pane.
    let command = format!(
        "env -u POSTERN_CONFIG {} {} --config {}; echo \"exit=$?\"; stty -a; sleep 60",
        env.join(" "),
        shell_quote(env!("CARGO_BIN_EXE_postern")),
        shell_quote(&config.to_string_lossy()),
    );
    let tmux = Tmux::start(&command, 120, 40);
    tmux.wait_for("Delta e2e");

    // F on the first; d on the second, then u; s on the third (the cursor is there
    // once the second is gone, and stays on it when the second comes back).
    tmux.keys(&["F", "j", "d"]);
    tmux.wait_until("Bravo gone", |s| !s.contains("Bravo e2e"));
    tmux.keys(&["u"]);
    tmux.wait_for("Bravo e2e");
    tmux.keys(&["s"]);
    tmux.wait_for("Move 1 message to");
    tmux.keys(&["p", "r", "o", "j", "Enter"]);
    tmux.wait_until("Charlie gone", |s| !s.contains("Charlie e2e"));
    tmux.keys(&["q"]);
    tmux.wait_for("icanon");
    assert_terminal_restored(&tmux);

    let after = server.snapshot().await;
    assert!(after.has_flag("Alpha e2e", "\\Flagged"), "{after:#?}");
    assert_eq!(after.folders_of("Bravo e2e"), ["INBOX"], "{after:#?}");
    assert_eq!(after.count("Trash"), 0, "{after:#?}");
    assert_eq!(after.folders_of("Charlie e2e"), ["Projects"], "{after:#?}");
    assert_eq!(after.folders_of("Delta e2e"), ["INBOX"], "{after:#?}");
    assert!(!after.has_flag("Delta e2e", "\\Flagged"), "{after:#?}");
    assert!(!after.has_flag("Bravo e2e", "\\Flagged"), "{after:#?}");
}
